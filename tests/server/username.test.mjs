// Usernames (--username): BetterAuth 1.7's username plugin. A user may pick a username (3 to 30
// characters: ASCII letters, digits, "_" and "."; stored in lower case, unique) at sign-up or later
// (/update-user), keep the form they typed as "displayUsername", ask whether one is free
// (/is-username-available) and sign in with it (/sign-in/username), which answers as
// /sign-in/email does and shares its per-account throttle. Without the flag none of it exists.
// BetterAuth's own client (usernameClient) drives these routes, and on a PostgreSQL database shared
// with a BetterAuth server that has the plugin, a user either server signed up signs in to both.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';

import { username as usernamePlugin } from 'better-auth/plugins';
import { usernameClient } from 'better-auth/client/plugins';

import { betterAuthOnPostgres, browserClient, psql } from '../support/betterauth.mjs';
import { keyOfURI as keyOf, totp } from '../support/totp.mjs';
import { BIN, Browser, dump, rawRequest, sql, startServer, withServer } from '../support/server.mjs';
import { errorAsserter } from '../support/assert.mjs';

// The tests read the database behind the server's back and `portcullis user ban` writes it: no
// session cache, so the server sees such writes at once.
const EDITS_DB = { sessionCacheTtl: 0 };
const PG_URL = process.env.PORTCULLIS_TEST_POSTGRES;

const PASSWORD = 'username plugin test password';
const ID = /^[A-Za-z0-9]{32}$/;
const BASE_KEYS = ['createdAt', 'email', 'emailVerified', 'id', 'image', 'name', 'updatedAt'];
const USER_KEYS = [...BASE_KEYS, 'displayUsername', 'username'].sort();
const SESSION_COOKIE = 'better-auth.session_token';
const CHALLENGE = 'better-auth.two_factor';
const BANNED = 'You have been banned from this application. Please contact support if you believe this is an error.';

// The username plugin's catalogue (BetterAuth 1.7's wording), and the core codes these tests meet.
const MESSAGES = {
  INVALID_USERNAME_OR_PASSWORD: 'Invalid username or password',
  USERNAME_IS_ALREADY_TAKEN: 'Username is already taken. Please try another.',
  USERNAME_TOO_SHORT: 'Username is too short',
  USERNAME_TOO_LONG: 'Username is too long',
  INVALID_USERNAME: 'Username is invalid',
  INVALID_DISPLAY_USERNAME: 'Display username is invalid',
  INVALID_EMAIL_OR_PASSWORD: 'Invalid email or password',
  EMAIL_NOT_VERIFIED: 'Email not verified',
  CROSS_SITE_NAVIGATION_LOGIN_BLOCKED: 'Cross-site navigation login blocked. This request appears to be a CSRF attack.',
  INVALID_CALLBACK_URL: 'Invalid callbackURL',
  PASSWORD_TOO_LONG: 'Password too long',
  BANNED_USER: BANNED,
  TOO_MANY_REQUESTS: 'Too many requests. Please try again later.',
};

// Usernames the rules refuse, with the code: length first (in characters), then the characters.
const REFUSED = [
  ['ab', 'USERNAME_TOO_SHORT'],
  ['a'.repeat(31), 'USERNAME_TOO_LONG'],
  ['!'.repeat(31), 'USERNAME_TOO_LONG'],  // too long, though every character is wrong too
  ['ada lovelace', 'INVALID_USERNAME'],
  ['ada-l', 'INVALID_USERNAME'],
  ['ada@example.com', 'INVALID_USERNAME'],
  ['ada\tl', 'INVALID_USERNAME'],
  ['éé', 'USERNAME_TOO_SHORT'],  // two characters (four bytes)
  ['é'.repeat(16), 'INVALID_USERNAME'],  // sixteen characters (32 bytes): not too long
];

let counter = 0;
const freshEmail = (tag = 'user') => `username-${tag}-${++counter}-${process.pid}@example.com`;
/** A username not used yet in this run, as typed (mixed case). */
const freshUsername = (tag = 'User') => `${tag}.${++counter}`;

/** Asserts an error answer: status, code, and the catalogue's message. */
const assertError = errorAsserter(MESSAGES);

/** Runs a request that must fail, and asserts the SQLite database `db` is unchanged by it. */
async function rejected(db, send, status, code) {
  const before = dump(db);
  const res = await send();
  assertError(res, status, code);
  assert.equal(dump(db), before, `${code}: the database is unchanged`);
  return res;
}

function assertUser(user, fields = {}) {
  assert.deepEqual(Object.keys(user).sort(), USER_KEYS, JSON.stringify(user));
  assert.match(user.id, ID);
  for (const [k, v] of Object.entries(fields)) assert.deepEqual(user[k], v, k);
}

/** Signs a new user up in a new browser with `extra` fields; asserts 200. */
async function signUp(s, extra = {}, { email = freshEmail(), password = PASSWORD } = {}) {
  const browser = new Browser(s.api);
  const res = await browser.post('/sign-up/email', { name: 'Ada Lovelace', email, password, ...extra });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return { browser, email, password, res, user: res.body.user, id: res.body.user.id, token: res.body.token };
}

const signInUsername = (s, body, headers) => new Browser(s.api).post('/sign-in/username', body, headers);
const available = (s, username) => new Browser(s.api).post('/is-username-available', { username });
const userRow = (db, id) => sql(db, `select * from "user" where "id" = '${id}'`)[0];
const userCount = (db) => sql(db, 'select count(*) as n from "user"')[0].n;

/** A POST with nothing but the given headers (no Origin, no cookies). */
const rawPost = (s, path, body, headers = {}) =>
  rawRequest(`${s.api}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

/** Runs `portcullis user <args>` on `database`. */
const cli = (database, ...args) => spawnSync(BIN, ['user', ...args, '--database', database], { encoding: 'utf8' });

/** Set-Cookie lines with the (signed) session token blanked out, for comparing two sign-ins. */
const cookieShapes = (res) =>
  res.headers.getSetCookie().map((c) => c.replace(/^(better-auth\.session_token=)[^;]+/, '$1TOKEN')).sort();

// ---------------------------------------------------------------------------------------------

test('without --username: no username fields on users, the fields are unknown keys, and the routes are 404', async () => {
  await withServer(EDITS_DB, async (s) => {
    const u = await signUp(s);
    for (const user of [
      u.user,
      (await u.browser.get('/get-session')).body.user,
      (await new Browser(s.api).post('/sign-in/email', { email: u.email, password: PASSWORD })).body.user,
    ]) {
      assert.deepEqual(Object.keys(user).sort(), BASE_KEYS, JSON.stringify(user));
    }
    for (const extra of [{ username: 'ada.l' }, { displayUsername: 'Ada L' }]) {
      await rejected(
        s.db,
        () => new Browser(s.api).post('/sign-up/email', { name: 'X', email: freshEmail(), password: PASSWORD, ...extra }),
        400,
        'VALIDATION_ERROR',
      );
      await rejected(s.db, () => u.browser.post('/update-user', extra), 400, 'VALIDATION_ERROR');
      await rejected(s.db, () => u.browser.post('/update-user', { name: 'Ada King', ...extra }), 400, 'VALIDATION_ERROR');
    }
    const before = dump(s.db);
    for (const [path, body] of [
      ['/sign-in/username', { username: 'ada.l', password: PASSWORD }],
      ['/is-username-available', { username: 'ada.l' }],
    ]) {
      const res = await new Browser(s.api).post(path, body);
      assert.equal(res.status, 404, path);
      assert.equal(res.body, '', path);
    }
    assert.equal(dump(s.db), before);
    const row = userRow(s.db, u.id);
    assert.equal(row.username, null);
    assert.equal(row.displayUsername, null);
  });
});

describe('with --username', () => {
  let server;
  before(async () => {
    server = await startServer({ ...EDITS_DB, username: true });
  });
  after(async () => {
    await server.stop();
  });

  describe('POST /sign-up/email with a username', () => {
    test('a username: stored in lower case, displayUsername as typed; in the answer, get-session and the row', async () => {
      const u = await signUp(server, { username: 'Ada.L' }, { email: 'ada.l@example.com' });
      assert.deepEqual(Object.keys(u.res.body), ['token', 'user']);
      assert.match(u.token, ID);
      assertUser(u.user, { name: 'Ada Lovelace', email: 'ada.l@example.com', username: 'ada.l', displayUsername: 'Ada.L' });
      assert.ok(decodeURIComponent(u.browser.jar.get(SESSION_COOKIE)).startsWith(`${u.token}.`));
      const session = await u.browser.get('/get-session');
      assert.deepEqual(session.body.user, u.user);
      const row = userRow(server.db, u.id);
      assert.equal(row.username, 'ada.l');
      assert.equal(row.displayUsername, 'Ada.L');
    });

    test('no username: both null', async () => {
      const u = await signUp(server);
      assertUser(u.user, { username: null, displayUsername: null });
      assertUser((await u.browser.get('/get-session')).body.user, { username: null, displayUsername: null });
      const row = userRow(server.db, u.id);
      assert.equal(row.username, null);
      assert.equal(row.displayUsername, null);
    });

    test('a username and a displayUsername: each kept', async () => {
      const u = await signUp(server, { username: 'Lovelace_1815', displayUsername: 'Ada Lovelace (1815)' });
      assertUser(u.user, { username: 'lovelace_1815', displayUsername: 'Ada Lovelace (1815)' });
      const row = userRow(server.db, u.id);
      assert.equal(row.username, 'lovelace_1815');
      assert.equal(row.displayUsername, 'Ada Lovelace (1815)');
    });

    test('a displayUsername alone that is a valid username sets both; one that is not sets only itself', async () => {
      const both = await signUp(server, { displayUsername: 'Grace.H' });
      assertUser(both.user, { username: 'grace.h', displayUsername: 'Grace.H' });
      assert.equal(userRow(server.db, both.id).username, 'grace.h');
      // It is then taken like any username.
      await rejected(
        server.db,
        () => new Browser(server.api).post('/sign-up/email', { name: 'G', email: freshEmail(), password: PASSWORD, displayUsername: 'GRACE.H' }),
        400,
        'USERNAME_IS_ALREADY_TAKEN',
      );

      const only = await signUp(server, { displayUsername: 'Ada Lovelace' });
      assertUser(only.user, { username: null, displayUsername: 'Ada Lovelace' });
      const row = userRow(server.db, only.id);
      assert.equal(row.username, null);
      assert.equal(row.displayUsername, 'Ada Lovelace');
      // Another user may show the same display username.
      const again = await signUp(server, { displayUsername: 'Ada Lovelace' });
      assertUser(again.user, { username: null, displayUsername: 'Ada Lovelace' });
    });

    test('3 and 30 characters are accepted', async () => {
      for (const name of ['a_1', `Z.${'y'.repeat(28)}`]) {
        const u = await signUp(server, { username: name });
        assertUser(u.user, { username: name.toLowerCase(), displayUsername: name });
      }
    });

    test('a username the rules refuse: 400 with the rule\'s code, and nothing is created', async () => {
      for (const [name, code] of REFUSED) {
        await rejected(
          server.db,
          () => new Browser(server.api).post('/sign-up/email', { name: 'X', email: freshEmail(), password: PASSWORD, username: name }),
          400,
          code,
        );
        // Also with a fine displayUsername beside it.
        await rejected(
          server.db,
          () => new Browser(server.api).post('/sign-up/email', { name: 'X', email: freshEmail(), password: PASSWORD, username: name, displayUsername: 'Fine Name' }),
          400,
          code,
        );
      }
    });

    test('a taken username, in any case: 400 USERNAME_IS_ALREADY_TAKEN, and nothing is created', async () => {
      const first = freshUsername('Taken');
      await signUp(server, { username: first });
      for (const name of [first, first.toUpperCase(), first.toLowerCase()]) {
        const email = freshEmail('second');
        const browser = new Browser(server.api);
        await rejected(server.db, () => browser.post('/sign-up/email', { name: 'Second', email, password: PASSWORD, username: name }), 400, 'USERNAME_IS_ALREADY_TAKEN');
        assert.ok(!browser.jar.has(SESSION_COOKIE), 'no session cookie');
        assert.equal(sql(server.db, `select count(*) as n from "user" where "email" = '${email}'`)[0].n, 0);
      }
    });

    test('a displayUsername that is empty, blank, has control characters or is too long: 400 INVALID_DISPLAY_USERNAME', async () => {
      for (const displayUsername of ['', '   ', 'Ada\u0007Lovelace', 'Ada\nLovelace', 'Ada '.repeat(40)]) {
        for (const extra of [{ displayUsername }, { username: freshUsername('Disp'), displayUsername }]) {
          await rejected(
            server.db,
            () => new Browser(server.api).post('/sign-up/email', { name: 'X', email: freshEmail(), password: PASSWORD, ...extra }),
            400,
            'INVALID_DISPLAY_USERNAME',
          );
        }
      }
    });

    test('the fields must be strings: 400 VALIDATION_ERROR', async () => {
      for (const extra of [{ username: 42 }, { displayUsername: ['Ada'] }]) {
        await rejected(
          server.db,
          () => new Browser(server.api).post('/sign-up/email', { name: 'X', email: freshEmail(), password: PASSWORD, ...extra }),
          400,
          'VALIDATION_ERROR',
        );
      }
    });
  });

  describe('POST /sign-in/username', () => {
    let ada;  // signed up with username "Ada.Byron"
    before(async () => {
      ada = await signUp(server, { username: 'Ada.Byron' });
    });

    test('200 {redirect:false, token, user}, a new session and its cookie; the username in any case', async () => {
      for (const name of ['Ada.Byron', 'ada.byron', 'ADA.BYRON']) {
        const browser = new Browser(server.api);
        const res = await browser.post('/sign-in/username', { username: name, password: PASSWORD });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.deepEqual(Object.keys(res.body), ['redirect', 'token', 'user']);
        assert.equal(res.body.redirect, false);
        assert.match(res.body.token, ID);
        assert.notEqual(res.body.token, ada.token);
        assert.deepEqual(res.body.user, ada.user);
        assertUser(res.body.user, { username: 'ada.byron', displayUsername: 'Ada.Byron' });
        assert.equal(res.headers.get('location'), null);
        assert.ok(decodeURIComponent(browser.jar.get(SESSION_COOKIE)).startsWith(`${res.body.token}.`));
        const session = await browser.get('/get-session');
        assert.equal(session.body.session.token, res.body.token);
        assert.deepEqual(session.body.user, ada.user);
        const row = sql(server.db, `select * from "session" where "token" = '${res.body.token}'`)[0];
        assert.equal(row.userId, ada.id);
      }
    });

    test('the same answer as /sign-in/email: plain, with a callbackURL, with rememberMe false', async () => {
      for (const extra of [{}, { callbackURL: '/dashboard' }, { callbackURL: `${server.url}/home?tab=1` }, { rememberMe: false }, { rememberMe: true }]) {
        const byEmail = await new Browser(server.api).post('/sign-in/email', { email: ada.email, password: PASSWORD, ...extra });
        const byName = await new Browser(server.api).post('/sign-in/username', { username: 'ADA.byron', password: PASSWORD, ...extra });
        const what = JSON.stringify(extra);
        assert.equal(byEmail.status, 200, what);
        assert.equal(byName.status, byEmail.status, what);
        assert.deepEqual(Object.keys(byName.body), Object.keys(byEmail.body), what);
        assert.deepEqual({ ...byName.body, token: 'T' }, { ...byEmail.body, token: 'T' }, what);
        assert.notEqual(byName.body.token, byEmail.body.token);
        assert.equal(byName.headers.get('location'), byEmail.headers.get('location'), what);
        assert.deepEqual(cookieShapes(byName), cookieShapes(byEmail), what);
      }
      const withUrl = await signInUsername(server, { username: 'ada.byron', password: PASSWORD, callbackURL: '/dashboard' });
      assert.deepEqual(Object.keys(withUrl.body), ['redirect', 'token', 'url', 'user']);
      assert.equal(withUrl.body.redirect, true);
      assert.equal(withUrl.body.url, '/dashboard');
      assert.equal(withUrl.headers.get('location'), '/dashboard');
      const brief = await signInUsername(server, { username: 'ada.byron', password: PASSWORD, rememberMe: false });
      assert.ok(brief.headers.getSetCookie().some((c) => c.startsWith('better-auth.dont_remember=')), 'rememberMe false: the dont_remember cookie');
    });

    test('401 INVALID_USERNAME_OR_PASSWORD, with the same body for an unknown username and a wrong password', async () => {
      const unknown = await rejected(server.db, () => signInUsername(server, { username: 'nobody.here', password: PASSWORD }), 401, 'INVALID_USERNAME_OR_PASSWORD');
      const wrong = await rejected(server.db, () => signInUsername(server, { username: 'ada.byron', password: 'not the password' }), 401, 'INVALID_USERNAME_OR_PASSWORD');
      assert.deepEqual(unknown.body, wrong.body);
      assert.deepEqual(unknown.headers.getSetCookie(), []);
      assert.deepEqual(wrong.headers.getSetCookie(), []);
      // A short password is not checked for length at sign-in: simply wrong.
      await rejected(server.db, () => signInUsername(server, { username: 'ada.byron', password: 'short' }), 401, 'INVALID_USERNAME_OR_PASSWORD');
      // A user without a username is not found by anything that looks like one.
      const plain = await signUp(server);
      await rejected(server.db, () => signInUsername(server, { username: plain.email.split('@')[0].replace(/[^a-z0-9_.]/g, '_'), password: PASSWORD }), 401, 'INVALID_USERNAME_OR_PASSWORD');
    });

    test('a username the rules refuse: 422 with the rule\'s code', async () => {
      for (const [name, code] of REFUSED) {
        await rejected(server.db, () => signInUsername(server, { username: name, password: PASSWORD }), 422, code);
      }
    });

    test('missing or mistyped fields: 400 VALIDATION_ERROR', async () => {
      for (const body of [{}, { password: PASSWORD }, { username: 'ada.byron' }, { username: 42, password: PASSWORD }, { username: 'ada.byron', password: PASSWORD, rememberMe: 'yes' }]) {
        await rejected(server.db, () => signInUsername(server, body), 400, 'VALIDATION_ERROR');
      }
    });

    test('as sign-in/email: 403 INVALID_CALLBACK_URL for an untrusted callbackURL, 400 PASSWORD_TOO_LONG', async () => {
      for (const callbackURL of ['https://evil.example/x', '//evil.example/x']) {
        await rejected(server.db, () => signInUsername(server, { username: 'ada.byron', password: PASSWORD, callbackURL }), 403, 'INVALID_CALLBACK_URL');
      }
      await rejected(server.db, () => signInUsername(server, { username: 'ada.byron', password: 'p'.repeat(129) }), 400, 'PASSWORD_TOO_LONG');
    });

    test('a cross-site navigation: 403 CROSS_SITE_NAVIGATION_LOGIN_BLOCKED, as for sign-in/email', async () => {
      const body = { username: 'ada.byron', password: PASSWORD };
      for (const headers of [
        { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' },
        { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', origin: server.url },
      ]) {
        const byEmail = await rejected(server.db, () => rawPost(server, '/sign-in/email', { email: ada.email, password: PASSWORD }, headers), 403, 'CROSS_SITE_NAVIGATION_LOGIN_BLOCKED');
        const byName = await rejected(server.db, () => rawPost(server, '/sign-in/username', body, headers), 403, 'CROSS_SITE_NAVIGATION_LOGIN_BLOCKED');
        assert.deepEqual(byName.body, byEmail.body);
        assert.deepEqual(byName.headers.getSetCookie(), []);
      }
      // The same request as a same-origin fetch, or from curl: signed in.
      assert.equal((await rawPost(server, '/sign-in/username', body, { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors', origin: server.url })).status, 200);
      const curl = await rawPost(server, '/sign-in/username', body);
      assert.equal(curl.status, 200);
      assert.equal(curl.body.user.id, ada.id);
    });

    test('a banned user: 403 BANNED_USER for the right password, 401 for a wrong one', async () => {
      const u = await signUp(server, { username: freshUsername('Banned') });
      const name = u.user.username;
      assert.equal(cli(server.db, 'ban', '--email', u.email, '--reason', 'spam').status, 0);
      const byEmail = await new Browser(server.api).post('/sign-in/email', { email: u.email, password: PASSWORD });
      const byName = await rejected(server.db, () => signInUsername(server, { username: name.toUpperCase(), password: PASSWORD }), 403, 'BANNED_USER');
      assert.deepEqual(byName.body, byEmail.body);
      assert.deepEqual(byName.body, { message: BANNED, code: 'BANNED_USER' });
      assert.deepEqual(byName.headers.getSetCookie(), []);
      await rejected(server.db, () => signInUsername(server, { username: name, password: 'not the password' }), 401, 'INVALID_USERNAME_OR_PASSWORD');
      assert.equal(cli(server.db, 'unban', '--email', u.email).status, 0);
      assert.equal((await signInUsername(server, { username: name, password: PASSWORD })).status, 200);
    });
  });

  describe('POST /update-user', () => {
    test('sets a username and a displayUsername; get-session and the row show them; the old username is free', async () => {
      const u = await signUp(server, { username: 'Old.Name' });
      const res = await u.browser.post('/update-user', { username: 'New_Name', displayUsername: 'The New Name' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body, { status: true });
      assertUser((await u.browser.get('/get-session')).body.user, { username: 'new_name', displayUsername: 'The New Name' });
      const row = userRow(server.db, u.id);
      assert.equal(row.username, 'new_name');
      assert.equal(row.displayUsername, 'The New Name');
      assert.equal((await signInUsername(server, { username: 'NEW_NAME', password: PASSWORD })).status, 200);
      assertError(await signInUsername(server, { username: 'old.name', password: PASSWORD }), 401, 'INVALID_USERNAME_OR_PASSWORD');
      assert.deepEqual((await available(server, 'Old.Name')).body, { available: true });
      assert.deepEqual((await available(server, 'new_name')).body, { available: false });

      // With a name as before.
      const both = await u.browser.post('/update-user', { name: 'Ada King', displayUsername: 'Countess of Lovelace' });
      assert.equal(both.status, 200, JSON.stringify(both.body));
      assertUser((await u.browser.get('/get-session')).body.user, { name: 'Ada King', username: 'new_name', displayUsername: 'Countess of Lovelace' });
    });

    test('a user without a username gets one', async () => {
      const u = await signUp(server);
      const res = await u.browser.post('/update-user', { username: 'Late.Comer' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assertUser((await u.browser.get('/get-session')).body.user, { username: 'late.comer' });
      assert.equal(userRow(server.db, u.id).username, 'late.comer');
      assert.equal((await signInUsername(server, { username: 'late.comer', password: PASSWORD })).body.user.id, u.id);
    });

    test('setting the username alone keeps the old displayUsername (as BetterAuth does)', async () => {
      const u = await signUp(server, { username: 'Keep.Display', displayUsername: 'Keep Display' });
      const res = await u.browser.post('/update-user', { username: 'Changed.Name' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assertUser((await u.browser.get('/get-session')).body.user, { username: 'changed.name', displayUsername: 'Keep Display' });
      const row = userRow(server.db, u.id);
      assert.equal(row.username, 'changed.name');
      assert.equal(row.displayUsername, 'Keep Display');
    });

    test('setting a displayUsername alone changes only it, even when it would do as a username (as BetterAuth does)', async () => {
      const u = await signUp(server, { username: 'Fixed.Name' });
      const res = await u.browser.post('/update-user', { displayUsername: 'Other.Look' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assertUser((await u.browser.get('/get-session')).body.user, { username: 'fixed.name', displayUsername: 'Other.Look' });
      assert.equal(userRow(server.db, u.id).username, 'fixed.name');
    });

    test('your own username again, in any case, is fine; another user\'s is 400 USERNAME_IS_ALREADY_TAKEN', async () => {
      const mine = await signUp(server, { username: 'Mine.Own', displayUsername: 'Mine Own' });
      const theirs = await signUp(server, { username: 'Their.Own' });
      for (const name of ['mine.own', 'MINE.OWN', 'Mine.Own']) {
        const res = await mine.browser.post('/update-user', { username: name, displayUsername: 'Mine Own' });
        assert.equal(res.status, 200, `${name}: ${JSON.stringify(res.body)}`);
        assert.equal((await mine.browser.get('/get-session')).body.user.username, 'mine.own');
      }
      for (const name of ['their.own', 'THEIR.OWN']) {
        await rejected(server.db, () => mine.browser.post('/update-user', { username: name }), 400, 'USERNAME_IS_ALREADY_TAKEN');
        await rejected(server.db, () => mine.browser.post('/update-user', { name: 'Thief', username: name }), 400, 'USERNAME_IS_ALREADY_TAKEN');
      }
      assertUser((await mine.browser.get('/get-session')).body.user, { name: 'Ada Lovelace', username: 'mine.own', displayUsername: 'Mine Own' });
      assertUser((await theirs.browser.get('/get-session')).body.user, { username: 'their.own' });
    });

    test('a username the rules refuse, or a bad displayUsername: 400 with the code, and nothing changes', async () => {
      const u = await signUp(server, { username: freshUsername('Rules') });
      for (const [name, code] of REFUSED) {
        await rejected(server.db, () => u.browser.post('/update-user', { username: name }), 400, code);
      }
      for (const displayUsername of ['', '   ', 'Ada\u0007Lovelace', 'Ada '.repeat(40)]) {
        await rejected(server.db, () => u.browser.post('/update-user', { displayUsername }), 400, 'INVALID_DISPLAY_USERNAME');
      }
      await rejected(server.db, () => u.browser.post('/update-user', { username: 42 }), 400, 'VALIDATION_ERROR');
    });
  });

  describe('POST /is-username-available', () => {
    test('{available}: false for a taken username in any case, true for a free one', async () => {
      const name = freshUsername('Avail');
      assert.deepEqual((await available(server, name)).body, { available: true });
      await signUp(server, { username: name });
      for (const n of [name, name.toLowerCase(), name.toUpperCase()]) {
        const res = await available(server, n);
        assert.equal(res.status, 200);
        assert.deepEqual(res.body, { available: false }, n);
      }
      assert.deepEqual((await available(server, `${name}x`)).body, { available: true });
    });

    test('a username the rules refuse: 422 with the code; a missing one: 400 VALIDATION_ERROR', async () => {
      for (const [name, code] of REFUSED) {
        await rejected(server.db, () => available(server, name), 422, code);
      }
      await rejected(server.db, () => new Browser(server.api).post('/is-username-available', {}), 400, 'VALIDATION_ERROR');
    });
  });

  describe('with --two-factor, --require-email-verification', () => {
    test('sign-in by username asks for the second factor as sign-in by e-mail does', async () => {
      await withServer({ ...EDITS_DB, username: true, twoFactor: true }, async (s) => {
        const u = await signUp(s, { username: 'Grace.Hopper' });
        const enabled = await u.browser.post('/two-factor/enable', { password: PASSWORD });
        assert.equal(enabled.status, 200, JSON.stringify(enabled.body));
        const key = keyOf(enabled.body.totpURI);
        assert.equal((await u.browser.post('/two-factor/verify-totp', { code: totp(key) })).status, 200);

        const byEmail = await new Browser(s.api).post('/sign-in/email', { email: u.email, password: PASSWORD });
        const browser = new Browser(s.api);
        const first = await browser.post('/sign-in/username', { username: 'GRACE.hopper', password: PASSWORD });
        assert.equal(first.status, 200);
        assert.deepEqual(first.body, { twoFactorRedirect: true, twoFactorMethods: ['totp'] });
        assert.deepEqual(first.body, byEmail.body);
        assert.ok(!browser.jar.has(SESSION_COOKIE), 'no session cookie');
        assert.ok(browser.jar.has(CHALLENGE), 'the challenge cookie');
        assert.equal((await browser.get('/get-session')).body, null);

        const done = await browser.post('/two-factor/verify-totp', { code: totp(key, 1) });
        assert.equal(done.status, 200, JSON.stringify(done.body));
        assert.ok(browser.jar.has(SESSION_COOKIE));
        const session = (await browser.get('/get-session')).body;
        assert.equal(session.session.token, done.body.token);
        assert.equal(session.user.id, u.id);
        assert.equal(session.user.username, 'grace.hopper');
        assert.equal(session.user.displayUsername, 'Grace.Hopper');

        // A wrong password asks for nothing.
        const wrong = new Browser(s.api);
        assertError(await wrong.post('/sign-in/username', { username: 'grace.hopper', password: 'not the password' }), 401, 'INVALID_USERNAME_OR_PASSWORD');
        assert.ok(!wrong.jar.has(CHALLENGE));
      });
    });

    test('--require-email-verification: 403 EMAIL_NOT_VERIFIED until the address is verified', async () => {
      await withServer({ ...EDITS_DB, username: true, requireEmailVerification: true }, async (s) => {
        const browser = new Browser(s.api);
        const up = await browser.post('/sign-up/email', { name: 'Vera', email: 'vera@example.com', password: PASSWORD, username: 'Vera.V' });
        assert.equal(up.status, 200, JSON.stringify(up.body));
        assert.equal(up.body.token, null);
        assertUser(up.body.user, { username: 'vera.v', displayUsername: 'Vera.V' });
        await rejected(s.db, () => signInUsername(s, { username: 'vera.v', password: 'not the password' }), 401, 'INVALID_USERNAME_OR_PASSWORD');
        const byEmail = await new Browser(s.api).post('/sign-in/email', { email: 'vera@example.com', password: PASSWORD });
        const byName = await rejected(s.db, () => signInUsername(s, { username: 'VERA.V', password: PASSWORD }), 403, 'EMAIL_NOT_VERIFIED');
        assert.deepEqual(byName.body, byEmail.body);
        sql(s.db, `update "user" set "emailVerified" = 1 where "id" = '${up.body.user.id}'`);
        const ok = await signInUsername(s, { username: 'vera.v', password: PASSWORD });
        assert.equal(ok.status, 200, JSON.stringify(ok.body));
        assertUser(ok.body.user, { emailVerified: true, username: 'vera.v' });
      });
    });
  });
});

describe('abuse limits with --username', () => {
  test('the account throttle is shared: wrong passwords by username lock sign-in by e-mail, and the other way round', async () => {
    await withServer({ ...EDITS_DB, username: true, accountMaxFailures: 3 }, async (s) => {
      const target = await signUp(s, { username: 'Target.One' });
      const other = await signUp(s, { username: 'Target.Two' });
      const bystander = await signUp(s, { username: 'By.Stander' });
      const byEmail = (email, password) => new Browser(s.api).post('/sign-in/email', { email, password });

      const wrong = await signInUsername(s, { username: 'Target.One', password: 'not the password' });
      assertError(wrong, 401, 'INVALID_USERNAME_OR_PASSWORD');
      assertError(await signInUsername(s, { username: 'TARGET.ONE', password: 'not the password' }), 401, 'INVALID_USERNAME_OR_PASSWORD');
      assertError(await signInUsername(s, { username: 'target.one', password: 'not the password' }), 401, 'INVALID_USERNAME_OR_PASSWORD');
      // Throttled: the right password is refused by e-mail and by username, and no session is made.
      const wrongByEmail = await byEmail(other.email, 'not the password');  // (another account's first failure: not throttled)
      const rightByEmail = await rejected(s.db, () => byEmail(target.email, PASSWORD), 401, 'INVALID_EMAIL_OR_PASSWORD');
      assert.deepEqual(rightByEmail.body, wrongByEmail.body, 'indistinguishable from a wrong password');
      assert.deepEqual(rightByEmail.headers.getSetCookie(), []);
      const rightByName = await rejected(s.db, () => signInUsername(s, { username: 'target.one', password: PASSWORD }), 401, 'INVALID_USERNAME_OR_PASSWORD');
      assert.deepEqual(rightByName.body, wrong.body);
      assert.deepEqual(rightByName.headers.getSetCookie(), []);
      // Other accounts are unaffected.
      assert.equal((await signInUsername(s, { username: 'by.stander', password: PASSWORD })).status, 200);
      assert.equal((await byEmail(bystander.email, PASSWORD)).status, 200);

      // The other way round: failures by e-mail (one above, two more) lock sign-in by username.
      for (let i = 0; i < 2; i++) assertError(await byEmail(other.email, 'not the password'), 401, 'INVALID_EMAIL_OR_PASSWORD');
      await rejected(s.db, () => signInUsername(s, { username: 'Target.Two', password: PASSWORD }), 401, 'INVALID_USERNAME_OR_PASSWORD');
      await rejected(s.db, () => byEmail(other.email, PASSWORD), 401, 'INVALID_EMAIL_OR_PASSWORD');
    });
  });

  test('failures below the limit by username and by e-mail add up; a success clears them', async () => {
    await withServer({ ...EDITS_DB, username: true, accountMaxFailures: 3 }, async (s) => {
      const u = await signUp(s, { username: 'Mixed.Up' });
      const byEmail = (password) => new Browser(s.api).post('/sign-in/email', { email: u.email, password });
      assertError(await signInUsername(s, { username: 'mixed.up', password: 'not the password' }), 401, 'INVALID_USERNAME_OR_PASSWORD');
      assertError(await byEmail('not the password'), 401, 'INVALID_EMAIL_OR_PASSWORD');
      assert.equal((await signInUsername(s, { username: 'mixed.up', password: PASSWORD })).status, 200, 'two failures: not throttled yet');
      // The success cleared them: two more are not enough either.
      assertError(await byEmail('not the password'), 401, 'INVALID_EMAIL_OR_PASSWORD');
      assertError(await signInUsername(s, { username: 'MIXED.UP', password: 'not the password' }), 401, 'INVALID_USERNAME_OR_PASSWORD');
      assert.equal((await byEmail(PASSWORD)).status, 200);
      // Three in a row, mixed: throttled.
      assertError(await signInUsername(s, { username: 'mixed.up', password: 'not the password' }), 401, 'INVALID_USERNAME_OR_PASSWORD');
      assertError(await byEmail('not the password'), 401, 'INVALID_EMAIL_OR_PASSWORD');
      assertError(await signInUsername(s, { username: 'Mixed.Up', password: 'not the password' }), 401, 'INVALID_USERNAME_OR_PASSWORD');
      await rejected(s.db, () => signInUsername(s, { username: 'mixed.up', password: PASSWORD }), 401, 'INVALID_USERNAME_OR_PASSWORD');
      await rejected(s.db, () => byEmail(PASSWORD), 401, 'INVALID_EMAIL_OR_PASSWORD');
    });
  });

  test('rate limit: is-username-available allows 10 per 10 s per IP; the 11th is 429 TOO_MANY_REQUESTS', async () => {
    await withServer({ ...EDITS_DB, username: true, rateLimit: true }, async (s) => {
      for (let i = 0; i < 10; i++) {
        const res = await available(s, `free.name${i}`);
        assert.equal(res.status, 200, `request ${i + 1}: ${JSON.stringify(res.body)}`);
        assert.deepEqual(res.body, { available: true });
      }
      const blocked = await available(s, 'free.name');
      assertError(blocked, 429, 'TOO_MANY_REQUESTS');
      assertError(await available(s, 'free.name'), 429, 'TOO_MANY_REQUESTS');
      // Other paths have their own counters.
      assert.equal((await rawRequest(`${s.api}/get-session`)).status, 200);
      const up = await new Browser(s.api).post('/sign-up/email', { name: 'R', email: freshEmail(), password: PASSWORD, username: 'Rate.Limited' });
      assert.equal(up.status, 200, JSON.stringify(up.body));
    });
  });
});

test('--min-username-length and --max-username-length set the lengths', async () => {
  await withServer({ ...EDITS_DB, username: true, minUsernameLength: 5, maxUsernameLength: 8 }, async (s) => {
    assertError(await available(s, 'abcd'), 422, 'USERNAME_TOO_SHORT');
    assertError(await available(s, 'abcdefghi'), 422, 'USERNAME_TOO_LONG');
    assert.deepEqual((await available(s, 'abcde')).body, { available: true });
    assert.deepEqual((await available(s, 'abcdefgh')).body, { available: true });
    await rejected(s.db, () => new Browser(s.api).post('/sign-up/email', { name: 'X', email: freshEmail(), password: PASSWORD, username: 'abc' }), 400, 'USERNAME_TOO_SHORT');
    const u = await signUp(s, { username: 'Abcdefgh' });
    assertUser(u.user, { username: 'abcdefgh' });
    assert.equal((await signInUsername(s, { username: 'abcdefgh', password: PASSWORD })).status, 200);
  });
});

// ---- BetterAuth's client ------------------------------------------------------------------------

test("BetterAuth's client with usernameClient(): sign-up with a username, signIn.username, isUsernameAvailable, updateUser", async () => {
  await withServer({ username: true }, async (s) => {
    const email = freshEmail('client');
    const { client: laptop, jar } = browserClient(s.url, { plugins: [usernameClient()] });
    const up = await laptop.signUp.email({ name: 'Ada Lovelace', email, password: PASSWORD, username: 'Ada.Client' });
    assert.equal(up.error, null, JSON.stringify(up.error));
    assert.match(up.data.token, ID);
    assert.equal(up.data.user.username, 'ada.client');
    assert.equal(up.data.user.displayUsername, 'Ada.Client');
    assert.ok(jar.has(SESSION_COOKIE));

    const { client: phone } = browserClient(s.url, { plugins: [usernameClient()] });
    const wrong = await phone.signIn.username({ username: 'ada.client', password: 'not the password' });
    assert.equal(wrong.data, null);
    assert.equal(wrong.error.status, 401);
    assert.equal(wrong.error.code, 'INVALID_USERNAME_OR_PASSWORD');
    assert.equal(wrong.error.message, 'Invalid username or password');
    const refused = await phone.signIn.username({ username: 'a!', password: PASSWORD });
    assert.equal(refused.error.status, 422);
    assert.equal(refused.error.code, 'USERNAME_TOO_SHORT');
    const inn = await phone.signIn.username({ username: 'ADA.CLIENT', password: PASSWORD });
    assert.equal(inn.error, null, JSON.stringify(inn.error));
    assert.equal(inn.data.redirect, false);
    assert.match(inn.data.token, ID);
    assert.equal(inn.data.user.id, up.data.user.id);
    assert.equal(inn.data.user.username, 'ada.client');
    const phoneSession = await phone.getSession();
    assert.equal(phoneSession.data.session.token, inn.data.token);
    assert.equal(phoneSession.data.user.displayUsername, 'Ada.Client');

    assert.deepEqual(await phone.isUsernameAvailable({ username: 'Ada.Client' }), { data: { available: false }, error: null });
    assert.deepEqual(await phone.isUsernameAvailable({ username: 'someone.else' }), { data: { available: true }, error: null });
    const bad = await phone.isUsernameAvailable({ username: 'with space' });
    assert.equal(bad.error.status, 422);
    assert.equal(bad.error.code, 'INVALID_USERNAME');

    const taken = await browserClient(s.url, { plugins: [usernameClient()] }).client.signUp.email({ name: 'B', email: freshEmail('client'), password: PASSWORD, username: 'ada.CLIENT' });
    assert.equal(taken.error.status, 400);
    assert.equal(taken.error.code, 'USERNAME_IS_ALREADY_TAKEN');

    assert.deepEqual(await laptop.updateUser({ username: 'Countess.Ada' }), { data: { status: true }, error: null });
    const after = await laptop.getSession();
    assert.equal(after.data.user.username, 'countess.ada');
    assert.equal((await phone.signIn.username({ username: 'countess.ada', password: PASSWORD })).error, null);
    assert.equal((await phone.signIn.username({ username: 'ada.client', password: PASSWORD })).error.code, 'INVALID_USERNAME_OR_PASSWORD');
    assert.deepEqual(await phone.isUsernameAvailable({ username: 'ada.client' }), { data: { available: true }, error: null });
    const clash = await phone.updateUser({ username: 'countess.ada', displayUsername: 'Countess Ada' });
    assert.deepEqual(clash, { data: { status: true }, error: null }, 'the same user: its own username');
    const other = await browserClient(s.url, { plugins: [usernameClient()] }).client;
    assert.equal((await other.signUp.email({ name: 'C', email: freshEmail('client'), password: PASSWORD })).error, null);
    const stolen = await other.updateUser({ username: 'Countess.Ada' });
    assert.equal(stolen.error.status, 400);
    assert.equal(stolen.error.code, 'USERNAME_IS_ALREADY_TAKEN');
  });
});

// ---- PostgreSQL ---------------------------------------------------------------------------------

/** One PostgreSQL row as an object. */
const pgRow = (url, statement) => {
  const out = psql(url, `SELECT row_to_json(t) FROM (${statement}) t`);
  return out ? JSON.parse(out) : undefined;
};

describe("on PostgreSQL: Portcullis's own database", { skip: !PG_URL && 'PORTCULLIS_TEST_POSTGRES is not set' }, () => {
  const name = `pc_username_${process.pid}`;
  const dbUrl = PG_URL && Object.assign(new URL(PG_URL), { pathname: `/${name}` }).toString();
  let pg;
  before(async () => {
    psql(PG_URL, `DROP DATABASE IF EXISTS ${name}`);
    psql(PG_URL, `CREATE DATABASE ${name}`);
    pg = await startServer({ username: true, database: dbUrl, sessionCacheTtl: 0 });
  });
  after(async () => {
    await pg?.stop();
    if (PG_URL) psql(PG_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
  const count = () => Number(psql(dbUrl, 'SELECT count(*) FROM "user"'));

  test('sign-up, sign-in by username, availability, update and uniqueness', async () => {
    const u = await signUp(pg, { username: 'Pg.User' });
    assertUser(u.user, { username: 'pg.user', displayUsername: 'Pg.User' });
    assert.deepEqual(pgRow(dbUrl, `SELECT "username", "displayUsername" FROM "user" WHERE "id" = '${u.id}'`), { username: 'pg.user', displayUsername: 'Pg.User' });
    const inn = await signInUsername(pg, { username: 'PG.USER', password: PASSWORD });
    assert.equal(inn.status, 200, JSON.stringify(inn.body));
    assert.deepEqual(inn.body.user, u.user);
    assertError(await signInUsername(pg, { username: 'pg.user', password: 'not the password' }), 401, 'INVALID_USERNAME_OR_PASSWORD');
    assertError(await signInUsername(pg, { username: 'nobody.here', password: PASSWORD }), 401, 'INVALID_USERNAME_OR_PASSWORD');
    assert.deepEqual((await available(pg, 'Pg.USER')).body, { available: false });
    assert.deepEqual((await available(pg, 'pg.other')).body, { available: true });

    const n = count();
    assertError(await new Browser(pg.api).post('/sign-up/email', { name: 'X', email: freshEmail(), password: PASSWORD, username: 'PG.user' }), 400, 'USERNAME_IS_ALREADY_TAKEN');
    assert.equal(count(), n, 'nothing is created');
    const only = await signUp(pg, { displayUsername: 'Pg Display' });
    assertUser(only.user, { username: null, displayUsername: 'Pg Display' });

    const other = await signUp(pg, { username: 'Pg.Other' });
    assertError(await other.browser.post('/update-user', { username: 'pg.USER' }), 400, 'USERNAME_IS_ALREADY_TAKEN');
    assert.equal((await other.browser.post('/update-user', { username: 'PG.OTHER' })).status, 200);
    assert.equal((await other.browser.post('/update-user', { username: 'Pg.Renamed', displayUsername: 'Renamed' })).status, 200);
    assertUser((await other.browser.get('/get-session')).body.user, { username: 'pg.renamed', displayUsername: 'Renamed' });
    assert.equal((await signInUsername(pg, { username: 'pg.renamed', password: PASSWORD })).status, 200);
    assert.deepEqual((await available(pg, 'pg.other')).body, { available: true });
  });
});

// Node 20 has no SQLite driver for BetterAuth here, so the shared database is PostgreSQL's.
describe('on a PostgreSQL database shared with BetterAuth and its username plugin', { skip: !PG_URL && 'PORTCULLIS_TEST_POSTGRES is not set' }, () => {
  let db;
  let auth;
  let pg;
  before(async () => {
    db = await betterAuthOnPostgres(PG_URL, `pc_username_ba_${process.pid}`, { plugins: [usernamePlugin()] });
    auth = db.auth;
    // scrypt: hashes BetterAuth verifies; no session cache, so BetterAuth's writes show at once.
    pg = await startServer({ database: db.dbUrl, username: true, passwordHash: 'scrypt', sessionCacheTtl: 0 });
  });
  after(async () => {
    await pg?.stop();
    await db?.drop();
  });

  test('a user BetterAuth signed up with a username signs in to Portcullis by username', async () => {
    const email = freshEmail('ba-made');
    const made = await auth.api.signUpEmail({ body: { name: 'Grace Hopper', email, password: PASSWORD, username: 'Grace.BA' } });
    assert.equal(made.user.username, 'grace.ba');
    assert.equal(made.user.displayUsername, 'Grace.BA');
    const browser = new Browser(pg.api);
    const inn = await browser.post('/sign-in/username', { username: 'GRACE.ba', password: PASSWORD });
    assert.equal(inn.status, 200, JSON.stringify(inn.body));
    assertUser(inn.body.user, { id: made.user.id, email, username: 'grace.ba', displayUsername: 'Grace.BA' });
    assertUser((await browser.get('/get-session')).body.user, { id: made.user.id, username: 'grace.ba', displayUsername: 'Grace.BA' });
    assertError(await signInUsername(pg, { username: 'grace.ba', password: 'not the password' }), 401, 'INVALID_USERNAME_OR_PASSWORD');
    // Taken on Portcullis too, in any case.
    assert.deepEqual((await available(pg, 'Grace.Ba')).body, { available: false });
    assertError(await new Browser(pg.api).post('/sign-up/email', { name: 'X', email: freshEmail(), password: PASSWORD, username: 'GRACE.BA' }), 400, 'USERNAME_IS_ALREADY_TAKEN');
    // BetterAuth's session for that sign-in is Portcullis's.
    const session = await auth.api.getSession({ headers: new Headers({ cookie: browser.cookieHeader() }) });
    assert.equal(session.user.id, made.user.id);
    assert.equal(session.user.username, 'grace.ba');
  });

  test('a user Portcullis signed up with a username signs in to BetterAuth by username', async () => {
    const u = await signUp(pg, { username: 'Ada.PC', displayUsername: 'Ada (Portcullis)' });
    assert.deepEqual(pgRow(db.dbUrl, `SELECT "username", "displayUsername" FROM "user" WHERE "id" = '${u.id}'`), { username: 'ada.pc', displayUsername: 'Ada (Portcullis)' });
    const inn = await auth.api.signInUsername({ body: { username: 'ADA.pc', password: PASSWORD } });
    assert.match(inn.token, ID);
    assert.equal(inn.user.id, u.id);
    assert.equal(inn.user.username, 'ada.pc');
    assert.equal(inn.user.displayUsername, 'Ada (Portcullis)');
    await assert.rejects(
      auth.api.signInUsername({ body: { username: 'ada.pc', password: 'not the password' } }),
      (e) => e.body?.code === 'INVALID_USERNAME_OR_PASSWORD',
    );
    assert.deepEqual(await auth.api.isUsernameAvailable({ body: { username: 'Ada.Pc' } }), { available: false });
    await assert.rejects(
      auth.api.signUpEmail({ body: { name: 'X', email: freshEmail(), password: PASSWORD, username: 'ADA.PC' } }),
      (e) => e.body?.code === 'USERNAME_IS_ALREADY_TAKEN',
    );
    // A username Portcullis changes is the one BetterAuth knows.
    assert.equal((await u.browser.post('/update-user', { username: 'Ada.Renamed' })).status, 200);
    assert.equal((await auth.api.signInUsername({ body: { username: 'ada.renamed', password: PASSWORD } })).user.id, u.id);
    await assert.rejects(
      auth.api.signInUsername({ body: { username: 'ada.pc', password: PASSWORD } }),
      (e) => e.body?.code === 'INVALID_USERNAME_OR_PASSWORD',
    );
    // And one BetterAuth changes is the one Portcullis knows.
    const headers = new Headers({ cookie: u.browser.cookieHeader() });
    await auth.api.updateUser({ body: { username: 'Ada.BA.Renamed' }, headers });
    const again = await signInUsername(pg, { username: 'ada.ba.renamed', password: PASSWORD });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.user.id, u.id);
  });
});

test("with --admin too: an administrator's update-user sets a user's username (taken: USERNAME_IS_ALREADY_TAKEN), which then signs in", async () => {
  await withServer({ username: true, admin: true }, async (server) => {
    const admin = new Browser(server.api);
    const adminEmail = freshEmail('admin');
    assert.equal((await admin.post('/sign-up/email', { name: 'Admin', email: adminEmail, password: PASSWORD })).status, 200);
    const made = spawnSync(BIN, ['user', 'set-role', '--email', adminEmail, '--role', 'admin', '--database', server.db]);
    assert.equal(made.status, 0, String(made.stderr));
    const user = new Browser(server.api);
    const signedUp = await user.post('/sign-up/email', { name: 'Ada', email: freshEmail(), password: PASSWORD, username: 'Ada.Taken' });
    assert.equal(signedUp.status, 200, JSON.stringify(signedUp.body));
    const other = await new Browser(server.api).post('/sign-up/email', { name: 'Bob', email: freshEmail(), password: PASSWORD });
    assert.equal(other.status, 200, JSON.stringify(other.body));

    const taken = await admin.post('/admin/update-user', { userId: other.body.user.id, data: { username: 'ADA.TAKEN' } });
    assertError(taken, 400, 'USERNAME_IS_ALREADY_TAKEN');
    const refused = await admin.post('/admin/update-user', { userId: other.body.user.id, data: { username: 'b' } });
    assertError(refused, 400, 'USERNAME_TOO_SHORT');

    const set = await admin.post('/admin/update-user', { userId: other.body.user.id, data: { username: 'Bob.Builder' } });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.equal(set.body.username, 'bob.builder');
    assert.equal(set.body.displayUsername, null, 'only the username was set');
    const signIn = await new Browser(server.api).post('/sign-in/username', { username: 'bob.BUILDER', password: PASSWORD });
    assert.equal(signIn.status, 200, JSON.stringify(signIn.body));
    assert.equal(signIn.body.user.id, other.body.user.id);
  });
});

test("usernames given by an administrator: the command line's user create --username, and admin create-user's data.username", async () => {
  await withServer({ username: true, admin: true, ...EDITS_DB }, async (server) => {
    const made = spawnSync(BIN, ['user', 'create', '--email', 'cli-made@example.com', '--name', 'Cli', '--username', 'Cli.Made',
      '--database', server.db], { input: `${PASSWORD}\n`, encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    const line = JSON.parse(made.stdout);
    assert.equal(line.username, 'cli.made');
    const again = spawnSync(BIN, ['user', 'create', '--email', 'cli-other@example.com', '--username', 'CLI.MADE',
      '--database', server.db], { input: `${PASSWORD}\n`, encoding: 'utf8' });
    assert.notEqual(again.status, 0);
    assert.match(again.stderr, /USERNAME_IS_ALREADY_TAKEN/);
    const cliSignIn = await new Browser(server.api).post('/sign-in/username', { username: 'cli.made', password: PASSWORD });
    assert.equal(cliSignIn.status, 200, JSON.stringify(cliSignIn.body));
    assert.equal(cliSignIn.body.user.displayUsername, 'Cli.Made');

    const admin = new Browser(server.api);
    const adminEmail = freshEmail('admin');
    assert.equal((await admin.post('/sign-up/email', { name: 'Admin', email: adminEmail, password: PASSWORD })).status, 200);
    assert.equal(spawnSync(BIN, ['user', 'set-role', '--email', adminEmail, '--role', 'admin', '--database', server.db]).status, 0);
    const taken = await admin.post('/admin/create-user', {
      email: freshEmail(), password: PASSWORD, name: 'Taken', data: { username: 'cli.MADE' },
    });
    assertError(taken, 400, 'USERNAME_IS_ALREADY_TAKEN');
    const created = await admin.post('/admin/create-user', {
      email: freshEmail(), password: PASSWORD, name: 'Grace', data: { username: 'Grace.H', displayUsername: 'Grace Hopper' },
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    assert.equal(created.body.user.username, 'grace.h');
    assert.equal(created.body.user.displayUsername, 'Grace Hopper');
    const signIn = await new Browser(server.api).post('/sign-in/username', { username: 'GRACE.h', password: PASSWORD });
    assert.equal(signIn.status, 200, JSON.stringify(signIn.body));
  });
});
