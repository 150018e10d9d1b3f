// The login and sign-up pages: the form in the site's layout; once signed in, back to ?redirect=
// (a path on this site) or to the home page.
import React from 'react';
import Layout from '@theme/Layout';
import Link from '@docusaurus/Link';
import { useHistory, useLocation } from '@docusaurus/router';
import useDocusaurusContext from '@docusaurus/useDocusaurusContext';

import { SignInForm, SignUpForm, useSession } from '../../react/index.js';
import { safeRedirect, usePortcullisOptions } from './portcullis-options.js';

const h = React.createElement;

export default function PortcullisAuthPage({ kind }) {
  const options = usePortcullisOptions();
  const { siteConfig } = useDocusaurusContext();
  const history = useHistory();
  const location = useLocation();
  const { status, refetch } = useSession();
  const redirectParam = new URLSearchParams(location.search).get('redirect');
  const target = safeRedirect(redirectParam, siteConfig.baseUrl);

  React.useEffect(() => {
    if (status === 'authenticated') history.replace(target);
  }, [status]); // eslint-disable-line react-hooks/exhaustive-deps

  const onSuccess = async () => {
    await refetch();
    history.replace(target);
  };
  const keep = redirectParam ? `?redirect=${encodeURIComponent(target)}` : '';
  const link = (to, question, label) => h('span', null, `${question} `, h(Link, { to: to + keep }, label));
  const passwordPolicy = options.passwordPolicy ?? undefined;
  const title = kind === 'signup' ? 'Create an account' : 'Sign in';
  const form =
    kind === 'signup'
      ? h(SignUpForm, { title, onSuccess, minScore: options.minPasswordScore, passwordPolicy, footer: link(options.loginPath, 'Already have an account?', 'Sign in') })
      : h(SignInForm, {
          title,
          onSuccess,
          passwordPolicy,
          forgotPasswordHref: options.forgotPasswordPath || undefined,
          link: Link,
          footer: options.signUpPath ? link(options.signUpPath, 'No account yet?', 'Create one') : null,
        });
  return h(Layout, { title }, h('main', { className: 'container margin-vert--xl pc-page' }, form));
}
