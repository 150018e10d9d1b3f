// Codes by e-mail for the second factor (--two-factor-otp): BetterAuth's two-factor plugin's "otp"
// method, as a browser and BetterAuth's own client see it. The codes are read from the outbox, as a
// user reads their mail.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';

import { twoFactorClient } from 'better-auth/client/plugins';

import { browserClient } from '../support/betterauth.mjs';
import { keyOfURI as keyOf, totp } from '../support/totp.mjs';
import { BIN, Browser, outboxMails, sql, startServer, waitFor, withServer } from '../support/server.mjs';

let server;
before(async () => {
  server = await startServer({ twoFactor: true, twoFactorOtp: true, mail: 'outbox' });
});
after(async () => {
  await server.stop();
});

const PASSWORD = 'two factor by mail password';
const COOKIE = 'better-auth.session_token';
const CHALLENGE = 'better-auth.two_factor';
const TRUST = 'better-auth.trust_device';

/** The mails of `kind` sent to `email` so far, oldest first. */
const mailsTo = (email, kind) => outboxMails(server.outbox).filter((m) => m.to === email && m.kind === kind);

/** Waits for the `n`-th mail of `kind` to `email` and returns it. */
async function nthMail(email, kind, n) {
  return waitFor(() => mailsTo(email, kind)[n - 1], { what: `mail ${n} (${kind}) to ${email}` });
}

/** Asks for a code (the browser's sign-in or session) and returns it, as read from the mail. */
async function mailedCode(browser, email) {
  const before = mailsTo(email, 'two-factor-code').length;
  const sent = await browser.post('/two-factor/send-otp', {});
  assert.equal(sent.status, 200, JSON.stringify(sent.body));
  assert.deepEqual(sent.body, { status: true });
  const mail = await nthMail(email, 'two-factor-code', before + 1);
  const code = mail.text.match(/^ {4}(\d{6})$/m)?.[1];
  assert.ok(code, `a 6-digit code in: ${mail.text}`);
  return code;
}

const otherThan = (code) => String((Number(code) + 1) % 1e6).padStart(6, '0');

let users = 0;
/** A new user with a verified address (the mailed link followed), signed in in its own browser. */
async function verifiedUser(s = server) {
  const email = `otp-${++users}-${Date.now()}@example.com`;
  const browser = new Browser(s.api);
  const up = await browser.post('/sign-up/email', { name: 'Katherine Johnson', email, password: PASSWORD });
  assert.equal(up.status, 200, JSON.stringify(up.body));
  assert.equal((await browser.post('/send-verification-email', { email })).status, 200);
  const mail = await waitFor(() => outboxMails(s.outbox).find((m) => m.to === email && m.kind === 'verify-email'), { what: 'the link' });
  const link = new URL(mail.link);
  const followed = await browser.get(link.pathname.replace(/^\/api\/auth/, '') + link.search);
  assert.ok([200, 302].includes(followed.status), JSON.stringify(followed.body));
  return { email, browser, id: up.body.user.id };
}

/** A verified user who turned codes by e-mail on. */
async function userWithOtp() {
  const user = await verifiedUser();
  const on = await user.browser.post('/two-factor/enable', { password: PASSWORD, method: 'otp' });
  assert.equal(on.status, 200, JSON.stringify(on.body));
  return user;
}

test('turning codes by e-mail on: the password and a verified address; on at once, with a new session', async () => {
  const email = `otp-unverified-${Date.now()}@example.com`;
  const unverified = new Browser(server.api);
  await unverified.post('/sign-up/email', { name: 'Dorothy Vaughan', email, password: PASSWORD });
  const refused = await unverified.post('/two-factor/enable', { password: PASSWORD, method: 'otp' });
  assert.equal(refused.status, 403, 'codes could not reach an address nobody confirmed');
  assert.equal(refused.body.code, 'EMAIL_NOT_VERIFIED');
  assert.equal((await unverified.get('/get-session')).body.user.twoFactorEnabled, false);

  const { browser, id } = await verifiedUser();
  const wrong = await browser.post('/two-factor/enable', { password: 'not the password', method: 'otp' });
  assert.equal(wrong.status, 400);
  assert.equal(wrong.body.code, 'INVALID_PASSWORD');
  const before = browser.jar.get(COOKIE);
  const on = await browser.post('/two-factor/enable', { password: PASSWORD, method: 'otp' });
  assert.equal(on.status, 200);
  assert.deepEqual(on.body, { method: 'otp' }, 'no app key, no backup codes');
  assert.notEqual(browser.jar.get(COOKIE), before, 'a new session cookie');
  assert.equal((await browser.get('/get-session')).body.user.twoFactorEnabled, true);
  const old = new Browser(server.api);
  old.jar.set(COOKIE, before);
  assert.equal((await old.get('/get-session')).body, null, 'the old session is gone');
  assert.equal(sql(server.db, `select count(*) as n from "twoFactor" where "userId" = '${id}'`)[0].n, 0, 'no twoFactor row');
});

test('sign-in asks for a mailed code: sent on request, stored hashed, replaced by a new one, good once', async () => {
  const { email, id } = await userWithOtp();
  const browser = new Browser(server.api);
  const first = await browser.post('/sign-in/email', { email, password: PASSWORD });
  assert.deepEqual(first.body, { twoFactorRedirect: true, twoFactorMethods: ['otp'] });
  assert.ok(!browser.jar.has(COOKIE));
  assert.equal(mailsTo(email, 'two-factor-code').length, 0, 'nothing is mailed until asked for');

  const early = await browser.post('/two-factor/verify-otp', { code: '123456' });
  assert.equal(early.status, 400);
  assert.equal(early.body.code, 'OTP_HAS_EXPIRED', 'no code was sent');

  const stale = await mailedCode(browser, email);
  const code = await mailedCode(browser, email);
  const mail = mailsTo(email, 'two-factor-code')[1];
  assert.match(mail.subject, /verification code/);
  assert.match(mail.text, /3 minutes/);
  const rows = sql(server.db, `select "value" from "verification" where "identifier" like '2fa-otp-2fa-%'`);
  assert.ok(rows.length > 0 && rows.every((r) => !r.value.includes(code)), 'stored as a hash');

  if (stale !== code) {
    const replaced = await browser.post('/two-factor/verify-otp', { code: stale });
    assert.equal(replaced.status, 401, 'a new code replaces the one mailed before');
    assert.equal(replaced.body.code, 'INVALID_CODE');
  }
  const wrong = await browser.post('/two-factor/verify-otp', { code: otherThan(code) });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.body.code, 'INVALID_CODE');
  const done = await browser.post('/two-factor/verify-otp', { code });
  assert.equal(done.status, 200, JSON.stringify(done.body));
  assert.equal(done.body.user.id, id);
  assert.ok(browser.jar.has(COOKIE));
  assert.ok(!browser.jar.has(CHALLENGE), 'the challenge cookie is deleted');
  assert.equal((await browser.get('/get-session')).body.session.token, done.body.token);

  // The same code in a new sign-in: nothing awaits there.
  const other = new Browser(server.api);
  await other.post('/sign-in/email', { email, password: PASSWORD });
  assert.equal((await other.post('/two-factor/verify-otp', { code })).body.code, 'OTP_HAS_EXPIRED');
  assert.equal((await other.get('/get-session')).body, null);
});

test('a sign-in takes five wrong codes, then must start over; ten in a row lock the account for 15 minutes', async () => {
  const { email } = await userWithOtp();
  const browser = new Browser(server.api);
  await browser.post('/sign-in/email', { email, password: PASSWORD });
  let code = await mailedCode(browser, email);
  for (let i = 0; i < 3; i++) assert.equal((await browser.post('/two-factor/verify-otp', { code: otherThan(code) })).body.code, 'INVALID_CODE');
  code = await mailedCode(browser, email);  // a new code does not reset the sign-in's count
  for (let i = 0; i < 2; i++) assert.equal((await browser.post('/two-factor/verify-otp', { code: otherThan(code) })).body.code, 'INVALID_CODE');
  const sixth = await browser.post('/two-factor/verify-otp', { code });
  assert.equal(sixth.status, 400);
  assert.equal(sixth.body.code, 'TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE');
  assert.ok(!browser.jar.has(CHALLENGE), 'back to the password');
  assert.equal((await browser.post('/two-factor/send-otp', {})).body.code, 'INVALID_TWO_FACTOR_COOKIE');

  // Five more in a second sign-in: ten in a row, and a third sign-in's right code is refused.
  await browser.post('/sign-in/email', { email, password: PASSWORD });
  code = await mailedCode(browser, email);
  for (let i = 0; i < 5; i++) assert.equal((await browser.post('/two-factor/verify-otp', { code: otherThan(code) })).status, 401);
  await browser.post('/sign-in/email', { email, password: PASSWORD });
  code = await mailedCode(browser, email);
  const locked = await browser.post('/two-factor/verify-otp', { code });
  assert.equal(locked.status, 429);
  assert.equal(locked.body.code, 'ACCOUNT_TEMPORARILY_LOCKED');
  assert.equal((await browser.get('/get-session')).body, null);
});

test('one sign-in has at most five codes mailed; the next sign-in has its own five', async () => {
  const { email } = await userWithOtp();
  const browser = new Browser(server.api);
  await browser.post('/sign-in/email', { email, password: PASSWORD });
  let code;
  for (let i = 0; i < 5; i++) code = await mailedCode(browser, email);
  const sixth = await browser.post('/two-factor/send-otp', {});
  assert.equal(sixth.status, 429);
  assert.equal(sixth.body.code, 'TOO_MANY_REQUESTS');
  assert.equal(mailsTo(email, 'two-factor-code').length, 5, 'no sixth mail');
  assert.equal((await browser.post('/two-factor/verify-otp', { code })).status, 200, 'the last code still works');

  const again = new Browser(server.api);
  await again.post('/sign-in/email', { email, password: PASSWORD });
  assert.equal((await again.post('/two-factor/verify-otp', { code: await mailedCode(again, email) })).status, 200);
});

test('"trust this browser" works for codes by e-mail; turning the factor off and on again forgets it', async () => {
  const { email, browser: account } = await userWithOtp();
  const browser = new Browser(server.api);
  await browser.post('/sign-in/email', { email, password: PASSWORD });
  const code = await mailedCode(browser, email);
  const trusted = await browser.post('/two-factor/verify-otp', { code, trustDevice: true });
  assert.equal(trusted.status, 200);
  assert.ok(trusted.headers.getSetCookie().some((c) => c.startsWith(`${TRUST}=`) && /Max-Age=2592000/.test(c)));
  await browser.post('/sign-out');
  assert.ok((await browser.post('/sign-in/email', { email, password: PASSWORD })).body.token, 'signed in without a code');

  assert.equal((await account.post('/two-factor/disable', { password: PASSWORD })).status, 200);
  assert.equal((await account.post('/two-factor/enable', { password: PASSWORD, method: 'otp' })).status, 200);
  await browser.post('/sign-out');
  const asked = await browser.post('/sign-in/email', { email, password: PASSWORD });
  assert.equal(asked.body.twoFactorRedirect, true, 'the old trust no longer lets it through');
  assert.ok(!browser.jar.has(TRUST), 'and its cookie is deleted');
});

test('a user with an app is offered mailed codes only after turning them on too (else the mailbox alone would pass)', async () => {
  const { email, browser: account, id } = await verifiedUser();
  const enabled = await account.post('/two-factor/enable', { password: PASSWORD });
  assert.equal((await account.post('/two-factor/verify-totp', { code: totp(keyOf(enabled.body.totpURI)) })).status, 200);
  const appOnly = new Browser(server.api);
  assert.deepEqual((await appOnly.post('/sign-in/email', { email, password: PASSWORD })).body.twoFactorMethods, ['totp']);
  for (const [path, body] of [['/two-factor/send-otp', {}], ['/two-factor/verify-otp', { code: '123456' }]]) {
    const r = await appOnly.post(path, body);
    assert.equal(r.status, 400, path);
    assert.equal(r.body.code, 'OTP_NOT_ENABLED', path);
  }
  assert.equal(mailsTo(email, 'two-factor-code').length, 0, 'no code was mailed');

  assert.deepEqual((await account.post('/two-factor/enable', { password: PASSWORD, method: 'otp' })).body, { method: 'otp' });
  const browser = new Browser(server.api);
  const first = await browser.post('/sign-in/email', { email, password: PASSWORD });
  assert.deepEqual(first.body.twoFactorMethods, ['totp', 'otp']);
  const code = await mailedCode(browser, email);
  assert.equal((await browser.post('/two-factor/verify-otp', { code: otherThan(code) })).status, 401);
  assert.equal(sql(server.db, `select "failedVerificationCount" as n from "twoFactor" where "userId" = '${id}'`)[0].n, 1);
  assert.equal((await browser.post('/two-factor/verify-otp', { code })).status, 200);
  assert.equal(sql(server.db, `select "failedVerificationCount" as n from "twoFactor" where "userId" = '${id}'`)[0].n, 0);
});

test('[ASVS 2.8.5] an app\'s code sent again in another sign-in is refused, logged, and the user is told', async () => {
  const { email, browser: account, id } = await verifiedUser();
  const enabled = await account.post('/two-factor/enable', { password: PASSWORD });
  const key = keyOf(enabled.body.totpURI);
  assert.equal((await account.post('/two-factor/verify-totp', { code: totp(key) })).status, 200);
  const code = totp(key, 1);
  const first = new Browser(server.api);
  await first.post('/sign-in/email', { email, password: PASSWORD });
  assert.equal((await first.post('/two-factor/verify-totp', { code })).status, 200);
  assert.equal(mailsTo(email, 'two-factor-code-reused').length, 0);

  const second = new Browser(server.api);
  await second.post('/sign-in/email', { email, password: PASSWORD });
  const replay = await second.post('/two-factor/verify-totp', { code });
  assert.equal(replay.status, 401);
  assert.equal(replay.body.code, 'INVALID_CODE');
  const mail = await nthMail(email, 'two-factor-code-reused', 1);
  assert.match(mail.text, /was entered again/);
  assert.match(mail.text, /127\.0\.0\.1/);
  const line = await waitFor(() => server.logs.map((l) => JSON.parse(l)).find((l) => l.event === 'two-factor-failed' && l.user === id), { what: 'the audit line' });
  assert.equal(line.msg, 'auth');
  assert.equal(line.method, 'totp');
  assert.equal(line.reason, 'reused');
  assert.equal(line.ip, '127.0.0.1');
  assert.equal(line.id, replay.headers.get('x-request-id'), 'the request it was');
  assert.ok(!server.logs.join('\n').includes(code), 'the code never reaches the log');
});

test('a user whose codes by e-mail BetterAuth turned on (the user\'s flag, no app, nothing else) is offered them', async () => {
  const { email, id } = await verifiedUser();
  sql(server.db, `update "user" set "twoFactorEnabled" = 1 where "id" = '${id}'`);
  const browser = new Browser(server.api);
  assert.deepEqual((await browser.post('/sign-in/email', { email, password: PASSWORD })).body.twoFactorMethods, ['otp']);
  const code = await mailedCode(browser, email);
  const done = await browser.post('/two-factor/verify-otp', { code, trustDevice: true });
  assert.equal(done.status, 200);
  assert.ok(!browser.jar.has(TRUST), 'no trust without a row to tie it to: asked again next time');
});

test('signed in, send-otp and verify-otp check a code and turn nothing on', async () => {
  const { email, browser } = await verifiedUser();
  const code = await mailedCode(browser, email);
  assert.match(mailsTo(email, 'two-factor-code')[0].text, /you asked for/);
  assert.equal((await browser.post('/two-factor/verify-otp', { code: otherThan(code) })).body.code, 'INVALID_CODE');
  const right = await browser.post('/two-factor/verify-otp', { code });
  assert.equal(right.status, 200);
  assert.equal(right.body.token, browser.jar.get(COOKIE).split('.')[0], 'the same session');
  assert.equal(right.body.user.twoFactorEnabled, false, 'not turned on without the password');
  assert.equal((await browser.post('/two-factor/verify-otp', { code })).body.code, 'OTP_HAS_EXPIRED', 'used');
});

test('bad input changes nothing: no challenge, wrong types, unknown fields', async () => {
  const stranger = new Browser(server.api);
  assert.equal((await stranger.post('/two-factor/send-otp', {})).body.code, 'INVALID_TWO_FACTOR_COOKIE');
  assert.equal((await stranger.post('/two-factor/verify-otp', { code: '123456' })).body.code, 'INVALID_TWO_FACTOR_COOKIE');
  const { email } = await userWithOtp();
  const browser = new Browser(server.api);
  await browser.post('/sign-in/email', { email, password: PASSWORD });
  for (const body of [{ code: 123456 }, {}, { code: '123456', extra: 1 }]) {
    const r = await browser.post('/two-factor/verify-otp', body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.body.code, 'VALIDATION_ERROR');
  }
  assert.equal((await browser.post('/two-factor/send-otp', { trustDevice: 'yes' })).body.code, 'VALIDATION_ERROR');
  assert.equal((await browser.post('/two-factor/enable', { password: PASSWORD, method: 'sms' })).body.code, 'VALIDATION_ERROR');
  assert.equal(mailsTo(email, 'two-factor-code').length, 0, 'nothing was mailed');
  const code = await mailedCode(browser, email);
  assert.equal((await browser.post('/two-factor/verify-otp', { code })).status, 200, 'the sign-in still completes');
});

test('an administrator\'s disable-two-factor turns codes by e-mail off too', async () => {
  const { email } = await userWithOtp();
  const off = spawnSync(BIN, ['user', 'disable-two-factor', '--email', email, '--database', server.db], { encoding: 'utf8' });
  assert.equal(off.status, 0, off.stderr);
  assert.ok((await new Browser(server.api).post('/sign-in/email', { email, password: PASSWORD })).body.token);
  assert.equal(sql(server.db, `select count(*) as n from "verification" where "identifier" like '2fa-otp-on-%' and "value" = (select "id" from "user" where "email" = '${email}')`)[0].n, 0);
});

test('BetterAuth\'s client with twoFactorClient: enable({method: "otp"}), sign-in redirect, sendOtp, verifyOtp', async () => {
  const { email } = await verifiedUser();
  const redirects = [];
  const { client } = browserClient(server.url, {
    plugins: [twoFactorClient({ onTwoFactorRedirect: (ctx) => redirects.push(ctx.twoFactorMethods) })],
  });
  assert.equal((await client.signIn.email({ email, password: PASSWORD })).error, null);
  const on = await client.twoFactor.enable({ password: PASSWORD, method: 'otp' });
  assert.equal(on.error, null);
  assert.deepEqual(on.data, { method: 'otp' });
  await client.signOut();
  const signIn = await client.signIn.email({ email, password: PASSWORD });
  assert.equal(signIn.data.twoFactorRedirect, true);
  assert.deepEqual(redirects, [['otp']]);
  const before = mailsTo(email, 'two-factor-code').length;
  assert.equal((await client.twoFactor.sendOtp()).error, null);
  const mail = await nthMail(email, 'two-factor-code', before + 1);
  const code = mail.text.match(/^ {4}(\d{6})$/m)[1];
  const wrong = await client.twoFactor.verifyOtp({ code: otherThan(code) });
  assert.equal(wrong.error.status, 401);
  assert.equal(wrong.error.code, 'INVALID_CODE');
  assert.equal((await client.twoFactor.verifyOtp({ code })).error, null);
  assert.equal((await client.getSession()).data.user.email, email);
});

test('off unless --two-factor-otp: OTP_NOT_CONFIGURED; and the setting needs --two-factor and mail', async () => {
  await withServer({ twoFactor: true, mail: 'outbox' }, async (plain) => {
    const browser = new Browser(plain.api);
    const email = `otp-off-${Date.now()}@example.com`;
    await browser.post('/sign-up/email', { name: 'Mary Jackson', email, password: PASSWORD });
    for (const [path, body] of [['/two-factor/enable', { password: PASSWORD, method: 'otp' }], ['/two-factor/send-otp', {}], ['/two-factor/verify-otp', { code: '123456' }]]) {
      const r = await browser.post(path, body);
      assert.equal(r.status, 400, path);
      assert.equal(r.body.code, 'OTP_NOT_CONFIGURED', path);
    }
  });
  for (const args of [['--two-factor-otp', 'true', '--mail', 'outbox'], ['--two-factor', 'true', '--two-factor-otp', 'true']]) {
    const checked = spawnSync(BIN, ['check-config', '--dev', ...args], { encoding: 'utf8' });
    assert.notEqual(checked.status, 0, args.join(' '));
    assert.match(checked.stderr, /twoFactorOtp/);
  }
});

test("two-factor/methods: what the signed-in user's sign-ins ask for, as an account page needs to know", async () => {
  const user = await verifiedUser();
  const methods = async () => {
    const r = await user.browser.get('/two-factor/methods');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.methods;
  };
  assert.deepEqual(await methods(), [], 'off');
  assert.equal((await user.browser.post('/two-factor/enable', { password: PASSWORD, method: 'otp' })).status, 200);
  assert.deepEqual(await methods(), ['otp'], 'codes by e-mail alone: no app, so no backup codes');
  // An app added beside them: the sign-in's own list says the same.
  const enabled = await user.browser.post('/two-factor/enable', { password: PASSWORD });
  assert.equal(enabled.status, 200, JSON.stringify(enabled.body));
  assert.deepEqual(await methods(), ['otp'], 'not before its first code');
  assert.equal((await user.browser.post('/two-factor/verify-totp', { code: totp(keyOf(enabled.body.totpURI)) })).status, 200);
  assert.deepEqual(await methods(), ['totp', 'otp']);
  const signIn = await new Browser(server.api).post('/sign-in/email', { email: user.email, password: PASSWORD });
  assert.deepEqual(signIn.body.twoFactorMethods, ['totp', 'otp']);
  assert.equal((await user.browser.post('/two-factor/disable', { password: PASSWORD })).status, 200);
  assert.deepEqual(await methods(), []);
  // Signed out: 401, as every route that needs a session.
  const anonymous = await new Browser(server.api).get('/two-factor/methods');
  assert.equal(anonymous.status, 401);
  // An app alone (codes by e-mail not turned on): only the app.
  const appUser = await verifiedUser();
  const app = await appUser.browser.post('/two-factor/enable', { password: PASSWORD });
  assert.equal((await appUser.browser.post('/two-factor/verify-totp', { code: totp(keyOf(app.body.totpURI)) })).status, 200);
  assert.deepEqual((await appUser.browser.get('/two-factor/methods')).body.methods, ['totp']);
});
