// portcullis/client's API keys (the server's --api-key; BetterAuth's API-key plugin): the requests
// both clients send (BetterAuth's apiKeyClient() names and argument shapes), then round trips
// against the real server binary through createClient and through BetterAuth's own client wrapped
// by fromBetterAuth (create, get, list, update, delete, each one's refusals), and a program using a
// key: get-session with the x-api-key header, and what a key may not do.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { apiKeyClient } from '@better-auth/api-key/client';
import { createAuthClient } from 'better-auth/client';

import { createClient, fromBetterAuth } from '../../web/client/index.js';
import { browserFetch, sql, startServer } from '../support/server.mjs';

const PASSWORD = 'violet-harbour-tangent-77';
const SITE = 'http://localhost:3999'; // the page's origin: a trusted origin of the server
const DAY = 86400;

let n = 0;
const newEmail = () => `apikey${process.pid}-${++n}@example.com`;
const failed = (r) => [r.ok, r.status, r.code];
// A date as the server sends it (ISO text) or as BetterAuth's client gives it (a Date), in ms.
const ms = (value) => (value === null || value === undefined ? value : new Date(value).getTime());

// The fields of a key, in the plugin's order (get, update and list answer them; create adds `key`).
const KEY_FIELDS = [
  'id', 'configId', 'name', 'start', 'referenceId', 'prefix', 'refillInterval', 'refillAmount', 'lastRefillAt', 'enabled',
  'rateLimitEnabled', 'rateLimitTimeWindow', 'rateLimitMax', 'requestCount', 'remaining', 'lastRequest', 'expiresAt',
  'createdAt', 'updatedAt', 'permissions', 'metadata',
];

describe("API keys: the requests both clients send (BetterAuth's apiKeyClient() names)", () => {
  // A fetch that answers 200 with `{path}` (or 404 KEY_NOT_FOUND for `failing` paths) and records each request.
  function recording({ failing = [] } = {}) {
    const seen = [];
    const f = async (url, init = {}) => {
      const u = new URL(url);
      const path = u.pathname.replace(/^\/api\/auth/, '');
      const query = [...u.searchParams].sort(([a], [b]) => a.localeCompare(b));
      const body = init.body === undefined || init.body === null ? undefined : JSON.parse(init.body);
      seen.push([init.method ?? 'GET', path, query, body]);
      if (failing.includes(path)) return Response.json({ code: 'KEY_NOT_FOUND', message: 'API Key not found' }, { status: 404 });
      return Response.json({ path }, { status: 200 });
    };
    f.seen = seen;
    return f;
  }
  const clients = {
    createClient: (f) => createClient({ baseURL: 'http://127.0.0.1:9', fetch: f }),
    'fromBetterAuth (its apiKeyClient())': (f) =>
      fromBetterAuth(createAuthClient({ baseURL: 'http://127.0.0.1:9', plugins: [apiKeyClient()], fetchOptions: { customFetchImpl: f } })),
    'fromBetterAuth (a client without the plugin)': (f) =>
      fromBetterAuth(createAuthClient({ baseURL: 'http://127.0.0.1:9', fetchOptions: { customFetchImpl: f } })),
  };
  const LIST_QUERY = { limit: 10, offset: 20, sortBy: 'createdAt', sortDirection: 'desc' };
  // [method, args, HTTP method, path, query, body]
  const CALLS = [
    ['create', [{ name: 'CI', prefix: 'ci_', expiresIn: 30 * DAY, metadata: { team: 'ops' } }], 'POST', '/api-key/create', [], { name: 'CI', prefix: 'ci_', expiresIn: 30 * DAY, metadata: { team: 'ops' } }],
    ['create', [{ name: 'Forever', expiresIn: null }], 'POST', '/api-key/create', [], { name: 'Forever', expiresIn: null }],
    // Nothing to say: still a POST (BetterAuth's client would GET an empty body without the plugin's pathMethods).
    ['create', [{}], 'POST', '/api-key/create', [], {}],
    ['create', [], 'POST', '/api-key/create', [], {}],
    ['get', [{ query: { id: 'k1' } }], 'GET', '/api-key/get', [['id', 'k1']], undefined],
    ['update', [{ keyId: 'k1', name: 'CI 2', enabled: false }], 'POST', '/api-key/update', [], { keyId: 'k1', name: 'CI 2', enabled: false }],
    ['update', [{ keyId: 'k1', expiresIn: null }], 'POST', '/api-key/update', [], { keyId: 'k1', expiresIn: null }],
    ['delete', [{ keyId: 'k1' }], 'POST', '/api-key/delete', [], { keyId: 'k1' }],
    ['list', [], 'GET', '/api-key/list', [], undefined],
    ['list', [{ query: LIST_QUERY }], 'GET', '/api-key/list', [['limit', '10'], ['offset', '20'], ['sortBy', 'createdAt'], ['sortDirection', 'desc']], undefined],
  ];

  for (const [kind, make] of Object.entries(clients)) {
    test(`${kind}: every call's request and value; no session listener is told`, async () => {
      const f = recording();
      const client = make(f);
      assert.deepEqual(Object.keys(client.apiKey).sort(), ['create', 'delete', 'get', 'list', 'update']);
      const events = [];
      client.subscribe((e) => events.push(e.type));
      for (const [method, args, verb, path, query, body] of CALLS) {
        const r = await client.apiKey[method](...args);
        const what = `${method}(${JSON.stringify(args)})`;
        assert.deepEqual(r, { ok: true, value: { path } }, what);
        assert.deepEqual(f.seen.pop(), [verb, path, query, body], what);
      }
      assert.deepEqual(f.seen, [], 'one request per call');
      assert.deepEqual(events, []);
    });

    test(`${kind}: a failure is {ok: false, status, code, message}`, async () => {
      const client = make(recording({ failing: ['/api-key/delete', '/api-key/get'] }));
      const r = await client.apiKey.delete({ keyId: 'k1' });
      assert.deepEqual([r.ok, r.status, r.code, r.message], [false, 404, 'KEY_NOT_FOUND', 'API Key not found']);
      assert.deepEqual(failed(await client.apiKey.get({ query: { id: 'k1' } })), [false, 404, 'KEY_NOT_FOUND']);
    });
  }

  test("createClient sends only what the routes take from a user (a BetterAuth client sends all it is given); no server: NETWORK_ERROR", async () => {
    const f = recording();
    const api = createClient({ baseURL: 'http://127.0.0.1:9', fetch: f }).apiKey;
    await api.create({ name: 'a', remaining: 5, rateLimitMax: 100, permissions: { files: ['read'] }, userId: 'u2', organizationId: 'o1', expiresIn: undefined });
    assert.deepEqual(f.seen.pop(), ['POST', '/api-key/create', [], { name: 'a' }]);
    await api.update({ keyId: 'k1', remaining: 5, rateLimitEnabled: false, enabled: true });
    assert.deepEqual(f.seen.pop(), ['POST', '/api-key/update', [], { keyId: 'k1', enabled: true }]);
    await api.list({ query: { limit: 5, organizationId: 'o1', offset: undefined } });
    assert.deepEqual(f.seen.pop(), ['GET', '/api-key/list', [['limit', '5']], undefined]);
    await api.get({ id: 'k1' });
    assert.deepEqual(f.seen.pop(), ['GET', '/api-key/get', [], undefined], "BetterAuth's shape only: {query: {id}}");
    const down = await createClient({ baseURL: 'http://127.0.0.1:9' }).apiKey.list();
    assert.deepEqual(failed(down), [false, 0, 'NETWORK_ERROR']);
  });
});

// A signed-up user's client (cookies kept, as a page on SITE).
async function user(make) {
  const client = make();
  const email = newEmail();
  const up = await client.signUp({ name: 'Ada', email, password: PASSWORD });
  assert.equal(up.ok, true, JSON.stringify(up));
  const events = [];
  client.subscribe((e) => events.push(e.type));
  return { client, api: client.apiKey, email, id: up.value.user.id, events };
}

// What a program with the key sees: get-session with the key in x-api-key, no cookie.
const program = (server, key) => createClient({ baseURL: server.url, headers: { 'x-api-key': key } });

describe('API keys: a round trip on the real server (--api-key), through both clients', () => {
  let server;
  before(async () => {
    server = await startServer({ apiKey: true, trustedOrigins: [SITE] });
  });
  after(async () => {
    await server?.stop();
  });
  const clients = {
    createClient: () => createClient({ baseURL: server.url, fetch: browserFetch(SITE) }),
    fromBetterAuth: () =>
      fromBetterAuth(createAuthClient({ baseURL: server.url, plugins: [apiKeyClient()], fetchOptions: { customFetchImpl: browserFetch(SITE) } })),
  };

  for (const [kind, make] of Object.entries(clients)) {
    test(kind, async () => {
      const visitor = make().apiKey;
      assert.deepEqual(failed(await visitor.list()), [false, 401, 'UNAUTHORIZED']);
      assert.deepEqual(failed(await visitor.create({ name: 'x' })), [false, 401, 'UNAUTHORIZED_SESSION']);

      const ada = await user(make);
      const bob = await user(make);
      assert.deepEqual(await ada.api.list(), { ok: true, value: { apiKeys: [], total: 0 } });

      // ---- create: the key, once ----
      const before = Date.now();
      const made = await ada.api.create({ name: 'CI', expiresIn: 30 * DAY });
      assert.equal(made.ok, true, JSON.stringify(made));
      const ci = made.value;
      assert.match(ci.key, /^[A-Za-z]{64}$/, 'the plugin\'s 64 letters');
      assert.deepEqual(
        [ci.name, ci.start, ci.prefix, ci.enabled, ci.referenceId, ci.configId, ci.requestCount, ci.remaining, ci.lastRequest, ci.metadata, ci.permissions],
        ['CI', ci.key.slice(0, 6), null, true, ada.id, 'default', 0, null, null, null, null],
      );
      assert.deepEqual([ci.rateLimitEnabled, ci.rateLimitMax, ci.rateLimitTimeWindow], [true, 10, 86400000], "BetterAuth's default limit: 10 a day");
      const expires = ms(ci.expiresAt) - before;
      assert.ok(expires >= 30 * DAY * 1000 - 1000 && expires <= 30 * DAY * 1000 + 60_000, `expires in 30 days: ${ci.expiresAt}`);
      assert.deepEqual(KEY_FIELDS.filter((f) => !(f in ci)), [], 'every field');

      const prefixed = (await ada.api.create({ name: 'Deploy', prefix: 'pc_' })).value;
      assert.match(prefixed.key, /^pc_[A-Za-z]{64}$/);
      assert.deepEqual([prefixed.prefix, prefixed.start, prefixed.expiresAt], ['pc_', prefixed.key.slice(0, 6), null], 'no expiry asked: none (the server has no default)');
      const unnamed = (await ada.api.create()).value;
      assert.deepEqual([unnamed.name, typeof unnamed.key], [null, 'string'], 'a name is optional by default');

      // ---- create's refusals, in the plugin's codes and words ----
      const refused = async (input, status, code, message) => {
        const r = await ada.api.create(input);
        assert.deepEqual(failed(r), [false, status, code], JSON.stringify(input));
        if (message) assert.equal(r.message, message);
      };
      await refused({ name: 'n'.repeat(33) }, 400, 'INVALID_NAME_LENGTH', 'The name length is either too large or too small.');
      await refused({ name: '😀'.repeat(17) }, 400, 'INVALID_NAME_LENGTH'); // 34 UTF-16 units, as JavaScript's length
      await refused({ name: 'x', expiresIn: DAY - 1 }, 400, 'EXPIRES_IN_IS_TOO_SMALL', 'The expiresIn is smaller than the predefined minimum value.');
      await refused({ name: 'x', expiresIn: 366 * DAY }, 400, 'EXPIRES_IN_IS_TOO_LARGE', 'The expiresIn is larger than the predefined maximum value.');
      await refused({ name: 'x', prefix: 'p'.repeat(33) }, 400, 'INVALID_PREFIX_LENGTH', 'The prefix length is either too large or too small.');
      await refused({ name: 'x', prefix: 'no spaces' }, 400, 'VALIDATION_ERROR');
      await refused({ name: 'x', metadata: { team: 'ops' } }, 400, 'METADATA_DISABLED', 'Metadata is disabled.');
      await refused({ name: 'x', configId: 'other' }, 400, 'VALIDATION_ERROR');
      if (kind === 'fromBetterAuth') {
        // BetterAuth's client sends what it is given: the server refuses what only a server may set.
        await refused({ name: 'x', rateLimitMax: 1000 }, 400, 'SERVER_ONLY_PROPERTY', "The property you're trying to set can only be set from the server auth instance only.");
        await refused({ name: 'x', remaining: 5 }, 400, 'SERVER_ONLY_PROPERTY');
        await refused({ name: 'x', userId: bob.id }, 401, 'UNAUTHORIZED_SESSION');
      }
      // ---- get, list ----
      const got = await ada.api.get({ query: { id: ci.id } });
      assert.equal(got.ok, true, JSON.stringify(got));
      assert.deepEqual(Object.keys(got.value), KEY_FIELDS, "the plugin's fields in its order, never the key");
      assert.deepEqual([got.value.id, got.value.name, got.value.start, ms(got.value.expiresAt)], [ci.id, 'CI', ci.start, ms(ci.expiresAt)]);
      assert.deepEqual(failed(await bob.api.get({ query: { id: ci.id } })), [false, 404, 'KEY_NOT_FOUND'], "another user's: as none");
      assert.deepEqual(failed(await ada.api.get({ query: { id: 'no-such-key' } })), [false, 404, 'KEY_NOT_FOUND']);

      const all = await ada.api.list();
      assert.equal(all.ok, true, JSON.stringify(all));
      assert.deepEqual(Object.keys(all.value), ['apiKeys', 'total'], 'limit and offset only when given');
      assert.deepEqual([all.value.total, all.value.apiKeys.map((k) => k.id)], [3, [ci.id, prefixed.id, unnamed.id]], 'oldest first');
      assert.ok(all.value.apiKeys.every((k) => !('key' in k)));
      const page = await ada.api.list({ query: { limit: 1, offset: 1 } });
      assert.deepEqual([page.value.total, page.value.limit, page.value.offset, page.value.apiKeys.map((k) => k.id)], [3, 1, 1, [prefixed.id]]);
      const byName = await ada.api.list({ query: { sortBy: 'name', sortDirection: 'desc', limit: 2 } });
      assert.deepEqual(byName.value.apiKeys.map((k) => k.name), ['Deploy', 'CI']);
      assert.deepEqual(failed(await ada.api.list({ query: { sortBy: 'key' } })), [false, 400, 'VALIDATION_ERROR'], 'not a field to sort by');
      assert.deepEqual((await bob.api.list()).value, { apiKeys: [], total: 0 }, "another user's keys are not listed");

      // ---- a program with the key: get-session answers its user ----
      const asKey = await program(server, ci.key).getSession();
      assert.equal(asKey.ok, true, JSON.stringify(asKey));
      assert.deepEqual([asKey.value.user.id, asKey.value.user.email], [ada.id, ada.email]);
      assert.deepEqual([asKey.value.session.id, asKey.value.session.userId, asKey.value.session.token], [ci.id, ada.id, ''], 'the key\'s id; no token');
      assert.equal(ms(asKey.value.session.expiresAt), ms(ci.expiresAt), "the key's expiry");
      assert.ok(!JSON.stringify(asKey.value).includes(ci.key), 'the key is not echoed');
      const used = (await ada.api.get({ query: { id: ci.id } })).value;
      assert.equal(used.requestCount, 1);
      assert.ok(ms(used.lastRequest) >= before, 'its last use');
      // Only get-session takes a key: the key's calls on keys are a visitor's.
      assert.deepEqual(failed(await program(server, ci.key).apiKey.list()), [false, 401, 'UNAUTHORIZED']);
      assert.deepEqual(failed(await program(server, ci.key).apiKey.create({ name: 'more' })), [false, 401, 'UNAUTHORIZED_SESSION']);
      assert.deepEqual(failed(await program(server, 'x'.repeat(64)).getSession()), [false, 401, 'INVALID_API_KEY']);
      assert.deepEqual(failed(await program(server, 'short').getSession()), [false, 403, 'INVALID_API_KEY'], 'too short to be a key');

      // ---- update ----
      const renamed = await ada.api.update({ keyId: ci.id, name: 'CI 2' });
      assert.equal(renamed.ok, true, JSON.stringify(renamed));
      assert.deepEqual(Object.keys(renamed.value), KEY_FIELDS);
      assert.deepEqual([renamed.value.name, renamed.value.start, renamed.value.enabled], ['CI 2', ci.start, true]);
      assert.ok(ms(renamed.value.updatedAt) >= ms(ci.updatedAt), 'updatedAt is now (Portcullis)');
      const off = await ada.api.update({ keyId: ci.id, enabled: false });
      assert.equal(off.value.enabled, false);
      const disabled = await program(server, ci.key).getSession();
      assert.deepEqual([...failed(disabled), disabled.message], [false, 401, 'KEY_DISABLED', 'API Key is disabled']);
      assert.equal((await ada.api.update({ keyId: ci.id, enabled: true })).value.enabled, true);
      assert.equal((await program(server, ci.key).getSession()).ok, true, 'enabled again');
      const forever = await ada.api.update({ keyId: ci.id, expiresIn: null });
      assert.equal(forever.value.expiresAt, null, 'null: it never expires');
      assert.ok(ms((await ada.api.update({ keyId: ci.id, expiresIn: 365 * DAY })).value.expiresAt) > Date.now() + 364 * DAY * 1000);
      assert.deepEqual(failed(await ada.api.update({ keyId: ci.id })), [false, 400, 'NO_VALUES_TO_UPDATE']);
      assert.deepEqual(failed(await ada.api.update({ keyId: ci.id, name: 'n'.repeat(33) })), [false, 400, 'INVALID_NAME_LENGTH']);
      assert.deepEqual(failed(await ada.api.update({ keyId: ci.id, expiresIn: 60 })), [false, 400, 'EXPIRES_IN_IS_TOO_SMALL']);
      assert.deepEqual(failed(await bob.api.update({ keyId: ci.id, enabled: false })), [false, 404, 'KEY_NOT_FOUND']);
      assert.deepEqual(failed(await ada.api.update({ keyId: ci.id, name: 'x', userId: bob.id })), [false, 401, 'UNAUTHORIZED_SESSION']);
      assert.equal((await ada.api.update({ keyId: ci.id, name: 'CI 3', userId: ada.id })).value.name, 'CI 3', 'userId: the caller\'s own');

      // An expired key (its expiry moved into the past): refused.
      sql(server.db, `update apikey set expiresAt = '${new Date(Date.now() - 1000).toISOString()}' where id = '${prefixed.id}'`);
      const stale = await program(server, prefixed.key).getSession();
      assert.deepEqual([...failed(stale), stale.message], [false, 401, 'KEY_EXPIRED', 'API Key has expired']);

      // ---- delete ----
      assert.deepEqual(failed(await bob.api.delete({ keyId: ci.id })), [false, 404, 'KEY_NOT_FOUND']);
      assert.deepEqual(await ada.api.delete({ keyId: ci.id }), { ok: true, value: { success: true } });
      assert.deepEqual(failed(await ada.api.delete({ keyId: ci.id })), [false, 404, 'KEY_NOT_FOUND']);
      assert.deepEqual(failed(await program(server, ci.key).getSession()), [false, 401, 'INVALID_API_KEY'], 'a deleted key works no more');
      const left = (await ada.api.list()).value.apiKeys.map((k) => k.id);
      assert.ok(!left.includes(ci.id) && left.includes(unnamed.id), JSON.stringify(left));
      assert.deepEqual(ada.events, [], 'no call on keys changes the session');

      // Signing out leaves the keys; deleting the account deletes them.
      assert.equal((await ada.client.signOut()).ok, true);
      assert.deepEqual(failed(await ada.api.list()), [false, 401, 'UNAUTHORIZED']);
      assert.equal((await ada.client.signIn({ email: ada.email, password: PASSWORD })).ok, true);
      assert.equal((await program(server, unnamed.key).getSession()).ok, true);
      assert.equal((await ada.client.deleteUser({ password: PASSWORD })).ok, true);
      assert.deepEqual(failed(await program(server, unnamed.key).getSession()), [false, 401, 'INVALID_API_KEY'], "the user's keys went with the account");
    });
  }
});

describe("API keys: the server's options (a name required, metadata, a default prefix, the per-key rate limit, the per-user limit)", () => {
  let server;
  before(async () => {
    server = await startServer({
      apiKey: true,
      apiKeyRequireName: true,
      apiKeyMetadata: true,
      apiKeyDefaultPrefix: 'pc_',
      apiKeyRateLimitMax: 2,
      apiKeyLimit: 3,
      trustedOrigins: [SITE],
    });
  });
  after(async () => {
    await server?.stop();
  });

  test('createClient', async () => {
    const ada = await user(() => createClient({ baseURL: server.url, fetch: browserFetch(SITE) }));
    const nameless = await ada.api.create({ expiresIn: 7 * DAY });
    assert.deepEqual([...failed(nameless), nameless.message], [false, 400, 'NAME_REQUIRED', 'API Key name is required.']);
    const made = await ada.api.create({ name: 'Reports', metadata: { team: 'ops', tags: ['a'] } });
    assert.equal(made.ok, true, JSON.stringify(made));
    assert.match(made.value.key, /^pc_[A-Za-z]{64}$/, 'the default prefix');
    assert.deepEqual([made.value.prefix, made.value.metadata, made.value.rateLimitMax], ['pc_', { team: 'ops', tags: ['a'] }, 2]);
    assert.deepEqual((await ada.api.get({ query: { id: made.value.id } })).value.metadata, { team: 'ops', tags: ['a'] });
    assert.deepEqual(failed(await ada.api.create({ name: 'x', metadata: 'ops' })), [false, 400, 'INVALID_METADATA_TYPE']);
    assert.deepEqual((await ada.api.update({ keyId: made.value.id, metadata: { team: 'dev' } })).value.metadata, { team: 'dev' });

    // The key's own rate limit: 2 requests, then RATE_LIMITED with the time to wait (ms).
    const backend = program(server, made.value.key);
    assert.equal((await backend.getSession()).ok, true);
    assert.equal((await backend.getSession()).ok, true);
    const limited = await backend.getSession();
    assert.deepEqual([...failed(limited), limited.message], [false, 429, 'RATE_LIMITED', 'Rate limit exceeded.']);
    assert.ok(limited.details?.tryAgainIn > 0 && limited.details.tryAgainIn <= 86400000, JSON.stringify(limited.details));

    // At most 3 keys for a user.
    assert.equal((await ada.api.create({ name: 'Two' })).ok, true);
    assert.equal((await ada.api.create({ name: 'Three' })).ok, true);
    const over = await ada.api.create({ name: 'Four' });
    assert.deepEqual([...failed(over), over.message], [false, 403, 'API_KEY_LIMIT_REACHED', 'You have reached the maximum number of API keys']);
    assert.equal((await ada.api.delete({ keyId: made.value.id })).ok, true);
    assert.equal((await ada.api.create({ name: 'Four' })).ok, true, 'one deleted: room for one');
  });
});
