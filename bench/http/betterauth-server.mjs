// BetterAuth's server for the HTTP benchmark: better-auth (the version pinned in
// bench/http/package.json) with e-mail/password enabled, on Node's http server through
// `toNodeHandler`, nothing else configured but what a benchmark needs:
//   - rateLimit disabled (Portcullis runs with --rate-limit false too);
//   - the database: SQLite through better-sqlite3 (a file, WAL as Portcullis uses), or PostgreSQL
//     through pg (a Pool of 10, pg's default);
//   - schema made by better-auth's own getMigrations() before listening.
// BetterAuth hashes with node:crypto scrypt (N=16384, r=16, p=1) on libuv's thread pool
// (UV_THREADPOOL_SIZE, 4 by default).
//
//   node betterauth-server.mjs --port P (--sqlite FILE | --pg URL) [--base-url URL]
//
// BETTER_AUTH_SECRET comes from the environment. Prints one JSON line {"msg":"listening",...}
// on stdout when it accepts connections.
import { createServer } from 'node:http';

import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { toNodeHandler } from 'better-auth/node';

const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const port = Number(arg('--port') ?? 3100);
const baseURL = arg('--base-url') ?? `http://127.0.0.1:${port}`;

let database;
let close = async () => {};
if (arg('--sqlite')) {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(arg('--sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  database = db;
  close = async () => db.close();
} else if (arg('--pg')) {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: arg('--pg') });
  database = pool;
  close = () => pool.end();
} else {
  throw new Error('--sqlite FILE or --pg URL');
}

const options = {
  baseURL,
  secret: process.env.BETTER_AUTH_SECRET,
  database,
  emailAndPassword: { enabled: true },
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
};

const { runMigrations } = await getMigrations(options);
await runMigrations();

const auth = betterAuth(options);
const server = createServer(toNodeHandler(auth));
server.keepAliveTimeout = 5000;
server.listen(port, '127.0.0.1', () => {
  console.log(JSON.stringify({ msg: 'listening', url: baseURL, pid: process.pid }));
});

const stop = () => {
  server.close(async () => {
    await close();
    process.exit(0);
  });
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
