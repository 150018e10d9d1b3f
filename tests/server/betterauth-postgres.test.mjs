// A BetterAuth database on PostgreSQL, served as it is: BetterAuth itself (npm better-auth over
// pg, its own migrations) creates the tables and signs a user up; Portcullis then opens that
// database, and each accepts the other's users, passwords and session cookies, with the same
// instants. Needs PORTCULLIS_TEST_POSTGRES (scripts/test.sh sets it); each run gets a database of
// its own.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { hashPassword } from 'better-auth/crypto';

import { betterAuthOnPostgres, psql } from '../support/betterauth.mjs';
import { applySetCookies, Browser, startServer } from '../support/server.mjs';

const ADMIN_URL = process.env.PORTCULLIS_TEST_POSTGRES;
const PASSWORD = 'correct-horse-battery-staple';

describe('a BetterAuth PostgreSQL database', { skip: !ADMIN_URL && 'PORTCULLIS_TEST_POSTGRES is not set' }, () => {
  let db;
  let dbUrl;
  let auth;
  let server;
  let signedUp; // BetterAuth's sign-up: {user, token, cookie}

  before(async () => {
    db = await betterAuthOnPostgres(ADMIN_URL, `pc_betterauth_${process.pid}`);
    ({ dbUrl, auth } = db);
    const { headers, response } = await auth.api.signUpEmail({
      body: { name: 'Grace Hopper', email: 'grace@example.com', password: PASSWORD },
      returnHeaders: true,
    });
    const jar = new Map();
    applySetCookies(jar, headers.getSetCookie());
    signedUp = { user: response.user, token: response.token, jar };
    server = await startServer({ database: dbUrl });
  });
  after(async () => {
    await server?.stop();
    await db?.drop();
  });

  test('its tables are kept as BetterAuth made them; Portcullis adds only what it needs', () => {
    const tables = psql(dbUrl, "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'");
    // (twoFactor, jwks, passkey, and organization, member and invitation: BetterAuth's two-factor,
    // jwt, passkey and organization plugins' tables, which --two-factor, --jwt, --passkey and
    // --organization use.)
    assert.equal(tables, 'account,apikey,invitation,jwks,member,organization,passkey,portcullis_migrations,rateLimit,session,twoFactor,user,verification');
    assert.equal(psql(dbUrl, `SELECT data_type FROM information_schema.columns WHERE table_name = 'session' AND column_name = 'expiresAt'`),
      'timestamp with time zone');
  });

  test("BetterAuth's session cookie is Portcullis's session, to the millisecond", async () => {
    const browser = new Browser(server.api);
    browser.jar = new Map(signedUp.jar);
    const res = await browser.get('/get-session');
    assert.equal(res.status, 200);
    assert.equal(res.body.user.id, signedUp.user.id);
    assert.equal(res.body.user.email, 'grace@example.com');
    assert.equal(res.body.user.createdAt, new Date(signedUp.user.createdAt).toISOString());
    const theirs = await auth.api.getSession({ headers: new Headers({ cookie: browser.cookieHeader() }) });
    assert.equal(res.body.session.token, theirs.session.token);
    assert.equal(res.body.session.expiresAt, new Date(theirs.session.expiresAt).toISOString());
  });

  test("BetterAuth's user signs in to Portcullis with the password BetterAuth hashed", async () => {
    const browser = new Browser(server.api);
    const wrong = await browser.post('/sign-in/email', { email: 'grace@example.com', password: 'not-the-password' });
    assert.equal(wrong.status, 401);
    const ok = await browser.post('/sign-in/email', { email: 'grace@example.com', password: PASSWORD });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.user.id, signedUp.user.id);
    // ... and BetterAuth reads the session Portcullis wrote.
    const theirs = await auth.api.getSession({ headers: new Headers({ cookie: browser.cookieHeader() }) });
    assert.equal(theirs.user.id, signedUp.user.id);
    assert.equal(theirs.session.token, ok.body.token);
  });

  test('list-accounts, verify-password and unlink-account answer as BetterAuth does, byte for byte, social accounts included', async () => {
    // An account BetterAuth's GitHub sign-in would have linked (its columns, its scope format).
    psql(dbUrl, `INSERT INTO "account" ("id", "accountId", "providerId", "userId", "accessToken", "scope", "createdAt", "updatedAt")
      VALUES ('gh-${process.pid}', '583231', 'github', '${signedUp.user.id}', 'gho_secret', 'read:user,user:email',
              now() + interval '1 second', now() + interval '1 second')`);
    const browser = new Browser(server.api);
    browser.jar = new Map(signedUp.jar);
    // The same request to each: BetterAuth's handler in this process, and the Portcullis server.
    const send = async (base, method, path, body, handle) => {
      const headers = { cookie: browser.cookieHeader(), origin: new URL(base).origin };
      if (body) headers['content-type'] = 'application/json';
      const res = await handle(new Request(`${base}${path}`, { method, headers, body: body && JSON.stringify(body) }));
      return { status: res.status, text: await res.text() };
    };
    const betterAuth = (method, path, body) => send('http://127.0.0.1:3000/api/auth', method, path, body, (r) => auth.handler(r));
    const portcullis = (method, path, body) => send(server.api, method, path, body, fetch);
    const listed = await portcullis('GET', '/list-accounts');
    assert.equal(listed.status, 200);
    assert.deepEqual(JSON.parse(listed.text).map((a) => [a.providerId, a.scopes]), [['credential', []], ['github', ['read:user', 'user:email']]]);
    assert.deepEqual(listed, await betterAuth('GET', '/list-accounts'));
    // An earlier sign-in to Portcullis rehashed the password to Argon2id, which BetterAuth cannot
    // read: give the account a hash of BetterAuth's own again.
    psql(dbUrl, `UPDATE "account" SET "password" = '${await hashPassword(PASSWORD)}' WHERE "userId" = '${signedUp.user.id}' AND "providerId" = 'credential'`);
    for (const password of [PASSWORD, 'not-the-password']) {
      const ours = await portcullis('POST', '/verify-password', { password });
      assert.equal(ours.status, password === PASSWORD ? 200 : 400);
      assert.deepEqual(ours, await betterAuth('POST', '/verify-password', { password }));
    }

    const credentialId = JSON.parse(listed.text)[0].id;
    const unknown = await portcullis('POST', '/unlink-account', { accountId: 'no-such-account' });
    assert.equal(JSON.parse(unknown.text).code, 'ACCOUNT_NOT_FOUND');
    assert.deepEqual(unknown, await betterAuth('POST', '/unlink-account', { accountId: 'no-such-account' }));
    assert.deepEqual(await portcullis('POST', '/unlink-account', { accountId: `gh-${process.pid}` }), { status: 200, text: '{"status":true}' });
    assert.deepEqual(JSON.parse((await betterAuth('GET', '/list-accounts')).text).map((a) => a.id), [credentialId]);
    const last = await portcullis('POST', '/unlink-account', { accountId: credentialId });
    assert.equal(JSON.parse(last.text).code, 'FAILED_TO_UNLINK_LAST_ACCOUNT');
    assert.deepEqual(last, await betterAuth('POST', '/unlink-account', { accountId: credentialId }));
  });

  test("a user Portcullis signed up: BetterAuth reads the user and the session, and its sign-out ends it", async () => {
    const browser = new Browser(server.api);
    const up = await browser.post('/sign-up/email', { name: 'Ada', email: 'ada@example.com', password: PASSWORD });
    assert.equal(up.status, 200);
    const theirs = await auth.api.getSession({ headers: new Headers({ cookie: browser.cookieHeader() }) });
    assert.equal(theirs.user.email, 'ada@example.com');
    assert.equal(theirs.user.emailVerified, false);
    assert.equal(new Date(theirs.session.expiresAt).toISOString(), (await browser.get('/get-session')).body.session.expiresAt);
    await auth.api.signOut({ headers: new Headers({ cookie: browser.cookieHeader() }) });
    assert.equal(psql(dbUrl, `SELECT count(*) FROM "session" WHERE "token" = '${up.body.token}'`), '0');
});
});
