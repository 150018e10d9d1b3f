import React from 'react';
import Layout from '@theme/Layout';
import Link from '@docusaurus/Link';

const h = React.createElement;

export default function Home() {
  return h(
    Layout,
    { title: 'Home', description: 'Portcullis on Docusaurus' },
    h(
      'main',
      { className: 'container margin-vert--xl' },
      h('h1', null, 'Portcullis on Docusaurus'),
      h('p', null, 'A public home page, public docs, and a members-only page.'),
      h(
        'div',
        { className: 'margin-top--md' },
        h(Link, { className: 'button button--primary margin-right--sm', to: '/signup' }, 'Create an account'),
        h(Link, { className: 'button button--secondary margin-right--sm', to: '/login' }, 'Sign in'),
        h(Link, { className: 'button button--link', to: '/docs/intro' }, 'Read the docs'),
      ),
    ),
  );
}
