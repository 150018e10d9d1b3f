// The navbar item (type 'custom-portcullisUserMenu'): the user's menu ("Account", and
// "Organizations" with the plugin's organizations option), or "Sign in" / "Sign up".
import React from 'react';
import Link from '@docusaurus/Link';
import { useHistory } from '@docusaurus/router';

import { UserMenu } from '../../react/index.js';
import { usePortcullisOptions } from './portcullis-options.js';

export default function PortcullisNavbarItem({ mobile, className = '' }) {
  const { loginPath, signUpPath, accountPath, afterSignOutPath, organizations } = usePortcullisOptions();
  const history = useHistory();
  const classes = mobile ? `menu__list-item pc-usermenu--mobile ${className}` : `navbar__item ${className}`;
  return React.createElement(UserMenu, {
    link: Link,
    loginHref: loginPath,
    signUpHref: signUpPath || undefined,
    accountHref: accountPath || undefined,
    organizationsHref: organizations?.path,
    className: classes.trim(),
    onSignOut: afterSignOutPath ? () => history.push(afterSignOutPath) : undefined,
  });
}
