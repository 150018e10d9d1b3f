// The /forgot-password route's page: the e-mail address, then the server mails a link to the
// reset page (/reset-password on this site); with the plugin's emailOtp (the server's --email-otp),
// a code instead, which the page takes with the new password.
import React from 'react';
import Layout from '@theme/Layout';
import Link from '@docusaurus/Link';
import useDocusaurusContext from '@docusaurus/useDocusaurusContext';

import { ForgotPasswordForm } from '../../react/index.js';
import { siteURL, usePortcullisOptions } from './portcullis-options.js';

const h = React.createElement;

export default function PortcullisForgotPasswordPage() {
  const options = usePortcullisOptions();
  const { siteConfig } = useDocusaurusContext();
  const title = 'Reset your password';
  // Made when the form is sent, in the browser.
  const redirectTo = () => siteURL(siteConfig.baseUrl, options.resetPasswordPath);
  const footer = h('span', null, 'Remembered it? ', h(Link, { to: options.loginPath }, 'Sign in'));
  const form = options.emailOtp
    ? h(ForgotPasswordForm, { title, emailCode: true, minScore: options.minPasswordScore, passwordPolicy: options.passwordPolicy ?? undefined, footer })
    : h(ForgotPasswordForm, { title, redirectTo, footer });
  return h(Layout, { title }, h('main', { className: 'container margin-vert--xl pc-page' }, form));
}
