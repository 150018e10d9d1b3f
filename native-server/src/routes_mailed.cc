// Portcullis server: the routes of sign-in by mail: codes (--email-otp, BetterAuth's emailOTP
// plugin) and links (--magic-link, its magic-link plugin). The flows are in auth/email_otp.cc and
// auth/magic_link.cc.

#include "http_routes.h"

namespace portcullis::server {

// ---- e-mailed codes (--email-otp) ----

namespace {

// The type of an e-mailed code in a body, or a VALIDATION_ERROR in zod's words.
Result<auth::EmailOtpType> otp_type_field(const std::string& text) {
  if (auto type = auth::parse_email_otp_type(text)) return *type;
  return Status(ErrorCode::kValidationError,
                "[body.type] Invalid option: expected one of "
                "\"email-verification\"|\"sign-in\"|\"forget-password\"|\"change-email\"");
}

}  // namespace

void HttpServer::Impl::send_email_otp(Call& call) {
  Fields f(call.body, {"email", "type"});
  const std::string email = f.required_string("email");
  const std::string type_text = f.required_string("type");
  if (!f.ok()) return send_error(call.res, f.status());
  auto type = otp_type_field(type_text);
  if (!type) return send_error(call.res, type.status());
  // A signed-in user may have a code mailed to their verified address, to confirm a change of it.
  std::optional<Authenticated> auth;
  if (*type == auth::EmailOtpType::kEmailVerification) auth = authenticate(call);
  if (Status s = service.send_email_otp(email, *type, call.caller, auth ? &auth->user : nullptr); !s.ok()) {
    return send_error(call.res, s);
  }
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

void HttpServer::Impl::request_email_change_otp(Call& call) {
  Fields f(call.body, {"newEmail", "otp"});
  const std::string new_email = f.required_string("newEmail");
  const auto otp = f.optional_string("otp");
  if (!f.ok()) return send_error(call.res, f.status());
  Authenticated auth;
  if (!require_session(call, auth)) return;
  // A malformed address is INVALID_EMAIL (the plugin checks it itself; /change-email's schema does).
  const Status s = service.request_email_change_otp(auth, new_email, otp, call.caller);
  if (!s.ok()) return send_error(call.res, s);
  send_json(call.res, 200, {{"success", true}});
}

void HttpServer::Impl::change_email_otp(Call& call) {
  Fields f(call.body, {"newEmail", "otp"});
  const std::string new_email = f.required_string("newEmail");
  const std::string otp = f.required_string("otp");
  if (!f.ok()) return send_error(call.res, f.status());
  Authenticated auth;
  if (!require_session(call, auth)) return;
  auto user = service.change_email_otp(auth, new_email, otp, call.caller);
  // BetterAuth's "Email already in use" is a 400.
  if (!user) return send_error(call.res, user.status(), user.status().code() == ErrorCode::kUserAlreadyExists ? 400 : 0);
  set_session_cookie(call, auth.session, !auth.dont_remember);
  send_json(call.res, 200, {{"success", true}});
}

// ---- sign-in links (--magic-link) ----

void HttpServer::Impl::sign_in_magic_link(Call& call) {
  // "metadata" is BetterAuth's, for its sendMagicLink callback: taken and not used.
  Fields f(call.body, {"email", "name", "callbackURL", "newUserCallbackURL", "errorCallbackURL", "metadata"});
  auth::MagicLinkRequest r;
  r.email = f.required_string("email");
  r.name = f.optional_string("name");
  // "" is no URL, as BetterAuth's `callbackURL || "/"`.
  const auto url_field = [&](const char* key) {
    auto value = f.optional_string(key);
    return value && value->empty() ? std::nullopt : value;
  };
  r.callback_url = url_field("callbackURL");
  r.new_user_callback_url = url_field("newUserCallbackURL");
  r.error_callback_url = url_field("errorCallbackURL");
  if (!f.ok()) return send_error(call.res, f.status());
  if (const auto metadata = call.body.find("metadata"); metadata != call.body.end() && !metadata->is_object()) {
    return send_error(call.res, Status(ErrorCode::kValidationError,
                                       std::string("[body.metadata] Invalid input: expected record, received ") +
                                           js_type(*metadata)));
  }
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
  // "" is no URL, as BetterAuth's `callbackURL || "/"`.
  const auto param = [&](const char* key) -> std::optional<std::string> {
    if (!call.req.has_param(key) || call.req.get_param_value(key).empty()) return std::nullopt;
    return call.req.get_param_value(key);
  };
  if (!call.req.has_param("token")) {
    return send_error(call.res, Status(ErrorCode::kValidationError,
                                       "[query.token] Invalid input: expected string, received undefined"));
  }
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
  const auto redirect = [&](const std::string& location) {
    call.res.status = 302;
    call.res.set_header("Location", location);
  };
  const std::string success = absolute(callback.value_or("/"));

  std::optional<std::string> trusted_device;
  if (config.two_factor) trusted_device = signed_cookie(call, names(call).trust_device);
  auto out = service.verify_magic_link(call.req.get_param_value("token"), trusted_device, call.caller);
  if (!out) {
    const ErrorCode c = out.status().code();
    if (c == ErrorCode::kNotFound) return send_error(call.res, out.status());
    const std::string error = c == ErrorCode::kNewUserSignupDisabled ? std::string("new_user_signup_disabled")
                                                                     : std::string(out.status().code_name());
    return redirect(with_query_param(error_callback ? absolute(*error_callback) : success, "error", error));
  }
  const auth::SignedIn& in = out->signed_in;
  set_trust_device_cookie(call, in.trust_device);
  if (in.two_factor_challenge) {
    set_two_factor_challenge_cookies(call, in);
    if (callback) return redirect(with_query_param(success, "twoFactorRedirect", "true"));
    ordered_json body;
    body["twoFactorRedirect"] = true;
    body["twoFactorMethods"] = in.two_factor_methods;
    return send_json(call.res, 200, body);
  }
  set_session_cookie(call, *in.session, in.remember_me);
  set_last_login_method_cookie(call, in.method);
  if (callback) return redirect(out->new_user && new_user_callback ? absolute(*new_user_callback) : success);
  ordered_json body;
  body["token"] = in.session->token;
  body["user"] = user_of(in.user);
  body["session"] = session_of(*in.session);
  send_json(call.res, 200, body);
}

}  // namespace portcullis::server
