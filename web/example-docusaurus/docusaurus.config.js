// The example site: Docusaurus 3 with the local portcullis package.
//
// PORTCULLIS_SERVER_URL: the auth server (default http://localhost:4000); it must list this site's
// origin in its trusted origins. EXAMPLE_BUNDLER=webpack builds with webpack instead of Rspack.
// EXAMPLE_EMAIL_OTP_VERIFICATION=1: for a server that also has --email-otp-verification (codes
// instead of verification links; the end-to-end tests build the site so for such a server).
import { themes as prismThemes } from 'prism-react-renderer';

const serverURL = process.env.PORTCULLIS_SERVER_URL ?? 'http://localhost:4000';

/** @type {import('@docusaurus/types').Config} */
const config = {
  title: 'Portcullis example',
  tagline: 'Sign-up, sign-in and gated docs on a Docusaurus site',
  favicon: 'img/favicon.svg',
  future: {
    v4: true,
    ...(process.env.EXAMPLE_BUNDLER === 'webpack' ? { faster: false } : {}),
  },
  url: 'http://localhost:3000',
  baseUrl: '/',
  onBrokenLinks: 'throw',
  i18n: { defaultLocale: 'en', locales: ['en'] },

  presets: [
    [
      'classic',
      /** @type {import('@docusaurus/preset-classic').Options} */
      ({
        docs: { sidebarPath: './sidebars.js' },
        blog: false,
        theme: { customCss: './src/css/custom.css' },
      }),
    ],
  ],

  plugins: [
    [
      'portcullis/docusaurus',
      {
        serverURL,
        protect: ['/docs/private'],
        changeEmail: true, // the server runs with --change-email-enabled (run.sh, and the e2e tests)
        twoFactor: { otp: true }, // and with --two-factor and --two-factor-otp (codes by e-mail too)
        username: true, // and with --username: a username at sign-up (optional), sign-in by it, and on the account page
        // and with --email-otp: "E-mail me a sign-in code", and a code instead of a reset link
        emailOtp: process.env.EXAMPLE_EMAIL_OTP_VERIFICATION === '1' ? { verification: true } : true,
        // and with --magic-link: "E-mail me a sign-in link", which leads back to the login page
        magicLink: true,
        // and with --passkey: "Sign in with a passkey", and the passkeys on the account page (the
        // server's rp id is the site's host: localhost, its --base-url's)
        passkey: true,
        // and with --last-login-method: "Last used" beside the way this browser signed in last
        // (the server's cookie: read where the site shares the server's host, as localhost here)
        lastLoginMethod: true,
        // and with --admin: src/pages/admin.js is the users' page, for administrators; with
        // --admin-impersonation, every page shows the bar that ends an impersonation
        impersonation: { afterStopPath: '/admin' },
        // and with --organization: /organizations (linked from the user menu) and
        // /accept-invitation, where the mailed invitations lead (--organization-invitation-url)
        organizations: true,
        // and with --api-key: the user's API keys on the account page (made, shown once, disabled, deleted)
        apiKeys: true,
      },
    ],
  ],

  themeConfig:
    /** @type {import('@docusaurus/preset-classic').ThemeConfig} */
    ({
      colorMode: { respectPrefersColorScheme: true },
      navbar: {
        title: 'Portcullis example',
        items: [
          { type: 'docSidebar', sidebarId: 'docs', position: 'left', label: 'Docs' },
          { to: '/docs/private/handbook', label: 'Members', position: 'left' },
          { to: '/admin', label: 'Admin', position: 'left' },
        ],
      },
      footer: {
        style: 'dark',
        copyright: 'Portcullis example site. Built with Docusaurus.',
      },
      prism: { theme: prismThemes.github, darkTheme: prismThemes.dracula },
    }),
};

export default config;
