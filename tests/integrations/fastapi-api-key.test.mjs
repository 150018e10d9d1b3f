// The FastAPI integration with API keys (the server's --api-key), with real processes: the
// portcullis binary and the example app of integrations/fastapi under uvicorn. A user signs up
// and makes a key over HTTP, as a person would; a "script" (fetch with the x-api-key header and
// no cookie) then calls the API, which asks get-session about the key on every request.
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { freePort, startApi } from '../support/fastapi.mjs';
import { BIN, Browser, SECRET, sql, startServer, withServer } from '../support/server.mjs';

const PASSWORD = 'fastapi-Api-Keys-2026!';

// Every key may be used twice per window (a day): each test makes its own keys.
const SERVER_CONFIG = { apiKey: true, apiKeyRateLimitMax: 2, admin: true };
let server;
let api;
before(async () => {
  server = await startServer({ port: await freePort(), ...SERVER_CONFIG });
  api = await startApi(server.api);
});
after(async () => {
  await api?.stop();
  await server?.stop();
});

async function signedInBrowser(email, s = server) {
  const browser = new Browser(s.api);
  const res = await browser.post('/sign-up/email', { name: 'Grace Hopper', email, password: PASSWORD });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return browser;
}

/** A new key of the browser's user, made over HTTP: {id, key, ...} (the key shown this once). */
async function newKey(browser, name = 'nightly-report') {
  const res = await browser.post('/api-key/create', { name });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(typeof res.body.key, 'string');
  return res.body;
}

/** A request to the API as a script makes it: the key in its header, no cookie. */
const call = (path, headers = {}, { app = api, method = 'GET' } = {}) =>
  fetch(`${app.url}${path}`, { method, headers }).then(async (r) => ({
    status: r.status,
    body: await r.json(),
    retryAfter: r.headers.get('retry-after'),
    challenge: r.headers.get('www-authenticate'),
  }));
const withKey = (key) => ({ 'x-api-key': key });
const requestCount = async (browser, id) => {
  const res = await browser.get(`/api-key/get?id=${encodeURIComponent(id)}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.requestCount;
};
const KEY_CHALLENGE = 'ApiKey header="x-api-key"';

test('a key made over HTTP lets a script call a protected route, as the key\'s owner', async () => {
  const grace = await signedInBrowser('grace-key@example.com');
  const created = await newKey(grace);
  const me = await call('/api/me', withKey(created.key));
  assert.equal(me.status, 200, JSON.stringify(me.body));
  assert.equal(me.body.email, 'grace-key@example.com');
  assert.equal(me.body.name, 'Grace Hopper');
  // The same user the cookie gives.
  const byCookie = await call('/api/me', { cookie: grace.cookieHeader() });
  assert.deepEqual(byCookie, { ...me, status: 200 });
  // current_session: the package says it was a key (it sent the header), and which one.
  const session = await call('/api/session', withKey(created.key));
  assert.equal(session.status, 200);
  assert.deepEqual(session.body, { sessionId: null, apiKeyId: created.id, userId: me.body.id, via: 'api-key' });
  assert.equal(await requestCount(grace, created.id), 2);
  // The key is in nobody's log: neither the API's nor the server's.
  assert.ok(!api.output.includes(created.key));
  assert.ok(!server.logs.some((l) => l.includes(created.key)));
});

test("the key alone decides: another user's cookie sent with it is not forwarded", async () => {
  const grace = await signedInBrowser('grace-owner@example.com');
  const ada = await signedInBrowser('ada-cookie-holder@example.com');
  const { key } = await newKey(grace);
  const res = await call('/api/me', { ...withKey(key), cookie: ada.cookieHeader() });
  assert.equal(res.status, 200);
  assert.equal(res.body.email, 'grace-owner@example.com');
  // ... and a refused key is refused even with a good cookie beside it.
  const wrong = await call('/api/me', { 'x-api-key': 'x'.repeat(64), cookie: ada.cookieHeader() });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.body.detail.code, 'INVALID_API_KEY');
});

test('a wrong key: 401 with the code INVALID_API_KEY; a stranger for optional_user', async () => {
  const grace = await signedInBrowser('grace-wrong@example.com');
  const { key } = await newKey(grace);
  const altered = key.slice(0, -1) + (key.endsWith('a') ? 'b' : 'a');
  for (const wrong of [altered, 'A'.repeat(64), 'short']) {
    const res = await call('/api/me', withKey(wrong));
    assert.deepEqual(
      { status: res.status, body: res.body, challenge: res.challenge },
      { status: 401, body: { detail: { code: 'INVALID_API_KEY', message: 'Invalid API key.' } }, challenge: KEY_CHALLENGE },
    );
  }
  assert.deepEqual((await call('/api/hello', withKey(altered))).body, { message: 'Hello, stranger!' });
  assert.deepEqual((await call('/api/hello', withKey(key))).body, { message: 'Hello, Grace Hopper!' });
  // Without a key (nor a cookie) the answer is as it always was.
  const none = await call('/api/me');
  assert.deepEqual({ status: none.status, body: none.body, challenge: none.challenge }, { status: 401, body: { detail: 'Not signed in' }, challenge: 'Bearer' });
});

test('a disabled key: 401 KEY_DISABLED, and 200 again once enabled; an expired key: 401 KEY_EXPIRED', async () => {
  const grace = await signedInBrowser('grace-disabled@example.com');
  const created = await newKey(grace);
  assert.equal((await grace.post('/api-key/update', { keyId: created.id, enabled: false })).status, 200);
  const disabled = await call('/api/me', withKey(created.key));
  assert.deepEqual(
    { status: disabled.status, body: disabled.body, challenge: disabled.challenge },
    { status: 401, body: { detail: { code: 'KEY_DISABLED', message: 'API Key is disabled' } }, challenge: KEY_CHALLENGE },
  );
  assert.equal(await requestCount(grace, created.id), 0); // a refusal counts nothing
  assert.equal((await grace.post('/api-key/update', { keyId: created.id, enabled: true })).status, 200);
  assert.equal((await call('/api/me', withKey(created.key))).status, 200);

  const expiring = await newKey(grace, 'expiring');
  sql(server.db, `UPDATE "apikey" SET "expiresAt" = '${new Date(Date.now() - 60e3).toISOString()}' WHERE "id" = '${expiring.id}'`);
  const expired = await call('/api/me', withKey(expiring.key));
  assert.equal(expired.status, 401);
  assert.equal(expired.body.detail.code, 'KEY_EXPIRED');
});

test("the key's rate limit (--api-key-rate-limit-max 2): the third call is 429 with Retry-After", async () => {
  const grace = await signedInBrowser('grace-rate@example.com');
  const created = await newKey(grace);
  for (let i = 0; i < 2; i++) assert.equal((await call('/api/me', withKey(created.key))).status, 200);
  const limited = await call('/api/me', withKey(created.key));
  assert.equal(limited.status, 429, JSON.stringify(limited.body));
  assert.equal(limited.body.detail.code, 'RATE_LIMITED');
  const { tryAgainIn } = limited.body.detail;
  assert.ok(Number.isInteger(tryAgainIn) && tryAgainIn > 0 && tryAgainIn <= 86400e3, String(tryAgainIn));
  // The server's Retry-After (whole seconds, rounded up), passed through.
  assert.match(limited.retryAfter ?? '', /^\d+$/);
  assert.equal(Number(limited.retryAfter), Math.ceil(tryAgainIn / 1000));
  // optional_user too: the server would not say whose key it is, so no stranger's answer either.
  assert.equal((await call('/api/hello', withKey(created.key))).status, 429);
  assert.equal(await requestCount(grace, created.id), 2);
  // The cookie of the key's owner is not limited by the key.
  assert.equal((await call('/api/me', { cookie: grace.cookieHeader() })).status, 200);
});

test('a key with no uses left: 429 USAGE_EXCEEDED, without Retry-After', async () => {
  const grace = await signedInBrowser('grace-usage@example.com');
  const created = await newKey(grace);
  sql(server.db, `UPDATE "apikey" SET "remaining" = 0 WHERE "id" = '${created.id}'`);
  const res = await call('/api/me', withKey(created.key));
  assert.deepEqual(
    { status: res.status, body: res.body, retryAfter: res.retryAfter },
    { status: 429, body: { detail: { code: 'USAGE_EXCEEDED', message: 'API Key has reached its usage limit' } }, retryAfter: null },
  );
});

test("a banned owner's key: 403 BANNED_USER (a stranger for optional_user)", async () => {
  const grace = await signedInBrowser('grace-banned@example.com');
  const { key } = await newKey(grace);
  assert.equal((await call('/api/me', withKey(key))).status, 200);
  execFileSync(BIN, ['user', 'ban', '--email', 'grace-banned@example.com', '--database', server.db], {
    env: { ...process.env, BETTER_AUTH_SECRET: SECRET },
  });
  const res = await call('/api/me', withKey(key));
  assert.equal(res.status, 403, JSON.stringify(res.body));
  assert.equal(res.body.detail.code, 'BANNED_USER');
  assert.deepEqual((await call('/api/hello', withKey(key))).body, { message: 'Hello, stranger!' });
});

test('two auth dependencies in one route ask the server once: one use of the key per request', async () => {
  const boss = await signedInBrowser('grace-staff@example.com');
  execFileSync(BIN, ['user', 'set-role', '--email', 'grace-staff@example.com', '--role', 'user,admin', '--database', server.db], {
    env: { ...process.env, BETTER_AUTH_SECRET: SECRET },
  });
  const created = await newKey(boss);
  // /api/staff depends on admin_user and current_session: with a limit of 2, two requests pass.
  for (let i = 0; i < 2; i++) {
    const res = await call('/api/staff', withKey(created.key));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.roles, ['user', 'admin']);
    assert.equal(res.body.via, 'api-key');
  }
  assert.equal(await requestCount(boss, created.id), 2);
  assert.equal((await call('/api/staff', withKey(created.key))).status, 429);
});

test('the cookie path is unchanged on a server with --api-key; a route for people refuses keys', async () => {
  const grace = await signedInBrowser('grace-cookie@example.com');
  const cookie = grace.cookieHeader();
  const me = await call('/api/me', { cookie });
  assert.equal(me.status, 200);
  assert.equal(me.body.email, 'grace-cookie@example.com');
  const session = await call('/api/session', { cookie });
  assert.equal(session.body.via, 'session');
  assert.equal(typeof session.body.sessionId, 'string');
  // An empty key header is no key: the cookie answers (as the server reads it too).
  assert.equal((await call('/api/me', { cookie, 'x-api-key': '' })).status, 200);
  // Sign-out still ends it at once.
  assert.equal((await grace.post('/sign-out', {})).status, 200);
  assert.deepEqual((await call('/api/me', { cookie })).body, { detail: 'Not signed in' });

  const ada = await signedInBrowser('ada-export@example.com');
  const { key } = await newKey(ada);
  assert.equal((await call('/api/account/export', { cookie: ada.cookieHeader() }, { method: 'POST' })).status, 200);
  const byKey = await call('/api/account/export', withKey(key), { method: 'POST' });
  assert.deepEqual({ status: byKey.status, body: byKey.body }, { status: 403, body: { detail: 'Not with an API key: sign in' } });
});

test('another header (--api-key-header and PORTCULLIS_API_KEY_HEADER): x-api-key is then no credential', async () => {
  await withServer({ apiKey: true, apiKeyHeader: 'x-portcullis-key' }, async (s) => {
    const app = await startApi(s.api, { env: { PORTCULLIS_API_KEY_HEADER: 'X-Portcullis-Key' } });
    try {
      const grace = await signedInBrowser('grace-header@example.com', s);
      const { key } = await newKey(grace);
      const res = await call('/api/me', { 'x-portcullis-key': key }, { app });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.email, 'grace-header@example.com');
      const other = await call('/api/me', withKey(key), { app });
      assert.deepEqual({ status: other.status, body: other.body }, { status: 401, body: { detail: 'Not signed in' } });
      const wrong = await call('/api/me', { 'x-portcullis-key': 'B'.repeat(64) }, { app });
      assert.equal(wrong.challenge, 'ApiKey header="x-portcullis-key"');
    } finally {
      await app.stop();
    }
  });
});

test('a server without --api-key ignores the key: 503 and a warning that says what to check, never a user', async () => {
  await withServer({}, async (s) => {
    const app = await startApi(s.api);
    try {
      const res = await call('/api/me', withKey('C'.repeat(64)), { app });
      assert.deepEqual({ status: res.status, body: res.body }, { status: 503, body: { detail: 'Authentication service unavailable' } });
      assert.match(app.output, /get-session ignored the API key in 'x-api-key': is the server's --api-key on/);
      assert.ok(!app.output.includes('C'.repeat(64)));
      const grace = await signedInBrowser('grace-no-keys@example.com', s);
      assert.equal((await call('/api/me', { cookie: grace.cookieHeader() }, { app })).status, 200);
    } finally {
      await app.stop();
    }
  });
});
