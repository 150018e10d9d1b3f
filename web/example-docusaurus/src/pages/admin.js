// /admin: the users, for an administrator (the server runs with --admin and
// --admin-impersonation; run.sh and the end-to-end tests start it so). A user who is not an
// administrator sees so; a visitor, a link to sign in that brings them back here. The first
// administrator is made with the command line (see docs/administration.md). "Sign in as this
// user" opens the user's account page as they see it; the bar at the top of every page
// (src/theme/Root.js) stops it.
import React from 'react';
import Layout from '@theme/Layout';
import Link from '@docusaurus/Link';
import useBaseUrl from '@docusaurus/useBaseUrl';
import { AdminUsers, useSession } from 'portcullis/react';

const h = React.createElement;

export default function AdminPage() {
  const { client } = useSession();
  const accountPath = useBaseUrl('/account');
  return h(
    Layout,
    { title: 'Administration', description: 'The users of the site, for its administrators' },
    h(
      'main',
      { className: 'container margin-vert--xl pc-page' },
      h('h1', null, 'Administration'),
      h(AdminUsers, {
        client,
        title: 'Users',
        link: Link,
        loginHref: `/login?redirect=${encodeURIComponent('/admin')}`,
        impersonation: true,
        afterImpersonateHref: accountPath,
      }),
    ),
  );
}
