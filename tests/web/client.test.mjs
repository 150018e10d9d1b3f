// portcullis/client against the real server binary: every method, its success value and its
// failures as typed codes; then the same through BetterAuth's own client wrapped by fromBetterAuth.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';

import { createAuthClient } from 'better-auth/client';
import { adminClient, emailOTPClient, lastLoginMethodClient, magicLinkClient, twoFactorClient, usernameClient } from 'better-auth/client/plugins';

import { createClient, fromBetterAuth, resolveBaseURL } from '../../web/client/index.js';
import { BIN, SECRET, browserFetch, outboxMails, startServer, waitFor } from '../support/server.mjs';
import { totp } from '../support/totp.mjs';

const PASSWORD = 'violet-harbour-tangent-77';
const NEW_PASSWORD = 'copper-lantern-meadow-91';
const SITE = 'http://localhost:3999'; // the page's origin: a trusted origin of the server

let server;
before(async () => {
  server = await startServer({ mail: 'outbox', trustedOrigins: [SITE] });
});
after(async () => {
  await server.stop();
});

let n = 0;
const newEmail = () => `client${process.pid}-${++n}@example.com`;

test('resolveBaseURL follows BetterAuth: an origin gets /api/auth, a path is kept', () => {
  assert.equal(resolveBaseURL('http://127.0.0.1:4000'), 'http://127.0.0.1:4000/api/auth');
  assert.equal(resolveBaseURL('http://127.0.0.1:4000/'), 'http://127.0.0.1:4000/api/auth');
  assert.equal(resolveBaseURL('http://127.0.0.1:4000/auth/'), 'http://127.0.0.1:4000/auth');
  assert.equal(resolveBaseURL('http://x.test', '/custom'), 'http://x.test/custom');
  assert.throws(() => resolveBaseURL(undefined), TypeError);
});

describe('createClient', () => {
  test('sign-up, session, sessions list, sign-out, sign-in: values and events', async () => {
    const client = createClient({ baseURL: server.url, fetch: browserFetch(SITE) });
    const events = [];
    const unsubscribe = client.subscribe((e) => events.push(e.path));
    const email = newEmail();

    const none = await client.getSession();
    assert.deepEqual(none, { ok: true, value: null });

    const up = await client.signUp({ name: 'Ada', email: email.toUpperCase(), password: PASSWORD });
    assert.equal(up.ok, true, JSON.stringify(up));
    assert.equal(up.value.user.email, email);
    assert.equal(typeof up.value.token, 'string');

    const session = await client.getSession();
    assert.equal(session.ok, true);
    assert.equal(session.value.user.name, 'Ada');
    assert.equal(session.value.session.token, up.value.token);

    const list = await client.listSessions();
    assert.equal(list.ok, true);
    assert.deepEqual(list.value.map((s) => s.token), [up.value.token]);

    const accounts = await client.listAccounts();
    assert.equal(accounts.ok, true);
    assert.deepEqual(accounts.value.map((a) => [a.providerId, a.accountId, a.scopes]), [['credential', up.value.user.id, []]]);
    const last = await client.unlinkAccount(accounts.value[0].id);
    assert.deepEqual([last.ok, last.status, last.code], [false, 400, 'FAILED_TO_UNLINK_LAST_ACCOUNT']);
    assert.deepEqual(await client.verifyPassword(PASSWORD), { ok: true, value: { status: true } });
    const notIt = await client.verifyPassword('not-the-password');
    assert.deepEqual([notIt.ok, notIt.status, notIt.code], [false, 400, 'INVALID_PASSWORD']);

    assert.deepEqual(await client.updateUser({ name: 'Ada L.' }), { ok: true, value: { status: true } });
    assert.equal((await client.getSession()).value.user.name, 'Ada L.');

    assert.deepEqual(await client.signOut(), { ok: true, value: { success: true } });
    assert.deepEqual(await client.getSession(), { ok: true, value: null });

    const in_ = await client.signIn({ email, password: PASSWORD });
    assert.equal(in_.ok, true);
    assert.equal(in_.value.user.email, email);
    assert.equal(in_.value.redirect, false);
    assert.equal((await client.getSession()).value.user.email, email);

    unsubscribe();
    await client.signOut();
    assert.deepEqual(events, ['/sign-up/email', '/update-user', '/sign-out', '/sign-in/email']);
  });

  test('failures carry the status and the contract code', async () => {
    const client = createClient({ baseURL: server.url, fetch: browserFetch(SITE) });
    const email = newEmail();
    assert.equal((await client.signUp({ name: 'Bo', email, password: PASSWORD })).ok, true);

    const dup = await client.signUp({ name: 'Bo', email, password: PASSWORD });
    assert.equal(dup.ok, false);
    assert.equal(dup.status, 422);
    assert.equal(dup.code, 'USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL');
    assert.equal(dup.message, 'User already exists. Use another email.');

    const bad = await client.signUp({ name: 'Bo', email: 'not-an-address', password: PASSWORD });
    assert.deepEqual([bad.status, bad.code], [400, 'VALIDATION_ERROR']);

    const short = await client.signUp({ name: 'Bo', email: newEmail(), password: 'short' });
    assert.deepEqual([short.status, short.code, short.message], [400, 'PASSWORD_TOO_SHORT', 'Password too short']);

    const wrong = await createClient({ baseURL: server.url, fetch: browserFetch(SITE) }).signIn({
      email,
      password: 'not-the-password',
    });
    assert.deepEqual(
      { ok: wrong.ok, status: wrong.status, code: wrong.code, message: wrong.message },
      { ok: false, status: 401, code: 'INVALID_EMAIL_OR_PASSWORD', message: 'Invalid email or password' },
    );

    const wrongCurrent = await client.changePassword({ currentPassword: 'not-the-password', newPassword: NEW_PASSWORD });
    assert.deepEqual([wrongCurrent.status, wrongCurrent.code], [400, 'INVALID_PASSWORD']);

    const anonymous = createClient({ baseURL: server.url, fetch: browserFetch(SITE) });
    const unauthorized = await anonymous.listSessions();
    assert.deepEqual([unauthorized.ok, unauthorized.status, unauthorized.code], [false, 401, 'UNAUTHORIZED']);

    const foreign = createClient({ baseURL: server.url, fetch: browserFetch('http://evil.example') });
    const refused = await foreign.signIn({ email, password: PASSWORD });
    assert.deepEqual([refused.status, refused.code], [403, 'INVALID_ORIGIN']);
  });

  test('a weak password is refused with its score and feedback (when the server has a minimum score)', async () => {
    const client = createClient({ baseURL: server.url, fetch: browserFetch(SITE) });
    const weak = await client.signUp({ name: 'Cy', email: newEmail(), password: 'password1' });
    if (weak.ok) return; // a server without the strength rule accepts it
    assert.deepEqual([weak.status, weak.code], [400, 'PASSWORD_TOO_WEAK']);
    assert.equal(typeof weak.score, 'number');
    assert.equal(typeof weak.feedback.warning, 'string');
    assert.ok(Array.isArray(weak.feedback.suggestions));
  });

  test('no server: NETWORK_ERROR with status 0', async () => {
    const client = createClient({ baseURL: 'http://127.0.0.1:9' });
    const r = await client.getSession();
    assert.deepEqual([r.ok, r.status, r.code], [false, 0, 'NETWORK_ERROR']);
  });

  test('change password, revoke other sessions, revoke one, revoke all', async () => {
    const email = newEmail();
    const laptop = createClient({ baseURL: server.url, fetch: browserFetch(SITE) });
    const phone = createClient({ baseURL: server.url, fetch: browserFetch(SITE) });
    const tablet = createClient({ baseURL: server.url, fetch: browserFetch(SITE) });
    await laptop.signUp({ name: 'Di', email, password: PASSWORD });
    const phoneIn = await phone.signIn({ email, password: PASSWORD });
    await tablet.signIn({ email, password: PASSWORD });

    const changed = await laptop.changePassword({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    assert.equal(changed.ok, true, JSON.stringify(changed));
    assert.equal(changed.value.user.email, email);
    assert.equal((await phone.signIn({ email, password: PASSWORD })).code, 'INVALID_EMAIL_OR_PASSWORD');

    assert.deepEqual(await laptop.revokeSession(phoneIn.value.token), { ok: true, value: { status: true } });
    assert.equal((await phone.getSession()).value, null);
    assert.notEqual((await tablet.getSession()).value, null);

    assert.deepEqual(await laptop.revokeOtherSessions(), { ok: true, value: { status: true } });
    assert.equal((await tablet.getSession()).value, null);
    assert.notEqual((await laptop.getSession()).value, null);

    assert.deepEqual(await laptop.revokeSessions(), { ok: true, value: { status: true } });
    assert.equal((await laptop.getSession()).value, null);
  });

  test('request a reset, then reset with the mailed token', async () => {
    const email = newEmail();
    const client = createClient({ baseURL: server.url, fetch: browserFetch(SITE) });
    await client.signUp({ name: 'Eve', email, password: PASSWORD });
    const asked = await client.requestPasswordReset({ email, redirectTo: `${SITE}/reset` });
    assert.equal(asked.ok, true);
    assert.equal(asked.value.status, true);
    const mail = await waitFor(() => outboxMails(server.outbox).find((m) => m.to === email && m.kind === 'reset-password'), {
      what: 'the reset mail',
    });
    const token = new URL(mail.link).pathname.split('/').pop();

    const short = await client.resetPassword({ token, newPassword: 'short' });
    assert.equal(short.code, 'PASSWORD_TOO_SHORT');
    assert.deepEqual(await client.resetPassword({ token, newPassword: NEW_PASSWORD }), { ok: true, value: { status: true } });
    assert.equal((await client.resetPassword({ token, newPassword: NEW_PASSWORD })).code, 'INVALID_TOKEN');
    assert.equal((await client.signIn({ email, password: NEW_PASSWORD })).ok, true);
  });
});

describe('verification mail, change of address, deletion: the same through both clients', () => {
  const clients = {
    createClient: () => createClient({ baseURL: server.url, fetch: browserFetch(SITE) }),
    fromBetterAuth: () => fromBetterAuth(createAuthClient({ baseURL: server.url, fetchOptions: { customFetchImpl: browserFetch(SITE) } })),
  };
  for (const [kind, make] of Object.entries(clients)) {
    test(kind, async () => {
      const email = newEmail();
      const client = make();
      const events = [];
      assert.equal((await client.signUp({ name: 'Gus', email, password: PASSWORD })).ok, true);
      client.subscribe((e) => events.push(e.type));

      const sent = await client.sendVerificationEmail({ email, callbackURL: `${SITE}/verified` });
      assert.deepEqual(sent, { ok: true, value: { status: true } });
      await waitFor(() => outboxMails(server.outbox).find((m) => m.to === email && m.kind === 'verify-email'), { what: 'the verification mail' });
      // This server leaves the change of address off (its --change-email-enabled).
      const change = await client.changeEmail({ newEmail: `new-${email}` });
      assert.deepEqual([change.ok, change.status, change.code], [false, 400, 'CHANGE_EMAIL_DISABLED']);

      const wrong = await client.deleteUser({ password: 'not-the-password' });
      assert.deepEqual([wrong.ok, wrong.status, wrong.code], [false, 400, 'INVALID_PASSWORD']);
      assert.deepEqual(await client.deleteUser({ password: PASSWORD }), { ok: true, value: { success: true, message: 'User deleted' } });
      assert.equal((await client.getSession()).value, null);
      assert.equal((await client.signIn({ email, password: PASSWORD })).code, 'INVALID_EMAIL_OR_PASSWORD');
      assert.deepEqual(events, ['session-changed'], 'the deletion, and nothing else, tells the session listeners');
    });
  }
});

describe("fromBetterAuth: BetterAuth's own client behind the same interface", () => {
  test('sign-up, session, wrong password, sign-out', async () => {
    const f = browserFetch(SITE);
    const auth = createAuthClient({ baseURL: server.url, fetchOptions: { customFetchImpl: f } });
    const client = fromBetterAuth(auth);
    const events = [];
    client.subscribe((e) => events.push(e.type));
    const email = newEmail();

    const up = await client.signUp({ name: 'Fay', email, password: PASSWORD });
    assert.equal(up.ok, true, JSON.stringify(up));
    assert.equal(up.value.user.email, email);
    assert.equal((await client.getSession()).value.user.name, 'Fay');

    const wrong = await fromBetterAuth(createAuthClient({ baseURL: server.url, fetchOptions: { customFetchImpl: browserFetch(SITE) } })).signIn({
      email,
      password: 'not-the-password',
    });
    assert.deepEqual([wrong.ok, wrong.status, wrong.code], [false, 401, 'INVALID_EMAIL_OR_PASSWORD']);

    const accounts = await client.listAccounts();
    assert.deepEqual(accounts.value.map((a) => a.providerId), ['credential']);
    assert.deepEqual(await client.verifyPassword(PASSWORD), { ok: true, value: { status: true } });
    assert.equal((await client.verifyPassword('not-the-password')).code, 'INVALID_PASSWORD');
    assert.equal((await client.unlinkAccount('no-such-account')).code, 'ACCOUNT_NOT_FOUND');

    assert.equal((await client.signOut()).ok, true);
    assert.equal((await client.getSession()).value, null);
    assert.deepEqual(events, ['session-changed', 'session-changed']);
  });
});

describe('two-step verification: the same through both clients', () => {
  let tfa;
  before(async () => {
    tfa = await startServer({ twoFactor: true, trustedOrigins: [SITE] });
  });
  after(async () => {
    await tfa.stop();
  });

  const clients = {
    createClient: () => createClient({ baseURL: tfa.url, fetch: browserFetch(SITE) }),
    fromBetterAuth: () =>
      fromBetterAuth(createAuthClient({ baseURL: tfa.url, plugins: [twoFactorClient()], fetchOptions: { customFetchImpl: browserFetch(SITE) } })),
  };
  for (const [kind, make] of Object.entries(clients)) {
    test(kind, async () => {
      const email = newEmail();
      const client = make();
      assert.equal((await client.signUp({ name: 'Hedy', email, password: PASSWORD })).ok, true);
      const noOtp = await client.enableTwoFactor({ password: PASSWORD, method: 'otp' });
      assert.deepEqual([noOtp.ok, noOtp.status, noOtp.code], [false, 400, 'OTP_NOT_CONFIGURED'], 'a server without --two-factor-otp');
      const enabled = await client.enableTwoFactor({ password: PASSWORD });
      assert.equal(enabled.ok, true);
      assert.equal(enabled.value.backupCodes.length, 10);
      assert.equal((await client.verifyTotp({ code: totp(enabled.value.totpURI) })).ok, true);
      assert.equal((await client.getSession()).value.user.twoFactorEnabled, true);
      assert.equal((await client.signOut()).ok, true);

      const signIn = await client.signIn({ email, password: PASSWORD });
      assert.deepEqual(signIn, { ok: true, value: { twoFactorRedirect: true, twoFactorMethods: ['totp'] } });
      assert.equal((await client.getSession()).value, null);
      const wrong = await client.verifyTotp({ code: 'abcdef' });
      assert.deepEqual([wrong.ok, wrong.status, wrong.code], [false, 401, 'INVALID_CODE']);
      const done = await client.verifyTotp({ code: totp(enabled.value.totpURI, 1) });
      assert.equal(done.ok, true);
      assert.equal(done.value.user.email, email);
      assert.equal((await client.getSession()).value.user.email, email);

      const uri = await client.getTotpUri({ password: PASSWORD });
      assert.equal(new URL(uri.value.totpURI).searchParams.get('secret'), new URL(enabled.value.totpURI).searchParams.get('secret'));
      const codes = await client.generateBackupCodes({ password: PASSWORD });
      assert.equal(codes.value.backupCodes.length, 10);
      const backup = await client.verifyBackupCode({ code: 'zzzzz-zzzzz' });
      assert.equal(backup.code, 'INVALID_BACKUP_CODE');
      assert.deepEqual(await client.disableTwoFactor({ password: PASSWORD }), { ok: true, value: { status: true } });
      assert.equal((await client.getSession()).value.user.twoFactorEnabled, false);
    });
  }
});

describe("e-mailed codes (the server's --two-factor-otp): the requests both clients send", () => {
  // A fetch that answers 200 with `answer(path)` and records each request's method, path and body.
  function recording(answer = () => ({ status: true })) {
    const seen = [];
    const f = async (url, init = {}) => {
      const path = new URL(url).pathname.replace(/^\/api\/auth/, '');
      seen.push([init.method ?? 'GET', path, init.body === undefined || init.body === null ? undefined : JSON.parse(init.body)]);
      return new Response(JSON.stringify(answer(path)), { status: 200, headers: { 'content-type': 'application/json' } });
    };
    f.seen = seen;
    return f;
  }
  const answer = (path) =>
    path === '/two-factor/verify-otp' ? { token: 't', user: { id: 'u', email: 'x@example.com' } }
    : path === '/two-factor/enable' ? { method: 'otp' }
    : { status: true };
  const clients = {
    createClient: (f) => createClient({ baseURL: 'http://127.0.0.1:9', fetch: f }),
    fromBetterAuth: (f) =>
      fromBetterAuth(createAuthClient({ baseURL: 'http://127.0.0.1:9', plugins: [twoFactorClient()], fetchOptions: { customFetchImpl: f } })),
  };
  for (const [kind, make] of Object.entries(clients)) {
    test(kind, async () => {
      const f = recording(answer);
      const client = make(f);
      const events = [];
      client.subscribe(() => events.push('session-changed'));
      assert.deepEqual(await client.sendTwoFactorOtp(), { ok: true, value: { status: true } });
      assert.deepEqual(await client.sendTwoFactorOtp({ trustDevice: true }), { ok: true, value: { status: true } });
      const verified = await client.verifyTwoFactorOtp({ code: '123456', trustDevice: true });
      assert.deepEqual(verified, { ok: true, value: { token: 't', user: { id: 'u', email: 'x@example.com' } } });
      assert.deepEqual(await client.enableTwoFactor({ password: PASSWORD, method: 'otp' }), { ok: true, value: { method: 'otp' } });
      assert.deepEqual(f.seen, [
        ['POST', '/two-factor/send-otp', {}],
        ['POST', '/two-factor/send-otp', { trustDevice: true }],
        ['POST', '/two-factor/verify-otp', { code: '123456', trustDevice: true }],
        ['POST', '/two-factor/enable', { password: PASSWORD, method: 'otp' }],
      ]);
      // The code and the e-mailed codes' enable change the session (a new cookie); a send does not.
      assert.deepEqual(events, ['session-changed', 'session-changed']);
    });
  }
});

describe("e-mailed codes (the server's --two-factor-otp): the same through both clients", () => {
  let otp;
  before(async () => {
    otp = await startServer({ twoFactor: true, twoFactorOtp: true, mail: 'outbox', trustedOrigins: [SITE] });
  });
  after(async () => {
    await otp.stop();
  });
  const mails = (email, kind) => outboxMails(otp.outbox).filter((m) => m.to === email && m.kind === kind);
  const codeOf = (mail) => /^\s*(\d{6})\s*$/m.exec(mail.text)[1];

  const clients = {
    createClient: () => createClient({ baseURL: otp.url, fetch: browserFetch(SITE) }),
    fromBetterAuth: () =>
      fromBetterAuth(createAuthClient({ baseURL: otp.url, plugins: [twoFactorClient()], fetchOptions: { customFetchImpl: browserFetch(SITE) } })),
  };
  for (const [kind, make] of Object.entries(clients)) {
    test(kind, async () => {
      const email = newEmail();
      const client = make();
      assert.equal((await client.signUp({ name: 'Radia', email, password: PASSWORD })).ok, true);
      const unverified = await client.enableTwoFactor({ password: PASSWORD, method: 'otp' });
      assert.deepEqual([unverified.ok, unverified.status, unverified.code], [false, 403, 'EMAIL_NOT_VERIFIED']);
      assert.equal((await client.sendVerificationEmail({ email })).ok, true);
      const link = (await waitFor(() => mails(email, 'verify-email')[0], { what: 'the verification mail' })).link;
      assert.equal((await fetch(link, { redirect: 'manual' })).status, 302);
      const wrongPassword = await client.enableTwoFactor({ password: 'not-the-password', method: 'otp' });
      assert.deepEqual([wrongPassword.status, wrongPassword.code], [400, 'INVALID_PASSWORD']);
      assert.deepEqual(await client.enableTwoFactor({ password: PASSWORD, method: 'otp' }), { ok: true, value: { method: 'otp' } });
      assert.equal((await client.getSession()).value.user.twoFactorEnabled, true, 'on at once, in the new session');
      assert.equal((await client.signOut()).ok, true);

      const signIn = await client.signIn({ email, password: PASSWORD });
      assert.deepEqual(signIn, { ok: true, value: { twoFactorRedirect: true, twoFactorMethods: ['otp'] } });
      const unsent = await client.verifyTwoFactorOtp({ code: '123456' });
      assert.deepEqual([unsent.ok, unsent.status, unsent.code], [false, 400, 'OTP_HAS_EXPIRED'], 'no code was sent');
      assert.deepEqual(await client.sendTwoFactorOtp(), { ok: true, value: { status: true } });
      const code = codeOf(await waitFor(() => mails(email, 'two-factor-code')[0], { what: 'the code' }));
      const wrong = await client.verifyTwoFactorOtp({ code: code === '000000' ? '111111' : '000000' });
      assert.deepEqual([wrong.ok, wrong.status, wrong.code], [false, 401, 'INVALID_CODE']);
      assert.equal((await client.getSession()).value, null);
      const done = await client.verifyTwoFactorOtp({ code });
      assert.equal(done.ok, true, JSON.stringify(done));
      assert.equal(done.value.user.email, email);
      assert.equal((await client.getSession()).value.user.email, email);
      const again = await client.verifyTwoFactorOtp({ code });
      assert.equal(again.ok, false, 'a code works once');

      assert.deepEqual(await client.disableTwoFactor({ password: PASSWORD }), { ok: true, value: { status: true } });
      assert.equal((await client.getSession()).value.user.twoFactorEnabled, false);
    });
  }
});

describe("Portcullis's own routes (two-factor/methods; --jwt's /token): the same through both clients", () => {
  let own;
  before(async () => {
    own = await startServer({ twoFactor: true, twoFactorOtp: true, jwt: true, mail: 'outbox', trustedOrigins: [SITE] });
  });
  after(async () => {
    await own.stop();
  });
  const clients = {
    createClient: () => createClient({ baseURL: own.url, fetch: browserFetch(SITE) }),
    fromBetterAuth: () =>
      fromBetterAuth(createAuthClient({ baseURL: own.url, plugins: [twoFactorClient()], fetchOptions: { customFetchImpl: browserFetch(SITE) } })),
  };
  for (const [kind, make] of Object.entries(clients)) {
    test(kind, async () => {
      const email = newEmail();
      const client = make();
      const signedOut = await client.getToken();
      assert.deepEqual([signedOut.ok, signedOut.status, signedOut.code], [false, 401, 'UNAUTHORIZED']);
      const up = await client.signUp({ name: 'Barbara', email, password: PASSWORD });
      assert.deepEqual(await client.getTwoFactorMethods(), { ok: true, value: { methods: [] } });
      const token = await client.getToken();
      assert.equal(token.ok, true, JSON.stringify(token));
      const claims = JSON.parse(Buffer.from(token.value.token.split('.')[1], 'base64url'));
      assert.deepEqual([claims.sub, claims.email], [up.value.user.id, email]);
    });
  }
  test('a server without the routes: NOT_FOUND', async () => {
    const client = createClient({ baseURL: server.url, fetch: browserFetch(SITE) });
    assert.equal((await client.signUp({ name: 'Grace', email: newEmail(), password: PASSWORD })).ok, true);
    for (const r of [await client.getToken(), await client.getTwoFactorMethods()]) {
      assert.deepEqual([r.ok, r.status], [false, 404]);
    }
  });
});

describe("the server's --captcha: the client's captcha option sends the token", () => {
  let verify;
  let guarded;
  const asked = [];
  before(async () => {
    const { createServer } = await import('node:http');
    // A stand-in for the provider's siteverify: the token "good" passes.
    verify = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        const token = JSON.parse(body).response;
        asked.push(token);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ success: token === 'good' }));
      });
    });
    await new Promise((resolve) => verify.listen(0, '127.0.0.1', resolve));
    guarded = await startServer({
      captcha: 'cloudflare-turnstile',
      captchaSecretKey: 'test-secret',
      captchaVerifyUrl: `http://127.0.0.1:${verify.address().port}/siteverify`,
      trustedOrigins: [SITE],
    });
  });
  after(async () => {
    await guarded.stop();
    await new Promise((resolve) => verify.close(resolve));
  });

  test('a token from the option is sent on POSTs; without one, MISSING_RESPONSE', async () => {
    const paths = [];
    const client = createClient({
      baseURL: guarded.url,
      fetch: browserFetch(SITE),
      captcha: async (path) => {
        paths.push(path);
        return 'good';
      },
    });
    const up = await client.signUp({ name: 'Hedy', email: newEmail(), password: PASSWORD });
    assert.equal(up.ok, true, JSON.stringify(up));
    assert.deepEqual(paths, ['/sign-up/email']);
    assert.deepEqual(asked, ['good']);
    assert.equal((await client.getSession()).ok, true);
    assert.deepEqual(paths, ['/sign-up/email'], 'asked for POSTs only');

    const bare = createClient({ baseURL: guarded.url, fetch: browserFetch(SITE) });
    const missing = await bare.signIn({ email: newEmail(), password: PASSWORD });
    assert.deepEqual([missing.ok, missing.status, missing.code], [false, 400, 'MISSING_RESPONSE']);
    const refused = await createClient({ baseURL: guarded.url, fetch: browserFetch(SITE), captcha: () => 'bad' }).signIn({
      email: newEmail(),
      password: PASSWORD,
    });
    assert.deepEqual([refused.ok, refused.status, refused.code], [false, 403, 'VERIFICATION_FAILED']);
  });
});

describe("the admin plugin (the server's --admin): the requests both clients send", () => {
  const USER = { id: 'u2', email: 'bob@example.com', name: 'Bob', role: 'user', banned: false, banReason: null, banExpires: null };
  const ADMIN = { ...USER, id: 'u1', email: 'ada@example.com', name: 'Ada', role: 'admin' };
  // A fetch that answers as the server would (403 to `forbid`), and records each request.
  function recording({ forbid = false } = {}) {
    const seen = [];
    const f = async (url, init = {}) => {
      const u = new URL(url);
      const path = u.pathname.replace(/^\/api\/auth/, '');
      seen.push([init.method ?? 'GET', path + u.search, init.body === undefined || init.body === null ? undefined : JSON.parse(init.body)]);
      if (forbid) {
        return new Response(JSON.stringify({ message: 'You are not allowed to list users', code: 'YOU_ARE_NOT_ALLOWED_TO_LIST_USERS' }), {
          status: 403,
          headers: { 'content-type': 'application/json' },
        });
      }
      const answers = {
        '/admin/list-users': { users: [USER], total: 1, limit: 10, offset: 0 },
        '/admin/get-user': USER,
        '/admin/update-user': { ...USER, name: 'Bobby' },
        '/admin/list-user-sessions': { sessions: [] },
        '/admin/set-user-password': { status: true },
        '/admin/has-permission': { error: null, success: true },
        '/admin/impersonate-user': { session: { id: 's2', userId: 'u2', impersonatedBy: 'u1' }, user: USER },
        '/admin/stop-impersonating': { session: { id: 's1', userId: 'u1', impersonatedBy: null }, user: ADMIN },
      };
      const body = answers[path] ?? (path.endsWith('-sessions') || path.endsWith('-session') || path === '/admin/remove-user' ? { success: true } : { user: USER });
      return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
    };
    f.seen = seen;
    return f;
  }
  const clients = {
    createClient: (f) => createClient({ baseURL: 'http://127.0.0.1:9', fetch: f }),
    fromBetterAuth: (f) =>
      fromBetterAuth(createAuthClient({ baseURL: 'http://127.0.0.1:9', plugins: [adminClient()], fetchOptions: { customFetchImpl: f } })),
  };
  for (const [kind, make] of Object.entries(clients)) {
    test(kind, async () => {
      const f = recording();
      const client = make(f);
      const events = [];
      client.subscribe(() => events.push('session-changed'));
      const a = client.admin;
      const listed = await a.listUsers({ searchValue: 'bob', searchField: 'email', searchOperator: 'contains', limit: 10, offset: 0, sortBy: 'createdAt', sortDirection: 'desc' });
      assert.deepEqual(listed, { ok: true, value: { users: [USER], total: 1, limit: 10, offset: 0 } });
      assert.deepEqual(await a.getUser('u2'), { ok: true, value: USER });
      assert.deepEqual(await a.createUser({ email: 'bob@example.com', password: PASSWORD, name: 'Bob', role: 'user', data: { emailVerified: true } }), { ok: true, value: { user: USER } });
      assert.equal((await a.updateUser('u2', { name: 'Bobby' })).value.name, 'Bobby');
      assert.deepEqual(await a.setRole('u2', 'admin'), { ok: true, value: { user: USER } });
      assert.equal((await a.banUser({ userId: 'u2', banReason: 'Spam', banExpiresIn: 3600 })).ok, true);
      assert.equal((await a.unbanUser('u2')).ok, true);
      assert.deepEqual(await a.listUserSessions('u2'), { ok: true, value: { sessions: [] } });
      assert.deepEqual(await a.revokeUserSession('tok'), { ok: true, value: { success: true } });
      assert.deepEqual(await a.revokeUserSessions('u2'), { ok: true, value: { success: true } });
      assert.deepEqual(await a.removeUser('u2'), { ok: true, value: { success: true } });
      assert.deepEqual(await a.setUserPassword({ userId: 'u2', newPassword: NEW_PASSWORD }), { ok: true, value: { status: true } });
      assert.deepEqual(await a.hasPermission({ user: ['ban'] }), { ok: true, value: { error: null, success: true } });
      const before = events.length;
      const as = await a.impersonateUser('u2');
      assert.deepEqual(as, { ok: true, value: { session: { id: 's2', userId: 'u2', impersonatedBy: 'u1' }, user: USER } });
      assert.equal(events.length, before + 1, 'impersonate-user tells the session listeners');
      const back = await a.stopImpersonating();
      assert.deepEqual(back, { ok: true, value: { session: { id: 's1', userId: 'u1', impersonatedBy: null }, user: ADMIN } });
      assert.equal(events.length, before + 2, 'and so does stop-impersonating');
      assert.deepEqual(f.seen, [
        ['GET', '/admin/list-users?searchValue=bob&searchField=email&searchOperator=contains&limit=10&offset=0&sortBy=createdAt&sortDirection=desc', undefined],
        ['GET', '/admin/get-user?id=u2', undefined],
        ['POST', '/admin/create-user', { email: 'bob@example.com', password: PASSWORD, name: 'Bob', role: 'user', data: { emailVerified: true } }],
        ['POST', '/admin/update-user', { userId: 'u2', data: { name: 'Bobby' } }],
        ['POST', '/admin/set-role', { userId: 'u2', role: 'admin' }],
        ['POST', '/admin/ban-user', { userId: 'u2', banReason: 'Spam', banExpiresIn: 3600 }],
        ['POST', '/admin/unban-user', { userId: 'u2' }],
        ['POST', '/admin/list-user-sessions', { userId: 'u2' }],
        ['POST', '/admin/revoke-user-session', { sessionToken: 'tok' }],
        ['POST', '/admin/revoke-user-sessions', { userId: 'u2' }],
        ['POST', '/admin/remove-user', { userId: 'u2' }],
        ['POST', '/admin/set-user-password', { userId: 'u2', newPassword: NEW_PASSWORD }],
        ['POST', '/admin/has-permission', { permissions: { user: ['ban'] } }],
        ['POST', '/admin/impersonate-user', { userId: 'u2' }],
        ['POST', '/admin/stop-impersonating', {}],
      ]);
      // The calls that may change the caller's own user or sessions tell the session listeners:
      // update-user, set-role, the two revocations, set-user-password; and the impersonation's two.
      assert.equal(events.length, 7);

      const forbidden = await make(recording({ forbid: true })).admin.listUsers();
      assert.deepEqual([forbidden.ok, forbidden.status, forbidden.code, forbidden.message], [false, 403, 'YOU_ARE_NOT_ALLOWED_TO_LIST_USERS', 'You are not allowed to list users']);
    });
  }
  // A fetch that answers every request with `status` and `body`.
  const answering = (status, body) => async () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  for (const [kind, make] of Object.entries(clients)) {
    test(`${kind}: stop-impersonating's failures; the one that signs the browser out tells the session listeners`, async () => {
      const cases = [
        // Portcullis's coded answers
        [400, { code: 'NOT_IMPERSONATING', message: 'You are not impersonating anyone' }, 'NOT_IMPERSONATING', false],
        [401, { code: 'ADMIN_SESSION_NOT_FOUND', message: 'Failed to find admin session' }, 'ADMIN_SESSION_NOT_FOUND', true],
        // BetterAuth's uncoded ones get the same codes
        [400, { message: 'You are not impersonating anyone' }, 'NOT_IMPERSONATING', false],
        [500, { message: 'Failed to find admin session' }, 'ADMIN_SESSION_NOT_FOUND', true],
        [404, {}, 'NOT_FOUND', false], // a server without --admin-impersonation
      ];
      for (const [status, body, code, told] of cases) {
        const client = make(answering(status, body));
        const events = [];
        client.subscribe((e) => events.push(e.type));
        const r = await client.admin.stopImpersonating();
        assert.deepEqual([r.ok, r.status, r.code], [false, status, code], JSON.stringify(body));
        assert.deepEqual(events, told ? ['session-changed'] : [], `${code}: listeners told or not`);
      }
      for (const [status, code] of [[403, 'YOU_ARE_NOT_ALLOWED_TO_IMPERSONATE_USERS'], [403, 'YOU_CANNOT_IMPERSONATE_ADMINS'], [404, 'USER_NOT_FOUND'], [403, 'BANNED_USER']]) {
        const client = make(answering(status, { code, message: code }));
        const events = [];
        client.subscribe((e) => events.push(e.type));
        const r = await client.admin.impersonateUser('u2');
        assert.deepEqual([r.ok, r.status, r.code], [false, status, code]);
        assert.deepEqual(events, [], 'a refused impersonation changes nothing');
      }
    });
  }
  test('a query without values sends none; a call that fails to connect is NETWORK_ERROR', async () => {
    const f = recording();
    await createClient({ baseURL: 'http://127.0.0.1:9', fetch: f }).admin.listUsers({ searchValue: undefined, limit: 5 });
    assert.deepEqual(f.seen, [['GET', '/admin/list-users?limit=5', undefined]]);
    const down = await createClient({ baseURL: 'http://127.0.0.1:9' }).admin.listUsers();
    assert.deepEqual([down.ok, down.status, down.code], [false, 0, 'NETWORK_ERROR']);
  });
});

describe("the admin plugin (the server's --admin): the same through both clients", () => {
  let adm;
  before(async () => {
    // No session cache: the role the command line sets counts at once.
    adm = await startServer({ admin: true, sessionCacheTtl: 0, trustedOrigins: [SITE] });
  });
  after(async () => {
    await adm.stop();
  });
  const clients = {
    createClient: () => createClient({ baseURL: adm.url, fetch: browserFetch(SITE) }),
    fromBetterAuth: () =>
      fromBetterAuth(createAuthClient({ baseURL: adm.url, plugins: [adminClient()], fetchOptions: { customFetchImpl: browserFetch(SITE) } })),
  };
  for (const [kind, make] of Object.entries(clients)) {
    test(kind, async () => {
      const anonymous = await make().admin.listUsers();
      assert.deepEqual([anonymous.ok, anonymous.status, anonymous.code], [false, 401, 'UNAUTHORIZED']);

      const adminEmail = newEmail();
      const admin = make();
      assert.equal((await admin.signUp({ name: 'Ada', email: adminEmail, password: PASSWORD })).ok, true);
      const notYet = await admin.admin.listUsers();
      assert.deepEqual([notYet.ok, notYet.status, notYet.code], [false, 403, 'YOU_ARE_NOT_ALLOWED_TO_LIST_USERS']);
      execFileSync(BIN, ['user', 'set-role', '--email', adminEmail, '--role', 'admin', '--database', adm.db], { env: { ...process.env, BETTER_AUTH_SECRET: SECRET } });

      const bobEmail = newEmail();
      const bob = make();
      const up = await bob.signUp({ name: 'Bob', email: bobEmail, password: PASSWORD });
      const bobId = up.value.user.id;
      assert.equal(up.value.user.role, 'user');
      assert.equal(up.value.user.banned, false);

      const found = await admin.admin.listUsers({ searchValue: bobEmail.split('@')[0], searchField: 'email' });
      assert.equal(found.ok, true, JSON.stringify(found));
      assert.deepEqual(found.value.users.map((u) => u.email), [bobEmail]);
      assert.equal(found.value.total, 1);
      assert.equal((await admin.admin.getUser(bobId)).value.email, bobEmail);
      const noImpersonation = await admin.admin.impersonateUser(bobId);
      assert.deepEqual([noImpersonation.ok, noImpersonation.status, noImpersonation.code], [false, 404, 'NOT_FOUND'], 'a server without --admin-impersonation');

      const weak = await admin.admin.setUserPassword({ userId: bobId, newPassword: 'password1' });
      assert.deepEqual([weak.ok, weak.status, weak.code], [false, 400, 'PASSWORD_TOO_WEAK']);
      assert.ok(weak.feedback.suggestions.length > 0);

      const banned = await admin.admin.banUser({ userId: bobId, banReason: 'Spam', banExpiresIn: 3600 });
      assert.equal(banned.ok, true, JSON.stringify(banned));
      assert.deepEqual([banned.value.user.banned, banned.value.user.banReason], [true, 'Spam']);
      assert.equal((await bob.getSession()).value, null, "the ban ended Bob's session");
      const refused = await bob.signIn({ email: bobEmail, password: PASSWORD });
      assert.deepEqual([refused.ok, refused.status, refused.code], [false, 403, 'BANNED_USER']);
      const self = await admin.admin.banUser({ userId: (await admin.getSession()).value.user.id });
      assert.deepEqual([self.ok, self.status, self.code], [false, 400, 'YOU_CANNOT_BAN_YOURSELF']);

      assert.equal((await admin.admin.unbanUser(bobId)).value.user.banned, false);
      assert.equal((await bob.signIn({ email: bobEmail, password: PASSWORD })).ok, true);
      assert.equal((await admin.admin.setRole(bobId, 'admin')).value.user.role, 'admin');
      assert.deepEqual(await bob.admin.hasPermission({ user: ['ban'] }), { ok: true, value: { error: null, success: true } });
      assert.deepEqual(await admin.admin.revokeUserSessions(bobId), { ok: true, value: { success: true } });
      assert.equal((await bob.getSession()).value, null);

      const carlEmail = newEmail();
      const created = await admin.admin.createUser({ email: carlEmail, password: PASSWORD, name: 'Carl', data: { emailVerified: true } });
      assert.equal(created.ok, true, JSON.stringify(created));
      assert.equal(created.value.user.emailVerified, true);
      assert.deepEqual(await admin.admin.removeUser(created.value.user.id), { ok: true, value: { success: true } });
      assert.equal((await admin.admin.getUser(created.value.user.id)).code, 'USER_NOT_FOUND');
    });
  }
});

describe("impersonation (the server's --admin-impersonation): the same through both clients", () => {
  let imp;
  before(async () => {
    imp = await startServer({ admin: true, adminImpersonation: true, sessionCacheTtl: 0, trustedOrigins: [SITE] });
  });
  after(async () => {
    await imp.stop();
  });
  const clients = {
    createClient: (f) => createClient({ baseURL: imp.url, fetch: f }),
    fromBetterAuth: (f) =>
      fromBetterAuth(createAuthClient({ baseURL: imp.url, plugins: [adminClient()], fetchOptions: { customFetchImpl: f } })),
  };
  const failed = (r) => [r.ok, r.status, r.code];
  for (const [kind, make] of Object.entries(clients)) {
    test(kind, async () => {
      const adminEmail = newEmail();
      const adminFetch = browserFetch(SITE);
      const admin = make(adminFetch);
      const adminId = (await admin.signUp({ name: 'Ada', email: adminEmail, password: PASSWORD })).value.user.id;
      execFileSync(BIN, ['user', 'set-role', '--email', adminEmail, '--role', 'admin', '--database', imp.db], { env: { ...process.env, BETTER_AUTH_SECRET: SECRET } });
      const bobEmail = newEmail();
      const bob = make(browserFetch(SITE));
      const bobId = (await bob.signUp({ name: 'Bob', email: bobEmail, password: PASSWORD })).value.user.id;

      // The refusals.
      assert.deepEqual(failed(await bob.admin.impersonateUser(adminId)), [false, 403, 'YOU_ARE_NOT_ALLOWED_TO_IMPERSONATE_USERS']);
      assert.deepEqual(failed(await admin.admin.stopImpersonating()), [false, 400, 'NOT_IMPERSONATING']);
      assert.deepEqual(failed(await admin.admin.impersonateUser('no-such-user')), [false, 404, 'USER_NOT_FOUND']);
      const other = await admin.admin.createUser({ email: newEmail(), password: PASSWORD, name: 'Carl', role: 'admin' });
      assert.deepEqual(failed(await admin.admin.impersonateUser(other.value.user.id)), [false, 403, 'YOU_CANNOT_IMPERSONATE_ADMINS']);
      const banned = await admin.admin.createUser({ email: newEmail(), password: PASSWORD, name: 'Dave' });
      assert.equal((await admin.admin.banUser({ userId: banned.value.user.id })).ok, true);
      assert.deepEqual(failed(await admin.admin.impersonateUser(banned.value.user.id)), [false, 403, 'BANNED_USER']);

      // Signed in as Bob, then back.
      const events = [];
      admin.subscribe((e) => events.push(e.type));
      const as = await admin.admin.impersonateUser(bobId);
      assert.equal(as.ok, true, JSON.stringify(as));
      assert.deepEqual([as.value.user.email, as.value.session.userId, as.value.session.impersonatedBy], [bobEmail, bobId, adminId]);
      const now = (await admin.getSession()).value;
      assert.deepEqual([now.user.email, now.session.impersonatedBy], [bobEmail, adminId]);
      assert.ok([...adminFetch.jar.keys()].some((k) => k.endsWith('admin_session')), "the administrator's session waits in its cookie");
      const back = await admin.admin.stopImpersonating();
      assert.equal(back.ok, true, JSON.stringify(back));
      assert.equal(back.value.user.email, adminEmail);
      const again = (await admin.getSession()).value;
      assert.deepEqual([again.user.email, again.session.impersonatedBy ?? null], [adminEmail, null]);
      assert.deepEqual(events, ['session-changed', 'session-changed']);

      // The administrator's own session ends meanwhile (signed out everywhere from another
      // browser): stopping ends the impersonation anyway, signed out.
      assert.equal((await admin.admin.impersonateUser(bobId)).ok, true);
      const elsewhere = make(browserFetch(SITE));
      assert.equal((await elsewhere.signIn({ email: adminEmail, password: PASSWORD })).ok, true);
      assert.equal((await elsewhere.revokeSessions()).ok, true);
      assert.equal((await admin.getSession()).value.user.email, bobEmail, 'still Bob');
      assert.deepEqual(failed(await admin.admin.stopImpersonating()), [false, 401, 'ADMIN_SESSION_NOT_FOUND']);
      assert.equal(events.length, 4, 'the listeners are told of that too');
      assert.equal((await admin.getSession()).value, null, 'signed out');
    });
  }
});

describe("usernames (the server's --username): the requests both clients send", () => {
  // A fetch that answers `answer(path, body)` ([status, body]) and records each request's method, path and body.
  function recording(answer) {
    const seen = [];
    const f = async (url, init = {}) => {
      const path = new URL(url).pathname.replace(/^\/api\/auth/, '');
      const body = init.body === undefined || init.body === null ? undefined : JSON.parse(init.body);
      seen.push([init.method ?? 'GET', path, body]);
      const [status, out] = answer(path, body);
      return new Response(JSON.stringify(out), { status, headers: { 'content-type': 'application/json' } });
    };
    f.seen = seen;
    return f;
  }
  const USER = { id: 'u1', name: 'Ada', email: 'ada@example.com', username: 'ada.l', displayUsername: 'Ada.L' };
  const answer = (path, body) => {
    if (path === '/sign-up/email') return [200, { token: 't', user: USER }];
    if (path === '/sign-in/username') {
      return body.password === PASSWORD
        ? [200, { redirect: false, token: 't', user: USER }]
        : [401, { code: 'INVALID_USERNAME_OR_PASSWORD', message: 'Invalid username or password' }];
    }
    if (path === '/is-username-available') {
      if (body.username === 'a b') return [422, { code: 'INVALID_USERNAME', message: 'Username is invalid' }];
      if (body.username === 'busy') return [429, { message: 'Too many requests. Please try again later.' }];
      return [200, { available: body.username !== 'ada.l' }];
    }
    if (path === '/update-user') {
      return body.username === 'taken' ? [400, { code: 'USERNAME_IS_ALREADY_TAKEN', message: 'Username is already taken. Please try another.' }] : [200, { status: true }];
    }
    return [404, {}];
  };
  const clients = {
    createClient: (f) => createClient({ baseURL: 'http://127.0.0.1:9', fetch: f }),
    fromBetterAuth: (f) =>
      fromBetterAuth(createAuthClient({ baseURL: 'http://127.0.0.1:9', plugins: [usernameClient()], fetchOptions: { customFetchImpl: f } })),
  };
  const failed = (r) => [r.ok, r.status, r.code, r.message];
  for (const [kind, make] of Object.entries(clients)) {
    test(kind, async () => {
      const f = recording(answer);
      const client = make(f);
      const events = [];
      client.subscribe((e) => events.push(e.type));
      const up = await client.signUp({ name: 'Ada', email: 'ada@example.com', password: PASSWORD, username: 'Ada.L', displayUsername: 'Ada.L' });
      assert.deepEqual(up, { ok: true, value: { token: 't', user: USER } });
      const signedIn = await client.signInUsername({ username: 'ADA.L', password: PASSWORD, rememberMe: false, callbackURL: `${SITE}/` });
      assert.deepEqual(signedIn, { ok: true, value: { redirect: false, token: 't', user: USER } });
      assert.deepEqual(failed(await client.signInUsername({ username: 'ada.l', password: 'not-the-password' })), [false, 401, 'INVALID_USERNAME_OR_PASSWORD', 'Invalid username or password']);
      assert.deepEqual(await client.isUsernameAvailable('ada.l'), { ok: true, value: { available: false } });
      assert.deepEqual(await client.isUsernameAvailable('grace'), { ok: true, value: { available: true } });
      assert.deepEqual(failed(await client.isUsernameAvailable('a b')), [false, 422, 'INVALID_USERNAME', 'Username is invalid']);
      assert.deepEqual((await client.isUsernameAvailable('busy')).code, 'TOO_MANY_REQUESTS');
      assert.deepEqual(await client.updateUser({ username: 'Lovelace', displayUsername: 'Lovelace' }), { ok: true, value: { status: true } });
      assert.deepEqual(await client.updateUser({ displayUsername: 'The Countess' }), { ok: true, value: { status: true } });
      assert.deepEqual(failed(await client.updateUser({ username: 'taken' })), [false, 400, 'USERNAME_IS_ALREADY_TAKEN', 'Username is already taken. Please try another.']);
      assert.deepEqual(f.seen, [
        ['POST', '/sign-up/email', { name: 'Ada', email: 'ada@example.com', password: PASSWORD, username: 'Ada.L', displayUsername: 'Ada.L' }],
        ['POST', '/sign-in/username', { username: 'ADA.L', password: PASSWORD, rememberMe: false, callbackURL: `${SITE}/` }],
        ['POST', '/sign-in/username', { username: 'ada.l', password: 'not-the-password' }],
        ['POST', '/is-username-available', { username: 'ada.l' }],
        ['POST', '/is-username-available', { username: 'grace' }],
        ['POST', '/is-username-available', { username: 'a b' }],
        ['POST', '/is-username-available', { username: 'busy' }],
        ['POST', '/update-user', { username: 'Lovelace', displayUsername: 'Lovelace' }],
        ['POST', '/update-user', { displayUsername: 'The Countess' }],
        ['POST', '/update-user', { username: 'taken' }],
      ]);
      // The sign-up, the sign-in and the two updates change the session; the questions do not.
      assert.deepEqual(events, ['session-changed', 'session-changed', 'session-changed', 'session-changed']);
    });
  }
});

describe("usernames (the server's --username): the same through both clients", () => {
  let named;
  before(async () => {
    named = await startServer({ username: true, trustedOrigins: [SITE] });
  });
  after(async () => {
    await named.stop();
  });
  const clients = {
    createClient: () => createClient({ baseURL: named.url, fetch: browserFetch(SITE) }),
    fromBetterAuth: () =>
      fromBetterAuth(createAuthClient({ baseURL: named.url, plugins: [usernameClient()], fetchOptions: { customFetchImpl: browserFetch(SITE) } })),
  };
  const failed = (r) => [r.ok, r.status, r.code];
  for (const [kind, make] of Object.entries(clients)) {
    test(kind, async () => {
      const handle = `Ada.${kind.slice(0, 4)}${process.pid}`; // a username as typed
      const stored = handle.toLowerCase();
      const email = newEmail();
      const client = make();
      assert.deepEqual(await client.isUsernameAvailable(handle), { ok: true, value: { available: true } });
      const up = await client.signUp({ name: 'Ada', email, password: PASSWORD, username: handle });
      assert.equal(up.ok, true, JSON.stringify(up));
      assert.deepEqual([up.value.user.username, up.value.user.displayUsername], [stored, handle], 'stored lower-cased, shown as typed');
      assert.deepEqual(await client.isUsernameAvailable(handle.toUpperCase()), { ok: true, value: { available: false } });
      assert.deepEqual(failed(await client.isUsernameAvailable('a b')), [false, 422, 'INVALID_USERNAME']);

      // Taken in any case; the rules' refusals.
      const other = make();
      assert.deepEqual(failed(await other.signUp({ name: 'Bo', email: newEmail(), password: PASSWORD, username: handle.toUpperCase() })), [false, 400, 'USERNAME_IS_ALREADY_TAKEN']);
      assert.deepEqual(failed(await other.signUp({ name: 'Bo', email: newEmail(), password: PASSWORD, username: 'ab' })), [false, 400, 'USERNAME_TOO_SHORT']);
      assert.deepEqual(failed(await other.signUp({ name: 'Bo', email: newEmail(), password: PASSWORD, username: 'x'.repeat(31) })), [false, 400, 'USERNAME_TOO_LONG']);
      assert.deepEqual(failed(await other.signUp({ name: 'Bo', email: newEmail(), password: PASSWORD, username: 'bo@example' })), [false, 400, 'INVALID_USERNAME']);

      // Signed out, then in by username (any case); wrong ones.
      assert.equal((await client.signOut()).ok, true);
      assert.deepEqual(failed(await client.signInUsername({ username: stored, password: 'not-the-password' })), [false, 401, 'INVALID_USERNAME_OR_PASSWORD']);
      assert.deepEqual(failed(await client.signInUsername({ username: `nobody${process.pid}`, password: PASSWORD })), [false, 401, 'INVALID_USERNAME_OR_PASSWORD']);
      assert.deepEqual(failed(await client.signInUsername({ username: 'a b', password: PASSWORD })), [false, 422, 'INVALID_USERNAME']);
      const events = [];
      client.subscribe((e) => events.push(e.type));
      const signedIn = await client.signInUsername({ username: handle.toUpperCase(), password: PASSWORD });
      assert.equal(signedIn.ok, true, JSON.stringify(signedIn));
      assert.equal(signedIn.value.user.email, email);
      assert.deepEqual(events, ['session-changed']);
      assert.equal((await client.getSession()).value.user.username, stored);

      // A new username, then a displayed one: each sets only itself.
      const renamed = `Lovelace.${kind.slice(0, 4)}${process.pid}`;
      assert.deepEqual(await client.updateUser({ username: renamed, displayUsername: renamed }), { ok: true, value: { status: true } });
      let user = (await client.getSession({ disableCookieCache: true })).value.user;
      assert.deepEqual([user.username, user.displayUsername], [renamed.toLowerCase(), renamed]);
      assert.deepEqual(await client.updateUser({ displayUsername: 'The Countess' }), { ok: true, value: { status: true } });
      user = (await client.getSession({ disableCookieCache: true })).value.user;
      assert.deepEqual([user.username, user.displayUsername], [renamed.toLowerCase(), 'The Countess']);
      const taken = await other.signUp({ name: 'Bo', email: newEmail(), password: PASSWORD, username: `bo.${kind.slice(0, 4)}${process.pid}` });
      assert.equal(taken.ok, true, JSON.stringify(taken));
      assert.deepEqual(failed(await client.updateUser({ username: taken.value.user.username.toUpperCase() })), [false, 400, 'USERNAME_IS_ALREADY_TAKEN']);
      assert.deepEqual(failed(await client.updateUser({ username: 'x' })), [false, 400, 'USERNAME_TOO_SHORT']);
      assert.equal((await client.signInUsername({ username: renamed, password: PASSWORD })).ok, true, 'the new username signs in');
    });
  }

  test('without --username: the fields are refused, the routes are 404', async () => {
    const client = createClient({ baseURL: server.url, fetch: browserFetch(SITE) });
    assert.deepEqual(failed(await client.signUp({ name: 'Cy', email: newEmail(), password: PASSWORD, username: 'cy.example' })), [false, 400, 'VALIDATION_ERROR']);
    assert.deepEqual(failed(await client.signInUsername({ username: 'cy.example', password: PASSWORD })), [false, 404, 'NOT_FOUND']);
    assert.deepEqual(failed(await client.isUsernameAvailable('cy.example')), [false, 404, 'NOT_FOUND']);
  });
});

describe("codes by e-mail (the server's --email-otp): the requests both clients send", () => {
  // A fetch that answers `answer(path, body)` ([status, body]) and records each request's method, path and body.
  function recording(answer) {
    const seen = [];
    const f = async (url, init = {}) => {
      const path = new URL(url).pathname.replace(/^\/api\/auth/, '');
      const body = init.body === undefined || init.body === null ? undefined : JSON.parse(init.body);
      seen.push([init.method ?? 'GET', path, body]);
      const [status, out] = answer(path, body);
      return new Response(JSON.stringify(out), { status, headers: { 'content-type': 'application/json' } });
    };
    f.seen = seen;
    return f;
  }
  const USER = { id: 'u1', name: '', email: 'ada@example.com', emailVerified: true };
  const FEEDBACK = { warning: 'This is a top-10 common password.', warningKey: 'topTen', suggestions: ['Add more words.'], suggestionKeys: ['addWords'] };
  // Codes: 123456 is right, 000000 expired, 999999 spent by wrong tries, anything else wrong.
  const byCode = (otp, ok) =>
    otp === '123456' ? [200, ok]
    : otp === '000000' ? [400, { code: 'OTP_EXPIRED', message: 'OTP expired' }]
    : otp === '999999' ? [403, { code: 'TOO_MANY_ATTEMPTS', message: 'Too many attempts' }]
    : [400, { code: 'INVALID_OTP', message: 'Invalid OTP' }];
  const answer = (path, body) => {
    if (path === '/email-otp/send-verification-otp') {
      return body.email === 'busy@example.com' ? [429, { message: 'Too many requests. Please try again later.' }] : [200, { success: true }];
    }
    if (path === '/email-otp/check-verification-otp') return byCode(body.otp, { success: true });
    if (path === '/email-otp/verify-email') return byCode(body.otp, { status: true, token: null, user: USER });
    if (path === '/sign-in/email-otp') {
      if (body.email === 'second@example.com') return [200, { twoFactorRedirect: true, twoFactorMethods: ['totp'] }];
      return byCode(body.otp, { token: 't', user: USER });
    }
    if (path === '/email-otp/request-password-reset') return [200, { success: true }];
    if (path === '/email-otp/reset-password') {
      if (body.password === 'password1') return [400, { code: 'PASSWORD_TOO_WEAK', message: FEEDBACK.warning, score: 1, feedback: FEEDBACK }];
      return byCode(body.otp, { success: true });
    }
    return [404, {}];
  };
  const clients = {
    createClient: (f) => createClient({ baseURL: 'http://127.0.0.1:9', fetch: f }),
    fromBetterAuth: (f) =>
      fromBetterAuth(createAuthClient({ baseURL: 'http://127.0.0.1:9', plugins: [emailOTPClient()], fetchOptions: { customFetchImpl: f } })),
  };
  const failed = (r) => [r.ok, r.status, r.code, r.message];
  for (const [kind, make] of Object.entries(clients)) {
    test(kind, async () => {
      const f = recording(answer);
      const client = make(f);
      const events = [];
      client.subscribe((e) => events.push(e.type));
      const email = 'ada@example.com';
      assert.deepEqual(await client.emailOtp.sendVerificationOtp({ email, type: 'sign-in' }), { ok: true, value: { success: true } });
      assert.deepEqual((await client.emailOtp.sendVerificationOtp({ email: 'busy@example.com', type: 'sign-in' })).code, 'TOO_MANY_REQUESTS');
      assert.deepEqual(await client.emailOtp.checkVerificationOtp({ email, type: 'sign-in', otp: '123456' }), { ok: true, value: { success: true } });
      assert.deepEqual(failed(await client.signInEmailOtp({ email, otp: '111111' })), [false, 400, 'INVALID_OTP', 'Invalid OTP']);
      assert.deepEqual(failed(await client.signInEmailOtp({ email, otp: '000000' })), [false, 400, 'OTP_EXPIRED', 'OTP expired']);
      assert.deepEqual(failed(await client.signInEmailOtp({ email, otp: '999999' })), [false, 403, 'TOO_MANY_ATTEMPTS', 'Too many attempts']);
      assert.deepEqual(await client.signInEmailOtp({ email, otp: '123456', name: 'Ada', rememberMe: false }), { ok: true, value: { token: 't', user: USER } });
      assert.deepEqual(await client.signInEmailOtp({ email: 'second@example.com', otp: '123456' }), {
        ok: true,
        value: { twoFactorRedirect: true, twoFactorMethods: ['totp'] },
      });
      assert.deepEqual(await client.emailOtp.sendVerificationOtp({ email, type: 'email-verification' }), { ok: true, value: { success: true } });
      assert.deepEqual(await client.emailOtp.verifyEmail({ email, otp: '123456' }), { ok: true, value: { status: true, token: null, user: USER } });
      assert.deepEqual(await client.emailOtp.requestPasswordReset({ email }), { ok: true, value: { success: true } });
      const weak = await client.emailOtp.resetPassword({ email, otp: '123456', password: 'password1' });
      assert.deepEqual([...failed(weak), weak.score, weak.feedback], [false, 400, 'PASSWORD_TOO_WEAK', FEEDBACK.warning, 1, FEEDBACK]);
      assert.deepEqual(await client.emailOtp.resetPassword({ email, otp: '123456', password: PASSWORD }), { ok: true, value: { success: true } });
      assert.deepEqual(f.seen, [
        ['POST', '/email-otp/send-verification-otp', { email, type: 'sign-in' }],
        ['POST', '/email-otp/send-verification-otp', { email: 'busy@example.com', type: 'sign-in' }],
        ['POST', '/email-otp/check-verification-otp', { email, type: 'sign-in', otp: '123456' }],
        ['POST', '/sign-in/email-otp', { email, otp: '111111' }],
        ['POST', '/sign-in/email-otp', { email, otp: '000000' }],
        ['POST', '/sign-in/email-otp', { email, otp: '999999' }],
        ['POST', '/sign-in/email-otp', { email, otp: '123456', name: 'Ada', rememberMe: false }],
        ['POST', '/sign-in/email-otp', { email: 'second@example.com', otp: '123456' }],
        ['POST', '/email-otp/send-verification-otp', { email, type: 'email-verification' }],
        ['POST', '/email-otp/verify-email', { email, otp: '123456' }],
        ['POST', '/email-otp/request-password-reset', { email }],
        ['POST', '/email-otp/reset-password', { email, otp: '123456', password: 'password1' }],
        ['POST', '/email-otp/reset-password', { email, otp: '123456', password: PASSWORD }],
      ]);
      // The two sign-ins that succeeded, the verification and the reset change the session; the
      // sends, the check and the refused calls do not.
      assert.deepEqual(events, ['session-changed', 'session-changed', 'session-changed', 'session-changed']);
    });
  }
});

/**
 * What the tests of a server that mails codes (`server()`, once started) use: its mails of a kind
 * to an address, the n-th code of a kind mailed to an address (the only run of six digits in the
 * text), a code other than one, a result's [ok, status, code], and the two clients to test on it.
 */
function codeHelpers(server) {
  const mails = (email, kind) => outboxMails(server().outbox).filter((m) => m.to === email && m.kind === kind);
  const mailedCode = async (email, kind, n = 0) =>
    /(?<!\d)(\d{6})(?!\d)/.exec((await waitFor(() => mails(email, kind)[n], { what: `${kind} mail ${n} to ${email}` })).text)[1];
  const clients = {
    createClient: () => createClient({ baseURL: server().url, fetch: browserFetch(SITE) }),
    fromBetterAuth: () =>
      fromBetterAuth(createAuthClient({ baseURL: server().url, plugins: [emailOTPClient()], fetchOptions: { customFetchImpl: browserFetch(SITE) } })),
  };
  return { mails, mailedCode, otherThan: (code) => (code === '000000' ? '111111' : '000000'), failed: (r) => [r.ok, r.status, r.code], clients };
}

describe("codes by e-mail (the server's --email-otp): the same through both clients", () => {
  let coded;
  before(async () => {
    coded = await startServer({ emailOtp: true, mail: 'outbox', trustedOrigins: [SITE] });
  });
  after(async () => {
    await coded.stop();
  });
  const { mails, mailedCode, otherThan, failed, clients } = codeHelpers(() => coded);
  for (const [kind, make] of Object.entries(clients)) {
    test(`${kind}: a sign-in code makes an account and signs in; the check leaves a code usable; a wrong one, then too many`, async () => {
      const email = newEmail();
      const client = make();
      const events = [];
      client.subscribe((e) => events.push(e.type));
      const none = await client.signInEmailOtp({ email, otp: '123456' });
      assert.deepEqual(failed(none), [false, 400, 'INVALID_OTP'], 'no code was sent');
      assert.equal(none.message, 'Invalid OTP');
      assert.deepEqual(await client.emailOtp.sendVerificationOtp({ email, type: 'sign-in' }), { ok: true, value: { success: true } });
      const code = await mailedCode(email, 'email-otp-sign-in');
      assert.deepEqual(failed(await client.signInEmailOtp({ email, otp: otherThan(code) })), [false, 400, 'INVALID_OTP']);
      assert.equal((await client.getSession()).value, null);
      const signedIn = await client.signInEmailOtp({ email: email.toUpperCase(), otp: code, name: 'Ada' });
      assert.equal(signedIn.ok, true, JSON.stringify(signedIn));
      assert.equal(typeof signedIn.value.token, 'string');
      assert.deepEqual([signedIn.value.user.email, signedIn.value.user.name, signedIn.value.user.emailVerified], [email, 'Ada', true], 'a new account, its address verified');
      assert.equal((await client.getSession()).value.user.email, email);
      assert.deepEqual(failed(await client.signInEmailOtp({ email, otp: code })), [false, 400, 'INVALID_OTP'], 'a code works once');
      assert.deepEqual(events, ['session-changed'], 'only the sign-in tells the listeners');
      assert.equal((await client.signOut()).ok, true);

      // check-verification-otp: right, and still usable.
      assert.equal((await client.emailOtp.sendVerificationOtp({ email, type: 'sign-in' })).ok, true);
      const second = await mailedCode(email, 'email-otp-sign-in', 1);
      assert.deepEqual(await client.emailOtp.checkVerificationOtp({ email, type: 'sign-in', otp: second }), { ok: true, value: { success: true } });
      assert.deepEqual(failed(await client.emailOtp.checkVerificationOtp({ email, type: 'forget-password', otp: second })), [false, 400, 'INVALID_OTP'], 'a code is for its purpose');
      assert.equal((await client.signInEmailOtp({ email, otp: second })).ok, true);
      assert.equal((await client.signOut()).ok, true);

      // Three wrong codes: then even the right one is refused until a new code is sent.
      assert.equal((await client.emailOtp.sendVerificationOtp({ email, type: 'sign-in' })).ok, true);
      const third = await mailedCode(email, 'email-otp-sign-in', 2);
      for (let i = 0; i < 3; i++) assert.deepEqual(failed(await client.signInEmailOtp({ email, otp: otherThan(third) })), [false, 400, 'INVALID_OTP']);
      const dead = await client.signInEmailOtp({ email, otp: third });
      assert.deepEqual([...failed(dead), dead.message], [false, 403, 'TOO_MANY_ATTEMPTS', 'Too many attempts']);
      assert.equal((await client.emailOtp.sendVerificationOtp({ email, type: 'sign-in' })).ok, true);
      assert.equal((await client.signInEmailOtp({ email, otp: await mailedCode(email, 'email-otp-sign-in', 3) })).ok, true, 'a new code works');
    });

    test(`${kind}: a password reset by code (the rules first, the code still usable), then every session ends`, async () => {
      const email = newEmail();
      const client = make();
      assert.equal((await client.signUp({ name: 'Grace', email, password: PASSWORD })).ok, true);
      assert.deepEqual(await client.emailOtp.requestPasswordReset({ email: `nobody-${email}` }), { ok: true, value: { success: true } }, 'the same for any address');
      assert.deepEqual(await client.emailOtp.requestPasswordReset({ email }), { ok: true, value: { success: true } });
      const code = await mailedCode(email, 'email-otp-reset-password');
      const weak = await client.emailOtp.resetPassword({ email, otp: code, password: 'password1' });
      assert.deepEqual(failed(weak), [false, 400, 'PASSWORD_TOO_WEAK']);
      assert.equal(typeof weak.score, 'number');
      assert.ok(Array.isArray(weak.feedback?.suggestions));
      assert.deepEqual(failed(await client.emailOtp.resetPassword({ email, otp: otherThan(code), password: NEW_PASSWORD })), [false, 400, 'INVALID_OTP']);
      const events = [];
      client.subscribe((e) => events.push(e.type));
      assert.deepEqual(await client.emailOtp.resetPassword({ email, otp: code, password: NEW_PASSWORD }), { ok: true, value: { success: true } });
      assert.deepEqual(events, ['session-changed']);
      assert.equal((await client.getSession()).value, null, 'the session ended with the reset');
      assert.equal((await client.signIn({ email, password: PASSWORD })).code, 'INVALID_EMAIL_OR_PASSWORD');
      assert.equal((await client.signIn({ email, password: NEW_PASSWORD })).ok, true);
      assert.equal((await client.getSession()).value.user.emailVerified, true, 'the code proved the address');
    });

    test(`${kind}: the address verified by its code`, async () => {
      const email = newEmail();
      const client = make();
      assert.equal((await client.signUp({ name: 'Hedy', email, password: PASSWORD })).ok, true);
      assert.equal((await client.getSession()).value.user.emailVerified, false);
      assert.deepEqual(await client.emailOtp.sendVerificationOtp({ email, type: 'email-verification' }), { ok: true, value: { success: true } });
      const code = await mailedCode(email, 'email-otp-verification');
      assert.deepEqual(failed(await client.emailOtp.verifyEmail({ email, otp: otherThan(code) })), [false, 400, 'INVALID_OTP']);
      const events = [];
      client.subscribe((e) => events.push(e.type));
      const verified = await client.emailOtp.verifyEmail({ email, otp: code });
      assert.equal(verified.ok, true, JSON.stringify(verified));
      assert.deepEqual([verified.value.status, verified.value.token, verified.value.user.email, verified.value.user.emailVerified], [true, null, email, true]);
      assert.deepEqual(events, ['session-changed']);
      assert.equal((await client.getSession({ disableCookieCache: true })).value.user.emailVerified, true);
    });
  }

  test('an old code: OTP_EXPIRED, and then it is gone', async () => {
    const quick = await startServer({ emailOtp: true, emailOtpExpiresIn: 1, mail: 'outbox', trustedOrigins: [SITE] });
    try {
      const client = createClient({ baseURL: quick.url, fetch: browserFetch(SITE) });
      const email = newEmail();
      assert.equal((await client.emailOtp.sendVerificationOtp({ email, type: 'sign-in' })).ok, true);
      const mail = await waitFor(() => outboxMails(quick.outbox).find((m) => m.to === email && m.kind === 'email-otp-sign-in'), { what: 'the code' });
      const code = /(?<!\d)(\d{6})(?!\d)/.exec(mail.text)[1];
      // The check leaves a right code usable: asked until the code is too old.
      const expired = await waitFor(
        async () => {
          const r = await client.emailOtp.checkVerificationOtp({ email, type: 'sign-in', otp: code });
          return r.code === 'OTP_EXPIRED' ? r : null;
        },
        { timeout: 10_000, interval: 250, what: 'OTP_EXPIRED' },
      );
      assert.deepEqual([...failed(expired), expired.message], [false, 400, 'OTP_EXPIRED', 'OTP expired']);
      assert.deepEqual(failed(await client.signInEmailOtp({ email, otp: code })), [false, 400, 'INVALID_OTP']);
    } finally {
      await quick.stop();
    }
  });

  test('a server without --email-otp: NOT_FOUND', async () => {
    const client = createClient({ baseURL: server.url, fetch: browserFetch(SITE) });
    assert.deepEqual(failed(await client.emailOtp.sendVerificationOtp({ email: newEmail(), type: 'sign-in' })), [false, 404, 'NOT_FOUND']);
    assert.deepEqual(failed(await client.signInEmailOtp({ email: newEmail(), otp: '123456' })), [false, 404, 'NOT_FOUND']);
  });
});

describe("sign-in links by e-mail (the server's --magic-link): the requests both clients send", () => {
  // A fetch that answers `answer(path, query)` ([status, body, location?]) and records each
  // request's method, path with its query, body, and whether it follows redirects.
  function recording(answer) {
    const seen = [];
    const f = async (url, init = {}) => {
      const u = new URL(url);
      const path = u.pathname.replace(/^\/api\/auth/, '');
      const body = init.body === undefined || init.body === null ? undefined : JSON.parse(init.body);
      seen.push([init.method ?? 'GET', path + u.search, body, init.redirect ?? 'follow']);
      const [status, out, location] = answer(path, body, u.searchParams);
      if (location) return new Response(null, { status, headers: { location } });
      return new Response(JSON.stringify(out), { status, headers: { 'content-type': 'application/json' } });
    };
    f.seen = seen;
    return f;
  }
  const USER = { id: 'u1', name: 'Ada', email: 'ada@example.com', emailVerified: true };
  const SESSION = { id: 's1', token: 't', userId: 'u1' };
  const LOGIN = 'http://localhost:3999/login?redirect=%2Fdocs';
  // Tokens: "good" signs in, "second" asks for the second factor, "banned" is a banned user's,
  // anything else is used or unknown. The server's redirects are as Portcullis (and BetterAuth) make them.
  const answer = (path, body, query) => {
    if (path === '/sign-in/magic-link') {
      if (body.email === 'busy@example.com') return [429, { message: 'Too many requests. Please try again later.' }];
      if (body.callbackURL?.startsWith('http://evil.example')) return [403, { code: 'INVALID_CALLBACK_URL', message: 'Invalid callbackURL' }];
      return [200, { status: true }];
    }
    if (path === '/magic-link/verify') {
      const token = query.get('token');
      const callback = query.get('callbackURL');
      const back = (url, key, value) => `${url}${url.includes('?') ? '&' : '?'}${key}=${value}`;
      if (token === 'banned') return [302, null, back(callback ?? 'http://127.0.0.1:9/', 'error', 'BANNED_USER')];
      if (token !== 'good' && token !== 'second') return [302, null, back(callback ?? 'http://127.0.0.1:9/', 'error', 'INVALID_TOKEN')];
      if (token === 'second') return callback ? [302, null, back(callback, 'twoFactorRedirect', 'true')] : [200, { twoFactorRedirect: true, twoFactorMethods: ['totp'] }];
      return callback ? [302, null, callback] : [200, { token: 't', user: USER, session: SESSION }];
    }
    return [404, {}];
  };
  const clients = {
    createClient: (f) => createClient({ baseURL: 'http://127.0.0.1:9', fetch: f }),
    fromBetterAuth: (f) =>
      fromBetterAuth(createAuthClient({ baseURL: 'http://127.0.0.1:9', plugins: [magicLinkClient()], fetchOptions: { customFetchImpl: f } })),
  };
  const failed = (r) => [r.ok, r.status, r.code, r.message];
  for (const [kind, make] of Object.entries(clients)) {
    test(kind, async () => {
      const f = recording(answer);
      const client = make(f);
      const events = [];
      client.subscribe((e) => events.push(e.type));
      const email = 'ada@example.com';
      const urls = { callbackURL: LOGIN, newUserCallbackURL: 'http://localhost:3999/welcome', errorCallbackURL: 'http://localhost:3999/login' };
      assert.deepEqual(await client.signInMagicLink({ email, name: 'Ada', ...urls }), { ok: true, value: { status: true } });
      assert.deepEqual(await client.signInMagicLink({ email }), { ok: true, value: { status: true } });
      assert.equal((await client.signInMagicLink({ email: 'busy@example.com' })).code, 'TOO_MANY_REQUESTS');
      assert.deepEqual(failed(await client.signInMagicLink({ email, callbackURL: 'http://evil.example/' })), [false, 403, 'INVALID_CALLBACK_URL', 'Invalid callbackURL']);
      assert.deepEqual(events, [], 'asking for a link changes no session');

      // Without callbackURL: the session, or the second factor; a refused link is the code of the
      // server's redirect, which is not followed.
      assert.deepEqual(await client.magicLink.verify({ token: 'good' }), { ok: true, value: { token: 't', user: USER, session: SESSION } });
      assert.deepEqual(await client.magicLink.verify({ token: 'second' }), { ok: true, value: { twoFactorRedirect: true, twoFactorMethods: ['totp'] } });
      const used = await client.magicLink.verify({ token: 'used' });
      assert.deepEqual([...failed(used), used.redirect], [false, 302, 'INVALID_TOKEN', 'This sign-in link is invalid, already used or expired', 'http://127.0.0.1:9/?error=INVALID_TOKEN']);
      // With callbackURL: where the server sends the browser.
      assert.deepEqual(await client.magicLink.verify({ token: 'good', callbackURL: LOGIN }), { ok: true, value: { redirect: LOGIN } });
      assert.deepEqual(await client.magicLink.verify({ token: 'second', callbackURL: LOGIN }), {
        ok: true,
        value: { twoFactorRedirect: true, redirect: `${LOGIN}&twoFactorRedirect=true` },
      });
      const banned = await client.magicLink.verify({ token: 'banned', callbackURL: LOGIN });
      assert.deepEqual([...failed(banned), banned.redirect], [
        false,
        302,
        'BANNED_USER',
        'You have been banned from this application. Please contact support if you believe this is an error.',
        `${LOGIN}&error=BANNED_USER`,
      ]);
      const sends = f.seen.slice(0, 4).map(([method, path, body]) => [method, path, body]);
      assert.deepEqual(sends, [
        ['POST', '/sign-in/magic-link', { email, name: 'Ada', ...urls }],
        ['POST', '/sign-in/magic-link', { email }],
        ['POST', '/sign-in/magic-link', { email: 'busy@example.com' }],
        ['POST', '/sign-in/magic-link', { email, callbackURL: 'http://evil.example/' }],
      ]);
      const q = (token, callbackURL) => `?${new URLSearchParams(callbackURL ? { token, callbackURL } : { token })}`;
      assert.deepEqual(f.seen.slice(4).map(([method, path, body, redirect]) => [method, path, body, redirect]), [
        ['GET', `/magic-link/verify${q('good')}`, undefined, 'manual'],
        ['GET', `/magic-link/verify${q('second')}`, undefined, 'manual'],
        ['GET', `/magic-link/verify${q('used')}`, undefined, 'manual'],
        ['GET', `/magic-link/verify${q('good', LOGIN)}`, undefined, 'manual'],
        ['GET', `/magic-link/verify${q('second', LOGIN)}`, undefined, 'manual'],
        ['GET', `/magic-link/verify${q('banned', LOGIN)}`, undefined, 'manual'],
      ]);
      // The four links that worked tell the listeners (the second factor's too: its cookie is set).
      assert.deepEqual(events, ['session-changed', 'session-changed', 'session-changed', 'session-changed']);
    });
  }

  test("a browser page's fetch cannot read a redirect (an opaque one): OPAQUE_REDIRECT, and the listeners read the session again", async () => {
    const opaque = async () => Response.redirect('http://localhost:3999/login', 302);
    const f = async (url, init) => {
      const r = await opaque();
      // What a browser gives a page for redirect: 'manual': type 'opaqueredirect', status 0, no headers.
      return init?.redirect === 'manual' ? { type: 'opaqueredirect', status: 0, ok: false, headers: new Headers(), text: async () => '' } : r;
    };
    const client = createClient({ baseURL: 'http://127.0.0.1:9', fetch: f });
    const events = [];
    client.subscribe((e) => events.push(e.type));
    const r = await client.magicLink.verify({ token: 'x', callbackURL: 'http://localhost:3999/login' });
    assert.deepEqual([r.ok, r.status, r.code], [false, 0, 'OPAQUE_REDIRECT']);
    assert.deepEqual(events, ['session-changed']);
  });
});

describe("sign-in links by e-mail (the server's --magic-link): the same through both clients", () => {
  let linked;
  before(async () => {
    linked = await startServer({ magicLink: true, twoFactor: true, mail: 'outbox', trustedOrigins: [SITE] });
  });
  after(async () => {
    await linked.stop();
  });
  const mails = (email) => outboxMails(linked.outbox).filter((m) => m.to === email && m.kind === 'magic-link');
  /** The n-th link mailed to `email`: {link, token, params}. */
  const mailedLink = async (email, n = 0) => {
    const mail = await waitFor(() => mails(email)[n], { what: `link ${n} to ${email}` });
    const url = new URL(mail.link);
    assert.ok(mail.text.includes(mail.link), 'the link is in the text');
    return { mail, link: mail.link, token: url.searchParams.get('token'), params: url.searchParams };
  };
  const failed = (r) => [r.ok, r.status, r.code];
  const LOGIN = `${SITE}/login`;

  const clients = {
    createClient: () => createClient({ baseURL: linked.url, fetch: browserFetch(SITE) }),
    fromBetterAuth: () =>
      fromBetterAuth(
        createAuthClient({ baseURL: linked.url, plugins: [magicLinkClient(), twoFactorClient()], fetchOptions: { customFetchImpl: browserFetch(SITE) } }),
      ),
  };
  for (const [kind, make] of Object.entries(clients)) {
    test(`${kind}: a link for a new address makes the account and signs in, once; its URLs are the ones asked for`, async () => {
      const email = newEmail();
      const client = make();
      const events = [];
      client.subscribe((e) => events.push(e.type));
      const asked = await client.signInMagicLink({ email, name: 'Ada', callbackURL: `${LOGIN}?redirect=%2Fdocs`, errorCallbackURL: LOGIN });
      assert.deepEqual(asked, { ok: true, value: { status: true } });
      const { mail, token, params } = await mailedLink(email);
      assert.equal(mail.subject, 'Sign in to Portcullis');
      assert.equal(new URL(mail.link).pathname, '/api/auth/magic-link/verify');
      assert.equal(token.length, 32);
      assert.deepEqual([params.get('callbackURL'), params.get('errorCallbackURL'), params.get('newUserCallbackURL')], [`${LOGIN}?redirect=%2Fdocs`, LOGIN, null]);
      assert.equal((await client.getSession()).value, null, 'nothing before the link is opened');

      const signedIn = await client.magicLink.verify({ token });
      assert.equal(signedIn.ok, true, JSON.stringify(signedIn));
      assert.equal(typeof signedIn.value.token, 'string');
      assert.deepEqual([signedIn.value.user.email, signedIn.value.user.name, signedIn.value.user.emailVerified], [email, 'Ada', true], 'a new account, its address verified');
      assert.equal(signedIn.value.session.userId, signedIn.value.user.id);
      assert.equal((await client.getSession()).value.user.email, email);
      const again = await client.magicLink.verify({ token });
      assert.deepEqual([...failed(again), again.redirect], [false, 302, 'INVALID_TOKEN', `${linked.url}/?error=INVALID_TOKEN`], 'a link works once');
      assert.deepEqual(events, ['session-changed']);
    });

    test(`${kind}: with callbackURL, the server's redirect is the answer (signed in, or the error's)`, async () => {
      const email = newEmail();
      const client = make();
      assert.equal((await client.signUp({ name: 'Grace', email, password: PASSWORD })).ok, true);
      assert.equal((await client.signOut()).ok, true);
      assert.equal((await client.signInMagicLink({ email })).ok, true);
      const { token, params } = await mailedLink(email);
      assert.equal(params.get('callbackURL'), '/', 'the server\'s "/" by default');
      assert.deepEqual(await client.magicLink.verify({ token, callbackURL: `${LOGIN}?redirect=%2Fdocs` }), { ok: true, value: { redirect: `${LOGIN}?redirect=%2Fdocs` } });
      const session = (await client.getSession()).value;
      assert.deepEqual([session.user.email, session.user.emailVerified], [email, true], 'the link proved the mailbox');
      const used = await client.magicLink.verify({ token, callbackURL: `${LOGIN}?redirect=%2Fdocs` });
      assert.deepEqual([...failed(used), used.redirect], [false, 302, 'INVALID_TOKEN', `${LOGIN}?redirect=%2Fdocs&error=INVALID_TOKEN`]);
    });

    test(`${kind}: a user with the second factor on gets its step, not a session; the code finishes the sign-in`, async () => {
      const email = newEmail();
      const client = make();
      assert.equal((await client.signUp({ name: 'Hedy', email, password: PASSWORD })).ok, true);
      const enabled = await client.enableTwoFactor({ password: PASSWORD });
      assert.equal((await client.verifyTotp({ code: totp(enabled.value.totpURI) })).ok, true);
      assert.equal((await client.signOut()).ok, true);

      assert.equal((await client.signInMagicLink({ email })).ok, true);
      const first = await mailedLink(email, 0);
      assert.deepEqual(await client.magicLink.verify({ token: first.token }), { ok: true, value: { twoFactorRedirect: true, twoFactorMethods: ['totp'] } });
      assert.equal((await client.getSession()).value, null);
      const done = await client.verifyTotp({ code: totp(enabled.value.totpURI, 1) });
      assert.equal(done.ok, true, JSON.stringify(done));
      assert.equal((await client.getSession()).value.user.email, email);
      assert.equal((await client.signOut()).ok, true);

      // With callbackURL: the same, said by the redirect.
      assert.equal((await client.signInMagicLink({ email })).ok, true);
      const second = await mailedLink(email, 1);
      assert.deepEqual(await client.magicLink.verify({ token: second.token, callbackURL: LOGIN }), {
        ok: true,
        value: { twoFactorRedirect: true, redirect: `${LOGIN}?twoFactorRedirect=true` },
      });
      assert.equal((await client.getSession()).value, null);
    });

    test(`${kind}: refused requests: an untrusted callback, a bad address`, async () => {
      const client = make();
      const email = newEmail();
      for (const [key, code] of [['callbackURL', 'INVALID_CALLBACK_URL'], ['newUserCallbackURL', 'INVALID_NEW_USER_CALLBACK_URL'], ['errorCallbackURL', 'INVALID_ERROR_CALLBACK_URL']]) {
        assert.deepEqual(failed(await client.signInMagicLink({ email, [key]: 'http://evil.example/login' })), [false, 403, code], key);
      }
      const bad = await client.signInMagicLink({ email: 'not an address' });
      assert.deepEqual([...failed(bad), bad.message], [false, 400, 'VALIDATION_ERROR', '[body.email] Invalid email address']);
      assert.deepEqual(failed(await client.magicLink.verify({ token: 'x', callbackURL: 'http://evil.example/' })), [false, 403, 'INVALID_CALLBACK_URL']);
      assert.equal(mails(email).length, 0);
    });
  }

  test('five links per address, then TOO_MANY_REQUESTS; an old link: INVALID_TOKEN', async () => {
    const quick = await startServer({ magicLink: true, magicLinkExpiresIn: 1, mail: 'outbox', trustedOrigins: [SITE] });
    try {
      const client = createClient({ baseURL: quick.url, fetch: browserFetch(SITE) });
      const email = newEmail();
      for (let i = 0; i < 5; i++) assert.equal((await client.signInMagicLink({ email })).ok, true, `link ${i}`);
      const sixth = await client.signInMagicLink({ email });
      assert.deepEqual(failed(sixth), [false, 429, 'TOO_MANY_REQUESTS']);
      const mail = await waitFor(() => outboxMails(quick.outbox).filter((m) => m.to === email && m.kind === 'magic-link')[4], { what: 'the fifth link' });
      assert.equal(outboxMails(quick.outbox).filter((m) => m.to === email).length, 5, 'no sixth mail');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const old = await client.magicLink.verify({ token: new URL(mail.link).searchParams.get('token') });
      assert.deepEqual(failed(old), [false, 302, 'INVALID_TOKEN']);
      assert.equal((await client.getSession()).value, null);
    } finally {
      await quick.stop();
    }
  });

  test('a server without --magic-link: NOT_FOUND', async () => {
    const client = createClient({ baseURL: server.url, fetch: browserFetch(SITE) });
    assert.deepEqual(failed(await client.signInMagicLink({ email: newEmail() })), [false, 404, 'NOT_FOUND']);
    assert.deepEqual(failed(await client.magicLink.verify({ token: 'x' })), [false, 404, 'NOT_FOUND']);
  });
});

describe("a change of address with codes (the server's --email-otp-change-email): the same through both clients", () => {
  let coded;
  before(async () => {
    coded = await startServer({ emailOtp: true, emailOtpChangeEmail: true, mail: 'outbox', trustedOrigins: [SITE] });
  });
  after(async () => {
    await coded.stop();
  });
  const { mails, mailedCode, otherThan, failed, clients } = codeHelpers(() => coded);
  for (const [kind, make] of Object.entries(clients)) {
    test(`${kind}: an unverified user: a code to the new address makes it theirs, verified; a wrong code, the same address, a bad one, a taken one`, async () => {
      const email = newEmail();
      const client = make();
      assert.equal((await client.signUp({ name: 'Ida', email, password: PASSWORD })).ok, true);
      const events = [];
      client.subscribe((e) => events.push(e.type));
      assert.deepEqual(failed(await client.emailOtp.requestEmailChange({ newEmail: email })), [false, 400, 'EMAIL_IS_THE_SAME']);
      assert.deepEqual(failed(await client.emailOtp.requestEmailChange({ newEmail: 'not-an-address' })), [false, 400, 'INVALID_EMAIL']);
      const next = newEmail();
      assert.deepEqual(await client.emailOtp.requestEmailChange({ newEmail: next }), { ok: true, value: { success: true } });
      const code = await mailedCode(next, 'email-otp-change-email');
      const wrong = await client.emailOtp.changeEmail({ newEmail: next, otp: otherThan(code) });
      assert.deepEqual([...failed(wrong), wrong.message], [false, 400, 'INVALID_OTP', 'Invalid OTP']);
      assert.deepEqual(events, [], 'no request, nor a refused change, tells the listeners');
      assert.deepEqual(await client.emailOtp.changeEmail({ newEmail: next, otp: code }), { ok: true, value: { success: true } });
      assert.deepEqual(events, ['session-changed']);
      const now = (await client.getSession({ disableCookieCache: true })).value.user;
      assert.deepEqual([now.email, now.emailVerified], [next, true]);
      assert.equal((await client.getSession()).value.user.email, next, 'the session as the provider reads it');

      // Now verified, the user needs the current address's code first.
      assert.deepEqual(failed(await client.emailOtp.requestEmailChange({ newEmail: newEmail() })), [false, 400, 'OTP_REQUIRED']);

      // An address that got an account after its code was mailed (another unverified user).
      const other = make();
      assert.equal((await other.signUp({ name: 'Ivo', email: newEmail(), password: PASSWORD })).ok, true);
      const late = newEmail();
      assert.equal((await other.emailOtp.requestEmailChange({ newEmail: late })).ok, true);
      const lateCode = await mailedCode(late, 'email-otp-change-email');
      assert.equal((await make().signUp({ name: 'Late', email: late, password: PASSWORD })).ok, true);
      const taken = await other.emailOtp.changeEmail({ newEmail: late, otp: lateCode });
      assert.deepEqual([...failed(taken), taken.message], [false, 400, 'USER_ALREADY_EXISTS', 'Email already in use']);
    });

    test(`${kind}: a verified user: OTP_REQUIRED, then the current address's code, then the new one's`, async () => {
      const email = newEmail();
      const client = make();
      assert.equal((await client.signUp({ name: 'Jo', email, password: PASSWORD })).ok, true);
      assert.equal((await client.emailOtp.sendVerificationOtp({ email, type: 'email-verification' })).ok, true);
      assert.equal((await client.emailOtp.verifyEmail({ email, otp: await mailedCode(email, 'email-otp-verification') })).ok, true);
      const next = newEmail();
      const missing = await client.emailOtp.requestEmailChange({ newEmail: next });
      assert.deepEqual([...failed(missing), missing.message], [false, 400, 'OTP_REQUIRED', 'OTP is required to verify current email']);
      assert.deepEqual(await client.emailOtp.sendVerificationOtp({ email, type: 'email-verification' }), { ok: true, value: { success: true } });
      const current = await mailedCode(email, 'email-otp-change-email-confirmation');
      assert.deepEqual(failed(await client.emailOtp.requestEmailChange({ newEmail: next, otp: otherThan(current) })), [false, 400, 'INVALID_OTP']);
      assert.deepEqual(await client.emailOtp.requestEmailChange({ newEmail: next, otp: current }), { ok: true, value: { success: true } });
      assert.deepEqual(failed(await client.emailOtp.requestEmailChange({ newEmail: next, otp: current })), [false, 400, 'INVALID_OTP'], 'used up');
      const code = await mailedCode(next, 'email-otp-change-email');
      assert.deepEqual(await client.emailOtp.changeEmail({ newEmail: next, otp: code }), { ok: true, value: { success: true } });
      assert.equal((await client.getSession({ disableCookieCache: true })).value.user.email, next);
    });
  }

  test('a server without --email-otp-change-email: CHANGE_EMAIL_DISABLED; signed out: UNAUTHORIZED', async () => {
    const plain = await startServer({ emailOtp: true, mail: 'outbox', trustedOrigins: [SITE] });
    try {
      const client = createClient({ baseURL: plain.url, fetch: browserFetch(SITE) });
      assert.deepEqual(failed(await client.emailOtp.requestEmailChange({ newEmail: newEmail() })), [false, 401, 'UNAUTHORIZED']);
      assert.equal((await client.signUp({ name: 'Kai', email: newEmail(), password: PASSWORD })).ok, true);
      const off = await client.emailOtp.requestEmailChange({ newEmail: newEmail() });
      assert.deepEqual([...failed(off), off.message], [false, 400, 'CHANGE_EMAIL_DISABLED', 'Change email with OTP is disabled']);
      assert.deepEqual(failed(await client.emailOtp.changeEmail({ newEmail: newEmail(), otp: '123456' })), [false, 400, 'CHANGE_EMAIL_DISABLED']);
    } finally {
      await plain.stop();
    }
  });
});

describe("the last sign-in's method (the server's --last-login-method): the cookie as a page reads it", () => {
  // A document whose `cookie` behaves as a browser's: reads "a=1; b=2", writes one cookie (an
  // expiry in the past deletes it). `writes`: what was written.
  function installDocument(initial = '') {
    const jar = new Map(initial ? initial.split('; ').map((c) => [c.slice(0, c.indexOf('=')), c.slice(c.indexOf('=') + 1)]) : []);
    const writes = [];
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'document');
    globalThis.document = {
      get cookie() {
        return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
      },
      set cookie(line) {
        writes.push(line);
        const [pair, ...attributes] = line.split(';').map((p) => p.trim());
        const name = pair.slice(0, pair.indexOf('='));
        const expires = attributes.find((a) => /^expires=/i.test(a));
        if (expires && Date.parse(expires.slice(8)) < Date.now()) jar.delete(name);
        else jar.set(name, pair.slice(pair.indexOf('=') + 1));
      },
    };
    return {
      writes,
      restore() {
        if (saved) Object.defineProperty(globalThis, 'document', saved);
        else delete globalThis.document;
      },
    };
  }
  const NAME = 'better-auth.last_used_login_method';
  const clients = {
    createClient: (opts) => createClient({ baseURL: 'http://127.0.0.1:9', ...opts }),
    fromBetterAuth: (opts) => fromBetterAuth(createAuthClient({ baseURL: 'http://127.0.0.1:9' }), opts),
    'fromBetterAuth with lastLoginMethodClient()': (opts) =>
      fromBetterAuth(createAuthClient({ baseURL: 'http://127.0.0.1:9', plugins: [lastLoginMethodClient(opts?.cookiePrefix ? { cookieName: `${opts.cookiePrefix}.last_used_login_method` } : {})] })),
  };
  for (const [kind, make] of Object.entries(clients)) {
    test(`${kind}: read, compared, cleared; another prefix; null without a document`, () => {
      const client = make();
      assert.equal(typeof globalThis.document, 'undefined');
      assert.equal(client.getLastUsedLoginMethod(), null, 'no document (Node, server-side rendering)');
      assert.equal(client.isLastUsedLoginMethod('email'), false);
      client.clearLastUsedLoginMethod(); // nothing to do, and no error
      const doc = installDocument(`theme=dark; ${NAME}=passkey; better-auth.session_token=abc`);
      try {
        assert.equal(client.getLastUsedLoginMethod(), 'passkey');
        assert.equal(client.isLastUsedLoginMethod('passkey'), true);
        assert.equal(client.isLastUsedLoginMethod('email'), false);
        client.clearLastUsedLoginMethod();
        assert.match(doc.writes.at(-1), new RegExp(`^${NAME.replace(/\./g, '\\.')}=; expires=Thu, 01 Jan 1970 00:00:00 (GMT|UTC); path=/`));
        assert.equal(client.getLastUsedLoginMethod(), null);
        assert.equal(globalThis.document.cookie, 'theme=dark; better-auth.session_token=abc', 'the other cookies stay');
      } finally {
        doc.restore();
      }
      const prefixed = make({ cookiePrefix: 'docs' });
      const other = installDocument(`${NAME}=email; docs.last_used_login_method=magic-link`);
      try {
        assert.equal(prefixed.getLastUsedLoginMethod(), 'magic-link');
        assert.equal(make().getLastUsedLoginMethod(), 'email');
      } finally {
        other.restore();
      }
    });
  }

  test('the cookie a real sign-in sets (the server with --last-login-method), as both clients read it', async () => {
    const s = await startServer({ lastLoginMethod: true, trustedOrigins: [SITE] });
    try {
      const f = browserFetch(SITE);
      const client = createClient({ baseURL: s.url, fetch: f });
      const email = newEmail();
      assert.equal((await client.signUp({ name: 'Lin', email, password: PASSWORD })).ok, true);
      assert.equal(f.jar.get(NAME), 'email');
      const doc = installDocument(`${NAME}=${f.jar.get(NAME)}`);
      try {
        assert.equal(client.getLastUsedLoginMethod(), 'email');
        assert.equal(fromBetterAuth(createAuthClient({ baseURL: s.url })).isLastUsedLoginMethod('email'), true);
      } finally {
        doc.restore();
      }
    } finally {
      await s.stop();
    }
  });
});
