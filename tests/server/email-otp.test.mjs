// One-time codes by e-mail (--email-otp): BetterAuth 1.7's emailOTP plugin, as a user and
// BetterAuth's own client see it. A code (6 digits, read from the outbox as a user reads their
// mail) signs a user in (/sign-in/email-otp, creating the account when sign-up is open), verifies
// the address (/email-otp/verify-email) or resets the password (/email-otp/reset-password). A code
// is stored as BetterAuth's storeOTP "hashed" does, under "<type>-otp-<address>", takes 3 wrong
// guesses, lasts --email-otp-expires-in seconds and is replaced by the next one; an address gets at
// most 5 codes of a type per 15 minutes. --email-otp-verification mails codes instead of
// verification links. Mail is sent by a background queue: the tests wait for the outbox file,
// never for a fixed time, and show that NO mail was sent with a later mail as a barrier (the queue
// delivers in order). On PostgreSQL, a BetterAuth server with emailOTP({storeOTP: "hashed"}) on the
// same database takes Portcullis's codes and the other way round.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { emailOTP } from 'better-auth/plugins';
import { emailOTPClient } from 'better-auth/client/plugins';

import { betterAuthOnPostgres, browserClient, psql } from '../support/betterauth.mjs';
import { keyOfURI as keyOf, totp } from '../support/totp.mjs';
import { BIN, Browser, expectMail, mailsTo, sql, startServer, waitFor, withServer } from '../support/server.mjs';
import { errorAsserter } from '../support/assert.mjs';

// The tests read and edit the database behind the server's back, and `portcullis user ban`
// writes it: no session cache, so the server sees such writes at once.
const EDITS_DB = { sessionCacheTtl: 0 };
const OTP = { ...EDITS_DB, emailOtp: true, mail: 'outbox' };
const PG_URL = process.env.PORTCULLIS_TEST_POSTGRES;

const PASSWORD = 'one time codes test passphrase';
const NEW_PASSWORD = 'another passphrase entirely, reset by code';
const ID = /^[A-Za-z0-9]{32}$/;
const USER_KEYS = ['createdAt', 'email', 'emailVerified', 'id', 'image', 'name', 'updatedAt'];
const COOKIE = 'better-auth.session_token';
const CHALLENGE = 'better-auth.two_factor';
const BANNED = 'You have been banned from this application. Please contact support if you believe this is an error.';

// The mail kind of each type of code.
const KIND = {
  'sign-in': 'email-otp-sign-in',
  'email-verification': 'email-otp-verification',
  'forget-password': 'email-otp-reset-password',
  'change-email': 'email-otp-change-email',
};
// The mail of an "email-verification" code for a verified address: it confirms a change of it.
const CONFIRM_KIND = 'email-otp-change-email-confirmation';

// The messages of the codes these tests meet (BetterAuth's wording).
const MESSAGES = {
  INVALID_OTP: 'Invalid OTP',
  OTP_EXPIRED: 'OTP expired',
  TOO_MANY_ATTEMPTS: 'Too many attempts',
  USER_NOT_FOUND: 'User not found',
  INVALID_EMAIL: 'Invalid email',
  INVALID_EMAIL_OR_PASSWORD: 'Invalid email or password',
  EMAIL_NOT_VERIFIED: 'Email not verified',
  BANNED_USER: BANNED,
  TOO_MANY_REQUESTS: 'Too many requests. Please try again later.',
  PASSWORD_TOO_SHORT: 'Password too short',
  PASSWORD_TOO_LONG: 'Password too long',
  UNAUTHORIZED: 'Unauthorized',
  EMAIL_IS_THE_SAME: 'Email is the same',
  OTP_REQUIRED: 'OTP is required to verify current email',
  CHANGE_EMAIL_DISABLED: 'Change email with OTP is disabled',
  USER_ALREADY_EXISTS: 'Email already in use',
};

// The routes, each with a body it would take.
const ROUTES = [
  ['/email-otp/send-verification-otp', { email: 'someone@example.com', type: 'sign-in' }],
  ['/email-otp/check-verification-otp', { email: 'someone@example.com', type: 'sign-in', otp: '123456' }],
  ['/email-otp/verify-email', { email: 'someone@example.com', otp: '123456' }],
  ['/sign-in/email-otp', { email: 'someone@example.com', otp: '123456' }],
  ['/email-otp/request-password-reset', { email: 'someone@example.com' }],
  ['/forget-password/email-otp', { email: 'someone@example.com' }],
  ['/email-otp/reset-password', { email: 'someone@example.com', otp: '123456', password: NEW_PASSWORD }],
  ['/email-otp/request-email-change', { newEmail: 'someone@example.com' }],
  ['/email-otp/change-email', { newEmail: 'someone@example.com', otp: '123456' }],
];

let counter = 0;
// No run of 6 digits in an address: the code must be the only one in a mail's text.
const freshEmail = (tag = 'user') => `eotp-${tag}-${++counter}-${process.pid.toString(36)}@example.com`;

/** Asserts an error answer: status, code, and the catalogue's message. */
const assertError = errorAsserter(MESSAGES);

/** The code of a mail: the only run of exactly 6 digits in its text. */
function codeIn(mail) {
  const runs = (mail.text.match(/\d+/g) ?? []).filter((run) => run.length === 6);
  assert.equal(runs.length, 1, `one 6-digit code in: ${mail.text}`);
  return runs[0];
}

/** Asks for a code of `type` for `email` and returns it, as read from the mail. */
async function sendCode(s, email, type, browser = new Browser(s.api)) {
  const { mail, result } = await expectMail(s, email.toLowerCase(), KIND[type], () =>
    browser.post('/email-otp/send-verification-otp', { email, type }),
  );
  assert.equal(result.status, 200, JSON.stringify(result.body));
  assert.deepEqual(result.body, { success: true });
  return codeIn(mail);
}

const send = (s, email, type) => new Browser(s.api).post('/email-otp/send-verification-otp', { email, type });
const otherThan = (code) => String((Number(code) + 1) % 1e6).padStart(6, '0');

/** Runs `portcullis user <args>` on `database`; `input` goes to its standard input. */
const cli = (database, args, input) =>
  spawnSync(BIN, ['user', ...args, '--database', database], { encoding: 'utf8', input });

/** Creates a user with the command line (which works with sign-up off, and on PostgreSQL). */
function cliUser(s, { email = freshEmail('cli'), verified = false } = {}) {
  const made = cli(s.db, ['create', '--email', email, '--name', 'Cli User', ...(verified ? ['--verified'] : [])], `${PASSWORD}\n`);
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

/** A new user whose address was verified with a mailed code. */
async function verifiedUser(s) {
  const u = await signUp(s);
  const otp = await sendCode(s, u.email, 'email-verification');
  const res = await new Browser(s.api).post('/email-otp/verify-email', { email: u.email, otp });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return u;
}

const session = async (browser) => (await browser.get('/get-session')).body;
const signInByPassword = (s, email, password) => new Browser(s.api).post('/sign-in/email', { email, password });

/** SQLite: the stored rows of the code of `type` for `email`. */
const otpRows = (s, type, email) =>
  sql(s.db, `select "value", "expiresAt", "createdAt" from "verification" where "identifier" = '${type}-otp-${email.toLowerCase()}'`);
/** BetterAuth's storeOTP "hashed": SHA-256, base64url without padding. */
const hashOf = (code) => createHash('sha256').update(code).digest('base64url');
/** SQLite: the user's credential accounts that hold a password. */
const passwords = (s, id) =>
  sql(s.db, `select count(*) as n from "account" where "userId" = '${id}' and "providerId" = 'credential' and "password" is not null`)[0].n;

const events = (s, pick = () => true) => s.logs.map((l) => JSON.parse(l)).filter((l) => l.msg === 'auth' && pick(l));
/**
 * The audit events of the request that got `res` (by its X-Request-Id), without time and id. The
 * log reaches the test through a pipe, possibly after the answer: its access-log line, which the
 * server writes after the request's audit lines, is awaited first.
 */
async function auditOf(s, res) {
  const rid = res.headers.get('x-request-id');
  await waitFor(() => s.logs.some((l) => JSON.parse(l).msg === 'request' && JSON.parse(l).id === rid), {
    what: `the log line of request ${rid}`,
  });
  return events(s, (l) => l.id === rid).map(({ time, id, msg, ...rest }) => rest);
}

// ---------------------------------------------------------------------------------------------

test('without --email-otp the routes are 404; --email-otp needs mail (serve and check-config refuse without)', async () => {
  await withServer({ mail: 'outbox' }, async (s) => {
    for (const [path, body] of ROUTES) {
      const res = await new Browser(s.api).post(path, body);
      assert.equal(res.status, 404, path);
      assert.equal(res.body, '', path);
    }
  });
  const checked = spawnSync(BIN, ['check-config', '--dev', '--email-otp', 'true'], { encoding: 'utf8' });
  assert.notEqual(checked.status, 0);
  assert.match(checked.stderr, /emailOtp/);
  const fine = spawnSync(BIN, ['check-config', '--dev', '--email-otp', 'true', '--mail', 'outbox'], { encoding: 'utf8' });
  assert.equal(fine.status, 0, fine.stderr);
  const refused = await startServer({ emailOtp: true }).then(
    async (s) => {
      await s.stop();
      return null;
    },
    (e) => e,
  );
  assert.ok(refused, 'serve refuses --email-otp without mail');
  assert.match(refused.message, /emailOtp/);
});

describe('with --email-otp', () => {
  let server;
  before(async () => {
    server = await startServer(OTP);
  });
  after(async () => {
    await server.stop();
  });

  describe('POST /email-otp/send-verification-otp', () => {
    test('{"success":true} and a mail with a 6-digit code for each type; stored hashed under "<type>-otp-<address>"', async () => {
      const u = await signUp(server, { name: 'Grace Hopper' });
      for (const type of ['sign-in', 'email-verification', 'forget-password']) {
        // The address in capitals: the mail goes to the account's (lower-case) address.
        const { mail, result } = await expectMail(server, u.email, KIND[type], () => send(server, u.email.toUpperCase(), type));
        assert.equal(result.status, 200, JSON.stringify(result.body));
        assert.equal(JSON.stringify(result.body), '{"success":true}');
        assert.deepEqual(result.headers.getSetCookie(), []);
        assert.equal(mail.to, u.email);
        assert.match(mail.subject, /code/i, type);
        const code = codeIn(mail);
        assert.match(code, /^\d{6}$/);
        const rows = otpRows(server, type, u.email);
        assert.equal(rows.length, 1, type);
        assert.equal(rows[0].value, `${hashOf(code)}:0`, `${type}: BetterAuth's "hashed" form, no wrong guess yet`);
        assert.equal(new Date(rows[0].expiresAt) - new Date(rows[0].createdAt), 300 * 1000, `${type}: five minutes by default`);
      }
      assert.ok(!server.logs.join('\n').includes(u.email), 'the log never holds the address');
    });

    test('an address with no account, or a type it cannot use: the same answer and no mail; sign-in to a new address mails (sign-up is open)', async () => {
      const unknown = freshEmail('nobody');
      for (const type of ['email-verification', 'forget-password']) {
        const res = await send(server, unknown, type);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(JSON.stringify(res.body), '{"success":true}');
        assert.equal(otpRows(server, type, unknown).length, 0, `${type}: no code awaits`);
      }
      // A verified address gets no verification code.
      const verified = await verifiedUser(server);
      const already = await send(server, verified.email, 'email-verification');
      assert.equal(JSON.stringify(already.body), '{"success":true}');
      await drainMail(server);
      assert.deepEqual(mailsTo(server, unknown), [], 'no mail to an address with no account');
      assert.equal(mailsTo(server, verified.email, KIND['email-verification']).length, 1, 'only the one it was verified with');

      const newcomer = freshEmail('newcomer');
      const code = await sendCode(server, newcomer, 'sign-in');
      assert.equal(mailsTo(server, newcomer).length, 1);
      assert.equal(otpRows(server, 'sign-in', newcomer)[0].value, `${hashOf(code)}:0`);
    });

    test('bad input: 400 VALIDATION_ERROR (type change-email or unknown, wrong types, unknown fields), 400 INVALID_EMAIL; no mail', async () => {
      const u = await signUp(server);
      for (const body of [
        { email: u.email, type: 'change-email' },
        { email: u.email, type: 'magic' },
        { email: u.email },
        { type: 'sign-in' },
        { email: 42, type: 'sign-in' },
        { email: u.email, type: ['sign-in'] },
        { email: u.email, type: 'sign-in', extra: 1 },
      ]) {
        assertError(await new Browser(server.api).post('/email-otp/send-verification-otp', body), 400, 'VALIDATION_ERROR');
      }
      for (const email of ['not-an-address', 'two@@example.com', '']) {
        assertError(await send(server, email, 'sign-in'), 400, 'INVALID_EMAIL');
      }
      await drainMail(server);
      assert.deepEqual(mailsTo(server, u.email), [], 'nothing was mailed');
    });

    test('a new code replaces the one mailed before: the old code is INVALID_OTP, the new one signs in', async () => {
      const u = await verifiedUser(server);
      const stale = await sendCode(server, u.email, 'sign-in');
      const code = await sendCode(server, u.email, 'sign-in');
      const rows = otpRows(server, 'sign-in', u.email);
      assert.equal(rows.length, 1, 'one code awaits');
      assert.equal(rows[0].value, `${hashOf(code)}:0`);
      if (stale !== code) {
        const browser = new Browser(server.api);
        assertError(await browser.post('/sign-in/email-otp', { email: u.email, otp: stale }), 400, 'INVALID_OTP');
        assert.ok(!browser.jar.has(COOKIE));
      }
      const done = await new Browser(server.api).post('/sign-in/email-otp', { email: u.email, otp: code });
      assert.equal(done.status, 200, JSON.stringify(done.body));
      assert.equal(done.body.user.id, u.id);
    });

    test('at most 5 codes per address and type in 15 minutes, account or not: the 6th is 429 TOO_MANY_REQUESTS', async () => {
      const u = await verifiedUser(server);
      let code;
      for (let i = 0; i < 5; i++) {
        // The address in any case is the same address.
        code = await sendCode(server, i % 2 ? u.email.toUpperCase() : u.email, 'sign-in');
      }
      assertError(await send(server, u.email, 'sign-in'), 429, 'TOO_MANY_REQUESTS');
      assertError(await send(server, u.email.toUpperCase(), 'sign-in'), 429, 'TOO_MANY_REQUESTS');
      // Another type, and another address, have their own five.
      const reset = await sendCode(server, u.email, 'forget-password');
      assert.match(reset, /^\d{6}$/);
      const other = await verifiedUser(server);
      await sendCode(server, other.email, 'sign-in');
      await drainMail(server);
      assert.equal(mailsTo(server, u.email, KIND['sign-in']).length, 5, 'no sixth mail');
      const done = await new Browser(server.api).post('/sign-in/email-otp', { email: u.email, otp: code });
      assert.equal(done.status, 200, `the fifth code still works: ${JSON.stringify(done.body)}`);

      // An address with no account is counted the same (no mail is sent to it).
      const unknown = freshEmail('counted');
      for (let i = 0; i < 5; i++) assert.equal((await send(server, unknown, 'forget-password')).status, 200, `send ${i + 1}`);
      assertError(await send(server, unknown, 'forget-password'), 429, 'TOO_MANY_REQUESTS');
      // A new address with sign-up open: mailed five times, then refused.
      const newcomer = freshEmail('counted-new');
      for (let i = 0; i < 5; i++) await sendCode(server, newcomer, 'sign-in');
      assertError(await send(server, newcomer, 'sign-in'), 429, 'TOO_MANY_REQUESTS');
      await drainMail(server);
      assert.equal(mailsTo(server, newcomer).length, 5);
      assert.deepEqual(mailsTo(server, unknown), []);
    });
    test('request-password-reset and its alias mail forget-password codes: they share the five per 15 minutes', async () => {
      const u = await signUp(server);
      const ask = [
        () => send(server, u.email, 'forget-password'),
        () => new Browser(server.api).post('/email-otp/request-password-reset', { email: u.email }),
        () => new Browser(server.api).post('/forget-password/email-otp', { email: u.email }),
      ];
      let code;
      for (let i = 0; i < 5; i++) {
        const { mail, result } = await expectMail(server, u.email, KIND['forget-password'], ask[i % 3]);
        assert.equal(result.status, 200, `code ${i + 1}: ${JSON.stringify(result.body)}`);
        code = codeIn(mail);
      }
      for (const again of ask) assertError(await again(), 429, 'TOO_MANY_REQUESTS');
      await drainMail(server);
      assert.equal(mailsTo(server, u.email, KIND['forget-password']).length, 5, 'no sixth mail');
      const done = await new Browser(server.api).post('/email-otp/reset-password', { email: u.email, otp: code, password: NEW_PASSWORD });
      assert.equal(done.status, 200, `the fifth code still works: ${JSON.stringify(done.body)}`);
    });
  });

  describe('codes: wrong, used, of another type', () => {
    test('a wrong code: 400 INVALID_OTP; after 3 wrong codes even the right one is 403 TOO_MANY_ATTEMPTS, until a new code is sent', async () => {
      const u = await verifiedUser(server);
      const code = await sendCode(server, u.email, 'sign-in');
      const browser = new Browser(server.api);
      for (let i = 1; i <= 3; i++) {
        assertError(await browser.post('/sign-in/email-otp', { email: u.email, otp: otherThan(code) }), 400, 'INVALID_OTP');
        assert.equal(otpRows(server, 'sign-in', u.email)[0]?.value, `${hashOf(code)}:${i}`, 'the wrong guesses are counted in the row');
      }
      for (let i = 0; i < 2; i++) {
        const refused = await browser.post('/sign-in/email-otp', { email: u.email, otp: code });
        assertError(refused, 403, 'TOO_MANY_ATTEMPTS');
        assert.deepEqual(refused.headers.getSetCookie(), []);
      }
      assertError(await browser.post('/email-otp/check-verification-otp', { email: u.email, type: 'sign-in', otp: code }), 403, 'TOO_MANY_ATTEMPTS');
      assert.equal(await session(browser), null);

      const fresh = await sendCode(server, u.email, 'sign-in');
      const done = await browser.post('/sign-in/email-otp', { email: u.email, otp: fresh });
      assert.equal(done.status, 200, JSON.stringify(done.body));
      assert.equal((await session(browser)).user.id, u.id);
    });

    test('a wrong code at check-verification-otp counts too: two there and one at sign-in use the three up', async () => {
      const u = await verifiedUser(server);
      const code = await sendCode(server, u.email, 'sign-in');
      for (let i = 0; i < 2; i++) {
        assertError(await new Browser(server.api).post('/email-otp/check-verification-otp', { email: u.email, type: 'sign-in', otp: otherThan(code) }), 400, 'INVALID_OTP');
      }
      assertError(await new Browser(server.api).post('/sign-in/email-otp', { email: u.email, otp: otherThan(code) }), 400, 'INVALID_OTP');
      assertError(await new Browser(server.api).post('/sign-in/email-otp', { email: u.email, otp: code }), 403, 'TOO_MANY_ATTEMPTS');
    });

    test('INVALID_OTP when no code awaits: never sent, already used, or a code of another type', async () => {
      const u = await signUp(server);
      assertError(await new Browser(server.api).post('/sign-in/email-otp', { email: u.email, otp: '123456' }), 400, 'INVALID_OTP');
      assertError(await new Browser(server.api).post('/email-otp/verify-email', { email: u.email, otp: '123456' }), 400, 'INVALID_OTP');
      assertError(await new Browser(server.api).post('/email-otp/reset-password', { email: u.email, otp: '123456', password: NEW_PASSWORD }), 400, 'INVALID_OTP');

      const verification = await sendCode(server, u.email, 'email-verification');
      const reset = await sendCode(server, u.email, 'forget-password');
      // Each code works only for its own type.
      assertError(await new Browser(server.api).post('/sign-in/email-otp', { email: u.email, otp: verification }), 400, 'INVALID_OTP');
      assertError(await new Browser(server.api).post('/sign-in/email-otp', { email: u.email, otp: reset }), 400, 'INVALID_OTP');
      assertError(await new Browser(server.api).post('/email-otp/check-verification-otp', { email: u.email, type: 'sign-in', otp: reset }), 400, 'INVALID_OTP');
      assertError(await new Browser(server.api).post('/email-otp/verify-email', { email: u.email, otp: reset }), 400, 'INVALID_OTP');
      // ...and for its own address.
      const other = await signUp(server);
      assertError(await new Browser(server.api).post('/email-otp/verify-email', { email: other.email, otp: verification }), 400, 'INVALID_OTP');

      const verified = await new Browser(server.api).post('/email-otp/verify-email', { email: u.email, otp: verification });
      assert.equal(verified.status, 200, JSON.stringify(verified.body));
      assertError(await new Browser(server.api).post('/email-otp/verify-email', { email: u.email, otp: verification }), 400, 'INVALID_OTP');
      const done = await new Browser(server.api).post('/email-otp/reset-password', { email: u.email, otp: reset, password: NEW_PASSWORD });
      assert.equal(done.status, 200, JSON.stringify(done.body));
      assertError(await new Browser(server.api).post('/email-otp/reset-password', { email: u.email, otp: reset, password: `${NEW_PASSWORD} 2` }), 400, 'INVALID_OTP');
    });

    test('a code works once, also sent many times at the same moment: one account, one session, one new password', async () => {
      const email = freshEmail('race');
      const code = await sendCode(server, email, 'sign-in');
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => new Browser(server.api).post('/sign-in/email-otp', { email, otp: code, name: `Racer ${i}` })),
      );
      const ok = results.filter((r) => r.status === 200);
      assert.equal(ok.length, 1, `statuses: ${results.map((r) => r.status)}`);
      for (const r of results.filter((r) => r.status !== 200)) assertError(r, 400, 'INVALID_OTP');
      const id = ok[0].body.user.id;
      assert.deepEqual(sql(server.db, `select "id" from "user" where "email" = '${email}'`), [{ id }]);
      assert.equal(sql(server.db, `select count(*) as n from "session" where "userId" = '${id}'`)[0].n, 1);

      const otp = await sendCode(server, email, 'forget-password');
      const resets = await Promise.all(
        Array.from({ length: 6 }, (_, i) => new Browser(server.api).post('/email-otp/reset-password', { email, otp, password: `${NEW_PASSWORD} ${i}` })),
      );
      const done = resets.map((r, i) => [r, i]).filter(([r]) => r.status === 200);
      assert.equal(done.length, 1, `statuses: ${resets.map((r) => r.status)}`);
      for (const r of resets.filter((r) => r.status !== 200)) assertError(r, 400, 'INVALID_OTP');
      const winner = done[0][1];
      for (let i = 0; i < 6; i++) {
        assert.equal((await signInByPassword(server, email, `${NEW_PASSWORD} ${i}`)).status, i === winner ? 200 : 401, `password ${i}`);
      }
    });

    test('bad input to the routes that take a code: 400 VALIDATION_ERROR or INVALID_EMAIL, and the code still works after', async () => {
      const u = await verifiedUser(server);
      const code = await sendCode(server, u.email, 'sign-in');
      for (const [path, body] of [
        ['/sign-in/email-otp', { email: u.email, otp: Number(code) }],
        ['/sign-in/email-otp', { email: u.email }],
        ['/sign-in/email-otp', { otp: code }],
        ['/sign-in/email-otp', { email: u.email, otp: code, extra: 1 }],
        ['/sign-in/email-otp', { email: u.email, otp: code, name: 7 }],
        ['/sign-in/email-otp', { email: u.email, otp: code, rememberMe: 'yes' }],
        ['/email-otp/check-verification-otp', { email: u.email, otp: code }],
        ['/email-otp/check-verification-otp', { email: u.email, type: 'log-in', otp: code }],
        ['/email-otp/check-verification-otp', { email: u.email, type: 'sign-in', otp: code, extra: true }],
        ['/email-otp/verify-email', { email: u.email, otp: code, type: 'sign-in' }],
        ['/email-otp/reset-password', { email: u.email, otp: code }],
        ['/email-otp/reset-password', { email: u.email, otp: code, password: 12345678 }],
        ['/email-otp/request-password-reset', { email: u.email, type: 'forget-password' }],
        ['/email-otp/request-password-reset', {}],
        ['/forget-password/email-otp', { email: null }],
      ]) {
        assertError(await new Browser(server.api).post(path, body), 400, 'VALIDATION_ERROR');
      }
      for (const [path, body] of [
        ['/sign-in/email-otp', { email: 'not-an-address', otp: code }],
        ['/email-otp/check-verification-otp', { email: 'not-an-address', type: 'sign-in', otp: code }],
        ['/email-otp/verify-email', { email: 'not-an-address', otp: code }],
        ['/email-otp/request-password-reset', { email: 'not-an-address' }],
        ['/forget-password/email-otp', { email: 'not-an-address' }],
        ['/email-otp/reset-password', { email: 'not-an-address', otp: code, password: NEW_PASSWORD }],
      ]) {
        assertError(await new Browser(server.api).post(path, body), 400, 'INVALID_EMAIL');
      }
      // The plugin's fourth type: its codes are for a user and a new address, never for an address alone.
      assertError(await new Browser(server.api).post('/email-otp/check-verification-otp', { email: u.email, type: 'change-email', otp: code }), 400, 'INVALID_OTP');
      const done = await new Browser(server.api).post('/sign-in/email-otp', { email: u.email, otp: code });
      assert.equal(done.status, 200, JSON.stringify(done.body));
    });
  });

  describe('POST /email-otp/check-verification-otp', () => {
    test('{"success":true} and the code stays usable: the sign-in with it then works, once', async () => {
      const u = await verifiedUser(server);
      const code = await sendCode(server, u.email, 'sign-in');
      for (let i = 0; i < 2; i++) {
        const checked = await new Browser(server.api).post('/email-otp/check-verification-otp', { email: u.email.toUpperCase(), type: 'sign-in', otp: code });
        assert.equal(checked.status, 200, JSON.stringify(checked.body));
        assert.equal(JSON.stringify(checked.body), '{"success":true}');
        assert.deepEqual(checked.headers.getSetCookie(), [], 'no session from a check');
      }
      assert.equal(otpRows(server, 'sign-in', u.email)[0].value, `${hashOf(code)}:0`, 'unchanged');
      const browser = new Browser(server.api);
      const done = await browser.post('/sign-in/email-otp', { email: u.email, otp: code });
      assert.equal(done.status, 200, JSON.stringify(done.body));
      assert.equal((await session(browser)).user.id, u.id);
      assertError(await new Browser(server.api).post('/email-otp/check-verification-otp', { email: u.email, type: 'sign-in', otp: code }), 400, 'INVALID_OTP');
    });

    test('a right code for an address with no account: 400 USER_NOT_FOUND; the code then still creates the account', async () => {
      const email = freshEmail('check-new');
      const code = await sendCode(server, email, 'sign-in');
      assertError(await new Browser(server.api).post('/email-otp/check-verification-otp', { email, type: 'sign-in', otp: otherThan(code) }), 400, 'INVALID_OTP');
      assertError(await new Browser(server.api).post('/email-otp/check-verification-otp', { email, type: 'sign-in', otp: code }), 400, 'USER_NOT_FOUND');
      const done = await new Browser(server.api).post('/sign-in/email-otp', { email, otp: code });
      assert.equal(done.status, 200, JSON.stringify(done.body));
      assert.equal(done.body.user.email, email);
    });
  });

  describe('POST /email-otp/verify-email', () => {
    test('200 {status:true, token:null, user}: the address is verified (get-session shows it), no session is started', async () => {
      const u = await signUp(server, { name: 'Vera Rubin' });
      assert.equal(u.user.emailVerified, false);
      const otp = await sendCode(server, u.email, 'email-verification');
      assertError(await new Browser(server.api).post('/email-otp/verify-email', { email: u.email, otp: otherThan(otp) }), 400, 'INVALID_OTP');
      assert.equal((await session(u.browser)).user.emailVerified, false);

      const res = await new Browser(server.api).post('/email-otp/verify-email', { email: u.email.toUpperCase(), otp });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(Object.keys(res.body), ['status', 'token', 'user']);
      assert.equal(res.body.status, true);
      assert.equal(res.body.token, null);
      assert.deepEqual(Object.keys(res.body.user).sort(), USER_KEYS);
      assert.equal(res.body.user.id, u.id);
      assert.equal(res.body.user.email, u.email);
      assert.equal(res.body.user.name, 'Vera Rubin');
      assert.equal(res.body.user.emailVerified, true);
      assert.deepEqual(res.headers.getSetCookie(), [], 'no session without --auto-sign-in-after-verification');
      const now = await session(u.browser);
      assert.equal(now.user.emailVerified, true);
      assert.equal(now.session.token, u.token, 'the sign-up session goes on');
      assert.equal((await signInByPassword(server, u.email, PASSWORD)).body.user.emailVerified, true);
      assertError(await new Browser(server.api).post('/email-otp/verify-email', { email: u.email, otp }), 400, 'INVALID_OTP');
    });

    test('a right code for an account deleted meanwhile: 400 USER_NOT_FOUND', async () => {
      const u = await signUp(server);
      const otp = await sendCode(server, u.email, 'email-verification');
      sql(server.db, `delete from "session" where "userId" = '${u.id}'`);
      sql(server.db, `delete from "account" where "userId" = '${u.id}'`);
      sql(server.db, `delete from "user" where "id" = '${u.id}'`);
      assertError(await new Browser(server.api).post('/email-otp/verify-email', { email: u.email, otp }), 400, 'USER_NOT_FOUND');
    });
  });

  describe('POST /sign-in/email-otp', () => {
    test('a new address: a verified user without a password is created and signed in, with the name and image given', async () => {
      const email = freshEmail('joiner');
      const code = await sendCode(server, email.toUpperCase(), 'sign-in');
      const browser = new Browser(server.api);
      const res = await browser.post('/sign-in/email-otp', { email: email.toUpperCase(), otp: code, name: 'Katherine Johnson', image: 'https://example.com/k.png' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(Object.keys(res.body), ['token', 'user']);
      assert.match(res.body.token, ID);
      const { user } = res.body;
      assert.deepEqual(Object.keys(user).sort(), USER_KEYS);
      assert.match(user.id, ID);
      assert.equal(user.email, email);
      assert.equal(user.emailVerified, true);
      assert.equal(user.name, 'Katherine Johnson');
      assert.equal(user.image, 'https://example.com/k.png');
      assert.ok(decodeURIComponent(browser.jar.get(COOKIE)).startsWith(`${res.body.token}.`), 'the session cookie');
      assert.ok(res.headers.getSetCookie().some((c) => c.startsWith(`${COOKIE}=`) && /Max-Age=604800/.test(c) && /HttpOnly/.test(c)));
      const now = await session(browser);
      assert.equal(now.session.token, res.body.token);
      assert.deepEqual(now.user, user);

      assert.equal(passwords(server, user.id), 0, 'no password');
      for (const password of [PASSWORD, 'x'.repeat(20)]) {
        assertError(await signInByPassword(server, email, password), 401, 'INVALID_EMAIL_OR_PASSWORD');
      }
      // Signing up with a password for that address now: taken.
      const up = await new Browser(server.api).post('/sign-up/email', { name: 'Other', email, password: PASSWORD });
      assert.equal(up.status, 422);
      assertError(await new Browser(server.api).post('/sign-in/email-otp', { email, otp: code }), 400, 'INVALID_OTP');
    });

    test('a new address without a name: name "" and image null; rememberMe false gives a browser-session cookie', async () => {
      const email = freshEmail('nameless');
      const code = await sendCode(server, email, 'sign-in');
      const browser = new Browser(server.api);
      const res = await browser.post('/sign-in/email-otp', { email, otp: code, rememberMe: false });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.user.name, '');
      assert.equal(res.body.user.image, null);
      assert.equal(res.body.user.emailVerified, true);
      assert.ok(res.headers.getSetCookie().some((c) => c.startsWith('better-auth.dont_remember=')), 'the dont_remember cookie');
      const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${COOKIE}=`));
      assert.ok(cookie && !/Max-Age/i.test(cookie), `a cookie for this browser session only: ${cookie}`);
      assert.equal((await session(browser)).user.id, res.body.user.id);
    });

    test('name "" is as no name (BetterAuth: name || ""): a new account named "", and an existing user signs in', async () => {
      const email = freshEmail('blank-name');
      const res = await new Browser(server.api).post('/sign-in/email-otp', { email, otp: await sendCode(server, email, 'sign-in'), name: '' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.user.name, '');
      // The name is for new accounts only: whatever an existing user's form sends, it is not looked at.
      const again = await new Browser(server.api).post('/sign-in/email-otp', { email, otp: await sendCode(server, email, 'sign-in'), name: '' });
      assert.equal(again.status, 200, JSON.stringify(again.body));
      assert.equal(again.body.user.id, res.body.user.id);
    });

    test('an existing verified user: signed in; the password and the other sessions stay', async () => {
      const u = await verifiedUser(server);
      const code = await sendCode(server, u.email, 'sign-in');
      const browser = new Browser(server.api);
      const res = await browser.post('/sign-in/email-otp', { email: u.email.toUpperCase(), otp: code, name: 'Someone Else' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(Object.keys(res.body), ['token', 'user']);
      assert.equal(res.body.user.id, u.id);
      assert.equal(res.body.user.name, 'Ada Lovelace', 'the name given at sign-in is for new accounts only');
      assert.notEqual(res.body.token, u.token);
      assert.equal((await session(browser)).session.token, res.body.token);
      assert.equal((await session(u.browser)).user.id, u.id, 'the sign-up session stays');
      assert.equal((await signInByPassword(server, u.email, PASSWORD)).status, 200, 'the password stays');
    });

    test('an existing user whose address was not verified: the password and old sessions are removed, the address verified', async () => {
      const u = await signUp(server);
      const phone = new Browser(server.api);
      assert.equal((await phone.post('/sign-in/email', { email: u.email, password: PASSWORD })).status, 200);
      assert.equal(passwords(server, u.id), 1);
      const code = await sendCode(server, u.email, 'sign-in');
      const browser = new Browser(server.api);
      const res = await browser.post('/sign-in/email-otp', { email: u.email, otp: code });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.user.id, u.id);
      assert.equal(res.body.user.emailVerified, true);
      const now = await session(browser);
      assert.equal(now.session.token, res.body.token);
      assert.equal(now.user.emailVerified, true);
      assert.equal(await session(u.browser), null, 'the sign-up session ended');
      assert.equal(await session(phone), null, 'the password sign-in ended');
      assert.equal(sql(server.db, `select count(*) as n from "session" where "userId" = '${u.id}'`)[0].n, 1, 'only the new one');
      assertError(await signInByPassword(server, u.email, PASSWORD), 401, 'INVALID_EMAIL_OR_PASSWORD');
      assert.equal(passwords(server, u.id), 0);
    });

    test('a banned user: 403 BANNED_USER and no session; after unban a new code signs in', async () => {
      const u = await verifiedUser(server);
      const code = await sendCode(server, u.email, 'sign-in');
      const banned = cli(server.db, ['ban', '--email', u.email, '--reason', 'spam']);
      assert.equal(banned.status, 0, banned.stderr);
      const browser = new Browser(server.api);
      const refused = await browser.post('/sign-in/email-otp', { email: u.email, otp: code });
      assertError(refused, 403, 'BANNED_USER');
      assert.deepEqual(refused.body, { message: BANNED, code: 'BANNED_USER' }, 'the reason is for administrators only');
      assert.deepEqual(refused.headers.getSetCookie(), []);
      assert.equal(sql(server.db, `select count(*) as n from "session" where "userId" = '${u.id}'`)[0].n, 0);

      assert.equal(cli(server.db, ['unban', '--email', u.email]).status, 0);
      const fresh = await sendCode(server, u.email, 'sign-in');
      const done = await browser.post('/sign-in/email-otp', { email: u.email, otp: fresh });
      assert.equal(done.status, 200, JSON.stringify(done.body));
    });

    test('the audit log: "sign-up" then "sign-in", method "email-otp", for a new account; "sign-in" after; never the address or the code', async () => {
      const email = freshEmail('audited');
      const first = await sendCode(server, email, 'sign-in');
      const up = await new Browser(server.api).post('/sign-in/email-otp', { email, otp: first });
      assert.equal(up.status, 200, JSON.stringify(up.body));
      const id = up.body.user.id;
      const ip = '127.0.0.1';
      // The account is made, and signed in to.
      assert.deepEqual(await auditOf(server, up), [
        { event: 'sign-up', user: id, ip, method: 'email-otp' },
        { event: 'sign-in', user: id, ip, method: 'email-otp' },
      ]);

      const second = await sendCode(server, email, 'sign-in');
      const inn = await new Browser(server.api).post('/sign-in/email-otp', { email, otp: second });
      assert.equal(inn.status, 200, JSON.stringify(inn.body));
      assert.deepEqual(await auditOf(server, inn), [{ event: 'sign-in', user: id, ip, method: 'email-otp' }]);

      const third = await sendCode(server, email, 'forget-password');
      const reset = await new Browser(server.api).post('/email-otp/reset-password', { email, otp: third, password: NEW_PASSWORD });
      assert.equal(reset.status, 200, JSON.stringify(reset.body));
      const [line, ...more] = await auditOf(server, reset);
      assert.deepEqual(more, []);
      assert.deepEqual({ ...line, method: undefined }, { event: 'password-reset', user: id, ip, method: undefined });
      assert.ok(line.method === undefined || line.method === 'email-otp', JSON.stringify(line));

      const all = server.logs.join('\n');
      for (const secret of [email, first, second, third, NEW_PASSWORD, up.body.token, inn.body.token]) {
        assert.ok(!all.includes(secret), `the log must not hold ${secret}`);
      }
    });
  });

  describe('password reset by code', () => {
    test('request-password-reset and the deprecated /forget-password/email-otp: {"success":true} always; a code only to an account', async () => {
      const u = await signUp(server, { name: 'Rita Levi' });
      const unknown = freshEmail('ghost');
      for (const path of ['/email-otp/request-password-reset', '/forget-password/email-otp']) {
        const none = await new Browser(server.api).post(path, { email: unknown });
        assert.equal(none.status, 200, path);
        assert.equal(JSON.stringify(none.body), '{"success":true}', path);
        assert.equal(otpRows(server, 'forget-password', unknown).length, 0, path);

        const { mail, result } = await expectMail(server, u.email, KIND['forget-password'], () =>
          new Browser(server.api).post(path, { email: u.email.toUpperCase() }),
        );
        assert.equal(result.status, 200, path);
        assert.equal(JSON.stringify(result.body), '{"success":true}', path);
        assert.match(mail.subject, /code/i);
        const code = codeIn(mail);
        assert.equal(otpRows(server, 'forget-password', u.email)[0].value, `${hashOf(code)}:0`, `${path}: a forget-password code`);
      }
      await drainMail(server);
      assert.deepEqual(mailsTo(server, unknown), [], 'no mail to an address with no account');

      // The code from the deprecated route resets the password.
      const code = codeIn(mailsTo(server, u.email, KIND['forget-password']).at(-1));
      const done = await new Browser(server.api).post('/email-otp/reset-password', { email: u.email, otp: code, password: NEW_PASSWORD });
      assert.equal(done.status, 200, JSON.stringify(done.body));
      assert.equal((await signInByPassword(server, u.email, NEW_PASSWORD)).status, 200);
    });

    test('[ASVS 2.5.6] reset-password: refused passwords leave the code usable; then the password is set, every session ends, the address is verified', async () => {
      const u = await signUp(server, { name: 'Rosalind Franklin' });
      const phone = new Browser(server.api);
      assert.equal((await phone.post('/sign-in/email', { email: u.email, password: PASSWORD })).status, 200);
      const { mail } = await expectMail(server, u.email, KIND['forget-password'], () =>
        new Browser(server.api).post('/email-otp/request-password-reset', { email: u.email }),
      );
      const otp = codeIn(mail);
      const reset = (password, email = u.email) => new Browser(server.api).post('/email-otp/reset-password', { email, otp, password });

      assertError(await reset('short'), 400, 'PASSWORD_TOO_SHORT');
      assertError(await reset('a'.repeat(129)), 400, 'PASSWORD_TOO_LONG');
      const weak = await reset('password123');
      assert.equal(weak.status, 400, JSON.stringify(weak.body));
      assert.deepEqual(Object.keys(weak.body), ['message', 'code', 'score', 'feedback']);
      assert.equal(weak.body.code, 'PASSWORD_TOO_WEAK');
      assert.equal(weak.body.score, 0);
      assert.deepEqual(Object.keys(weak.body.feedback), ['warning', 'warningKey', 'suggestions', 'suggestionKeys']);
      assert.equal(otpRows(server, 'forget-password', u.email)[0].value, `${hashOf(otp)}:0`, 'refused passwords are not wrong codes');
      assert.equal((await session(u.browser)).user.id, u.id, 'nothing changed');
      assert.equal((await signInByPassword(server, u.email, PASSWORD)).status, 200);

      const done = await reset(NEW_PASSWORD, u.email.toUpperCase());
      assert.equal(done.status, 200, JSON.stringify(done.body));
      assert.equal(JSON.stringify(done.body), '{"success":true}');
      assert.equal(await session(u.browser), null, 'signed out');
      assert.equal(await session(phone), null, 'everywhere');
      assert.equal(sql(server.db, `select count(*) as n from "session" where "userId" = '${u.id}'`)[0].n, 0);
      assertError(await signInByPassword(server, u.email, PASSWORD), 401, 'INVALID_EMAIL_OR_PASSWORD');
      const inn = await signInByPassword(server, u.email, NEW_PASSWORD);
      assert.equal(inn.status, 200, JSON.stringify(inn.body));
      assert.equal(inn.body.user.emailVerified, true, 'the code proved the mailbox');
      assertError(await reset(`${NEW_PASSWORD} again`), 400, 'INVALID_OTP');
    });

    test('a user without a password (signed up by code) gets one', async () => {
      const email = freshEmail('passwordless');
      const up = await new Browser(server.api).post('/sign-in/email-otp', { email, otp: await sendCode(server, email, 'sign-in') });
      assert.equal(up.status, 200, JSON.stringify(up.body));
      assertError(await signInByPassword(server, email, NEW_PASSWORD), 401, 'INVALID_EMAIL_OR_PASSWORD');
      const otp = await sendCode(server, email, 'forget-password');
      const done = await new Browser(server.api).post('/email-otp/reset-password', { email, otp, password: NEW_PASSWORD });
      assert.equal(done.status, 200, JSON.stringify(done.body));
      const inn = await signInByPassword(server, email, NEW_PASSWORD);
      assert.equal(inn.status, 200, JSON.stringify(inn.body));
      assert.equal(inn.body.user.id, up.body.user.id);
      assert.equal(passwords(server, up.body.user.id), 1);
    });
  });

  test("BetterAuth's client with emailOTPClient(): sendVerificationOtp, signIn.emailOtp, checkVerificationOtp, requestPasswordReset, resetPassword", async () => {
    const email = freshEmail('client');
    const { client, jar } = browserClient(server.url, { plugins: [emailOTPClient()] });
    const sent = await expectMail(server, email, KIND['sign-in'], () => client.emailOtp.sendVerificationOtp({ email, type: 'sign-in' }));
    assert.deepEqual(sent.result, { data: { success: true }, error: null });
    const code = codeIn(sent.mail);

    const wrong = await client.signIn.emailOtp({ email, otp: otherThan(code) });
    assert.equal(wrong.data, null);
    assert.equal(wrong.error.status, 400);
    assert.equal(wrong.error.code, 'INVALID_OTP');
    assert.equal(wrong.error.message, 'Invalid OTP');
    const inn = await client.signIn.emailOtp({ email, otp: code, name: 'Client User' });
    assert.equal(inn.error, null, JSON.stringify(inn.error));
    assert.match(inn.data.token, ID);
    assert.equal(inn.data.user.email, email);
    assert.equal(inn.data.user.name, 'Client User');
    assert.equal(inn.data.user.emailVerified, true);
    assert.ok(jar.has(COOKIE));
    const now = await client.getSession();
    assert.equal(now.data.session.token, inn.data.token);
    assert.equal(now.data.user.id, inn.data.user.id);

    const reset = await expectMail(server, email, KIND['forget-password'], () => client.emailOtp.requestPasswordReset({ email }));
    assert.deepEqual(reset.result, { data: { success: true }, error: null });
    const otp = codeIn(reset.mail);
    assert.deepEqual(await client.emailOtp.checkVerificationOtp({ email, type: 'forget-password', otp }), { data: { success: true }, error: null });
    const weak = await client.emailOtp.resetPassword({ email, otp, password: 'password123' });
    assert.equal(weak.error.status, 400);
    assert.equal(weak.error.code, 'PASSWORD_TOO_WEAK');
    assert.deepEqual(await client.emailOtp.resetPassword({ email, otp, password: NEW_PASSWORD }), { data: { success: true }, error: null });
    assert.equal((await client.getSession()).data, null, 'the reset ended the session');
    const { client: phone } = browserClient(server.url, { plugins: [emailOTPClient()] });
    const byPassword = await phone.signIn.email({ email, password: NEW_PASSWORD });
    assert.equal(byPassword.error, null, JSON.stringify(byPassword.error));
    assert.equal(byPassword.data.user.id, inn.data.user.id);

    // The deprecated alias, as the client names it.
    const alias = await expectMail(server, email, KIND['forget-password'], () => phone.forgetPassword.emailOtp({ email }));
    assert.deepEqual(alias.result, { data: { success: true }, error: null });
    codeIn(alias.mail);
  });
});

// ---- A change of address with codes (--email-otp-change-email) ---------------------------------

describe('--email-otp-change-email: a signed-in user changes address with a code mailed to the new one', () => {
  let server;
  before(async () => {
    server = await startServer({ ...OTP, emailOtpChangeEmail: true });
  });
  after(async () => {
    await server?.stop();
  });
  const request = (u, body) => u.browser.post('/email-otp/request-email-change', body);
  const change = (u, body) => u.browser.post('/email-otp/change-email', body);
  /** request-email-change for `newEmail` (asserted 200), and the code mailed there. */
  async function changeCode(u, newEmail, otp) {
    const { mail, result } = await expectMail(server, newEmail, KIND['change-email'], () => request(u, { newEmail, ...(otp ? { otp } : {}) }));
    assert.equal(result.status, 200, JSON.stringify(result.body));
    assert.deepEqual(result.body, { success: true });
    assert.match(mail.text, new RegExp(newEmail.replace(/[.]/g, '\\.')));
    return codeIn(mail);
  }
  /** The code that confirms a change, mailed to `u`'s verified address (asked while signed in). */
  async function confirmCode(u) {
    const { mail, result } = await expectMail(server, u.email, CONFIRM_KIND, () =>
      u.browser.post('/email-otp/send-verification-otp', { email: u.email, type: 'email-verification' }),
    );
    assert.deepEqual(result.body, { success: true });
    assert.match(mail.subject, /Confirm the change of your .* e-mail address/);
    return codeIn(mail);
  }

  test('an unverified user: a code to the new address makes it theirs, verified; the old address is told; the audit says so', async () => {
    const u = await signUp(server);
    const newEmail = freshEmail('new');
    const code = await changeCode(u, newEmail);
    assertError(await change(u, { newEmail, otp: otherThan(code) }), 400, 'INVALID_OTP');
    const { mail, result } = await expectMail(server, u.email, 'email-changed', () => change(u, { newEmail, otp: code }));
    assert.equal(result.status, 200, JSON.stringify(result.body));
    assert.deepEqual(result.body, { success: true });
    assert.match(mail.text, new RegExp(newEmail.replace(/[.]/g, '\\.')));
    const now = await session(u.browser);
    assert.equal(now.user.email, newEmail);
    assert.equal(now.user.emailVerified, true);
    assert.equal(now.session.token, u.token, 'the same session');
    assert.deepEqual(await auditOf(server, result), [{ event: 'email-changed', user: u.id, ip: '127.0.0.1', method: 'email-otp' }]);
    assert.equal((await signInByPassword(server, newEmail, PASSWORD)).status, 200);
    assertError(await signInByPassword(server, u.email, PASSWORD), 401, 'INVALID_EMAIL_OR_PASSWORD');
    // The code is used up.
    assertError(await change(u, { newEmail: freshEmail('again'), otp: code }), 400, 'INVALID_OTP');
  });

  test('a verified user first gives a code mailed to the current address (--change-email-confirmation, the default): OTP_REQUIRED without it', async () => {
    const u = await verifiedUser(server);
    const newEmail = freshEmail('new');
    assertError(await request(u, { newEmail }), 400, 'OTP_REQUIRED');
    // Nobody else gets that code for a verified address: not signed out, not another user.
    await send(server, u.email, 'email-verification');
    const other = await signUp(server);
    await other.browser.post('/email-otp/send-verification-otp', { email: u.email, type: 'email-verification' });
    await drainMail(server);
    assert.deepEqual(mailsTo(server, u.email, CONFIRM_KIND), []);

    const current = await confirmCode(u);
    assertError(await request(u, { newEmail, otp: otherThan(current) }), 400, 'INVALID_OTP');
    await drainMail(server);
    assert.deepEqual(mailsTo(server, newEmail), [], 'no code to the new address yet');
    const code = await changeCode(u, newEmail, current);
    assertError(await request(u, { newEmail, otp: current }), 400, 'INVALID_OTP');  // used up
    assert.equal((await change(u, { newEmail, otp: code })).status, 200);
    assert.equal((await session(u.browser)).user.email, newEmail);
  });

  test('the code is for this user and this address only; the same, a malformed or a taken address; signed out; bad bodies', async () => {
    const u = await signUp(server);
    const other = await signUp(server);
    const newEmail = freshEmail('new');
    const code = await changeCode(u, newEmail);
    assertError(await change(other, { newEmail, otp: code }), 400, 'INVALID_OTP');
    assertError(await change(u, { newEmail: freshEmail('elsewhere'), otp: code }), 400, 'INVALID_OTP');
    assertError(await request(u, { newEmail: u.email }), 400, 'EMAIL_IS_THE_SAME');
    assertError(await request(u, { newEmail: u.email.toUpperCase() }), 400, 'EMAIL_IS_THE_SAME');
    assertError(await change(u, { newEmail: u.email, otp: code }), 400, 'EMAIL_IS_THE_SAME');
    assertError(await request(u, { newEmail: 'not-an-address' }), 400, 'INVALID_EMAIL');
    const anonymous = new Browser(server.api);
    assertError(await anonymous.post('/email-otp/request-email-change', { newEmail }), 401, 'UNAUTHORIZED');
    assertError(await anonymous.post('/email-otp/change-email', { newEmail, otp: code }), 401, 'UNAUTHORIZED');
    assertError(await request(u, { newEmail, admin: true }), 400, 'VALIDATION_ERROR');  // an unknown field
    assertError(await request(u, {}), 400, 'VALIDATION_ERROR');
    assertError(await change(u, { newEmail }), 400, 'VALIDATION_ERROR');
    assertError(await change(u, { newEmail, otp: 123456 }), 400, 'VALIDATION_ERROR');
    assert.deepEqual(await send(server, newEmail, 'change-email').then((r) => [r.status, r.body.message]), [400, 'Invalid OTP type']);
    // None of it used the code up or changed the user.
    assert.equal((await session(u.browser)).user.email, u.email);
    assert.equal((await change(u, { newEmail, otp: code })).status, 200);

    // An address with an account: the same answer, and no code mailed.
    const taken = await signUp(server);
    const res = await request(other, { newEmail: taken.email });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { success: true });
    await drainMail(server);
    assert.deepEqual(mailsTo(server, taken.email, KIND['change-email']), []);
    // One that got an account after its code was mailed: 400, and the user keeps their address.
    const late = freshEmail('late');
    const lateCode = await changeCode(other, late);
    await signUp(server, { email: late });
    assertError(await change(other, { newEmail: late, otp: lateCode }), 400, 'USER_ALREADY_EXISTS');
    assert.equal((await session(other.browser)).user.email, other.email);
  });

  test("BetterAuth's client with emailOTPClient(): sendVerificationOtp for the current address, requestEmailChange, changeEmail", async () => {
    const u = await verifiedUser(server);
    const { client } = browserClient(server.url, { plugins: [emailOTPClient()] });
    const inn = await client.signIn.email({ email: u.email, password: PASSWORD });
    assert.equal(inn.error, null, JSON.stringify(inn.error));
    const missing = await client.emailOtp.requestEmailChange({ newEmail: freshEmail('client') });
    assert.equal(missing.error.status, 400);
    assert.equal(missing.error.code, 'OTP_REQUIRED');
    const confirm = await expectMail(server, u.email, CONFIRM_KIND, () => client.emailOtp.sendVerificationOtp({ email: u.email, type: 'email-verification' }));
    const newEmail = freshEmail('client');
    const asked = await expectMail(server, newEmail, KIND['change-email'], () => client.emailOtp.requestEmailChange({ newEmail, otp: codeIn(confirm.mail) }));
    assert.deepEqual(asked.result, { data: { success: true }, error: null });
    assert.deepEqual(await client.emailOtp.changeEmail({ newEmail, otp: codeIn(asked.mail) }), { data: { success: true }, error: null });
    const now = await client.getSession();
    assert.equal(now.data.user.email, newEmail);
    assert.equal(now.data.user.emailVerified, true);
  });
});

test('--email-otp-change-email: off, the routes answer 400 CHANGE_EMAIL_DISABLED; it needs --email-otp; --change-email-confirmation false asks no code of the current address', async () => {
  await withServer(OTP, async (s) => {
    const u = await signUp(s);
    assertError(await u.browser.post('/email-otp/request-email-change', { newEmail: freshEmail('new') }), 400, 'CHANGE_EMAIL_DISABLED');
    assertError(await u.browser.post('/email-otp/change-email', { newEmail: freshEmail('new'), otp: '123456' }), 400, 'CHANGE_EMAIL_DISABLED');
  });
  const refused = spawnSync(BIN, ['check-config', '--dev', '--mail', 'outbox', '--email-otp-change-email', 'true'], { encoding: 'utf8' });
  assert.notEqual(refused.status, 0);
  assert.match(refused.stderr, /emailOtpChangeEmail: needs emailOtp/);
  const fine = spawnSync(BIN, ['check-config', '--dev', '--mail', 'outbox', '--email-otp', 'true', '--email-otp-change-email', 'true'], { encoding: 'utf8' });
  assert.equal(fine.status, 0, fine.stderr);
  assert.deepEqual(JSON.parse(fine.stdout).plugins, ['email-otp', 'email-otp change-email']);

  await withServer({ ...OTP, emailOtpChangeEmail: true, changeEmailConfirmation: false }, async (s) => {
    const u = await verifiedUser(s);
    const newEmail = freshEmail('new');
    const { mail, result } = await expectMail(s, newEmail, KIND['change-email'], () => u.browser.post('/email-otp/request-email-change', { newEmail }));
    assert.equal(result.status, 200, JSON.stringify(result.body));
    assert.equal((await u.browser.post('/email-otp/change-email', { newEmail, otp: codeIn(mail) })).status, 200);
    // And the current address's verification code is not mailed to a verified one.
    const v = await verifiedUser(s);
    await v.browser.post('/email-otp/send-verification-otp', { email: v.email, type: 'email-verification' });
    await drainMail(s);
    assert.deepEqual(mailsTo(s, v.email, CONFIRM_KIND), []);
  });
});

// ---- Other settings -----------------------------------------------------------------------------

test('--email-otp-attempts 1: one wrong code and even the right one is 403 TOO_MANY_ATTEMPTS', async () => {
  await withServer({ ...OTP, emailOtpAttempts: 1 }, async (s) => {
    const u = await signUp(s);
    const code = await sendCode(s, u.email, 'forget-password');
    assertError(await new Browser(s.api).post('/email-otp/reset-password', { email: u.email, otp: otherThan(code), password: NEW_PASSWORD }), 400, 'INVALID_OTP');
    assertError(await new Browser(s.api).post('/email-otp/reset-password', { email: u.email, otp: code, password: NEW_PASSWORD }), 403, 'TOO_MANY_ATTEMPTS');
    assert.equal((await signInByPassword(s, u.email, PASSWORD)).status, 200, 'the password is unchanged');
  });
});

test('--email-otp-expires-in 1: a code is OTP_EXPIRED after a second (on every route), and then gone', async () => {
  await withServer({ ...OTP, emailOtpExpiresIn: 1 }, async (s) => {
    const u = await signUp(s);
    // Sent before the sign-in code: expired once it has.
    const verification = await sendCode(s, u.email, 'email-verification');
    const reset = await sendCode(s, u.email, 'forget-password');
    const code = await sendCode(s, u.email, 'sign-in');
    const [row] = otpRows(s, 'sign-in', u.email);
    assert.equal(new Date(row.expiresAt) - new Date(row.createdAt), 1000);

    // The check leaves a live code in place: asked again until the server says it expired.
    const expired = await waitFor(
      async () => {
        const res = await new Browser(s.api).post('/email-otp/check-verification-otp', { email: u.email, type: 'sign-in', otp: code });
        return res.status === 200 ? null : res;
      },
      { timeout: 10000, interval: 100, what: 'the code to expire' },
    );
    assertError(expired, 400, 'OTP_EXPIRED');
    assertError(await new Browser(s.api).post('/sign-in/email-otp', { email: u.email, otp: code }), 400, 'INVALID_OTP');

    assertError(await new Browser(s.api).post('/email-otp/verify-email', { email: u.email, otp: verification }), 400, 'OTP_EXPIRED');
    assertError(await new Browser(s.api).post('/email-otp/verify-email', { email: u.email, otp: verification }), 400, 'INVALID_OTP');
    assertError(await new Browser(s.api).post('/email-otp/reset-password', { email: u.email, otp: reset, password: NEW_PASSWORD }), 400, 'OTP_EXPIRED');
    assert.equal(otpRows(s, 'forget-password', u.email).length, 0, 'the expired code is gone');

    const inn = await signInByPassword(s, u.email, PASSWORD);
    assert.equal(inn.status, 200, 'the password is unchanged');
    assert.equal(inn.body.user.emailVerified, false, 'and the address unverified');
    assert.equal((await session(u.browser)).user.id, u.id, 'the sessions stay');
  });
});

test('--sign-up-enabled false: no sign-in code to a new address, and a code for an address with no account is INVALID_OTP', async () => {
  await withServer({ ...OTP, signUpEnabled: false }, async (s) => {
    const newcomer = freshEmail('closed');
    const res = await send(s, newcomer, 'sign-in');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(JSON.stringify(res.body), '{"success":true}');

    // Existing users still sign in by code.
    const u = cliUser(s, { verified: true });
    const browser = new Browser(s.api);
    const done = await browser.post('/sign-in/email-otp', { email: u.email, otp: await sendCode(s, u.email, 'sign-in') });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal(done.body.user.id, u.id);
    await drainMail(s);
    assert.deepEqual(mailsTo(s, newcomer), [], 'no code for a new address');
    assert.equal(otpRows(s, 'sign-in', newcomer).length, 0);
    assertError(await new Browser(s.api).post('/sign-in/email-otp', { email: newcomer, otp: '123456' }), 400, 'INVALID_OTP');

    // A code mailed to an account that is deleted before it is used creates nothing.
    const gone = cliUser(s);
    const code = await sendCode(s, gone.email, 'sign-in');
    sql(s.db, `delete from "account" where "userId" = '${gone.id}'`);
    sql(s.db, `delete from "user" where "id" = '${gone.id}'`);
    const refused = await new Browser(s.api).post('/sign-in/email-otp', { email: gone.email, otp: code, name: 'Intruder' });
    assertError(refused, 400, 'INVALID_OTP');
    assert.deepEqual(refused.headers.getSetCookie(), []);
    assert.deepEqual(sql(s.db, `select "id" from "user" where "email" = '${gone.email}'`), [], 'no account is created');
  });
});

describe('with --two-factor and --auto-sign-in-after-verification', () => {
  let s;
  before(async () => {
    s = await startServer({ ...OTP, twoFactor: true, autoSignInAfterVerification: true });
  });
  after(async () => {
    await s.stop();
  });

  /** Turns the authenticator app on for the signed-up user `u`; returns its key. */
  async function withApp(u) {
    const enabled = await u.browser.post('/two-factor/enable', { password: PASSWORD });
    assert.equal(enabled.status, 200, JSON.stringify(enabled.body));
    const key = keyOf(enabled.body.totpURI);
    assert.equal((await u.browser.post('/two-factor/verify-totp', { code: totp(key) })).status, 200);
    return key;
  }

  test('verify-email starts a session: a cookie and the token in the answer', async () => {
    const u = await signUp(s);
    const otp = await sendCode(s, u.email, 'email-verification');
    const phone = new Browser(s.api);
    const res = await phone.post('/email-otp/verify-email', { email: u.email, otp });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(Object.keys(res.body), ['status', 'token', 'user']);
    assert.equal(res.body.status, true);
    assert.match(res.body.token, ID);
    assert.notEqual(res.body.token, u.token);
    assert.equal(res.body.user.emailVerified, true);
    assert.ok(decodeURIComponent(phone.jar.get(COOKIE)).startsWith(`${res.body.token}.`));
    const now = await session(phone);
    assert.equal(now.session.token, res.body.token);
    assert.equal(now.user.id, u.id);
    assert.equal(now.user.emailVerified, true);
  });

  test('a user with the second factor on: verify-email verifies but starts no session', async () => {
    const u = await signUp(s);
    await withApp(u);
    const otp = await sendCode(s, u.email, 'email-verification');
    const phone = new Browser(s.api);
    const res = await phone.post('/email-otp/verify-email', { email: u.email, otp });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.status, true);
    assert.equal(res.body.token, null);
    assert.equal(res.body.user.emailVerified, true);
    assert.ok(!phone.jar.has(COOKIE), 'no session cookie');
    assert.equal(await session(phone), null);
  });

  test('sign-in/email-otp for a user with the second factor on: the password sign-in\'s twoFactorRedirect and challenge cookie', async () => {
    const u = await signUp(s);
    const key = await withApp(u);
    // The address verified first (a session starts there, which this test does not use).
    assert.equal((await new Browser(s.api).post('/email-otp/verify-email', { email: u.email, otp: await sendCode(s, u.email, 'email-verification') })).status, 200);
    const byPassword = await signInByPassword(s, u.email, PASSWORD);
    assert.deepEqual(byPassword.body, { twoFactorRedirect: true, twoFactorMethods: ['totp'] });

    const code = await sendCode(s, u.email, 'sign-in');
    const browser = new Browser(s.api);
    const res = await browser.post('/sign-in/email-otp', { email: u.email, otp: code });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body, byPassword.body);
    assert.ok(!browser.jar.has(COOKIE), 'no session cookie');
    assert.ok(browser.jar.has(CHALLENGE), 'the challenge cookie');
    assert.equal(await session(browser), null);
    assertError(await new Browser(s.api).post('/sign-in/email-otp', { email: u.email, otp: code }), 400, 'INVALID_OTP');

    const done = await browser.post('/two-factor/verify-totp', { code: totp(key, 1) });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.ok(browser.jar.has(COOKIE));
    assert.ok(!browser.jar.has(CHALLENGE));
    assert.equal((await session(browser)).user.id, u.id);
  });
});

describe('--email-otp-verification: verification mails carry a code instead of a link', () => {
  test('--send-verification-on-sign-up mails a code (no link); verify-email takes it; send-verification-email mails a new one', async () => {
    await withServer({ ...OTP, emailOtpVerification: true, sendVerificationOnSignUp: true }, async (s) => {
      const email = freshEmail('signup-code');
      const { mail, result: u } = await expectMail(s, email, KIND['email-verification'], () => signUp(s, { email, name: 'Lise Meitner' }));
      assert.ok(u.token, 'sign-up still signs in');
      assert.match(mail.subject, /code/i);
      const first = codeIn(mail);
      assert.equal(otpRows(s, 'email-verification', email)[0].value, `${hashOf(first)}:0`);

      // Asking again from the account: a new code, which replaces the first.
      const again = await expectMail(s, email, KIND['email-verification'], () => u.browser.post('/send-verification-email', { email }));
      assert.equal(again.result.status, 200, JSON.stringify(again.result.body));
      assert.deepEqual(again.result.body, { status: true });
      const second = codeIn(again.mail);
      if (first !== second) {
        assertError(await new Browser(s.api).post('/email-otp/verify-email', { email, otp: first }), 400, 'INVALID_OTP');
      }
      const res = await new Browser(s.api).post('/email-otp/verify-email', { email, otp: second });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.user.emailVerified, true);
      assert.equal((await session(u.browser)).user.emailVerified, true);
      await drainMail(s);
      assert.deepEqual(mailsTo(s, email, 'verify-email'), [], 'no link was mailed');
    });
  });

  test('--require-email-verification: a sign-in refused with EMAIL_NOT_VERIFIED mails a code; with it verified, the sign-in works', async () => {
    await withServer({ ...OTP, emailOtpVerification: true, requireEmailVerification: true }, async (s) => {
      const email = freshEmail('strict-code');
      const { result: up } = await expectMail(s, email, KIND['email-verification'], () => signUp(s, { email }));
      assert.equal(up.token, null, 'no session before verification');
      const { mail, result: refused } = await expectMail(s, email, KIND['email-verification'], () => signInByPassword(s, email, PASSWORD));
      assertError(refused, 403, 'EMAIL_NOT_VERIFIED');
      const otp = codeIn(mail);
      const res = await new Browser(s.api).post('/email-otp/verify-email', { email, otp });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const inn = await signInByPassword(s, email, PASSWORD);
      assert.equal(inn.status, 200, JSON.stringify(inn.body));
      assert.equal(inn.body.user.emailVerified, true);
      await drainMail(s);
      assert.deepEqual(mailsTo(s, email, 'verify-email'), [], 'no link was mailed');
    });
  });
});

test('--revoke-sessions-on-password-reset false: reset-password by code keeps the sessions', async () => {
  await withServer({ ...OTP, revokeSessionsOnPasswordReset: false }, async (s) => {
    const u = await signUp(s);
    const otp = await sendCode(s, u.email, 'forget-password');
    assert.equal((await new Browser(s.api).post('/email-otp/reset-password', { email: u.email, otp, password: NEW_PASSWORD })).status, 200);
    assert.equal((await session(u.browser)).user.id, u.id);
    assert.equal((await signInByPassword(s, u.email, NEW_PASSWORD)).status, 200);
  });
});

test('rate limit: 3 requests per 60 s per IP on each route; the 4th is 429 TOO_MANY_REQUESTS', async () => {
  await withServer({ ...OTP, rateLimit: true }, async (s) => {
    for (let i = 0; i < 3; i++) {
      const res = await send(s, freshEmail('limited'), 'sign-in');
      assert.equal(res.status, 200, `request ${i + 1}: ${JSON.stringify(res.body)}`);
    }
    assertError(await send(s, freshEmail('limited'), 'sign-in'), 429, 'TOO_MANY_REQUESTS');
    for (let i = 0; i < 3; i++) {
      assertError(await new Browser(s.api).post('/sign-in/email-otp', { email: freshEmail('limited'), otp: '123456' }), 400, 'INVALID_OTP');
    }
    assertError(await new Browser(s.api).post('/sign-in/email-otp', { email: freshEmail('limited'), otp: '123456' }), 429, 'TOO_MANY_REQUESTS');
    for (let i = 0; i < 3; i++) assert.equal((await new Browser(s.api).post('/forget-password/email-otp', { email: freshEmail('limited') })).status, 200);
    assertError(await new Browser(s.api).post('/forget-password/email-otp', { email: freshEmail('limited') }), 429, 'TOO_MANY_REQUESTS');
  });
});

// ---- PostgreSQL ---------------------------------------------------------------------------------

describe("on PostgreSQL: Portcullis's own database", { skip: !PG_URL && 'PORTCULLIS_TEST_POSTGRES is not set' }, () => {
  const name = `pc_email_otp_${process.pid}`;
  const dbUrl = PG_URL && Object.assign(new URL(PG_URL), { pathname: `/${name}` }).toString();
  let pg;
  before(async () => {
    psql(PG_URL, `DROP DATABASE IF EXISTS ${name}`);
    psql(PG_URL, `CREATE DATABASE ${name}`);
    pg = await startServer({ ...OTP, database: dbUrl });
  });
  after(async () => {
    await pg?.stop();
    if (PG_URL) psql(PG_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
  const stored = (type, email) => psql(dbUrl, `SELECT "value" FROM "verification" WHERE "identifier" = '${type}-otp-${email}'`);

  test('a new address signs up by code: stored hashed, wrong codes counted, replaced by a new one, then 403 after three', async () => {
    const email = freshEmail('pg-new');
    const stale = await sendCode(pg, email, 'sign-in');
    const code = await sendCode(pg, email, 'sign-in');
    assert.equal(stored('sign-in', email), `${hashOf(code)}:0`);
    if (stale !== code) assertError(await new Browser(pg.api).post('/sign-in/email-otp', { email, otp: stale }), 400, 'INVALID_OTP');
    else assertError(await new Browser(pg.api).post('/sign-in/email-otp', { email, otp: otherThan(code) }), 400, 'INVALID_OTP');
    assert.equal(stored('sign-in', email), `${hashOf(code)}:1`);
    assertError(await new Browser(pg.api).post('/email-otp/check-verification-otp', { email, type: 'sign-in', otp: code }), 400, 'USER_NOT_FOUND');
    const browser = new Browser(pg.api);
    const res = await browser.post('/sign-in/email-otp', { email, otp: code, name: 'Pg User' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.user.emailVerified, true);
    assert.equal((await session(browser)).user.id, res.body.user.id);
    assert.equal(psql(dbUrl, `SELECT count(*) FROM "account" WHERE "userId" = '${res.body.user.id}' AND "password" IS NOT NULL`), '0');
    assert.equal(stored('sign-in', email), '', 'used');

    const next = await sendCode(pg, email, 'sign-in');
    for (let i = 0; i < 3; i++) assertError(await new Browser(pg.api).post('/sign-in/email-otp', { email, otp: otherThan(next) }), 400, 'INVALID_OTP');
    assertError(await new Browser(pg.api).post('/sign-in/email-otp', { email, otp: next }), 403, 'TOO_MANY_ATTEMPTS');
  });

  test('an unverified user: sign-in by code removes the password and sessions; reset-password sets one and ends sessions; a ban is 403', async () => {
    const u = await signUp(pg);
    const browser = new Browser(pg.api);
    const inn = await browser.post('/sign-in/email-otp', { email: u.email, otp: await sendCode(pg, u.email, 'sign-in') });
    assert.equal(inn.status, 200, JSON.stringify(inn.body));
    assert.equal(inn.body.user.emailVerified, true);
    assert.equal(await session(u.browser), null, 'the old session ended');
    assertError(await signInByPassword(pg, u.email, PASSWORD), 401, 'INVALID_EMAIL_OR_PASSWORD');

    const otp = await sendCode(pg, u.email, 'forget-password');
    assert.equal((await new Browser(pg.api).post('/email-otp/reset-password', { email: u.email, otp, password: 'password123' })).body.code, 'PASSWORD_TOO_WEAK');
    const done = await new Browser(pg.api).post('/email-otp/reset-password', { email: u.email, otp, password: NEW_PASSWORD });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal(await session(browser), null, 'signed out by the reset');
    assert.equal((await signInByPassword(pg, u.email, NEW_PASSWORD)).status, 200);

    const code = await sendCode(pg, u.email, 'sign-in');
    assert.equal(cli(dbUrl, ['ban', '--email', u.email]).status, 0);
    assertError(await new Browser(pg.api).post('/sign-in/email-otp', { email: u.email, otp: code }), 403, 'BANNED_USER');
  });
});

describe('on a PostgreSQL database shared with BetterAuth and its emailOTP plugin (storeOTP "hashed")', { skip: !PG_URL && 'PORTCULLIS_TEST_POSTGRES is not set' }, () => {
  const mailed = [];  // what BetterAuth's sendVerificationOTP was given
  let db;
  let auth;
  let pg;
  before(async () => {
    const plugin = emailOTP({
      storeOTP: 'hashed',
      changeEmail: { enabled: true, verifyCurrentEmail: true },  // Portcullis's --change-email-confirmation
      async sendVerificationOTP({ email, otp, type }) {
        mailed.push({ email, otp, type });
      },
    });
    db = await betterAuthOnPostgres(PG_URL, `pc_email_otp_ba_${process.pid}`, { plugins: [plugin] });
    auth = db.auth;
    // scrypt: hashes BetterAuth verifies.
    pg = await startServer({ ...OTP, emailOtpChangeEmail: true, database: db.dbUrl, passwordHash: 'scrypt' });
  });
  after(async () => {
    await pg?.stop();
    await db?.drop();
  });
  const betterAuthCode = (email, type) => mailed.findLast((m) => m.email === email && m.type === type)?.otp;

  test('a code BetterAuth mailed signs a new user up at Portcullis; a code Portcullis mailed signs them in at BetterAuth', async () => {
    const email = freshEmail('shared');
    assert.deepEqual(await auth.api.sendVerificationOTP({ body: { email, type: 'sign-in' } }), { success: true });
    const baCode = betterAuthCode(email, 'sign-in');
    assert.match(baCode, /^\d{6}$/);
    const browser = new Browser(pg.api);
    const up = await browser.post('/sign-in/email-otp', { email, otp: baCode, name: 'Shared User' });
    assert.equal(up.status, 200, JSON.stringify(up.body));
    assert.equal(up.body.user.emailVerified, true);

    const pcCode = await sendCode(pg, email, 'sign-in');
    const inn = await auth.api.signInEmailOTP({ body: { email, otp: pcCode } });
    assert.match(inn.token, ID);
    assert.equal(inn.user.id, up.body.user.id);
    // The session Portcullis started is BetterAuth's too.
    const other = await auth.api.getSession({ headers: new Headers({ cookie: browser.cookieHeader() }) });
    assert.equal(other.user.id, up.body.user.id);
  });

  test("wrong codes count on both: three at Portcullis, and BetterAuth refuses the right one; Portcullis's reset code resets at BetterAuth", async () => {
    const email = freshEmail('shared-count');
    const up = await new Browser(pg.api).post('/sign-in/email-otp', { email, otp: await sendCode(pg, email, 'sign-in') });
    assert.equal(up.status, 200, JSON.stringify(up.body));
    const code = await sendCode(pg, email, 'sign-in');
    for (let i = 0; i < 3; i++) assertError(await new Browser(pg.api).post('/sign-in/email-otp', { email, otp: otherThan(code) }), 400, 'INVALID_OTP');
    await assert.rejects(auth.api.signInEmailOTP({ body: { email, otp: code } }), (e) => e.body?.code === 'TOO_MANY_ATTEMPTS');

    // One wrong guess at BetterAuth counts at Portcullis too.
    await auth.api.sendVerificationOTP({ body: { email, type: 'forget-password' } });
    const baReset = betterAuthCode(email, 'forget-password');
    await assert.rejects(auth.api.checkVerificationOTP({ body: { email, type: 'forget-password', otp: otherThan(baReset) } }), (e) => e.body?.code === 'INVALID_OTP');
    assert.match(psql(db.dbUrl, `SELECT "value" FROM "verification" WHERE "identifier" = 'forget-password-otp-${email}'`), /:1$/);
    const done = await new Browser(pg.api).post('/email-otp/reset-password', { email, otp: baReset, password: NEW_PASSWORD });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.ok((await auth.api.signInEmail({ body: { email, password: NEW_PASSWORD } })).token, 'BetterAuth verifies the new password');

    const pcReset = await sendCode(pg, email, 'forget-password');
    assert.deepEqual(await auth.api.resetPasswordEmailOTP({ body: { email, otp: pcReset, password: `${NEW_PASSWORD} 2` } }), { success: true });
    assert.equal((await signInByPassword(pg, email, `${NEW_PASSWORD} 2`)).status, 200, 'Portcullis verifies the password BetterAuth set');
  });

  test('a change of address with codes: asked at either server, finished at the other', async () => {
    const u = await verifiedUser(pg);
    const headers = new Headers({ cookie: u.browser.cookieHeader() });
    // Asked at BetterAuth (its code for the current address, then the new one's), finished at Portcullis.
    await auth.api.sendVerificationOTP({ body: { email: u.email, type: 'email-verification' } });
    const first = freshEmail('shared-new');
    assert.deepEqual(await auth.api.requestEmailChangeEmailOTP({ body: { newEmail: first, otp: betterAuthCode(u.email, 'email-verification') }, headers }), { success: true });
    const done = await u.browser.post('/email-otp/change-email', { newEmail: first, otp: betterAuthCode(first, 'change-email') });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal((await session(u.browser)).user.email, first);

    // Asked at Portcullis, finished at BetterAuth.
    const { mail } = await expectMail(pg, first, CONFIRM_KIND, () => u.browser.post('/email-otp/send-verification-otp', { email: first, type: 'email-verification' }));
    const second = freshEmail('shared-new');
    const asked = await expectMail(pg, second, KIND['change-email'], () => u.browser.post('/email-otp/request-email-change', { newEmail: second, otp: codeIn(mail) }));
    assert.equal(asked.result.status, 200, JSON.stringify(asked.result.body));
    assert.deepEqual(await auth.api.changeEmailEmailOTP({ body: { newEmail: second, otp: codeIn(asked.mail) }, headers }), { success: true });
    assert.equal((await session(u.browser)).user.email, second);
  });
});
