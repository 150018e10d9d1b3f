// BetterAuth's own browser client (npm better-auth, createAuthClient) as a page would hold it:
// its own cookie jar, and the page's Origin on every request.
import { createAuthClient } from 'better-auth/client';

import { applySetCookies, cookieHeader } from './server.mjs';

/** Returns {client, jar}: BetterAuth's client for a page on `baseURL`'s origin, with `plugins`. */
export function browserClient(baseURL, { plugins = [] } = {}) {
  const jar = new Map();
  const client = createAuthClient({
    baseURL,
    plugins,
    fetchOptions: {
      onRequest(ctx) {
        if (jar.size) ctx.headers.set('cookie', cookieHeader(jar));
        ctx.headers.set('origin', new URL(baseURL).origin);
        return ctx;
      },
      onResponse(ctx) {
        applySetCookies(jar, ctx.response.headers.getSetCookie());
      },
    },
  });
  return { client, jar };
}
