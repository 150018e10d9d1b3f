// Portcullis server: organizations (auth/organization.h). The checks run in the order BetterAuth's
// organization plugin runs them, so a request wrong in several ways gets the same error.

#include "auth/organization.h"

#include <algorithm>
#include <utility>

#include "common/time.h"
#include "http/origins.h"
#include "portcullis/email.h"
#include "portcullis/token.h"

namespace portcullis::auth {

namespace {

using store::Invitation;
using store::Member;
using store::MemberWithUser;
using store::Organization;

// The default roles' statements (the plugin's defaultRoles; "team" and "ac" as it has them): per
// role and resource, the actions, comma-separated.
struct Grant {
  std::string_view role;
  std::string_view resource;
  std::string_view actions;
};
constexpr Grant kGrants[] = {
    {kOwnerRole, "organization", "update,delete"},
    {kOwnerRole, "member", "create,update,delete"},
    {kOwnerRole, "invitation", "create,cancel"},
    {kOwnerRole, "team", "create,update,delete"},
    {kOwnerRole, "ac", "create,read,update,delete"},
    {kAdminRole, "organization", "update"},
    {kAdminRole, "member", "create,update,delete"},
    {kAdminRole, "invitation", "create,cancel"},
    {kAdminRole, "team", "create,update,delete"},
    {kAdminRole, "ac", "create,read,update,delete"},
    {kMemberRole, "ac", "read"},
};

bool is_role(std::string_view role) { return role == kOwnerRole || role == kAdminRole || role == kMemberRole; }

// Whether `role` may do every action of `request` (a resource with no action asked: no).
bool role_allows(std::string_view role, const Permissions& request) {
  if (request.empty()) return false;
  for (const auto& [resource, actions] : request) {
    if (actions.empty()) return false;
    const Grant* grant = nullptr;
    for (const Grant& g : kGrants) {
      if (g.role == role && g.resource == resource) grant = &g;
    }
    if (grant == nullptr) return false;
    for (const std::string& action : actions) {
      if (action.empty() || action.find(',') != std::string::npos || !store::has_role(grant->actions, action)) {
        return false;
      }
    }
  }
  return true;
}

// The roles in a stored value (comma-separated), trimmed, empty ones left out (admin.cc's reader of
// the user's "role", given a value).
std::vector<std::string> role_list(std::string_view roles) { return split_roles(std::string(roles)); }


// Roles as the plugin stores them: trimmed, empty ones left out, joined with ",".
std::string join(const std::vector<std::string>& roles) {
  std::string out;
  for (const std::string& r : roles) {
    if (!out.empty()) out.push_back(',');
    out.append(r);
  }
  return out;
}

// Checks roles about to be given: at least one, each a default role. Returns them joined.
Result<std::string> checked_roles(const std::vector<std::string>& requested) {
  std::vector<std::string> roles;
  for (const std::string& r : requested) {
    for (std::string& one : role_list(r)) roles.push_back(std::move(one));
  }
  if (roles.empty()) return Status(ErrorCode::kRoleNotFound);
  std::string unknown;
  for (const std::string& r : roles) {
    if (is_role(r)) continue;
    if (!unknown.empty()) unknown.append(", ");
    unknown.append(r);
  }
  if (!unknown.empty()) {
    std::string message = "ROLE_NOT_FOUND: ";
    message.append(unknown);
    return Status(ErrorCode::kRoleNotFound, message);
  }
  return join(roles);
}

bool is_owner(std::string_view roles) { return store::has_role(roles, kOwnerRole); }

// A store error that is not the expected "not found": the request cannot be answered.
Status internal() { return Status(ErrorCode::kInternalServerError); }

// The store's NOT_FOUND as the plugin names what is missing (`missing`); any other error: the
// request cannot be answered.
Status named(const Status& s, ErrorCode missing) {
  return s.code() == ErrorCode::kNotFound ? Status(missing) : internal();
}

}  // namespace

bool roles_allow(std::string_view roles, const Permissions& request) {
  for (const std::string& r : role_list(roles)) {
    if (is_role(r) && role_allows(r, request)) return true;
  }
  return false;
}

Organizations::Organizations(const Config& config, store::Store& store, mail::MailQueue* mail, AuthService& service)
    : config_(config), store_(store), mail_(mail), service_(service) {}

std::optional<std::string> Organizations::named_or_active(const Authenticated& auth,
                                                          const std::optional<std::string>& organization_id) {
  if (organization_id && !organization_id->empty()) return organization_id;
  if (auth.session.active_organization_id && !auth.session.active_organization_id->empty()) {
    return auth.session.active_organization_id;
  }
  return std::nullopt;
}

Result<std::optional<std::string>> Organizations::resolve(const Authenticated& auth,
                                                          const std::optional<std::string>& organization_id,
                                                          const std::optional<std::string>& slug) {
  if (slug && !slug->empty()) {
    auto found = store_.find_organization_by_slug(*slug);
    if (!found) {
      return named(found.status(), ErrorCode::kOrganizationNotFound);
    }
    return std::optional<std::string>(found->id);
  }
  return named_or_active(auth, organization_id);
}

Result<Member> Organizations::membership(const Authenticated& auth, const std::string& organization_id,
                                         ErrorCode missing) {
  auto member = store_.find_member(organization_id, auth.user.id);
  if (!member) return named(member.status(), missing);
  return member;
}

void Organizations::drop_active(const Authenticated& auth) {
  if (auth.session.active_organization_id) (void)store_.set_active_organization(auth.session.token, std::nullopt);
}

// ---- organizations ------------------------------------------------------------------------------

Result<CreatedOrganization> Organizations::create(const Authenticated& auth, const NewOrganization& request,
                                                  const Caller& caller) {
  if (request.name.empty()) return Status(ErrorCode::kValidationError, "[body.name] Too small: expected string to have >=1 characters");
  if (request.slug.empty()) return Status(ErrorCode::kValidationError, "[body.slug] Too small: expected string to have >=1 characters");
  if (!config_.allow_user_to_create_organization) return Status(ErrorCode::kNotAllowedToCreateOrganization);
  CreatedOrganization out;
  Organization& org = out.organization;
  org.id = generate_token();
  org.name = request.name;
  org.slug = request.slug;
  org.logo = request.logo;
  org.metadata = request.metadata;
  org.created_at = caller.now;
  Member& owner = out.owner;
  owner.id = generate_token();
  owner.organization_id = org.id;
  owner.user_id = auth.user.id;
  owner.role = std::string(kOwnerRole);
  owner.created_at = caller.now;
  const std::optional<std::size_t> limit =
      config_.organization_limit > 0 ? std::optional<std::size_t>(config_.organization_limit) : std::nullopt;
  auto created = store_.create_organization(org, owner, limit);
  if (!created) {
    if (created.status().code() == ErrorCode::kUserAlreadyExists) return Status(ErrorCode::kOrganizationAlreadyExists);
    if (created.status().code() == ErrorCode::kNotFound) return Status(ErrorCode::kUnauthorized);  // the user went
    return internal();
  }
  if (!*created) return Status(ErrorCode::kOrganizationLimitReached);
  if (!request.keep_current_active) (void)store_.set_active_organization(auth.session.token, org.id);
  service_.audit("organization-created", &auth.user, caller, {{"organization", org.id}});
  return out;
}

Status Organizations::check_slug(const std::string& slug) {
  auto found = store_.find_organization_by_slug(slug);
  if (found.ok()) return Status(ErrorCode::kOrganizationSlugAlreadyTaken);
  return found.status().code() == ErrorCode::kNotFound ? Status::OK() : internal();
}

Result<Organization> Organizations::update(const Authenticated& auth, const std::optional<std::string>& organization_id,
                                           const OrganizationChanges& changes, const Caller& caller) {
  if (changes.name && changes.name->empty()) {
    return Status(ErrorCode::kValidationError, "[body.data.name] Too small: expected string to have >=1 characters");
  }
  if (changes.slug && changes.slug->empty()) {
    return Status(ErrorCode::kValidationError, "[body.data.slug] Too small: expected string to have >=1 characters");
  }
  const auto id = named_or_active(auth, organization_id);
  if (!id) return Status(ErrorCode::kOrganizationNotFound);
  auto member = membership(auth, *id, ErrorCode::kUserIsNotAMemberOfTheOrganization);
  if (!member) return member.status();
  if (!roles_allow(member->role, {{"organization", {"update"}}})) {
    return Status(ErrorCode::kNotAllowedToUpdateOrganization);
  }
  auto org = store_.find_organization(*id);
  if (!org) return named(org.status(), ErrorCode::kOrganizationNotFound);
  if (changes.name) org->name = *changes.name;
  if (changes.slug) org->slug = *changes.slug;
  if (changes.logo) org->logo = *changes.logo;
  if (changes.metadata) org->metadata = changes.metadata;
  const Status written = store_.update_organization(*org);
  if (written.code() == ErrorCode::kUserAlreadyExists) return Status(ErrorCode::kOrganizationSlugAlreadyTaken);
  if (written.code() == ErrorCode::kNotFound) return Status(ErrorCode::kOrganizationNotFound);
  if (!written.ok()) return internal();
  service_.audit("organization-updated", &auth.user, caller, {{"organization", org->id}});
  return org;
}

Result<Organization> Organizations::remove(const Authenticated& auth, const std::string& organization_id,
                                           const Caller& caller) {
  if (organization_id.empty()) return Status(ErrorCode::kOrganizationNotFound);
  auto member = membership(auth, organization_id, ErrorCode::kUserIsNotAMemberOfTheOrganization);
  if (!member) return member.status();
  if (!roles_allow(member->role, {{"organization", {"delete"}}})) {
    return Status(ErrorCode::kNotAllowedToDeleteOrganization);
  }
  auto org = store_.find_organization(organization_id);
  if (!org) return named(org.status(), ErrorCode::kOrganizationNotFound);
  const Status deleted = store_.delete_organization(organization_id);
  if (deleted.code() == ErrorCode::kNotFound) return Status(ErrorCode::kOrganizationNotFound);
  if (!deleted.ok()) return internal();
  service_.audit("organization-deleted", &auth.user, caller, {{"organization", organization_id}});
  return org;
}

Result<std::vector<Organization>> Organizations::list(const Authenticated& auth) {
  auto orgs = store_.list_user_organizations(auth.user.id);
  if (!orgs) return internal();
  return orgs;
}

Result<std::optional<Organization>> Organizations::get(const Authenticated& auth,
                                                       const std::optional<std::string>& organization_id,
                                                       const std::optional<std::string>& slug) {
  auto id = resolve(auth, organization_id, slug);
  if (!id) return id.status();
  if (!*id) return std::optional<Organization>();
  auto org = store_.find_organization(**id);
  if (!org) return named(org.status(), ErrorCode::kOrganizationNotFound);
  auto member = membership(auth, org->id, ErrorCode::kUserIsNotAMemberOfTheOrganization);
  if (!member) {
    if (member.status().code() == ErrorCode::kUserIsNotAMemberOfTheOrganization) drop_active(auth);
    return member.status();
  }
  return std::optional<Organization>(std::move(*org));
}

Result<std::optional<FullOrganization>> Organizations::get_full(const Authenticated& auth,
                                                                const std::optional<std::string>& organization_id,
                                                                const std::optional<std::string>& slug,
                                                                std::size_t members_limit) {
  auto org = get(auth, organization_id, slug);
  if (!org) return org.status();
  if (!*org) return std::optional<FullOrganization>();
  FullOrganization out;
  out.organization = std::move(**org);
  auto member = membership(auth, out.organization.id, ErrorCode::kUserIsNotAMemberOfTheOrganization);
  if (!member) return member.status();
  auto page = store_.list_members(out.organization.id,
                                  members_limit > 0 ? members_limit : config_.organization_membership_limit, 0);
  if (!page) return internal();
  out.members = std::move(page->members);
  if (roles_allow(member->role, {{"invitation", {"create"}}})) {
    auto invitations = store_.list_invitations(out.organization.id);
    if (!invitations) return internal();
    for (Invitation& i : *invitations) {
      if (i.role && is_owner(*i.role) && !is_owner(member->role)) continue;
      out.invitations.push_back(std::move(i));
    }
  }
  return std::optional<FullOrganization>(std::move(out));
}

Result<std::optional<Organization>> Organizations::set_active(const Authenticated& auth, bool unset,
                                                              const std::optional<std::string>& organization_id,
                                                              const std::optional<std::string>& slug) {
  if (unset) {
    if (auth.session.active_organization_id) {
      if (!store_.set_active_organization(auth.session.token, std::nullopt).ok()) return internal();
    }
    return std::optional<Organization>();
  }
  auto id = resolve(auth, organization_id, slug);
  if (!id) return id.status();
  if (!*id) return std::optional<Organization>();
  auto member = membership(auth, **id, ErrorCode::kUserIsNotAMemberOfTheOrganization);
  if (!member) {
    if (member.status().code() == ErrorCode::kUserIsNotAMemberOfTheOrganization) drop_active(auth);
    return member.status();
  }
  auto org = store_.find_organization(**id);
  if (!org) return named(org.status(), ErrorCode::kOrganizationNotFound);
  if (!store_.set_active_organization(auth.session.token, org->id).ok()) return internal();
  return std::optional<Organization>(std::move(*org));
}

// ---- invitations --------------------------------------------------------------------------------

void Organizations::mail_invitation(const Invitation& invitation, const Organization& organization,
                                    const User& inviter, TimePoint now) {
  if (mail_ == nullptr) return;
  // The budget is the recipient's, as for every mailed flow: invitations cannot flood an inbox.
  if (!service_.spend_mail_budget("organization-invitation", invitation.email, now).ok()) return;
  std::string link = config_.organization_invitation_url;
  if (link.empty()) {
    link = config_.origin;
    link.append("/accept-invitation/{id}");
  }
  const std::size_t at = link.find("{id}");
  link.replace(at, 4, percent_encode_component(invitation.id));
  mail::Message m;
  m.to = invitation.email;
  m.kind = "organization-invitation";
  m.link = link;
  m.subject = inviter.name.empty() ? "You are invited to join " + organization.name + " on " + config_.app_name
                                   : inviter.name + " invited you to join " + organization.name + " on " +
                                         config_.app_name;
  std::string text = "Hello,\n\n";
  text.append(inviter.name.empty() ? std::string("Someone") : inviter.name)
      .append(" (")
      .append(inviter.email)
      .append(") invited you to join ")
      .append(organization.name)
      .append(" on ")
      .append(config_.app_name)
      .append(" as ")
      .append(invitation.role.value_or(std::string(kMemberRole)))
      .append(". To accept or decline, open this link and sign in as ")
      .append(invitation.email)
      .append(":\n\n    ")
      .append(link)
      .append("\n\nThe invitation can be accepted for the next ")
      .append(duration_text(config_.organization_invitation_expires_in))
      .append(". If you do not know why you got it, ignore this message: nothing happens without you.\n");
  m.text = std::move(text);
  mail_->enqueue(std::move(m));
}

Result<Invitation> Organizations::invite(const Authenticated& auth, const Invite& request, const Caller& caller) {
  const auto id = named_or_active(auth, request.organization_id);
  if (!id) return Status(ErrorCode::kOrganizationNotFound);
  auto email = validate_email(request.email, config_.email_options);
  if (!email) return email.status();
  auto member = membership(auth, *id, ErrorCode::kMemberNotFound);
  if (!member) return member.status();
  if (!roles_allow(member->role, {{"invitation", {"create"}}})) return Status(ErrorCode::kNotAllowedToInvite);
  auto roles = checked_roles(request.roles);
  if (!roles) return roles.status();
  const bool owner = is_owner(member->role);
  if (!owner && is_owner(*roles)) return Status(ErrorCode::kNotAllowedToInviteWithRole);
  if (auto invitee = store_.find_user_by_email(*email); invitee.ok()) {
    if (store_.find_member(*id, invitee->id).ok()) return Status(ErrorCode::kUserIsAlreadyAMember);
  } else if (invitee.status().code() != ErrorCode::kNotFound) {
    return internal();
  }
  auto org = store_.find_organization(*id);
  if (!org) return named(org.status(), ErrorCode::kOrganizationNotFound);
  const TimePoint expires = caller.now + std::chrono::duration_cast<std::chrono::milliseconds>(
                                             config_.organization_invitation_expires_in);
  if (request.resend) {
    auto sent = store_.list_invitations(*id);
    if (!sent) return internal();
    for (Invitation& pending : *sent) {
      if (pending.status != "pending" || pending.email != *email || pending.expires_at <= caller.now) continue;
      if (pending.role && is_owner(*pending.role) && !owner) return Status(ErrorCode::kNotAllowedToInviteWithRole);
      auto renewed = store_.update_pending_invitation(pending.id, "pending", expires);
      if (!renewed) return internal();
      if (!*renewed) break;  // answered meanwhile: a new one below
      pending.expires_at = expires;
      mail_invitation(pending, *org, auth.user, caller.now);
      service_.audit("invitation-sent", &auth.user, caller, {{"organization", *id}, {"invitation", pending.id}});
      return std::move(pending);
    }
  }
  Invitation inv;
  inv.id = generate_token();
  inv.organization_id = *id;
  inv.email = *email;
  inv.role = *roles;
  inv.status = "pending";
  inv.expires_at = expires;
  inv.created_at = caller.now;
  inv.inviter_id = auth.user.id;
  const Status created = store_.create_invitation(inv, config_.organization_invitation_limit,
                                                  config_.organization_cancel_pending_invitations_on_reinvite);
  if (created.code() == ErrorCode::kUserIsAlreadyInvited || created.code() == ErrorCode::kInvitationLimitReached) {
    return created;
  }
  if (created.code() == ErrorCode::kNotFound) return Status(ErrorCode::kOrganizationNotFound);
  if (!created.ok()) return internal();
  mail_invitation(inv, *org, auth.user, caller.now);
  service_.audit("invitation-sent", &auth.user, caller, {{"organization", *id}, {"invitation", inv.id}});
  return inv;
}

Result<Invitation> Organizations::received(const Authenticated& auth, const std::string& id, bool expired_ok,
                                           std::optional<ErrorCode> verified_error, TimePoint now) {
  auto inv = store_.find_invitation(id);
  if (!inv) return named(inv.status(), ErrorCode::kInvitationNotFound);
  if (inv->status != "pending" || (!expired_ok && inv->expires_at <= now)) return Status(ErrorCode::kInvitationNotFound);
  if (normalize_email(inv->email) != normalize_email(auth.user.email)) {
    return Status(ErrorCode::kNotTheRecipientOfTheInvitation);
  }
  if (verified_error && config_.organization_require_email_verification && !auth.user.email_verified) {
    return Status(*verified_error);
  }
  return inv;
}

Result<AcceptedInvitation> Organizations::accept(const Authenticated& auth, const std::string& invitation_id,
                                                 const Caller& caller) {
  auto inv = received(auth, invitation_id, false, ErrorCode::kEmailVerificationRequiredForInvitation, caller.now);
  if (!inv) return inv.status();
  AcceptedInvitation out;
  Member& m = out.member;
  m.id = generate_token();
  m.organization_id = inv->organization_id;
  m.user_id = auth.user.id;
  m.role = inv->role && !role_list(*inv->role).empty() ? join(role_list(*inv->role)) : std::string(kMemberRole);
  m.created_at = caller.now;
  switch (const Status accepted = store_.accept_invitation(inv->id, m, config_.organization_membership_limit,
                                                           caller.now);
          accepted.code()) {
    case ErrorCode::kOk:
      break;
    case ErrorCode::kInvitationNotFound:  // answered or expired meanwhile
    case ErrorCode::kUserIsAlreadyAMember:
    case ErrorCode::kMembershipLimitReached:
      return Status(accepted.code());
    case ErrorCode::kNotFound:
      return Status(ErrorCode::kOrganizationNotFound);
    default:
      return internal();
  }
  (void)store_.set_active_organization(auth.session.token, inv->organization_id);
  out.invitation = std::move(*inv);
  out.invitation.status = "accepted";
  service_.audit("invitation-accepted", &auth.user, caller,
                 {{"organization", m.organization_id}, {"invitation", out.invitation.id}, {"role", m.role}});
  return out;
}

Result<Invitation> Organizations::reject(const Authenticated& auth, const std::string& invitation_id,
                                         const Caller& caller) {
  auto inv = received(auth, invitation_id, true, ErrorCode::kEmailVerificationRequiredForInvitation, caller.now);
  if (!inv) {
    if (inv.status().code() == ErrorCode::kInvitationNotFound) {
      return Status(ErrorCode::kInvitationNotFound, "Invitation not found!");
    }
    return inv.status();
  }
  auto done = store_.update_pending_invitation(inv->id, "rejected", std::nullopt);
  if (!done) return internal();
  if (!*done) return Status(ErrorCode::kInvitationNotFound, "Invitation not found!");
  inv->status = "rejected";
  service_.audit("invitation-rejected", &auth.user, caller,
                 {{"organization", inv->organization_id}, {"invitation", inv->id}});
  return inv;
}

Result<Invitation> Organizations::cancel(const Authenticated& auth, const std::string& invitation_id,
                                         const Caller& caller) {
  auto inv = store_.find_invitation(invitation_id);
  if (!inv) return named(inv.status(), ErrorCode::kInvitationNotFound);
  auto member = membership(auth, inv->organization_id, ErrorCode::kMemberNotFound);
  if (!member) return member.status();
  if (!roles_allow(member->role, {{"invitation", {"cancel"}}})) return Status(ErrorCode::kNotAllowedToCancelInvitation);
  // Only a pending invitation changes (BetterAuth also marks answered ones "canceled"): an
  // accepted or rejected one is answered as it stands.
  auto done = store_.update_pending_invitation(inv->id, "canceled", std::nullopt);
  if (!done) return internal();
  if (*done) {
    inv->status = "canceled";
    service_.audit("invitation-canceled", &auth.user, caller,
                   {{"organization", inv->organization_id}, {"invitation", inv->id}});
  }
  return inv;
}

Result<ReceivedInvitation> Organizations::get_invitation(const Authenticated& auth, const std::string& invitation_id) {
  auto inv = received(auth, invitation_id, false, ErrorCode::kEmailVerificationRequiredToViewInvitations,
                      store::now_ms());
  if (!inv) return inv.status();
  auto org = store_.find_organization(inv->organization_id);
  if (!org) return named(org.status(), ErrorCode::kOrganizationNotFound);
  auto inviter = store_.find_member(inv->organization_id, inv->inviter_id);
  if (!inviter) {
    return named(inviter.status(), ErrorCode::kInviterIsNoLongerAMember);
  }
  auto inviter_user = store_.find_user_by_id(inv->inviter_id);
  if (!inviter_user) {
    return named(inviter_user.status(), ErrorCode::kInviterIsNoLongerAMember);
  }
  ReceivedInvitation out;
  out.invitation = std::move(*inv);
  out.organization_name = org->name;
  out.organization_slug = org->slug;
  out.inviter_email = inviter_user->email;
  return out;
}

Result<std::vector<Invitation>> Organizations::list_invitations(const Authenticated& auth,
                                                                const std::optional<std::string>& organization_id) {
  const auto id = named_or_active(auth, organization_id);
  if (!id) return Status(ErrorCode::kOrganizationNotFound, "Organization ID is required");
  auto member = membership(auth, *id, ErrorCode::kNotAMemberOfThisOrganization);
  if (!member) return member.status();
  if (!roles_allow(member->role, {{"invitation", {"create"}}})) return Status(ErrorCode::kNotAllowedToListInvitations);
  auto all = store_.list_invitations(*id);
  if (!all) return internal();
  std::vector<Invitation> out;
  for (Invitation& i : *all) {
    if (i.role && is_owner(*i.role) && !is_owner(member->role)) continue;
    out.push_back(std::move(i));
  }
  return out;
}

Result<std::vector<ReceivedInvitation>> Organizations::list_user_invitations(const Authenticated& auth) {
  if (!auth.user.email_verified) return Status(ErrorCode::kEmailVerificationRequiredToViewInvitations);
  auto all = store_.list_invitations_to(normalize_email(auth.user.email));
  if (!all) return internal();
  std::vector<ReceivedInvitation> out;
  for (Invitation& i : *all) {
    if (i.status != "pending") continue;
    auto org = store_.find_organization(i.organization_id);
    if (!org) continue;  // deleted meanwhile
    ReceivedInvitation r;
    r.organization_name = org->name;
    r.invitation = std::move(i);
    out.push_back(std::move(r));
  }
  return out;
}

// ---- members ------------------------------------------------------------------------------------

Result<RemovedMember> Organizations::remove_member(const Authenticated& auth, const std::string& member_id_or_email,
                                                   const std::optional<std::string>& organization_id,
                                                   const Caller& caller) {
  const auto id = named_or_active(auth, organization_id);
  if (!id) return Status(ErrorCode::kNoActiveOrganization);
  auto caller_member = membership(auth, *id, ErrorCode::kMemberNotFound);
  if (!caller_member) return caller_member.status();
  RemovedMember out;
  if (member_id_or_email.find('@') != std::string::npos) {
    auto user = store_.find_user_by_email(normalize_email(member_id_or_email));
    if (!user) return named(user.status(), ErrorCode::kMemberNotFound);
    auto target = store_.find_member(*id, user->id);
    if (!target) return named(target.status(), ErrorCode::kMemberNotFound);
    out.member = std::move(*target);
    out.user = std::move(*user);
  } else {
    auto target = store_.find_member_by_id(*id, member_id_or_email);
    if (!target) return named(target.status(), ErrorCode::kMemberNotFound);
    out.member = std::move(*target);
  }
  // Only an owner removes an owner (BetterAuth answers a non-owner with the last owner's error,
  // YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER, which misleads).
  if (is_owner(out.member.role) && !is_owner(caller_member->role)) return Status(ErrorCode::kNotAllowedToDeleteMember);
  if (!roles_allow(caller_member->role, {{"member", {"delete"}}})) return Status(ErrorCode::kNotAllowedToDeleteMember);
  const Status removed = store_.remove_member(*id, out.member.id, kOwnerRole);
  if (removed.code() == ErrorCode::kNotFound) return Status(ErrorCode::kMemberNotFound);
  if (removed.code() == ErrorCode::kCannotLeaveAsOnlyOwner) return removed;
  if (!removed.ok()) return internal();
  service_.audit("member-removed", &auth.user, caller,
                 {{"organization", *id}, {"member", out.member.id}, {"target", out.member.user_id}});
  return out;
}

Result<Member> Organizations::update_member_role(const Authenticated& auth, const std::string& member_id,
                                                 const std::vector<std::string>& roles,
                                                 const std::optional<std::string>& organization_id,
                                                 const Caller& caller) {
  const auto id = named_or_active(auth, organization_id);
  if (!id) return Status(ErrorCode::kNoActiveOrganization);
  std::vector<std::string> parsed;
  for (const std::string& r : roles) {
    for (std::string& one : role_list(r)) parsed.push_back(std::move(one));
  }
  if (parsed.empty()) return Status(ErrorCode::kRoleNotFound);
  auto caller_member = membership(auth, *id, ErrorCode::kMemberNotFound);
  if (!caller_member) return caller_member.status();
  Member target;
  if (member_id == caller_member->id) {
    target = *caller_member;
  } else {
    auto found = store_.find_member_by_id(*id, member_id);
    if (!found) return named(found.status(), ErrorCode::kMemberNotFound);
    target = std::move(*found);
  }
  const bool caller_is_owner = is_owner(caller_member->role);
  const std::string joined = join(parsed);
  if ((is_owner(target.role) || is_owner(joined)) && !caller_is_owner) {
    return Status(ErrorCode::kNotAllowedToUpdateMember);
  }
  if (!caller_is_owner && !roles_allow(caller_member->role, {{"member", {"update"}}})) {
    return Status(ErrorCode::kNotAllowedToUpdateMember);
  }
  auto checked = checked_roles(parsed);
  if (!checked) return checked.status();
  const Status written = store_.update_member_role(*id, target.id, *checked, kOwnerRole);
  if (written.code() == ErrorCode::kNotFound) return Status(ErrorCode::kMemberNotFound);
  if (written.code() == ErrorCode::kCannotLeaveWithoutOwner) return written;
  if (!written.ok()) return internal();
  target.role = *checked;
  service_.audit("member-role-changed", &auth.user, caller,
                 {{"organization", *id}, {"member", target.id}, {"target", target.user_id}, {"role", target.role}});
  return target;
}

Result<MemberWithUser> Organizations::active_member(const Authenticated& auth) {
  const auto id = named_or_active(auth, std::nullopt);
  if (!id) return Status(ErrorCode::kNoActiveOrganization);
  auto member = membership(auth, *id, ErrorCode::kMemberNotFound);
  if (!member) return member.status();
  return MemberWithUser{std::move(*member), auth.user};
}

Result<std::string> Organizations::active_member_role(const Authenticated& auth,
                                                      const std::optional<std::string>& user_id,
                                                      const std::optional<std::string>& organization_id,
                                                      const std::optional<std::string>& slug) {
  auto id = resolve(auth, organization_id, slug);
  if (!id) return id.status();
  if (!*id) return Status(ErrorCode::kNoActiveOrganization);
  auto member = membership(auth, **id, ErrorCode::kNotAMemberOfThisOrganization);
  if (!member) return member.status();
  if (!user_id || user_id->empty() || *user_id == auth.user.id) return member->role;
  auto other = store_.find_member(**id, *user_id);
  if (!other) {
    return named(other.status(), ErrorCode::kNotAMemberOfThisOrganization);
  }
  return other->role;
}

Result<MemberWithUser> Organizations::leave(const Authenticated& auth, const std::string& organization_id,
                                            const Caller& caller) {
  auto member = membership(auth, organization_id, ErrorCode::kMemberNotFound);
  if (!member) return member.status();
  const Status removed = store_.remove_member(organization_id, member->id, kOwnerRole);
  if (removed.code() == ErrorCode::kNotFound) return Status(ErrorCode::kMemberNotFound);
  if (removed.code() == ErrorCode::kCannotLeaveAsOnlyOwner) return removed;
  if (!removed.ok()) return internal();
  service_.audit("member-left", &auth.user, caller, {{"organization", organization_id}, {"member", member->id}});
  return MemberWithUser{std::move(*member), auth.user};
}

Result<store::MemberPage> Organizations::list_members(const Authenticated& auth,
                                                      const std::optional<std::string>& organization_id,
                                                      const std::optional<std::string>& slug, std::size_t limit,
                                                      std::size_t offset) {
  auto id = resolve(auth, organization_id, slug);
  if (!id) return id.status();
  if (!*id) return Status(ErrorCode::kNoActiveOrganization);
  auto member = membership(auth, **id, ErrorCode::kNotAMemberOfThisOrganization);
  if (!member) return member.status();
  auto page = store_.list_members(**id, limit > 0 ? limit : config_.organization_membership_limit, offset);
  if (!page) return internal();
  return page;
}

Result<bool> Organizations::has_permission(const Authenticated& auth, const std::optional<std::string>& organization_id,
                                           const Permissions& request) {
  const auto id = named_or_active(auth, organization_id);
  if (!id) return Status(ErrorCode::kNoActiveOrganization);
  auto member = membership(auth, *id, ErrorCode::kUserIsNotAMemberOfTheOrganization);
  if (!member) return member.status();
  return roles_allow(member->role, request);
}

}  // namespace portcullis::auth
