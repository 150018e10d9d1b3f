// Portcullis server: organizations (--organization; BetterAuth's organization plugin, without
// teams and without roles made at run time).
//
// A signed-in user creates an organization and becomes its owner; owners and admins invite others
// by e-mail; an invited user who signs in with that (verified) address accepts and becomes a
// member with the invitation's roles. A member's roles decide what it may do, as the plugin's
// default roles say:
//   owner   organization: update, delete; member: create, update, delete; invitation: create, cancel
//   admin   organization: update;         member: create, update, delete; invitation: create, cancel
//   member  nothing (it may see the organization and its members)
// Only an owner makes or unmakes owners, and an organization always keeps one. A session may have
// an active organization (BetterAuth's session column "activeOrganizationId"), which most calls
// take when no organization is named.
//
// The rules and answers are the plugin's (1.7); where they differ it is to be safer, and the
// difference is named at the method. Nothing here knows about HTTP: errors are Status values with
// the plugin's codes, which the routes turn into statuses.

#ifndef PORTCULLIS_AUTH_ORGANIZATION_H_
#define PORTCULLIS_AUTH_ORGANIZATION_H_

#include <optional>
#include <string>
#include <vector>

#include "auth/service.h"

namespace portcullis::auth {

// The organization plugin's default roles.
inline constexpr std::string_view kOwnerRole = "owner";
inline constexpr std::string_view kAdminRole = "admin";
inline constexpr std::string_view kMemberRole = "member";

// Returns whether one of the roles in `roles` (comma-separated) grants every action asked for in
// `request` (resource, e.g. "member", to actions, e.g. "delete"), by the default roles above (their "team" and "ac" statements included, as the
// plugin's). False for an empty request, a resource asked for with no action, an unknown
// resource or action, or no known role.
bool roles_allow(std::string_view roles, const Permissions& request);

struct NewOrganization {
  std::string name;
  std::string slug;
  std::optional<std::string> logo;
  std::optional<std::string> metadata;  // JSON text of an object
  bool keep_current_active = false;     // leave the session's active organization as it is
};

// The fields update changes; the ones not given stay.
struct OrganizationChanges {
  std::optional<std::string> name;
  std::optional<std::string> slug;
  std::optional<std::optional<std::string>> logo;  // a value, or null to clear it
  std::optional<std::string> metadata;             // JSON text of an object
};

struct CreatedOrganization {
  store::Organization organization;
  store::Member owner;
};

struct FullOrganization {
  store::Organization organization;
  std::vector<store::MemberWithUser> members;
  std::vector<store::Invitation> invitations;  // empty unless the caller may invite
};

struct Invite {
  std::string email;
  std::vector<std::string> roles;
  std::optional<std::string> organization_id;  // none: the active organization
  bool resend = false;                         // a pending invitation gets a new expiry instead
};

struct AcceptedInvitation {
  store::Invitation invitation;
  store::Member member;
};

// An invitation as its recipient sees it.
struct ReceivedInvitation {
  store::Invitation invitation;
  std::string organization_name;
  std::string organization_slug;
  std::string inviter_email;
};

struct RemovedMember {
  store::Member member;
  std::optional<User> user;  // when it was named by e-mail address
};

class Organizations {
 public:
  // `service` keeps the audit log and the mail budgets; `mail` may be null (invitations are then not mailed).
  // All must outlive this object.
  Organizations(const Config& config, store::Store& store, mail::MailQueue* mail, AuthService& service);

  // Creates an organization with the caller as its owner, and makes it the session's active one
  // unless asked not to. Errors: YOU_ARE_NOT_ALLOWED_TO_CREATE_A_NEW_ORGANIZATION
  // (allowUserToCreateOrganization off); YOU_HAVE_REACHED_THE_MAXIMUM_NUMBER_OF_ORGANIZATIONS;
  // ORGANIZATION_ALREADY_EXISTS (the slug is taken); VALIDATION_ERROR (empty name or slug);
  // INTERNAL_SERVER_ERROR.
  Result<CreatedOrganization> create(const Authenticated& auth, const NewOrganization& request, const Caller& caller);

  // OK when no organization has `slug`. Errors: ORGANIZATION_SLUG_ALREADY_TAKEN;
  // INTERNAL_SERVER_ERROR.
  Status check_slug(const std::string& slug);

  // Changes the organization (none: the active one) and returns it. Errors:
  // ORGANIZATION_NOT_FOUND (none named or active); USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION;
  // YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_ORGANIZATION (a member); ORGANIZATION_SLUG_ALREADY_TAKEN;
  // VALIDATION_ERROR; INTERNAL_SERVER_ERROR.
  Result<store::Organization> update(const Authenticated& auth, const std::optional<std::string>& organization_id,
                                     const OrganizationChanges& changes, const Caller& caller);

  // Deletes the organization with its memberships and invitations, and returns it; every session
  // that had it active has none then (BetterAuth unsets only the caller's). Errors:
  // ORGANIZATION_NOT_FOUND (an empty id); USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION;
  // YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_ORGANIZATION (not an owner); INTERNAL_SERVER_ERROR.
  Result<store::Organization> remove(const Authenticated& auth, const std::string& organization_id,
                                     const Caller& caller);

  // The organizations the caller is a member of, oldest first. Errors: INTERNAL_SERVER_ERROR.
  Result<std::vector<store::Organization>> list(const Authenticated& auth);

  // The organization named by `slug`, else `organization_id`, else the active one; none when
  // nothing names one. A caller who is not a member loses the session's active organization.
  // Errors: ORGANIZATION_NOT_FOUND; USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION;
  // INTERNAL_SERVER_ERROR.
  Result<std::optional<store::Organization>> get(const Authenticated& auth,
                                                 const std::optional<std::string>& organization_id,
                                                 const std::optional<std::string>& slug);

  // The same, with its first `members_limit` members (0: organizationMembershipLimit) and, for a
  // caller who may invite, its invitations (those giving the owner role only to an owner).
  Result<std::optional<FullOrganization>> get_full(const Authenticated& auth,
                                                   const std::optional<std::string>& organization_id,
                                                   const std::optional<std::string>& slug, std::size_t members_limit);

  // Makes the organization the session's active one and returns it; `unset` makes none active
  // (and returns none). With nothing named, the active one is checked again. A caller who is not
  // a member loses the active organization. Errors: ORGANIZATION_NOT_FOUND (no such slug or
  // organization); USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION; INTERNAL_SERVER_ERROR.
  Result<std::optional<store::Organization>> set_active(const Authenticated& auth, bool unset,
                                                        const std::optional<std::string>& organization_id,
                                                        const std::optional<std::string>& slug);

  // Invites an address to the organization (none: the active one) with `roles`, and mails it
  // the invitation (with mail; at most 5 mails per address per 15 minutes, as every mailed
  // flow); `resend` with a pending invitation gives that one a new expiry and mails it again
  // (its roles stay). Errors: ORGANIZATION_NOT_FOUND; INVALID_EMAIL; MEMBER_NOT_FOUND (the
  // caller is not a member); YOU_ARE_NOT_ALLOWED_TO_INVITE_USERS_TO_THIS_ORGANIZATION; ROLE_NOT_FOUND
  // (no role, or one that does not exist); YOU_ARE_NOT_ALLOWED_TO_INVITE_USER_WITH_THIS_ROLE (owner,
  // by a non-owner); USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION;
  // USER_IS_ALREADY_INVITED_TO_THIS_ORGANIZATION; INVITATION_LIMIT_REACHED; TOO_MANY_REQUESTS;
  // INTERNAL_SERVER_ERROR.
  Result<store::Invitation> invite(const Authenticated& auth, const Invite& request, const Caller& caller);

  // Accepts an invitation to the caller's address: the caller becomes a member with its roles,
  // and the organization the session's active one. Errors: INVITATION_NOT_FOUND (none pending,
  // or expired); YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION;
  // EMAIL_VERIFICATION_REQUIRED_BEFORE_ACCEPTING_OR_REJECTING_INVITATION (with
  // organizationRequireEmailVerification); USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION (not
  // checked by BetterAuth); ORGANIZATION_MEMBERSHIP_LIMIT_REACHED; INTERNAL_SERVER_ERROR.
  Result<AcceptedInvitation> accept(const Authenticated& auth, const std::string& invitation_id, const Caller& caller);

  // Rejects a pending invitation to the caller's address. Errors: as accept(), but an expired
  // invitation can be rejected.
  Result<store::Invitation> reject(const Authenticated& auth, const std::string& invitation_id, const Caller& caller);

  // Cancels an invitation of an organization the caller may invite to. Errors:
  // INVITATION_NOT_FOUND; MEMBER_NOT_FOUND (the caller is not a member);
  // YOU_ARE_NOT_ALLOWED_TO_CANCEL_THIS_INVITATION; INTERNAL_SERVER_ERROR.
  Result<store::Invitation> cancel(const Authenticated& auth, const std::string& invitation_id, const Caller& caller);

  // A pending invitation to the caller's address, with its organization's name and slug and its
  // inviter's address. Errors: INVITATION_NOT_FOUND (none pending, or expired);
  // YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION; EMAIL_VERIFICATION_REQUIRED_FOR_INVITATION;
  // INVITER_IS_NO_LONGER_A_MEMBER_OF_THE_ORGANIZATION; INTERNAL_SERVER_ERROR.
  Result<ReceivedInvitation> get_invitation(const Authenticated& auth, const std::string& invitation_id);

  // The organization's invitations, whatever their status (those giving the owner role only to
  // an owner). Errors: ORGANIZATION_NOT_FOUND (none named or active); YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION;
  // YOU_ARE_NOT_ALLOWED_TO_LIST_INVITATIONS; INTERNAL_SERVER_ERROR.
  Result<std::vector<store::Invitation>> list_invitations(const Authenticated& auth,
                                                          const std::optional<std::string>& organization_id);

  // The pending invitations to the caller's address, in every organization, with the
  // organization's name (organization_slug and inviter_email left empty). Errors:
  // EMAIL_VERIFICATION_REQUIRED_FOR_INVITATION (an unverified address: always, as BetterAuth);
  // INTERNAL_SERVER_ERROR.
  Result<std::vector<ReceivedInvitation>> list_user_invitations(const Authenticated& auth);

  // Removes a member (by member id, or by its user's e-mail address) from the organization (none:
  // the active one); the user's sessions lose it as their active organization. Errors:
  // NO_ACTIVE_ORGANIZATION; MEMBER_NOT_FOUND; YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_MEMBER (an owner
  // removed by a non-owner: BetterAuth answers that with the next error; a member removing
  // anyone); YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER (the last owner);
  // INTERNAL_SERVER_ERROR.
  Result<RemovedMember> remove_member(const Authenticated& auth, const std::string& member_id_or_email,
                                      const std::optional<std::string>& organization_id, const Caller& caller);

  // Sets a member's roles and returns the member. Errors: ROLE_NOT_FOUND; NO_ACTIVE_ORGANIZATION;
  // MEMBER_NOT_FOUND; YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER (a member, or a non-owner touching
  // an owner or the owner role); YOU_CANNOT_LEAVE_THE_ORGANIZATION_WITHOUT_AN_OWNER;
  // INTERNAL_SERVER_ERROR.
  Result<store::Member> update_member_role(const Authenticated& auth, const std::string& member_id,
                                           const std::vector<std::string>& roles,
                                           const std::optional<std::string>& organization_id, const Caller& caller);

  // The caller's membership of the active organization, with its user. Errors:
  // NO_ACTIVE_ORGANIZATION; MEMBER_NOT_FOUND; INTERNAL_SERVER_ERROR.
  Result<store::MemberWithUser> active_member(const Authenticated& auth);

  // The roles (as stored) of the caller, or of `user_id`, in the organization named by `slug`,
  // else `organization_id`, else the active one. Errors: ORGANIZATION_NOT_FOUND (no such slug);
  // NO_ACTIVE_ORGANIZATION; YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION (the caller, or `user_id`);
  // INTERNAL_SERVER_ERROR.
  Result<std::string> active_member_role(const Authenticated& auth, const std::optional<std::string>& user_id,
                                         const std::optional<std::string>& organization_id,
                                         const std::optional<std::string>& slug);

  // Leaves the organization; it stops being active in the user's sessions. Errors:
  // MEMBER_NOT_FOUND; YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER; INTERNAL_SERVER_ERROR.
  Result<store::MemberWithUser> leave(const Authenticated& auth, const std::string& organization_id,
                                      const Caller& caller);

  // The members of the organization named by `slug`, else `organization_id`, else the active one:
  // at most `limit` (0: organizationMembershipLimit) after `offset`, and the total. Errors:
  // ORGANIZATION_NOT_FOUND (no such slug); NO_ACTIVE_ORGANIZATION;
  // YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION; INTERNAL_SERVER_ERROR.
  Result<store::MemberPage> list_members(const Authenticated& auth, const std::optional<std::string>& organization_id,
                                         const std::optional<std::string>& slug, std::size_t limit,
                                         std::size_t offset);

  // Whether the caller's roles in the organization (none: the active one) grant `request`
  // (roles_allow()). Errors: NO_ACTIVE_ORGANIZATION; USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION;
  // INTERNAL_SERVER_ERROR.
  Result<bool> has_permission(const Authenticated& auth, const std::optional<std::string>& organization_id,
                              const Permissions& request);

 private:
  // The organization id a call names, else the session's active one; none if neither.
  static std::optional<std::string> named_or_active(const Authenticated& auth,
                                                    const std::optional<std::string>& organization_id);
  // The id of the organization `slug` names (ORGANIZATION_NOT_FOUND if none), else
  // named_or_active()'s.
  Result<std::optional<std::string>> resolve(const Authenticated& auth, const std::optional<std::string>& organization_id,
                                             const std::optional<std::string>& slug);
  // The caller's membership, or `missing` when not a member; INTERNAL_SERVER_ERROR.
  Result<store::Member> membership(const Authenticated& auth, const std::string& organization_id, ErrorCode missing);
  // Unsets the session's active organization when it is set (errors ignored: best effort).
  void drop_active(const Authenticated& auth);
  // Mails the invitation (with mail) `now`, counting it against the address's mail budget.
  void mail_invitation(const store::Invitation& invitation, const store::Organization& organization,
                       const User& inviter, TimePoint now);
  // The invitation `id` when it is pending and addressed to the caller (the address compared
  // ignoring case), checking the address is verified when `verified_error` is given. Errors:
  // INVITATION_NOT_FOUND (also when expired, unless `expired_ok`); YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION;
  // `verified_error`; INTERNAL_SERVER_ERROR.
  Result<store::Invitation> received(const Authenticated& auth, const std::string& id, bool expired_ok,
                                     std::optional<ErrorCode> verified_error, TimePoint now);

  const Config& config_;
  store::Store& store_;
  mail::MailQueue* mail_;
  AuthService& service_;
};

}  // namespace portcullis::auth

#endif  // PORTCULLIS_AUTH_ORGANIZATION_H_
