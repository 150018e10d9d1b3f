// Barring a user (`portcullis user ban` / `unban`): BetterAuth's admin plugin's ban, written by the
// command line, honoured at sign-in by Portcullis and, on a shared database, by BetterAuth.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';

import { admin } from 'better-auth/plugins';

import { betterAuthOnPostgres, psql } from '../support/betterauth.mjs';
import { keyOfURI as keyOf, totp } from '../support/totp.mjs';
import { BIN, Browser, sql, startServer, withServer } from '../support/server.mjs';

const PASSWORD = 'banned user test password';
const BANNED = 'You have been banned from this application. Please contact support if you believe this is an error.';

let server;
before(async () => {
  // The command line writes the database; with no session cache the server sees it at once.
  server = await startServer({ sessionCacheTtl: 0 });
});
after(async () => {
  await server.stop();
});

/** Runs `portcullis user <args>` on `database`; returns {status, stdout, stderr}. */
const cli = (database, ...args) => spawnSync(BIN, ['user', ...args, '--database', database], { encoding: 'utf8' });
const listed = (database, email) =>
  cli(database, 'list').stdout.trim().split('\n').map((l) => JSON.parse(l)).find((u) => u.email === email);

let users = 0;
async function signedUp(api = server.api) {
  const email = `ban-${++users}-${Date.now()}@example.com`;
  const browser = new Browser(api);
  const up = await browser.post('/sign-up/email', { name: 'Ada Lovelace', email, password: PASSWORD });
  assert.equal(up.status, 200, JSON.stringify(up.body));
  return { email, browser, id: up.body.user.id };
}

test('a ban signs the user out everywhere and refuses sign-in (403 BANNED_USER) until it is lifted', async () => {
  const { email, browser, id } = await signedUp();
  const other = new Browser(server.api);
  assert.ok((await other.post('/sign-in/email', { email, password: PASSWORD })).body.token);

  const banned = cli(server.db, 'ban', '--email', email, '--reason', 'chargebacks');
  assert.equal(banned.status, 0, banned.stderr);
  assert.deepEqual(JSON.parse(banned.stdout), { banned: id });
  assert.equal((await browser.get('/get-session')).body, null, 'signed out');
  assert.equal((await other.get('/get-session')).body, null, 'everywhere');

  const refused = await browser.post('/sign-in/email', { email, password: PASSWORD });
  assert.equal(refused.status, 403);
  assert.deepEqual(refused.body, { message: BANNED, code: 'BANNED_USER' }, 'the reason is for administrators only');
  assert.ok(!browser.jar.has('better-auth.session_token'));
  const wrong = await browser.post('/sign-in/email', { email, password: 'not the password' });
  assert.equal(wrong.status, 401, 'a wrong password learns nothing of the ban');
  assert.equal(wrong.body.code, 'INVALID_EMAIL_OR_PASSWORD');
  assert.equal(sql(server.db, `select count(*) as n from "session" where "userId" = '${id}'`)[0].n, 0);

  const row = listed(server.db, email);
  assert.equal(row.banned, true);
  assert.equal(row.banReason, 'chargebacks');
  assert.ok(!('banExpires' in row));

  assert.equal(cli(server.db, 'unban', '--email', email).status, 0);
  assert.equal(listed(server.db, email).banned, false);
  assert.ok((await browser.post('/sign-in/email', { email, password: PASSWORD })).body.token, 'signs in again');
});

test('--expires-in: the ban ends by itself, and is lifted at the next sign-in', async () => {
  const { email, browser, id } = await signedUp();
  const before = Date.now();
  assert.equal(cli(server.db, 'ban', '--email', email, '--expires-in', '3600').status, 0);
  const until = Date.parse(listed(server.db, email).banExpires);
  assert.ok(until >= before + 3600e3 && until <= Date.now() + 3600e3, `an hour from now: ${listed(server.db, email).banExpires}`);
  assert.equal((await browser.post('/sign-in/email', { email, password: PASSWORD })).status, 403);

  // An hour later (the expiry moved into the past, as BetterAuth stores it):
  sql(server.db, `update "user" set "banExpires" = '2001-01-01T00:00:00.000Z' where "id" = '${id}'`);
  assert.ok((await browser.post('/sign-in/email', { email, password: PASSWORD })).body.token);
  assert.equal(listed(server.db, email).banned, false, 'lifted');

  for (const bad of ['0', '-5', 'soon', '99999999999']) {
    const r = cli(server.db, 'ban', '--email', email, '--expires-in', bad);
    assert.equal(r.status, 2, bad);
    assert.match(r.stderr, /--expires-in/);
  }
  assert.equal(listed(server.db, email).banned, false, 'a refused command bans nobody');
  assert.equal(cli(server.db, 'ban', '--email', 'nobody@example.com').status, 1);
});

test('a ban BetterAuth\'s admin plugin wrote (its columns) is honoured; a NULL "banned" is no ban', async () => {
  const { email, browser, id } = await signedUp();
  sql(server.db, `update "user" set "banned" = 1, "banReason" = 'by BetterAuth' where "id" = '${id}'`);
  assert.equal((await browser.post('/sign-in/email', { email, password: PASSWORD })).body.code, 'BANNED_USER');
  sql(server.db, `update "user" set "banned" = NULL where "id" = '${id}'`);
  assert.ok((await browser.post('/sign-in/email', { email, password: PASSWORD })).body.token);
});

test('a banned user with the second factor on is refused before any code is asked for', async () => {
  await withServer({ twoFactor: true, sessionCacheTtl: 0 }, async (s) => {
    const { email, browser } = await signedUp(s.api);
    const enabled = await browser.post('/two-factor/enable', { password: PASSWORD });
    assert.equal((await browser.post('/two-factor/verify-totp', { code: totp(keyOf(enabled.body.totpURI)) })).status, 200);
    assert.equal(cli(s.db, 'ban', '--email', email).status, 0);
    const signIn = new Browser(s.api);
    const refused = await signIn.post('/sign-in/email', { email, password: PASSWORD });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 'BANNED_USER');
    assert.ok(!signIn.jar.has('better-auth.two_factor'), 'no challenge');
  });
});

const ADMIN_URL = process.env.PORTCULLIS_TEST_POSTGRES;
describe('on a PostgreSQL database shared with BetterAuth and its admin plugin', { skip: !ADMIN_URL && 'PORTCULLIS_TEST_POSTGRES is not set' }, () => {
  let db;  // BetterAuth's: its admin plugin's columns first; Portcullis's migration keeps them
  let dbUrl;
  let auth;
  let pgServer;
  before(async () => {
    db = await betterAuthOnPostgres(ADMIN_URL, `pc_ban_${process.pid}`, { plugins: [admin()] });
    ({ dbUrl, auth } = db);
    pgServer = await startServer({ database: dbUrl, sessionCacheTtl: 0, passwordHash: 'scrypt' });  // hashes BetterAuth verifies
  });
  after(async () => {
    await pgServer?.stop();
    await db?.drop();
  });

  test('a user Portcullis banned is refused by BetterAuth too, and signs in to both once unbanned', async () => {
    const { email } = await signedUp(pgServer.api);
    assert.equal(cli(dbUrl, 'ban', '--email', email, '--reason', 'abuse').status, 0);
    await assert.rejects(auth.api.signInEmail({ body: { email, password: PASSWORD } }), (e) => e.body?.code === 'BANNED_USER');
    assert.equal(psql(dbUrl, `SELECT "banReason" FROM "user" WHERE "email" = '${email}'`), 'abuse');
    assert.equal(cli(dbUrl, 'unban', '--email', email).status, 0);
    assert.ok((await auth.api.signInEmail({ body: { email, password: PASSWORD } })).token);
    assert.ok((await new Browser(pgServer.api).post('/sign-in/email', { email, password: PASSWORD })).body.token);
  });
});
