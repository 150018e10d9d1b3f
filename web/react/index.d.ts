// Type declarations of `portcullis/react`: session state, forms, strength meter and user menu.
import type { ReactElement, ReactNode, ComponentType } from 'react';

import type { AuthClient, AuthFailure, Invitation, Member, Session, SessionWithUser, User } from '../client/index.js';
import type { Core, PasswordPolicy, NamePolicy, Strength, UsernamePolicy } from '../../wasm/index.js';

export interface AuthProviderProps {
  /** A client from createClient() or fromBetterAuth(); else one is made from baseURL. */
  client?: AuthClient;
  /** The server's origin (or full API URL); default: the page's origin. */
  baseURL?: string;
  basePath?: string;
  children?: ReactNode;
}

/** Holds the session for its children; refetches after sign-in/out (in any tab) and on focus. */
export function AuthProvider(props: AuthProviderProps): ReactElement;

export interface SessionState {
  /** 'loading' during server-side rendering and until the server first answers. */
  status: 'loading' | 'authenticated' | 'unauthenticated';
  data: SessionWithUser | null;
  user: User | null;
  session: Session | null;
  /** The last failure to read the session (not a 401), e.g. NETWORK_ERROR. */
  error: AuthFailure | null;
  refetch(): Promise<void>;
  signOut(): ReturnType<AuthClient['signOut']>;
  client: AuthClient;
}

export function useSession(): SessionState;
export function useAuthClient(): AuthClient;

/** The wasm core once loaded in the browser (validation), else null. */
export function useCore(): Core | null;
/** The wasm core with the strength dictionaries, once `active` has been true and they are loaded. */
export function useStrengthCore(active?: boolean): Core | null;
/** estimateStrength(password, userInputs) on `core`, or null while it is not ready. */
export function useStrength(core: Core | null, password: string, userInputs?: string[]): Strength | null;

/** The words of a user the server counts as guessable (the core's password_user_inputs). */
export function passwordUserInputs(email: string, name: string, core?: Core | null): string[];

export type PasswordVerdict =
  | { ok: true }
  | { ok: false; code: string; message: string; score?: number; feedback?: Strength['feedback'] };

/** The server's verdict on a new password: length rules, then the minimum score. */
export function passwordVerdict(
  core: Core,
  password: string,
  strength: Strength | null,
  options?: { minScore?: number; policy?: PasswordPolicy },
): PasswordVerdict;

/** Labels and messages; every key is optional. */
export interface Texts {
  name?: string;
  email?: string;
  password?: string;
  // Usernames (the server's --username)
  /** The username field's label. */
  username?: string;
  /** An optional field's label, e.g. the sign-up's "Username (optional)". */
  optional?: (label: string) => string;
  /** The sign-in's first field with `username`. */
  emailOrUsername?: string;
  /** Under the username while its availability is asked. */
  usernameChecking?: string;
  /** Under the username once the server said it is free. */
  usernameAvailable?: string;
  /** The username's error once the server said it is taken. */
  usernameTaken?: string;
  signUp?: string;
  signIn?: string;
  working?: string;
  required?: (label: string) => string;
  strength?: string;
  scores?: [string, string, string, string, string];
  loading?: string;
  signOut?: string;
  signedInAs?: string;
  /** The label of the checkbox that shows a typed password as text. */
  showPassword?: string;
  forgotPassword?: string;
  sendResetLink?: string;
  newPassword?: string;
  setPassword?: string;
  passwordReset?: string;
  invalidResetLink?: string;
  currentPassword?: string;
  changePassword?: string;
  signOutOthers?: string;
  passwordChanged?: string;
  account?: string;
  thisDevice?: string;
  unknownDevice?: string;
  signedInAt?: string;
  revoke?: string;
  revokeOthers?: string;
  noOtherSessions?: string;
  sessionsNotFresh?: string;
  signInAgain?: string;
  deleteAccount?: string;
  deleteConfirmation?: string;
  deleteMailed?: string;
  /** Shown by the sign-up form when the server mailed a verification link instead of signing in. */
  verifyEmailSent?: (email: string) => string;
  /** The sign-in form's error for EMAIL_NOT_VERIFIED (the server has mailed a new link). */
  emailNotVerified?: string;
  save?: string;
  profileSaved?: string;
  unverified?: (email: string) => string;
  sendVerification?: string;
  verificationSent?: string;
  /** The sign-in form's "remember me" checkbox (askRememberMe). */
  keepSignedIn?: string;
  currentEmail?: string;
  newEmail?: string;
  changeEmail?: string;
  emailChangeSent?: string;
  // ChangeEmailForm with `code` (the server's --email-otp-change-email)
  /** The code's step for a verified address: "We sent a code to <current address>…". */
  changeEmailConfirmSent?: (email: string) => string;
  /** The code's step for the new address. */
  changeEmailCodeSent?: (email: string) => string;
  /** After "Send a new code" at the current address's step. */
  changeEmailConfirmResent?: (email: string) => string;
  /** After "Send a new code" at the new address's step. */
  changeEmailCodeResent?: (email: string) => string;
  /** Done: the address is the new one. */
  changeEmailDone?: (email: string) => string;
  /** The code field's labels at each step. */
  currentEmailCode?: string;
  newEmailCode?: string;
  /** The current address's step's button. */
  continue?: string;
  /** Back to the new address from the current address's step. */
  back?: string;
  /** EMAIL_IS_THE_SAME (also said before sending). */
  emailIsTheSame?: string;
  /** USER_ALREADY_EXISTS: the new address got an account meanwhile. */
  emailInUse?: string;
  /** CHANGE_EMAIL_DISABLED: the server's --email-otp-change-email is off. */
  changeEmailDisabled?: string;
  /** INVALID_OTP, under the code's field. */
  codeWrong?: string;
  /** OTP_EXPIRED and TOO_MANY_ATTEMPTS, under the code's field. */
  codeDead?: string;
  /** TOO_MANY_REQUESTS: too many codes to an address. */
  tooManyCodes?: string;
  // The SignInForm's second step (the server's --two-factor)
  /** The code field's label with an authenticator app. */
  totpCode?: string;
  /** The line above the code field with an authenticator app. */
  totpHelp?: string;
  /** The code field's label with a backup code. */
  backupCode?: string;
  /** The line above the code field with a backup code. */
  backupCodeHelp?: string;
  /** The second step's submit button. */
  verify?: string;
  /** The checkbox that spares this browser the second step for 30 days. */
  trustDevice?: string;
  /** The link that switches to a backup code. */
  useBackupCode?: string;
  /** The link that switches back to the authenticator app. */
  useAuthenticator?: string;
  /** The code field's label with a code sent by e-mail (--two-factor-otp). */
  otpCode?: string;
  /** The link that mails a code. */
  emailMeCode?: string;
  /** The same link once a code was mailed. */
  sendNewCode?: string;
  /** The line above the code field while a code is being mailed. */
  otpSending?: string;
  /** The line above the code field once a code was mailed. */
  otpSent?: string;
  /** The line above the code field once a new code replaced the one before. */
  otpResent?: string;
  /** The field's error for OTP_HAS_EXPIRED. */
  otpExpired?: string;
  /** Shown back at the first step when the server ended the second one (too many attempts, or too slow). */
  signInAgainNeeded?: string;
  // TwoFactorSettings
  /** What two-step verification is, before it is turned on. */
  twoFactorIntro?: string;
  /** The same with `otp` (codes by e-mail offered too). */
  twoFactorIntroOtp?: string;
  /** The accessible name of the app / e-mail choice. */
  twoFactorMethod?: string;
  /** The choice of an authenticator app. */
  useAuthenticatorApp?: string;
  /** The choice of codes sent by e-mail. */
  useEmailCodes?: string;
  /** Shown once codes by e-mail are turned on. */
  twoFactorOtpOn?: string;
  /** The error for TWO_FACTOR_NOT_ENABLED when asking for backup codes with codes by e-mail only. */
  noBackupCodes?: string;
  /** The error for EMAIL_NOT_VERIFIED when turning codes by e-mail on. */
  otpNeedsVerifiedEmail?: string;
  /** The button that turns it on (and the one that confirms the app's first code). */
  turnOnTwoFactor?: string;
  /** How to add the account to an authenticator app (above the QR code). */
  twoFactorSetup?: string;
  /** The QR code's accessible name. */
  qrCode?: string;
  /** The otpauth: link. */
  openInApp?: string;
  /** The label before the key to type by hand. */
  setupKey?: string;
  /** Above the backup codes. */
  saveBackupCodes?: string;
  /** The label of the field for the app's first code. */
  confirmTwoFactor?: string;
  /** Shown while it is on. */
  twoFactorIsOn?: string;
  /** Shown once it is turned off. */
  twoFactorTurnedOff?: string;
  /** The heading and button that make new backup codes. */
  newBackupCodes?: string;
  /** The line saying the old backup codes stop working. */
  newBackupCodesHelp?: string;
  /** The heading and button that turn it off. */
  turnOffTwoFactor?: string;
  /** The heading and button that add an authenticator app, for a user with codes by e-mail alone (a Portcullis server). */
  addAuthenticatorApp?: string;
  /** Under it: what adding an app brings. */
  addAuthenticatorAppHelp?: string;
  /** Shown once the app's first code confirmed it. */
  authenticatorAppAdded?: string;
  // Codes sent by e-mail instead of a password or a link (the server's --email-otp)
  /** The field of a mailed code (sign-in, password reset, address verification). */
  emailCode?: string;
  /** Its error when it is not 6 digits. */
  emailCodeFormat?: string;
  /** The field's error for OTP_EXPIRED and TOO_MANY_ATTEMPTS, from the server's message ("OTP expired" -> "OTP expired. Send a new code."). */
  newCodeNeeded?: (message: string) => string;
  /** The line above the field once "Send a new code" mailed one. */
  emailCodeResent?: (email: string) => string;
  /** The button that mails a code. */
  sendCode?: string;
  /** The sign-in form's button (`emailCode`) that signs in by a mailed code instead. */
  emailSignIn?: string;
  /** The line above the address, before the sign-in code is mailed. */
  emailSignInHelp?: string;
  /** The line above the sign-in code's field. */
  emailSignInSent?: (email: string) => string;
  /** The button back from the code to the password. */
  usePassword?: string;
  /** The link back to the address, once a code was mailed. */
  useAnotherEmail?: string;
  /** The forgotten password's line above the address (`emailCode`). */
  resetCodeHelp?: string;
  /** The line above the reset code and the new password (said alike whether or not the address has an account). */
  resetCodeSent?: (email: string) => string;
  /** The line above the verification code's field after sign-up, or on the account page (`verificationCode`). */
  verifyCodeSent?: (email: string) => string;
  /** The line above it when a sign-in was refused with EMAIL_NOT_VERIFIED (the server has mailed a code). */
  emailNotVerifiedCode?: string;
  /** The account page's button that mails a verification code. */
  sendVerificationCode?: string;
  /** Shown once the code verified the address, on the account page. */
  emailVerified?: string;
  /** Shown once the code verified the address after sign-up or at sign-in, when the server starts no session. */
  emailVerifiedSignIn?: string;
  // Sign-in links sent by e-mail (the server's --magic-link)
  /** The sign-in form's button (`emailLink`) that mails a sign-in link instead. */
  emailLinkSignIn?: string;
  /** The line above the address, before the link is mailed. */
  emailLinkHelp?: string;
  /** The button that mails the link. */
  sendLink?: string;
  /** Once it is mailed ("Check your inbox: ..."). */
  emailLinkSent?: (email: string) => string;
  /** Once "Send the link again" mailed another. */
  emailLinkResent?: (email: string) => string;
  /** The button that mails another link. */
  sendLinkAgain?: string;
  /** `linkError` INVALID_TOKEN: the link is unknown, used (a link works once) or expired. */
  linkInvalid?: string;
  /** `linkError` new_user_signup_disabled: a link for a new address after sign-up was closed. */
  linkSignUpDisabled?: string;
  /** `linkError` BANNED_USER. */
  linkBanned?: string;
  /** Any other `linkError`. */
  linkFailed?: string;
  // Passkeys (the server's --passkey): SignInForm `passkey`
  /** The sign-in form's button that signs in with a passkey. */
  passkeySignIn?: string;
  /** The button while the browser's prompt is open. */
  passkeyWaiting?: string;
  /** AUTH_CANCELLED: the prompt was closed, timed out, the device's check failed, or it has no passkey of the site (browsers do not say which). */
  passkeyCancelled?: string;
  /** PASSKEY_NOT_FOUND: the passkey was deleted from the account, but the device still offers it. */
  passkeyUnknown?: string;
  /** AUTHENTICATION_FAILED: the server did not accept the passkey's signature. */
  passkeyFailed?: string;
  /** CHALLENGE_NOT_FOUND: the prompt stayed open over 5 minutes. */
  passkeyExpired?: string;
  /** WEBAUTHN_NOT_SUPPORTED (the form shows no passkey button then; PasskeySettings says it). */
  passkeyNotSupported?: string;
  /** WEBAUTHN_ERROR: anything else the browser said (e.g. a SecurityError: the server's rp id is not this site's host). */
  passkeyError?: (message: string) => string;
  /** SignInForm's badge beside the way this browser signed in last (`lastUsed`). */
  lastUsed?: string;
  /** UserMenu's link to the organizations page (`organizationsHref`). */
  organizations?: string;
  // PasskeySettings
  /** The line under its title. */
  passkeysIntro?: string;
  /** The name's label ("Name"; "Name (optional)" through `optional` when adding). */
  passkeyName?: string;
  /** The button that makes a passkey. */
  addPasskey?: string;
  /** Once one is added (its name, or null). */
  passkeyAdded?: (name: string | null) => string;
  passkeyRenamed?: (name: string) => string;
  passkeyDeleted?: (name: string) => string;
  noPasskeys?: string;
  /** The list's accessible name. */
  yourPasskeys?: string;
  /** The name shown for a passkey without one. */
  unnamedPasskey?: string;
  /** "added <date>". */
  passkeyCreated?: (date: string) => string;
  /** deviceType multiDevice: a synced passkey (a password manager's, a platform's). */
  passkeySynced?: string;
  /** deviceType singleDevice: bound to one authenticator (a security key). */
  passkeySingleDevice?: string;
  rename?: string;
  /** The rename button's accessible name. */
  renameLabel?: (name: string) => string;
  remove?: string;
  /** The delete button's (and the confirmation's) accessible name. */
  removeLabel?: (name: string) => string;
  cancel?: string;
  deletePasskeyConfirmation?: (name: string) => string;
  confirmDeletePasskey?: (name: string) => string;
  /** REGISTRATION_CANCELLED. */
  passkeyRegistrationCancelled?: string;
  /** PREVIOUSLY_REGISTERED: the authenticator holds a passkey of this account already. */
  passkeyPreviouslyRegistered?: string;
  /** FAILED_TO_VERIFY_REGISTRATION. */
  passkeyNotAdded?: string;
  /** SESSION_NOT_FRESH (with a "Sign out, then sign in again" button). */
  passkeyNotFresh?: string;
  /** The server answers NOT_FOUND (no --passkey), or the client has no `passkey` (fromBetterAuth without passkeyClient()). */
  passkeyUnavailable?: string;
  /** PASSKEY_NOT_FOUND on a rename or a deletion (another tab deleted it). */
  passkeyMissing?: string;
  // AdminUsers (the server's --admin)
  /** Shown instead of the table to a signed-in user who is not an administrator (403 YOU_ARE_NOT_ALLOWED_TO_LIST_USERS). */
  notAdmin?: string;
  /** Under it. */
  notAdminHelp?: string;
  /** Shown to a visitor, above the sign-in link. */
  adminSignIn?: string;
  /** A server without --admin (404). */
  adminUnavailable?: string;
  searchUsers?: string;
  searchBy?: string;
  search?: string;
  /** The table's caption. */
  users?: (total: number) => string;
  noUsers?: string;
  role?: string;
  verified?: string;
  banned?: string;
  created?: string;
  actions?: string;
  yes?: string;
  no?: string;
  /** The badge on the administrator's own row. */
  you?: string;
  bannedFor?: (reason: string | null) => string;
  /** `date`: the ban's end in the browser's words, or '' for none. */
  bannedUntil?: (date: string) => string;
  /** The button that opens a user's actions (its accessible name adds the e-mail). */
  manage?: string;
  makeAdmin?: string;
  makeUser?: string;
  ban?: string;
  unban?: string;
  banReason?: string;
  banDuration?: string;
  banForever?: string;
  /** The durations offered: [seconds, label]. */
  banDurations?: Array<[number, string]>;
  signOutEverywhere?: string;
  setUserPassword?: string;
  removeUser?: string;
  removeConfirmation?: (email: string) => string;
  confirmRemove?: (email: string) => string;
  cancel?: string;
  previous?: string;
  next?: string;
  /** The paging's accessible name. */
  pages?: string;
  showing?: (from: number, to: number, total: number) => string;
  createUserTitle?: string;
  createUser?: string;
  /** The create form's checkbox. */
  markVerified?: string;
  // What an action says once done (role="status")
  roleChanged?: (email: string, role: 'admin' | 'user') => string;
  userBanned?: (email: string) => string;
  userUnbanned?: (email: string) => string;
  userSignedOut?: (email: string) => string;
  userPasswordSet?: (email: string) => string;
  userRemoved?: (email: string) => string;
  userCreated?: (email: string) => string;
  // AdminUsers' impersonation (its `impersonation` prop; the server's --admin-impersonation)
  /** The action's button ("Sign in as this user…"). */
  impersonate?: string;
  /** What the confirmation says. */
  impersonateConfirmation?: (email: string) => string;
  /** The confirming button. */
  confirmImpersonate?: (email: string) => string;
  /** A server without --admin-impersonation (404). */
  impersonationUnavailable?: string;
  /** Shown instead of the table once signed in as the user, while the page goes on. */
  impersonated?: (email: string) => string;
  // ImpersonationBanner
  /** The bar's accessible name. */
  impersonation?: string;
  /** The bar's line; `name` may be empty. */
  impersonatingAs?: (name: string, email: string) => string;
  stopImpersonating?: string;
  /** Stopping failed with ADMIN_SESSION_NOT_FOUND: the administrator's session had ended (the browser is signed out). */
  adminSessionEnded?: string;
  // Organizations (the server's --organization; `role`, `actions`, `you` and `cancel` are AdminUsers')
  /** Shown to a visitor, above the sign-in link. */
  organizationsSignIn?: string;
  /** A server without --organization (404), or a client without `organization`. */
  organizationsUnavailable?: string;
  /** The list's heading. */
  yourOrganizations?: string;
  noOrganizations?: string;
  /** The badge of the active organization. */
  activeOrganization?: string;
  /** The button that makes another one active (its accessible name: switchTo). */
  switchOrganization?: string;
  switchTo?: (name: string) => string;
  switched?: (name: string) => string;
  /** Under the active organization's name: the user's roles there. */
  yourRole?: (roles: string) => string;
  /** The members' heading. */
  members?: string;
  /** A member's role select's accessible name. */
  roleOf?: (email: string) => string;
  setRole?: string;
  /** The set-role button's accessible name. */
  setRoleOf?: (email: string) => string;
  roleSet?: (email: string, role: string) => string;
  /** The button that opens a member's removal (its accessible name: removeMemberLabel). */
  removeMember?: string;
  removeMemberLabel?: (email: string) => string;
  removeMemberConfirmation?: (email: string, organization: string) => string;
  confirmRemoveMember?: (email: string) => string;
  memberRemoved?: (email: string) => string;
  /** The invitation form's heading. */
  inviteTitle?: string;
  /** Its button. */
  invite?: string;
  invited?: (email: string) => string;
  pendingInvitations?: string;
  noInvitations?: string;
  /** Under a pending invitation's address: its roles and its end (in the browser's words). */
  invitationLine?: (role: string, date: string) => string;
  cancelInvitation?: string;
  /** The cancel button's accessible name. */
  cancelInvitationOf?: (email: string) => string;
  invitationCanceled?: (email: string) => string;
  leaveOrganization?: string;
  leaveConfirmation?: (name: string) => string;
  confirmLeave?: (name: string) => string;
  left?: (name: string) => string;
  deleteOrganization?: string;
  deleteOrganizationConfirmation?: (name: string) => string;
  confirmDeleteOrganization?: (name: string) => string;
  organizationDeleted?: (name: string) => string;
  createOrganizationTitle?: string;
  /** The create form's first label. */
  organizationName?: string;
  slug?: string;
  /** Under the slug's field. */
  slugHelp?: string;
  /** The create form's button. */
  createOrganization?: string;
  organizationCreated?: (name: string) => string;
  // AcceptInvitation
  /** Shown to a visitor, above the sign-in link. */
  invitationSignIn?: string;
  /** No invitationId. */
  invitationMissing?: string;
  /** INVITATION_NOT_FOUND: none pending with that id (expired, answered, canceled). */
  invitationNotFound?: string;
  /** The invitation: the inviter's address, the organization's name, the roles. */
  invitedBy?: (inviter: string, organization: string, role: string) => string;
  acceptInvitation?: string;
  declineInvitation?: string;
  invitationAccepted?: (organization: string) => string;
  invitationDeclined?: (organization: string) => string;
  /** The link under an accepted invitation (`organizationsHref`). */
  goToOrganizations?: string;
  // ApiKeys (the server's --api-key; `cancel` is PasskeySettings')
  /** The line under its title. */
  apiKeysIntro?: string;
  /** The list's accessible name. */
  yourApiKeys?: string;
  noApiKeys?: string;
  /** A key without a name: "API key", with its first characters after it. */
  unnamedApiKey?: string;
  /** A key's first characters as shown: "pk_abc…". */
  apiKeyStart?: (start: string) => string;
  /** The parts of a key's line, joined with " · ": "created <date>", "expires <date>" (or "expired <date>", or "never expires"), "last used <date and time>" (or "never used"). */
  apiKeyCreatedOn?: (date: string) => string;
  apiKeyExpiresOn?: (date: string) => string;
  apiKeyExpiredOn?: (date: string) => string;
  apiKeyNeverExpires?: string;
  apiKeyLastUsed?: (date: string) => string;
  apiKeyNeverUsed?: string;
  /** The badges of a disabled key, and of an expired one. */
  apiKeyDisabledBadge?: string;
  apiKeyExpiredBadge?: string;
  disableApiKey?: string;
  enableApiKey?: string;
  /** The buttons' accessible names (with the key's name). */
  disableApiKeyLabel?: (name: string) => string;
  enableApiKeyLabel?: (name: string) => string;
  /** What disabling and enabling say once done. */
  apiKeyDisabled?: (name: string) => string;
  apiKeyEnabled?: (name: string) => string;
  /** The button that asks to delete a key ("Delete…"); its accessible name, and the confirmation's. */
  deleteApiKey?: string;
  deleteApiKeyLabel?: (name: string) => string;
  deleteApiKeyConfirmation?: (name: string) => string;
  confirmDeleteApiKey?: (name: string) => string;
  apiKeyDeleted?: (name: string) => string;
  /** The create form's title, fields and button. */
  newApiKeyTitle?: string;
  apiKeyName?: string;
  apiKeyNameHelp?: string;
  apiKeyExpiry?: string;
  /** The expiry's choices: [seconds (0: never, i.e. the server's default), label]. The default choice is 90 days (7776000): keep it among them. */
  apiKeyExpiries?: Array<[number, string]>;
  createApiKey?: string;
  /** The new key's box: its title, the warning that it is shown once (with its name), "Copy" (and its accessible name), what copying did, "Done" (and its accessible name). */
  newApiKey?: string;
  newApiKeyOnce?: (name: string) => string;
  copyApiKey?: string;
  copyApiKeyLabel?: string;
  apiKeyCopied?: string;
  apiKeyNotCopied?: string;
  apiKeyCopiedDone?: string;
  apiKeyDoneLabel?: string;
  /** The server answers NOT_FOUND (no --api-key). */
  apiKeysUnavailable?: string;
  /** KEY_NOT_FOUND on a change or a deletion (another tab deleted it). */
  apiKeyMissing?: string;
}

export interface PasswordStrengthMeterProps {
  password: string;
  /** The user's e-mail and name: their words make a password weaker, as on the server. */
  email?: string;
  name?: string;
  /** The server's minimum score (default 2). */
  minScore?: number;
  policy?: PasswordPolicy;
  /** An estimate already made (then the meter does not estimate). */
  strength?: Strength | null;
  core?: Core | null;
  text?: Texts;
  id?: string;
  /** Leave out the warning line (e.g. when the field's error already shows it). */
  hideWarning?: boolean;
}

/** A bar, the score's name, the warning and the suggestions; data-score and data-verdict attributes. */
export function PasswordStrengthMeter(props: PasswordStrengthMeterProps): ReactElement;

export interface SignUpFormProps {
  onSuccess?: (value: { token: string | null; user: User }) => void;
  minScore?: number;
  passwordPolicy?: PasswordPolicy;
  namePolicy?: NamePolicy;
  /**
   * The server's --username: true adds a "Username (optional)" field, 'required' a "Username" field
   * that must be filled. Checked as it is typed (the wasm core's validateUsername), and once the
   * typing pauses the server is asked whether it is free (one is-username-available request per
   * pause; "Username is available." under it, or "Username is already taken" as its error; a
   * refused question, e.g. 429, says nothing). Sent as typed: stored lower-cased, shown as typed.
   * Default false.
   */
  username?: boolean | 'required';
  /** The server's --min-username-length and --max-username-length, when not 3 and 30. */
  usernamePolicy?: UsernamePolicy;
  title?: ReactNode;
  text?: Texts;
  footer?: ReactNode;
  className?: string;
  /** Where the verification link leads (a trusted URL), or a function returning it, called on submit. */
  callbackURL?: string | (() => string);
  /**
   * The server's --email-otp-verification (it mails a 6-digit code instead of a link): when the
   * server wants the address verified before the first sign-in, the form asks for the code
   * ("Send a new code" too), then says the address is verified; when the server then starts a
   * session (--auto-sign-in-after-verification), `onSuccess({status, token, user})`. Default false.
   */
  verificationCode?: boolean;
}

export function SignUpForm(props: SignUpFormProps): ReactElement;

export interface SignInFormProps {
  onSuccess?: (value: { redirect: boolean; token: string; url?: string; user: User }) => void;
  rememberMe?: boolean;
  passwordPolicy?: PasswordPolicy;
  /**
   * The server's --username: the first field is "E-mail or username": with an '@' it signs in by
   * e-mail, else by username (any case; signInUsername). Wrong credentials say "Invalid username
   * or password" in the form's alert. Default false.
   */
  username?: boolean;
  /** The server's username lengths, when not 3 and 30. */
  usernamePolicy?: UsernamePolicy;
  title?: ReactNode;
  text?: Texts;
  footer?: ReactNode;
  className?: string;
  /** A "Keep me signed in" checkbox, starting as `rememberMe` (checked unless false); unchecked, the session ends with the browser and lasts a day at most. */
  askRememberMe?: boolean;
  /** A "Forgot your password?" link under the password field. */
  forgotPasswordHref?: string;
  /** A line above the fields (role="status"), e.g. "your address is verified". */
  notice?: ReactNode;
  /**
   * Where the verification link mailed again to an unverified address leads, or a function returning it.
   * It is BetterAuth's sign-in callbackURL: BetterAuth's own client (through fromBetterAuth) also sends the
   * browser there after signing in.
   */
  callbackURL?: string | (() => string);
  /** The link component (e.g. Docusaurus's Link, given `to`); default <a href>. */
  link?: ComponentType<any> | 'a';
  /**
   * The server's --email-otp: "E-mail me a sign-in code" under the button. It asks for the
   * address (the one typed, if any), mails a 6-digit code (a field with one-time-code autocomplete
   * and a numeric keyboard; "Send a new code"; "Use another e-mail address"), and signs in with it,
   * or goes on to the second factor's step when the server asks for it. The server's errors show
   * under the code (INVALID_OTP; OTP_EXPIRED and TOO_MANY_ATTEMPTS say to send a new code). An
   * address without an account gets one when the server's sign-up is open. Default false.
   */
  emailCode?: boolean;
  /**
   * The server's --email-otp-verification: a sign-in refused with EMAIL_NOT_VERIFIED (the server
   * has mailed a code) asks for the code, verifies the address, and signs in again with the
   * password typed. Default false (it says a new link was mailed).
   */
  verificationCode?: boolean;
  /**
   * The server's --magic-link: "E-mail me a sign-in link" under the button (with `emailCode`, under
   * its button). It asks for the address (the one typed, if any) and has the server mail a link
   * ("Check your inbox", "Send the link again", "Use another e-mail address"); opened in the
   * browser, the link signs in and leads to `callbackURL` (default: this page, with what the
   * link's redirect adds taken out, so that the form finishes it: `twoFactorRedirect`,
   * `linkError`), to `newUserCallbackURL` for a new account (default callbackURL), or to
   * `errorCallbackURL` (default callbackURL) with ?error=. Each a URL the server trusts, or a
   * function returning one, called when the link is asked for. Default false.
   */
  emailLink?: boolean | { callbackURL?: string | (() => string); newUserCallbackURL?: string | (() => string); errorCallbackURL?: string | (() => string) };
  /**
   * The page was opened by a sign-in link's redirect with ?twoFactorRedirect=true (the user has the
   * second factor on; the server set the two_factor cookie): the form opens at the second factor's
   * step. true, or the methods to offer ('totp': the authenticator app and backup codes; 'otp':
   * codes by e-mail); true offers ['totp']. Default false.
   */
  twoFactorRedirect?: boolean | Array<'totp' | 'otp'>;
  /**
   * The ?error= of a sign-in link's redirect: the form says why it did not sign in (INVALID_TOKEN:
   * `text.linkInvalid`, "This sign-in link has expired or was already used: ask for a new one.";
   * new_user_signup_disabled, BANNED_USER; others `text.linkFailed`), until another way is taken.
   */
  linkError?: string | null;
  /**
   * The server's --passkey: "Sign in with a passkey" under the button (above the other ways), once
   * mounted in a browser with WebAuthn (none during server-side rendering, nor in a browser without
   * it). The browser asks for a passkey of the site (no address is typed); signed in, `onSuccess({session,
   * user})`; a user with the second factor on whose authenticator did not verify them (no PIN or
   * biometric) gets its step. A prompt closed (or a device without a passkey of the site):
   * `text.passkeyCancelled` in the form's alert, focused.
   *
   * `true` also offers the site's passkeys in the first field's autofill (WebAuthn's conditional
   * mediation), once mounted in a browser that can (passkeyAutofillSupported()): the field's
   * autocomplete becomes "username webauthn", and while the form is at its password step a
   * request waits for a passkey picked in the field's suggestions, which signs in as the button
   * does, without a click. Its cancellations say nothing (the button's prompt cancels it); its
   * other failures are said as the button's. A request that ended starts again on the field's next
   * focus; it is aborted when the form leaves the password step (a code or a link by e-mail, the
   * second factor) or unmounts. `{autoFill: false}`: the button only. Default false.
   */
  passkey?: boolean | { autoFill?: boolean };
  /**
   * A "Last used" badge (`text.lastUsed`) beside the way this browser signed in last, when the
   * form offers it: the password's submit button ('email', also a username's), "Sign in with a
   * passkey" ('passkey'), "E-mail me a sign-in code" ('email-otp'), "E-mail me a sign-in link"
   * ('magic-link'). Read from the client's getLastUsedLoginMethod() (the cookie the server's
   * --last-login-method sets) once mounted: none during server-side rendering. Default true.
   */
  lastUsed?: boolean;
}

export function SignInForm(props: SignInFormProps): ReactElement;

export interface ForgotPasswordFormProps {
  /** The absolute URL of the page with the ResetPasswordForm (or a function returning it, called on submit). */
  redirectTo?: string | (() => string);
  /** A link's request answered `{status, message}`; with `emailCode`, the reset `{success}`. */
  onSuccess?: (value: { status: true; message: string } | { success: true }) => void;
  /**
   * The server's --email-otp: a 6-digit code instead of a link. The address; then the mailed code
   * and the new password on the same form (the strength meter; "Send a new code"); then "Your
   * password is changed", every session of the account signed out (with `footer`). Default false.
   */
  emailCode?: boolean;
  /** With `emailCode`: the server's minimum strength score (default 2). */
  minScore?: number;
  /** With `emailCode`: the server's length rules. */
  passwordPolicy?: PasswordPolicy;
  title?: ReactNode;
  text?: Texts;
  footer?: ReactNode;
  className?: string;
}

/** Asks for the e-mail address; the server mails a reset link. Then shows the server's message (the same for any address). With `emailCode`, a code and the new password instead. */
export function ForgotPasswordForm(props: ForgotPasswordFormProps): ReactElement;

export interface ResetPasswordFormProps {
  /** The mailed link's `?token=`. */
  token?: string | null;
  /** The link's `?error=` (INVALID_TOKEN when it was wrong or expired). */
  error?: string | null;
  onSuccess?: () => void;
  minScore?: number;
  passwordPolicy?: PasswordPolicy;
  title?: ReactNode;
  text?: Texts;
  /** Shown once the password is set (e.g. a link to sign in). */
  footer?: ReactNode;
  /** Shown under a bad link's message (e.g. a link to ask for a new one). */
  invalidFooter?: ReactNode;
  className?: string;
}

/** The new password (with the strength meter); every session of the account ends once it is set. */
export function ResetPasswordForm(props: ResetPasswordFormProps): ReactElement;

export interface ChangePasswordFormProps {
  onSuccess?: (value: { token: string | null; user: User }) => void;
  minScore?: number;
  passwordPolicy?: PasswordPolicy;
  /** A heading (h2). */
  title?: ReactNode;
  text?: Texts;
  className?: string;
}

/** The current password and a new one; "Sign out of my other devices" is checked at first. Needs an AuthProvider with a session. */
export function ChangePasswordForm(props: ChangePasswordFormProps): ReactElement;

/** The devices signed in to the account, this one first, each with a button that signs it out. Nothing when signed out. */
export function SessionList(props: { title?: ReactNode; text?: Texts; className?: string }): ReactElement | null;

export interface DeleteAccountFormProps {
  /** The account and its session are gone. */
  onSuccess?: (value: { success: true; message: string }) => void;
  /** A heading (h2). */
  title?: ReactNode;
  text?: Texts;
  className?: string;
  /** Where the mailed deletion link leads once followed (with the server's --delete-user-verification). */
  callbackURL?: string;
}

/** Deletes the signed-in user's account after its password (or says a confirmation link was mailed). */
export function DeleteAccountForm(props: DeleteAccountFormProps): ReactElement;

/**
 * A new e-mail address for the signed-in user (the server's --change-email-enabled): mails a link,
 * and says so. With `code` (the server's --email-otp-change-email): codes instead of the link. The
 * new address; for a verified user (answered OTP_REQUIRED), the code mailed to the current address
 * ("Send a new code", "Back"); the code mailed to the new one ("Send a new code", "Use another
 * e-mail address"), which changes the address at once: the session is read again (it shows the
 * new address), the form says so and `onSuccess({newEmail})` is called. A wrong code is said under
 * its field and the step stays.
 */
export function ChangeEmailForm(props: {
  /** Where the mailed link leads (without `code`). */
  callbackURL?: string | (() => string);
  /** Codes instead of a link (the server's --email-otp-change-email). Default false. */
  code?: boolean;
  onSuccess?: (value?: { newEmail: string }) => void;
  title?: ReactNode;
  text?: Texts;
  className?: string;
}): ReactElement;

/**
 * The signed-in user's name, to change (update-user). With `username` (the server's --username),
 * the username too: set or changed (saved as typed: username and displayUsername), its
 * availability asked once the typing pauses, taken or invalid said under the field.
 */
export function ProfileForm(props: {
  namePolicy?: NamePolicy;
  username?: boolean;
  usernamePolicy?: UsernamePolicy;
  onSuccess?: () => void;
  title?: ReactNode;
  text?: Texts;
  className?: string;
}): ReactElement;

/**
 * While the user's address is not verified: says so, with a button that mails the link again (to
 * callbackURL). Nothing otherwise. With `verificationCode` (the server's
 * --email-otp-verification): "Send a verification code", then the code's field, then "Your e-mail
 * address is verified."
 */
export function VerifyEmailNotice(props: { callbackURL?: string | (() => string); verificationCode?: boolean; text?: Texts; className?: string }): ReactElement | null;

/**
 * Two-step verification on the account page (the server's --two-factor): turn it on (password,
 * then the authenticator app's key and the backup codes, then the app's first code), new backup
 * codes, turn it off. The SignInForm asks for the code by itself whenever the server does.
 */
export function TwoFactorSettings(props: {
  title?: ReactNode;
  text?: Texts;
  className?: string;
  /** The server has --two-factor-otp: turning it on also offers "Use codes sent by e-mail" (on at once after the password; the address must be verified). Default false. */
  otp?: boolean;
}): ReactElement;

export interface PasskeySettingsProps {
  /** A heading (h2), which also names the section. */
  title?: ReactNode;
  text?: Texts;
  className?: string;
  /** What "Add a passkey" asks for: 'platform' (this device's own authenticator), 'cross-platform' (a security key or a phone). Default: the browser offers both. */
  authenticatorAttachment?: 'platform' | 'cross-platform';
}

/**
 * The signed-in user's passkeys on the account page (the server's --passkey): a list (each with
 * its name, when it was added, and whether it is synced between devices or kept on one) with
 * "Rename" (in place; Escape cancels; the focus comes back to the button) and "Delete…" (asks
 * first, the focus on "Cancel"), and "Add a passkey" with an optional name (in browsers with
 * WebAuthn; the browser's prompt). Outcomes in a `role="status"` line, failures in a
 * `role="alert"` box (focused). A session older than a day cannot add one (SESSION_NOT_FRESH: it
 * says so, with a button that signs out). Renders nothing without a session.
 */
export function PasskeySettings(props: PasskeySettingsProps): ReactElement | null;

/** A device's name from its User-Agent ("Firefox on Windows"), or null. */
export function deviceName(userAgent: string | null | undefined): string | null;

export interface AdminUsersProps {
  /** A client from createClient() or fromBetterAuth(); default: the AuthProvider's. */
  client?: AuthClient;
  /** Users per page (default 20). */
  pageSize?: number;
  /** Where the sign-in link shown to a visitor leads (default '/login'). */
  loginHref?: string;
  /** The link component (e.g. Docusaurus's Link, given `to`); default <a href>. */
  link?: ComponentType<any> | 'a';
  /**
   * The server runs with --admin-impersonation (the component cannot tell): a user's actions also
   * offer "Sign in as this user…" (not for yourself, an administrator or a banned user), after a
   * confirmation. Default false. A server without it answers 404, which the panel says.
   */
  impersonation?: boolean;
  /** Where the page goes once signed in as the user (default '/'; a full page load). */
  afterImpersonateHref?: string | (() => string);
  /** Called once signed in as the user, instead of going to afterImpersonateHref (e.g. a router's navigation). */
  onImpersonate?: (value: { session: Session; user: User }) => void;
  /** A heading (h2). */
  title?: ReactNode;
  text?: Texts;
  className?: string;
}

/**
 * The users, for an administrator (the server's --admin): a table searchable by e-mail or name,
 * paged, with each user's e-mail, name, role, verification, ban (reason, end) and creation date;
 * per user, make admin / make user, ban (a reason, an optional duration) / unban, sign out
 * everywhere, set a password (PASSWORD_TOO_WEAK's feedback under the field), remove (after a
 * confirmation); and a form that creates a user. A signed-in user who is not an administrator
 * sees "You are not an administrator."; a visitor, a link to sign in. With `impersonation`, "Sign
 * in as this user".
 */
export function AdminUsers(props: AdminUsersProps): ReactElement;

export interface ImpersonationBannerProps {
  /** A client from createClient() or fromBetterAuth() (with BetterAuth's adminClient()); default: the AuthProvider's. */
  client?: AuthClient;
  /** Where the page goes once the administrator's session is back (a full page load); default: it stays, with the session read again. */
  afterStopHref?: string | (() => string);
  /** Called once the administrator's session is back, instead of going to afterStopHref. */
  onStop?: (value: { session: Session; user: User }) => void;
  text?: Texts;
  className?: string;
}

/**
 * While the session is an impersonation (`session.impersonatedBy`, the server's
 * --admin-impersonation): a bar (role="region", named "Impersonation") saying "You are signed in as
 * <name, e-mail> (impersonation)." with a "Stop impersonating" button; a failure in words
 * (role="alert"; ADMIN_SESSION_NOT_FOUND: "Your administrator session has ended; sign in again.").
 * Renders nothing otherwise. Put it on every page, e.g. at the top of the layout.
 */
export function ImpersonationBanner(props: ImpersonationBannerProps): ReactElement | null;

export interface OrganizationsProps {
  /** Where the sign-in link shown to a visitor leads (default '/login'), or a function returning it. */
  loginHref?: string | (() => string);
  /** The link component (e.g. Docusaurus's Link, given `to`); default <a href>. */
  link?: ComponentType<any> | 'a';
  /** A heading (h2; the sections' headings are then h3). */
  title?: ReactNode;
  text?: Texts;
  className?: string;
}

/**
 * The signed-in user's organizations (the server's --organization; `client.organization`): the
 * list, the active one marked ("Active"), the others with "Switch" (setActive). For the active one:
 * the user's role, the members (e-mail, name, roles) and, as the user's role allows
 * (checkRolePermission with getActiveMember's role): an invitation by e-mail with a role (member,
 * admin; owner only for an owner), a member's role ("Set role"), a member's removal (after a
 * confirmation; an admin touches no owner), the pending invitations with "Cancel"; "Leave the
 * organization…" for everyone (after a confirmation; the last owner's is refused with the server's
 * words), "Delete the organization…" for an owner (after a confirmation). Then "Create an
 * organization": the name, and the slug made from it (organizationSlug) until typed, asked about
 * with checkSlug first (taken: under the field); the new one becomes the active one. What an
 * action did is said in a role="status" line, a failure in a role="alert" box (focused). A visitor
 * sees a link to sign in. Needs an AuthProvider.
 */
export function Organizations(props: OrganizationsProps): ReactElement;

/** The slug made from an organization's name, as the create form does: "Ça va & Co" -> "ca-va-co" (at most 48 characters). */
export function organizationSlug(name: string): string;

export interface ApiKeysProps {
  /** A heading (h2; the create form's and the new key's headings are then h3), which also names the section. */
  title?: ReactNode;
  text?: Texts;
  className?: string;
}

/**
 * The signed-in user's API keys on the account page (the server's --api-key; `client.apiKey`): a
 * list, newest first, each with its name, its first characters ("pk_abc…"), when it was created,
 * when it expires and when it was last used, "Disabled" and "Expired" badges, "Disable" / "Enable",
 * and "Delete…" (asks first, the focus on "Cancel"; Escape cancels). Then "New API key": a name
 * (required here) and an expiry (never, 30, 90 (the default) or 365 days). The new key is shown
 * once, in a read-only field (focused and selected) with "Copy" and the warning that it will not be
 * shown again, until "Done". Outcomes in a role="status" line; the server's refusals in its words,
 * under the field they are about (INVALID_NAME_LENGTH, NAME_REQUIRED, EXPIRES_IN_IS_TOO_SMALL,
 * EXPIRES_IN_IS_TOO_LARGE, KEY_DISABLED_EXPIRATION) or in a role="alert" box (focused), e.g.
 * API_KEY_LIMIT_REACHED. Renders nothing without a session.
 */
export function ApiKeys(props: ApiKeysProps): ReactElement | null;

export interface AcceptInvitationProps {
  /** The invitation's id (the invitation link's, e.g. its ?id=). */
  invitationId: string | null | undefined;
  /** The sign-in page for a visitor (default '/login'), or a function returning it: best, one that leads back here. */
  loginHref?: string | (() => string);
  /** The organizations page, linked once the invitation is accepted. */
  organizationsHref?: string;
  /** The link component (e.g. Docusaurus's Link, given `to`); default <a href>. */
  link?: ComponentType<any> | 'a';
  /** A heading (h2). */
  title?: ReactNode;
  text?: Texts;
  className?: string;
  onAccepted?: (value: { invitation: Invitation; member: Member }) => void;
  onDeclined?: (value: { invitation: Invitation; member: null }) => void;
}

/**
 * Where an invitation's link leads (the server's --organization-invitation-url): for the signed-in
 * user, "<inviter> invited you to join <organization> as <role>." (getInvitation) with "Accept" and
 * "Decline"; then "You are now a member of <organization>…" and a link to `organizationsHref` (the
 * organization is the session's active one), or that it was declined. A visitor is asked to sign
 * in with the invited address (a link to `loginHref`). The server's refusals are said in a
 * role="alert" box: an unverified address (EMAIL_VERIFICATION_REQUIRED_FOR_INVITATION, in the
 * server's words), another address's invitation, one that is gone (invitationNotFound). Needs an
 * AuthProvider.
 */
export function AcceptInvitation(props: AcceptInvitationProps): ReactElement;

export interface UserMenuProps {
  loginHref?: string;
  signUpHref?: string;
  /** An "Account" link in the menu. */
  accountHref?: string;
  /** An "Organizations" link in the menu (the server's --organization). */
  organizationsHref?: string;
  onSignOut?: () => void;
  /** The link component (e.g. Docusaurus's Link, given `to`); default <a href>. */
  link?: ComponentType<any> | 'a';
  className?: string;
  text?: Texts;
}

/** The user's name opening a panel with the e-mail and "Sign out"; "Sign in" when signed out. */
export function UserMenu(props: UserMenuProps): ReactElement;
