// Type declarations of `portcullis/client`: the HTTP client for the Portcullis server.

/** The stable error codes the server returns (BetterAuth's, plus Portcullis's), and the client's own. */
export type AuthErrorCode =
  // request shape
  | 'VALIDATION_ERROR'
  | 'BAD_REQUEST'
  | 'BODY_MUST_BE_AN_OBJECT'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'PAYLOAD_TOO_LARGE'
  | 'FIELD_NOT_ALLOWED'
  | 'MISSING_FIELD'
  | 'METHOD_NOT_ALLOWED_DEFER_SESSION_REQUIRED'
  // input rules (the same codes the wasm core returns)
  | 'INVALID_EMAIL'
  | 'INVALID_NAME'
  | 'NAME_TOO_LONG'
  | 'INVALID_UTF8'
  | 'PASSWORD_TOO_SHORT'
  | 'PASSWORD_TOO_LONG'
  | 'PASSWORD_TOO_WEAK'
  // usernames (the server's --username; BetterAuth's username plugin; the first three as the wasm
  // core's validateUsername)
  | 'USERNAME_TOO_SHORT'
  | 'USERNAME_TOO_LONG'
  | 'INVALID_USERNAME'
  | 'INVALID_DISPLAY_USERNAME'
  | 'USERNAME_IS_ALREADY_TAKEN'
  | 'INVALID_USERNAME_OR_PASSWORD'
  // a new password seen in data breaches (--breached-passwords), or the breach list not answering
  | 'PASSWORD_COMPROMISED'
  | 'PASSWORD_CHECK_UNAVAILABLE'
  // the server's --captcha (BetterAuth's captcha plugin)
  | 'MISSING_RESPONSE'
  | 'VERIFICATION_FAILED'
  | 'UNKNOWN_ERROR'
  // accounts and sessions
  | 'USER_NOT_FOUND'
  | 'USER_ALREADY_EXISTS'
  | 'USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL'
  | 'FAILED_TO_CREATE_USER'
  | 'FAILED_TO_CREATE_SESSION'
  | 'FAILED_TO_UPDATE_USER'
  | 'FAILED_TO_GET_SESSION'
  | 'INVALID_PASSWORD'
  | 'INVALID_EMAIL_OR_PASSWORD'
  | 'INVALID_USER'
  | 'INVALID_TOKEN'
  | 'TOKEN_EXPIRED'
  | 'EMAIL_NOT_VERIFIED'
  | 'BANNED_USER'
  | 'EMAIL_CAN_NOT_BE_UPDATED'
  | 'CHANGE_EMAIL_DISABLED'
  | 'CREDENTIAL_ACCOUNT_NOT_FOUND'
  | 'SESSION_EXPIRED'
  | 'SESSION_NOT_FRESH'
  | 'VERIFICATION_EMAIL_NOT_ENABLED'
  | 'EMAIL_ALREADY_VERIFIED'
  | 'EMAIL_MISMATCH'
  | 'PASSWORD_ALREADY_SET'
  | 'EMAIL_PASSWORD_DISABLED'
  | 'EMAIL_PASSWORD_SIGN_UP_DISABLED'
  | 'RESET_PASSWORD_DISABLED'
  | 'ACCOUNT_NOT_FOUND'
  | 'FAILED_TO_UNLINK_LAST_ACCOUNT'
  | 'FAILED_TO_GET_USER_INFO'
  | 'NO_FIELDS_TO_UPDATE'
  | 'EMAIL_IS_THE_SAME'
  // the second factor (--two-factor, --two-factor-otp)
  | 'OTP_NOT_CONFIGURED'
  | 'OTP_NOT_ENABLED'
  | 'OTP_HAS_EXPIRED'
  | 'TOTP_NOT_ENABLED'
  | 'TOTP_ALREADY_ENABLED'
  | 'TWO_FACTOR_NOT_ENABLED'
  | 'BACKUP_CODES_NOT_ENABLED'
  | 'INVALID_BACKUP_CODE'
  | 'INVALID_CODE'
  | 'TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE'
  | 'ACCOUNT_TEMPORARILY_LOCKED'
  | 'INVALID_TWO_FACTOR_COOKIE'
  // e-mailed one-time codes (--email-otp; BetterAuth's emailOTP plugin): a wrong code (or none
  // awaiting), an expired one, and one that took too many wrong tries (send a new one)
  | 'INVALID_OTP'
  | 'OTP_EXPIRED'
  | 'TOO_MANY_ATTEMPTS'
  // a change of address with codes (--email-otp-change-email): a verified user's request without
  // the code mailed to the current address
  | 'OTP_REQUIRED'
  // sign-in links (--magic-link; BetterAuth's magic-link plugin): the ?error= of the link's
  // redirect, as magicLink.verify reports it (also INVALID_TOKEN and BANNED_USER): a link for a new
  // address after sign-up was closed (lower case, BetterAuth's), and a redirect a page cannot read
  | 'new_user_signup_disabled'
  | 'OPAQUE_REDIRECT'
  // passkeys (--passkey; BetterAuth's passkey plugin): the server's (a ceremony not started or
  // expired, another user's challenge, a registration or an assertion that did not verify, an
  // unknown credential or none of the user's, the user's limit: 25), and the client's, status 0 (the
  // browser's prompt closed or timed out, an authenticator that holds a passkey of this account
  // already, no WebAuthn in this browser, no passkeys in its autofill, anything else the browser
  // threw: `webauthnError`)
  | 'CHALLENGE_NOT_FOUND'
  | 'YOU_ARE_NOT_ALLOWED_TO_REGISTER_THIS_PASSKEY'
  | 'FAILED_TO_VERIFY_REGISTRATION'
  | 'AUTHENTICATION_FAILED'
  | 'PASSKEY_NOT_FOUND'
  | 'TOO_MANY_PASSKEYS'
  | 'AUTH_CANCELLED'
  | 'REGISTRATION_CANCELLED'
  | 'PREVIOUSLY_REGISTERED'
  | 'WEBAUTHN_NOT_SUPPORTED'
  | 'AUTOFILL_NOT_SUPPORTED'
  | 'WEBAUTHN_ERROR'
  // the admin plugin (--admin): a caller who is not an administrator, and the checks
  | 'YOU_ARE_NOT_ALLOWED_TO_LIST_USERS'
  | 'YOU_ARE_NOT_ALLOWED_TO_GET_USER'
  | 'YOU_ARE_NOT_ALLOWED_TO_CREATE_USERS'
  | 'YOU_ARE_NOT_ALLOWED_TO_UPDATE_USERS'
  | 'YOU_ARE_NOT_ALLOWED_TO_CHANGE_USERS_ROLE'
  | 'YOU_ARE_NOT_ALLOWED_TO_BAN_USERS'
  | 'YOU_ARE_NOT_ALLOWED_TO_LIST_USERS_SESSIONS'
  | 'YOU_ARE_NOT_ALLOWED_TO_REVOKE_USERS_SESSIONS'
  | 'YOU_ARE_NOT_ALLOWED_TO_DELETE_USERS'
  | 'YOU_ARE_NOT_ALLOWED_TO_SET_USERS_PASSWORD'
  | 'YOU_ARE_NOT_ALLOWED_TO_SET_NON_EXISTENT_VALUE'
  | 'YOU_ARE_NOT_ALLOWED_TO_IMPERSONATE_USERS'
  | 'YOU_CANNOT_IMPERSONATE_ADMINS'
  // impersonation (--admin-impersonation): stop-impersonating without one, or after the
  // administrator's own session ended (the impersonation is over too: signed out)
  | 'NOT_IMPERSONATING'
  | 'ADMIN_SESSION_NOT_FOUND'
  | 'YOU_CANNOT_BAN_YOURSELF'
  | 'YOU_CANNOT_REMOVE_YOURSELF'
  | 'INVALID_ROLE_TYPE'
  | 'NO_DATA_TO_UPDATE'
  | 'PASSWORD_CANNOT_BE_UPDATED_VIA_UPDATE_USER'
  | 'USER_ID_CANNOT_BE_UPDATED'
  // organizations (--organization; BetterAuth's organization plugin): creating, the slug
  | 'YOU_ARE_NOT_ALLOWED_TO_CREATE_A_NEW_ORGANIZATION'
  | 'YOU_HAVE_REACHED_THE_MAXIMUM_NUMBER_OF_ORGANIZATIONS'
  | 'ORGANIZATION_ALREADY_EXISTS'
  | 'ORGANIZATION_SLUG_ALREADY_TAKEN'
  | 'ORGANIZATION_NOT_FOUND'
  | 'NO_ACTIVE_ORGANIZATION'
  // ... membership and roles (the caller's, or the member's a call names)
  | 'USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION'
  | 'YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION'
  | 'YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_ORGANIZATION'
  | 'YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_ORGANIZATION'
  | 'USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION'
  | 'MEMBER_NOT_FOUND'
  | 'ROLE_NOT_FOUND'
  | 'YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER'
  | 'YOU_CANNOT_LEAVE_THE_ORGANIZATION_WITHOUT_AN_OWNER'
  | 'YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_MEMBER'
  | 'YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER'
  | 'ORGANIZATION_MEMBERSHIP_LIMIT_REACHED'
  // ... invitations
  | 'YOU_ARE_NOT_ALLOWED_TO_INVITE_USERS_TO_THIS_ORGANIZATION'
  | 'YOU_ARE_NOT_ALLOWED_TO_INVITE_USER_WITH_THIS_ROLE'
  | 'USER_IS_ALREADY_INVITED_TO_THIS_ORGANIZATION'
  | 'INVITATION_LIMIT_REACHED'
  | 'INVITATION_NOT_FOUND'
  | 'YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION'
  | 'EMAIL_VERIFICATION_REQUIRED_BEFORE_ACCEPTING_OR_REJECTING_INVITATION'
  | 'EMAIL_VERIFICATION_REQUIRED_FOR_INVITATION'
  | 'YOU_ARE_NOT_ALLOWED_TO_CANCEL_THIS_INVITATION'
  | 'YOU_ARE_NOT_ALLOWED_TO_LIST_INVITATIONS'
  | 'INVITER_IS_NO_LONGER_A_MEMBER_OF_THE_ORGANIZATION'
  // API keys (--api-key; BetterAuth's API-key plugin): the calls on the user's keys
  | 'SERVER_ONLY_PROPERTY'
  | 'UNAUTHORIZED_SESSION'
  | 'KEY_NOT_FOUND'
  | 'EXPIRES_IN_IS_TOO_SMALL'
  | 'EXPIRES_IN_IS_TOO_LARGE'
  | 'INVALID_PREFIX_LENGTH'
  | 'INVALID_NAME_LENGTH'
  | 'NAME_REQUIRED'
  | 'METADATA_DISABLED'
  | 'INVALID_METADATA_TYPE'
  | 'NO_VALUES_TO_UPDATE'
  | 'KEY_DISABLED_EXPIRATION'
  | 'API_KEY_LIMIT_REACHED'
  // ... a key presented in the x-api-key header (get-session)
  | 'INVALID_API_KEY'
  | 'KEY_DISABLED'
  | 'KEY_EXPIRED'
  | 'USAGE_EXCEEDED'
  | 'RATE_LIMITED'
  | 'INVALID_REFERENCE_ID_FROM_API_KEY'
  // origins, CSRF, limits
  | 'UNAUTHORIZED'
  | 'INVALID_ORIGIN'
  | 'MISSING_OR_NULL_ORIGIN'
  | 'CROSS_SITE_NAVIGATION_LOGIN_BLOCKED'
  | 'INVALID_CALLBACK_URL'
  | 'INVALID_REDIRECT_URL'
  | 'INVALID_ERROR_CALLBACK_URL'
  | 'INVALID_NEW_USER_CALLBACK_URL'
  | 'TOO_MANY_REQUESTS'
  | 'SERVER_BUSY'
  | 'NOT_FOUND'
  | 'INTERNAL_SERVER_ERROR'
  // the client's own: no answer (status 0), or an answer that is not JSON
  | 'NETWORK_ERROR'
  | 'BAD_RESPONSE'
  | (string & {});

/** zxcvbn-style feedback, as the server sends it with PASSWORD_TOO_WEAK. */
export interface PasswordFeedback {
  warning: string;
  warningKey: string;
  suggestions: string[];
  suggestionKeys: string[];
}

/** A failed call: the HTTP status (0 when there was no answer), the stable code and the message. */
export interface AuthFailure {
  ok: false;
  status: number;
  code: AuthErrorCode;
  message: string;
  /** With PASSWORD_TOO_WEAK: the password's score (0-4). */
  score?: number;
  /** With PASSWORD_TOO_WEAK: why, and what to do. */
  feedback?: PasswordFeedback;
  /** With TOO_MANY_REQUESTS: seconds to wait. */
  retryAfter?: number;
  /** With RATE_LIMITED (an API key's own limit, --api-key): milliseconds until it takes a request again. */
  details?: { tryAgainIn?: number; [field: string]: unknown };
  [field: string]: unknown;
}

export interface AuthSuccess<T> {
  ok: true;
  value: T;
}

export type AuthResult<T> = AuthSuccess<T> | AuthFailure;

/** Dates are ISO-8601 strings as the server sends them (BetterAuth's client turns them into Date). */
export interface User {
  id: string;
  name: string;
  email: string;
  emailVerified: boolean;
  image: string | null;
  createdAt: string;
  updatedAt: string;
  /** With the server's --two-factor: whether the user turned the second factor on. */
  twoFactorEnabled?: boolean;
  /** With the server's --admin: the roles, comma-separated ("user", "admin", "user,admin"). */
  role?: string | null;
  /** With the server's --admin: whether the user is banned (sign-in answers BANNED_USER). */
  banned?: boolean | null;
  banReason?: string | null;
  /** When the ban ends; null: never. */
  banExpires?: string | null;
  /** With the server's --username: the username, lower-cased as stored ("ada.l"); null when none. */
  username?: string | null;
  /** With the server's --username: the username as the user typed it ("Ada.L"), or as set apart; null when none. */
  displayUsername?: string | null;
  [field: string]: unknown;
}

/** A user as the admin routes return it (the server's --admin). */
export interface AdminUser extends User {
  role: string | null;
  banned: boolean | null;
  banReason: string | null;
  banExpires: string | null;
}

/** A sign-in's answer while the second factor is awaited (no session yet). */
export interface TwoFactorRedirect {
  twoFactorRedirect: true;
  /** "totp" when the user has an authenticator app, "otp" when the server mails codes (--two-factor-otp); backup codes always work. */
  twoFactorMethods: string[];
}

/**
 * A session. One made from an API key (the server's --api-key: get-session with the key in the
 * x-api-key header) has the key's id, token "" (no cookie, nothing stored), the key's expiresAt
 * (else now + the session lifetime), and createdAt and updatedAt now.
 */
export interface Session {
  id: string;
  token: string;
  userId: string;
  expiresAt: string;
  createdAt: string;
  updatedAt: string;
  ipAddress: string | null;
  userAgent: string | null;
  /** With the server's --admin: the id of the administrator signed in as this session's user (impersonate-user); null otherwise. */
  impersonatedBy?: string | null;
  /** With the server's --organization: the organization this session works in (organization.setActive), or null. */
  activeOrganizationId?: string | null;
}

/** One of the user's accounts (list-accounts): the password credential, or a provider a BetterAuth server linked. */
export interface Account {
  id: string;
  /** "credential" for e-mail and password. */
  providerId: string;
  /** The user's id at the provider (for the credential: the user's own id). */
  accountId: string;
  userId: string;
  /** OAuth scopes; empty for the credential. */
  scopes: string[];
  createdAt: string;
  updatedAt: string;
}

export interface SessionWithUser {
  session: Session;
  user: User;
}

export interface SignUpInput {
  name: string;
  email: string;
  password: string;
  image?: string;
  callbackURL?: string;
  rememberMe?: boolean;
  /**
   * The server's --username: a username (3-30 letters, digits, '_' and '.'; stored lower-cased,
   * shown as typed unless displayUsername says otherwise). USERNAME_TOO_SHORT, USERNAME_TOO_LONG,
   * INVALID_USERNAME, USERNAME_IS_ALREADY_TAKEN (400).
   */
  username?: string;
  /** The server's --username: the username as shown (default: the username as typed). INVALID_DISPLAY_USERNAME. */
  displayUsername?: string;
}

export interface SignInInput {
  email: string;
  password: string;
  callbackURL?: string;
  /** Default true; false makes a browser-session cookie and a one-day session. */
  rememberMe?: boolean;
}

/** Sign-in by username (the server's --username). */
export interface SignInUsernameInput {
  /** Any case: "ADA.L" signs in "ada.l". */
  username: string;
  password: string;
  callbackURL?: string;
  /** Default true; false makes a browser-session cookie and a one-day session. */
  rememberMe?: boolean;
}

/** What an e-mailed one-time code is for (the server's --email-otp); each kind has its own code. */
export type EmailOtpType = 'sign-in' | 'email-verification' | 'forget-password';

/** Sign-in by a code mailed to the address (the server's --email-otp). */
export interface SignInEmailOtpInput {
  email: string;
  /** The 6 digits of the mail (emailOtp.sendVerificationOtp with type 'sign-in'). */
  otp: string;
  /** For an address without an account (a new one is made, when the server's sign-up is open): its name (default ""). */
  name?: string;
  /** For an address without an account: its image. */
  image?: string;
  /** Default true; false makes a browser-session cookie and a one-day session. */
  rememberMe?: boolean;
}

/**
 * E-mailed one-time codes (the server's --email-otp; BetterAuth's emailOTP plugin, whose
 * emailOTPClient() fromBetterAuth needs): 6 digits, for one address and one purpose, valid 5
 * minutes by default (--email-otp-expires-in); a new one replaces the last. Every call that takes
 * a code answers INVALID_OTP (400) for a wrong one (or none awaiting), OTP_EXPIRED (400) for an old
 * one, and TOO_MANY_ATTEMPTS (403) once the code took too many wrong tries (3;
 * --email-otp-attempts), even for the right one: send a new code. A server without --email-otp: NOT_FOUND.
 */
export interface EmailOtpClient {
  /**
   * Mails a code: 'sign-in' to an account's address, or to a new one when sign-up is open;
   * 'email-verification' to an account's address not yet verified; 'forget-password' to an
   * account's address. The answer is the same whether or not a mail went. TOO_MANY_REQUESTS (429)
   * after 5 codes in 15 minutes for one address and type; INVALID_EMAIL.
   */
  sendVerificationOtp(input: { email: string; type: EmailOtpType }): Promise<AuthResult<{ success: true }>>;
  /** Whether the code is right, leaving it usable (a wrong one counts). USER_NOT_FOUND for an address without an account. */
  checkVerificationOtp(input: { email: string; type: EmailOtpType; otp: string }): Promise<AuthResult<{ success: true }>>;
  /**
   * Verifies the address with its 'email-verification' code (also the code the server's
   * --email-otp-verification mails at sign-up, or at a sign-in refused with EMAIL_NOT_VERIFIED,
   * instead of a link). `token`: a new session's with --auto-sign-in-after-verification (not for
   * a user with the second factor on), else null. Tells the session listeners. USER_NOT_FOUND.
   */
  verifyEmail(input: { email: string; otp: string }): Promise<AuthResult<{ status: true; token: string | null; user: User }>>;
  /** Mails a 'forget-password' code to an account's address; the same answer for any address. */
  requestPasswordReset(input: { email: string }): Promise<AuthResult<{ success: true }>>;
  /**
   * Sets the password with the address's 'forget-password' code (a user without one gets one):
   * first the sign-up's rules (PASSWORD_TOO_SHORT, PASSWORD_TOO_LONG, PASSWORD_TOO_WEAK with score
   * and feedback, PASSWORD_COMPROMISED; the code stays usable), then every session of the user ends
   * and the address counts as verified. Tells the session listeners.
   */
  resetPassword(input: { email: string; otp: string; password: string }): Promise<AuthResult<{ success: true }>>;
  /**
   * Starts a change of the signed-in user's address with codes (the server's
   * --email-otp-change-email; the plugin's changeEmail): mails a code to `newEmail`, for
   * changeEmail. An address that has an account gets none, with the same answer. A verified user
   * (under the server's --change-email-confirmation, its default) first gets a code at the CURRENT
   * address, sendVerificationOtp({email: currentAddress, type: 'email-verification'}) while signed
   * in, and passes it as `otp`: without it, 400 OTP_REQUIRED; a wrong one INVALID_OTP, OTP_EXPIRED,
   * TOO_MANY_ATTEMPTS. Also EMAIL_IS_THE_SAME, INVALID_EMAIL, TOO_MANY_REQUESTS (429), 400
   * CHANGE_EMAIL_DISABLED (the server's option off), UNAUTHORIZED (signed out).
   */
  requestEmailChange(input: { newEmail: string; otp?: string }): Promise<AuthResult<{ success: true }>>;
  /**
   * Finishes it with the code mailed to `newEmail`: the user's address is now `newEmail`, verified
   * (the same session; the old address is told). INVALID_OTP, OTP_EXPIRED, TOO_MANY_ATTEMPTS,
   * EMAIL_IS_THE_SAME, INVALID_EMAIL, 400 USER_ALREADY_EXISTS (the address got an account
   * meanwhile). Tells the session listeners.
   */
  changeEmail(input: { newEmail: string; otp: string }): Promise<AuthResult<{ success: true }>>;
}

/** A sign-in link mailed to the address (the server's --magic-link). */
export interface SignInMagicLinkInput {
  email: string;
  /** For an address without an account (one is made when the link is opened, while the server's sign-up is open): its name (default ""). */
  name?: string;
  /**
   * Where the link leads once signed in (default the server's "/"; a relative path is the
   * server's): e.g. the page to come back to. With the second factor on, the link leads there with
   * ?twoFactorRedirect=true and no session yet (the two_factor cookie is set): the page then asks
   * for the code (verifyTotp, verifyTwoFactorOtp, verifyBackupCode). Must be trusted by the server.
   */
  callbackURL?: string;
  /** Where the link leads when it made the account (default callbackURL). */
  newUserCallbackURL?: string;
  /**
   * Where a refused link leads (default callbackURL), with ?error=CODE: INVALID_TOKEN (unknown,
   * used: a link works once, or expired: 5 minutes by default, --magic-link-expires-in),
   * new_user_signup_disabled, BANNED_USER.
   */
  errorCallbackURL?: string;
}

/** Where a sign-in link's server redirect led (magicLink.verify with callbackURL). */
export interface MagicLinkRedirect {
  redirect: string;
  /** The user has the second factor on: no session yet; the two_factor cookie is set. */
  twoFactorRedirect?: true;
}

/**
 * Sign-in links (the server's --magic-link; BetterAuth's magic-link plugin, whose
 * magicLinkClient() fromBetterAuth needs). The mailed link is for the browser to open: the server
 * signs in and redirects to the callbackURL. `verify` is for a client that holds the token itself
 * (a script, a test): the server's redirects are its answer, never followed. A server without
 * --magic-link: NOT_FOUND.
 */
export interface MagicLinkClient {
  /**
   * Uses the link's token (once). Without callbackURL: the session (the cookie set), or the second
   * factor's TwoFactorRedirect (the two_factor cookie set); with it: `{redirect}`. A refused link:
   * the code of the server's redirect (INVALID_TOKEN, new_user_signup_disabled, BANNED_USER), with
   * `redirect`. In a browser page, whose fetch cannot read a redirect: OPAQUE_REDIRECT (the session
   * listeners are told; getSession says whether it signed in). Tells the session listeners.
   */
  verify(input: { token: string; callbackURL?: string }): Promise<
    AuthResult<{ token: string; user: User; session: Session } | TwoFactorRedirect | MagicLinkRedirect>
  >;
}

/** One of the user's passkeys (the server's --passkey; BetterAuth's passkey table). */
export interface Passkey {
  id: string;
  /** The name the user gave it; null when none. */
  name: string | null;
  /** The COSE public key, in standard base64. */
  publicKey: string;
  userId: string;
  /** The credential's id, base64url. */
  credentialID: string;
  /** The authenticator's signature counter (0 for those that keep none, e.g. synced passkeys). */
  counter: number;
  /** 'multiDevice': a passkey synced between devices (a password manager's, a platform's); 'singleDevice': bound to one authenticator (a security key). */
  deviceType: 'singleDevice' | 'multiDevice' | (string & {});
  /** Whether it is backed up (synced) now. */
  backedUp: boolean;
  /** How the browser can reach the authenticator, comma-separated ("internal,hybrid", "usb,nfc"); null when not said. */
  transports: string | null;
  createdAt: string | null;
  /** The authenticator's model (AAGUID); all zeros when it does not tell. */
  aaguid: string | null;
  [field: string]: unknown;
}

/** WebAuthn extensions' inputs (e.g. {credProps: true}), over the server's. */
export type PasskeyExtensions = Record<string, unknown>;

export interface SignInPasskeyOptions {
  /**
   * No prompt: the browser offers the site's passkeys in the autofill of a field whose
   * autocomplete ends in "webauthn" (e.g. `autocomplete="username webauthn"`; WebAuthn's
   * conditional mediation, no allow list), and the call waits until the user picks one there.
   * AUTOFILL_NOT_SUPPORTED at once, without a request, where the browser cannot
   * (passkeyAutofillSupported()). A later ceremony (a modal sign-in, addPasskey) cancels it:
   * AUTH_CANCELLED.
   */
  autoFill?: boolean;
  /**
   * Aborted before the browser's answer went to the server: AUTH_CANCELLED, and nothing more is
   * sent. (fromBetterAuth: the call ends at once, and BetterAuth's verification request gets the
   * signal, but BetterAuth's client cannot end the browser's request: it stays until its next
   * ceremony.)
   */
  signal?: AbortSignal;
  extensions?: PasskeyExtensions;
}

export interface AddPasskeyInput {
  /**
   * The passkey's name, to tell it apart in the list (at most 128 characters, trimmed). BetterAuth's
   * client also sends it as the account's name the authenticator shows (default: the address), and
   * so does this one.
   */
  name?: string;
  /** 'platform': this device's own authenticator (Touch ID, Windows Hello, Android); 'cross-platform': a security key or a phone. Default: the browser offers both. */
  authenticatorAttachment?: 'platform' | 'cross-platform';
  /** Kept with the challenge for the server's own use (BetterAuth's registration context). */
  context?: string;
  /** A new session too (the server's answer then has session and user; the session listeners are told). */
  createSession?: boolean;
  extensions?: PasskeyExtensions;
}

/**
 * The signed-in user's passkeys (the server's --passkey; BetterAuth's passkey plugin, whose
 * passkeyClient() from @better-auth/passkey/client fromBetterAuth needs). A server without
 * --passkey: NOT_FOUND; signed out: UNAUTHORIZED.
 */
export interface PasskeyClient {
  /**
   * Makes a passkey (the browser asks the user) and registers it: the new row. Needs a fresh
   * session (signed in within a day: else SESSION_NOT_FRESH). The prompt closed (or timed out):
   * REGISTRATION_CANCELLED; an authenticator that holds a passkey of this account already:
   * PREVIOUSLY_REGISTERED; no WebAuthn: WEBAUTHN_NOT_SUPPORTED; the server's
   * FAILED_TO_VERIFY_REGISTRATION, TOO_MANY_PASSKEYS (25 per user), CHALLENGE_NOT_FOUND (the
   * prompt stayed open over 5 minutes).
   */
  addPasskey(input?: AddPasskeyInput): Promise<AuthResult<Passkey & { session?: Session; user?: User }>>;
  /** The user's passkeys, oldest first. */
  listUserPasskeys(): Promise<AuthResult<Passkey[]>>;
  /** Deletes one: PASSKEY_NOT_FOUND (404) when it is not one of the user's. */
  deletePasskey(input: { id: string }): Promise<AuthResult<{ status: true }>>;
  /** Renames one (trimmed, not empty; the name rules: NAME_TOO_LONG, INVALID_NAME, VALIDATION_ERROR): PASSKEY_NOT_FOUND (404) when it is not one of the user's. */
  updatePasskey(input: { id: string; name: string }): Promise<AuthResult<{ passkey: Passkey }>>;
}

export interface UpdateUserInput {
  name?: string;
  image?: string | null;
  /** The server's --username: sets the username only (USERNAME_IS_ALREADY_TAKEN, USERNAME_TOO_SHORT, ...). */
  username?: string;
  /** The server's --username: sets the displayed username only. */
  displayUsername?: string;
}

export interface ChangePasswordInput {
  currentPassword: string;
  newPassword: string;
  /** Signs out every session and returns a new one. */
  revokeOtherSessions?: boolean;
}

export interface SessionEvent {
  type: 'session-changed';
  /** The API path that changed it, e.g. '/sign-out' (absent with BetterAuth's client). */
  path?: string;
  /** True when the change happened in another tab. */
  remote?: boolean;
}

export interface ListUsersQuery {
  /** Users whose `searchField` matches it (by `searchOperator`, default 'contains'). */
  searchValue?: string;
  /** Default 'email'. */
  searchField?: 'email' | 'name';
  searchOperator?: 'contains' | 'starts_with' | 'ends_with';
  /** Default 100, at most 1000. */
  limit?: number;
  offset?: number;
  /** A user field, e.g. 'createdAt', 'email', 'name'. */
  sortBy?: string;
  sortDirection?: 'asc' | 'desc';
  /**
   * Users whose field `filterField` is (`eq`, the default) or is not (`ne`) `filterValue`, e.g. role
   * eq admin; for a text field also `contains`, `starts_with`, `ends_with` (ignoring case).
   */
  filterField?: string;
  filterValue?: string | number | boolean;
  filterOperator?: 'eq' | 'ne' | 'contains' | 'starts_with' | 'ends_with';
}

export interface CreateUserInput {
  email: string;
  password: string;
  name: string;
  /** Default 'user'. */
  role?: 'admin' | 'user' | string | string[];
  data?: { emailVerified?: boolean; image?: string | null; [field: string]: unknown };
}

export interface BanUserInput {
  userId: string;
  /** Shown to administrators (list-users), never to the user. */
  banReason?: string;
  /** Seconds until the ban ends by itself; none: it lasts until unbanned. */
  banExpiresIn?: number;
}

/**
 * The server's --admin (BetterAuth's admin plugin), for an administrator: a user whose role
 * includes "admin" (`portcullis user set-role`, or the server's --admin-user-ids). Anyone else gets
 * 403 with a YOU_ARE_NOT_ALLOWED_TO_... code, a visitor 401 UNAUTHORIZED; a server without --admin 404.
 */
export interface AdminClient {
  listUsers(query?: ListUsersQuery): Promise<AuthResult<{ users: AdminUser[]; total: number; limit: number; offset: number }>>;
  getUser(id: string): Promise<AuthResult<AdminUser>>;
  /** A weak password: PASSWORD_TOO_WEAK (with score and feedback), as at sign-up; a taken address: USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL. */
  createUser(input: CreateUserInput): Promise<AuthResult<{ user: AdminUser }>>;
  updateUser(userId: string, data: { name?: string; image?: string | null; email?: string; emailVerified?: boolean; role?: string | string[] }): Promise<AuthResult<AdminUser>>;
  setRole(userId: string, role: 'admin' | 'user' | string | string[]): Promise<AuthResult<{ user: AdminUser }>>;
  /** Bans the user and ends their sessions; their sign-in then answers 403 BANNED_USER. Yourself: YOU_CANNOT_BAN_YOURSELF. */
  banUser(input: BanUserInput): Promise<AuthResult<{ user: AdminUser }>>;
  unbanUser(userId: string): Promise<AuthResult<{ user: AdminUser }>>;
  listUserSessions(userId: string): Promise<AuthResult<{ sessions: Session[] }>>;
  revokeUserSession(sessionToken: string): Promise<AuthResult<{ success: boolean }>>;
  /** Signs the user out everywhere. */
  revokeUserSessions(userId: string): Promise<AuthResult<{ success: boolean }>>;
  /** Deletes the user (sessions and accounts too). Yourself: YOU_CANNOT_REMOVE_YOURSELF. */
  removeUser(userId: string): Promise<AuthResult<{ success: boolean }>>;
  /** Sets the user's password (the strength rules apply: PASSWORD_TOO_WEAK) and ends their sessions. */
  setUserPassword(input: { userId: string; newPassword: string }): Promise<AuthResult<{ status: boolean }>>;
  /** Whether the caller has these permissions, e.g. {user: ['ban']}. */
  hasPermission(permissions: { user?: string[]; session?: string[]; [resource: string]: string[] | undefined }): Promise<AuthResult<{ error: string | null; success: boolean }>>;
  /**
   * Signs this browser in as the user (the server's --admin-impersonation), to see what they see:
   * the session becomes the user's (`session.impersonatedBy`: the administrator's id) for an hour
   * at most (--admin-impersonation-duration), and the administrator's own session waits in the
   * admin_session cookie until stopImpersonating. Not yourself, another administrator
   * (403 YOU_CANNOT_IMPERSONATE_ADMINS) nor a banned user (403 BANNED_USER); an unknown id: 404
   * USER_NOT_FOUND; a server without the flag: 404 NOT_FOUND. Tells the session listeners.
   */
  impersonateUser(userId: string): Promise<AuthResult<{ session: Session; user: User }>>;
  /**
   * Back to the administrator's own session; tells the session listeners. 400 NOT_IMPERSONATING
   * when the session is not an impersonation; 401 ADMIN_SESSION_NOT_FOUND when the administrator's
   * session has ended meanwhile: the impersonation ends anyway and the browser is signed out (the
   * listeners are told too).
   */
  stopImpersonating(): Promise<AuthResult<{ session: Session; user: User }>>;
}

/** An organization's roles (the server's --organization): the plugin's default ones. A member may have several ("admin,member"). */
export type OrganizationRole = 'owner' | 'admin' | 'member' | (string & {});

/** An organization's fields but its metadata (the server's --organization; BetterAuth's organization table). */
export interface OrganizationFields {
  id: string;
  name: string;
  /** Unique (exactly: "Acme" and "acme" are two). */
  slug: string;
  logo: string | null;
  createdAt: string;
}

/** An organization, as every call but create and update answers it. */
export interface Organization extends OrganizationFields {
  /** The metadata object as JSON text, or null. */
  metadata: string | null;
  [field: string]: unknown;
}

/** An organization as create and update answer it: the metadata as the object (absent when none). */
export interface UpdatedOrganization extends OrganizationFields {
  metadata?: Record<string, unknown>;
  [field: string]: unknown;
}

/** create's answer: the organization, and its one member (the caller, owner). */
export type CreatedOrganization = UpdatedOrganization & { members: Member[] };

/** A membership: a user's roles in an organization. */
export interface Member {
  id: string;
  organizationId: string;
  userId: string;
  /** The roles, comma-separated ("owner", "admin,member"). */
  role: string;
  createdAt: string;
}

/** A membership with the plugin's short form of its user. */
export interface MemberWithUser extends Member {
  user: { id: string; name: string; email: string; image: string | null };
}

/** getFullOrganization's answer. */
export interface FullOrganization extends Organization {
  /** Up to membersLimit (default the server's membership limit: 100). */
  members: MemberWithUser[];
  /** Every status; [] for a caller who may not invite (a member); those for an owner only to an owner. */
  invitations: Invitation[];
}

/** An invitation to an organization, by e-mail address. */
export interface Invitation {
  id: string;
  organizationId: string;
  /** Lower-cased. */
  email: string;
  /** The roles the member will have, comma-separated. */
  role: string | null;
  /** No "expired": a pending one past expiresAt cannot be accepted. */
  status: 'pending' | 'accepted' | 'rejected' | 'canceled';
  expiresAt: string;
  createdAt: string;
  /** The user who invited. */
  inviterId: string;
}

/** What a user may do in an organization, asked or checked: resource -> actions, e.g. {member: ['delete']}. */
export interface OrganizationPermissions {
  organization?: Array<'update' | 'delete'>;
  member?: Array<'create' | 'update' | 'delete'>;
  invitation?: Array<'create' | 'cancel'>;
  team?: Array<'create' | 'update' | 'delete'>;
  ac?: Array<'create' | 'read' | 'update' | 'delete'>;
  [resource: string]: string[] | undefined;
}

export interface CreateOrganizationInput {
  name: string;
  slug: string;
  logo?: string | null;
  metadata?: Record<string, unknown>;
  /** Leave the session's active organization as it is (the new one is not made active; the session listeners are not told). */
  keepCurrentActiveOrganization?: boolean;
}

export interface InviteMemberInput {
  email: string;
  /** The roles to give; owner only by an owner. */
  role: OrganizationRole | OrganizationRole[];
  /** Default: the active organization. */
  organizationId?: string;
  /** With an invitation pending for the address: a new expiry (and mail) for it instead of USER_IS_ALREADY_INVITED_TO_THIS_ORGANIZATION; its roles stay. */
  resend?: boolean;
}

/** Which organization a call is about: the slug's, else the id's, else the session's active one. */
export interface OrganizationRef {
  organizationId?: string;
  organizationSlug?: string;
}

export interface ListMembersQuery extends OrganizationRef {
  /** Default the server's membership limit (100). */
  limit?: number;
  offset?: number;
  /** Sorting and filtering: a BetterAuth server's (Portcullis answers VALIDATION_ERROR). */
  sortBy?: string;
  sortDirection?: 'asc' | 'desc';
  filterField?: string;
  filterValue?: string | number | boolean;
  filterOperator?: 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte' | 'in' | 'not_in' | 'contains' | 'starts_with' | 'ends_with';
}

/**
 * Organizations (the server's --organization; BetterAuth's organization plugin without teams, whose
 * organizationClient() fromBetterAuth needs): a signed-in user creates one and is its owner; owners
 * and admins invite others by e-mail, who accept while signed in with that address (verified, on a
 * Portcullis server by default) and become members with the invitation's roles. Roles: owner
 * (everything), admin (all but deleting the organization and making or touching owners), member
 * (sees the organization and its members). An organization always keeps an owner. A session may
 * have an active organization (session.activeOrganizationId), which the calls use when they name
 * none. Signed out: UNAUTHORIZED (401); a server without --organization: NOT_FOUND. The calls that
 * change the active organization tell the session listeners: create (unless
 * keepCurrentActiveOrganization), setActive, delete, leave, removeMember, acceptInvitation.
 */
export interface OrganizationClient {
  /**
   * Creates an organization with the caller as owner; it becomes the session's active one unless
   * keepCurrentActiveOrganization. ORGANIZATION_ALREADY_EXISTS (400: the slug is taken),
   * YOU_ARE_NOT_ALLOWED_TO_CREATE_A_NEW_ORGANIZATION, YOU_HAVE_REACHED_THE_MAXIMUM_NUMBER_OF_ORGANIZATIONS
   * (403), VALIDATION_ERROR (an empty name or slug).
   */
  create(input: CreateOrganizationInput): Promise<AuthResult<CreatedOrganization>>;
  /**
   * Changes the fields given (logo null clears it) of the organization (default the active one):
   * owners and admins. ORGANIZATION_NOT_FOUND (none named nor active),
   * USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION, YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_ORGANIZATION (403),
   * ORGANIZATION_SLUG_ALREADY_TAKEN (400).
   */
  update(input: {
    data: { name?: string; slug?: string; logo?: string | null; metadata?: Record<string, unknown> };
    organizationId?: string;
  }): Promise<AuthResult<UpdatedOrganization>>;
  /**
   * Deletes the organization (named: never the active one by default) with its memberships and
   * invitations: owners only (YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_ORGANIZATION, 403);
   * USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION (also for an unknown id). No session has it active then.
   */
  delete(input: { organizationId: string }): Promise<AuthResult<Organization>>;
  /**
   * Makes the organization this session's active one (organizationId null: none); nothing named:
   * the active one, checked again. Null when none is active after. A caller who is not a member:
   * USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION (403), and the session has none active then;
   * ORGANIZATION_NOT_FOUND (no such slug).
   */
  setActive(input?: { organizationId?: string | null; organizationSlug?: string }): Promise<AuthResult<Organization | null>>;
  /** The organizations the user is a member of. */
  list(): Promise<AuthResult<Organization[]>>;
  /**
   * The organization (the slug's, else the id's, else the active one); null when none is named nor
   * active. ORGANIZATION_NOT_FOUND; USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION (403: the session then
   * has none active).
   */
  getOrganization(query?: OrganizationRef): Promise<AuthResult<Organization | null>>;
  /** getOrganization's, with its members and (for a caller who may invite) its invitations. */
  getFullOrganization(query?: OrganizationRef & { membersLimit?: number }): Promise<AuthResult<FullOrganization | null>>;
  /** Whether no organization has the slug: ORGANIZATION_SLUG_ALREADY_TAKEN (400) otherwise. */
  checkSlug(input: { slug: string }): Promise<AuthResult<{ status: true }>>;
  /**
   * Invites an address (owners and admins), mailed with a link to the server's invitation page
   * (--organization-invitation-url). MEMBER_NOT_FOUND (the caller is not a member),
   * YOU_ARE_NOT_ALLOWED_TO_INVITE_USERS_TO_THIS_ORGANIZATION, YOU_ARE_NOT_ALLOWED_TO_INVITE_USER_WITH_THIS_ROLE
   * (403), ROLE_NOT_FOUND, INVALID_EMAIL, USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION,
   * USER_IS_ALREADY_INVITED_TO_THIS_ORGANIZATION, INVITATION_LIMIT_REACHED (403), ORGANIZATION_NOT_FOUND.
   */
  inviteMember(input: InviteMemberInput): Promise<AuthResult<Invitation>>;
  /**
   * Accepts an invitation to the signed-in user's address: a member with its roles, and the
   * organization active in this session. INVITATION_NOT_FOUND (none pending, or expired),
   * YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION, EMAIL_VERIFICATION_REQUIRED_BEFORE_ACCEPTING_OR_REJECTING_INVITATION
   * (403: an unverified address; Portcullis's --organization-require-email-verification, on by
   * default), USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION, ORGANIZATION_MEMBERSHIP_LIMIT_REACHED (403).
   */
  acceptInvitation(input: { invitationId: string }): Promise<AuthResult<{ invitation: Invitation; member: Member }>>;
  /** Declines it (an expired one too); acceptInvitation's errors. */
  rejectInvitation(input: { invitationId: string }): Promise<AuthResult<{ invitation: Invitation; member: null }>>;
  /**
   * Cancels an invitation (owners and admins; one already answered is returned as it stands).
   * INVITATION_NOT_FOUND, MEMBER_NOT_FOUND, YOU_ARE_NOT_ALLOWED_TO_CANCEL_THIS_INVITATION (403).
   */
  cancelInvitation(input: { invitationId: string }): Promise<AuthResult<Invitation>>;
  /**
   * A pending invitation to the signed-in user's address, for its page. INVITATION_NOT_FOUND,
   * YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION, EMAIL_VERIFICATION_REQUIRED_FOR_INVITATION (403),
   * INVITER_IS_NO_LONGER_A_MEMBER_OF_THE_ORGANIZATION.
   */
  getInvitation(query: { id: string }): Promise<AuthResult<Invitation & { organizationName: string; organizationSlug: string; inviterEmail: string }>>;
  /**
   * The organization's invitations (default the active one), every status: owners and admins
   * (those for an owner only to an owner). YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION,
   * YOU_ARE_NOT_ALLOWED_TO_LIST_INVITATIONS (403).
   */
  listInvitations(query?: { organizationId?: string }): Promise<AuthResult<Invitation[]>>;
  /** The pending invitations to the signed-in user's address; EMAIL_VERIFICATION_REQUIRED_FOR_INVITATION (403) while it is unverified. */
  listUserInvitations(): Promise<AuthResult<Array<Invitation & { organizationName: string }>>>;
  /**
   * Removes a member, by member id or by its user's address (`member` then has its user): owners
   * remove anyone but the last owner, admins anyone but owners. MEMBER_NOT_FOUND,
   * YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_MEMBER (403: a member, even themselves: leave),
   * YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER (an owner, by a non-owner, or the last),
   * NO_ACTIVE_ORGANIZATION.
   */
  removeMember(input: { memberIdOrEmail: string; organizationId?: string }): Promise<AuthResult<{ member: Member | MemberWithUser }>>;
  /**
   * Sets a member's roles (owners and admins; only an owner makes or touches owners).
   * YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER (403), YOU_CANNOT_LEAVE_THE_ORGANIZATION_WITHOUT_AN_OWNER,
   * ROLE_NOT_FOUND, MEMBER_NOT_FOUND, NO_ACTIVE_ORGANIZATION.
   */
  updateMemberRole(input: { memberId: string; role: OrganizationRole | OrganizationRole[]; organizationId?: string }): Promise<AuthResult<Member>>;
  /** The caller's membership of the active organization; NO_ACTIVE_ORGANIZATION, MEMBER_NOT_FOUND. */
  getActiveMember(): Promise<AuthResult<MemberWithUser>>;
  /** The caller's (or userId's) roles as stored, e.g. "admin,member"; YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION (403), NO_ACTIVE_ORGANIZATION. */
  getActiveMemberRole(query?: OrganizationRef & { userId?: string }): Promise<AuthResult<{ role: string }>>;
  /** Leaves the organization (named: never the active one by default); MEMBER_NOT_FOUND, YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER. */
  leave(input: { organizationId: string }): Promise<AuthResult<MemberWithUser>>;
  /** The members (each with its user) and their count; any member may. YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION (403), NO_ACTIVE_ORGANIZATION. */
  listMembers(query?: ListMembersQuery): Promise<AuthResult<{ members: MemberWithUser[]; total: number }>>;
  /**
   * Whether one of the caller's roles in the organization (default the active one) grants every
   * permission asked. USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION (403), NO_ACTIVE_ORGANIZATION.
   */
  hasPermission(input: { permissions: OrganizationPermissions; organizationId?: string }): Promise<AuthResult<{ error: null; success: boolean }>>;
  /**
   * Whether one of the roles (comma-separated, or a list) grants every permission asked, by the
   * plugin's default roles: at once, without a request (fromBetterAuth: its organizationClient()'s,
   * whose roles option counts). False for no known role, an empty request, a resource with no
   * action asked.
   */
  checkRolePermission(input: { role: OrganizationRole | OrganizationRole[]; permissions: OrganizationPermissions }): boolean;
}

/**
 * One of the user's API keys (the server's --api-key; BetterAuth's apikey table), as get, update
 * and list answer it: never the key itself, which only create's answer holds. Dates are ISO-8601
 * strings (BetterAuth's client: Date).
 */
export interface ApiKey {
  id: string;
  /** "default" (Portcullis has one configuration). */
  configId: string;
  /** null when created without one. */
  name: string | null;
  /** The key's first characters (6, its prefix included): to tell keys apart, e.g. "pk_abc…". */
  start: string | null;
  /** The owner: the user's id. */
  referenceId: string;
  prefix: string | null;
  /** Milliseconds between refills of `remaining` (set by the server only). */
  refillInterval: number | null;
  refillAmount: number | null;
  lastRefillAt: string | null;
  /** A disabled key is refused (KEY_DISABLED) until enabled again. */
  enabled: boolean;
  /** Each key's own rate limit: at most rateLimitMax requests, the window sliding with the last one (ms). */
  rateLimitEnabled: boolean;
  rateLimitTimeWindow: number | null;
  rateLimitMax: number | null;
  /** Requests counted in the current window. */
  requestCount: number;
  /** Uses left (null: unlimited). */
  remaining: number | null;
  /** The last request made with the key (null: never used). */
  lastRequest: string | null;
  /** null: it does not expire. */
  expiresAt: string | null;
  createdAt: string;
  updatedAt: string;
  permissions: Record<string, string[]> | null;
  metadata: Record<string, unknown> | null;
  [field: string]: unknown;
}

/** create's answer: the key's fields, and the key itself (shown this once: only its hash is kept). */
export type CreatedApiKey = ApiKey & { key: string };

export interface CreateApiKeyInput {
  /** 1-32 characters (UTF-16 units, as JavaScript counts them); required with the server's --api-key-require-name (NAME_REQUIRED). */
  name?: string;
  /** Put before the random part (e.g. "acme_"): 1-32 of a-z, A-Z, 0-9, "_" and "-". Default: the server's --api-key-default-prefix, if any. */
  prefix?: string;
  /** Seconds until it expires, from 1 day to 365 days; null or none: the server's default (--api-key-default-expires-in; none: never). */
  expiresIn?: number | null;
  /** Any JSON object (at most 4 KiB), with the server's --api-key-metadata (else METADATA_DISABLED). */
  metadata?: Record<string, unknown>;
  /** Only "default" on Portcullis. */
  configId?: string;
}

export interface UpdateApiKeyInput {
  keyId: string;
  name?: string;
  /** false: the key is refused (KEY_DISABLED) until true again. */
  enabled?: boolean;
  /** Seconds from now until it expires (1 to 365 days); null: never. */
  expiresIn?: number | null;
  metadata?: Record<string, unknown> | null;
  configId?: string;
  /** The caller's own id, if given (else UNAUTHORIZED_SESSION). */
  userId?: string;
}

export interface ListApiKeysQuery {
  limit?: number;
  offset?: number;
  /** createdAt (the default, oldest first), updatedAt, name, expiresAt, lastRequest, enabled, remaining or requestCount; another: VALIDATION_ERROR. */
  sortBy?: 'createdAt' | 'updatedAt' | 'name' | 'expiresAt' | 'lastRequest' | 'enabled' | 'remaining' | 'requestCount' | (string & {});
  /** Default 'asc'. */
  sortDirection?: 'asc' | 'desc';
}

/**
 * The signed-in user's API keys (the server's --api-key; BetterAuth's API-key plugin, whose
 * apiKeyClient() from @better-auth/api-key/client fromBetterAuth needs for its types): a key lets a
 * program call a backend as the user, which asks the server who it is (get-session with the key
 * in the x-api-key header: ClientOptions.headers). A key is shown once, at its creation. Signed
 * out: UNAUTHORIZED (401; create and update: UNAUTHORIZED_SESSION); a server without --api-key:
 * NOT_FOUND. No call changes the session (no listener is told).
 */
export interface ApiKeyClient {
  /**
   * Creates a key: its fields, and `key`, the key itself, which no other answer holds.
   * INVALID_NAME_LENGTH, NAME_REQUIRED, INVALID_PREFIX_LENGTH, EXPIRES_IN_IS_TOO_SMALL,
   * EXPIRES_IN_IS_TOO_LARGE, KEY_DISABLED_EXPIRATION (--api-key-disable-custom-expiry),
   * METADATA_DISABLED, INVALID_METADATA_TYPE, API_KEY_LIMIT_REACHED (403: --api-key-limit, 100 by
   * default), VALIDATION_ERROR (a prefix's characters, invalid text).
   */
  create(input?: CreateApiKeyInput): Promise<AuthResult<CreatedApiKey>>;
  /** One of the user's keys; KEY_NOT_FOUND (404) for none of theirs. */
  get(input: { query: { id: string } }): Promise<AuthResult<ApiKey>>;
  /**
   * Changes the fields given (the key itself stays). KEY_NOT_FOUND (404), NO_VALUES_TO_UPDATE,
   * INVALID_NAME_LENGTH, EXPIRES_IN_IS_TOO_SMALL, EXPIRES_IN_IS_TOO_LARGE, KEY_DISABLED_EXPIRATION.
   */
  update(input: UpdateApiKeyInput): Promise<AuthResult<ApiKey>>;
  /** Deletes a key: it works no more. KEY_NOT_FOUND (404). */
  delete(input: { keyId: string }): Promise<AuthResult<{ success: true }>>;
  /** The user's keys (oldest first by default) and their count; `limit` and `offset` come back as given. */
  list(input?: { query?: ListApiKeysQuery }): Promise<AuthResult<{ apiKeys: ApiKey[]; total: number; limit?: number; offset?: number }>>;
}

export interface ClientOptions {
  /** The server's origin ('/api/auth' is appended) or full API URL. Default: this page's origin. */
  baseURL?: string;
  /** Default '/api/auth'. */
  basePath?: string;
  /** Default: the global fetch. Outside browsers, pass one that keeps cookies and sends Origin. */
  fetch?: typeof fetch;
  /**
   * Headers added to every request (e.g. Authorization: Bearer ...). A program with an API key
   * (the server's --api-key) sends it as {'x-api-key': key}: getSession() then answers the key's
   * user, and a session whose id is the key's.
   */
  headers?: Record<string, string>;
  /** Default 'include': cookies go to the server even when it is on another origin. */
  credentials?: RequestCredentials;
  /**
   * The server's --captcha: called before each POST with its path (e.g. '/sign-up/email'); a token
   * it returns (or resolves to) is sent in the x-captcha-response header, e.g. from Cloudflare
   * Turnstile's widget. Without one, a protected route answers MISSING_RESPONSE.
   */
  captcha?: (path: string) => string | undefined | Promise<string | undefined>;
  /** The server's cookie prefix (--cookie-prefix), for the last sign-in's method's cookie. Default 'better-auth'. */
  cookiePrefix?: string;
}

/** How this browser signed in last (the server's --last-login-method). */
export type LoginMethod = 'email' | 'email-otp' | 'magic-link' | 'passkey' | (string & {});

export interface AuthClient {
  /** The API URL every call goes to. Undefined for a wrapped BetterAuth client. */
  readonly baseURL: string | undefined;
  signUp(input: SignUpInput): Promise<AuthResult<{ token: string | null; user: User }>>;
  /** Signs in; with the second factor on, answers a TwoFactorRedirect and verifyTotp, verifyTwoFactorOtp or verifyBackupCode finishes. */
  signIn(input: SignInInput): Promise<AuthResult<{ redirect: boolean; token: string; url?: string; user: User } | TwoFactorRedirect>>;
  /**
   * Signs in by username (the server's --username; BetterAuth's usernameClient() through
   * fromBetterAuth): the same answers as signIn (the second factor, BANNED_USER,
   * EMAIL_NOT_VERIFIED, ...), 401 INVALID_USERNAME_OR_PASSWORD, 422 (INVALID_USERNAME,
   * USERNAME_TOO_SHORT, USERNAME_TOO_LONG) for a username the rules refuse; NOT_FOUND without --username.
   */
  signInUsername(input: SignInUsernameInput): Promise<AuthResult<{ redirect: boolean; token: string; url?: string; user: User } | TwoFactorRedirect>>;
  /**
   * Whether nobody has the username, in any case (the server's --username): `{available}`; 422 for
   * a username the rules refuse; rate-limited (10 per 10 s per address: TOO_MANY_REQUESTS);
   * NOT_FOUND without --username.
   */
  isUsernameAvailable(username: string): Promise<AuthResult<{ available: boolean }>>;
  /**
   * Signs in with a code mailed by emailOtp.sendVerificationOtp({email, type: 'sign-in'}) (the
   * server's --email-otp; BetterAuth's emailOTPClient()'s signIn.emailOtp through fromBetterAuth).
   * An address without an account gets one when the server's sign-up is open (its address
   * verified, no password), else INVALID_OTP. An unverified account's address becomes verified, and
   * its password and sessions are removed first (whoever set them had not proven the mailbox).
   * With the second factor on: a TwoFactorRedirect, as signIn. INVALID_OTP, OTP_EXPIRED,
   * TOO_MANY_ATTEMPTS (send a new code), BANNED_USER (403); NOT_FOUND without --email-otp.
   */
  signInEmailOtp(input: SignInEmailOtpInput): Promise<AuthResult<{ token: string; user: User } | TwoFactorRedirect>>;
  /**
   * Has the server mail a sign-in link (the server's --magic-link; BetterAuth's magicLinkClient()'s
   * signIn.magicLink through fromBetterAuth): `{status: true}` whether or not a mail went (to an
   * account's address, or to a new one while the server's sign-up is open). The link works once,
   * for 5 minutes (--magic-link-expires-in); opened, it signs in (an unverified account's address
   * becomes verified, its password and sessions removed first) and leads to `callbackURL`.
   * INVALID_CALLBACK_URL, INVALID_NEW_USER_CALLBACK_URL, INVALID_ERROR_CALLBACK_URL (403) for an
   * untrusted URL; VALIDATION_ERROR for a bad address; TOO_MANY_REQUESTS after 5 links in 15
   * minutes for one address; NOT_FOUND without --magic-link.
   */
  signInMagicLink(input: SignInMagicLinkInput): Promise<AuthResult<{ status: true }>>;
  /**
   * Signs in with a passkey (the server's --passkey; BetterAuth's passkeyClient()'s
   * signIn.passkey through fromBetterAuth): the browser asks the user to choose one (any of this
   * site's: no address is typed). The session, or the second factor's TwoFactorRedirect for a user
   * with it on whose authenticator did not verify them (no PIN or biometric: the passkey then counts
   * as one factor). The prompt closed (or timed out, or no passkey of this site): AUTH_CANCELLED; no
   * WebAuthn: WEBAUTHN_NOT_SUPPORTED; the server's AUTHENTICATION_FAILED, PASSKEY_NOT_FOUND (401:
   * e.g. a passkey deleted from the account but kept by the device), BANNED_USER,
   * EMAIL_NOT_VERIFIED (403); NOT_FOUND without --passkey. Tells the session listeners. With
   * `autoFill`, the passkey is picked in a field's autofill instead of a prompt (see
   * SignInPasskeyOptions). One ceremony at a time: a new one cancels one still waiting.
   */
  signInPasskey(opts?: SignInPasskeyOptions): Promise<AuthResult<SessionWithUser | TwoFactorRedirect>>;
  signOut(): Promise<AuthResult<{ success: true }>>;
  /** The current session, or `value: null` when signed out. */
  getSession(query?: { disableCookieCache?: boolean; disableRefresh?: boolean }): Promise<AuthResult<SessionWithUser | null>>;
  /** Needs a fresh session (signed in within a day): else SESSION_NOT_FRESH. */
  listSessions(): Promise<AuthResult<Session[]>>;
  revokeSession(token: string): Promise<AuthResult<{ status: true }>>;
  revokeSessions(): Promise<AuthResult<{ status: true }>>;
  revokeOtherSessions(): Promise<AuthResult<{ status: true }>>;
  /** Each field sets only itself; username and displayUsername need the server's --username (else VALIDATION_ERROR). */
  updateUser(input: UpdateUserInput): Promise<AuthResult<{ status: true }>>;
  listAccounts(): Promise<AuthResult<Account[]>>;
  /** Removes one of the user's accounts (its `id` from listAccounts); never the last one (FAILED_TO_UNLINK_LAST_ACCOUNT). Needs a fresh session. */
  unlinkAccount(accountId: string): Promise<AuthResult<{ status: true }>>;
  /** Checks the signed-in user's password (e.g. before a sensitive step): else INVALID_PASSWORD. Wrong passwords count towards the account's sign-in throttle. */
  verifyPassword(password: string): Promise<AuthResult<{ status: true }>>;
  changePassword(input: ChangePasswordInput): Promise<AuthResult<{ token: string | null; user: User }>>;
  requestPasswordReset(input: { email: string; redirectTo?: string }): Promise<AuthResult<{ status: true; message: string }>>;
  resetPassword(input: { token: string; newPassword: string }): Promise<AuthResult<{ status: true }>>;
  /** Starts a change of the signed-in user's address (the server's --change-email-enabled): mails a link. */
  changeEmail(input: { newEmail: string; callbackURL?: string }): Promise<AuthResult<{ status: true }>>;
  /** Mails the address's verification link again. */
  sendVerificationEmail(input: { email: string; callbackURL?: string }): Promise<AuthResult<{ status: true }>>;
  /** Deletes the signed-in user (`password`: the current one), or mails a link that does (message "Verification email sent"). */
  deleteUser(input?: { password?: string; token?: string; callbackURL?: string }): Promise<AuthResult<{ success: true; message: string }>>;
  /** Starts setting up an authenticator app (the server's --two-factor); verifyTotp with its first code turns it on. */
  enableTwoFactor(input: { password: string; issuer?: string; method?: 'totp' }): Promise<AuthResult<{ method: 'totp'; totpURI: string; backupCodes: string[] }>>;
  /** With method 'otp' (the server's --two-factor-otp): on at once, with codes sent by e-mail (a new session cookie). Needs a verified address (else EMAIL_NOT_VERIFIED); OTP_NOT_CONFIGURED without --two-factor-otp. */
  enableTwoFactor(input: { password: string; method: 'otp' }): Promise<AuthResult<{ method: 'otp' }>>;
  /** An authenticator app's code: the second step of a sign-in, or the first code of a new app. */
  verifyTotp(input: { code: string; trustDevice?: boolean }): Promise<AuthResult<{ token: string; user: User }>>;
  /** Mails a 6-digit code (the server's --two-factor-otp), valid 3 minutes and once; a new one replaces the last. During a sign-in, or signed in. */
  sendTwoFactorOtp(input?: { trustDevice?: boolean }): Promise<AuthResult<{ status: true }>>;
  /** The mailed code: as verifyTotp. INVALID_CODE (try again), OTP_HAS_EXPIRED (send a new one), TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE (the sign-in is over). */
  verifyTwoFactorOtp(input: { code: string; trustDevice?: boolean }): Promise<AuthResult<{ token: string; user: User }>>;
  /** A backup code instead (each works once). */
  verifyBackupCode(input: { code: string; trustDevice?: boolean }): Promise<AuthResult<{ token: string; user: User }>>;
  /** The authenticator app's key again, as an otpauth:// URI. */
  getTotpUri(input: { password: string }): Promise<AuthResult<{ totpURI: string }>>;
  /** Ten new backup codes; the old ones stop working. */
  generateBackupCodes(input: { password: string }): Promise<AuthResult<{ status: true; backupCodes: string[] }>>;
  /** Turns the second factor off. */
  disableTwoFactor(input: { password: string }): Promise<AuthResult<{ status: true }>>;
  /** What the signed-in user's sign-ins ask for: 'totp' (an authenticator app, with backup codes), 'otp' (codes by e-mail); [] while off. Portcullis's own route: a BetterAuth server answers 404 (NOT_FOUND). */
  getTwoFactorMethods(): Promise<AuthResult<{ methods: Array<'totp' | 'otp'> }>>;
  /** A JSON Web Token of the signed-in user (the server's --jwt, BetterAuth's jwt plugin): EdDSA, the user's fields as claims, `sub` its id; valid 15 minutes (--jwt-expires-in). Another service verifies it with the keys at `/jwks`. NOT_FOUND without --jwt; UNAUTHORIZED signed out. */
  getToken(): Promise<AuthResult<{ token: string }>>;
  /** E-mailed one-time codes (the server's --email-otp). (fromBetterAuth: BetterAuth's emailOTPClient() methods.) */
  readonly emailOtp: EmailOtpClient;
  /** Sign-in links (the server's --magic-link). (fromBetterAuth: BetterAuth's magicLinkClient()'s magicLink.verify.) */
  readonly magicLink: MagicLinkClient;
  /** The signed-in user's passkeys (the server's --passkey). (fromBetterAuth: BetterAuth's passkeyClient() methods; undefined for a client without `passkey`.) */
  readonly passkey: PasskeyClient;
  /** The server's --admin: the administrators' calls. (fromBetterAuth: BetterAuth's adminClient() methods; undefined for a client without `admin`.) */
  readonly admin: AdminClient;
  /** The server's --organization: organizations, members, invitations. (fromBetterAuth: BetterAuth's organizationClient() methods.) */
  readonly organization: OrganizationClient;
  /** The server's --api-key: the signed-in user's API keys. (fromBetterAuth: BetterAuth's apiKeyClient() methods.) */
  readonly apiKey: ApiKeyClient;
  /**
   * The method of this browser's last sign-in (the server's --last-login-method; BetterAuth's
   * lastLoginMethodClient()): the `<cookiePrefix>.last_used_login_method` cookie, read from
   * document.cookie ('email': a password, 'email-otp', 'magic-link', 'passkey'), or null: none, or
   * no document (server-side rendering, Node). A page only sees the cookie on the server's host.
   */
  getLastUsedLoginMethod(): LoginMethod | null;
  /** Whether `method` is getLastUsedLoginMethod()'s. */
  isLastUsedLoginMethod(method: LoginMethod): boolean;
  /** Forgets the last sign-in's method (the cookie expires); nothing without a document. */
  clearLastUsedLoginMethod(): void;
  /** Calls `listener` after each call that may change the session, here and in other tabs. Returns the unsubscribe function. */
  subscribe(listener: (event: SessionEvent) => void): () => void;
}

export function createClient(options?: ClientOptions): AuthClient;

/**
 * Adapts BetterAuth's own client (`createAuthClient`) to the AuthClient interface the React
 * components use. `cookiePrefix`: for the last sign-in's method, when the client has no
 * lastLoginMethodClient() (whose actions, and cookieName, are used when it has).
 */
export function fromBetterAuth(authClient: unknown, options?: { cookiePrefix?: string }): AuthClient & { readonly betterAuth: unknown };

/** BetterAuth's rule: an origin gets basePath appended; a URL with a path is used as it is. */
export function resolveBaseURL(baseURL?: string, basePath?: string): string;

/** Whether this browser can use passkeys (WebAuthn); false during server-side rendering. */
export function passkeySupported(): boolean;

/**
 * Whether this browser offers passkeys in a field's autofill (WebAuthn's conditional mediation,
 * for signInPasskey({autoFill: true})): passkeySupported() and
 * PublicKeyCredential.isConditionalMediationAvailable() resolving true. False during server-side
 * rendering; never rejects.
 */
export function passkeyAutofillSupported(): Promise<boolean>;

/** base64url (padded or not; standard base64 too) to bytes. Throws on anything else. */
export function base64URLToBuffer(value: string): ArrayBuffer;

/** Bytes to base64url without padding. */
export function bufferToBase64URL(buffer: ArrayBuffer | ArrayBufferView): string;

/** The JSON of generate-register-options to navigator.credentials.create()'s `publicKey` (`extensions` over the server's). */
export function toCreationOptions(json: Record<string, any>, extensions?: PasskeyExtensions): PublicKeyCredentialCreationOptions;

/** The JSON of generate-authenticate-options to navigator.credentials.get()'s `publicKey` (`extensions` over the server's). */
export function toRequestOptions(json: Record<string, any>, extensions?: PasskeyExtensions): PublicKeyCredentialRequestOptions;

/** navigator.credentials.create()'s credential to the RegistrationResponseJSON verify-registration takes (@simplewebauthn/browser 13's shape). */
export function registrationToJSON(credential: PublicKeyCredential): {
  id: string;
  rawId: string;
  response: {
    attestationObject: string;
    clientDataJSON: string;
    transports?: string[];
    publicKeyAlgorithm?: number;
    publicKey?: string;
    authenticatorData?: string;
  };
  type: string;
  clientExtensionResults: Record<string, unknown>;
  authenticatorAttachment?: 'platform' | 'cross-platform';
};

/** navigator.credentials.get()'s credential to the AuthenticationResponseJSON verify-authentication takes (@simplewebauthn/browser 13's shape). */
export function authenticationToJSON(credential: PublicKeyCredential): {
  id: string;
  rawId: string;
  response: { authenticatorData: string; clientDataJSON: string; signature: string; userHandle?: string };
  type: string;
  clientExtensionResults: Record<string, unknown>;
  authenticatorAttachment?: 'platform' | 'cross-platform';
};
