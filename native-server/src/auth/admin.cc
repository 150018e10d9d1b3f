// Portcullis server: administration, as BetterAuth's admin plugin offers it (--admin).
//
// Roles are BetterAuth's defaults: "admin" may do everything below, "user" nothing; a user may
// hold several ("user,admin"). Custom roles (the plugin's access-control option) are not
// offered: a role other than these two is refused when set, and grants nothing when a
// BetterAuth server wrote it. --admin-user-ids makes users administrators whatever their role
// (the plugin's adminUserIds), which is also how a first administrator can be made; the command
// line's `user set-role` is the other way.

#include <algorithm>
#include <iterator>
#include <string_view>

#include "auth/service.h"
#include "common/strings.h"
#include "portcullis/email.h"
#include "portcullis/name.h"

namespace portcullis::auth {
namespace {

constexpr std::string_view kAdminRole = "admin";

// What BetterAuth's default "admin" role may do (its access/statement.ts), per resource. Its
// "impersonate-admins" is not among them: admin_impersonate_user() refuses administrators.
constexpr std::string_view kAdminUserActions[] = {"create", "list", "set-role", "ban", "impersonate", "delete",
                                                  "set-password", "set-email", "set-phone", "get", "update"};
constexpr std::string_view kAdminSessionActions[] = {"list", "revoke", "delete"};

bool admin_may(std::string_view resource, std::string_view action) {
  auto in = [action](const auto& actions) {
    return std::find(std::begin(actions), std::end(actions), action) != std::end(actions);
  };
  if (resource == "user") return in(kAdminUserActions);
  if (resource == "session") return in(kAdminSessionActions);
  return false;
}

// A store answer about one user, in the words of the admin routes.
Status user_status(const Status& s) {
  if (s.ok()) return s;
  return s.code() == ErrorCode::kNotFound ? Status(ErrorCode::kUserNotFound) : Status(ErrorCode::kInternalServerError);
}

}  // namespace

Status check_roles(const std::vector<std::string>& roles) {
  if (roles.empty()) return Status(ErrorCode::kInvalidRoleType);
  for (const std::string& r : roles) {
    if (r != kAdminRole && r != kDefaultRole) return Status(ErrorCode::kNotAllowedToSetNonExistentValue);
  }
  return Status::OK();
}

std::string join_roles(const std::vector<std::string>& roles) {
  std::vector<std::string_view> seen;
  std::string out;
  for (const std::string& r : roles) {
    if (std::find(seen.begin(), seen.end(), r) != seen.end()) continue;
    seen.push_back(r);
    if (!out.empty()) out += ',';
    out += r;
  }
  return out;
}

std::vector<std::string> split_roles(const std::optional<std::string>& role) {
  if (!role) return {std::string(kDefaultRole)};
  std::vector<std::string> out;
  std::string_view rest = *role;
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    const std::string_view one = trim_spaces_and_tabs(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (!one.empty()) out.emplace_back(one);
  }
  return out;
}

bool AuthService::is_admin(const User& user) const {
  const auto& ids = config_.admin_user_ids;
  if (std::find(ids.begin(), ids.end(), user.id) != ids.end()) return true;
  const auto roles = split_roles(user.role);
  return std::find(roles.begin(), roles.end(), kAdminRole) != roles.end();
}

bool AuthService::has_permission(const User& user, const Permissions& permissions) const {
  if (!is_admin(user)) return false;
  for (const auto& [resource, actions] : permissions) {
    for (const std::string& action : actions) {
      if (!admin_may(resource, action)) return false;
    }
  }
  return true;
}

Result<User> AuthService::authorize_admin(const Authenticated& admin, std::optional<ErrorCode> refused) {
  if (!config_.admin) return ErrorCode::kNotFound;
  auto fresh = store_.find_user_by_id(admin.user.id);
  if (!fresh) {
    return fresh.status().code() == ErrorCode::kNotFound ? Status(ErrorCode::kUnauthorized)
                                                          : Status(ErrorCode::kInternalServerError);
  }
  if (refused && !is_admin(*fresh)) return *refused;
  return fresh;
}

Result<bool> AuthService::admin_has_permission(const Authenticated& caller, const Permissions& permissions) {
  auto me = authorize_admin(caller, std::nullopt);
  if (!me) return me.status();
  return has_permission(*me, permissions);
}

Result<store::UserPage> AuthService::admin_list_users(const Authenticated& admin, const store::UserQuery& query) {
  if (auto me = authorize_admin(admin, ErrorCode::kNotAllowedToListUsers); !me) return me.status();
  auto page = store_.query_users(query);
  if (!page) return ErrorCode::kInternalServerError;
  return page;
}

Result<User> AuthService::admin_get_user(const Authenticated& admin, const std::string& user_id) {
  if (auto me = authorize_admin(admin, ErrorCode::kNotAllowedToGetUser); !me) return me.status();
  auto user = store_.find_user_by_id(user_id);
  if (!user) return user_status(user.status());
  return user;
}

Result<User> AuthService::admin_create_user(const Authenticated& admin, const NewUser& request, const Caller& caller,
                                            PasswordCheck* verdict) {
  auto me = authorize_admin(admin, ErrorCode::kNotAllowedToCreateUsers);
  if (!me) return me.status();
  if (!request.roles.empty()) {
    if (Status s = check_roles(request.roles); !s.ok()) return s;
  }
  auto user = insert_user(request, caller.now, /*allow_weak=*/false, verdict);
  if (!user) return user.status();
  audit("admin-create-user", &*me, caller, {{"target", user->id}});
  return user;
}

Result<User> AuthService::admin_update_user(const Authenticated& admin, const std::string& user_id,
                                            const AdminUserUpdate& update, const Caller& caller) {
  auto me = authorize_admin(admin, ErrorCode::kNotAllowedToUpdateUsers);
  if (!me) return me.status();
  const bool fields = update.name || update.image || update.email || update.email_verified || update.username ||
                      update.display_username;
  if (!fields && !update.roles) return ErrorCode::kNoDataToUpdate;
  if (update.roles) {
    if (Status s = check_roles(*update.roles); !s.ok()) return s;
  }
  auto found = store_.find_user_by_id(user_id);
  if (!found) return user_status(found.status());
  User user = std::move(found).value();
  if (update.name) {
    auto name = validate_name(*update.name, config_.name_policy);
    if (!name) return name.status();
    user.name = std::move(name).value();
  }
  if (update.email) {
    auto email = validate_email(*update.email, config_.email_options);
    if (!email) return email.status();
    user.email = std::move(email).value();
  }
  if (update.image) user.image = *update.image;
  if (update.email_verified) user.email_verified = *update.email_verified;
  if (update.username || update.display_username) {
    if (Status s = assign_username(update.username, update.display_username, /*new_user=*/false, user); !s.ok()) {
      return s;
    }
  }
  user.updated_at = caller.now;
  if (fields) {
    const Status s = store_.update_user(user);
    if (s.code() == ErrorCode::kUserAlreadyExists) {
      return update.username ? ErrorCode::kUsernameIsAlreadyTaken : ErrorCode::kUserAlreadyExistsUseAnotherEmail;
    }
    if (s.code() == ErrorCode::kNotFound) return ErrorCode::kUserNotFound;
    if (!s.ok()) return ErrorCode::kFailedToUpdateUser;
  }
  if (update.roles) {
    user.role = join_roles(*update.roles);
    if (Status s = store_.set_role(user.id, user.role, caller.now); !s.ok()) return user_status(s);
  }
  audit("admin-update-user", &*me, caller, {{"target", user.id}});
  return user;
}

Result<User> AuthService::admin_set_role(const Authenticated& admin, const std::string& user_id,
                                         const std::vector<std::string>& roles, const Caller& caller) {
  auto me = authorize_admin(admin, ErrorCode::kNotAllowedToChangeUsersRole);
  if (!me) return me.status();
  if (Status s = check_roles(roles); !s.ok()) return s;
  const std::string role = join_roles(roles);
  if (Status s = store_.set_role(user_id, role, caller.now); !s.ok()) return user_status(s);
  auto user = store_.find_user_by_id(user_id);
  if (!user) return user_status(user.status());
  audit("admin-set-role", &*me, caller, {{"target", user_id}, {"role", role}});
  return user;
}

Result<User> AuthService::admin_ban_user(const Authenticated& admin, const std::string& user_id,
                                         const std::optional<std::string>& reason,
                                         std::optional<std::chrono::seconds> expires_in, const Caller& caller) {
  auto me = authorize_admin(admin, ErrorCode::kNotAllowedToBanUsers);
  if (!me) return me.status();
  // Yourself: you exist, so this is BetterAuth's answer after its check that the user does; any
  // other unknown user is set_ban()'s NOT_FOUND.
  if (user_id == me->id) return ErrorCode::kCannotBanYourself;
  store::Ban ban;
  ban.reason = reason && !reason->empty() ? *reason : std::string("No reason");
  if (expires_in) ban.expires = caller.now + std::chrono::duration_cast<std::chrono::milliseconds>(*expires_in);
  if (Status s = store_.set_ban(user_id, ban, caller.now); !s.ok()) return user_status(s);
  auto user = store_.find_user_by_id(user_id);
  if (!user) return user_status(user.status());
  audit("admin-ban-user", &*me, caller, {{"target", user_id}});
  return user;
}

Result<User> AuthService::admin_unban_user(const Authenticated& admin, const std::string& user_id,
                                           const Caller& caller) {
  auto me = authorize_admin(admin, ErrorCode::kNotAllowedToBanUsers);
  if (!me) return me.status();
  if (Status s = store_.set_ban(user_id, std::nullopt, caller.now); !s.ok()) return user_status(s);
  auto user = store_.find_user_by_id(user_id);
  if (!user) return user_status(user.status());
  audit("admin-unban-user", &*me, caller, {{"target", user_id}});
  return user;
}

Result<std::vector<Session>> AuthService::admin_list_user_sessions(const Authenticated& admin,
                                                                   const std::string& user_id, TimePoint now) {
  if (auto me = authorize_admin(admin, ErrorCode::kNotAllowedToListUsersSessions); !me) return me.status();
  auto sessions = store_.list_sessions(user_id);
  if (!sessions) return ErrorCode::kInternalServerError;
  std::erase_if(*sessions, [now](const Session& s) { return s.expires_at <= now; });
  return sessions;
}

Status AuthService::admin_revoke_user_session(const Authenticated& admin, const std::string& token,
                                              const Caller& caller) {
  auto me = authorize_admin(admin, ErrorCode::kNotAllowedToRevokeUsersSessions);
  if (!me) return me.status();
  auto found = store_.find_session(token);
  if (!found) {
    if (found.status().code() == ErrorCode::kNotFound) return Status::OK();  // nothing to end
    return Status(ErrorCode::kInternalServerError);
  }
  if (!store_.delete_session(token).ok()) return Status(ErrorCode::kInternalServerError);
  audit("admin-revoke-user-session", &*me, caller, {{"target", found->user.id}});
  return Status::OK();
}

Status AuthService::admin_revoke_user_sessions(const Authenticated& admin, const std::string& user_id,
                                               const Caller& caller) {
  auto me = authorize_admin(admin, ErrorCode::kNotAllowedToRevokeUsersSessions);
  if (!me) return me.status();
  if (!store_.delete_sessions(user_id, "").ok()) return Status(ErrorCode::kInternalServerError);
  audit("admin-revoke-user-sessions", &*me, caller, {{"target", user_id}});
  return Status::OK();
}

Status AuthService::admin_remove_user(const Authenticated& admin, const std::string& user_id, const Caller& caller) {
  auto me = authorize_admin(admin, ErrorCode::kNotAllowedToDeleteUsers);
  if (!me) return me.status();
  if (user_id == me->id) return Status(ErrorCode::kCannotRemoveYourself);
  if (Status s = store_.delete_user(user_id); !s.ok()) return user_status(s);
  audit("admin-remove-user", &*me, caller, {{"target", user_id}});
  return Status::OK();
}

Status AuthService::admin_set_user_password(const Authenticated& admin, const std::string& user_id,
                                            const std::string& password, const Caller& caller,
                                            PasswordCheck* verdict) {
  auto me = authorize_admin(admin, ErrorCode::kNotAllowedToSetUsersPassword);
  if (!me) return me.status();
  if (Status s = set_password(user_id, password, caller.now, /*allow_weak=*/false, verdict); !s.ok()) return s;
  audit("admin-set-user-password", &*me, caller, {{"target", user_id}});
  return Status::OK();
}

Result<Authenticated> AuthService::admin_impersonate_user(const Authenticated& admin, const std::string& user_id,
                                                          const Caller& caller) {
  if (!config_.admin_impersonation) return ErrorCode::kNotFound;
  auto me = authorize_admin(admin, ErrorCode::kNotAllowedToImpersonateUsers);
  if (!me) return me.status();
  auto target = store_.find_user_by_id(user_id);
  if (!target) return user_status(target.status());
  // BetterAuth's default admin role lacks "impersonate-admins": no one may become an administrator.
  if (is_admin(*target)) return ErrorCode::kCannotImpersonateAdmins;
  auto session = start_session(
      *target, std::chrono::duration_cast<std::chrono::milliseconds>(config_.admin_impersonation_duration), caller,
      me->id);
  if (!session) return session.status();
  audit("admin-impersonate-user", &*me, caller, {{"target", target->id}});
  return Authenticated{std::move(session).value(), std::move(target).value(), /*dont_remember=*/true};
}

Result<Authenticated> AuthService::admin_stop_impersonating(const Authenticated& auth,
                                                            const std::optional<std::string>& admin_token,
                                                            const Caller& caller) {
  if (!config_.admin_impersonation) return ErrorCode::kNotFound;
  if (!auth.session.impersonated_by) return ErrorCode::kNotImpersonating;
  const std::string admin_id = *auth.session.impersonated_by;
  if (!store_.delete_session(auth.session.token).ok()) return ErrorCode::kInternalServerError;
  std::optional<store::SessionWithUser> admin;
  if (admin_token) {
    if (auto found = store_.find_session(*admin_token); found.ok()) admin = std::move(found).value();
  }
  // By the administrator the session names, whether or not their own session is still there.
  User actor;
  actor.id = admin_id;
  audit("admin-stop-impersonating", &actor, caller, {{"target", auth.user.id}});
  if (!admin || admin->user.id != admin_id || admin->session.expires_at <= caller.now) {
    return ErrorCode::kAdminSessionNotFound;
  }
  return Authenticated{std::move(admin->session), std::move(admin->user), false};
}

}  // namespace portcullis::auth
