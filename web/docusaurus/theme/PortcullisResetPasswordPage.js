// The /reset-password route's page, where the mailed link leads (?token=, or ?error= when the
// link was wrong or expired): the new password, then a link to sign in.
import React from 'react';
import Layout from '@theme/Layout';
import Link from '@docusaurus/Link';
import { useHistory, useLocation } from '@docusaurus/router';
import useIsBrowser from '@docusaurus/useIsBrowser';

import { ResetPasswordForm } from '../../react/index.js';
import { usePortcullisOptions } from './portcullis-options.js';

const h = React.createElement;

export default function PortcullisResetPasswordPage() {
  const options = usePortcullisOptions();
  const location = useLocation();
  const history = useHistory();
  // The token is in the query, which the pre-rendered HTML does not have: the form waits for the
  // browser. It is kept here and taken out of the address bar (and so out of the history).
  const isBrowser = useIsBrowser();
  const [link] = React.useState(() => {
    const query = new URLSearchParams(location.search);
    return { token: query.get('token'), error: query.get('error') };
  });
  React.useEffect(() => {
    if (location.search) history.replace(location.pathname);
  }, []); // eslint-disable-line react-hooks/exhaustive-deps
  const title = 'Choose a new password';
  const form = isBrowser
    ? h(ResetPasswordForm, {
        title,
        token: link.token,
        error: link.error,
        minScore: options.minPasswordScore,
        passwordPolicy: options.passwordPolicy ?? undefined,
        footer: h(Link, { to: options.loginPath }, 'Sign in'),
        invalidFooter: h(Link, { to: options.forgotPasswordPath }, 'Send a new link'),
      })
    : h('div', { className: 'pc-form', 'aria-busy': 'true' });
  return h(Layout, { title }, h('main', { className: 'container margin-vert--xl pc-page' }, form));
}
