// Portcullis server: the routes of organizations (--organization, BetterAuth's organization
// plugin, without teams). The flows are in auth/organization.cc; the answers are the plugin's JSON,
// so its organizationClient() reads them unchanged.

#include "http_routes.h"

namespace portcullis::server {

namespace {

using store::Invitation;
using store::Member;
using store::Organization;

// The longest name or slug taken (BetterAuth sets none; the body limit would be the only one).
constexpr std::size_t kMaxNameBytes = 256;

// An organization as the plugin answers it. `parsed`: create and update give the metadata as an
// object (the key left out when there is none); every other answer gives the column's text.
ordered_json organization_json(const Organization& o, bool parsed = false) {
  ordered_json j;
  j["id"] = o.id;
  j["name"] = o.name;
  j["slug"] = o.slug;
  j["logo"] = o.logo ? ordered_json(*o.logo) : ordered_json(nullptr);
  j["createdAt"] = format_iso8601(o.created_at);
  if (!parsed) {
    j["metadata"] = o.metadata ? ordered_json(*o.metadata) : ordered_json(nullptr);
  } else if (o.metadata) {
    ordered_json metadata = ordered_json::parse(*o.metadata, nullptr, false);
    if (!metadata.is_discarded()) j["metadata"] = std::move(metadata);
  }
  return j;
}

ordered_json member_json(const Member& m) {
  ordered_json j;
  j["id"] = m.id;
  j["organizationId"] = m.organization_id;
  j["userId"] = m.user_id;
  j["role"] = m.role;
  j["createdAt"] = format_iso8601(m.created_at);
  return j;
}

// A member with the plugin's short form of its user.
ordered_json member_json(const Member& m, const User& u) {
  ordered_json j = member_json(m);
  j["user"] = {{"id", u.id},
               {"name", u.name},
               {"email", u.email},
               {"image", u.image ? ordered_json(*u.image) : ordered_json(nullptr)}};
  return j;
}

ordered_json invitation_json(const Invitation& i) {
  ordered_json j;
  j["id"] = i.id;
  j["organizationId"] = i.organization_id;
  j["email"] = i.email;
  j["role"] = i.role ? ordered_json(*i.role) : ordered_json(nullptr);
  j["status"] = i.status;
  j["expiresAt"] = format_iso8601(i.expires_at);
  j["createdAt"] = format_iso8601(i.created_at);
  j["inviterId"] = i.inviter_id;
  return j;
}

Status too_small(const std::string& field) {
  return Status(ErrorCode::kValidationError, "[" + field + "] Too small: expected string to have >=1 characters");
}

// A name or slug: at least one character, at most kMaxNameBytes.
void check_name(const std::optional<std::string>& value, const std::string& field, Status& error) {
  if (!value || !error.ok()) return;
  if (value->empty()) error = too_small(field);
  if (value->size() > kMaxNameBytes) {
    error = Status(ErrorCode::kValidationError,
                   "[" + field + "] Too big: expected string to have <=" + std::to_string(kMaxNameBytes) + " characters");
  }
}

// The metadata field: an object, kept as its JSON text. Absent: nullopt.
std::optional<std::string> metadata_field(const json& body, const std::string& path, Status& error) {
  const auto it = body.find("metadata");
  if (it == body.end()) return std::nullopt;
  if (!it->is_object()) {
    if (error.ok()) {
      error = Status(ErrorCode::kValidationError,
                     "[" + path + ".metadata] Invalid input: expected record, received " + js_type(*it));
    }
    return std::nullopt;
  }
  return it->dump();
}

// The permissions asked of has-permission: resource to a list of actions.
std::optional<auth::Permissions> permissions_field(const json& value, Status& error) {
  const auto bad = [&] {
    error = Status(ErrorCode::kValidationError,
                   "[body.permissions] Invalid input: expected a record of resources to arrays of actions");
    return std::nullopt;
  };
  if (!value.is_object()) return bad();
  auth::Permissions out;
  for (const auto& [resource, actions] : value.items()) {
    if (!actions.is_array()) return bad();
    std::vector<std::string> list;
    for (const json& a : actions) {
      if (!a.is_string()) return bad();
      list.push_back(a.get<std::string>());
    }
    out.emplace_back(resource, std::move(list));
  }
  return out;
}

}  // namespace

void HttpServer::Impl::organization_create(Call& call) {
  Fields f(call.body, {"name", "slug", "logo", "metadata", "keepCurrentActiveOrganization", "userId"});
  auth::NewOrganization r;
  r.name = f.required_string("name");
  r.slug = f.required_string("slug");
  r.logo = f.nullable_string("logo").value_or(std::nullopt);
  r.keep_current_active = f.optional_bool("keepCurrentActiveOrganization").value_or(false);
  const bool for_user = call.body.contains("userId");
  Status error = f.ok() ? Status::OK() : f.status();
  r.metadata = metadata_field(call.body, "body", error);
  check_name(r.name, "body.name", error);
  check_name(r.slug, "body.slug", error);
  if (error.ok() && for_user) {
    // The plugin's server-side call names the user; over HTTP the session does.
    error = Status(ErrorCode::kFieldNotAllowed, "[body.userId] Only the server may name the user");
  }
  if (!error.ok()) return send_error(call.res, error);
  Authenticated auth;
  if (!require_session(call, auth)) return;
  auto out = organizations.create(auth, r, call.caller);
  if (!out) return send_error(call.res, out.status());
  ordered_json body = organization_json(out->organization, /*parsed=*/true);
  body["members"] = ordered_json::array({member_json(out->owner)});
  send_json(call.res, 200, body);
}

void HttpServer::Impl::organization_check_slug(Call& call) {
  Fields f(call.body, {"slug"});
  const std::string slug = f.required_string("slug");
  if (!f.ok()) return send_error(call.res, f.status());
  Authenticated auth;
  if (!require_session(call, auth)) return;
  if (Status s = organizations.check_slug(slug); !s.ok()) return send_error(call.res, s);
  send_json(call.res, 200, {{"status", true}});
}

void HttpServer::Impl::organization_update(Call& call) {
  Fields f(call.body, {"data", "organizationId"});
  const auto organization_id = f.optional_string("organizationId");
  const auto data = call.body.find("data");
  Status error = f.ok() ? Status::OK() : f.status();
  auth::OrganizationChanges changes;
  if (data == call.body.end() || !data->is_object()) {
    if (error.ok()) {
      error = Status(ErrorCode::kValidationError,
                     std::string("[body.data] Invalid input: expected object, received ") +
                         (data == call.body.end() ? "undefined" : js_type(*data)));
    }
  } else {
    Fields d(*data, {"name", "slug", "logo", "metadata"});
    changes.name = d.optional_string("name");
    changes.slug = d.optional_string("slug");
    changes.logo = d.nullable_string("logo");
    if (!d.ok() && error.ok()) error = nested_fields(d.status(), "data");
    changes.metadata = metadata_field(*data, "body.data", error);
    check_name(changes.name, "body.data.name", error);
    check_name(changes.slug, "body.data.slug", error);
  }
  if (!error.ok()) return send_error(call.res, error);
  Authenticated auth;
  if (!require_session(call, auth)) return;
  auto org = organizations.update(auth, organization_id, changes, call.caller);
  if (!org) return send_error(call.res, org.status());
  send_json(call.res, 200, organization_json(*org, /*parsed=*/true));
}

void HttpServer::Impl::organization_delete(Call& call) {
  Fields f(call.body, {"organizationId"});
  const std::string organization_id = f.required_string("organizationId");
  if (!f.ok()) return send_error(call.res, f.status());
  Authenticated auth;
  if (!require_session(call, auth)) return;
  auto org = organizations.remove(auth, organization_id, call.caller);
  if (!org) return send_error(call.res, org.status());
  send_json(call.res, 200, organization_json(*org));
}

void HttpServer::Impl::organization_list(Call& call) {
  Authenticated auth;
  if (!require_session(call, auth)) return;
  auto orgs = organizations.list(auth);
  if (!orgs) return send_error(call.res, orgs.status());
  ordered_json body = ordered_json::array();
  for (const Organization& o : *orgs) body.push_back(organization_json(o));
  send_json(call.res, 200, body);
}

void HttpServer::Impl::organization_get(Call& call) {
  Authenticated auth;
  if (!require_session(call, auth)) return;
  auto org = organizations.get(auth, query_param(call.req, "organizationId"), query_param(call.req, "organizationSlug"));
  if (!org) return send_error(call.res, org.status());
  send_json(call.res, 200, *org ? organization_json(**org) : ordered_json(nullptr));
}

void HttpServer::Impl::organization_get_full(Call& call) {
  std::size_t members_limit = 0;
  Status error;
  if (!count_param(call.req, "membersLimit", members_limit, error)) return send_error(call.res, error);
  Authenticated auth;
  if (!require_session(call, auth)) return;
  auto full = organizations.get_full(auth, query_param(call.req, "organizationId"),
                                     query_param(call.req, "organizationSlug"), members_limit);
  if (!full) return send_error(call.res, full.status());
  if (!*full) return send_json(call.res, 200, ordered_json(nullptr));
  ordered_json body = organization_json((*full)->organization);
  ordered_json invitations = ordered_json::array();
  for (const Invitation& i : (*full)->invitations) invitations.push_back(invitation_json(i));
  body["invitations"] = std::move(invitations);
  ordered_json members = ordered_json::array();
  for (const store::MemberWithUser& m : (*full)->members) members.push_back(member_json(m.member, m.user));
  body["members"] = std::move(members);
  send_json(call.res, 200, body);
}

void HttpServer::Impl::organization_set_active(Call& call) {
  Fields f(call.body, {"organizationId", "organizationSlug"});
  const auto organization_id = f.nullable_string("organizationId");
  const auto slug = f.optional_string("organizationSlug");
  if (!f.ok()) return send_error(call.res, f.status());
  Authenticated auth;
  if (!require_session(call, auth)) return;
  const bool unset = organization_id && !organization_id->has_value();
  auto org = organizations.set_active(auth, unset, organization_id.value_or(std::nullopt), slug);
  if (!org) return send_error(call.res, org.status());
  // The plugin sends the session cookie again, as when the session changes.
  if (*org || (unset && auth.session.active_organization_id)) {
    set_session_cookie(call, auth.session, !auth.dont_remember);
  }
  send_json(call.res, 200, *org ? organization_json(**org) : ordered_json(nullptr));
}

void HttpServer::Impl::organization_invite_member(Call& call) {
  Fields f(call.body, {"email", "role", "organizationId", "resend", "teamId"});
  auth::Invite r;
  r.email = f.required_string("email");
  r.organization_id = f.optional_string("organizationId");
  r.resend = f.optional_bool("resend").value_or(false);
  Status error = f.ok() ? Status::OK() : f.status();
  auto roles = roles_field(call.body, "role", error);
  if (!roles && error.ok()) {
    error = Status(ErrorCode::kValidationError, "[body.role] Invalid input: expected string or array, received undefined");
  }
  if (error.ok() && call.body.contains("teamId")) {
    error = Status(ErrorCode::kFieldNotAllowed, "[body.teamId] Teams are not enabled");
  }
  if (!error.ok()) return send_error(call.res, error);
  r.roles = std::move(*roles);
  Authenticated auth;
  if (!require_session(call, auth)) return;
  auto inv = organizations.invite(auth, r, call.caller);
  if (!inv) return send_error(call.res, inv.status());
  send_json(call.res, 200, invitation_json(*inv));
}

void HttpServer::Impl::organization_accept_invitation(Call& call) {
  Fields f(call.body, {"invitationId"});
  const std::string id = f.required_string("invitationId");
  if (!f.ok()) return send_error(call.res, f.status());
  Authenticated auth;
  if (!require_session(call, auth)) return;
  auto out = organizations.accept(auth, id, call.caller);
  if (!out) return send_error(call.res, out.status());
  send_json(call.res, 200, {{"invitation", invitation_json(out->invitation)}, {"member", member_json(out->member)}});
}

void HttpServer::Impl::organization_reject_invitation(Call& call) {
  Fields f(call.body, {"invitationId"});
  const std::string id = f.required_string("invitationId");
  if (!f.ok()) return send_error(call.res, f.status());
  Authenticated auth;
  if (!require_session(call, auth)) return;
  auto inv = organizations.reject(auth, id, call.caller);
  if (!inv) return send_error(call.res, inv.status());
  send_json(call.res, 200, {{"invitation", invitation_json(*inv)}, {"member", nullptr}});
}

void HttpServer::Impl::organization_cancel_invitation(Call& call) {
  Fields f(call.body, {"invitationId"});
  const std::string id = f.required_string("invitationId");
  if (!f.ok()) return send_error(call.res, f.status());
  Authenticated auth;
  if (!require_session(call, auth)) return;
  auto inv = organizations.cancel(auth, id, call.caller);
  if (!inv) return send_error(call.res, inv.status());
  send_json(call.res, 200, invitation_json(*inv));
}

void HttpServer::Impl::organization_get_invitation(Call& call) {
  const auto id = query_param(call.req, "id");
  if (!id) {
    return send_error(call.res,
                      Status(ErrorCode::kValidationError, "[query.id] Invalid input: expected string, received undefined"));
  }
  Authenticated auth;
  if (!require_session(call, auth)) return;
  auto out = organizations.get_invitation(auth, *id);
  if (!out) return send_error(call.res, out.status());
  ordered_json body = invitation_json(out->invitation);
  body["organizationName"] = out->organization_name;
  body["organizationSlug"] = out->organization_slug;
  body["inviterEmail"] = out->inviter_email;
  send_json(call.res, 200, body);
}

void HttpServer::Impl::organization_list_invitations(Call& call) {
  Authenticated auth;
  if (!require_session(call, auth)) return;
  auto list = organizations.list_invitations(auth, query_param(call.req, "organizationId"));
  if (!list) return send_error(call.res, list.status());
  ordered_json body = ordered_json::array();
  for (const Invitation& i : *list) body.push_back(invitation_json(i));
  send_json(call.res, 200, body);
}

void HttpServer::Impl::organization_list_user_invitations(Call& call) {
  if (call.req.has_param("email")) {
    return send_error(call.res, Status(ErrorCode::kFieldNotAllowed,
                                       "User email cannot be passed for client side API calls."));
  }
  Authenticated auth;
  if (!require_session(call, auth)) return;
  auto list = organizations.list_user_invitations(auth);
  if (!list) return send_error(call.res, list.status());
  ordered_json body = ordered_json::array();
  for (const auth::ReceivedInvitation& r : *list) {
    ordered_json j = invitation_json(r.invitation);
    j["organizationName"] = r.organization_name;
    body.push_back(std::move(j));
  }
  send_json(call.res, 200, body);
}

void HttpServer::Impl::organization_remove_member(Call& call) {
  Fields f(call.body, {"memberIdOrEmail", "organizationId"});
  const std::string target = f.required_string("memberIdOrEmail");
  const auto organization_id = f.optional_string("organizationId");
  if (!f.ok()) return send_error(call.res, f.status());
  Authenticated auth;
  if (!require_session(call, auth)) return;
  auto out = organizations.remove_member(auth, target, organization_id, call.caller);
  if (!out) return send_error(call.res, out.status());
  send_json(call.res, 200, {{"member", out->user ? member_json(out->member, *out->user) : member_json(out->member)}});
}

void HttpServer::Impl::organization_update_member_role(Call& call) {
  Fields f(call.body, {"memberId", "role", "organizationId"});
  const std::string member_id = f.required_string("memberId");
  const auto organization_id = f.optional_string("organizationId");
  Status error = f.ok() ? Status::OK() : f.status();
  auto roles = roles_field(call.body, "role", error);
  if (!roles && error.ok()) {
    error = Status(ErrorCode::kValidationError, "[body.role] Invalid input: expected string or array, received undefined");
  }
  if (!error.ok()) return send_error(call.res, error);
  Authenticated auth;
  if (!require_session(call, auth)) return;
  auto member = organizations.update_member_role(auth, member_id, *roles, organization_id, call.caller);
  if (!member) return send_error(call.res, member.status());
  send_json(call.res, 200, member_json(*member));
}

void HttpServer::Impl::organization_get_active_member(Call& call) {
  Authenticated auth;
  if (!require_session(call, auth)) return;
  auto member = organizations.active_member(auth);
  if (!member) return send_error(call.res, member.status());
  send_json(call.res, 200, member_json(member->member, member->user));
}

void HttpServer::Impl::organization_get_active_member_role(Call& call) {
  Authenticated auth;
  if (!require_session(call, auth)) return;
  auto role = organizations.active_member_role(auth, query_param(call.req, "userId"),
                                               query_param(call.req, "organizationId"),
                                               query_param(call.req, "organizationSlug"));
  if (!role) return send_error(call.res, role.status());
  send_json(call.res, 200, {{"role", *role}});
}

void HttpServer::Impl::organization_leave(Call& call) {
  Fields f(call.body, {"organizationId"});
  const std::string organization_id = f.required_string("organizationId");
  if (!f.ok()) return send_error(call.res, f.status());
  Authenticated auth;
  if (!require_session(call, auth)) return;
  auto member = organizations.leave(auth, organization_id, call.caller);
  if (!member) return send_error(call.res, member.status());
  send_json(call.res, 200, member_json(member->member, member->user));
}

void HttpServer::Impl::organization_list_members(Call& call) {
  Status error;
  std::size_t limit = 0;
  std::size_t offset = 0;
  if (!count_param(call.req, "limit", limit, error) || !count_param(call.req, "offset", offset, error)) {
    return send_error(call.res, error);
  }
  for (const char* unsupported : {"sortBy", "sortDirection", "filterField", "filterValue", "filterOperator"}) {
    if (call.req.has_param(unsupported)) {
      return send_error(call.res, Status(ErrorCode::kValidationError,
                                         std::string("[query.") + unsupported + "] Not supported by this server"));
    }
  }
  Authenticated auth;
  if (!require_session(call, auth)) return;
  auto page = organizations.list_members(auth, query_param(call.req, "organizationId"),
                                         query_param(call.req, "organizationSlug"), limit, offset);
  if (!page) return send_error(call.res, page.status());
  ordered_json members = ordered_json::array();
  for (const store::MemberWithUser& m : page->members) members.push_back(member_json(m.member, m.user));
  send_json(call.res, 200, {{"members", std::move(members)}, {"total", page->total}});
}

void HttpServer::Impl::organization_has_permission(Call& call) {
  Fields f(call.body, {"organizationId", "permissions", "permission"});
  const auto organization_id = f.optional_string("organizationId");
  Status error = f.ok() ? Status::OK() : f.status();
  const bool plural = call.body.contains("permissions");
  const bool singular = call.body.contains("permission");
  if (error.ok() && plural == singular) {
    error = Status(ErrorCode::kValidationError, plural ? "[body] Invalid input: more than one option matched"
                                                       : "[body] Invalid input");
  }
  std::optional<auth::Permissions> request;
  if (error.ok()) request = permissions_field(call.body[plural ? "permissions" : "permission"], error);
  if (!error.ok()) return send_error(call.res, error);
  Authenticated auth;
  if (!require_session(call, auth)) return;
  auto allowed = organizations.has_permission(auth, organization_id, *request);
  if (!allowed) return send_error(call.res, allowed.status());
  send_json(call.res, 200, {{"error", nullptr}, {"success", *allowed}});
}

}  // namespace portcullis::server
