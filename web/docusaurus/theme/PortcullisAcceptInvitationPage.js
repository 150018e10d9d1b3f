// The /accept-invitation route's page (the plugin's organizations option), where an invitation's
// mailed link leads (the server's --organization-invitation-url, e.g.
// "https://docs.example.com/accept-invitation?id={id}"): the organization, the inviter and the
// role, with "Accept" and "Decline" (the AcceptInvitation component); signed out, a link to the
// login page that comes back here. While the user's address is not verified (the server wants it
// verified first), the notice that verifies it is above.
import React from 'react';
import Layout from '@theme/Layout';
import Link from '@docusaurus/Link';
import { useLocation } from '@docusaurus/router';
import useDocusaurusContext from '@docusaurus/useDocusaurusContext';
import useIsBrowser from '@docusaurus/useIsBrowser';

import { AcceptInvitation, VerifyEmailNotice } from '../../react/index.js';
import { loginRedirect, usePortcullisOptions } from './portcullis-options.js';

const h = React.createElement;

export default function PortcullisAcceptInvitationPage() {
  const options = usePortcullisOptions();
  const { siteConfig } = useDocusaurusContext();
  const location = useLocation();
  // The id is in the query, which the pre-rendered HTML does not have: the page waits for the browser.
  const isBrowser = useIsBrowser();
  const title = 'Invitation';
  const body = isBrowser
    ? h(
        React.Fragment,
        null,
        // The verification link leads back here, to the same invitation.
        h(VerifyEmailNotice, { callbackURL: () => window.location.href, verificationCode: options.emailOtp?.verification === true }),
        h(AcceptInvitation, {
          title,
          invitationId: new URLSearchParams(location.search).get('id'),
          loginHref: loginRedirect(siteConfig.baseUrl, options.loginPath, location),
          organizationsHref: options.organizations?.path,
          link: Link,
        }),
      )
    : h('div', { className: 'pc-form', 'aria-busy': 'true' });
  return h(Layout, { title }, h('main', { className: 'container margin-vert--xl pc-page' }, body));
}
