// Sign-in links by mail (--magic-link): BetterAuth 1.7's magic-link plugin, as a user and
// BetterAuth's own client see it. POST /sign-in/magic-link mails a link (read from the outbox as a
// user reads their mail) to an existing user, or to a new address while sign-up is open; following
// it (GET /magic-link/verify) signs in once, creating the account for a new address, and redirects
// to the callbackURL (newUserCallbackURL for a new account; errors go to errorCallbackURL with
// ?error=CODE); without a callbackURL it answers {token, user, session}. The token is stored as
// BetterAuth's storeToken "hashed" does, under "magic-link:<SHA-256, base64url>", and lasts
// --magic-link-expires-in seconds; an address gets at most 5 links per 15 minutes. Mail is sent by
// a background queue: the tests wait for the outbox file, never for a fixed time, and show that NO
// mail was sent with a later mail as a barrier (the queue delivers in order). On PostgreSQL, a
// BetterAuth server with magicLink({storeToken: "hashed"}) on the same database takes
// Portcullis's links and the other way round.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';

import { magicLink } from 'better-auth/plugins';
import { magicLinkClient } from 'better-auth/client/plugins';

import { betterAuthOnPostgres, browserClient, psql } from '../support/betterauth.mjs';
import { keyOfURI as keyOf, totp } from '../support/totp.mjs';
import { applySetCookies, BIN, Browser, expectMail, mailsTo, sql, startServer, waitFor, withServer } from '../support/server.mjs';
import { errorAsserter } from '../support/assert.mjs';

// The tests read and edit the database behind the server's back, and `portcullis user ban`
// writes it: no session cache, so the server sees such writes at once.
const EDITS_DB = { sessionCacheTtl: 0 };
const APP = 'https://app.example.com';
const LINKS = { ...EDITS_DB, magicLink: true, mail: 'outbox', trustedOrigins: [APP] };
const PG_URL = process.env.PORTCULLIS_TEST_POSTGRES;

const PASSWORD = 'sign-in links test passphrase';
const ID = /^[A-Za-z0-9]{32}$/;
const USER_KEYS = ['createdAt', 'email', 'emailVerified', 'id', 'image', 'name', 'updatedAt'];
const COOKIE = 'better-auth.session_token';
const CHALLENGE = 'better-auth.two_factor';
const TRUST = 'better-auth.trust_device';
const KIND = 'magic-link';

// The messages of the codes these tests meet (BetterAuth's wording).
const MESSAGES = {
  INVALID_CALLBACK_URL: 'Invalid callbackURL',
  INVALID_NEW_USER_CALLBACK_URL: 'Invalid newUserCallbackURL',
  INVALID_ERROR_CALLBACK_URL: 'Invalid errorCallbackURL',
  INVALID_EMAIL_OR_PASSWORD: 'Invalid email or password',
  TOO_MANY_REQUESTS: 'Too many requests. Please try again later.',
};

// Callback URLs no link may lead to (--trusted-origins holds APP only).
const UNTRUSTED = [
  'https://evil.example.com/next',
  '//evil.example.com/next',
  'http://app.example.com/next',
  'https://app.example.com.evil.example.com/',
  'javascript:alert(1)',
  '/\\evil.example.com',
];
// Each URL field, with the code that refuses it.
const URL_FIELDS = [
  ['callbackURL', 'INVALID_CALLBACK_URL'],
  ['newUserCallbackURL', 'INVALID_NEW_USER_CALLBACK_URL'],
  ['errorCallbackURL', 'INVALID_ERROR_CALLBACK_URL'],
];

let counter = 0;
const freshEmail = (tag = 'user') => `mlink-${tag}-${++counter}-${process.pid.toString(36)}@example.com`;

/** Asserts an error answer: status, code, and the catalogue's message. */
const assertError = errorAsserter(MESSAGES);

/** The link of a mail (a URL), checking its form: the verify route, a 32-character token, in the text too. */
function linkIn(s, mail) {
  assert.equal(mail.kind, KIND);
  assert.ok(mail.text.includes(mail.link), `the text holds the link: ${mail.text}`);
  const link = new URL(mail.link);
  assert.equal(`${link.origin}${link.pathname}`, `${s.api}/magic-link/verify`);
  assert.match(link.searchParams.get('token'), ID);
  return link;
}

const send = (s, body, browser = new Browser(s.api)) => browser.post('/sign-in/magic-link', body);

/** Asks for a link for `email` (with the other fields of `extra`) and returns it, as read from the mail. */
async function sendLink(s, email, extra = {}, browser) {
  const { mail, result } = await expectMail(s, email.toLowerCase(), KIND, () => send(s, { email, ...extra }, browser));
  assert.equal(result.status, 200, JSON.stringify(result.body));
  assert.equal(JSON.stringify(result.body), '{"status":true}');
  return linkIn(s, mail);
}

/**
 * Follows a link (a URL or its text) in `browser`, which keeps the cookies it sets: the link's
 * query against the browser's server (so a link mailed by another server, or edited, works too).
 * Resolves to {status, body, headers, location}.
 */
async function follow(browser, link) {
  const res = await browser.get(`/magic-link/verify${new URL(link).search}`);
  return { ...res, location: res.headers.get('location') };
}

/** The link with its query `changes` applied (a value of undefined removes the parameter). */
function edited(link, changes) {
  const url = new URL(link);
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) url.searchParams.delete(key);
    else url.searchParams.set(key, value);
  }
  return url;
}

/** Asserts an error redirect: 302 to `location`, no cookie set. */
function assertErrorRedirect(res, location) {
  assert.equal(res.status, 302, `a redirect expected, got ${res.status} ${JSON.stringify(res.body)}`);
  assert.equal(res.location, location);
  assert.deepEqual(res.headers.getSetCookie(), [], 'no cookie on an error');
}

/** Asserts a signed-in redirect to `location`: 302 and the session cookie (a week, HttpOnly). */
function assertSignedInRedirect(res, location) {
  assert.equal(res.status, 302, `a redirect expected, got ${res.status} ${JSON.stringify(res.body)}`);
  assert.equal(res.location, location);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${COOKIE}=`));
  assert.ok(cookie && /Max-Age=604800/.test(cookie) && /HttpOnly/.test(cookie), `the session cookie: ${res.headers.getSetCookie()}`);
}

/** Runs `portcullis user <args>` on `database`; `input` goes to its standard input. */
const cli = (database, args, input) =>
  spawnSync(BIN, ['user', ...args, '--database', database], { encoding: 'utf8', input });

/** Creates a user with the command line (which works with sign-up off, and on PostgreSQL). */
function cliUser(s, { email = freshEmail('cli'), verified = false, name = 'Cli User' } = {}) {
  const made = cli(s.db, ['create', '--email', email, '--name', name, ...(verified ? ['--verified'] : [])], `${PASSWORD}\n`);
  assert.equal(made.status, 0, made.stderr);
  return { email, id: JSON.parse(made.stdout).id };
}

/** Waits until every mail queued so far is written: queues one more and waits for it. */
const barriers = new WeakMap();
async function drainMail(s) {
  if (!barriers.has(s)) barriers.set(s, cliUser(s, { email: freshEmail('barrier') }).email);
  const email = barriers.get(s);
  await expectMail(s, email, 'reset-password', () => new Browser(s.api).post('/request-password-reset', { email }));
}

/** Signs a new user up (with a password, the address not verified) in a new browser. */
async function signUp(s, { email = freshEmail(), name = 'Ada Lovelace', password = PASSWORD } = {}) {
  const browser = new Browser(s.api);
  const res = await browser.post('/sign-up/email', { name, email, password });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return { browser, email, id: res.body.user.id, user: res.body.user, token: res.body.token };
}

/** A user whose address is verified, with a password, signed in with it in a new browser. */
async function verifiedUser(s, name) {
  const u = cliUser(s, { verified: true, name });
  const browser = new Browser(s.api);
  const res = await browser.post('/sign-in/email', { email: u.email, password: PASSWORD });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return { ...u, browser, token: res.body.token };
}

const session = async (browser) => (await browser.get('/get-session')).body;
const signInByPassword = (s, email, password) => new Browser(s.api).post('/sign-in/email', { email, password });

/** BetterAuth's storeToken "hashed": SHA-256, base64url without padding. */
const hashOf = (token) => createHash('sha256').update(token).digest('base64url');
const tokenOf = (link) => new URL(link).searchParams.get('token');
/** SQLite: the stored row of a link. */
const linkRows = (s, link) =>
  sql(s.db, `select "value", "expiresAt", "createdAt" from "verification" where "identifier" = 'magic-link:${hashOf(tokenOf(link))}'`);
const usersWith = (s, email) => sql(s.db, `select "id" from "user" where "email" = '${email}'`);
const sessionsOf = (s, id) => sql(s.db, `select count(*) as n from "session" where "userId" = '${id}'`)[0].n;
/** SQLite: the user's credential accounts that hold a password. */
const passwords = (s, id) =>
  sql(s.db, `select count(*) as n from "account" where "userId" = '${id}' and "providerId" = 'credential' and "password" is not null`)[0].n;

const lines = (s) => s.logs.map((l) => JSON.parse(l));
/**
 * The audit events of the request that got `res` (by its X-Request-Id), without time and id. The
 * log reaches the test through a pipe, possibly after the answer: this waits for the request's
 * own line, which the server writes after the request's audit lines.
 */
async function auditOf(s, res) {
  const rid = res.headers.get('x-request-id');
  await waitFor(() => lines(s).some((l) => l.msg === 'request' && l.id === rid), { what: `the log line of request ${rid}` });
  return lines(s)
    .filter((l) => l.msg === 'auth' && l.id === rid)
    .map(({ time, id, msg, ...rest }) => rest);
}

// ---------------------------------------------------------------------------------------------

test('without --magic-link both routes are 404; --magic-link needs mail (serve and check-config refuse without)', async () => {
  await withServer({ mail: 'outbox' }, async (s) => {
    const sent = await send(s, { email: 'someone@example.com' });
    assert.equal(sent.status, 404);
    assert.equal(sent.body, '');
    const followed = await new Browser(s.api).get(`/magic-link/verify?token=${'a'.repeat(32)}&callbackURL=%2F`);
    assert.equal(followed.status, 404);
    assert.equal(followed.body, '');
    assert.equal(followed.headers.get('location'), null);
  });
  const checked = spawnSync(BIN, ['check-config', '--dev', '--magic-link', 'true'], { encoding: 'utf8' });
  assert.notEqual(checked.status, 0);
  assert.match(checked.stderr, /magicLink/);
  const fine = spawnSync(BIN, ['check-config', '--dev', '--magic-link', 'true', '--mail', 'outbox'], { encoding: 'utf8' });
  assert.equal(fine.status, 0, fine.stderr);
  const refused = await startServer({ magicLink: true }).then(
    async (s) => {
      await s.stop();
      return null;
    },
    (e) => e,
  );
  assert.ok(refused, 'serve refuses --magic-link without mail');
  assert.match(refused.message, /magicLink/);
});

describe('with --magic-link', () => {
  let server;
  before(async () => {
    server = await startServer(LINKS);
  });
  after(async () => {
    await server.stop();
  });

  describe('POST /sign-in/magic-link', () => {
    test('an existing user: {"status":true} and a mail with the link (token, callbackURL "/"), stored hashed for five minutes', async () => {
      const u = await signUp(server, { name: 'Grace Hopper' });
      // The address in capitals: the mail goes to the account's (lower-case) address.
      const { mail, result } = await expectMail(server, u.email, KIND, () => send(server, { email: u.email.toUpperCase() }));
      assert.equal(result.status, 200, JSON.stringify(result.body));
      assert.equal(JSON.stringify(result.body), '{"status":true}');
      assert.deepEqual(result.headers.getSetCookie(), []);
      assert.equal(mail.to, u.email);
      assert.equal(mail.subject, 'Sign in to Portcullis');
      const link = linkIn(server, mail);
      assert.deepEqual([...link.searchParams.keys()], ['token', 'callbackURL'], 'only the given URLs are in the link');
      assert.equal(link.searchParams.get('callbackURL'), '/');

      const rows = linkRows(server, link);
      assert.equal(rows.length, 1, 'stored under "magic-link:" and the hash of the token');
      assert.deepEqual(JSON.parse(rows[0].value), { type: 'magic-link', email: u.email });
      assert.equal(new Date(rows[0].expiresAt) - new Date(rows[0].createdAt), 300 * 1000, 'five minutes by default');
      assert.equal(sql(server.db, `select count(*) as n from "verification" where "identifier" like '%${tokenOf(link)}%' or "value" like '%${tokenOf(link)}%'`)[0].n, 0, 'the token itself is stored nowhere');
      await auditOf(server, result); // (its log lines are in)
      assert.ok(!server.logs.join('\n').includes(u.email), 'the log never holds the address');
    });

    test('the URLs given are in the link as given, each only when given; the name is stored for a new account', async () => {
      const email = freshEmail('urls');
      const link = await sendLink(server, email, {
        name: 'Dorothy Vaughan',
        callbackURL: '/dashboard?tab=1',
        newUserCallbackURL: `${APP}/welcome`,
        errorCallbackURL: `${server.url}/sign-in`,
        metadata: { from: 'landing page' },
      });
      assert.deepEqual(Object.fromEntries(link.searchParams), {
        token: tokenOf(link),
        callbackURL: '/dashboard?tab=1',
        newUserCallbackURL: `${APP}/welcome`,
        errorCallbackURL: `${server.url}/sign-in`,
      });
      assert.deepEqual(JSON.parse(linkRows(server, link)[0].value), { type: 'magic-link', email, name: 'Dorothy Vaughan' });

      const only = await sendLink(server, freshEmail('urls'), { errorCallbackURL: '/oops' });
      assert.deepEqual([...only.searchParams.keys()], ['token', 'callbackURL', 'errorCallbackURL']);
      assert.equal(only.searchParams.get('callbackURL'), '/');
      const other = await sendLink(server, freshEmail('urls'), { newUserCallbackURL: '/hello' });
      assert.deepEqual([...other.searchParams.keys()], ['token', 'callbackURL', 'newUserCallbackURL']);
      assert.notEqual(tokenOf(only), tokenOf(other), 'a new token each time');
    });

    test('a new address while sign-up is open: the same answer and a link; nothing is made until it is followed', async () => {
      const email = freshEmail('newcomer');
      const { mail, result } = await expectMail(server, email, KIND, () => send(server, { email }));
      assert.equal(JSON.stringify(result.body), '{"status":true}');
      assert.equal(mail.to, email);
      assert.equal(mail.subject, 'Sign in to Portcullis');
      linkIn(server, mail);
      assert.deepEqual(usersWith(server, email), [], 'no account before the link is followed');
    });

    test('untrusted callbackURL, newUserCallbackURL or errorCallbackURL: 403 with its code, no mail, nothing stored', async () => {
      const u = await signUp(server);
      const before = sql(server.db, `select count(*) as n from "verification" where "identifier" like 'magic-link:%'`)[0].n;
      for (const [field, code] of URL_FIELDS) {
        for (const url of UNTRUSTED) {
          const res = await send(server, { email: u.email, [field]: url });
          assertError(res, 403, code);
          assert.deepEqual(res.headers.getSetCookie(), []);
        }
      }
      // One bad URL among good ones is enough.
      assertError(await send(server, { email: u.email, callbackURL: '/fine', errorCallbackURL: UNTRUSTED[0] }), 403, 'INVALID_ERROR_CALLBACK_URL');
      assert.equal(sql(server.db, `select count(*) as n from "verification" where "identifier" like 'magic-link:%'`)[0].n, before);
      await drainMail(server);
      assert.deepEqual(mailsTo(server, u.email), [], 'nothing was mailed');

      // Trusted: relative paths, the server's own origin, --trusted-origins.
      for (const url of ['/next', '/next?step=2', `${server.url}/next`, `${APP}/next`]) {
        const link = await sendLink(server, u.email, { callbackURL: url, newUserCallbackURL: url, errorCallbackURL: url });
        assert.equal(link.searchParams.get('callbackURL'), url);
      }
    });

    test('bad input: 400 VALIDATION_ERROR (a bad address, wrong types, unknown fields); no mail', async () => {
      const u = await signUp(server);
      for (const email of ['not-an-address', 'two@@example.com', '']) {
        const res = await send(server, { email });
        assertError(res, 400, 'VALIDATION_ERROR');
        assert.equal(res.body.message, '[body.email] Invalid email address');
      }
      for (const body of [
        {},
        { email: 42 },
        { email: [u.email] },
        { email: u.email, name: 7 },
        { email: u.email, callbackURL: 5 },
        { email: u.email, newUserCallbackURL: true },
        { email: u.email, errorCallbackURL: {} },
        { email: u.email, extra: 1 },
        { email: u.email, token: 'a'.repeat(32) },
      ]) {
        assertError(await send(server, body), 400, 'VALIDATION_ERROR');
      }
      // A new account's name is checked when the link is asked for, not when it is followed.
      const newcomer = freshEmail('named');
      assertError(await send(server, { email: newcomer, name: 'n'.repeat(129) }), 400, 'NAME_TOO_LONG');
      await drainMail(server);
      assert.deepEqual(mailsTo(server, u.email), [], 'nothing was mailed');
      assert.deepEqual(mailsTo(server, newcomer), [], 'nothing was mailed to the new address');
    });

    test('at most 5 links per address in 15 minutes, account or not: the 6th is 429 TOO_MANY_REQUESTS; refused requests do not count', async () => {
      const u = await verifiedUser(server);
      // Refused before anything is sent: not counted.
      for (let i = 0; i < 3; i++) assertError(await send(server, { email: u.email, callbackURL: UNTRUSTED[i] }), 403, 'INVALID_CALLBACK_URL');
      const links = [];
      for (let i = 0; i < 5; i++) {
        // The address in any case is the same address, whoever asks.
        links.push(await sendLink(server, i % 2 ? u.email.toUpperCase() : u.email));
      }
      assertError(await send(server, { email: u.email }), 429, 'TOO_MANY_REQUESTS');
      assertError(await send(server, { email: u.email.toUpperCase(), callbackURL: '/again' }), 429, 'TOO_MANY_REQUESTS');
      // Another address has its own five.
      const other = await verifiedUser(server);
      await sendLink(server, other.email);
      await drainMail(server);
      assert.equal(mailsTo(server, u.email, KIND).length, 5, 'no sixth mail');
      // The links already mailed still work (each once).
      for (const link of [links[4], links[0]]) {
        const browser = new Browser(server.api);
        assertSignedInRedirect(await follow(browser, link), `${server.url}/`);
        assert.equal((await session(browser)).user.id, u.id);
      }

      // A new address with sign-up open: mailed five times, then refused.
      const newcomer = freshEmail('counted-new');
      for (let i = 0; i < 5; i++) await sendLink(server, newcomer);
      assertError(await send(server, { email: newcomer }), 429, 'TOO_MANY_REQUESTS');
      await drainMail(server);
      assert.equal(mailsTo(server, newcomer).length, 5);
    });
  });

  describe('GET /magic-link/verify', () => {
    test('a new address: redirected to callbackURL signed in; the account is verified, named as asked, without a password', async () => {
      const email = freshEmail('joiner');
      const link = await sendLink(server, email.toUpperCase(), { name: 'Katherine Johnson', callbackURL: '/dashboard' });
      const browser = new Browser(server.api);
      const res = await follow(browser, link);
      assertSignedInRedirect(res, `${server.url}/dashboard`);
      assert.equal(res.body, '');
      const now = await session(browser);
      assert.deepEqual(Object.keys(now.user).sort(), USER_KEYS);
      assert.match(now.user.id, ID);
      assert.equal(now.user.email, email);
      assert.equal(now.user.name, 'Katherine Johnson');
      assert.equal(now.user.emailVerified, true);
      assert.equal(now.user.image, null);
      assert.ok(decodeURIComponent(browser.jar.get(COOKIE)).startsWith(`${now.session.token}.`));
      assert.equal(passwords(server, now.user.id), 0, 'no password');
      assertError(await signInByPassword(server, email, PASSWORD), 401, 'INVALID_EMAIL_OR_PASSWORD');
      // Signing up with a password for that address now: taken.
      const up = await new Browser(server.api).post('/sign-up/email', { name: 'Other', email, password: PASSWORD });
      assert.equal(up.status, 422);
    });

    test('a new address without a name: name ""; without newUserCallbackURL it goes to callbackURL, with it there', async () => {
      const email = freshEmail('nameless');
      const browser = new Browser(server.api);
      assertSignedInRedirect(await follow(browser, await sendLink(server, email, { callbackURL: '/home' })), `${server.url}/home`);
      assert.equal((await session(browser)).user.name, '');

      const joiner = freshEmail('welcomed');
      const link = await sendLink(server, joiner, { callbackURL: '/home', newUserCallbackURL: '/welcome?first=1' });
      const phone = new Browser(server.api);
      assertSignedInRedirect(await follow(phone, link), `${server.url}/welcome?first=1`);
      assert.equal((await session(phone)).user.email, joiner);
      // The next link, the account made: callbackURL.
      const again = await sendLink(server, joiner, { callbackURL: '/home', newUserCallbackURL: '/welcome?first=1' });
      assertSignedInRedirect(await follow(new Browser(server.api), again), `${server.url}/home`);
      // An absolute newUserCallbackURL on a trusted origin.
      const third = freshEmail('welcomed');
      assertSignedInRedirect(await follow(new Browser(server.api), await sendLink(server, third, { newUserCallbackURL: `${APP}/welcome` })), `${APP}/welcome`);
    });

    test('an existing verified user: signed in (the name given is ignored); the password and the other sessions stay', async () => {
      const u = await verifiedUser(server, 'Mary Jackson');
      const link = await sendLink(server, u.email, { name: 'Someone Else', callbackURL: `${APP}/in`, newUserCallbackURL: '/welcome' });
      assert.deepEqual(JSON.parse(linkRows(server, link)[0].value), { type: 'magic-link', email: u.email, name: 'Someone Else' });
      const browser = new Browser(server.api);
      assertSignedInRedirect(await follow(browser, link), `${APP}/in`);
      const now = await session(browser);
      assert.equal(now.user.id, u.id);
      assert.equal(now.user.name, 'Mary Jackson', 'the name given is for new accounts only');
      assert.notEqual(now.session.token, u.token);
      assert.equal((await session(u.browser)).user.id, u.id, 'the password sign-in stays');
      assert.equal((await signInByPassword(server, u.email, PASSWORD)).status, 200, 'the password stays');
    });

    test('without callbackURL: 200 {token, user, session} and the cookie', async () => {
      const u = await verifiedUser(server);
      const link = edited(await sendLink(server, u.email), { callbackURL: undefined });
      const browser = new Browser(server.api);
      const res = await follow(browser, link);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.location, null);
      assert.deepEqual(Object.keys(res.body), ['token', 'user', 'session']);
      assert.match(res.body.token, ID);
      assert.deepEqual(Object.keys(res.body.user).sort(), USER_KEYS);
      assert.equal(res.body.user.id, u.id);
      assert.equal(res.body.user.email, u.email);
      assert.equal(res.body.user.emailVerified, true);
      assert.equal(res.body.session.token, res.body.token);
      assert.equal(res.body.session.userId, u.id);
      assert.ok(decodeURIComponent(browser.jar.get(COOKIE)).startsWith(`${res.body.token}.`), 'the session cookie');
      const now = await session(browser);
      assert.equal(now.session.token, res.body.token);
      assert.deepEqual(now.user, res.body.user);

      // A new account the same way.
      const email = freshEmail('json');
      const joined = await follow(new Browser(server.api), edited(await sendLink(server, email, { name: 'Json User', newUserCallbackURL: '/welcome' }), { callbackURL: undefined }));
      assert.equal(joined.status, 200, JSON.stringify(joined.body));
      assert.equal(joined.body.user.email, email);
      assert.equal(joined.body.user.name, 'Json User');
      assert.equal(joined.body.user.emailVerified, true);
    });

    test('a link works once: the second use redirects with error=INVALID_TOKEN (to errorCallbackURL, else callbackURL, else /)', async () => {
      const u = await verifiedUser(server);
      const link = await sendLink(server, u.email, { callbackURL: '/dashboard' });
      const browser = new Browser(server.api);
      assertSignedInRedirect(await follow(browser, link), `${server.url}/dashboard`);
      assert.equal(linkRows(server, link).length, 0, 'used up');

      const stranger = new Browser(server.api);
      assertErrorRedirect(await follow(stranger, link), `${server.url}/dashboard?error=INVALID_TOKEN`);
      assert.equal(await session(stranger), null);
      // The same used token, with other URLs: each error goes where the link says.
      assertErrorRedirect(await follow(stranger, edited(link, { errorCallbackURL: '/sign-in' })), `${server.url}/sign-in?error=INVALID_TOKEN`);
      assertErrorRedirect(await follow(stranger, edited(link, { errorCallbackURL: `${APP}/oops?from=mail` })), `${APP}/oops?from=mail&error=INVALID_TOKEN`);
      assertErrorRedirect(await follow(stranger, edited(link, { callbackURL: '/list?page=2' })), `${server.url}/list?page=2&error=INVALID_TOKEN`);
      assertErrorRedirect(await follow(stranger, edited(link, { callbackURL: undefined })), `${server.url}/?error=INVALID_TOKEN`);
      assert.equal(await session(stranger), null);
      assert.equal((await session(browser)).user.id, u.id, 'the first use stays signed in');
    });

    test('an unknown or altered token: error=INVALID_TOKEN, no cookie, no account', async () => {
      const email = freshEmail('altered');
      const link = await sendLink(server, email, { errorCallbackURL: '/sign-in' });
      const token = tokenOf(link);
      const flipped = token.slice(0, -1) + (token.endsWith('a') ? 'b' : 'a');
      for (const other of [flipped, token.slice(0, 31), `${token}x`, token.toLowerCase() === token ? token.toUpperCase() : token.toLowerCase(), hashOf(token), '']) {
        assertErrorRedirect(await follow(new Browser(server.api), edited(link, { token: other })), `${server.url}/sign-in?error=INVALID_TOKEN`);
      }
      assert.deepEqual(usersWith(server, email), []);
      // The right token still works.
      assertSignedInRedirect(await follow(new Browser(server.api), link), `${server.url}/`);
      assert.equal(usersWith(server, email).length, 1);
    });

    test('untrusted URLs in the link: JSON 403 with its code, no redirect, no cookie; the link stays usable', async () => {
      const u = await verifiedUser(server);
      const link = await sendLink(server, u.email, { callbackURL: '/dashboard' });
      const browser = new Browser(server.api);
      for (const [field, code] of URL_FIELDS) {
        for (const url of UNTRUSTED) {
          const res = await follow(browser, edited(link, { [field]: url }));
          assertError(res, 403, code);
          assert.equal(res.location, null, 'no redirect');
          assert.deepEqual(res.headers.getSetCookie(), []);
        }
      }
      // Also for a token that is no good: the URL is refused, not redirected to.
      assertError(await follow(browser, edited(link, { token: 'x'.repeat(32), errorCallbackURL: UNTRUSTED[0] })), 403, 'INVALID_ERROR_CALLBACK_URL');
      assert.equal(await session(browser), null);
      assert.equal(linkRows(server, link).length, 1, 'not used');
      assertSignedInRedirect(await follow(browser, link), `${server.url}/dashboard`);
      assert.equal((await session(browser)).user.id, u.id);
    });

    test('an existing user whose address was not verified: the password and old sessions are removed, the address verified', async () => {
      const u = await signUp(server);
      const phone = new Browser(server.api);
      assert.equal((await phone.post('/sign-in/email', { email: u.email, password: PASSWORD })).status, 200);
      assert.equal(passwords(server, u.id), 1);
      const link = await sendLink(server, u.email, { callbackURL: '/dashboard', newUserCallbackURL: '/welcome' });
      const browser = new Browser(server.api);
      assertSignedInRedirect(await follow(browser, link), `${server.url}/dashboard`);
      const now = await session(browser);
      assert.equal(now.user.id, u.id);
      assert.equal(now.user.emailVerified, true);
      assert.equal(await session(u.browser), null, 'the sign-up session ended');
      assert.equal(await session(phone), null, 'the password sign-in ended');
      assert.equal(sessionsOf(server, u.id), 1, 'only the new one');
      assertError(await signInByPassword(server, u.email, PASSWORD), 401, 'INVALID_EMAIL_OR_PASSWORD');
      assert.equal(passwords(server, u.id), 0);
    });

    test('a banned user: redirected with error=BANNED_USER and no session; after unban a new link signs in', async () => {
      const u = await verifiedUser(server);
      const link = await sendLink(server, u.email, { callbackURL: '/dashboard' });
      const errorLink = await sendLink(server, u.email, { callbackURL: '/dashboard', errorCallbackURL: '/banned' });
      const banned = cli(server.db, ['ban', '--email', u.email, '--reason', 'spam']);
      assert.equal(banned.status, 0, banned.stderr);
      assert.equal(await session(u.browser), null, 'the ban ended the sessions');
      const browser = new Browser(server.api);
      assertErrorRedirect(await follow(browser, link), `${server.url}/dashboard?error=BANNED_USER`);
      assertErrorRedirect(await follow(browser, errorLink), `${server.url}/banned?error=BANNED_USER`);
      assert.equal(await session(browser), null);
      assert.equal(sessionsOf(server, u.id), 0);
      // A link mailed while banned fails the same way.
      assertErrorRedirect(await follow(browser, edited(await sendLink(server, u.email), { callbackURL: undefined })), `${server.url}/?error=BANNED_USER`);

      assert.equal(cli(server.db, ['unban', '--email', u.email]).status, 0);
      assertErrorRedirect(await follow(browser, link), `${server.url}/dashboard?error=INVALID_TOKEN`);
      assertSignedInRedirect(await follow(browser, await sendLink(server, u.email, { callbackURL: '/dashboard' })), `${server.url}/dashboard`);
      assert.equal((await session(browser)).user.id, u.id);
    });

    test('a link followed many times at the same moment: one sign-in, one account, one session', async () => {
      const email = freshEmail('race');
      const link = await sendLink(server, email, { callbackURL: '/in', errorCallbackURL: '/out' });
      const results = await Promise.all(Array.from({ length: 10 }, () => follow(new Browser(server.api), link)));
      const ok = results.filter((r) => r.location === `${server.url}/in`);
      assert.equal(ok.length, 1, `redirects: ${results.map((r) => `${r.status} ${r.location}`)}`);
      for (const r of results.filter((r) => r !== ok[0])) assertErrorRedirect(r, `${server.url}/out?error=INVALID_TOKEN`);
      const [{ id }] = usersWith(server, email);
      assert.equal(usersWith(server, email).length, 1);
      assert.equal(sessionsOf(server, id), 1);
    });

    test('the audit log: "sign-up" then "sign-in", method "magic-link", for a new account; "sign-in" after; never the address or the token', async () => {
      const email = freshEmail('audited');
      const first = await sendLink(server, email);
      const up = await follow(new Browser(server.api), first);
      assert.equal(up.status, 302);
      const [{ id }] = usersWith(server, email);
      const ip = '127.0.0.1';
      assert.deepEqual(await auditOf(server, up), [
        { event: 'sign-up', user: id, ip, method: 'magic-link' },
        { event: 'sign-in', user: id, ip, method: 'magic-link' },
      ]);

      const second = await sendLink(server, email, { callbackURL: '/in' });
      const inn = await follow(new Browser(server.api), second);
      assert.equal(inn.status, 302);
      assert.deepEqual(await auditOf(server, inn), [{ event: 'sign-in', user: id, ip, method: 'magic-link' }]);
      // A used link signs nobody in.
      const again = await follow(new Browser(server.api), second);
      const failed = await auditOf(server, again);
      assert.ok(!failed.some((l) => l.event === 'sign-in' || l.event === 'sign-up'), JSON.stringify(failed));

      const all = server.logs.join('\n');
      for (const secret of [email, tokenOf(first), tokenOf(second), hashOf(tokenOf(first))]) {
        assert.ok(!all.includes(secret), `the log must not hold ${secret}`);
      }
    });
  });

  test("BetterAuth's client with magicLinkClient(): signIn.magicLink mails the link, magicLink.verify signs in", async () => {
    const email = freshEmail('client');
    const { client, jar } = browserClient(server.url, { plugins: [magicLinkClient()] });
    const refused = await client.signIn.magicLink({ email, callbackURL: UNTRUSTED[0] });
    assert.equal(refused.data, null);
    assert.equal(refused.error.status, 403);
    assert.equal(refused.error.code, 'INVALID_CALLBACK_URL');
    const invalid = await client.signIn.magicLink({ email: 'not-an-address' });
    assert.equal(invalid.error.status, 400);
    assert.equal(invalid.error.code, 'VALIDATION_ERROR');

    const sent = await expectMail(server, email, KIND, () =>
      client.signIn.magicLink({ email, name: 'Client User', callbackURL: '/dashboard', newUserCallbackURL: '/welcome', metadata: { plan: 'free' } }),
    );
    assert.deepEqual(sent.result, { data: { status: true }, error: null });
    const link = linkIn(server, sent.mail);
    assert.equal(link.searchParams.get('callbackURL'), '/dashboard');
    assert.equal(link.searchParams.get('newUserCallbackURL'), '/welcome');

    // As an app's landing page calls it: the token alone, answered in JSON.
    assert.equal(typeof client.magicLink?.verify, 'function');
    const inn = await client.magicLink.verify({ query: { token: tokenOf(link) } });
    assert.equal(inn.error, null, JSON.stringify(inn.error));
    assert.match(inn.data.token, ID);
    assert.equal(inn.data.user.email, email);
    assert.equal(inn.data.user.name, 'Client User');
    assert.equal(inn.data.user.emailVerified, true);
    assert.equal(inn.data.session.token, inn.data.token);
    assert.ok(jar.has(COOKIE));
    const now = await client.getSession();
    assert.equal(now.data.session.token, inn.data.token);
    assert.equal(now.data.user.id, inn.data.user.id);

    // The link is used: in a browser it now lands on the error.
    assertErrorRedirect(await follow(new Browser(server.api), link), `${server.url}/dashboard?error=INVALID_TOKEN`);
    const untrusted = await client.magicLink.verify({ query: { token: tokenOf(link), callbackURL: UNTRUSTED[0] } });
    assert.equal(untrusted.error.status, 403);
    assert.equal(untrusted.error.code, 'INVALID_CALLBACK_URL');
  });
});

// ---- Other settings -----------------------------------------------------------------------------

test('--magic-link-expires-in 1: a link is error=INVALID_TOKEN once its second is over; nothing changes, and it is gone', async () => {
  await withServer({ ...LINKS, magicLinkExpiresIn: 1 }, async (s) => {
    const u = await signUp(s);
    const mine = await sendLink(s, u.email, { callbackURL: '/in', errorCallbackURL: '/expired' });
    const email = freshEmail('late');
    const theirs = await sendLink(s, email, { callbackURL: '/in' });
    const rows = [...linkRows(s, mine), ...linkRows(s, theirs)];
    assert.equal(rows.length, 2);
    for (const row of rows) assert.equal(new Date(row.expiresAt) - new Date(row.createdAt), 1000);

    // Waits (boundedly) for the clock to pass the later expiry the server stored.
    const expiry = Math.max(...rows.map((row) => new Date(row.expiresAt).getTime()));
    await waitFor(() => Date.now() > expiry, { timeout: 10000, interval: 50, what: 'the links to expire' });

    const browser = new Browser(s.api);
    assertErrorRedirect(await follow(browser, mine), `${s.url}/expired?error=INVALID_TOKEN`);
    assertErrorRedirect(await follow(browser, theirs), `${s.url}/in?error=INVALID_TOKEN`);
    assert.equal(await session(browser), null);
    assert.equal(linkRows(s, mine).length + linkRows(s, theirs).length, 0, 'the expired links are gone');
    assertErrorRedirect(await follow(browser, mine), `${s.url}/expired?error=INVALID_TOKEN`);
    assert.deepEqual(usersWith(s, email), [], 'no account from an expired link');

    const inn = await signInByPassword(s, u.email, PASSWORD);
    assert.equal(inn.status, 200, 'the password is unchanged');
    assert.equal(inn.body.user.emailVerified, false, 'and the address unverified');
    assert.equal((await session(u.browser)).user.id, u.id, 'the sessions stay');

    // A fresh link, followed at once, works.
    const fresh = new Browser(s.api);
    assertSignedInRedirect(await follow(fresh, await sendLink(s, u.email, { callbackURL: '/in' })), `${s.url}/in`);
    assert.equal((await session(fresh)).user.id, u.id);
  });
});

test('--sign-up-enabled false: no link to a new address (counted all the same); a link from before is error=new_user_signup_disabled', async () => {
  // Links sent while sign-up was open, followed after the server was restarted with it closed.
  const open = await startServer(LINKS);
  let newcomerLink;
  let userLink;
  let newcomer;
  let existing;
  try {
    newcomer = freshEmail('too-late');
    newcomerLink = await sendLink(open, newcomer, { callbackURL: '/in', errorCallbackURL: '/sign-up-closed' });
    existing = cliUser(open, { verified: true });
    userLink = await sendLink(open, existing.email, { callbackURL: '/in' });
  } finally {
    await open.stop({ keep: true });
  }
  try {
    await withServer({ ...LINKS, signUpEnabled: false, database: open.db }, async (s) => {
      const refused = new Browser(s.api);
      assertErrorRedirect(await follow(refused, newcomerLink), `${s.url}/sign-up-closed?error=new_user_signup_disabled`);
      assert.equal(await session(refused), null);
      assert.deepEqual(usersWith(s, newcomer), [], 'no account is made');
      // Without errorCallbackURL: to callbackURL.
      const second = new Browser(s.api);
      assertSignedInRedirect(await follow(second, userLink), `${s.url}/in`);
      assert.equal((await session(second)).user.id, existing.id, 'existing users still sign in by link');
      assertErrorRedirect(await follow(second, newcomerLink), `${s.url}/sign-up-closed?error=INVALID_TOKEN`);

      // Now: the same answer, no mail, nothing stored; five per address all the same.
      const stranger = freshEmail('closed');
      for (let i = 0; i < 5; i++) {
        const res = await send(s, { email: stranger });
        assert.equal(res.status, 200, `send ${i + 1}: ${JSON.stringify(res.body)}`);
        assert.equal(JSON.stringify(res.body), '{"status":true}');
      }
      assertError(await send(s, { email: stranger }), 429, 'TOO_MANY_REQUESTS');
      assert.equal(sql(s.db, `select count(*) as n from "verification" where "value" like '%${stranger}%'`)[0].n, 0);

      // A link mailed to an account that is deleted before it is followed makes none.
      const gone = cliUser(s, { verified: true });
      const link = await sendLink(s, gone.email, { callbackURL: '/in' });
      sql(s.db, `delete from "account" where "userId" = '${gone.id}'`);
      sql(s.db, `delete from "user" where "id" = '${gone.id}'`);
      assertErrorRedirect(await follow(new Browser(s.api), link), `${s.url}/in?error=new_user_signup_disabled`);
      assert.deepEqual(usersWith(s, gone.email), []);

      await drainMail(s);
      assert.deepEqual(mailsTo(s, stranger), [], 'no link for a new address');
    });
  } finally {
    rmSync(open.dir, { recursive: true, force: true });
  }
});

test('--base-url: the link is on the base URL, relative URLs are resolved against its origin, the cookie is __Secure-', async () => {
  const base = 'https://auth.example.com';
  await withServer({ ...LINKS, baseUrl: base, appName: 'Acme' }, async (s) => {
    const email = freshEmail('based');
    const { mail } = await expectMail(s, email, KIND, () => send(s, { email, callbackURL: '/in', errorCallbackURL: '/oops?from=mail' }));
    assert.equal(mail.subject, 'Sign in to Acme');
    const link = new URL(mail.link);
    assert.equal(`${link.origin}${link.pathname}`, `${base}/api/auth/magic-link/verify`);
    assert.match(link.searchParams.get('token'), ID);
    assert.ok(mail.text.includes(mail.link));
    const first = await follow(new Browser(s.api), link);
    assert.equal(first.status, 302);
    assert.equal(first.location, `${base}/in`);
    assert.ok(first.headers.getSetCookie().some((c) => c.startsWith(`__Secure-${COOKIE}=`) && /Secure/.test(c)), String(first.headers.getSetCookie()));
    assertErrorRedirect(await follow(new Browser(s.api), link), `${base}/oops?from=mail&error=INVALID_TOKEN`);
  });
});

test('rate limit: 5 requests per 60 s per IP on each route; the 6th is 429 TOO_MANY_REQUESTS', async () => {
  await withServer({ ...LINKS, rateLimit: true }, async (s) => {
    for (let i = 0; i < 5; i++) {
      const res = await send(s, { email: freshEmail('limited') });
      assert.equal(res.status, 200, `request ${i + 1}: ${JSON.stringify(res.body)}`);
    }
    assertError(await send(s, { email: freshEmail('limited') }), 429, 'TOO_MANY_REQUESTS');
    const unknown = `/magic-link/verify?token=${'a'.repeat(32)}&callbackURL=%2Fin`;
    for (let i = 0; i < 5; i++) {
      const res = await new Browser(s.api).get(unknown);
      assert.equal(res.headers.get('location'), `${s.url}/in?error=INVALID_TOKEN`, `request ${i + 1}`);
    }
    assertError(await new Browser(s.api).get(unknown), 429, 'TOO_MANY_REQUESTS');
  });
});

describe('with --two-factor: a user with the second factor on is asked for it after the link', () => {
  let s;
  before(async () => {
    s = await startServer({ ...LINKS, twoFactor: true });
  });
  after(async () => {
    await s.stop();
  });

  /** A verified user with the authenticator app on (enabled and confirmed); returns it with its key. */
  async function withApp() {
    const u = await verifiedUser(s);
    const enabled = await u.browser.post('/two-factor/enable', { password: PASSWORD });
    assert.equal(enabled.status, 200, JSON.stringify(enabled.body));
    const key = keyOf(enabled.body.totpURI);
    assert.equal((await u.browser.post('/two-factor/verify-totp', { code: totp(key) })).status, 200);
    return { ...u, key };
  }

  test('with callbackURL: no session, the challenge cookie, callbackURL?twoFactorRedirect=true; verify-totp completes it', async () => {
    const u = await withApp();
    const byPassword = await signInByPassword(s, u.email, PASSWORD);
    assert.deepEqual(byPassword.body, { twoFactorRedirect: true, twoFactorMethods: ['totp'] });

    const link = await sendLink(s, u.email, { callbackURL: '/dashboard', newUserCallbackURL: '/welcome' });
    const browser = new Browser(s.api);
    const res = await follow(browser, link);
    assert.equal(res.status, 302);
    assert.equal(res.location, `${s.url}/dashboard?twoFactorRedirect=true`);
    assert.ok(!browser.jar.has(COOKIE), 'no session cookie');
    assert.ok(browser.jar.has(CHALLENGE), 'the challenge cookie');
    assert.equal(await session(browser), null);
    assert.deepEqual((await auditOf(s, res)).filter((l) => l.event === 'sign-in'), [], 'not signed in yet');
    assertErrorRedirect(await follow(new Browser(s.api), link), `${s.url}/dashboard?error=INVALID_TOKEN`);

    const done = await browser.post('/two-factor/verify-totp', { code: totp(u.key, 1) });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal(done.body.user.id, u.id);
    assert.ok(browser.jar.has(COOKIE));
    assert.ok(!browser.jar.has(CHALLENGE));
    const now = await session(browser);
    assert.equal(now.user.id, u.id);
    assert.equal(now.session.token, done.body.token);
  });

  test('without callbackURL: the password sign-in\'s {"twoFactorRedirect":true,"twoFactorMethods":["totp"]}; a query callbackURL gets &twoFactorRedirect', async () => {
    const u = await withApp();
    const browser = new Browser(s.api);
    const res = await follow(browser, edited(await sendLink(s, u.email), { callbackURL: undefined }));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(JSON.stringify(res.body), '{"twoFactorRedirect":true,"twoFactorMethods":["totp"]}');
    assert.ok(!browser.jar.has(COOKIE));
    assert.ok(browser.jar.has(CHALLENGE));
    assert.equal(await session(browser), null);

    const other = new Browser(s.api);
    const query = await follow(other, await sendLink(s, u.email, { callbackURL: `${APP}/in?from=mail` }));
    assert.equal(query.status, 302);
    assert.equal(query.location, `${APP}/in?from=mail&twoFactorRedirect=true`);
    assert.ok(other.jar.has(CHALLENGE));
    assert.equal(await session(other), null);
  });

  test('a trusted browser (trustDevice at verify-totp) skips the second factor on its next link; another browser is still asked', async () => {
    const u = await withApp();
    const browser = new Browser(s.api);
    assert.equal((await follow(browser, await sendLink(s, u.email, { callbackURL: '/in' }))).location, `${s.url}/in?twoFactorRedirect=true`);
    const trusted = await browser.post('/two-factor/verify-totp', { code: totp(u.key, 1), trustDevice: true });
    assert.equal(trusted.status, 200, JSON.stringify(trusted.body));
    assert.ok(browser.jar.has(TRUST), 'the trust_device cookie');
    assert.equal((await browser.post('/sign-out')).status, 200);
    assert.equal(await session(browser), null);

    const again = await follow(browser, await sendLink(s, u.email, { callbackURL: '/in' }));
    assertSignedInRedirect(again, `${s.url}/in`);
    assert.equal((await session(browser)).user.id, u.id);
    const stranger = new Browser(s.api);
    assert.equal((await follow(stranger, await sendLink(s, u.email, { callbackURL: '/in' }))).location, `${s.url}/in?twoFactorRedirect=true`);
    assert.equal(await session(stranger), null);
  });
});

// ---- PostgreSQL ---------------------------------------------------------------------------------

describe("on PostgreSQL: Portcullis's own database", { skip: !PG_URL && 'PORTCULLIS_TEST_POSTGRES is not set' }, () => {
  const name = `pc_magic_link_${process.pid}`;
  const dbUrl = PG_URL && Object.assign(new URL(PG_URL), { pathname: `/${name}` }).toString();
  let pg;
  before(async () => {
    psql(PG_URL, `DROP DATABASE IF EXISTS ${name}`);
    psql(PG_URL, `CREATE DATABASE ${name}`);
    pg = await startServer({ ...LINKS, database: dbUrl });
  });
  after(async () => {
    await pg?.stop();
    if (PG_URL) psql(PG_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
  const stored = (link) => psql(dbUrl, `SELECT "value" FROM "verification" WHERE "identifier" = 'magic-link:${hashOf(tokenOf(link))}'`);

  test('a new address signs up by link: stored hashed, redirected signed in, no password; the link works once', async () => {
    const email = freshEmail('pg-new');
    const link = await sendLink(pg, email, { name: 'Pg User', callbackURL: '/in', newUserCallbackURL: '/welcome' });
    assert.deepEqual(JSON.parse(stored(link)), { type: 'magic-link', email, name: 'Pg User' });
    const browser = new Browser(pg.api);
    assertSignedInRedirect(await follow(browser, link), `${pg.url}/welcome`);
    const now = await session(browser);
    assert.equal(now.user.email, email);
    assert.equal(now.user.name, 'Pg User');
    assert.equal(now.user.emailVerified, true);
    assert.equal(psql(dbUrl, `SELECT count(*) FROM "account" WHERE "userId" = '${now.user.id}' AND "password" IS NOT NULL`), '0');
    assert.equal(stored(link), '', 'used');
    assertErrorRedirect(await follow(new Browser(pg.api), link), `${pg.url}/in?error=INVALID_TOKEN`);
    const json = await follow(new Browser(pg.api), edited(await sendLink(pg, email), { callbackURL: undefined }));
    assert.equal(json.status, 200, JSON.stringify(json.body));
    assert.equal(json.body.user.id, now.user.id);
  });

  test('an unverified user: the link removes the password and sessions; a ban is error=BANNED_USER; five links per address', async () => {
    const u = await signUp(pg);
    const browser = new Browser(pg.api);
    assertSignedInRedirect(await follow(browser, await sendLink(pg, u.email, { callbackURL: '/in' })), `${pg.url}/in`);
    assert.equal((await session(browser)).user.emailVerified, true);
    assert.equal(await session(u.browser), null, 'the old session ended');
    assertError(await signInByPassword(pg, u.email, PASSWORD), 401, 'INVALID_EMAIL_OR_PASSWORD');

    const links = [];
    for (let i = 0; i < 4; i++) links.push(await sendLink(pg, u.email, { callbackURL: '/in' }));
    assertError(await send(pg, { email: u.email }), 429, 'TOO_MANY_REQUESTS');
    assert.equal(cli(dbUrl, ['ban', '--email', u.email]).status, 0);
    assertErrorRedirect(await follow(new Browser(pg.api), links[0]), `${pg.url}/in?error=BANNED_USER`);
    assert.equal(cli(dbUrl, ['unban', '--email', u.email]).status, 0);
    assertSignedInRedirect(await follow(new Browser(pg.api), links[1]), `${pg.url}/in`);
  });
});

describe('on a PostgreSQL database shared with BetterAuth and its magic-link plugin (storeToken "hashed")', { skip: !PG_URL && 'PORTCULLIS_TEST_POSTGRES is not set' }, () => {
  const mailed = []; // what BetterAuth's sendMagicLink was given
  let db;
  let auth;
  let pg;
  before(async () => {
    const plugin = magicLink({
      storeToken: 'hashed',
      async sendMagicLink({ email, url, token }) {
        mailed.push({ email, url, token });
      },
    });
    db = await betterAuthOnPostgres(PG_URL, `pc_magic_link_ba_${process.pid}`, { plugins: [plugin] });
    auth = db.auth;
    pg = await startServer({ ...LINKS, database: db.dbUrl, passwordHash: 'scrypt' });
  });
  after(async () => {
    await pg?.stop();
    await db?.drop();
  });
  const betterAuthLink = (email) => mailed.findLast((m) => m.email === email);

  test('a link BetterAuth mailed signs a new user up at Portcullis; a link Portcullis mailed signs them in at BetterAuth', async () => {
    const email = freshEmail('shared');
    assert.deepEqual(await auth.api.signInMagicLink({ body: { email, name: 'Shared User', callbackURL: '/dashboard' }, headers: new Headers() }), { status: true });
    const baLink = betterAuthLink(email);
    assert.match(baLink.token, ID);
    assert.equal(new URL(baLink.url).searchParams.get('token'), baLink.token);
    const browser = new Browser(pg.api);
    assertSignedInRedirect(await follow(browser, baLink.url), `${pg.url}/dashboard`);
    const up = await session(browser);
    assert.equal(up.user.email, email);
    assert.equal(up.user.name, 'Shared User');
    assert.equal(up.user.emailVerified, true);
    // The session Portcullis started is BetterAuth's too.
    const there = await auth.api.getSession({ headers: new Headers({ cookie: browser.cookieHeader() }) });
    assert.equal(there.user.id, up.user.id);
    // Used at Portcullis: BetterAuth refuses it.
    const reused = await auth.api.magicLinkVerify({ query: { token: baLink.token, callbackURL: '/dashboard' }, headers: new Headers(), asResponse: true });
    assert.equal(reused.status, 302);
    assert.equal(reused.headers.get('location'), 'http://127.0.0.1:3000/dashboard?error=INVALID_TOKEN');

    const pcLink = await sendLink(pg, email, { callbackURL: '/dashboard' });
    const { headers, response } = await auth.api.magicLinkVerify({ query: { token: tokenOf(pcLink) }, headers: new Headers(), returnHeaders: true });
    assert.match(response.token, ID);
    assert.equal(response.user.id, up.user.id);
    // The session BetterAuth started is Portcullis's too.
    const phone = new Browser(pg.api);
    applySetCookies(phone.jar, headers.getSetCookie());
    const inn = await session(phone);
    assert.equal(inn.session.token, response.token);
    assert.equal(inn.user.id, up.user.id);
    // Used at BetterAuth: Portcullis refuses it.
    assertErrorRedirect(await follow(new Browser(pg.api), pcLink), `${pg.url}/dashboard?error=INVALID_TOKEN`);
  });

  test("a link Portcullis mailed to a new address makes the account at BetterAuth, which Portcullis then signs in", async () => {
    const email = freshEmail('shared-new');
    const pcLink = await sendLink(pg, email, { name: 'Made At BetterAuth' });
    const made = await auth.api.magicLinkVerify({ query: { token: tokenOf(pcLink) }, headers: new Headers() });
    assert.equal(made.user.email, email);
    assert.equal(made.user.name, 'Made At BetterAuth');
    assert.equal(made.user.emailVerified, true);
    const browser = new Browser(pg.api);
    const res = await follow(browser, edited(await sendLink(pg, email), { callbackURL: undefined }));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.user.id, made.user.id);
    assert.equal((await session(browser)).user.id, made.user.id);
  });
});
