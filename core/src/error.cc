#include "portcullis/error.h"

#include <array>

namespace portcullis {
namespace {

struct Entry {
  ErrorCode code;
  std::string_view name;
  std::string_view message;
};

// One row per code, in enum order (checked by a static_assert below and by the unit tests).
constexpr std::array kTable = {
    Entry{ErrorCode::kOk, "OK", ""},
    Entry{ErrorCode::kInvalidEmail, "INVALID_EMAIL", "Invalid email"},
    Entry{ErrorCode::kPasswordTooShort, "PASSWORD_TOO_SHORT", "Password too short"},
    Entry{ErrorCode::kPasswordTooLong, "PASSWORD_TOO_LONG", "Password too long"},
    Entry{ErrorCode::kPasswordTooWeak, "PASSWORD_TOO_WEAK", "Password is too weak"},
    Entry{ErrorCode::kPasswordCompromised, "PASSWORD_COMPROMISED",
          "The password you entered has been compromised. Please choose a different password."},
    Entry{ErrorCode::kPasswordCheckUnavailable, "PASSWORD_CHECK_UNAVAILABLE",
          "The password could not be checked against known data breaches. Please try again later."},
    Entry{ErrorCode::kInvalidName, "INVALID_NAME", "Invalid name"},
    Entry{ErrorCode::kNameTooLong, "NAME_TOO_LONG", "Name is too long"},
    Entry{ErrorCode::kInvalidUtf8, "INVALID_UTF8", "Text is not valid UTF-8"},
    Entry{ErrorCode::kValidationError, "VALIDATION_ERROR", "Validation error"},
    Entry{ErrorCode::kBadRequest, "BAD_REQUEST", "Invalid JSON in request body"},
    Entry{ErrorCode::kBodyMustBeAnObject, "BODY_MUST_BE_AN_OBJECT", "Body must be an object"},
    Entry{ErrorCode::kUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE",
          "Content-Type is not allowed. Allowed types: application/json"},
    Entry{ErrorCode::kPayloadTooLarge, "PAYLOAD_TOO_LARGE", "Request body is too large"},
    Entry{ErrorCode::kUserNotFound, "USER_NOT_FOUND", "User not found"},
    Entry{ErrorCode::kUserAlreadyExists, "USER_ALREADY_EXISTS", "User already exists."},
    Entry{ErrorCode::kUserAlreadyExistsUseAnotherEmail, "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL",
          "User already exists. Use another email."},
    Entry{ErrorCode::kFailedToCreateUser, "FAILED_TO_CREATE_USER", "Failed to create user"},
    Entry{ErrorCode::kFailedToCreateSession, "FAILED_TO_CREATE_SESSION",
          "Failed to create session"},
    Entry{ErrorCode::kFailedToUpdateUser, "FAILED_TO_UPDATE_USER", "Failed to update user"},
    Entry{ErrorCode::kFailedToGetSession, "FAILED_TO_GET_SESSION", "Failed to get session"},
    Entry{ErrorCode::kInvalidPassword, "INVALID_PASSWORD", "Invalid password"},
    Entry{ErrorCode::kInvalidEmailOrPassword, "INVALID_EMAIL_OR_PASSWORD",
          "Invalid email or password"},
    Entry{ErrorCode::kInvalidUser, "INVALID_USER", "Invalid user"},
    Entry{ErrorCode::kInvalidToken, "INVALID_TOKEN", "Invalid token"},
    Entry{ErrorCode::kTokenExpired, "TOKEN_EXPIRED", "Token expired"},
    Entry{ErrorCode::kEmailNotVerified, "EMAIL_NOT_VERIFIED", "Email not verified"},
    Entry{ErrorCode::kBannedUser, "BANNED_USER",
          "You have been banned from this application. Please contact support if you believe this is an error."},
    Entry{ErrorCode::kEmailCanNotBeUpdated, "EMAIL_CAN_NOT_BE_UPDATED",
          "Email can not be updated"},
    Entry{ErrorCode::kChangeEmailDisabled, "CHANGE_EMAIL_DISABLED", "Change email is disabled"},
    Entry{ErrorCode::kCredentialAccountNotFound, "CREDENTIAL_ACCOUNT_NOT_FOUND",
          "Credential account not found"},
    Entry{ErrorCode::kSessionExpired, "SESSION_EXPIRED",
          "Session expired. Re-authenticate to perform this action."},
    Entry{ErrorCode::kSessionNotFresh, "SESSION_NOT_FRESH", "Session is not fresh"},
    Entry{ErrorCode::kVerificationEmailNotEnabled, "VERIFICATION_EMAIL_NOT_ENABLED",
          "Verification email isn't enabled"},
    Entry{ErrorCode::kEmailAlreadyVerified, "EMAIL_ALREADY_VERIFIED", "Email is already verified"},
    Entry{ErrorCode::kEmailMismatch, "EMAIL_MISMATCH", "Email mismatch"},
    Entry{ErrorCode::kPasswordAlreadySet, "PASSWORD_ALREADY_SET", "User already has a password set"},
    Entry{ErrorCode::kEmailPasswordDisabled, "EMAIL_PASSWORD_DISABLED",
          "Email and password is not enabled"},
    Entry{ErrorCode::kEmailPasswordSignUpDisabled, "EMAIL_PASSWORD_SIGN_UP_DISABLED",
          "Email and password sign up is not enabled"},
    Entry{ErrorCode::kResetPasswordDisabled, "RESET_PASSWORD_DISABLED",
          "Reset password isn't enabled"},
    Entry{ErrorCode::kAccountNotFound, "ACCOUNT_NOT_FOUND", "Account not found"},
    Entry{ErrorCode::kFailedToUnlinkLastAccount, "FAILED_TO_UNLINK_LAST_ACCOUNT",
          "You can't unlink your last account"},
    Entry{ErrorCode::kFailedToGetUserInfo, "FAILED_TO_GET_USER_INFO", "Failed to get user info"},
    // The two-factor plugin's messages, as BetterAuth 1.7 words them.
    Entry{ErrorCode::kOtpNotConfigured, "OTP_NOT_CONFIGURED", "OTP is not available"},
    Entry{ErrorCode::kOtpNotEnabled, "OTP_NOT_ENABLED", "OTP not enabled"},
    Entry{ErrorCode::kOtpHasExpired, "OTP_HAS_EXPIRED", "OTP has expired"},
    Entry{ErrorCode::kTotpNotEnabled, "TOTP_NOT_ENABLED", "TOTP not enabled"},
    Entry{ErrorCode::kTotpAlreadyEnabled, "TOTP_ALREADY_ENABLED", "TOTP is already enabled"},
    Entry{ErrorCode::kTwoFactorNotEnabled, "TWO_FACTOR_NOT_ENABLED", "Two factor isn't enabled"},
    Entry{ErrorCode::kBackupCodesNotEnabled, "BACKUP_CODES_NOT_ENABLED", "Backup codes aren't enabled"},
    Entry{ErrorCode::kInvalidBackupCode, "INVALID_BACKUP_CODE", "Invalid backup code"},
    Entry{ErrorCode::kInvalidCode, "INVALID_CODE", "Invalid code"},
    Entry{ErrorCode::kTooManyAttemptsRequestNewCode, "TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE",
          "Too many attempts. Please request a new code."},
    Entry{ErrorCode::kAccountTemporarilyLocked, "ACCOUNT_TEMPORARILY_LOCKED",
          "Too many failed verification attempts. Your account is temporarily locked. Please try again later."},
    Entry{ErrorCode::kInvalidTwoFactorCookie, "INVALID_TWO_FACTOR_COOKIE", "Invalid two factor cookie"},
    // The captcha plugin's, as BetterAuth 1.7 words them.
    Entry{ErrorCode::kCaptchaMissingResponse, "MISSING_RESPONSE", "Missing CAPTCHA response"},
    Entry{ErrorCode::kCaptchaVerificationFailed, "VERIFICATION_FAILED", "Captcha verification failed"},
    Entry{ErrorCode::kCaptchaUnavailable, "UNKNOWN_ERROR", "Something went wrong"},
    // The admin plugin's, as BetterAuth 1.7 words them.
    Entry{ErrorCode::kNotAllowedToListUsers, "YOU_ARE_NOT_ALLOWED_TO_LIST_USERS", "You are not allowed to list users"},
    Entry{ErrorCode::kNotAllowedToGetUser, "YOU_ARE_NOT_ALLOWED_TO_GET_USER", "You are not allowed to get user"},
    Entry{ErrorCode::kNotAllowedToCreateUsers, "YOU_ARE_NOT_ALLOWED_TO_CREATE_USERS",
          "You are not allowed to create users"},
    Entry{ErrorCode::kNotAllowedToUpdateUsers, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_USERS",
          "You are not allowed to update users"},
    Entry{ErrorCode::kNotAllowedToChangeUsersRole, "YOU_ARE_NOT_ALLOWED_TO_CHANGE_USERS_ROLE",
          "You are not allowed to change users role"},
    Entry{ErrorCode::kNotAllowedToBanUsers, "YOU_ARE_NOT_ALLOWED_TO_BAN_USERS", "You are not allowed to ban users"},
    Entry{ErrorCode::kNotAllowedToListUsersSessions, "YOU_ARE_NOT_ALLOWED_TO_LIST_USERS_SESSIONS",
          "You are not allowed to list users sessions"},
    Entry{ErrorCode::kNotAllowedToRevokeUsersSessions, "YOU_ARE_NOT_ALLOWED_TO_REVOKE_USERS_SESSIONS",
          "You are not allowed to revoke users sessions"},
    Entry{ErrorCode::kNotAllowedToDeleteUsers, "YOU_ARE_NOT_ALLOWED_TO_DELETE_USERS",
          "You are not allowed to delete users"},
    Entry{ErrorCode::kNotAllowedToSetUsersPassword, "YOU_ARE_NOT_ALLOWED_TO_SET_USERS_PASSWORD",
          "You are not allowed to set users password"},
    Entry{ErrorCode::kCannotBanYourself, "YOU_CANNOT_BAN_YOURSELF", "You cannot ban yourself"},
    Entry{ErrorCode::kCannotRemoveYourself, "YOU_CANNOT_REMOVE_YOURSELF", "You cannot remove yourself"},
    Entry{ErrorCode::kNotAllowedToSetNonExistentValue, "YOU_ARE_NOT_ALLOWED_TO_SET_NON_EXISTENT_VALUE",
          "You are not allowed to set a non-existent role value"},
    Entry{ErrorCode::kInvalidRoleType, "INVALID_ROLE_TYPE", "Invalid role type"},
    Entry{ErrorCode::kNoDataToUpdate, "NO_DATA_TO_UPDATE", "No data to update"},
    Entry{ErrorCode::kPasswordCannotBeUpdatedViaUpdateUser, "PASSWORD_CANNOT_BE_UPDATED_VIA_UPDATE_USER",
          "Password cannot be updated through update-user. Use the set-user-password endpoint instead"},
    Entry{ErrorCode::kUserIdCannotBeUpdated, "USER_ID_CANNOT_BE_UPDATED", "User id cannot be updated"},
    Entry{ErrorCode::kNotAllowedToImpersonateUsers, "YOU_ARE_NOT_ALLOWED_TO_IMPERSONATE_USERS",
          "You are not allowed to impersonate users"},
    Entry{ErrorCode::kCannotImpersonateAdmins, "YOU_CANNOT_IMPERSONATE_ADMINS", "You cannot impersonate admins"},
    Entry{ErrorCode::kNotImpersonating, "NOT_IMPERSONATING", "You are not impersonating anyone"},
    Entry{ErrorCode::kAdminSessionNotFound, "ADMIN_SESSION_NOT_FOUND",
          "The administrator's session has ended. Please sign in again."},
    // The username plugin's, as BetterAuth 1.7 words them.
    Entry{ErrorCode::kInvalidUsernameOrPassword, "INVALID_USERNAME_OR_PASSWORD", "Invalid username or password"},
    Entry{ErrorCode::kUsernameIsAlreadyTaken, "USERNAME_IS_ALREADY_TAKEN",
          "Username is already taken. Please try another."},
    Entry{ErrorCode::kUsernameTooShort, "USERNAME_TOO_SHORT", "Username is too short"},
    Entry{ErrorCode::kUsernameTooLong, "USERNAME_TOO_LONG", "Username is too long"},
    Entry{ErrorCode::kInvalidUsername, "INVALID_USERNAME", "Username is invalid"},
    Entry{ErrorCode::kInvalidDisplayUsername, "INVALID_DISPLAY_USERNAME", "Display username is invalid"},
    // The emailOTP plugin's, as BetterAuth 1.7 words them.
    Entry{ErrorCode::kOtpExpired, "OTP_EXPIRED", "OTP expired"},
    Entry{ErrorCode::kInvalidOtp, "INVALID_OTP", "Invalid OTP"},
    Entry{ErrorCode::kTooManyAttempts, "TOO_MANY_ATTEMPTS", "Too many attempts"},
    Entry{ErrorCode::kOtpRequired, "OTP_REQUIRED", "OTP is required to verify current email"},
    // The magic-link plugin's redirect error ("new_user_signup_disabled" in its links).
    Entry{ErrorCode::kNewUserSignupDisabled, "NEW_USER_SIGNUP_DISABLED", "New user sign-up is disabled"},
    // The passkey plugin's, as BetterAuth 1.7 words them; TOO_MANY_PASSKEYS is Portcullis's.
    Entry{ErrorCode::kChallengeNotFound, "CHALLENGE_NOT_FOUND", "Challenge not found"},
    Entry{ErrorCode::kNotAllowedToRegisterPasskey, "YOU_ARE_NOT_ALLOWED_TO_REGISTER_THIS_PASSKEY",
          "You are not allowed to register this passkey"},
    Entry{ErrorCode::kFailedToVerifyRegistration, "FAILED_TO_VERIFY_REGISTRATION", "Failed to verify registration"},
    Entry{ErrorCode::kPasskeyNotFound, "PASSKEY_NOT_FOUND", "Passkey not found"},
    Entry{ErrorCode::kAuthenticationFailed, "AUTHENTICATION_FAILED", "Authentication failed"},
    Entry{ErrorCode::kTooManyPasskeys, "TOO_MANY_PASSKEYS", "This account has as many passkeys as it may have"},
    // The organization plugin's, as BetterAuth 1.7 words them.
    Entry{ErrorCode::kNotAllowedToCreateOrganization, "YOU_ARE_NOT_ALLOWED_TO_CREATE_A_NEW_ORGANIZATION", "You are not allowed to create a new organization"},
    Entry{ErrorCode::kOrganizationLimitReached, "YOU_HAVE_REACHED_THE_MAXIMUM_NUMBER_OF_ORGANIZATIONS", "You have reached the maximum number of organizations"},
    Entry{ErrorCode::kOrganizationAlreadyExists, "ORGANIZATION_ALREADY_EXISTS", "Organization already exists"},
    Entry{ErrorCode::kOrganizationSlugAlreadyTaken, "ORGANIZATION_SLUG_ALREADY_TAKEN", "Organization slug already taken"},
    Entry{ErrorCode::kOrganizationNotFound, "ORGANIZATION_NOT_FOUND", "Organization not found"},
    Entry{ErrorCode::kUserIsNotAMemberOfTheOrganization, "USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION", "User is not a member of the organization"},
    Entry{ErrorCode::kNotAllowedToUpdateOrganization, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_ORGANIZATION", "You are not allowed to update this organization"},
    Entry{ErrorCode::kNotAllowedToDeleteOrganization, "YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_ORGANIZATION", "You are not allowed to delete this organization"},
    Entry{ErrorCode::kNoActiveOrganization, "NO_ACTIVE_ORGANIZATION", "No active organization"},
    Entry{ErrorCode::kUserIsAlreadyAMember, "USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION", "User is already a member of this organization"},
    Entry{ErrorCode::kMemberNotFound, "MEMBER_NOT_FOUND", "Member not found"},
    Entry{ErrorCode::kRoleNotFound, "ROLE_NOT_FOUND", "Role not found"},
    Entry{ErrorCode::kCannotLeaveAsOnlyOwner, "YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER", "You cannot leave the organization as the only owner"},
    Entry{ErrorCode::kCannotLeaveWithoutOwner, "YOU_CANNOT_LEAVE_THE_ORGANIZATION_WITHOUT_AN_OWNER", "You cannot leave the organization without an owner"},
    Entry{ErrorCode::kNotAllowedToDeleteMember, "YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_MEMBER", "You are not allowed to delete this member"},
    Entry{ErrorCode::kNotAllowedToInvite, "YOU_ARE_NOT_ALLOWED_TO_INVITE_USERS_TO_THIS_ORGANIZATION", "You are not allowed to invite users to this organization"},
    Entry{ErrorCode::kUserIsAlreadyInvited, "USER_IS_ALREADY_INVITED_TO_THIS_ORGANIZATION", "User is already invited to this organization"},
    Entry{ErrorCode::kInvitationNotFound, "INVITATION_NOT_FOUND", "Invitation not found"},
    Entry{ErrorCode::kNotTheRecipientOfTheInvitation, "YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION", "You are not the recipient of the invitation"},
    Entry{ErrorCode::kEmailVerificationRequiredForInvitation, "EMAIL_VERIFICATION_REQUIRED_BEFORE_ACCEPTING_OR_REJECTING_INVITATION", "Email verification required before accepting or rejecting invitation"},
    Entry{ErrorCode::kNotAllowedToCancelInvitation, "YOU_ARE_NOT_ALLOWED_TO_CANCEL_THIS_INVITATION", "You are not allowed to cancel this invitation"},
    Entry{ErrorCode::kInviterIsNoLongerAMember, "INVITER_IS_NO_LONGER_A_MEMBER_OF_THE_ORGANIZATION", "Inviter is no longer a member of the organization"},
    Entry{ErrorCode::kNotAllowedToInviteWithRole, "YOU_ARE_NOT_ALLOWED_TO_INVITE_USER_WITH_THIS_ROLE", "You are not allowed to invite a user with this role"},
    Entry{ErrorCode::kNotAllowedToUpdateMember, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER", "You are not allowed to update this member"},
    Entry{ErrorCode::kMembershipLimitReached, "ORGANIZATION_MEMBERSHIP_LIMIT_REACHED", "Organization membership limit reached"},
    Entry{ErrorCode::kInvitationLimitReached, "INVITATION_LIMIT_REACHED", "Invitation limit reached"},
    Entry{ErrorCode::kNotAMemberOfThisOrganization, "YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION", "You are not a member of this organization"},
    Entry{ErrorCode::kEmailVerificationRequiredToViewInvitations, "EMAIL_VERIFICATION_REQUIRED_FOR_INVITATION", "Email verification required to view or list invitations for the session email"},
    Entry{ErrorCode::kNotAllowedToListInvitations, "YOU_ARE_NOT_ALLOWED_TO_LIST_INVITATIONS", "You are not allowed to list invitations for this organization"},
    Entry{ErrorCode::kServerOnlyProperty, "SERVER_ONLY_PROPERTY", "The property you're trying to set can only be set from the server auth instance only."},
    Entry{ErrorCode::kUnauthorizedSession, "UNAUTHORIZED_SESSION", "Unauthorized or invalid session"},
    Entry{ErrorCode::kKeyNotFound, "KEY_NOT_FOUND", "API Key not found"},
    Entry{ErrorCode::kKeyDisabled, "KEY_DISABLED", "API Key is disabled"},
    Entry{ErrorCode::kKeyExpired, "KEY_EXPIRED", "API Key has expired"},
    Entry{ErrorCode::kUsageExceeded, "USAGE_EXCEEDED", "API Key has reached its usage limit"},
    Entry{ErrorCode::kRateLimited, "RATE_LIMITED", "Rate limit exceeded."},
    Entry{ErrorCode::kInvalidApiKey, "INVALID_API_KEY", "Invalid API key."},
    Entry{ErrorCode::kInvalidReferenceIdFromApiKey, "INVALID_REFERENCE_ID_FROM_API_KEY", "The reference id from the API key is invalid."},
    Entry{ErrorCode::kExpiresInIsTooSmall, "EXPIRES_IN_IS_TOO_SMALL", "The expiresIn is smaller than the predefined minimum value."},
    Entry{ErrorCode::kExpiresInIsTooLarge, "EXPIRES_IN_IS_TOO_LARGE", "The expiresIn is larger than the predefined maximum value."},
    Entry{ErrorCode::kInvalidPrefixLength, "INVALID_PREFIX_LENGTH", "The prefix length is either too large or too small."},
    Entry{ErrorCode::kInvalidNameLength, "INVALID_NAME_LENGTH", "The name length is either too large or too small."},
    Entry{ErrorCode::kNameRequired, "NAME_REQUIRED", "API Key name is required."},
    Entry{ErrorCode::kMetadataDisabled, "METADATA_DISABLED", "Metadata is disabled."},
    Entry{ErrorCode::kInvalidMetadataType, "INVALID_METADATA_TYPE", "metadata must be an object or undefined"},
    Entry{ErrorCode::kNoValuesToUpdate, "NO_VALUES_TO_UPDATE", "No values to update."},
    Entry{ErrorCode::kKeyDisabledExpiration, "KEY_DISABLED_EXPIRATION", "Custom key expiration values are disabled."},
    Entry{ErrorCode::kApiKeyLimitReached, "API_KEY_LIMIT_REACHED", "You have reached the maximum number of API keys"},
    Entry{ErrorCode::kUnauthorized, "UNAUTHORIZED", "Unauthorized"},
    Entry{ErrorCode::kInvalidOrigin, "INVALID_ORIGIN", "Invalid origin"},
    Entry{ErrorCode::kMissingOrNullOrigin, "MISSING_OR_NULL_ORIGIN", "Missing or null Origin"},
    Entry{ErrorCode::kCrossSiteNavigationLoginBlocked, "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED",
          "Cross-site navigation login blocked. This request appears to be a CSRF attack."},
    Entry{ErrorCode::kInvalidCallbackUrl, "INVALID_CALLBACK_URL", "Invalid callbackURL"},
    Entry{ErrorCode::kInvalidRedirectUrl, "INVALID_REDIRECT_URL", "Invalid redirectURL"},
    Entry{ErrorCode::kInvalidErrorCallbackUrl, "INVALID_ERROR_CALLBACK_URL",
          "Invalid errorCallbackURL"},
    Entry{ErrorCode::kInvalidNewUserCallbackUrl, "INVALID_NEW_USER_CALLBACK_URL",
          "Invalid newUserCallbackURL"},
    Entry{ErrorCode::kFieldNotAllowed, "FIELD_NOT_ALLOWED", "Field not allowed to be set"},
    Entry{ErrorCode::kMissingField, "MISSING_FIELD", "Missing field"},
    Entry{ErrorCode::kMethodNotAllowedDeferSessionRequired, "METHOD_NOT_ALLOWED_DEFER_SESSION_REQUIRED",
          "POST method requires deferSessionRefresh to be enabled in session config"},
    Entry{ErrorCode::kTooManyRequests, "TOO_MANY_REQUESTS",
          "Too many requests. Please try again later."},
    Entry{ErrorCode::kNotFound, "NOT_FOUND", "Not found"},
    Entry{ErrorCode::kNoFieldsToUpdate, "NO_FIELDS_TO_UPDATE", "No fields to update"},
    Entry{ErrorCode::kEmailIsTheSame, "EMAIL_IS_THE_SAME", "Email is the same"},
    Entry{ErrorCode::kServerBusy, "SERVER_BUSY", "Server is busy. Please try again shortly."},
    Entry{ErrorCode::kClientClosedRequest, "CLIENT_CLOSED_REQUEST", "Client closed the request"},
    Entry{ErrorCode::kInternalServerError, "INTERNAL_SERVER_ERROR", "Internal server error"},
};

constexpr bool table_in_enum_order() {
  for (std::size_t i = 0; i < kTable.size(); ++i) {
    if (static_cast<std::size_t>(kTable[i].code) != i) return false;
  }
  return true;
}
static_assert(table_in_enum_order(), "kTable must list every ErrorCode in enum order");
static_assert(kTable.back().code == ErrorCode::kInternalServerError,
              "a new ErrorCode needs a row in kTable");

const Entry& entry(ErrorCode code) {
  const auto i = static_cast<std::size_t>(code);
  return i < kTable.size() ? kTable[i] : kTable[static_cast<std::size_t>(ErrorCode::kInternalServerError)];
}

}  // namespace

std::string_view error_code_name(ErrorCode code) { return entry(code).name; }

std::string_view error_message(ErrorCode code) { return entry(code).message; }

std::optional<ErrorCode> error_code_from_name(std::string_view name) {
  for (const Entry& e : kTable) {
    if (e.name == name) return e.code;
  }
  return std::nullopt;
}

}  // namespace portcullis
