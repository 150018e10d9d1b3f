// Wraps the whole site: the session provider, and the gate of the protected paths.
import React from 'react';
import { Redirect, useLocation } from '@docusaurus/router';
import useDocusaurusContext from '@docusaurus/useDocusaurusContext';

import { AuthProvider, ImpersonationBanner, useSession } from '../../react/index.js';
import { isProtected, loginRedirect, sitePath, usePortcullisOptions } from './portcullis-options.js';

const h = React.createElement;

function Gate({ children }) {
  const { protect, loginPath } = usePortcullisOptions();
  const { siteConfig } = useDocusaurusContext();
  const location = useLocation();
  const { status } = useSession();
  if (!protect.length || !isProtected(location.pathname, protect, siteConfig.baseUrl)) return children;
  if (status === 'authenticated') return children;
  if (status === 'loading') {
    return h('div', { className: 'pc-gate', 'data-testid': 'pc-gate', 'aria-busy': 'true' });
  }
  return h(Redirect, { to: loginRedirect(siteConfig.baseUrl, loginPath, location) });
}

export default function Root({ children }) {
  const { serverURL, basePath, impersonation } = usePortcullisOptions();
  const { siteConfig } = useDocusaurusContext();
  // Outside the gate: shown at once, on protected pages too.
  const banner =
    impersonation &&
    h(ImpersonationBanner, {
      afterStopHref: impersonation.afterStopPath ? sitePath(siteConfig.baseUrl, impersonation.afterStopPath) : undefined,
    });
  return h(AuthProvider, { baseURL: serverURL ?? undefined, basePath }, banner, h(Gate, null, children));
}
