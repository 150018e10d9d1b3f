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
#include "portcullis/token.h"

namespace portcullis::server {
namespace {

using auth::Authenticated;
using auth::Caller;
using nlohmann::json;
using ordered_json = nlohmann::ordered_json;
using store::Session;
using store::User;

// ---- JSON shapes (contract §2) ------------------------------------------------------------------

// The user as BetterAuth shows it, with the columns of the plugins `config` turns on: the
// two-factor plugin's, the admin plugin's four, the username plugin's two.
ordered_json user_json(const User& u, const Config& config) {
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
ordered_json account_json(const store::Account& a) {
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

// `admin`: the admin plugin is on, and BetterAuth then adds its column to the session.
ordered_json session_json(const Session& s, bool admin) {
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
  return j;
}


void send_json(httplib::Response& res, int status, const ordered_json& body) {
  res.status = status;
  res.set_content(json_text(body), "application/json");
}

// get-session's body for a live session (http/session_bodies.h keeps it), with the plugins'
// fields `config` asks for.
std::string session_body(const Session& session, const User& user, const Config& config) {
  ordered_json body;
  body["session"] = session_json(session, config.admin);
  body["user"] = user_json(user, config);
  return json_text(body);
}

// The HTTP status of an error, where it does not depend on the endpoint.
int status_of(ErrorCode code) {
  switch (code) {
    case ErrorCode::kUnauthorized:
    case ErrorCode::kInvalidEmailOrPassword:
    case ErrorCode::kInvalidUsernameOrPassword:
    case ErrorCode::kInvalidCode:
    case ErrorCode::kInvalidBackupCode:
    case ErrorCode::kInvalidTwoFactorCookie:
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
      return 403;
    case ErrorCode::kNotFound:
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

void send_error(httplib::Response& res, const Status& s, int status = 0) {
  ordered_json body;
  body["message"] = s.message();
  body["code"] = std::string(s.code_name());
  send_json(res, status != 0 ? status : status_of(s.code()), body);
  if (s.code() == ErrorCode::kServerBusy) res.set_header("Retry-After", "1");
}

// An error about a new password. PASSWORD_TOO_WEAK also carries the score and the estimator's
// feedback, after BetterAuth's two keys (its client passes extra keys through to `error`):
// {"message","code","score","feedback":{"warning","warningKey","suggestions","suggestionKeys"}}.
void send_password_error(httplib::Response& res, const Status& s, const PasswordCheck& verdict) {
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
const char* js_type(const json& v) {
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
Status nested_fields(const Status& s, const std::string& key) {
  std::string message = s.message();
  for (std::size_t at = message.find("[body"); at != std::string::npos; at = message.find("[body", at + 1)) {
    message.insert(at + 5, "." + key);
  }
  return Status(s.code(), message);
}

// A username the plugin's rules refuse (422 at sign-in/username and is-username-available, as
// BetterAuth answers there; 400 elsewhere).
bool is_username_error(ErrorCode code) {
  return code == ErrorCode::kUsernameTooShort || code == ErrorCode::kUsernameTooLong ||
         code == ErrorCode::kInvalidUsername;
}

Status invalid_email_field(const char* field) {
  return Status(ErrorCode::kValidationError, std::string("[body.") + field + "] Invalid email address");
}

bool is_alnum_token(std::string_view s) {
  return s.size() == kTokenLength && std::all_of(s.begin(), s.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c));
         });
}

std::string html_escape(std::string_view s) {
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

// Per-request timing for the access log: the logger runs on the thread that served the request.
thread_local std::chrono::steady_clock::time_point t_request_start;

// A request's id (X-Request-Id, and the access log's "id"): it only has to be unique, not secret,
// so it is a random prefix drawn once per process and a counter, not 16 fresh random characters
// (a getrandom() call per request).
std::string next_request_id() {
  static const std::string prefix = generate_token(8);
  static std::atomic<std::uint64_t> counter{0};
  static constexpr char kHex[] = "0123456789abcdef";
  std::uint64_t n = counter.fetch_add(1, std::memory_order_relaxed);
  std::string id = prefix;
  id.resize(prefix.size() + 12);
  for (std::size_t i = id.size(); i > prefix.size(); n >>= 4) id[--i] = kHex[n & 0xF];
  return id;
}

// Listening sockets get SO_REUSEADDR alone: cpp-httplib's default adds SO_REUSEPORT, with which
// a second server started on the same port would share its connections with the first, silently
// (an old instance left running beside a new one, with another configuration). A restart can
// still bind at once despite connections in TIME_WAIT, and a port in use is refused.
void reuse_address_only(socket_t sock) {
  const int yes = 1;
  (void)setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
}

}  // namespace

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
        cookies(c.secret) {
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
  void clear_session_cookies(Call& call) const;
  ordered_json user_of(const User& u) const { return user_json(u, config); }
  ordered_json session_of(const Session& s) const { return session_json(s, config.admin); }
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
  void check_email_otp(Call&);
  void verify_email_otp(Call&);
  void sign_in_email_otp(Call&);
  void request_password_reset_email_otp(Call&);
  void reset_password_email_otp(Call&);
  void sign_in_magic_link(Call&);
  void verify_magic_link(Call&);
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
};

void HttpServer::Impl::install() {
  get_routes = {
      {"/ok", &Impl::ok},
      {"/error", &Impl::error_page},
      {"/get-session", &Impl::get_session},
      {"/list-sessions", &Impl::list_sessions},
      {"/list-accounts", &Impl::list_accounts},
      {"/delete-user/callback", &Impl::delete_user_callback},
      {"/verify-email", &Impl::verify_email},
  };
  post_routes = {
      {"/sign-up/email", &Impl::sign_up},
      {"/sign-in/email", &Impl::sign_in},
      {"/sign-out", &Impl::sign_out},
      {"/revoke-session", &Impl::revoke_session},
      {"/revoke-sessions", &Impl::revoke_sessions},
      {"/revoke-other-sessions", &Impl::revoke_other_sessions},
      {"/update-user", &Impl::update_user},
      {"/change-password", &Impl::change_password},
      {"/change-email", &Impl::change_email},
      {"/delete-user", &Impl::delete_user},
      {"/update-session", &Impl::update_session},
      {"/unlink-account", &Impl::unlink_account},
      {"/verify-password", &Impl::verify_password},
      {"/request-password-reset", &Impl::request_password_reset},
      {"/reset-password", &Impl::reset_password},
      {"/send-verification-email", &Impl::send_verification_email},
      {"/get-session", &Impl::get_session_post},
  };
  if (config.email_otp) {
    post_routes.insert({{"/email-otp/send-verification-otp", &Impl::send_email_otp},
                        {"/email-otp/check-verification-otp", &Impl::check_email_otp},
                        {"/email-otp/verify-email", &Impl::verify_email_otp},
                        {"/sign-in/email-otp", &Impl::sign_in_email_otp},
                        {"/email-otp/request-password-reset", &Impl::request_password_reset_email_otp},
                        {"/forget-password/email-otp", &Impl::request_password_reset_email_otp},
                        {"/email-otp/reset-password", &Impl::reset_password_email_otp}});
  }
  if (config.magic_link) {
    post_routes.insert({{"/sign-in/magic-link", &Impl::sign_in_magic_link}});
    get_routes.insert({{"/magic-link/verify", &Impl::verify_magic_link}});
  }
  if (config.jwt) get_routes.insert({{"/jwks", &Impl::jwks}, {"/token", &Impl::token}});
  if (config.username) {
    post_routes.insert({{"/sign-in/username", &Impl::sign_in_username},
                        {"/is-username-available", &Impl::is_username_available}});
  }
  if (config.admin) {
    get_routes.insert({{"/admin/list-users", &Impl::admin_list_users}, {"/admin/get-user", &Impl::admin_get_user}});
    post_routes.insert({
        {"/admin/create-user", &Impl::admin_create_user},
        {"/admin/update-user", &Impl::admin_update_user},
        {"/admin/set-role", &Impl::admin_set_role},
        {"/admin/ban-user", &Impl::admin_ban_user},
        {"/admin/unban-user", &Impl::admin_unban_user},
        {"/admin/list-user-sessions", &Impl::admin_list_user_sessions},
        {"/admin/revoke-user-session", &Impl::admin_revoke_user_session},
        {"/admin/revoke-user-sessions", &Impl::admin_revoke_user_sessions},
        {"/admin/remove-user", &Impl::admin_remove_user},
        {"/admin/set-user-password", &Impl::admin_set_user_password},
        {"/admin/has-permission", &Impl::admin_has_permission},
    });
    if (config.admin_impersonation) {
      post_routes.insert({{"/admin/impersonate-user", &Impl::admin_impersonate_user},
                          {"/admin/stop-impersonating", &Impl::admin_stop_impersonating}});
    }
  }
  if (config.two_factor) {
    get_routes.insert({{"/two-factor/methods", &Impl::two_factor_methods}});
    post_routes.insert({
        {"/two-factor/enable", &Impl::enable_two_factor},
        {"/two-factor/get-totp-uri", &Impl::get_totp_uri},
        {"/two-factor/verify-totp", &Impl::verify_totp},
        {"/two-factor/verify-backup-code", &Impl::verify_backup_code},
        {"/two-factor/send-otp", &Impl::send_otp},
        {"/two-factor/verify-otp", &Impl::verify_otp},
        {"/two-factor/disable", &Impl::disable_two_factor},
        {"/two-factor/generate-backup-codes", &Impl::generate_backup_codes},
    });
  }

  // Two patterns in all: cpp-httplib matches routes with std::regex, one by one, so the exact
  // path is looked up in a hash map instead. The base path holds only [A-Za-z0-9/_-].
  const std::string any = config.base_path + "/.*";
  http.Get(any, [this](const httplib::Request& req, httplib::Response& res) { dispatch(req, res, false); });
  http.Post(any, [this](const httplib::Request& req, httplib::Response& res) { dispatch(req, res, true); });
  http.Options(any, [this](const httplib::Request& req, httplib::Response& res) {
    if (!preflight(req, res)) res.status = 404;
  });
}

// CORS preflight: answered only for trusted origins (credentials are allowed for exactly those).
bool HttpServer::Impl::preflight(const httplib::Request& req, httplib::Response& res) {
  const std::string origin = req.get_header_value("Origin");
  if (!req.has_header("Access-Control-Request-Method") || !origins.trusts_origin(origin)) return false;
  res.status = 204;
  res.set_header("Access-Control-Allow-Origin", origin);
  res.set_header("Access-Control-Allow-Credentials", "true");
  res.set_header("Access-Control-Allow-Methods", "GET, POST");
  res.set_header("Access-Control-Allow-Headers", "content-type, authorization, x-captcha-response");
  res.set_header("Access-Control-Max-Age", "600");
  res.set_header("Vary", "Origin");
  return true;
}

// BetterAuth's origin rules (contract §8). Rule A: a state-changing request that carries any
// cookie must come from a trusted Origin (or Referer). Rule B: sign-in and sign-up without
// cookies are checked through the Fetch Metadata headers when a browser sent them.
Status HttpServer::Impl::check_origin(const httplib::Request& req, bool sign_in_or_up) const {
  const std::string origin_header = req.get_header_value("Origin");
  const std::string referer = req.get_header_value("Referer");
  const std::string origin = !origin_header.empty() ? origin_header : http::origin_of(referer);
  const std::string fetch_site = req.get_header_value("Sec-Fetch-Site");
  const bool has_cookie = !req.get_header_value("Cookie").empty();
  if (has_cookie) {
    if (origin_header == "null" && fetch_site == "same-origin") return Status::OK();
    if (origin.empty() || origin == "null") return Status(ErrorCode::kMissingOrNullOrigin);
    return origins.trusts_origin(origin) ? Status::OK() : Status(ErrorCode::kInvalidOrigin);
  }
  if (!sign_in_or_up) return Status::OK();
  const bool has_fetch_metadata = req.has_header("Sec-Fetch-Site") || req.has_header("Sec-Fetch-Mode") ||
                                  req.has_header("Sec-Fetch-Dest");
  if (has_fetch_metadata) {
    if (fetch_site == "cross-site" && req.get_header_value("Sec-Fetch-Mode") == "navigate") {
      return Status(ErrorCode::kCrossSiteNavigationLoginBlocked);
    }
    if (origin.empty() || origin == "null") return Status(ErrorCode::kMissingOrNullOrigin);
    return origins.trusts_origin(origin) ? Status::OK() : Status(ErrorCode::kInvalidOrigin);
  }
  if (!origin.empty() && !origins.trusts_origin(origin)) return Status(ErrorCode::kInvalidOrigin);
  return Status::OK();
}

Status HttpServer::Impl::check_callbacks(const json& body, const httplib::Request& req) const {
  static const std::pair<const char*, ErrorCode> kFields[] = {
      {"callbackURL", ErrorCode::kInvalidCallbackUrl},
      {"redirectTo", ErrorCode::kInvalidRedirectUrl},
      {"errorCallbackURL", ErrorCode::kInvalidErrorCallbackUrl},
      {"newUserCallbackURL", ErrorCode::kInvalidNewUserCallbackUrl},
  };
  for (const auto& [field, code] : kFields) {
    const auto it = body.find(field);
    if (it != body.end() && it->is_string() && !origins.trusts_url(it->get<std::string>())) return Status(code);
    if (req.has_param(field) && !origins.trusts_url(req.get_param_value(field))) return Status(code);
  }
  return Status::OK();
}

void HttpServer::Impl::dispatch(const httplib::Request& req, httplib::Response& res, bool post) {
  // cpp-httplib serves HEAD with the GET handlers; BetterAuth answers 404.
  if (req.method == "HEAD") {
    res.status = 404;
    return;
  }
  const std::string path = req.path.substr(config.base_path.size());
  Handler handler = nullptr;
  if (post) {
    if (const auto it = post_routes.find(path); it != post_routes.end()) handler = it->second;
  } else if (const auto it = get_routes.find(path); it != get_routes.end()) {
    handler = it->second;
  } else if (path.rfind("/reset-password/", 0) == 0 && path.size() > 16 &&
             path.find('/', 16) == std::string::npos) {
    handler = &Impl::reset_password_redirect;
  }
  if (handler == nullptr) {
    res.status = 404;
    return;
  }

  const std::string origin = req.get_header_value("Origin");
  if (!origin.empty() && origins.trusts_origin(origin)) {
    res.set_header("Access-Control-Allow-Origin", origin);
    res.set_header("Access-Control-Allow-Credentials", "true");
    res.set_header("Access-Control-Expose-Headers", "set-auth-token");
    res.set_header("Vary", "Origin");
  }

  // Every answer is about one client (sessions, tokens, users) or depends on its cookies: no cache
  // between here and the browser may keep it (ASVS 8.1.1, 8.2.1). BetterAuth sends this on
  // get-session alone.
  res.set_header("Cache-Control", "no-store");

  Call call{req, res, json::object(), Caller{}};
  call.caller.now = store::now_ms();
  call.caller.ip = proxies.client_address(req.remote_addr, req.get_header_value("X-Forwarded-For"));
  call.caller.user_agent = req.get_header_value("User-Agent");
  call.caller.request_id = res.get_header_value("X-Request-Id");
  call.secure = config.secure_cookies ||
                proxies.forwarded_https(req.remote_addr, req.get_header_value("X-Forwarded-Proto"));

  const auto limit = limiter.hit(call.caller.ip, path, call.caller.now);
  if (!limit.allowed) {
    res.set_header("X-Retry-After", std::to_string(limit.retry_after_seconds));
    send_error(res, Status(ErrorCode::kTooManyRequests), 429);
    return;
  }

  if (post) {
    const bool sign_in_or_up = path == "/sign-in/email" || path == "/sign-up/email" || path == "/sign-in/username";
    if (!req.body.empty()) {
      const std::string type = req.get_header_value("Content-Type");
      const std::string media = type.substr(0, type.find(';'));
      if (media == "application/x-www-form-urlencoded" && sign_in_or_up) {
        // As BetterAuth: an HTML form may post here. Every field is a string (the first of a
        // repeated name), checked by the same rules as JSON's.
        httplib::Params params;
        httplib::detail::parse_query_text(req.body, params);
        for (const auto& [key, value] : params) {
          if (!call.body.contains(key)) call.body[key] = value;
        }
      } else if (media != "application/json") {
        send_error(res, Status(ErrorCode::kUnsupportedMediaType,
                               "Content-Type \"" + media + "\" is not allowed. Allowed types: application/json" +
                                   (sign_in_or_up ? ", application/x-www-form-urlencoded" : "")));
        return;
      } else {
        call.body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
        if (call.body.is_discarded()) {
          send_error(res, Status(ErrorCode::kBadRequest));
          return;
        }
        if (!call.body.is_object()) {
          send_error(res, Status(ErrorCode::kBodyMustBeAnObject));
          return;
        }
      }
    }
    if (Status s = check_origin(req, sign_in_or_up); !s.ok()) {
      send_error(res, s);
      return;
    }
    if (Status s = check_callbacks(call.body, req); !s.ok()) {
      send_error(res, s);
      return;
    }
    // Last before the route: a request refused above costs the provider nothing.
    if (captcha && captcha_paths.contains(path)) {
      if (Status s = captcha->verify(req.get_header_value("x-captcha-response"), call.caller.ip); !s.ok()) {
        send_error(res, s);
        return;
      }
    }
  }
  (this->*handler)(call);
}

// ---- sessions and cookies -----------------------------------------------------------------------

std::optional<HttpServer::Impl::Token> HttpServer::Impl::read_token(const Call& call) const {
  const httplib::Request& req = call.req;
  // Bearer (for non-browser clients): the signed value, percent-encoded or not, or the bare token.
  const std::string authorization = req.get_header_value("Authorization");
  if (authorization.rfind("Bearer ", 0) == 0) {
    const std::string value = authorization.substr(7);
    if (is_alnum_token(value)) return Token{value, false};
    if (auto token = cookies.verify(value); token.ok()) return Token{token.value(), false};
  }
  // A forged or truncated cookie counts as no cookie.
  auto token = signed_cookie(call, names(call).session_token);
  if (!token) return std::nullopt;
  return Token{std::move(*token), true};
}

bool HttpServer::Impl::dont_remember(const Call& call) const {
  const auto value = signed_cookie(call, names(call).dont_remember);
  return value && *value == "true";
}

std::optional<Authenticated> HttpServer::Impl::authenticate(Call& call) {
  const auto token = read_token(call);
  if (!token) return std::nullopt;
  auto found = service.find_session(token->value, /*allow_refresh=*/false, call.caller.now);
  if (!found.ok() || !found->auth) return std::nullopt;
  found->auth->dont_remember = dont_remember(call);
  return std::move(found->auth);
}

bool HttpServer::Impl::require_session(Call& call, Authenticated& out) {
  auto auth = authenticate(call);
  if (!auth) {
    send_error(call.res, Status(ErrorCode::kUnauthorized));
    return false;
  }
  out = std::move(*auth);
  return true;
}

void HttpServer::Impl::set_session_cookie(Call& call, const Session& session, bool remember_me) {
  const std::string value = cookies.sign(session.token);
  const auto max_age = remember_me ? std::optional(config.session_expires_in) : std::nullopt;
  const http::CookieNames& n = names(call);
  const http::CookieAttributes& a = attrs(call);
  call.res.set_header("Set-Cookie", http::make_set_cookie(n.session_token, value, max_age, a));
  if (!remember_me) {
    call.res.set_header("Set-Cookie", http::make_set_cookie(n.dont_remember, cookies.sign("true"),
                                                            std::nullopt, a));
  } else if (http::find_cookie(call.req.get_header_value("Cookie"), n.dont_remember)) {
    call.res.set_header("Set-Cookie", http::make_delete_cookie(n.dont_remember, a));
  }
  // The bearer plugin's header: the signed token, not percent-encoded.
  auto plain = percent_decode(value);
  call.res.set_header("set-auth-token", plain.ok() ? plain.value() : value);
}

void HttpServer::Impl::clear_session_cookies(Call& call) const {
  const http::CookieNames& n = names(call);
  const http::CookieAttributes& a = attrs(call);
  call.res.set_header("Set-Cookie", http::make_delete_cookie(n.session_token, a));
  call.res.set_header("Set-Cookie", http::make_delete_cookie(n.session_data, a));
  call.res.set_header("Set-Cookie", http::make_delete_cookie(n.dont_remember, a));
}

std::optional<std::string> HttpServer::Impl::signed_cookie(const Call& call, const std::string& name) const {
  const auto cookie = http::find_cookie(call.req.get_header_value("Cookie"), name);
  if (!cookie) return std::nullopt;
  auto value = cookies.verify(*cookie);
  if (!value) return std::nullopt;
  return std::move(value).value();
}

// nullopt: leave the cookie alone; "": delete it; else set it, for 30 days.
void HttpServer::Impl::set_trust_device_cookie(Call& call, const std::optional<std::string>& value) const {
  if (!value) return;
  const std::string& name = names(call).trust_device;
  call.res.set_header("Set-Cookie", value->empty() ? http::make_delete_cookie(name, attrs(call))
                                                   : http::make_set_cookie(name, cookies.sign(*value),
                                                                           std::chrono::seconds(30 * 24 * 3600),
                                                                           attrs(call)));
}

// ---- routes -------------------------------------------------------------------------------------

void HttpServer::Impl::ok(Call& call) { send_json(call.res, 200, {{"ok", true}}); }

// POST get-session is BetterAuth's deferred refresh, which Portcullis does not offer (its GET
// refreshes in place): 405, as BetterAuth answers without session.deferSessionRefresh.
void HttpServer::Impl::get_session_post(Call& call) {
  send_error(call.res, Status(ErrorCode::kMethodNotAllowedDeferSessionRequired));
}

void HttpServer::Impl::error_page(Call& call) {
  const std::string code = html_escape(call.req.get_param_value("error"));
  const std::string description = html_escape(call.req.get_param_value("error_description"));
  call.res.status = 200;
  call.res.set_content("<!doctype html><html><head><meta charset=\"utf-8\"><title>Error</title></head><body>"
                       "<h1>Something went wrong</h1><p><code>" +
                           (code.empty() ? std::string("UNKNOWN") : code) + "</code></p><p>" + description +
                           "</p></body></html>",
                       "text/html; charset=utf-8");
}

void HttpServer::Impl::sign_up(Call& call) {
  std::vector<std::string_view> allowed = {"name", "email", "password", "image", "callbackURL", "rememberMe"};
  if (config.username) allowed.insert(allowed.end(), {"username", "displayUsername"});
  Fields f(call.body, allowed);
  auth::SignUpRequest r;
  r.username = f.optional_string("username");
  r.display_username = f.optional_string("displayUsername");
  r.name = f.required_string("name");
  r.email = f.required_string("email");
  r.password = f.required_string("password");
  r.image = f.optional_string("image");
  r.callback_url = f.optional_string("callbackURL");
  r.remember_me = f.optional_bool("rememberMe").value_or(true);
  if (!f.ok()) return send_error(call.res, f.status());
  PasswordCheck verdict;
  auto out = service.sign_up(r, call.caller, &verdict);
  if (!out) {
    if (out.status().code() == ErrorCode::kInvalidEmail) return send_error(call.res, invalid_email_field("email"));
    return send_password_error(call.res, out.status(), verdict);
  }
  ordered_json body;
  body["token"] = out->session ? ordered_json(out->session->token) : ordered_json(nullptr);
  body["user"] = user_of(out->user);
  if (out->session) set_session_cookie(call, *out->session, out->remember_me);
  send_json(call.res, 200, body);
}

void HttpServer::Impl::sign_in(Call& call) {
  Fields f(call.body, {"email", "password", "callbackURL", "rememberMe"});
  auth::SignInRequest r;
  r.email = f.required_string("email");
  r.password = f.required_string("password");
  r.callback_url = f.optional_string("callbackURL");
  r.remember_me = f.optional_bool("rememberMe").value_or(true);
  if (!f.ok()) return send_error(call.res, f.status());
  if (config.two_factor) r.trusted_device = signed_cookie(call, names(call).trust_device);
  answer_sign_in(call, service.sign_in(r, call.caller), r.callback_url);
}

void HttpServer::Impl::sign_in_username(Call& call) {
  Fields f(call.body, {"username", "password", "callbackURL", "rememberMe"});
  auth::SignInRequest r;
  r.username = f.required_string("username");
  r.password = f.required_string("password");
  r.callback_url = f.optional_string("callbackURL");
  r.remember_me = f.optional_bool("rememberMe").value_or(true);
  if (!f.ok()) return send_error(call.res, f.status());
  if (config.two_factor) r.trusted_device = signed_cookie(call, names(call).trust_device);
  auto out = service.sign_in_username(r, call.caller);
  if (!out && is_username_error(out.status().code())) return send_error(call.res, out.status(), 422);
  answer_sign_in(call, std::move(out), r.callback_url);
}

void HttpServer::Impl::is_username_available(Call& call) {
  Fields f(call.body, {"username"});
  const std::string username = f.required_string("username");
  if (!f.ok()) return send_error(call.res, f.status());
  auto available = service.username_available(username);
  if (!available) {
    const bool refused = is_username_error(available.status().code());
    return send_error(call.res, available.status(), refused ? 422 : 0);
  }
  send_json(call.res, 200, {{"available", *available}});
}

void HttpServer::Impl::answer_sign_in(Call& call, Result<auth::SignedIn> out,
                                      const std::optional<std::string>& callback, bool redirect_fields) {
  if (!out) return send_error(call.res, out.status());
  set_trust_device_cookie(call, out->trust_device);
  if (out->two_factor_challenge) {
    // BetterAuth's answer while the second factor is awaited: no session; the two_factor cookie
    // names the sign-in.
    set_two_factor_challenge_cookies(call, *out);
    ordered_json body;
    body["twoFactorRedirect"] = true;
    body["twoFactorMethods"] = out->two_factor_methods;
    return send_json(call.res, 200, body);
  }
  set_session_cookie(call, *out->session, out->remember_me);
  ordered_json body;
  if (redirect_fields) body["redirect"] = callback.has_value();
  body["token"] = out->session->token;
  if (callback && redirect_fields) {
    body["url"] = *callback;
    call.res.set_header("Location", *callback);
  }
  body["user"] = user_of(out->user);
  send_json(call.res, 200, body);
}

// The two_factor cookie names the sign-in, and dont_remember keeps its "remember me" for when it
// completes.
void HttpServer::Impl::set_two_factor_challenge_cookies(Call& call, const auth::SignedIn& out) {
  const http::CookieAttributes& a = attrs(call);
  call.res.set_header("Set-Cookie", http::make_set_cookie(names(call).two_factor, cookies.sign(*out.two_factor_challenge),
                                                          std::chrono::seconds(600), a));
  if (!out.remember_me) {
    call.res.set_header("Set-Cookie",
                        http::make_set_cookie(names(call).dont_remember, cookies.sign("true"), std::nullopt, a));
  }
}

void HttpServer::Impl::sign_out(Call& call) {
  if (const auto token = read_token(call)) (void)service.sign_out(token->value);
  clear_session_cookies(call);
  send_json(call.res, 200, {{"success", true}});
}

void HttpServer::Impl::get_session(Call& call) {
  call.res.set_header("Pragma", "no-cache");  // and Cache-Control: no-store, as every answer
  const auto token = read_token(call);
  if (!token) return send_json(call.res, 200, nullptr);
  // BetterAuth coerces the query value with Boolean(x): any non-empty value disables refresh.
  const bool disable_refresh = !call.req.get_param_value("disableRefresh").empty();
  const bool remember = !dont_remember(call);
  auto found = service.find_session(token->value, remember && !disable_refresh, call.caller.now);
  if (!found) return send_error(call.res, found.status());
  if (!found->auth) {
    clear_session_cookies(call);
    return send_json(call.res, 200, nullptr);
  }
  if (found->refreshed) set_session_cookie(call, found->auth->session, remember);
  call.res.status = 200;
  call.res.set_content(*session_bodies.get(found->auth->session, found->auth->user), "application/json");
}

void HttpServer::Impl::list_sessions(Call& call) {
  Authenticated auth;
  if (!require_session(call, auth)) return;
  auto sessions = service.list_sessions(auth, call.caller.now);
  if (!sessions) return send_error(call.res, sessions.status());
  ordered_json body = ordered_json::array();
  for (const Session& s : *sessions) body.push_back(session_of(s));
  send_json(call.res, 200, body);
}

void HttpServer::Impl::revoke_session(Call& call) {
  Fields f(call.body, {"token"});
  const std::string token = f.required_string("token");
  if (!f.ok()) return send_error(call.res, f.status());
  Authenticated auth;
  if (!require_session(call, auth)) return;
  if (Status s = service.revoke_session(auth, token); !s.ok()) return send_error(call.res, s);
  if (token == auth.session.token) clear_session_cookies(call);
  send_json(call.res, 200, {{"status", true}});
}

void HttpServer::Impl::revoke_sessions(Call& call) {
  Fields f(call.body, {});
  if (!f.ok()) return send_error(call.res, f.status());
  Authenticated auth;
  if (!require_session(call, auth)) return;
  if (Status s = service.revoke_sessions(auth, /*keep_current=*/false); !s.ok()) return send_error(call.res, s);
  clear_session_cookies(call);
  send_json(call.res, 200, {{"status", true}});
}

void HttpServer::Impl::revoke_other_sessions(Call& call) {
  Fields f(call.body, {});
  if (!f.ok()) return send_error(call.res, f.status());
  Authenticated auth;
  if (!require_session(call, auth)) return;
  if (Status s = service.revoke_sessions(auth, /*keep_current=*/true); !s.ok()) return send_error(call.res, s);
  send_json(call.res, 200, {{"status", true}});
}

void HttpServer::Impl::update_user(Call& call) {
  if (call.body.contains("email")) return send_error(call.res, Status(ErrorCode::kEmailCanNotBeUpdated));
  std::vector<std::string_view> allowed = {"name", "image"};
  if (config.username) allowed.insert(allowed.end(), {"username", "displayUsername"});
  Fields f(call.body, allowed);
  auth::UserUpdate update;
  update.name = f.optional_string("name");
  update.image = f.nullable_string("image");
  update.username = f.optional_string("username");
  update.display_username = f.optional_string("displayUsername");
  if (!f.ok()) return send_error(call.res, f.status());
  Authenticated auth;
  if (!require_session(call, auth)) return;
  auto user = service.update_user(auth, update, call.caller.now);
  if (!user) return send_error(call.res, user.status());
  set_session_cookie(call, auth.session, !auth.dont_remember);
  send_json(call.res, 200, {{"status", true}});
}

void HttpServer::Impl::change_password(Call& call) {
  Fields f(call.body, {"newPassword", "currentPassword", "revokeOtherSessions"});
  auth::ChangePasswordRequest r;
  r.new_password = f.required_string("newPassword");
  r.current_password = f.required_string("currentPassword");
  r.revoke_other_sessions = f.optional_bool("revokeOtherSessions").value_or(false);
  if (!f.ok()) return send_error(call.res, f.status());
  Authenticated auth;
  if (!require_session(call, auth)) return;
  PasswordCheck verdict;
  auto session = service.change_password(auth, r, call.caller, &verdict);
  if (!session) return send_password_error(call.res, session.status(), verdict);
  ordered_json body;
  body["token"] = *session ? ordered_json((*session)->token) : ordered_json(nullptr);
  body["user"] = user_of(auth.user);
  if (*session) set_session_cookie(call, **session, !auth.dont_remember);
  send_json(call.res, 200, body);
}

void HttpServer::Impl::change_email(Call& call) {
  Fields f(call.body, {"newEmail", "callbackURL"});
  const std::string new_email = f.required_string("newEmail");
  const auto callback = f.optional_string("callbackURL");
  if (!f.ok()) return send_error(call.res, f.status());
  Authenticated auth;
  if (!require_session(call, auth)) return;
  const Status s = service.change_email(auth, new_email, callback, call.caller.now);
  if (s.code() == ErrorCode::kInvalidEmail) return send_error(call.res, invalid_email_field("newEmail"));
  if (!s.ok()) return send_error(call.res, s);
  send_json(call.res, 200, {{"status", true}});
}

void HttpServer::Impl::delete_user(Call& call) {
  if (!config.delete_user_enabled) {
    call.res.status = 404;
    return;
  }
  Fields f(call.body, {"password", "token", "callbackURL"});
  auth::DeleteUserRequest r;
  r.password = f.optional_string("password");
  r.token = f.optional_string("token");
  r.callback_url = f.optional_string("callbackURL");
  if (!f.ok()) return send_error(call.res, f.status());
  Authenticated auth;
  if (!require_session(call, auth)) return;
  auto out = service.delete_user(auth, r, call.caller);
  if (!out) {
    const bool bad_token = out.status().code() == ErrorCode::kInvalidToken;
    return send_error(call.res, out.status(), bad_token ? 404 : 0);
  }
  if (*out == auth::DeleteOutcome::kVerificationSent) {
    return send_json(call.res, 200, {{"success", true}, {"message", "Verification email sent"}});
  }
  clear_session_cookies(call);
  send_json(call.res, 200, {{"success", true}, {"message", "User deleted"}});
}

// The link a deletion mail holds (deleteUserVerification). It needs the session of the user it
// was mailed to: the browser where that user is signed in.
void HttpServer::Impl::delete_user_callback(Call& call) {
  if (!config.delete_user_enabled) return send_error(call.res, Status(ErrorCode::kNotFound));
  const std::string callback = call.req.get_param_value("callbackURL");
  if (!callback.empty() && !origins.trusts_url(callback)) {
    return send_error(call.res, Status(ErrorCode::kInvalidCallbackUrl));
  }
  const auto auth = authenticate(call);
  if (!auth) return send_error(call.res, Status(ErrorCode::kFailedToGetUserInfo), 404);
  if (Status s = service.delete_user_with_token(*auth, call.req.get_param_value("token"), call.caller);
      !s.ok()) {
    return send_error(call.res, s, s.code() == ErrorCode::kInvalidToken ? 404 : 0);
  }
  clear_session_cookies(call);
  if (!callback.empty()) {
    call.res.status = 302;
    call.res.set_header("Location", callback);
    return;
  }
  send_json(call.res, 200, {{"success", true}, {"message", "User deleted"}});
}

void HttpServer::Impl::list_accounts(Call& call) {
  Authenticated auth;
  if (!require_session(call, auth)) return;
  auto accounts = service.list_accounts(auth);
  if (!accounts) return send_error(call.res, accounts.status());
  ordered_json body = ordered_json::array();
  for (const store::Account& a : *accounts) body.push_back(account_json(a));
  send_json(call.res, 200, body);
}

void HttpServer::Impl::unlink_account(Call& call) {
  Fields f(call.body, {"accountId"});
  const std::string account_id = f.required_string("accountId");
  if (!f.ok()) return send_error(call.res, f.status());
  Authenticated auth;
  if (!require_session(call, auth)) return;
  if (Status s = service.unlink_account(auth, account_id, call.caller.now); !s.ok()) return send_error(call.res, s);
  send_json(call.res, 200, {{"status", true}});
}

// BetterAuth updates the session's additional fields here; Portcullis's sessions have none, so
// there is never anything to update (and any field is unknown).
void HttpServer::Impl::update_session(Call& call) {
  Fields f(call.body, {});
  if (!f.ok()) return send_error(call.res, f.status());
  Authenticated auth;
  if (!require_session(call, auth)) return;
  send_error(call.res, Status(ErrorCode::kNoFieldsToUpdate));
}

void HttpServer::Impl::verify_password(Call& call) {
  Fields f(call.body, {"password"});
  const std::string password = f.required_string("password");
  if (!f.ok()) return send_error(call.res, f.status());
  Authenticated auth;
  if (!require_session(call, auth)) return;
  if (Status s = service.confirm_password(auth, password, call.caller.now); !s.ok()) return send_error(call.res, s);
  send_json(call.res, 200, {{"status", true}});
}

void HttpServer::Impl::request_password_reset(Call& call) {
  Fields f(call.body, {"email", "redirectTo"});
  const std::string email = f.required_string("email");
  const auto redirect_to = f.optional_string("redirectTo");
  if (!f.ok()) return send_error(call.res, f.status());
  const Status s = service.request_password_reset(email, redirect_to, call.caller.now);
  if (s.code() == ErrorCode::kInvalidEmail) return send_error(call.res, invalid_email_field("email"));
  if (!s.ok()) return send_error(call.res, s);
  ordered_json body;
  body["status"] = true;
  body["message"] = "If this email exists in our system, check your email for the reset link";
  send_json(call.res, 200, body);
}

// ---- e-mailed codes (--email-otp) ----

namespace {

// The type of an e-mailed code in a body, or a VALIDATION_ERROR in zod's words.
Result<auth::EmailOtpType> otp_type_field(const std::string& text) {
  if (auto type = auth::parse_email_otp_type(text)) return *type;
  return Status(ErrorCode::kValidationError,
                "[body.type] Invalid option: expected one of \"email-verification\"|\"sign-in\"|\"forget-password\"");
}

}  // namespace

void HttpServer::Impl::send_email_otp(Call& call) {
  Fields f(call.body, {"email", "type"});
  const std::string email = f.required_string("email");
  const std::string type_text = f.required_string("type");
  if (!f.ok()) return send_error(call.res, f.status());
  auto type = otp_type_field(type_text);
  if (!type) return send_error(call.res, type.status());
  if (Status s = service.send_email_otp(email, *type, call.caller); !s.ok()) return send_error(call.res, s);
  send_json(call.res, 200, {{"success", true}});
}

void HttpServer::Impl::check_email_otp(Call& call) {
  Fields f(call.body, {"email", "type", "otp"});
  const std::string email = f.required_string("email");
  const std::string type_text = f.required_string("type");
  const std::string otp = f.required_string("otp");
  if (!f.ok()) return send_error(call.res, f.status());
  auto type = otp_type_field(type_text);
  if (!type) return send_error(call.res, type.status());
  if (Status s = service.check_email_otp(email, *type, otp, call.caller); !s.ok()) return send_error(call.res, s);
  send_json(call.res, 200, {{"success", true}});
}

void HttpServer::Impl::verify_email_otp(Call& call) {
  Fields f(call.body, {"email", "otp"});
  const std::string email = f.required_string("email");
  const std::string otp = f.required_string("otp");
  if (!f.ok()) return send_error(call.res, f.status());
  auto out = service.verify_email_otp(email, otp, call.caller);
  if (!out) return send_error(call.res, out.status());
  if (out->session) set_session_cookie(call, *out->session, true);
  ordered_json body;
  body["status"] = true;
  body["token"] = out->session ? ordered_json(out->session->token) : ordered_json(nullptr);
  body["user"] = user_of(out->user);
  send_json(call.res, 200, body);
}

void HttpServer::Impl::sign_in_email_otp(Call& call) {
  Fields f(call.body, {"email", "otp", "name", "image", "rememberMe"});
  auth::EmailOtpSignIn r;
  r.email = f.required_string("email");
  r.otp = f.required_string("otp");
  r.name = f.optional_string("name");
  r.image = f.optional_string("image");
  r.remember_me = f.optional_bool("rememberMe").value_or(true);
  if (!f.ok()) return send_error(call.res, f.status());
  if (config.two_factor) r.trusted_device = signed_cookie(call, names(call).trust_device);
  answer_sign_in(call, service.sign_in_email_otp(r, call.caller), std::nullopt, /*redirect_fields=*/false);
}

void HttpServer::Impl::request_password_reset_email_otp(Call& call) {
  Fields f(call.body, {"email"});
  const std::string email = f.required_string("email");
  if (!f.ok()) return send_error(call.res, f.status());
  const Status s = service.send_email_otp(email, auth::EmailOtpType::kForgetPassword, call.caller);
  if (!s.ok()) return send_error(call.res, s);
  send_json(call.res, 200, {{"success", true}});
}

void HttpServer::Impl::reset_password_email_otp(Call& call) {
  Fields f(call.body, {"email", "otp", "password"});
  const std::string email = f.required_string("email");
  const std::string otp = f.required_string("otp");
  const std::string password = f.required_string("password");
  if (!f.ok()) return send_error(call.res, f.status());
  PasswordCheck verdict;
  const Status s = service.reset_password_email_otp(email, otp, password, call.caller, &verdict);
  if (!s.ok()) return send_password_error(call.res, s, verdict);
  send_json(call.res, 200, {{"success", true}});
}

// ---- sign-in links (--magic-link) ----

void HttpServer::Impl::sign_in_magic_link(Call& call) {
  // "metadata" is BetterAuth's, for its sendMagicLink callback: taken and not used.
  Fields f(call.body, {"email", "name", "callbackURL", "newUserCallbackURL", "errorCallbackURL", "metadata"});
  auth::MagicLinkRequest r;
  r.email = f.required_string("email");
  r.name = f.optional_string("name");
  r.callback_url = f.optional_string("callbackURL");
  r.new_user_callback_url = f.optional_string("newUserCallbackURL");
  r.error_callback_url = f.optional_string("errorCallbackURL");
  if (!f.ok()) return send_error(call.res, f.status());
  for (const auto& [url, refused] : {std::pair{&r.callback_url, ErrorCode::kInvalidCallbackUrl},
                                     {&r.new_user_callback_url, ErrorCode::kInvalidNewUserCallbackUrl},
                                     {&r.error_callback_url, ErrorCode::kInvalidErrorCallbackUrl}}) {
    if (*url && !origins.trusts_url(**url)) return send_error(call.res, Status(refused));
  }
  const Status s = service.send_magic_link(r, call.caller);
  if (s.code() == ErrorCode::kInvalidEmail) return send_error(call.res, invalid_email_field("email"));
  if (!s.ok()) return send_error(call.res, s);
  send_json(call.res, 200, {{"status", true}});
}

// As BetterAuth: success redirects to callbackURL (newUserCallbackURL for a new account), an
// error to errorCallbackURL (else callbackURL, else the base URL's /) with ?error=CODE; without
// callbackURL, success answers {"token","user","session"}. Beyond it: a user with the second
// factor on gets the two_factor cookie and, instead of a session, callbackURL with
// ?twoFactorRedirect=true (without callbackURL: sign-in's {"twoFactorRedirect":true,...}).
void HttpServer::Impl::verify_magic_link(Call& call) {
  const auto param = [&](const char* key) -> std::optional<std::string> {
    if (!call.req.has_param(key)) return std::nullopt;
    return call.req.get_param_value(key);
  };
  const auto callback = param("callbackURL");
  const auto new_user_callback = param("newUserCallbackURL");
  const auto error_callback = param("errorCallbackURL");
  for (const auto& [url, refused] : {std::pair{&callback, ErrorCode::kInvalidCallbackUrl},
                                     {&new_user_callback, ErrorCode::kInvalidNewUserCallbackUrl},
                                     {&error_callback, ErrorCode::kInvalidErrorCallbackUrl}}) {
    if (*url && !origins.trusts_url(**url)) return send_error(call.res, Status(refused));
  }
  // A relative URL is resolved against the base URL, as BetterAuth's new URL(url, baseURL).
  const auto absolute = [&](const std::string& url) { return url.starts_with("/") ? config.origin + url : url; };
  const auto with_param = [](const std::string& url, const std::string& key, const std::string& value) {
    return url + (url.find('?') == std::string::npos ? '?' : '&') + key + "=" + percent_encode_component(value);
  };
  const auto redirect = [&](const std::string& location) {
    call.res.status = 302;
    call.res.set_header("Location", location);
  };
  const std::string success = absolute(callback.value_or("/"));

  std::optional<std::string> trusted_device;
  if (config.two_factor) trusted_device = signed_cookie(call, names(call).trust_device);
  auto out = service.verify_magic_link(param("token").value_or(""), trusted_device, call.caller);
  if (!out) {
    const ErrorCode c = out.status().code();
    if (c == ErrorCode::kNotFound) return send_error(call.res, out.status());
    const std::string error = c == ErrorCode::kNewUserSignupDisabled ? std::string("new_user_signup_disabled")
                                                                     : std::string(out.status().code_name());
    return redirect(with_param(error_callback ? absolute(*error_callback) : success, "error", error));
  }
  const auth::SignedIn& in = out->signed_in;
  set_trust_device_cookie(call, in.trust_device);
  if (in.two_factor_challenge) {
    set_two_factor_challenge_cookies(call, in);
    if (callback) return redirect(with_param(success, "twoFactorRedirect", "true"));
    ordered_json body;
    body["twoFactorRedirect"] = true;
    body["twoFactorMethods"] = in.two_factor_methods;
    return send_json(call.res, 200, body);
  }
  set_session_cookie(call, *in.session, in.remember_me);
  if (callback) return redirect(out->new_user && new_user_callback ? absolute(*new_user_callback) : success);
  ordered_json body;
  body["token"] = in.session->token;
  body["user"] = user_of(in.user);
  body["session"] = session_json(*in.session, config.admin);
  send_json(call.res, 200, body);
}

void HttpServer::Impl::reset_password_redirect(Call& call) {
  const std::string token = call.req.path.substr(config.base_path.size() + 16);
  if (!call.req.has_param("callbackURL")) {
    return send_error(call.res, Status(ErrorCode::kValidationError,
                                       "[query.callbackURL] Invalid input: expected string, received undefined"));
  }
  std::string callback = call.req.get_param_value("callbackURL");
  if (!origins.trusts_url(callback)) return send_error(call.res, Status(ErrorCode::kInvalidCallbackUrl));
  // As BetterAuth (new URL(callbackURL, baseURL)): a relative path is resolved against the base URL.
  if (callback.front() == '/') callback = config.origin + callback;
  const char sep = callback.find('?') == std::string::npos ? '?' : '&';
  const std::string location = service.reset_token_is_valid(token, call.caller.now)
                                   ? callback + sep + "token=" + percent_encode_component(token)
                                   : callback + sep + "error=INVALID_TOKEN";
  call.res.status = 302;
  call.res.set_header("Location", location);
  call.res.set_header("Content-Type", "application/json");
}

void HttpServer::Impl::reset_password(Call& call) {
  Fields f(call.body, {"newPassword", "token"});
  const std::string new_password = f.required_string("newPassword");
  std::string token = f.optional_string("token").value_or(call.req.get_param_value("token"));
  if (!f.ok()) return send_error(call.res, f.status());
  PasswordCheck verdict;
  const Status s = service.reset_password(token, new_password, call.caller, &verdict);
  if (!s.ok()) return send_password_error(call.res, s, verdict);
  send_json(call.res, 200, {{"status", true}});
}

void HttpServer::Impl::send_verification_email(Call& call) {
  Fields f(call.body, {"email", "callbackURL"});
  const std::string email = f.required_string("email");
  const auto callback = f.optional_string("callbackURL");
  if (!f.ok()) return send_error(call.res, f.status());
  const Status s = service.send_verification_email(authenticate(call), email, callback, call.caller.now);
  if (s.code() == ErrorCode::kInvalidEmail) return send_error(call.res, invalid_email_field("email"));
  if (!s.ok()) return send_error(call.res, s);
  send_json(call.res, 200, {{"status", true}});
}

void HttpServer::Impl::verify_email(Call& call) {
  const std::string callback = call.req.get_param_value("callbackURL");
  if (!callback.empty() && !origins.trusts_url(callback)) {
    return send_error(call.res, Status(ErrorCode::kInvalidCallbackUrl));
  }
  auto out = service.verify_email(call.req.get_param_value("token"), call.caller,
                                  callback.empty() ? std::nullopt : std::optional<std::string>(callback));
  if (!callback.empty()) {
    const char sep = callback.find('?') == std::string::npos ? '?' : '&';
    if (out.ok() && out->session) set_session_cookie(call, *out->session, true);
    call.res.status = 302;
    call.res.set_header("Location", out.ok() ? callback : callback + sep + "error=" + std::string(out.status().code_name()));
    call.res.set_header("Content-Type", "application/json");
    return;
  }
  if (!out) {
    const ErrorCode c = out.status().code();
    const bool token_problem = c == ErrorCode::kInvalidToken || c == ErrorCode::kTokenExpired ||
                               c == ErrorCode::kUserNotFound || c == ErrorCode::kInvalidUser;
    return send_error(call.res, out.status(), token_problem ? 401 : 0);
  }
  if (out->session) set_session_cookie(call, *out->session, true);
  // As BetterAuth: a confirmation from the old address answers {"status":true} alone.
  if (out->confirmation_sent) return send_json(call.res, 200, {{"status", true}});
  ordered_json body;
  body["status"] = true;
  // As BetterAuth: the user object only when a change-email link was followed.
  body["user"] = out->email_changed ? user_of(out->user) : ordered_json(nullptr);
  send_json(call.res, 200, body);
}

// ---- the server ---------------------------------------------------------------------------------

HttpServer::HttpServer(const Config& config, auth::AuthService& service, store::Store& store)
    : impl_(std::make_unique<Impl>(config, service, store)) {
  httplib::Server& http = impl_->http;
  // cpp-httplib's defaults cost two orders of magnitude: Nagle's algorithm stalls small responses
  // by 40 ms, and keep-alive connections are closed after 5 requests.
  http.set_tcp_nodelay(true);
  http.set_keep_alive_max_count(1000000);
  http.set_socket_options(reuse_address_only);
  http.set_keep_alive_timeout(config.keep_alive_timeout.count());
  http.set_read_timeout(config.read_timeout.count(), 0);
  http.set_write_timeout(config.read_timeout.count(), 0);
  http.set_payload_max_length(config.body_limit);

  http.set_pre_routing_handler([](const httplib::Request&, httplib::Response& res) {
    t_request_start = std::chrono::steady_clock::now();
    res.set_header("X-Request-Id", next_request_id());
    return httplib::Server::HandlerResponse::Unhandled;
  });
  // Errors cpp-httplib raises itself (body over the limit, unparsable request) get the contract's
  // JSON shape; 404s stay empty, as BetterAuth's. Bodies the routes wrote are kept.
  http.set_error_handler(httplib::Server::HandlerWithResponse(
      [](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        if (res.status == 413) send_error(res, Status(ErrorCode::kPayloadTooLarge));
        else if (res.status == 400) send_error(res, Status(ErrorCode::kBadRequest, "Bad request"));
        return httplib::Server::HandlerResponse::Unhandled;
      }));
  if (config.access_log || config.metrics) {
    // One JSON line per request. The path is logged without its query string, which can hold
    // tokens; bodies and cookies are never logged.
    http.set_logger([impl = impl_.get()](const httplib::Request& req, const httplib::Response& res) {
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                                   t_request_start)
                            .count();
      if (impl->metrics) {
        impl->metrics->record(impl->metrics->route_index(impl->route_label(req.path)), req.method, res.status,
                              ms / 1000);
      }
      if (!impl->config.access_log) return;
      ordered_json line;
      line["time"] = format_iso8601(store::now_ms());
      line["msg"] = "request";
      line["id"] = res.get_header_value("X-Request-Id");
      line["method"] = req.method;
      line["path"] = req.path;
      line["status"] = res.status;
      line["ms"] = static_cast<double>(static_cast<long long>(ms * 100)) / 100;
      line["ip"] = impl->proxies.client_address(req.remote_addr, req.get_header_value("X-Forwarded-For"));
      const std::string text = json_text(line) + "\n";
      std::fwrite(text.data(), 1, text.size(), stdout);
      std::fflush(stdout);
    });
  }
  if (!config.static_dir.empty()) http.set_mount_point("/", config.static_dir);
  impl_->install();
  if (config.metrics) {
    std::vector<std::string> routes;
    for (const auto& [path, handler] : impl_->get_routes) routes.push_back(path);
    for (const auto& [path, handler] : impl_->post_routes) {
      if (!impl_->get_routes.contains(path)) routes.push_back(path);
    }
    routes.emplace_back("/reset-password/:token");
    std::sort(routes.begin(), routes.end());
    const double start = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    impl_->metrics = std::make_unique<http::Metrics>(routes, std::string(kVersion), start);
    const auth::AuthService& svc = impl_->service;
    impl_->metrics->add_value("portcullis_hash_jobs", "Password hashes queued or running now.", false,
                              [&svc] { return static_cast<double>(svc.hashes_in_progress()); });
    impl_->metrics->add_value("portcullis_hash_workers", "Threads that hash passwords.", false,
                              [&svc] { return static_cast<double>(svc.hash_workers()); });
    impl_->metrics->add_value("portcullis_mail_queued", "Mail waiting or being sent now.", false,
                              [&svc] { return static_cast<double>(svc.mail_queued()); });
    impl_->metrics->add_value("portcullis_mail_dropped_total",
                              "Mail dropped: refused by a full queue, or given up after every retry.", true,
                              [&svc] { return static_cast<double>(svc.mail_dropped()); });
    if (!config.breached_passwords.empty()) {
      impl_->metrics->add_value("portcullis_breached_password_checks_total",
                                "New passwords looked up in the breached-password list.", true, [&svc] {
                                  const auto c = svc.breached_password_counts();
                                  return static_cast<double>(c.clean + c.seen + c.unavailable);
                                });
      impl_->metrics->add_value("portcullis_breached_password_seen_total",
                                "New passwords the list had seen (refused when seen often enough).", true,
                                [&svc] { return static_cast<double>(svc.breached_password_counts().seen); });
      impl_->metrics->add_value("portcullis_breached_password_check_failures_total",
                                "Lookups the list did not answer (the password was refused with 503).", true,
                                [&svc] { return static_cast<double>(svc.breached_password_counts().unavailable); });
    }
  }
}

std::string_view HttpServer::Impl::route_label(const std::string& path) const {
  const std::string_view p(path);
  if (!p.starts_with(config.base_path)) return "other";
  const std::string_view route = p.substr(config.base_path.size());
  constexpr std::string_view kResetLink = "/reset-password/";
  if (route.starts_with(kResetLink) && route.size() > kResetLink.size()) return "/reset-password/:token";
  return route;
}

void HttpServer::Impl::start_metrics() {
  metrics_http.set_tcp_nodelay(true);
  metrics_http.set_socket_options(reuse_address_only);  // a port in use is refused, as the public one
  metrics_http.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics->render(), "text/plain; version=0.0.4; charset=utf-8");
  });
  // Readiness, for a load balancer or an orchestrator: the database answers (one round trip).
  // Liveness is any answer of this listener.
  metrics_http.Get("/ready", [this](const httplib::Request&, httplib::Response& res) {
    const auto version = store.schema_version();
    res.set_header("Cache-Control", "no-store");
    if (version.ok()) return send_json(res, 200, {{"ready", true}, {"schemaVersion", *version}});
    send_json(res, 503, {{"ready", false}, {"reason", "the database does not answer"}});
  });
  metrics_port = config.metrics_port == 0 ? metrics_http.bind_to_any_port(config.metrics_host)
                                          : (metrics_http.bind_to_port(config.metrics_host, config.metrics_port)
                                                 ? config.metrics_port
                                                 : -1);
  if (metrics_port <= 0) return;
  metrics_thread = std::thread([this] { metrics_http.listen_after_bind(); });
  // Serving before bind() returns, so that a stop() can never come before it and be missed.
  while (!metrics_http.is_running()) std::this_thread::yield();
}

HttpServer::~HttpServer() = default;

void HttpServer::report_session_cache(std::shared_ptr<const store::SessionCacheCounters> counters) {
  if (!impl_->metrics || !counters) return;
  impl_->metrics->add_value("portcullis_session_cache_hits_total", "get-session lookups answered from memory.", true,
                            [counters] { return static_cast<double>(counters->hits.load(std::memory_order_relaxed)); });
  impl_->metrics->add_value("portcullis_session_cache_misses_total", "Session lookups that read the database.", true,
                            [counters] { return static_cast<double>(counters->misses.load(std::memory_order_relaxed)); });
  impl_->metrics->add_value("portcullis_session_cache_entries", "Sessions the cache keeps now.", false,
                            [counters] { return static_cast<double>(counters->entries.load(std::memory_order_relaxed)); });
}

int HttpServer::bind() {
  const Config& c = impl_->config;
  const int port = c.port == 0 ? impl_->http.bind_to_any_port(c.host)
                               : (impl_->http.bind_to_port(c.host, c.port) ? c.port : -1);
  // The kernel's maximum (net.core.somaxconn) rather than httplib's 5.
  impl_->bound = port > 0 && impl_->http.set_backlog(SOMAXCONN);
  if (impl_->bound && impl_->metrics) {
    impl_->start_metrics();
    if (impl_->metrics_port < 0) impl_->bound = false;
  }
  return impl_->bound ? port : -1;
}

void HttpServer::reload_origin() {
  impl_->origins = http::TrustedOrigins(impl_->config.origin, impl_->config.trusted_origins);
}

bool HttpServer::listen() {
  const bool served = impl_->bound && impl_->http.serve(static_cast<std::size_t>(impl_->config.threads));
  impl_->stop_metrics();
  return served;
}

int HttpServer::metrics_port() const { return impl_->metrics_port; }

bool HttpServer::is_running() const { return impl_->http.is_running(); }

void HttpServer::stop() { impl_->http.stop(); }

// ---- the two-factor plugin ----------------------------------------------------------------------

void HttpServer::Impl::enable_two_factor(Call& call) {
  Fields f(call.body, {"password", "issuer", "method"});
  const std::string password = f.required_string("password");
  const auto issuer = f.optional_string("issuer");
  const auto method = f.optional_string("method").value_or("totp");
  if (f.ok() && method != "totp" && method != "otp") {
    return send_error(call.res, Status(ErrorCode::kValidationError,
                                       "[body.method] Invalid option: expected one of \"otp\"|\"totp\""));
  }
  if (!f.ok()) return send_error(call.res, f.status());
  Authenticated auth;
  if (!require_session(call, auth)) return;
  if (method == "otp") {  // codes by e-mail (--two-factor-otp): on at once, no app, no backup codes
    auto session = service.enable_two_factor_otp(auth, password, call.caller);
    if (!session) return send_error(call.res, session.status());
    set_session_cookie(call, *session, !auth.dont_remember);
    return send_json(call.res, 200, {{"method", "otp"}});
  }
  auto setup = service.enable_two_factor(auth, password, issuer, call.caller);
  if (!setup) return send_error(call.res, setup.status());
  ordered_json body;
  body["method"] = "totp";
  body["totpURI"] = setup->totp_uri;
  body["backupCodes"] = setup->backup_codes;
  send_json(call.res, 200, body);
}

void HttpServer::Impl::get_totp_uri(Call& call) {
  Fields f(call.body, {"password"});
  const std::string password = f.required_string("password");
  if (!f.ok()) return send_error(call.res, f.status());
  Authenticated auth;
  if (!require_session(call, auth)) return;
  auto uri = service.totp_uri(auth, password, call.caller.now);
  if (!uri) return send_error(call.res, uri.status());
  send_json(call.res, 200, {{"totpURI", *uri}});
}

// ---- BetterAuth's jwt plugin (--jwt) --------------------------------------------------------------

// The keys that verify /token's tokens: {"keys": [JWK, ...]}.
void HttpServer::Impl::jwks(Call& call) {
  auto body = service.jwks(call.caller.now);
  if (!body) return send_error(call.res, body.status());
  call.res.status = 200;
  call.res.set_content(*body, "application/json");
}

// {"token": "<JWT>"}: the signed-in user's claims (get-session's user), for 15 minutes.
void HttpServer::Impl::token(Call& call) {
  Authenticated auth;
  if (!require_session(call, auth)) return;
  auto jwt = service.session_jwt(auth, user_of(auth.user), call.caller.now);
  if (!jwt) return send_error(call.res, jwt.status());
  send_json(call.res, 200, {{"token", *jwt}});
}

// Portcullis's own: {"methods": ["totp", "otp"]}, what the signed-in user's sign-ins ask for.
void HttpServer::Impl::two_factor_methods(Call& call) {
  Authenticated auth;
  if (!require_session(call, auth)) return;
  auto methods = service.two_factor_methods(auth);
  if (!methods) return send_error(call.res, methods.status());
  send_json(call.res, 200, {{"methods", *methods}});
}

void HttpServer::Impl::verify_totp(Call& call) { verify_second_factor(call, auth::SecondFactorKind::kTotp); }

void HttpServer::Impl::verify_otp(Call& call) { verify_second_factor(call, auth::SecondFactorKind::kOtp); }

// send-otp: mails a code for the sign-in the two_factor cookie names, or to the signed-in user.
// BetterAuth's body takes a trustDevice that it ignores (verify-otp's decides).
void HttpServer::Impl::send_otp(Call& call) {
  Fields f(call.body, {"trustDevice"});
  (void)f.optional_bool("trustDevice");
  if (!f.ok()) return send_error(call.res, f.status());
  const auto auth = authenticate(call);
  const auto challenge = auth ? std::nullopt : signed_cookie(call, names(call).two_factor);
  if (Status s = service.send_two_factor_otp(auth, challenge, call.caller); !s.ok()) return send_error(call.res, s);
  send_json(call.res, 200, {{"status", true}});
}

void HttpServer::Impl::verify_backup_code(Call& call) {
  verify_second_factor(call, auth::SecondFactorKind::kBackupCode);
}

// verify-totp, verify-backup-code and verify-otp: a signed-in user's code, or a sign-in's second step (the
// two_factor cookie). Either answers {"token", "user"}, BetterAuth's shape.
void HttpServer::Impl::verify_second_factor(Call& call, auth::SecondFactorKind kind) {
  const bool backup = kind == auth::SecondFactorKind::kBackupCode;
  Fields f(call.body, backup ? std::initializer_list<std::string_view>{"code", "trustDevice", "disableSession"}
                             : std::initializer_list<std::string_view>{"code", "trustDevice"});
  auth::SecondFactorRequest r;
  r.code = f.required_string("code");
  r.trust_device = f.optional_bool("trustDevice").value_or(false);
  if (backup) r.disable_session = f.optional_bool("disableSession").value_or(false);
  if (!f.ok()) return send_error(call.res, f.status());
  const auto auth = authenticate(call);
  const std::string& challenge_cookie = names(call).two_factor;
  if (!auth) {
    r.challenge = signed_cookie(call, challenge_cookie);
    r.dont_remember = dont_remember(call);
  }
  auto out = service.verify_second_factor(auth, r, kind, call.caller);
  if (!out) {
    // A sign-in that can no longer complete: its cookie goes.
    const ErrorCode code = out.status().code();
    if (!auth && (code == ErrorCode::kTooManyAttemptsRequestNewCode || code == ErrorCode::kInvalidTwoFactorCookie)) {
      call.res.set_header("Set-Cookie", http::make_delete_cookie(challenge_cookie, attrs(call)));
    }
    return send_error(call.res, out.status());
  }
  if (!auth) call.res.set_header("Set-Cookie", http::make_delete_cookie(challenge_cookie, attrs(call)));
  if (out->new_session) set_session_cookie(call, *out->session, out->remember_me);
  if (out->trust_device) {
    set_trust_device_cookie(call, out->trust_device);
    // As BetterAuth: a trusted browser's session is not limited to the browser session.
    call.res.set_header("Set-Cookie", http::make_delete_cookie(names(call).dont_remember, attrs(call)));
  }
  ordered_json body;
  body["token"] = out->session ? ordered_json(out->session->token) : ordered_json(nullptr);
  body["user"] = user_of(out->user);
  send_json(call.res, 200, body);
}

void HttpServer::Impl::disable_two_factor(Call& call) {
  Fields f(call.body, {"password"});
  const std::string password = f.required_string("password");
  if (!f.ok()) return send_error(call.res, f.status());
  Authenticated auth;
  if (!require_session(call, auth)) return;
  const auto trusted = signed_cookie(call, names(call).trust_device);
  auto session = service.disable_two_factor(auth, password, trusted, call.caller);
  if (!session) return send_error(call.res, session.status());
  set_session_cookie(call, *session, !auth.dont_remember);
  if (trusted) set_trust_device_cookie(call, "");
  send_json(call.res, 200, {{"status", true}});
}

void HttpServer::Impl::generate_backup_codes(Call& call) {
  Fields f(call.body, {"password"});
  const std::string password = f.required_string("password");
  if (!f.ok()) return send_error(call.res, f.status());
  Authenticated auth;
  if (!require_session(call, auth)) return;
  auto codes = service.regenerate_backup_codes(auth, password, call.caller);
  if (!codes) return send_error(call.res, codes.status());
  ordered_json body;
  body["status"] = true;
  body["backupCodes"] = *codes;
  send_json(call.res, 200, body);
}

// ---- the admin plugin's routes (--admin) --------------------------------------------------------

namespace {

// An admin route's error, with the statuses BetterAuth's admin plugin gives: an unknown user is
// 404 there, and a taken address 400.
void admin_error(httplib::Response& res, const Status& s) {
  if (s.code() == ErrorCode::kUserNotFound) return send_error(res, s, 404);
  if (s.code() == ErrorCode::kUserAlreadyExistsUseAnotherEmail) return send_error(res, s, 400);
  send_error(res, s);
}

// A role field: a string or an array of strings (BetterAuth's union). Absent: nullopt, and
// `error` stays OK; an array holding anything but strings: INVALID_ROLE_TYPE; another type:
// VALIDATION_ERROR.
std::optional<std::vector<std::string>> roles_field(const json& body, const char* key, Status& error) {
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

// A whole number of seconds in [1, 100 years], as JSON gives it (BetterAuth's banExpiresIn).
std::optional<std::chrono::seconds> seconds_field(const json& body, const char* key, Status& error) {
  const auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::nullopt;
  constexpr double kMax = 100.0 * 366 * 86400;
  if (!it->is_number() || !(it->get<double>() >= 1) || it->get<double>() > kMax) {
    error = Status(ErrorCode::kValidationError,
                   std::string("[body.") + key + "] Invalid input: expected a number of seconds from 1 to " +
                       std::to_string(static_cast<std::int64_t>(kMax)));
    return std::nullopt;
  }
  return std::chrono::seconds(static_cast<std::int64_t>(it->get<double>()));
}

// The query's fields BetterAuth's list-users names, as the store's.
std::optional<store::UserField> user_field(const std::string& name) {
  static const std::pair<std::string_view, store::UserField> kNames[] = {
      {"id", store::UserField::kId},
      {"name", store::UserField::kName},
      {"email", store::UserField::kEmail},
      {"emailVerified", store::UserField::kEmailVerified},
      {"role", store::UserField::kRole},
      {"banned", store::UserField::kBanned},
      {"createdAt", store::UserField::kCreatedAt},
      {"updatedAt", store::UserField::kUpdatedAt},
  };
  for (const auto& [n, f] : kNames) {
    if (n == name) return f;
  }
  return std::nullopt;
}

constexpr std::size_t kDefaultListLimit = 100;
constexpr std::size_t kMaxListLimit = 1000;

// list-users' query string as a store query. Errors: VALIDATION_ERROR, saying which parameter.
Result<store::UserQuery> list_users_query(const httplib::Request& req) {
  store::UserQuery q;
  q.limit = kDefaultListLimit;
  auto bad = [](const std::string& what) { return Status(ErrorCode::kValidationError, "[query." + what); };
  auto param = [&](const char* key) -> std::optional<std::string> {
    if (!req.has_param(key)) return std::nullopt;
    return req.get_param_value(key);
  };
  auto count = [](const std::string& text, std::size_t& out) {
    std::uint64_t n = 0;
    if (!parse_decimal(text, 9, n)) return false;
    out = static_cast<std::size_t>(n);
    return true;
  };
  if (auto v = param("searchValue"); v && !v->empty()) q.search = *v;
  if (auto v = param("searchField")) {
    if (*v == "email") q.search_field = store::UserField::kEmail;
    else if (*v == "name") q.search_field = store::UserField::kName;
    else return bad("searchField] Invalid option: expected one of \"email\"|\"name\"");
  }
  if (auto v = param("searchOperator")) {
    if (*v == "contains") q.search_match = store::TextMatch::kContains;
    else if (*v == "starts_with") q.search_match = store::TextMatch::kStartsWith;
    else if (*v == "ends_with") q.search_match = store::TextMatch::kEndsWith;
    else return bad("searchOperator] Invalid option: expected one of \"contains\"|\"starts_with\"|\"ends_with\"");
  }
  if (auto v = param("limit")) {
    if (!count(*v, q.limit) || q.limit == 0) return bad("limit] Invalid input: expected a whole number from 1");
    q.limit = std::min(q.limit, kMaxListLimit);
  }
  if (auto v = param("offset"); v && !count(*v, q.offset)) {
    return bad("offset] Invalid input: expected a whole number from 0");
  }
  if (auto v = param("sortBy")) {
    const auto field = user_field(*v);
    if (!field) return bad("sortBy] Invalid option: expected a field of the user");
    q.sort_by = *field;
  }
  if (auto v = param("sortDirection")) {
    if (*v != "asc" && *v != "desc") return bad("sortDirection] Invalid option: expected one of \"asc\"|\"desc\"");
    q.descending = *v == "desc";
  }
  if (auto v = param("filterValue")) {
    q.filter_value = *v;
    if (auto f = param("filterField")) {
      const auto field = user_field(*f);
      if (!field || *field == store::UserField::kCreatedAt || *field == store::UserField::kUpdatedAt) {
        return bad("filterField] Invalid option: expected one of \"id\"|\"name\"|\"email\"|\"emailVerified\"|"
                   "\"role\"|\"banned\"");
      }
      q.filter_field = *field;
    }
    const bool boolean = q.filter_field == store::UserField::kEmailVerified || q.filter_field == store::UserField::kBanned;
    if (boolean && *v != "true" && *v != "false") return bad("filterValue] Invalid input: expected true or false");
    if (auto op = param("filterOperator")) {
      if (*op != "eq" && *op != "ne") return bad("filterOperator] Invalid option: expected one of \"eq\"|\"ne\"");
      q.filter_negate = *op == "ne";
    }
  }
  return q;
}

// has-permission's "permissions" (or "permission"): {resource: [action, ...]}. Errors:
// VALIDATION_ERROR.
Result<auth::Permissions> permissions_field(const json& body) {
  const bool plural = body.contains("permissions");
  if (plural == body.contains("permission")) {
    return Status(ErrorCode::kValidationError, "[body] Invalid input: expected exactly one of permission, permissions");
  }
  const json& value = body.at(plural ? "permissions" : "permission");
  const Status wrong(ErrorCode::kValidationError, std::string("[body.") + (plural ? "permissions" : "permission") +
                                                      "] Invalid input: expected an object of arrays of strings");
  if (!value.is_object()) return wrong;
  auth::Permissions out;
  for (const auto& [resource, actions] : value.items()) {
    if (!actions.is_array()) return wrong;
    std::vector<std::string> list;
    for (const json& a : actions) {
      if (!a.is_string()) return wrong;
      list.push_back(a.get<std::string>());
    }
    out.emplace_back(resource, std::move(list));
  }
  return out;
}

}  // namespace

void HttpServer::Impl::admin_list_users(Call& call) {
  auto query = list_users_query(call.req);
  if (!query) return send_error(call.res, query.status());
  Authenticated auth;
  if (!require_session(call, auth)) return;
  auto page = service.admin_list_users(auth, *query);
  if (!page) return admin_error(call.res, page.status());
  ordered_json users = ordered_json::array();
  for (const User& u : page->users) users.push_back(user_of(u));
  send_json(call.res, 200,
            {{"users", std::move(users)}, {"total", page->total}, {"limit", query->limit}, {"offset", query->offset}});
}

void HttpServer::Impl::admin_get_user(Call& call) {
  if (!call.req.has_param("id")) {
    return send_error(call.res,
                      Status(ErrorCode::kValidationError, "[query.id] Invalid input: expected string, received undefined"));
  }
  Authenticated auth;
  if (!require_session(call, auth)) return;
  auto user = service.admin_get_user(auth, call.req.get_param_value("id"));
  if (!user) return admin_error(call.res, user.status());
  send_json(call.res, 200, user_of(*user));
}

void HttpServer::Impl::admin_create_user(Call& call) {
  Fields f(call.body, {"email", "password", "name", "role", "data"});
  auth::NewUser r;
  r.email = f.required_string("email");
  r.password = f.required_string("password");
  r.name = f.required_string("name");
  Status roles_error;
  auto roles = roles_field(call.body, "role", roles_error);
  const json data = call.body.contains("data") ? call.body["data"] : json::object();
  if (!data.is_object()) {
    return send_error(call.res, Status(ErrorCode::kValidationError,
                                       std::string("[body.data] Invalid input: expected object, received ") + js_type(data)));
  }
  std::vector<std::string_view> allowed = {"emailVerified", "image", "role"};
  if (config.username) allowed.insert(allowed.end(), {"username", "displayUsername"});
  Fields d(data, allowed);
  r.email_verified = d.optional_bool("emailVerified").value_or(false);
  r.image = d.nullable_string("image").value_or(std::nullopt);
  r.username = d.optional_string("username");
  r.display_username = d.optional_string("displayUsername");
  if (!roles && roles_error.ok()) roles = roles_field(data, "role", roles_error);
  if (!f.ok()) return send_error(call.res, f.status());
  if (!d.ok()) return send_error(call.res, nested_fields(d.status(), "data"));
  if (!roles_error.ok()) return send_error(call.res, roles_error);
  if (roles) r.roles = std::move(*roles);
  if (r.roles.empty() && roles) return send_error(call.res, Status(ErrorCode::kInvalidRoleType));
  Authenticated auth;
  if (!require_session(call, auth)) return;
  PasswordCheck verdict;
  auto user = service.admin_create_user(auth, r, call.caller, &verdict);
  if (!user) {
    if (user.status().code() == ErrorCode::kPasswordTooWeak) return send_password_error(call.res, user.status(), verdict);
    return admin_error(call.res, user.status());
  }
  send_json(call.res, 200, {{"user", user_of(*user)}});
}

void HttpServer::Impl::admin_update_user(Call& call) {
  Fields f(call.body, {"userId", "data"});
  const std::string user_id = f.required_string("userId");
  if (!f.ok()) return send_error(call.res, f.status());
  const auto data = call.body.find("data");
  if (data == call.body.end() || !data->is_object()) {
    return send_error(call.res, Status(ErrorCode::kValidationError,
                                       std::string("[body.data] Invalid input: expected object, received ") +
                                           (data == call.body.end() ? "undefined" : js_type(*data))));
  }
  if (data->contains("password")) return send_error(call.res, Status(ErrorCode::kPasswordCannotBeUpdatedViaUpdateUser));
  if (data->contains("id")) return send_error(call.res, Status(ErrorCode::kUserIdCannotBeUpdated));
  std::vector<std::string_view> allowed = {"name", "image", "email", "emailVerified", "role"};
  if (config.username) allowed.insert(allowed.end(), {"username", "displayUsername"});
  Fields d(*data, allowed);
  auth::AdminUserUpdate update;
  update.name = d.optional_string("name");
  update.image = d.nullable_string("image");
  update.email = d.optional_string("email");
  update.email_verified = d.optional_bool("emailVerified");
  update.username = d.optional_string("username");
  update.display_username = d.optional_string("displayUsername");
  Status roles_error;
  update.roles = roles_field(*data, "role", roles_error);
  if (!d.ok()) return send_error(call.res, nested_fields(d.status(), "data"));
  if (!roles_error.ok()) return send_error(call.res, roles_error);
  Authenticated auth;
  if (!require_session(call, auth)) return;
  auto user = service.admin_update_user(auth, user_id, update, call.caller);
  if (!user) return admin_error(call.res, user.status());
  send_json(call.res, 200, user_of(*user));
}

void HttpServer::Impl::admin_set_role(Call& call) {
  Fields f(call.body, {"userId", "role"});
  const std::string user_id = f.required_string("userId");
  Status roles_error;
  auto roles = roles_field(call.body, "role", roles_error);
  if (!roles && roles_error.ok()) {
    roles_error = Status(ErrorCode::kValidationError, "[body.role] Invalid input: expected string or array, received undefined");
  }
  if (!f.ok()) return send_error(call.res, f.status());
  if (!roles_error.ok()) return send_error(call.res, roles_error);
  Authenticated auth;
  if (!require_session(call, auth)) return;
  auto user = service.admin_set_role(auth, user_id, *roles, call.caller);
  if (!user) return admin_error(call.res, user.status());
  send_json(call.res, 200, {{"user", user_of(*user)}});
}

void HttpServer::Impl::admin_ban_user(Call& call) {
  Fields f(call.body, {"userId", "banReason", "banExpiresIn"});
  const std::string user_id = f.required_string("userId");
  const auto reason = f.optional_string("banReason");
  Status expires_error;
  const auto expires_in = seconds_field(call.body, "banExpiresIn", expires_error);
  if (!f.ok()) return send_error(call.res, f.status());
  if (!expires_error.ok()) return send_error(call.res, expires_error);
  Authenticated auth;
  if (!require_session(call, auth)) return;
  auto user = service.admin_ban_user(auth, user_id, reason, expires_in, call.caller);
  if (!user) return admin_error(call.res, user.status());
  send_json(call.res, 200, {{"user", user_of(*user)}});
}

void HttpServer::Impl::admin_unban_user(Call& call) {
  Fields f(call.body, {"userId"});
  const std::string user_id = f.required_string("userId");
  if (!f.ok()) return send_error(call.res, f.status());
  Authenticated auth;
  if (!require_session(call, auth)) return;
  auto user = service.admin_unban_user(auth, user_id, call.caller);
  if (!user) return admin_error(call.res, user.status());
  send_json(call.res, 200, {{"user", user_of(*user)}});
}

void HttpServer::Impl::admin_list_user_sessions(Call& call) {
  Fields f(call.body, {"userId"});
  const std::string user_id = f.required_string("userId");
  if (!f.ok()) return send_error(call.res, f.status());
  Authenticated auth;
  if (!require_session(call, auth)) return;
  auto sessions = service.admin_list_user_sessions(auth, user_id, call.caller.now);
  if (!sessions) return admin_error(call.res, sessions.status());
  ordered_json list = ordered_json::array();
  for (const Session& s : *sessions) list.push_back(session_of(s));
  send_json(call.res, 200, {{"sessions", std::move(list)}});
}

void HttpServer::Impl::admin_revoke_user_session(Call& call) {
  Fields f(call.body, {"sessionToken"});
  const std::string token = f.required_string("sessionToken");
  if (!f.ok()) return send_error(call.res, f.status());
  Authenticated auth;
  if (!require_session(call, auth)) return;
  if (Status s = service.admin_revoke_user_session(auth, token, call.caller); !s.ok()) return admin_error(call.res, s);
  if (token == auth.session.token) clear_session_cookies(call);
  send_json(call.res, 200, {{"success", true}});
}

void HttpServer::Impl::admin_revoke_user_sessions(Call& call) {
  Fields f(call.body, {"userId"});
  const std::string user_id = f.required_string("userId");
  if (!f.ok()) return send_error(call.res, f.status());
  Authenticated auth;
  if (!require_session(call, auth)) return;
  if (Status s = service.admin_revoke_user_sessions(auth, user_id, call.caller); !s.ok()) {
    return admin_error(call.res, s);
  }
  if (user_id == auth.user.id) clear_session_cookies(call);
  send_json(call.res, 200, {{"success", true}});
}

void HttpServer::Impl::admin_remove_user(Call& call) {
  Fields f(call.body, {"userId"});
  const std::string user_id = f.required_string("userId");
  if (!f.ok()) return send_error(call.res, f.status());
  Authenticated auth;
  if (!require_session(call, auth)) return;
  if (Status s = service.admin_remove_user(auth, user_id, call.caller); !s.ok()) return admin_error(call.res, s);
  send_json(call.res, 200, {{"success", true}});
}

void HttpServer::Impl::admin_set_user_password(Call& call) {
  Fields f(call.body, {"userId", "newPassword"});
  const std::string user_id = f.required_string("userId");
  const std::string password = f.required_string("newPassword");
  if (!f.ok()) return send_error(call.res, f.status());
  Authenticated auth;
  if (!require_session(call, auth)) return;
  PasswordCheck verdict;
  if (Status s = service.admin_set_user_password(auth, user_id, password, call.caller, &verdict); !s.ok()) {
    if (s.code() == ErrorCode::kPasswordTooWeak) return send_password_error(call.res, s, verdict);
    return admin_error(call.res, s);
  }
  if (user_id == auth.user.id) clear_session_cookies(call);
  send_json(call.res, 200, {{"status", true}});
}

void HttpServer::Impl::admin_has_permission(Call& call) {
  Fields f(call.body, {"userId", "role", "permission", "permissions"});
  (void)f.optional_string("userId");
  (void)f.optional_string("role");
  if (!f.ok()) return send_error(call.res, f.status());
  auto permissions = permissions_field(call.body);
  if (!permissions) return send_error(call.res, permissions.status());
  Authenticated auth;
  if (!require_session(call, auth)) return;
  auto allowed = service.admin_has_permission(auth, *permissions);
  if (!allowed) return admin_error(call.res, allowed.status());
  send_json(call.res, 200, {{"error", nullptr}, {"success", *allowed}});
}

void HttpServer::Impl::admin_impersonate_user(Call& call) {
  Fields f(call.body, {"userId"});
  const std::string user_id = f.required_string("userId");
  if (!f.ok()) return send_error(call.res, f.status());
  Authenticated auth;
  if (!require_session(call, auth)) return;
  auto as_user = service.admin_impersonate_user(auth, user_id, call.caller);
  if (!as_user) return admin_error(call.res, as_user.status());
  // As BetterAuth: the administrator's session is kept in a signed cookie to return to, and the
  // browser's session becomes the user's, for this browser session only.
  const std::string keep = auth.session.token + ":" + (dont_remember(call) ? "true" : "");
  call.res.set_header("Set-Cookie", http::make_set_cookie(names(call).admin_session, cookies.sign(keep),
                                                          config.session_expires_in, attrs(call)));
  set_session_cookie(call, as_user->session, /*remember_me=*/false);
  send_json(call.res, 200, {{"session", session_of(as_user->session)}, {"user", user_of(as_user->user)}});
}

void HttpServer::Impl::admin_stop_impersonating(Call& call) {
  Fields f(call.body, {});
  if (!f.ok()) return send_error(call.res, f.status());
  Authenticated auth;
  if (!require_session(call, auth)) return;
  const std::string& cookie = names(call).admin_session;
  std::optional<std::string> admin_token;
  bool admin_remember = true;
  if (const auto kept = signed_cookie(call, cookie)) {
    const std::size_t colon = kept->find(':');
    admin_token = kept->substr(0, colon);
    admin_remember = colon == std::string::npos || kept->substr(colon + 1) != "true";
  }
  auto admin = service.admin_stop_impersonating(auth, admin_token, call.caller);
  if (!admin && admin.status().code() == ErrorCode::kNotImpersonating) return send_error(call.res, admin.status());
  call.res.set_header("Set-Cookie", http::make_delete_cookie(cookie, attrs(call)));
  if (!admin) {
    clear_session_cookies(call);  // the impersonation is over either way
    return send_error(call.res, admin.status(), admin.status().code() == ErrorCode::kAdminSessionNotFound ? 401 : 0);
  }
  set_session_cookie(call, admin->session, admin_remember);
  send_json(call.res, 200, {{"session", session_of(admin->session)}, {"user", user_of(admin->user)}});
}

}  // namespace portcullis::server
