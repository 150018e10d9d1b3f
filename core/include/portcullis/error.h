// Portcullis core: stable error codes and the Status / Result values that carry them.
//
// Every fallible function in the core returns a Status or a Result<T>; no exception crosses the
// public API. An error code is stable: its name (e.g. "INVALID_EMAIL") is what the HTTP API puts in
// the "code" field, what the WebAssembly build returns to the browser, and what a front end keys its
// translations on. The names and English messages follow BetterAuth's catalogue
// (shared/spec/betterauth-contract.md §2) where BetterAuth has the code; codes that BetterAuth lacks
// are Portcullis's own and are marked so below.

#ifndef PORTCULLIS_ERROR_H_
#define PORTCULLIS_ERROR_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace portcullis {

enum class ErrorCode {
  kOk = 0,
  // Input validation.
  kInvalidEmail,        // INVALID_EMAIL: not an address BetterAuth accepts, or over RFC 5321 lengths.
  kPasswordTooShort,    // PASSWORD_TOO_SHORT
  kPasswordTooLong,     // PASSWORD_TOO_LONG: over the character or (Portcullis) byte bound.
  kPasswordTooWeak,     // PASSWORD_TOO_WEAK (Portcullis): under the policy's minimum strength score.
  kPasswordCompromised,  // PASSWORD_COMPROMISED: known from data breaches (BetterAuth's haveIBeenPwned).
  kPasswordCheckUnavailable,  // PASSWORD_CHECK_UNAVAILABLE (Portcullis): the breach list did not answer.
  kInvalidName,         // INVALID_NAME (Portcullis): empty after trimming, or control characters.
  kNameTooLong,         // NAME_TOO_LONG (Portcullis)
  kInvalidUtf8,         // INVALID_UTF8 (Portcullis): a text field is not well-formed UTF-8.
  kValidationError,     // VALIDATION_ERROR: a request field is missing or of the wrong type.
  kBadRequest,          // BAD_REQUEST: malformed JSON.
  kBodyMustBeAnObject,  // BODY_MUST_BE_AN_OBJECT
  kUnsupportedMediaType,  // UNSUPPORTED_MEDIA_TYPE
  kPayloadTooLarge,     // PAYLOAD_TOO_LARGE (Portcullis): the request body is over the limit.
  // Accounts and credentials.
  kUserNotFound,                      // USER_NOT_FOUND
  kUserAlreadyExists,                 // USER_ALREADY_EXISTS
  kUserAlreadyExistsUseAnotherEmail,  // USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL
  kFailedToCreateUser,                // FAILED_TO_CREATE_USER
  kFailedToCreateSession,             // FAILED_TO_CREATE_SESSION
  kFailedToUpdateUser,                // FAILED_TO_UPDATE_USER
  kFailedToGetSession,                // FAILED_TO_GET_SESSION
  kInvalidPassword,                   // INVALID_PASSWORD
  kInvalidEmailOrPassword,            // INVALID_EMAIL_OR_PASSWORD
  kInvalidUser,                       // INVALID_USER
  kInvalidToken,                      // INVALID_TOKEN
  kTokenExpired,                      // TOKEN_EXPIRED
  kEmailNotVerified,                  // EMAIL_NOT_VERIFIED
  kBannedUser,                        // BANNED_USER: an administrator barred the user from signing in
  kEmailCanNotBeUpdated,              // EMAIL_CAN_NOT_BE_UPDATED
  kChangeEmailDisabled,               // CHANGE_EMAIL_DISABLED
  kCredentialAccountNotFound,         // CREDENTIAL_ACCOUNT_NOT_FOUND
  kSessionExpired,                    // SESSION_EXPIRED
  kSessionNotFresh,                   // SESSION_NOT_FRESH
  kVerificationEmailNotEnabled,       // VERIFICATION_EMAIL_NOT_ENABLED
  kEmailAlreadyVerified,              // EMAIL_ALREADY_VERIFIED
  kEmailMismatch,                     // EMAIL_MISMATCH
  kPasswordAlreadySet,                // PASSWORD_ALREADY_SET
  kEmailPasswordDisabled,             // EMAIL_PASSWORD_DISABLED
  kEmailPasswordSignUpDisabled,       // EMAIL_PASSWORD_SIGN_UP_DISABLED
  kResetPasswordDisabled,             // RESET_PASSWORD_DISABLED
  kAccountNotFound,                   // ACCOUNT_NOT_FOUND
  kFailedToUnlinkLastAccount,         // FAILED_TO_UNLINK_LAST_ACCOUNT
  kFailedToGetUserInfo,               // FAILED_TO_GET_USER_INFO
  // BetterAuth's two-factor plugin.
  kOtpNotConfigured,                  // OTP_NOT_CONFIGURED: codes by e-mail are not offered
  kOtpNotEnabled,                     // OTP_NOT_ENABLED: this user may not answer with an e-mailed code
  kOtpHasExpired,                     // OTP_HAS_EXPIRED: no e-mailed code awaits (none sent, expired, used)
  kTotpNotEnabled,                    // TOTP_NOT_ENABLED
  kTotpAlreadyEnabled,                // TOTP_ALREADY_ENABLED
  kTwoFactorNotEnabled,               // TWO_FACTOR_NOT_ENABLED
  kBackupCodesNotEnabled,             // BACKUP_CODES_NOT_ENABLED
  kInvalidBackupCode,                 // INVALID_BACKUP_CODE
  kInvalidCode,                       // INVALID_CODE
  kTooManyAttemptsRequestNewCode,     // TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE: the sign-in must start over
  kAccountTemporarilyLocked,          // ACCOUNT_TEMPORARILY_LOCKED: too many wrong codes in a row
  kInvalidTwoFactorCookie,            // INVALID_TWO_FACTOR_COOKIE: no (live) sign-in awaits a code
  // BetterAuth's captcha plugin.
  kCaptchaMissingResponse,            // MISSING_RESPONSE: no x-captcha-response header
  kCaptchaVerificationFailed,         // VERIFICATION_FAILED: the provider refused the token
  kCaptchaUnavailable,                // UNKNOWN_ERROR: the provider did not answer
  // BetterAuth's admin plugin (--admin): a caller without the permission, and the checks.
  kNotAllowedToListUsers,             // YOU_ARE_NOT_ALLOWED_TO_LIST_USERS
  kNotAllowedToGetUser,               // YOU_ARE_NOT_ALLOWED_TO_GET_USER
  kNotAllowedToCreateUsers,           // YOU_ARE_NOT_ALLOWED_TO_CREATE_USERS
  kNotAllowedToUpdateUsers,           // YOU_ARE_NOT_ALLOWED_TO_UPDATE_USERS
  kNotAllowedToChangeUsersRole,       // YOU_ARE_NOT_ALLOWED_TO_CHANGE_USERS_ROLE
  kNotAllowedToBanUsers,              // YOU_ARE_NOT_ALLOWED_TO_BAN_USERS
  kNotAllowedToListUsersSessions,     // YOU_ARE_NOT_ALLOWED_TO_LIST_USERS_SESSIONS
  kNotAllowedToRevokeUsersSessions,   // YOU_ARE_NOT_ALLOWED_TO_REVOKE_USERS_SESSIONS
  kNotAllowedToDeleteUsers,           // YOU_ARE_NOT_ALLOWED_TO_DELETE_USERS
  kNotAllowedToSetUsersPassword,      // YOU_ARE_NOT_ALLOWED_TO_SET_USERS_PASSWORD
  kCannotBanYourself,                 // YOU_CANNOT_BAN_YOURSELF
  kCannotRemoveYourself,              // YOU_CANNOT_REMOVE_YOURSELF
  kNotAllowedToSetNonExistentValue,   // YOU_ARE_NOT_ALLOWED_TO_SET_NON_EXISTENT_VALUE: an unknown role
  kInvalidRoleType,                   // INVALID_ROLE_TYPE
  kNoDataToUpdate,                    // NO_DATA_TO_UPDATE
  kPasswordCannotBeUpdatedViaUpdateUser,  // PASSWORD_CANNOT_BE_UPDATED_VIA_UPDATE_USER
  kUserIdCannotBeUpdated,             // USER_ID_CANNOT_BE_UPDATED
  kNotAllowedToImpersonateUsers,      // YOU_ARE_NOT_ALLOWED_TO_IMPERSONATE_USERS
  kCannotImpersonateAdmins,           // YOU_CANNOT_IMPERSONATE_ADMINS
  kNotImpersonating,                  // NOT_IMPERSONATING (Portcullis; BetterAuth's message is uncoded)
  kAdminSessionNotFound,              // ADMIN_SESSION_NOT_FOUND (Portcullis): the impersonator's session ended
  // BetterAuth's username plugin (--username).
  kInvalidUsernameOrPassword,         // INVALID_USERNAME_OR_PASSWORD
  kUsernameIsAlreadyTaken,            // USERNAME_IS_ALREADY_TAKEN
  kUsernameTooShort,                  // USERNAME_TOO_SHORT
  kUsernameTooLong,                   // USERNAME_TOO_LONG
  kInvalidUsername,                   // INVALID_USERNAME
  kInvalidDisplayUsername,            // INVALID_DISPLAY_USERNAME
  // BetterAuth's emailOTP plugin (--email-otp).
  kOtpExpired,                        // OTP_EXPIRED: the mailed code's time is up
  kInvalidOtp,                        // INVALID_OTP: wrong, used, replaced or never sent
  kTooManyAttempts,                   // TOO_MANY_ATTEMPTS: the code took too many wrong guesses
  kOtpRequired,                       // OTP_REQUIRED: a change of address needs the current one's code
                                      // (Portcullis; BetterAuth sends this message uncoded)
  // BetterAuth's magic-link plugin (--magic-link).
  kNewUserSignupDisabled,             // NEW_USER_SIGNUP_DISABLED: a link for a new address, sign-up off
  // BetterAuth's passkey plugin (--passkey).
  kChallengeNotFound,                 // CHALLENGE_NOT_FOUND: no ceremony started, or it expired
  kNotAllowedToRegisterPasskey,       // YOU_ARE_NOT_ALLOWED_TO_REGISTER_THIS_PASSKEY
  kFailedToVerifyRegistration,        // FAILED_TO_VERIFY_REGISTRATION
  kPasskeyNotFound,                   // PASSKEY_NOT_FOUND
  kAuthenticationFailed,              // AUTHENTICATION_FAILED: the assertion did not verify
  kTooManyPasskeys,                   // TOO_MANY_PASSKEYS (Portcullis): the user's limit is reached
  // BetterAuth's organization plugin (--organization), its codes and messages.
  kNotAllowedToCreateOrganization,  // YOU_ARE_NOT_ALLOWED_TO_CREATE_A_NEW_ORGANIZATION
  kOrganizationLimitReached,  // YOU_HAVE_REACHED_THE_MAXIMUM_NUMBER_OF_ORGANIZATIONS
  kOrganizationAlreadyExists,  // ORGANIZATION_ALREADY_EXISTS
  kOrganizationSlugAlreadyTaken,  // ORGANIZATION_SLUG_ALREADY_TAKEN
  kOrganizationNotFound,  // ORGANIZATION_NOT_FOUND
  kUserIsNotAMemberOfTheOrganization,  // USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION
  kNotAllowedToUpdateOrganization,  // YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_ORGANIZATION
  kNotAllowedToDeleteOrganization,  // YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_ORGANIZATION
  kNoActiveOrganization,  // NO_ACTIVE_ORGANIZATION
  kUserIsAlreadyAMember,  // USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION
  kMemberNotFound,  // MEMBER_NOT_FOUND
  kRoleNotFound,  // ROLE_NOT_FOUND
  kCannotLeaveAsOnlyOwner,  // YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER
  kCannotLeaveWithoutOwner,  // YOU_CANNOT_LEAVE_THE_ORGANIZATION_WITHOUT_AN_OWNER
  kNotAllowedToDeleteMember,  // YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_MEMBER
  kNotAllowedToInvite,  // YOU_ARE_NOT_ALLOWED_TO_INVITE_USERS_TO_THIS_ORGANIZATION
  kUserIsAlreadyInvited,  // USER_IS_ALREADY_INVITED_TO_THIS_ORGANIZATION
  kInvitationNotFound,  // INVITATION_NOT_FOUND
  kNotTheRecipientOfTheInvitation,  // YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION
  kEmailVerificationRequiredForInvitation,  // EMAIL_VERIFICATION_REQUIRED_BEFORE_ACCEPTING_OR_REJECTING_INVITATION
  kNotAllowedToCancelInvitation,  // YOU_ARE_NOT_ALLOWED_TO_CANCEL_THIS_INVITATION
  kInviterIsNoLongerAMember,  // INVITER_IS_NO_LONGER_A_MEMBER_OF_THE_ORGANIZATION
  kNotAllowedToInviteWithRole,  // YOU_ARE_NOT_ALLOWED_TO_INVITE_USER_WITH_THIS_ROLE
  kNotAllowedToUpdateMember,  // YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER
  kMembershipLimitReached,  // ORGANIZATION_MEMBERSHIP_LIMIT_REACHED
  kInvitationLimitReached,  // INVITATION_LIMIT_REACHED
  kNotAMemberOfThisOrganization,  // YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION
  kEmailVerificationRequiredToViewInvitations,  // EMAIL_VERIFICATION_REQUIRED_FOR_INVITATION
  kNotAllowedToListInvitations,  // YOU_ARE_NOT_ALLOWED_TO_LIST_INVITATIONS
  // BetterAuth's API-key plugin (--api-key), its codes and messages.
  kServerOnlyProperty,  // SERVER_ONLY_PROPERTY
  kUnauthorizedSession,  // UNAUTHORIZED_SESSION
  kKeyNotFound,  // KEY_NOT_FOUND
  kKeyDisabled,  // KEY_DISABLED
  kKeyExpired,  // KEY_EXPIRED
  kUsageExceeded,  // USAGE_EXCEEDED
  kRateLimited,  // RATE_LIMITED
  kInvalidApiKey,  // INVALID_API_KEY
  kInvalidReferenceIdFromApiKey,  // INVALID_REFERENCE_ID_FROM_API_KEY
  kExpiresInIsTooSmall,  // EXPIRES_IN_IS_TOO_SMALL
  kExpiresInIsTooLarge,  // EXPIRES_IN_IS_TOO_LARGE
  kInvalidPrefixLength,  // INVALID_PREFIX_LENGTH
  kInvalidNameLength,  // INVALID_NAME_LENGTH
  kNameRequired,  // NAME_REQUIRED
  kMetadataDisabled,  // METADATA_DISABLED
  kInvalidMetadataType,  // INVALID_METADATA_TYPE
  kNoValuesToUpdate,  // NO_VALUES_TO_UPDATE
  kKeyDisabledExpiration,  // KEY_DISABLED_EXPIRATION
  kApiKeyLimitReached,  // API_KEY_LIMIT_REACHED (Portcullis): the user's limit is reached
  // Requests, origins, sessions.
  kUnauthorized,                     // UNAUTHORIZED
  kInvalidOrigin,                    // INVALID_ORIGIN
  kMissingOrNullOrigin,              // MISSING_OR_NULL_ORIGIN
  kCrossSiteNavigationLoginBlocked,  // CROSS_SITE_NAVIGATION_LOGIN_BLOCKED
  kInvalidCallbackUrl,               // INVALID_CALLBACK_URL
  kInvalidRedirectUrl,               // INVALID_REDIRECT_URL
  kInvalidErrorCallbackUrl,          // INVALID_ERROR_CALLBACK_URL
  kInvalidNewUserCallbackUrl,        // INVALID_NEW_USER_CALLBACK_URL
  kFieldNotAllowed,                  // FIELD_NOT_ALLOWED
  kMissingField,                     // MISSING_FIELD
  kMethodNotAllowedDeferSessionRequired,  // METHOD_NOT_ALLOWED_DEFER_SESSION_REQUIRED: POST get-session
  kTooManyRequests,                  // TOO_MANY_REQUESTS (Portcullis; BetterAuth's 429 has no code)
  kNotFound,                         // NOT_FOUND (Portcullis)
  kNoFieldsToUpdate,                 // NO_FIELDS_TO_UPDATE (BetterAuth sends this message uncoded)
  kEmailIsTheSame,                   // EMAIL_IS_THE_SAME (BetterAuth sends this message uncoded)
  kServerBusy,                       // SERVER_BUSY (Portcullis): the password-hash queue is full
  kClientClosedRequest,              // CLIENT_CLOSED_REQUEST (Portcullis): the client left before
                                     // its password hash started (nobody reads this answer)
  kInternalServerError,              // INTERNAL_SERVER_ERROR
};

// Returns the stable name of `code`, e.g. "INVALID_EMAIL" ("OK" for kOk).
std::string_view error_code_name(ErrorCode code);

// Returns the English message for `code`, e.g. "Invalid email" ("" for kOk).
std::string_view error_message(ErrorCode code);

// Returns the code whose stable name is `name`, or std::nullopt if there is none.
std::optional<ErrorCode> error_code_from_name(std::string_view name);

// The outcome of an operation that returns no value: OK, or an error code with a message.
// A Status is a small value; copy it freely.
class Status {
 public:
  // An OK status.
  Status() = default;
  // An error with the code's default English message.
  explicit Status(ErrorCode code) : code_(code), message_(error_message(code)) {}
  // An error with a message of the caller's (e.g. one that names the field).
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status OK() { return Status(); }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  // The stable name of the code, e.g. "PASSWORD_TOO_SHORT".
  std::string_view code_name() const { return error_code_name(code_); }
  const std::string& message() const { return message_; }

  friend bool operator==(const Status& a, const Status& b) { return a.code_ == b.code_; }

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

// A value of type T, or the Status of why there is none. Result never holds an OK status without
// a value.
template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}                     // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}              // NOLINT: implicit by design
  Result(ErrorCode code) : v_(Status(code)) {}                  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  // The value. Precondition: ok().
  const T& value() const& { return std::get<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }
  // The status: OK when there is a value.
  Status status() const { return ok() ? Status::OK() : std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace portcullis

#endif  // PORTCULLIS_ERROR_H_
