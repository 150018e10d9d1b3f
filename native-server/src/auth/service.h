// Portcullis server: the authentication flows.
//
// Everything between parsing a request and writing a response: sign-up, sign-in, sessions,
// password change and reset, e-mail verification. All validation comes from the core (the very
// code the browser runs); all storage goes through store::Store; all hashing runs on the bounded
// HashPool. Nothing here knows about HTTP: results are values with stable error codes, and the
// HTTP layer maps them to statuses and cookies.

#ifndef PORTCULLIS_AUTH_SERVICE_H_
#define PORTCULLIS_AUTH_SERVICE_H_

#include <chrono>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "auth/breached_passwords.h"
#include "auth/hash_pool.h"
#include "auth/jwt.h"
#include "config.h"
#include "mail/mailer.h"
#include "portcullis/error.h"
#include "portcullis/password_policy.h"
#include "store/store.h"

namespace portcullis::auth {

using store::Session;
using store::TimePoint;
using store::User;

// Who is asking, as far as the flows care.
struct Caller {
  std::string ip;          // "" when unknown
  std::string user_agent;  // "" when absent
  TimePoint now{};
  std::string request_id;  // the request's X-Request-Id, for the audit log ("" outside HTTP)
};

// Where audit events go (AuthService::set_audit): one JSON line each, without the newline.
using AuditSink = std::function<void(const std::string& line)>;

// A valid session and its user.
struct Authenticated {
  Session session;
  User user;
  bool dont_remember = false;  // the session was made with rememberMe=false
};

struct SignUpRequest {
  std::string name;
  std::string email;
  std::string password;
  std::optional<std::string> image;
  std::optional<std::string> callback_url;
  bool remember_me = true;
  // --username: the username (as typed) and the display username; a display username alone that
  // is a valid username is taken as both (BetterAuth's rule), a username alone is displayed as typed.
  std::optional<std::string> username;
  std::optional<std::string> display_username;
};

struct SignInRequest {
  std::string email;
  std::string username;  // sign_in_username()'s, instead of the e-mail
  std::string password;
  bool remember_me = true;
  // Where the verification link mailed again to an unverified address leads (a trusted URL).
  std::optional<std::string> callback_url;
  // The trust_device cookie's value (its signature checked), when the browser sent one.
  std::optional<std::string> trusted_device;
};

// The user, and the session when one was started (none when e-mail verification is required, or
// while the second factor is awaited).
struct SignedIn {
  User user;
  std::optional<Session> session;
  bool remember_me = true;
  // The first factor, as the audit log names it: "password" (sign-up included), "email-otp",
  // "magic-link", "passkey"...
  std::string method;
  // With --two-factor, a user who turned it on, from a browser not trusted: no session yet. The
  // value for the two_factor cookie (the challenge's id), and what the user can answer it with
  // ("totp", "otp").
  std::optional<std::string> two_factor_challenge;
  std::vector<std::string> two_factor_methods;
  // The trust_device cookie to set: a new value (renewed at each sign-in it let through), or ""
  // to delete it (it was sent, but is no longer valid).
  std::optional<std::string> trust_device;
};

// What enabling the second factor gives the user to keep: the authenticator app's key (as the
// otpauth:// URI a QR code carries) and the backup codes.
struct TwoFactorSetup {
  std::string totp_uri;
  std::vector<std::string> backup_codes;
};

// What a code answering the second factor is: an authenticator app's, a backup code, or one
// mailed by send_two_factor_otp() (--two-factor-otp).
enum class SecondFactorKind { kTotp, kBackupCode, kOtp };

// A code given for the second factor: during a sign-in (`challenge`, the two_factor cookie's
// value, and no session), or by a signed-in user (confirming a new authenticator app).
struct SecondFactorRequest {
  std::string code;
  bool trust_device = false;             // remember this browser for 30 days (sign-in only)
  std::optional<std::string> challenge;  // the two_factor cookie's value
  bool dont_remember = false;            // the sign-in was without "remember me"
  bool disable_session = false;          // backup codes: check the code, start no session
};

struct SecondFactorPassed {
  User user;
  // The session to answer with: a new one (a sign-in completed, or the caller's replaced when
  // this code turned the second factor on), or the caller's.
  std::optional<Session> session;
  bool new_session = false;  // set the session cookie
  bool remember_me = true;
  std::optional<std::string> trust_device;  // a trust_device cookie to set
  // A sign-in completed: its first factor, as SignedIn::method; "" otherwise.
  std::string first_factor;
};

// What a session token resolves to.
struct SessionLookup {
  // The session, when the token names a live one.
  std::optional<Authenticated> auth;
  // The expiry was pushed forward (rolling refresh): the cookie should be sent again.
  bool refreshed = false;
};

struct UserUpdate {
  std::optional<std::string> name;
  std::optional<std::optional<std::string>> image;  // set to a value, or to null
  std::optional<std::string> username;          // --username: as typed
  std::optional<std::string> display_username;  // --username
};

struct ChangePasswordRequest {
  std::string new_password;
  std::string current_password;
  bool revoke_other_sessions = false;
};

struct DeleteUserRequest {
  std::optional<std::string> password;
  std::optional<std::string> token;         // from a mailed deletion link
  std::optional<std::string> callback_url;  // where the mailed link leads after deleting
};

enum class DeleteOutcome { kDeleted, kVerificationSent };

struct VerifiedEmail {
  User user;
  bool already_verified = false;
  bool email_changed = false;      // a change-email link: the user now has the new address
  bool confirmation_sent = false;  // a confirmation from the old address: the new one got a link
  std::optional<Session> session;  // with autoSignInAfterVerification
};

// A user an administrator creates (admin_create_user()).
struct NewUser {
  std::string name;
  std::string email;
  std::string password;
  bool email_verified = false;
  std::optional<std::string> image;
  std::vector<std::string> roles;  // none: the default role, "user"
  std::optional<std::string> username;          // as typed (sign-up's rules, whatever --username says)
  std::optional<std::string> display_username;
};

// An administrator's change to a user (admin_update_user()): each field given is set.
struct AdminUserUpdate {
  std::optional<std::string> name;
  std::optional<std::optional<std::string>> image;  // set to a value, or to null
  std::optional<std::string> email;
  std::optional<bool> email_verified;
  std::optional<std::vector<std::string>> roles;
  std::optional<std::string> username;          // --username: as typed
  std::optional<std::string> display_username;  // --username
};

// What an e-mailed code is for (--email-otp), as BetterAuth's emailOTP plugin names it.
// kChangeEmail codes are mailed only by request_email_change_otp(), to the new address.
enum class EmailOtpType { kEmailVerification, kSignIn, kForgetPassword, kChangeEmail };

// "email-verification", "sign-in", "forget-password", "change-email"; nullopt for anything else.
std::optional<EmailOtpType> parse_email_otp_type(std::string_view text);

// A sign-in with an e-mailed code (sign_in_email_otp()).
struct EmailOtpSignIn {
  std::string email;
  std::string otp;
  std::optional<std::string> name;   // for an address with no account yet (none: "")
  std::optional<std::string> image;  // likewise
  bool remember_me = true;
  std::optional<std::string> trusted_device;  // as SignInRequest's
};

// A sign-in link to mail (send_magic_link()). The URLs are trusted ones (the caller checked).
struct MagicLinkRequest {
  std::string email;
  std::optional<std::string> name;  // for an address with no account yet (none: "")
  std::optional<std::string> callback_url;
  std::optional<std::string> new_user_callback_url;
  std::optional<std::string> error_callback_url;
};

// A followed sign-in link (verify_magic_link()): the sign-in, and whether it made the account.
struct MagicLinkSignedIn {
  SignedIn signed_in;
  bool new_user = false;
};

// What a user may do (admin_has_permission()): per resource ("user", "session"), actions
// ("list", "ban", ...), as BetterAuth's access control names them.
using Permissions = std::vector<std::pair<std::string, std::vector<std::string>>>;

// Every flow that lists SERVER_BUSY can also give CLIENT_CLOSED_REQUEST, with nothing changed,
// when it is serving a connection whose client closed it before its hash started (HashPool).
//
// The flows that set a new password (sign_up, change_password, reset_password, create_user,
// set_password) take an optional `verdict`: when the new password was checked against the policy,
// the core's PasswordCheck is stored there, so that a PASSWORD_TOO_WEAK reply can carry the score
// and the estimator's feedback. The strength is estimated once per call, with the user's e-mail
// and name (password_user_inputs()).

// A WebAuthn ceremony's options (passkeys), which the routes send as SimpleWebAuthn's JSON.
struct PasskeyRegistrationOptions {
  std::string token;      // the challenge cookie's value
  std::string challenge;  // base64url
  std::string rp_id;
  std::string rp_name;
  std::string user_handle;  // the WebAuthn user id, base64url (random, as BetterAuth's)
  std::string user_name;
  std::string user_display_name;
  std::vector<store::Passkey> existing;  // the user's, which the browser must not register again
};

struct PasskeyAuthenticationOptions {
  std::string token;
  std::string challenge;
  std::string rp_id;
  std::vector<store::Passkey> allowed;  // with a session: its user's passkeys
};

// A browser's answer to a registration's options.
struct PasskeyRegistration {
  std::optional<std::string> token;  // the challenge cookie's value (signature checked)
  std::string origin;                // the request's Origin (a trusted one)
  nlohmann::json response;           // RegistrationResponseJSON
  std::optional<std::string> name;   // the passkey's name
  bool create_session = false;
};

struct PasskeyAdded {
  store::Passkey passkey;
  std::optional<Session> session;  // with create_session
};

// A browser's answer to an authentication's options.
struct PasskeySignIn {
  std::optional<std::string> token;
  std::string origin;
  nlohmann::json response;  // AuthenticationResponseJSON
  std::optional<std::string> trusted_device;
};

class AuthService {
 public:
  // `mail` may be null: then the flows that send mail answer as BetterAuth does without a sender.
  AuthService(const Config& config, store::Store& store, HashPool& hashes, mail::MailQueue* mail);

  // Creates a user with a credential account and, unless e-mail verification is required, a
  // session. Errors: EMAIL_PASSWORD_SIGN_UP_DISABLED; INVALID_EMAIL; INVALID_NAME, NAME_TOO_LONG;
  // PASSWORD_TOO_SHORT, PASSWORD_TOO_LONG; INVALID_UTF8; PASSWORD_TOO_WEAK;
  // USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL; SERVER_BUSY (hash queue full); FAILED_TO_CREATE_USER,
  // FAILED_TO_CREATE_SESSION.
  Result<SignedIn> sign_up(const SignUpRequest& request, const Caller& caller,
                           PasswordCheck* verdict = nullptr);

  // Checks the credentials and starts a session. An unknown e-mail, a missing credential, a wrong
  // password and a throttled account all give INVALID_EMAIL_OR_PASSWORD after the same hashing
  // work. With the right password but an address not verified (when verification is required),
  // mails the verification link again, to `callback_url`. With --two-factor, a user who turned
  // it on gets no session but a challenge (SignedIn::two_factor_challenge), unless the browser is
  // trusted (request.trusted_device); verify_second_factor() then finishes. A banned user (with
  // the right password) gets BANNED_USER and nothing else. Errors: INVALID_EMAIL;
  // PASSWORD_TOO_LONG; INVALID_UTF8; INVALID_EMAIL_OR_PASSWORD; BANNED_USER; EMAIL_NOT_VERIFIED;
  // SERVER_BUSY; FAILED_TO_CREATE_SESSION.
  Result<SignedIn> sign_in(const SignInRequest& request, const Caller& caller);

  // --username: sign_in() with the username instead of the address (BetterAuth's username
  // plugin); an unknown username, a missing credential or a wrong password give
  // INVALID_USERNAME_OR_PASSWORD after the same hashing work, and the per-account throttle is the
  // one the address counts. Errors: NOT_FOUND (--username off); USERNAME_TOO_SHORT,
  // USERNAME_TOO_LONG, INVALID_USERNAME (422 in BetterAuth); PASSWORD_TOO_LONG; INVALID_UTF8;
  // INVALID_USERNAME_OR_PASSWORD; and sign_in()'s others from BANNED_USER on.
  Result<SignedIn> sign_in_username(const SignInRequest& request, const Caller& caller);

  // --username: whether no user has `username` (normalised first). Errors: NOT_FOUND (off);
  // USERNAME_TOO_SHORT, USERNAME_TOO_LONG, INVALID_USERNAME; INTERNAL_SERVER_ERROR.
  Result<bool> username_available(const std::string& username);

  // Resolves a session token. An unknown token gives no session; an expired one gives none and is
  // deleted. With `allow_refresh`, a session whose last refresh is older than the update age
  // (and that was made with rememberMe) gets a new expiry. Errors: FAILED_TO_GET_SESSION.
  Result<SessionLookup> find_session(const std::string& token, bool allow_refresh, TimePoint now);

  // Deletes the session with `token` (if any).
  Status sign_out(const std::string& token);

  // The user's unexpired sessions. Errors: SESSION_NOT_FRESH if the session is older than the
  // fresh age.
  Result<std::vector<Session>> list_sessions(const Authenticated& auth, TimePoint now);

  // Deletes the caller's session with `token`; another user's token is ignored.
  Status revoke_session(const Authenticated& auth, const std::string& token);
  // Deletes all of the caller's sessions; with `keep_current`, all but the current one.
  Status revoke_sessions(const Authenticated& auth, bool keep_current);

  // The user's accounts: the credential, and any other provider's that a BetterAuth server sharing
  // the database linked. Errors: INTERNAL_SERVER_ERROR.
  Result<std::vector<store::Account>> list_accounts(const Authenticated& auth);

  // Removes one of the caller's accounts (its id as list_accounts() gives it), never the last.
  // Errors: SESSION_NOT_FRESH if the session is older than the fresh age; ACCOUNT_NOT_FOUND;
  // FAILED_TO_UNLINK_LAST_ACCOUNT.
  Status unlink_account(const Authenticated& auth, const std::string& account_id, TimePoint now);

  // Checks that `password` is the caller's (BetterAuth's verify-password), as change-password and
  // delete-user check the current password: on the hash pool, and counted by the per-account
  // throttle as a sign-in is. Errors: PASSWORD_TOO_LONG, INVALID_UTF8; INVALID_PASSWORD (wrong, no
  // credential account, or the account is throttled); SERVER_BUSY.
  Status confirm_password(const Authenticated& auth, const std::string& password, TimePoint now);

  // Errors: INVALID_NAME, NAME_TOO_LONG, INVALID_UTF8; NO_FIELDS_TO_UPDATE; FAILED_TO_UPDATE_USER.
  Result<User> update_user(const Authenticated& auth, const UserUpdate& update, TimePoint now);

  // Changes the password after checking the current one (as confirm_password() does). With
  // revoke_other_sessions, every
  // session (the current one too) is deleted and a new one is returned.
  // Errors: PASSWORD_TOO_SHORT, PASSWORD_TOO_LONG, INVALID_UTF8, PASSWORD_TOO_WEAK (the new
  // password); PASSWORD_TOO_LONG, INVALID_UTF8 (the current one); CREDENTIAL_ACCOUNT_NOT_FOUND;
  // INVALID_PASSWORD; SERVER_BUSY.
  Result<std::optional<Session>> change_password(const Authenticated& auth,
                                                 const ChangePasswordRequest& request,
                                                 const Caller& caller, PasswordCheck* verdict = nullptr);

  // Starts an e-mail change: a link to the new address, or (unverified users, when allowed) an
  // immediate change. An address in use gets OK and no mail.
  // Errors: CHANGE_EMAIL_DISABLED; INVALID_EMAIL; EMAIL_IS_THE_SAME; VERIFICATION_EMAIL_NOT_ENABLED.
  Status change_email(const Authenticated& auth, const std::string& new_email,
                      const std::optional<std::string>& callback_url, TimePoint now);

  // Deletes the user, in BetterAuth's order: a password, if given, is checked first (as
  // confirm_password() does); then a token, if given, must be one mailed to this user for deletion
  // (single use), and the user is deleted; else, with deleteUserVerification, a deletion link is
  // mailed (kVerificationSent) and nothing is deleted yet; else, without a password the session
  // must be fresh, and the user is deleted. Errors: NOT_FOUND (feature off); INVALID_PASSWORD,
  // PASSWORD_TOO_LONG; INVALID_TOKEN; SESSION_EXPIRED; SERVER_BUSY; INTERNAL_SERVER_ERROR.
  Result<DeleteOutcome> delete_user(const Authenticated& auth, const DeleteUserRequest& request, const Caller& caller);

  // Follows a mailed deletion link: deletes the user if `token` was mailed to this session's user
  // for deletion (single use). Errors: NOT_FOUND (feature off); INVALID_TOKEN.
  Status delete_user_with_token(const Authenticated& auth, const std::string& token, const Caller& caller);

  // Mails a reset link when the address belongs to a user; answers the same either way.
  // Errors: RESET_PASSWORD_DISABLED (no mail sender); INVALID_EMAIL.
  Status request_password_reset(const std::string& email, const std::optional<std::string>& redirect_to,
                                TimePoint now);

  // Returns true if `token` is a live, unused reset token (it is not consumed).
  bool reset_token_is_valid(const std::string& token, TimePoint now);

  // Sets a new password with a reset token (single use). A password the policy refuses leaves the
  // token unused. Errors: INVALID_TOKEN (empty); PASSWORD_TOO_SHORT, PASSWORD_TOO_LONG,
  // INVALID_UTF8; INVALID_TOKEN (unknown, used or expired); USER_NOT_FOUND; PASSWORD_TOO_WEAK;
  // SERVER_BUSY.
  Status reset_password(const std::string& token, const std::string& new_password, const Caller& caller,
                        PasswordCheck* verdict = nullptr);

  // Mails a verification link. With a session, the address must be the user's and unverified.
  // Errors: VERIFICATION_EMAIL_NOT_ENABLED; INVALID_EMAIL; EMAIL_MISMATCH; EMAIL_ALREADY_VERIFIED.
  Status send_verification_email(const std::optional<Authenticated>& auth, const std::string& email,
                                 const std::optional<std::string>& callback_url, TimePoint now);

  // Follows a verification (or change-email) link (single use).
  // Errors: INVALID_TOKEN; TOKEN_EXPIRED; USER_NOT_FOUND; INVALID_USER; USER_ALREADY_EXISTS
  // (the new address was taken meanwhile).
  // `callback_url` is the link's, which a confirmation of a change of address passes on to the
  // link it mails to the new address.
  Result<VerifiedEmail> verify_email(const std::string& token, const Caller& caller,
                                     const std::optional<std::string>& callback_url = std::nullopt);

  // For the command line: creates a user with a credential, without a session. Validation and
  // errors as sign_up (but sign-up need not be enabled; a username is taken whether or not
  // --username is on); `allow_weak` skips the strength rule (not the length rules).
  Result<User> create_user(const NewUser& request, TimePoint now, bool allow_weak = false,
                           PasswordCheck* verdict = nullptr);

  // For the command line: sets a user's password (creating the credential if missing) and, like
  // a reset, ends the user's sessions; `allow_weak` skips the strength rule. Errors: as
  // check_password; USER_NOT_FOUND; PASSWORD_TOO_WEAK; SERVER_BUSY.
  Status set_password(const std::string& user_id, const std::string& password, TimePoint now,
                      bool allow_weak = false, PasswordCheck* verdict = nullptr);

  // --- the second factor (BetterAuth's two-factor plugin; two_factor.cc) ---
  // Every call below gives NOT_FOUND when --two-factor is off.

  // Starts setting up an authenticator app after checking the password (as confirm_password()
  // does): a new key and ten backup codes, stored encrypted and not yet verified, so sign-in asks
  // for nothing until verify_second_factor() has seen a code from the app. `issuer` names the
  // account in the app (default: --app-name). Errors: INVALID_PASSWORD, PASSWORD_TOO_LONG,
  // INVALID_UTF8, SERVER_BUSY; TOTP_ALREADY_ENABLED; INTERNAL_SERVER_ERROR.
  Result<TwoFactorSetup> enable_two_factor(const Authenticated& auth, const std::string& password,
                                           const std::optional<std::string>& issuer, const Caller& caller);

  // Turns on codes by e-mail (--two-factor-otp) as the second factor, after checking the password:
  // from now on sign-in asks for a code, which send_two_factor_otp() mails. The address must be
  // verified (so the codes reach the user). Already on (with an app or by e-mail): it stays on.
  // Replaces the caller's session, which is returned. Errors: OTP_NOT_CONFIGURED;
  // confirm_password()'s; EMAIL_NOT_VERIFIED; FAILED_TO_CREATE_SESSION; INTERNAL_SERVER_ERROR.
  Result<Session> enable_two_factor_otp(const Authenticated& auth, const std::string& password,
                                        const Caller& caller);

  // Mails a new 6-digit code (--two-factor-otp), which verify_second_factor(kOtp) accepts once
  // within 3 minutes; it replaces a code mailed before for the same sign-in. With `challenge`
  // (and no `auth`): for the second step of that sign-in. With `auth`: a code that proves the
  // signed-in user reads their mail (it changes nothing). A sign-in offers codes by e-mail only
  // to users who turned them on, or have no authenticator app. One sign-in (or one session, per
  // 10 minutes) has at most 5 codes mailed. Errors: OTP_NOT_CONFIGURED; INVALID_TWO_FACTOR_COOKIE
  // (no live challenge); OTP_NOT_ENABLED (a user with an app who did not turn codes by e-mail
  // on); TOO_MANY_REQUESTS (5 codes mailed already); INTERNAL_SERVER_ERROR.
  Status send_two_factor_otp(const std::optional<Authenticated>& auth, const std::optional<std::string>& challenge,
                             const Caller& caller);

  // What the signed-in user answers a sign-in's second step with, as sign-in lists them
  // (SignedIn::two_factor_methods): "totp" (an authenticator app, confirmed; its backup codes
  // come with it), "otp" (codes by e-mail); none while the second factor is off. (Portcullis's
  // own: BetterAuth has no route that tells, and an account page needs it to offer the right
  // actions.) Errors: INTERNAL_SERVER_ERROR.
  Result<std::vector<std::string>> two_factor_methods(const Authenticated& auth);

  // BetterAuth's jwt plugin (--jwt): the JSON Web Key Set that verifies the tokens of
  // session_jwt() (JwtIssuer::key_set). Errors: NOT_FOUND without --jwt; INTERNAL_SERVER_ERROR.
  Result<std::string> jwks(TimePoint now);

  // A JSON Web Token for the signed-in user: `claims` (the user, as get-session shows it), "sub"
  // the user's id, valid for --jwt-expires-in (JwtIssuer::sign). Errors: NOT_FOUND without
  // --jwt; INTERNAL_SERVER_ERROR.
  Result<std::string> session_jwt(const Authenticated& auth, nlohmann::ordered_json claims, TimePoint now);

  // The otpauth:// URI of the user's key again, after checking the password. Errors:
  // TOTP_NOT_ENABLED; INVALID_PASSWORD (and confirm_password()'s others).
  Result<std::string> totp_uri(const Authenticated& auth, const std::string& password, TimePoint now);

  // Checks a code. With `request.challenge` (and no `auth`): the second step of a sign-in, which
  // starts the session; a challenge takes 5 wrong codes, and 10 wrong in a row lock the account's
  // codes for 15 minutes. With `auth`: a signed-in user's code; the first right one from a new
  // app turns the second factor on and replaces the caller's session. An authenticator code is
  // accepted once (a replayed one is wrong). An e-mailed code (kOtp) is checked against the last
  // one mailed for this sign-in (or, signed in, this session), and turns nothing on. Errors:
  // INVALID_TWO_FACTOR_COOKIE (no live challenge); TOTP_NOT_ENABLED, BACKUP_CODES_NOT_ENABLED;
  // OTP_NOT_CONFIGURED, OTP_NOT_ENABLED (as send_two_factor_otp()), OTP_HAS_EXPIRED (no mailed
  // code awaits); ACCOUNT_TEMPORARILY_LOCKED;
  // TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE (the challenge is gone; signed in: the mailed code is);
  // INVALID_CODE, INVALID_BACKUP_CODE; FAILED_TO_CREATE_SESSION; INTERNAL_SERVER_ERROR.
  Result<SecondFactorPassed> verify_second_factor(const std::optional<Authenticated>& auth,
                                                  const SecondFactorRequest& request, SecondFactorKind kind,
                                                  const Caller& caller);

  // Turns the second factor off after checking the password: deletes the key and backup codes,
  // forgets the browser `trusted_device` (the trust_device cookie's value, if any), and replaces
  // the caller's session, which is returned. Errors: confirm_password()'s;
  // FAILED_TO_CREATE_SESSION; INTERNAL_SERVER_ERROR.
  Result<Session> disable_two_factor(const Authenticated& auth, const std::string& password,
                                     const std::optional<std::string>& trusted_device, const Caller& caller);

  // Turns the second factor off for the user with `user_id` (disable_two_factor() after its
  // checks, and an administrator's recovery): deletes the app's key and backup codes and the
  // record of codes by e-mail, and with them every trusted browser. It works with --two-factor
  // off too. Errors: NOT_FOUND (no user); those of the store.
  Status turn_off_two_factor(const std::string& user_id, TimePoint now);

  // Replaces the backup codes with ten new ones, after checking the password. Errors:
  // TWO_FACTOR_NOT_ENABLED; confirm_password()'s; INTERNAL_SERVER_ERROR.
  Result<std::vector<std::string>> regenerate_backup_codes(const Authenticated& auth, const std::string& password,
                                                           const Caller& caller);

  // --- administration (BetterAuth's admin plugin; admin.cc) ---
  // Every call below gives NOT_FOUND when --admin is off. `admin` is the caller's session: its
  // user is read again from the store first (so a role taken away counts at once, whatever a
  // session cache holds), and a caller who is not an administrator (is_admin()) gets the call's
  // own YOU_ARE_NOT_ALLOWED_TO_... code (403), before anything else is looked at. Each change is
  // in the audit log, as "admin-..." with the user changed as "target".

  // Whether `user` is an administrator: "admin" among its roles, or its id in --admin-user-ids.
  bool is_admin(const User& user) const;

  // Whether `user` may do all of `permissions`: an administrator may do everything BetterAuth's
  // default "admin" role may (not "impersonate-admins"); other users nothing.
  bool has_permission(const User& user, const Permissions& permissions) const;

  // Whether the signed-in user (as the store has it now) may do all of `permissions`
  // (has_permission()). Errors: NOT_FOUND (--admin off); UNAUTHORIZED (the user is gone).
  Result<bool> admin_has_permission(const Authenticated& caller, const Permissions& permissions);

  // The page of users `query` asks for, and how many match in all. Errors:
  // YOU_ARE_NOT_ALLOWED_TO_LIST_USERS; INTERNAL_SERVER_ERROR.
  Result<store::UserPage> admin_list_users(const Authenticated& admin, const store::UserQuery& query);

  // Errors: YOU_ARE_NOT_ALLOWED_TO_GET_USER; USER_NOT_FOUND.
  Result<User> admin_get_user(const Authenticated& admin, const std::string& user_id);

  // Creates a user with a credential account (no session), the new password checked as at
  // sign-up (length, strength with --min-password-score, breach list), sign-up enabled or not.
  // Errors: YOU_ARE_NOT_ALLOWED_TO_CREATE_USERS; INVALID_ROLE_TYPE,
  // YOU_ARE_NOT_ALLOWED_TO_SET_NON_EXISTENT_VALUE (roles other than "admin" and "user");
  // create_user()'s.
  Result<User> admin_create_user(const Authenticated& admin, const NewUser& request, const Caller& caller,
                                 PasswordCheck* verdict = nullptr);

  // Changes the fields `update` gives (the e-mail as given, validated, verified or not as
  // email_verified says; a username as update_user() sets it). The fields are written first, then
  // the roles: a failure between the two leaves the fields changed. Errors:
  // YOU_ARE_NOT_ALLOWED_TO_UPDATE_USERS; NO_DATA_TO_UPDATE; INVALID_NAME, NAME_TOO_LONG,
  // INVALID_UTF8, INVALID_EMAIL; the username's (as update_user()); the roles' (as
  // admin_create_user()); USER_NOT_FOUND; USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL;
  // FAILED_TO_UPDATE_USER.
  Result<User> admin_update_user(const Authenticated& admin, const std::string& user_id,
                                 const AdminUserUpdate& update, const Caller& caller);

  // Sets the user's roles. Errors: YOU_ARE_NOT_ALLOWED_TO_CHANGE_USERS_ROLE; the roles' (as
  // admin_create_user()); USER_NOT_FOUND.
  Result<User> admin_set_role(const Authenticated& admin, const std::string& user_id,
                              const std::vector<std::string>& roles, const Caller& caller);

  // Bans the user (their sessions end; sign-in gives BANNED_USER) with `reason` (default "No
  // reason", BetterAuth's), for `expires_in` (none: until unbanned). Errors:
  // YOU_ARE_NOT_ALLOWED_TO_BAN_USERS; USER_NOT_FOUND; YOU_CANNOT_BAN_YOURSELF.
  Result<User> admin_ban_user(const Authenticated& admin, const std::string& user_id,
                              const std::optional<std::string>& reason,
                              std::optional<std::chrono::seconds> expires_in, const Caller& caller);

  // Lifts the user's ban. Errors: YOU_ARE_NOT_ALLOWED_TO_BAN_USERS; USER_NOT_FOUND.
  Result<User> admin_unban_user(const Authenticated& admin, const std::string& user_id, const Caller& caller);

  // The user's unexpired sessions, newest first (none for an unknown user). Errors:
  // YOU_ARE_NOT_ALLOWED_TO_LIST_USERS_SESSIONS; INTERNAL_SERVER_ERROR.
  Result<std::vector<Session>> admin_list_user_sessions(const Authenticated& admin, const std::string& user_id,
                                                        TimePoint now);

  // Ends the session with `token` (whoever's it is; OK if there is none). Errors:
  // YOU_ARE_NOT_ALLOWED_TO_REVOKE_USERS_SESSIONS; INTERNAL_SERVER_ERROR.
  Status admin_revoke_user_session(const Authenticated& admin, const std::string& token, const Caller& caller);

  // Ends all of the user's sessions. Errors: YOU_ARE_NOT_ALLOWED_TO_REVOKE_USERS_SESSIONS;
  // INTERNAL_SERVER_ERROR.
  Status admin_revoke_user_sessions(const Authenticated& admin, const std::string& user_id, const Caller& caller);

  // Deletes the user and all that is theirs (Store::delete_user). Errors:
  // YOU_ARE_NOT_ALLOWED_TO_DELETE_USERS; YOU_CANNOT_REMOVE_YOURSELF; USER_NOT_FOUND.
  Status admin_remove_user(const Authenticated& admin, const std::string& user_id, const Caller& caller);

  // Sets the user's password as set_password() does (the policy applies; the user is signed
  // out everywhere and, with mail and notifications, told). Errors:
  // YOU_ARE_NOT_ALLOWED_TO_SET_USERS_PASSWORD; set_password()'s.
  Status admin_set_user_password(const Authenticated& admin, const std::string& user_id,
                                 const std::string& password, const Caller& caller,
                                 PasswordCheck* verdict = nullptr);

  // --admin-impersonation: starts a session as the user `user_id`, marked as made by the
  // administrator (Session::impersonated_by), lasting --admin-impersonation-duration and never
  // refreshed; the user's own list_sessions() does not show it. Errors: NOT_FOUND (off);
  // YOU_ARE_NOT_ALLOWED_TO_IMPERSONATE_USERS; USER_NOT_FOUND; YOU_CANNOT_IMPERSONATE_ADMINS (an
  // administrator, even by --admin-user-ids); BANNED_USER; FAILED_TO_CREATE_SESSION.
  Result<Authenticated> admin_impersonate_user(const Authenticated& admin, const std::string& user_id,
                                               const Caller& caller);

  // Ends the impersonation that `auth` is (a session admin_impersonate_user() made): deletes it
  // and returns the administrator's session, whose token `admin_token` is (kept by the caller
  // when the impersonation started). Errors: NOT_FOUND (--admin-impersonation off);
  // NOT_IMPERSONATING; ADMIN_SESSION_NOT_FOUND (no token, or not a live session of the
  // administrator who started it: the impersonation is ended all the same).
  Result<Authenticated> admin_stop_impersonating(const Authenticated& auth, const std::optional<std::string>& admin_token,
                                                 const Caller& caller);

  // --- e-mailed codes (--email-otp: BetterAuth's emailOTP plugin; auth/email_otp.cc) ---
  //
  // A code is six digits, works for --email-otp-expires-in, and survives --email-otp-attempts
  // wrong guesses. Every flow that takes one answers: INVALID_OTP (none awaits: never sent, used,
  // replaced by a newer one; or a wrong code), OTP_EXPIRED, TOO_MANY_ATTEMPTS (even the right
  // code, once the wrong ones ran out); NOT_FOUND when --email-otp is off.

  // Mails a new code of `type` for `email`, replacing the one before: "sign-in" to a user, or to
  // an address without one when sign-up is on; "email-verification" to a user whose address is
  // not verified, or to the address of `signed_in` (the caller's user, if any) when a change of
  // address needs its code (request_email_change_otp()); "forget-password" to a user. Returns OK
  // in every such case, mail or not, so the answer tells nothing about accounts. Errors:
  // INVALID_EMAIL; VALIDATION_ERROR ("change-email": request_email_change_otp() mails those);
  // TOO_MANY_REQUESTS (more than 5 codes of this type for this address within 15 minutes).
  Status send_email_otp(const std::string& email, EmailOtpType type, const Caller& caller,
                        const User* signed_in = nullptr);

  // Checks a code without using it up (a wrong one counts). Errors: as above; INVALID_EMAIL;
  // USER_NOT_FOUND (the code is right, but the address has no account).
  Status check_email_otp(const std::string& email, EmailOtpType type, const std::string& otp, const Caller& caller);

  // Marks the address verified with an "email-verification" code, and with
  // --auto-sign-in-after-verification starts a session (not for a user with the second factor
  // on). Errors: as above; INVALID_EMAIL; USER_NOT_FOUND.
  Result<VerifiedEmail> verify_email_otp(const std::string& email, const std::string& otp, const Caller& caller);

  // Signs in with a "sign-in" code, as sign_in() does after the password (bans, the second
  // factor). An address without an account gets one (verified, without a password) when sign-up
  // is on. A user whose address was unverified loses the password and sessions set up before the
  // code proved the mailbox (Store::claim_unverified_user). The name and image are for a new
  // account only. Errors: as above (INVALID_OTP too for an address without an account when
  // sign-up is off); INVALID_EMAIL; INVALID_NAME and NAME_TOO_LONG (a new account's name, when
  // given); BANNED_USER; FAILED_TO_CREATE_USER.
  Result<SignedIn> sign_in_email_otp(const EmailOtpSignIn& request, const Caller& caller);

  // Sets a new password with a "forget-password" code: the sign-up policy first (a refused
  // password leaves the code usable), then as reset_password() (sessions revoked, notice); the
  // address is marked verified. Errors: as above; INVALID_EMAIL; USER_NOT_FOUND; the password
  // policy's; SERVER_BUSY.
  Status reset_password_email_otp(const std::string& email, const std::string& otp, const std::string& password,
                                  const Caller& caller, PasswordCheck* verdict);

  // Starts a change of the signed-in user's address to `new_email` with codes
  // (--email-otp-change-email; BetterAuth's changeEmail): mails a "change-email" code to the new
  // address, for change_email_otp(). When the user's address is verified and
  // --change-email-confirmation is on (BetterAuth's verifyCurrentEmail), `otp` must be an
  // "email-verification" code mailed to the current address (send_email_otp()), which this uses
  // up. An address that has an account gets the same answer and no mail. Errors: NOT_FOUND
  // (--email-otp off); CHANGE_EMAIL_DISABLED (--email-otp-change-email off); INVALID_EMAIL;
  // EMAIL_IS_THE_SAME; OTP_REQUIRED; the current address's code's errors (above);
  // TOO_MANY_REQUESTS (more than 5 codes for the new address within 15 minutes).
  Status request_email_change_otp(const Authenticated& auth, const std::string& new_email,
                                  const std::optional<std::string>& otp, const Caller& caller);

  // Makes `new_email`, verified, the signed-in user's address, with the code that
  // request_email_change_otp() mailed there (used up); the old address gets a notice (with
  // --security-notifications). Returns the user as changed. Errors: NOT_FOUND; CHANGE_EMAIL_DISABLED;
  // INVALID_EMAIL; EMAIL_IS_THE_SAME; the code's errors (above); USER_NOT_FOUND (the user was
  // deleted meanwhile); USER_ALREADY_EXISTS ("Email already in use": the address got an account
  // since the code was mailed); INTERNAL_SERVER_ERROR.
  Result<User> change_email_otp(const Authenticated& auth, const std::string& new_email, const std::string& otp,
                                const Caller& caller);

  // --- sign-in links (--magic-link: BetterAuth's magic-link plugin; auth/magic_link.cc) ---

  // Mails a link that signs in to `request.email` once, for --magic-link-expires-in: to a user,
  // or to an address without one when sign-up is on (following it makes the account, verified,
  // without a password); nothing otherwise, with the same answer. Errors: NOT_FOUND (off);
  // INVALID_EMAIL; INVALID_NAME, NAME_TOO_LONG (a name given, for a new account);
  // TOO_MANY_REQUESTS (more than 5 links for this address within 15 minutes).
  Status send_magic_link(const MagicLinkRequest& request, const Caller& caller);

  // Signs in with a mailed link's token, as sign_in_email_otp() does with a code (the account
  // made or claimed, bans, the second factor). Errors: NOT_FOUND (off); INVALID_TOKEN (unknown,
  // used or expired); NEW_USER_SIGNUP_DISABLED; BANNED_USER; FAILED_TO_CREATE_USER.
  Result<MagicLinkSignedIn> verify_magic_link(const std::string& token, const std::optional<std::string>& trusted_device,
                                              const Caller& caller);

  // --- passkeys (--passkey: BetterAuth's passkey plugin; auth/passkey.cc) ---

  // Starts adding a passkey for the signed-in user: a challenge, stored (verification row named
  // by the returned token, which the challenge cookie carries) for 5 minutes, and the options
  // the browser needs. `name` (the query's) names the WebAuthn user instead of the address, if it
  // is valid as a user's name (else it is ignored).
  // Errors: NOT_FOUND (off); SESSION_NOT_FRESH; TOO_MANY_PASSKEYS (the user has as many as they
  // may); INTERNAL_SERVER_ERROR.
  Result<PasskeyRegistrationOptions> passkey_registration_options(const Authenticated& auth,
                                                                  const std::optional<std::string>& name,
                                                                  const Caller& caller);

  // Finishes adding a passkey: takes the challenge `request.token` names (used up whatever the
  // outcome), checks the browser's response (auth/webauthn.h) and stores the passkey; with
  // `request.create_session`, also starts a session. Audited (passkey-added) and, with mail and
  // notices, told to the user. Errors: NOT_FOUND (off); SESSION_NOT_FRESH; CHALLENGE_NOT_FOUND
  // (no challenge, used, expired, or an authentication's); YOU_ARE_NOT_ALLOWED_TO_REGISTER_THIS_PASSKEY
  // (another user's challenge); FAILED_TO_VERIFY_REGISTRATION (the response, or a credential
  // already registered); TOO_MANY_PASSKEYS; INVALID_NAME, NAME_TOO_LONG; INTERNAL_SERVER_ERROR.
  Result<PasskeyAdded> add_passkey(const Authenticated& auth, const PasskeyRegistration& request, const Caller& caller);

  // Starts a sign-in with a passkey: a challenge stored as above, and the options; `auth` (the
  // caller's session, when there is one) lists its passkeys as the allowed credentials.
  // Errors: NOT_FOUND (off); INTERNAL_SERVER_ERROR.
  Result<PasskeyAuthenticationOptions> passkey_authentication_options(const Authenticated* auth,
                                                                      const Caller& caller);

  // Signs in with a passkey's assertion, answering `token`'s challenge from `origin`: the
  // signature and counter checked (auth/webauthn.h), then as a password sign-in after the
  // password (bans, unverified addresses, the session); the second factor is asked for only when
  // the authenticator did not verify the user (no fingerprint, face or PIN: one factor).
  // Errors: NOT_FOUND (off); CHALLENGE_NOT_FOUND; PASSKEY_NOT_FOUND (no such credential);
  // AUTHENTICATION_FAILED; BANNED_USER; EMAIL_NOT_VERIFIED; FAILED_TO_CREATE_SESSION.
  Result<SignedIn> sign_in_passkey(const PasskeySignIn& request, const Caller& caller);

  // The signed-in user's passkeys, oldest first. Errors: NOT_FOUND (off); INTERNAL_SERVER_ERROR.
  Result<std::vector<store::Passkey>> list_passkeys(const Authenticated& auth);

  // Renames one of the user's passkeys and returns it. Errors: NOT_FOUND (off); PASSKEY_NOT_FOUND
  // (not the user's, or none); INVALID_NAME, NAME_TOO_LONG; INTERNAL_SERVER_ERROR.
  Result<store::Passkey> rename_passkey(const Authenticated& auth, const std::string& id, const std::string& name,
                                        const Caller& caller);

  // Deletes one of the user's passkeys. Errors: NOT_FOUND (off); PASSKEY_NOT_FOUND;
  // INTERNAL_SERVER_ERROR.
  Status delete_passkey(const Authenticated& auth, const std::string& id, const Caller& caller);

  const Config& config() const { return config_; }
  // The mail queue (null without mail), for the flows kept outside this class (organizations).
  mail::MailQueue* mail_queue() const { return mail_; }

  // What the server is busy with, for the metrics: password hashes queued or running, the hash
  // workers, and mail waiting or being sent, and dropped so far (0 without mail).
  std::size_t hashes_in_progress() const { return hashes_.load(); }
  std::size_t hash_workers() const { return hashes_.workers(); }
  std::size_t mail_queued() const { return mail_ != nullptr ? mail_->queued() : 0; }
  std::uint64_t mail_dropped() const { return mail_ != nullptr ? mail_->dropped() : 0; }

  // Sends every authentication decision and change of credentials to `sink` from now on (the
  // serve command's stdout, with --audit-log), as one JSON line: {"time", "msg": "auth",
  // "event", "user" (the user's id, when known), "ip", "id" (the request's), and the event's
  // fields}. Never an e-mail address, a password, a token or a code. Set before serving.
  void set_audit(AuditSink sink) { audit_sink_ = std::move(sink); }

  // Refuses, from now on, every new password that `list` has seen at least
  // config.breached_passwords_min_count times (PASSWORD_COMPROMISED), once the length and
  // strength rules passed; a list that cannot answer refuses with PASSWORD_CHECK_UNAVAILABLE.
  // `list` (null: no such check) must outlive the service. Set before serving.
  void set_breached_passwords(BreachedPasswords* list) { breached_ = list; }
  // The list's answers so far (all zero without one), for the metrics.
  BreachedPasswords::Counts breached_password_counts() const {
    return breached_ != nullptr ? breached_->counts() : BreachedPasswords::Counts{};
  }

  // Records `event` about `user` (null when unknown) for `caller`, with `fields` (each a stable
  // key and a value from a fixed set). Does nothing without a sink.
  void audit(std::string_view event, const User* user, const Caller& caller,
             std::initializer_list<std::pair<std::string_view, std::string_view>> fields = {}) const;

  // Counts one more mail of `what` (a flow's name) to `email`: at most 5 per 15 minutes, whoever
  // asks and whether or not the address has an account. Errors: TOO_MANY_REQUESTS (nothing
  // counted); INTERNAL_SERVER_ERROR.
  Status spend_mail_budget(const std::string& what, const std::string& email, TimePoint now);

 private:
  // The rest of a sign-in once the account was looked up by address or username: `user` (or the
  // store's NOT_FOUND), whose failures count under `throttle_key`. Errors: as sign_in().
  Result<SignedIn> finish_sign_in(const Result<User>& user, const std::string& throttle_key,
                                  const SignInRequest& request, const Caller& caller);
  // Sets `user`'s username and display username from what was typed (either may be absent), as
  // the username plugin does: for a `new_user` (sign-up), a display username alone that is a
  // valid username is the username too, and a username alone is displayed as typed; later, each
  // sets only itself. Checks the username is free (or already `user`'s). Errors:
  // USERNAME_TOO_SHORT, USERNAME_TOO_LONG, INVALID_USERNAME; INVALID_DISPLAY_USERNAME (empty,
  // control characters, or too long, as a name); USERNAME_IS_ALREADY_TAKEN; INTERNAL_SERVER_ERROR.
  Status assign_username(const std::optional<std::string>& username, const std::optional<std::string>& display,
                         bool new_user, User& user);
  // Why the store refused to insert `user` as taken (both were checked before, so another request
  // won a race): USERNAME_IS_ALREADY_TAKEN when another user now has its username, else
  // USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL.
  ErrorCode taken_code(const User& user);
  // Creates a session for `user`. Errors: BANNED_USER (check_not_banned()); FAILED_TO_CREATE_SESSION.
  Result<Session> start_session(const User& user, bool remember_me, const Caller& caller);
  // The same, lasting `lifetime`, and made by the administrator `impersonated_by` when given.
  Result<Session> start_session(const User& user, std::chrono::milliseconds lifetime, const Caller& caller,
                                std::optional<std::string> impersonated_by);
  // OK unless an administrator banned `user` (BetterAuth's admin plugin's columns) and the ban has
  // not expired; an expired ban is lifted. Errors: BANNED_USER; those of the store.
  Status check_not_banned(const User& user, TimePoint now);
  // The second factor's part of a sign-in whose first factor (`first_factor`: "password",
  // "email-otp", "passkey"..., which the audit log names with the second once it completes) was
  // right (two_factor.cc): nothing when the user has not turned it on; else either the trusted
  // browser is let through (and its cookie renewed) or a challenge is stored and the session waits.
  Status begin_second_factor(const User& user, const SignInRequest& request, std::string_view first_factor,
                             const Caller& caller, SignedIn& out);
  // The id of the row that says `user` turned codes by e-mail on (two_factor.cc), or "": what a
  // trusted browser's mac covers when the user has no twoFactor row.
  std::string otp_anchor(const User& user);
  // An authenticator code that had been used was sent again (ASVS 2.8.5): logs it (one JSON line
  // on stderr: the user's id and the caller's address) and, with mail and securityNotifications,
  // tells the user.
  void report_reused_code(const User& user, const Caller& caller);
  // Whether a sign-in of `user` (with an authenticator app set up: `app`) may be answered with a
  // mailed code: with --two-factor-otp, if the user turned them on, or has no app.
  bool otp_offered(const User& user, bool app);
  // The second step's methods of `user` (with the second factor on), `app`: a confirmed one.
  std::vector<std::string> methods_of(const User& user, bool app);
  // The live sign-in challenge `challenge` names (the two_factor cookie's value), stored in
  // `pending`, and its user. Errors: INVALID_TWO_FACTOR_COOKIE.
  Result<User> challenge_user(const std::optional<std::string>& challenge, TimePoint now,
                              store::Verification& pending);
  // Whether `value` (a trust_device cookie's) trusts this browser for `user`, whose twoFactor
  // row has id `row_id`. A trusted browser's row is deleted (trust_device() makes the next one).
  bool device_is_trusted(const User& user, const std::string& row_id, const std::string& value, TimePoint now);
  // Stores a new trusted-browser row for `user` and returns the trust_device cookie's value.
  Result<std::string> trust_device(const User& user, const std::string& row_id, TimePoint now);
  // Creates a session for `user` and deletes `old` (the caller's), keeping its remember-me.
  Result<Session> replace_session(const Authenticated& old, const User& user, const Caller& caller);
  // The caller's user as the store has it now (admin.cc). Errors: NOT_FOUND (--admin off);
  // `refused`, when given, if the user is not an administrator; UNAUTHORIZED (the user is gone).
  Result<User> authorize_admin(const Authenticated& admin, std::optional<ErrorCode> refused);
  // Inserts a new user (id and times made here) with a credential for `password`, after the
  // same checks as sign-up (allow_weak: without the strength rule). Errors: create_user()'s.
  Result<User> insert_user(const NewUser& request, TimePoint now, bool allow_weak, PasswordCheck* verdict);
  // Whether the session is within the fresh age (always, when the fresh age is 0).
  bool is_fresh(const Authenticated& auth, TimePoint now) const;
  // Runs `job` on the hash pool. Errors: SERVER_BUSY; CLIENT_CLOSED_REQUEST (the job did not run:
  // the connection being served was closed by its client before a worker took the job).
  Status hash_on_pool(const std::function<void()>& job);
  Result<std::string> hash_new_password(const std::string& password);
  // Checks a new password of the user with `email` and `name` against the policy (without the
  // strength rule when `allow_weak`), then the breached-password list (allow_weak or not), and
  // stores the policy's verdict in `verdict` when given.
  Status check_new(const std::string& password, const std::string& email, const std::string& name,
                   PasswordCheck* verdict, bool allow_weak = false) const;
  // Sets the user's password, creating the credential account if there is none.
  Status write_password(const User& user, const std::string& hash, TimePoint now);
  // With mail and securityNotifications, tells `user` at `to` that their password
  // (kind "password-changed") or e-mail address ("email-changed", to the old address) changed,
  // or that a passkey was added ("passkey-added").
  void notify_change(const User& user, const std::string& kind, const std::string& to, TimePoint now);
  // With mail and securityNotifications: whether the caller's browser (its User-Agent) is new for
  // `user`, remembering it from now on. False without mail or notifications.
  bool device_is_new(const User& user, const Caller& caller);
  // Tells `user` that their account was signed in to from a new browser or device.
  void notify_sign_in(const User& user, const Caller& caller);
  // --breached-passwords-at-sign-in: tells `user`, who just signed in with `password`, when the
  // breach list has seen it (audit event, and a mail at most once in 30 days). Never fails.
  void warn_if_breached(const User& user, const std::string& password, const Caller& caller);
  // Stores a verification row (an e-mailed token's hash, a known device): `identifier`, `value`,
  // made `now`, expiring `ttl` later. Errors: those of the store.
  Status store_verification(std::string identifier, std::string value, TimePoint now,
                            std::chrono::milliseconds ttl);
  // Mails `user` a link that deletes the account (stored as the token's hash).
  // Errors: INTERNAL_SERVER_ERROR (the token could not be stored; nothing is mailed).
  Status send_deletion_link(const User& user, const std::optional<std::string>& callback_url, TimePoint now);
  // Mails a link to /verify-email. `kind` "verify-email": to `email` (the user's), which the link
  // verifies; "change-email": to `email` (the new address), which the link makes the user's;
  // "change-email-confirmation": to the user's address, and the link then mails the
  // "change-email" link to `email`. The change links hold the user's address at the time and stop
  // working if it changes.
  // Stores a new code for `identifier` (replacing any) and mails it to `to`; if the store fails,
  // nothing is mailed (the answer stays the same: the user asks again). `to_verified`: an
  // "email-verification" code for an address that is verified already, which only confirms a
  // change of address, and whose mail says so.
  void issue_email_otp(const std::string& identifier, EmailOtpType type, const std::string& to,
                       const std::string& name, TimePoint now, bool to_verified = false);
  // The rest of a sign-in whose mailbox proof (a code, a link) was right, for `email`'s user
  // (none: NOT_FOUND; made here when sign-up is on, named `name`): the account made or claimed,
  // the ban, the second factor, the session, the audit under `method`. `new_user` tells whether it
  // made the account. Errors: `no_sign_up` when the account would be made but sign-up is off;
  // INVALID_NAME, NAME_TOO_LONG; BANNED_USER; FAILED_TO_CREATE_USER.
  Result<SignedIn> finish_mailbox_sign_in(Result<User> user, const std::string& email,
                                          const std::optional<std::string>& name,
                                          const std::optional<std::string>& image, bool remember_me,
                                          const std::optional<std::string>& trusted_device, ErrorCode no_sign_up,
                                          std::string_view method, const Caller& caller, bool& new_user);
  // With --auto-sign-in-after-verification, a session for a user whose address a mailed link or
  // code just verified (audited as a sign-in by `method`); none for a user with the second factor
  // on, or if it could not be made.
  std::optional<Session> session_after_verification(const User& user, std::string_view method, const Caller& caller);
  // A sign-in's ban check, once its first factor was right: BANNED_USER (audited as a failed
  // sign-in), INTERNAL_SERVER_ERROR when the ban could not be read, else OK.
  Status refuse_if_banned(const User& user, const Caller& caller);
  // The end of every sign-in whose first factor was right: the second factor's challenge when it
  // waits (two_factor.cc), else a session, audited as a sign-in by `method` ("password",
  // "email-otp"...; "+trusted-browser" when a trusted browser skipped the second factor), and the
  // new-device notice (not for a `new_account`). Errors: begin_second_factor()'s, start_session()'s.
  // `second_factor_passed`: the first factor was two already (a passkey that verified its user),
  // so no challenge.
  Result<SignedIn> open_session(const User& user, const SignInRequest& request, std::string_view method,
                                bool new_account, const Caller& caller, bool second_factor_passed = false);
  // A passkey ceremony's challenge: stores `record` (with the challenge) under a new token, for
  // 5 minutes, and returns the token. Errors: INTERNAL_SERVER_ERROR.
  Result<std::string> store_passkey_challenge(const nlohmann::json& record, TimePoint now);
  // Takes the challenge `token` names (used up), if it is live and of `type` ("registration",
  // "authentication"), and returns its record. Errors: CHALLENGE_NOT_FOUND; INTERNAL_SERVER_ERROR.
  Result<nlohmann::json> take_passkey_challenge(const std::optional<std::string>& token, std::string_view type,
                                                TimePoint now);
  // Whether a change of `user`'s address with codes must first be confirmed with a code mailed
  // to the current address (--email-otp-change-email, --change-email-confirmation, verified).
  bool change_confirmed_by_code(const User& user) const;
  // The checked new address of a change of `user`'s address with codes. Errors: NOT_FOUND;
  // CHANGE_EMAIL_DISABLED; INVALID_EMAIL (and validate_email()'s); EMAIL_IS_THE_SAME.
  Result<std::string> email_change_target(const std::string& new_email, const User& user) const;
  // --email-otp-verification: the verification mail, with a code instead of a link.
  void send_verification_code(const User& user, TimePoint now);
  // Takes the code for `identifier`: checks `otp` against it, counting a wrong one, and uses it
  // up when right unless `keep`.
  Status take_email_otp(const std::string& identifier, const std::string& otp, TimePoint now, bool keep);
  void send_verification(const User& user, const std::string& email, const std::string& kind,
                         const std::optional<std::string>& callback_url, TimePoint now);
  // Whether `password` is that of the account of `email`, checked against `account`'s hash on the
  // hash pool (no account, or one without a password: a dummy hash, and false), for sign-in and
  // for the current password of the other flows. The per-account throttle counts it: while
  // `email` is throttled every password is wrong; a wrong one is a failure; a right one clears the
  // failures. Errors: SERVER_BUSY, CLIENT_CLOSED_REQUEST.
  Result<bool> password_matches(const std::string& email, const std::optional<store::Account>& account,
                                const std::string& password, TimePoint now);
  // Whether sign-ins to `email` are throttled now; `any_failures`: whether it has failures counted.
  bool account_throttled(const std::string& email, TimePoint now, bool& any_failures);
  void record_failure(const std::string& email, TimePoint now);
  void clear_failures(const std::string& email);

  const Config& config_;
  store::Store& store_;
  HashPool& hashes_;
  mail::MailQueue* mail_;
  AuditSink audit_sink_;
  BreachedPasswords* breached_ = nullptr;
  std::unique_ptr<JwtIssuer> jwt_;  // with --jwt

  struct Failures {
    int count = 0;
    TimePoint last{};
  };
  std::mutex failures_mu_;
  std::unordered_map<std::string, Failures> failures_;
};

// The role of a user whose "role" is NULL (BetterAuth's admin plugin's defaultRole).
inline constexpr std::string_view kDefaultRole = "user";

// Returns `roles` as the "role" column holds them: comma-separated, in order, without repeats.
std::string join_roles(const std::vector<std::string>& roles);

// Returns the roles in a "role" column's value (none: kDefaultRole), each trimmed of spaces,
// empty ones left out.
std::vector<std::string> split_roles(const std::optional<std::string>& role);

// Checks roles about to be set: at least one, each "admin" or "user" (custom roles are not
// offered). Errors: INVALID_ROLE_TYPE (none); YOU_ARE_NOT_ALLOWED_TO_SET_NON_EXISTENT_VALUE.
Status check_roles(const std::vector<std::string>& roles);

// Returns "<prefix>:" + hex SHA-256 of `token`: how e-mailed tokens are stored, so a database leak
// does not hand out live links.
std::string hashed_identifier(std::string_view prefix, std::string_view token);

}  // namespace portcullis::auth

#endif  // PORTCULLIS_AUTH_SERVICE_H_
