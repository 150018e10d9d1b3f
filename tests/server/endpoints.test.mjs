// Every endpoint of the contract (shared/spec/betterauth-contract.md §2): its success response and
// each error it lists that configuration or input can provoke, as a client sees them: statuses,
// bodies, headers, cookies, and the rows in the database. Requests that a client gets wrong must
// leave the database as it was.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';

import { BIN, Browser, dump, outboxMails, rawRequest, SECRET, sql, startServer, waitFor, withServer } from '../support/server.mjs';
import { errorAsserter } from '../support/assert.mjs';

// These tests edit the database behind the server's back (sql()), as another process would. The
// server's session cache sees such edits only after its TTL (sessionCacheTtl), so it is off for
// them; tests/server/session-cache.test.mjs covers the cache.
const EDITS_DB = { sessionCacheTtl: 0 };

const ID = /^[A-Za-z0-9]{32}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const PASSWORD = 'correct-horse-battery';
const USER_KEYS = ['createdAt', 'email', 'emailVerified', 'id', 'image', 'name', 'updatedAt'];
const SESSION_KEYS = ['createdAt', 'expiresAt', 'id', 'ipAddress', 'token', 'updatedAt', 'userAgent', 'userId'];
const DELETIONS = ['session_token', 'session_data', 'dont_remember'].map(
  (key) => `better-auth.${key}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax`,
);
const EVIL = 'https://evil.example';

// The catalogue (contract §2), as Portcullis words it.
const MESSAGES = {
  BAD_REQUEST: 'Invalid JSON in request body',
  CHANGE_EMAIL_DISABLED: 'Change email is disabled',
  CREDENTIAL_ACCOUNT_NOT_FOUND: 'Credential account not found',
  CROSS_SITE_NAVIGATION_LOGIN_BLOCKED: 'Cross-site navigation login blocked. This request appears to be a CSRF attack.',
  EMAIL_ALREADY_VERIFIED: 'Email is already verified',
  EMAIL_CAN_NOT_BE_UPDATED: 'Email can not be updated',
  EMAIL_IS_THE_SAME: 'Email is the same',
  EMAIL_MISMATCH: 'Email mismatch',
  EMAIL_NOT_VERIFIED: 'Email not verified',
  EMAIL_PASSWORD_SIGN_UP_DISABLED: 'Email and password sign up is not enabled',
  INVALID_CALLBACK_URL: 'Invalid callbackURL',
  INVALID_EMAIL: 'Invalid email',
  INVALID_EMAIL_OR_PASSWORD: 'Invalid email or password',
  INVALID_ORIGIN: 'Invalid origin',
  INVALID_PASSWORD: 'Invalid password',
  INVALID_REDIRECT_URL: 'Invalid redirectURL',
  INVALID_TOKEN: 'Invalid token',
  MISSING_OR_NULL_ORIGIN: 'Missing or null Origin',
  NO_FIELDS_TO_UPDATE: 'No fields to update',
  PASSWORD_TOO_LONG: 'Password too long',
  PASSWORD_TOO_SHORT: 'Password too short',
  RESET_PASSWORD_DISABLED: "Reset password isn't enabled",
  SESSION_EXPIRED: 'Session expired. Re-authenticate to perform this action.',
  SESSION_NOT_FRESH: 'Session is not fresh',
  UNAUTHORIZED: 'Unauthorized',
  USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL: 'User already exists. Use another email.',
  VERIFICATION_EMAIL_NOT_ENABLED: "Verification email isn't enabled",
};

let server; // defaults: no mail, rate limits off
before(async () => {
  server = await startServer(EDITS_DB);
});
after(async () => {
  await server.stop();
});

let counter = 0;
const freshEmail = (tag = 'user') => `${tag}-${++counter}@example.com`;

function assertIso(value) {
  assert.match(value, ISO);
  assert.equal(new Date(value).toISOString(), value);
}

function assertUser(user, { name, email, emailVerified = false, image = null } = {}) {
  assert.deepEqual(Object.keys(user).sort(), USER_KEYS);
  assert.match(user.id, ID);
  if (name !== undefined) assert.equal(user.name, name);
  if (email !== undefined) assert.equal(user.email, email);
  assert.equal(user.emailVerified, emailVerified);
  assert.equal(user.image, image);
  assertIso(user.createdAt);
  assertIso(user.updatedAt);
}

function assertSession(session, { userId, token } = {}) {
  assert.deepEqual(Object.keys(session).sort(), SESSION_KEYS);
  assert.match(session.id, ID);
  assert.match(session.token, ID);
  if (userId !== undefined) assert.equal(session.userId, userId);
  if (token !== undefined) assert.equal(session.token, token);
  for (const key of ['expiresAt', 'createdAt', 'updatedAt']) assertIso(session[key]);
  assert.equal(session.ipAddress, '127.0.0.1');
  assert.equal(typeof session.userAgent, 'string');
}

const assertError = errorAsserter(MESSAGES);

// Runs a request that must fail and must not change the database.
async function rejected(db, send, status, code, message) {
  const before = dump(db);
  const res = await send();
  assertError(res, status, code, message);
  assert.equal(dump(db), before, `${code}: the database is unchanged`);
  return res;
}

async function signUp(s, { name = 'Test User', email = freshEmail(), password = PASSWORD, headers } = {}) {
  const browser = new Browser(s.api);
  const res = await browser.post('/sign-up/email', { name, email, password }, headers);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return { browser, user: res.body.user, token: res.body.token, email, password };
}

async function signIn(s, email, password = PASSWORD) {
  const browser = new Browser(s.api);
  const res = await browser.post('/sign-in/email', { email, password });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return { browser, token: res.body.token };
}

const sessionRows = (db, userId) => sql(db, `select * from session where userId = '${userId}' order by createdAt`);
const userRow = (db, id) => sql(db, `select * from "user" where id = '${id}'`)[0];
const isoAgo = (ms) => new Date(Date.now() - ms).toISOString();
const DAY = 86400000;

// A cookie value signed as the server signs it (contract §3).
const signed = (value) => encodeURIComponent(`${value}.${createHmac('sha256', SECRET).update(value).digest('base64')}`);

// A POST with nothing but the given headers (no Origin, no User-Agent, no cookies).
const rawPost = (s, path, body, headers = {}) =>
  rawRequest(`${s.api}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

// ---------------------------------------------------------------------------------------------

describe('GET /ok and GET /error', () => {
  test('/ok answers {"ok":true}', async () => {
    const res = await rawRequest(`${server.api}/ok`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.equal(res.text, '{"ok":true}');
  });

  test('[ASVS 5.2.1, 5.3.1, 5.3.3] /error is an HTML page naming the code, with the description escaped', async () => {
    const res = await rawRequest(`${server.api}/error?error=STATE_MISMATCH&error_description=${encodeURIComponent('<script>x</script>')}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/html/);
    assert.ok(res.text.includes('STATE_MISMATCH'), res.text);
    assert.ok(!res.text.includes('<script>'), 'the description is escaped');
    assert.ok(res.text.includes('&lt;script&gt;x&lt;/script&gt;'), res.text);
  });
});

describe('routing and transport', () => {
  test('unknown path, wrong method, trailing slash, //, HEAD and OPTIONS: 404 with an empty body', async () => {
    const cases = [
      ['GET', '/nope'],
      ['POST', '/nope'],
      ['GET', '/sign-out'],
      ['POST', '/ok'],
      ['GET', '/sign-in/email'],
      ['GET', '/ok/'],
      ['GET', '//ok'],
      ['GET', '/reset-password/'],
      ['HEAD', '/ok'],
      ['HEAD', '/get-session'],
      ['OPTIONS', '/ok'],
      ['POST', '/forget-password'],
    ];
    for (const [method, path] of cases) {
      const res = await rawRequest(`${server.api}${path}`, {
        method,
        headers: method === 'POST' ? { 'content-type': 'application/json' } : {},
        body: method === 'POST' ? {} : undefined,
      });
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal(res.text, '', `${method} ${path}: empty body`);
      assert.equal(res.headers.get('content-type'), null, `${method} ${path}: no content-type`);
    }
  });

  test('a POST body must be JSON: text/plain gets 415', async () => {
    await rejected(
      server.db,
      () => rawPost(server, '/sign-up/email', '{"name":"T","email":"t@example.com","password":"password123"}', { 'content-type': 'text/plain' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      'Content-Type "text/plain" is not allowed. Allowed types: application/json, application/x-www-form-urlencoded',
    );
    await rejected(
      server.db,
      () => rawPost(server, '/update-user', 'name=T', { 'content-type': 'application/x-www-form-urlencoded' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      'Content-Type "application/x-www-form-urlencoded" is not allowed. Allowed types: application/json',
    );
  });

  test('sign-up and sign-in also take an HTML form (application/x-www-form-urlencoded), as BetterAuth does', async () => {
    const email = freshEmail('form');
    const form = (fields) => new URLSearchParams(fields).toString();
    const up = await rawPost(server, '/sign-up/email', form({ name: 'Form Filler', email, password: 'htmlform-Posted-2026' }), {
      'content-type': 'application/x-www-form-urlencoded',
    });
    assert.equal(up.status, 200, JSON.stringify(up.body));
    assert.equal(up.body.user.name, 'Form Filler');
    assert.match(up.headers.getSetCookie()[0], /^better-auth\.session_token=/);
    const wrong = await rawPost(server, '/sign-in/email', form({ email, password: 'not-the-password' }), {
      'content-type': 'application/x-www-form-urlencoded; charset=UTF-8',
    });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.code, 'INVALID_EMAIL_OR_PASSWORD');
    const right = await rawPost(server, '/sign-in/email', form({ email, password: 'htmlform-Posted-2026' }), {
      'content-type': 'application/x-www-form-urlencoded',
    });
    assert.equal(right.status, 200);
    // Every form field is a string: a boolean field cannot be one.
    const typed = await rawPost(server, '/sign-in/email', form({ email, password: 'htmlform-Posted-2026', rememberMe: 'false' }), {
      'content-type': 'application/x-www-form-urlencoded',
    });
    assert.equal(typed.status, 400);
    assert.equal(typed.body.code, 'VALIDATION_ERROR');
  });

  test('a bad HTML form gets the same status and code as the same fields in JSON, and changes nothing', async () => {
    const cases = [
      [{ name: 'No Password', email: 'nopass@example.com' }, 'VALIDATION_ERROR'],
      [{ name: 'Bad Mail', email: 'not-an-email', password: 'htmlform-Posted-2026' }, 'VALIDATION_ERROR'],
      [{ name: 'Extra', email: 'extra@example.com', password: 'htmlform-Posted-2026', role: 'admin' }, 'VALIDATION_ERROR'],
    ];
    for (const [fields, code] of cases) {
      const asJson = await rejected(server.db, () => rawPost(server, '/sign-up/email', fields), 400, code);
      const asForm = await rejected(
        server.db,
        () => rawPost(server, '/sign-up/email', new URLSearchParams(fields).toString(), { 'content-type': 'application/x-www-form-urlencoded' }),
        400,
        code,
      );
      assert.equal(asForm.body.message, asJson.body.message, JSON.stringify(fields));
    }
    // A weak password: the same body (score and feedback included) either way.
    const weak = { name: 'Weak', email: 'weak-form@example.com', password: 'password123' };
    const before = dump(server.db);
    const weakJson = await rawPost(server, '/sign-up/email', weak);
    const weakForm = await rawPost(server, '/sign-up/email', new URLSearchParams(weak).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });
    assert.equal(weakForm.status, 400);
    assert.equal(weakForm.body.code, 'PASSWORD_TOO_WEAK');
    assert.deepEqual(weakForm.body, weakJson.body);
    assert.equal(dump(server.db), before);
    // Bytes that are not UTF-8 can only come percent-encoded in a form.
    await rejected(
      server.db,
      () => rawPost(server, '/sign-up/email', 'name=%FF%FE&email=bytes%40example.com&password=htmlform-Posted-2026', {
        'content-type': 'application/x-www-form-urlencoded',
      }),
      400,
      'INVALID_UTF8',
    );
  });

  test('POST get-session (BetterAuth\'s deferred refresh, not offered): 405 METHOD_NOT_ALLOWED_DEFER_SESSION_REQUIRED', async () => {
    const res = await rawPost(server, '/get-session', {});
    assert.equal(res.status, 405);
    assert.equal(res.body.code, 'METHOD_NOT_ALLOWED_DEFER_SESSION_REQUIRED');
  });

  test('[ASVS 8.1.1, 8.2.1] every answer, success or error, says Cache-Control: no-store (once)', async () => {
    const a = await signUp(server);
    const answers = [
      await a.browser.get('/list-sessions'),
      await a.browser.get('/list-accounts'),
      await a.browser.post('/update-user', { name: 'No Store' }),
      await new Browser(server.api).post('/sign-in/email', { email: a.email, password: PASSWORD }),
      await new Browser(server.api).post('/sign-in/email', { email: a.email, password: 'wrong-password' }),
      await rawRequest(`${server.api}/list-sessions`),
      await rawRequest(`${server.api}/ok`),
    ];
    for (const res of answers) assert.equal(res.headers.get('cache-control'), 'no-store', `${res.status} ${JSON.stringify(res.body)}`);
  });

  test('a POST without a body and without a content-type counts as an empty body', async () => {
    const res = await rawRequest(`${server.api}/sign-out`, { method: 'POST' });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { success: true });
  });
});

// ---------------------------------------------------------------------------------------------

describe('POST /sign-up/email', () => {
  test('200: {token, user}, a session cookie, and the user, account and session rows', async () => {
    const email = freshEmail('signup');
    const browser = new Browser(server.api);
    const res = await browser.post(
      '/sign-up/email',
      { name: 'Ada Lovelace', email: email.toUpperCase(), password: PASSWORD, image: 'https://example.com/ada.png' },
      { 'user-agent': 'endpoint-tests/1.0' },
    );
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.deepEqual(Object.keys(res.body), ['token', 'user']);
    assert.match(res.body.token, ID);
    assertUser(res.body.user, { name: 'Ada Lovelace', email, image: 'https://example.com/ada.png' });
    assert.equal(res.body.user.createdAt, res.body.user.updatedAt);
    assert.ok(decodeURIComponent(browser.jar.get('better-auth.session_token')).startsWith(`${res.body.token}.`));

    const row = userRow(server.db, res.body.user.id);
    assert.deepEqual(row, {
      id: res.body.user.id,
      name: 'Ada Lovelace',
      email,
      emailVerified: 0,
      image: 'https://example.com/ada.png',
      createdAt: res.body.user.createdAt,
      updatedAt: res.body.user.updatedAt,
      twoFactorEnabled: 0,  // the two-factor plugin's column, there whether or not --two-factor is on
      banned: 0,  // the admin plugin's ban (`portcullis user ban`)
      banReason: null,
      banExpires: null,
      role: null, // BetterAuth's admin plugin's column (migration 5), written with --admin only
      username: null, // BetterAuth's username plugin's columns (migration 6): none given at this sign-up
      displayUsername: null,
    });
    const accounts = sql(server.db, `select * from account where userId = '${res.body.user.id}'`);
    assert.equal(accounts.length, 1);
    assert.equal(accounts[0].providerId, 'credential');
    assert.equal(accounts[0].accountId, res.body.user.id);
    assert.ok(accounts[0].password && !accounts[0].password.includes(PASSWORD), 'a hash, not the password');
    const [session] = sessionRows(server.db, res.body.user.id);
    assert.equal(session.token, res.body.token);
    assert.equal(session.ipAddress, '127.0.0.1');
    assert.equal(session.userAgent, 'endpoint-tests/1.0');
  });

  test('[ASVS 2.1.2] the length limits are 8 and 128', async () => {
    // Strong enough for the default minPasswordScore (2); weak ones are password-strength.test.mjs's.
    for (const password of ['Zq7!vR2p', 'Zq7!vR2p'.repeat(16)]) {
      assert.ok(password.length === 8 || password.length === 128);
      await signUp(server, { password });
    }
  });

  test('[ASVS 2.1.4, 2.1.9] any Unicode is allowed in a password, spaces and emoji included, with no composition rule', async () => {
    for (const password of ['correct horse 🐴 battery', 'батарея лошадь скоба', '電池 馬 ホッチキス 正解', 'all lower case words here']) {
      const { email } = await signUp(server, { password });
      const res = await new Browser(server.api).post('/sign-in/email', { email, password });
      assert.equal(res.status, 200, password);
    }
  });

  test('[ASVS 2.1.2] 400 PASSWORD_TOO_SHORT and PASSWORD_TOO_LONG', async () => {
    const browser = new Browser(server.api);
    await rejected(server.db, () => browser.post('/sign-up/email', { name: 'S', email: freshEmail(), password: '1234567' }), 400, 'PASSWORD_TOO_SHORT');
    await rejected(server.db, () => browser.post('/sign-up/email', { name: 'L', email: freshEmail(), password: 'p'.repeat(129) }), 400, 'PASSWORD_TOO_LONG');
  });

  test('400 VALIDATION_ERROR for an invalid e-mail address', async () => {
    const browser = new Browser(server.api);
    for (const email of ['not-an-email', 'a@b', ' spaced@example.com', 'two..dots@example.com']) {
      await rejected(
        server.db,
        () => browser.post('/sign-up/email', { name: 'E', email, password: PASSWORD }),
        400,
        'VALIDATION_ERROR',
        '[body.email] Invalid email address',
      );
    }
  });

  test('422 USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL, whatever the case of the address', async () => {
    const { email } = await signUp(server);
    await rejected(
      server.db,
      () => new Browser(server.api).post('/sign-up/email', { name: 'Again', email: email.toUpperCase(), password: 'another-password' }),
      422,
      'USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL',
    );
  });

  test('[ASVS 5.1.5] a callbackURL must be trusted: 403 INVALID_CALLBACK_URL; a relative path is accepted', async () => {
    const browser = new Browser(server.api);
    for (const callbackURL of [`${EVIL}/welcome`, '//evil.example/welcome']) {
      await rejected(
        server.db,
        () => browser.post('/sign-up/email', { name: 'C', email: freshEmail(), password: PASSWORD, callbackURL }),
        403,
        'INVALID_CALLBACK_URL',
      );
    }
    const ok = await browser.post('/sign-up/email', { name: 'C', email: freshEmail(), password: PASSWORD, callbackURL: '/welcome' });
    assert.equal(ok.status, 200);
  });

  test('signUpEnabled=false: 400 EMAIL_PASSWORD_SIGN_UP_DISABLED, while sign-in still works', async () => {
    await withServer({ ...EDITS_DB, signUpEnabled: false }, async (s) => {
      await rejected(
        s.db,
        () => new Browser(s.api).post('/sign-up/email', { name: 'No', email: 'no@example.com', password: PASSWORD }),
        400,
        'EMAIL_PASSWORD_SIGN_UP_DISABLED',
      );
      execFileSync(BIN, ['user', 'create', '--email', 'cli@example.com', '--name', 'CLI', '--database', s.db], { input: `${PASSWORD}\n` });
      await signIn(s, 'cli@example.com');
    });
  });

  test('requireEmailVerification: no session, and a taken address answers the same 200 (no enumeration)', async () => {
    await withServer({ ...EDITS_DB, requireEmailVerification: true }, async (s) => {
      const browser = new Browser(s.api);
      const first = await browser.post('/sign-up/email', { name: 'Vera', email: 'vera@example.com', password: PASSWORD });
      assert.equal(first.status, 200);
      assert.equal(first.body.token, null);
      assertUser(first.body.user, { name: 'Vera', email: 'vera@example.com' });
      assert.deepEqual(first.headers.getSetCookie(), [], 'no session cookie');
      assert.equal(sql(s.db, 'select count(*) as n from session')[0].n, 0);

      const before = dump(s.db);
      const dup = await new Browser(s.api).post('/sign-up/email', { name: 'Vera', email: 'VERA@example.com', password: 'other-password' });
      assert.equal(dup.status, 200);
      assert.equal(dup.body.token, null);
      assertUser(dup.body.user, { name: 'Vera', email: 'vera@example.com' });
      assert.deepEqual(Object.keys(dup.body), Object.keys(first.body));
      assert.notEqual(dup.body.user.id, first.body.user.id, 'a made-up user');
      assert.deepEqual(dup.headers.getSetCookie(), []);
      assert.equal(dump(s.db), before, 'nothing was written');

      // Signing in before the address is verified.
      await rejected(s.db, () => new Browser(s.api).post('/sign-in/email', { email: 'vera@example.com', password: 'wrong-password' }), 401, 'INVALID_EMAIL_OR_PASSWORD');
      await rejected(s.db, () => new Browser(s.api).post('/sign-in/email', { email: 'vera@example.com', password: PASSWORD }), 403, 'EMAIL_NOT_VERIFIED');
      sql(s.db, `update "user" set emailVerified = 1 where id = '${first.body.user.id}'`);
      await signIn(s, 'vera@example.com');
    });
  });
});

// ---------------------------------------------------------------------------------------------

describe('POST /sign-in/email', () => {
  let alice;
  before(async () => {
    alice = await signUp(server, { name: 'Alice', email: freshEmail('alice') });
  });

  test('[ASVS 3.2.1] 200: {redirect:false, token, user}, a new session and its cookie', async () => {
    const browser = new Browser(server.api);
    const res = await browser.post('/sign-in/email', { email: alice.email.toUpperCase(), password: PASSWORD });
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body), ['redirect', 'token', 'user']);
    assert.equal(res.body.redirect, false);
    assert.match(res.body.token, ID);
    assert.notEqual(res.body.token, alice.token);
    assert.deepEqual(res.body.user, alice.user);
    assert.equal(res.headers.get('location'), null);
    assert.ok(decodeURIComponent(browser.jar.get('better-auth.session_token')).startsWith(`${res.body.token}.`));
    assert.deepEqual(sessionRows(server.db, alice.user.id).map((r) => r.token).sort(), [alice.token, res.body.token].sort());
  });

  test('a callbackURL gives redirect:true, url and a location header, still with status 200', async () => {
    for (const callbackURL of ['/dashboard', `${server.url}/home?tab=1`]) {
      const res = await new Browser(server.api).post('/sign-in/email', { email: alice.email, password: PASSWORD, callbackURL });
      assert.equal(res.status, 200);
      assert.deepEqual(Object.keys(res.body), ['redirect', 'token', 'url', 'user']);
      assert.equal(res.body.redirect, true);
      assert.equal(res.body.url, callbackURL);
      assert.equal(res.headers.get('location'), callbackURL);
    }
  });

  test('403 INVALID_CALLBACK_URL for an untrusted callbackURL', async () => {
    for (const callbackURL of [`${EVIL}/x`, '//evil.example/x', '/\\evil.example']) {
      await rejected(
        server.db,
        () => new Browser(server.api).post('/sign-in/email', { email: alice.email, password: PASSWORD, callbackURL }),
        403,
        'INVALID_CALLBACK_URL',
      );
    }
  });

  test('400 INVALID_EMAIL (checked by the handler, not VALIDATION_ERROR)', async () => {
    await rejected(server.db, () => new Browser(server.api).post('/sign-in/email', { email: 'not-an-email', password: PASSWORD }), 400, 'INVALID_EMAIL');
  });

  test('401 INVALID_EMAIL_OR_PASSWORD, with the same body for an unknown address and a wrong password', async () => {
    const unknown = await rejected(
      server.db,
      () => new Browser(server.api).post('/sign-in/email', { email: freshEmail('nobody'), password: PASSWORD }),
      401,
      'INVALID_EMAIL_OR_PASSWORD',
    );
    const wrong = await rejected(
      server.db,
      () => new Browser(server.api).post('/sign-in/email', { email: alice.email, password: 'wrong-password' }),
      401,
      'INVALID_EMAIL_OR_PASSWORD',
    );
    assert.deepEqual(unknown.body, wrong.body);
    assert.deepEqual(wrong.headers.getSetCookie(), []);
  });

  test('the minimum length is not checked at sign-in (401, not PASSWORD_TOO_SHORT); the maximum is (400)', async () => {
    await rejected(server.db, () => new Browser(server.api).post('/sign-in/email', { email: alice.email, password: 'short' }), 401, 'INVALID_EMAIL_OR_PASSWORD');
    await rejected(server.db, () => new Browser(server.api).post('/sign-in/email', { email: alice.email, password: 'p'.repeat(129) }), 400, 'PASSWORD_TOO_LONG');
  });
});

// ---------------------------------------------------------------------------------------------

describe('GET /get-session', () => {
  test('without a cookie: the literal null, with no-store headers', async () => {
    const res = await rawRequest(`${server.api}/get-session`);
    assert.equal(res.status, 200);
    assert.equal(res.text, 'null');
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.headers.get('pragma'), 'no-cache');
    assert.deepEqual(res.headers.getSetCookie(), []);
  });

  test('with a session: {session, user} as stored, with no-store headers and no refresh', async () => {
    const { browser, user, token } = await signUp(server, { name: 'Gina', headers: { 'user-agent': 'endpoint-tests/2.0' } });
    const res = await browser.get('/get-session');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.headers.get('pragma'), 'no-cache');
    assert.deepEqual(Object.keys(res.body), ['session', 'user']);
    assertSession(res.body.session, { userId: user.id, token });
    assert.deepEqual(res.body.user, user);
    const [row] = sessionRows(server.db, user.id);
    // The row has BetterAuth's admin plugin's "impersonatedBy" too (migration 5): NULL, this session
    // was not made by impersonating the user. The body shows the row's SESSION_KEYS (assertSession).
    assert.equal(row.impersonatedBy, null);
    assert.deepEqual(res.body.session, Object.fromEntries(SESSION_KEYS.map((k) => [k, row[k]])));
    assert.equal(row.userAgent, 'endpoint-tests/2.0');
    assert.equal(new Date(row.expiresAt) - new Date(row.createdAt), 7 * DAY);
    assert.deepEqual(res.headers.getSetCookie(), [], 'a refresh is not due yet');
  });
});

describe('POST /sign-out', () => {
  test('[ASVS 3.3.1, 8.2.3] deletes the session row and expires the three cookies; other sessions stay', async () => {
    const { browser, user, email } = await signUp(server);
    const other = await signIn(server, email);
    const res = await browser.post('/sign-out', {});
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { success: true });
    assert.deepEqual(res.headers.getSetCookie(), DELETIONS);
    assert.deepEqual(sessionRows(server.db, user.id).map((r) => r.token), [other.token]);
    assert.equal(browser.jar.size, 0);
    assert.equal((await browser.get('/get-session')).body, null);
    assert.equal((await other.browser.get('/get-session')).body.user.id, user.id);
  });

  test('without a session it still answers {"success":true}', async () => {
    const before = dump(server.db);
    const res = await new Browser(server.api).post('/sign-out', {});
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { success: true });
    assert.equal(dump(server.db), before);
  });
});

// ---------------------------------------------------------------------------------------------

describe('session endpoints without a session: 401 UNAUTHORIZED', () => {
  const calls = [
    ['GET', '/list-sessions'],
    ['POST', '/revoke-session', { token: 'x'.repeat(32) }],
    ['POST', '/revoke-sessions', {}],
    ['POST', '/revoke-other-sessions', {}],
    ['POST', '/update-user', { name: 'Nobody' }],
    ['POST', '/change-password', { currentPassword: PASSWORD, newPassword: 'new-password-1' }],
    ['POST', '/change-email', { newEmail: 'new@example.com' }],
    ['POST', '/delete-user', { password: PASSWORD }],
    ['GET', '/list-accounts'],
    ['POST', '/update-session', {}],
    ['POST', '/verify-password', { password: PASSWORD }],
    ['POST', '/unlink-account', { accountId: 'x'.repeat(32) }],
  ];
  for (const [method, path, body] of calls) {
    test(`${method} ${path}`, async () => {
      // No cookie at all, and a validly signed cookie whose session does not exist.
      const signedUnknown = `better-auth.session_token=${signed('u'.repeat(32))}`;
      for (const cookie of [undefined, 'theme=dark', signedUnknown]) {
        const headers = { origin: server.url };
        if (cookie) headers.cookie = cookie;
        await rejected(
          server.db,
          () => rawRequest(`${server.api}${path}`, { method, headers: body ? { ...headers, 'content-type': 'application/json' } : headers, body }),
          401,
          'UNAUTHORIZED',
        );
      }
    });
  }
});

describe('GET /list-sessions', () => {
  test('[ASVS 3.3.4] 200: the unexpired sessions of the user, with their tokens', async () => {
    const a = await signUp(server);
    const b = await signIn(server, a.email);
    const stranger = await signUp(server);
    const res = await a.browser.get('/list-sessions');
    assert.equal(res.status, 200);
    assert.equal(res.body.length, 2);
    for (const s of res.body) assertSession(s, { userId: a.user.id });
    assert.deepEqual(res.body.map((s) => s.token).sort(), [a.token, b.token].sort());
    assert.ok(!res.body.some((s) => s.token === stranger.token));

    sql(server.db, `update session set expiresAt = '${isoAgo(1000)}' where token = '${b.token}'`);
    const later = await a.browser.get('/list-sessions');
    assert.deepEqual(later.body.map((s) => s.token), [a.token], 'an expired session is not listed');
  });

  test('403 SESSION_NOT_FRESH once the session is older than the fresh age (1 day); a refresh does not reset it', async () => {
    const { browser, token, user } = await signUp(server);
    assert.equal((await browser.get('/list-sessions')).status, 200);
    sql(server.db, `update session set createdAt = '${isoAgo(DAY + 1000)}' where token = '${token}'`);
    await rejected(server.db, () => browser.get('/list-sessions'), 403, 'SESSION_NOT_FRESH');
    // Still a valid session for everything else.
    assert.equal((await browser.get('/get-session')).body.user.id, user.id);
  });

  test('sessionFreshAge=0 turns the check off', async () => {
    await withServer({ ...EDITS_DB, sessionFreshAge: 0 }, async (s) => {
      const { browser, token } = await signUp(s);
      sql(s.db, `update session set createdAt = '2001-01-01T00:00:00.000Z' where token = '${token}'`);
      const res = await browser.get('/list-sessions');
      assert.equal(res.status, 200);
      assert.equal(res.body.length, 1);
      const deleted = await browser.post('/delete-user', {});
      assert.equal(deleted.status, 200, 'delete-user without a password does not check freshness either');
    });
  });

  test('[ASVS 3.7.1] sessionFreshAge=1: the session turns stale on the clock, for list-sessions and delete-user', async () => {
    await withServer({ ...EDITS_DB, sessionFreshAge: 1, sessionUpdateAge: 0 }, async (s) => {
      const { browser, user } = await signUp(s);
      const seen = [];
      const stale = await waitFor(
        async () => {
          const res = await browser.get('/list-sessions');
          seen.push(res.status);
          return res.status === 403 ? res : null;
        },
        { timeout: 5000, interval: 50, what: 'SESSION_NOT_FRESH' },
      );
      assertError(stale, 403, 'SESSION_NOT_FRESH');
      assert.ok(seen.slice(0, -1).every((st) => st === 200), `only 200s before: ${seen}`);
      // The rolling refresh (due on every read with updateAge 0) does not make it fresh again.
      const refreshed = await browser.get('/get-session');
      assert.equal(refreshed.headers.getSetCookie().length, 1);
      assertError(await browser.get('/list-sessions'), 403, 'SESSION_NOT_FRESH');
      await rejected(s.db, () => browser.post('/delete-user', {}), 400, 'SESSION_EXPIRED');
      const withPassword = await browser.post('/delete-user', { password: PASSWORD });
      assert.equal(withPassword.status, 200, 'a password is proof enough');
      assert.equal(userRow(s.db, user.id), undefined);
    });
  });
});

describe('POST /revoke-session', () => {
  test("revoking another of one's own sessions: 200, that row is gone, no cookie change", async () => {
    const a = await signUp(server);
    const b = await signIn(server, a.email);
    const res = await a.browser.post('/revoke-session', { token: b.token });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: true });
    assert.deepEqual(res.headers.getSetCookie(), []);
    assert.deepEqual(sessionRows(server.db, a.user.id).map((r) => r.token), [a.token]);
    assert.equal((await b.browser.get('/get-session')).body, null);
    assert.equal((await a.browser.get('/get-session')).body.session.token, a.token);
  });

  test("another user's token: 200 and nothing is deleted", async () => {
    const a = await signUp(server);
    const victim = await signUp(server);
    const before = dump(server.db);
    const res = await a.browser.post('/revoke-session', { token: victim.token });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: true });
    assert.equal(dump(server.db), before);
    assert.equal((await victim.browser.get('/get-session')).body.session.token, victim.token);
  });

  test('revoking the current token also expires the cookies', async () => {
    const a = await signUp(server);
    const res = await a.browser.post('/revoke-session', { token: a.token });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: true });
    assert.deepEqual(res.headers.getSetCookie(), DELETIONS);
    assert.deepEqual(sessionRows(server.db, a.user.id), []);
  });

  test('400 VALIDATION_ERROR without a token', async () => {
    const a = await signUp(server);
    await rejected(server.db, () => a.browser.post('/revoke-session', {}), 400, 'VALIDATION_ERROR', '[body.token] Invalid input: expected string, received undefined');
  });
});

describe('POST /revoke-sessions and /revoke-other-sessions', () => {
  test('revoke-sessions deletes every session of the user and expires the cookies', async () => {
    const a = await signUp(server);
    const b = await signIn(server, a.email);
    const stranger = await signUp(server);
    const res = await a.browser.post('/revoke-sessions', {});
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: true });
    assert.deepEqual(res.headers.getSetCookie(), DELETIONS);
    assert.deepEqual(sessionRows(server.db, a.user.id), []);
    assert.equal((await b.browser.get('/get-session')).body, null);
    assert.equal(sessionRows(server.db, stranger.user.id).length, 1, "another user's session stays");
  });

  test('revoke-other-sessions keeps the current session and sets no cookie', async () => {
    const a = await signUp(server);
    const b = await signIn(server, a.email);
    const c = await signIn(server, a.email);
    const res = await a.browser.post('/revoke-other-sessions', {});
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: true });
    assert.deepEqual(res.headers.getSetCookie(), []);
    assert.deepEqual(sessionRows(server.db, a.user.id).map((r) => r.token), [a.token]);
    for (const other of [b, c]) assert.equal((await other.browser.get('/get-session')).body, null);
  });

  test('unknown body fields are refused', async () => {
    const a = await signUp(server);
    await rejected(server.db, () => a.browser.post('/revoke-sessions', { all: true }), 400, 'VALIDATION_ERROR', '[body] Unrecognized key: "all"');
  });
});

// ---------------------------------------------------------------------------------------------

describe('POST /update-user', () => {
  test('200 {"status":true}: the row changes and the same session cookie is sent again', async () => {
    const a = await signUp(server);
    sql(server.db, `update "user" set updatedAt = '2001-01-01T00:00:00.000Z' where id = '${a.user.id}'`);
    // Answered once before the change: the server keeps that answer's body (http/session_bodies.h).
    const before = await a.browser.get('/get-session');
    assertUser(before.body.user, { name: a.user.name, email: a.email, image: null });
    const res = await a.browser.post('/update-user', { name: 'New Name', image: 'https://example.com/new.png' });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: true });
    const [cookie] = res.headers.getSetCookie();
    assert.match(cookie, /^better-auth\.session_token=[^;]+; Max-Age=604800; Path=\/; HttpOnly; SameSite=Lax$/);
    assert.ok(decodeURIComponent(cookie.split(';')[0].split('=')[1]).startsWith(`${a.token}.`), 'the same token');
    const row = userRow(server.db, a.user.id);
    assert.equal(row.name, 'New Name');
    assert.equal(row.image, 'https://example.com/new.png');
    assert.equal(row.email, a.email);
    assert.ok(new Date(row.updatedAt) > new Date('2020-01-01'), 'updatedAt moved');
    const session = await a.browser.get('/get-session');
    assertUser(session.body.user, { name: 'New Name', email: a.email, image: 'https://example.com/new.png' });

    const cleared = await a.browser.post('/update-user', { image: null });
    assert.equal(cleared.status, 200);
    assert.equal(userRow(server.db, a.user.id).image, null);
    assert.equal(userRow(server.db, a.user.id).name, 'New Name');
    assertUser((await a.browser.get('/get-session')).body.user, { name: 'New Name', email: a.email, image: null });
  });

  test('400 EMAIL_CAN_NOT_BE_UPDATED and NO_FIELDS_TO_UPDATE', async () => {
    const a = await signUp(server);
    await rejected(server.db, () => a.browser.post('/update-user', { email: 'other@example.com' }), 400, 'EMAIL_CAN_NOT_BE_UPDATED');
    await rejected(server.db, () => a.browser.post('/update-user', { name: 'X', email: 'other@example.com' }), 400, 'EMAIL_CAN_NOT_BE_UPDATED');
    await rejected(server.db, () => a.browser.post('/update-user', {}), 400, 'NO_FIELDS_TO_UPDATE');
    await rejected(server.db, () => a.browser.post('/update-user', { emailVerified: true }), 400, 'VALIDATION_ERROR', '[body] Unrecognized key: "emailVerified"');
    await rejected(server.db, () => a.browser.post('/update-user', { name: 42 }), 400, 'VALIDATION_ERROR', '[body.name] Invalid input: expected string, received number');
  });
});

describe('POST /change-password', () => {
  test('[ASVS 2.1.5] without revokeOtherSessions: {"token":null,user}; the password changes, sessions stay', async () => {
    const a = await signUp(server);
    const other = await signIn(server, a.email);
    const res = await a.browser.post('/change-password', { currentPassword: PASSWORD, newPassword: 'brand-new-password' });
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body), ['token', 'user']);
    assert.equal(res.body.token, null);
    assert.deepEqual(res.body.user, a.user);
    assert.deepEqual(res.headers.getSetCookie(), []);
    assert.deepEqual(sessionRows(server.db, a.user.id).map((r) => r.token).sort(), [a.token, other.token].sort());
    assertError(await new Browser(server.api).post('/sign-in/email', { email: a.email, password: PASSWORD }), 401, 'INVALID_EMAIL_OR_PASSWORD');
    await signIn(server, a.email, 'brand-new-password');
  });

  test('[ASVS 3.3.3] with revokeOtherSessions: every old session ends and a new one is returned with its cookie', async () => {
    const a = await signUp(server);
    const other = await signIn(server, a.email);
    const res = await a.browser.post('/change-password', { currentPassword: PASSWORD, newPassword: 'brand-new-password', revokeOtherSessions: true });
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body), ['token', 'user']);
    assert.match(res.body.token, ID);
    assert.ok(![a.token, other.token].includes(res.body.token));
    assertUser(res.body.user, { email: a.email });
    const [cookie] = res.headers.getSetCookie();
    assert.ok(decodeURIComponent(cookie.split(';')[0].split('=')[1]).startsWith(`${res.body.token}.`));
    assert.deepEqual(sessionRows(server.db, a.user.id).map((r) => r.token), [res.body.token]);
    assert.equal((await other.browser.get('/get-session')).body, null);
    assert.equal((await a.browser.get('/get-session')).body.session.token, res.body.token);
  });

  test('[ASVS 2.1.6] 400 PASSWORD_TOO_SHORT / PASSWORD_TOO_LONG / INVALID_PASSWORD / CREDENTIAL_ACCOUNT_NOT_FOUND', async () => {
    const a = await signUp(server);
    const change = (body) => () => a.browser.post('/change-password', body);
    await rejected(server.db, change({ currentPassword: PASSWORD, newPassword: 'short' }), 400, 'PASSWORD_TOO_SHORT');
    await rejected(server.db, change({ currentPassword: PASSWORD, newPassword: 'n'.repeat(129) }), 400, 'PASSWORD_TOO_LONG');
    await rejected(server.db, change({ currentPassword: 'c'.repeat(129), newPassword: 'brand-new-password' }), 400, 'PASSWORD_TOO_LONG');
    await rejected(server.db, change({ currentPassword: 'wrong-password', newPassword: 'brand-new-password' }), 400, 'INVALID_PASSWORD');
    await rejected(server.db, change({ currentPassword: 'wrong-password', newPassword: 'brand-new-password', revokeOtherSessions: true }), 400, 'INVALID_PASSWORD');
    sql(server.db, `delete from account where userId = '${a.user.id}'`);
    await rejected(server.db, change({ currentPassword: PASSWORD, newPassword: 'brand-new-password' }), 400, 'CREDENTIAL_ACCOUNT_NOT_FOUND');
  });
});

describe('POST /change-email', () => {
  test('off by default: 400 CHANGE_EMAIL_DISABLED', async () => {
    const a = await signUp(server);
    await rejected(server.db, () => a.browser.post('/change-email', { newEmail: freshEmail('new') }), 400, 'CHANGE_EMAIL_DISABLED');
  });

  test('enabled without mail: EMAIL_IS_THE_SAME, VERIFICATION_EMAIL_NOT_ENABLED, bad input', async () => {
    await withServer({ ...EDITS_DB, changeEmailEnabled: true }, async (s) => {
      const a = await signUp(s);
      const change = (body) => () => a.browser.post('/change-email', body);
      await rejected(s.db, change({ newEmail: a.email }), 400, 'EMAIL_IS_THE_SAME');
      await rejected(s.db, change({ newEmail: a.email.toUpperCase() }), 400, 'EMAIL_IS_THE_SAME');
      await rejected(s.db, change({ newEmail: 'new@example.com' }), 400, 'VERIFICATION_EMAIL_NOT_ENABLED');
      await rejected(s.db, change({ newEmail: 'not-an-email' }), 400, 'VALIDATION_ERROR', '[body.newEmail] Invalid email address');
      await rejected(s.db, change({ newEmail: 'new@example.com', callbackURL: `${EVIL}/done` }), 403, 'INVALID_CALLBACK_URL');
    });
  });

  test('updateEmailWithoutVerification: an unverified user changes the address at once', async () => {
    await withServer({ ...EDITS_DB, changeEmailEnabled: true, updateEmailWithoutVerification: true }, async (s) => {
      const a = await signUp(s);
      const taken = await signUp(s);
      const res = await a.browser.post('/change-email', { newEmail: 'Moved@Example.com' });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { status: true });
      assert.equal(userRow(s.db, a.user.id).email, 'moved@example.com');
      assert.equal((await a.browser.get('/get-session')).body.user.email, 'moved@example.com');
      await signIn(s, 'moved@example.com');

      // An address in use: the same 200, and nothing changes.
      const before = dump(s.db);
      const silent = await a.browser.post('/change-email', { newEmail: taken.email });
      assert.equal(silent.status, 200);
      assert.deepEqual(silent.body, { status: true });
      assert.equal(dump(s.db), before);

      // A verified user still needs the mailed link, and there is no mail here.
      sql(s.db, `update "user" set emailVerified = 1 where id = '${a.user.id}'`);
      await rejected(s.db, () => a.browser.post('/change-email', { newEmail: 'again@example.com' }), 400, 'VERIFICATION_EMAIL_NOT_ENABLED');
    });
  });
});

describe('POST /delete-user', () => {
  test('[ASVS 8.3.2] with the password: 200, the user, its accounts and sessions are gone, cookies expired', async () => {
    const a = await signUp(server);
    await signIn(server, a.email);
    const res = await a.browser.post('/delete-user', { password: PASSWORD });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { success: true, message: 'User deleted' });
    assert.deepEqual(res.headers.getSetCookie(), DELETIONS);
    assert.equal(userRow(server.db, a.user.id), undefined);
    assert.deepEqual(sql(server.db, `select id from account where userId = '${a.user.id}'`), []);
    assert.deepEqual(sessionRows(server.db, a.user.id), []);
    assertError(await new Browser(server.api).post('/sign-in/email', { email: a.email, password: PASSWORD }), 401, 'INVALID_EMAIL_OR_PASSWORD');
  });

  test('without a password, a fresh session is enough', async () => {
    const a = await signUp(server);
    const res = await a.browser.post('/delete-user', {});
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { success: true, message: 'User deleted' });
    assert.equal(userRow(server.db, a.user.id), undefined);
  });

  test('400 INVALID_PASSWORD, 400 SESSION_EXPIRED, 404 INVALID_TOKEN, 403 INVALID_CALLBACK_URL', async () => {
    const a = await signUp(server);
    await rejected(server.db, () => a.browser.post('/delete-user', { password: 'wrong-password' }), 400, 'INVALID_PASSWORD');
    await rejected(server.db, () => a.browser.post('/delete-user', { token: 'some-token' }), 404, 'INVALID_TOKEN');
    await rejected(server.db, () => a.browser.post('/delete-user', { password: PASSWORD, callbackURL: `${EVIL}/bye` }), 403, 'INVALID_CALLBACK_URL');
    sql(server.db, `update session set createdAt = '${isoAgo(DAY + 1000)}' where token = '${a.token}'`);
    await rejected(server.db, () => a.browser.post('/delete-user', {}), 400, 'SESSION_EXPIRED');
  });

  test('a user without a credential account cannot prove a password', async () => {
    const a = await signUp(server);
    sql(server.db, `delete from account where userId = '${a.user.id}'`);
    await rejected(server.db, () => a.browser.post('/delete-user', { password: PASSWORD }), 400, 'INVALID_PASSWORD');
  });

  test('deleteUserEnabled=false: 404 with an empty body', async () => {
    await withServer({ ...EDITS_DB, deleteUserEnabled: false }, async (s) => {
      const a = await signUp(s);
      const before = dump(s.db);
      for (const body of [{ password: PASSWORD }, {}]) {
        const res = await a.browser.post('/delete-user', body);
        assert.equal(res.status, 404);
        assert.equal(res.body, '');
      }
      assert.equal(dump(s.db), before);
    });
  });
});

describe('GET /list-accounts', () => {
  test("200: the user's accounts, oldest first, without passwords; other users' are not listed", async () => {
    const a = await signUp(server);
    const other = await signUp(server);
    const res = await a.browser.get('/list-accounts');
    assert.equal(res.status, 200);
    assert.equal(res.body.length, 1);
    const [credential] = res.body;
    // BetterAuth's keys, in its order (PostgreSQL adapter).
    assert.deepEqual(Object.keys(credential), ['accountId', 'providerId', 'userId', 'createdAt', 'updatedAt', 'id', 'scopes']);
    const row = sql(server.db, `select id, createdAt from account where userId = '${a.user.id}'`)[0];
    assert.deepEqual(credential, {
      accountId: a.user.id,
      providerId: 'credential',
      userId: a.user.id,
      createdAt: credential.createdAt,
      updatedAt: credential.updatedAt,
      id: row.id,
      scopes: [],
    });
    assertIso(credential.createdAt);
    assert.equal(credential.createdAt, new Date(row.createdAt).toISOString());
    assert.ok(!JSON.stringify(res.body).includes('argon2'), 'no password hash');

    // Accounts a BetterAuth server with social sign-in linked (rows as it writes them). JS's
    // split(",") and trim() give the scopes; empty ones are dropped.
    const at = (offset) => `'${new Date(new Date(row.createdAt).getTime() + offset).toISOString()}'`;
    sql(
      server.db,
      `insert into account (id, accountId, providerId, userId, accessToken, scope, createdAt, updatedAt) values
        ('github-row-id', '583231', 'github', '${a.user.id}', 'gho_secret', ' read:user, user:email,,', ${at(10)}, ${at(10)}),
        ('google-row-id', '1093', 'google', '${a.user.id}', 'ya29_secret', null, ${at(-10)}, ${at(-10)})`,
    );
    const all = await a.browser.get('/list-accounts');
    assert.equal(all.status, 200);
    assert.deepEqual(all.body.map((x) => [x.providerId, x.accountId, x.scopes]), [
      ['google', '1093', []],
      ['credential', a.user.id, []],
      ['github', '583231', ['read:user', 'user:email']],
    ]);
    assert.ok(!JSON.stringify(all.body).includes('secret'), 'no OAuth tokens');
    assert.deepEqual((await other.browser.get('/list-accounts')).body.map((x) => x.userId), [other.user.id]);
  });
});

describe('POST /unlink-account', () => {
  const linkGithub = (userId) =>
    sql(
      server.db,
      `insert into account (id, accountId, providerId, userId, createdAt, updatedAt)
       values ('gh-${userId}', '583231', 'github', '${userId}', '${new Date().toISOString()}', '${new Date().toISOString()}')`,
    );

  test("200: the account is gone; the user's last account cannot go (400 FAILED_TO_UNLINK_LAST_ACCOUNT)", async () => {
    const a = await signUp(server);
    linkGithub(a.user.id);
    const credentialId = sql(server.db, `select id from account where userId = '${a.user.id}' and providerId = 'credential'`)[0].id;
    const res = await a.browser.post('/unlink-account', { accountId: `gh-${a.user.id}` });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: true });
    assert.deepEqual(res.headers.getSetCookie(), []);
    assert.deepEqual((await a.browser.get('/list-accounts')).body.map((x) => x.id), [credentialId]);
    await rejected(server.db, () => a.browser.post('/unlink-account', { accountId: credentialId }), 400, 'FAILED_TO_UNLINK_LAST_ACCOUNT', "You can't unlink your last account");
    assert.equal((await a.browser.post('/verify-password', { password: PASSWORD })).status, 200, 'the password still works');
  });

  test("400 ACCOUNT_NOT_FOUND for an unknown or another user's account; VALIDATION_ERROR; 403 SESSION_NOT_FRESH", async () => {
    const a = await signUp(server);
    const b = await signUp(server);
    linkGithub(a.user.id);
    linkGithub(b.user.id);
    await rejected(server.db, () => a.browser.post('/unlink-account', { accountId: `gh-${b.user.id}` }), 400, 'ACCOUNT_NOT_FOUND', 'Account not found');
    await rejected(server.db, () => a.browser.post('/unlink-account', { accountId: 'no-such-account' }), 400, 'ACCOUNT_NOT_FOUND');
    await rejected(server.db, () => a.browser.post('/unlink-account', {}), 400, 'VALIDATION_ERROR');
    await rejected(server.db, () => a.browser.post('/unlink-account', { accountId: `gh-${a.user.id}`, providerId: 'github' }), 400, 'VALIDATION_ERROR');
    sql(server.db, `update session set createdAt = '${isoAgo(DAY + 1000)}' where token = '${a.token}'`);
    await rejected(server.db, () => a.browser.post('/unlink-account', { accountId: `gh-${a.user.id}` }), 403, 'SESSION_NOT_FRESH');
  });
});

describe('POST /update-session', () => {
  test('sessions have no fields a client may set: 400 NO_FIELDS_TO_UPDATE, or VALIDATION_ERROR for a named field', async () => {
    const a = await signUp(server);
    await rejected(server.db, () => a.browser.post('/update-session', {}), 400, 'NO_FIELDS_TO_UPDATE');
    await rejected(server.db, () => a.browser.post('/update-session', { ipAddress: '203.0.113.9' }), 400, 'VALIDATION_ERROR', '[body] Unrecognized key: "ipAddress"');
    await rejected(server.db, () => a.browser.post('/update-session', { expiresAt: '2999-01-01T00:00:00.000Z' }), 400, 'VALIDATION_ERROR');
  });
});

describe('POST /verify-password', () => {
  test("200 {status:true} for the user's password, with no cookie and no change", async () => {
    const a = await signUp(server);
    const before = dump(server.db);
    const res = await a.browser.post('/verify-password', { password: PASSWORD });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: true });
    assert.deepEqual(res.headers.getSetCookie(), []);
    assert.equal(dump(server.db), before);
  });

  test('400 INVALID_PASSWORD, PASSWORD_TOO_LONG, VALIDATION_ERROR; no credential account: INVALID_PASSWORD', async () => {
    const a = await signUp(server);
    await rejected(server.db, () => a.browser.post('/verify-password', { password: 'wrong-password' }), 400, 'INVALID_PASSWORD');
    await rejected(server.db, () => a.browser.post('/verify-password', { password: '' }), 400, 'INVALID_PASSWORD');
    await rejected(server.db, () => a.browser.post('/verify-password', { password: 'x'.repeat(129) }), 400, 'PASSWORD_TOO_LONG');
    await rejected(server.db, () => a.browser.post('/verify-password', {}), 400, 'VALIDATION_ERROR');
    await rejected(server.db, () => a.browser.post('/verify-password', { password: 12345678 }), 400, 'VALIDATION_ERROR');
    await rejected(server.db, () => a.browser.post('/verify-password', { password: PASSWORD, remember: true }), 400, 'VALIDATION_ERROR');
    sql(server.db, `delete from account where userId = '${a.user.id}'`);
    await rejected(server.db, () => a.browser.post('/verify-password', { password: PASSWORD }), 400, 'INVALID_PASSWORD');
  });
});

// ---------------------------------------------------------------------------------------------

describe('the mail endpoints without a mail sender', () => {
  test('request-password-reset: 400 RESET_PASSWORD_DISABLED', async () => {
    const a = await signUp(server);
    await rejected(server.db, () => new Browser(server.api).post('/request-password-reset', { email: a.email }), 400, 'RESET_PASSWORD_DISABLED');
  });

  test('send-verification-email: 400 VERIFICATION_EMAIL_NOT_ENABLED, with and without a session', async () => {
    const a = await signUp(server);
    await rejected(server.db, () => a.browser.post('/send-verification-email', { email: a.email }), 400, 'VERIFICATION_EMAIL_NOT_ENABLED');
    await rejected(server.db, () => new Browser(server.api).post('/send-verification-email', { email: a.email }), 400, 'VERIFICATION_EMAIL_NOT_ENABLED');
  });
});

describe('with mail (outbox): password reset and verification endpoints', () => {
  let mailer;
  before(async () => {
    mailer = await startServer({ ...EDITS_DB, mail: 'outbox' });
  });
  after(async () => {
    await mailer.stop();
  });

  // Asks for a reset link for `email` and returns the token from the mail.
  async function resetToken(email, redirectTo) {
    const count = outboxMails(mailer.outbox).filter((m) => m.to === email && m.kind === 'reset-password').length;
    const res = await new Browser(mailer.api).post('/request-password-reset', redirectTo ? { email, redirectTo } : { email });
    assert.equal(res.status, 200);
    const mail = await waitFor(() => outboxMails(mailer.outbox).filter((m) => m.to === email && m.kind === 'reset-password')[count], {
      what: `a reset mail to ${email}`,
    });
    const url = new URL(mail.link);
    return { token: url.pathname.split('/').pop(), url };
  }

  test('request-password-reset: the same 200 for known and unknown addresses', async () => {
    const a = await signUp(mailer);
    const body = { status: true, message: 'If this email exists in our system, check your email for the reset link' };
    for (const email of [a.email, freshEmail('unknown')]) {
      const res = await new Browser(mailer.api).post('/request-password-reset', { email });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, body);
    }
  });

  test('request-password-reset: 400 VALIDATION_ERROR, 403 INVALID_REDIRECT_URL; a relative redirectTo is accepted', async () => {
    const a = await signUp(mailer);
    const send = (body) => () => new Browser(mailer.api).post('/request-password-reset', body);
    await rejected(mailer.db, send({ email: 'not-an-email' }), 400, 'VALIDATION_ERROR', '[body.email] Invalid email address');
    for (const redirectTo of [`${EVIL}/reset`, '//evil.example/reset', '/%2F%2Fevil.example']) {
      await rejected(mailer.db, send({ email: a.email, redirectTo }), 403, 'INVALID_REDIRECT_URL');
    }
    const { url } = await resetToken(a.email, '/reset');
    assert.equal(url.searchParams.get('callbackURL'), '/reset');
  });

  test('GET /reset-password/:token: 302 to callbackURL with ?token= for a live token, ?error=INVALID_TOKEN otherwise', async () => {
    const a = await signUp(mailer);
    const { token } = await resetToken(a.email);
    assert.match(token, /^[A-Za-z0-9]{24}$/);
    const get = (path) => rawRequest(`${mailer.api}${path}`);

    const live = await get(`/reset-password/${token}?callbackURL=${encodeURIComponent(`${mailer.url}/reset`)}`);
    assert.equal(live.status, 302);
    assert.equal(live.headers.get('location'), `${mailer.url}/reset?token=${token}`);
    assert.equal(live.headers.get('content-type'), 'application/json');
    assert.equal(live.text, '');

    const withQuery = await get(`/reset-password/${token}?callbackURL=${encodeURIComponent(`${mailer.url}/reset?step=2`)}`);
    assert.equal(withQuery.headers.get('location'), `${mailer.url}/reset?step=2&token=${token}`);

    // A relative callbackURL is resolved against the base URL.
    const relative = await get(`/reset-password/${token}?callbackURL=%2Freset`);
    assert.equal(relative.status, 302);
    assert.equal(relative.headers.get('location'), `${mailer.url}/reset?token=${token}`);

    const unknown = await get(`/reset-password/${'Z'.repeat(24)}?callbackURL=${encodeURIComponent(`${mailer.url}/reset`)}`);
    assert.equal(unknown.status, 302);
    assert.equal(unknown.headers.get('location'), `${mailer.url}/reset?error=INVALID_TOKEN`);

    const missing = await get(`/reset-password/${token}`);
    assertError(missing, 400, 'VALIDATION_ERROR', '[query.callbackURL] Invalid input: expected string, received undefined');
    for (const callbackURL of [`${EVIL}/reset`, '//evil.example/reset']) {
      assertError(await get(`/reset-password/${token}?callbackURL=${encodeURIComponent(callbackURL)}`), 403, 'INVALID_CALLBACK_URL');
    }

    // Following the redirect does not use the token up.
    const done = await rawPost(mailer, '/reset-password', { token, newPassword: 'after-redirect-pw' });
    assert.equal(done.status, 200);
    const expired = await get(`/reset-password/${token}?callbackURL=%2Freset`);
    assert.equal(expired.headers.get('location'), `${mailer.url}/reset?error=INVALID_TOKEN`, 'a used token');
  });

  test('POST /reset-password: 200 once; INVALID_TOKEN when missing, unknown, used or expired', async () => {
    const a = await signUp(mailer);
    const reset = (body, query = '') => () => new Browser(mailer.api).post(`/reset-password${query}`, body);
    await rejected(mailer.db, reset({ newPassword: 'brand-new-password' }), 400, 'INVALID_TOKEN');
    await rejected(mailer.db, reset({ token: '', newPassword: 'brand-new-password' }), 400, 'INVALID_TOKEN');
    await rejected(mailer.db, reset({ token: 'Q'.repeat(24), newPassword: 'brand-new-password' }), 400, 'INVALID_TOKEN');
    await rejected(mailer.db, reset({ token: 'Q'.repeat(24) }), 400, 'VALIDATION_ERROR', '[body.newPassword] Invalid input: expected string, received undefined');

    const { token } = await resetToken(a.email);
    // A password the policy refuses does not use the token up.
    await rejected(mailer.db, reset({ token, newPassword: 'short' }), 400, 'PASSWORD_TOO_SHORT');
    await rejected(mailer.db, reset({ token, newPassword: 'l'.repeat(129) }), 400, 'PASSWORD_TOO_LONG');
    const ok = await reset({ token, newPassword: 'brand-new-password' })();
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body, { status: true });
    await signIn(mailer, a.email, 'brand-new-password');
    await rejected(mailer.db, reset({ token, newPassword: 'third-password-x' }), 400, 'INVALID_TOKEN');

    // The token in the query string works too.
    const second = await resetToken(a.email);
    const viaQuery = await reset({ newPassword: 'query-password-1' }, `?token=${second.token}`)();
    assert.equal(viaQuery.status, 200);
    await signIn(mailer, a.email, 'query-password-1');

    // An expired token.
    const third = await resetToken(a.email);
    sql(mailer.db, `update verification set expiresAt = '${isoAgo(1000)}' where identifier like 'reset-password:%'`);
    const stale = await reset({ token: third.token, newPassword: 'expired-password' })();
    assertError(stale, 400, 'INVALID_TOKEN');
    assertError(await new Browser(mailer.api).post('/sign-in/email', { email: a.email, password: 'expired-password' }), 401, 'INVALID_EMAIL_OR_PASSWORD');
  });

  test('send-verification-email: 200, EMAIL_MISMATCH, EMAIL_ALREADY_VERIFIED, bad input', async () => {
    const a = await signUp(mailer);
    const res = await a.browser.post('/send-verification-email', { email: a.email });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: true });
    const send = (body) => () => a.browser.post('/send-verification-email', body);
    await rejected(mailer.db, send({ email: freshEmail('other') }), 400, 'EMAIL_MISMATCH');
    await rejected(mailer.db, send({ email: 'not-an-email' }), 400, 'VALIDATION_ERROR', '[body.email] Invalid email address');
    await rejected(mailer.db, send({ email: a.email, callbackURL: `${EVIL}/verified` }), 403, 'INVALID_CALLBACK_URL');
    sql(mailer.db, `update "user" set emailVerified = 1 where id = '${a.user.id}'`);
    await rejected(mailer.db, send({ email: a.email }), 400, 'EMAIL_ALREADY_VERIFIED');
  });

  test('verify-email: 401 INVALID_TOKEN without callbackURL, a 302 with ?error= with one, 403 for an untrusted one', async () => {
    const get = (query) => rawRequest(`${mailer.api}/verify-email${query}`);
    const before = dump(mailer.db);
    for (const query of ['', '?token=', `?token=${'V'.repeat(32)}`, '?token=not.a.jwt']) {
      assertError(await get(query), 401, 'INVALID_TOKEN');
    }
    const redirect = await get(`?token=${'V'.repeat(32)}&callbackURL=${encodeURIComponent(`${mailer.url}/verified`)}`);
    assert.equal(redirect.status, 302);
    assert.equal(redirect.headers.get('location'), `${mailer.url}/verified?error=INVALID_TOKEN`);
    assert.equal(redirect.text, '');
    const withQuery = await get(`?token=x&callbackURL=${encodeURIComponent('/verified?from=mail')}`);
    assert.equal(withQuery.headers.get('location'), '/verified?from=mail&error=INVALID_TOKEN');
    assertError(await get(`?token=x&callbackURL=${encodeURIComponent(`${EVIL}/verified`)}`), 403, 'INVALID_CALLBACK_URL');
    assert.equal(dump(mailer.db), before);
  });
});

// ---------------------------------------------------------------------------------------------

describe('origin checks (contract §8)', () => {
  let victim;
  before(async () => {
    victim = await signUp(server, { name: 'Victim' });
  });
  const cookieOf = () => victim.browser.cookieHeader();

  test('Rule A: a cookie-bearing POST needs a trusted Origin (or Referer)', async () => {
    const post = (headers) => () => rawPost(server, '/update-user', { name: 'Pwned' }, { cookie: cookieOf(), ...headers });
    await rejected(server.db, post({}), 403, 'MISSING_OR_NULL_ORIGIN');
    await rejected(server.db, post({ origin: 'null' }), 403, 'MISSING_OR_NULL_ORIGIN');
    await rejected(server.db, post({ origin: EVIL }), 403, 'INVALID_ORIGIN');
    await rejected(server.db, post({ referer: `${EVIL}/page` }), 403, 'INVALID_ORIGIN');
    await rejected(server.db, post({ origin: server.url.replace('127.0.0.1', 'localhost') }), 403, 'INVALID_ORIGIN');
    // Any cookie counts, even one that is not the session's.
    await rejected(server.db, () => rawPost(server, '/sign-in/email', { email: victim.email, password: PASSWORD }, { cookie: 'theme=dark' }), 403, 'MISSING_OR_NULL_ORIGIN');
    await rejected(server.db, () => rawPost(server, '/sign-out', {}, { cookie: cookieOf() }), 403, 'MISSING_OR_NULL_ORIGIN');

    for (const headers of [{ origin: server.url }, { referer: `${server.url}/settings` }, { origin: 'null', 'sec-fetch-site': 'same-origin' }]) {
      const res = await post(headers)();
      assert.equal(res.status, 200, JSON.stringify(headers));
    }
  });

  test('GET requests are exempt from the origin check', async () => {
    const res = await rawRequest(`${server.api}/get-session`, { headers: { cookie: cookieOf(), origin: EVIL } });
    assert.equal(res.status, 200);
    assert.equal(res.body.user.id, victim.user.id);
  });

  test('trustedOrigins admits other origins, with * patterns', async () => {
    await withServer({ ...EDITS_DB, trustedOrigins: ['https://app.example.com', 'https://*.trusted.test'] }, async (s) => {
      const a = await signUp(s);
      const post = (origin, body = { name: 'From elsewhere' }) => () =>
        rawPost(s, '/update-user', body, { cookie: a.browser.cookieHeader(), origin });
      for (const origin of ['https://app.example.com', 'https://eu.trusted.test']) {
        assert.equal((await post(origin)()).status, 200, origin);
      }
      for (const origin of [EVIL, 'http://app.example.com', 'https://trusted.test.evil.example']) {
        await rejected(s.db, post(origin), 403, 'INVALID_ORIGIN');
      }
      const signIn = await rawPost(s, '/sign-in/email', { email: a.email, password: PASSWORD, callbackURL: 'https://app.example.com/home' });
      assert.equal(signIn.status, 200, 'a callbackURL on a trusted origin is accepted');
    });
  });

  test('Rule B: sign-in and sign-up without cookies, by Fetch Metadata', async () => {
    const creds = { email: victim.email, password: PASSWORD };
    const signInWith = (headers) => () => rawPost(server, '/sign-in/email', creds, headers);
    await rejected(server.db, signInWith({ 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', origin: server.url }), 403, 'CROSS_SITE_NAVIGATION_LOGIN_BLOCKED');
    await rejected(server.db, signInWith({ 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' }), 403, 'CROSS_SITE_NAVIGATION_LOGIN_BLOCKED');
    await rejected(server.db, signInWith({ 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'cors', origin: EVIL }), 403, 'INVALID_ORIGIN');
    await rejected(server.db, signInWith({ 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors' }), 403, 'MISSING_OR_NULL_ORIGIN');
    await rejected(server.db, signInWith({ origin: EVIL }), 403, 'INVALID_ORIGIN');
    await rejected(
      server.db,
      () => rawPost(server, '/sign-up/email', { name: 'X', email: freshEmail(), password: PASSWORD }, { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' }),
      403,
      'CROSS_SITE_NAVIGATION_LOGIN_BLOCKED',
    );

    const sameOrigin = await signInWith({ 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors', origin: server.url })();
    assert.equal(sameOrigin.status, 200);
    // curl or a server: no Origin, no Fetch Metadata, no cookies.
    const curl = await signInWith({})();
    assert.equal(curl.status, 200);
    assert.equal(curl.body.user.id, victim.user.id);
  });
});

describe('CORS', () => {
  test('a preflight from a trusted origin gets 204 with credentials allowed; an untrusted one gets 404', async () => {
    const preflight = (origin) =>
      rawRequest(`${server.api}/sign-in/email`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
    const ok = await preflight(server.url);
    assert.equal(ok.status, 204);
    assert.equal(ok.headers.get('access-control-allow-origin'), server.url);
    assert.equal(ok.headers.get('access-control-allow-credentials'), 'true');
    assert.match(ok.headers.get('access-control-allow-methods'), /POST/);
    assert.match(ok.headers.get('access-control-allow-headers'), /content-type/);

    const evil = await preflight(EVIL);
    assert.equal(evil.status, 404);
    assert.equal(evil.text, '');
    for (const [name] of evil.headers) assert.ok(!name.startsWith('access-control-'), name);
  });

  test('responses to a trusted origin carry the CORS headers and expose set-auth-token; others do not', async () => {
    const trusted = await rawRequest(`${server.api}/ok`, { headers: { origin: server.url } });
    assert.equal(trusted.headers.get('access-control-allow-origin'), server.url);
    assert.equal(trusted.headers.get('access-control-allow-credentials'), 'true');
    assert.equal(trusted.headers.get('access-control-expose-headers'), 'set-auth-token');

    const signUpRes = await rawPost(server, '/sign-up/email', { name: 'Cors', email: freshEmail(), password: PASSWORD }, { origin: server.url });
    assert.equal(signUpRes.status, 200);
    assert.equal(signUpRes.headers.get('access-control-allow-origin'), server.url);
    assert.ok(signUpRes.headers.get('set-auth-token'));

    for (const headers of [{ origin: EVIL }, {}]) {
      const res = await rawRequest(`${server.api}/ok`, { headers });
      for (const [name] of res.headers) assert.ok(!name.startsWith('access-control-'), name);
    }
  });
});

describe('Bearer tokens (the bearer plugin)', () => {
  test('[ASVS 3.5.2] the bare token and the signed set-auth-token value both authenticate, without Origin', async () => {
    const up = await rawPost(server, '/sign-up/email', { name: 'Bearer', email: freshEmail('bearer'), password: PASSWORD });
    assert.equal(up.status, 200);
    const signed = up.headers.get('set-auth-token');
    assert.match(signed, /^[A-Za-z0-9]{32}\.[A-Za-z0-9+/]{43}=$/);
    assert.equal(signed.split('.')[0], up.body.token);

    for (const value of [up.body.token, signed, encodeURIComponent(signed)]) {
      const res = await rawRequest(`${server.api}/get-session`, { headers: { authorization: `Bearer ${value}` } });
      assert.equal(res.status, 200);
      assert.equal(res.body.session.token, up.body.token, value);
    }
    for (const [value, name] of [[up.body.token, 'By Bare Token'], [signed, 'By Signed Token']]) {
      const res = await rawPost(server, '/update-user', { name }, { authorization: `Bearer ${value}` });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(userRow(server.db, up.body.user.id).name, name);
    }
  });

  test('a wrong bearer token is no session: 401 on update-user, null from get-session', async () => {
    const a = await signUp(server);
    const forged = `${a.token}.${'A'.repeat(43)}=`;
    for (const value of ['W'.repeat(32), forged]) {
      await rejected(server.db, () => rawPost(server, '/update-user', { name: 'Nope' }, { authorization: `Bearer ${value}` }), 401, 'UNAUTHORIZED');
      const res = await rawRequest(`${server.api}/get-session`, { headers: { authorization: `Bearer ${value}` } });
      assert.equal(res.text, 'null');
    }
  });
});

describe('abuse limits', () => {
  test('[ASVS 2.2.1, 8.1.4] rate limit: the 4th sign-in within 10 s gets 429 with x-retry-after; other paths are unaffected', async () => {
    await withServer({ ...EDITS_DB, rateLimit: true }, async (s) => {
      const attempt = () => new Browser(s.api).post('/sign-in/email', { email: 'nobody@example.com', password: 'wrong-password' });
      for (let i = 0; i < 3; i++) assert.equal((await attempt()).status, 401, `attempt ${i + 1}`);
      const before = dump(s.db);
      const blocked = await attempt();
      assert.equal(blocked.status, 429);
      assert.equal(blocked.body.message, 'Too many requests. Please try again later.');
      const retry = Number(blocked.headers.get('x-retry-after'));
      assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 10, `x-retry-after ${retry}`);
      assert.equal(dump(s.db), before);
      // Still blocked: a blocked request does not count, but it does not reset the window either.
      assert.equal((await attempt()).status, 429);

      assert.equal((await rawRequest(`${s.api}/ok`)).status, 200);
      assert.equal((await rawRequest(`${s.api}/get-session`)).status, 200);
      const up = await new Browser(s.api).post('/sign-up/email', { name: 'R', email: 'r@example.com', password: PASSWORD });
      assert.equal(up.status, 200, 'sign-up has its own counter');
    });
  });

  test('[ASVS 2.2.1] account throttle: after 3 failures even the right password gets the same 401; other accounts are unaffected', async () => {
    await withServer({ ...EDITS_DB, accountMaxFailures: 3 }, async (s) => {
      const target = await signUp(s);
      const bystander = await signUp(s);
      const attempt = (email, password) => new Browser(s.api).post('/sign-in/email', { email, password });
      const wrong = await attempt(target.email, 'wrong-password');
      assertError(wrong, 401, 'INVALID_EMAIL_OR_PASSWORD');
      for (let i = 0; i < 2; i++) assertError(await attempt(target.email, 'wrong-password'), 401, 'INVALID_EMAIL_OR_PASSWORD');
      const before = dump(s.db);
      const right = await attempt(target.email, PASSWORD);
      assert.equal(right.status, 401);
      assert.deepEqual(right.body, wrong.body, 'indistinguishable from a wrong password');
      assert.deepEqual(right.headers.getSetCookie(), []);
      assert.equal(dump(s.db), before, 'no session was made');
      assert.equal((await attempt(bystander.email, PASSWORD)).status, 200);
    });
  });

  test('account throttle: wrong passwords through a session count too (verify-password, change-password, delete-user)', async () => {
    await withServer({ ...EDITS_DB, accountMaxFailures: 3 }, async (s) => {
      const target = await signUp(s);
      const signIn = (password) => new Browser(s.api).post('/sign-in/email', { email: target.email, password });
      // A success clears the failures, as a sign-in's does: two wrong, one right, two wrong.
      for (let i = 0; i < 2; i++) assertError(await target.browser.post('/verify-password', { password: 'wrong-password' }), 400, 'INVALID_PASSWORD');
      assert.equal((await target.browser.post('/verify-password', { password: PASSWORD })).status, 200);
      assertError(await target.browser.post('/verify-password', { password: 'wrong-password' }), 400, 'INVALID_PASSWORD');
      assertError(await target.browser.post('/change-password', { currentPassword: 'wrong-password', newPassword: 'another-good-passphrase' }), 400, 'INVALID_PASSWORD');
      assert.equal((await signIn(PASSWORD)).status, 200, 'two failures since the last success: not throttled yet');
      // The sign-in cleared them; three more, through three endpoints.
      assertError(await target.browser.post('/verify-password', { password: 'wrong-password' }), 400, 'INVALID_PASSWORD');
      assertError(await target.browser.post('/change-password', { currentPassword: 'wrong-password', newPassword: 'another-good-passphrase' }), 400, 'INVALID_PASSWORD');
      assertError(await target.browser.post('/delete-user', { password: 'wrong-password' }), 400, 'INVALID_PASSWORD');
      // Throttled: the right password is refused everywhere, and nothing changes.
      const before = dump(s.db);
      assertError(await target.browser.post('/verify-password', { password: PASSWORD }), 400, 'INVALID_PASSWORD');
      assertError(await target.browser.post('/delete-user', { password: PASSWORD }), 400, 'INVALID_PASSWORD');
      assertError(await target.browser.post('/change-password', { currentPassword: PASSWORD, newPassword: 'another-good-passphrase' }), 400, 'INVALID_PASSWORD');
      assertError(await signIn(PASSWORD), 401, 'INVALID_EMAIL_OR_PASSWORD');
      assert.equal(dump(s.db), before);
    });
  });

  test('rate limit: verify-password allows 3 per 10 s (BetterAuth allows 100)', async () => {
    await withServer({ ...EDITS_DB, rateLimit: true }, async (s) => {
      const a = await signUp(s);
      for (let i = 0; i < 3; i++) assert.equal((await a.browser.post('/verify-password', { password: PASSWORD })).status, 200, `attempt ${i + 1}`);
      const blocked = await a.browser.post('/verify-password', { password: PASSWORD });
      assert.equal(blocked.status, 429);
      assert.equal((await a.browser.get('/list-accounts')).status, 200, 'other paths have their own counters');
    });
  });
});

describe('failures a client cannot cause', () => {
  test('storage failures: 500 FAILED_TO_GET_SESSION, 400 FAILED_TO_CREATE_SESSION, 422 FAILED_TO_CREATE_USER', async () => {
    await withServer(EDITS_DB, async (s) => {
      const a = await signUp(s);
      sql(s.db, 'alter table session rename to session_moved');
      assertError(await a.browser.get('/get-session'), 500, 'FAILED_TO_GET_SESSION', 'Failed to get session');
      assertError(await new Browser(s.api).post('/sign-in/email', { email: a.email, password: PASSWORD }), 400, 'FAILED_TO_CREATE_SESSION', 'Failed to create session');
      sql(s.db, 'alter table session_moved rename to session');

      sql(s.db, 'alter table account rename to account_moved');
      await rejected(
        s.db,
        () => new Browser(s.api).post('/sign-up/email', { name: 'No Account', email: freshEmail(), password: PASSWORD }),
        422,
        'FAILED_TO_CREATE_USER',
        'Failed to create user',
      );
      sql(s.db, 'alter table account_moved rename to account');
      assert.equal((await a.browser.get('/get-session')).body.user.id, a.user.id, 'the server recovers');
    });
  });

  test('a full hash queue: 503 SERVER_BUSY with Retry-After, and nothing is written for those', async () => {
    await withServer({ ...EDITS_DB, hashWorkers: 1, hashQueue: 0 }, async (s) => {
      const results = await Promise.all(
        Array.from({ length: 8 }, () => new Browser(s.api).post('/sign-up/email', { name: 'Busy', email: freshEmail('busy'), password: PASSWORD })),
      );
      const statuses = results.map((r) => r.status);
      assert.ok(statuses.every((st) => st === 200 || st === 503), `statuses: ${statuses}`);
      const busy = results.filter((r) => r.status === 503);
      assert.ok(busy.length > 0 && busy.length < 8, `statuses: ${statuses}`);
      for (const r of busy) {
        assertError(r, 503, 'SERVER_BUSY', 'Server is busy. Please try again shortly.');
        assert.equal(r.headers.get('retry-after'), '1');
      }
      assert.equal(sql(s.db, 'select count(*) as n from "user"')[0].n, 8 - busy.length);
    });
  });

  test('a sign-up whose client leaves while it waits for the hash pool is dropped: nothing is written', async () => {
    await withServer({ ...EDITS_DB, hashWorkers: 1, hashQueue: 10 }, async (s) => {
      const { hostname, port } = new URL(s.url);
      // The pool's only worker hashes this one's password first...
      const first = new Browser(s.api).post('/sign-up/email', { name: 'First', email: freshEmail('first'), password: PASSWORD });
      // ... while these six clients send a sign-up each and close their connection at once, so
      // each leaves before a worker reaches its request.
      const leaving = Array.from({ length: 6 }, () => freshEmail('leaving'));
      await Promise.all(
        leaving.map(
          (email) =>
            new Promise((resolve, reject) => {
              const body = JSON.stringify({ name: 'Leaving', email, password: PASSWORD });
              const socket = connect({ host: hostname, port: Number(port) }, () => {
                socket.end(
                  `POST /api/auth/sign-up/email HTTP/1.1\r\nHost: ${hostname}:${port}\r\nOrigin: ${s.url}\r\n` +
                    `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
                );
              });
              socket.on('error', reject);
              socket.on('close', resolve);
              socket.resume();
            }),
        ),
      );
      // A client that stays, queued after them, is answered as usual.
      const last = await new Browser(s.api).post('/sign-up/email', { name: 'Last', email: freshEmail('last'), password: PASSWORD });
      assert.equal(last.status, 200);
      assert.equal((await first).status, 200);

      const users = sql(s.db, 'select email from "user"').map((r) => r.email);
      const created = leaving.filter((email) => users.includes(email));
      // A worker could only reach one of them before its client had closed if the first hash ended
      // before the six requests even arrived: at most one.
      assert.ok(created.length <= 1, `created for clients that had left: ${created}`);
      assert.equal(users.length, 2 + created.length);
      // Their threads log each one as nginx would: 499, the client closed the request.
      const dropped = await waitFor(() => {
        const lines = s.logs.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request' && l.status === 499);
        return lines.length === leaving.length - created.length && lines;
      }, { what: 'the dropped requests in the access log' });
      for (const line of dropped) assert.equal(line.path, '/api/auth/sign-up/email');
    });
  });
});
