// Portcullis server: the routes of BetterAuth's admin plugin (--admin). The flows are in
// auth/admin.cc.

#include "http_routes.h"

namespace portcullis::server {

// ---- the admin plugin's routes (--admin) --------------------------------------------------------

namespace {

// An admin route's error, with the statuses BetterAuth's admin plugin gives: an unknown user is
// 404 there, and a taken address 400.
void admin_error(httplib::Response& res, const Status& s) {
  if (s.code() == ErrorCode::kUserNotFound) return send_error(res, s, 404);
  if (s.code() == ErrorCode::kUserAlreadyExistsUseAnotherEmail) return send_error(res, s, 400);
  send_error(res, s);
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
      if (*op == "ne") q.filter_negate = true;
      else if (*op == "contains") q.filter_match = store::TextMatch::kContains;
      else if (*op == "starts_with") q.filter_match = store::TextMatch::kStartsWith;
      else if (*op == "ends_with") q.filter_match = store::TextMatch::kEndsWith;
      else if (*op != "eq") {
        return bad("filterOperator] Invalid option: expected one of \"eq\"|\"ne\"|\"contains\"|\"starts_with\"|"
                   "\"ends_with\"");
      }
      if (q.filter_match && boolean) return bad("filterOperator] Invalid option: expected \"eq\" or \"ne\" for a boolean field");
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
