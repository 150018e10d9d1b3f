// The /login route's page.
import React from 'react';
import PortcullisAuthPage from './PortcullisAuthPage.js';

export default function PortcullisLoginPage() {
  return React.createElement(PortcullisAuthPage, { kind: 'login' });
}
