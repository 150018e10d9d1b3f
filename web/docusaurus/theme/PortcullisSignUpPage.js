// The /signup route's page.
import React from 'react';
import PortcullisAuthPage from './PortcullisAuthPage.js';

export default function PortcullisSignUpPage() {
  return React.createElement(PortcullisAuthPage, { kind: 'signup' });
}
