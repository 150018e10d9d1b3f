// Portcullis server: what the HTTP routes share (private to native-server: http_server.cc and
// the routes_*.cc files of the plugins). The JSON shapes BetterAuth answers with, the error
// replies, the body reader (Fields), one request being handled (Call) and the server itself
// (HttpServer::Impl, whose route handlers are spread over those files).

#ifndef PORTCULLIS_SERVER_HTTP_ROUTES_H_
#define PORTCULLIS_SERVER_HTTP_ROUTES_H_

#include "http_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "common/json_text.h"
#include "common/strings.h"
#include "common/time.h"
#include "http/buffered_server.h"
#include "http/cookies.h"
#include "http/metrics.h"
#include "http/origins.h"
#include "http/proxies.h"
#include "http/rate_limiter.h"
#include "http/session_bodies.h"
#include "auth/api_keys.h"
#include "auth/organization.h"
#include "portcullis/token.h"

namespace portcullis::server {


using auth::Authenticated;
using auth::Caller;
using nlohmann::json;
using ordered_json = nlohmann::ordered_json;
using store::Session;
using store::User;

// ---- JSON shapes (contract §2) ------------------------------------------------------------------

// The user as BetterAuth shows it, with the columns of the plugins `config` turns on: the
// two-factor plugin's, the admin plugin's four, the username plugin's two.
inline ordered_json user_json(const User& u, const Config& config) {
  ordered_json j;
  j["id"] = u.id;
  j["name"] = u.name;
  j["email"] = u.email;
  j["emailVerified"] = u.email_verified;
  j["image"] = u.image ? ordered_json(*u.image) : ordered_json(nullptr);
  j["createdAt"] = format_iso8601(u.created_at);
  j["updatedAt"] = format_iso8601(u.updated_at);
  if (config.two_factor) j["twoFactorEnabled"] = u.two_factor_enabled;
  if (config.admin) {
    j["role"] = u.role ? ordered_json(*u.role) : ordered_json(nullptr);
    j["banned"] = u.ban.has_value();
    j["banReason"] = u.ban && u.ban->reason ? ordered_json(*u.ban->reason) : ordered_json(nullptr);
    j["banExpires"] = u.ban && u.ban->expires ? ordered_json(format_iso8601(*u.ban->expires)) : ordered_json(nullptr);
  }
  if (config.username) {
    j["username"] = u.username ? ordered_json(*u.username) : ordered_json(nullptr);
    j["displayUsername"] = u.display_username ? ordered_json(*u.display_username) : ordered_json(nullptr);
  }
  return j;
}

// BetterAuth's list-accounts entry: the account without its password (or OAuth tokens), and its
// comma-separated scope as an array.
inline ordered_json account_json(const store::Account& a) {
  ordered_json j;
  j["accountId"] = a.account_id;
  j["providerId"] = a.provider_id;
  j["userId"] = a.user_id;
  j["createdAt"] = format_iso8601(a.created_at);
  j["updatedAt"] = format_iso8601(a.updated_at);
  j["id"] = a.id;
  ordered_json scopes = ordered_json::array();
  std::string_view rest = a.scope ? std::string_view(*a.scope) : std::string_view();
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    const std::string_view scope = trim_spaces_and_tabs(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (!scope.empty()) scopes.push_back(std::string(scope));
  }
  j["scopes"] = std::move(scopes);
  return j;
}

// `admin`, `organization`: those plugins are on, and BetterAuth then adds their columns to the
// session.
inline ordered_json session_json(const Session& s, bool admin, bool organization) {
  ordered_json j;
  j["id"] = s.id;
  j["token"] = s.token;
  j["userId"] = s.user_id;
  j["expiresAt"] = format_iso8601(s.expires_at);
  j["createdAt"] = format_iso8601(s.created_at);
  j["updatedAt"] = format_iso8601(s.updated_at);
  j["ipAddress"] = s.ip_address.value_or("");
  j["userAgent"] = s.user_agent.value_or("");
  if (admin) j["impersonatedBy"] = s.impersonated_by ? ordered_json(*s.impersonated_by) : ordered_json(nullptr);
  if (organization) {
    j["activeOrganizationId"] = s.active_organization_id ? ordered_json(*s.active_organization_id) : ordered_json(nullptr);
  }
  return j;
}


inline void send_json(httplib::Response& res, int status, const ordered_json& body) {
  res.status = status;
  res.set_content(json_text(body), "application/json");
}

// get-session's body for a live session (http/session_bodies.h keeps it), with the plugins'
// fields `config` asks for.
inline std::string session_body(const Session& session, const User& user, const Config& config) {
  ordered_json body;
  body["session"] = session_json(session, config.admin, config.organization);
  body["user"] = user_json(user, config);
  return json_text(body);
}

// The HTTP status of an error, where it does not depend on the endpoint.
inline int status_of(ErrorCode code) {
  switch (code) {
    case ErrorCode::kUnauthorized:
    case ErrorCode::kInvalidEmailOrPassword:
    case ErrorCode::kInvalidUsernameOrPassword:
    case ErrorCode::kInvalidCode:
    case ErrorCode::kInvalidBackupCode:
    case ErrorCode::kInvalidTwoFactorCookie:
    case ErrorCode::kNotAllowedToRegisterPasskey:
    case ErrorCode::kAuthenticationFailed:
    case ErrorCode::kUnauthorizedSession:
    case ErrorCode::kKeyDisabled:
    case ErrorCode::kKeyExpired:
    case ErrorCode::kInvalidApiKey:
    case ErrorCode::kInvalidReferenceIdFromApiKey:
      return 401;
    case ErrorCode::kEmailNotVerified:
    case ErrorCode::kBannedUser:
    case ErrorCode::kCaptchaVerificationFailed:
    case ErrorCode::kInvalidOrigin:
    case ErrorCode::kMissingOrNullOrigin:
    case ErrorCode::kCrossSiteNavigationLoginBlocked:
    case ErrorCode::kInvalidCallbackUrl:
    case ErrorCode::kInvalidRedirectUrl:
    case ErrorCode::kInvalidErrorCallbackUrl:
    case ErrorCode::kInvalidNewUserCallbackUrl:
    case ErrorCode::kSessionNotFresh:
    case ErrorCode::kNotAllowedToListUsers:
    case ErrorCode::kNotAllowedToGetUser:
    case ErrorCode::kNotAllowedToCreateUsers:
    case ErrorCode::kNotAllowedToUpdateUsers:
    case ErrorCode::kNotAllowedToChangeUsersRole:
    case ErrorCode::kNotAllowedToBanUsers:
    case ErrorCode::kNotAllowedToListUsersSessions:
    case ErrorCode::kNotAllowedToRevokeUsersSessions:
    case ErrorCode::kNotAllowedToDeleteUsers:
    case ErrorCode::kNotAllowedToSetUsersPassword:
    case ErrorCode::kNotAllowedToImpersonateUsers:
    case ErrorCode::kCannotImpersonateAdmins:
    case ErrorCode::kTooManyAttempts:
    case ErrorCode::kNotAllowedToCreateOrganization:
    case ErrorCode::kOrganizationLimitReached:
    case ErrorCode::kUserIsNotAMemberOfTheOrganization:
    case ErrorCode::kNotAllowedToUpdateOrganization:
    case ErrorCode::kNotAllowedToDeleteOrganization:
    case ErrorCode::kNotAllowedToDeleteMember:
    case ErrorCode::kNotAllowedToInvite:
    case ErrorCode::kNotTheRecipientOfTheInvitation:
    case ErrorCode::kEmailVerificationRequiredForInvitation:
    case ErrorCode::kNotAllowedToCancelInvitation:
    case ErrorCode::kNotAllowedToInviteWithRole:
    case ErrorCode::kNotAllowedToUpdateMember:
    case ErrorCode::kMembershipLimitReached:
    case ErrorCode::kInvitationLimitReached:
    case ErrorCode::kNotAMemberOfThisOrganization:
    case ErrorCode::kEmailVerificationRequiredToViewInvitations:
    case ErrorCode::kNotAllowedToListInvitations:
    case ErrorCode::kApiKeyLimitReached:
      return 403;
    case ErrorCode::kNotFound:
    case ErrorCode::kKeyNotFound:
      return 404;
    case ErrorCode::kMethodNotAllowedDeferSessionRequired:
      return 405;
    case ErrorCode::kPayloadTooLarge:
      return 413;
    case ErrorCode::kUnsupportedMediaType:
      return 415;
    case ErrorCode::kUserAlreadyExistsUseAnotherEmail:
    case ErrorCode::kUserAlreadyExists:
    case ErrorCode::kFailedToCreateUser:
      return 422;
    case ErrorCode::kTooManyRequests:
    case ErrorCode::kAccountTemporarilyLocked:
    case ErrorCode::kUsageExceeded:
    case ErrorCode::kRateLimited:
      return 429;
    case ErrorCode::kFailedToGetSession:
    case ErrorCode::kInternalServerError:
    case ErrorCode::kCaptchaUnavailable:
      return 500;
    case ErrorCode::kServerBusy:
    case ErrorCode::kPasswordCheckUnavailable:
      return 503;
    case ErrorCode::kClientClosedRequest:
      return 499;  // nginx's code for it; only the access log sees it
    default:
      return 400;
  }
}

inline void send_error(httplib::Response& res, const Status& s, int status = 0) {
  ordered_json body;
  body["message"] = s.message();
  body["code"] = std::string(s.code_name());
  send_json(res, status != 0 ? status : status_of(s.code()), body);
  if (s.code() == ErrorCode::kServerBusy) res.set_header("Retry-After", "1");
}

// An error about a new password. PASSWORD_TOO_WEAK also carries the score and the estimator's
// feedback, after BetterAuth's two keys (its client passes extra keys through to `error`):
// {"message","code","score","feedback":{"warning","warningKey","suggestions","suggestionKeys"}}.
inline void send_password_error(httplib::Response& res, const Status& s, const PasswordCheck& verdict) {
  if (s.code() != ErrorCode::kPasswordTooWeak) return send_error(res, s);
  ordered_json body;
  body["message"] = s.message();
  body["code"] = std::string(s.code_name());
  body["score"] = verdict.score;
  ordered_json feedback;
  feedback["warning"] = verdict.feedback.warning;
  feedback["warningKey"] = verdict.feedback.warning_key;
  feedback["suggestions"] = verdict.feedback.suggestions;
  feedback["suggestionKeys"] = verdict.feedback.suggestion_keys;
  body["feedback"] = std::move(feedback);
  send_json(res, status_of(s.code()), body);
}

// JavaScript's name for the type of a JSON value, as zod's messages use it.
inline const char* js_type(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "boolean";
    case json::value_t::string: return "string";
    case json::value_t::array: return "array";
    case json::value_t::object: return "object";
    case json::value_t::discarded: return "undefined";
    default: return "number";
  }
}

// Reads the fields of a request body and collects what is wrong with them, in zod's words:
// "[body.name] Invalid input: expected string, received undefined".
class Fields {
 public:
  Fields(const json& body, std::initializer_list<std::string_view> allowed)
      : Fields(body, std::vector<std::string_view>(allowed)) {}
  Fields(const json& body, const std::vector<std::string_view>& allowed) : body_(body) {
    for (const auto& [key, value] : body_.items()) {
      bool known = false;
      for (std::string_view a : allowed) known = known || a == key;
      if (!known) add("[body] Unrecognized key: \"" + key + "\"");
    }
  }

  std::string required_string(const char* key) {
    const auto it = body_.find(key);
    if (it == body_.end() || !it->is_string()) {
      expected(key, "string", it == body_.end() ? "undefined" : js_type(*it));
      return "";
    }
    return it->get<std::string>();
  }

  std::optional<std::string> optional_string(const char* key) {
    const auto it = body_.find(key);
    if (it == body_.end()) return std::nullopt;
    if (!it->is_string()) {
      expected(key, "string", js_type(*it));
      return std::nullopt;
    }
    return it->get<std::string>();
  }

  // Absent: nullopt; null: a nullopt inside; a string: the string.
  std::optional<std::optional<std::string>> nullable_string(const char* key) {
    const auto it = body_.find(key);
    if (it == body_.end()) return std::nullopt;
    if (it->is_null()) return std::optional<std::string>();
    if (!it->is_string()) {
      expected(key, "string", js_type(*it));
      return std::nullopt;
    }
    return std::optional<std::string>(it->get<std::string>());
  }

  std::optional<bool> optional_bool(const char* key) {
    const auto it = body_.find(key);
    if (it == body_.end()) return std::nullopt;
    if (!it->is_boolean()) {
      expected(key, "boolean", js_type(*it));
      return std::nullopt;
    }
    return it->get<bool>();
  }

  bool ok() const { return issues_.empty(); }
  Status status() const { return Status(ErrorCode::kValidationError, issues_); }

 private:
  void expected(const char* key, const char* want, const char* got) {
    add(std::string("[body.") + key + "] Invalid input: expected " + want + ", received " + got);
  }
  void add(const std::string& issue) {
    if (!issues_.empty()) issues_ += "; ";
    issues_ += issue;
  }
  const json& body_;
  std::string issues_;
};

// `s` (a Fields status about an object nested in the body at `key`), its fields named from the
// body: "[body.data.name] ...".
inline Status nested_fields(const Status& s, const std::string& key) {
  std::string message = s.message();
  for (std::size_t at = message.find("[body"); at != std::string::npos; at = message.find("[body", at + 1)) {
    message.insert(at + 5, "." + key);
  }
  return Status(s.code(), message);
}

// A username the plugin's rules refuse (422 at sign-in/username and is-username-available, as
// BetterAuth answers there; 400 elsewhere).
inline bool is_username_error(ErrorCode code) {
  return code == ErrorCode::kUsernameTooShort || code == ErrorCode::kUsernameTooLong ||
         code == ErrorCode::kInvalidUsername;
}

inline Status invalid_email_field(const char* field) {
  return Status(ErrorCode::kValidationError, std::string("[body.") + field + "] Invalid email address");
}

inline bool is_alnum_token(std::string_view s) {
  return s.size() == kTokenLength && std::all_of(s.begin(), s.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c));
         });
}

inline std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// A role field: a string or an array of strings (BetterAuth's union). Absent: nullopt, and
// `error` stays OK; an array holding anything but strings: INVALID_ROLE_TYPE; another type:
// VALIDATION_ERROR.
inline std::optional<std::vector<std::string>> roles_field(const json& body, const char* key, Status& error) {
  const auto it = body.find(key);
  if (it == body.end()) return std::nullopt;
  if (it->is_string()) return std::vector<std::string>{it->get<std::string>()};
  if (!it->is_array()) {
    error = Status(ErrorCode::kValidationError,
                   std::string("[body.") + key + "] Invalid input: expected string or array, received " + js_type(*it));
    return std::nullopt;
  }
  std::vector<std::string> roles;
  for (const json& r : *it) {
    if (!r.is_string()) {
      error = Status(ErrorCode::kInvalidRoleType);
      return std::nullopt;
    }
    roles.push_back(r.get<std::string>());
  }
  return roles;
}

// A query parameter of a GET, or nullopt.
inline std::optional<std::string> query_param(const httplib::Request& req, const char* key) {
  if (!req.has_param(key)) return std::nullopt;
  return req.get_param_value(key);
}

// An optional whole number in a query string (a list's limit and offset): true and `out` set, or
// left as it is when the parameter is absent or empty; false with `error` set when it is not a
// whole number of at most 9 digits.
inline bool count_param(const httplib::Request& req, const char* key, std::size_t& out, Status& error) {
  const auto text = query_param(req, key);
  if (!text || text->empty()) return true;
  std::uint64_t n = 0;
  if (!parse_decimal(*text, 9, n)) {
    error = Status(ErrorCode::kValidationError, std::string("[query.") + key + "] Invalid input: expected number");
    return false;
  }
  out = static_cast<std::size_t>(n);
  return true;
}

// One request being handled: the parsed body, who is calling, and the helpers the routes share.
struct Call {
  const httplib::Request& req;
  httplib::Response& res;
  json body = json::object();
  Caller caller;
  // The request arrived over https (the public URL is https, or a trusted proxy says so): the
  // cookies it reads and writes are the Secure, __Secure- ones.
  bool secure = false;
};

struct HttpServer::Impl {
  Impl(const Config& c, auth::AuthService& s, store::Store& st)
      : config(c),
        service(s),
        store(st),
        origins(c.origin, c.trusted_origins),
        limiter(c, st),
        proxies(http::TrustedProxies::parse(c.trusted_proxies, nullptr).value_or(http::TrustedProxies())),
        plain_names(c.cookie_prefix, false),
        secure_names(c.cookie_prefix, true),
        plain_attrs{false, c.cookie_domain, same_site_attribute(c.cookie_same_site), c.cookie_partitioned},
        secure_attrs{true, c.cookie_domain, same_site_attribute(c.cookie_same_site), c.cookie_partitioned},
        session_bodies(c.session_cache_size, [&c](const Session& session, const User& user) { return session_body(session, user, c); }),
        cookies(c.secret),
        organizations(c, st, s.mail_queue(), s),
        api_keys(c, st, s) {
    if (!c.captcha.provider.empty()) {
      if (auto opened = http::Captcha::open(c.captcha); opened.ok()) captcha = std::move(opened).value();  // checked by finalize_config
      captcha_paths.insert(c.captcha_endpoints.begin(), c.captcha_endpoints.end());
    }
  }

  static std::string same_site_attribute(const std::string& setting) {
    return setting == "none" ? "None" : setting == "strict" ? "Strict" : "Lax";
  }

  const Config& config;
  auth::AuthService& service;
  store::Store& store;
  http::BufferedServer http;
  bool bound = false;
  http::TrustedOrigins origins;
  http::RateLimiter limiter;
  http::TrustedProxies proxies;  // validated by the configuration
  http::CookieNames plain_names, secure_names;
  http::CookieAttributes plain_attrs, secure_attrs;
  http::SessionBodies session_bodies;  // get-session's, as many as the session cache keeps
  const CookieSigner cookies;          // signs and verifies cookies with config.secret
  auth::Organizations organizations;   // with --organization (routes_organization.cc)
  auth::ApiKeys api_keys;              // with --api-key (routes_api_key.cc)
  const http::CookieNames& names(const Call& call) const { return call.secure ? secure_names : plain_names; }
  const http::CookieAttributes& attrs(const Call& call) const { return call.secure ? secure_attrs : plain_attrs; }

  using Handler = void (Impl::*)(Call&);
  std::unordered_map<std::string, Handler> get_routes;
  std::unordered_map<std::string, Handler> post_routes;

  // With --metrics: the counters, and their own listener (never the public port).
  std::unique_ptr<http::Metrics> metrics;
  // With --captcha: the provider, and the routes (below the base path) that want its token.
  std::unique_ptr<http::Captcha> captcha;
  std::unordered_set<std::string> captcha_paths;
  httplib::Server metrics_http;
  std::thread metrics_thread;
  int metrics_port = -1;
  ~Impl() { stop_metrics(); }
  void stop_metrics() {
    if (!metrics_thread.joinable()) return;
    metrics_http.stop();
    metrics_thread.join();
  }
  void start_metrics();
  // The metrics label of a request's path: its route relative to the base path ("/sign-in/email",
  // "/reset-password/:token"), or "other".
  std::string_view route_label(const std::string& path) const;

  void install();
  void dispatch(const httplib::Request& req, httplib::Response& res, bool post);
  bool preflight(const httplib::Request& req, httplib::Response& res);
  Status check_origin(const httplib::Request& req, bool sign_in_or_up) const;
  Status check_callbacks(const json& body, const httplib::Request& req) const;

  // ---- sessions and cookies ----
  struct Token {
    std::string value;
    bool from_cookie = false;
  };
  std::optional<Token> read_token(const Call& call) const;
  bool dont_remember(const Call& call) const;
  std::optional<Authenticated> authenticate(Call& call);
  bool require_session(Call& call, Authenticated& out);
  void set_session_cookie(Call& call, const Session& session, bool remember_me);
  // With --last-login-method, the cookie that names the sign-in's method, from its first factor
  // (SignedIn::method); nothing for a method the plugin does not name.
  void set_last_login_method_cookie(Call& call, std::string_view first_factor);
  void clear_session_cookies(Call& call) const;
  ordered_json user_of(const User& u) const { return user_json(u, config); }
  ordered_json session_of(const Session& s) const { return session_json(s, config.admin, config.organization); }
  // The value of a signed cookie of this request, or nullopt (absent, or its signature is wrong).
  std::optional<std::string> signed_cookie(const Call& call, const std::string& name) const;
  void set_trust_device_cookie(Call& call, const std::optional<std::string>& value) const;

  // ---- routes ----
  void ok(Call&);
  void get_session_post(Call&);
  void error_page(Call&);
  void sign_up(Call&);
  void sign_in(Call&);
  void sign_in_username(Call&);
  void is_username_available(Call&);
  // A sign-in's answer (by address or username): the session cookie and {redirect, token, url?,
  // user}, or BetterAuth's second-factor answer, or the error.
  // A sign-in's answer: {"redirect","token","url"?,"user"}, or {"token","user"} without
  // `redirect_fields` (the emailOTP plugin's); the second factor's challenge instead when it waits.
  void answer_sign_in(Call& call, Result<auth::SignedIn> out, const std::optional<std::string>& callback,
                      bool redirect_fields = true);
  void sign_out(Call&);
  void get_session(Call&);
  void list_sessions(Call&);
  void revoke_session(Call&);
  void revoke_sessions(Call&);
  void revoke_other_sessions(Call&);
  void update_user(Call&);
  void change_password(Call&);
  void change_email(Call&);
  void delete_user(Call&);
  void delete_user_callback(Call&);
  void list_accounts(Call&);
  void unlink_account(Call&);
  void update_session(Call&);
  void verify_password(Call&);
  void request_password_reset(Call&);
  void send_email_otp(Call&);
  void request_email_change_otp(Call&);
  void change_email_otp(Call&);
  void check_email_otp(Call&);
  void verify_email_otp(Call&);
  void sign_in_email_otp(Call&);
  void request_password_reset_email_otp(Call&);
  void reset_password_email_otp(Call&);
  void sign_in_magic_link(Call&);
  void verify_magic_link(Call&);
  // The passkey plugin's (with --passkey; routes_passkey.cc).
  void passkey_register_options(Call&);
  void verify_passkey_registration(Call&);
  void passkey_authenticate_options(Call&);
  void verify_passkey_authentication(Call&);
  void list_passkeys(Call&);
  void delete_passkey(Call&);
  void update_passkey(Call&);
  // Sets the passkey ceremony's challenge cookie, or deletes it (`token` empty).
  void set_passkey_cookie(Call& call, const std::string& token) const;
  // A sign-in's trust_device cookie, and when it awaits its second factor, BetterAuth's answer
  // for that ({"twoFactorRedirect":true,"twoFactorMethods":[...]} and the cookies): returns
  // whether it answered.
  bool answer_two_factor_challenge(Call& call, const auth::SignedIn& out);
  // Sets the two_factor cookie (and dont_remember) of a sign-in that awaits its second factor.
  void set_two_factor_challenge_cookies(Call& call, const auth::SignedIn& out);
  void reset_password_redirect(Call&);
  void reset_password(Call&);
  void send_verification_email(Call&);
  void verify_email(Call&);
  // The two-factor plugin's (with --two-factor).
  void enable_two_factor(Call&);
  void get_totp_uri(Call&);
  void verify_totp(Call&);
  void verify_backup_code(Call&);
  void send_otp(Call&);
  void verify_otp(Call&);
  void verify_second_factor(Call&, auth::SecondFactorKind kind);
  void disable_two_factor(Call&);
  void generate_backup_codes(Call&);
  void two_factor_methods(Call&);
  void jwks(Call&);
  void token(Call&);
  // The admin plugin's (with --admin; their errors through admin_error()).
  void admin_list_users(Call&);
  void admin_get_user(Call&);
  void admin_create_user(Call&);
  void admin_update_user(Call&);
  void admin_set_role(Call&);
  void admin_ban_user(Call&);
  void admin_unban_user(Call&);
  void admin_list_user_sessions(Call&);
  void admin_revoke_user_session(Call&);
  void admin_revoke_user_sessions(Call&);
  void admin_remove_user(Call&);
  void admin_set_user_password(Call&);
  void admin_has_permission(Call&);
  void admin_impersonate_user(Call&);
  void admin_stop_impersonating(Call&);
  // The API-key plugin's (with --api-key; routes_api_key.cc).
  void api_key_create(Call&);
  void api_key_get(Call&);
  void api_key_update(Call&);
  void api_key_delete(Call&);
  void api_key_list(Call&);
  // get-session for a request with an API key in config.api_key_header (with --api-key and
  // api_key_sessions): answers it (the key's user, or the refusal) and returns true; returns
  // false, having sent nothing, when there is no key to look at.
  bool api_key_session(Call&);
  // The organization plugin's (with --organization; routes_organization.cc).
  void organization_create(Call&);
  void organization_check_slug(Call&);
  void organization_update(Call&);
  void organization_delete(Call&);
  void organization_list(Call&);
  void organization_get(Call&);
  void organization_get_full(Call&);
  void organization_set_active(Call&);
  void organization_invite_member(Call&);
  void organization_accept_invitation(Call&);
  void organization_reject_invitation(Call&);
  void organization_cancel_invitation(Call&);
  void organization_get_invitation(Call&);
  void organization_list_invitations(Call&);
  void organization_list_user_invitations(Call&);
  void organization_remove_member(Call&);
  void organization_update_member_role(Call&);
  void organization_get_active_member(Call&);
  void organization_get_active_member_role(Call&);
  void organization_leave(Call&);
  void organization_list_members(Call&);
  void organization_has_permission(Call&);
};

}  // namespace portcullis::server

#endif  // PORTCULLIS_SERVER_HTTP_ROUTES_H_
