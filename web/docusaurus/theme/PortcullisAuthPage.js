// The login and sign-up pages: the form in the site's layout; once signed in, back to ?redirect=
// (a path on this site) or to the home page. With the plugin's magicLink, the mailed sign-in links
// lead back to the login page, which finishes them.
import React from 'react';
import Layout from '@theme/Layout';
import Link from '@docusaurus/Link';
import { useHistory, useLocation } from '@docusaurus/router';
import useDocusaurusContext from '@docusaurus/useDocusaurusContext';
import useIsBrowser from '@docusaurus/useIsBrowser';

import { SignInForm, SignUpForm, useSession } from '../../react/index.js';
import { safeRedirect, siteURL, usePortcullisOptions } from './portcullis-options.js';

const h = React.createElement;

export default function PortcullisAuthPage({ kind }) {
  const options = usePortcullisOptions();
  const { siteConfig } = useDocusaurusContext();
  const history = useHistory();
  const location = useLocation();
  const { status, refetch } = useSession();
  const query = new URLSearchParams(location.search);
  const redirectParam = query.get('redirect');
  const target = safeRedirect(redirectParam, siteConfig.baseUrl);
  // The mailed verification links lead back here (?verified=1; the server adds &error=CODE when
  // the link was wrong or expired), keeping ?redirect=.
  const verifyURL = () => {
    const back = new URLSearchParams({ verified: '1' });
    if (redirectParam) back.set('redirect', target);
    return `${siteURL(siteConfig.baseUrl, options.loginPath)}?${back}`;
  };
  const notice = query.get('verified')
    ? query.get('error')
      ? 'This verification link is invalid or has expired. Sign in to get a new one.'
      : 'Your e-mail address is verified. You can sign in.'
    : null;

  // The server's --magic-link: a sign-in link leads back here (keeping ?redirect=): signed in, on
  // to the target (below); with ?twoFactorRedirect=true (no session yet: the server set the
  // two_factor cookie), the second factor's step; with ?error=CODE, why it did not sign in. Both are
  // read once, in the browser (the pre-rendered page has no query), and taken out of the address
  // bar (a reload then shows the plain form).
  const magicLink = kind !== 'signup' && options.magicLink === true;
  const isBrowser = useIsBrowser();
  const [linkReturn] = React.useState(() => ({
    twoFactor: magicLink && query.get('twoFactorRedirect') === 'true',
    error: magicLink && !query.get('verified') ? query.get('error') : null,
  }));
  React.useEffect(() => {
    if (!linkReturn.twoFactor && !linkReturn.error) return;
    const rest = new URLSearchParams(location.search);
    rest.delete('twoFactorRedirect');
    rest.delete('error');
    history.replace(location.pathname + ([...rest].length ? `?${rest}` : '') + location.hash);
  }, []); // eslint-disable-line react-hooks/exhaustive-deps
  const linkURL = () => {
    const back = new URLSearchParams();
    if (redirectParam) back.set('redirect', target);
    return siteURL(siteConfig.baseUrl, options.loginPath) + ([...back].length ? `?${back}` : '');
  };
  // The second factor's methods are not in the link's redirect: the app's (and backup codes), and
  // codes by e-mail when the site offers them.
  const twoFactorMethods = options.twoFactor && options.twoFactor.otp ? ['totp', 'otp'] : ['totp'];

  React.useEffect(() => {
    if (status === 'authenticated') history.replace(target);
  }, [status]); // eslint-disable-line react-hooks/exhaustive-deps

  const onSuccess = async (value) => {
    if (value?.token === null) return; // signed up, not signed in: the form says a link was mailed
    await refetch();
    history.replace(target);
  };
  const keep = redirectParam ? `?redirect=${encodeURIComponent(target)}` : '';
  const link = (to, question, label) => h('span', null, `${question} `, h(Link, { to: to + keep }, label));
  const passwordPolicy = options.passwordPolicy ?? undefined;
  // The server's --username: a username at sign-up, "E-mail or username" at sign-in.
  const usernamePolicy = options.usernamePolicy ?? undefined;
  // The server's --email-otp: sign-in by a mailed code; with --email-otp-verification, the
  // address verified by a code instead of a link.
  const emailOtp = options.emailOtp ?? null;
  const verificationCode = emailOtp?.verification === true;
  const title = kind === 'signup' ? 'Create an account' : 'Sign in';
  const form =
    kind === 'signup'
      ? h(SignUpForm, { title, onSuccess, callbackURL: verifyURL, minScore: options.minPasswordScore, passwordPolicy, username: options.username ?? false, usernamePolicy, verificationCode, footer: link(options.loginPath, 'Already have an account?', 'Sign in') })
      : h(SignInForm, {
          title,
          onSuccess,
          passwordPolicy,
          username: Boolean(options.username),
          usernamePolicy,
          askRememberMe: true,
          emailCode: Boolean(emailOtp),
          verificationCode,
          emailLink: magicLink ? { callbackURL: linkURL, errorCallbackURL: linkURL } : false,
          twoFactorRedirect: isBrowser && linkReturn.twoFactor ? twoFactorMethods : false,
          // The server's --passkey: the button, and (unless passkeyAutofill is false) the field's autofill.
          passkey: options.passkey === true ? (options.passkeyAutofill === false ? { autoFill: false } : true) : false,
          linkError: isBrowser ? linkReturn.error : null,
          // The server's --last-login-method: "Last used" beside the way this browser signed in last.
          lastUsed: options.lastLoginMethod === true,
          callbackURL: verifyURL,
          notice,
          forgotPasswordHref: options.forgotPasswordPath || undefined,
          link: Link,
          footer: options.signUpPath ? link(options.signUpPath, 'No account yet?', 'Create one') : null,
        });
  return h(Layout, { title }, h('main', { className: 'container margin-vert--xl pc-page' }, form));
}
