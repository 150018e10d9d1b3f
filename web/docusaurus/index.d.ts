// Type declarations of `portcullis/docusaurus`, the Docusaurus 3 plugin.

export interface PortcullisPluginOptions {
  /** The auth server's origin ('/api/auth' is appended) or full API URL. Default: the site's origin. */
  serverURL?: string;
  /** Default '/api/auth'. */
  basePath?: string;
  /** The sign-in page's path. Default '/login'. */
  loginPath?: string;
  /** The sign-up page's path, or false for none. Default '/signup'. */
  signUpPath?: string | false;
  /** The "forgot your password?" page, linked from the sign-in page. Default '/forgot-password'; false (with resetPasswordPath) for none. */
  forgotPasswordPath?: string | false;
  /** The page where the mailed reset link leads. Default '/reset-password'; false together with forgotPasswordPath. */
  resetPasswordPath?: string | false;
  /** The account page (name, the username with `username`, address verification, password, signed-in devices, deletion), linked from the user menu. Default '/account'; false for none. */
  accountPath?: string | false;
  /** The account page offers a change of e-mail address: set it when the server has --change-email-enabled. Default false. */
  changeEmail?: boolean;
  /**
   * The account page offers a change of e-mail address made with codes instead of a link (with or
   * without `changeEmail`): set it when the server has --email-otp-change-email (which needs
   * --email-otp). The new address, the code mailed to the current one for a verified address,
   * then the code mailed to the new one, which changes it at once. Default false.
   */
  changeEmailCode?: boolean;
  /**
   * The account page offers two-step verification (an authenticator app, backup codes): set it when the server has --two-factor.
   * `{otp: true}`: also codes sent by e-mail, when the server has --two-factor-otp too. Default false.
   * (The sign-in page asks for the code, or mails it, whenever the server does.)
   */
  twoFactor?: boolean | { otp?: boolean };
  /**
   * Usernames: set it when the server has --username (BetterAuth's username plugin). The sign-up
   * page then has a "Username (optional)" field ('required': "Username", to be filled), checked as
   * it is typed and asked about once the typing pauses ("Username is available." or taken); the
   * sign-in page's first field is "E-mail or username"; the account page sets or changes the
   * username. Default false.
   */
  username?: boolean | 'required';
  /** The server's --min-username-length and --max-username-length, when not 3 and 30. */
  usernamePolicy?: { minLength?: number; maxLength?: number };
  /** Paths that need a session: prefixes ('/docs/private') or regular expressions ('^/docs/.+/internal'). */
  protect?: string[];
  /** The server's minimum strength score (its default is 2). */
  minPasswordScore?: 0 | 1 | 2 | 3 | 4;
  /** The server's length rules, when not the defaults. */
  passwordPolicy?: { minLength?: number; maxLength?: number; maxBytes?: number };
  /** The user menu's navbar item ({position: 'right'}), or false to place {type: 'custom-portcullisUserMenu'} yourself. */
  navbarItem?: { position?: 'left' | 'right'; className?: string } | false;
  /** Where "Sign out" goes; default: stay (a gated page then redirects to the login page). */
  afterSignOutPath?: string;
  /**
   * Codes sent by e-mail (the server's --email-otp, BetterAuth's emailOTP plugin): the login page
   * offers "E-mail me a sign-in code" (the address, then the mailed 6-digit code signs in), and the
   * forgotten-password page mails a code instead of a link (the code and the new password on the
   * page itself; the reset page is then unused). `{verification: true}`: the server has
   * --email-otp-verification too (it mails codes instead of verification links): after a sign-up
   * that needs the address verified, at a sign-in refused for it, and on the account page, the
   * pages ask for the code. Default false.
   */
  emailOtp?: boolean | { verification?: boolean };
  /**
   * Sign-in links sent by e-mail (the server's --magic-link, BetterAuth's magic-link plugin): the
   * login page offers "E-mail me a sign-in link" (with `emailOtp`, under its code). The link leads
   * back to the login page, which goes on to ?redirect= (or the home page) once signed in, asks for
   * the second factor when the server does (?twoFactorRedirect=true), or says why the link did not
   * work (?error=INVALID_TOKEN: expired or already used). The login page's origin must be among the
   * server's trusted origins; the session cookie set when the browser opens the link (on the
   * server's origin) must reach the site's fetches: the server on the site's own site (see the
   * README's cookies across origins). Default false.
   */
  magicLink?: boolean;
  /**
   * Passkeys (the server's --passkey, BetterAuth's passkey plugin): the login page offers "Sign in
   * with a passkey" (in browsers with WebAuthn; a user with the second factor on whose
   * authenticator did not verify them gets its step), and, in browsers that can, the site's
   * passkeys in its e-mail field's autofill (see `passkeyAutofill`); the account page lists the
   * user's passkeys, to add (with an optional name), rename and delete. The server's rp id
   * (--passkey-rp-id, default the host of its --base-url) must be the site's host or a domain it
   * is under (browsers refuse IP addresses), and the site's origin a trusted origin. Default false.
   */
  passkey?: boolean;
  /**
   * With `passkey`: the login page's first field offers the site's passkeys in its autofill
   * (`autocomplete="username webauthn"`, WebAuthn's conditional mediation; SignInForm's `passkey`),
   * where one picked signs in without a click. (An authenticator that answers such a request at
   * once, as Chromium's virtual one in tests does, signs in as soon as the page opens.) false: the
   * button only. Default true.
   */
  passkeyAutofill?: boolean;
  /**
   * The login page marks the way this browser signed in last with a "Last used" badge (the
   * password's button, the passkey's, the code's or the link's; SignInForm's `lastUsed`). Set it
   * when the server has --last-login-method, which sets the cookie it reads
   * (`better-auth.last_used_login_method`); the cookie is the server's host's, so the site must be
   * on the same host as the server (or behind it) for its pages to read it. Default false.
   */
  lastLoginMethod?: boolean;
  /**
   * Show the impersonation bar on every page while an administrator is signed in as a user (the
   * server's --admin-impersonation; the AdminUsers component starts it), with "Stop impersonating";
   * `afterStopPath` is where that leads (default: the page reloads). Default false.
   */
  impersonation?: boolean | { afterStopPath?: string };
  /**
   * Organizations (the server's --organization, BetterAuth's organization plugin): an
   * organizations page (`path`, default '/organizations'; the Organizations component: the user's
   * organizations, the active one marked and the others to switch to, the active one's members,
   * invitations, roles, removals, leaving and (owners) deleting it, as the user's role allows, and a
   * new one), linked from the user menu ("Organizations"), and the page an invitation's mailed
   * link leads to (`invitationPath`, default '/accept-invitation'; the AcceptInvitation component:
   * the organization, the inviter and the role, "Accept" and "Decline"; signed out, a link to the
   * login page that comes back). The page reads the invitation's id from `?id=`: run the server
   * with --organization-invitation-url "https://<the site>/accept-invitation?id={id}" (its default,
   * <its own origin>/accept-invitation/{id}, is neither the site's host nor its form). The server
   * wants the invited address verified first (--organization-require-email-verification); the
   * invitation page then shows the notice that verifies it. Signed out, the organizations page
   * sends to the login page and back. Default false.
   */
  organizations?: boolean | { path?: string; invitationPath?: string };
  /**
   * API keys (the server's --api-key, BetterAuth's API-key plugin): the account page shows the
   * user's keys (the ApiKeys component: each one's name, first characters, dates, "Disable" /
   * "Enable" and "Delete…"), and makes new ones (a name and an expiry: never, 30, 90 or 365 days),
   * each shown once with "Copy". A program sends its key in the server's --api-key-header
   * (x-api-key) to get-session, which answers the key's user. Default false.
   */
  apiKeys?: boolean;
}

declare function portcullisPlugin(context: unknown, options: PortcullisPluginOptions): unknown;
export default portcullisPlugin;
