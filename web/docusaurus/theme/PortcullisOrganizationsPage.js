// The /organizations route's page (the plugin's organizations option; the server's
// --organization): the signed-in user's organizations, the active one's members and invitations,
// and a new one (the Organizations component). Signed out, it sends to the login page and back.
import React from 'react';
import Layout from '@theme/Layout';
import Link from '@docusaurus/Link';
import { Redirect, useLocation } from '@docusaurus/router';
import useDocusaurusContext from '@docusaurus/useDocusaurusContext';

import { Organizations, useSession } from '../../react/index.js';
import { loginRedirect, usePortcullisOptions } from './portcullis-options.js';

const h = React.createElement;

export default function PortcullisOrganizationsPage() {
  const options = usePortcullisOptions();
  const { siteConfig } = useDocusaurusContext();
  const location = useLocation();
  const { status } = useSession();
  const title = 'Organizations';
  let body;
  if (status === 'unauthenticated') {
    body = h(Redirect, { to: loginRedirect(siteConfig.baseUrl, options.loginPath, location) });
  } else if (status !== 'authenticated') {
    body = h('div', { className: 'pc-gate', 'aria-busy': 'true' });
  } else {
    body = h(
      React.Fragment,
      null,
      h('div', { className: 'pc-orgs__head' }, h('h1', null, title)),
      h(Organizations, { link: Link, loginHref: loginRedirect(siteConfig.baseUrl, options.loginPath, location) }),
    );
  }
  return h(Layout, { title }, h('main', { className: 'container margin-vert--xl pc-page pc-organizations' }, body));
}
