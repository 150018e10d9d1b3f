// portcullis/docusaurus: a Docusaurus 3 plugin that adds /login and /signup pages, the pages of a
// forgotten password (/forgot-password, and /reset-password where the mailed link leads; with the
// emailOtp option, sign-in and reset by codes sent by e-mail; with magicLink, sign-in by links sent by
// e-mail; with passkey, sign-in by passkeys, from a button and the field's autofill), an
// /account page (name, username with its option, address verification, password, passkeys with
// their option, API keys with apiKeys, signed-in devices, deletion), with organizations an
// /organizations page and the page invitations' links lead to (/accept-invitation?id=), a user menu
// in the navbar, a session provider around the site, and optional client-side gating of chosen
// paths (a redirect to /login and back). It works under webpack and Rspack (future.v4).
//
//   plugins: [['portcullis/docusaurus', { serverURL: 'https://auth.example.com', protect: ['/docs/private'] }]]
//
// Gating is client-side only: the pages' HTML and JS are still public. Keep secrets on a server
// that checks the session itself.
const path = require('node:path');

const PLUGIN_NAME = 'portcullis-docusaurus';
const NAVBAR_TYPE = 'custom-portcullisUserMenu';

const DEFAULTS = {
  serverURL: undefined, // the auth server's origin (or full API URL); default: the site's origin
  basePath: '/api/auth',
  loginPath: '/login',
  signUpPath: '/signup', // false: no sign-up page
  forgotPasswordPath: '/forgot-password', // false (with resetPasswordPath): no password reset pages
  resetPasswordPath: '/reset-password', // where the mailed reset link leads
  accountPath: '/account', // false: no account page (nor its link in the user menu)
  changeEmail: false, // true: the account page offers a change of address (the server's --change-email-enabled)
  // true: the account page offers a change of address made with codes instead of a link (the
  // server's --email-otp-change-email; with or without changeEmail)
  changeEmailCode: false,
  twoFactor: false, // true: the account page offers two-step verification (the server's --two-factor);
  // {otp: true}: also codes sent by e-mail (the server's --two-factor-otp too)
  // true: the server's --username; a username at sign-up (optional; 'required': it must be given),
  // "E-mail or username" at sign-in, and the username on the account page
  username: false,
  usernamePolicy: undefined, // {minLength, maxLength} when the server's differ (3 and 30)
  protect: [], // path prefixes (or RegExp sources starting with ^) that need a session
  minPasswordScore: 2, // the server's minimum strength score (its default is 2)
  passwordPolicy: undefined, // {minLength, maxLength, maxBytes} when the server's differ
  navbarItem: { position: 'right' }, // false: add {type: 'custom-portcullisUserMenu'} yourself
  afterSignOutPath: undefined, // where "Sign out" goes (default: stay)
  // true: the server's --email-otp; codes by e-mail: "E-mail me a sign-in code" on the login page,
  // and a code instead of a link on the forgotten-password page. {verification: true}: the server's
  // --email-otp-verification too (codes instead of verification links: after sign-up, at a sign-in
  // of an unverified address, and on the account page)
  emailOtp: false,
  // true: the server's --magic-link; "E-mail me a sign-in link" on the login page, where the link
  // leads back (then on to ?redirect= or the home page; the second factor's step, or why the link
  // did not work, on the way)
  magicLink: false,
  // true: the server's --passkey; "Sign in with a passkey" on the login page (in browsers with
  // WebAuthn), with the site's passkeys in its e-mail field's autofill too, and the passkeys (add,
  // rename, delete) on the account page
  passkey: false,
  // false: with passkey, the login page's button only, no passkeys in the field's autofill
  passkeyAutofill: true,
  // true: the server's --last-login-method; the login page marks the way this browser signed in
  // last ("Last used")
  lastLoginMethod: false,
  // {afterStopPath?}: every page shows the impersonation bar while an administrator is signed in
  // as a user (the server's --admin-impersonation); "Stop impersonating" then goes there.
  impersonation: false,
  // true: the server's --organization; an /organizations page (the user's organizations, the
  // active one's members and invitations, a new one) linked from the user menu, and
  // /accept-invitation, where the invitation's mailed link leads (the server's
  // --organization-invitation-url "https://site/accept-invitation?id={id}"). {path?,
  // invitationPath?}: other paths.
  organizations: false,
  // true: the server's --api-key; the account page lists the user's API keys, makes new ones
  // (shown once, to copy), disables, enables and deletes them
  apiKeys: false,
};

const ORGANIZATION_PATHS = { path: '/organizations', invitationPath: '/accept-invitation' };

function fail(message) {
  throw new Error(`[portcullis/docusaurus] ${message}`);
}

function validate(options) {
  const o = { ...DEFAULTS, ...(options ?? {}) };
  for (const key of Object.keys(options ?? {})) {
    if (!(key in DEFAULTS) && key !== 'id') fail(`unknown option "${key}"`);
  }
  if (o.serverURL !== undefined) {
    try {
      new URL(o.serverURL);
    } catch {
      fail(`serverURL must be an absolute URL, got ${JSON.stringify(o.serverURL)}`);
    }
  }
  const optional = ['signUpPath', 'forgotPasswordPath', 'resetPasswordPath', 'accountPath'];
  for (const key of ['loginPath', 'basePath', ...optional]) {
    if (o[key] === false && optional.includes(key)) continue;
    if (typeof o[key] !== 'string' || !o[key].startsWith('/')) fail(`${key} must be a path starting with "/"`);
  }
  if (!Array.isArray(o.protect) || o.protect.some((p) => typeof p !== 'string' || !p.startsWith('/') && !p.startsWith('^'))) {
    fail('protect must be an array of paths starting with "/" (prefixes) or "^" (regular expressions)');
  }
  if (typeof o.changeEmail !== 'boolean') fail('changeEmail must be true or false');
  if (typeof o.changeEmailCode !== 'boolean') fail('changeEmailCode must be true or false');
  const tf = o.twoFactor;
  if (
    typeof tf !== 'boolean' &&
    (tf === null || typeof tf !== 'object' || Array.isArray(tf) || Object.keys(tf).some((k) => k !== 'otp') || (tf.otp !== undefined && typeof tf.otp !== 'boolean'))
  ) {
    fail('twoFactor must be true, false or {otp: true | false}');
  }
  if (typeof o.username !== 'boolean' && o.username !== 'required') fail("username must be true, false or 'required'");
  const up = o.usernamePolicy;
  if (
    up !== undefined &&
    (up === null || typeof up !== 'object' || Array.isArray(up) || Object.keys(up).some((k) => k !== 'minLength' && k !== 'maxLength') ||
      Object.values(up).some((n) => !Number.isInteger(n) || n < 1))
  ) {
    fail('usernamePolicy must be {minLength?, maxLength?} with positive integers');
  }
  if (!Number.isInteger(o.minPasswordScore) || o.minPasswordScore < 0 || o.minPasswordScore > 4) {
    fail('minPasswordScore must be an integer from 0 to 4');
  }
  const eo = o.emailOtp;
  if (
    typeof eo !== 'boolean' &&
    (eo === null || typeof eo !== 'object' || Array.isArray(eo) || Object.keys(eo).some((k) => k !== 'verification') ||
      (eo.verification !== undefined && typeof eo.verification !== 'boolean'))
  ) {
    fail('emailOtp must be true, false or {verification: true | false}');
  }
  if (typeof o.magicLink !== 'boolean') fail('magicLink must be true or false');
  if (typeof o.passkey !== 'boolean') fail('passkey must be true or false');
  if (typeof o.passkeyAutofill !== 'boolean') fail('passkeyAutofill must be true or false');
  if (typeof o.lastLoginMethod !== 'boolean') fail('lastLoginMethod must be true or false');
  if (typeof o.apiKeys !== 'boolean') fail('apiKeys must be true or false');
  const imp = o.impersonation;
  if (
    typeof imp !== 'boolean' &&
    (imp === null || typeof imp !== 'object' || Array.isArray(imp) || Object.keys(imp).some((k) => k !== 'afterStopPath') ||
      (imp.afterStopPath !== undefined && (typeof imp.afterStopPath !== 'string' || !imp.afterStopPath.startsWith('/'))))
  ) {
    fail('impersonation must be true, false or {afterStopPath: "/a/path"}');
  }
  const org = o.organizations;
  if (
    typeof org !== 'boolean' &&
    (org === null || typeof org !== 'object' || Array.isArray(org) || Object.keys(org).some((k) => !(k in ORGANIZATION_PATHS)) ||
      Object.values(org).some((p) => typeof p !== 'string' || !p.startsWith('/')))
  ) {
    fail('organizations must be true, false or {path?: "/a/path", invitationPath?: "/a/path"}');
  }
  if ((o.forgotPasswordPath === false) !== (o.resetPasswordPath === false)) {
    fail('forgotPasswordPath and resetPasswordPath go together: set both to false to leave the password reset pages out');
  }
  return o;
}

// The site's own copy of a package, so that a linked (file:) portcullis uses the site's React.
function sitePackage(siteDir, name) {
  try {
    return path.dirname(require.resolve(`${name}/package.json`, { paths: [siteDir] }));
  } catch {
    return null;
  }
}

function portcullisPlugin(context, options) {
  const o = validate(options);
  const { baseUrl, siteDir, siteConfig } = context;
  const join = (p) => (baseUrl.replace(/\/$/, '') + p).replace(/\/{2,}/g, '/');

  // The user menu in the navbar, unless the site placed it (or asked for none).
  const navbar = siteConfig.themeConfig?.navbar;
  if (o.navbarItem && navbar && Array.isArray(navbar.items) && !navbar.items.some((i) => i.type === NAVBAR_TYPE)) {
    navbar.items.push({ type: NAVBAR_TYPE, position: 'right', ...o.navbarItem });
  }

  return {
    name: PLUGIN_NAME,
    getThemePath() {
      return path.join(__dirname, 'theme');
    },
    getClientModules() {
      return [path.join(__dirname, '..', 'react', 'styles.css')];
    },
    async contentLoaded({ actions }) {
      const { serverURL, basePath, loginPath, signUpPath, forgotPasswordPath, resetPasswordPath, accountPath, changeEmail, changeEmailCode, twoFactor, username, usernamePolicy, protect, minPasswordScore, passwordPolicy, afterSignOutPath, impersonation, emailOtp, magicLink, passkey, passkeyAutofill, lastLoginMethod, organizations, apiKeys } = o;
      const organizationPaths = organizations === false ? null : { ...ORGANIZATION_PATHS, ...(organizations === true ? {} : organizations) };
      actions.setGlobalData({
        serverURL,
        basePath,
        loginPath,
        signUpPath,
        forgotPasswordPath,
        resetPasswordPath,
        accountPath,
        changeEmail,
        changeEmailCode,
        twoFactor,
        username,
        usernamePolicy: usernamePolicy ?? null,
        protect,
        minPasswordScore,
        passwordPolicy: passwordPolicy ?? null,
        afterSignOutPath: afterSignOutPath ?? null,
        impersonation: impersonation === false ? null : { afterStopPath: impersonation === true ? null : impersonation.afterStopPath ?? null },
        emailOtp: emailOtp === false ? null : { verification: emailOtp !== true && emailOtp.verification === true },
        magicLink,
        passkey,
        passkeyAutofill,
        lastLoginMethod,
        organizations: organizationPaths,
        apiKeys,
      });
      const page = (p, component) => p && actions.addRoute({ path: join(p), component: `@theme/${component}`, exact: true });
      page(loginPath, 'PortcullisLoginPage');
      page(signUpPath, 'PortcullisSignUpPage');
      page(forgotPasswordPath, 'PortcullisForgotPasswordPage');
      page(resetPasswordPath, 'PortcullisResetPasswordPage');
      page(accountPath, 'PortcullisAccountPage');
      if (organizationPaths) {
        page(organizationPaths.path, 'PortcullisOrganizationsPage');
        page(organizationPaths.invitationPath, 'PortcullisAcceptInvitationPage');
      }
    },
    configureWebpack() {
      const alias = {};
      for (const name of ['react', 'react-dom']) {
        const dir = sitePackage(siteDir, name);
        if (dir) alias[name] = dir;
      }
      return { resolve: { alias } };
    },
  };
}

module.exports = portcullisPlugin;
module.exports.default = portcullisPlugin;
module.exports.validateOptions = ({ options }) => {
  validate(options);
  return { ...(options ?? {}), id: options?.id ?? 'default' };
};
