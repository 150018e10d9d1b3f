// Portcullis server: passkeys (--passkey), as BetterAuth's passkey plugin (@better-auth/passkey
// 1.7) registers and signs in with them. The WebAuthn checks are in auth/webauthn.cc.
//
// A ceremony (adding a passkey, signing in with one) is two requests: the options, whose
// challenge is stored in a verification row named by a random token that the signed challenge
// cookie carries (the plugin's place: identifier = the token, value = {"type",
// "expectedChallenge","userData":{"id",...}}, for 5 minutes), then the browser's response, which
// takes the row out (a challenge answers once). Passkeys are rows of the plugin's "passkey"
// table, so a BetterAuth server sharing the database signs in with Portcullis's and the other
// way round.
// Beyond BetterAuth:
//   - a passkey sign-in is refused to banned users and, when verification is required, to
//     unverified addresses, as a password sign-in is;
//   - with the second factor on, an assertion whose authenticator did not verify the user (no
//     fingerprint, face or PIN: possession alone) still asks for it; one that did counts as both;
//   - a credential id registered to anyone cannot be registered again (WebAuthn §7.1 step 22);
//   - at most kMaxPasskeys per user; adding one is audited and, with notices, mailed to the user;
//   - the client data's crossOrigin must not be true (a passkey prompt framed by another site).

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <optional>

#include "auth/service.h"
#include "auth/webauthn.h"
#include "common/json_text.h"
#include "portcullis/name.h"
#include "portcullis/token.h"

namespace portcullis::auth {
namespace {

constexpr std::chrono::minutes kChallengeLifetime{5};
constexpr std::size_t kMaxPasskeys = 25;

// The relying party id: the configured one, else the host name of the public origin.
std::string rp_id_of(const Config& config) {
  if (!config.passkey_rp_id.empty()) return config.passkey_rp_id;
  std::string host = config.origin.substr(config.origin.find("://") + 3);
  if (!host.empty() && host.front() == '[') return host.substr(0, host.find(']') + 1);  // an IPv6 literal
  return host.substr(0, host.find(':'));
}

// The signature counter is 32 unsigned bits (WebAuthn §6.1); the passkey table's column is
// BetterAuth's integer, which PostgreSQL keeps in 32 signed bits. So a counter is written as the
// signed integer with the same 32 bits (above 2^31 - 1: negative), and a column value is read
// back from either form (a BetterAuth server on SQLite may have written one above 2^31 - 1).
// Returns nullopt for a value no 32-bit counter gives.
std::int64_t counter_column(std::uint32_t counter) { return static_cast<std::int32_t>(counter); }
std::optional<std::uint32_t> counter_of_column(std::int64_t column) {
  if (column < INT32_MIN || column > UINT32_MAX) return std::nullopt;
  return static_cast<std::uint32_t>(column);
}

// Logs a refused response's reason (never key material, the challenge or the user's address).
void log_refusal(std::string_view ceremony, const Status& why, const Caller& caller) {
  report_to_stderr({{"msg", "passkey response refused"},
                    {"ceremony", ceremony},
                    {"reason", why.message()},
                    {"id", caller.request_id}});
}

}  // namespace

Result<std::string> AuthService::store_passkey_challenge(const nlohmann::json& record, TimePoint now) {
  const std::string token = generate_token();
  if (!store_verification(token, record.dump(), now, kChallengeLifetime).ok()) {
    return ErrorCode::kInternalServerError;
  }
  return token;
}

Result<nlohmann::json> AuthService::take_passkey_challenge(const std::optional<std::string>& token,
                                                           std::string_view type, TimePoint now) {
  const auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  if (!token || token->size() != kTokenLength || !std::all_of(token->begin(), token->end(), alnum)) {
    return ErrorCode::kChallengeNotFound;
  }
  auto row = store_.consume_verification(*token);
  if (!row) {
    return row.status().code() == ErrorCode::kNotFound ? ErrorCode::kChallengeNotFound
                                                       : ErrorCode::kInternalServerError;
  }
  if (row->expires_at <= now) return ErrorCode::kChallengeNotFound;
  auto record = nlohmann::json::parse(row->value, nullptr, /*allow_exceptions=*/false);
  if (!record.is_object() || record.value("type", nlohmann::json()) != type ||
      !record.contains("expectedChallenge") || !record["expectedChallenge"].is_string()) {
    return ErrorCode::kChallengeNotFound;
  }
  return record;
}

Result<PasskeyRegistrationOptions> AuthService::passkey_registration_options(const Authenticated& auth,
                                                                             const std::optional<std::string>& name,
                                                                             const Caller& caller) {
  if (!config_.passkey) return ErrorCode::kNotFound;
  if (!is_fresh(auth, caller.now)) return ErrorCode::kSessionNotFresh;
  auto existing = store_.list_passkeys(auth.user.id);
  if (!existing) return ErrorCode::kInternalServerError;
  // Said before the browser asks the user for a fingerprint, not only after (add_passkey()).
  if (existing->size() >= kMaxPasskeys) return ErrorCode::kTooManyPasskeys;

  PasskeyRegistrationOptions out;
  out.challenge = webauthn::new_challenge();
  out.rp_id = rp_id_of(config_);
  out.rp_name = config_.passkey_rp_name.empty() ? config_.app_name : config_.passkey_rp_name;
  // BetterAuth's: a fresh random user handle per ceremony (32 of a-z0-9), never the user's id.
  std::string handle = generate_token();
  std::transform(handle.begin(), handle.end(), handle.begin(),
                 [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  out.user_handle = base64url_encode(handle);
  // The label the authenticator keeps with the passkey: the name asked for, if it is a valid one.
  const auto label = name ? validate_name(*name, config_.name_policy) : Result<std::string>(ErrorCode::kInvalidName);
  out.user_name = label.ok() ? *label : auth.user.email;
  out.user_display_name = auth.user.email;
  out.existing = std::move(existing).value();
  const nlohmann::json record{
      {"type", "registration"},
      {"expectedChallenge", out.challenge},
      {"userData", {{"id", auth.user.id}, {"name", auth.user.email}, {"displayName", auth.user.email}}},
      {"context", nullptr}};
  auto token = store_passkey_challenge(record, caller.now);
  if (!token) return token.status();
  out.token = std::move(token).value();
  return out;
}

Result<PasskeyAdded> AuthService::add_passkey(const Authenticated& auth, const PasskeyRegistration& request,
                                              const Caller& caller) {
  if (!config_.passkey) return ErrorCode::kNotFound;
  if (!is_fresh(auth, caller.now)) return ErrorCode::kSessionNotFresh;
  std::optional<std::string> name;
  if (request.name && !request.name->empty()) {
    auto valid = validate_name(*request.name, config_.name_policy);  // a user name's rules
    if (!valid) return valid.status();
    name = std::move(valid).value();
  }
  auto record = take_passkey_challenge(request.token, "registration", caller.now);
  if (!record) return record.status();
  const auto& user_data = (*record)["userData"];
  if (!user_data.is_object() || user_data.value("id", nlohmann::json()) != auth.user.id) {
    return ErrorCode::kNotAllowedToRegisterPasskey;
  }
  const webauthn::Expectation expected{(*record)["expectedChallenge"].get<std::string>(), request.origin,
                                       rp_id_of(config_)};
  auto credential = webauthn::verify_registration(request.response, expected);
  if (!credential) {
    log_refusal("registration", credential.status(), caller);
    return ErrorCode::kFailedToVerifyRegistration;
  }

  store::Passkey passkey;
  passkey.id = generate_token();
  passkey.name = name;
  passkey.public_key = base64_encode(credential->public_key);
  passkey.user_id = auth.user.id;
  passkey.credential_id = credential->id;
  passkey.counter = counter_column(credential->counter);
  passkey.device_type = credential->backup_eligible ? "multiDevice" : "singleDevice";
  passkey.backed_up = credential->backed_up;
  std::string transports;
  for (const std::string& t : credential->transports) transports += (transports.empty() ? "" : ",") + t;
  passkey.transports = transports;
  passkey.created_at = caller.now;
  passkey.aaguid = credential->aaguid;
  auto created = store_.create_passkey(passkey, kMaxPasskeys);
  if (!created) {
    if (created.status().code() == ErrorCode::kUserAlreadyExists) {
      log_refusal("registration", Status(ErrorCode::kFailedToVerifyRegistration, "the credential id is registered already"),
                  caller);
      return ErrorCode::kFailedToVerifyRegistration;
    }
    return ErrorCode::kInternalServerError;
  }
  if (!*created) return ErrorCode::kTooManyPasskeys;
  audit("passkey-added", &auth.user, caller, {{"passkey", passkey.id}});
  notify_change(auth.user, "passkey-added", auth.user.email, caller.now);

  PasskeyAdded out;
  out.passkey = std::move(passkey);
  if (request.create_session) {
    auto session = start_session(auth.user, /*remember_me=*/true, caller);
    if (!session) return session.status();
    out.session = std::move(session).value();
  }
  return out;
}

Result<PasskeyAuthenticationOptions> AuthService::passkey_authentication_options(const Authenticated* auth,
                                                                                 const Caller& caller) {
  if (!config_.passkey) return ErrorCode::kNotFound;
  PasskeyAuthenticationOptions out;
  if (auth != nullptr) {
    auto allowed = store_.list_passkeys(auth->user.id);
    if (!allowed) return ErrorCode::kInternalServerError;
    out.allowed = std::move(allowed).value();
  }
  out.challenge = webauthn::new_challenge();
  out.rp_id = rp_id_of(config_);
  const nlohmann::json record{{"type", "authentication"},
                              {"expectedChallenge", out.challenge},
                              {"userData", {{"id", auth != nullptr ? auth->user.id : std::string()}}}};
  auto token = store_passkey_challenge(record, caller.now);
  if (!token) return token.status();
  out.token = std::move(token).value();
  return out;
}

Result<SignedIn> AuthService::sign_in_passkey(const PasskeySignIn& request, const Caller& caller) {
  if (!config_.passkey) return ErrorCode::kNotFound;
  auto record = take_passkey_challenge(request.token, "authentication", caller.now);
  if (!record) return record.status();
  auto credential_id = webauthn::assertion_credential_id(request.response);
  if (!credential_id) {
    log_refusal("authentication", credential_id.status(), caller);
    return ErrorCode::kAuthenticationFailed;
  }
  auto passkey = store_.find_passkey_by_credential_id(*credential_id);
  if (!passkey) {
    if (passkey.status().code() != ErrorCode::kNotFound) return ErrorCode::kInternalServerError;
    audit("sign-in-failed", nullptr, caller, {{"reason", "passkey"}});
    return ErrorCode::kPasskeyNotFound;
  }
  auto user = store_.find_user_by_id(passkey->user_id);
  if (!user) return user.status().code() == ErrorCode::kNotFound ? ErrorCode::kPasskeyNotFound
                                                                  : ErrorCode::kInternalServerError;

  // COSE keys are stored in standard base64 (BetterAuth's); the counter as counter_column() says.
  const webauthn::Expectation expected{(*record)["expectedChallenge"].get<std::string>(), request.origin,
                                       rp_id_of(config_)};
  const std::optional<std::string> public_key = webauthn::base64_decode(passkey->public_key);
  const std::optional<std::uint32_t> stored_counter = counter_of_column(passkey->counter);
  auto assertion = public_key && stored_counter
                       ? webauthn::verify_authentication(request.response, expected, *public_key, *stored_counter)
                       : Result<webauthn::Assertion>(Status(ErrorCode::kAuthenticationFailed, "the stored passkey is unreadable"));
  if (!assertion) {
    log_refusal("authentication", assertion.status(), caller);
    audit("sign-in-failed", &*user, caller, {{"reason", "passkey"}});
    return ErrorCode::kAuthenticationFailed;
  }
  // One assertion, one sign-in: a concurrent one with the same counter loses here.
  auto counted = store_.update_passkey_counter(passkey->id, passkey->counter,
                                               counter_column(assertion->counter));
  if (!counted) return ErrorCode::kInternalServerError;
  if (!*counted) {
    audit("sign-in-failed", &*user, caller, {{"reason", "passkey"}});
    return ErrorCode::kAuthenticationFailed;
  }

  if (Status s = refuse_if_banned(*user, caller); !s.ok()) return s;
  if (config_.require_email_verification && !user->email_verified) {
    audit("sign-in-failed", &*user, caller, {{"reason", "email-not-verified"}});
    return ErrorCode::kEmailNotVerified;
  }
  SignInRequest as_sign_in;
  as_sign_in.email = user->email;
  as_sign_in.trusted_device = request.trusted_device;
  return open_session(*user, as_sign_in, "passkey", /*new_account=*/false, caller,
                      /*second_factor_passed=*/assertion->user_verified);
}

Result<std::vector<store::Passkey>> AuthService::list_passkeys(const Authenticated& auth) {
  if (!config_.passkey) return ErrorCode::kNotFound;
  auto passkeys = store_.list_passkeys(auth.user.id);
  if (!passkeys) return ErrorCode::kInternalServerError;
  return passkeys;
}

Result<store::Passkey> AuthService::rename_passkey(const Authenticated& auth, const std::string& id,
                                                   const std::string& name, const Caller& caller) {
  if (!config_.passkey) return ErrorCode::kNotFound;
  auto valid = validate_name(name, config_.name_policy);
  if (!valid) return valid.status();
  if (Status s = store_.rename_passkey(id, auth.user.id, *valid); !s.ok()) {
    return s.code() == ErrorCode::kNotFound ? ErrorCode::kPasskeyNotFound : ErrorCode::kInternalServerError;
  }
  auto renamed = store_.find_passkey(id);
  if (!renamed || renamed->user_id != auth.user.id) return ErrorCode::kPasskeyNotFound;  // deleted meanwhile
  audit("passkey-renamed", &auth.user, caller, {{"passkey", id}});
  return renamed;
}

Status AuthService::delete_passkey(const Authenticated& auth, const std::string& id, const Caller& caller) {
  if (!config_.passkey) return Status(ErrorCode::kNotFound);
  if (Status s = store_.delete_passkey(id, auth.user.id); !s.ok()) {
    return Status(s.code() == ErrorCode::kNotFound ? ErrorCode::kPasskeyNotFound : ErrorCode::kInternalServerError);
  }
  audit("passkey-removed", &auth.user, caller, {{"passkey", id}});
  return Status::OK();
}

}  // namespace portcullis::auth
