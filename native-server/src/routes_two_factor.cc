// Portcullis server: the routes of BetterAuth's two-factor plugin (--two-factor) and jwt plugin
// (--jwt). The flows are in auth/two_factor.cc and auth/jwt.cc.

#include "http_routes.h"

namespace portcullis::server {

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
  if (out->new_session) {
    set_session_cookie(call, *out->session, out->remember_me);
    set_last_login_method_cookie(call, out->first_factor);  // after the second factor too (not in BetterAuth)
  }
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

}  // namespace portcullis::server
