// portcullis/client: a small typed HTTP client for the Portcullis server (BetterAuth's e-mail and
// password API). Every call resolves to a result, never throws: `{ ok: true, value }` or
// `{ ok: false, status, code, message, ... }` with the server's stable error code.
//
// In a browser it sends cookies with every request (`credentials: 'include'`), so a site on one
// origin can use a server on another: the server must list the site in its trusted origins (CORS
// and origin checks), and the session cookie must reach the server (see the README: the same site,
// or a SameSite=None cookie). Importing this module touches no browser API.

const SESSION_CHANGING = new Set([
  '/sign-up/email',
  '/sign-in/email',
  '/sign-in/username',
  '/sign-in/email-otp',
  '/magic-link/verify', // a mailed sign-in link (the server's --magic-link), when a script opens it
  '/passkey/verify-authentication', // a sign-in with a passkey (the server's --passkey)
  '/sign-out',
  '/update-user',
  '/change-password',
  '/revoke-session',
  '/revoke-sessions',
  '/revoke-other-sessions',
  '/reset-password',
  // E-mailed one-time codes (the server's --email-otp): a verified address (and, with
  // --auto-sign-in-after-verification, a session); a reset that ends every session.
  '/email-otp/verify-email',
  '/email-otp/reset-password',
  '/email-otp/change-email', // the user's address is now the new one (the server's --email-otp-change-email)
  '/delete-user',
  '/two-factor/enable', // with method 'otp' it turns the factor on and replaces the session
  '/two-factor/verify-totp',
  '/two-factor/verify-otp',
  '/two-factor/verify-backup-code',
  '/two-factor/disable',
  // The admin plugin's calls that may change the caller's own user or sessions (a role, a name,
  // a password, a sign-out everywhere): the session is read again.
  '/admin/set-role',
  '/admin/update-user',
  '/admin/set-user-password',
  '/admin/revoke-user-session',
  '/admin/revoke-user-sessions',
  // Impersonation (the server's --admin-impersonation): the browser's session becomes the user's,
  // then the administrator's again.
  '/admin/impersonate-user',
  '/admin/stop-impersonating',
  // Organizations (the server's --organization): the session's active organization changes
  // (organization.create's too, unless it keeps the current one: told there).
  '/organization/set-active',
  '/organization/delete',
  '/organization/leave',
  '/organization/remove-member',
  '/organization/accept-invitation',
]);

// Failures after which the session is gone all the same: stop-impersonating when the
// administrator's own session has ended (the impersonation ends, and the browser is signed out).
const SESSION_ENDING_FAILURES = new Set(['ADMIN_SESSION_NOT_FOUND']);

// Errors BetterAuth sends without a code get one here, so that every failure has a code.
const UNCODED = {
  'No fields to update': 'NO_FIELDS_TO_UPDATE',
  'Email is the same': 'EMAIL_IS_THE_SAME',
  "Verification email isn't enabled": 'VERIFICATION_EMAIL_NOT_ENABLED',
  // BetterAuth's admin plugin's stop-impersonating (Portcullis sends the codes)
  'You are not impersonating anyone': 'NOT_IMPERSONATING',
  'Failed to find admin session': 'ADMIN_SESSION_NOT_FOUND',
};
const BY_STATUS = { 401: 'UNAUTHORIZED', 404: 'NOT_FOUND', 413: 'PAYLOAD_TOO_LARGE', 429: 'TOO_MANY_REQUESTS' };

const CHANNEL = 'portcullis-session';

// A sign-in link refused (GET /magic-link/verify, the server's --magic-link): the server redirects
// with ?error=CODE, a code without a message.
const LINK_ERRORS = {
  INVALID_TOKEN: 'This sign-in link is invalid, already used or expired',
  new_user_signup_disabled: 'This sign-in link cannot create an account: sign-up is closed',
  BANNED_USER: 'You have been banned from this application. Please contact support if you believe this is an error.',
};

const isRedirect = (response) => response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400);

/**
 * The result of a redirect from GET /magic-link/verify: its ?error= is a failure with that code
 * (INVALID_TOKEN, new_user_signup_disabled, BANNED_USER, ...); else the sign-in's redirect, to the
 * callbackURL ({redirect}, with twoFactorRedirect when the second factor is asked). A browser does
 * not show a page the redirect of its fetch (an opaque redirect, status 0, no Location):
 * OPAQUE_REDIRECT.
 */
function linkRedirect(status, location) {
  if (!location) {
    return { ok: false, status, code: 'OPAQUE_REDIRECT', message: 'The server answered with a redirect, which a page cannot read: open the link instead' };
  }
  let params;
  try {
    params = new URL(location).searchParams;
  } catch {
    params = new URLSearchParams();
  }
  const error = params.getAll('error').at(-1);
  if (error) return { ok: false, status, code: error, message: LINK_ERRORS[error] ?? error, redirect: location };
  return { ok: true, value: params.get('twoFactorRedirect') === 'true' ? { twoFactorRedirect: true, redirect: location } : { redirect: location } };
}

// ---- passkeys (WebAuthn; the server's --passkey) ------------------------------------------------
// The server's options are JSON (binary values in base64url); navigator.credentials wants
// ArrayBuffers, and its answer goes back as JSON: the shapes @simplewebauthn/browser 13 uses
// (PublicKeyCredentialCreationOptionsJSON / RegistrationResponseJSON, and their authentication
// twins), which BetterAuth's passkey plugin reads.

/** base64url (with or without padding; standard base64 too) -> ArrayBuffer. Throws on bad input. */
export function base64URLToBuffer(value) {
  const base64 = String(value).replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '='));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

/** ArrayBuffer (or a typed array / DataView) -> base64url without padding. */
export function bufferToBase64URL(buffer) {
  const bytes = ArrayBuffer.isView(buffer) ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength) : new Uint8Array(buffer);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Whether this browser can use passkeys (WebAuthn): false during server-side rendering. */
export function passkeySupported() {
  return (
    typeof globalThis.PublicKeyCredential === 'function' &&
    typeof globalThis.navigator?.credentials?.get === 'function' &&
    typeof globalThis.navigator.credentials.create === 'function'
  );
}

/**
 * Whether this browser offers the site's passkeys in a field's autofill (WebAuthn's conditional
 * mediation, signInPasskey({autoFill: true})): false without WebAuthn, during server-side
 * rendering, and when the browser's PublicKeyCredential.isConditionalMediationAvailable is missing,
 * answers anything but true, or fails. Never rejects.
 */
export async function passkeyAutofillSupported() {
  if (!passkeySupported()) return false;
  const { PublicKeyCredential } = globalThis;
  if (typeof PublicKeyCredential.isConditionalMediationAvailable !== 'function') return false;
  try {
    return (await PublicKeyCredential.isConditionalMediationAvailable()) === true;
  } catch {
    return false;
  }
}

const descriptor = (d) => ({ ...d, id: base64URLToBuffer(d.id) });
// extensions: the server's, with the caller's over them (as BetterAuth's client merges them).
const mergeExtensions = (server, own) => (server || own ? { ...(server ?? {}), ...(own ?? {}) } : undefined);

/** generate-register-options' JSON -> the `publicKey` of navigator.credentials.create(). */
export function toCreationOptions(json, extensions) {
  return {
    ...json,
    challenge: base64URLToBuffer(json.challenge),
    user: { ...json.user, id: base64URLToBuffer(json.user.id) },
    excludeCredentials: json.excludeCredentials?.map(descriptor),
    extensions: mergeExtensions(json.extensions, extensions),
  };
}

/** generate-authenticate-options' JSON -> the `publicKey` of navigator.credentials.get(). */
export function toRequestOptions(json, extensions) {
  return {
    ...json,
    challenge: base64URLToBuffer(json.challenge),
    // An empty list would keep the browser from offering the discoverable credentials: none at all.
    allowCredentials: json.allowCredentials?.length ? json.allowCredentials.map(descriptor) : undefined,
    extensions: mergeExtensions(json.extensions, extensions),
  };
}

const ATTACHMENTS = ['platform', 'cross-platform'];
const attachment = (value) => (ATTACHMENTS.includes(value) ? value : undefined);
// An accessor a browser (or an extension standing in for it) may lack or break: undefined then.
const optional = (object, method, convert = (x) => x) => {
  if (typeof object?.[method] !== 'function') return undefined;
  try {
    const value = object[method]();
    return value === null || value === undefined ? undefined : convert(value);
  } catch {
    return undefined;
  }
};
const extensionResults = (credential) => optional(credential, 'getClientExtensionResults') ?? {};

/** A PublicKeyCredential from navigator.credentials.create() -> RegistrationResponseJSON. */
export function registrationToJSON(credential) {
  const r = credential.response;
  return {
    id: credential.id,
    rawId: bufferToBase64URL(credential.rawId),
    response: {
      attestationObject: bufferToBase64URL(r.attestationObject),
      clientDataJSON: bufferToBase64URL(r.clientDataJSON),
      transports: optional(r, 'getTransports'),
      publicKeyAlgorithm: optional(r, 'getPublicKeyAlgorithm'),
      publicKey: optional(r, 'getPublicKey', bufferToBase64URL),
      authenticatorData: optional(r, 'getAuthenticatorData', bufferToBase64URL),
    },
    type: credential.type,
    clientExtensionResults: extensionResults(credential),
    authenticatorAttachment: attachment(credential.authenticatorAttachment),
  };
}

/** A PublicKeyCredential from navigator.credentials.get() -> AuthenticationResponseJSON. */
export function authenticationToJSON(credential) {
  const r = credential.response;
  return {
    id: credential.id,
    rawId: bufferToBase64URL(credential.rawId),
    response: {
      authenticatorData: bufferToBase64URL(r.authenticatorData),
      clientDataJSON: bufferToBase64URL(r.clientDataJSON),
      signature: bufferToBase64URL(r.signature),
      userHandle: r.userHandle ? bufferToBase64URL(r.userHandle) : undefined,
    },
    type: credential.type,
    clientExtensionResults: extensionResults(credential),
    authenticatorAttachment: attachment(credential.authenticatorAttachment),
  };
}

// The codes of a ceremony that did not finish in the browser (status 0: the server had no part),
// BetterAuth's passkey client's: the user closed the prompt (or it timed out: browsers do not say
// which), or the authenticator already holds a passkey of this account (excludeCredentials).
const PASSKEY_MESSAGES = {
  AUTH_CANCELLED: 'Auth cancelled',
  REGISTRATION_CANCELLED: 'Registration cancelled',
  PREVIOUSLY_REGISTERED: 'Previously registered',
  WEBAUTHN_NOT_SUPPORTED: 'This browser does not support passkeys',
  AUTOFILL_NOT_SUPPORTED: 'This browser does not offer passkeys in its autofill',
};
const passkeyFailure = (code, message = PASSKEY_MESSAGES[code], extra = {}) => ({ ok: false, status: 0, code, message, ...extra });

/** What navigator.credentials.create() or .get() threw, as a failure. */
function ceremonyFailure(error, registering) {
  const name = error?.name;
  if (name === 'NotAllowedError' || name === 'AbortError') return passkeyFailure(registering ? 'REGISTRATION_CANCELLED' : 'AUTH_CANCELLED');
  if (registering && name === 'InvalidStateError') return passkeyFailure('PREVIOUSLY_REGISTERED');
  // SecurityError (the rp id is not this page's host), NotSupportedError (no algorithm in common),
  // ConstraintError, UnknownError, ...: the browser's words.
  return passkeyFailure('WEBAUTHN_ERROR', String(error?.message || name || error), { webauthnError: name ?? null });
}

// One ceremony at a time (as @simplewebauthn/browser's WebAuthnAbortService): a new one cancels
// the one still under way (fetching its options, or waiting for the user), which then fails as
// cancelled. Returns {signal, done}: the new ceremony's signal, aborted too when the caller's
// `signal` is, and done(), which lets go of the caller's signal once the ceremony is over.
let ceremony = null;
function startCeremony(own) {
  ceremony?.abort();
  const controller = new AbortController();
  ceremony = controller;
  const follow = () => controller.abort();
  if (own?.aborted) controller.abort();
  else own?.addEventListener('abort', follow, { once: true });
  return {
    signal: controller.signal,
    done() {
      own?.removeEventListener('abort', follow);
      if (ceremony === controller) ceremony = null;
    },
  };
}

/**
 * Runs a WebAuthn ceremony: `options()` fetches the server's options (a client result), which
 * `convert` turns into the browser's; `verify(json)` sends the browser's answer. `mediation`
 * ('conditional': the browser's autofill) goes to navigator.credentials.get. Failures: the
 * server's, BAD_RESPONSE (options it could not read), ceremonyFailure's, and AUTH_CANCELLED
 * (REGISTRATION_CANCELLED) once `signal` or a newer ceremony has cancelled it before its answer
 * went to the server (nothing more is sent then; once sent, the server's answer is the result).
 */
async function passkeyCeremony({ registering, options, convert, toJSON, verify, signal: own, mediation }) {
  const cancelled = () => passkeyFailure(registering ? 'REGISTRATION_CANCELLED' : 'AUTH_CANCELLED');
  if (!passkeySupported()) return passkeyFailure('WEBAUTHN_NOT_SUPPORTED');
  if (own?.aborted) return cancelled();
  const { signal, done } = typeof AbortController === 'function' ? startCeremony(own) : { done() {} };
  try {
    const r = await options();
    if (signal?.aborted) return cancelled();
    if (!r.ok) return r;
    let publicKey;
    try {
      publicKey = convert(r.value);
    } catch (error) {
      return { ok: false, status: 0, code: 'BAD_RESPONSE', message: `Unreadable passkey options: ${error?.message ?? error}` };
    }
    let credential;
    try {
      const request = { publicKey, ...(mediation ? { mediation } : {}), ...(signal ? { signal } : {}) };
      const { credentials } = globalThis.navigator;
      credential = await (registering ? credentials.create(request) : credentials.get(request));
    } catch (error) {
      return signal?.aborted ? cancelled() : ceremonyFailure(error, registering);
    }
    if (!credential || signal?.aborted) return cancelled();
    return await verify(toJSON(credential));
  } finally {
    done();
  }
}

// BetterAuth's passkey client's failures (WebAuthnError codes of @simplewebauthn/browser, and its
// messages) -> the codes createClient's give.
function fromBetterAuthPasskeyFailure(failure, registering) {
  const c = failure.code;
  if (failure.status && failure.status !== 400) return failure;
  if (registering) {
    if (c === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED') return passkeyFailure('PREVIOUSLY_REGISTERED');
    if (c === 'ERROR_CEREMONY_ABORTED' || c === 'ERROR_PASSTHROUGH_SEE_CAUSE_PROPERTY') return passkeyFailure('REGISTRATION_CANCELLED');
  } else if (c === 'AUTH_CANCELLED' || c === 'ERROR_CEREMONY_ABORTED' || c === 'ERROR_PASSTHROUGH_SEE_CAUSE_PROPERTY') {
    return passkeyFailure('AUTH_CANCELLED');
  }
  if (typeof c === 'string' && c.startsWith('ERROR_')) return passkeyFailure('WEBAUTHN_ERROR', failure.message, { webauthnError: c });
  return failure;
}

// ---- the last sign-in's method (the server's --last-login-method) --------------------------------
// The server sets `<cookiePrefix>.last_used_login_method` (not HttpOnly, Path=/, 30 days) at each
// sign-in: 'email' (a password), 'email-otp', 'magic-link' or 'passkey'. A page reads it from
// document.cookie (the server's host's cookies only: a page on another host sees none).

/** The three actions of BetterAuth's lastLoginMethodClient() over the cookie `<prefix>.last_used_login_method`. */
function lastLoginMethod(prefix = 'better-auth') {
  const name = `${prefix}.last_used_login_method`;
  const read = () => {
    if (typeof document === 'undefined' || typeof document.cookie !== 'string') return null;
    for (const part of document.cookie.split(';')) {
      const at = part.indexOf('=');
      if (at < 0 || part.slice(0, at).trim() !== name) continue;
      const raw = part.slice(at + 1).trim();
      try {
        return decodeURIComponent(raw) || null;
      } catch {
        return raw || null;
      }
    }
    return null;
  };
  return {
    /** -> the method of this browser's last sign-in ('email', 'email-otp', 'magic-link', 'passkey'), or null (none, or no document: SSR, Node). */
    getLastUsedLoginMethod: read,
    /** Whether `method` was this browser's last sign-in's. */
    isLastUsedLoginMethod: (method) => read() === method,
    /** Forgets it (the cookie expires), e.g. on a shared computer. */
    clearLastUsedLoginMethod() {
      if (typeof document !== 'undefined') document.cookie = `${name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/`;
    },
  };
}

// ---- organizations' roles (the server's --organization) ------------------------------------------
// The organization plugin's default roles: per role, per resource, the actions it grants ("team"
// and "ac" as the plugin has them, though the server has neither teams nor roles made at run time).
const ALL_ORG_ACTIONS = {
  organization: ['update', 'delete'],
  member: ['create', 'update', 'delete'],
  invitation: ['create', 'cancel'],
  team: ['create', 'update', 'delete'],
  ac: ['create', 'read', 'update', 'delete'],
};
const ORG_ROLES = {
  owner: ALL_ORG_ACTIONS,
  admin: { ...ALL_ORG_ACTIONS, organization: ['update'] },
  member: { ac: ['read'] },
};

/**
 * {role, permissions} -> whether one of the roles (comma-separated, or a list) grants every action
 * of `permissions` (resource -> actions) by the plugin's default roles, as BetterAuth's client's
 * checkRolePermission: false for no role, an unknown role, an empty request, a resource with no
 * action asked, an unknown resource or action. Roles are not merged: one must grant it all.
 */
function checkRolePermission(input) {
  const asked = input?.permissions && typeof input.permissions === 'object' ? Object.entries(input.permissions) : [];
  const roles = [input?.role ?? []].flat().flatMap((r) => String(r).split(',')).map((r) => r.trim());
  return (
    asked.length > 0 &&
    roles.some((role) => {
      const grants = Object.hasOwn(ORG_ROLES, role) ? ORG_ROLES[role] : null;
      return (
        grants !== null &&
        asked.every(
          ([resource, actions]) =>
            Array.isArray(actions) && actions.length > 0 && actions.every((a) => Object.hasOwn(grants, resource) && grants[resource].includes(a)),
        )
      );
    })
  );
}

/** BetterAuth's rule: an origin gets `basePath` appended, a URL with a path is used as it is. */
export function resolveBaseURL(baseURL, basePath = '/api/auth') {
  if (!baseURL) {
    if (typeof location === 'undefined') throw new TypeError('baseURL is required outside a browser');
    baseURL = location.origin;
  }
  const url = new URL(baseURL);
  const path = url.pathname === '/' || url.pathname === '' ? basePath : url.pathname;
  return url.origin + path.replace(/\/+$/, '');
}

async function toFailure(response) {
  let body = null;
  const text = await response.text().catch(() => '');
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  const fields = body && typeof body === 'object' && !Array.isArray(body) ? body : {};
  const { code, message, ...details } = fields;
  const failure = {
    ok: false,
    status: response.status,
    code:
      typeof code === 'string' && code
        ? code
        : UNCODED[message] ?? BY_STATUS[response.status] ?? (response.status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST'),
    message: typeof message === 'string' && message ? message : response.statusText || `HTTP ${response.status}`,
    ...details,
  };
  const retry = response.headers.get('x-retry-after') ?? response.headers.get('retry-after');
  if (retry !== null && Number.isFinite(Number(retry))) failure.retryAfter = Number(retry);
  return failure;
}

/**
 * Creates a client. Options: `baseURL` (the server's origin, or the full API URL; default: this
 * page's origin), `basePath` ('/api/auth'), `fetch` (default: the global fetch), `headers` (added
 * to every request), `credentials` ('include'), `captcha` (the server's --captcha: a function of
 * the request's path, e.g. '/sign-up/email', that returns, or resolves to, a CAPTCHA token for it,
 * or nothing; a token goes in the x-captcha-response header), `cookiePrefix` ('better-auth': the
 * server's cookie prefix, for the last sign-in's method).
 */
export function createClient(options = {}) {
  const api = resolveBaseURL(options.baseURL, options.basePath);
  const doFetch = options.fetch ?? ((...args) => globalThis.fetch(...args));
  const credentials = options.credentials ?? 'include';
  const listeners = new Set();
  let channel = null;

  const notify = (event, fromOtherTab = false) => {
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch (error) {
        setTimeout(() => {
          throw error;
        });
      }
    }
    if (!fromOtherTab && channel) channel.postMessage(event);
  };

  // `redirects`: the server's redirect is the answer (linkRedirect), not followed.
  async function call(method, path, { body, query, redirects = false } = {}) {
    let url = api + path;
    if (query) {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null) q.set(k, String(v));
      if ([...q].length) url += `?${q}`;
    }
    const headers = { ...(options.headers ?? {}) };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (options.captcha && method === 'POST') {
      let token;
      try {
        token = await options.captcha(path);
      } catch {
        token = undefined; // the server then answers MISSING_RESPONSE
      }
      if (typeof token === 'string' && token) headers['x-captcha-response'] = token;
    }
    let response;
    try {
      response = await doFetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials,
        cache: 'no-store',
        ...(redirects ? { redirect: 'manual' } : {}),
      });
    } catch (error) {
      return { ok: false, status: 0, code: 'NETWORK_ERROR', message: String(error?.message ?? error) };
    }
    if (redirects && isRedirect(response)) {
      const out = linkRedirect(response.status, response.headers.get('location'));
      // Unread (opaque), it may have signed in: the listeners read the session again.
      if (out.ok || out.code === 'OPAQUE_REDIRECT') notify({ type: 'session-changed', path });
      return out;
    }
    if (!response.ok) {
      const failure = await toFailure(response);
      if (SESSION_CHANGING.has(path) && SESSION_ENDING_FAILURES.has(failure.code)) notify({ type: 'session-changed', path });
      return failure;
    }
    let value = null;
    try {
      const text = await response.text();
      value = text ? JSON.parse(text) : null;
    } catch (error) {
      return { ok: false, status: response.status, code: 'BAD_RESPONSE', message: String(error?.message ?? error) };
    }
    if (SESSION_CHANGING.has(path)) notify({ type: 'session-changed', path });
    return { ok: true, value };
  }

  // Keeps only the given keys whose value is not undefined.
  const pick = (input, keys) => {
    const out = {};
    for (const k of keys) if (input?.[k] !== undefined) out[k] = input[k];
    return out;
  };
  // An organization route (the server's --organization): the input's `keys` in the query of a GET,
  // in the body of a POST.
  const org = (method, path, keys) => (input) =>
    call(method, `/organization/${path}`, { [method === 'GET' ? 'query' : 'body']: pick(input, keys) });

  return {
    /** The API URL every call goes to, e.g. http://127.0.0.1:4000/api/auth. */
    baseURL: api,
    signUp: (input) =>
      call('POST', '/sign-up/email', {
        body: pick(input, ['name', 'email', 'password', 'image', 'callbackURL', 'rememberMe', 'username', 'displayUsername']),
      }),
    signIn: (input) =>
      call('POST', '/sign-in/email', { body: pick(input, ['email', 'password', 'callbackURL', 'rememberMe']) }),
    // The server's --username (BetterAuth's username plugin).
    /** {username, password, rememberMe?, callbackURL?}: signIn's answers; INVALID_USERNAME_OR_PASSWORD (401). */
    signInUsername: (input) =>
      call('POST', '/sign-in/username', { body: pick(input, ['username', 'password', 'rememberMe', 'callbackURL']) }),
    /** -> {available}: whether nobody has the username (any case); 422 for one the rules refuse. */
    isUsernameAvailable: (username) => call('POST', '/is-username-available', { body: { username } }),
    // The server's --email-otp (BetterAuth's emailOTP plugin): a code mailed by
    // emailOtp.sendVerificationOtp({email, type: 'sign-in'}) signs in.
    /**
     * {email, otp, name?, image?, rememberMe?} -> {token, user} (a new account when the address has
     * none and sign-up is open), or the second factor's TwoFactorRedirect; INVALID_OTP, OTP_EXPIRED,
     * TOO_MANY_ATTEMPTS.
     */
    signInEmailOtp: (input) =>
      call('POST', '/sign-in/email-otp', { body: pick(input, ['email', 'otp', 'name', 'image', 'rememberMe']) }),
    // The server's --magic-link (BetterAuth's magic-link plugin): a link mailed to the address
    // signs in when the browser opens it.
    /**
     * {email, name?, callbackURL?, newUserCallbackURL?, errorCallbackURL?} -> {status: true},
     * whether or not a mail went (an account's address, or a new one while sign-up is open). The
     * link leads to callbackURL once signed in (newUserCallbackURL for a new account; with the
     * second factor on, callbackURL?twoFactorRedirect=true), or to errorCallbackURL (else
     * callbackURL) with ?error=CODE; each must be trusted by the server (INVALID_CALLBACK_URL, ...).
     * TOO_MANY_REQUESTS after 5 links in 15 minutes for the address.
     */
    signInMagicLink: (input) =>
      call('POST', '/sign-in/magic-link', {
        body: pick(input, ['email', 'name', 'callbackURL', 'newUserCallbackURL', 'errorCallbackURL']),
      }),
    // The server's --passkey (BetterAuth's passkey plugin): a passkey the user added
    // (passkey.addPasskey) signs in, without a password or an address.
    /**
     * ({autoFill?, signal?, extensions?})? -> the session {session, user} (the cookie set), or the
     * second factor's TwoFactorRedirect (a user with it on whose authenticator did not verify
     * them). The browser asks the user to choose a passkey: closed (or timed out), AUTH_CANCELLED;
     * without WebAuthn, WEBAUTHN_NOT_SUPPORTED; the server's AUTHENTICATION_FAILED,
     * PASSKEY_NOT_FOUND (401), CHALLENGE_NOT_FOUND (400), BANNED_USER, EMAIL_NOT_VERIFIED (403).
     * `autoFill`: no prompt; the browser offers the site's passkeys in the autofill of a field
     * whose autocomplete ends in "webauthn" (conditional mediation, no allow list: any passkey of
     * the site), and the call waits until one is picked; AUTOFILL_NOT_SUPPORTED at once (nothing
     * sent) where the browser cannot. `signal`: aborted, AUTH_CANCELLED, and nothing more is sent.
     * A later ceremony (a modal sign-in, addPasskey) cancels a pending one the same way.
     */
    signInPasskey: async (opts) => {
      if (opts?.autoFill && !(await passkeyAutofillSupported())) return passkeyFailure('AUTOFILL_NOT_SUPPORTED');
      return passkeyCeremony({
        registering: false,
        signal: opts?.signal,
        mediation: opts?.autoFill ? 'conditional' : undefined,
        options: () => call('GET', '/passkey/generate-authenticate-options'),
        // The autofill's request lists no credential (as @simplewebauthn/browser's useBrowserAutofill).
        convert: (json) => ({ ...toRequestOptions(json, opts?.extensions), ...(opts?.autoFill ? { allowCredentials: [] } : {}) }),
        toJSON: authenticationToJSON,
        verify: (response) => call('POST', '/passkey/verify-authentication', { body: { response } }),
      });
    },
    signOut: () => call('POST', '/sign-out', { body: {} }),
    getSession: (query) => call('GET', '/get-session', { query: pick(query, ['disableCookieCache', 'disableRefresh']) }),
    listSessions: () => call('GET', '/list-sessions'),
    revokeSession: (token) => call('POST', '/revoke-session', { body: { token } }),
    revokeSessions: () => call('POST', '/revoke-sessions', { body: {} }),
    revokeOtherSessions: () => call('POST', '/revoke-other-sessions', { body: {} }),
    updateUser: (input) =>
      call('POST', '/update-user', { body: pick(input, ['name', 'image', 'username', 'displayUsername']) }),
    listAccounts: () => call('GET', '/list-accounts'),
    unlinkAccount: (accountId) => call('POST', '/unlink-account', { body: { accountId } }),
    verifyPassword: (password) => call('POST', '/verify-password', { body: { password } }),
    changePassword: (input) =>
      call('POST', '/change-password', {
        body: pick(input, ['currentPassword', 'newPassword', 'revokeOtherSessions']),
      }),
    requestPasswordReset: (input) =>
      call('POST', '/request-password-reset', { body: pick(input, ['email', 'redirectTo']) }),
    resetPassword: (input) => call('POST', '/reset-password', { body: pick(input, ['token', 'newPassword']) }),
    changeEmail: (input) => call('POST', '/change-email', { body: pick(input, ['newEmail', 'callbackURL']) }),
    sendVerificationEmail: (input) =>
      call('POST', '/send-verification-email', { body: pick(input, ['email', 'callbackURL']) }),
    deleteUser: (input) => call('POST', '/delete-user', { body: pick(input, ['password', 'token', 'callbackURL']) }),

    // The second factor (a server with --two-factor; BetterAuth's two-factor plugin). A sign-in of
    // a user who turned it on answers {twoFactorRedirect: true, twoFactorMethods} and starts no
    // session until verifyTotp, verifyTwoFactorOtp or verifyBackupCode gets a right code.
    /**
     * {password, issuer?, method?} -> {method, totpURI, backupCodes}; on once verifyTotp saw a code.
     * With method 'otp' (the server's --two-factor-otp) -> {method: 'otp'}: on at once, codes by e-mail.
     */
    enableTwoFactor: (input) => call('POST', '/two-factor/enable', { body: pick(input, ['password', 'issuer', 'method']) }),
    /** {code, trustDevice?} -> {token, user}: the second step of a sign-in, or confirms a new app. */
    verifyTotp: (input) => call('POST', '/two-factor/verify-totp', { body: pick(input, ['code', 'trustDevice']) }),
    /** {trustDevice?}? -> {status}: mails a 6-digit code (valid 3 minutes, once); a new one replaces it. */
    sendTwoFactorOtp: (input) => call('POST', '/two-factor/send-otp', { body: pick(input, ['trustDevice']) }),
    /** {code, trustDevice?} -> {token, user}: the mailed code, as verifyTotp. */
    verifyTwoFactorOtp: (input) =>
      call('POST', '/two-factor/verify-otp', { body: pick(input, ['code', 'trustDevice']) }),
    /** {code, trustDevice?} -> {token, user}: a backup code instead (each works once). */
    verifyBackupCode: (input) =>
      call('POST', '/two-factor/verify-backup-code', { body: pick(input, ['code', 'trustDevice']) }),
    /** {password} -> {totpURI}: the app's key again. */
    getTotpUri: (input) => call('POST', '/two-factor/get-totp-uri', { body: pick(input, ['password']) }),
    /** {password} -> {status, backupCodes}: ten new backup codes; the old ones stop working. */
    generateBackupCodes: (input) =>
      call('POST', '/two-factor/generate-backup-codes', { body: pick(input, ['password']) }),
    /** {password} -> {status}: turns the second factor off. */
    disableTwoFactor: (input) => call('POST', '/two-factor/disable', { body: pick(input, ['password']) }),
    /**
     * -> {methods}: what the signed-in user's sign-ins ask for ('totp': an authenticator app, with
     * backup codes; 'otp': codes by e-mail); [] while it is off. Portcullis's own route (a
     * BetterAuth server answers 404).
     */
    getTwoFactorMethods: () => call('GET', '/two-factor/methods'),
    /**
     * -> {token}: a JSON Web Token of the signed-in user (the server's --jwt; BetterAuth's jwt
     * plugin), for another service that checks it with the keys at /jwks; valid 15 minutes.
     */
    getToken: () => call('GET', '/token'),

    // E-mailed one-time codes (the server's --email-otp; BetterAuth's emailOTP plugin): 6 digits,
    // each for one address and one purpose; a new one replaces the last. A wrong code answers
    // INVALID_OTP (400), an old one OTP_EXPIRED (400); after too many wrong ones the code is dead:
    // TOO_MANY_ATTEMPTS (403) until a new one is sent.
    emailOtp: {
      /**
       * {email, type: 'sign-in' | 'email-verification' | 'forget-password'} -> {success: true},
       * whether or not a mail went (no account, an address already verified); TOO_MANY_REQUESTS
       * after 5 codes in 15 minutes for the address and type.
       */
      sendVerificationOtp: (input) =>
        call('POST', '/email-otp/send-verification-otp', { body: pick(input, ['email', 'type']) }),
      /** {email, type, otp} -> {success: true}: the code is right, and still usable; USER_NOT_FOUND. */
      checkVerificationOtp: (input) =>
        call('POST', '/email-otp/check-verification-otp', { body: pick(input, ['email', 'type', 'otp']) }),
      /**
       * {email, otp} -> {status: true, token, user}: the address is verified (a type
       * 'email-verification' code, or the one the server's --email-otp-verification mails instead
       * of a link); `token` is a new session's with --auto-sign-in-after-verification, else null.
       */
      verifyEmail: (input) => call('POST', '/email-otp/verify-email', { body: pick(input, ['email', 'otp']) }),
      /** {email} -> {success: true}, for any address: an account's gets a code for resetPassword. */
      requestPasswordReset: (input) =>
        call('POST', '/email-otp/request-password-reset', { body: pick(input, ['email']) }),
      /**
       * {email, otp, password} -> {success: true}: the new password (the sign-up's rules:
       * PASSWORD_TOO_WEAK etc., which leave the code usable); every session of the user ends.
       */
      resetPassword: (input) =>
        call('POST', '/email-otp/reset-password', { body: pick(input, ['email', 'otp', 'password']) }),
      // A change of address with codes (the server's --email-otp-change-email; the plugin's changeEmail).
      /**
       * {newEmail, otp?} -> {success: true}: a code mailed to newEmail (none when it has an account:
       * the same answer). A verified user first gets an 'email-verification' code at the current
       * address (sendVerificationOtp while signed in) and gives it as `otp`: OTP_REQUIRED without it;
       * EMAIL_IS_THE_SAME, INVALID_EMAIL, CHANGE_EMAIL_DISABLED (the server's option off).
       */
      requestEmailChange: (input) =>
        call('POST', '/email-otp/request-email-change', { body: pick(input, ['newEmail', 'otp']) }),
      /** {newEmail, otp} -> {success: true}: the address is newEmail, verified; USER_ALREADY_EXISTS (taken meanwhile). */
      changeEmail: (input) => call('POST', '/email-otp/change-email', { body: pick(input, ['newEmail', 'otp']) }),
    },

    // Sign-in links (the server's --magic-link). The mailed link is for the browser to open (a
    // navigation, which the server redirects); verify is for a client that holds the token itself.
    magicLink: {
      /**
       * {token, callbackURL?} -> without callbackURL, the session {token, user, session} (or the
       * second factor's TwoFactorRedirect, its two_factor cookie set); with it, {redirect} (where the
       * server sends the browser). A link refused is a failure with the code of the server's
       * redirect (INVALID_TOKEN: unknown, used or expired; new_user_signup_disabled; BANNED_USER).
       * In a browser page the redirects cannot be read: OPAQUE_REDIRECT (the listeners are told).
       */
      verify: (input) =>
        call('GET', '/magic-link/verify', { query: pick(input, ['token', 'callbackURL']), redirects: true }),
    },

    // The signed-in user's passkeys (the server's --passkey). A server without it: NOT_FOUND.
    passkey: {
      /**
       * ({name?, authenticatorAttachment?: 'platform' | 'cross-platform', context?, createSession?,
       * extensions?})? -> the new passkey's row. Needs a fresh session (SESSION_NOT_FRESH). The
       * browser asks the user to make a passkey (`name` is also the account's label the server
       * gives the authenticator, as BetterAuth's client sends it): closed, REGISTRATION_CANCELLED;
       * an authenticator that holds one of this account already, PREVIOUSLY_REGISTERED; the
       * server's FAILED_TO_VERIFY_REGISTRATION, TOO_MANY_PASSKEYS, CHALLENGE_NOT_FOUND (400).
       */
      addPasskey: (input) => {
        const given = (k) => (input?.[k] ? input[k] : undefined); // BetterAuth's client sends no empty value
        return passkeyCeremony({
          registering: true,
          options: () =>
            call('GET', '/passkey/generate-register-options', {
              query: { authenticatorAttachment: given('authenticatorAttachment'), name: given('name'), context: given('context') },
            }),
          convert: (json) => toCreationOptions(json, input?.extensions),
          toJSON: registrationToJSON,
          verify: async (response) => {
            const r = await call('POST', '/passkey/verify-registration', {
              body: { response, name: given('name'), ...(input?.createSession ? { createSession: true } : {}) },
            });
            if (r.ok && r.value?.session) notify({ type: 'session-changed', path: '/passkey/verify-registration' });
            return r;
          },
        });
      },
      /** -> the user's passkeys, oldest first. */
      listUserPasskeys: () => call('GET', '/passkey/list-user-passkeys'),
      /** {id} -> {status: true}; PASSKEY_NOT_FOUND (404): none of this user's. */
      deletePasskey: (input) => call('POST', '/passkey/delete-passkey', { body: pick(input, ['id']) }),
      /** {id, name} -> {passkey}; PASSKEY_NOT_FOUND (404); a name the rules refuse: VALIDATION_ERROR, ... */
      updatePasskey: (input) => call('POST', '/passkey/update-passkey', { body: pick(input, ['id', 'name']) }),
    },

    // The server's --admin (BetterAuth's admin plugin): for an administrator (a user whose role
    // includes "admin"); others get 403 YOU_ARE_NOT_ALLOWED_TO_..., a visitor 401 UNAUTHORIZED.
    admin: {
      /**
       * {searchValue?, searchField?: 'email'|'name', searchOperator?: 'contains'|'starts_with'|
       * 'ends_with', limit? (100; at most 1000), offset?, sortBy?, sortDirection?: 'asc'|'desc',
       * filterField?, filterValue?, filterOperator?: 'eq'|'ne'} -> {users, total, limit, offset}.
       */
      listUsers: (query) =>
        call('GET', '/admin/list-users', {
          query: pick(query, [
            'searchValue', 'searchField', 'searchOperator', 'limit', 'offset', 'sortBy', 'sortDirection',
            'filterField', 'filterValue', 'filterOperator',
          ]),
        }),
      /** -> the user. */
      getUser: (id) => call('GET', '/admin/get-user', { query: { id } }),
      /** {email, password, name, role?, data?: {emailVerified?, image?}} -> {user}; a weak password: PASSWORD_TOO_WEAK. */
      createUser: (input) => call('POST', '/admin/create-user', { body: pick(input, ['email', 'password', 'name', 'role', 'data']) }),
      /** (userId, {name?, image?, email?, emailVerified?, role?}) -> the user. */
      updateUser: (userId, data) => call('POST', '/admin/update-user', { body: { userId, data: data ?? {} } }),
      /** (userId, 'admin' | 'user' | string[]) -> {user}. */
      setRole: (userId, role) => call('POST', '/admin/set-role', { body: { userId, role } }),
      /** {userId, banReason?, banExpiresIn? (seconds; none: for ever)} -> {user}; ends the user's sessions. */
      banUser: (input) => call('POST', '/admin/ban-user', { body: pick(input, ['userId', 'banReason', 'banExpiresIn']) }),
      /** -> {user}. */
      unbanUser: (userId) => call('POST', '/admin/unban-user', { body: { userId } }),
      /** -> {sessions}. */
      listUserSessions: (userId) => call('POST', '/admin/list-user-sessions', { body: { userId } }),
      /** -> {success}. */
      revokeUserSession: (sessionToken) => call('POST', '/admin/revoke-user-session', { body: { sessionToken } }),
      /** -> {success}: the user is signed out everywhere. */
      revokeUserSessions: (userId) => call('POST', '/admin/revoke-user-sessions', { body: { userId } }),
      /** -> {success}: the user, their sessions and accounts are gone. */
      removeUser: (userId) => call('POST', '/admin/remove-user', { body: { userId } }),
      /** {userId, newPassword} -> {status}; ends the user's sessions. */
      setUserPassword: (input) => call('POST', '/admin/set-user-password', { body: pick(input, ['userId', 'newPassword']) }),
      /** ({user?: [...], session?: [...]}) -> {error: null, success}: whether the caller may. */
      hasPermission: (permissions) => call('POST', '/admin/has-permission', { body: { permissions } }),
      /**
       * -> {session, user}: this browser's session becomes the user's (the server's
       * --admin-impersonation), for an hour at most; session.impersonatedBy is the administrator's
       * id, whose own session waits in the admin_session cookie. Not another administrator
       * (YOU_CANNOT_IMPERSONATE_ADMINS), nor a banned user (BANNED_USER); 404 NOT_FOUND without the flag.
       */
      impersonateUser: (userId) => call('POST', '/admin/impersonate-user', { body: { userId } }),
      /**
       * -> {session, user}: the administrator's session again. NOT_IMPERSONATING (400);
       * ADMIN_SESSION_NOT_FOUND (401): the administrator's session has ended, and the impersonation
       * too (signed out; the session listeners are told).
       */
      stopImpersonating: () => call('POST', '/admin/stop-impersonating', { body: {} }),
    },

    // The server's --organization (BetterAuth's organization plugin, without teams; its
    // organizationClient()'s names). Members have roles: owner (everything), admin (all but
    // deleting the organization and touching owners), member (sees the organization and its
    // members). Calls that take an organizationId use the session's active organization without
    // one. Signed out: UNAUTHORIZED (401); a server without --organization: NOT_FOUND.
    organization: {
      /**
       * {name, slug, logo?, metadata? (an object), keepCurrentActiveOrganization?} -> the organization
       * (metadata as the object) with `members`: [the caller, owner]; it becomes the session's active
       * one (the session listeners are told) unless keepCurrentActiveOrganization.
       * ORGANIZATION_ALREADY_EXISTS (the slug); YOU_ARE_NOT_ALLOWED_TO_CREATE_A_NEW_ORGANIZATION,
       * YOU_HAVE_REACHED_THE_MAXIMUM_NUMBER_OF_ORGANIZATIONS (403); VALIDATION_ERROR (an empty name or slug).
       */
      create: async (input) => {
        const r = await org('POST', 'create', ['name', 'slug', 'logo', 'metadata', 'keepCurrentActiveOrganization'])(input);
        if (r.ok && !input?.keepCurrentActiveOrganization) notify({ type: 'session-changed', path: '/organization/create' });
        return r;
      },
      /**
       * {data: {name?, slug?, logo? (null clears it), metadata?}, organizationId?} -> the organization
       * (metadata as the object). USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION,
       * YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_ORGANIZATION (403: a member), ORGANIZATION_SLUG_ALREADY_TAKEN,
       * ORGANIZATION_NOT_FOUND (none named or active).
       */
      update: org('POST', 'update', ['data', 'organizationId']),
      /**
       * {organizationId} (not the active one by default) -> the deleted organization, with its
       * memberships and invitations; no session has it active then (the listeners are told).
       * YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_ORGANIZATION (403: not an owner), USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION.
       */
      delete: org('POST', 'delete', ['organizationId']),
      /**
       * {organizationId? (null: none), organizationSlug?} -> the organization now active in this
       * session, or null (unset, or nothing named nor active); the listeners are told.
       * USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION (403; the session then has none active),
       * ORGANIZATION_NOT_FOUND (no such slug).
       */
      setActive: org('POST', 'set-active', ['organizationId', 'organizationSlug']),
      /** -> the organizations the user is a member of (metadata as JSON text, or null). */
      list: org('GET', 'list', []),
      /**
       * {organizationId?, organizationSlug?}? -> the organization (the slug's, else the id's, else
       * the active one), or null when none is named nor active. ORGANIZATION_NOT_FOUND,
       * USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION (403; the session then has none active).
       */
      getOrganization: org('GET', 'get-organization', ['organizationId', 'organizationSlug']),
      /**
       * {organizationId?, organizationSlug?, membersLimit?}? -> getOrganization's, with `members`
       * (each with its user {id, name, email, image}) and `invitations` (every status; [] for a
       * caller who may not invite; those for an owner only to an owner); null as getOrganization.
       */
      getFullOrganization: org('GET', 'get-full-organization', ['organizationId', 'organizationSlug', 'membersLimit']),
      /** {slug} -> {status: true}: no organization has it; ORGANIZATION_SLUG_ALREADY_TAKEN (400). */
      checkSlug: org('POST', 'check-slug', ['slug']),
      /**
       * {email, role: 'member' | 'admin' | 'owner' (or several), organizationId?, resend?} -> the
       * pending invitation (mailed with a link to the server's invitation URL); `resend` with one
       * pending gives it a new expiry (its roles stay). MEMBER_NOT_FOUND (the caller is not a member),
       * YOU_ARE_NOT_ALLOWED_TO_INVITE_USERS_TO_THIS_ORGANIZATION, YOU_ARE_NOT_ALLOWED_TO_INVITE_USER_WITH_THIS_ROLE
       * (403: owner, by a non-owner), ROLE_NOT_FOUND, INVALID_EMAIL, USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION,
       * USER_IS_ALREADY_INVITED_TO_THIS_ORGANIZATION, INVITATION_LIMIT_REACHED (403), ORGANIZATION_NOT_FOUND.
       */
      inviteMember: org('POST', 'invite-member', ['email', 'role', 'organizationId', 'resend']),
      /**
       * {invitationId} -> {invitation (accepted), member}: the caller (signed in with the invited
       * address) is a member, and the organization active (the listeners are told).
       * INVITATION_NOT_FOUND (none pending, or expired), YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION,
       * EMAIL_VERIFICATION_REQUIRED_BEFORE_ACCEPTING_OR_REJECTING_INVITATION (403: Portcullis asks a
       * verified address by default), USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION, ORGANIZATION_MEMBERSHIP_LIMIT_REACHED (403).
       */
      acceptInvitation: org('POST', 'accept-invitation', ['invitationId']),
      /** {invitationId} -> {invitation (rejected), member: null}; acceptInvitation's errors (an expired one can be rejected). */
      rejectInvitation: org('POST', 'reject-invitation', ['invitationId']),
      /**
       * {invitationId} -> the invitation, canceled (one already answered, as it stands).
       * INVITATION_NOT_FOUND, MEMBER_NOT_FOUND, YOU_ARE_NOT_ALLOWED_TO_CANCEL_THIS_INVITATION (403: a member).
       */
      cancelInvitation: org('POST', 'cancel-invitation', ['invitationId']),
      /**
       * {id} -> a pending invitation to the caller's address, with organizationName,
       * organizationSlug and inviterEmail. INVITATION_NOT_FOUND, YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION,
       * EMAIL_VERIFICATION_REQUIRED_FOR_INVITATION (403), INVITER_IS_NO_LONGER_A_MEMBER_OF_THE_ORGANIZATION.
       */
      getInvitation: org('GET', 'get-invitation', ['id']),
      /**
       * {organizationId?}? -> the organization's invitations, every status (those for an owner only
       * to an owner). YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION, YOU_ARE_NOT_ALLOWED_TO_LIST_INVITATIONS (403: a member).
       */
      listInvitations: org('GET', 'list-invitations', ['organizationId']),
      /** -> the pending invitations to the caller's address, each with organizationName; EMAIL_VERIFICATION_REQUIRED_FOR_INVITATION (403). */
      listUserInvitations: org('GET', 'list-user-invitations', []),
      /**
       * {memberIdOrEmail, organizationId?} -> {member}: removed (the listeners are told). Owners
       * remove anyone but the last owner; admins anyone but owners. MEMBER_NOT_FOUND,
       * YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_MEMBER (403: a member, who leaves instead; an owner, by a
       * non-owner), YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER (the last owner), NO_ACTIVE_ORGANIZATION.
       */
      removeMember: org('POST', 'remove-member', ['memberIdOrEmail', 'organizationId']),
      /**
       * {memberId, role (a role, comma-separated roles, or a list), organizationId?} -> the member.
       * Only an owner makes or touches owners. YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER (403),
       * YOU_CANNOT_LEAVE_THE_ORGANIZATION_WITHOUT_AN_OWNER, ROLE_NOT_FOUND, MEMBER_NOT_FOUND, NO_ACTIVE_ORGANIZATION.
       */
      updateMemberRole: org('POST', 'update-member-role', ['memberId', 'role', 'organizationId']),
      /** -> the caller's membership of the active organization, with its user; NO_ACTIVE_ORGANIZATION, MEMBER_NOT_FOUND. */
      getActiveMember: org('GET', 'get-active-member', []),
      /**
       * {userId?, organizationId?, organizationSlug?}? -> {role}: the caller's (or userId's) roles as
       * stored, e.g. "admin,member". YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION (403), NO_ACTIVE_ORGANIZATION, ORGANIZATION_NOT_FOUND.
       */
      getActiveMemberRole: org('GET', 'get-active-member-role', ['userId', 'organizationId', 'organizationSlug']),
      /**
       * {organizationId} -> the caller's membership, ended (with its user); no session of the user
       * has it active then (the listeners are told). MEMBER_NOT_FOUND, YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER.
       */
      leave: org('POST', 'leave', ['organizationId']),
      /**
       * {organizationId?, organizationSlug?, limit? (100), offset?, sortBy?, sortDirection?,
       * filterField?, filterValue?, filterOperator?}? -> {members (each with its user), total}. (The
       * sorting and filters are a BetterAuth server's: Portcullis answers VALIDATION_ERROR.)
       * YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION (403), NO_ACTIVE_ORGANIZATION, ORGANIZATION_NOT_FOUND.
       */
      listMembers: org('GET', 'list-members', [
        'organizationId', 'organizationSlug', 'limit', 'offset', 'sortBy', 'sortDirection', 'filterField', 'filterValue',
        'filterOperator',
      ]),
      /**
       * {permissions: {member: ['delete'], ...}, organizationId?} -> {error: null, success}: whether
       * one of the caller's roles grants them all. USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION (403), NO_ACTIVE_ORGANIZATION.
       */
      hasPermission: org('POST', 'has-permission', ['permissions', 'organizationId']),
      /** {role, permissions} -> whether the role grants them, by the default roles: at once, without the server. */
      checkRolePermission,
    },

    // The server's --api-key (BetterAuth's API-key plugin; its apiKeyClient()'s names and argument
    // shapes): the signed-in user's keys, for a program that calls a backend as the user (the key
    // in the x-api-key header of its get-session). None of these changes the session. Signed out:
    // UNAUTHORIZED (401; create, update: UNAUTHORIZED_SESSION); a server without --api-key: NOT_FOUND.
    apiKey: {
      /**
       * {name?, prefix?, expiresIn? (seconds, 1 to 365 days; null: the server's default, none
       * unless set), metadata? (an object, with the server's --api-key-metadata), configId?} -> the
       * key (its fields as get's) with `key`: the key itself, shown this once. INVALID_NAME_LENGTH
       * (1-32 UTF-16 units), NAME_REQUIRED, INVALID_PREFIX_LENGTH, EXPIRES_IN_IS_TOO_SMALL,
       * EXPIRES_IN_IS_TOO_LARGE, KEY_DISABLED_EXPIRATION, METADATA_DISABLED, INVALID_METADATA_TYPE,
       * API_KEY_LIMIT_REACHED (403), VALIDATION_ERROR (a prefix's characters; invalid text).
       */
      create: (input) =>
        call('POST', '/api-key/create', { body: pick(input, ['name', 'prefix', 'expiresIn', 'metadata', 'configId']) }),
      /** {query: {id}} -> the key (without the key itself); KEY_NOT_FOUND (404): none of the user's. */
      get: (input) => call('GET', '/api-key/get', { query: pick(input?.query, ['id']) }),
      /**
       * {keyId, name?, enabled?, expiresIn? (seconds; null: never), metadata?, configId?, userId?
       * (the caller's)} -> the key. KEY_NOT_FOUND (404), NO_VALUES_TO_UPDATE, INVALID_NAME_LENGTH,
       * EXPIRES_IN_IS_TOO_SMALL, EXPIRES_IN_IS_TOO_LARGE, KEY_DISABLED_EXPIRATION, INVALID_METADATA_TYPE.
       */
      update: (input) =>
        call('POST', '/api-key/update', {
          body: pick(input, ['keyId', 'name', 'enabled', 'expiresIn', 'metadata', 'configId', 'userId']),
        }),
      /** {keyId} -> {success: true}; KEY_NOT_FOUND (404). */
      delete: (input) => call('POST', '/api-key/delete', { body: pick(input, ['keyId']) }),
      /**
       * {query?: {limit?, offset?, sortBy?, sortDirection? ('asc' | 'desc')}}? -> {apiKeys, total,
       * limit?, offset?} (limit and offset as given). Oldest first by default.
       */
      list: (input) =>
        call('GET', '/api-key/list', { query: pick(input?.query, ['limit', 'offset', 'sortBy', 'sortDirection']) }),
    },

    // The last sign-in's method (the server's --last-login-method; BetterAuth's lastLoginMethodClient()).
    ...lastLoginMethod(options.cookiePrefix),

    /**
     * Calls `listener({type:'session-changed', path})` after each call that may change the session
     * (sign-in, sign-out, ...), in this tab and, in browsers, in the other tabs of the same site.
     * Returns the function that unsubscribes.
     */
    subscribe(listener) {
      listeners.add(listener);
      if (!channel && typeof BroadcastChannel === 'function' && typeof window !== 'undefined') {
        channel = new BroadcastChannel(`${CHANNEL}:${api}`);
        channel.onmessage = (e) => notify({ ...e.data, remote: true }, true);
      }
      return () => {
        listeners.delete(listener);
        if (!listeners.size && channel) {
          channel.close();
          channel = null;
        }
      };
    },
  };
}

/**
 * Wraps BetterAuth's own client (`createAuthClient` from 'better-auth/client' or
 * 'better-auth/react') so that the React components can use it: the same methods and results as
 * createClient's. `options.cookiePrefix` ('better-auth'): the server's cookie prefix, for the last
 * sign-in's method when the client has no lastLoginMethodClient().
 */
export function fromBetterAuth(authClient, options = {}) {
  const listeners = new Set();
  const wrap = (changes, fn) => async (...args) => {
    let out;
    try {
      out = await fn(...args);
    } catch (error) {
      return { ok: false, status: 0, code: 'NETWORK_ERROR', message: String(error?.message ?? error) };
    }
    const { data, error } = out ?? {};
    if (error) {
      const { status = 0, statusText, code, message, ...details } = error;
      const failure = {
        ...details,
        ok: false,
        status,
        code: code || UNCODED[message] || BY_STATUS[status] || (status >= 500 ? 'INTERNAL_SERVER_ERROR' : status ? 'BAD_REQUEST' : 'NETWORK_ERROR'),
        message: message || statusText || `HTTP ${status}`,
      };
      if (changes && SESSION_ENDING_FAILURES.has(failure.code)) for (const l of [...listeners]) l({ type: 'session-changed' });
      return failure;
    }
    if (changes) for (const l of [...listeners]) l({ type: 'session-changed' });
    return { ok: true, value: data ?? null };
  };
  const c = authClient;
  return {
    baseURL: undefined,
    betterAuth: c,
    signUp: wrap(true, (input) => c.signUp.email(input)),
    signIn: wrap(true, (input) => c.signIn.email(input)),
    // (These are BetterAuth's usernameClient()'s: add it among the client's plugins.)
    signInUsername: wrap(true, (input) => c.signIn.username(input)),
    isUsernameAvailable: wrap(false, (username) => c.isUsernameAvailable({ username })),
    // (These are BetterAuth's emailOTPClient()'s: add it among the client's plugins.)
    signInEmailOtp: wrap(true, (input) => c.signIn.emailOtp(input)),
    // (These are BetterAuth's magicLinkClient()'s: add it among the client's plugins.)
    signInMagicLink: wrap(false, (input) => c.signIn.magicLink(input)),
    // (BetterAuth's passkeyClient()'s, from @better-auth/passkey/client: add it among the client's
    // plugins.) Its cancelled ceremonies get createClient's codes; `autoFill` is its own. It takes
    // no signal: an abort ends this call at once (AUTH_CANCELLED) and, through its fetchOptions,
    // keeps the answer from being verified, but the browser's request stays until BetterAuth's
    // next ceremony replaces it. Ceremonies are one at a time among BetterAuth's own calls.
    signInPasskey: async (opts) => {
      if (opts?.autoFill ? !(await passkeyAutofillSupported()) : !passkeySupported()) {
        return passkeyFailure(opts?.autoFill ? 'AUTOFILL_NOT_SUPPORTED' : 'WEBAUTHN_NOT_SUPPORTED');
      }
      const signal = opts?.signal;
      if (signal?.aborted) return passkeyFailure('AUTH_CANCELLED');
      const input = {
        ...(opts?.extensions ? { extensions: opts.extensions } : {}),
        ...(opts?.autoFill ? { autoFill: true } : {}),
        ...(signal ? { fetchOptions: { signal } } : {}),
      };
      const pending = wrap(true, () => c.signIn.passkey(Object.keys(input).length ? input : undefined))();
      let onAbort = null;
      const aborted = signal && new Promise((resolve) => signal.addEventListener('abort', (onAbort = () => resolve(null)), { once: true }));
      const r = await (aborted ? Promise.race([pending, aborted]) : pending);
      if (onAbort) signal.removeEventListener('abort', onAbort);
      if (!r) return passkeyFailure('AUTH_CANCELLED');
      return r.ok ? r : fromBetterAuthPasskeyFailure(r, false);
    },
    signOut: wrap(true, () => c.signOut()),
    getSession: wrap(false, (query) => c.getSession(query ? { query } : undefined)),
    listSessions: wrap(false, () => c.listSessions()),
    revokeSession: wrap(true, (token) => c.revokeSession({ token })),
    revokeSessions: wrap(true, () => c.revokeSessions()),
    revokeOtherSessions: wrap(true, () => c.revokeOtherSessions()),
    updateUser: wrap(true, (input) => c.updateUser(input)),
    listAccounts: wrap(false, () => c.listAccounts()),
    unlinkAccount: wrap(false, (accountId) => c.unlinkAccount({ accountId })),
    verifyPassword: wrap(false, (password) => c.verifyPassword({ password })),
    changePassword: wrap(true, (input) => c.changePassword(input)),
    requestPasswordReset: wrap(false, (input) => c.requestPasswordReset(input)),
    resetPassword: wrap(true, (input) => c.resetPassword(input)),
    changeEmail: wrap(false, (input) => c.changeEmail(input)),
    sendVerificationEmail: wrap(false, (input) => c.sendVerificationEmail(input)),
    deleteUser: wrap(true, (input) => c.deleteUser(input ?? {})),
    // (These need BetterAuth's twoFactorClient() among the client's plugins.)
    enableTwoFactor: wrap(true, (input) => c.twoFactor.enable(input)),
    verifyTotp: wrap(true, (input) => c.twoFactor.verifyTotp(input)),
    sendTwoFactorOtp: wrap(false, (input) => c.twoFactor.sendOtp(input ?? {})),
    verifyTwoFactorOtp: wrap(true, (input) => c.twoFactor.verifyOtp(input)),
    verifyBackupCode: wrap(true, (input) => c.twoFactor.verifyBackupCode(input)),
    getTotpUri: wrap(false, (input) => c.twoFactor.getTotpUri(input)),
    generateBackupCodes: wrap(false, (input) => c.twoFactor.generateBackupCodes(input)),
    disableTwoFactor: wrap(true, (input) => c.twoFactor.disable(input)),
    getTwoFactorMethods: wrap(false, () => c.$fetch('/two-factor/methods', { method: 'GET' })),
    getToken: wrap(false, () => c.$fetch('/token', { method: 'GET' })),
    emailOtp: c.emailOtp
      ? {
          sendVerificationOtp: wrap(false, (input) => c.emailOtp.sendVerificationOtp(input)),
          checkVerificationOtp: wrap(false, (input) => c.emailOtp.checkVerificationOtp(input)),
          verifyEmail: wrap(true, (input) => c.emailOtp.verifyEmail(input)),
          requestPasswordReset: wrap(false, (input) => c.emailOtp.requestPasswordReset(input)),
          resetPassword: wrap(true, (input) => c.emailOtp.resetPassword(input)),
          requestEmailChange: wrap(false, (input) => c.emailOtp.requestEmailChange(input)),
          changeEmail: wrap(true, (input) => c.emailOtp.changeEmail(input)),
        }
      : undefined,
    magicLink: c.magicLink
      ? {
          // Its redirects answered, not followed, as createClient's.
          verify: async (input) => {
            let redirected = null;
            const query = {};
            for (const k of ['token', 'callbackURL']) if (input?.[k] !== undefined) query[k] = input[k];
            const fetchOptions = {
              redirect: 'manual',
              onResponse: (ctx) => {
                if (isRedirect(ctx.response)) redirected = ctx.response;
              },
            };
            const r = await wrap(true, () => c.magicLink.verify({ query }, fetchOptions))();
            if (!redirected) return r;
            const out = linkRedirect(redirected.status, redirected.headers.get('location'));
            if (out.ok || out.code === 'OPAQUE_REDIRECT') for (const l of [...listeners]) l({ type: 'session-changed' });
            return out;
          },
        }
      : undefined,
    passkey: c.passkey
      ? {
          addPasskey: async (input) => {
            if (!passkeySupported()) return passkeyFailure('WEBAUTHN_NOT_SUPPORTED');
            const r = await wrap(false, () => c.passkey.addPasskey(input ?? {}))();
            if (r.ok && r.value?.session) for (const l of [...listeners]) l({ type: 'session-changed' });
            return r.ok ? r : fromBetterAuthPasskeyFailure(r, true);
          },
          listUserPasskeys: wrap(false, () => c.passkey.listUserPasskeys()),
          deletePasskey: wrap(false, (input) => c.passkey.deletePasskey({ id: input?.id })),
          updatePasskey: wrap(false, (input) => c.passkey.updatePasskey({ id: input?.id, name: input?.name })),
        }
      : undefined,
    // BetterAuth's adminClient() (among the client's plugins: its types, and list-users as a GET).
    admin: c.admin
      ? {
          listUsers: wrap(false, (query) => c.admin.listUsers({ query: query ?? {} })),
          getUser: wrap(false, (id) => c.admin.getUser({ query: { id } })),
          createUser: wrap(false, (input) => c.admin.createUser(input)),
          updateUser: wrap(true, (userId, data) => c.admin.updateUser({ userId, data: data ?? {} })),
          setRole: wrap(true, (userId, role) => c.admin.setRole({ userId, role })),
          banUser: wrap(false, (input) => c.admin.banUser(input)),
          unbanUser: wrap(false, (userId) => c.admin.unbanUser({ userId })),
          listUserSessions: wrap(false, (userId) => c.admin.listUserSessions({ userId })),
          revokeUserSession: wrap(true, (sessionToken) => c.admin.revokeUserSession({ sessionToken })),
          revokeUserSessions: wrap(true, (userId) => c.admin.revokeUserSessions({ userId })),
          removeUser: wrap(false, (userId) => c.admin.removeUser({ userId })),
          setUserPassword: wrap(true, (input) => c.admin.setUserPassword(input)),
          hasPermission: wrap(false, (permissions) => c.admin.hasPermission({ permissions })),
          impersonateUser: wrap(true, (userId) => c.admin.impersonateUser({ userId })),
          stopImpersonating: wrap(true, () => c.admin.stopImpersonating()),
        }
      : undefined,
    // BetterAuth's organizationClient() (among the client's plugins: its checkRolePermission, and
    // get-full-organization as a GET). Session listeners as createClient's.
    organization: c.organization
      ? {
          create: (input) => wrap(!input?.keepCurrentActiveOrganization, () => c.organization.create(input))(),
          update: wrap(false, (input) => c.organization.update(input)),
          delete: wrap(true, (input) => c.organization.delete(input)),
          // POST even when nothing is named (BetterAuth's client would GET an empty body).
          setActive: wrap(true, (input) => c.organization.setActive(input ?? {}, { method: 'POST' })),
          list: wrap(false, () => c.organization.list()),
          getOrganization: wrap(false, (query) => c.organization.getOrganization({ query: query ?? {} })),
          getFullOrganization: wrap(false, (query) => c.organization.getFullOrganization({ query: query ?? {} })),
          checkSlug: wrap(false, (input) => c.organization.checkSlug(input)),
          inviteMember: wrap(false, (input) => c.organization.inviteMember(input)),
          acceptInvitation: wrap(true, (input) => c.organization.acceptInvitation(input)),
          rejectInvitation: wrap(false, (input) => c.organization.rejectInvitation(input)),
          cancelInvitation: wrap(false, (input) => c.organization.cancelInvitation(input)),
          getInvitation: wrap(false, (query) => c.organization.getInvitation({ query: query ?? {} })),
          listInvitations: wrap(false, (query) => c.organization.listInvitations({ query: query ?? {} })),
          listUserInvitations: wrap(false, () => c.organization.listUserInvitations()),
          removeMember: wrap(true, (input) => c.organization.removeMember(input)),
          updateMemberRole: wrap(false, (input) => c.organization.updateMemberRole(input)),
          getActiveMember: wrap(false, () => c.organization.getActiveMember()),
          getActiveMemberRole: wrap(false, (query) => c.organization.getActiveMemberRole({ query: query ?? {} })),
          leave: wrap(true, (input) => c.organization.leave(input)),
          listMembers: wrap(false, (query) => c.organization.listMembers({ query: query ?? {} })),
          hasPermission: wrap(false, (input) => c.organization.hasPermission(input)),
          // The plugin's own (the client's roles option counts), else the default roles'.
          checkRolePermission:
            typeof c.organization.checkRolePermission?.name === 'string'
              ? (input) => {
                  try {
                    return c.organization.checkRolePermission(input) === true;
                  } catch {
                    return false;
                  }
                }
              : checkRolePermission,
        }
      : undefined,
    // BetterAuth's apiKeyClient() (from @better-auth/api-key/client, among the client's plugins:
    // its types). create and delete are POSTs here even without it (its pathMethods).
    apiKey: c.apiKey
      ? {
          create: wrap(false, (input) => c.apiKey.create(input ?? {}, { method: 'POST' })),
          get: wrap(false, (input) => c.apiKey.get({ query: input?.query ?? {} })),
          update: wrap(false, (input) => c.apiKey.update(input, { method: 'POST' })),
          delete: wrap(false, (input) => c.apiKey.delete(input, { method: 'POST' })),
          list: wrap(false, (input) => c.apiKey.list({ query: input?.query ?? {} })),
        }
      : undefined,
    // The last sign-in's method: BetterAuth's lastLoginMethodClient()'s actions when the client has
    // them (its cookieName), else the cookie read here. (Any other name of BetterAuth's client is a
    // proxy that would call the server: a function too, but one whose `name` is no string.)
    ...(typeof c.getLastUsedLoginMethod === 'function' && typeof c.getLastUsedLoginMethod.name === 'string'
      ? {
          getLastUsedLoginMethod: () => c.getLastUsedLoginMethod() ?? null,
          isLastUsedLoginMethod: (method) => c.isLastUsedLoginMethod(method) === true,
          clearLastUsedLoginMethod: () => c.clearLastUsedLoginMethod(),
        }
      : lastLoginMethod(options.cookiePrefix)),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
