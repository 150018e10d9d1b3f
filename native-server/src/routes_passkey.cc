// Portcullis server: the routes of passkeys (--passkey, BetterAuth's passkey plugin). The flows
// are in auth/passkey.cc, the WebAuthn checks in auth/webauthn.cc. The options are SimpleWebAuthn
// 13's JSON, as BetterAuth sends them, so its passkeyClient() (and @simplewebauthn/browser) reads
// them unchanged.

#include "http_routes.h"

#include "auth/webauthn.h"

namespace portcullis::server {

namespace {

constexpr std::chrono::seconds kChallengeCookieAge{300};
constexpr int kTimeoutMs = 60000;

// A passkey row as the plugin's adapter answers it.
ordered_json passkey_json(const store::Passkey& p) {
  ordered_json j;
  j["id"] = p.id;
  j["name"] = p.name ? ordered_json(*p.name) : ordered_json(nullptr);
  j["publicKey"] = p.public_key;
  j["userId"] = p.user_id;
  j["credentialID"] = p.credential_id;
  j["counter"] = p.counter;
  j["deviceType"] = p.device_type;
  j["backedUp"] = p.backed_up;
  j["transports"] = p.transports ? ordered_json(*p.transports) : ordered_json(nullptr);
  j["createdAt"] = p.created_at ? ordered_json(format_iso8601(*p.created_at)) : ordered_json(nullptr);
  j["aaguid"] = p.aaguid ? ordered_json(*p.aaguid) : ordered_json(nullptr);
  return j;
}

// The credential descriptors of excludeCredentials / allowCredentials (SimpleWebAuthn's:
// {id, transports?, type}); empty transports are left out.
ordered_json descriptors(const std::vector<store::Passkey>& passkeys) {
  ordered_json list = ordered_json::array();
  for (const store::Passkey& p : passkeys) {
    ordered_json d;
    d["id"] = p.credential_id;
    if (p.transports && !p.transports->empty()) {
      ordered_json transports = ordered_json::array();
      std::string_view rest = *p.transports;
      while (!rest.empty()) {
        const std::size_t comma = rest.find(',');
        if (const std::string_view t = rest.substr(0, comma); !t.empty()) transports.push_back(std::string(t));
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      }
      d["transports"] = std::move(transports);
    }
    d["type"] = "public-key";
    list.push_back(std::move(d));
  }
  return list;
}

}  // namespace

void HttpServer::Impl::set_passkey_cookie(Call& call, const std::string& token) const {
  const std::string& name = names(call).passkey;
  call.res.set_header("Set-Cookie", token.empty() ? http::make_delete_cookie(name, attrs(call))
                                                  : http::make_set_cookie(name, cookies.sign(token),
                                                                          kChallengeCookieAge, attrs(call)));
}

void HttpServer::Impl::passkey_register_options(Call& call) {
  Authenticated auth;
  if (!require_session(call, auth)) return;
  const auto attachment = query_param(call.req, "authenticatorAttachment");
  if (attachment && *attachment != "platform" && *attachment != "cross-platform") {
    return send_error(call.res, Status(ErrorCode::kValidationError,
                                       "[query.authenticatorAttachment] Invalid option: expected one of "
                                       "\"platform\"|\"cross-platform\""));
  }
  auto out = service.passkey_registration_options(auth, query_param(call.req, "name"), call.caller);
  if (!out) return send_error(call.res, out.status());
  set_passkey_cookie(call, out->token);

  ordered_json body;
  body["challenge"] = out->challenge;
  body["rp"] = {{"name", out->rp_name}, {"id", out->rp_id}};
  body["user"] = {{"id", out->user_handle}, {"name", out->user_name}, {"displayName", out->user_display_name}};
  ordered_json params = ordered_json::array();
  for (const int alg : auth::webauthn::kOfferedAlgorithms) params.push_back({{"alg", alg}, {"type", "public-key"}});
  body["pubKeyCredParams"] = std::move(params);
  body["timeout"] = kTimeoutMs;
  body["attestation"] = "none";
  body["excludeCredentials"] = descriptors(out->existing);
  ordered_json selection;
  selection["residentKey"] = "preferred";
  selection["userVerification"] = "preferred";
  if (attachment) selection["authenticatorAttachment"] = *attachment;
  selection["requireResidentKey"] = false;
  body["authenticatorSelection"] = std::move(selection);
  body["extensions"] = {{"credProps", true}};
  body["hints"] = ordered_json::array();
  send_json(call.res, 200, body);
}

void HttpServer::Impl::verify_passkey_registration(Call& call) {
  Authenticated auth;
  if (!require_session(call, auth)) return;
  Fields f(call.body, {"response", "name", "createSession"});
  auth::PasskeyRegistration r;
  // BetterAuth trims the name; "" is none.
  if (auto name = f.optional_string("name")) r.name = std::string(trim_spaces_and_tabs(*name));
  r.create_session = f.optional_bool("createSession").value_or(false);
  if (!f.ok()) return send_error(call.res, f.status());
  if (const auto it = call.body.find("response"); it != call.body.end()) r.response = *it;
  r.origin = call.req.get_header_value("Origin");
  if (r.origin.empty() || !origins.trusts_origin(r.origin)) {
    return send_error(call.res, Status(ErrorCode::kFailedToVerifyRegistration));
  }
  r.token = signed_cookie(call, names(call).passkey);
  auto out = service.add_passkey(auth, r, call.caller);
  // A challenge answers once, whatever the outcome: the cookie goes with it.
  if (r.token) set_passkey_cookie(call, "");
  if (!out) return send_error(call.res, out.status());
  ordered_json body = passkey_json(out->passkey);
  if (out->session) {
    set_session_cookie(call, *out->session, /*remember_me=*/true);
    body["session"] = session_of(*out->session);
    body["user"] = user_of(auth.user);
  }
  send_json(call.res, 200, body);
}

void HttpServer::Impl::passkey_authenticate_options(Call& call) {
  const auto auth = authenticate(call);
  auto out = service.passkey_authentication_options(auth ? &*auth : nullptr, call.caller);
  if (!out) return send_error(call.res, out.status());
  set_passkey_cookie(call, out->token);
  ordered_json body;
  body["rpId"] = out->rp_id;
  body["challenge"] = out->challenge;
  if (!out->allowed.empty()) body["allowCredentials"] = descriptors(out->allowed);
  body["timeout"] = kTimeoutMs;
  body["userVerification"] = "preferred";
  send_json(call.res, 200, body);
}

void HttpServer::Impl::verify_passkey_authentication(Call& call) {
  Fields f(call.body, {"response"});
  if (!f.ok()) return send_error(call.res, f.status());
  const auto response = call.body.find("response");
  if (response == call.body.end() || !response->is_object()) {
    return send_error(call.res,
                      Status(ErrorCode::kValidationError,
                             std::string("[body.response] Invalid input: expected record, received ") +
                                 (response == call.body.end() ? "undefined" : js_type(*response))));
  }
  auth::PasskeySignIn r;
  r.response = *response;
  r.origin = call.req.get_header_value("Origin");
  if (r.origin.empty() || !origins.trusts_origin(r.origin)) {
    return send_error(call.res, Status(ErrorCode::kAuthenticationFailed, "origin missing"), 400);
  }
  r.token = signed_cookie(call, names(call).passkey);
  if (config.two_factor) r.trusted_device = signed_cookie(call, names(call).trust_device);
  auto out = service.sign_in_passkey(r, call.caller);
  if (r.token) set_passkey_cookie(call, "");
  if (!out) {
    const ErrorCode code = out.status().code();
    return send_error(call.res, out.status(), code == ErrorCode::kPasskeyNotFound ? 401 : 0);
  }
  if (answer_two_factor_challenge(call, *out)) return;
  set_session_cookie(call, *out->session, out->remember_me);
  set_last_login_method_cookie(call, out->method);
  ordered_json body;
  body["session"] = session_of(*out->session);
  body["user"] = user_of(out->user);
  send_json(call.res, 200, body);
}

void HttpServer::Impl::list_passkeys(Call& call) {
  Authenticated auth;
  if (!require_session(call, auth)) return;
  auto passkeys = service.list_passkeys(auth);
  if (!passkeys) return send_error(call.res, passkeys.status());
  ordered_json body = ordered_json::array();
  for (const store::Passkey& p : *passkeys) body.push_back(passkey_json(p));
  send_json(call.res, 200, body);
}

void HttpServer::Impl::delete_passkey(Call& call) {
  Authenticated auth;
  if (!require_session(call, auth)) return;
  Fields f(call.body, {"id"});
  const std::string id = f.required_string("id");
  if (!f.ok()) return send_error(call.res, f.status());
  if (Status s = service.delete_passkey(auth, id, call.caller); !s.ok()) {
    return send_error(call.res, s, s.code() == ErrorCode::kPasskeyNotFound ? 404 : 0);
  }
  send_json(call.res, 200, {{"status", true}});
}

void HttpServer::Impl::update_passkey(Call& call) {
  Authenticated auth;
  if (!require_session(call, auth)) return;
  Fields f(call.body, {"id", "name"});
  const std::string id = f.required_string("id");
  const std::string name(trim_spaces_and_tabs(f.required_string("name")));
  if (!f.ok()) return send_error(call.res, f.status());
  if (name.empty()) {
    return send_error(call.res, Status(ErrorCode::kValidationError,
                                       "[body.name] Too small: expected string to have >=1 characters"));
  }
  auto renamed = service.rename_passkey(auth, id, name, call.caller);
  if (!renamed) {
    return send_error(call.res, renamed.status(), renamed.status().code() == ErrorCode::kPasskeyNotFound ? 404 : 0);
  }
  ordered_json body;
  body["passkey"] = passkey_json(*renamed);
  send_json(call.res, 200, body);
}

}  // namespace portcullis::server
