// BetterAuth itself, for the tests that check Portcullis against it: its own browser client
// (npm better-auth, createAuthClient) as a page would hold it, and a BetterAuth server on a fresh
// PostgreSQL database of its own making, or on a SQLite file Portcullis made, served over HTTP.
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';

import { betterAuth } from 'better-auth';
import { createAuthClient } from 'better-auth/client';
import { getMigrations } from 'better-auth/db/migration';
import { toNodeHandler } from 'better-auth/node';
import pg from 'pg';

import { applySetCookies, cookieHeader, SECRET } from './server.mjs';

/** Runs one SQL statement with Debian's psql; returns its output, unaligned and trimmed. */
export const psql = (url, statement) =>
  execFileSync('psql', [url, '-qAtX', '-v', 'ON_ERROR_STOP=1', '-c', statement], { encoding: 'utf8' }).trim();

/**
 * Creates the database `name` on the PostgreSQL server of `adminUrl` (dropping any left over),
 * runs BetterAuth's own migrations on it with `plugins`, and returns {dbUrl, auth, drop}: its URL,
 * the BetterAuth instance (e-mail and password on, rate limits off, the tests' SECRET), and a
 * function that closes the pool and drops the database. `options` (e.g. baseURL, trustedOrigins)
 * are merged into BetterAuth's.
 */
export async function betterAuthOnPostgres(adminUrl, name, { plugins = [], options: extra = {} } = {}) {
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
    ...extra,
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

// ---- BetterAuth on a SQLite file ---------------------------------------------------------------

/** A value as an SQLite literal. */
function sqliteLiteral(value) {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'bigint') return String(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot write ${value} to SQLite`);
    return String(value);
  }
  if (value instanceof Date) return sqliteLiteral(value.toISOString());
  if (value instanceof Uint8Array) return `X'${Buffer.from(value).toString('hex')}'`;
  return `'${String(value).replaceAll("'", "''")}'`;
}

/** `sql` with each `?` outside quotes replaced by the next parameter, as a literal. */
function bindSqlite(sql, parameters) {
  let out = '';
  let quote = null;
  let next = 0;
  for (const c of sql) {
    if (quote) {
      if (c === quote) quote = null;
      out += c;
    } else if (c === "'" || c === '"' || c === '`') {
      quote = c;
      out += c;
    } else if (c === '?') {
      if (next >= parameters.length) throw new Error(`too few parameters for: ${sql}`);
      out += sqliteLiteral(parameters[next++]);
    } else {
      out += c;
    }
  }
  if (next !== parameters.length) throw new Error(`too many parameters for: ${sql}`);
  return out;
}

/**
 * A SQLite file as BetterAuth's Kysely adapter takes a better-sqlite3 database: Node.js 20 has no
 * SQLite of its own (node:sqlite came with 22) and the project no native SQLite module, so each
 * statement runs in Debian's sqlite3, one process per statement, its parameters written in as
 * literals; it waits up to 5 s for Portcullis's locks. Each statement commits by itself (BEGIN,
 * COMMIT and ROLLBACK do nothing): enough for the few requests of a test, not a database driver.
 */
export function sqliteCli(file) {
  const run = (sql) => {
    const out = execFileSync('sqlite3', ['-json', '-bail', '-cmd', '.timeout 5000', file], { input: `${sql};\n`, encoding: 'utf8' }).trim();
    return out ? JSON.parse(out) : [];
  };
  return {
    // (What the adapter looks for to take this for a better-sqlite3 database; never called.)
    aggregate() {
      throw new Error('not supported');
    },
    close() {},
    prepare(sql) {
      if (/^\s*(begin|commit|rollback|savepoint|release)\b/i.test(sql)) {
        return { reader: false, run: () => ({ changes: 0, lastInsertRowid: 0 }), all: () => [] };
      }
      const reader = /^\s*(select|with|pragma|values)\b/i.test(sql) || /\breturning\b/i.test(sql);
      return {
        reader,
        all: (parameters = []) => run(bindSqlite(sql, parameters)),
        iterate: (parameters = []) => run(bindSqlite(sql, parameters))[Symbol.iterator](),
        run(parameters = []) {
          const rows = run(`${bindSqlite(sql, parameters)};\nSELECT changes() AS changes, last_insert_rowid() AS id`);
          const last = rows.at(-1) ?? { changes: 0, id: 0 };
          return { changes: last.changes, lastInsertRowid: last.id };
        },
      };
    },
  };
}

/**
 * BetterAuth on the SQLite file `file` (tables made by someone else: Portcullis), with `plugins`,
 * the tests' SECRET, e-mail and password on, rate limits off, and `options` merged in.
 */
export function betterAuthOnSqlite(file, { plugins = [], options = {} } = {}) {
  return betterAuth({
    database: sqliteCli(file),
    secret: SECRET,
    baseURL: 'http://127.0.0.1:3000',
    emailAndPassword: { enabled: true },
    rateLimit: { enabled: false },
    plugins,
    ...options,
  });
}

/**
 * Serves a BetterAuth instance over HTTP on a free port of 127.0.0.1 (BetterAuth's node handler),
 * so that a Browser talks to it as to Portcullis. Resolves to {url, api, close()}.
 */
export async function serveBetterAuth(auth) {
  const server = createServer(toNodeHandler(auth));
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    api: `${url}/api/auth`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
