// BetterAuth itself, for the tests that check Portcullis against it: its own browser client
// (npm better-auth, createAuthClient) as a page would hold it, and a BetterAuth server on a fresh
// PostgreSQL database of its own making.
import { execFileSync } from 'node:child_process';

import { betterAuth } from 'better-auth';
import { createAuthClient } from 'better-auth/client';
import { getMigrations } from 'better-auth/db/migration';
import pg from 'pg';

import { applySetCookies, cookieHeader, SECRET } from './server.mjs';

/** Runs one SQL statement with Debian's psql; returns its output, unaligned and trimmed. */
export const psql = (url, statement) =>
  execFileSync('psql', [url, '-qAtX', '-v', 'ON_ERROR_STOP=1', '-c', statement], { encoding: 'utf8' }).trim();

/**
 * Creates the database `name` on the PostgreSQL server of `adminUrl` (dropping any left over),
 * runs BetterAuth's own migrations on it with `plugins`, and returns {dbUrl, auth, drop}: its URL,
 * the BetterAuth instance (e-mail and password on, rate limits off, the tests' SECRET), and a
 * function that closes the pool and drops the database.
 */
export async function betterAuthOnPostgres(adminUrl, name, { plugins = [] } = {}) {
  const dbUrl = Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString();
  psql(adminUrl, `DROP DATABASE IF EXISTS ${name}`);
  psql(adminUrl, `CREATE DATABASE ${name}`);
  const pool = new pg.Pool({ connectionString: dbUrl });
  const options = {
    database: pool,
    secret: SECRET,
    baseURL: 'http://127.0.0.1:3000',
    emailAndPassword: { enabled: true },
    rateLimit: { enabled: false },
    plugins,
  };
  await (await getMigrations(options)).runMigrations();
  return {
    dbUrl,
    auth: betterAuth(options),
    async drop() {
      await pool.end();
      psql(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

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
