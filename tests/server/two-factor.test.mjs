// The second factor (--two-factor): BetterAuth's two-factor plugin's routes and sign-in, as a
// browser and BetterAuth's own client see them. Codes are computed here from the otpauth:// URI
// the server hands out, with node:crypto's HMAC-SHA-1 (RFC 6238), not with the server's code.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';

import { twoFactorClient } from 'better-auth/client/plugins';
import { symmetricEncrypt } from 'better-auth/crypto';

import { browserClient } from '../support/betterauth.mjs';
import { keyOfURI as keyOf, totp, wrongCode } from '../support/totp.mjs';
import { BIN, Browser, dump, outboxMails, SECRET, sql, startServer, waitFor, withServer } from '../support/server.mjs';

let server;
before(async () => {
  server = await startServer({ twoFactor: true });
});
after(async () => {
  await server.stop();
});

const PASSWORD = 'two factor test password';
const COOKIE = 'better-auth.session_token';
const CHALLENGE = 'better-auth.two_factor';
const TRUST = 'better-auth.trust_device';

let users = 0;
/** A new user, signed up in its own browser. */
async function signUp(api = server.api) {
  const email = `two-factor-${++users}-${Date.now()}@example.com`;
  const browser = new Browser(api);
  const up = await browser.post('/sign-up/email', { name: 'Grace Hopper', email, password: PASSWORD });
  assert.equal(up.status, 200, JSON.stringify(up.body));
  return { email, browser, id: up.body.user.id };
}

/** A user with the second factor on: enabled, then confirmed with the app's current code. */
async function signUpWithTwoFactor(api = server.api) {
  const user = await signUp(api);
  const enabled = await user.browser.post('/two-factor/enable', { password: PASSWORD });
  assert.equal(enabled.status, 200, JSON.stringify(enabled.body));
  const key = keyOf(enabled.body.totpURI);
  const confirmed = await user.browser.post('/two-factor/verify-totp', { code: totp(key) });
  assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
  return { ...user, key, backupCodes: enabled.body.backupCodes };
}

test('enabling: a key and ten backup codes; nothing changes at sign-in until a code from the app confirms it', async () => {
  const { email, browser, id } = await signUp();
  const enabled = await browser.post('/two-factor/enable', { password: PASSWORD });
  assert.equal(enabled.status, 200);
  assert.equal(enabled.body.method, 'totp');
  const uri = new URL(enabled.body.totpURI);
  assert.equal(uri.protocol, 'otpauth:');
  assert.equal(uri.host, 'totp');
  assert.equal(decodeURIComponent(uri.pathname), `/Portcullis:${email}`);
  assert.equal(uri.searchParams.get('issuer'), 'Portcullis');
  assert.equal(uri.searchParams.get('digits'), '6');
  assert.equal(uri.searchParams.get('period'), '30');
  assert.equal(keyOf(enabled.body.totpURI).length, 32);
  assert.equal(enabled.body.backupCodes.length, 10);
  for (const code of enabled.body.backupCodes) assert.match(code, /^[A-Za-z0-9]{5}-[A-Za-z0-9]{5}$/);
  // Stored encrypted: neither the key nor a backup code is in the database as it is.
  const row = sql(server.db, `select * from "twoFactor" where "userId" = '${id}'`)[0];
  assert.ok(row && !row.secret.includes(keyOf(enabled.body.totpURI).toString()) && !row.backupCodes.includes(enabled.body.backupCodes[0]));

  // Not on yet: the user shows it off, and a sign-in asks for nothing.
  assert.equal((await browser.get('/get-session')).body.user.twoFactorEnabled, false);
  const elsewhere = new Browser(server.api);
  const signIn = await elsewhere.post('/sign-in/email', { email, password: PASSWORD });
  assert.equal(signIn.status, 200);
  assert.ok(signIn.body.token);

  // A wrong code confirms nothing; the app's code turns it on and replaces the session.
  const before = browser.jar.get(COOKIE);
  const wrong = await browser.post('/two-factor/verify-totp', { code: wrongCode(totp(keyOf(enabled.body.totpURI))) });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.body.code, 'INVALID_CODE');
  const right = await browser.post('/two-factor/verify-totp', { code: totp(keyOf(enabled.body.totpURI)) });
  assert.equal(right.status, 200);
  assert.equal(right.body.user.twoFactorEnabled, true);
  assert.notEqual(browser.jar.get(COOKIE), before, 'a new session cookie');
  assert.equal(right.body.token, browser.jar.get(COOKIE).split('.')[0], 'the answer names the new session');
  const old = new Browser(server.api);
  old.jar.set(COOKIE, before);
  assert.equal((await old.get('/get-session')).body, null, 'the old session is gone');
  assert.equal((await browser.get('/get-session')).body.user.twoFactorEnabled, true);

  // Enabling again is refused once confirmed.
  const again = await browser.post('/two-factor/enable', { password: PASSWORD });
  assert.equal(again.status, 400);
  assert.equal(again.body.code, 'TOTP_ALREADY_ENABLED');
});

test('sign-in asks for the code: no session until it is given; then the code works once', async () => {
  const { email, key } = await signUpWithTwoFactor();
  const browser = new Browser(server.api);
  const first = await browser.post('/sign-in/email', { email, password: PASSWORD });
  assert.equal(first.status, 200);
  assert.deepEqual(first.body, { twoFactorRedirect: true, twoFactorMethods: ['totp'] });
  assert.ok(!browser.jar.has(COOKIE), 'no session cookie');
  assert.ok(browser.jar.has(CHALLENGE), 'the sign-in is named by its cookie');
  assert.equal((await browser.get('/get-session')).body, null);

  const code = totp(key, 1);  // (the step after the one that confirmed the app)
  const wrong = await browser.post('/two-factor/verify-totp', { code: code === '123456' ? '654321' : '123456' });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.body.code, 'INVALID_CODE');
  const done = await browser.post('/two-factor/verify-totp', { code });
  assert.equal(done.status, 200, JSON.stringify(done.body));
  assert.equal(done.body.user.email, email);
  assert.ok(browser.jar.has(COOKIE));
  assert.ok(!browser.jar.has(CHALLENGE), 'the challenge cookie is deleted');
  const session = (await browser.get('/get-session')).body;
  assert.equal(session.session.token, done.body.token);
  assert.equal(session.user.twoFactorEnabled, true);

  // The same code again, in another sign-in: refused (a code is good once).
  const replay = new Browser(server.api);
  await replay.post('/sign-in/email', { email, password: PASSWORD });
  const reused = await replay.post('/two-factor/verify-totp', { code });
  assert.equal(reused.status, 401);
  assert.equal(reused.body.code, 'INVALID_CODE');
  assert.equal((await replay.get('/get-session')).body, null);
});

test('a sign-in takes five wrong codes, then must start over; ten in a row lock the account for 15 minutes', async () => {
  const { email, key, id } = await signUpWithTwoFactor();
  const bad = (n) => String((Number(totp(key, 1)) + 1 + n) % 1e6).padStart(6, '0');
  const browser = new Browser(server.api);
  await browser.post('/sign-in/email', { email, password: PASSWORD });
  for (let i = 0; i < 5; i++) assert.equal((await browser.post('/two-factor/verify-totp', { code: bad(i) })).body.code, 'INVALID_CODE');
  const sixth = await browser.post('/two-factor/verify-totp', { code: totp(key, 1) });
  assert.equal(sixth.status, 400);
  assert.equal(sixth.body.code, 'TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE');
  assert.ok(!browser.jar.has(CHALLENGE));
  assert.equal((await browser.post('/two-factor/verify-totp', { code: totp(key, 1) })).body.code, 'INVALID_TWO_FACTOR_COOKIE');

  // Five more wrong codes in a second sign-in: ten in a row, and the right code is refused too.
  await browser.post('/sign-in/email', { email, password: PASSWORD });
  for (let i = 0; i < 5; i++) assert.equal((await browser.post('/two-factor/verify-totp', { code: bad(i) })).status, 401);
  await browser.post('/sign-in/email', { email, password: PASSWORD });
  const locked = await browser.post('/two-factor/verify-totp', { code: totp(key, 1) });
  assert.equal(locked.status, 429);
  assert.equal(locked.body.code, 'ACCOUNT_TEMPORARILY_LOCKED');
  const row = sql(server.db, `select "failedVerificationCount" as n, "lockedUntil" as until from "twoFactor" where "userId" = '${id}'`)[0];
  assert.equal(row.n, 10);
  assert.ok(row.until, 'locked until a time');
  assert.equal((await browser.get('/get-session')).body, null);
});

test('backup codes: each signs in once; new ones replace the old', async () => {
  const { email, backupCodes } = await signUpWithTwoFactor();
  const browser = new Browser(server.api);
  await browser.post('/sign-in/email', { email, password: PASSWORD });
  const wrong = await browser.post('/two-factor/verify-backup-code', { code: 'AAAAA-AAAAA' });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.body.code, 'INVALID_BACKUP_CODE');
  const used = await browser.post('/two-factor/verify-backup-code', { code: backupCodes[0] });
  assert.equal(used.status, 200);
  assert.equal((await browser.get('/get-session')).body.user.email, email);

  const other = new Browser(server.api);
  await other.post('/sign-in/email', { email, password: PASSWORD });
  assert.equal((await other.post('/two-factor/verify-backup-code', { code: backupCodes[0] })).body.code, 'INVALID_BACKUP_CODE');

  const fresh = await browser.post('/two-factor/generate-backup-codes', { password: PASSWORD });
  assert.equal(fresh.status, 200);
  assert.equal(fresh.body.status, true);
  assert.equal(fresh.body.backupCodes.length, 10);
  assert.equal((await other.post('/two-factor/verify-backup-code', { code: backupCodes[1] })).body.code, 'INVALID_BACKUP_CODE');
  assert.equal((await other.post('/two-factor/verify-backup-code', { code: fresh.body.backupCodes[0] })).status, 200);
  const wrongPassword = await browser.post('/two-factor/generate-backup-codes', { password: 'not the password' });
  assert.equal(wrongPassword.status, 400);
  assert.equal(wrongPassword.body.code, 'INVALID_PASSWORD');
});

test('"trust this browser": its next sign-in skips the code; turning the second factor off and on again forgets it', async () => {
  const { email, key, browser: account } = await signUpWithTwoFactor();
  const browser = new Browser(server.api);
  await browser.post('/sign-in/email', { email, password: PASSWORD });
  const trusted = await browser.post('/two-factor/verify-totp', { code: totp(key, 1), trustDevice: true });
  assert.equal(trusted.status, 200);
  const cookie = trusted.headers.getSetCookie().find((c) => c.startsWith(`${TRUST}=`));
  assert.match(cookie, /Max-Age=2592000/);
  assert.match(cookie, /HttpOnly/);

  await browser.post('/sign-out');
  const again = await browser.post('/sign-in/email', { email, password: PASSWORD });
  assert.equal(again.status, 200);
  assert.ok(again.body.token, 'signed in without a code');
  assert.notEqual(browser.jar.get(TRUST), cookie.split(';')[0].slice(TRUST.length + 1), 'renewed');

  // A stranger without that cookie is still asked.
  const stranger = new Browser(server.api);
  assert.equal((await stranger.post('/sign-in/email', { email, password: PASSWORD })).body.twoFactorRedirect, true);

  // Off (from another browser), then on again with a new key: the trust is gone.
  assert.equal((await account.post('/two-factor/disable', { password: 'not the password' })).body.code, 'INVALID_PASSWORD');
  const off = await account.post('/two-factor/disable', { password: PASSWORD });
  assert.equal(off.status, 200);
  assert.deepEqual(off.body, { status: true });
  assert.equal((await account.get('/get-session')).body.user.twoFactorEnabled, false);
  const plain = new Browser(server.api);
  assert.ok((await plain.post('/sign-in/email', { email, password: PASSWORD })).body.token, 'no code asked once off');
  const on = await account.post('/two-factor/enable', { password: PASSWORD });
  assert.equal((await account.post('/two-factor/verify-totp', { code: totp(keyOf(on.body.totpURI)) })).status, 200);
  await browser.post('/sign-out');
  const asked = await browser.post('/sign-in/email', { email, password: PASSWORD });
  assert.equal(asked.body.twoFactorRedirect, true, 'the old trust no longer lets it through');
  assert.ok(!browser.jar.has(TRUST), 'and its cookie is deleted');
});

test('"remember me" off is kept through the code: the session ends with the browser', async () => {
  const { email, key } = await signUpWithTwoFactor();
  const browser = new Browser(server.api);
  await browser.post('/sign-in/email', { email, password: PASSWORD, rememberMe: false });
  const done = await browser.post('/two-factor/verify-totp', { code: totp(key, 1) });
  assert.equal(done.status, 200);
  const cookie = done.headers.getSetCookie().find((c) => c.startsWith(`${COOKIE}=`));
  assert.doesNotMatch(cookie, /Max-Age/);
});

test('get-totp-uri gives the same key again, for the password', async () => {
  const { browser, key } = await signUpWithTwoFactor();
  const uri = await browser.post('/two-factor/get-totp-uri', { password: PASSWORD });
  assert.equal(uri.status, 200);
  assert.deepEqual(keyOf(uri.body.totpURI), key);
  assert.equal((await browser.post('/two-factor/get-totp-uri', { password: 'nope nope nope' })).body.code, 'INVALID_PASSWORD');
  const none = await signUp();
  assert.equal((await none.browser.post('/two-factor/get-totp-uri', { password: PASSWORD })).body.code, 'TOTP_NOT_ENABLED');
});

test('bad input changes nothing: no challenge, a forged cookie, wrong types, unknown fields, no session', async () => {
  const { email, key, browser } = await signUpWithTwoFactor();
  const before = dump(server.db);
  const nobody = new Browser(server.api);
  const none = await nobody.post('/two-factor/verify-totp', { code: totp(key, 1) });
  assert.equal(none.status, 401);
  assert.equal(none.body.code, 'INVALID_TWO_FACTOR_COOKIE');
  nobody.jar.set(CHALLENGE, '2fa-forged.c2lnbmF0dXJl');
  assert.equal((await nobody.post('/two-factor/verify-totp', { code: totp(key, 1) })).body.code, 'INVALID_TWO_FACTOR_COOKIE');
  for (const body of [{ code: 123456 }, { code: totp(key, 1), extra: 1 }, {}, { code: totp(key, 1), trustDevice: 'yes' }]) {
    const res = await browser.post('/two-factor/verify-totp', body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal(res.body.code, 'VALIDATION_ERROR');
  }
  assert.equal((await nobody.post('/two-factor/enable', { password: PASSWORD })).status, 401);
  assert.equal((await browser.post('/two-factor/enable', { password: PASSWORD, method: 'otp' })).body.code, 'OTP_NOT_CONFIGURED');
  assert.equal((await browser.post('/two-factor/enable', { password: PASSWORD, method: 'sms' })).body.code, 'VALIDATION_ERROR');
  assert.equal(dump(server.db), before);
  void email;
});

test('BetterAuth\'s client with twoFactorClient: enable, sign-in redirect, verifyTotp, backup codes, disable', async () => {
  const email = `client-2fa-${Date.now()}@example.com`;
  const redirects = [];
  const { client, jar } = browserClient(server.url, {
    plugins: [twoFactorClient({ onTwoFactorRedirect: (ctx) => redirects.push(ctx.twoFactorMethods) })],
  });
  assert.equal((await client.signUp.email({ name: 'Ada', email, password: PASSWORD })).error, null);
  const enabled = await client.twoFactor.enable({ password: PASSWORD });
  assert.equal(enabled.error, null);
  const key = keyOf(enabled.data.totpURI);
  assert.equal((await client.twoFactor.verifyTotp({ code: totp(key) })).error, null);
  assert.equal((await client.getSession()).data.user.twoFactorEnabled, true);
  await client.signOut();

  const signIn = await client.signIn.email({ email, password: PASSWORD });
  assert.equal(signIn.error, null);
  assert.equal(signIn.data.twoFactorRedirect, true);
  assert.deepEqual(redirects, [['totp']], 'the plugin saw the redirect');
  assert.equal((await client.getSession()).data, null);
  const verified = await client.twoFactor.verifyTotp({ code: totp(key, 1), trustDevice: true });
  assert.equal(verified.error, null);
  assert.equal((await client.getSession()).data.user.email, email);
  assert.ok(jar.has(TRUST));

  const codes = await client.twoFactor.generateBackupCodes({ password: PASSWORD });
  assert.equal(codes.error, null);
  assert.equal(codes.data.backupCodes.length, 10);
  const wrong = await client.twoFactor.verifyBackupCode({ code: 'zzzzz-zzzzz' });
  assert.equal(wrong.error.status, 401);
  assert.equal(wrong.error.code, 'INVALID_BACKUP_CODE');
  assert.equal((await client.twoFactor.disable({ password: PASSWORD })).error, null);
  assert.equal((await client.getSession()).data.user.twoFactorEnabled, false);
});

test('a key BetterAuth stored (its symmetricEncrypt, the same secret) gives codes Portcullis accepts', async () => {
  const { email, id } = await signUp();
  const key = 'BetterAuthMadeThisKey_0123456789';  // 32 characters, as its generateRandomString(32)
  const secret = await symmetricEncrypt({ key: SECRET, data: key });
  const backupCodes = await symmetricEncrypt({ key: SECRET, data: JSON.stringify(['abcde-12345']) });
  sql(server.db, `insert into "twoFactor" ("id", "secret", "backupCodes", "userId", "verified") values ('ba-2fa-${id}', '${secret}', '${backupCodes}', '${id}', 1)`);
  sql(server.db, `update "user" set "twoFactorEnabled" = 1 where "id" = '${id}'`);
  // (The server's session cache may hold the user for --session-cache-ttl: sign-in reads the database.)
  const browser = new Browser(server.api);
  assert.equal((await browser.post('/sign-in/email', { email, password: PASSWORD })).body.twoFactorRedirect, true);
  assert.equal((await browser.post('/two-factor/verify-totp', { code: totp(Buffer.from(key)) })).status, 200);
  const other = new Browser(server.api);
  await other.post('/sign-in/email', { email, password: PASSWORD });
  assert.equal((await other.post('/two-factor/verify-backup-code', { code: 'abcde-12345' })).status, 200);
});

test('a verification link signs in a user without the second factor (autoSignInAfterVerification), never one with it', async () => {
  await withServer({ twoFactor: true, mail: 'outbox', autoSignInAfterVerification: true }, async (mailing) => {
    const follow = async (email) => {
      await new Browser(mailing.api).post('/send-verification-email', { email });
      const mail = await waitFor(() => outboxMails(mailing.outbox).find((m) => m.to === email && m.kind === 'verify-email'), { what: 'the link' });
      const browser = new Browser(mailing.api);
      const link = new URL(mail.link);
      const followed = await browser.get(link.pathname.replace(/^\/api\/auth/, '') + link.search);
      assert.ok([200, 302].includes(followed.status), JSON.stringify(followed.body));
      return browser;
    };
    const plain = await signUp(mailing.api);
    assert.equal((await (await follow(plain.email)).get('/get-session')).body?.user?.email, plain.email, 'signed in by the link');
    const guarded = await signUpWithTwoFactor(mailing.api);
    const browser = await follow(guarded.email);
    assert.equal((await browser.get('/get-session')).body, null, 'not signed in by the link');
    assert.equal(sql(mailing.db, `select "emailVerified" as v from "user" where "id" = '${guarded.id}'`)[0].v, 1, 'but verified');
  });
});

test('an administrator turns the second factor off for a user who lost the app and the codes', async () => {
  const { email } = await signUpWithTwoFactor();
  const listed = spawnSync(BIN, ['user', 'list', '--database', server.db], { encoding: 'utf8' }).stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(listed.find((u) => u.email === email).twoFactorEnabled, true, '`user list` shows who has it on');
  const off = spawnSync(BIN, ['user', 'disable-two-factor', '--email', email, '--database', server.db], { encoding: 'utf8' });
  assert.equal(off.status, 0, off.stderr);
  assert.match(off.stdout, /"twoFactorDisabled"/);
  // (The server's session cache holds users for --session-cache-ttl; sign-in reads the database.)
  const browser = new Browser(server.api);
  const signIn = await browser.post('/sign-in/email', { email, password: PASSWORD });
  assert.ok(signIn.body.token, 'the password alone signs in');
  const after = spawnSync(BIN, ['user', 'list', '--database', server.db], { encoding: 'utf8' }).stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(after.find((u) => u.email === email).twoFactorEnabled, false);
  assert.equal(spawnSync(BIN, ['user', 'disable-two-factor', '--email', 'nobody@example.com', '--database', server.db]).status, 1);
});

test('[ASVS 2.2.1] rate limit: the 4th code within 10 s from one address gets 429 (BetterAuth\'s rule for /two-factor/*, per route)', async () => {
  await withServer({ twoFactor: true, rateLimit: true }, async (limited) => {
    const { email, key } = await signUpWithTwoFactor(limited.api);  // (one verify-totp already)
    const browser = new Browser(limited.api);
    await browser.post('/sign-in/email', { email, password: PASSWORD });
    for (let i = 0; i < 2; i++) assert.equal((await browser.post('/two-factor/verify-totp', { code: wrongCode(totp(key, 1)) })).status, 401);
    const blocked = await browser.post('/two-factor/verify-totp', { code: totp(key, 1) });
    assert.equal(blocked.status, 429, 'even the right code');
    assert.ok(blocked.headers.get('x-retry-after'));
    assert.equal((await browser.get('/get-session')).body, null);
  });
});

test('off by default: no /two-factor routes, and the user has no twoFactorEnabled field', async () => {
  await withServer({}, async (plain) => {
    const { browser } = await signUp(plain.api);
    assert.equal((await browser.post('/two-factor/enable', { password: PASSWORD })).status, 404);
    assert.ok(!('twoFactorEnabled' in (await browser.get('/get-session')).body.user));
  });
});
