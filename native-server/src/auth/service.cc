#include "auth/service.h"

#include <sodium.h>

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/json_text.h"
#include "common/strings.h"
#include "common/time.h"
#include "portcullis/email.h"
#include "portcullis/name.h"
#include "portcullis/password_hash.h"
#include "portcullis/password_policy.h"
#include "portcullis/token.h"
#include "portcullis/username.h"

namespace portcullis::auth {
namespace {

// A SignedIn of a user and its session (or none), without a second-factor step.
SignedIn signed_in(User user, std::optional<Session> session, bool remember_me) {
  SignedIn out;
  out.user = std::move(user);
  out.session = std::move(session);
  out.remember_me = remember_me;
  return out;
}

using std::chrono::duration_cast;
using std::chrono::milliseconds;

constexpr std::size_t kResetTokenLength = 24;  // as BetterAuth
constexpr std::chrono::hours kDontRememberLifetime{24};
constexpr std::size_t kMaxTrackedAccounts = 100000;

std::string hex(const unsigned char* data, std::size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 0xF];
  }
  return out;
}

// A new credential (e-mail/password) account of `user`.
store::Account credential_account(const User& user, std::string password_hash, TimePoint now) {
  store::Account a;
  a.id = generate_token();
  a.account_id = user.id;
  a.provider_id = std::string(store::kCredentialProvider);
  a.user_id = user.id;
  a.password = std::move(password_hash);
  a.created_at = now;
  a.updated_at = now;
  return a;
}

}  // namespace

std::string hashed_identifier(std::string_view prefix, std::string_view token) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  return std::string(prefix) + ":" + hex(digest, sizeof digest);
}

AuthService::AuthService(const Config& config, store::Store& store, HashPool& hashes,
                         mail::MailQueue* mail)
    : config_(config), store_(store), hashes_(hashes), mail_(mail) {
  if (config_.jwt) {
    jwt_ = std::make_unique<JwtIssuer>(store_, config_.secret, config_.jwt_expires_in, config_.jwt_rotation_interval);
  }
}

Result<std::string> AuthService::jwks(TimePoint now) {
  if (!jwt_) return ErrorCode::kNotFound;
  return jwt_->key_set(now);
}

Result<std::string> AuthService::session_jwt(const Authenticated& auth, nlohmann::ordered_json claims, TimePoint now) {
  if (!jwt_) return ErrorCode::kNotFound;
  // The base URL as it is now: with port 0 it is known once the server listens.
  return jwt_->sign(std::move(claims), auth.user.id, config_.base_url, now);
}

Status AuthService::hash_on_pool(const std::function<void()>& job) {
  switch (hashes_.run(job)) {
    case HashPool::Outcome::kRan:
      return Status::OK();
    case HashPool::Outcome::kBusy:
      return Status(ErrorCode::kServerBusy);
    case HashPool::Outcome::kClientGone:
      return Status(ErrorCode::kClientClosedRequest);
  }
  return Status(ErrorCode::kInternalServerError);
}

Result<std::string> AuthService::hash_new_password(const std::string& password) {
  Result<std::string> hashed = ErrorCode::kInternalServerError;
  const Status queued = hash_on_pool([&] {
    hashed = config_.password_hash == "scrypt" ? hash_password_betterauth_scrypt(password)
                                               : hash_password_argon2id(password, config_.argon2);
  });
  if (!queued.ok()) return queued;
  return hashed;
}

Status AuthService::check_new(const std::string& password, const std::string& email, const std::string& name,
                              PasswordCheck* verdict, bool allow_weak) const {
  PasswordPolicy policy = config_.password_policy;
  if (allow_weak) policy.min_score = 0;
  PasswordCheck check = check_new_password(password, email, name, policy);
  Status status = check.status;
  if (verdict != nullptr) *verdict = std::move(check);
  if (!status.ok() || breached_ == nullptr) return status;
  const auto seen = breached_->times_seen(password);
  if (!seen) return seen.status();
  if (*seen >= config_.breached_passwords_min_count) return Status(ErrorCode::kPasswordCompromised);
  return Status::OK();
}

void AuthService::audit(std::string_view event, const User* user, const Caller& caller,
                        std::initializer_list<std::pair<std::string_view, std::string_view>> fields) const {
  if (!audit_sink_) return;
  nlohmann::ordered_json line;
  line["time"] = format_iso8601(caller.now);
  line["msg"] = "auth";
  line["event"] = event;
  if (user != nullptr) line["user"] = user->id;
  line["ip"] = caller.ip;
  if (!caller.request_id.empty()) line["id"] = caller.request_id;
  for (const auto& [key, value] : fields) line[std::string(key)] = value;
  audit_sink_(json_text(line));
}

Status AuthService::check_not_banned(const User& user, TimePoint now) {
  auto ban = store_.find_ban(user.id);
  if (!ban) return ban.status();
  if (!ban->has_value()) return Status::OK();
  const auto& expires = ban->value().expires;
  if (!expires || *expires > now) return Status(ErrorCode::kBannedUser);
  // Expired: lifted, as BetterAuth's admin plugin lifts it at the next session.
  return store_.set_ban(user.id, std::nullopt, now);
}

Result<Session> AuthService::start_session(const User& user, bool remember_me, const Caller& caller) {
  return start_session(user,
                       remember_me ? duration_cast<milliseconds>(config_.session_expires_in)
                                   : duration_cast<milliseconds>(kDontRememberLifetime),
                       caller, std::nullopt);
}

Result<Session> AuthService::start_session(const User& user, milliseconds lifetime, const Caller& caller,
                                           std::optional<std::string> impersonated_by) {
  if (Status banned = check_not_banned(user, caller.now); !banned.ok()) {
    return banned.code() == ErrorCode::kBannedUser ? banned : Status(ErrorCode::kFailedToCreateSession);
  }
  Session s;
  s.id = generate_token();
  s.token = generate_token();
  s.user_id = user.id;
  s.created_at = caller.now;
  s.updated_at = caller.now;
  s.expires_at = caller.now + lifetime;
  s.ip_address = caller.ip;
  s.user_agent = caller.user_agent;
  s.impersonated_by = std::move(impersonated_by);
  if (!store_.create_session(s).ok()) return ErrorCode::kFailedToCreateSession;
  return s;
}

// --- sign-up and sign-in ------------------------------------------------------------------------

Result<SignedIn> AuthService::sign_up(const SignUpRequest& request, const Caller& caller,
                                      PasswordCheck* verdict) {
  if (!config_.sign_up_enabled) return ErrorCode::kEmailPasswordSignUpDisabled;
  auto email = validate_email(request.email, config_.email_options);
  if (!email) return email.status();
  auto name = validate_name(request.name, config_.name_policy);
  if (!name) return name.status();
  if (Status s = check_new(request.password, *email, *name, verdict); !s.ok()) return s;

  const TimePoint now = caller.now;
  User user;
  user.id = generate_token();
  user.name = std::move(name).value();
  user.email = std::move(email).value();
  user.image = request.image;
  if (config_.admin) user.role = std::string(kDefaultRole);
  user.created_at = now;
  user.updated_at = now;
  if (config_.username && (request.username || request.display_username)) {
    if (Status s = assign_username(request.username, request.display_username, /*new_user=*/true, user); !s.ok()) {
      return s;
    }
  }

  // With verification required, a taken address answers like a new one (no enumeration): a
  // made-up user and no session, after the same hashing work.
  const bool hide_existing = config_.require_email_verification;
  const auto existing = store_.find_user_by_email(user.email);
  if (existing.ok()) {
    if (!hide_existing) return ErrorCode::kUserAlreadyExistsUseAnotherEmail;
    auto burn = hash_new_password(request.password);
    if (!burn && (burn.status().code() == ErrorCode::kServerBusy ||
                  burn.status().code() == ErrorCode::kClientClosedRequest)) {
      return burn.status();
    }
    return signed_in(user, std::nullopt, request.remember_me);
  }

  auto hash = hash_new_password(request.password);
  if (!hash) return hash.status();
  const Status created = store_.create_user(user, credential_account(user, std::move(hash).value(), now));
  if (created.code() == ErrorCode::kUserAlreadyExists) {
    const ErrorCode taken = taken_code(user);
    if (hide_existing && taken != ErrorCode::kUsernameIsAlreadyTaken) {
      return signed_in(user, std::nullopt, request.remember_me);
    }
    return taken;
  }
  if (!created.ok()) return ErrorCode::kFailedToCreateUser;
  audit("sign-up", &user, caller);
  (void)device_is_new(user, caller);  // the device that signed up is known from now on

  if (mail_ != nullptr && (config_.require_email_verification || config_.send_verification_on_sign_up)) {
    send_verification(user, user.email, "verify-email", request.callback_url, now);
  }
  if (config_.require_email_verification) return signed_in(user, std::nullopt, request.remember_me);
  auto session = start_session(user, request.remember_me, caller);
  if (!session) return session.status();
  SignedIn out = signed_in(user, std::move(session).value(), request.remember_me);
  out.method = "password";
  return out;
}

// With rateLimitStorage "database" the failures are counted in the rateLimit table, under the
// e-mail's SHA-256 (not the address: most keys are typed by whoever is guessing), so that every
// server on the database sees them; else in this process's memory. A storage failure counts as no
// failures (the sign-in goes on), as for the per-IP limits.
bool AuthService::account_throttled(const std::string& email, TimePoint now, bool& any_failures) {
  any_failures = false;
  if (config_.account_max_failures <= 0) return false;
  if (config_.rate_limit_storage == "database") {
    auto counter = store_.rate_limit_get(hashed_identifier("sign-in-failures", email));
    any_failures = counter.ok() && counter->count > 0;
    return any_failures && counter->count >= config_.account_max_failures &&
           now - counter->last_request < config_.account_failure_window;
  }
  std::lock_guard lock(failures_mu_);
  const auto it = failures_.find(email);
  any_failures = it != failures_.end();
  return any_failures && it->second.count >= config_.account_max_failures &&
         now - it->second.last < config_.account_failure_window;
}

void AuthService::record_failure(const std::string& email, TimePoint now) {
  if (config_.account_max_failures <= 0) return;
  if (config_.rate_limit_storage == "database") {
    // A rule that never blocks: the hit only counts (from 1 again once the window has passed).
    (void)store_.rate_limit_hit(hashed_identifier("sign-in-failures", email),
                                std::chrono::duration_cast<std::chrono::milliseconds>(config_.account_failure_window),
                                std::numeric_limits<std::int64_t>::max(), now);
    return;
  }
  std::lock_guard lock(failures_mu_);
  if (failures_.size() >= kMaxTrackedAccounts) {
    std::erase_if(failures_, [&](const auto& kv) { return now - kv.second.last >= config_.account_failure_window; });
    if (failures_.size() >= kMaxTrackedAccounts) failures_.clear();
  }
  Failures& f = failures_[email];
  if (now - f.last >= config_.account_failure_window) f.count = 0;
  f.count += 1;
  f.last = now;
}

void AuthService::clear_failures(const std::string& email) {
  if (config_.rate_limit_storage == "database") {
    if (config_.account_max_failures > 0) (void)store_.rate_limit_clear(hashed_identifier("sign-in-failures", email));
    return;
  }
  std::lock_guard lock(failures_mu_);
  failures_.erase(email);
}

Result<SignedIn> AuthService::sign_in(const SignInRequest& request, const Caller& caller) {
  auto email = validate_email(request.email, config_.email_options);
  if (!email) return email.status().code() == ErrorCode::kInvalidUtf8 ? email.status() : Status(ErrorCode::kInvalidEmail);
  if (Status s = check_password_for_sign_in(request.password, config_.password_policy); !s.ok()) return s;

  return finish_sign_in(store_.find_user_by_email(*email), *email, request, caller);
}

Result<SignedIn> AuthService::sign_in_username(const SignInRequest& request, const Caller& caller) {
  if (!config_.username) return ErrorCode::kNotFound;
  auto username = validate_username(request.username, config_.username_policy);
  if (!username) return username.status();
  if (Status s = check_password_for_sign_in(request.password, config_.password_policy); !s.ok()) return s;
  auto user = store_.find_user_by_username(*username);
  // An account's failures count the same whichever name it is signed in with.
  const std::string key = user.ok() ? user->email : "username:" + *username;
  auto out = finish_sign_in(user, key, request, caller);
  if (!out && out.status().code() == ErrorCode::kInvalidEmailOrPassword) return ErrorCode::kInvalidUsernameOrPassword;
  return out;
}

Result<bool> AuthService::username_available(const std::string& username) {
  if (!config_.username) return ErrorCode::kNotFound;
  auto normalized = validate_username(username, config_.username_policy);
  if (!normalized) return normalized.status();
  auto user = store_.find_user_by_username(*normalized);
  if (user.ok()) return false;
  if (user.status().code() == ErrorCode::kNotFound) return true;
  return ErrorCode::kInternalServerError;
}

Status AuthService::assign_username(const std::optional<std::string>& username,
                                    const std::optional<std::string>& display, bool new_user, User& user) {
  std::optional<std::string> typed = username;
  if (new_user && !typed && display && validate_username(*display, config_.username_policy).ok()) typed = display;
  if (display) {
    NamePolicy policy = config_.name_policy;
    policy.allow_empty = false;
    auto shown = validate_name(*display, policy);
    if (!shown) return shown.status().code() == ErrorCode::kInvalidUtf8 ? shown.status()
                                                                        : Status(ErrorCode::kInvalidDisplayUsername);
    user.display_username = std::move(shown).value();
  }
  if (!typed) return Status::OK();
  auto normalized = validate_username(*typed, config_.username_policy);
  if (!normalized) return normalized.status();
  auto holder = store_.find_user_by_username(*normalized);
  if (holder.ok() && holder->id != user.id) return Status(ErrorCode::kUsernameIsAlreadyTaken);
  if (!holder.ok() && holder.status().code() != ErrorCode::kNotFound) return Status(ErrorCode::kInternalServerError);
  user.username = std::move(normalized).value();
  if (new_user && !display) user.display_username = *typed;
  return Status::OK();
}

Result<SignedIn> AuthService::finish_sign_in(const Result<User>& user, const std::string& throttle_key,
                                             const SignInRequest& request, const Caller& caller) {
  const bool want_scrypt = config_.password_hash == "scrypt";
  std::optional<store::Account> account;
  if (user.ok()) {
    auto found = store_.find_credential_account(user->id);
    if (found.ok() && found->password.has_value()) account = std::move(found).value();
  } else if (user.status().code() != ErrorCode::kNotFound) {
    return ErrorCode::kInternalServerError;
  }

  // One hash's worth of work on every path (an unknown address included), so timing tells nothing.
  auto match = password_matches(throttle_key, account, request.password, caller.now);
  if (!match) return match.status();
  if (!*match) {
    audit("sign-in-failed", user.ok() ? &*user : nullptr, caller, {{"reason", "password"}});
    return ErrorCode::kInvalidEmailOrPassword;
  }
  // Barred by an administrator: said only to whoever knows the password (as BetterAuth does),
  // before any mail or second factor.
  if (Status s = refuse_if_banned(*user, caller); !s.ok()) return s;

  if (config_.require_email_verification && !user->email_verified) {
    audit("sign-in-failed", &*user, caller, {{"reason", "email-not-verified"}});
    if (mail_ != nullptr) send_verification(*user, user->email, "verify-email", request.callback_url, caller.now);
    return ErrorCode::kEmailNotVerified;
  }
  if (config_.breached_passwords_at_sign_in) warn_if_breached(*user, request.password, caller);
  if (password_needs_rehash(*account->password, config_.argon2, want_scrypt)) {
    // Best effort: a busy pool or a failed write leaves the old (still valid) hash in place.
    auto upgraded = hash_new_password(request.password);
    if (upgraded.ok()) {
      (void)store_.upgrade_account_password(account->id, *account->password, *upgraded, caller.now);
    }
  }
  return open_session(*user, request, "password", /*new_account=*/false, caller);
}

Status AuthService::refuse_if_banned(const User& user, const Caller& caller) {
  const Status banned = check_not_banned(user, caller.now);
  if (banned.ok()) return banned;
  if (banned.code() != ErrorCode::kBannedUser) return Status(ErrorCode::kInternalServerError);
  audit("sign-in-failed", &user, caller, {{"reason", "banned"}});
  return banned;
}

Result<SignedIn> AuthService::open_session(const User& user, const SignInRequest& request, std::string_view method,
                                           bool new_account, const Caller& caller, bool second_factor_passed) {
  SignedIn out = signed_in(user, std::nullopt, request.remember_me);
  out.method = method;
  // With the second factor on: a challenge instead of a session (two_factor.cc).
  if (!second_factor_passed) {
    if (Status s = begin_second_factor(user, request, method, caller, out); !s.ok()) return s;
  }
  if (out.two_factor_challenge) {
    audit("two-factor-challenge", &user, caller);
    return out;
  }
  auto session = start_session(user, request.remember_me, caller);
  if (!session) return session.status();
  const bool trusted = out.trust_device && !out.trust_device->empty();
  audit("sign-in", &user, caller, {{"method", trusted ? std::string(method) + "+trusted-browser" : std::string(method)}});
  // A new account's device is only recorded; a known account's new device is told of (neither
  // without mail or notices).
  if (device_is_new(user, caller) && !new_account) notify_sign_in(user, caller);
  out.session = std::move(session).value();
  return out;
}

// A device is the user's browser as its User-Agent names it. Known devices are rows of the
// verification table, under the SHA-256 of the user's id and the User-Agent (the User-Agent is not
// readable from it), with the user's id as the value so that deleting the user deletes them, for
// a year from the first sign-in; a browser update that changes the User-Agent counts as a new
// device.
bool AuthService::device_is_new(const User& user, const Caller& caller) {
  if (mail_ == nullptr || !config_.security_notifications) return false;
  const std::string identifier = hashed_identifier("known-device", user.id + "\n" + caller.user_agent);
  if (store_.find_verification(identifier).ok()) return false;
  (void)store_verification(identifier, user.id, caller.now, std::chrono::hours(24 * 365));
  return true;
}

void AuthService::notify_sign_in(const User& user, const Caller& caller) {
  // The User-Agent as the client sent it, so printable ASCII only (it may hold any bytes).
  std::string agent;
  for (const char c : std::string_view(caller.user_agent).substr(0, 200)) agent += c >= 0x20 && c < 0x7F ? c : '?';
  mail::Message m;
  m.to = user.email;
  m.kind = "new-sign-in";
  m.subject = "A new sign-in to your " + config_.app_name + " account";
  m.text = "Hello " + user.name + ",\n\nYour " + config_.app_name + " account (" + user.email +
           ") was signed in to from a browser or device it had not seen before (" + format_iso8601(caller.now) +
           " UTC, from " + (caller.ip.empty() ? std::string("an unknown address") : caller.ip) + ", \"" + agent +
           "\").\n\nIf this was you, there is nothing to do. If not, change your password at once and sign "
           "out the sessions you do not know.\n";
  mail_->enqueue(std::move(m));
}

// --- sessions -----------------------------------------------------------------------------------

Result<SessionLookup> AuthService::find_session(const std::string& token, bool allow_refresh, TimePoint now) {
  auto found = store_.find_session(token);
  if (!found) {
    if (found.status().code() == ErrorCode::kNotFound) return SessionLookup{};
    return ErrorCode::kFailedToGetSession;
  }
  store::SessionWithUser sw = std::move(found).value();
  if (sw.session.expires_at <= now) {
    (void)store_.delete_session(token);
    return SessionLookup{};
  }
  SessionLookup out;
  const auto expires_in = duration_cast<milliseconds>(config_.session_expires_in);
  const auto update_age = duration_cast<milliseconds>(config_.session_update_age);
  // An impersonation (--admin-impersonation) ends when it was made to, whatever cookies come.
  if (allow_refresh && !sw.session.impersonated_by && sw.session.expires_at - expires_in + update_age <= now) {
    sw.session.expires_at = now + expires_in;
    sw.session.updated_at = now;
    if (store_.touch_session(token, sw.session.expires_at, now).ok()) out.refreshed = true;
  }
  out.auth = Authenticated{std::move(sw.session), std::move(sw.user), !allow_refresh};
  return out;
}

Status AuthService::sign_out(const std::string& token) { return store_.delete_session(token); }

bool AuthService::is_fresh(const Authenticated& auth, TimePoint now) const {
  return config_.session_fresh_age.count() == 0 || auth.session.created_at + config_.session_fresh_age > now;
}

Result<std::vector<Session>> AuthService::list_sessions(const Authenticated& auth, TimePoint now) {
  if (!is_fresh(auth, now)) return ErrorCode::kSessionNotFresh;
  auto all = store_.list_sessions(auth.user.id);
  if (!all) return all.status();
  std::vector<Session> live;
  for (Session& s : all.value()) {
    // An administrator's impersonation is not the user's to see or end (BetterAuth's admin plugin
    // hides it too).
    if (s.expires_at > now && !s.impersonated_by) live.push_back(std::move(s));
  }
  return live;
}

Status AuthService::revoke_session(const Authenticated& auth, const std::string& token) {
  return store_.delete_user_session(auth.user.id, token);
}

Status AuthService::revoke_sessions(const Authenticated& auth, bool keep_current) {
  auto n = store_.delete_sessions(auth.user.id, keep_current ? auth.session.token : "");
  return n.status();
}

// --- account changes ----------------------------------------------------------------------------

Result<std::vector<store::Account>> AuthService::list_accounts(const Authenticated& auth) {
  return store_.list_accounts(auth.user.id);
}

Status AuthService::unlink_account(const Authenticated& auth, const std::string& account_id, TimePoint now) {
  if (!is_fresh(auth, now)) return Status(ErrorCode::kSessionNotFresh);
  return store_.unlink_account(auth.user.id, account_id);
}

Status AuthService::confirm_password(const Authenticated& auth, const std::string& password, TimePoint now) {
  if (Status s = check_password_for_sign_in(password, config_.password_policy); !s.ok()) return s;
  auto found = store_.find_credential_account(auth.user.id);
  if (!found.ok() && found.status().code() != ErrorCode::kNotFound) return Status(ErrorCode::kInternalServerError);
  std::optional<store::Account> account;
  if (found.ok()) account = std::move(found).value();
  auto match = password_matches(auth.user.email, account, password, now);
  if (!match) return match.status();
  return *match ? Status::OK() : Status(ErrorCode::kInvalidPassword);
}

Result<bool> AuthService::password_matches(const std::string& email, const std::optional<store::Account>& account,
                                           const std::string& password, TimePoint now) {
  bool any_failures = false;
  const bool throttled = account_throttled(email, now, any_failures);
  bool match = false;
  const Status ran = hash_on_pool([&] {
    if (!account || !account->password || throttled) {
      verify_password_dummy(password, config_.argon2, config_.password_hash == "scrypt");
      return;
    }
    const auto verified = verify_password(password, *account->password);
    match = verified.ok() && verified.value();
  });
  if (!ran.ok()) return ran;
  if (!match) {
    record_failure(email, now);
  } else if (any_failures) {
    clear_failures(email);
  }
  return match;
}

Result<User> AuthService::update_user(const Authenticated& auth, const UserUpdate& update, TimePoint now) {
  if (!update.name && !update.image && !update.username && !update.display_username) {
    return ErrorCode::kNoFieldsToUpdate;
  }
  User user = auth.user;
  if (update.name) {
    auto name = validate_name(*update.name, config_.name_policy);
    if (!name) return name.status();
    user.name = std::move(name).value();
  }
  if (update.image) user.image = *update.image;
  if (config_.username && (update.username || update.display_username)) {
    if (Status s = assign_username(update.username, update.display_username, /*new_user=*/false, user); !s.ok()) {
      return s;
    }
  }
  user.updated_at = now;
  const Status written = store_.update_user(user);
  // A username taken between the check and the write.
  if (written.code() == ErrorCode::kUserAlreadyExists && update.username) return ErrorCode::kUsernameIsAlreadyTaken;
  if (!written.ok()) return ErrorCode::kFailedToUpdateUser;
  return user;
}

Result<std::optional<Session>> AuthService::change_password(const Authenticated& auth,
                                                            const ChangePasswordRequest& request,
                                                            const Caller& caller, PasswordCheck* verdict) {
  if (Status s = check_new(request.new_password, auth.user.email, auth.user.name, verdict); !s.ok()) return s;
  if (Status s = check_password_for_sign_in(request.current_password, config_.password_policy); !s.ok()) {
    return s;
  }
  auto account = store_.find_credential_account(auth.user.id);
  if (!account || !account->password) return ErrorCode::kCredentialAccountNotFound;
  auto match = password_matches(auth.user.email, *account, request.current_password, caller.now);
  if (!match) return match.status();
  if (!*match) return ErrorCode::kInvalidPassword;
  auto hash = hash_new_password(request.new_password);
  if (!hash) return hash.status();
  if (!store_.set_account_password(account->id, *hash, caller.now).ok()) return ErrorCode::kInternalServerError;
  notify_change(auth.user, "password-changed", auth.user.email, caller.now);
  audit("password-changed", &auth.user, caller);
  if (!request.revoke_other_sessions) return std::optional<Session>();
  (void)store_.delete_sessions(auth.user.id, "");
  auto session = start_session(auth.user, !auth.dont_remember, caller);
  if (!session) return session.status();
  return std::optional<Session>(std::move(session).value());
}

Status AuthService::change_email(const Authenticated& auth, const std::string& new_email,
                                 const std::optional<std::string>& callback_url, TimePoint now) {
  if (!config_.change_email_enabled) return Status(ErrorCode::kChangeEmailDisabled);
  auto email = validate_email(new_email, config_.email_options);
  if (!email) return email.status();
  if (*email == auth.user.email) return Status(ErrorCode::kEmailIsTheSame);
  const bool immediate = !auth.user.email_verified && config_.update_email_without_verification;
  if (!immediate && mail_ == nullptr) return Status(ErrorCode::kVerificationEmailNotEnabled);
  // An address in use: the same answer, and no mail (no enumeration).
  if (store_.find_user_by_email(*email).ok()) return Status::OK();
  if (immediate) {
    User user = auth.user;
    user.email = *email;
    user.updated_at = now;
    const Status updated = store_.update_user(user);
    if (updated.code() == ErrorCode::kUserAlreadyExists) return Status::OK();
    if (!updated.ok()) return updated;
    notify_change(user, "email-changed", auth.user.email, now);
    if (mail_ != nullptr) send_verification(user, user.email, "verify-email", callback_url, now);
    return Status::OK();
  }
  const bool confirm_first = auth.user.email_verified && config_.change_email_confirmation;
  send_verification(auth.user, *email, confirm_first ? "change-email-confirmation" : "change-email", callback_url,
                    now);
  return Status::OK();
}

Result<DeleteOutcome> AuthService::delete_user(const Authenticated& auth, const DeleteUserRequest& request,
                                               const Caller& caller) {
  if (!config_.delete_user_enabled) return ErrorCode::kNotFound;
  const TimePoint now = caller.now;
  if (request.password) {
    if (Status s = confirm_password(auth, *request.password, now); !s.ok()) return s;
  }
  if (request.token) {
    if (Status s = delete_user_with_token(auth, *request.token, caller); !s.ok()) return s;
    return DeleteOutcome::kDeleted;
  }
  if (config_.delete_user_verification && mail_ != nullptr) {
    if (Status s = send_deletion_link(auth.user, request.callback_url, now); !s.ok()) return s;
    return DeleteOutcome::kVerificationSent;
  }
  if (!request.password && !is_fresh(auth, now)) return ErrorCode::kSessionExpired;
  if (Status s = store_.delete_user(auth.user.id); !s.ok()) return s;
  audit("user-deleted", &auth.user, caller);
  return DeleteOutcome::kDeleted;
}

Status AuthService::delete_user_with_token(const Authenticated& auth, const std::string& token,
                                           const Caller& caller) {
  if (!config_.delete_user_enabled) return Status(ErrorCode::kNotFound);
  const TimePoint now = caller.now;
  // Consumed only if it is this user's: someone else's session cannot spend the link.
  const std::string identifier = hashed_identifier("delete-account", token);
  auto found = store_.find_verification(identifier);
  if (!found.ok() || found->value != auth.user.id || found->expires_at <= now) {
    return Status(ErrorCode::kInvalidToken);
  }
  if (!store_.consume_verification(identifier).ok()) return Status(ErrorCode::kInvalidToken);
  if (Status s = store_.delete_user(auth.user.id); !s.ok()) return s;
  audit("user-deleted", &auth.user, caller, {{"by", "mailed-link"}});
  return Status::OK();
}

void AuthService::warn_if_breached(const User& user, const std::string& password, const Caller& caller) {
  if (breached_ == nullptr) return;
  const auto seen = breached_->times_seen(password);
  if (!seen || *seen < config_.breached_passwords_min_count) return;  // unknown, or the list did not answer
  audit("breached-password-in-use", &user, caller);
  if (mail_ == nullptr) return;
  // Once in 30 days: a row under the SHA-256 of the user's id (the value, so that deleting the
  // user deletes it).
  const std::string notice = hashed_identifier("breached-password-notice", user.id);
  if (auto sent = store_.find_verification(notice); sent.ok()) {
    if (sent->expires_at > caller.now) return;
    (void)store_.consume_verification(notice);  // expired: gone, and a new notice is due
  }
  if (!store_verification(notice, user.id, caller.now, std::chrono::hours(24 * 30)).ok()) return;
  mail::Message m;
  m.to = user.email;
  m.kind = "password-breached";
  m.subject = "Your " + config_.app_name + " password is known from a data breach";
  m.text = "Hello " + user.name + ",\n\nThe password you signed in to your " + config_.app_name + " account (" +
           user.email + ") with on " + format_iso8601(caller.now) +
           " UTC is in a list of passwords that data breaches made public (not necessarily a breach of " +
           config_.app_name + "). Anyone can try the passwords in that list.\n\nChange it now, on your "
           "account page, to one you use nowhere else. If you use it on other sites, change it there too.\n";
  mail_->enqueue(std::move(m));
}

void AuthService::notify_change(const User& user, const std::string& kind, const std::string& to, TimePoint now) {
  if (mail_ == nullptr || !config_.security_notifications) return;
  mail::Message m;
  m.to = to;
  m.kind = kind;
  const std::string when = format_iso8601(now);
  if (kind == "passkey-added") {
    m.subject = "A passkey was added to your " + config_.app_name + " account";
    m.text = "Hello " + user.name + ",\n\nA passkey was added to your " + config_.app_name + " account (" +
             user.email + ") (" + when +
             " UTC). It signs in without a password.\n\nIf you did not do this, someone else has access to your "
             "account: delete the passkey on your account page, change your password and sign out the "
             "sessions you do not know.\n";
  } else if (kind == "email-changed") {
    m.subject = "The e-mail address of your " + config_.app_name + " account was changed";
    m.text = "Hello " + user.name + ",\n\nThe e-mail address of your " + config_.app_name +
             " account was changed from " + to + " to " + user.email + " (" + when +
             " UTC). This address no longer signs in.\n\nIf you did not do this, someone else may have "
             "access to your account: contact the site's administrators.\n";
  } else {
    m.subject = "Your " + config_.app_name + " password was changed";
    m.text = "Hello " + user.name + ",\n\nThe password of your " + config_.app_name + " account (" +
             user.email + ") was changed (" + when +
             " UTC).\n\nIf you did this, there is nothing more to do. If you did not, reset your password at "
             "once (\"Forgot password\" on the sign-in page) and contact the site's administrators.\n";
  }
  mail_->enqueue(std::move(m));
}

Status AuthService::send_deletion_link(const User& user, const std::optional<std::string>& callback_url,
                                       TimePoint now) {
  const std::string token = generate_token();
  if (!store_verification(hashed_identifier("delete-account", token), user.id, now, config_.delete_token_expires_in)
           .ok()) {
    return Status(ErrorCode::kInternalServerError);
  }
  const std::string link = config_.api_url + "/delete-user/callback?token=" + token +
                           "&callbackURL=" + percent_encode_component(callback_url.value_or("/"));
  mail::Message m;
  m.to = user.email;
  m.kind = "delete-account";
  m.link = link;
  m.subject = "Confirm deleting your " + config_.app_name + " account";
  m.text = "Hello " + user.name + ",\n\nSomeone signed in to your " + config_.app_name +
           " account asked to delete it. To delete the account and everything in it, open this link "
           "in the browser where you are signed in:\n\n" +
           link + "\n\nThe link works once. If you did not ask for this, ignore this message and change "
           "your password: your account stays as it is.\n";
  mail_->enqueue(std::move(m));
  return Status::OK();
}

// --- e-mailed tokens ----------------------------------------------------------------------------

Status AuthService::store_verification(std::string identifier, std::string value, TimePoint now,
                                       milliseconds ttl) {
  store::Verification v;
  v.id = generate_token();
  v.identifier = std::move(identifier);
  v.value = std::move(value);
  v.created_at = now;
  v.updated_at = now;
  v.expires_at = now + ttl;
  return store_.create_verification(v);
}

// A row under the SHA-256 of `what` and the address, taken out and put back one higher.
Status AuthService::spend_mail_budget(const std::string& what, const std::string& email, TimePoint now) {
  constexpr int kMailsPerWindow = 5;
  constexpr std::chrono::minutes kMailsWindow{15};
  const std::string budget_id = hashed_identifier("mail-budget", what + ":" + email);
  int mailed = 0;
  TimePoint window_ends = now + kMailsWindow;
  if (auto counted = store_.consume_verification(budget_id); counted.ok() && counted->expires_at > now) {
    std::uint64_t n = 0;
    mailed = parse_decimal(counted->value, 3, n) ? static_cast<int>(n) : kMailsPerWindow;
    window_ends = counted->expires_at;
  }
  const auto ttl = duration_cast<milliseconds>(window_ends - now);
  if (mailed >= kMailsPerWindow) {
    (void)store_verification(budget_id, std::to_string(mailed), now, ttl);
    return Status(ErrorCode::kTooManyRequests);
  }
  if (!store_verification(budget_id, std::to_string(mailed + 1), now, ttl).ok()) {
    return Status(ErrorCode::kInternalServerError);
  }
  return Status::OK();
}

void AuthService::send_verification(const User& user, const std::string& email, const std::string& kind,
                                    const std::optional<std::string>& callback_url, TimePoint now) {
  const bool change = kind != "verify-email";
  if (!change && config_.email_otp_verification) return send_verification_code(user, now);
  const std::string token = generate_token();
  nlohmann::json payload{{"userId", user.id}, {"email", email}, {"kind", kind}};
  if (change) payload["from"] = user.email;
  if (!store_verification(hashed_identifier("verify-email", token), payload.dump(), now,
                          config_.verification_token_expires_in)
           .ok()) {
    return;
  }
  const std::string link = config_.api_url + "/verify-email?token=" + token +
                           "&callbackURL=" + percent_encode_component(callback_url.value_or("/"));
  mail::Message m;
  m.to = kind == "change-email-confirmation" ? user.email : email;
  m.kind = kind;
  m.link = link;
  if (kind == "change-email-confirmation") {
    m.subject = "Confirm the change of your e-mail address for " + config_.app_name;
    m.text = "Hello " + user.name + ",\n\nSomeone signed in to your " + config_.app_name +
             " account asked to change its e-mail address from " + user.email + " to " + email +
             ". To confirm, open this link:\n\n" + link +
             "\n\nA link to the new address follows, to verify it. This link works once and expires in "
             "an hour. If you did not ask for this, ignore this message and change your password: your "
             "address stays as it is.\n";
  } else if (kind == "change-email") {
    m.subject = "Confirm your new e-mail address for " + config_.app_name;
    m.text = "Hello " + user.name + ",\n\nTo use this address for your " + config_.app_name +
             " account, open this link:\n\n" + link +
             "\n\nThe link works once and expires in an hour. If you did not ask for this, ignore "
             "this message.\n";
  } else {
    m.subject = "Verify your e-mail address for " + config_.app_name;
    m.text = "Hello " + user.name + ",\n\nTo verify your e-mail address for " + config_.app_name +
             ", open this link:\n\n" + link +
             "\n\nThe link works once and expires in an hour. If you did not sign up, ignore this "
             "message.\n";
  }
  mail_->enqueue(std::move(m));
}

Status AuthService::request_password_reset(const std::string& email, const std::optional<std::string>& redirect_to,
                                           TimePoint now) {
  if (mail_ == nullptr) return Status(ErrorCode::kResetPasswordDisabled);
  auto normalized = validate_email(email, config_.email_options);
  if (!normalized) return normalized.status();
  auto user = store_.find_user_by_email(*normalized);
  if (!user) return Status::OK();
  const std::string token = generate_token(kResetTokenLength);
  if (!store_verification(hashed_identifier("reset-password", token), user->id, now, config_.reset_token_expires_in)
           .ok()) {
    return Status::OK();
  }
  const std::string link = config_.api_url + "/reset-password/" + token +
                           "?callbackURL=" + percent_encode_component(redirect_to.value_or("/"));
  mail::Message m;
  m.to = user->email;
  m.kind = "reset-password";
  m.link = link;
  m.subject = "Reset your " + config_.app_name + " password";
  m.text = "Hello " + user->name + ",\n\nTo choose a new password for " + config_.app_name +
           ", open this link:\n\n" + link +
           "\n\nThe link works once and expires in an hour. If you did not ask for it, ignore this "
           "message: your password stays as it is.\n";
  mail_->enqueue(std::move(m));
  return Status::OK();
}

bool AuthService::reset_token_is_valid(const std::string& token, TimePoint now) {
  auto v = store_.find_verification(hashed_identifier("reset-password", token));
  return v.ok() && v->expires_at > now;
}

Status AuthService::reset_password(const std::string& token, const std::string& new_password, const Caller& caller,
                                   PasswordCheck* verdict) {
  if (token.empty()) return Status(ErrorCode::kInvalidToken);
  const TimePoint now = caller.now;
  if (Status s = check_password(new_password, config_.password_policy); !s.ok()) return s;
  // The strength rule needs the user, whom the token names: it is read first, without using the
  // token up, so that a refused password leaves the link working.
  const std::string identifier = hashed_identifier("reset-password", token);
  std::optional<User> checked_user;
  if (auto pending = store_.find_verification(identifier); pending.ok() && pending->expires_at > now) {
    if (auto found = store_.find_user_by_id(pending->value); found.ok()) {
      if (Status s = check_new(new_password, found->email, found->name, verdict); !s.ok()) return s;
      checked_user = std::move(found).value();
    }
  }
  auto v = store_.consume_verification(identifier);
  if (!v || v->expires_at <= now) return Status(ErrorCode::kInvalidToken);
  Result<User> user = checked_user ? Result<User>(*checked_user) : store_.find_user_by_id(v->value);
  if (!user) return Status(ErrorCode::kUserNotFound);
  if (!checked_user) {
    // Only when the first read failed and this one did not: the rule still applies.
    if (Status s = check_new(new_password, user->email, user->name, verdict); !s.ok()) return s;
  }
  auto hash = hash_new_password(new_password);
  if (!hash) return hash.status();
  if (!write_password(*user, *hash, now).ok()) return Status(ErrorCode::kInternalServerError);
  if (config_.revoke_sessions_on_password_reset) (void)store_.delete_sessions(user->id, "");
  notify_change(*user, "password-changed", user->email, now);
  audit("password-reset", &*user, caller);
  return Status::OK();
}

Status AuthService::write_password(const User& user, const std::string& hash, TimePoint now) {
  auto account = store_.find_credential_account(user.id);
  if (account.ok()) return store_.set_account_password(account->id, hash, now);
  return store_.create_account(credential_account(user, hash, now));
}

Result<User> AuthService::insert_user(const NewUser& request, TimePoint now, bool allow_weak,
                                      PasswordCheck* verdict) {
  auto normalized = validate_email(request.email, config_.email_options);
  if (!normalized) return normalized.status();
  auto valid_name = validate_name(request.name, config_.name_policy);
  if (!valid_name) return valid_name.status();
  if (Status s = check_new(request.password, *normalized, *valid_name, verdict, allow_weak); !s.ok()) return s;
  User user;
  user.id = generate_token();
  user.name = std::move(valid_name).value();
  user.email = std::move(normalized).value();
  user.email_verified = request.email_verified;
  user.image = request.image;
  if (!request.roles.empty()) {
    user.role = join_roles(request.roles);
  } else if (config_.admin) {
    user.role = std::string(kDefaultRole);  // as BetterAuth's admin plugin writes it on every new user
  }
  user.created_at = now;
  user.updated_at = now;
  if (request.username || request.display_username) {
    if (Status s = assign_username(request.username, request.display_username, /*new_user=*/true, user); !s.ok()) {
      return s;
    }
  }
  auto hash = hash_new_password(request.password);
  if (!hash) return hash.status();
  const Status created = store_.create_user(user, credential_account(user, std::move(hash).value(), now));
  if (created.code() == ErrorCode::kUserAlreadyExists) return taken_code(user);
  if (!created.ok()) return created;
  return user;
}

ErrorCode AuthService::taken_code(const User& user) {
  if (user.username) {
    auto holder = store_.find_user_by_username(*user.username);
    if (holder.ok() && holder->id != user.id) return ErrorCode::kUsernameIsAlreadyTaken;
  }
  return ErrorCode::kUserAlreadyExistsUseAnotherEmail;
}

Result<User> AuthService::create_user(const NewUser& request, TimePoint now, bool allow_weak, PasswordCheck* verdict) {
  return insert_user(request, now, allow_weak, verdict);
}

Status AuthService::set_password(const std::string& user_id, const std::string& password, TimePoint now,
                                 bool allow_weak, PasswordCheck* verdict) {
  if (Status s = check_password(password, config_.password_policy); !s.ok()) return s;
  auto user = store_.find_user_by_id(user_id);
  if (!user) return Status(ErrorCode::kUserNotFound);
  if (Status s = check_new(password, user->email, user->name, verdict, allow_weak); !s.ok()) return s;
  auto hash = hash_new_password(password);
  if (!hash) return hash.status();
  if (Status s = write_password(*user, *hash, now); !s.ok()) return s;
  notify_change(*user, "password-changed", user->email, now);
  return store_.delete_sessions(user_id, "").status();
}

Status AuthService::send_verification_email(const std::optional<Authenticated>& auth, const std::string& email,
                                            const std::optional<std::string>& callback_url, TimePoint now) {
  if (mail_ == nullptr) return Status(ErrorCode::kVerificationEmailNotEnabled);
  auto normalized = validate_email(email, config_.email_options);
  if (!normalized) return normalized.status();
  if (auth) {
    if (auth->user.email != *normalized) return Status(ErrorCode::kEmailMismatch);
    if (auth->user.email_verified) return Status(ErrorCode::kEmailAlreadyVerified);
    send_verification(auth->user, auth->user.email, "verify-email", callback_url, now);
    return Status::OK();
  }
  // Without a session the answer is always the same, and never faster than 500 ms, so it says
  // nothing about whether the address has an account.
  const auto floor = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
  auto user = store_.find_user_by_email(*normalized);
  if (user.ok() && !user->email_verified) {
    send_verification(*user, user->email, "verify-email", callback_url, now);
  }
  std::this_thread::sleep_until(floor);
  return Status::OK();
}

Result<VerifiedEmail> AuthService::verify_email(const std::string& token, const Caller& caller,
                                                const std::optional<std::string>& callback_url) {
  if (token.empty()) return ErrorCode::kInvalidToken;
  auto v = store_.consume_verification(hashed_identifier("verify-email", token));
  if (!v) return ErrorCode::kInvalidToken;
  if (v->expires_at <= caller.now) return ErrorCode::kTokenExpired;
  const auto payload = nlohmann::json::parse(v->value, nullptr, false);
  if (!payload.is_object() || !payload.contains("userId") || !payload["userId"].is_string() ||
      !payload.contains("email") || !payload["email"].is_string()) {
    return ErrorCode::kInvalidToken;
  }
  auto user = store_.find_user_by_id(payload["userId"].get<std::string>());
  if (!user) return ErrorCode::kUserNotFound;
  const std::string email = payload["email"].get<std::string>();
  const auto text_field = [&](const char* key) {
    const auto it = payload.find(key);
    return it != payload.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  const std::string kind = text_field("kind");
  VerifiedEmail out;
  if (kind == "change-email" || kind == "change-email-confirmation") {
    // Links made before "from" was recorded have none.
    const std::string from = text_field("from");
    if (!from.empty() && user->email != from) return ErrorCode::kInvalidToken;  // changed since
  }
  if (kind == "change-email-confirmation") {
    send_verification(*user, email, "change-email", callback_url, caller.now);
    out.confirmation_sent = true;
    out.user = std::move(user).value();
    return out;
  }
  if (kind == "change-email") {
    const std::string old_email = user->email;
    user->email = email;
    user->email_verified = true;
    user->updated_at = caller.now;
    const Status updated = store_.update_user(*user);
    if (!updated.ok()) return updated.code() == ErrorCode::kUserAlreadyExists ? updated : Status(ErrorCode::kInternalServerError);
    notify_change(*user, "email-changed", old_email, caller.now);
    audit("email-changed", &*user, caller);
    out.email_changed = true;
  } else {
    if (user->email != email) return ErrorCode::kInvalidUser;
    if (user->email_verified) {
      out.already_verified = true;
      out.user = std::move(user).value();
      return out;
    }
    user->email_verified = true;
    user->updated_at = caller.now;
    if (!store_.update_user(*user).ok()) return ErrorCode::kInternalServerError;
  }
  out.session = session_after_verification(*user, "verification-link", caller);
  out.user = std::move(user).value();
  return out;
}

std::optional<Session> AuthService::session_after_verification(const User& user, std::string_view method,
                                                               const Caller& caller) {
  // A mailed link or code is one factor: a user who turned the second factor on signs in with it,
  // not with the mail (BetterAuth's autoSignInAfterVerification would sign them in).
  if (!config_.auto_sign_in_after_verification || (config_.two_factor && user.two_factor_enabled)) return std::nullopt;
  auto session = start_session(user, true, caller);
  if (!session) return std::nullopt;
  audit("sign-in", &user, caller, {{"method", method}});
  return std::move(session).value();
}

}  // namespace portcullis::auth
