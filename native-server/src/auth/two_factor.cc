// Portcullis server: the second factor, as BetterAuth's two-factor plugin (1.7) does it: an
// authenticator app's codes (TOTP) and backup codes, asked for at sign-in once the user turned
// them on, with browsers the user chose to trust let through for 30 days.
//
// Where it is stored (BetterAuth's places, so either server reads what the other wrote):
//   - the key and the backup codes: the user's "twoFactor" row, encrypted with the server's secret;
//   - a sign-in awaiting its code: verification rows "2fa-<id>" (value: the user's id) and
//     "2fa-attempts-2fa-<id>" (value: the wrong codes so far), for 10 minutes; the two_factor
//     cookie carries "2fa-<id>", signed;
//   - a trusted browser: a verification row "trust-device-<id>" (value: the user's id) for 30 days;
//     the trust_device cookie carries "<mac>!trust-device-<id>", signed;
//   - a mailed code (--two-factor-otp): a verification row "2fa-otp-<key>" for 3 minutes, where
//     the key is the challenge's "2fa-<id>" (signed in: "<user id>!<session id>"), and the value
//     "<SHA-256 of the code, base64url>:<wrong codes so far>" (BetterAuth's storeOTP "hashed").
//     A user with codes by e-mail alone has no twoFactor row: their wrong codes in a row are
//     counted in the rateLimit table instead ("2fa-failures:<hash of the user id>").
// Beyond BetterAuth:
//   - an authenticator code is accepted once (RFC 6238 §5.2): a second use within its validity
//     is a wrong code (BetterAuth accepts it again for as long as it is valid);
//   - a trusted browser's mac also covers the twoFactor row's id, so turning the second factor
//     off (which deletes the row) forgets every trusted browser, not only the one that did it;
//   - turning it on or off answers with the new session's token (BetterAuth replaces the session
//     too, but answers with the old token);
//   - a sign-in offers codes by e-mail only to users who chose them, or have no app (e.g. turned
//     them on with BetterAuth): BetterAuth offers them to every user with the second factor on,
//     so whoever reads the mailbox of a user with an app could reset the password and then pass
//     the second step by mail, and the app would protect nothing against it;
//   - codes by e-mail are turned on only by enable (with the password, and a verified address);
//     a signed-in verify-otp checks a code and changes nothing (BetterAuth's turns the second
//     factor on without the password); a sign-in's mailed codes share its budget of 5 wrong codes,
//     and lock the account after 10 in a row, with or without a twoFactor row.

#include <sodium.h>

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>

#include "auth/one_time_codes.h"
#include "common/time.h"
#include "auth/service.h"
#include "common/strings.h"
#include "portcullis/token.h"

namespace portcullis::auth {
namespace {

using std::chrono::milliseconds;

constexpr std::chrono::seconds kChallengeLifetime{600};       // BetterAuth's twoFactorCookieMaxAge
constexpr std::chrono::seconds kTrustLifetime{30 * 24 * 3600};  // BetterAuth's trustDeviceMaxAge
constexpr int kChallengeAttempts = 5;                          // wrong codes one sign-in may take
constexpr std::int64_t kLockAfterFailures = 10;                // in a row, across sign-ins
constexpr std::chrono::minutes kLockDuration{15};
constexpr std::string_view kChallengePrefix = "2fa-";
constexpr std::string_view kAttemptsPrefix = "2fa-attempts-";
constexpr std::string_view kTrustPrefix = "trust-device-";
constexpr std::string_view kOtpPrefix = "2fa-otp-";
constexpr std::chrono::minutes kOtpLifetime{3};  // BetterAuth's otpOptions.period
// Codes one sign-in (or one session) may have mailed: enough for mail that is slow to arrive, and
// a bound on what someone who knows the password can send to the user's mailbox per sign-in.
constexpr int kOtpMailsPerChallenge = 5;
constexpr std::string_view kOtpMailsPrefix = "2fa-otp-mails-";
// Codes by e-mail turned on: a verification row "2fa-otp-on-<user id>" (value: the user's id)
// whose id stands in for the twoFactor row's in trusted browsers' macs when the user has none.
constexpr std::string_view kOtpOnPrefix = "2fa-otp-on-";
constexpr std::chrono::hours kOtpOnLifetime{24 * 365 * 100};

// base64url without padding, as BetterAuth's createHMAC(..., "base64urlnopad") writes a MAC.
std::string base64url(const HmacSha256& mac) {
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
}

// The mac of a trusted browser's cookie: BetterAuth's message "<user id>!<identifier>", and the
// twoFactor row's id after another "!".
std::string trust_mac(std::string_view secret, const User& user, std::string_view identifier,
                      std::string_view row_id) {
  std::string message = user.id;
  message += '!';
  message += identifier;
  message += '!';
  message += row_id;
  return base64url(hmac_sha256(secret, message));
}

// A count kept as the text of a verification row (wrong codes, mailed codes): up to 3 digits, or
// `unreadable` for anything else.
int stored_count(std::string_view text, int unreadable) {
  std::uint64_t count = 0;
  return parse_decimal(text, 3, count) ? static_cast<int>(count) : unreadable;
}

// A sign-in challenge's attempts row: the count of wrong codes, then, when the first factor was
// not the password, a space and its method ("2 passkey"), for the audit log once it completes.
std::string attempts_value(int count, std::string_view first_factor) {
  std::string value = std::to_string(count);
  if (first_factor != "password") value.append(" ").append(first_factor);
  return value;
}
struct Attempts {
  int count = 0;
  std::string first_factor = "password";
};
Attempts read_attempts(std::string_view value, int unreadable) {
  Attempts out;
  if (const std::size_t space = value.find(' '); space != std::string_view::npos) {
    out.first_factor = std::string(value.substr(space + 1));
    value = value.substr(0, space);
  }
  out.count = stored_count(value, unreadable);
  return out;
}

// The trust_device cookie's identifier, or "" if the value is not "<mac>!trust-device-<id>".
std::string_view trust_identifier(std::string_view value) {
  const std::size_t bang = value.find('!');
  if (bang == std::string_view::npos) return {};
  const std::string_view identifier = value.substr(bang + 1);
  return identifier.starts_with(kTrustPrefix) ? identifier : std::string_view();
}

Result<std::vector<std::string>> read_backup_codes(std::string_view secret, const std::string& stored) {
  auto text = symmetric_decrypt(secret, stored);
  if (!text) return Status(ErrorCode::kInternalServerError);
  const auto parsed = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_array()) return Status(ErrorCode::kInternalServerError);
  std::vector<std::string> codes;
  for (const auto& code : parsed) {
    if (code.is_string()) codes.push_back(code.get<std::string>());
  }
  return codes;
}

// As BetterAuth stores them: JSON.stringify of the array, encrypted.
std::string seal_backup_codes(std::string_view secret, const std::vector<std::string>& codes) {
  return symmetric_encrypt(secret, nlohmann::json(codes).dump());
}

}  // namespace

Status AuthService::begin_second_factor(const User& user, const SignInRequest& request, std::string_view first_factor,
                                        const Caller& caller, SignedIn& out) {
  if (!config_.two_factor || !user.two_factor_enabled) return Status::OK();
  auto row = store_.find_two_factor(user.id);
  if (!row.ok() && row.status().code() != ErrorCode::kNotFound) return Status(ErrorCode::kInternalServerError);
  const std::string row_id = row.ok() ? row->id : otp_anchor(user);

  if (request.trusted_device) {
    if (device_is_trusted(user, row_id, *request.trusted_device, caller.now)) {
      // Let through; the browser's trust is renewed under a new identifier (the old row is gone).
      auto renewed = trust_device(user, row_id, caller.now);
      if (renewed.ok()) out.trust_device = std::move(renewed).value();
      return Status::OK();
    }
    out.trust_device = "";
  }

  const std::string challenge = std::string(kChallengePrefix) + generate_token(20);
  if (!store_verification(challenge, user.id, caller.now, kChallengeLifetime).ok() ||
      !store_verification(std::string(kAttemptsPrefix) + challenge, attempts_value(0, first_factor), caller.now,
                          kChallengeLifetime)
           .ok()) {
    return Status(ErrorCode::kInternalServerError);
  }
  out.two_factor_challenge = challenge;
  out.two_factor_methods = methods_of(user, row.ok() && row->verified);
  return Status::OK();
}

std::vector<std::string> AuthService::methods_of(const User& user, bool app) {
  std::vector<std::string> methods;
  if (app) methods.emplace_back("totp");
  if (otp_offered(user, app)) methods.emplace_back("otp");
  return methods;
}

Result<std::vector<std::string>> AuthService::two_factor_methods(const Authenticated& auth) {
  if (!config_.two_factor || !auth.user.two_factor_enabled) return std::vector<std::string>();
  auto row = store_.find_two_factor(auth.user.id);
  if (!row.ok() && row.status().code() != ErrorCode::kNotFound) return ErrorCode::kInternalServerError;
  return methods_of(auth.user, row.ok() && row->verified);
}

bool AuthService::otp_offered(const User& user, bool app) {
  return config_.two_factor_otp && (!app || !otp_anchor(user).empty());
}

std::string AuthService::otp_anchor(const User& user) {
  auto on = store_.find_verification(std::string(kOtpOnPrefix) + user.id);
  return on.ok() && on->value == user.id ? on->id : std::string();
}

Result<User> AuthService::challenge_user(const std::optional<std::string>& challenge, TimePoint now,
                                         store::Verification& pending) {
  if (!challenge || !challenge->starts_with(kChallengePrefix)) return ErrorCode::kInvalidTwoFactorCookie;
  auto found = store_.find_verification(*challenge);
  if (!found.ok() || found->expires_at <= now) return ErrorCode::kInvalidTwoFactorCookie;
  pending = std::move(found).value();
  auto user = store_.find_user_by_id(pending.value);
  if (!user) return ErrorCode::kInvalidTwoFactorCookie;
  return user;
}

bool AuthService::device_is_trusted(const User& user, const std::string& row_id, const std::string& value,
                                    TimePoint now) {
  const std::string_view identifier = trust_identifier(value);
  if (identifier.empty() || row_id.empty()) return false;
  const std::string_view mac = std::string_view(value).substr(0, value.size() - identifier.size() - 1);
  if (!constant_time_equal(mac, trust_mac(config_.secret, user, identifier, row_id))) return false;
  // Consumed: a trusted browser's identifier is used once, then replaced.
  auto row = store_.consume_verification(identifier);
  return row.ok() && row->value == user.id && row->expires_at > now;
}

Result<std::string> AuthService::trust_device(const User& user, const std::string& row_id, TimePoint now) {
  const std::string identifier = std::string(kTrustPrefix) + generate_token(32);
  if (Status s = store_verification(identifier, user.id, now, kTrustLifetime); !s.ok()) return s;
  return trust_mac(config_.secret, user, identifier, row_id) + "!" + identifier;
}

Result<Session> AuthService::replace_session(const Authenticated& old, const User& user, const Caller& caller) {
  auto session = start_session(user, !old.dont_remember, caller);
  if (!session) return session.status();
  (void)store_.delete_session(old.session.token);
  return session;
}

Result<TwoFactorSetup> AuthService::enable_two_factor(const Authenticated& auth, const std::string& password,
                                                      const std::optional<std::string>& issuer,
                                                      const Caller& caller) {
  if (!config_.two_factor) return ErrorCode::kNotFound;
  if (Status s = confirm_password(auth, password, caller.now); !s.ok()) return s;
  auto existing = store_.find_two_factor(auth.user.id);
  if (!existing.ok() && existing.status().code() != ErrorCode::kNotFound) return ErrorCode::kInternalServerError;
  if (existing.ok() && existing->verified) return ErrorCode::kTotpAlreadyEnabled;

  TwoFactorSetup setup;
  const std::string key = new_totp_key();
  setup.backup_codes = new_backup_codes();
  store::TwoFactor row;
  row.id = existing.ok() ? existing->id : generate_token();
  row.user_id = auth.user.id;
  row.secret = symmetric_encrypt(config_.secret, key);
  row.backup_codes = seal_backup_codes(config_.secret, setup.backup_codes);
  row.verified = false;  // until a code from the app is seen (verify_second_factor)
  if (!store_.put_two_factor(row).ok()) return ErrorCode::kInternalServerError;
  setup.totp_uri = auth::totp_uri(issuer.value_or(config_.app_name), auth.user.email, key);
  return setup;
}

Result<Session> AuthService::enable_two_factor_otp(const Authenticated& auth, const std::string& password,
                                                   const Caller& caller) {
  if (!config_.two_factor) return ErrorCode::kNotFound;
  if (!config_.two_factor_otp || mail_ == nullptr) return ErrorCode::kOtpNotConfigured;
  if (Status s = confirm_password(auth, password, caller.now); !s.ok()) return s;
  if (!auth.user.email_verified) return ErrorCode::kEmailNotVerified;
  if (otp_anchor(auth.user).empty() &&
      !store_verification(std::string(kOtpOnPrefix) + auth.user.id, auth.user.id, caller.now, kOtpOnLifetime).ok()) {
    return ErrorCode::kInternalServerError;
  }
  User user = auth.user;
  if (!user.two_factor_enabled) {
    if (!store_.set_two_factor_enabled(user.id, true, caller.now).ok()) return ErrorCode::kInternalServerError;
    user.two_factor_enabled = true;
    user.updated_at = caller.now;
  }
  audit("two-factor-enabled", &user, caller, {{"method", "otp"}});
  return replace_session(auth, user, caller);
}

Status AuthService::send_two_factor_otp(const std::optional<Authenticated>& auth,
                                        const std::optional<std::string>& challenge, const Caller& caller) {
  if (!config_.two_factor) return Status(ErrorCode::kNotFound);
  if (!config_.two_factor_otp || mail_ == nullptr) return Status(ErrorCode::kOtpNotConfigured);
  User user;
  std::string key;
  TimePoint budget_ends = caller.now + kChallengeLifetime;  // signed in: 5 codes per 10 minutes
  if (auth) {
    user = auth->user;
    key = user.id + "!" + auth->session.id;
  } else {
    store::Verification pending;
    auto found = challenge_user(challenge, caller.now, pending);
    if (!found) return found.status();
    user = std::move(found).value();
    key = pending.identifier;
    budget_ends = pending.expires_at;
    auto row = store_.find_two_factor(user.id);
    if (!row.ok() && row.status().code() != ErrorCode::kNotFound) return Status(ErrorCode::kInternalServerError);
    if (!otp_offered(user, row.ok() && row->verified)) return Status(ErrorCode::kOtpNotEnabled);
  }
  // The codes mailed so far for this sign-in: a row taken out and put back one higher.
  const std::string mails_id = std::string(kOtpMailsPrefix) + key;
  int mailed = 0;
  if (auto counted = store_.consume_verification(mails_id); counted.ok() && counted->expires_at > caller.now) {
    mailed = stored_count(counted->value, kOtpMailsPerChallenge);
    budget_ends = counted->expires_at;
  }
  const auto ttl = std::chrono::duration_cast<milliseconds>(budget_ends - caller.now);
  if (mailed >= kOtpMailsPerChallenge) {
    (void)store_verification(mails_id, std::to_string(mailed), caller.now, ttl);
    return Status(ErrorCode::kTooManyRequests);
  }
  if (!store_verification(mails_id, std::to_string(mailed + 1), caller.now, ttl).ok()) {
    return Status(ErrorCode::kInternalServerError);
  }
  const std::string code = new_mailed_code();
  const std::string otp_id = std::string(kOtpPrefix) + key;
  (void)store_.consume_verification(otp_id);  // the code mailed before, if any, stops working
  if (Status s = store_verification(otp_id, mailed_code_hash(code) + ":0", caller.now, kOtpLifetime); !s.ok()) {
    return Status(ErrorCode::kInternalServerError);
  }
  mail::Message m;
  m.to = user.email;
  m.kind = "two-factor-code";
  m.subject = "Your " + config_.app_name + " verification code";
  m.text = "Hello " + user.name + ",\n\nHere is the code " +
           (auth ? std::string("you asked for at ") : std::string("to finish signing in to ")) + "your " +
           config_.app_name + " account (" + user.email + "):\n\n    " + code +
           "\n\nIt works once, for the next 3 minutes.\n\n" +
           (auth ? std::string("If you did not ask for it, someone is using your account: sign out its other "
                               "sessions and change your password.\n")
                 : std::string("If you are not signing in right now, someone else knows your password: change it "
                               "at once.\n"));
  mail_->enqueue(std::move(m));
  return Status::OK();
}

Result<std::string> AuthService::totp_uri(const Authenticated& auth, const std::string& password, TimePoint now) {
  if (!config_.two_factor) return ErrorCode::kNotFound;
  auto row = store_.find_two_factor(auth.user.id);
  if (!row) return row.status().code() == ErrorCode::kNotFound ? ErrorCode::kTotpNotEnabled : ErrorCode::kInternalServerError;
  if (Status s = confirm_password(auth, password, now); !s.ok()) return s;
  auto secret = symmetric_decrypt(config_.secret, row->secret);
  if (!secret) return ErrorCode::kInternalServerError;
  auto key = totp_key_from_secret(*secret);
  if (!key) return ErrorCode::kInternalServerError;
  return auth::totp_uri(config_.app_name, auth.user.email, *key);
}

Result<SecondFactorPassed> AuthService::verify_second_factor(const std::optional<Authenticated>& auth,
                                                             const SecondFactorRequest& request,
                                                             SecondFactorKind kind, const Caller& caller) {
  if (!config_.two_factor) return ErrorCode::kNotFound;
  const bool totp = kind == SecondFactorKind::kTotp;
  const bool otp = kind == SecondFactorKind::kOtp;
  if (otp && !config_.two_factor_otp) return ErrorCode::kOtpNotConfigured;
  // Signed in: the caller's own code. Else the second step of a sign-in, named by its cookie.
  const bool sign_in = !auth.has_value();
  SecondFactorPassed out;
  store::Verification pending;
  if (sign_in) {
    auto user = challenge_user(request.challenge, caller.now, pending);
    if (!user) return user.status();
    out.user = std::move(user).value();
  } else {
    out.user = auth->user;
  }

  // The user's twoFactor row: needed for an app's codes and backup codes; a user with codes by
  // e-mail alone has none.
  auto found_row = store_.find_two_factor(out.user.id);
  if (!found_row.ok() && found_row.status().code() != ErrorCode::kNotFound) return ErrorCode::kInternalServerError;
  std::optional<store::TwoFactor> row;
  if (found_row.ok()) row = std::move(found_row).value();
  if (!row && !otp) return totp ? ErrorCode::kTotpNotEnabled : ErrorCode::kBackupCodesNotEnabled;
  if (sign_in && totp && !row->verified) return ErrorCode::kTotpNotEnabled;
  if (sign_in && otp && !otp_offered(out.user, row && row->verified)) return ErrorCode::kOtpNotEnabled;
  // Wrong codes in a row, counted on the row (BetterAuth's columns) or, without one, here.
  const std::string failures_key = hashed_identifier("2fa-failures", out.user.id);
  const std::string_view method = totp ? "totp" : otp ? "otp" : "backup-code";
  const auto failed = [&](std::string_view reason) {
    if (sign_in) audit("two-factor-failed", &out.user, caller, {{"method", method}, {"reason", reason}});
  };

  // A sign-in's budget: the account's lock first, then the challenge's own count of wrong codes
  // (taken out of its row, and put back, one higher after a wrong code, unless the code was right).
  int attempts = 0;
  std::string first_factor = "password";
  const std::string attempts_id = std::string(kAttemptsPrefix) + pending.identifier;
  const auto rearm = [&](int count) {
    (void)store_verification(attempts_id, attempts_value(count, first_factor), caller.now,
                             std::chrono::duration_cast<milliseconds>(pending.expires_at - caller.now));
  };
  if (sign_in) {
    if (row && row->locked_until) {
      if (*row->locked_until > caller.now) {
        failed("locked");
        return ErrorCode::kAccountTemporarilyLocked;
      }
      (void)store_.reset_two_factor_failures(row->id);
    }
    if (!row) {
      auto failures = store_.rate_limit_get(failures_key);
      if (failures.ok() && failures->count >= kLockAfterFailures && caller.now - failures->last_request < kLockDuration) {
        failed("locked");
        return ErrorCode::kAccountTemporarilyLocked;
      }
    }
    auto counted = store_.consume_verification(attempts_id);
    if (!counted) return ErrorCode::kInvalidTwoFactorCookie;
    const Attempts read = read_attempts(counted->value, kChallengeAttempts);
    attempts = read.count;
    first_factor = read.first_factor;
    if (attempts >= kChallengeAttempts) {
      (void)store_.consume_verification(pending.identifier);
      failed("too-many-attempts");
      return ErrorCode::kTooManyAttemptsRequestNewCode;
    }
  }

  bool right = false;
  std::string_view wrong_reason = "wrong-code";
  if (otp) {
    // The last code mailed for this sign-in (signed in: for this session), taken out of its row
    // and put back, one wrong code more, if this one is wrong.
    const std::string otp_id = std::string(kOtpPrefix) + (sign_in ? pending.identifier : out.user.id + "!" + auth->session.id);
    auto mailed = store_.consume_verification(otp_id);
    std::string_view hash;
    int wrong = 0;
    if (!mailed.ok() || mailed->expires_at <= caller.now || !parse_mailed_code(mailed->value, hash, wrong)) {
      if (sign_in) rearm(attempts);
      failed("no-code");
      return ErrorCode::kOtpHasExpired;
    }
    if (wrong >= kChallengeAttempts) {  // signed in only: a sign-in's budget ran out before
      if (sign_in) rearm(attempts);
      return ErrorCode::kTooManyAttemptsRequestNewCode;
    }
    right = constant_time_equal(hash, mailed_code_hash(request.code));
    if (!right) {
      (void)store_verification(otp_id, std::string(hash) + ":" + std::to_string(wrong + 1), caller.now,
                               std::chrono::duration_cast<milliseconds>(mailed->expires_at - caller.now));
    }
  } else if (totp) {
    auto secret = symmetric_decrypt(config_.secret, row->secret);
    auto key = secret ? totp_key_from_secret(*secret) : Result<std::string>(secret.status());
    if (!key) {
      if (sign_in) rearm(attempts);
      return ErrorCode::kInternalServerError;
    }
    const auto step = match_totp(*key, request.code, totp_step(unix_seconds(caller.now)));
    if (step) {
      // Used once: a row whose id names the user, the step and the code cannot be inserted twice.
      // (The code is in it because the user may set up a new key within the same step.)
      store::Verification used;
      used.id = "totp-used-" + out.user.id + "-" + std::to_string(*step) + "-" + request.code;
      used.identifier = "totp-used:" + out.user.id;
      used.value = out.user.id;  // deleted with the user
      used.created_at = used.updated_at = caller.now;
      used.expires_at = caller.now + std::chrono::seconds(3 * kTotpPeriodSeconds);
      const Status fresh = store_.create_verification(used);
      right = fresh.ok();
      if (fresh.code() == ErrorCode::kUserAlreadyExists) {
        wrong_reason = "reused";
        report_reused_code(out.user, caller);
      }
    }
  } else {
    auto codes = read_backup_codes(config_.secret, row->backup_codes);
    if (!codes) {
      if (sign_in) rearm(attempts);
      return codes.status();
    }
    const auto it = std::find(codes->begin(), codes->end(), request.code);
    if (it != codes->end()) {
      codes->erase(it);
      // Only if no other request used a code meanwhile: two racing with one code cannot both win.
      auto replaced = store_.replace_backup_codes(row->id, row->backup_codes, seal_backup_codes(config_.secret, *codes));
      right = replaced.ok() && *replaced;
    }
  }
  if (!right) {
    if (sign_in) {
      rearm(attempts + 1);
      if (row) {
        (void)store_.record_two_factor_failure(row->id, kLockAfterFailures, caller.now + kLockDuration);
      } else {
        (void)store_.rate_limit_hit(failures_key, std::chrono::duration_cast<milliseconds>(kLockDuration),
                                    std::numeric_limits<std::int64_t>::max(), caller.now);
      }
    }
    failed(wrong_reason);
    return kind == SecondFactorKind::kBackupCode ? ErrorCode::kInvalidBackupCode : ErrorCode::kInvalidCode;
  }

  if (sign_in) {
    if (row) {
      (void)store_.reset_two_factor_failures(row->id);
    } else {
      (void)store_.rate_limit_clear(failures_key);
    }
    // The challenge is answered: it cannot be answered again (its attempts row is gone already).
    auto consumed = store_.consume_verification(pending.identifier);
    if (!consumed.ok() || consumed->value != out.user.id) return ErrorCode::kInvalidTwoFactorCookie;
    if (!totp && request.disable_session) return out;
    out.remember_me = !request.dont_remember;
    auto session = start_session(out.user, out.remember_me, caller);
    if (!session) return session.status();
    out.session = std::move(session).value();
    out.new_session = true;
    out.first_factor = first_factor;
    std::string methods = first_factor;
    methods.append("+").append(method);
    audit("sign-in", &out.user, caller, {{"method", methods}});
    // (Nothing to tie the trust to for a user whose codes by e-mail BetterAuth turned on, with
    // no row of either kind here: such a browser is asked again, rather than trusted for good.)
    const std::string anchor = row ? row->id : otp_anchor(out.user);
    if (request.trust_device && !anchor.empty()) {
      auto trusted = trust_device(out.user, anchor, caller.now);
      if (trusted.ok()) out.trust_device = std::move(trusted).value();
    }
    if (device_is_new(out.user, caller)) notify_sign_in(out.user, caller);  // false without mail or notices
    return out;
  }

  out.session = auth->session;
  out.remember_me = !auth->dont_remember;
  if (totp && !row->verified) {
    // The app works: from now on sign-in asks for its codes.
    if (!store_.mark_two_factor_verified(row->id).ok()) return ErrorCode::kInternalServerError;
    audit("two-factor-enabled", &out.user, caller, {{"method", "totp"}});
    if (!out.user.two_factor_enabled) {
      if (!store_.set_two_factor_enabled(out.user.id, true, caller.now).ok()) return ErrorCode::kInternalServerError;
      out.user.two_factor_enabled = true;
      out.user.updated_at = caller.now;
      auto session = replace_session(*auth, out.user, caller);
      if (!session) return session.status();
      out.session = std::move(session).value();
      out.new_session = true;
    }
  }
  return out;
}

Result<Session> AuthService::disable_two_factor(const Authenticated& auth, const std::string& password,
                                                const std::optional<std::string>& trusted_device,
                                                const Caller& caller) {
  if (!config_.two_factor) return ErrorCode::kNotFound;
  if (Status s = confirm_password(auth, password, caller.now); !s.ok()) return s;
  if (!turn_off_two_factor(auth.user.id, caller.now).ok()) return ErrorCode::kInternalServerError;
  if (trusted_device) {  // this browser's row goes too
    const std::string_view identifier = trust_identifier(*trusted_device);
    if (!identifier.empty()) (void)store_.consume_verification(identifier);
  }
  User user = auth.user;
  user.two_factor_enabled = false;
  user.updated_at = caller.now;
  audit("two-factor-disabled", &user, caller);
  return replace_session(auth, user, caller);
}

void AuthService::report_reused_code(const User& user, const Caller& caller) {
  // ASVS 2.8.5. A code is refused again only in another sign-in (or session) than the one it
  // answered (that one is gone): whoever sent it saw the user's code, and knows the password.
  // (The audit log has it as two-factor-failed, reason "reused".)
  if (mail_ == nullptr || !config_.security_notifications) return;
  mail::Message m;
  m.to = user.email;
  m.kind = "two-factor-code-reused";
  m.subject = "A used code of your " + config_.app_name + " account was tried again";
  m.text = "Hello " + user.name + ",\n\nA code from your authenticator app that had already been used for your " +
           config_.app_name + " account (" + user.email + ") was entered again (" + format_iso8601(caller.now) +
           " UTC, from " + (caller.ip.empty() ? std::string("an unknown address") : caller.ip) +
           "). It was refused.\n\nIf this was not you, someone who knows your password saw that code: change "
           "your password at once, and sign out the sessions you do not know.\n";
  mail_->enqueue(std::move(m));
}

Status AuthService::turn_off_two_factor(const std::string& user_id, TimePoint now) {
  // The twoFactor row goes, and the record of codes by e-mail: with their ids, every trusted
  // browser's mac.
  if (Status s = store_.set_two_factor_enabled(user_id, false, now); !s.ok()) return s;
  auto gone = store_.consume_verification(std::string(kOtpOnPrefix) + user_id);
  if (!gone.ok() && gone.status().code() != ErrorCode::kNotFound) return gone.status();
  return Status::OK();
}

Result<std::vector<std::string>> AuthService::regenerate_backup_codes(const Authenticated& auth,
                                                                      const std::string& password, const Caller& caller) {
  if (!config_.two_factor) return ErrorCode::kNotFound;
  if (!auth.user.two_factor_enabled) return ErrorCode::kTwoFactorNotEnabled;
  if (Status s = confirm_password(auth, password, caller.now); !s.ok()) return s;
  auto row = store_.find_two_factor(auth.user.id);
  if (!row) {
    return row.status().code() == ErrorCode::kNotFound ? ErrorCode::kTwoFactorNotEnabled
                                                       : ErrorCode::kInternalServerError;
  }
  std::vector<std::string> codes = new_backup_codes();
  auto replaced = store_.replace_backup_codes(row->id, row->backup_codes, seal_backup_codes(config_.secret, codes));
  if (!replaced.ok() || !*replaced) return ErrorCode::kInternalServerError;
  audit("backup-codes-regenerated", &auth.user, caller);
  return codes;
}

}  // namespace portcullis::auth
