// The /account route's page: the signed-in user's name (and username, when the plugin's username
// is on), address (its verification, and its change when the plugin's changeEmail is on, or with
// codes when changeEmailCode is),
// password, two-step verification (when twoFactor is on; with
// {otp: true} also by codes sent by e-mail), passkeys (when passkey is on), API keys (when apiKeys
// is on), signed-in devices and the deletion of the account.
// Signed out, it sends to the login page and back.
import React from 'react';
import Layout from '@theme/Layout';
import { Redirect, useHistory, useLocation } from '@docusaurus/router';
import useDocusaurusContext from '@docusaurus/useDocusaurusContext';

import { ApiKeys, ChangeEmailForm, ChangePasswordForm, DeleteAccountForm, PasskeySettings, ProfileForm, SessionList, TwoFactorSettings, VerifyEmailNotice, useSession } from '../../react/index.js';
import { loginRedirect, siteURL, usePortcullisOptions } from './portcullis-options.js';

const h = React.createElement;

export default function PortcullisAccountPage() {
  const options = usePortcullisOptions();
  const { siteConfig } = useDocusaurusContext();
  const history = useHistory();
  const location = useLocation();
  const { status, user } = useSession();
  const deleted = React.useRef(false);
  const title = 'Account';
  // The verification link leads back here (the server adds ?error=CODE when it was bad).
  const here = () => siteURL(siteConfig.baseUrl, options.accountPath);
  const linkError = new URLSearchParams(location.search).get('error');
  let body;
  if (status === 'unauthenticated' && !deleted.current) {
    body = h(Redirect, { to: loginRedirect(siteConfig.baseUrl, options.loginPath, location) });
  } else if (status !== 'authenticated') {
    body = h('div', { className: 'pc-gate', 'aria-busy': 'true' });
  } else {
    body = h(
      React.Fragment,
      null,
      h(
        'div',
        { className: 'pc-account__head' },
        h('h1', null, title),
        h('p', { className: 'pc-account__who' }, 'Signed in as ', h('strong', null, user.email)),
        linkError ? h('div', { className: 'pc-alert', role: 'alert' }, 'This link is invalid or has expired.') : null,
      ),
      h(VerifyEmailNotice, { callbackURL: here, verificationCode: options.emailOtp?.verification === true }),
      h(ProfileForm, { title: 'Profile', username: Boolean(options.username), usernamePolicy: options.usernamePolicy ?? undefined }),
      options.changeEmail || options.changeEmailCode ? h(ChangeEmailForm, { title: 'E-mail address', callbackURL: here, code: options.changeEmailCode === true }) : null,
      h(ChangePasswordForm, { title: 'Password', minScore: options.minPasswordScore, passwordPolicy: options.passwordPolicy ?? undefined }),
      options.twoFactor ? h(TwoFactorSettings, { title: 'Two-step verification', issuer: siteConfig.title, otp: options.twoFactor.otp === true }) : null,
      options.passkey ? h(PasskeySettings, { title: 'Passkeys' }) : null,
      options.apiKeys ? h(ApiKeys, { title: 'API keys' }) : null,
      h(SessionList, { title: 'Signed-in devices' }),
      h(DeleteAccountForm, {
        title: 'Delete the account',
        onSuccess: () => {
          deleted.current = true;
          history.replace(siteConfig.baseUrl);
        },
      }),
    );
  }
  return h(Layout, { title }, h('main', { className: 'container margin-vert--xl pc-page pc-account' }, body));
}
