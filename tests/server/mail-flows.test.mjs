// The e-mail flows end to end through the outbox (`mail: 'outbox'`): verification, password
// reset and change of address. Every link is followed as a user would follow it, and the database
// is checked to hold only hashes of the mailed tokens. Mail is sent by a background queue, so the
// tests wait for the outbox file (an observable event), never for a fixed time. To show that a
// request sent NO mail, a later mail is used as a barrier: the queue delivers in order, so once
// the later one is in the outbox, an earlier one would be too.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { BIN, Browser, dump, expectMail, mailsTo, rawRequest, sql, startServer } from '../support/server.mjs';

// These tests edit the database behind the server's back (sql()), as another process would. The
// server's session cache sees such edits only after its TTL (sessionCacheTtl), so it is off for
// them; tests/server/session-cache.test.mjs covers the cache.
const EDITS_DB = { sessionCacheTtl: 0 };

const PASSWORD = 'correct-horse-battery';
const USER_KEYS = ['createdAt', 'email', 'emailVerified', 'id', 'image', 'name', 'updatedAt'];
const sha256 = (text) => createHash('sha256').update(text).digest('hex');
const isoAgo = (ms) => new Date(Date.now() - ms).toISOString();

let counter = 0;
const freshEmail = (tag = 'user') => `${tag}-${++counter}@example.com`;

async function withServer(config, fn) {
  const s = await startServer({ ...EDITS_DB, mail: 'outbox', ...config });
  try {
    return await fn(s);
  } finally {
    await s.stop();
  }
}

/** Waits until every mail queued so far has been written: queues one more and waits for it. */
async function drainMail(s) {
  const barrier = 'barrier@example.com';
  if (!sql(s.db, `select id from "user" where email = '${barrier}'`).length) {
    const res = await new Browser(s.api).post('/sign-up/email', { name: 'Barrier', email: barrier, password: PASSWORD });
    assert.equal(res.status, 200);
  }
  await expectMail(s, barrier, 'reset-password', () => new Browser(s.api).post('/request-password-reset', { email: barrier }));
}

async function signUp(s, { email = freshEmail(), name = 'Mail User', callbackURL } = {}) {
  const browser = new Browser(s.api);
  const body = { name, email, password: PASSWORD };
  if (callbackURL) body.callbackURL = callbackURL;
  const res = await browser.post('/sign-up/email', body);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return { browser, user: res.body.user, token: res.body.token, email };
}

/** The token of a verify-email link, checking the link's form. */
function verifyToken(s, mail, callbackURL = '/') {
  const url = new URL(mail.link);
  assert.equal(`${url.origin}${url.pathname}`, `${s.api}/verify-email`);
  assert.deepEqual([...url.searchParams.keys()], ['token', 'callbackURL']);
  assert.equal(url.searchParams.get('callbackURL'), callbackURL);
  const token = url.searchParams.get('token');
  assert.match(token, /^[A-Za-z0-9]{32}$/);
  assert.ok(mail.text.includes(mail.link), 'the text holds the link');
  return token;
}

const followVerify = (s, token, { query = '', browser } = {}) =>
  browser ? browser.get(`/verify-email?token=${token}${query}`) : rawRequest(`${s.api}/verify-email?token=${token}${query}`);

const userRow = (s, id) => sql(s.db, `select * from "user" where id = '${id}'`)[0];

// ---------------------------------------------------------------------------------------------

describe('verification on sign-up (sendVerificationOnSignUp)', () => {
  let s;
  before(async () => {
    s = await startServer({ ...EDITS_DB, mail: 'outbox', sendVerificationOnSignUp: true });
  });
  after(async () => {
    await s.stop();
  });

  test('a link is mailed; following it once verifies the address; the token is stored hashed', async () => {
    const { mail, result: up } = await expectMail(s, 'verify-me@example.com', 'verify-email', () =>
      signUp(s, { email: 'Verify-Me@Example.com', name: 'Vera' }),
    );
    assert.equal(up.token !== null, true, 'sign-up still signs in');
    assert.equal(mail.to, 'verify-me@example.com');
    assert.match(mail.subject, /verify/i);
    assert.ok(mail.text.includes('Vera'));
    const token = verifyToken(s, mail);

    // Only a hash of the token is stored.
    const rows = sql(s.db, 'select * from verification');
    const row = rows.find((r) => r.identifier === `verify-email:${sha256(token)}`);
    assert.ok(row, `verification rows: ${JSON.stringify(rows)}`);
    assert.equal(JSON.parse(row.value).userId, up.user.id);
    assert.ok(!dump(s.db).includes(token), 'the raw token is nowhere in the database');
    assert.equal(userRow(s, up.user.id).emailVerified, 0);

    const res = await followVerify(s, token);
    assert.equal(res.status, 200);
    assert.equal(res.text, '{"status":true,"user":null}');
    assert.deepEqual(res.headers.getSetCookie(), [], 'no auto sign-in');
    assert.equal(userRow(s, up.user.id).emailVerified, 1);
    assert.equal(sql(s.db, `select count(*) as n from verification where identifier = '${row.identifier}'`)[0].n, 0);
    const session = await up.browser.get('/get-session');
    assert.equal(session.body.user.emailVerified, true);

    const again = await followVerify(s, token);
    assert.equal(again.status, 401);
    assert.deepEqual(again.body, { message: 'Invalid token', code: 'INVALID_TOKEN' });
  });

  test('an expired link: 401 TOKEN_EXPIRED, and the address stays unverified', async () => {
    const email = freshEmail('late');
    const { mail, result: up } = await expectMail(s, email, 'verify-email', () => signUp(s, { email }));
    const token = verifyToken(s, mail);
    sql(s.db, `update verification set expiresAt = '${isoAgo(1000)}' where identifier = 'verify-email:${sha256(token)}'`);
    const res = await followVerify(s, token);
    assert.equal(res.status, 401);
    assert.deepEqual(res.body, { message: 'Token expired', code: 'TOKEN_EXPIRED' });
    assert.equal(userRow(s, up.user.id).emailVerified, 0);
  });

  test('401 USER_NOT_FOUND when the user is gone, 401 INVALID_USER when the address changed since', async () => {
    const gone = freshEmail('gone');
    const first = await expectMail(s, gone, 'verify-email', () => signUp(s, { email: gone }));
    sql(s.db, `delete from "user" where id = '${first.result.user.id}'`);
    const missing = await followVerify(s, verifyToken(s, first.mail));
    assert.equal(missing.status, 401);
    assert.deepEqual(missing.body, { message: 'User not found', code: 'USER_NOT_FOUND' });

    const moved = freshEmail('moved');
    const second = await expectMail(s, moved, 'verify-email', () => signUp(s, { email: moved }));
    sql(s.db, `update "user" set email = 'elsewhere-${counter}@example.com' where id = '${second.result.user.id}'`);
    const other = await followVerify(s, verifyToken(s, second.mail));
    assert.equal(other.status, 401);
    assert.deepEqual(other.body, { message: 'Invalid user', code: 'INVALID_USER' });
    assert.equal(userRow(s, second.result.user.id).emailVerified, 0);
  });

  test("with a callbackURL: the mailed link carries it, and following it redirects there", async () => {
    const email = freshEmail('cb');
    const { mail, result: up } = await expectMail(s, email, 'verify-email', () => signUp(s, { email, callbackURL: '/welcome' }));
    verifyToken(s, mail, '/welcome');
    const res = await rawRequest(mail.link);
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), '/welcome');
    assert.equal(res.text, '');
    assert.equal(userRow(s, up.user.id).emailVerified, 1);

    // A failure with a callbackURL goes there too, with the error code.
    const twice = await rawRequest(mail.link);
    assert.equal(twice.status, 302);
    assert.equal(twice.headers.get('location'), '/welcome?error=INVALID_TOKEN');

    // An absolute (trusted) callbackURL in place of the mailed one.
    const other = freshEmail('cb');
    const second = await expectMail(s, other, 'verify-email', () => signUp(s, { email: other }));
    const token = verifyToken(s, second.mail);
    const absolute = await followVerify(s, token, { query: `&callbackURL=${encodeURIComponent(`${s.url}/done`)}` });
    assert.equal(absolute.status, 302);
    assert.equal(absolute.headers.get('location'), `${s.url}/done`);
  });

  test('send-verification-email with a session: EMAIL_MISMATCH, a new link, EMAIL_ALREADY_VERIFIED', async () => {
    const email = freshEmail('again');
    const { result: up } = await expectMail(s, email, 'verify-email', () => signUp(s, { email }));
    const mismatch = await up.browser.post('/send-verification-email', { email: freshEmail('someone-else') });
    assert.equal(mismatch.status, 400);
    assert.deepEqual(mismatch.body, { message: 'Email mismatch', code: 'EMAIL_MISMATCH' });

    const { mail, result } = await expectMail(s, email, 'verify-email', () =>
      up.browser.post('/send-verification-email', { email: email.toUpperCase(), callbackURL: '/verified' }),
    );
    assert.equal(result.status, 200);
    assert.deepEqual(result.body, { status: true });
    const token = verifyToken(s, mail, '/verified');
    assert.equal((await followVerify(s, token)).status, 200);

    const already = await up.browser.post('/send-verification-email', { email });
    assert.equal(already.status, 400);
    assert.deepEqual(already.body, { message: 'Email is already verified', code: 'EMAIL_ALREADY_VERIFIED' });
  });

  test('send-verification-email without a session: always {"status":true} after at least 500 ms', async () => {
    const unverified = freshEmail('anon');
    await expectMail(s, unverified, 'verify-email', () => signUp(s, { email: unverified }));
    const verified = freshEmail('anon-verified');
    const v = await expectMail(s, verified, 'verify-email', () => signUp(s, { email: verified }));
    assert.equal((await followVerify(s, verifyToken(s, v.mail))).status, 200);
    const unknown = freshEmail('nobody');

    const timed = async (email) => {
      const start = performance.now();
      const res = await new Browser(s.api).post('/send-verification-email', { email });
      return { res, ms: performance.now() - start };
    };
    const known = await expectMail(s, unverified, 'verify-email', () => timed(unverified));
    const answers = [known.result, await timed(unknown), await timed(verified)];
    for (const { res, ms } of answers) {
      assert.equal(res.status, 200);
      assert.equal(JSON.stringify(res.body), '{"status":true}');
      assert.ok(ms >= 500, `answered after ${ms} ms`);
    }
    verifyToken(s, known.mail);
    await drainMail(s);
    assert.deepEqual(mailsTo(s, unknown), [], 'no mail to an unknown address');
    assert.equal(mailsTo(s, verified, 'verify-email').length, 1, 'no new mail to a verified address');
  });
});

describe('requireEmailVerification', () => {
  test("sign-in before verifying: 403 EMAIL_NOT_VERIFIED and a new link (to the sign-in's callbackURL); after verifying: 200", async () => {
    await withServer({ requireEmailVerification: true }, async (s) => {
      const email = freshEmail('strict');
      const first = await expectMail(s, email, 'verify-email', () => signUp(s, { email }));
      assert.equal(first.result.token, null, 'no session before verification');

      const callbackURL = `${s.url}/login?verified=1`;
      const { mail, result: refused } = await expectMail(s, email, 'verify-email', () =>
        new Browser(s.api).post('/sign-in/email', { email, password: PASSWORD, callbackURL }),
      );
      assert.equal(refused.status, 403);
      assert.deepEqual(refused.body, { message: 'Email not verified', code: 'EMAIL_NOT_VERIFIED' });
      assert.deepEqual(refused.headers.getSetCookie(), []);
      // The new link leads where the sign-in said (as BetterAuth's sendOnSignIn).
      const token = verifyToken(s, mail, callbackURL);
      assert.notEqual(token, verifyToken(s, first.mail));

      // An untrusted callbackURL is refused before anything else: no new link, nothing written.
      const before = dump(s.db);
      const evil = await new Browser(s.api).post('/sign-in/email', { email, password: PASSWORD, callbackURL: 'https://evil.example/x' });
      assert.equal(evil.status, 403);
      assert.equal(evil.body.code, 'INVALID_CALLBACK_URL');
      assert.equal(dump(s.db), before);
      await drainMail(s);
      assert.equal(mailsTo(s, email, 'verify-email').length, 2, 'the sign-up link and the one above only');

      assert.equal((await followVerify(s, token)).status, 200);
      const ok = await new Browser(s.api).post('/sign-in/email', { email, password: PASSWORD });
      assert.equal(ok.status, 200);
      assert.equal(ok.body.user.emailVerified, true);
      // The first link is still live, and answers as for an address already verified.
      const old = await followVerify(s, verifyToken(s, first.mail));
      assert.equal(old.text, '{"status":true,"user":null}');
    });
  });
});

describe('autoSignInAfterVerification', () => {
  test('following the link signs the browser in', async () => {
    await withServer({ sendVerificationOnSignUp: true, autoSignInAfterVerification: true }, async (s) => {
      const email = freshEmail('auto');
      const { mail, result: up } = await expectMail(s, email, 'verify-email', () => signUp(s, { email }));
      const phone = new Browser(s.api);
      const res = await followVerify(s, verifyToken(s, mail), { browser: phone });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { status: true, user: null });
      const [cookie] = res.headers.getSetCookie();
      assert.match(cookie, /^better-auth\.session_token=[A-Za-z0-9]{32}\.[^;]+; Max-Age=604800; Path=\/; HttpOnly; SameSite=Lax$/);
      const session = await phone.get('/get-session');
      assert.equal(session.body.user.id, up.user.id);
      assert.equal(session.body.user.emailVerified, true);
      assert.notEqual(session.body.session.token, up.token, 'a session of its own');
      assert.equal(sql(s.db, `select count(*) as n from session where userId = '${up.user.id}'`)[0].n, 2);
    });
  });
});

// ---------------------------------------------------------------------------------------------

describe('password reset', () => {
  let s;
  before(async () => {
    s = await startServer({ ...EDITS_DB, mail: 'outbox' });
  });
  after(async () => {
    await s.stop();
  });

  const BODY = { status: true, message: 'If this email exists in our system, check your email for the reset link' };

  test('an unknown address: the same 200, and no mail', async () => {
    const unknown = freshEmail('ghost');
    const before = dump(s.db);
    const res = await new Browser(s.api).post('/request-password-reset', { email: unknown });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, BODY);
    assert.equal(dump(s.db), before);
    await drainMail(s);
    assert.deepEqual(mailsTo(s, unknown), []);
  });

  test('[ASVS 2.5.1, 2.5.6] a known address: the link resets the password once, and every session ends', async () => {
    const { browser: laptop, user, email } = await signUp(s, { name: 'Rita' });
    const phone = new Browser(s.api);
    assert.equal((await phone.post('/sign-in/email', { email, password: PASSWORD })).status, 200);

    const redirectTo = `${s.url}/reset-form`;
    const { mail, result } = await expectMail(s, email, 'reset-password', () =>
      new Browser(s.api).post('/request-password-reset', { email: email.toUpperCase(), redirectTo }),
    );
    assert.deepEqual(result.body, BODY);
    assert.ok(mail.text.includes('Rita') && mail.text.includes(mail.link));
    const link = new URL(mail.link);
    assert.match(link.pathname, /^\/api\/auth\/reset-password\/[A-Za-z0-9]{24}$/);
    assert.equal(`${link.origin}${link.pathname.replace(/[^/]+$/, '')}`, `${s.api}/reset-password/`);
    assert.equal(link.search, `?callbackURL=${encodeURIComponent(redirectTo)}`);
    const token = link.pathname.split('/').pop();

    // Stored as a hash only.
    const [row] = sql(s.db, `select * from verification where identifier = 'reset-password:${sha256(token)}'`);
    assert.equal(row.value, user.id);
    assert.equal(new Date(row.expiresAt) - new Date(row.createdAt), 3600 * 1000);
    assert.ok(!dump(s.db).includes(token), 'the raw token is nowhere in the database');

    // The mailed link leads to the app's form with the token.
    const landing = await rawRequest(mail.link);
    assert.equal(landing.status, 302);
    assert.equal(landing.headers.get('location'), `${redirectTo}?token=${token}`);

    const done = await new Browser(s.api).post('/reset-password', { token, newPassword: 'the-new-password' });
    assert.equal(done.status, 200);
    assert.deepEqual(done.body, { status: true });

    assert.equal((await laptop.get('/get-session')).body, null);
    assert.equal((await phone.get('/get-session')).body, null);
    assert.equal(sql(s.db, `select count(*) as n from session where userId = '${user.id}'`)[0].n, 0);
    assert.equal(sql(s.db, `select count(*) as n from verification where identifier like 'reset-password:${sha256(token)}'`)[0].n, 0);

    const old = await new Browser(s.api).post('/sign-in/email', { email, password: PASSWORD });
    assert.equal(old.status, 401);
    const fresh = await new Browser(s.api).post('/sign-in/email', { email, password: 'the-new-password' });
    assert.equal(fresh.status, 200);

    const reuse = await new Browser(s.api).post('/reset-password', { token, newPassword: 'a-third-password' });
    assert.equal(reuse.status, 400);
    assert.deepEqual(reuse.body, { message: 'Invalid token', code: 'INVALID_TOKEN' });
    const relanding = await rawRequest(mail.link);
    assert.equal(relanding.headers.get('location'), `${redirectTo}?error=INVALID_TOKEN`);
  });

  test('a user without a credential account gets one; a user deleted meanwhile gets USER_NOT_FOUND', async () => {
    const a = await signUp(s);
    sql(s.db, `delete from account where userId = '${a.user.id}'`);
    const { mail } = await expectMail(s, a.email, 'reset-password', () => new Browser(s.api).post('/request-password-reset', { email: a.email }));
    const token = new URL(mail.link).pathname.split('/').pop();
    assert.equal((await new Browser(s.api).post('/reset-password', { token, newPassword: 'a-first-password' })).status, 200);
    const [account] = sql(s.db, `select * from account where userId = '${a.user.id}'`);
    assert.equal(account.providerId, 'credential');
    assert.equal(account.accountId, a.user.id);
    assert.equal((await new Browser(s.api).post('/sign-in/email', { email: a.email, password: 'a-first-password' })).status, 200);

    const b = await signUp(s);
    const second = await expectMail(s, b.email, 'reset-password', () => new Browser(s.api).post('/request-password-reset', { email: b.email }));
    sql(s.db, `delete from "user" where id = '${b.user.id}'`);
    const res = await new Browser(s.api).post('/reset-password', { token: new URL(second.mail.link).pathname.split('/').pop(), newPassword: 'a-first-password' });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { message: 'User not found', code: 'USER_NOT_FOUND' });
  });

  test('revokeSessionsOnPasswordReset=false keeps the sessions', async () => {
    await withServer({ revokeSessionsOnPasswordReset: false }, async (t) => {
      const { browser, user, email } = await signUp(t);
      const { mail } = await expectMail(t, email, 'reset-password', () => new Browser(t.api).post('/request-password-reset', { email }));
      const token = new URL(mail.link).pathname.split('/').pop();
      assert.equal((await new Browser(t.api).post('/reset-password', { token, newPassword: 'the-new-password' })).status, 200);
      assert.equal((await browser.get('/get-session')).body.user.id, user.id);
    });
  });
});

// ---------------------------------------------------------------------------------------------

describe('change email (changeEmailEnabled)', () => {
  let s;
  before(async () => {
    s = await startServer({ ...EDITS_DB, mail: 'outbox', changeEmailEnabled: true });
  });
  after(async () => {
    await s.stop();
  });

  const verify = (user) => sql(s.db, `update "user" set emailVerified = 1 where id = '${user.id}'`);

  test('a verified user confirms from the OLD address first, then verifies the NEW one; only then it changes', async () => {
    const a = await signUp(s, { name: 'Cleo' });
    verify(a.user);
    const newEmail = freshEmail('cleo-new');
    const settings = `${s.url}/settings`;
    const { mail: confirmation, result } = await expectMail(s, a.email, 'change-email-confirmation', () =>
      a.browser.post('/change-email', { newEmail, callbackURL: settings }),
    );
    assert.equal(result.status, 200);
    assert.deepEqual(result.body, { status: true });
    assert.equal(confirmation.subject, 'Confirm the change of your e-mail address for Portcullis');
    assert.ok(confirmation.text.includes(newEmail), 'the mail names the new address');
    const confirmToken = verifyToken(s, confirmation, settings);
    assert.equal(userRow(s, a.user.id).email, a.email, 'nothing changes yet');

    // Following it (as the mailed link does, with its callbackURL) mails the new address.
    const { mail: verification, result: confirmed } = await expectMail(s, newEmail, 'change-email', () =>
      followVerify(s, confirmToken, { query: `&callbackURL=${encodeURIComponent(settings)}` }),
    );
    assert.equal(confirmed.status, 302);
    assert.equal(confirmed.headers.get('location'), settings);
    assert.equal(userRow(s, a.user.id).email, a.email, 'still nothing changes');
    assert.equal((await followVerify(s, confirmToken)).status, 401, 'the confirmation works once');

    const res = await followVerify(s, verifyToken(s, verification, settings));
    assert.equal(res.status, 200);
    assert.equal(res.body.user.email, newEmail);
    assert.equal(userRow(s, a.user.id).email, newEmail);
    assert.equal(userRow(s, a.user.id).emailVerified, 1);
  });

  test('the confirmation answers {"status":true} without a callbackURL, and fails once the address has changed', async () => {
    const a = await signUp(s);
    verify(a.user);
    const first = verifyToken(s, (await expectMail(s, a.email, 'change-email-confirmation', () => a.browser.post('/change-email', { newEmail: freshEmail('one') }))).mail);
    const second = verifyToken(s, (await expectMail(s, a.email, 'change-email-confirmation', () => a.browser.post('/change-email', { newEmail: freshEmail('two') }))).mail);
    const res = await followVerify(s, first);
    assert.equal(res.status, 200);
    assert.equal(res.text, '{"status":true}');
    // Meanwhile the address changes (here behind the server's back): the other link is void.
    sql(s.db, `update "user" set email = '${freshEmail('moved')}' where id = '${a.user.id}'`);
    const stale = await followVerify(s, second);
    assert.equal(stale.status, 401);
    assert.equal(stale.body.code, 'INVALID_TOKEN');
  });

  test('changeEmailConfirmation=false: a verified user gets a link to the NEW address only; following it changes the address', async () => {
    await withServer({ changeEmailEnabled: true, changeEmailConfirmation: false }, async (s) => {
      const a = await signUp(s, { name: 'Carl' });
      verify(a.user);
      const newEmail = freshEmail('carl-new');
      const { mail, result } = await expectMail(s, newEmail, 'change-email', () =>
        a.browser.post('/change-email', { newEmail: newEmail.toUpperCase() }),
      );
      assert.equal(result.status, 200);
      assert.deepEqual(result.body, { status: true });
      assert.equal(userRow(s, a.user.id).email, a.email, 'nothing changes before the link is followed');
      const token = verifyToken(s, mail);
      assert.ok(!dump(s.db).includes(token), 'the raw token is nowhere in the database');
      assert.equal(sql(s.db, `select count(*) as n from verification where identifier = 'verify-email:${sha256(token)}'`)[0].n, 1);

      const res = await followVerify(s, token);
      assert.equal(res.status, 200);
      assert.deepEqual(Object.keys(res.body), ['status', 'user']);
      assert.equal(res.body.status, true);
      assert.deepEqual(Object.keys(res.body.user).sort(), USER_KEYS);
      assert.equal(res.body.user.email, newEmail);
      assert.equal(res.body.user.emailVerified, true);

      const row = userRow(s, a.user.id);
      assert.equal(row.email, newEmail);
      assert.equal(row.emailVerified, 1);
      assert.equal((await a.browser.get('/get-session')).body.user.email, newEmail);
      assert.equal((await new Browser(s.api).post('/sign-in/email', { email: newEmail, password: PASSWORD })).status, 200);
      assert.equal((await new Browser(s.api).post('/sign-in/email', { email: a.email, password: PASSWORD })).status, 401);
      assert.equal((await followVerify(s, token)).status, 401, 'the link works once');
      await drainMail(s);
      assert.deepEqual(mailsTo(s, a.email).map((m) => m.kind), ['email-changed'], 'the old address got only the notice of the change');
    });
  });

  test('an unverified user also confirms through a link to the new address', async () => {
    const a = await signUp(s);
    const newEmail = freshEmail('unverified-new');
    const { mail } = await expectMail(s, newEmail, 'change-email', () => a.browser.post('/change-email', { newEmail }));
    assert.equal(userRow(s, a.user.id).email, a.email);
    assert.equal((await followVerify(s, verifyToken(s, mail))).status, 200);
    assert.equal(userRow(s, a.user.id).email, newEmail);
    assert.equal(userRow(s, a.user.id).emailVerified, 1);
  });

  test('EMAIL_IS_THE_SAME; an address in use gets 200 and no mail', async () => {
    const a = await signUp(s);
    verify(a.user);
    const same = await a.browser.post('/change-email', { newEmail: a.email });
    assert.equal(same.status, 400);
    assert.deepEqual(same.body, { message: 'Email is the same', code: 'EMAIL_IS_THE_SAME' });

    const taken = await signUp(s);
    const before = dump(s.db);
    const res = await a.browser.post('/change-email', { newEmail: taken.email });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: true });
    assert.equal(dump(s.db), before);
    await drainMail(s);
    assert.deepEqual(mailsTo(s, taken.email), []);
    assert.deepEqual(mailsTo(s, a.email), [], 'no confirmation either');
  });

  test('an address taken after the link was mailed: the link fails and nothing changes', async () => {
    const a = await signUp(s);
    const wanted = freshEmail('contested');
    const { mail } = await expectMail(s, wanted, 'change-email', () => a.browser.post('/change-email', { newEmail: wanted }));
    await signUp(s, { email: wanted });
    const res = await followVerify(s, verifyToken(s, mail));
    assert.equal(res.status, 422);
    assert.equal(res.body.code, 'USER_ALREADY_EXISTS');
    assert.equal(userRow(s, a.user.id).email, a.email);
  });

  test('updateEmailWithoutVerification: an unverified user changes at once, then verifies the new address', async () => {
    await withServer({ changeEmailEnabled: true, updateEmailWithoutVerification: true }, async (t) => {
      const a = await signUp(t);
      const newEmail = freshEmail('instant');
      const { mail, result } = await expectMail(t, newEmail, 'verify-email', () => a.browser.post('/change-email', { newEmail }));
      assert.equal(result.status, 200);
      assert.deepEqual(result.body, { status: true });
      assert.equal(userRow(t, a.user.id).email, newEmail, 'changed before any link is followed');
      assert.equal(userRow(t, a.user.id).emailVerified, 0);
      assert.equal((await a.browser.get('/get-session')).body.user.email, newEmail);

      const res = await followVerify(t, verifyToken(t, mail));
      assert.equal(res.status, 200);
      assert.equal(res.text, '{"status":true,"user":null}');
      assert.equal(userRow(t, a.user.id).emailVerified, 1);

      // Once verified, a further change goes through links again, confirmed from this address first.
      const later = freshEmail('later');
      await expectMail(t, newEmail, 'change-email-confirmation', () => a.browser.post('/change-email', { newEmail: later }));
      assert.equal(userRow(t, a.user.id).email, newEmail);
    });
  });
});

describe('account deletion by a mailed link (deleteUserVerification)', () => {
  let s;
  before(async () => {
    s = await startServer({ ...EDITS_DB, mail: 'outbox', deleteUserVerification: true });
  });
  after(async () => {
    await s.stop();
  });

  /** The token of a deletion link, checking the link's form. */
  function deletionToken(mail, callbackURL = '/') {
    const url = new URL(mail.link);
    assert.equal(`${url.origin}${url.pathname}`, `${s.api}/delete-user/callback`);
    assert.deepEqual([...url.searchParams.keys()], ['token', 'callbackURL']);
    assert.equal(url.searchParams.get('callbackURL'), callbackURL);
    assert.ok(mail.text.includes(mail.link), 'the text holds the link');
    const token = url.searchParams.get('token');
    assert.match(token, /^[A-Za-z0-9]{32}$/);
    return token;
  }

  const requestDeletion = async (a, body = {}) => {
    const { mail, result } = await expectMail(s, a.email, 'delete-account', () => a.browser.post('/delete-user', body));
    assert.equal(result.status, 200, JSON.stringify(result.body));
    assert.deepEqual(result.body, { success: true, message: 'Verification email sent' });
    assert.deepEqual(result.headers.getSetCookie(), [], 'still signed in');
    return mail;
  };

  test('delete-user mails a link and deletes nothing; the link deletes the account in the signed-in browser only', async () => {
    const a = await signUp(s, { name: 'Dora' });
    const other = await signUp(s);
    const goodbye = `${s.url}/goodbye`;
    const mail = await requestDeletion(a, { password: PASSWORD, callbackURL: goodbye });
    assert.equal(mail.subject, 'Confirm deleting your Portcullis account');
    const token = deletionToken(mail, goodbye);
    assert.ok(userRow(s, a.user.id), 'nothing is deleted yet');
    assert.equal(sql(s.db, `select count(*) as n from verification where identifier = 'delete-account:${sha256(token)}'`)[0].n, 1);
    assert.ok(!dump(s.db).includes(token), 'the database holds only the hash of the mailed token');

    const link = `/delete-user/callback?token=${token}&callbackURL=${encodeURIComponent(goodbye)}`;
    const before = dump(s.db);
    const anonymous = await rawRequest(`${s.api}${link}`);
    assert.equal(anonymous.status, 404);
    assert.deepEqual(anonymous.body, { message: 'Failed to get user info', code: 'FAILED_TO_GET_USER_INFO' });
    const foreign = await other.browser.get(link);
    assert.equal(foreign.status, 404);
    assert.equal(foreign.body.code, 'INVALID_TOKEN');
    assert.equal(dump(s.db), before, "another user's session neither deletes nor spends the link");

    // Her other verification rows, which the deletion takes too: a reset link, a verification link.
    await expectMail(s, a.email, 'reset-password', () => new Browser(s.api).post('/request-password-reset', { email: a.email }));
    await expectMail(s, a.email, 'verify-email', () => a.browser.post('/send-verification-email', { email: a.email }));
    const rowsOf = (user) =>
      sql(s.db, `select count(*) as n from verification where value = '${user.id}' or instr(value, '"userId":"${user.id}"') > 0`)[0].n;
    assert.equal(rowsOf(a.user), 4, 'her known browser, and the deletion, reset and verification links');
    const othersRows = rowsOf(other.user);
    assert.ok(othersRows >= 1, "the other user's known browser");

    const res = await a.browser.get(link);
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), goodbye);
    assert.ok(res.headers.getSetCookie().some((c) => c.startsWith('better-auth.session_token=; Max-Age=0')));
    assert.equal(userRow(s, a.user.id), undefined);
    assert.deepEqual(sql(s.db, `select id from account where userId = '${a.user.id}'`), []);
    assert.deepEqual(sql(s.db, `select id from session where userId = '${a.user.id}'`), []);
    assert.equal(rowsOf(a.user), 0, 'nor any verification row of hers');
    assert.ok(userRow(s, other.user.id), 'the other user stays');
    assert.equal(rowsOf(other.user), othersRows, 'with his rows');
  });

  test('the token in a delete-user body deletes too; a wrong, expired or used one: 404 INVALID_TOKEN', async () => {
    const a = await signUp(s);
    const first = deletionToken(await requestDeletion(a));
    sql(s.db, `update verification set expiresAt = '${isoAgo(1000)}' where identifier = 'delete-account:${sha256(first)}'`);
    const before = dump(s.db);
    for (const token of ['x'.repeat(32), first]) {
      const res = await a.browser.post('/delete-user', { token });
      assert.equal(res.status, 404);
      assert.equal(res.body.code, 'INVALID_TOKEN');
    }
    assert.equal(dump(s.db), before);

    const second = deletionToken(await requestDeletion(a));
    const res = await a.browser.post('/delete-user', { token: second });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { success: true, message: 'User deleted' });
    assert.equal(userRow(s, a.user.id), undefined);
  });

  test('without callbackURL the link answers JSON; an untrusted callbackURL: 403 INVALID_CALLBACK_URL', async () => {
    const a = await signUp(s);
    const token = deletionToken(await requestDeletion(a));
    const evil = await a.browser.get(`/delete-user/callback?token=${token}&callbackURL=${encodeURIComponent('https://evil.example/x')}`);
    assert.equal(evil.status, 403);
    assert.equal(evil.body.code, 'INVALID_CALLBACK_URL');
    assert.ok(userRow(s, a.user.id));
    const res = await a.browser.get(`/delete-user/callback?token=${token}`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { success: true, message: 'User deleted' });
    assert.equal(userRow(s, a.user.id), undefined);
  });

  test('it needs mail: without a sender the server refuses the setting', () => {
    const r = spawnSync(BIN, ['check-config', '--dev', '--delete-user-verification', 'true'], {
      encoding: 'utf8',
      env: { ...process.env, BETTER_AUTH_SECRET: '' },
    });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /deleteUserVerification: needs mail \(outbox or smtp\)/);
  });

  test('a wrong password is refused before any mail is sent', async () => {
    const a = await signUp(s);
    const res = await a.browser.post('/delete-user', { password: 'wrong-password' });
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 'INVALID_PASSWORD');
    await drainMail(s);
    assert.deepEqual(mailsTo(s, a.email, 'delete-account'), []);
  });
});

describe('security notifications (securityNotifications, on with mail)', () => {
  let s;
  before(async () => {
    s = await startServer({ ...EDITS_DB, mail: 'outbox', changeEmailEnabled: true });
  });
  after(async () => {
    await s.stop();
  });

  test('[ASVS 2.2.3, 2.5.5] change-password and a reset each tell the user their password changed', async () => {
    const a = await signUp(s, { name: 'Nell' });
    const { mail } = await expectMail(s, a.email, 'password-changed', () =>
      a.browser.post('/change-password', { currentPassword: PASSWORD, newPassword: 'another-good-passphrase' }),
    );
    assert.equal(mail.subject, 'Your Portcullis password was changed');
    assert.ok(mail.text.startsWith('Hello Nell,'));
    assert.ok(!mail.text.includes('another-good-passphrase'), 'never the password');
    assert.equal(mail.link, '');

    const { mail: reset } = await expectMail(s, a.email, 'reset-password', () => new Browser(s.api).post('/request-password-reset', { email: a.email }));
    const token = new URL(reset.link).pathname.split('/').pop();
    await expectMail(s, a.email, 'password-changed', () => new Browser(s.api).post('/reset-password', { token, newPassword: 'a-third-good-passphrase' }));
  });

  test('a wrong current password changes nothing and tells nobody', async () => {
    const a = await signUp(s);
    const res = await a.browser.post('/change-password', { currentPassword: 'wrong-password', newPassword: 'another-good-passphrase' });
    assert.equal(res.status, 400);
    await drainMail(s);
    assert.deepEqual(mailsTo(s, a.email, 'password-changed'), []);
  });

  test('[ASVS 2.2.3, 2.5.5] a change of e-mail address is told to the OLD address', async () => {
    const a = await signUp(s, { name: 'Otto' });
    const newEmail = freshEmail('otto-new');
    const { mail: link } = await expectMail(s, newEmail, 'change-email', () => a.browser.post('/change-email', { newEmail }));
    const { mail } = await expectMail(s, a.email, 'email-changed', () => followVerify(s, verifyToken(s, link)));
    assert.equal(mail.subject, 'The e-mail address of your Portcullis account was changed');
    assert.ok(mail.text.includes(a.email) && mail.text.includes(newEmail), 'both addresses are named');
    assert.deepEqual(mailsTo(s, newEmail, 'email-changed'), []);
  });

  test('[ASVS 2.2.3] a sign-in from a browser the account has not seen gets a notice; a known one does not', async () => {
    const a = await signUp(s, { name: 'Ida' });
    const firefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0 M\u00f6z';
    const signIn = (agent) => new Browser(s.api).post('/sign-in/email', { email: a.email, password: PASSWORD }, agent ? { 'user-agent': agent } : {});
    const { mail, result } = await expectMail(s, a.email, 'new-sign-in', () => signIn(firefox));
    assert.equal(result.status, 200);
    assert.equal(mail.subject, 'A new sign-in to your Portcullis account');
    assert.ok(mail.text.includes('from 127.0.0.1'), mail.text);
    assert.ok(mail.text.includes('Firefox/140.0 M?z"'), 'the User-Agent, printable ASCII only');
    assert.ok(!mail.text.includes(PASSWORD));
    // The header travels as Latin-1 bytes (ö is one byte, 0xF6), and is hashed as it arrived.
    const hash = createHash('sha256').update(Buffer.from(`${a.user.id}\n${firefox}`, 'latin1')).digest('hex');
    const known = sql(s.db, `select value from verification where identifier = 'known-device:${hash}'`);
    assert.deepEqual(known, [{ value: a.user.id }], "remembered as a hash (the User-Agent unreadable), under the user's id");

    // The same browser again, and the one that signed up: no notice.
    assert.equal((await signIn(firefox)).status, 200);
    assert.equal((await signIn()).status, 200);
    await drainMail(s);
    assert.equal(mailsTo(s, a.email, 'new-sign-in').length, 1);
  });

  test('securityNotifications=false: no notices', async () => {
    await withServer({ securityNotifications: false }, async (t) => {
      const a = await signUp(t);
      const other = await new Browser(t.api).post('/sign-in/email', { email: a.email, password: PASSWORD }, { 'user-agent': 'Another/1.0' });
      assert.equal(other.status, 200);
      const res = await a.browser.post('/change-password', { currentPassword: PASSWORD, newPassword: 'another-good-passphrase' });
      assert.equal(res.status, 200);
      await drainMail(t);
      assert.deepEqual(mailsTo(t, a.email, 'password-changed'), []);
      assert.deepEqual(mailsTo(t, a.email, 'new-sign-in'), []);
    });
  });
});
