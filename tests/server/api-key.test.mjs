// API keys (--api-key): BetterAuth's API-key plugin (@better-auth/api-key 1.7.5) as a user and a
// program see it over HTTP. A signed-in user makes keys, each shown once, in full; a program sends
// one in the x-api-key header instead of a session cookie, and get-session answers for the key's
// user: that is how a backend learns who is calling. Each use counts against the key's rate limit.
// The answers are the plugin's JSON (checked against BetterAuth's own server on the same database,
// SQLite and, with PORTCULLIS_TEST_POSTGRES, PostgreSQL, and against its apiKeyClient()), except
// where Portcullis is safer on purpose (auth/api_keys.h): only get-session takes a key (every other
// route ignores the header); a banned user's keys are refused; a user's keys go with the user; a
// request refused by the rate limit spends none of the key's uses; a user has at most
// --api-key-limit keys; get-session shows the user as it always does and never echoes the key;
// metadata is an object of at most 4 KiB; list pages in SQL and refuses an unknown sortBy.
//
// Nothing here waits for a fixed time: an expiry is awaited on the clock (waitFor), the log lines
// of a request by its access-log line.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { apiKey } from '@better-auth/api-key';
import { apiKeyClient } from '@better-auth/api-key/client';
import { createAuthClient } from 'better-auth/client';
import { getMigrations } from 'better-auth/db/migration';

import { betterAuthOnPostgres, betterAuthOnSqlite, browserClient, psql, serveBetterAuth, sqliteCli } from '../support/betterauth.mjs';
import { BIN, Browser, SECRET, dump, rawRequest, sql, startServer, waitFor, withServer } from '../support/server.mjs';
import { errorAsserter } from '../support/assert.mjs';

const APP = 'http://localhost:3000';  // the page's origin, trusted
const PASSWORD = 'api key test passphrase';
const API = { apiKey: true, trustedOrigins: [APP] };
const BETTER_AUTH_OPTIONS = { baseURL: APP, trustedOrigins: [APP] };
const ID = /^[A-Za-z0-9]{32}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const DAY = 86400;
const WEEK_MS = 7 * DAY * 1000;  // the default session lifetime (sessionExpiresIn)
const UA = 'nightly-report/1.0';

// A key as the plugin answers it, its columns in its order ("key", the secret, only from create).
const KEY_FIELDS = ['id', 'configId', 'name', 'start', 'referenceId', 'prefix', 'refillInterval', 'refillAmount',
  'lastRefillAt', 'enabled', 'rateLimitEnabled', 'rateLimitTimeWindow', 'rateLimitMax', 'requestCount', 'remaining',
  'lastRequest', 'expiresAt', 'createdAt', 'updatedAt', 'permissions', 'metadata'];
const SERVER_ONLY = { remaining: 5, refillAmount: 1, refillInterval: 60000, rateLimitEnabled: false, rateLimitTimeWindow: 1000, rateLimitMax: 100, permissions: { files: ['read'] } };

// The plugin's messages (@better-auth/api-key's API_KEY_ERROR_CODES), which Portcullis sends with each code.
const MESSAGES = {
  UNAUTHORIZED: 'Unauthorized',
  UNAUTHORIZED_SESSION: 'Unauthorized or invalid session',
  SERVER_ONLY_PROPERTY: "The property you're trying to set can only be set from the server auth instance only.",
  KEY_NOT_FOUND: 'API Key not found',
  KEY_DISABLED: 'API Key is disabled',
  KEY_EXPIRED: 'API Key has expired',
  USAGE_EXCEEDED: 'API Key has reached its usage limit',
  RATE_LIMITED: 'Rate limit exceeded.',
  INVALID_API_KEY: 'Invalid API key.',
  INVALID_REFERENCE_ID_FROM_API_KEY: 'The reference id from the API key is invalid.',
  EXPIRES_IN_IS_TOO_SMALL: 'The expiresIn is smaller than the predefined minimum value.',
  EXPIRES_IN_IS_TOO_LARGE: 'The expiresIn is larger than the predefined maximum value.',
  INVALID_PREFIX_LENGTH: 'The prefix length is either too large or too small.',
  INVALID_NAME_LENGTH: 'The name length is either too large or too small.',
  NAME_REQUIRED: 'API Key name is required.',
  METADATA_DISABLED: 'Metadata is disabled.',
  INVALID_METADATA_TYPE: 'metadata must be an object or undefined',
  NO_VALUES_TO_UPDATE: 'No values to update.',
  KEY_DISABLED_EXPIRATION: 'Custom key expiration values are disabled.',
  API_KEY_LIMIT_REACHED: 'You have reached the maximum number of API keys',
  BANNED_USER: 'You have been banned from this application. Please contact support if you believe this is an error.',
};

const assertError = errorAsserter(MESSAGES);

/** Asserts the plugin's 429 for a key over its rate limit: {message, code, details: {tryAgainIn}}. */
function assertRateLimited(res) {
  assert.equal(res.status, 429, `429 RATE_LIMITED expected, got ${res.status} ${JSON.stringify(res.body)}`);
  assert.deepEqual(Object.keys(res.body), ['message', 'code', 'details'], JSON.stringify(res.body));
  assert.equal(res.body.code, 'RATE_LIMITED');
  assert.equal(res.body.message, MESSAGES.RATE_LIMITED);
  assert.deepEqual(Object.keys(res.body.details), ['tryAgainIn']);
  const { tryAgainIn } = res.body.details;
  assert.ok(Number.isInteger(tryAgainIn) && tryAgainIn > 0, `tryAgainIn ${tryAgainIn}`);
  assert.equal(res.headers.get('retry-after'), String(Math.ceil(tryAgainIn / 1000)));
  return tryAgainIn;
}

function assertOk(res) {
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

const q = (params) => `?${new URLSearchParams(params)}`;
const byId = (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const hashOf = (key) => createHash('sha256').update(key).digest('base64url');  // the plugin's defaultKeyHasher
const withoutSecret = ({ key, ...rest }) => rest;

let users = 0;
const freshEmail = (tag = 'key') => `${tag}-${++users}-${process.pid}@example.com`;

/** A new user, signed up (and so signed in) in a browser on APP. */
async function signUp(s, { name = 'Ada Lovelace', email = freshEmail() } = {}) {
  const browser = new Browser(s.api, { origin: APP });
  const res = await browser.post('/sign-up/email', { name, email, password: PASSWORD });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return { email, name, browser, id: res.body.user.id };
}

/** Makes a key as `user` (asserted 200); returns the answer, the key in it. */
async function createKey(user, body = {}) {
  return assertOk(await user.browser.post('/api-key/create', body));
}

/** `user`'s keys as list answers them (asserted 200). */
async function listKeys(user, params) {
  return assertOk(await user.browser.get(`/api-key/list${params ? q(params) : ''}`));
}

/** `user`'s key `id` as get answers it (asserted 200). */
async function getKey(user, id) {
  return assertOk(await user.browser.get(`/api-key/get${q({ id })}`));
}

/**
 * A program's request with `key` in the x-api-key header (or `header`), and no cookie unless
 * `headers` has one: GET `path` (get-session by default) on server `s`, a fresh connection.
 */
function withKey(s, key, { path = '/get-session', header = 'x-api-key', headers = {}, method = 'GET', body } = {}) {
  const h = { [header]: key, 'user-agent': UA, origin: APP, ...headers };
  if (body !== undefined) h['content-type'] = 'application/json';
  return rawRequest(`${s.api}${path}`, { method, headers: h, body });
}

/** Asserts a key as get, list and update answer it: every field in the plugin's order, no "key". */
function assertKey(k) {
  assert.deepEqual(Object.keys(k), KEY_FIELDS, JSON.stringify(k));
  assert.match(k.id, ID);
  assert.match(k.createdAt, ISO);
  assert.match(k.updatedAt, ISO);
}

/** The audit lines of the request that answered `res`, after its access-log line, without time and id. */
async function auditOf(s, res) {
  const rid = res.headers.get('x-request-id');
  const lines = () => s.logs.map((l) => JSON.parse(l));
  await waitFor(() => lines().some((l) => l.msg === 'request' && l.id === rid), { what: `the log line of request ${rid}` });
  return lines().filter((l) => l.msg === 'auth' && l.id === rid).map(({ time, id, msg, ...rest }) => rest);
}

/** Runs `portcullis user <args>` on `database`. */
const cli = (database, ...args) => spawnSync(BIN, ['user', ...args, '--database', database], { encoding: 'utf8' });

// ---------------------------------------------------------------------------------------------

let server;  // --api-key and nothing else: the defaults (10 requests a day per key, no metadata)
before(async () => {
  server = await startServer(API);
});
after(async () => {
  await server?.stop();
});

describe('making keys', () => {
  test('create: the key is shown once, in full (the prefix, then 64 letters); the answer is the row as the plugin answers it; only its SHA-256 is stored', async () => {
    const u = await signUp(server);
    const before = Date.now();
    const k = await createKey(u, { name: 'deploy bot', prefix: 'pc_' });
    const after = Date.now();
    assert.deepEqual(Object.keys(k), [...KEY_FIELDS, 'key'], 'every column in the plugin\'s order, then the key');
    assert.match(k.key, /^pc_[a-zA-Z]{64}$/);
    assert.match(k.id, ID);
    assert.match(k.createdAt, ISO);
    const created = Date.parse(k.createdAt);
    assert.ok(created >= before - 1 && created <= after + 1, `${k.createdAt} is now`);
    const { id, key, createdAt, ...rest } = k;
    assert.deepEqual(rest, {
      configId: 'default', name: 'deploy bot', start: key.slice(0, 6), referenceId: u.id, prefix: 'pc_',
      refillInterval: null, refillAmount: null, lastRefillAt: null, enabled: true, rateLimitEnabled: true,
      rateLimitTimeWindow: DAY * 1000, rateLimitMax: 10, requestCount: 0, remaining: null, lastRequest: null,
      expiresAt: null, updatedAt: createdAt, permissions: null, metadata: null,
    });
    assert.equal(k.start, 'pc_' + k.key.slice(3, 6));

    // Stored: the plugin's hash (base64url SHA-256, no padding) and "null" for no metadata; the key nowhere.
    const [row] = sql(server.db, `select "key", "start", "prefix", "metadata", "configId", "referenceId" from "apikey" where "id" = '${k.id}'`);
    assert.deepEqual(row, { key: hashOf(k.key), start: k.start, prefix: 'pc_', metadata: 'null', configId: 'default', referenceId: u.id });
    assert.ok(!dump(server.db).includes(k.key.slice(3)), 'the key is not stored');

    // Without a prefix: 64 letters, and each key its own.
    const plain = await createKey(u);
    assert.match(plain.key, /^[a-zA-Z]{64}$/);
    assert.equal(plain.prefix, null);
    assert.equal(plain.name, null);
    assert.equal(plain.start, plain.key.slice(0, 6));
    assert.notEqual(plain.key, k.key);
    assert.notEqual(plain.id, k.id);

    // get and list answer the same row, and never the key.
    const got = await getKey(u, k.id);
    assertKey(got);
    assert.deepEqual(got, withoutSecret(k));
    const list = await listKeys(u);
    assert.deepEqual(Object.keys(list), ['apiKeys', 'total'], 'no limit or offset when none was given');
    assert.equal(list.total, 2);
    for (const item of list.apiKeys) assertKey(item);
    assert.deepEqual([...list.apiKeys].sort(byId), [withoutSecret(k), withoutSecret(plain)].sort(byId));
  });

  test('prefix, name, expiresIn, metadata, configId, organizationId and unknown fields are checked: 400 with the plugin\'s codes, nothing written', async () => {
    const u = await signUp(server);
    const cases = [
      [{ prefix: 'bad prefix!' }, 'VALIDATION_ERROR'],
      [{ prefix: 'pré_' }, 'VALIDATION_ERROR'],
      [{ prefix: 'a.b' }, 'VALIDATION_ERROR'],
      [{ prefix: '' }, 'VALIDATION_ERROR'],
      [{ prefix: 5 }, 'VALIDATION_ERROR'],
      [{ prefix: 'p'.repeat(33) }, 'INVALID_PREFIX_LENGTH'],
      [{ name: 'n'.repeat(33) }, 'INVALID_NAME_LENGTH'],
      [{ name: 5 }, 'VALIDATION_ERROR'],
      [{ expiresIn: DAY - 1 }, 'EXPIRES_IN_IS_TOO_SMALL'],
      [{ expiresIn: 365 * DAY + 1 }, 'EXPIRES_IN_IS_TOO_LARGE'],
      [{ expiresIn: String(DAY) }, 'VALIDATION_ERROR'],
      [{ metadata: { plan: 'pro' } }, 'METADATA_DISABLED'],
      [{ configId: 'billing' }, 'VALIDATION_ERROR'],
      [{ configId: 5 }, 'VALIDATION_ERROR'],
      [{ organizationId: 'org' }, 'FIELD_NOT_ALLOWED'],
      [{ name: 'x', scopes: ['read'] }, 'VALIDATION_ERROR'],
    ];
    const before = dump(server.db);
    for (const [body, code] of cases) {
      const res = await u.browser.post('/api-key/create', body);
      assertError(res, 400, code, ['VALIDATION_ERROR', 'FIELD_NOT_ALLOWED'].includes(code) ? undefined : MESSAGES[code]);
    }
    assert.equal(dump(server.db), before, 'nothing written');
    assert.equal((await listKeys(u)).total, 0);

    // The limits themselves are allowed.
    const longest = await createKey(u, { prefix: 'p'.repeat(32), name: 'n'.repeat(32), configId: 'default' });
    assert.equal(longest.prefix, 'p'.repeat(32));
    assert.equal(longest.name, 'n'.repeat(32));
    assert.match(longest.key, /^p{32}[a-zA-Z]{64}$/);
    const day = await createKey(u, { expiresIn: DAY });
    assert.equal(Date.parse(day.expiresAt) - Date.parse(day.createdAt), DAY * 1000);
    const year = await createKey(u, { expiresIn: 365 * DAY });
    assert.equal(Date.parse(year.expiresAt) - Date.parse(year.createdAt), 365 * DAY * 1000);
    const never = await createKey(u, { expiresIn: null, metadata: null, remaining: null });
    assert.equal(never.expiresAt, null, 'expiresIn null: never expires');
    assert.equal(never.remaining, null);
    assert.equal(never.metadata, null);

    // Portcullis refuses control characters in a name, as in every other name.
    const count = (await listKeys(u)).total;
    const control = await u.browser.post('/api-key/create', { name: 'line\nbreak' });
    assert.equal(control.status, 400, `a name with a control character: ${control.status} ${JSON.stringify(control.body)}`);
    assert.equal((await listKeys(u)).total, count, 'not made');
  });

  test('the server\'s fields: 400 SERVER_ONLY_PROPERTY, with or without a session; userId: 401 UNAUTHORIZED_SESSION; no session: 401 UNAUTHORIZED_SESSION', async () => {
    const u = await signUp(server);
    const anonymous = new Browser(server.api, { origin: APP });
    const before = dump(server.db);
    for (const [field, value] of Object.entries(SERVER_ONLY)) {
      assertError(await u.browser.post('/api-key/create', { name: 'x', [field]: value }), 400, 'SERVER_ONLY_PROPERTY');
      assertError(await anonymous.post('/api-key/create', { name: 'x', [field]: value }), 400, 'SERVER_ONLY_PROPERTY');
    }
    assertError(await u.browser.post('/api-key/create', { userId: u.id }), 401, 'UNAUTHORIZED_SESSION');
    assertError(await u.browser.post('/api-key/create', { name: 'x', userId: 'someone else' }), 401, 'UNAUTHORIZED_SESSION');
    assertError(await anonymous.post('/api-key/create', {}), 401, 'UNAUTHORIZED_SESSION');
    assertError(await anonymous.post('/api-key/create', { name: 'x', prefix: 'p_' }), 401, 'UNAUTHORIZED_SESSION');
    assert.equal(dump(server.db), before, 'nothing written');
  });

  test('--api-key-limit 2: a third key is 403 API_KEY_LIMIT_REACHED until one is deleted; other users are not concerned', async () => {
    await withServer({ ...API, apiKeyLimit: 2 }, async (s) => {
      const u = await signUp(s);
      const first = await createKey(u, { name: 'one' });
      await createKey(u, { name: 'two' });
      assertError(await u.browser.post('/api-key/create', { name: 'three' }), 403, 'API_KEY_LIMIT_REACHED');
      assert.equal((await listKeys(u)).total, 2);
      const other = await signUp(s);
      await createKey(other, { name: 'theirs' });
      assertOk(await u.browser.post('/api-key/delete', { keyId: first.id }));
      assert.equal((await createKey(u, { name: 'three' })).name, 'three');
      assertError(await u.browser.post('/api-key/create', { name: 'four' }), 403, 'API_KEY_LIMIT_REACHED');
    });
  });

  test('--api-key-metadata: an object round-trips through create, get, list and update (stored as JSON text); anything else is refused', async () => {
    await withServer({ ...API, apiKeyMetadata: true }, async (s) => {
      const u = await signUp(s);
      const metadata = { plan: 'pro', seats: 5, tags: ['ci', 'nightly'], limits: { rps: 2.5, burst: null } };
      const k = await createKey(u, { name: 'with metadata', metadata });
      assert.deepEqual(k.metadata, metadata);
      assert.deepEqual((await getKey(u, k.id)).metadata, metadata);
      assert.deepEqual((await listKeys(u)).apiKeys[0].metadata, metadata);
      assert.deepEqual(JSON.parse(sql(s.db, `select "metadata" from "apikey" where "id" = '${k.id}'`)[0].metadata), metadata);

      const before = dump(s.db);
      for (const bad of ['plan=pro', 5, true, ['pro']]) {
        assertError(await u.browser.post('/api-key/create', { metadata: bad }), 400, 'INVALID_METADATA_TYPE');
        assertError(await u.browser.post('/api-key/update', { keyId: k.id, metadata: bad }), 400, 'INVALID_METADATA_TYPE');
      }
      const big = { blob: 'x'.repeat(4100) };
      assertError(await u.browser.post('/api-key/create', { metadata: big }), 400, 'VALIDATION_ERROR', undefined);
      assertError(await u.browser.post('/api-key/update', { keyId: k.id, metadata: big }), 400, 'VALIDATION_ERROR', undefined);
      assert.equal(dump(s.db), before, 'nothing written');

      const updated = assertOk(await u.browser.post('/api-key/update', { keyId: k.id, metadata: { plan: 'team' } }));
      assert.deepEqual(updated.metadata, { plan: 'team' });
      assert.deepEqual((await getKey(u, k.id)).metadata, { plan: 'team' });
      const cleared = assertOk(await u.browser.post('/api-key/update', { keyId: k.id, metadata: null }));
      assert.equal(cleared.metadata, null);
      assert.equal((await getKey(u, k.id)).metadata, null);
    });
    // Without it, update refuses metadata too.
    const u = await signUp(server);
    const k = await createKey(u);
    assertError(await u.browser.post('/api-key/update', { keyId: k.id, metadata: { plan: 'pro' } }), 400, 'METADATA_DISABLED');
  });

  test('settings: a required name, a default prefix, a shorter key, a default expiry, no custom expiry, no rate limit, another header', async () => {
    const settings = {
      ...API, apiKeyRequireName: true, apiKeyDefaultPrefix: 'acme_', apiKeyLength: 32, apiKeyDefaultExpiresIn: 3600,
      apiKeyDisableCustomExpiry: true, apiKeyRateLimit: false, apiKeyRateLimitWindow: 60, apiKeyRateLimitMax: 3, apiKeyHeader: 'x-service-key',
    };
    await withServer(settings, async (s) => {
      const u = await signUp(s);
      assertError(await u.browser.post('/api-key/create', {}), 400, 'NAME_REQUIRED');
      assertError(await u.browser.post('/api-key/create', { name: '' }), 400, 'NAME_REQUIRED');
      assertError(await u.browser.post('/api-key/create', { name: 'x', expiresIn: DAY }), 400, 'KEY_DISABLED_EXPIRATION');
      const k = await createKey(u, { name: 'service' });
      assert.match(k.key, /^acme_[a-zA-Z]{32}$/);
      assert.equal(k.prefix, 'acme_');
      assert.equal(k.start, 'acme_' + k.key[5]);
      assert.equal(Date.parse(k.expiresAt) - Date.parse(k.createdAt), 3600 * 1000, 'apiKeyDefaultExpiresIn');
      assert.equal(k.rateLimitEnabled, false);
      assert.equal(k.rateLimitTimeWindow, 60 * 1000);
      assert.equal(k.rateLimitMax, 3);
      const own = await createKey(u, { name: 'own prefix', prefix: 'svc-' });
      assert.match(own.key, /^svc-[a-zA-Z]{32}$/);
      assertError(await u.browser.post('/api-key/update', { keyId: k.id, expiresIn: null }), 400, 'KEY_DISABLED_EXPIRATION');
      assertError(await u.browser.post('/api-key/update', { keyId: k.id, expiresIn: DAY }), 400, 'KEY_DISABLED_EXPIRATION');

      // The key goes in x-service-key; x-api-key is just another header.
      for (let i = 0; i < 5; i++) {
        const res = await withKey(s, k.key, { header: 'x-service-key' });
        assert.equal(assertOk(res).user.id, u.id, `use ${i + 1}: no rate limit`);
      }
      assert.equal(assertOk(await withKey(s, k.key)), null, 'x-api-key is not the header here');
      const used = await getKey(u, k.id);
      assert.equal(used.requestCount, 0, 'not counted without a rate limit, as the plugin');
      assert.match(used.lastRequest, ISO);
      // The key's length is the configured one: shorter is refused (403) before it is looked up.
      assertError(await withKey(s, `acme_${'a'.repeat(32)}`, { header: 'x-service-key' }), 401, 'INVALID_API_KEY');
      assertError(await withKey(s, 'a'.repeat(32), { header: 'x-service-key' }), 401, 'INVALID_API_KEY');
      assertError(await withKey(s, 'a'.repeat(31), { header: 'x-service-key' }), 403, 'INVALID_API_KEY');
    });
  });

  test('settings out of range stop the server at start-up', async () => {
    await assert.rejects(startServer({ ...API, apiKeyLength: 31 }), /apiKeyLength/);
    await assert.rejects(startServer({ ...API, apiKeyDefaultPrefix: 'bad prefix' }), /apiKeyDefaultPrefix/);
    await assert.rejects(startServer({ ...API, apiKeyMinExpiresIn: 0 }), /apiKeyMinExpiresIn/);
    await assert.rejects(startServer({ ...API, apiKeyRateLimitMax: 0 }), /apiKeyRateLimitMax/);
  });
});

describe('get, list, update and delete', () => {
  test('another user\'s key is 404 KEY_NOT_FOUND on get, update and delete, as an unknown one, and is left as it was', async () => {
    const owner = await signUp(server);
    const stranger = await signUp(server);
    const k = await createKey(owner, { name: 'mine' });
    const before = dump(server.db);
    for (const id of [k.id, 'NoSuchKey0123456789abcdefghijklm']) {
      assertError(await stranger.browser.get(`/api-key/get${q({ id })}`), 404, 'KEY_NOT_FOUND');
      assertError(await stranger.browser.post('/api-key/update', { keyId: id, name: 'theirs now' }), 404, 'KEY_NOT_FOUND');
      assertError(await stranger.browser.post('/api-key/update', { keyId: id, enabled: false }), 404, 'KEY_NOT_FOUND');
      assertError(await stranger.browser.post('/api-key/delete', { keyId: id }), 404, 'KEY_NOT_FOUND');
    }
    assertError(await owner.browser.get(`/api-key/get${q({ id: 'NoSuchKey0123456789abcdefghijklm' })}`), 404, 'KEY_NOT_FOUND');
    assert.deepEqual(await listKeys(stranger), { apiKeys: [], total: 0 });
    assert.equal(dump(server.db), before, 'nothing written');
    assert.deepEqual(await getKey(owner, k.id), withoutSecret(k));
    assert.equal(assertOk(await withKey(server, k.key)).user.id, owner.id, 'the key still works');
  });

  test('without a session: 401 (UNAUTHORIZED where the plugin has its session middleware, UNAUTHORIZED_SESSION elsewhere); bad queries: 400', async () => {
    const u = await signUp(server);
    const k = await createKey(u);
    const anonymous = new Browser(server.api, { origin: APP });
    assertError(await anonymous.get(`/api-key/get${q({ id: k.id })}`), 401, 'UNAUTHORIZED');
    assertError(await anonymous.get('/api-key/list'), 401, 'UNAUTHORIZED');
    assertError(await anonymous.post('/api-key/delete', { keyId: k.id }), 401, 'UNAUTHORIZED');
    assertError(await anonymous.post('/api-key/update', { keyId: k.id, name: 'x' }), 401, 'UNAUTHORIZED_SESSION');
    for (const path of ['/api-key/get', `/api-key/get${q({ id: k.id, configId: 'billing' })}`, `/api-key/list${q({ limit: 'ten' })}`,
      `/api-key/list${q({ offset: '-1' })}`, `/api-key/list${q({ sortBy: 'key' })}`, `/api-key/list${q({ sortBy: 'referenceId' })}`,
      `/api-key/list${q({ sortBy: 'name', sortDirection: 'up' })}`]) {
      assertError(await u.browser.get(path), 400, 'VALIDATION_ERROR', undefined);
    }
    assertError(await u.browser.get(`/api-key/list${q({ organizationId: 'org' })}`), 400, 'FIELD_NOT_ALLOWED', undefined);
    assertError(await u.browser.post('/api-key/delete', {}), 400, 'VALIDATION_ERROR', undefined);
    assertError(await u.browser.post('/api-key/delete', { keyId: k.id, why: 'x' }), 400, 'VALIDATION_ERROR', undefined);
    assertError(await u.browser.post('/api-key/update', { name: 'x' }), 400, 'VALIDATION_ERROR', undefined);
    assertError(await u.browser.post('/api-key/update', { keyId: k.id, enabled: 'no' }), 400, 'VALIDATION_ERROR', undefined);
    assertError(await u.browser.post('/api-key/update', { keyId: k.id, prefix: 'p_' }), 400, 'VALIDATION_ERROR', undefined);
    assert.deepEqual(await getKey(u, k.id), withoutSecret(k));
  });

  test('list: the caller\'s keys, oldest first; limit and offset page them (echoed only when given), total counts them all; sortBy and sortDirection', async () => {
    const u = await signUp(server);
    const other = await signUp(server);
    await createKey(other, { name: 'not yours' });
    const secrets = {};
    const made = [];
    for (const name of ['bravo', 'alpha', 'delta', 'charlie']) {
      const k = await createKey(u, { name });
      secrets[name] = k.key;
      made.push(withoutSecret(k));
    }
    const oldestFirst = [...made].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || (a.id < b.id ? -1 : 1));
    const ids = (list) => list.apiKeys.map((k) => k.id);

    const all = await listKeys(u);
    assert.deepEqual(all, { apiKeys: oldestFirst, total: 4 });
    const page1 = await listKeys(u, { limit: 2 });
    assert.deepEqual(page1, { apiKeys: oldestFirst.slice(0, 2), total: 4, limit: 2 });
    const page2 = await listKeys(u, { limit: 2, offset: 2 });
    assert.deepEqual(page2, { apiKeys: oldestFirst.slice(2), total: 4, limit: 2, offset: 2 });
    assert.deepEqual(await listKeys(u, { offset: 3 }), { apiKeys: oldestFirst.slice(3), total: 4, offset: 3 });
    assert.deepEqual(await listKeys(u, { offset: 10 }), { apiKeys: [], total: 4, offset: 10 });
    assert.deepEqual(await listKeys(u, { limit: 0 }), { apiKeys: [], total: 4, limit: 0 });

    const byName = [...made].sort((a, b) => (a.name < b.name ? -1 : 1)).map((k) => k.id);
    assert.deepEqual(ids(await listKeys(u, { sortBy: 'name' })), byName);
    assert.deepEqual(ids(await listKeys(u, { sortBy: 'name', sortDirection: 'asc' })), byName);
    assert.deepEqual(ids(await listKeys(u, { sortBy: 'name', sortDirection: 'desc' })), [...byName].reverse());
    assert.deepEqual(ids(await listKeys(u, { sortBy: 'name', sortDirection: 'desc', limit: 2, offset: 1 })), [...byName].reverse().slice(1, 3));
    assert.deepEqual(ids(await listKeys(u, { sortBy: 'createdAt' })), ids(all));
    assert.deepEqual(ids(await listKeys(u, { sortBy: 'createdAt', sortDirection: 'desc' })).at(-1), ids(all)[0]);
    // The one key used sorts first by requestCount and lastRequest descending (a NULL lastRequest last).
    const alpha = made.find((k) => k.name === 'alpha');
    assertOk(await withKey(server, secrets.alpha));
    assert.equal(ids(await listKeys(u, { sortBy: 'requestCount', sortDirection: 'desc' }))[0], alpha.id);
    assert.equal(ids(await listKeys(u, { sortBy: 'requestCount' })).at(-1), alpha.id);
    assert.equal(ids(await listKeys(u, { sortBy: 'lastRequest', sortDirection: 'desc' }))[0], alpha.id);
    // The one disabled key sorts first by enabled (false < true), and last by updatedAt, just changed.
    const delta = made.find((k) => k.name === 'delta');
    const latest = Math.max(...(await listKeys(u)).apiKeys.map((k) => Date.parse(k.updatedAt)));
    await waitFor(() => Date.now() > latest, { what: 'the clock to move on' });
    assertOk(await u.browser.post('/api-key/update', { keyId: delta.id, enabled: false }));
    assert.equal(ids(await listKeys(u, { sortBy: 'enabled' }))[0], delta.id);
    assert.equal(ids(await listKeys(u, { sortBy: 'enabled', sortDirection: 'desc' })).at(-1), delta.id);
    assert.equal(ids(await listKeys(u, { sortBy: 'updatedAt', sortDirection: 'desc' }))[0], delta.id);
    assert.equal(ids(await listKeys(u, { sortBy: 'updatedAt' })).at(-1), delta.id);
    for (const sortBy of ['expiresAt', 'remaining']) {
      const sorted = await listKeys(u, { sortBy, limit: 3 });
      assert.equal(sorted.total, 4, sortBy);
      assert.equal(new Set(ids(sorted)).size, 3, sortBy);
    }
  });

  test('update: name, enabled and expiresIn change, and updatedAt with them; nothing to change, an empty or long name: 400', async () => {
    const u = await signUp(server);
    const k = await createKey(u, { name: 'before' });
    await waitFor(() => Date.now() > Date.parse(k.updatedAt) + 1, { what: 'the clock to move on' });
    const t0 = Date.now();
    const renamed = assertOk(await u.browser.post('/api-key/update', { keyId: k.id, name: 'after' }));
    assertKey(renamed);
    assert.equal(renamed.name, 'after');
    assert.equal(renamed.createdAt, k.createdAt);
    assert.ok(Date.parse(renamed.updatedAt) >= t0 - 1, `updatedAt ${renamed.updatedAt} moved (from ${k.updatedAt})`);
    assert.deepEqual({ ...renamed, name: k.name, updatedAt: k.updatedAt }, withoutSecret(k), 'nothing else changed');
    assert.deepEqual(await getKey(u, k.id), renamed);

    const t1 = Date.now();
    const expiring = assertOk(await u.browser.post('/api-key/update', { keyId: k.id, expiresIn: 2 * DAY, enabled: false, userId: u.id, configId: 'default' }));
    assert.equal(expiring.enabled, false);
    const expiresAt = Date.parse(expiring.expiresAt);
    assert.ok(expiresAt >= t1 + 2 * DAY * 1000 - 1 && expiresAt <= Date.now() + 2 * DAY * 1000 + 1, expiring.expiresAt);
    assert.equal(Date.parse(expiring.updatedAt) + 2 * DAY * 1000, expiresAt, 'counted from the update');
    const back = assertOk(await u.browser.post('/api-key/update', { keyId: k.id, expiresIn: null, enabled: true }));
    assert.equal(back.expiresAt, null);
    assert.equal(back.enabled, true);

    const before = dump(server.db);
    assertError(await u.browser.post('/api-key/update', { keyId: k.id }), 400, 'NO_VALUES_TO_UPDATE');
    assertError(await u.browser.post('/api-key/update', { keyId: k.id, userId: u.id }), 400, 'NO_VALUES_TO_UPDATE');
    assertError(await u.browser.post('/api-key/update', { keyId: k.id, name: '' }), 400, 'INVALID_NAME_LENGTH');
    assertError(await u.browser.post('/api-key/update', { keyId: k.id, name: 'n'.repeat(33) }), 400, 'INVALID_NAME_LENGTH');
    assertError(await u.browser.post('/api-key/update', { keyId: k.id, expiresIn: 60 }), 400, 'EXPIRES_IN_IS_TOO_SMALL');
    assertError(await u.browser.post('/api-key/update', { keyId: k.id, expiresIn: 400 * DAY }), 400, 'EXPIRES_IN_IS_TOO_LARGE');
    assertError(await u.browser.post('/api-key/update', { keyId: k.id, name: 'x', userId: 'someone else' }), 401, 'UNAUTHORIZED_SESSION');
    for (const [field, value] of Object.entries(SERVER_ONLY)) {
      assertError(await u.browser.post('/api-key/update', { keyId: k.id, [field]: value }), 400, 'SERVER_ONLY_PROPERTY');
    }
    assert.equal(dump(server.db), before, 'nothing written');
  });

  test('delete: {success: true}; then get, update and delete are 404 and the key no longer works', async () => {
    const u = await signUp(server);
    const k = await createKey(u, { name: 'short-lived' });
    const keep = await createKey(u, { name: 'kept' });
    assert.equal(assertOk(await withKey(server, k.key)).user.id, u.id);
    assert.deepEqual(assertOk(await u.browser.post('/api-key/delete', { keyId: k.id, configId: 'default' })), { success: true });
    assertError(await u.browser.get(`/api-key/get${q({ id: k.id })}`), 404, 'KEY_NOT_FOUND');
    assertError(await u.browser.post('/api-key/update', { keyId: k.id, name: 'x' }), 404, 'KEY_NOT_FOUND');
    assertError(await u.browser.post('/api-key/delete', { keyId: k.id }), 404, 'KEY_NOT_FOUND');
    assertError(await withKey(server, k.key), 401, 'INVALID_API_KEY');
    assert.deepEqual((await listKeys(u)).apiKeys.map((x) => x.id), [keep.id]);
    assert.equal(sql(server.db, `select count(*) as n from "apikey" where "id" = '${k.id}'`)[0].n, 0);
  });
});

describe('using a key: get-session', () => {
  test('answers {session, user} for the key\'s user: the session is the key\'s (its id, no token), the user as get-session shows it; no cookie is needed or set', async () => {
    const u = await signUp(server, { name: 'Grace Hopper' });
    const k = await createKey(u, { name: 'backend' });
    const mine = assertOk(await u.browser.get('/get-session'));
    const before = Date.now();
    const res = await withKey(server, k.key);
    const after = Date.now();
    const body = assertOk(res);
    assert.deepEqual(Object.keys(body), ['session', 'user']);
    assert.deepEqual(body.user, mine.user, 'the user as get-session shows it');
    assert.deepEqual(Object.keys(body.session), Object.keys(mine.session), 'a session\'s fields');
    const { expiresAt, createdAt, updatedAt, ...session } = body.session;
    assert.deepEqual(session, { id: k.id, token: '', userId: u.id, ipAddress: '127.0.0.1', userAgent: UA });
    for (const t of [createdAt, updatedAt]) {
      assert.match(t, ISO);
      assert.ok(Date.parse(t) >= before - 1 && Date.parse(t) <= after + 1, `${t} is now`);
    }
    const expires = Date.parse(expiresAt);
    assert.ok(expires >= before + WEEK_MS - 1 && expires <= after + WEEK_MS + 1, `a key that never expires: a session's lifetime from now (${expiresAt})`);
    assert.deepEqual(res.headers.getSetCookie(), [], 'no cookie');
    assert.equal(sql(server.db, `select count(*) as n from "session" where "userId" = '${u.id}'`)[0].n, 1, 'no session made');
    assert.ok(!JSON.stringify(body).includes(k.key), 'the key is not echoed');

    // The use is counted on the key.
    const used = await getKey(u, k.id);
    assert.equal(used.requestCount, 1);
    assert.match(used.lastRequest, ISO);
    assert.ok(Date.parse(used.lastRequest) >= before - 1 && Date.parse(used.lastRequest) <= after + 1);
    assert.equal(used.updatedAt, used.lastRequest);

    // A key with an expiry: the session ends with it.
    const expiring = await createKey(u, { expiresIn: 30 * DAY });
    assert.equal(assertOk(await withKey(server, expiring.key)).session.expiresAt, expiring.expiresAt);
  });

  test('the key wins over cookies: another user\'s session cookie is ignored, and a bad key is refused even with a good cookie', async () => {
    const owner = await signUp(server);
    const other = await signUp(server);
    const k = await createKey(owner);
    const cookie = other.browser.cookieHeader();
    const res = assertOk(await withKey(server, k.key, { headers: { cookie } }));
    assert.equal(res.user.id, owner.id);
    assert.equal(res.session.id, k.id);
    assertError(await withKey(server, 'x'.repeat(64), { headers: { cookie } }), 401, 'INVALID_API_KEY');
    assert.equal(assertOk(await other.browser.get('/get-session')).user.id, other.id, 'the cookie still works on its own');
  });

  test('refused: an unknown key, or one too long (401 INVALID_API_KEY); a disabled one (401 KEY_DISABLED) until it is enabled again; refusals are not counted', async () => {
    const u = await signUp(server);
    const k = await createKey(u, { prefix: 'pc_' });
    assertError(await withKey(server, `pc_${'a'.repeat(64)}`), 401, 'INVALID_API_KEY');
    assertError(await withKey(server, k.key.slice(0, -1) + (k.key.endsWith('a') ? 'b' : 'a')), 401, 'INVALID_API_KEY');
    assertError(await withKey(server, `${k.key}${'a'.repeat(2000)}`), 401, 'INVALID_API_KEY');
    assert.equal((await getKey(u, k.id)).requestCount, 0, 'none of it counted');

    assertOk(await u.browser.post('/api-key/update', { keyId: k.id, enabled: false }));
    assertError(await withKey(server, k.key), 401, 'KEY_DISABLED');
    const disabled = await getKey(u, k.id);
    assert.equal(disabled.requestCount, 0);
    assert.equal(disabled.lastRequest, null);
    assertOk(await u.browser.post('/api-key/update', { keyId: k.id, enabled: true }));
    assert.equal(assertOk(await withKey(server, k.key)).user.id, u.id);
    assert.equal((await getKey(u, k.id)).requestCount, 1);
  });

  test('a key shorter than the configured length (64) is 403 INVALID_API_KEY, as the plugin answers it', async () => {
    const u = await signUp(server);
    const k = await createKey(u, { prefix: 'pc_' });
    assertError(await withKey(server, k.key.slice(0, 63)), 403, 'INVALID_API_KEY');
    assertError(await withKey(server, 'short'), 403, 'INVALID_API_KEY');
    assert.equal((await getKey(u, k.id)).requestCount, 0, 'not counted');
  });

  test('only get-session takes a key: on every other route the header authenticates nothing (401), and next to a cookie it is ignored', async () => {
    const u = await signUp(server);
    const k = await createKey(u);
    const routes = [
      ['GET', '/list-sessions', undefined, 'UNAUTHORIZED'],
      ['GET', '/api-key/list', undefined, 'UNAUTHORIZED'],
      ['GET', `/api-key/get${q({ id: k.id })}`, undefined, 'UNAUTHORIZED'],
      ['POST', '/api-key/create', { name: 'another' }, 'UNAUTHORIZED_SESSION'],
      ['POST', '/api-key/update', { keyId: k.id, name: 'changed' }, 'UNAUTHORIZED_SESSION'],
      ['POST', '/api-key/delete', { keyId: k.id }, 'UNAUTHORIZED'],
      ['POST', '/update-user', { name: 'Mallory' }, 'UNAUTHORIZED'],
      ['POST', '/change-password', { currentPassword: PASSWORD, newPassword: `${PASSWORD} 2` }, 'UNAUTHORIZED'],
      ['POST', '/revoke-sessions', {}, 'UNAUTHORIZED'],
    ];
    const before = dump(server.db);
    for (const [method, path, body, code] of routes) {
      const res = await withKey(server, k.key, { path, method, body });
      assertError(res, 401, code, undefined);
    }
    assert.equal(dump(server.db), before, 'nothing written, and the key was not even counted');
    // A cookie with a bad key: the cookie's session, as without the header.
    const listed = await u.browser.get('/list-sessions', { 'x-api-key': 'x'.repeat(64) });
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    assert.equal(listed.body.length, 1);
    assert.equal(assertOk(await u.browser.post('/api-key/create', { name: 'by cookie' }, { 'x-api-key': 'x'.repeat(64) })).name, 'by cookie');
  });

  test('the rate limit (--api-key-rate-limit-max 3): the 4th request is 429 RATE_LIMITED with tryAgainIn and Retry-After; the list shows 3 requests', async () => {
    await withServer({ ...API, apiKeyRateLimitMax: 3 }, async (s) => {
      const u = await signUp(s);
      const k = await createKey(u);
      assert.equal(k.rateLimitMax, 3);
      for (let i = 0; i < 3; i++) assert.equal(assertOk(await withKey(s, k.key)).user.id, u.id, `request ${i + 1}`);
      const tryAgainIn = assertRateLimited(await withKey(s, k.key));
      assert.ok(tryAgainIn <= DAY * 1000, `tryAgainIn ${tryAgainIn}`);
      const [listed] = (await listKeys(u)).apiKeys;
      assert.equal(listed.requestCount, 3, 'the refused request is not counted');
      assert.match(listed.lastRequest, ISO);
      assert.ok(tryAgainIn >= DAY * 1000 - (Date.now() - Date.parse(listed.lastRequest)), 'a day from the last request let through');
      assertRateLimited(await withKey(s, k.key));
      // Another key of the same user has its own count.
      const fresh = await createKey(u);
      assert.equal(assertOk(await withKey(s, fresh.key)).user.id, u.id);
    });
  });

  test('20 concurrent requests with one key and --api-key-rate-limit-max 5: exactly 5 get through', async () => {
    await withServer({ ...API, apiKeyRateLimitMax: 5 }, async (s) => {
      const u = await signUp(s);
      const k = await createKey(u);
      const answers = await Promise.all(Array.from({ length: 20 }, () => withKey(s, k.key)));
      const statuses = answers.map((r) => r.status).sort();
      assert.deepEqual(statuses, [...Array(5).fill(200), ...Array(15).fill(429)], JSON.stringify(answers.map((r) => [r.status, r.body?.code])));
      for (const r of answers.filter((x) => x.status === 429)) assert.equal(r.body.code, 'RATE_LIMITED');
      for (const r of answers.filter((x) => x.status === 200)) assert.equal(r.body.user.id, u.id);
      assert.equal((await getKey(u, k.id)).requestCount, 5);
    });
  });

  test('an expired key (--api-key-min-expires-in 1, expiresIn 1): 401 KEY_EXPIRED once the second has passed; it stays listed; its owner may lift the expiry', async () => {
    await withServer({ ...API, apiKeyMinExpiresIn: 1 }, async (s) => {
      const u = await signUp(s);
      const k = await createKey(u, { expiresIn: 1 });
      assert.equal(Date.parse(k.expiresAt) - Date.parse(k.createdAt), 1000);
      assert.equal(assertOk(await withKey(s, k.key)).session.expiresAt, k.expiresAt);
      await waitFor(() => Date.now() > Date.parse(k.expiresAt) + 10, { what: 'the key to expire' });
      assertError(await withKey(s, k.key), 401, 'KEY_EXPIRED');
      const listed = await listKeys(u);
      assert.deepEqual(listed.apiKeys.map((x) => [x.id, x.requestCount]), [[k.id, 1]], 'kept, and the refusal not counted');
      const lifted = assertOk(await u.browser.post('/api-key/update', { keyId: k.id, expiresIn: null }));
      assert.equal(lifted.expiresAt, null);
      assert.equal(assertOk(await withKey(s, k.key)).user.id, u.id);
    });
  });

  test('a banned user\'s keys are refused (403 BANNED_USER) until the ban is lifted; with --admin and --organization the session has their fields', async () => {
    await withServer({ ...API, admin: true, organization: true }, async (s) => {
      const u = await signUp(s);
      const k = await createKey(u);
      const session = assertOk(await withKey(s, k.key)).session;
      assert.equal(session.impersonatedBy, null);
      assert.equal(session.activeOrganizationId, null);
      assert.deepEqual(Object.keys(session), Object.keys(assertOk(await u.browser.get('/get-session')).session));

      const admin = await signUp(s, { name: 'Admin' });
      assert.equal(cli(s.db, 'set-role', '--email', admin.email, '--role', 'admin').status, 0);
      assertOk(await admin.browser.post('/admin/ban-user', { userId: u.id, banReason: 'abuse' }));
      assertError(await withKey(s, k.key), 403, 'BANNED_USER');
      assertOk(await admin.browser.post('/admin/unban-user', { userId: u.id }));
      assert.equal(assertOk(await withKey(s, k.key)).user.id, u.id);
      // A ban by the command line counts too.
      assert.equal(cli(s.db, 'ban', '--email', u.email).status, 0);
      assertError(await withKey(s, k.key), 403, 'BANNED_USER');
    });
  });

  test('deleting the user deletes their keys: the key is then 401 INVALID_API_KEY', async () => {
    await withServer({ ...API, deleteUserEnabled: true }, async (s) => {
      const u = await signUp(s);
      const other = await signUp(s);
      const k = await createKey(u);
      await createKey(u);
      const kept = await createKey(other);
      assertOk(await u.browser.post('/delete-user', { password: PASSWORD }));
      assertError(await withKey(s, k.key), 401, 'INVALID_API_KEY');
      assert.equal(sql(s.db, `select count(*) as n from "apikey" where "referenceId" = '${u.id}'`)[0].n, 0);
      assert.equal(assertOk(await withKey(s, kept.key)).user.id, other.id, 'other users\' keys stay');
    });
  });

  test('--api-key-sessions false: get-session ignores the header (null without a cookie, the cookie\'s session with one); the routes stay', async () => {
    await withServer({ ...API, apiKeySessions: false }, async (s) => {
      const u = await signUp(s);
      const k = await createKey(u);
      assert.equal(assertOk(await withKey(s, k.key)), null);
      const other = await signUp(s);
      const res = assertOk(await withKey(s, k.key, { headers: { cookie: other.browser.cookieHeader() } }));
      assert.equal(res.user.id, other.id);
      assert.notEqual(res.session.id, k.id);
      assert.equal((await getKey(u, k.id)).requestCount, 0, 'never counted');
    });
  });

  test('without --api-key: the routes are 404 and get-session ignores the header; verify and delete-all-expired-api-keys are 404 always', async () => {
    await withServer({ trustedOrigins: [APP] }, async (s) => {
      const u = await signUp(s);
      for (const [method, path, body] of [
        ['POST', '/api-key/create', {}],
        ['GET', '/api-key/list'],
        ['GET', `/api-key/get${q({ id: 'x' })}`],
        ['POST', '/api-key/update', { keyId: 'x', name: 'y' }],
        ['POST', '/api-key/delete', { keyId: 'x' }],
      ]) {
        const res = await u.browser.request(path, { method, body });
        assert.equal(res.status, 404, `${method} ${path}: ${JSON.stringify(res.body)}`);
      }
      assert.equal(assertOk(await withKey(s, 'x'.repeat(64))), null);
      assert.equal(assertOk(await withKey(s, 'x'.repeat(64), { headers: { cookie: u.browser.cookieHeader() } })).user.id, u.id);
    });
    const u = await signUp(server);
    const k = await createKey(u);
    for (const path of ['/api-key/verify', '/api-key/delete-all-expired-api-keys']) {
      const res = await u.browser.post(path, { key: k.key });
      assert.equal(res.status, 404, `${path}: ${JSON.stringify(res.body)}`);
    }
  });

  test('the audit log has api-key-created, -updated, -deleted and -refused (with the reason), with the key\'s id, never the key; the access log never holds the key', async () => {
    const u = await signUp(server);
    const ip = '127.0.0.1';
    const made = await u.browser.post('/api-key/create', { name: 'audited' });
    const k = assertOk(made);
    assert.deepEqual(await auditOf(server, made), [{ event: 'api-key-created', user: u.id, ip, key: k.id }]);
    const used = await withKey(server, k.key);
    assertOk(used);
    const updated = await u.browser.post('/api-key/update', { keyId: k.id, enabled: false });
    assert.deepEqual(await auditOf(server, updated), [{ event: 'api-key-updated', user: u.id, ip, key: k.id }]);
    const disabled = await withKey(server, k.key);
    assert.deepEqual(await auditOf(server, disabled), [{ event: 'api-key-refused', user: u.id, ip, reason: 'disabled' }]);
    const unknown = await withKey(server, 'y'.repeat(64));
    assert.deepEqual(await auditOf(server, unknown), [{ event: 'api-key-refused', ip, reason: 'unknown' }]);
    const deleted = await u.browser.post('/api-key/delete', { keyId: k.id });
    assert.deepEqual(await auditOf(server, deleted), [{ event: 'api-key-deleted', user: u.id, ip, key: k.id }]);
    const gone = await withKey(server, k.key);
    assert.deepEqual(await auditOf(server, gone), [{ event: 'api-key-refused', ip, reason: 'unknown' }]);

    await auditOf(server, used);  // its access-log line is there
    const requests = server.logs.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request' && [used, disabled, gone].some((r) => r.headers.get('x-request-id') === l.id));
    assert.equal(requests.length, 3);
    for (const line of requests) assert.equal(line.path, '/api/auth/get-session');
    const all = `${server.logs.join('\n')}\n${server.stderr}`;
    assert.ok(!all.includes(k.key.slice(6)), 'the key is in no log line');
    assert.ok(!all.includes(hashOf(k.key)), 'nor its hash');
  });
});

// ---- BetterAuth ---------------------------------------------------------------------------------

const PLUGIN = () => apiKey({ enableSessionForAPIKeys: true, enableMetadata: true });

/** The same browser (cookies and all) pointed at another server. */
const sameBrowser = (browser, api) => Object.assign(new Browser(api, { origin: APP }), { jar: browser.jar });

/**
 * Portcullis (`portcullis`, with --api-key-metadata) and BetterAuth (`theirs`: served, `auth`:
 * its instance, with apiKey({enableSessionForAPIKeys, enableMetadata})) on one database: keys
 * made by either work on the other's get-session and are listed alike; the server's fields that
 * BetterAuth's server sets (remaining, the rate limit, permissions) are honoured by Portcullis.
 * `scalar(sql)` reads one value from the database.
 */
async function sharedDatabase(portcullis, theirs, auth, scalar) {
  const u = await signUp(portcullis, { name: 'Shared User' });
  const there = sameBrowser(u.browser, theirs.api);
  const mine = assertOk(await u.browser.get('/get-session'));

  // Portcullis's key, on BetterAuth.
  const ours = await createKey(u, { name: 'made by Portcullis', prefix: 'pc_', metadata: { plan: 'pro' } });
  assert.equal(scalar(`SELECT "key" FROM "apikey" WHERE "id" = '${ours.id}'`), hashOf(ours.key));
  const theirSession = await rawRequest(`${theirs.api}/get-session`, { headers: { 'x-api-key': ours.key } });
  assert.equal(theirSession.status, 200, JSON.stringify(theirSession.body));
  assert.equal(theirSession.body.session.id, ours.id);
  assert.equal(theirSession.body.session.userId, u.id);
  assert.equal(theirSession.body.user.id, u.id);
  assert.equal(theirSession.body.user.email, u.email);
  const theirView = assertOk(await there.get(`/api-key/get${q({ id: ours.id })}`));
  assert.deepEqual(assertOk(await u.browser.get(`/api-key/get${q({ id: ours.id })}`)), theirView, "BetterAuth answers get for Portcullis's key as Portcullis does");
  assert.equal(theirView.requestCount, 1, "BetterAuth counted its use");
  assert.deepEqual(theirView.metadata, { plan: 'pro' });

  // BetterAuth's key, on Portcullis.
  const made = assertOk(await there.post('/api-key/create', { name: 'made by BetterAuth', metadata: { team: 'ops' } }));
  assert.deepEqual(Object.keys(made).sort(), Object.keys(ours).sort(), 'the same fields in create\'s answer');
  const session = assertOk(await withKey(portcullis, made.key));
  assert.equal(session.session.id, made.id);
  assert.deepEqual(session.user, mine.user);
  const ourList = await listKeys(u);
  const theirList = assertOk(await there.get('/api-key/list'));
  assert.equal(ourList.total, 2);
  assert.deepEqual({ ...ourList, apiKeys: [...ourList.apiKeys].sort(byId) }, { ...theirList, apiKeys: [...theirList.apiKeys].sort(byId) }, 'listed alike');
  const theirs1 = ourList.apiKeys.find((k) => k.id === made.id);
  assert.deepEqual(theirs1.metadata, { team: 'ops' });
  assert.equal(theirs1.requestCount, 1, 'Portcullis counted its use');
  assert.deepEqual(assertOk(await there.get(`/api-key/list${q({ limit: 1, offset: 1, sortBy: 'name', sortDirection: 'desc' })}`)),
    await listKeys(u, { limit: 1, offset: 1, sortBy: 'name', sortDirection: 'desc' }));

  // Changes through one show on the other: disabled by Portcullis, refused by BetterAuth; deleted
  // by BetterAuth, gone on Portcullis.
  assertOk(await u.browser.post('/api-key/update', { keyId: made.id, enabled: false, name: 'disabled by Portcullis' }));
  const refused = await rawRequest(`${theirs.api}/get-session`, { headers: { 'x-api-key': made.key } });
  assert.equal(refused.status, 401, JSON.stringify(refused.body));
  assert.equal(refused.body.code, 'KEY_DISABLED');
  assert.equal(assertOk(await there.get(`/api-key/get${q({ id: made.id })}`)).name, 'disabled by Portcullis');
  assert.deepEqual(assertOk(await there.post('/api-key/delete', { keyId: ours.id })), { success: true });
  assertError(await u.browser.get(`/api-key/get${q({ id: ours.id })}`), 404, 'KEY_NOT_FOUND');
  assertError(await withKey(portcullis, ours.key), 401, 'INVALID_API_KEY');

  // The server's fields, set by BetterAuth's server: Portcullis counts remaining uses, spends none
  // on a request the rate limit refuses, and keeps an exhausted key for its owner to see.
  const quota = await createKey(u, { name: 'quota' });
  await auth.api.updateApiKey({ body: { keyId: quota.id, userId: u.id, remaining: 2, rateLimitMax: 1 } });
  assertOk(await withKey(portcullis, quota.key));
  assertRateLimited(await withKey(portcullis, quota.key));
  assert.equal((await getKey(u, quota.id)).remaining, 1, 'the refused request spent nothing');
  await auth.api.updateApiKey({ body: { keyId: quota.id, userId: u.id, rateLimitEnabled: false } });
  assertOk(await withKey(portcullis, quota.key));
  const spent = await getKey(u, quota.id);
  assert.equal(spent.remaining, 0);
  assert.equal(spent.rateLimitEnabled, false);
  assertError(await withKey(portcullis, quota.key), 429, 'USAGE_EXCEEDED');
  assert.equal((await getKey(u, quota.id)).remaining, 0, 'kept, with nothing left');

  // Permissions (only BetterAuth's server sets them) read as an object.
  const scoped = await auth.api.createApiKey({ body: { userId: u.id, name: 'scoped', permissions: { files: ['read', 'write'] } } });
  const seen = await getKey(u, scoped.id);
  assert.deepEqual(seen.permissions, { files: ['read', 'write'] });
  assert.deepEqual(seen, assertOk(await there.get(`/api-key/get${q({ id: scoped.id })}`)));
  assert.equal(assertOk(await withKey(portcullis, scoped.key)).user.id, u.id);

  // A user BetterAuth deletes leaves their keys behind: Portcullis refuses them.
  const gone = await signUp(portcullis, { name: 'Gone User' });
  const orphan = await createKey(gone);
  await (await auth.$context).internalAdapter.deleteUser(gone.id);
  assert.equal(Number(scalar(`SELECT count(*) FROM "apikey" WHERE "id" = '${orphan.id}'`)), 1);
  assertError(await withKey(portcullis, orphan.key), 401, 'INVALID_REFERENCE_ID_FROM_API_KEY');
}

/** The apikey table's and indexes' SQL in a SQLite file. */
const apikeySchema = (db) => sql(db, `select "type", "name", "sql" from sqlite_master where "tbl_name" = 'apikey' order by "name"`);

describe('a SQLite database BetterAuth made with its API-key plugin, shared with BetterAuth', () => {
  let dir;
  let s;
  let theirs;
  let auth;
  let schemaBefore;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'portcullis-apikey-'));
    const file = join(dir, 'betterauth.db');
    const options = { database: sqliteCli(file), secret: SECRET, emailAndPassword: { enabled: true }, plugins: [PLUGIN()], ...BETTER_AUTH_OPTIONS };
    await (await getMigrations(options)).runMigrations();
    schemaBefore = apikeySchema(file);
    s = await startServer({ ...API, apiKeyMetadata: true, sessionCacheTtl: 0, database: file });  // Portcullis migrates BetterAuth's database
    auth = betterAuthOnSqlite(file, { plugins: [PLUGIN()], options: BETTER_AUTH_OPTIONS });
    theirs = await serveBetterAuth(auth);
  });
  after(async () => {
    await theirs?.close();
    await s?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('Portcullis keeps BetterAuth\'s apikey table as it was, and BetterAuth finds nothing to add', async () => {
    assert.deepEqual(schemaBefore.filter((r) => r.type === 'index' && r.sql).map((r) => r.name), ['apikey_configId_idx', 'apikey_key_idx', 'apikey_referenceId_idx']);
    assert.deepEqual(apikeySchema(s.db), schemaBefore);
    const { toBeCreated, toBeAdded } = await getMigrations({ database: sqliteCli(s.db), plugins: [PLUGIN()], ...BETTER_AUTH_OPTIONS });
    assert.deepEqual(toBeCreated.filter((t) => t.table === 'apikey'), []);
    assert.deepEqual(toBeAdded.filter((t) => t.table === 'apikey'), []);
  });

  test('BetterAuth finds the apikey table Portcullis makes complete', async () => {
    const { toBeCreated, toBeAdded } = await getMigrations({ database: sqliteCli(server.db), plugins: [PLUGIN()], ...BETTER_AUTH_OPTIONS });
    assert.deepEqual(toBeCreated.filter((t) => t.table === 'apikey'), []);
    assert.deepEqual(toBeAdded.filter((t) => t.table === 'apikey'), []);
    assert.deepEqual(apikeySchema(server.db).filter((r) => r.sql).map((r) => r.name), ['apikey', 'apikey_configId_idx', 'apikey_key_idx', 'apikey_referenceId_idx']);
  });

  test('keys made through either work on the other\'s get-session and are listed alike; BetterAuth\'s server fields are honoured', async () => {
    await sharedDatabase(s, theirs, auth, (statement) => Object.values(sql(s.db, statement)[0] ?? {})[0]);
  });
});

test("BetterAuth's browser client with apiKeyClient(): create, list, get, update and delete; a program's getSession with the key", async () => {
  const { client } = browserClient(server.url, { plugins: [apiKeyClient()] });
  const email = freshEmail('client');
  const up = await client.signUp.email({ name: 'Client User', email, password: PASSWORD });
  assert.equal(up.error, null, JSON.stringify(up.error));

  const created = await client.apiKey.create({ name: 'from the client', prefix: 'cl_', expiresIn: 30 * DAY });
  assert.equal(created.error, null, JSON.stringify(created.error));
  assert.match(created.data.key, /^cl_[a-zA-Z]{64}$/);
  assert.equal(created.data.name, 'from the client');
  assert.equal(Date.parse(created.data.expiresAt) - Date.parse(created.data.createdAt), 30 * DAY * 1000);
  const id = created.data.id;

  const list = await client.apiKey.list();
  assert.equal(list.error, null, JSON.stringify(list.error));
  assert.equal(list.data.total, 1);
  assert.deepEqual(list.data.apiKeys.map((k) => k.id), [id]);
  assert.ok(!('key' in list.data.apiKeys[0]));
  const paged = await client.apiKey.list({ query: { limit: 1, offset: 0, sortBy: 'createdAt', sortDirection: 'desc' } });
  assert.equal(paged.error, null, JSON.stringify(paged.error));
  assert.deepEqual([paged.data.total, paged.data.limit, paged.data.offset], [1, 1, 0]);

  const got = await client.apiKey.get({ query: { id } });
  assert.equal(got.error, null, JSON.stringify(got.error));
  assert.deepEqual(got.data, withoutSecret(created.data));

  // A program: BetterAuth's client with the key, no cookie.
  const program = createAuthClient({ baseURL: server.url, fetchOptions: { headers: { 'x-api-key': created.data.key } } });
  const asProgram = await program.getSession();
  assert.equal(asProgram.error, null, JSON.stringify(asProgram.error));
  assert.equal(asProgram.data.user.email, email);
  assert.equal(asProgram.data.session.id, id);

  const updated = await client.apiKey.update({ keyId: id, name: 'renamed', enabled: false });
  assert.equal(updated.error, null, JSON.stringify(updated.error));
  assert.equal(updated.data.name, 'renamed');
  assert.equal(updated.data.enabled, false);
  const disabled = await program.getSession();
  assert.equal(disabled.error.status, 401);
  assert.equal(disabled.error.code, 'KEY_DISABLED');

  const nothing = await client.apiKey.update({ keyId: id });
  assert.equal(nothing.error.status, 400);
  assert.equal(nothing.error.code, 'NO_VALUES_TO_UPDATE');
  const tooSmall = await client.apiKey.create({ expiresIn: 60 });
  assert.equal(tooSmall.error.code, 'EXPIRES_IN_IS_TOO_SMALL');

  const deleted = await client.apiKey.delete({ keyId: id });
  assert.equal(deleted.error, null, JSON.stringify(deleted.error));
  assert.deepEqual(deleted.data, { success: true });
  const missing = await client.apiKey.get({ query: { id } });
  assert.equal(missing.error.status, 404);
  assert.equal(missing.error.code, 'KEY_NOT_FOUND');
  assert.deepEqual((await client.apiKey.list()).data, { apiKeys: [], total: 0 });
});

const ADMIN_URL = process.env.PORTCULLIS_TEST_POSTGRES;
describe('a PostgreSQL database BetterAuth made with its API-key plugin', { skip: !ADMIN_URL && 'PORTCULLIS_TEST_POSTGRES is not set' }, () => {
  let db;
  let s;
  let theirs;
  let columnsBefore;
  const columns = () => psql(db.dbUrl, `SELECT string_agg(column_name || ':' || data_type || ':' || is_nullable, ',' ORDER BY column_name) FROM information_schema.columns WHERE table_name = 'apikey'`);
  const indexes = () => psql(db.dbUrl, `SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE tablename = 'apikey'`);
  let indexesBefore;
  before(async () => {
    db = await betterAuthOnPostgres(ADMIN_URL, `pc_api_key_${process.pid}`, { plugins: [PLUGIN()], options: BETTER_AUTH_OPTIONS });
    columnsBefore = columns();
    indexesBefore = indexes();
    s = await startServer({ ...API, apiKeyMetadata: true, sessionCacheTtl: 0, database: db.dbUrl });  // Portcullis migrates BetterAuth's tables
    theirs = await serveBetterAuth(db.auth);
  });
  after(async () => {
    await theirs?.close();
    await s?.stop();
    await db?.drop();
  });

  test("Portcullis keeps BetterAuth's apikey table as it was", () => {
    assert.ok(columnsBefore.includes('rateLimitTimeWindow:integer:YES'), columnsBefore);
    assert.ok(columnsBefore.includes('expiresAt:timestamp with time zone:YES'), columnsBefore);
    assert.equal(columns(), columnsBefore);
    assert.equal(indexes(), indexesBefore);
    assert.equal(indexesBefore, 'apikey_configId_idx,apikey_key_idx,apikey_pkey,apikey_referenceId_idx');
  });

  test('keys made through either work on the other\'s get-session and are listed alike; BetterAuth\'s server fields are honoured', async () => {
    await sharedDatabase(s, theirs, db.auth, (statement) => psql(db.dbUrl, statement));
  });
});
