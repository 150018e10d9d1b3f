// The server on PostgreSQL (--database postgres://...), as a deployment with several replicas runs
// it: two servers on one database share users and sessions, and a session signed out on one is
// refused by the other at once, although that one's get-session cache (an hour here) still held
// it: PostgreSQL's LISTEN/NOTIFY tells it. Needs PORTCULLIS_TEST_POSTGRES (scripts/test.sh starts
// a server and sets it); each run gets a database of its own.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';

import { BIN, Browser, SECRET, startServer, waitFor } from '../support/server.mjs';

const ADMIN_URL = process.env.PORTCULLIS_TEST_POSTGRES;
const PASSWORD = 'correct-horse-battery';

function psql(url, statement) {
  return execFileSync('psql', [url, '-qAtX', '-v', 'ON_ERROR_STOP=1', '-c', statement], { encoding: 'utf8' }).trim();
}

// The admin URL with another database name (and, optionally, a password in it).
function databaseUrl(name, password) {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  if (password) u.password = password;
  return u.toString();
}

describe('two replicas on one PostgreSQL database', { skip: !ADMIN_URL && 'PORTCULLIS_TEST_POSTGRES is not set' }, () => {
  const name = `pc_server_${process.pid}`;
  let a;
  let b;
  before(async () => {
    psql(ADMIN_URL, `DROP DATABASE IF EXISTS ${name}`);
    psql(ADMIN_URL, `CREATE DATABASE ${name}`);
    // The loopback test server trusts every connection, so the password is there only to be hidden.
    const url = databaseUrl(name, 'not-for-logs');
    // rateLimitStorage database: the per-account sign-in throttle counts across both.
    const config = { database: url, sessionCacheTtl: 3600, rateLimitStorage: 'database', accountMaxFailures: 3 };
    a = await startServer(config);
    b = await startServer(config);
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    psql(ADMIN_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  test('[ASVS 2.10.3] the startup line names the database without its password', () => {
    const listening = JSON.parse(a.logs[0]);
    assert.equal(listening.database, databaseUrl(name, '***').replace('%2A%2A%2A', '***'));
    assert.doesNotMatch(a.logs.join('\n') + a.stderr, /not-for-logs/);
  });

  test('signed up on one, signed in on the other: both know the user and the session', async () => {
    const email = 'replicas@example.com';
    const onA = new Browser(a.api);
    const up = await onA.post('/sign-up/email', { name: 'Ada', email, password: PASSWORD });
    assert.equal(up.status, 200);
    const onB = new Browser(b.api);
    const dup = await onB.post('/sign-up/email', { name: 'Ada', email, password: PASSWORD });
    assert.equal(dup.status, 422);
    assert.equal(dup.body.code, 'USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL');
    assert.equal((await onB.post('/sign-in/email', { email, password: PASSWORD })).status, 200);
    const sessionOnA = await new Browser(a.api).request('/get-session', { headers: { cookie: onB.cookieHeader() } });
    assert.equal(sessionOnA.body.user.email, email);
    assert.equal(psql(databaseUrl(name), 'SELECT count(*) FROM "session"'), '2');
  });

  test('a session signed out on one replica is refused at once by the other', async () => {
    const email = 'revoked@example.com';
    const onA = new Browser(a.api);
    assert.equal((await onA.post('/sign-up/email', { name: 'Ada', email, password: PASSWORD })).status, 200);
    const onB = new Browser(b.api);
    onB.jar = new Map(onA.jar); // the same session, through the other replica
    // Asked twice: b's cache now holds the session (it would for an hour).
    for (let i = 0; i < 2; i++) assert.equal((await onB.get('/get-session')).body.user.email, email);

    assert.equal((await onA.post('/sign-out')).status, 200);
    // The notice reaches b asynchronously, a few milliseconds after the commit.
    await waitFor(async () => (await onB.get('/get-session')).body === null, {
      timeout: 5000,
      what: "replica b to refuse the session replica a signed out",
    });
  });

  test('the command line revokes sessions that both replicas hold in their caches', async () => {
    const email = 'cli-revoked@example.com';
    const onA = new Browser(a.api);
    assert.equal((await onA.post('/sign-up/email', { name: 'Ada', email, password: PASSWORD })).status, 200);
    const onB = new Browser(b.api);
    onB.jar = new Map(onA.jar);
    for (const browser of [onA, onB]) assert.equal((await browser.get('/get-session')).body.user.email, email);

    const out = execFileSync(BIN, ['sessions', 'revoke', '--user', email, '--database', databaseUrl(name)], {
      encoding: 'utf8',
      env: { ...process.env, BETTER_AUTH_SECRET: SECRET },
    });
    assert.match(out, /"revoked":1/);
    for (const [browser, replica] of [[onA, 'a'], [onB, 'b']]) {
      await waitFor(async () => (await browser.get('/get-session')).body === null, {
        timeout: 5000,
        what: `replica ${replica} to refuse the session the command line revoked`,
      });
    }
  });

  test('failed sign-ins on one replica throttle the account on the other (rateLimitStorage database)', async () => {
    const email = 'guessed@example.com';
    assert.equal((await new Browser(a.api).post('/sign-up/email', { name: 'Ada', email, password: PASSWORD })).status, 200);
    const attempt = (server, password) => new Browser(server.api).post('/sign-in/email', { email, password });
    for (const server of [a, b, a]) assert.equal((await attempt(server, 'wrong-password')).status, 401);
    const right = await attempt(b, PASSWORD);
    assert.equal(right.status, 401, 'three failures across the replicas throttle the account on both');
    assert.equal(right.body.code, 'INVALID_EMAIL_OR_PASSWORD');
    // The counter's key is the address's SHA-256, not the address.
    const keys = psql(databaseUrl(name), 'SELECT string_agg("key", \',\') FROM "rateLimit"');
    assert.match(keys, /^sign-in-failures:[0-9a-f]{64}$/);

    // Another account: one failure on a, then the right password on b clears its counter.
    const other = 'typo@example.com';
    assert.equal((await new Browser(b.api).post('/sign-up/email', { name: 'Bo', email: other, password: PASSWORD })).status, 200);
    assert.equal((await new Browser(a.api).post('/sign-in/email', { email: other, password: 'wrong-password' })).status, 401);
    assert.equal(psql(databaseUrl(name), 'SELECT count(*) FROM "rateLimit"'), '2');
    assert.equal((await new Browser(b.api).post('/sign-in/email', { email: other, password: PASSWORD })).status, 200);
    assert.equal(psql(databaseUrl(name), 'SELECT string_agg("key", \',\') FROM "rateLimit"'), keys);
  });
});
