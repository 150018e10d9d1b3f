// The last sign-in's method (--last-login-method): BetterAuth's last-login-method plugin's cookie,
// "better-auth.last_used_login_method", which the page's scripts read (its
// lastLoginMethodClient(), Portcullis's getLastUsedLoginMethod()) to point at the method this
// browser used last. Every way of signing in sets it, the second factor's end included (BetterAuth
// sets none there); a failed or unfinished sign-in sets none. BetterAuth's own server, on the
// same database, sets the same cookie.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { lastLoginMethod } from 'better-auth/plugins';

import { betterAuthOnSqlite, serveBetterAuth } from '../support/betterauth.mjs';
import { Browser, outboxMails, startServer, waitFor, withServer } from '../support/server.mjs';
import { keyOfURI as keyOf, totp } from '../support/totp.mjs';
import { Authenticator } from '../support/webauthn.mjs';

const APP = 'http://localhost:3000';  // the page's origin (a passkey's rp id is localhost)
const PASSWORD = 'last login method passphrase';
const COOKIE = 'better-auth.last_used_login_method';
const ALL = {
  lastLoginMethod: true,
  trustedOrigins: [APP],
  mail: 'outbox',
  emailOtp: true,
  magicLink: true,
  passkey: true,
  passkeyRpId: 'localhost',
  twoFactor: true,
  sessionCacheTtl: 0,
};

let counter = 0;
const freshEmail = () => `llm-${++counter}-${process.pid}@example.com`;

/** The Set-Cookie line of the method's cookie in a response, or undefined. */
const methodCookie = (res, name = COOKIE) => res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));

/** Asserts that `res` set the cookie to `method`, for 30 days, readable by scripts. */
function assertMethod(res, method) {
  const line = methodCookie(res);
  assert.ok(line, `a ${COOKIE} cookie in ${JSON.stringify(res.headers.getSetCookie())}`);
  assert.equal(line, `${COOKIE}=${method}; Max-Age=2592000; Path=/; SameSite=Lax`);
}

/** The one new mail to `to` that `action` sends; its text. */
async function mailFrom(s, to, action) {
  const before = outboxMails(s.outbox).filter((m) => m.to === to).length;
  const res = await action();
  const mail = await waitFor(() => outboxMails(s.outbox).filter((m) => m.to === to)[before], { what: `a mail to ${to}` });
  return { res, text: mail.text };
}

async function signUp(s) {
  const email = freshEmail();
  const browser = new Browser(s.api, { origin: APP });
  const res = await browser.post('/sign-up/email', { name: 'Grace Hopper', email, password: PASSWORD });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return { email, browser, res, id: res.body.user.id };
}

describe('--last-login-method', () => {
  let s;
  before(async () => {
    s = await startServer(ALL);
  });
  after(async () => {
    await s?.stop();
  });

  test('a password (sign-up and sign-in) is "email"; a wrong one sets nothing', async () => {
    const u = await signUp(s);
    assertMethod(u.res, 'email');
    const browser = new Browser(s.api, { origin: APP });
    const wrong = await browser.post('/sign-in/email', { email: u.email, password: `${PASSWORD}!` });
    assert.equal(wrong.status, 401);
    assert.equal(methodCookie(wrong), undefined);
    const inn = await browser.post('/sign-in/email', { email: u.email, password: PASSWORD });
    assert.equal(inn.status, 200);
    assertMethod(inn, 'email');
    // Only a sign-in sets it: not get-session, not a sign-out.
    assert.equal(methodCookie(await browser.get('/get-session')), undefined);
    assert.equal(methodCookie(await browser.post('/sign-out')), undefined);
  });

  test('a mailed code is "email-otp"; a mailed link is "magic-link"', async () => {
    const email = freshEmail();
    const browser = new Browser(s.api, { origin: APP });
    const sent = await mailFrom(s, email, () => browser.post('/email-otp/send-verification-otp', { email, type: 'sign-in' }));
    const otp = sent.text.match(/\b\d{6}\b/)[0];
    const byCode = await browser.post('/sign-in/email-otp', { email, otp });
    assert.equal(byCode.status, 200, JSON.stringify(byCode.body));
    assertMethod(byCode, 'email-otp');

    const linked = await mailFrom(s, email, () => browser.post('/sign-in/magic-link', { email }));
    const link = new URL(linked.text.match(/https?:\/\/\S+/)[0]);
    const followed = await browser.get(`/magic-link/verify${link.search}`);
    assert.equal(followed.status, 302, JSON.stringify(followed.body));  // to the link's callbackURL, signed in
    assertMethod(followed, 'magic-link');
  });

  test('a passkey is "passkey"', async () => {
    const u = await signUp(s);
    const authenticator = new Authenticator({ origin: APP });
    const options = await u.browser.get('/passkey/generate-register-options');
    const { credential, response } = authenticator.create(options.body);
    assert.equal((await u.browser.post('/passkey/verify-registration', { response })).status, 200);
    authenticator.credentials.push(credential);
    const browser = new Browser(s.api, { origin: APP });
    const asked = await browser.get('/passkey/generate-authenticate-options');
    const inn = await browser.post('/passkey/verify-authentication', { response: authenticator.get(asked.body) });
    assert.equal(inn.status, 200, JSON.stringify(inn.body));
    assertMethod(inn, 'passkey');
  });

  test('with the second factor on: nothing while it waits, then the first factor\'s method once it is answered', async () => {
    const u = await signUp(s);
    const enabled = await u.browser.post('/two-factor/enable', { password: PASSWORD });
    const key = keyOf(enabled.body.totpURI);
    assert.equal((await u.browser.post('/two-factor/verify-totp', { code: totp(key) })).status, 200);
    const browser = new Browser(s.api, { origin: APP });
    const first = await browser.post('/sign-in/email', { email: u.email, password: PASSWORD });
    assert.equal(first.body.twoFactorRedirect, true);
    assert.equal(methodCookie(first), undefined);
    const done = await browser.post('/two-factor/verify-totp', { code: totp(key, 1) });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assertMethod(done, 'email');
  });
});

test('off by default; the cookie prefix names it; with https it is Secure, still readable by scripts', async () => {
  await withServer({ trustedOrigins: [APP] }, async (plain) => {
    const { res } = await signUp(plain);
    assert.equal(methodCookie(res), undefined);
  });
  await withServer({ lastLoginMethod: true, cookiePrefix: 'myapp', baseURL: 'https://auth.example.com', trustedOrigins: [APP] }, async (other) => {
    const { res } = await signUp(other);
    assert.equal(methodCookie(res), undefined);
    assert.equal(methodCookie(res, 'myapp.last_used_login_method'), 'myapp.last_used_login_method=email; Max-Age=2592000; Path=/; Secure; SameSite=Lax');
  });
});

test("BetterAuth's server with its lastLoginMethod() plugin sets the same cookie on the same database", async () => {
  await withServer({ lastLoginMethod: true, trustedOrigins: [APP], passwordHash: 'scrypt' }, async (ours) => {  // hashes BetterAuth verifies
    const u = await signUp(ours);
    const theirs = await serveBetterAuth(betterAuthOnSqlite(ours.db, { plugins: [lastLoginMethod()], options: { trustedOrigins: [APP] } }));
    try {
      const res = await new Browser(theirs.api, { origin: APP }).post('/sign-in/email', { email: u.email, password: PASSWORD });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(methodCookie(res), methodCookie(u.res));
    } finally {
      await theirs.close();
    }
  });
});
