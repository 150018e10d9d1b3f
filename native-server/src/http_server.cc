#include "http_server.h"

#include "http_routes.h"

namespace portcullis::server {
namespace {

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
                        {"/email-otp/reset-password", &Impl::reset_password_email_otp},
                        {"/email-otp/request-email-change", &Impl::request_email_change_otp},
                        {"/email-otp/change-email", &Impl::change_email_otp}});
  }
  if (config.magic_link) {
    post_routes.insert({{"/sign-in/magic-link", &Impl::sign_in_magic_link}});
    get_routes.insert({{"/magic-link/verify", &Impl::verify_magic_link}});
  }
  if (config.organization) {
    get_routes.insert({{"/organization/list", &Impl::organization_list},
                       {"/organization/get-organization", &Impl::organization_get},
                       {"/organization/get-full-organization", &Impl::organization_get_full},
                       {"/organization/get-invitation", &Impl::organization_get_invitation},
                       {"/organization/list-invitations", &Impl::organization_list_invitations},
                       {"/organization/list-user-invitations", &Impl::organization_list_user_invitations},
                       {"/organization/get-active-member", &Impl::organization_get_active_member},
                       {"/organization/get-active-member-role", &Impl::organization_get_active_member_role},
                       {"/organization/list-members", &Impl::organization_list_members}});
    post_routes.insert({{"/organization/create", &Impl::organization_create},
                        {"/organization/check-slug", &Impl::organization_check_slug},
                        {"/organization/update", &Impl::organization_update},
                        {"/organization/delete", &Impl::organization_delete},
                        {"/organization/set-active", &Impl::organization_set_active},
                        {"/organization/invite-member", &Impl::organization_invite_member},
                        {"/organization/accept-invitation", &Impl::organization_accept_invitation},
                        {"/organization/reject-invitation", &Impl::organization_reject_invitation},
                        {"/organization/cancel-invitation", &Impl::organization_cancel_invitation},
                        {"/organization/remove-member", &Impl::organization_remove_member},
                        {"/organization/update-member-role", &Impl::organization_update_member_role},
                        {"/organization/leave", &Impl::organization_leave},
                        {"/organization/has-permission", &Impl::organization_has_permission}});
  }
  if (config.api_key) {
    get_routes.insert({{"/api-key/get", &Impl::api_key_get}, {"/api-key/list", &Impl::api_key_list}});
    post_routes.insert({{"/api-key/create", &Impl::api_key_create},
                        {"/api-key/update", &Impl::api_key_update},
                        {"/api-key/delete", &Impl::api_key_delete}});
  }
  if (config.passkey) {
    get_routes.insert({{"/passkey/generate-register-options", &Impl::passkey_register_options},
                       {"/passkey/generate-authenticate-options", &Impl::passkey_authenticate_options},
                       {"/passkey/list-user-passkeys", &Impl::list_passkeys}});
    post_routes.insert({{"/passkey/verify-registration", &Impl::verify_passkey_registration},
                        {"/passkey/verify-authentication", &Impl::verify_passkey_authentication},
                        {"/passkey/delete-passkey", &Impl::delete_passkey},
                        {"/passkey/update-passkey", &Impl::update_passkey}});
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

void HttpServer::Impl::set_last_login_method_cookie(Call& call, std::string_view first_factor) {
  if (!config.last_login_method) return;
  // The plugin's names: "email" for a password (by address or, here, by username too).
  std::string_view method;
  if (first_factor == "password") method = "email";
  else if (first_factor == "email-otp" || first_factor == "magic-link" || first_factor == "passkey") method = first_factor;
  else return;
  http::CookieAttributes a = attrs(call);
  a.http_only = false;
  call.res.set_header("Set-Cookie", http::make_set_cookie(names(call).last_login_method, method,
                                                          std::chrono::seconds(30 * 24 * 3600), a));
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
  if (out->session) {
    set_session_cookie(call, *out->session, out->remember_me);
    set_last_login_method_cookie(call, out->method);
  }
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
  if (answer_two_factor_challenge(call, *out)) return;
  set_session_cookie(call, *out->session, out->remember_me);
  set_last_login_method_cookie(call, out->method);
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

bool HttpServer::Impl::answer_two_factor_challenge(Call& call, const auth::SignedIn& out) {
  set_trust_device_cookie(call, out.trust_device);
  if (!out.two_factor_challenge) return false;
  // BetterAuth's answer while the second factor is awaited: no session; the two_factor cookie
  // names the sign-in.
  set_two_factor_challenge_cookies(call, out);
  ordered_json body;
  body["twoFactorRedirect"] = true;
  body["twoFactorMethods"] = out.two_factor_methods;
  send_json(call.res, 200, body);
  return true;
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
  if (api_key_session(call)) return;
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

}  // namespace portcullis::server
