// portcullis/react: session state, forms, strength meter and user menu for React 18+.
//
// Plain ESM without JSX, so that Node and every bundler take it as it is. Nothing runs at import:
// the wasm core is loaded in an effect (in the browser only), so server-side rendering (Docusaurus's
// build) renders the forms without it. Style: import 'portcullis/react/styles.css' (Infima's
// variables, with fallbacks outside Docusaurus).
import * as ReactNamespace from 'react';

import { createClient, passkeyAutofillSupported, passkeySupported } from '../client/index.js';
import { load, loadStrength } from '../../wasm/index.js';

const React = ReactNamespace.default ?? ReactNamespace;
const { createContext, createElement: h, useCallback, useContext, useEffect, useMemo, useRef, useState } = React;

// ---- the wasm core --------------------------------------------------------------------------------

let loadedCore = null;
let strengthCore = null;

function useLoaded(loader, cached, remember, active) {
  const [core, setCore] = useState(cached);
  useEffect(() => {
    if (core || !active) return undefined;
    let live = true;
    loader().then(
      (c) => {
        remember(c);
        if (live) setCore(c);
      },
      () => {
        /* the server still validates; the forms work without the core */
      },
    );
    return () => {
      live = false;
    };
  }, [core, active]); // eslint-disable-line react-hooks/exhaustive-deps
  return core;
}

/** The wasm core (validation) once it is loaded in this browser, else null (always null in SSR). */
export function useCore() {
  return useLoaded(load, loadedCore, (c) => (loadedCore = c), true);
}

/**
 * The wasm core with the strength dictionaries loaded (a second, larger download), else null.
 * Loading starts when `active` is first true (e.g. once the user is in the sign-up form).
 */
export function useStrengthCore(active = true) {
  return useLoaded(loadStrength, strengthCore, (c) => (strengthCore = c), active);
}

const isThenable = (v) => v !== null && typeof v === 'object' && typeof v.then === 'function';

/**
 * A password's strength (zxcvbn's result) as the user types, or null until the core and its
 * dictionaries are loaded. `userInputs`: passwordUserInputs(email, name).
 */
export function useStrength(core, password, userInputs = []) {
  const key = JSON.stringify([password, userInputs]);
  const [state, setState] = useState({ key: null, strength: null });
  let sync = null;
  let pending = null;
  const ready = core && password && core.strengthLoaded !== false;
  if (ready) {
    try {
      const out = core.estimateStrength(password, userInputs);
      if (isThenable(out)) pending = out;
      else sync = out;
    } catch {
      sync = null;
    }
  }
  useEffect(() => {
    if (!pending) return undefined;
    let live = true;
    pending.then(
      (strength) => live && setState({ key, strength }),
      () => live && setState({ key, strength: null }),
    );
    return () => {
      live = false;
    };
  }, [key, core]); // eslint-disable-line react-hooks/exhaustive-deps
  if (!ready) return null;
  if (sync) return sync;
  return state.key === key ? state.strength : null;
}

const JS_SPACE = /\s/;
const isSeparator = (c) => (c.charCodeAt(0) < 0x80 ? !/[A-Za-z0-9]/.test(c) : JS_SPACE.test(c));
function split(s, separator) {
  const out = [];
  let start = 0;
  for (let i = 0; i <= s.length; i++) {
    if (i === s.length || separator(s[i])) {
      if (i > start) out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  return out;
}

/**
 * The words of a user that make a password guessable, as the server computes them (the core's
 * password_user_inputs): the e-mail, its local part, the name, their words, the domain's labels
 * but the last; lowercased, 3 to 256 UTF-16 units, no repeats. Uses the core's own export when it
 * has one.
 */
export function passwordUserInputs(email, name, core) {
  if (core && typeof core.passwordUserInputs === 'function') return core.passwordUserInputs(email, name);
  const address = String(email ?? '').toLowerCase().trim();
  const fullName = String(name ?? '').toLowerCase().trim();
  const at = address.lastIndexOf('@');
  const local = at < 0 ? address : address.slice(0, at);
  const labels = at < 0 ? [] : split(address.slice(at + 1), (c) => c === '.').slice(0, -1);
  const out = [];
  const add = (item) => {
    if (item.length >= 3 && item.length <= 256 && !out.includes(item)) out.push(item);
  };
  [address, local, fullName, ...split(local, isSeparator), ...split(fullName, isSeparator), ...labels].forEach(add);
  return out;
}

/**
 * The verdict the server gives a new password: its length rules, then the minimum score.
 * Returns {ok: true} or {ok: false, code, message, ...}; for PASSWORD_TOO_WEAK the message is
 * the estimator's warning (or the generic message), as the server words it. `strength` is
 * estimateStrength's result for passwordUserInputs(email, name), or null when not loaded (then
 * only the length rules are checked).
 */
export function passwordVerdict(core, password, strength, { minScore = 2, policy } = {}) {
  const length = core.checkPassword(password, policy);
  if (!length.ok) return length;
  if (strength && minScore > 0 && strength.score < minScore) {
    return {
      ok: false,
      code: 'PASSWORD_TOO_WEAK',
      message: strength.feedback.warning || (core.errorMessage('PASSWORD_TOO_WEAK') ?? 'Password is too weak'),
      score: strength.score,
      feedback: strength.feedback,
    };
  }
  return { ok: true };
}

// ---- session -----------------------------------------------------------------------------------------

const AuthContext = createContext(null);

/**
 * Holds the session for its children. Props: `client` (from createClient or fromBetterAuth), or
 * `baseURL` (the server) to create one. The session is fetched on mount, after every sign-in,
 * sign-out or change (in this tab or another), and when the tab becomes visible again.
 */
export function AuthProvider({ client, baseURL, basePath, children }) {
  const auth = useMemo(() => client ?? createClient({ baseURL, basePath }), [client, baseURL, basePath]);
  const [state, setState] = useState({ status: 'loading', data: null, error: null });
  const seq = useRef(0);

  const refetch = useCallback(async () => {
    const mine = ++seq.current;
    const r = await auth.getSession();
    if (mine !== seq.current) return;
    if (r.ok) setState({ status: r.value ? 'authenticated' : 'unauthenticated', data: r.value, error: null });
    else if (r.status === 401) setState({ status: 'unauthenticated', data: null, error: null });
    else setState((s) => ({ ...s, status: s.status === 'loading' ? 'unauthenticated' : s.status, error: r }));
  }, [auth]);

  useEffect(() => {
    refetch();
    const unsubscribe = auth.subscribe(() => refetch());
    let last = Date.now();
    const onVisible = () => {
      if (document.visibilityState === 'visible' && Date.now() - last > 1000) {
        last = Date.now();
        refetch();
      }
    };
    document.addEventListener('visibilitychange', onVisible);
    window.addEventListener('focus', onVisible);
    return () => {
      unsubscribe();
      document.removeEventListener('visibilitychange', onVisible);
      window.removeEventListener('focus', onVisible);
    };
  }, [auth, refetch]);

  const value = useMemo(
    () => ({
      client: auth,
      status: state.status,
      data: state.data,
      user: state.data?.user ?? null,
      session: state.data?.session ?? null,
      error: state.error,
      refetch,
      signOut: () => auth.signOut(),
    }),
    [auth, state, refetch],
  );
  return h(AuthContext.Provider, { value }, children);
}

function useAuthContext(hook) {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error(`${hook}() needs an <AuthProvider> above it`);
  return ctx;
}

/**
 * The session: {status: 'loading' | 'authenticated' | 'unauthenticated', data, user, session,
 * error, refetch(), signOut()}. Status is 'loading' during SSR and until the first answer.
 */
export function useSession() {
  return useAuthContext('useSession');
}

/** The AuthProvider's client. */
export function useAuthClient() {
  return useAuthContext('useAuthClient').client;
}

// ---- forms -------------------------------------------------------------------------------------------

// The props of a link to `href` for `LinkComponent`: <a href>, or a router's Link (to).
const linkTo = (LinkComponent, href) => (LinkComponent === 'a' ? { href } : { to: href });

// A URL prop that may be a function, called when the form is sent (in the browser, where a page
// can use window.location).
const resolveURL = (url) => (typeof url === 'function' ? url() : url);

const DEFAULT_TEXT = {
  name: 'Name',
  email: 'E-mail',
  username: 'Username',
  optional: (label) => `${label} (optional)`,
  emailOrUsername: 'E-mail or username',
  usernameChecking: 'Checking…',
  usernameAvailable: 'Username is available.',
  usernameTaken: 'Username is already taken. Please try another.',
  password: 'Password',
  signUp: 'Create account',
  signIn: 'Sign in',
  working: 'Please wait…',
  required: (label) => `${label} is required`,
  strength: 'Password strength',
  scores: ['Very weak', 'Weak', 'Fair', 'Strong', 'Very strong'],
  loading: 'Loading the strength meter…',
  signOut: 'Sign out',
  signedInAs: 'Signed in as',
  showPassword: 'Show password',
  forgotPassword: 'Forgot your password?',
  sendResetLink: 'Send the reset link',
  newPassword: 'New password',
  setPassword: 'Set the new password',
  passwordReset: 'Your password is changed, and every session of your account is signed out. Sign in with the new password.',
  invalidResetLink: 'This link is invalid or has expired. Ask for a new one.',
  currentPassword: 'Current password',
  changePassword: 'Change password',
  signOutOthers: 'Sign out of my other devices',
  passwordChanged: 'Your password is changed.',
  account: 'Account',
  thisDevice: 'This device',
  unknownDevice: 'Unknown device',
  signedInAt: 'signed in',
  revoke: 'Sign out',
  revokeOthers: 'Sign out of all other devices',
  noOtherSessions: 'No other device is signed in.',
  sessionsNotFresh: 'For your security, sign in again to see the devices signed in to your account.',
  signInAgain: 'Sign out, then sign in again',
  deleteAccount: 'Delete my account',
  deleteConfirmation: 'This deletes your account and everything in it, and signs you out. It cannot be undone.',
  deleteMailed: 'We have e-mailed you a link. Follow it, in this browser, to delete your account.',
  verifyEmailSent: (email) => `We have sent a link to ${email}. Follow it to verify your address, then sign in.`,
  emailNotVerified: 'Your e-mail address is not verified yet. We have sent you a new link: follow it, then sign in.',
  save: 'Save',
  profileSaved: 'Saved.',
  unverified: (email) => `Your e-mail address ${email} is not verified yet.`,
  sendVerification: 'Send the verification link',
  verificationSent: 'Sent: check your e-mail.',
  keepSignedIn: 'Keep me signed in',
  currentEmail: 'Now',
  newEmail: 'New e-mail address',
  changeEmail: 'Change e-mail address',
  emailChangeSent: 'Check your e-mail: follow the link we have sent to finish the change.',
  // a change of address with codes (ChangeEmailForm's `code`, the server's --email-otp-change-email)
  changeEmailConfirmSent: (email) => `We sent a code to ${email}, your current address, to confirm the change. Enter it here.`,
  changeEmailCodeSent: (email) => `We sent a code to ${email}. Enter it to finish the change.`,
  changeEmailConfirmResent: (email) => `We sent a new code to ${email}; the one before no longer works.`,
  changeEmailCodeResent: (email) => `We sent a new code to ${email}; the one before no longer works.`,
  changeEmailDone: (email) => `Your e-mail address is now ${email}, verified.`,
  currentEmailCode: 'Code sent to your current address',
  newEmailCode: 'Code sent to the new address',
  continue: 'Continue',
  back: 'Back',
  emailIsTheSame: 'This is already your e-mail address.',
  emailInUse: 'This e-mail address is already in use by another account.',
  changeEmailDisabled: 'Changing the e-mail address with a code is not available.',
  codeWrong: 'This code is not right. Check the e-mail and try again.',
  codeDead: 'This code has expired or had too many wrong tries. Send a new code.',
  tooManyCodes: 'Too many codes were sent. Wait a few minutes, then try again.',
  totpCode: 'Code from your authenticator app',
  totpHelp: 'Two-step verification is on for this account: enter the 6-digit code your authenticator app shows.',
  backupCode: 'Backup code',
  backupCodeHelp: 'Enter one of the backup codes you saved when you turned two-step verification on. Each works once.',
  verify: 'Verify',
  trustDevice: 'Trust this browser for 30 days',
  useBackupCode: 'Use a backup code instead',
  useAuthenticator: 'Use the authenticator app instead',
  otpCode: 'Code from the e-mail',
  emailMeCode: 'Email me a code',
  sendNewCode: 'Send a new code',
  otpSending: 'Sending a code to your e-mail address…',
  otpSent: 'We sent a 6-digit code to your e-mail address. It works once, for 3 minutes.',
  otpResent: 'We sent a new 6-digit code to your e-mail address; the one before no longer works.',
  otpExpired: 'This code has expired or was already used. Send a new code.',
  signInAgainNeeded: 'Too many attempts, or the sign-in took too long. Sign in again.',
  twoFactorIntro: 'Two-step verification asks for a code from an authenticator app on your phone each time you sign in, after your password.',
  twoFactorIntroOtp: 'Two-step verification asks for a code each time you sign in, after your password: from an authenticator app on your phone, or sent to your e-mail address.',
  twoFactorMethod: 'Where the codes come from',
  useAuthenticatorApp: 'Use an authenticator app',
  useEmailCodes: 'Use codes sent by e-mail',
  twoFactorOtpOn: 'Two-step verification is on: each sign-in asks for a code sent to your e-mail address.',
  noBackupCodes: 'Backup codes come with an authenticator app: codes sent by e-mail need none.',
  otpNeedsVerifiedEmail: 'Verify your e-mail address first: codes are only sent to a verified address.',
  turnOnTwoFactor: 'Turn on two-step verification',
  twoFactorSetup: 'Add this account to your authenticator app (Google Authenticator, Microsoft Authenticator, 1Password, Bitwarden, …): scan the QR code, open the link on your phone, or enter the key by hand.',
  qrCode: 'QR code for your authenticator app',
  openInApp: 'Open in an authenticator app',
  setupKey: 'Key',
  saveBackupCodes: 'Keep these backup codes somewhere safe. Each signs you in once if you lose your phone.',
  confirmTwoFactor: 'Enter the code the app shows, to finish',
  twoFactorIsOn: 'Two-step verification is on.',
  twoFactorTurnedOff: 'Two-step verification is off.',
  newBackupCodes: 'New backup codes',
  newBackupCodesHelp: 'The old backup codes stop working.',
  turnOffTwoFactor: 'Turn off two-step verification',
  addAuthenticatorApp: 'Add an authenticator app',
  addAuthenticatorAppHelp: 'Sign-ins then take its codes too, and you get backup codes for when you have neither.',
  authenticatorAppAdded: 'Your authenticator app is added: sign-ins take its codes too, or a backup code.',
  // codes sent by e-mail instead of a link or a password (the server's --email-otp)
  emailCode: 'Code from the e-mail',
  emailCodeFormat: 'Enter the 6 digits of the code in the e-mail.',
  newCodeNeeded: (message) => `${String(message).replace(/[.\s]+$/, '')}. Send a new code.`,
  emailCodeResent: (email) => `We have sent a new code to ${email}; the one before no longer works.`,
  sendCode: 'Send the code',
  emailSignIn: 'E-mail me a sign-in code',
  emailSignInHelp: 'We will e-mail you a 6-digit code that signs you in, without your password.',
  emailSignInSent: (email) => `We have sent a 6-digit code to ${email}. Enter it to sign in; it works once, for a few minutes.`,
  usePassword: 'Sign in with a password instead',
  useAnotherEmail: 'Use another e-mail address',
  resetCodeHelp: 'We will e-mail you a 6-digit code to set a new password with.',
  resetCodeSent: (email) => `If ${email} has an account, we have sent it a 6-digit code. Enter it with your new password.`,
  verifyCodeSent: (email) => `We have sent a 6-digit code to ${email}. Enter it to verify your address.`,
  emailNotVerifiedCode: 'Your e-mail address is not verified yet. We have sent a 6-digit code to it: enter it to verify the address.',
  sendVerificationCode: 'Send a verification code',
  emailVerified: 'Your e-mail address is verified.',
  emailVerifiedSignIn: 'Your e-mail address is verified. You can sign in.',
  // sign-in links sent by e-mail (the server's --magic-link)
  emailLinkSignIn: 'E-mail me a sign-in link',
  emailLinkHelp: 'We will e-mail you a link that signs you in, without your password.',
  sendLink: 'Send the link',
  emailLinkSent: (email) => `Check your inbox: we have sent a sign-in link to ${email}. Open it in this browser; it works once, for a few minutes.`,
  emailLinkResent: (email) => `Check your inbox: we have sent a new sign-in link to ${email}.`,
  sendLinkAgain: 'Send the link again',
  linkInvalid: 'This sign-in link has expired or was already used: ask for a new one.',
  linkSignUpDisabled: 'This sign-in link cannot create an account: new accounts are not accepted at the moment.',
  linkBanned: 'You have been banned from this application. Please contact support if you believe this is an error.',
  linkFailed: 'This sign-in link did not work: ask for a new one.',
  // Passkeys (the server's --passkey): the sign-in's button, and what a sign-in with one may meet
  passkeySignIn: 'Sign in with a passkey',
  passkeyWaiting: 'Waiting for your passkey…',
  passkeyCancelled: 'No passkey was used: the prompt was closed, or this device has no passkey for this site. Try again, or sign in another way.',
  passkeyUnknown: 'This passkey is no longer registered with your account. Sign in another way; you can add it again on your account page.',
  passkeyFailed: 'This passkey could not be verified. Try again, or sign in another way.',
  passkeyExpired: 'The passkey prompt was open too long. Try again.',
  passkeyNotSupported: 'This browser does not support passkeys.',
  passkeyError: (message) => `Your browser could not use a passkey: ${message}`,
  // the badge beside the way this browser signed in last (SignInForm's `lastUsed`, the server's --last-login-method)
  lastUsed: 'Last used',
  // UserMenu's link to the organizations page (`organizationsHref`, the server's --organization)
  organizations: 'Organizations',
};

// PasskeySettings' labels and messages (apart, so that a bundler drops them with the component).
const PASSKEY_TEXT = {
  passkeysIntro: 'A passkey signs you in with your device’s screen lock (fingerprint, face or PIN), your phone or a security key, instead of your password.',
  passkeyName: 'Name',
  addPasskey: 'Add a passkey',
  passkeyAdded: (name) => (name ? `Passkey “${name}” added. You can now sign in with it.` : 'Passkey added. You can now sign in with it.'),
  passkeyRenamed: (name) => `Passkey renamed to “${name}”.`,
  passkeyDeleted: (name) => `Passkey “${name}” deleted.`,
  noPasskeys: 'You have no passkeys yet.',
  yourPasskeys: 'Your passkeys',
  unnamedPasskey: 'Passkey',
  passkeyCreated: (date) => `added ${date}`,
  passkeySynced: 'synced between your devices',
  passkeySingleDevice: 'on one device',
  rename: 'Rename',
  renameLabel: (name) => `Rename ${name}`,
  remove: 'Delete',
  removeLabel: (name) => `Delete ${name}`,
  cancel: 'Cancel',
  deletePasskeyConfirmation: (name) => `Delete “${name}”? You can no longer sign in with it (your device may keep offering it: remove it there too).`,
  confirmDeletePasskey: (name) => `Delete ${name}`,
  passkeyRegistrationCancelled: 'No passkey was added: the prompt was closed.',
  passkeyPreviouslyRegistered: 'This device or security key already holds a passkey for your account.',
  passkeyNotAdded: 'The passkey could not be added. Try again, or use another device.',
  passkeyNotFresh: 'For your security, sign in again to add a passkey.',
  passkeyUnavailable: 'The server does not offer passkeys (its --passkey option is off).',
  passkeyMissing: 'This passkey no longer exists.',
};

// AdminUsers' labels and messages (apart, so that a bundler drops them with the component).
const ADMIN_TEXT = {
  notAdmin: 'You are not an administrator.',
  notAdminHelp: 'This page is for administrators. An administrator can give your account the admin role.',
  adminSignIn: 'Sign in as an administrator to manage the users.',
  adminUnavailable: 'The server does not offer administration (its --admin option is off).',
  searchUsers: 'Search users',
  searchBy: 'Search by',
  search: 'Search',
  users: (total) => (total === 1 ? '1 user' : `${total} users`),
  noUsers: 'No users found.',
  role: 'Role',
  verified: 'Verified',
  banned: 'Banned',
  created: 'Created',
  actions: 'Actions',
  yes: 'Yes',
  no: 'No',
  you: 'you',
  bannedFor: (reason) => (reason ? `Banned: ${reason}` : 'Banned'),
  bannedUntil: (date) => (date ? `until ${date}` : 'until unbanned'),
  manage: 'Manage',
  makeAdmin: 'Make admin',
  makeUser: 'Make user',
  ban: 'Ban',
  unban: 'Unban',
  banReason: 'Reason',
  banDuration: 'Duration',
  banForever: 'Until unbanned',
  banDurations: [[3600, '1 hour'], [86400, '1 day'], [604800, '7 days'], [2592000, '30 days']],
  signOutEverywhere: 'Sign out everywhere',
  setUserPassword: 'Set password',
  removeUser: 'Remove user',
  removeConfirmation: (email) => `This deletes ${email}, with their sessions. It cannot be undone.`,
  confirmRemove: (email) => `Remove ${email}`,
  cancel: 'Cancel',
  previous: 'Previous',
  next: 'Next',
  pages: 'Pages',
  showing: (from, to, total) => `${from}–${to} of ${total}`,
  createUserTitle: 'Create a user',
  createUser: 'Create user',
  markVerified: 'Mark the address as verified',
  roleChanged: (email, role) => `${email} is now ${role === 'admin' ? 'an administrator' : 'a user'}.`,
  userBanned: (email) => `${email} is banned and signed out everywhere.`,
  userUnbanned: (email) => `${email} is no longer banned.`,
  userSignedOut: (email) => `${email} is signed out everywhere.`,
  userPasswordSet: (email) => `The password of ${email} is set; they are signed out everywhere.`,
  userRemoved: (email) => `${email} is removed.`,
  userCreated: (email) => `${email} is created.`,
  // impersonation (the server's --admin-impersonation; the `impersonation` prop)
  impersonate: 'Sign in as this user',
  impersonateConfirmation: (email) =>
    `You will be signed in as ${email}, to see the site as they see it, for a limited time (an hour by default). Your own session waits: "Stop impersonating" brings you back.`,
  confirmImpersonate: (email) => `Sign in as ${email}`,
  impersonationUnavailable: 'The server does not offer impersonation (its --admin-impersonation option is off).',
  impersonated: (email) => `You are now signed in as ${email}…`,
};

// ImpersonationBanner's (apart too).
const IMPERSONATION_TEXT = {
  impersonation: 'Impersonation',
  impersonatingAs: (name, email) => `You are signed in as ${name && name !== email ? `${name}, ${email}` : email} (impersonation).`,
  stopImpersonating: 'Stop impersonating',
  adminSessionEnded: 'Your administrator session has ended; sign in again.',
};

let idCounter = 0;
function useStableId(prefix) {
  const reactId = typeof React.useId === 'function' ? React.useId() : null;
  const ref = useRef(null);
  if (ref.current === null) ref.current = reactId ? `${prefix}${reactId.replace(/:/g, '')}` : `${prefix}${++idCounter}`;
  return ref.current;
}

// A labelled input with its error line. A password field also gets a "show password" checkbox
// (`revealLabel`), which shows the typed password as text while it is checked.
function Field({ id, label, type, value, onChange, onBlur, error, autoComplete, inputRef, describedBy, revealLabel, inputProps, children }) {
  const errorId = `${id}-error`;
  const described = [error ? errorId : null, describedBy].filter(Boolean).join(' ') || undefined;
  const [revealed, setRevealed] = useState(false);
  const reveal =
    type === 'password' && revealLabel
      ? h(
          'label',
          { className: 'pc-reveal' },
          h('input', { type: 'checkbox', checked: revealed, 'aria-controls': id, onChange: (e) => setRevealed(e.target.checked) }),
          ' ',
          revealLabel,
        )
      : null;
  return h(
    'div',
    { className: 'pc-field' + (error ? ' pc-field--invalid' : '') },
    h('label', { className: 'pc-label', htmlFor: id }, label),
    h('input', {
      id,
      name: id.replace(/^.*-/, ''),
      className: 'pc-input',
      type: type === 'password' && revealed ? 'text' : type,
      value,
      autoComplete,
      ref: inputRef,
      'aria-invalid': error ? 'true' : 'false',
      'aria-describedby': described,
      onChange: (e) => onChange(e.target.value),
      onBlur,
      ...inputProps,
    }),
    reveal,
    h('div', { id: errorId, className: 'pc-error', 'aria-live': 'polite', 'data-field-error': id }, error ?? ''),
    children,
  );
}

// The server's answers about a username (its --username), shown under the username's field.
const USERNAME_CODES = new Set(['USERNAME_TOO_SHORT', 'USERNAME_TOO_LONG', 'INVALID_USERNAME', 'INVALID_DISPLAY_USERNAME', 'USERNAME_IS_ALREADY_TAKEN']);

// A username is typed as it is: no capital letter added, no spelling checked.
const USERNAME_INPUT = { autoCapitalize: 'none', autoCorrect: 'off', spellCheck: false };

/** Whether a server error is about the new password itself (shown under its field). */
const aboutNewPassword = (code) => code.startsWith('PASSWORD_TOO_') || code === 'PASSWORD_COMPROMISED';

/** The field a server error belongs to, by its code (or VALIDATION_ERROR's "[body.field]"). */
function fieldOf(failure, fields) {
  const c = failure.code;
  if (c === 'VALIDATION_ERROR') {
    const m = /\[body\.(\w+)\]/.exec(failure.message);
    if (m && fields.includes(m[1])) return m[1];
  }
  if ((c === 'INVALID_EMAIL' || c.startsWith('USER_ALREADY_EXISTS')) && fields.includes('email')) return 'email';
  if ((c === 'INVALID_NAME' || c === 'NAME_TOO_LONG') && fields.includes('name')) return 'name';
  if (USERNAME_CODES.has(c) && fields.includes('username')) return 'username';
  if (aboutNewPassword(c) && fields.includes('password')) return 'password';
  return null;
}

/** The text shown for a failure: its message (for PASSWORD_TOO_WEAK, the estimator's warning). */
function describe(failure) {
  return failure.message;
}

function useForm(fields, initial = {}) {
  const [values, setValues] = useState(() => Object.fromEntries(fields.map((f) => [f, initial[f] ?? ''])));
  const [touched, setTouched] = useState({});
  const [serverErrors, setServerErrors] = useState({});
  const [formError, setFormError] = useState(null);
  const [pending, setPending] = useState(false);
  const refs = useRef(Object.fromEntries(fields.map((f) => [f, { current: null }]))).current;
  const formErrorRef = useRef(null);

  // The errors to show: the server's, else the local ones of the fields the user has left once.
  const errorsFrom = (local) => {
    const errors = {};
    for (const f of fields) {
      if (serverErrors[f]) errors[f] = serverErrors[f];
      else if (touched[f] && local[f]) errors[f] = local[f];
    }
    return errors;
  };
  const set = (f) => (v) => {
    setValues((old) => ({ ...old, [f]: v }));
    setServerErrors((old) => (old[f] ? { ...old, [f]: null } : old));
    setFormError(null);
  };
  const blur = (f) => () => {
    if (values[f] !== '') setTouched((old) => (old[f] ? old : { ...old, [f]: true }));
  };
  const focusFirst = (errs) => {
    const first = fields.find((f) => errs[f]);
    if (first) refs[first].current?.focus();
  };
  const form = { values, set, blur, refs, formError, setFormError, formErrorRef, setTouched, pending, errors: {} };
  let validate = () => ({});
  // Checks the values (every render) with `check(values)`, which returns {field: message or
  // undefined}; form.errors gets the ones to show.
  form.check = (check) => {
    validate = check;
    form.errors = errorsFrom(check(values));
  };
  // The submit handler. Once at a time: every field counts as visited and the first invalid one
  // gets the focus; else `send()` runs, and its failure goes to the field it belongs to
  // (`fieldFor(failure)`, by its code) or to the form's alert. `onOk(value)` gets a success.
  form.submitter = (send, onOk, fieldFor = (r) => fieldOf(r, fields)) => async (e) => {
    e.preventDefault();
    if (pending) return;
    const errs = validate(values);
    setTouched(Object.fromEntries(fields.map((f) => [f, true])));
    if (Object.values(errs).some(Boolean)) {
      focusFirst(errs);
      return;
    }
    setPending(true);
    const r = await send();
    setPending(false);
    if (r.ok) {
      onOk(r.value);
      return;
    }
    const field = fieldFor(r);
    if (field) {
      setServerErrors({ [field]: describe(r) });
      refs[field].current?.focus();
    } else setFormError(describe(r));
  };
  return form;
}

// A control with a badge beside it (SignInForm's "Last used"), which describes it; the control
// alone without `badge` ({id, label}).
function withBadge(control, badge) {
  if (!badge) return control;
  return h(
    'div',
    { key: control.key, className: 'pc-last-used-wrap' },
    React.cloneElement(control, { 'aria-describedby': badge.id }),
    h('span', { id: badge.id, className: 'pc-last-used' }, badge.label),
  );
}

// `after`: under the submit button, e.g. another way to do it. `submitBadge`: withBadge's, for
// the submit button.
function FormShell({ form, onSubmit, onFocus, title, level = 1, notice, submitLabel, submitRef, submitBadge, text, children, after, footer, className, testId, danger = false }) {
  useEffect(() => {
    if (form.formError) form.formErrorRef.current?.focus();
  }, [form.formError]); // eslint-disable-line react-hooks/exhaustive-deps
  return h(
    'form',
    { className: 'pc-form' + (className ? ` ${className}` : ''), noValidate: true, onSubmit, onFocus, 'aria-busy': form.pending ? 'true' : 'false', 'data-testid': testId },
    title ? h(`h${level}`, { className: 'pc-title' }, title) : null,
    notice ? h('p', { className: 'pc-notice__text', role: 'status' }, notice) : null,
    h(
      'div',
      { className: 'pc-alert', role: 'alert', tabIndex: -1, ref: form.formErrorRef, hidden: !form.formError },
      form.formError ?? '',
    ),
    children,
    withBadge(
      h(
        'button',
        { type: 'submit', className: `pc-button button button--${danger ? 'danger' : 'primary'}`, disabled: form.pending, ref: submitRef },
        form.pending ? text.working : submitLabel,
      ),
      submitBadge,
    ),
    after ? h('div', { className: 'pc-after' }, after) : null,
    footer ? h('div', { className: 'pc-footer' }, footer) : null,
  );
}

// A field for a new password, with the strength meter under it. Once the field's error says the
// estimator's warning, the meter does not say it a second time.
function NewPasswordField({ id, label, form, field, strength, core, minScore, policy, text }) {
  const error = form.errors[field];
  return h(
    Field,
    { id, label, type: 'password', autoComplete: 'new-password', value: form.values[field], onChange: form.set(field), onBlur: form.blur(field), error, inputRef: form.refs[field], describedBy: `${id}-meter`, revealLabel: text.showPassword },
    h(PasswordStrengthMeter, {
      id: `${id}-meter`,
      password: form.values[field],
      strength,
      core,
      minScore,
      policy,
      text,
      hideWarning: Boolean(error) && error === strength?.feedback?.warning,
    }),
  );
}

// The local verdicts on a field: required, then (once the core is loaded) the server's rules.
// Undefined when it passes.
function nameError(core, name, text, namePolicy) {
  if (!name.trim()) return text.required(text.name);
  const r = core?.validateName(name, namePolicy);
  return r && !r.ok ? r.message : undefined;
}

function emailError(core, email, text, label = text.email) {
  if (!email) return text.required(label);
  const r = core?.validateEmail(email);
  return r && !r.ok ? r.message : undefined;
}

// A username (the server's --username): empty is fine unless `required`; else the core's rules.
function usernameError(core, username, text, { policy, required = false, label = text.username } = {}) {
  if (!username) return required ? text.required(label) : undefined;
  const r = core?.validateUsername(username, policy);
  return r && !r.ok ? r.message : undefined;
}

// How long the typing must pause before a username's availability is asked.
const USERNAME_CHECK_DELAY = 500;

// Whether the typed username is free (is-username-available): asked once the typing pauses, for a
// username the core accepts (not before the core is loaded), once per username (any case), and not
// for `own` (the user's own, lower-cased). {name: the username lower-cased or null, state:
// 'checking' | 'available' | 'taken' | null, taken(name)}. A failed question (429
// TOO_MANY_REQUESTS, a server without --username, no network) says nothing: the state stays null,
// and the server still checks at submit.
function useUsernameAvailability(client, core, value, { policy, own = null, active = true }) {
  const [answers, setAnswers] = useState({}); // lower-cased username -> true (free) | false (taken)
  const [asking, setAsking] = useState(null);
  const checked = active && value && core ? core.validateUsername(value, policy) : null;
  const name = checked?.ok ? checked.value : null;
  const mine = name !== null && name === own;
  const known = name !== null && Object.prototype.hasOwnProperty.call(answers, name);
  const ask = name !== null && !mine && !known && typeof client.isUsernameAvailable === 'function';
  useEffect(() => {
    if (!ask) return undefined;
    const timer = setTimeout(async () => {
      setAsking(name);
      const r = await client.isUsernameAvailable(name);
      if (r.ok && typeof r.value?.available === 'boolean') setAnswers((a) => ({ ...a, [name]: r.value.available }));
      setAsking((n) => (n === name ? null : n));
    }, USERNAME_CHECK_DELAY);
    return () => clearTimeout(timer);
  }, [client, name, ask]);
  const state = name === null || mine ? null : known ? (answers[name] ? 'available' : 'taken') : asking === name ? 'checking' : null;
  return {
    name,
    state,
    taken: (n) => n && setAnswers((a) => ({ ...a, [n]: false })),
  };
}

// The username's field, with a line under it that says whether it is free.
function UsernameField({ id, label, form, availability, text }) {
  const { state } = availability;
  return h(
    Field,
    { id, label, type: 'text', autoComplete: 'username', value: form.values.username, onChange: form.set('username'), onBlur: form.blur('username'), error: form.errors.username, inputRef: form.refs.username, describedBy: `${id}-status`, inputProps: USERNAME_INPUT },
    h(
      'p',
      { id: `${id}-status`, className: 'pc-help pc-username-status', role: 'status', 'data-state': state ?? '' },
      state === 'available' ? text.usernameAvailable : state === 'checking' ? text.usernameChecking : '',
    ),
  );
}

// The username's error: the core's rules, else "taken" as soon as the server said so.
function withTaken(error, availability, text) {
  return error ?? (availability.state === 'taken' ? text.usernameTaken : undefined);
}

// For a new password: the length rules and the minimum score.
function newPasswordError(core, password, strength, { minScore, policy, text, label }) {
  if (!password) return text.required(label);
  if (!core) return undefined;
  const r = passwordVerdict(core, password, strength, { minScore, policy });
  return r.ok ? undefined : describe(r);
}

// What a form shows once it is done: a message in the form's frame, announced, with a footer.
function Notice({ title, level = 1, message, footer, className, testId }) {
  return h(
    'div',
    { className: 'pc-form pc-notice' + (className ? ` ${className}` : ''), 'data-testid': testId },
    title ? h(`h${level}`, { className: 'pc-title' }, title) : null,
    h('p', { className: 'pc-notice__text', role: 'status' }, message),
    footer ? h('div', { className: 'pc-footer' }, footer) : null,
  );
}

// ---- codes sent by e-mail (the server's --email-otp) -----------------------------------------------

// A code's field: digits on a phone's keyboard, and the code offered from the mail by the browser
// or the system (one-time-code).
const CODE_INPUT = { inputMode: 'numeric', autoCapitalize: 'none', autoCorrect: 'off', spellCheck: false };

// The code as typed, without the spaces or dashes a person may add ("123 456").
const typedCode = (value) => value.replace(/[\s-]+/g, '');

// The local verdict on a code: required, then 6 digits (the server's codes).
function codeError(value, text, label = text.emailCode) {
  const code = typedCode(value);
  if (!code) return text.required(label);
  return /^\d{6}$/.test(code) ? undefined : text.emailCodeFormat;
}

// The server's answers about a code, shown under its field: INVALID_OTP as it says; an expired
// code, or one that took too many wrong tries, with "Send a new code." added.
const CODE_FAILURES = new Set(['INVALID_OTP', 'OTP_EXPIRED', 'TOO_MANY_ATTEMPTS']);
const codeFailure = (r, text) => (r.code === 'OTP_EXPIRED' || r.code === 'TOO_MANY_ATTEMPTS' ? { ...r, message: text.newCodeNeeded(r.message) } : r);

// `actions`: [label, onClick, disabled?] of the buttons (that look like links) under it, e.g.
// "Send a new code".
function CodeField({ id, form, text, label = text.emailCode, actions = [] }) {
  const shown = actions.filter(Boolean);
  return h(
    Field,
    { id, label, type: 'text', autoComplete: 'one-time-code', value: form.values.otp, onChange: form.set('otp'), onBlur: form.blur('otp'), error: form.errors.otp, inputRef: form.refs.otp, inputProps: CODE_INPUT },
    shown.length
      ? h(
          'p',
          { className: 'pc-help pc-code-actions' },
          shown.map(([name, onClick, disabled = false], i) => [
            i ? ' · ' : null,
            h('button', { key: name, type: 'button', className: 'pc-link', onClick, disabled }, name),
          ]),
        )
      : null,
  );
}

// "Send a new code": `send()` mails one (resolving to the client's result); a failure goes to the
// form's alert. {sending, resent, resend}; `resent` stays true once a new code went.
function useResend(form, send) {
  const [sending, setSending] = useState(false);
  const [resent, setResent] = useState(false);
  const resend = async () => {
    setSending(true);
    form.setFormError(null);
    const r = await send();
    setSending(false);
    if (r.ok) {
      setResent(true);
      form.set('otp')('');
      form.setTouched({});
      form.refs.otp.current?.focus();
    } else form.setFormError(describe(r));
  };
  return { sending, resent, resend };
}

/**
 * The address's verification by a mailed code (the server's --email-otp-verification mails codes
 * instead of links): the code (and the address, when `email` is not known), "Send a new code";
 * `onVerified({status, token, user})` once the server took it (`token`: a session, with the
 * server's --auto-sign-in-after-verification).
 */
function VerifyEmailCodeForm({ email, notice, title, level, text, className, footer, inline = false, onVerified }) {
  const client = useAuthClient();
  const core = useCore();
  const prefix = useStableId('pc-verify-code');
  const form = useForm(['email', 'otp'], { email: email ?? '' });
  const address = email || form.values.email;
  form.check((v) => ({ email: email ? undefined : emailError(core, v.email, text), otp: codeError(v.otp, text) }));
  const onSubmit = form.submitter(
    async () => codeFailure(await client.emailOtp.verifyEmail({ email: address, otp: typedCode(form.values.otp) }), text),
    (value) => onVerified(value),
    (r) => (CODE_FAILURES.has(r.code) ? 'otp' : r.code === 'INVALID_EMAIL' && !email ? 'email' : null),
  );
  const { sending, resent, resend } = useResend(form, () => client.emailOtp.sendVerificationOtp({ email: address, type: 'email-verification' }));
  useEffect(() => {
    if (email) form.refs.otp.current?.focus();
  }, []); // eslint-disable-line react-hooks/exhaustive-deps
  return h(
    FormShell,
    {
      form,
      onSubmit,
      title,
      level,
      notice: resent ? text.emailCodeResent(address) : notice,
      submitLabel: text.verify,
      text,
      footer,
      className: inline ? 'pc-form--inline' + (className ? ` ${className}` : '') : className,
      testId: 'pc-verify-code',
    },
    email ? null : h(Field, { id: `${prefix}-email`, label: text.email, type: 'email', autoComplete: 'email', value: form.values.email, onChange: form.set('email'), onBlur: form.blur('email'), error: form.errors.email, inputRef: form.refs.email }),
    h(CodeField, { id: `${prefix}-otp`, form, text, actions: [[text.sendNewCode, resend, sending || !address]] }),
  );
}

/**
 * "E-mail me a sign-in code" (the server's --email-otp): the address, then the mailed code, which
 * signs in. `onSuccess(value)` gets the server's answer: a session's, or the second factor's
 * TwoFactorRedirect. `onBack()`: back to the password. `remember`: {ask, keep, setKeep, rememberMe},
 * the password form's "Keep me signed in".
 */
function EmailCodeSignInForm({ email, remember, text, title, className, footer, onSuccess, onBack }) {
  const client = useAuthClient();
  const core = useCore();
  const prefix = useStableId('pc-code-signin');
  const form = useForm(['email', 'otp'], { email });
  const [sent, setSent] = useState(false); // the code's step
  const address = form.values.email;
  form.check((v) => (sent ? { otp: codeError(v.otp, text) } : { email: emailError(core, v.email, text) }));
  const send = () => client.emailOtp.sendVerificationOtp({ email: address, type: 'sign-in' });
  const onSend = form.submitter(send, () => setSent(true), (r) => (r.code === 'INVALID_EMAIL' ? 'email' : null));
  const onSubmit = form.submitter(
    async () => {
      const rememberMe = remember.ask ? remember.keep : remember.rememberMe;
      return codeFailure(await client.signInEmailOtp({ email: address, otp: typedCode(form.values.otp), rememberMe }), text);
    },
    (value) => onSuccess(value),
    (r) => (CODE_FAILURES.has(r.code) ? 'otp' : null),
  );
  const { sending, resent, resend } = useResend(form, send);
  // The focus follows the step: the address first, then the code.
  useEffect(() => {
    (sent ? form.refs.otp : form.refs.email).current?.focus();
  }, [sent]); // eslint-disable-line react-hooks/exhaustive-deps
  const back = h('button', { type: 'button', className: 'pc-button button button--secondary', onClick: onBack }, text.usePassword);
  if (!sent) {
    return h(
      FormShell,
      { form, onSubmit: onSend, title, notice: text.emailSignInHelp, submitLabel: text.sendCode, text, after: back, footer, className, testId: 'pc-email-signin' },
      h(Field, { id: `${prefix}-email`, label: text.email, type: 'email', autoComplete: 'email', value: address, onChange: form.set('email'), onBlur: form.blur('email'), error: form.errors.email, inputRef: form.refs.email }),
    );
  }
  const another = () => {
    setSent(false);
    form.set('otp')('');
    form.setTouched({});
  };
  return h(
    FormShell,
    { form, onSubmit, title, notice: resent ? text.emailCodeResent(address) : text.emailSignInSent(address), submitLabel: text.signIn, text, after: back, footer, className, testId: 'pc-email-signin' },
    h(CodeField, { id: `${prefix}-otp`, form, text, actions: [[text.sendNewCode, resend, sending], [text.useAnotherEmail, another]] }),
    remember.ask
      ? h('label', { className: 'pc-check' }, h('input', { type: 'checkbox', checked: remember.keep, onChange: (e) => remember.setKeep(e.target.checked) }), ' ', text.keepSignedIn)
      : null,
  );
}

// ---- sign-in links sent by e-mail (the server's --magic-link) -------------------------------------

// This page's address without what a link's redirect adds (?error=, ?twoFactorRedirect=): where a
// sign-in link leads by default (the sign-in form is there to finish or explain it).
function pageURL() {
  const url = new URL(window.location.href);
  url.searchParams.delete('error');
  url.searchParams.delete('twoFactorRedirect');
  url.hash = '';
  return url.toString();
}

// What the sign-in form says for the ?error= of a link's redirect (SignInForm linkError).
function linkErrorMessage(code, text) {
  if (!code) return null;
  if (code === 'INVALID_TOKEN') return text.linkInvalid;
  if (code === 'new_user_signup_disabled') return text.linkSignUpDisabled;
  if (code === 'BANNED_USER') return text.linkBanned;
  return text.linkFailed;
}

/**
 * "E-mail me a sign-in link" (the server's --magic-link): the address, then "Check your inbox",
 * with "Send the link again" and "Use another e-mail address". `urls`: {callbackURL,
 * newUserCallbackURL, errorCallbackURL}, each a URL or a function (default: this page for the
 * first, the server's defaults for the others). `onBack()`: back to the password.
 */
function EmailLinkSignInForm({ email, urls, text, title, className, footer, onBack }) {
  const client = useAuthClient();
  const core = useCore();
  const prefix = useStableId('pc-link-signin');
  const form = useForm(['email'], { email });
  const [sent, setSent] = useState(false); // "Check your inbox"
  const [resent, setResent] = useState(false);
  const address = form.values.email;
  form.check((v) => (sent ? {} : { email: emailError(core, v.email, text) }));
  const send = () =>
    client.signInMagicLink({
      email: address,
      callbackURL: resolveURL(urls.callbackURL) ?? pageURL(),
      newUserCallbackURL: resolveURL(urls.newUserCallbackURL),
      errorCallbackURL: resolveURL(urls.errorCallbackURL),
    });
  const onSend = form.submitter(send, () => {
    setResent(false);
    setSent(true);
  });
  const onResend = form.submitter(send, () => setResent(true));
  // The focus follows the step: the address first, then the button that sends it again.
  const again = useRef(null);
  useEffect(() => {
    (sent ? again : form.refs.email).current?.focus();
  }, [sent]); // eslint-disable-line react-hooks/exhaustive-deps
  const secondary = (label, onClick) => h('button', { key: label, type: 'button', className: 'pc-button button button--secondary', onClick }, label);
  const back = secondary(text.usePassword, onBack);
  if (!sent) {
    return h(
      FormShell,
      { form, onSubmit: onSend, title, notice: text.emailLinkHelp, submitLabel: text.sendLink, text, after: back, footer, className, testId: 'pc-link-signin' },
      h(Field, { id: `${prefix}-email`, label: text.email, type: 'email', autoComplete: 'email', value: address, onChange: form.set('email'), onBlur: form.blur('email'), error: form.errors.email, inputRef: form.refs.email }),
    );
  }
  const another = () => {
    form.setFormError(null);
    form.setTouched({});
    setSent(false);
  };
  return h(
    FormShell,
    { form, onSubmit: onResend, title, notice: resent ? text.emailLinkResent(address) : text.emailLinkSent(address), submitLabel: text.sendLinkAgain, submitRef: again, text, after: [secondary(text.useAnotherEmail, another), back], footer, className, testId: 'pc-link-signin' },
  );
}

/**
 * The strength meter: a five-step bar, the score's name, zxcvbn's warning and suggestions.
 * Props: `password`, `email` and `name` (the server counts their words as guessable),
 * `minScore` (2: the server's default),
 * `policy` (the length rules), `strength` (an estimate already made; else it estimates itself),
 * `core` (optional). Its `data-score` and `data-verdict` ('accept' | 'reject') attributes say
 * what it shows.
 */
export function PasswordStrengthMeter({ password, email = '', name = '', minScore = 2, policy, strength, core: given, text: t, id, hideWarning = false }) {
  const text = { ...DEFAULT_TEXT, ...(t ?? {}) };
  const loaded = useStrengthCore(strength === undefined && !given && Boolean(password));
  const core = given ?? loaded;
  const own = useStrength(strength === undefined ? core : null, password, passwordUserInputs(email, name, core));
  const s = strength ?? own;
  const meterId = useStableId('pc-meter');
  if (!password) return h('div', { className: 'pc-meter pc-meter--empty', id: id ?? meterId, 'data-score': '' });
  if (!s) {
    return h('div', { className: 'pc-meter pc-meter--loading', id: id ?? meterId, 'aria-live': 'polite', 'data-score': '' }, text.loading);
  }
  // The server's verdict: the length rules too, not only the score.
  const accepted = core ? passwordVerdict(core, password, s, { minScore, policy }).ok : s.score >= minScore;
  const { warning, suggestions } = s.feedback;
  return h(
    'div',
    {
      className: `pc-meter pc-meter--score-${s.score}`,
      id: id ?? meterId,
      'data-score': String(s.score),
      'data-verdict': accepted ? 'accept' : 'reject',
    },
    h(
      'div',
      {
        className: 'pc-meter__bar',
        role: 'meter',
        'aria-label': text.strength,
        'aria-valuemin': 0,
        'aria-valuemax': 4,
        'aria-valuenow': s.score,
        'aria-valuetext': text.scores[s.score],
      },
      [0, 1, 2, 3].map((i) => h('span', { key: i, className: 'pc-meter__step' + (s.score > i ? ' pc-meter__step--on' : '') })),
    ),
    h(
      'div',
      { className: 'pc-meter__text', 'aria-live': 'polite' },
      h('span', { className: 'pc-meter__label' }, `${text.strength}: ${text.scores[s.score]}`),
      warning && !hideWarning ? h('p', { className: 'pc-meter__warning' }, warning) : null,
      suggestions.length
        ? h('ul', { className: 'pc-meter__suggestions' }, suggestions.map((x) => h('li', { key: x }, x)))
        : null,
    ),
  );
}

/**
 * The sign-up form. Props: `onSuccess({token, user})`, `minScore` (2), `passwordPolicy`,
 * `namePolicy`, `title`, `text` (labels), `footer` (e.g. a link to sign in), `callbackURL` (where
 * the verification link leads; a URL or a function returning one, called on submit), `username`
 * (the server's --username: true, a "Username (optional)" field; 'required', a "Username" field
 * that must be filled) with `usernamePolicy` ({minLength, maxLength}, the server's).
 * Validates as the user types with the wasm core; sends nothing until submitted, but the
 * username's availability, asked once the typing pauses ("Username is available.", or taken under
 * the field). When the server wants the address verified before the first sign-in (`token:
 * null`), the form then says that a link was mailed; with `verificationCode` (the server's
 * --email-otp-verification mails a code instead), it asks for the code, and once the address is
 * verified says so (or, when the server then signs in, calls `onSuccess({status, token, user})`).
 */
export function SignUpForm({ onSuccess, minScore = 2, passwordPolicy, namePolicy, username = false, usernamePolicy, title, text: t, footer, className, callbackURL, verificationCode = false }) {
  const text = { ...DEFAULT_TEXT, ...(t ?? {}) };
  const client = useAuthClient();
  const core = useCore();
  const [engaged, setEngaged] = useState(false); // the user is in the form: fetch the dictionaries
  const strengthCore = useStrengthCore(engaged);
  const prefix = useStableId('pc-signup');
  const form = useForm(['name', 'username', 'email', 'password']);
  const fields = username ? ['name', 'username', 'email', 'password'] : ['name', 'email', 'password'];
  const userInputs = passwordUserInputs(form.values.email, form.values.name, core);
  const strength = useStrength(strengthCore, form.values.password, userInputs);
  const [unverified, setUnverified] = useState(null); // the address a verification link went to
  const [verified, setVerified] = useState(false); // by the mailed code (verificationCode)
  const required = username === 'required';
  const availability = useUsernameAvailability(client, core, form.values.username, { policy: usernamePolicy, active: Boolean(username) });

  form.check((v) => ({
    name: nameError(core, v.name, text, namePolicy),
    username: username ? withTaken(usernameError(core, v.username, text, { policy: usernamePolicy, required }), availability, text) : undefined,
    email: emailError(core, v.email, text),
    password: newPasswordError(core, v.password, strength, { minScore, policy: passwordPolicy, text, label: text.password }),
  }));
  // "Taken" shows at once, before the field is left.
  if (username && availability.state === 'taken' && !form.errors.username) form.errors.username = text.usernameTaken;
  const onSubmit = form.submitter(
    async () => {
      const { name, email, password } = form.values;
      // The username as typed: the server stores it lower-cased, and shows it as typed.
      const chosen = username && form.values.username ? { username: form.values.username } : {};
      const r = await client.signUp({ name: name.trim(), email, password, ...chosen, callbackURL: resolveURL(callbackURL) });
      if (r.code === 'USERNAME_IS_ALREADY_TAKEN') availability.taken(availability.name);
      return r;
    },
    (value) => {
      // No session yet: the server wants the address verified first, and has mailed a link.
      if (value?.token === null) setUnverified(value.user?.email ?? form.values.email);
      onSuccess?.(value);
    },
    (r) => fieldOf(r, fields),
  );
  if (verified) return h(Notice, { title, message: text.emailVerifiedSignIn, footer, className, testId: 'pc-signup' });
  if (unverified && verificationCode) {
    return h(VerifyEmailCodeForm, {
      email: unverified,
      notice: text.verifyCodeSent(unverified),
      title,
      text,
      footer,
      className,
      onVerified: (value) => {
        if (value?.token) onSuccess?.(value);
        else setVerified(true);
      },
    });
  }
  if (unverified) return h(Notice, { title, message: text.verifyEmailSent(unverified), footer, className, testId: 'pc-signup' });

  return h(
    FormShell,
    { form, onSubmit, onFocus: () => setEngaged(true), title, submitLabel: text.signUp, text, footer, className, testId: 'pc-signup' },
    h(Field, { id: `${prefix}-name`, label: text.name, type: 'text', autoComplete: 'name', value: form.values.name, onChange: form.set('name'), onBlur: form.blur('name'), error: form.errors.name, inputRef: form.refs.name }),
    username ? h(UsernameField, { id: `${prefix}-username`, label: required ? text.username : text.optional(text.username), form, availability, text }) : null,
    h(Field, { id: `${prefix}-email`, label: text.email, type: 'email', autoComplete: 'email', value: form.values.email, onChange: form.set('email'), onBlur: form.blur('email'), error: form.errors.email, inputRef: form.refs.email }),
    h(NewPasswordField, { id: `${prefix}-password`, label: text.password, form, field: 'password', strength, core, minScore, policy: passwordPolicy, text }),
  );
}

// ---- passkeys (the server's --passkey) ----------------------------------------------------------

/** Whether this browser has WebAuthn, once mounted (false during server-side rendering), when `active`. */
function usePasskeySupported(active) {
  const [supported, setSupported] = useState(false);
  useEffect(() => {
    setSupported(active && passkeySupported());
  }, [active]);
  return supported;
}

/** Whether this browser offers passkeys in a field's autofill, once mounted and asked (false during server-side rendering), when `active`. */
function usePasskeyAutofillSupported(active) {
  const [supported, setSupported] = useState(false);
  useEffect(() => {
    let live = true;
    if (active) passkeyAutofillSupported().then((yes) => live && setSupported(yes));
    else setSupported(false);
    return () => {
      live = false;
    };
  }, [active]);
  return supported;
}

// The failures of SignInForm's passkey autofill that it does not say (see there).
const AUTOFILL_SILENT = new Set(['AUTH_CANCELLED', 'AUTOFILL_NOT_SUPPORTED', 'WEBAUTHN_ERROR']);

// What a passkey ceremony's failure says: in the texts' words for the codes a person can act on
// (the browser's prompt closed, a passkey the server no longer knows, ...), else the server's.
function passkeyFailureText(r, text) {
  switch (r.code) {
    case 'AUTH_CANCELLED':
      return text.passkeyCancelled;
    case 'REGISTRATION_CANCELLED':
      return text.passkeyRegistrationCancelled;
    case 'PREVIOUSLY_REGISTERED':
      return text.passkeyPreviouslyRegistered;
    case 'PASSKEY_NOT_FOUND':
      return text.passkeyUnknown;
    case 'AUTHENTICATION_FAILED':
      return text.passkeyFailed;
    case 'FAILED_TO_VERIFY_REGISTRATION':
      return text.passkeyNotAdded;
    case 'CHALLENGE_NOT_FOUND':
      return text.passkeyExpired;
    case 'SESSION_NOT_FRESH':
      return text.passkeyNotFresh;
    case 'WEBAUTHN_NOT_SUPPORTED':
      return text.passkeyNotSupported;
    case 'WEBAUTHN_ERROR':
      return text.passkeyError(r.message);
    default:
      return describe(r);
  }
}

/**
 * The sign-in form. Props: `onSuccess({user, token, ...})`, `rememberMe` (false: the session
 * ends with the browser, and lasts a day at most; with `askRememberMe`, what a "Keep me signed
 * in" checkbox starts as: checked unless false), `title`, `text`,
 * `footer`, `forgotPasswordHref` (a "Forgot your password?" link under the password) and `link`
 * (the component for it, e.g. Docusaurus's Link; default <a>), `notice` (a line above the fields,
 * e.g. "your address is verified"), `callbackURL` (where the verification link that the server
 * mails again to an unverified address leads; a URL or a function), `username` (the server's
 * --username: the first field is "E-mail or username"; with an '@' it signs in by e-mail, else by
 * username) with `usernamePolicy`. Checks the e-mail's form (or the username's) and the
 * password's upper bounds as the user types. `emailCode` (the server's --email-otp): "E-mail me a
 * sign-in code" under the button, which asks for the address, mails a code and signs in with it.
 * `verificationCode` (the server's --email-otp-verification): a sign-in refused because the
 * address is not verified asks for the code the server has mailed, then signs in. `emailLink` (the
 * server's --magic-link): "E-mail me a sign-in link" under the button (beside `emailCode`'s), which
 * asks for the address and mails a link; `true`, or {callbackURL, newUserCallbackURL,
 * errorCallbackURL} (each a URL or a function; default: this page, which the link's redirect then
 * finishes). Where such a link leads back: `twoFactorRedirect` (its ?twoFactorRedirect=true: true,
 * or the methods, default ['totp']) opens the second factor's step at once; `linkError` (its
 * ?error=) says why the link did not sign in. `passkey` (the server's --passkey): "Sign in with a
 * passkey" under the button (first), in browsers with WebAuthn only; the browser asks for the
 * passkey, and a user with the second factor on whose authenticator did not verify them gets its
 * step; a prompt closed (or no passkey of the site on the device) is said in the form's alert.
 * `passkey: true` also offers the site's passkeys in the first field's autofill, in browsers that
 * can (its autocomplete is then "username webauthn"): one picked there signs in as the button
 * does, without a click; its cancellations and the browser's refusal of the request say nothing,
 * its other failures are said in the alert, and a request that ended starts again on the field's
 * next focus. `passkey: {autoFill: false}`: the button only. `lastUsed` (default true; the
 * server's --last-login-method sets the cookie it reads): a "Last used" badge beside the way this
 * browser signed in last, when the form offers it (the password's button for 'email', the
 * passkey's, the code's or the link's button), read once mounted (none during server-side rendering).
 */
export function SignInForm({ onSuccess, rememberMe, askRememberMe = false, passwordPolicy, username = false, usernamePolicy, title, text: t, footer, className, forgotPasswordHref, link: LinkComponent = 'a', callbackURL, notice, emailCode = false, verificationCode = false, emailLink = false, twoFactorRedirect = false, linkError = null, passkey = false, lastUsed = true }) {
  const text = { ...DEFAULT_TEXT, ...(t ?? {}) };
  const client = useAuthClient();
  const core = useCore();
  const prefix = useStableId('pc-signin');
  const fields = ['email', 'password'];
  const form = useForm(fields);
  const [keep, setKeep] = useState(rememberMe !== false);
  // The server asks for the second factor: the methods it named; null while it does not. A sign-in
  // link's redirect names none (twoFactorRedirect: true): an authenticator app's, or a backup code.
  const linkChallenge = twoFactorRedirect ? (Array.isArray(twoFactorRedirect) ? twoFactorRedirect : ['totp']) : null;
  const [challenge, setChallenge] = useState(linkChallenge);
  const [restarted, setRestarted] = useState(null);
  // Why a sign-in link did not sign in (its redirect's ?error=), until another way is taken.
  const [linkFailure, setLinkFailure] = useState(linkError);
  // The page may learn of the link's redirect after the first render (its query, in the browser).
  useEffect(() => {
    if (linkChallenge) setChallenge(linkChallenge);
  }, [Boolean(twoFactorRedirect)]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => setLinkFailure(linkError), [linkError]);
  // 'password' | 'code' (a code by e-mail, emailCode) | 'link' (a link by e-mail, emailLink) |
  // 'verify' (the address's code, verificationCode)
  const [mode, setMode] = useState('password');
  // Back to the password from a code: the focus goes to the first field (the button is gone).
  const lastMode = useRef(mode);
  useEffect(() => {
    if (mode === 'password' && lastMode.current !== 'password') form.refs.email.current?.focus();
    lastMode.current = mode;
  }, [mode]); // eslint-disable-line react-hooks/exhaustive-deps
  // The method of this browser's last sign-in (the client's cookie), read once mounted: the page
  // rendered on the server has none, so the first render in the browser matches it.
  const [lastMethod, setLastMethod] = useState(null);
  useEffect(() => {
    setLastMethod(lastUsed && typeof client.getLastUsedLoginMethod === 'function' ? client.getLastUsedLoginMethod() : null);
  }, [lastUsed, client]);
  const badge = (method) => (lastMethod === method ? { id: `${prefix}-last-used`, label: text.lastUsed } : null);
  const label = username ? text.emailOrUsername : text.email;
  // With `username`, the first field is a username unless it has an '@'.
  const byUsername = (value) => Boolean(username) && !value.includes('@');
  form.check((v) => {
    const out = {
      email: v.email && byUsername(v.email) ? usernameError(core, v.email, text, { policy: usernamePolicy, required: true, label }) : emailError(core, v.email, text, label),
    };
    if (!v.password) out.password = text.required(text.password);
    if (!core) return out;
    if (!out.password) {
      const r = core.checkPasswordForSignIn(v.password, passwordPolicy);
      if (!r.ok) out.password = r.message;
    }
    return out;
  });
  const signInWithPassword = () => {
    const remember = askRememberMe ? keep : rememberMe;
    const { email: id, password } = form.values;
    const how = { password, rememberMe: remember, callbackURL: resolveURL(callbackURL) };
    return byUsername(id) ? client.signInUsername({ username: id, ...how }) : client.signIn({ email: id, ...how });
  };
  // A session, or the second factor's step.
  const signedIn = (value) => {
    if (value?.twoFactorRedirect) {
      setRestarted(null);
      setChallenge(Array.isArray(value.twoFactorMethods) ? value.twoFactorMethods : []);
    } else onSuccess?.(value);
  };
  const onSubmit = form.submitter(
    async () => {
      setLinkFailure(null);
      const r = await signInWithPassword();
      // The server has mailed the address a new link, or its code (verificationCode).
      if (r.code === 'EMAIL_NOT_VERIFIED' && verificationCode) return { ok: true, value: { emailNotVerified: true } };
      return r.ok || r.code !== 'EMAIL_NOT_VERIFIED' ? r : { ...r, message: text.emailNotVerified };
    },
    (value) => {
      if (value?.emailNotVerified) setMode('verify');
      else signedIn(value);
    },
    // Wrong credentials go to the form's alert (which of the two is wrong is not said); a username
    // the rules refuse, under the field.
    (r) => (r.code === 'INVALID_EMAIL_OR_PASSWORD' || r.code === 'INVALID_USERNAME_OR_PASSWORD' ? null : USERNAME_CODES.has(r.code) ? 'email' : fieldOf(r, fields)),
  );
  // The server's --passkey: the browser's passkey prompt, in browsers that have one (known only
  // once mounted: none during server-side rendering). Its ceremony cancels the autofill's (below:
  // one at a time), whose end then says nothing.
  const withPasskey = usePasskeySupported(Boolean(passkey));
  const [passkeyBusy, setPasskeyBusy] = useState(false);
  const buttonCeremony = useRef(false);
  const signInWithPasskey = async () => {
    if (passkeyBusy) return;
    setLinkFailure(null);
    setRestarted(null);
    form.setFormError(null);
    buttonCeremony.current = true;
    setPasskeyBusy(true);
    const r = await client.signInPasskey();
    buttonCeremony.current = false;
    setPasskeyBusy(false);
    if (r.ok) signedIn(r.value);
    else form.setFormError(passkeyFailureText(r, text));
  };
  // And its autofill (unless `passkey.autoFill` is false), where the browser offers it: the first
  // field's autocomplete says "webauthn", and while the form is at its password step a request
  // waits for a passkey picked in that field's autofill, which signs in as the button does. It
  // says nothing of its cancellations, nor of the browser refusing the request itself
  // (WEBAUTHN_ERROR, e.g. a page whose host is not under the server's rp id: nobody picked
  // anything, and the button says it when used); its other failures go to the alert, as the
  // button's. One that ended starts again on the field's next focus, not at once (an
  // authenticator may answer at once, again and again), unless the browser refused it (it would
  // again, at each focus); it is aborted when the form leaves the step, or goes.
  const autofill = usePasskeyAutofillSupported(Boolean(passkey) && passkey.autoFill !== false);
  const autofillOn = autofill && !challenge && mode === 'password';
  const autofillRequest = useRef(null);
  const autofillEnded = useRef(null);
  const autofillRefused = useRef(false);
  autofillEnded.current = (r) => {
    if (r.code === 'WEBAUTHN_ERROR') autofillRefused.current = true;
    if (r.ok) signedIn(r.value);
    else if (!AUTOFILL_SILENT.has(r.code) && !buttonCeremony.current) form.setFormError(passkeyFailureText(r, text));
  };
  const startAutofill = () => {
    if (autofillRequest.current || buttonCeremony.current || autofillRefused.current) return;
    const controller = new AbortController();
    autofillRequest.current = controller;
    client.signInPasskey({ autoFill: true, signal: controller.signal }).then((r) => {
      if (autofillRequest.current === controller) autofillRequest.current = null;
      if (!controller.signal.aborted) autofillEnded.current(r);
    });
  };
  useEffect(() => {
    if (!autofillOn) return undefined;
    startAutofill();
    return () => {
      autofillRequest.current?.abort();
      autofillRequest.current = null;
    };
  }, [autofillOn, client]); // eslint-disable-line react-hooks/exhaustive-deps
  if (challenge) {
    return h(SecondFactorForm, {
      methods: challenge,
      text,
      title,
      className,
      onSuccess: (value) => onSuccess?.(value),
      onRestart: () => {
        setChallenge(null);
        setMode('password');
        setRestarted(text.signInAgainNeeded);
        form.set('password')('');
      },
    });
  }
  if (mode === 'code') {
    return h(EmailCodeSignInForm, {
      email: form.values.email.includes('@') ? form.values.email : '',
      remember: { ask: askRememberMe, keep, setKeep, rememberMe },
      text,
      title,
      className,
      footer,
      onSuccess: signedIn,
      onBack: () => {
        setRestarted(null);
        setMode('password');
      },
    });
  }
  if (mode === 'link') {
    return h(EmailLinkSignInForm, {
      email: form.values.email.includes('@') ? form.values.email : '',
      urls: emailLink === true ? {} : emailLink,
      text,
      title,
      className,
      footer,
      onBack: () => {
        setRestarted(null);
        setMode('password');
      },
    });
  }
  if (mode === 'verify') {
    // Verified: a session when the server starts one, else the same sign-in again.
    const onVerified = async (value) => {
      if (value?.token) {
        onSuccess?.(value);
        return;
      }
      const r = await signInWithPassword();
      setMode('password');
      if (r.ok) signedIn(r.value);
      else setRestarted(text.emailVerifiedSignIn);
    };
    return h(VerifyEmailCodeForm, {
      email: byUsername(form.values.email) ? null : form.values.email,
      notice: text.emailNotVerifiedCode,
      title,
      text,
      footer,
      className,
      onVerified,
    });
  }
  const other = (next, label) =>
    h('button', {
      key: next,
      type: 'button',
      className: 'pc-button button button--secondary',
      onClick: () => {
        setLinkFailure(null);
        setMode(next);
      },
    }, label);
  const passkeyButton = withPasskey
    ? withBadge(h('button', { key: 'passkey', type: 'button', className: 'pc-button button button--secondary pc-passkey-signin', disabled: passkeyBusy || form.pending, 'aria-busy': passkeyBusy ? 'true' : 'false', onClick: signInWithPasskey }, passkeyBusy ? text.passkeyWaiting : text.passkeySignIn), badge('passkey'))
    : null;
  const others = [
    passkeyButton,
    emailCode ? withBadge(other('code', text.emailSignIn), badge('email-otp')) : null,
    emailLink ? withBadge(other('link', text.emailLinkSignIn), badge('magic-link')) : null,
  ].filter(Boolean);
  return h(
    FormShell,
    { form, onSubmit, title, notice: restarted ?? linkErrorMessage(linkFailure, text) ?? notice, submitLabel: text.signIn, submitBadge: badge('email'), text, after: others.length ? others : null, footer, className, testId: 'pc-signin' },
    h(Field, {
      id: `${prefix}-email`,
      label,
      type: username ? 'text' : 'email',
      autoComplete: autofill ? 'username webauthn' : 'username',
      value: form.values.email,
      onChange: form.set('email'),
      onBlur: form.blur('email'),
      error: form.errors.email,
      inputRef: form.refs.email,
      inputProps: { ...(username ? USERNAME_INPUT : {}), ...(autofillOn ? { onFocus: startAutofill } : {}) },
    }),
    h(
      Field,
      { id: `${prefix}-password`, label: text.password, type: 'password', autoComplete: 'current-password', value: form.values.password, onChange: form.set('password'), onBlur: form.blur('password'), error: form.errors.password, inputRef: form.refs.password, revealLabel: text.showPassword },
      forgotPasswordHref ? h('p', { className: 'pc-help' }, h(LinkComponent, linkTo(LinkComponent, forgotPasswordHref), text.forgotPassword)) : null,
    ),
    askRememberMe
      ? h('label', { className: 'pc-check' }, h('input', { type: 'checkbox', checked: keep, onChange: (e) => setKeep(e.target.checked) }), ' ', text.keepSignedIn)
      : null,
  );
}

// The second step of a sign-in when the server asks for it (--two-factor): a code from the
// authenticator app, a code mailed to the user (the server's --two-factor-otp: "otp" among the
// methods; mailed at once when it is the only one), or a backup code, and "trust this browser".
// `onSuccess({token, user})`; `onRestart()` when the sign-in must start over (too many wrong codes,
// or it expired).
function SecondFactorForm({ methods, text, title, className, onSuccess, onRestart }) {
  const client = useAuthClient();
  const prefix = useStableId('pc-2fa');
  const app = methods.includes('totp');
  const mail = methods.includes('otp');
  // 'totp' | 'otp' | 'backup': what the code field takes. Backup codes come with an app.
  const [mode, setMode] = useState(app ? 'totp' : mail ? 'otp' : 'backup');
  const [mailed, setMailed] = useState(null); // null, 'sending', 'sent', 'resent'
  const [trust, setTrust] = useState(false);
  const form = useForm(['code']);
  const label = mode === 'backup' ? text.backupCode : mode === 'otp' ? text.otpCode : text.totpCode;
  form.check((v) => ({ code: v.code.trim() ? undefined : text.required(label) }));
  const restartOn = (r) => {
    if (!r.ok && (r.code === 'TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE' || r.code === 'INVALID_TWO_FACTOR_COOKIE')) onRestart();
  };
  const onSubmit = form.submitter(
    async () => {
      // An app's or a mailed code may be typed "123 456"; backup codes are as shown.
      const code = mode === 'backup' ? form.values.code.trim() : form.values.code.replace(/\s+/g, '');
      const verify = mode === 'backup' ? client.verifyBackupCode : mode === 'otp' ? client.verifyTwoFactorOtp : client.verifyTotp;
      const r = await verify({ code, trustDevice: trust });
      restartOn(r);
      return r.code === 'OTP_HAS_EXPIRED' ? { ...r, message: text.otpExpired } : r;
    },
    (value) => onSuccess(value),
    (r) => (r.code === 'INVALID_CODE' || r.code === 'INVALID_BACKUP_CODE' || r.code === 'OTP_HAS_EXPIRED' ? 'code' : null),
  );
  const switchTo = (next) => {
    setMode(next);
    form.set('code')('');
    form.setTouched({});
  };
  // Mails a code (a new one replaces the last) and switches the field to it.
  const sendCode = async () => {
    const again = mode === 'otp' && mailed !== null;
    switchTo('otp');
    setMailed('sending');
    const r = await client.sendTwoFactorOtp();
    restartOn(r);
    setMailed(r.ok ? (again ? 'resent' : 'sent') : null);
    if (r.ok) form.refs.code.current?.focus();
    else form.setFormError(describe(r));
  };
  // Only mailed codes: the first one goes at once, when the step opens.
  const autoSent = useRef(false);
  useEffect(() => {
    if (mail && !app && !autoSent.current) {
      autoSent.current = true;
      sendCode();
    }
  }, []); // eslint-disable-line react-hooks/exhaustive-deps
  const notice =
    mode === 'backup' ? text.backupCodeHelp
    : mode === 'totp' ? text.totpHelp
    : mailed === 'sending' ? text.otpSending
    : mailed === 'resent' ? text.otpResent
    : mailed === 'sent' ? text.otpSent
    : null;
  const action = (label, onClick, disabled = false) =>
    h('p', { className: 'pc-help' }, h('button', { type: 'button', className: 'pc-link', onClick, disabled }, label));
  return h(
    FormShell,
    { form, onSubmit, title, notice, submitLabel: text.verify, text, className, testId: 'pc-second-factor' },
    h(Field, { id: `${prefix}-code`, label, type: 'text', autoComplete: 'one-time-code', value: form.values.code, onChange: form.set('code'), onBlur: form.blur('code'), error: form.errors.code, inputRef: form.refs.code }),
    h('label', { className: 'pc-check' }, h('input', { type: 'checkbox', checked: trust, onChange: (e) => setTrust(e.target.checked) }), ' ', text.trustDevice),
    mail ? action(mode === 'otp' && mailed ? text.sendNewCode : text.emailMeCode, sendCode, mailed === 'sending') : null,
    app && mode !== 'totp' ? action(text.useAuthenticator, () => switchTo('totp')) : null,
    app && mode !== 'backup' ? action(text.useBackupCode, () => switchTo('backup')) : null,
  );
}

// ---- account: forgotten password, reset, change, sessions, deletion ---------------------------------

/**
 * "Forgot your password?": asks for the e-mail address and has the server mail a link that
 * leads to `redirectTo` (the absolute URL of the page with the ResetPasswordForm; the server
 * must trust its origin) with the token. The server answers alike whether or not the address has
 * an account, and so does the form: it then shows the server's message. Props: `redirectTo`,
 * `onSuccess({status, message})`, `title`, `text`, `footer`, `className`. With `emailCode` (the
 * server's --email-otp), a code instead of a link: the address, then the mailed code and the new
 * password (with the strength meter; `minScore`, `passwordPolicy`), then done, every session of the
 * account signed out (`onSuccess({success})`).
 */
export function ForgotPasswordForm({ emailCode = false, ...props }) {
  return emailCode ? h(ForgotPasswordCodeForm, props) : h(ForgotPasswordLinkForm, props);
}

function ForgotPasswordLinkForm({ redirectTo, onSuccess, title, text: t, footer, className }) {
  const text = { ...DEFAULT_TEXT, ...(t ?? {}) };
  const client = useAuthClient();
  const core = useCore();
  const prefix = useStableId('pc-forgot');
  const fields = ['email'];
  const form = useForm(fields);
  const [sent, setSent] = useState(null);
  form.check((v) => ({ email: emailError(core, v.email, text) }));
  const onSubmit = form.submitter(
    () => client.requestPasswordReset({ email: form.values.email, redirectTo: resolveURL(redirectTo) }),
    (value) => {
      setSent(value?.message ?? '');
      onSuccess?.(value);
    },
  );
  if (sent !== null) return h(Notice, { title, message: sent, footer, className, testId: 'pc-forgot' });
  return h(
    FormShell,
    { form, onSubmit, title, submitLabel: text.sendResetLink, text, footer, className, testId: 'pc-forgot' },
    h(Field, { id: `${prefix}-email`, label: text.email, type: 'email', autoComplete: 'username', value: form.values.email, onChange: form.set('email'), onBlur: form.blur('email'), error: form.errors.email, inputRef: form.refs.email }),
  );
}

// The forgotten password by a mailed code (the server's --email-otp): the address; then the code
// and the new password (its strength measured with the address's words, as the server does).
function ForgotPasswordCodeForm({ onSuccess, minScore = 2, passwordPolicy, title, text: t, footer, className }) {
  const text = { ...DEFAULT_TEXT, ...(t ?? {}) };
  const client = useAuthClient();
  const core = useCore();
  const [engaged, setEngaged] = useState(false);
  const prefix = useStableId('pc-forgot');
  const form = useForm(['email', 'otp', 'password']);
  const [step, setStep] = useState('email'); // 'email' | 'code' | 'done'
  const strengthCore = useStrengthCore(engaged && step === 'code');
  const address = form.values.email;
  const strength = useStrength(strengthCore, form.values.password, passwordUserInputs(address, '', core));
  form.check((v) =>
    step === 'email'
      ? { email: emailError(core, v.email, text) }
      : { otp: codeError(v.otp, text), password: newPasswordError(core, v.password, strength, { minScore, policy: passwordPolicy, text, label: text.newPassword }) },
  );
  const send = () => client.emailOtp.requestPasswordReset({ email: address });
  const onSend = form.submitter(send, () => setStep('code'), (r) => (r.code === 'INVALID_EMAIL' ? 'email' : null));
  const onSubmit = form.submitter(
    async () => codeFailure(await client.emailOtp.resetPassword({ email: address, otp: typedCode(form.values.otp), password: form.values.password }), text),
    (value) => {
      setStep('done');
      onSuccess?.(value);
    },
    (r) => (CODE_FAILURES.has(r.code) ? 'otp' : aboutNewPassword(r.code) ? 'password' : null),
  );
  const { sending, resent, resend } = useResend(form, send);
  useEffect(() => {
    if (step === 'code') form.refs.otp.current?.focus();
  }, [step]); // eslint-disable-line react-hooks/exhaustive-deps
  if (step === 'done') return h(Notice, { title, message: text.passwordReset, footer, className, testId: 'pc-forgot' });
  if (step === 'email') {
    return h(
      FormShell,
      { form, onSubmit: onSend, onFocus: () => setEngaged(true), title, notice: text.resetCodeHelp, submitLabel: text.sendCode, text, footer, className, testId: 'pc-forgot' },
      h(Field, { id: `${prefix}-email`, label: text.email, type: 'email', autoComplete: 'username', value: address, onChange: form.set('email'), onBlur: form.blur('email'), error: form.errors.email, inputRef: form.refs.email }),
    );
  }
  const another = () => {
    setStep('email');
    form.set('otp')('');
    form.setTouched({});
  };
  return h(
    FormShell,
    { form, onSubmit, onFocus: () => setEngaged(true), title, notice: resent ? text.emailCodeResent(address) : text.resetCodeSent(address), submitLabel: text.setPassword, text, footer, className, testId: 'pc-forgot' },
    // For the browser's password manager: the account the new password is for.
    h('input', { type: 'email', name: 'username', autoComplete: 'username', value: address, readOnly: true, hidden: true }),
    h(CodeField, { id: `${prefix}-otp`, form, text, actions: [[text.sendNewCode, resend, sending], [text.useAnotherEmail, another]] }),
    h(NewPasswordField, { id: `${prefix}-password`, label: text.newPassword, form, field: 'password', strength, core, minScore, policy: passwordPolicy, text }),
  );
}

/**
 * Sets a new password from the mailed link. The server's link leads to this page with `?token=`,
 * or with `?error=INVALID_TOKEN` when the link was wrong or expired: pass them as `token` and
 * `error`. The new password is checked as it is typed (the strength meter; the server also counts
 * the account's e-mail and name as known words, which this page does not know). Once it is set,
 * every session of the account is signed out and the form says so (with `footer`, e.g. a link to
 * sign in), and `onSuccess()` is called. Props also: `minScore`, `passwordPolicy`, `title`, `text`,
 * `className`; `invalidFooter`, shown under a bad link's message (e.g. a link to ask for another).
 */
export function ResetPasswordForm({ token, error, onSuccess, minScore = 2, passwordPolicy, title, text: t, footer, invalidFooter, className }) {
  const text = { ...DEFAULT_TEXT, ...(t ?? {}) };
  const client = useAuthClient();
  const core = useCore();
  const [engaged, setEngaged] = useState(false);
  const strengthCore = useStrengthCore(engaged);
  const prefix = useStableId('pc-reset');
  const fields = ['newPassword'];
  const form = useForm(fields);
  const strength = useStrength(strengthCore, form.values.newPassword, []);
  const [state, setState] = useState('form'); // 'form' | 'done' | 'rejected' (the server refused the token)
  form.check((v) => ({
    newPassword: newPasswordError(core, v.newPassword, strength, { minScore, policy: passwordPolicy, text, label: text.newPassword }),
  }));
  const onSubmit = form.submitter(
    () => client.resetPassword({ token, newPassword: form.values.newPassword }),
    () => {
      setState('done');
      onSuccess?.();
    },
    (r) => {
      if (r.code === 'INVALID_TOKEN') {
        setState('rejected');
        return null;
      }
      return aboutNewPassword(r.code) ? 'newPassword' : null;
    },
  );
  if (state === 'done') return h(Notice, { title, message: text.passwordReset, footer, className, testId: 'pc-reset' });
  if (!token || error || state === 'rejected') {
    return h(Notice, { title, message: text.invalidResetLink, footer: invalidFooter, className, testId: 'pc-reset' });
  }
  return h(
    FormShell,
    { form, onSubmit, onFocus: () => setEngaged(true), title, submitLabel: text.setPassword, text, footer: null, className, testId: 'pc-reset' },
    h(NewPasswordField, { id: `${prefix}-newPassword`, label: text.newPassword, form, field: 'newPassword', strength, core, minScore, policy: passwordPolicy, text }),
  );
}

/**
 * The signed-in user's name, to change: saved with `update-user`; the session (and the user menu)
 * shows the new name at once. With `username` (the server's --username), the username too: set
 * or changed (shown as typed; its availability asked once the typing pauses, taken or invalid
 * said under the field), and, once set, never emptied. Props: `namePolicy`, `usernamePolicy`,
 * `onSuccess()`, `title` (h2), `text`, `className`.
 */
export function ProfileForm({ namePolicy, username = false, usernamePolicy, onSuccess, title, text: t, className }) {
  const text = { ...DEFAULT_TEXT, ...(t ?? {}) };
  const { client, user } = useSession();
  const core = useCore();
  const prefix = useStableId('pc-profile');
  const form = useForm(['name', 'username']);
  const fields = username ? ['name', 'username'] : ['name'];
  const [done, setDone] = useState(false);
  const current = user?.name ?? '';
  // The user's username, lower-cased (null: none yet), and as the field shows it: as displayed,
  // when the displayed one is the same username.
  const own = user?.username ?? null;
  const display = user?.displayUsername;
  const shown = own === null ? '' : typeof display === 'string' && display.toLowerCase() === own ? display : own;
  // The fields start with the user's name and username, once the session is known.
  useEffect(() => {
    if (current && !form.values.name) form.set('name')(current);
  }, [current]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => {
    if (username && shown && !form.values.username) form.set('username')(shown);
  }, [shown, username]); // eslint-disable-line react-hooks/exhaustive-deps
  const changed = Boolean(username) && form.values.username !== shown;
  const availability = useUsernameAvailability(client, core, form.values.username, { policy: usernamePolicy, own, active: changed });
  form.check((v) => ({
    name: nameError(core, v.name, text, namePolicy),
    username: changed ? withTaken(usernameError(core, v.username, text, { policy: usernamePolicy, required: true }), availability, text) : undefined,
  }));
  if (changed && availability.state === 'taken' && !form.errors.username) form.errors.username = text.usernameTaken;
  const onSubmit = form.submitter(
    async () => {
      // A new username is shown as typed: both are set (each sets only itself).
      const chosen = changed ? { username: form.values.username, displayUsername: form.values.username } : {};
      const r = await client.updateUser({ name: form.values.name.trim(), ...chosen });
      if (r.code === 'USERNAME_IS_ALREADY_TAKEN') availability.taken(availability.name);
      return r;
    },
    () => {
      setDone(true);
      onSuccess?.();
    },
    (r) => fieldOf(r, fields),
  );
  const edit = (f) => (v) => {
    setDone(false);
    form.set(f)(v);
  };
  return h(
    FormShell,
    { form, onSubmit, title, level: 2, notice: done ? text.profileSaved : null, submitLabel: text.save, text, className, testId: 'pc-profile' },
    h(Field, { id: `${prefix}-name`, label: text.name, type: 'text', autoComplete: 'name', value: form.values.name, onChange: edit('name'), onBlur: form.blur('name'), error: form.errors.name, inputRef: form.refs.name }),
    username ? h(UsernameField, { id: `${prefix}-username`, label: text.username, form: { ...form, set: edit }, availability, text }) : null,
  );
}

/**
 * While the signed-in user's address is not verified: says so, with a button that has the server
 * mail the verification link again (to `callbackURL`: a URL, or a function returning one). Nothing
 * once it is verified, or signed out. Props also: `text`, `className`. With `verificationCode`
 * (the server's --email-otp-verification mails codes instead of links): "Send a verification
 * code", then the code's field; once the server took it, "Your e-mail address is verified."
 */
export function VerifyEmailNotice({ verificationCode = false, ...props }) {
  return verificationCode ? h(VerifyEmailCodeNotice, props) : h(VerifyEmailLinkNotice, props);
}

function VerifyEmailCodeNotice({ text: t, className }) {
  const text = { ...DEFAULT_TEXT, ...(t ?? {}) };
  const { client, user } = useSession();
  const [state, setState] = useState({ sending: false, sent: false, failure: null });
  const [verified, setVerified] = useState(false);
  const frame = (...children) =>
    h('div', { className: 'pc-form pc-verify' + (className ? ` ${className}` : ''), 'data-testid': 'pc-verify-email' }, ...children);
  if (verified && user) return frame(h('p', { className: 'pc-notice__text', role: 'status' }, text.emailVerified));
  if (!user || user.emailVerified) return null;
  const send = async () => {
    setState({ sending: true, sent: false, failure: null });
    const r = await client.emailOtp.sendVerificationOtp({ email: user.email, type: 'email-verification' });
    setState({ sending: false, sent: r.ok, failure: r.ok ? null : describe(r) });
  };
  if (state.sent) {
    return frame(
      h(VerifyEmailCodeForm, { email: user.email, notice: text.verifyCodeSent(user.email), text, inline: true, onVerified: () => setVerified(true) }),
    );
  }
  return frame(
    h('p', { className: 'pc-notice__text' }, text.unverified(user.email)),
    h('div', { className: 'pc-alert', role: 'alert', hidden: !state.failure }, state.failure ?? ''),
    h('button', { type: 'button', className: 'pc-button button button--secondary', disabled: state.sending, onClick: send }, state.sending ? text.working : text.sendVerificationCode),
  );
}

function VerifyEmailLinkNotice({ callbackURL, text: t, className }) {
  const text = { ...DEFAULT_TEXT, ...(t ?? {}) };
  const { client, user } = useSession();
  const [state, setState] = useState({ sending: false, sent: false, failure: null });
  if (!user || user.emailVerified) return null;
  const send = async () => {
    setState({ sending: true, sent: false, failure: null });
    const r = await client.sendVerificationEmail({ email: user.email, callbackURL: resolveURL(callbackURL) });
    setState({ sending: false, sent: r.ok, failure: r.ok ? null : describe(r) });
  };
  return h(
    'div',
    { className: 'pc-form pc-verify' + (className ? ` ${className}` : ''), 'data-testid': 'pc-verify-email' },
    h('p', { className: 'pc-notice__text' }, text.unverified(user.email)),
    h('p', { className: 'pc-notice__text', role: 'status' }, state.sent ? text.verificationSent : ''),
    h('div', { className: 'pc-alert', role: 'alert', hidden: !state.failure }, state.failure ?? ''),
    h('button', { type: 'button', className: 'pc-button button button--secondary', disabled: state.sending, onClick: send }, state.sending ? text.working : text.sendVerification),
  );
}

/**
 * Changes the signed-in user's e-mail address (the server's `--change-email-enabled`): the new
 * address, then the server mails a link (for a verified address, first to the current one, to
 * confirm), and the form says to follow it. The address changes only when the link to the new
 * one is followed; it leads to `callbackURL` (a URL or a function returning one). Props also:
 * `onSuccess()`, `title` (h2), `text`, `className`. With `code` (the server's
 * --email-otp-change-email), codes instead of a link: the new address, then (for a verified
 * address) the code mailed to the current one, then the code mailed to the new one, which makes
 * the change at once; `onSuccess({newEmail})` then, and the session shows the new address.
 */
export function ChangeEmailForm({ code = false, ...props }) {
  return code ? h(ChangeEmailCodeForm, props) : h(ChangeEmailLinkForm, props);
}

function ChangeEmailLinkForm({ callbackURL, onSuccess, title, text: t, className }) {
  const text = { ...DEFAULT_TEXT, ...(t ?? {}) };
  const { client, user } = useSession();
  const core = useCore();
  const prefix = useStableId('pc-email');
  const fields = ['newEmail'];
  const form = useForm(fields);
  const [done, setDone] = useState(false);
  form.check((v) => ({ newEmail: emailError(core, v.newEmail, text, text.newEmail) }));
  const onSubmit = form.submitter(
    () => client.changeEmail({ newEmail: form.values.newEmail, callbackURL: resolveURL(callbackURL) }),
    () => {
      setDone(true);
      onSuccess?.();
    },
    (r) => (r.code === 'INVALID_EMAIL' || r.code === 'EMAIL_IS_THE_SAME' || r.code.startsWith('USER_ALREADY_EXISTS') ? 'newEmail' : null),
  );
  return h(
    FormShell,
    { form, onSubmit, title, level: 2, notice: done ? text.emailChangeSent : null, submitLabel: text.changeEmail, text, className, testId: 'pc-change-email' },
    user ? h('p', { className: 'pc-help' }, `${text.currentEmail}: `, h('strong', null, user.email)) : null,
    h(Field, { id: `${prefix}-newEmail`, label: text.newEmail, type: 'email', autoComplete: 'email', value: form.values.newEmail, onChange: (v) => (setDone(false), form.set('newEmail')(v)), onBlur: form.blur('newEmail'), error: form.errors.newEmail, inputRef: form.refs.newEmail }),
  );
}


// The failures of a change of address with codes, in the form's words (the server's, else).
function changeEmailFailure(r, text) {
  const say = {
    EMAIL_IS_THE_SAME: text.emailIsTheSame,
    USER_ALREADY_EXISTS: text.emailInUse,
    CHANGE_EMAIL_DISABLED: text.changeEmailDisabled,
    INVALID_OTP: text.codeWrong,
    OTP_EXPIRED: text.codeDead,
    TOO_MANY_ATTEMPTS: text.codeDead,
    TOO_MANY_REQUESTS: text.tooManyCodes,
  }[r.code];
  return say ? { ...r, message: say } : r;
}

// ChangeEmailForm with `code`: steps 'address' (the new one), 'current' (the code mailed to the
// current address: a verified user's request answered OTP_REQUIRED) and 'new' (the code mailed to
// the new address, which changes it). A wrong code is said under its field, and the step stays.
function ChangeEmailCodeForm({ onSuccess, title, text: t, className }) {
  const text = { ...DEFAULT_TEXT, ...(t ?? {}) };
  const { client, user, refetch } = useSession();
  const core = useCore();
  const prefix = useStableId('pc-email-code');
  const form = useForm(['newEmail', 'otp']);
  const [step, setStep] = useState('address');
  const [resent, setResent] = useState(false);
  const [done, setDone] = useState(null); // the address the last change made
  const current = user?.email ?? '';
  const newEmail = form.values.newEmail.trim();
  form.check((v) => {
    if (step !== 'address') return { otp: codeError(v.otp, text) };
    const error = emailError(core, v.newEmail, text, text.newEmail);
    return { newEmail: error ?? (current && v.newEmail.trim().toLowerCase() === current.toLowerCase() ? text.emailIsTheSame : undefined) };
  });
  const go = (next) => {
    form.set('otp')('');
    form.setTouched({});
    setResent(false);
    setStep(next);
  };
  // The focus follows the step: the address, then each code.
  const lastStep = useRef(step);
  useEffect(() => {
    if (lastStep.current !== step) (step === 'address' ? form.refs.newEmail : form.refs.otp).current?.focus();
    lastStep.current = step;
  }, [step]); // eslint-disable-line react-hooks/exhaustive-deps
  const confirmCurrent = () => client.emailOtp.sendVerificationOtp({ email: current, type: 'email-verification' });
  // Asks for the new address's code (with the current address's, when given); OTP_REQUIRED: the
  // current address's code first. -> a client result whose value names the next step.
  const request = async (otp) => {
    const r = await client.emailOtp.requestEmailChange({ newEmail, ...(otp ? { otp } : {}) });
    if (r.ok) return { ok: true, value: 'new' };
    if (r.code !== 'OTP_REQUIRED') return changeEmailFailure(r, text);
    const sent = await confirmCurrent();
    return sent.ok ? { ok: true, value: 'current' } : changeEmailFailure(sent, text);
  };
  const isCode = (r) => CODE_FAILURES.has(r.code);
  const onAddress = form.submitter(
    () => {
      setDone(null);
      return request();
    },
    go,
    (r) => (r.code === 'INVALID_EMAIL' || r.code === 'EMAIL_IS_THE_SAME' || r.code === 'USER_ALREADY_EXISTS' ? 'newEmail' : null),
  );
  const onCurrent = form.submitter(() => request(typedCode(form.values.otp)), go, (r) => (isCode(r) ? 'otp' : null));
  const onNew = form.submitter(
    async () => changeEmailFailure(await client.emailOtp.changeEmail({ newEmail, otp: typedCode(form.values.otp) }), text),
    async () => {
      const changed = newEmail;
      form.set('newEmail')('');
      go('address');
      setDone(changed);
      await refetch(); // the session's user (and the user menu) shows the new address
      onSuccess?.({ newEmail: changed });
    },
    (r) => (isCode(r) ? 'otp' : null),
  );
  // "Send a new code": to the current address; to the new one, asked again (a verified user's
  // request takes a new code of the current address: that step again).
  const [sending, setSending] = useState(false);
  const resend = async () => {
    setSending(true);
    form.setFormError(null);
    const r = step === 'current' ? await confirmCurrent() : await request();
    setSending(false);
    if (!r.ok) {
      form.setFormError(describe(changeEmailFailure(r, text)));
      return;
    }
    const next = step === 'current' ? 'current' : r.value;
    if (next !== step) go(next);
    else {
      form.set('otp')('');
      form.setTouched({});
      form.refs.otp.current?.focus();
    }
    setResent(next === step);
  };
  const address = () => go('address');
  const shell = { form, title, level: 2, text, className, testId: 'pc-change-email' };
  if (step === 'address') {
    return h(
      FormShell,
      { ...shell, onSubmit: onAddress, notice: done ? text.changeEmailDone(done) : null, submitLabel: text.changeEmail },
      user ? h('p', { className: 'pc-help' }, `${text.currentEmail}: `, h('strong', null, user.email)) : null,
      h(Field, { id: `${prefix}-newEmail`, label: text.newEmail, type: 'email', autoComplete: 'email', value: form.values.newEmail, onChange: (v) => (setDone(null), form.set('newEmail')(v)), onBlur: form.blur('newEmail'), error: form.errors.newEmail, inputRef: form.refs.newEmail }),
    );
  }
  const confirming = step === 'current';
  const notice = confirming
    ? (resent ? text.changeEmailConfirmResent : text.changeEmailConfirmSent)(current)
    : (resent ? text.changeEmailCodeResent : text.changeEmailCodeSent)(newEmail);
  return h(
    FormShell,
    { ...shell, onSubmit: confirming ? onCurrent : onNew, notice, submitLabel: confirming ? text.continue : text.changeEmail },
    h(CodeField, {
      id: `${prefix}-${step}-otp`,
      form,
      text,
      label: confirming ? text.currentEmailCode : text.newEmailCode,
      actions: [[text.sendNewCode, resend, sending || form.pending], [confirming ? text.back : text.useAnotherEmail, address]],
    }),
  );
}

/**
 * Changes the signed-in user's password: the current one, then the new one (with the strength
 * meter, the user's e-mail and name counting as known words, as on the server). "Sign out of my
 * other devices" is checked at first (`revokeOtherSessions`: every other session ends; this
 * browser gets a new one). Props: `onSuccess({token, user})`, `minScore`, `passwordPolicy`,
 * `title`, `text`, `className`.
 */
export function ChangePasswordForm({ onSuccess, minScore = 2, passwordPolicy, title, text: t, className }) {
  const text = { ...DEFAULT_TEXT, ...(t ?? {}) };
  const { client, user } = useSession();
  const core = useCore();
  const [engaged, setEngaged] = useState(false);
  const strengthCore = useStrengthCore(engaged);
  const prefix = useStableId('pc-change');
  const fields = ['currentPassword', 'newPassword'];
  const form = useForm(fields);
  const [revokeOthers, setRevokeOthers] = useState(true);
  const [done, setDone] = useState(false);
  const strength = useStrength(strengthCore, form.values.newPassword, passwordUserInputs(user?.email ?? '', user?.name ?? '', core));
  form.check((v) => ({
    currentPassword: v.currentPassword ? undefined : text.required(text.currentPassword),
    newPassword: newPasswordError(core, v.newPassword, strength, { minScore, policy: passwordPolicy, text, label: text.newPassword }),
  }));
  const onSubmit = form.submitter(
    () => {
      setDone(false);
      const { currentPassword, newPassword } = form.values;
      return client.changePassword({ currentPassword, newPassword, revokeOtherSessions: revokeOthers });
    },
    (value) => {
      form.set('currentPassword')('');
      form.set('newPassword')('');
      form.setTouched({});
      setDone(true);
      onSuccess?.(value);
    },
    (r) => (r.code === 'INVALID_PASSWORD' ? 'currentPassword' : aboutNewPassword(r.code) ? 'newPassword' : null),
  );
  return h(
    FormShell,
    { form, onSubmit, onFocus: () => setEngaged(true), title, level: 2, notice: done ? text.passwordChanged : null, submitLabel: text.changePassword, text, className, testId: 'pc-change-password' },
    h(Field, { id: `${prefix}-currentPassword`, label: text.currentPassword, type: 'password', autoComplete: 'current-password', value: form.values.currentPassword, onChange: form.set('currentPassword'), onBlur: form.blur('currentPassword'), error: form.errors.currentPassword, inputRef: form.refs.currentPassword, revealLabel: text.showPassword }),
    h(NewPasswordField, { id: `${prefix}-newPassword`, label: text.newPassword, form, field: 'newPassword', strength, core, minScore, policy: passwordPolicy, text }),
    h(
      'label',
      { className: 'pc-check' },
      h('input', { type: 'checkbox', checked: revokeOthers, onChange: (e) => setRevokeOthers(e.target.checked) }),
      ' ',
      text.signOutOthers,
    ),
  );
}

/**
 * A device's name from its User-Agent, e.g. "Firefox on Windows", or null when neither the
 * browser nor the system is recognised.
 */
export function deviceName(userAgent) {
  const ua = String(userAgent ?? '');
  const browser = [
    [/Edg(A|iOS)?\//, 'Edge'],
    [/OPR\/|Opera/, 'Opera'],
    [/Firefox\/|FxiOS\//, 'Firefox'],
    [/Chrome\/|CriOS\//, 'Chrome'],
    [/Safari\//, 'Safari'],
    [/^curl\//, 'curl'],
  ].find(([re]) => re.test(ua))?.[1];
  const system = [
    [/Android/, 'Android'],
    [/iPhone|iPad|iPod/, 'iOS'],
    [/Windows/, 'Windows'],
    [/Mac OS X|Macintosh/, 'macOS'],
    [/CrOS/, 'ChromeOS'],
    [/Linux/, 'Linux'],
  ].find(([re]) => re.test(ua))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system ?? null;
}

/**
 * The devices signed in to the user's account (its sessions, this one first), each with its
 * browser, address and time of sign-in, and a button that signs it out; and one that signs out
 * all the others. The server lists sessions only to a session less than a day old (else the
 * list says to sign in again, with a button that signs out: the page then sends to its sign-in).
 * Props: `title` (a heading, h2), `text`, `className`.
 */
export function SessionList({ title, text: t, className }) {
  const text = { ...DEFAULT_TEXT, ...(t ?? {}) };
  const { client, session, status } = useSession();
  const [state, setState] = useState({ loaded: false, sessions: [], failure: null });
  const [busy, setBusy] = useState(false);
  const current = session?.token ?? null;
  const load = useCallback(async () => {
    const r = await client.listSessions();
    setState(r.ok ? { loaded: true, sessions: r.value, failure: null } : { loaded: true, sessions: [], failure: r });
  }, [client]);
  useEffect(() => {
    if (status === 'authenticated') load();
  }, [status, current, load]);
  if (status !== 'authenticated') return null;
  const act = async (call) => {
    setBusy(true);
    const r = await call();
    setBusy(false);
    if (!r.ok) setState((s) => ({ ...s, failure: r }));
    else await load();
  };
  const sessions = [...state.sessions].sort((a, b) => (b.token === current) - (a.token === current) || new Date(b.updatedAt) - new Date(a.updatedAt));
  const others = sessions.filter((x) => x.token !== current);
  const stale = state.failure?.code === 'SESSION_NOT_FRESH';
  const failure = stale ? text.sessionsNotFresh : state.failure ? describe(state.failure) : '';
  const when = (iso) => {
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? '' : d.toLocaleString();
  };
  return h(
    'section',
    { className: 'pc-form pc-sessions' + (className ? ` ${className}` : ''), 'data-testid': 'pc-sessions', 'aria-busy': !state.loaded || busy ? 'true' : 'false' },
    title ? h('h2', { className: 'pc-title' }, title) : null,
    h('div', { className: 'pc-alert', role: 'alert', hidden: !failure }, failure),
    // Signing in again needs signing out first (a sign-in page sends a signed-in visitor on).
    stale ? h('button', { type: 'button', className: 'pc-button button button--secondary', onClick: () => client.signOut() }, text.signInAgain) : null,
    h(
      'ul',
      { className: 'pc-sessions__list' },
      sessions.map((x) => {
        const mine = x.token === current;
        const device = deviceName(x.userAgent) ?? text.unknownDevice;
        return h(
          'li',
          { key: x.id, className: 'pc-session', 'data-current': mine ? 'true' : 'false' },
          h(
            'div',
            { className: 'pc-session__what' },
            h('strong', null, device),
            mine ? h('span', { className: 'pc-session__badge badge badge--primary' }, text.thisDevice) : null,
            h('div', { className: 'pc-session__detail' }, [x.ipAddress, `${text.signedInAt} ${when(x.createdAt)}`].filter(Boolean).join(' · ')),
          ),
          mine
            ? null
            : h('button', { type: 'button', className: 'pc-button button button--secondary button--sm', disabled: busy, 'aria-label': `${text.revoke}: ${device}`, onClick: () => act(() => client.revokeSession(x.token)) }, text.revoke),
        );
      }),
    ),
    state.loaded && !state.failure && !others.length ? h('p', { className: 'pc-help' }, text.noOtherSessions) : null,
    others.length
      ? h('button', { type: 'button', className: 'pc-button button button--secondary', disabled: busy, onClick: () => act(() => client.revokeOtherSessions()) }, text.revokeOthers)
      : null,
  );
}

/**
 * Deletes the signed-in user's account, after its password. When the server mails a link first
 * (`--delete-user-verification`), the form says so instead, and the account goes when the link is
 * followed (to `callbackURL` then). Props: `onSuccess({success, message})` (the account is gone:
 * the session too), `title` (h2), `text`, `className`, `callbackURL`.
 */
export function DeleteAccountForm({ onSuccess, title, text: t, className, callbackURL }) {
  const text = { ...DEFAULT_TEXT, ...(t ?? {}) };
  const client = useAuthClient();
  const prefix = useStableId('pc-delete');
  const fields = ['password'];
  const form = useForm(fields);
  const [mailed, setMailed] = useState(false);
  form.check((v) => ({ password: v.password ? undefined : text.required(text.password) }));
  const onSubmit = form.submitter(
    () => client.deleteUser({ password: form.values.password, callbackURL }),
    (value) => {
      if (value?.message === 'Verification email sent') setMailed(true);
      else onSuccess?.(value);
    },
    (r) => (r.code === 'INVALID_PASSWORD' ? 'password' : null),
  );
  if (mailed) return h(Notice, { title, level: 2, message: text.deleteMailed, className, testId: 'pc-delete-account' });
  return h(
    FormShell,
    { form, onSubmit, title, level: 2, submitLabel: text.deleteAccount, text, className: 'pc-danger-zone' + (className ? ` ${className}` : ''), testId: 'pc-delete-account', danger: true },
    h('p', { className: 'pc-help' }, text.deleteConfirmation),
    h(Field, { id: `${prefix}-password`, label: text.password, type: 'password', autoComplete: 'current-password', value: form.values.password, onChange: form.set('password'), onBlur: form.blur('password'), error: form.errors.password, inputRef: form.refs.password, revealLabel: text.showPassword }),
  );
}

// ---- administration (the server's --admin) ------------------------------------------------------------

/** Whether a user's roles ("user", "admin", "user,admin") include admin. */
const isAdminRole = (role) => String(role ?? '').split(',').some((r) => r.trim() === 'admin');

// A date as the server sends it (or a Date, from BetterAuth's client), in the browser's words.
const localDate = (value, withTime = false) => {
  if (!value) return '';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return '';
  return withTime ? d.toLocaleString() : d.toLocaleDateString();
};

// The suggestions that come with PASSWORD_TOO_WEAK (its warning is the field's error).
function Suggestions({ items }) {
  if (!items?.length) return null;
  return h('ul', { className: 'pc-meter__suggestions pc-admin__suggestions' }, items.map((x) => h('li', { key: x }, x)));
}

// A user's ban: a reason and a duration (none: until unbanned).
function BanForm({ client, user, text, onDone }) {
  const prefix = useStableId('pc-ban');
  const form = useForm(['banReason']);
  const [duration, setDuration] = useState('');
  form.check(() => ({}));
  const onSubmit = form.submitter(
    () => client.admin.banUser({ userId: user.id, banReason: form.values.banReason.trim() || undefined, banExpiresIn: duration ? Number(duration) : undefined }),
    () => onDone(text.userBanned(user.email)),
    () => null,
  );
  return h(
    FormShell,
    { form, onSubmit, submitLabel: text.ban, text, danger: true, className: 'pc-form--inline pc-admin__ban', testId: 'pc-admin-ban' },
    h(Field, { id: `${prefix}-banReason`, label: text.banReason, type: 'text', autoComplete: 'off', value: form.values.banReason, onChange: form.set('banReason'), onBlur: form.blur('banReason'), error: form.errors.banReason, inputRef: form.refs.banReason }),
    h(
      'div',
      { className: 'pc-field' },
      h('label', { className: 'pc-label', htmlFor: `${prefix}-duration` }, text.banDuration),
      h(
        'select',
        { id: `${prefix}-duration`, className: 'pc-input', value: duration, onChange: (e) => setDuration(e.target.value) },
        h('option', { value: '' }, text.banForever),
        text.banDurations.map(([seconds, label]) => h('option', { key: seconds, value: String(seconds) }, label)),
      ),
    ),
  );
}

// A new password for a user, set by the administrator; the server's strength rules apply, and its
// PASSWORD_TOO_WEAK feedback shows under the field.
function SetUserPasswordForm({ client, user, text, onDone }) {
  const prefix = useStableId('pc-setpw');
  const form = useForm(['newPassword']);
  const [suggestions, setSuggestions] = useState(null);
  form.check((v) => ({ newPassword: v.newPassword ? undefined : text.required(text.newPassword) }));
  const onSubmit = form.submitter(
    async () => {
      const r = await client.admin.setUserPassword({ userId: user.id, newPassword: form.values.newPassword });
      setSuggestions(r.ok ? null : r.feedback?.suggestions ?? null);
      return r;
    },
    () => {
      form.set('newPassword')('');
      form.setTouched({});
      onDone(text.userPasswordSet(user.email));
    },
    (r) => (aboutNewPassword(r.code) ? 'newPassword' : null),
  );
  const change = (v) => {
    setSuggestions(null);
    form.set('newPassword')(v);
  };
  return h(
    FormShell,
    { form, onSubmit, submitLabel: text.setUserPassword, text, className: 'pc-form--inline pc-admin__password', testId: 'pc-admin-password' },
    h(
      Field,
      { id: `${prefix}-newPassword`, label: text.newPassword, type: 'password', autoComplete: 'new-password', value: form.values.newPassword, onChange: change, onBlur: form.blur('newPassword'), error: form.errors.newPassword, inputRef: form.refs.newPassword, revealLabel: text.showPassword },
      form.errors.newPassword ? h(Suggestions, { items: suggestions }) : null,
    ),
  );
}

// What an administrator can do to one user: the role, a ban, signing out everywhere, signing in as
// them (with `impersonation`, after a confirmation), a password, removal (after a confirmation).
// `me`: the administrator's own id (no ban, removal or impersonation of oneself).
function AdminUserPanel({ id, client, user, me, text, impersonation, onDone, onImpersonated }) {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState(null);
  const [confirming, setConfirming] = useState(null); // 'remove' | 'impersonate'
  const alertRef = useRef(null);
  const cancelRef = useRef(null);
  useEffect(() => {
    if (failure) alertRef.current?.focus();
  }, [failure]);
  useEffect(() => {
    if (confirming) cancelRef.current?.focus();
  }, [confirming]);
  const run = async (call, message) => {
    setBusy(true);
    setFailure(null);
    const r = await call();
    setBusy(false);
    if (r.ok) onDone(message);
    else setFailure(describe(r));
  };
  const admin = isAdminRole(user.role);
  const self = me !== null && me === user.id;
  // The server refuses administrators and banned users: the action is not offered for them.
  const mayImpersonate = impersonation && !self && !admin && !user.banned;
  const impersonate = async () => {
    setBusy(true);
    setFailure(null);
    const r = await client.admin.impersonateUser(user.id);
    setBusy(false);
    if (r.ok) onImpersonated(user, r.value);
    else setFailure(r.code === 'NOT_FOUND' ? text.impersonationUnavailable : describe(r));
  };
  const button = (label, onClick, kind = 'secondary', props = {}) =>
    h('button', { type: 'button', className: `pc-button button button--${kind} button--sm`, disabled: busy, onClick, ...props }, label);
  return h(
    'div',
    { id, className: 'pc-admin__panel', role: 'region', 'aria-label': `${text.manage} ${user.email}`, 'data-testid': 'pc-admin-panel' },
    h('div', { className: 'pc-alert', role: 'alert', tabIndex: -1, ref: alertRef, hidden: !failure }, failure ?? ''),
    h(
      'div',
      { className: 'pc-admin__actions' },
      button(admin ? text.makeUser : text.makeAdmin, () => run(() => client.admin.setRole(user.id, admin ? 'user' : 'admin'), text.roleChanged(user.email, admin ? 'user' : 'admin'))),
      user.banned ? button(text.unban, () => run(() => client.admin.unbanUser(user.id), text.userUnbanned(user.email))) : null,
      button(text.signOutEverywhere, () => run(() => client.admin.revokeUserSessions(user.id), text.userSignedOut(user.email))),
      mayImpersonate ? button(`${text.impersonate}…`, () => setConfirming('impersonate'), 'secondary', { 'aria-expanded': confirming === 'impersonate' ? 'true' : 'false' }) : null,
    ),
    mayImpersonate && confirming === 'impersonate'
      ? h(
          'div',
          { className: 'pc-admin__confirm pc-admin__impersonate' },
          h('p', { className: 'pc-help' }, text.impersonateConfirmation(user.email)),
          h(
            'div',
            { className: 'pc-admin__actions' },
            button(text.confirmImpersonate(user.email), impersonate, 'primary'),
            button(text.cancel, () => setConfirming(null), 'secondary', { ref: cancelRef }),
          ),
        )
      : null,
    user.banned || self ? null : h(BanForm, { client, user, text, onDone }),
    h(SetUserPasswordForm, { client, user, text, onDone }),
    self
      ? null
      : confirming === 'remove'
        ? h(
            'div',
            { className: 'pc-admin__confirm pc-danger-zone' },
            h('p', { className: 'pc-help' }, text.removeConfirmation(user.email)),
            h(
              'div',
              { className: 'pc-admin__actions' },
              button(text.confirmRemove(user.email), () => run(() => client.admin.removeUser(user.id), text.userRemoved(user.email)), 'danger'),
              button(text.cancel, () => setConfirming(null), 'secondary', { ref: cancelRef }),
            ),
          )
        : h('div', { className: 'pc-admin__actions pc-admin__remove' }, button(`${text.removeUser}…`, () => setConfirming('remove'), 'danger')),
  );
}

// A new user: name, address, password (the server's strength rules; PASSWORD_TOO_WEAK's feedback
// under the field), role, and whether the address counts as verified.
function CreateUserForm({ client, text, onDone }) {
  const core = useCore();
  const prefix = useStableId('pc-newuser');
  const fields = ['name', 'email', 'password'];
  const form = useForm(fields);
  const [role, setRole] = useState('user');
  const [verified, setVerified] = useState(false);
  const [suggestions, setSuggestions] = useState(null);
  const [created, setCreated] = useState(null);
  form.check((v) => ({
    name: nameError(core, v.name, text),
    email: emailError(core, v.email, text),
    password: v.password ? undefined : text.required(text.password),
  }));
  const onSubmit = form.submitter(
    async () => {
      setCreated(null);
      const r = await client.admin.createUser({
        name: form.values.name.trim(),
        email: form.values.email.trim(),
        password: form.values.password,
        role,
        data: verified ? { emailVerified: true } : undefined,
      });
      setSuggestions(r.ok ? null : r.feedback?.suggestions ?? null);
      return r;
    },
    (value) => {
      const email = value?.user?.email ?? form.values.email.trim();
      for (const f of fields) form.set(f)('');
      form.setTouched({});
      setRole('user');
      setVerified(false);
      setCreated(text.userCreated(email));
      onDone();
    },
  );
  const set = (f) => (v) => {
    if (f === 'password') setSuggestions(null);
    setCreated(null);
    form.set(f)(v);
  };
  const field = (f, label, type, autoComplete, extra = {}) =>
    h(Field, { id: `${prefix}-${f}`, label, type, autoComplete, value: form.values[f], onChange: set(f), onBlur: form.blur(f), error: form.errors[f], inputRef: form.refs[f], ...extra });
  return h(
    FormShell,
    { form, onSubmit, title: text.createUserTitle, level: 2, notice: created, submitLabel: text.createUser, text, className: 'pc-admin__create', testId: 'pc-admin-create' },
    field('name', text.name, 'text', 'off'),
    field('email', text.email, 'email', 'off'),
    field('password', text.password, 'password', 'new-password', {
      revealLabel: text.showPassword,
      children: form.errors.password ? h(Suggestions, { items: suggestions }) : null,
    }),
    h(
      'div',
      { className: 'pc-field' },
      h('label', { className: 'pc-label', htmlFor: `${prefix}-role` }, text.role),
      h(
        'select',
        { id: `${prefix}-role`, className: 'pc-input', value: role, onChange: (e) => setRole(e.target.value) },
        h('option', { value: 'user' }, 'user'),
        h('option', { value: 'admin' }, 'admin'),
      ),
    ),
    h('label', { className: 'pc-check' }, h('input', { type: 'checkbox', checked: verified, onChange: (e) => setVerified(e.target.checked) }), ' ', text.markVerified),
  );
}

/**
 * The users, for an administrator (the server's --admin; BetterAuth's admin plugin): a table,
 * searchable by e-mail or name and paged, with each user's e-mail, name, role, verification, ban
 * (reason and end) and creation; per user ("Manage"), make admin or user, ban (a reason, a
 * duration) or unban, sign out everywhere, set a password, remove (after a confirmation); and a
 * form that creates a user. A user who is not an administrator sees "You are not an
 * administrator"; a visitor, a link to sign in (`loginHref`, with `link`, e.g. Docusaurus's Link).
 * With `impersonation` (the server's --admin-impersonation, which the component cannot see), a
 * user's actions also offer "Sign in as this user" (not for oneself, an administrator or a banned
 * user), after a confirmation: the browser's session becomes the user's, and the page goes to
 * `afterImpersonateHref` ('/'), or `onImpersonate({session, user})` is called instead.
 * Props: `client` (default: the AuthProvider's), `pageSize` (20), `title` (h2), `text`,
 * `className`.
 */
export function AdminUsers({ client: given, pageSize = 20, loginHref = '/login', link: LinkComponent = 'a', impersonation = false, afterImpersonateHref = '/', onImpersonate, title, text: t, className }) {
  const text = { ...DEFAULT_TEXT, ...ADMIN_TEXT, ...(t ?? {}) };
  const ctx = useContext(AuthContext);
  const client = given ?? ctx?.client;
  if (!client) throw new Error('AdminUsers needs a `client`, or an <AuthProvider> above it');
  // Without an AuthProvider, the list's own answer says whether the visitor is signed in.
  const sessionStatus = ctx ? ctx.status : 'authenticated';
  const me = ctx?.user?.id ?? null;
  const prefix = useStableId('pc-admin');
  const [search, setSearch] = useState({ value: '', field: 'email' }); // what the search form shows
  const [query, setQuery] = useState({ value: '', field: 'email', offset: 0 }); // what the list shows
  const [list, setList] = useState({ state: 'loading', users: [], total: 0, failure: null, busy: true });
  const [reloads, setReloads] = useState(0);
  const [open, setOpen] = useState(null); // the id of the user whose panel is open
  const [message, setMessage] = useState('');
  const said = useRef(null); // what the last action did, said once the list shows it
  const seq = useRef(0);
  const [switched, setSwitched] = useState(null); // the e-mail of the user now signed in as (impersonation)

  useEffect(() => {
    // Once signed in as a user, the session is theirs: nothing more to list.
    if (sessionStatus !== 'authenticated' || switched) return undefined;
    const mine = ++seq.current;
    setList((l) => ({ ...l, busy: true }));
    const ask = client.admin
      ? client.admin.listUsers({
          searchValue: query.value || undefined,
          searchField: query.value ? query.field : undefined,
          searchOperator: query.value ? 'contains' : undefined,
          limit: pageSize,
          offset: query.offset,
          sortBy: 'createdAt',
          sortDirection: 'desc',
        })
      : Promise.resolve({ ok: false, status: 404, code: 'NOT_FOUND', message: text.adminUnavailable });
    ask.then((r) => {
      if (mine !== seq.current) return;
      if (said.current !== null) {
        setMessage(said.current);
        said.current = null;
      }
      if (r.ok) {
        const { users = [], total = 0 } = r.value ?? {};
        // The last user of the last page went: the page before.
        if (!users.length && query.offset > 0 && total > 0) {
          setQuery((q) => ({ ...q, offset: Math.floor((total - 1) / pageSize) * pageSize }));
          return;
        }
        setList({ state: 'ready', users, total, failure: null, busy: false });
      } else if (r.status === 401) setList({ state: 'signed-out', users: [], total: 0, failure: null, busy: false });
      else if (r.status === 403 && r.code.startsWith('YOU_ARE_NOT_ALLOWED')) setList({ state: 'forbidden', users: [], total: 0, failure: null, busy: false });
      else {
        const failure = r.status === 404 ? text.adminUnavailable : describe(r);
        setList((l) => ({ ...l, state: l.state === 'ready' ? 'ready' : 'error', failure, busy: false }));
      }
    });
    return undefined;
  }, [client, sessionStatus, me, query, reloads, pageSize, switched]); // eslint-disable-line react-hooks/exhaustive-deps

  const rootProps = (extra) => ({ className: 'pc-admin' + (className ? ` ${className}` : ''), 'data-testid': 'pc-admin-users', ...extra });
  if (switched) {
    return h(Notice, { title, level: 2, message: text.impersonated(switched), className: 'pc-admin__notice', testId: 'pc-admin-users' });
  }
  if (sessionStatus === 'unauthenticated' || list.state === 'signed-out') {
    return h(Notice, {
      title,
      level: 2,
      message: text.adminSignIn,
      footer: h(LinkComponent, linkTo(LinkComponent, loginHref), text.signIn),
      className: 'pc-admin__notice',
      testId: 'pc-admin-users',
    });
  }
  if (list.state === 'forbidden') {
    return h(Notice, { title, level: 2, message: text.notAdmin, footer: text.notAdminHelp, className: 'pc-admin__notice', testId: 'pc-admin-users' });
  }
  if (sessionStatus === 'loading' || list.state === 'loading') {
    return h('section', rootProps({ 'aria-busy': 'true' }), title ? h('h2', { className: 'pc-title' }, title) : null);
  }

  const reload = (done) => {
    setMessage('');
    said.current = done ?? '';
    setReloads((n) => n + 1);
  };
  // Signed in as `u` now: the session listeners are told (an AuthProvider reads the new session);
  // the page goes on.
  const impersonated = (u, value) => {
    setSwitched(u.email);
    if (onImpersonate) onImpersonate(value);
    else window.location.assign(resolveURL(afterImpersonateHref));
  };
  const onSearch = (e) => {
    e.preventDefault();
    setMessage('');
    setOpen(null);
    setQuery({ value: search.value.trim(), field: search.field, offset: 0 });
  };
  const page = (offset) => {
    setMessage('');
    setOpen(null);
    setQuery((q) => ({ ...q, offset }));
  };
  const { users, total } = list;
  const from = users.length ? query.offset + 1 : 0;
  const to = query.offset + users.length;
  const columns = [text.email, text.name, text.role, text.verified, text.banned, text.created, text.actions];
  const rows = [];
  for (const u of users) {
    const panelId = `${prefix}-${u.id}`;
    const expanded = open === u.id;
    const ends = localDate(u.banExpires, true);
    rows.push(
      h(
        'tr',
        { key: u.id, className: 'pc-admin__row', 'data-user-id': u.id, 'data-banned': u.banned ? 'true' : 'false' },
        h('th', { scope: 'row', className: 'pc-admin__email' }, u.email, me === u.id ? h('span', { className: 'pc-admin__you badge badge--secondary' }, text.you) : null),
        h('td', null, u.name),
        h('td', { className: 'pc-admin__role' }, String(u.role ?? '').split(',').filter(Boolean).join(', ')),
        h('td', null, u.emailVerified ? text.yes : text.no),
        h(
          'td',
          { className: 'pc-admin__ban-state' },
          u.banned ? h(React.Fragment, null, h('strong', null, text.bannedFor(u.banReason)), h('div', { className: 'pc-help' }, text.bannedUntil(ends))) : text.no,
        ),
        h('td', null, localDate(u.createdAt)),
        h(
          'td',
          null,
          h(
            'button',
            {
              type: 'button',
              className: 'pc-button button button--secondary button--sm',
              'aria-expanded': expanded ? 'true' : 'false',
              'aria-controls': panelId,
              'aria-label': `${text.manage} ${u.email}`,
              onClick: () => setOpen(expanded ? null : u.id),
            },
            text.manage,
          ),
        ),
      ),
    );
    if (expanded) {
      rows.push(
        h(
          'tr',
          { key: `${u.id}-panel`, className: 'pc-admin__panel-row' },
          h('td', { colSpan: columns.length }, h(AdminUserPanel, { id: panelId, client, user: u, me, text, impersonation, onDone: reload, onImpersonated: impersonated })),
        ),
      );
    }
  }
  return h(
    'section',
    rootProps({ 'aria-busy': list.busy ? 'true' : 'false' }),
    title ? h('h2', { className: 'pc-title' }, title) : null,
    h('p', { className: 'pc-notice__text pc-admin__message', role: 'status' }, message),
    h('div', { className: 'pc-alert', role: 'alert', hidden: !list.failure }, list.failure ?? ''),
    h(
      'form',
      { className: 'pc-admin__search', role: 'search', onSubmit: onSearch },
      h(
        'div',
        { className: 'pc-field pc-admin__search-value' },
        h('label', { className: 'pc-label', htmlFor: `${prefix}-search` }, text.searchUsers),
        h('input', { id: `${prefix}-search`, className: 'pc-input', type: 'search', value: search.value, onChange: (e) => setSearch((s) => ({ ...s, value: e.target.value })) }),
      ),
      h(
        'div',
        { className: 'pc-field' },
        h('label', { className: 'pc-label', htmlFor: `${prefix}-field` }, text.searchBy),
        h(
          'select',
          { id: `${prefix}-field`, className: 'pc-input', value: search.field, onChange: (e) => setSearch((s) => ({ ...s, field: e.target.value })) },
          h('option', { value: 'email' }, text.email),
          h('option', { value: 'name' }, text.name),
        ),
      ),
      h('button', { type: 'submit', className: 'pc-button button button--primary' }, text.search),
    ),
    h(
      'div',
      { className: 'pc-admin__scroll' },
      h(
        'table',
        { className: 'pc-admin__table' },
        h('caption', null, text.users(total)),
        h('thead', null, h('tr', null, columns.map((c) => h('th', { key: c, scope: 'col' }, c)))),
        h('tbody', null, rows),
      ),
    ),
    users.length ? null : h('p', { className: 'pc-help' }, text.noUsers),
    total > pageSize || query.offset > 0
      ? h(
          'nav',
          { className: 'pc-admin__pages', 'aria-label': text.pages },
          h('button', { type: 'button', className: 'pc-button button button--secondary button--sm', disabled: query.offset === 0 || list.busy, onClick: () => page(Math.max(0, query.offset - pageSize)) }, text.previous),
          h('span', null, text.showing(from, to, total)),
          h('button', { type: 'button', className: 'pc-button button button--secondary button--sm', disabled: to >= total || list.busy, onClick: () => page(query.offset + pageSize) }, text.next),
        )
      : null,
    h(CreateUserForm, { client, text, onDone: () => reload() }),
  );
}

// ---- organizations (the server's --organization) ----------------------------------------------------

// Organizations' and AcceptInvitation's labels and messages (apart, so that a bundler drops them
// with the components).
const ORG_TEXT = {
  organizationsSignIn: 'Sign in to see your organizations.',
  organizationsUnavailable: 'The server does not offer organizations (its --organization option is off).',
  yourOrganizations: 'Your organizations',
  noOrganizations: 'You are not a member of any organization yet.',
  activeOrganization: 'Active',
  switchOrganization: 'Switch',
  switchTo: (name) => `Switch to ${name}`,
  switched: (name) => `${name} is now your active organization.`,
  yourRole: (roles) => `Your role: ${roles}`,
  members: 'Members',
  role: 'Role',
  actions: 'Actions',
  you: 'you',
  roleOf: (email) => `Role of ${email}`,
  setRole: 'Set role',
  setRoleOf: (email) => `Set the role of ${email}`,
  roleSet: (email, role) => `${email} is now ${role}.`,
  removeMember: 'Remove…',
  removeMemberLabel: (email) => `Remove ${email}`,
  removeMemberConfirmation: (email, organization) => `Remove ${email} from ${organization}? They lose access at once; only a new invitation brings them back.`,
  confirmRemoveMember: (email) => `Remove ${email}`,
  memberRemoved: (email) => `${email} is removed.`,
  inviteTitle: 'Invite someone',
  invite: 'Send the invitation',
  invited: (email) => `We have sent an invitation to ${email}.`,
  pendingInvitations: 'Pending invitations',
  noInvitations: 'No invitation is waiting for an answer.',
  invitationLine: (role, date) => `as ${role} · until ${date}`,
  cancelInvitation: 'Cancel',
  cancelInvitationOf: (email) => `Cancel the invitation of ${email}`,
  invitationCanceled: (email) => `The invitation of ${email} is canceled.`,
  leaveOrganization: 'Leave the organization…',
  leaveConfirmation: (name) => `Leave ${name}? You lose access to it; only a new invitation brings you back.`,
  confirmLeave: (name) => `Leave ${name}`,
  left: (name) => `You have left ${name}.`,
  deleteOrganization: 'Delete the organization…',
  deleteOrganizationConfirmation: (name) => `This deletes ${name}, with its members and invitations. It cannot be undone.`,
  confirmDeleteOrganization: (name) => `Delete ${name}`,
  organizationDeleted: (name) => `${name} is deleted.`,
  cancel: 'Cancel',
  createOrganizationTitle: 'Create an organization',
  organizationName: 'Name',
  slug: 'Slug',
  slugHelp: 'Its short name in addresses, unique: made from the name until you change it.',
  createOrganization: 'Create the organization',
  organizationCreated: (name) => `${name} is created: you are its owner, and it is your active organization.`,
  // AcceptInvitation
  invitationSignIn: 'To see this invitation, sign in with the e-mail address it was sent to.',
  invitationMissing: 'This invitation link is incomplete: open the link in the e-mail again.',
  invitationNotFound: 'This invitation does not exist, has expired, or was already answered.',
  invitedBy: (inviter, organization, role) => `${inviter} invited you to join ${organization} as ${role}.`,
  acceptInvitation: 'Accept',
  declineInvitation: 'Decline',
  invitationAccepted: (organization) => `You are now a member of ${organization}, your active organization.`,
  invitationDeclined: (organization) => `You have declined the invitation to ${organization}.`,
  goToOrganizations: 'Go to your organizations',
};

// A member's roles ("admin,member"), as a list and in words.
const rolesOf = (role) => String(role ?? '').split(',').map((r) => r.trim()).filter(Boolean);
const hasRole = (role, name) => rolesOf(role).includes(name);
const rolesText = (role) => rolesOf(role).join(', ');

// The roles a member may give (owner: only an owner), the strongest first.
const grantable = (owner) => (owner ? ['owner', 'admin', 'member'] : ['admin', 'member']);

/** An organization's slug from its name: lower-case ASCII letters and digits, dashes between words. */
export function organizationSlug(name) {
  return String(name ?? '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 48)
    .replace(/-+$/, '');
}

// A <select> of roles: `owner` adds "owner". Labelled by `label` (a <label>), or by `ariaLabel`.
function RoleSelect({ id, label, ariaLabel, value, onChange, owner, disabled }) {
  const select = h(
    'select',
    { id, className: 'pc-input', value, disabled, 'aria-label': ariaLabel, onChange: (e) => onChange(e.target.value) },
    grantable(owner)
      .slice()
      .reverse()
      .map((r) => h('option', { key: r, value: r }, r)),
  );
  if (!label) return select;
  return h('div', { className: 'pc-field pc-orgs__role' }, h('label', { className: 'pc-label', htmlFor: id }, label), select);
}

// A new organization: its name, and its slug, made from the name until the user types one. The
// slug is asked about (check-slug) before the organization is made; taken, it is said under it.
function CreateOrganizationForm({ client, text, level, onCreated }) {
  const prefix = useStableId('pc-org-new');
  const fields = ['name', 'slug'];
  const form = useForm(fields);
  const [slugTyped, setSlugTyped] = useState(false);
  form.check((v) => ({
    name: v.name.trim() ? undefined : text.required(text.organizationName),
    slug: v.slug.trim() ? undefined : text.required(text.slug),
  }));
  const onSubmit = form.submitter(
    async () => {
      const slug = form.values.slug.trim();
      const free = await client.organization.checkSlug({ slug });
      return free.ok ? client.organization.create({ name: form.values.name.trim(), slug }) : free;
    },
    (organization) => {
      for (const f of fields) form.set(f)('');
      form.setTouched({});
      setSlugTyped(false);
      onCreated(organization);
    },
    (r) => (r.code === 'ORGANIZATION_SLUG_ALREADY_TAKEN' || r.code === 'ORGANIZATION_ALREADY_EXISTS' ? 'slug' : fieldOf(r, fields)),
  );
  const setName = (v) => {
    form.set('name')(v);
    if (!slugTyped) form.set('slug')(organizationSlug(v));
  };
  const setSlug = (v) => {
    setSlugTyped(v !== '');
    form.set('slug')(v);
  };
  return h(
    FormShell,
    { form, onSubmit, title: text.createOrganizationTitle, level, submitLabel: text.createOrganization, text, className: 'pc-orgs__create', testId: 'pc-org-create' },
    h(Field, { id: `${prefix}-name`, label: text.organizationName, type: 'text', autoComplete: 'organization', value: form.values.name, onChange: setName, onBlur: form.blur('name'), error: form.errors.name, inputRef: form.refs.name }),
    h(
      Field,
      { id: `${prefix}-slug`, label: text.slug, type: 'text', autoComplete: 'off', value: form.values.slug, onChange: setSlug, onBlur: form.blur('slug'), error: form.errors.slug, inputRef: form.refs.slug, describedBy: `${prefix}-slug-help`, inputProps: USERNAME_INPUT },
      h('p', { id: `${prefix}-slug-help`, className: 'pc-help' }, text.slugHelp),
    ),
  );
}

// An invitation by e-mail to the organization, with a role (owner: only by an owner).
function InviteMemberForm({ client, organization, owner, text, level, onInvited }) {
  const core = useCore();
  const prefix = useStableId('pc-org-invite');
  const form = useForm(['email']);
  const [role, setRole] = useState('member');
  form.check((v) => ({ email: emailError(core, v.email.trim(), text) }));
  const onSubmit = form.submitter(
    () => client.organization.inviteMember({ email: form.values.email.trim(), role, organizationId: organization.id }),
    (invitation) => {
      form.set('email')('');
      form.setTouched({});
      setRole('member');
      onInvited(invitation);
    },
    (r) => (r.code === 'INVALID_EMAIL' || r.code === 'USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION' || r.code === 'USER_IS_ALREADY_INVITED_TO_THIS_ORGANIZATION' ? 'email' : null),
  );
  return h(
    FormShell,
    { form, onSubmit, title: text.inviteTitle, level, submitLabel: text.invite, text, className: 'pc-form--inline pc-orgs__invite', testId: 'pc-org-invite' },
    h(Field, { id: `${prefix}-email`, label: text.email, type: 'email', autoComplete: 'off', value: form.values.email, onChange: form.set('email'), onBlur: form.blur('email'), error: form.errors.email, inputRef: form.refs.email }),
    h(RoleSelect, { id: `${prefix}-role`, label: text.role, value: role, onChange: setRole, owner }),
  );
}

/**
 * The signed-in user's organizations (the server's --organization; BetterAuth's organization
 * plugin): each with its slug, the active one marked, the others with "Switch" (setActive). For
 * the active one: the user's role, its members (name, e-mail, roles) and, as the user's role
 * allows (checkRolePermission with getActiveMember's role): an invitation by e-mail with a role
 * (member or admin; owner by an owner), each member's role, their removal (after a confirmation;
 * an admin touches no owner), and the pending invitations, to cancel; "Leave the organization"
 * (after a confirmation; the server refuses the last owner, said in the alert), and for an owner
 * its deletion (after a confirmation). Then a form that creates one (its slug made from the name
 * until typed; checked with check-slug). A visitor sees a link to sign in (`loginHref`, with
 * `link`). Props also: `title` (h2), `text`, `className`.
 */
export function Organizations({ loginHref = '/login', link: LinkComponent = 'a', title, text: t, className }) {
  const text = { ...DEFAULT_TEXT, ...ORG_TEXT, ...(t ?? {}) };
  const { client, status, user, session } = useSession();
  const prefix = useStableId('pc-orgs');
  const [data, setData] = useState({ state: 'loading', organizations: [], active: null, me: null });
  const [reloads, setReloads] = useState(0);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState('');
  const [failure, setFailure] = useState(null);
  const [confirming, setConfirming] = useState(null); // 'leave' | 'delete' | a member's id (its removal)
  const [chosen, setChosen] = useState({}); // member id -> the role picked in its select
  const alertRef = useRef(null);
  const seq = useRef(0);
  const userId = user?.id ?? null;
  const activeId = session?.activeOrganizationId ?? null;
  const calls = client.organization;

  useEffect(() => {
    if (status !== 'authenticated') return undefined;
    const mine = ++seq.current;
    const settle = (next) => mine === seq.current && setData((d) => ({ ...(typeof next === 'function' ? next(d) : next), userId }));
    if (!calls) {
      settle({ state: 'error', organizations: [], active: null, me: null, failure: text.organizationsUnavailable });
      return undefined;
    }
    (async () => {
      const [list, full] = await Promise.all([calls.list(), calls.getFullOrganization()]);
      const failed = !list.ok ? list : !full.ok && full.code !== 'USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION' ? full : null;
      if (failed) {
        if (failed.status === 401) settle({ state: 'signed-out', organizations: [], active: null, me: null });
        else settle((d) => ({ ...d, state: d.state === 'ready' ? 'ready' : 'error', failure: failed.code === 'NOT_FOUND' ? text.organizationsUnavailable : describe(failed) }));
        return;
      }
      const active = full.ok ? full.value : null;
      // The user's membership of the active one: what they may do there.
      const me = active ? await calls.getActiveMember() : null;
      const own = me?.ok ? me.value : active?.members?.find((m) => m.userId === userId) ?? null;
      settle({ state: 'ready', organizations: Array.isArray(list.value) ? list.value : [], active, me: own, failure: null });
    })();
    return undefined;
  }, [client, status, userId, activeId, reloads]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => {
    if (failure) alertRef.current?.focus();
  }, [failure]);

  if (status === 'unauthenticated' || data.state === 'signed-out') {
    return h(Notice, { title, level: 2, message: text.organizationsSignIn, footer: h(LinkComponent, linkTo(LinkComponent, resolveURL(loginHref)), text.signIn), className: 'pc-orgs__notice', testId: 'pc-organizations' });
  }
  const rootProps = (extra) => ({ className: 'pc-orgs' + (className ? ` ${className}` : ''), 'data-testid': 'pc-organizations', ...extra });
  if (status === 'loading' || data.state === 'loading' || data.userId !== userId) {
    return h('section', rootProps({ 'aria-busy': 'true' }), title ? h('h2', { className: 'pc-title' }, title) : null);
  }

  // Section headings under the title (h2): h3 with one, else h2.
  const level = title ? 3 : 2;
  const heading = (depth, props, label) => h(`h${level + depth}`, { className: 'pc-orgs__heading', ...props }, label);
  const run = async (call, done) => {
    setBusy(true);
    setFailure(null);
    setMessage('');
    const r = await call();
    setBusy(false);
    if (!r.ok) {
      setFailure(describe(r));
      return;
    }
    setConfirming(null);
    setChosen({});
    setMessage(done);
    setReloads((n) => n + 1);
  };
  const said = (done) => {
    setFailure(null);
    setMessage(done);
    setReloads((n) => n + 1);
  };
  const button = (label, onClick, kind = 'secondary', props = {}) =>
    h('button', { type: 'button', className: `pc-button button button--${kind} button--sm`, disabled: busy, onClick, ...props }, label);
  // A confirmation: what it does, the confirming button, and "Cancel" (focused; Escape too).
  const confirmation = (what, label, onConfirm, kind = 'danger') =>
    h(
      'div',
      { className: 'pc-orgs__confirm pc-danger-zone', role: 'group', 'aria-label': label, onKeyDown: (e) => e.key === 'Escape' && setConfirming(null) },
      h('p', { className: 'pc-help' }, what),
      h('div', { className: 'pc-orgs__actions' }, button(label, onConfirm, kind), button(text.cancel, () => setConfirming(null), 'secondary', { autoFocus: true })),
    );

  const { organizations, active, me } = data;
  const listId = `${prefix}-list`;
  const list = h(
    'div',
    { className: 'pc-orgs__section', role: 'region', 'aria-labelledby': listId },
    heading(0, { id: listId }, text.yourOrganizations),
    organizations.length
      ? h(
          'ul',
          { className: 'pc-orgs__list' },
          organizations.map((o) => {
            const isActive = active?.id === o.id;
            return h(
              'li',
              { key: o.id, className: 'pc-org', 'data-testid': 'pc-org', 'data-organization-id': o.id, 'data-active': isActive ? 'true' : 'false' },
              h(
                'div',
                { className: 'pc-org__what' },
                h('strong', { className: 'pc-org__name' }, o.name),
                isActive ? h('span', { className: 'pc-org__badge badge badge--primary' }, text.activeOrganization) : null,
                h('div', { className: 'pc-session__detail' }, o.slug),
              ),
              isActive
                ? null
                : button(text.switchOrganization, () => run(() => calls.setActive({ organizationId: o.id }), text.switched(o.name)), 'secondary', { 'aria-label': text.switchTo(o.name) }),
            );
          }),
        )
      : h('p', { className: 'pc-help' }, text.noOrganizations),
  );

  let panel = null;
  if (active) {
    const myRole = me?.role ?? '';
    const can = (permissions) => typeof calls.checkRolePermission === 'function' && calls.checkRolePermission({ role: myRole, permissions }) === true;
    const owner = hasRole(myRole, 'owner');
    const mayUpdate = can({ member: ['update'] });
    const mayRemove = can({ member: ['delete'] });
    const mayInvite = can({ invitation: ['create'] });
    const mayCancel = can({ invitation: ['cancel'] });
    const mayDelete = can({ organization: ['delete'] });
    // Another member an owner may manage, or an admin who is not an owner.
    const manageable = (m) => m.userId !== userId && (owner || !hasRole(m.role, 'owner')) && (mayUpdate || mayRemove);
    const members = Array.isArray(active.members) ? active.members : [];
    const withActions = members.some(manageable);
    const columns = [text.email, text.name, text.role, ...(withActions ? [text.actions] : [])];
    const rows = [];
    for (const m of members) {
      const email = m.user?.email ?? '';
      const picked = chosen[m.id] ?? grantable(owner).find((r) => hasRole(m.role, r)) ?? 'member';
      rows.push(
        h(
          'tr',
          { key: m.id, className: 'pc-org-member', 'data-member-id': m.id },
          h('th', { scope: 'row', className: 'pc-orgs__email' }, email, m.userId === userId ? h('span', { className: 'pc-orgs__you badge badge--secondary' }, text.you) : null),
          h('td', null, m.user?.name ?? ''),
          h('td', { className: 'pc-org-member__role' }, rolesText(m.role)),
          withActions
            ? h(
                'td',
                null,
                manageable(m)
                  ? h(
                      'div',
                      { className: 'pc-orgs__actions' },
                      mayUpdate ? h(RoleSelect, { id: `${prefix}-role-${m.id}`, ariaLabel: text.roleOf(email), value: picked, onChange: (v) => setChosen((c) => ({ ...c, [m.id]: v })), owner, disabled: busy }) : null,
                      mayUpdate
                        ? button(text.setRole, () => run(() => calls.updateMemberRole({ memberId: m.id, role: picked, organizationId: active.id }), text.roleSet(email, picked)), 'secondary', {
                            'aria-label': text.setRoleOf(email),
                            disabled: busy || rolesText(m.role) === picked,
                          })
                        : null,
                      mayRemove ? button(text.removeMember, () => setConfirming(confirming === m.id ? null : m.id), 'secondary', { 'aria-label': text.removeMemberLabel(email), 'aria-expanded': confirming === m.id ? 'true' : 'false' }) : null,
                    )
                  : null,
              )
            : null,
        ),
      );
      if (confirming === m.id) {
        rows.push(
          h(
            'tr',
            { key: `${m.id}-confirm`, className: 'pc-org-member__confirm' },
            h(
              'td',
              { colSpan: columns.length },
              confirmation(text.removeMemberConfirmation(email, active.name), text.confirmRemoveMember(email), () =>
                run(() => calls.removeMember({ memberIdOrEmail: m.id, organizationId: active.id }), text.memberRemoved(email)),
              ),
            ),
          ),
        );
      }
    }
    const pending = (Array.isArray(active.invitations) ? active.invitations : []).filter((i) => i.status === 'pending');
    const activeHeading = `${prefix}-active`;
    panel = h(
      'div',
      { className: 'pc-orgs__section pc-orgs__active', role: 'region', 'aria-labelledby': activeHeading, 'data-testid': 'pc-org-active', 'data-organization-id': active.id },
      heading(0, { id: activeHeading }, active.name),
      h('p', { className: 'pc-help pc-orgs__role-line' }, [active.slug, me ? text.yourRole(rolesText(me.role)) : null].filter(Boolean).join(' · ')),
      heading(1, null, text.members),
      h(
        'div',
        { className: 'pc-orgs__scroll' },
        h(
          'table',
          { className: 'pc-orgs__table' },
          h('thead', null, h('tr', null, columns.map((c) => h('th', { key: c, scope: 'col' }, c)))),
          h('tbody', null, rows),
        ),
      ),
      mayInvite ? h(InviteMemberForm, { client, organization: active, owner, text, level: level + 1, onInvited: (i) => said(text.invited(i?.email ?? '')) }) : null,
      mayInvite
        ? h(
            React.Fragment,
            null,
            heading(1, null, text.pendingInvitations),
            pending.length
              ? h(
                  'ul',
                  { className: 'pc-orgs__list pc-orgs__invitations' },
                  pending.map((i) =>
                    h(
                      'li',
                      { key: i.id, className: 'pc-org', 'data-invitation-id': i.id },
                      h('div', { className: 'pc-org__what' }, h('strong', null, i.email), h('div', { className: 'pc-session__detail' }, text.invitationLine(rolesText(i.role ?? 'member'), localDate(i.expiresAt, true)))),
                      mayCancel ? button(text.cancelInvitation, () => run(() => calls.cancelInvitation({ invitationId: i.id }), text.invitationCanceled(i.email)), 'secondary', { 'aria-label': text.cancelInvitationOf(i.email) }) : null,
                    ),
                  ),
                )
              : h('p', { className: 'pc-help' }, text.noInvitations),
          )
        : null,
      h(
        'div',
        { className: 'pc-orgs__leave' },
        confirming === 'leave'
          ? confirmation(text.leaveConfirmation(active.name), text.confirmLeave(active.name), () => run(() => calls.leave({ organizationId: active.id }), text.left(active.name)))
          : button(text.leaveOrganization, () => setConfirming('leave'), 'secondary'),
      ),
      mayDelete
        ? h(
            'div',
            { className: 'pc-orgs__delete' },
            confirming === 'delete'
              ? confirmation(text.deleteOrganizationConfirmation(active.name), text.confirmDeleteOrganization(active.name), () =>
                  run(() => calls.delete({ organizationId: active.id }), text.organizationDeleted(active.name)),
                )
              : button(text.deleteOrganization, () => setConfirming('delete'), 'danger'),
          )
        : null,
    );
  }

  const shownFailure = failure ?? data.failure ?? null;
  return h(
    'section',
    rootProps({ 'aria-busy': busy ? 'true' : 'false' }),
    title ? h('h2', { className: 'pc-title' }, title) : null,
    h('p', { className: 'pc-notice__text pc-orgs__message', role: 'status' }, message),
    h('div', { className: 'pc-alert', role: 'alert', tabIndex: -1, ref: alertRef, hidden: !shownFailure }, shownFailure ?? ''),
    calls && data.state === 'ready' ? list : null,
    panel,
    calls ? h(CreateOrganizationForm, { client, text, level, onCreated: (o) => said(text.organizationCreated(o?.name ?? '')) }) : null,
  );
}

/**
 * The page an invitation's link leads to (the server's --organization-invitation-url): for the
 * signed-in user, the organization's name, the inviter and the role (getInvitation), with "Accept"
 * and "Decline"; then what was done, and (accepted) a link to `organizationsHref`. Signed out: to
 * sign in with the invited address, and a link to `loginHref` (a URL, or a function returning
 * one: e.g. the sign-in page, back here after). The server's refusals are said in words: an
 * unverified address (EMAIL_VERIFICATION_REQUIRED_FOR_INVITATION), another user's invitation, one
 * that is gone. Props: `invitationId`, `link`, `title` (h2), `text`, `className`,
 * `onAccepted({invitation, member})`, `onDeclined({invitation})`.
 */
export function AcceptInvitation({ invitationId, loginHref = '/login', organizationsHref, link: LinkComponent = 'a', title, text: t, className, onAccepted, onDeclined }) {
  const text = { ...DEFAULT_TEXT, ...ORG_TEXT, ...(t ?? {}) };
  const { client, status, user } = useSession();
  const [found, setFound] = useState({ key: null, invitation: null, failure: null });
  const [done, setDone] = useState(null); // 'accepted' | 'declined'
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState(null);
  const alertRef = useRef(null);
  const calls = client.organization;
  // Asked again for another user, or once their address is verified.
  const key = status === 'authenticated' && invitationId ? `${invitationId} ${user.id} ${user.emailVerified}` : null;
  useEffect(() => {
    if (!key || done) return undefined;
    let live = true;
    const ask = calls
      ? calls.getInvitation({ id: invitationId })
      : Promise.resolve({ ok: false, status: 404, code: 'NOT_FOUND', message: text.organizationsUnavailable });
    ask.then((r) => live && setFound({ key, invitation: r.ok ? r.value : null, failure: r.ok ? null : r }));
    return () => {
      live = false;
    };
  }, [key]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => {
    if (failure) alertRef.current?.focus();
  }, [failure]);

  const notice = (message, footer) => h(Notice, { title, level: 2, message, footer, className: 'pc-invitation' + (className ? ` ${className}` : ''), testId: 'pc-invitation' });
  if (!invitationId) return notice(text.invitationMissing);
  if (status === 'unauthenticated') return notice(text.invitationSignIn, h(LinkComponent, linkTo(LinkComponent, resolveURL(loginHref)), text.signIn));
  const invitation = found.key === key ? found.invitation : null;
  if (done) {
    const name = invitation?.organizationName ?? '';
    return done === 'accepted'
      ? notice(text.invitationAccepted(name), organizationsHref ? h(LinkComponent, linkTo(LinkComponent, organizationsHref), text.goToOrganizations) : null)
      : notice(text.invitationDeclined(name));
  }
  const waiting = status === 'loading' || found.key !== key;
  const refused = waiting ? null : found.failure;
  const shown = failure ?? (refused ? (refused.code === 'INVITATION_NOT_FOUND' ? text.invitationNotFound : refused.code === 'NOT_FOUND' ? text.organizationsUnavailable : describe(refused)) : null);
  const answer = async (accept) => {
    setBusy(true);
    setFailure(null);
    const r = accept ? await calls.acceptInvitation({ invitationId }) : await calls.rejectInvitation({ invitationId });
    setBusy(false);
    if (!r.ok) {
      setFailure(describe(r));
      return;
    }
    setDone(accept ? 'accepted' : 'declined');
    (accept ? onAccepted : onDeclined)?.(r.value);
  };
  return h(
    'section',
    { className: 'pc-form pc-invitation' + (className ? ` ${className}` : ''), 'data-testid': 'pc-invitation', 'aria-busy': waiting || busy ? 'true' : 'false' },
    title ? h('h2', { className: 'pc-title' }, title) : null,
    user ? h('p', { className: 'pc-help pc-invitation__who' }, `${text.signedInAs} `, h('strong', null, user.email)) : null,
    invitation
      ? h('p', { className: 'pc-notice__text pc-invitation__what' }, text.invitedBy(invitation.inviterEmail, invitation.organizationName, rolesText(invitation.role ?? 'member')))
      : null,
    h('div', { className: 'pc-alert', role: 'alert', tabIndex: -1, ref: alertRef, hidden: !shown }, shown ?? ''),
    invitation
      ? h(
          'div',
          { className: 'pc-invitation__actions' },
          h('button', { type: 'button', className: 'pc-button button button--primary', disabled: busy, onClick: () => answer(true) }, busy ? text.working : text.acceptInvitation),
          h('button', { type: 'button', className: 'pc-button button button--secondary', disabled: busy, onClick: () => answer(false) }, text.declineInvitation),
        )
      : null,
  );
}

// ---- user menu ---------------------------------------------------------------------------------------

// A form of one field, the current password, for an action that needs it (TwoFactorSettings').
function PasswordActionForm({ send, onOk, submitLabel, notice, danger = false, text, testId, children }) {
  const prefix = useStableId('pc-confirm');
  const form = useForm(['password']);
  form.check((v) => ({ password: v.password ? undefined : text.required(text.currentPassword) }));
  const onSubmit = form.submitter(
    () => send(form.values.password),
    (value) => {
      form.set('password')('');
      form.setTouched({});
      onOk(value);
    },
    (r) => (r.code === 'INVALID_PASSWORD' || r.code.startsWith('PASSWORD_TOO_') ? 'password' : null),
  );
  return h(
    FormShell,
    { form, onSubmit, notice, submitLabel, text, danger, testId, className: 'pc-form--inline' },
    children,
    h(Field, { id: `${prefix}-password`, label: text.currentPassword, type: 'password', autoComplete: 'current-password', value: form.values.password, onChange: form.set('password'), onBlur: form.blur('password'), error: form.errors.password, inputRef: form.refs.password, revealLabel: text.showPassword }),
  );
}

// The otpauth:// URI as a QR code for a phone's authenticator app to scan: an SVG of its dark
// modules, with the 4-module quiet zone. The encoder (qrcode-generator, 11 KB gzip) is imported
// when the code is first shown, so no other page downloads it; until then, nothing shows.
function QrCode({ value, label }) {
  const [qr, setQr] = useState(null); // {value, size, path}
  useEffect(() => {
    let live = true;
    import('qrcode-generator').then(
      (m) => {
        const make = m.default ?? m;
        const code = make(0, 'M'); // the smallest version that holds it; 15 % error correction
        code.addData(value, 'Byte');
        code.make();
        const n = code.getModuleCount();
        let path = '';
        for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) if (code.isDark(r, c)) path += `M${c + 4} ${r + 4}h1v1h-1z`;
        if (live) setQr({ value, size: n + 8, path });
      },
      () => {
        /* no code: the link and the key below still work */
      },
    );
    return () => {
      live = false;
    };
  }, [value]);
  if (!qr || qr.value !== value) return null;
  return h(
    'svg',
    { className: 'pc-qr', viewBox: `0 0 ${qr.size} ${qr.size}`, role: 'img', 'aria-label': label, 'data-testid': 'pc-qr', shapeRendering: 'crispEdges' },
    h('rect', { width: qr.size, height: qr.size, fill: '#fff' }),
    h('path', { d: qr.path, fill: '#000' }),
  );
}

// The backup codes, as a list to copy or print.
function BackupCodes({ codes, text }) {
  return h(
    'div',
    { className: 'pc-backup-codes' },
    h('p', null, text.saveBackupCodes),
    h('ul', { className: 'pc-backup-codes__list', 'data-testid': 'pc-backup-codes' }, codes.map((c) => h('li', { key: c }, h('code', null, c)))),
  );
}

/**
 * Two-step verification on the account page (the server's --two-factor): turning it on (the
 * password, then the authenticator app's key as a QR code, a link and text, the backup codes,
 * and the app's first code to confirm), new backup codes, and turning it off. Props: `title`, `text`,
 * `className`, `otp` (the server's --two-factor-otp: turning it on also offers codes sent by
 * e-mail, on at once after the password; the address must be verified). Reads
 * `user.twoFactorEnabled` from the session; renders nothing without one.
 */
export function TwoFactorSettings({ title, text: t, className, otp = false }) {
  const text = { ...DEFAULT_TEXT, ...(t ?? {}) };
  const { client, user } = useSession();
  const prefix = useStableId('pc-2fa-setup');
  const [method, setMethod] = useState('totp'); // what turning it on sets up, with `otp`
  const [setup, setSetup] = useState(null); // {totpURI, backupCodes} until the app's first code
  const [codes, setCodes] = useState(null); // new backup codes to show
  const [notice, setNotice] = useState(null);
  // What the last action here left ('on' or 'off'), until the refetched session says the same:
  // without it, the notice of a change would show for a moment in the form of the state before.
  const [changed, setChanged] = useState(null);
  const sessionOn = Boolean(user?.twoFactorEnabled);
  useEffect(() => {
    if (changed !== null && sessionOn === (changed === 'on')) setChanged(null);
  }, [changed, sessionOn]);
  const on = changed !== null ? changed === 'on' : sessionOn;
  // While it is on, the methods the server asks this user for (['totp', 'otp']; null: not known,
  // e.g. a BetterAuth server, which has no such route): an app brings backup codes; a user with
  // codes by e-mail alone is offered an app instead.
  const [methods, setMethods] = useState(null);
  const [methodsAsked, setMethodsAsked] = useState(0);
  useEffect(() => {
    if (!on || !user || !client.getTwoFactorMethods) return undefined;
    let live = true;
    client.getTwoFactorMethods().then((r) => {
      if (live) setMethods(r.ok ? r.value.methods : null);
    });
    return () => {
      live = false;
    };
  }, [client, on, user?.id, methodsAsked]);
  const confirm = useForm(['code']);
  confirm.check((v) => ({ code: v.code.trim() ? undefined : text.required(text.totpCode) }));
  const onConfirm = confirm.submitter(
    () => client.verifyTotp({ code: confirm.values.code.replace(/\s+/g, '') }),
    () => {
      setSetup(null);
      setNotice(on ? text.authenticatorAppAdded : text.twoFactorIsOn);
      setChanged('on');
      setMethodsAsked((n) => n + 1);
    },
    (r) => (r.code === 'INVALID_CODE' ? 'code' : null),
  );
  if (!user) return null; // nothing while the session is unknown, or signed out
  const app = methods === null || methods.includes('totp');
  let body;
  if (setup) {
    const key = new URL(setup.totpURI).searchParams.get('secret') ?? '';
    body = h(
      React.Fragment,
      null,
      h('p', null, text.twoFactorSetup),
      h(QrCode, { value: setup.totpURI, label: text.qrCode }),
      h('p', null, h('a', { href: setup.totpURI, className: 'pc-otpauth' }, text.openInApp)),
      h('p', null, `${text.setupKey}: `, h('code', { className: 'pc-setup-key', 'data-testid': 'pc-setup-key' }, key.replace(/(.{4})(?=.)/g, '$1 '))),
      h(BackupCodes, { codes: setup.backupCodes, text }),
      h(
        FormShell,
        { form: confirm, onSubmit: onConfirm, submitLabel: on ? text.addAuthenticatorApp : text.turnOnTwoFactor, text, testId: 'pc-2fa-confirm', className: 'pc-form--inline' },
        h(Field, { id: `${prefix}-code`, label: text.confirmTwoFactor, type: 'text', autoComplete: 'one-time-code', value: confirm.values.code, onChange: confirm.set('code'), onBlur: confirm.blur('code'), error: confirm.errors.code, inputRef: confirm.refs.code }),
      ),
    );
  } else if (!on) {
    body = h(
      React.Fragment,
      null,
      h('p', null, otp ? text.twoFactorIntroOtp : text.twoFactorIntro),
      h(
        PasswordActionForm,
        {
          text,
          notice,
          submitLabel: text.turnOnTwoFactor,
          testId: 'pc-2fa-enable',
          send: async (password) => {
            if (method !== 'otp') return client.enableTwoFactor({ password });
            const r = await client.enableTwoFactor({ password, method });
            return r.code === 'EMAIL_NOT_VERIFIED' ? { ...r, message: text.otpNeedsVerifiedEmail } : r;
          },
          onOk: (value) => {
            setCodes(null);
            // E-mailed codes are on at once (the session, refetched, says so); an app is set up first.
            if (value?.method === 'otp') {
              setChanged('on');
              setNotice(text.twoFactorOtpOn);
            } else {
              setNotice(null);
              setSetup(value);
            }
          },
        },
        otp
          ? h(
              'div',
              { role: 'radiogroup', 'aria-label': text.twoFactorMethod },
              ['totp', 'otp'].map((m) =>
                h(
                  'label',
                  { className: 'pc-check', key: m },
                  h('input', { type: 'radio', name: `${prefix}-method`, value: m, checked: method === m, onChange: () => setMethod(m) }),
                  ' ',
                  m === 'otp' ? text.useEmailCodes : text.useAuthenticatorApp,
                ),
              ),
            )
          : null,
      ),
    );
  } else {
    body = h(
      React.Fragment,
      null,
      h('p', { role: 'status' }, notice ?? text.twoFactorIsOn),
      codes ? h(BackupCodes, { codes, text }) : null,
      h('h3', null, app ? text.newBackupCodes : text.addAuthenticatorApp),
      app
        ? h(PasswordActionForm, {
            text,
            notice: text.newBackupCodesHelp,
            submitLabel: text.newBackupCodes,
            testId: 'pc-2fa-codes',
            send: async (password) => {
              const r = await client.generateBackupCodes({ password });
              // A user with e-mailed codes alone has no app, and so no backup codes (when the
              // methods are not known, this is how it shows).
              return r.code === 'TWO_FACTOR_NOT_ENABLED' ? { ...r, message: text.noBackupCodes } : r;
            },
            onOk: (value) => setCodes(value.backupCodes),
          })
        : h(PasswordActionForm, {
            text,
            notice: text.addAuthenticatorAppHelp,
            submitLabel: text.addAuthenticatorApp,
            testId: 'pc-2fa-add-app',
            send: (password) => client.enableTwoFactor({ password }),
            onOk: (value) => {
              setNotice(null);
              setSetup(value);
            },
          }),
      h('h3', null, text.turnOffTwoFactor),
      h(PasswordActionForm, {
        text,
        danger: true,
        submitLabel: text.turnOffTwoFactor,
        testId: 'pc-2fa-disable',
        send: (password) => client.disableTwoFactor({ password }),
        onOk: () => {
          setCodes(null);
          setChanged('off');
          setNotice(text.twoFactorTurnedOff);
        },
      }),
    );
  }
  return h(
    'section',
    { className: 'pc-form pc-two-factor' + (className ? ` ${className}` : ''), 'data-testid': 'pc-two-factor', 'data-enabled': on ? 'true' : 'false' },
    title ? h('h2', { className: 'pc-title' }, title) : null,
    body,
  );
}

// A passkey's name as shown (the unnamed ones: "Passkey").
const passkeyName = (p, text) => (typeof p.name === 'string' && p.name.trim() ? p.name : text.unnamedPasskey);

// A passkey's name, local verdict: the user's name's rules (at most 128 characters, no control
// characters), once the core is loaded; `required` for a rename (the server refuses an empty one).
function passkeyNameError(core, name, text, required) {
  if (!name.trim()) return required ? text.required(text.passkeyName) : undefined;
  const r = core?.validateName(name.trim());
  return r && !r.ok ? r.message : undefined;
}

// "Add a passkey": an optional name, then the browser's prompt. `onStart()` as it asks;
// `onAdded(row)`; `onStale()` when the server wants a fresher session.
function AddPasskeyForm({ client, core, text, authenticatorAttachment, onStart, onAdded, onStale }) {
  const prefix = useStableId('pc-passkey-add');
  const form = useForm(['name']);
  form.check((v) => ({ name: passkeyNameError(core, v.name, text, false) }));
  const onSubmit = form.submitter(
    async () => {
      onStart();
      const name = form.values.name.trim();
      const r = await client.passkey.addPasskey({ ...(name ? { name } : {}), ...(authenticatorAttachment ? { authenticatorAttachment } : {}) });
      if (!r.ok && r.code === 'SESSION_NOT_FRESH') onStale();
      return r.ok ? r : { ...r, message: passkeyFailureText(r, text) };
    },
    (row) => {
      form.set('name')('');
      form.setTouched({});
      onAdded(row);
    },
  );
  return h(
    FormShell,
    { form, onSubmit, submitLabel: text.addPasskey, text, testId: 'pc-passkey-add', className: 'pc-form--inline' },
    h(Field, { id: `${prefix}-name`, label: text.optional(text.passkeyName), type: 'text', autoComplete: 'off', value: form.values.name, onChange: form.set('name'), onBlur: form.blur('name'), error: form.errors.name, inputRef: form.refs.name }),
  );
}

// A passkey's new name, in its row: "Save" or "Cancel" (Escape too); the field has the focus.
function RenamePasskeyForm({ client, core, passkey, text, onRenamed, onCancel }) {
  const prefix = useStableId('pc-passkey-rename');
  const form = useForm(['name'], { name: passkey.name ?? '' });
  form.check((v) => ({ name: passkeyNameError(core, v.name, text, true) }));
  useEffect(() => {
    form.refs.name.current?.focus();
    form.refs.name.current?.select?.();
  }, []); // eslint-disable-line react-hooks/exhaustive-deps
  const onSubmit = form.submitter(
    async () => {
      const r = await client.passkey.updatePasskey({ id: passkey.id, name: form.values.name.trim() });
      return r.ok || r.code !== 'PASSKEY_NOT_FOUND' ? r : { ...r, message: text.passkeyMissing };
    },
    (value) => onRenamed(value?.passkey ?? { ...passkey, name: form.values.name.trim() }),
  );
  return h(
    'div',
    {
      className: 'pc-passkey__edit',
      onKeyDown: (e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onCancel();
        }
      },
    },
    h(
      FormShell,
      {
        form,
        onSubmit,
        submitLabel: text.save,
        text,
        testId: 'pc-passkey-rename',
        className: 'pc-form--inline',
        after: h('button', { type: 'button', className: 'pc-button button button--secondary', onClick: onCancel }, text.cancel),
      },
      h(Field, { id: `${prefix}-name`, label: text.passkeyName, type: 'text', autoComplete: 'off', value: form.values.name, onChange: form.set('name'), onBlur: form.blur('name'), error: form.errors.name, inputRef: form.refs.name }),
    ),
  );
}

/**
 * The signed-in user's passkeys on the account page (the server's --passkey): each with its name,
 * when it was added and whether it is synced between devices or kept on one, with "Rename" (its
 * name in place: "Save", "Cancel" or Escape) and "Delete" (after a confirmation, whose "Cancel"
 * has the focus); and "Add a passkey" with an optional name (the browser's prompt), in browsers
 * with WebAuthn. What an action did is said in a `role="status"` line, a failure in a
 * `role="alert"` box (a closed prompt: "No passkey was added: the prompt was closed."). Props:
 * `title` (h2), `text`, `className`, `authenticatorAttachment` ('platform': this device's own
 * authenticator only; 'cross-platform': a security key or a phone; default: the browser offers
 * both). Renders nothing without a session.
 */
export function PasskeySettings({ title, text: t, className, authenticatorAttachment }) {
  const text = { ...DEFAULT_TEXT, ...PASSKEY_TEXT, ...(t ?? {}) };
  const { client, user, status } = useSession();
  const core = useCore();
  const prefix = useStableId('pc-passkeys');
  const supported = usePasskeySupported(true);
  const [state, setState] = useState({ loaded: false, passkeys: [], failure: null });
  const [notice, setNotice] = useState(null);
  const [failure, setFailure] = useState(null);
  const [editing, setEditing] = useState(null); // {id, mode: 'rename' | 'delete'}
  const [busy, setBusy] = useState(false);
  const [stale, setStale] = useState(false);
  const [focus, setFocus] = useState(null); // the id of the element to focus once rendered
  const alertRef = useRef(null);
  const available = Boolean(client.passkey);
  const load = useCallback(async () => {
    if (!client.passkey) return;
    const r = await client.passkey.listUserPasskeys();
    setState(r.ok ? { loaded: true, passkeys: Array.isArray(r.value) ? r.value : [], failure: null } : { loaded: true, passkeys: [], failure: r });
  }, [client]);
  useEffect(() => {
    if (status === 'authenticated') load();
  }, [status, user?.id, load]);
  useEffect(() => {
    if (failure) alertRef.current?.focus();
  }, [failure]);
  useEffect(() => {
    if (!focus) return;
    document.getElementById(focus)?.focus();
    setFocus(null);
  }, [focus]);
  if (!user) return null;
  const statusId = `${prefix}-status`;
  const buttonId = (kind, id) => `${prefix}-${kind}-${id}`;
  const said = (message, focusId = null) => {
    setFailure(null);
    setNotice(message);
    if (focusId) setFocus(focusId);
  };
  const remove = async (p) => {
    setBusy(true);
    setFailure(null);
    setNotice(null);
    const r = await client.passkey.deletePasskey({ id: p.id });
    setBusy(false);
    if (r.ok || r.code === 'PASSKEY_NOT_FOUND') {
      setEditing(null);
      await load();
      if (r.ok) said(text.passkeyDeleted(passkeyName(p, text)), statusId);
      else setFailure(text.passkeyMissing);
    } else setFailure(describe(r));
  };
  const listFailure = state.failure
    ? state.failure.code === 'NOT_FOUND'
      ? text.passkeyUnavailable
      : describe(state.failure)
    : null;
  const shownFailure = !available ? text.passkeyUnavailable : failure ?? listFailure;
  const button = (label, onClick, props = {}, kind = 'secondary') =>
    h('button', { type: 'button', className: `pc-button button button--${kind} button--sm`, disabled: busy, onClick, ...props }, label);
  const item = (p) => {
    const name = passkeyName(p, text);
    const mode = editing?.id === p.id ? editing.mode : null;
    const created = localDate(p.createdAt);
    const detail = [created ? text.passkeyCreated(created) : null, p.deviceType === 'multiDevice' ? text.passkeySynced : p.deviceType === 'singleDevice' ? text.passkeySingleDevice : null].filter(Boolean).join(' · ');
    const close = () => {
      setEditing(null);
      setFocus(buttonId(mode === 'delete' ? 'delete' : 'rename', p.id));
    };
    return h(
      'li',
      { key: p.id, className: 'pc-passkey', 'data-testid': 'pc-passkey', 'data-passkey-id': p.id },
      h(
        'div',
        { className: 'pc-passkey__what' },
        h('strong', { className: 'pc-passkey__name' }, name),
        detail ? h('div', { className: 'pc-session__detail pc-passkey__detail' }, detail) : null,
      ),
      h(
        'div',
        { className: 'pc-passkey__actions' },
        button(text.rename, () => setEditing(mode === 'rename' ? null : { id: p.id, mode: 'rename' }), { id: buttonId('rename', p.id), 'aria-label': text.renameLabel(name), 'aria-expanded': mode === 'rename' ? 'true' : 'false' }),
        button(`${text.remove}…`, () => setEditing(mode === 'delete' ? null : { id: p.id, mode: 'delete' }), { id: buttonId('delete', p.id), 'aria-label': text.removeLabel(name), 'aria-expanded': mode === 'delete' ? 'true' : 'false' }),
      ),
      mode === 'rename'
        ? h(RenamePasskeyForm, {
            client,
            core,
            passkey: p,
            text,
            onCancel: close,
            onRenamed: async (row) => {
              setEditing(null);
              await load();
              said(text.passkeyRenamed(passkeyName(row, text)), buttonId('rename', p.id));
            },
          })
        : null,
      mode === 'delete'
        ? h(
            'div',
            {
              className: 'pc-passkey__confirm pc-danger-zone',
              role: 'group',
              'aria-label': text.removeLabel(name),
              onKeyDown: (e) => {
                if (e.key === 'Escape') close();
              },
            },
            h('p', { className: 'pc-help' }, text.deletePasskeyConfirmation(name)),
            h(
              'div',
              { className: 'pc-passkey__actions' },
              button(text.confirmDeletePasskey(name), () => remove(p), {}, 'danger'),
              button(text.cancel, close, { id: buttonId('cancel', p.id), autoFocus: true }),
            ),
          )
        : null,
    );
  };
  return h(
    'section',
    {
      className: 'pc-form pc-passkeys' + (className ? ` ${className}` : ''),
      'data-testid': 'pc-passkeys',
      'aria-busy': (available && !state.loaded) || busy ? 'true' : 'false',
      'aria-labelledby': title ? `${prefix}-title` : undefined,
    },
    title ? h('h2', { className: 'pc-title', id: `${prefix}-title` }, title) : null,
    h('p', { className: 'pc-help pc-passkeys__intro' }, text.passkeysIntro),
    h('p', { className: 'pc-notice__text pc-passkeys__status', role: 'status', id: statusId, tabIndex: -1 }, notice ?? ''),
    h('div', { className: 'pc-alert', role: 'alert', tabIndex: -1, ref: alertRef, hidden: !shownFailure }, shownFailure ?? ''),
    stale ? h('button', { type: 'button', className: 'pc-button button button--secondary', onClick: () => client.signOut() }, text.signInAgain) : null,
    available
      ? h(
          React.Fragment,
          null,
          h('ul', { className: 'pc-passkeys__list', 'aria-label': text.yourPasskeys }, state.passkeys.map(item)),
          state.loaded && !state.failure && !state.passkeys.length ? h('p', { className: 'pc-help pc-passkeys__empty' }, text.noPasskeys) : null,
          supported
            ? h(AddPasskeyForm, {
                client,
                core,
                text,
                authenticatorAttachment,
                onStart: () => said(null),
                onStale: () => setStale(true),
                onAdded: async (row) => {
                  await load();
                  said(text.passkeyAdded(row?.name ?? null));
                },
              })
            : state.loaded
              ? h('p', { className: 'pc-help' }, text.passkeyNotSupported)
              : null,
        )
      : null,
  );
}

// ---- API keys (the server's --api-key) ---------------------------------------------------------------

// ApiKeys' labels and messages (apart, so that a bundler drops them with the component).
const API_KEY_TEXT = {
  apiKeysIntro: 'An API key lets a program of yours (a script, a service) act as you on this site, without your password. Keep each one secret, as a password, and delete the ones you no longer use.',
  yourApiKeys: 'Your API keys',
  noApiKeys: 'You have no API keys yet.',
  unnamedApiKey: 'API key',
  apiKeyStart: (start) => `${start}…`,
  apiKeyCreatedOn: (date) => `created ${date}`,
  apiKeyExpiresOn: (date) => `expires ${date}`,
  apiKeyExpiredOn: (date) => `expired ${date}`,
  apiKeyNeverExpires: 'never expires',
  apiKeyLastUsed: (date) => `last used ${date}`,
  apiKeyNeverUsed: 'never used',
  apiKeyDisabledBadge: 'Disabled',
  apiKeyExpiredBadge: 'Expired',
  disableApiKey: 'Disable',
  enableApiKey: 'Enable',
  disableApiKeyLabel: (name) => `Disable ${name}`,
  enableApiKeyLabel: (name) => `Enable ${name}`,
  apiKeyDisabled: (name) => `“${name}” is disabled: it is refused until you enable it again.`,
  apiKeyEnabled: (name) => `“${name}” is enabled again.`,
  deleteApiKey: 'Delete…',
  deleteApiKeyLabel: (name) => `Delete ${name}`,
  deleteApiKeyConfirmation: (name) => `Delete “${name}”? The programs that use it are refused from now on. It cannot be undone.`,
  confirmDeleteApiKey: (name) => `Delete ${name}`,
  apiKeyDeleted: (name) => `API key “${name}” deleted.`,
  cancel: 'Cancel',
  newApiKeyTitle: 'New API key',
  apiKeyName: 'Name',
  apiKeyNameHelp: 'What it is for, e.g. “Backup script”: to tell your keys apart.',
  apiKeyExpiry: 'Expires',
  // [seconds (0: never), label]: the expiry's choices (the server takes 1 to 365 days).
  apiKeyExpiries: [[0, 'Never'], [2592000, 'In 30 days'], [7776000, 'In 90 days'], [31536000, 'In 365 days']],
  createApiKey: 'Create the key',
  newApiKey: 'Your new API key',
  newApiKeyOnce: (name) => `This is “${name}”. Copy it now and keep it somewhere safe: you will not see it again.`,
  copyApiKey: 'Copy',
  copyApiKeyLabel: 'Copy the new API key',
  apiKeyCopied: 'Copied.',
  apiKeyNotCopied: 'This browser did not copy it: select the key and copy it yourself.',
  apiKeyCopiedDone: 'Done',
  apiKeyDoneLabel: 'Done: hide the new API key',
  apiKeysUnavailable: 'The server does not offer API keys (its --api-key option is off).',
  apiKeyMissing: 'This API key no longer exists.',
};

// The expiry's choice by default (seconds; 90 days): one of text.apiKeyExpiries.
const API_KEY_DEFAULT_EXPIRY = 7776000;

// A key's name as shown: its own, else "API key pk_abc…" (its first characters tell it apart).
const apiKeyName = (k, text) =>
  typeof k.name === 'string' && k.name.trim() ? k.name : k.start ? `${text.unnamedApiKey} ${text.apiKeyStart(k.start)}` : text.unnamedApiKey;

// Whether a key's expiry is past (a date as the server sends it, or a Date from BetterAuth's client).
const expired = (k) => Boolean(k.expiresAt) && new Date(k.expiresAt).getTime() <= Date.now();

// The field of the new key's form a refusal of the server is about (a code of the name's, or of
// the expiry's), else fieldOf's.
const apiKeyField = (r, fields) =>
  r.code === 'INVALID_NAME_LENGTH' || r.code === 'NAME_REQUIRED'
    ? 'name'
    : r.code.startsWith('EXPIRES_IN_') || r.code === 'KEY_DISABLED_EXPIRATION'
      ? 'expiresIn'
      : fieldOf(r, fields);

// A new key: its name (required here, to tell keys apart) and when it expires. `onCreated(row)`
// gets create's answer, the key itself in it.
function CreateApiKeyForm({ client, text, level, onStart, onCreated }) {
  const prefix = useStableId('pc-api-key-new');
  const fields = ['name', 'expiresIn'];
  const form = useForm(fields, { expiresIn: String(API_KEY_DEFAULT_EXPIRY) });
  form.check((v) => ({ name: v.name.trim() ? undefined : text.required(text.apiKeyName) }));
  const onSubmit = form.submitter(
    () => {
      onStart();
      const seconds = Number(form.values.expiresIn);
      return client.apiKey.create({ name: form.values.name.trim(), expiresIn: seconds > 0 ? seconds : null });
    },
    (row) => {
      form.set('name')('');
      form.setTouched({});
      onCreated(row);
    },
    (r) => apiKeyField(r, fields),
  );
  const expiryId = `${prefix}-expiresIn`;
  const expiryError = form.errors.expiresIn;
  return h(
    FormShell,
    { form, onSubmit, title: text.newApiKeyTitle, level, submitLabel: text.createApiKey, text, className: 'pc-form--inline pc-api-keys__create', testId: 'pc-api-key-create' },
    h(
      Field,
      { id: `${prefix}-name`, label: text.apiKeyName, type: 'text', autoComplete: 'off', value: form.values.name, onChange: form.set('name'), onBlur: form.blur('name'), error: form.errors.name, inputRef: form.refs.name, describedBy: `${prefix}-name-help` },
      h('p', { id: `${prefix}-name-help`, className: 'pc-help' }, text.apiKeyNameHelp),
    ),
    h(
      'div',
      { className: 'pc-field' + (expiryError ? ' pc-field--invalid' : '') },
      h('label', { className: 'pc-label', htmlFor: expiryId }, text.apiKeyExpiry),
      h(
        'select',
        {
          id: expiryId,
          name: 'expiresIn',
          className: 'pc-input',
          value: form.values.expiresIn,
          ref: form.refs.expiresIn,
          'aria-invalid': expiryError ? 'true' : 'false',
          'aria-describedby': expiryError ? `${expiryId}-error` : undefined,
          onChange: (e) => form.set('expiresIn')(e.target.value),
        },
        text.apiKeyExpiries.map(([seconds, label]) => h('option', { key: seconds, value: String(seconds) }, label)),
      ),
      h('div', { id: `${expiryId}-error`, className: 'pc-error', 'aria-live': 'polite', 'data-field-error': expiryId }, expiryError ?? ''),
    ),
  );
}

// The key just made, shown this once: in a read-only field (focused and selected: Ctrl+C copies
// it), with "Copy" and "Done" (which forgets it).
function NewApiKey({ created, text, level, onDone }) {
  const prefix = useStableId('pc-api-key-made');
  const inputRef = useRef(null);
  const [copied, setCopied] = useState(null); // null | 'yes' | 'no'
  useEffect(() => {
    inputRef.current?.focus();
    inputRef.current?.select?.();
  }, [created.key]);
  const copy = async () => {
    let done = false;
    try {
      await globalThis.navigator.clipboard.writeText(created.key);
      done = true;
    } catch {
      // No clipboard API (an insecure page), or refused: the selection's copy, where it works.
      inputRef.current?.select?.();
      try {
        done = globalThis.document?.execCommand?.('copy') === true;
      } catch {
        done = false;
      }
    }
    setCopied(done ? 'yes' : 'no');
  };
  const titleId = `${prefix}-title`;
  return h(
    'div',
    { className: 'pc-api-key-made', role: 'region', 'aria-labelledby': titleId, 'data-testid': 'pc-api-key-made', 'data-api-key-id': created.id },
    h(`h${level}`, { id: titleId, className: 'pc-api-key-made__title' }, text.newApiKey),
    h('p', { id: `${prefix}-once`, className: 'pc-api-key-made__once' }, text.newApiKeyOnce(created.name)),
    h(
      'div',
      { className: 'pc-api-key-made__key' },
      h('input', {
        id: `${prefix}-key`,
        ref: inputRef,
        className: 'pc-input pc-api-key-made__value',
        type: 'text',
        readOnly: true,
        value: created.key,
        spellCheck: false,
        autoComplete: 'off',
        'aria-labelledby': titleId,
        'aria-describedby': `${prefix}-once`,
        onFocus: (e) => e.target.select?.(),
      }),
      h('button', { type: 'button', className: 'pc-button button button--primary button--sm', 'aria-label': text.copyApiKeyLabel, onClick: copy }, text.copyApiKey),
    ),
    h('p', { className: 'pc-help pc-api-key-made__copied', role: 'status' }, copied === 'yes' ? text.apiKeyCopied : copied === 'no' ? text.apiKeyNotCopied : ''),
    h('button', { type: 'button', className: 'pc-button button button--secondary button--sm', 'aria-label': text.apiKeyDoneLabel, onClick: onDone }, text.apiKeyCopiedDone),
  );
}

/**
 * The signed-in user's API keys on the account page (the server's --api-key; BetterAuth's API-key
 * plugin): a list, newest first, each with its name, its first characters ("pk_abc…"), when it was
 * created, when it expires and when it was last used, and whether it is disabled or expired, with
 * "Disable" / "Enable" and "Delete…" (asks first, the focus on "Cancel"); then a form that
 * creates one (a name, and an expiry: never, 30, 90 (the default) or 365 days). The new key is
 * shown once, with "Copy" and the warning that it will not be shown again, until "Done". Outcomes
 * in a `role="status"` line, the server's refusals in a `role="alert"` box (focused) or under the
 * field they are about. Props: `title` (h2), `text`, `className`. Renders nothing without a session.
 */
export function ApiKeys({ title, text: t, className }) {
  const text = { ...DEFAULT_TEXT, ...API_KEY_TEXT, ...(t ?? {}) };
  const { client, user, status } = useSession();
  const prefix = useStableId('pc-api-keys');
  const [state, setState] = useState({ loaded: false, keys: [], failure: null });
  const [notice, setNotice] = useState(null);
  const [failure, setFailure] = useState(null);
  const [confirming, setConfirming] = useState(null); // the id of the key whose deletion is asked
  const [created, setCreated] = useState(null); // {id, name, key}: shown once
  const [busy, setBusy] = useState(false);
  const [focus, setFocus] = useState(null); // the id of the element to focus once rendered
  const alertRef = useRef(null);
  const calls = client.apiKey;
  const load = useCallback(async () => {
    if (!client.apiKey) return;
    const r = await client.apiKey.list({ query: { sortBy: 'createdAt', sortDirection: 'desc' } });
    const keys = r.ok && Array.isArray(r.value?.apiKeys) ? r.value.apiKeys : [];
    setState({ loaded: true, keys, failure: r.ok ? null : r });
  }, [client]);
  useEffect(() => {
    if (status === 'authenticated') load();
  }, [status, user?.id, load]);
  useEffect(() => {
    // Another user (or none): nothing of the last one's stays, its new key least of all.
    setState({ loaded: false, keys: [], failure: null });
    setCreated(null);
    setConfirming(null);
    setNotice(null);
    setFailure(null);
  }, [user?.id]);
  useEffect(() => {
    if (failure) alertRef.current?.focus();
  }, [failure]);
  useEffect(() => {
    if (!focus) return;
    document.getElementById(focus)?.focus();
    setFocus(null);
  }, [focus]);
  if (!user) return null;

  const statusId = `${prefix}-status`;
  const buttonId = (kind, id) => `${prefix}-${kind}-${id}`;
  // Sections under the title (h2): h3 with one, else h2.
  const level = title ? 3 : 2;
  const said = (message, focusId = null) => {
    setFailure(null);
    setNotice(message);
    if (focusId) setFocus(focusId);
  };
  // A call on one key; `done(value)` says what it did. A key gone meanwhile is said so.
  const run = async (call, done, focusId) => {
    setBusy(true);
    setFailure(null);
    setNotice(null);
    const r = await call();
    setBusy(false);
    if (!r.ok && r.code !== 'KEY_NOT_FOUND') {
      setFailure(describe(r));
      return;
    }
    setConfirming(null);
    await load();
    if (r.ok) said(done, focusId);
    else setFailure(text.apiKeyMissing);
  };
  const listFailure = state.failure ? (state.failure.code === 'NOT_FOUND' ? text.apiKeysUnavailable : describe(state.failure)) : null;
  const shownFailure = !calls ? text.apiKeysUnavailable : failure ?? listFailure;
  const button = (label, onClick, props = {}, kind = 'secondary') =>
    h('button', { type: 'button', className: `pc-button button button--${kind} button--sm`, disabled: busy, onClick, ...props }, label);

  const item = (k) => {
    const name = apiKeyName(k, text);
    const gone = expired(k);
    const when = (value) => localDate(value, true);
    const detail = [
      k.createdAt ? text.apiKeyCreatedOn(localDate(k.createdAt)) : null,
      k.expiresAt ? (gone ? text.apiKeyExpiredOn : text.apiKeyExpiresOn)(localDate(k.expiresAt)) : text.apiKeyNeverExpires,
      k.lastRequest ? text.apiKeyLastUsed(when(k.lastRequest)) : text.apiKeyNeverUsed,
    ].join(' · ');
    const asking = confirming === k.id;
    const close = () => {
      setConfirming(null);
      setFocus(buttonId('delete', k.id));
    };
    return h(
      'li',
      { key: k.id, className: 'pc-api-key', 'data-testid': 'pc-api-key', 'data-api-key-id': k.id, 'data-enabled': k.enabled === false ? 'false' : 'true' },
      h(
        'div',
        { className: 'pc-api-key__what' },
        h('strong', { className: 'pc-api-key__name' }, name),
        k.enabled === false ? h('span', { className: 'pc-session__badge badge badge--secondary' }, text.apiKeyDisabledBadge) : null,
        gone ? h('span', { className: 'pc-session__badge badge badge--danger' }, text.apiKeyExpiredBadge) : null,
        k.start ? h('div', null, h('code', { className: 'pc-api-key__start' }, text.apiKeyStart(k.start))) : null,
        h('div', { className: 'pc-session__detail' }, detail),
      ),
      h(
        'div',
        { className: 'pc-api-key__actions' },
        k.enabled === false
          ? button(text.enableApiKey, () => run(() => calls.update({ keyId: k.id, enabled: true }), text.apiKeyEnabled(name), buttonId('toggle', k.id)), {
              id: buttonId('toggle', k.id),
              'aria-label': text.enableApiKeyLabel(name),
            })
          : button(text.disableApiKey, () => run(() => calls.update({ keyId: k.id, enabled: false }), text.apiKeyDisabled(name), buttonId('toggle', k.id)), {
              id: buttonId('toggle', k.id),
              'aria-label': text.disableApiKeyLabel(name),
            }),
        button(text.deleteApiKey, () => setConfirming(asking ? null : k.id), { id: buttonId('delete', k.id), 'aria-label': text.deleteApiKeyLabel(name), 'aria-expanded': asking ? 'true' : 'false' }),
      ),
      asking
        ? h(
            'div',
            {
              className: 'pc-api-key__confirm pc-danger-zone',
              role: 'group',
              'aria-label': text.deleteApiKeyLabel(name),
              onKeyDown: (e) => {
                if (e.key === 'Escape') close();
              },
            },
            h('p', { className: 'pc-help' }, text.deleteApiKeyConfirmation(name)),
            h(
              'div',
              { className: 'pc-api-key__actions' },
              button(text.confirmDeleteApiKey(name), () => run(() => calls.delete({ keyId: k.id }), text.apiKeyDeleted(name), statusId), {}, 'danger'),
              button(text.cancel, close, { id: buttonId('cancel', k.id), autoFocus: true }),
            ),
          )
        : null,
    );
  };

  return h(
    'section',
    {
      className: 'pc-form pc-api-keys' + (className ? ` ${className}` : ''),
      'data-testid': 'pc-api-keys',
      'aria-busy': (calls && !state.loaded) || busy ? 'true' : 'false',
      'aria-labelledby': title ? `${prefix}-title` : undefined,
    },
    title ? h('h2', { className: 'pc-title', id: `${prefix}-title` }, title) : null,
    h('p', { className: 'pc-help pc-api-keys__intro' }, text.apiKeysIntro),
    h('p', { className: 'pc-notice__text pc-api-keys__status', role: 'status', id: statusId, tabIndex: -1 }, notice ?? ''),
    h('div', { className: 'pc-alert', role: 'alert', tabIndex: -1, ref: alertRef, hidden: !shownFailure }, shownFailure ?? ''),
    created ? h(NewApiKey, { created, text, level, onDone: () => setCreated(null) }) : null,
    calls
      ? h(
          React.Fragment,
          null,
          h('ul', { className: 'pc-api-keys__list', 'aria-label': text.yourApiKeys }, state.keys.map(item)),
          state.loaded && !state.failure && !state.keys.length ? h('p', { className: 'pc-help pc-api-keys__empty' }, text.noApiKeys) : null,
          h(CreateApiKeyForm, {
            client,
            text,
            level,
            onStart: () => {
              setCreated(null);
              setNotice(null);
              setFailure(null);
            },
            onCreated: async (row) => {
              setCreated({ id: row?.id ?? null, name: apiKeyName(row ?? {}, text), key: String(row?.key ?? '') });
              await load();
            },
          }),
        )
      : null,
  );
}

/**
 * The signed-in user's name, opening a small menu with the e-mail, "Account" (with
 * `accountHref`), "Organizations" (with `organizationsHref`) and "Sign out"; a "Sign in" link when
 * signed out. Props: `loginHref` ('/login'), `signUpHref`, `accountHref`, `organizationsHref`, `onSignOut`, `link` (a component for links, e.g. Docusaurus's
 * Link; default <a>), `className`.
 */
export function UserMenu({ loginHref = '/login', signUpHref, accountHref, organizationsHref, onSignOut, link: LinkComponent = 'a', className = '', text: t }) {
  const text = { ...DEFAULT_TEXT, ...(t ?? {}) };
  const { status, user, client } = useSession();
  const [open, setOpen] = useState(false);
  const buttonRef = useRef(null);
  const rootRef = useRef(null);
  const menuId = useStableId('pc-usermenu');

  useEffect(() => {
    if (!open) return undefined;
    const onDown = (e) => {
      if (rootRef.current && !rootRef.current.contains(e.target)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);

  const linkProps = (href) => linkTo(LinkComponent, href);
  if (status === 'loading') return h('span', { className: `pc-usermenu pc-usermenu--loading ${className}`, 'aria-hidden': 'true' });
  if (status !== 'authenticated') {
    return h(
      'span',
      { className: `pc-usermenu ${className}`, 'data-testid': 'pc-usermenu' },
      h(LinkComponent, { className: 'pc-usermenu__link', ...linkProps(loginHref) }, text.signIn),
      signUpHref ? h(LinkComponent, { className: 'pc-usermenu__link', ...linkProps(signUpHref) }, text.signUp) : null,
    );
  }
  const signOut = async () => {
    setOpen(false);
    await client.signOut();
    onSignOut?.();
  };
  return h(
    'div',
    {
      className: `pc-usermenu ${className}`,
      ref: rootRef,
      'data-testid': 'pc-usermenu',
      onKeyDown: (e) => {
        if (e.key === 'Escape' && open) {
          setOpen(false);
          buttonRef.current?.focus();
        }
      },
    },
    h(
      'button',
      {
        type: 'button',
        className: 'pc-usermenu__button',
        ref: buttonRef,
        'aria-expanded': open ? 'true' : 'false',
        'aria-controls': menuId,
        onClick: () => setOpen((o) => !o),
      },
      h('span', { className: 'pc-usermenu__avatar', 'aria-hidden': 'true' }, (user.name || user.email).trim().charAt(0).toUpperCase()),
      h('span', { className: 'pc-usermenu__name' }, user.name || user.email),
    ),
    h(
      'div',
      { className: 'pc-usermenu__panel', id: menuId, hidden: !open },
      h('p', { className: 'pc-usermenu__who' }, `${text.signedInAs} `, h('strong', null, user.email)),
      accountHref ? h(LinkComponent, { className: 'pc-usermenu__account', ...linkProps(accountHref), onClick: () => setOpen(false) }, text.account) : null,
      organizationsHref
        ? h(LinkComponent, { className: 'pc-usermenu__account pc-usermenu__organizations', ...linkProps(organizationsHref), onClick: () => setOpen(false) }, text.organizations)
        : null,
      h('button', { type: 'button', className: 'pc-usermenu__signout button button--secondary button--sm', onClick: signOut }, text.signOut),
    ),
  );
}

// ---- impersonation (the server's --admin-impersonation) -----------------------------------------------

function ImpersonationBar({ text: t, className, afterStopHref, onStop }) {
  const text = { ...DEFAULT_TEXT, ...IMPERSONATION_TEXT, ...(t ?? {}) };
  const { client, user, session, refetch } = useSession();
  // `during`: the session a failure happened in; its message stays while that session (or none,
  // when the failure signed the browser out) is the one shown, and goes with a new sign-in.
  const [state, setState] = useState({ busy: false, failure: null, during: null });
  const sessionId = session?.id ?? null;
  const impersonated = Boolean(user && session?.impersonatedBy);
  const failure = state.failure && (sessionId === null || sessionId === state.during) ? state.failure : null;
  if (!impersonated && !failure) return null;
  const stop = async () => {
    if (state.busy) return;
    setState({ busy: true, failure: null, during: sessionId });
    const r = client.admin
      ? await client.admin.stopImpersonating()
      : { ok: false, status: 404, code: 'NOT_FOUND', message: 'The client has no admin calls' };
    if (r.ok) {
      // The session listeners are told: the AuthProvider reads the administrator's session again.
      setState({ busy: false, failure: null, during: null });
      if (onStop) onStop(r.value);
      else if (afterStopHref) window.location.assign(resolveURL(afterStopHref));
      return;
    }
    setState({ busy: false, failure: r.code === 'ADMIN_SESSION_NOT_FOUND' ? text.adminSessionEnded : describe(r), during: sessionId });
    refetch(); // what the session is now (ADMIN_SESSION_NOT_FOUND: none)
  };
  return h(
    'div',
    { className: 'pc-impersonation' + (className ? ` ${className}` : ''), role: 'region', 'aria-label': text.impersonation, 'data-testid': 'pc-impersonation' },
    impersonated ? h('p', { className: 'pc-impersonation__text', role: 'status' }, text.impersonatingAs(user.name, user.email)) : null,
    h('div', { className: 'pc-alert', role: 'alert', hidden: !failure }, failure ?? ''),
    impersonated
      ? h(
          'button',
          { type: 'button', className: 'pc-button button button--secondary button--sm', disabled: state.busy, onClick: stop },
          state.busy ? text.working : text.stopImpersonating,
        )
      : null,
  );
}

/**
 * A bar, for every page (e.g. at the top of the layout), while the session is an impersonation
 * (the server's --admin-impersonation: an administrator signed in as a user, `session.impersonatedBy`):
 * "You are signed in as <name, e-mail> (impersonation)." and "Stop impersonating", which brings
 * the administrator's own session back (the session is read again) and then goes to
 * `afterStopHref`, or calls `onStop({session, user})`. A failure is said in words in a
 * `role="alert"` box; when the administrator's own session has ended meanwhile
 * (ADMIN_SESSION_NOT_FOUND), the impersonation is over and the browser signed out: "Your
 * administrator session has ended; sign in again." Renders nothing otherwise. Props: `client`
 * (default: the AuthProvider's), `text`, `className`.
 */
export function ImpersonationBanner({ client: given, ...props }) {
  const ctx = useContext(AuthContext);
  if (!given && !ctx) throw new Error('ImpersonationBanner needs a `client`, or an <AuthProvider> above it');
  // Without the AuthProvider of that client, a session of its own.
  if (!ctx || (given && given !== ctx.client)) return h(AuthProvider, { client: given }, h(ImpersonationBar, props));
  return h(ImpersonationBar, props);
}
