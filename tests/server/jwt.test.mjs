// BetterAuth's jwt plugin (--jwt): GET /token gives the signed-in user a JSON Web Token, and
// GET /jwks publishes the keys that verify it, as a service would check it with jose (the library
// BetterAuth itself uses). The keys live in the jwks table as BetterAuth keeps them: on a
// PostgreSQL database shared with a BetterAuth server that has the plugin, each server signs
// with the other's key and publishes the same set.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { jwt as jwtPlugin } from 'better-auth/plugins';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';

import { betterAuthOnPostgres, psql } from '../support/betterauth.mjs';
import { Browser, sql, startServer, withServer } from '../support/server.mjs';

const PASSWORD = 'json web token password';
let users = 0;

/** A new user, signed up and signed in, in its own browser. */
async function signedUp(api) {
  const email = `jwt-${++users}-${Date.now()}@example.com`;
  const browser = new Browser(api);
  const up = await browser.post('/sign-up/email', { name: 'Ada Lovelace', email, password: PASSWORD });
  assert.equal(up.status, 200, JSON.stringify(up.body));
  return { browser, email, id: up.body.user.id };
}

/** The server's key set, and the claims of `token` as a service verifies them (throws if it cannot). */
async function verify(s, token, issuer = s.url) {
  const jwks = await new Browser(s.api).get('/jwks');
  assert.equal(jwks.status, 200, JSON.stringify(jwks.body));
  const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks.body), { issuer, audience: issuer });
  return { payload, protectedHeader, keys: jwks.body.keys };
}

describe('with --jwt', () => {
  let server;
  before(async () => {
    server = await startServer({ jwt: true });
  });
  after(async () => {
    await server.stop();
  });

  test("a token of the signed-in user's, verified with the published keys", async () => {
    const user = await signedUp(server.api);
    const res = await user.browser.get('/token');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const { payload, protectedHeader, keys } = await verify(server, res.body.token);
    assert.equal(protectedHeader.alg, 'EdDSA');
    assert.equal(keys.length, 1);
    assert.deepEqual(Object.keys(keys[0]).sort(), ['alg', 'crv', 'kid', 'kty', 'x']);
    assert.deepEqual({ alg: keys[0].alg, crv: keys[0].crv, kty: keys[0].kty }, { alg: 'EdDSA', crv: 'Ed25519', kty: 'OKP' });
    assert.equal(protectedHeader.kid, keys[0].kid);
    // The claims: the user as get-session shows it, and who, since when, until when, by whom.
    const session = (await user.browser.get('/get-session')).body;
    for (const field of ['id', 'name', 'email', 'emailVerified', 'image', 'createdAt', 'updatedAt']) {
      assert.deepEqual(payload[field], session.user[field], field);
    }
    assert.equal(payload.sub, user.id);
    assert.equal(payload.exp - payload.iat, 15 * 60);
    assert.ok(Math.abs(payload.iat - Date.now() / 1000) < 60);
    // One key for every token: the second token has the same kid.
    const again = await user.browser.get('/token');
    assert.equal(decodeProtectedHeader(again.body.token).kid, keys[0].kid);
  });

  test('a token is refused when altered, and by another server (another key)', async () => {
    const user = await signedUp(server.api);
    const { token } = (await user.browser.get('/token')).body;
    const [header, claims, signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(claims, 'base64url')), sub: 'someone-else' })).toString('base64url');
    await assert.rejects(verify(server, `${header}.${forged}.${signature}`), /signature verification failed/);
    await withServer({ jwt: true }, async (other) => {
      await assert.rejects(verify(other, token, server.url), /no applicable key found|signature verification failed/);
    });
  });

  test('no session, no token; the key set needs none', async () => {
    const res = await new Browser(server.api).get('/token');
    assert.equal(res.status, 401);
    assert.equal(res.body.code, 'UNAUTHORIZED');
    assert.equal((await new Browser(server.api).get('/jwks')).status, 200);
  });

  test('an expired key is replaced at the next token, and stays published for the tokens it signed', async () => {
    const user = await signedUp(server.api);
    const old = (await user.browser.get('/token')).body.token;
    const oldKid = decodeProtectedHeader(old).kid;
    sql(server.db, `UPDATE "jwks" SET "expiresAt" = '2020-01-01T00:00:00.000Z'`);
    // Long expired: past the 30 days of grace, so not published any more.
    let keys = (await new Browser(server.api).get('/jwks')).body.keys;
    assert.deepEqual(keys.map((k) => k.kid), []);
    const fresh = (await user.browser.get('/token')).body.token;
    assert.notEqual(decodeProtectedHeader(fresh).kid, oldKid);
    keys = (await verify(server, fresh)).keys;
    assert.equal(keys.length, 1);
    // Expired yesterday: still within the grace period, so both are published.
    sql(server.db, `UPDATE "jwks" SET "expiresAt" = '${new Date(Date.now() - 86400e3).toISOString()}' WHERE "id" = '${oldKid}'`);
    keys = (await new Browser(server.api).get('/jwks')).body.keys;
    assert.deepEqual(keys.map((k) => k.kid).sort(), [oldKid, decodeProtectedHeader(fresh).kid].sort());
    await verify(server, old).catch((e) => assert.match(e.message, /"exp" claim timestamp check failed|expired/));
  });

  test("a key encrypted under another secret (the server's was changed) gives way to a new one", async () => {
    const user = await signedUp(server.api);
    sql(server.db, `UPDATE "jwks" SET "privateKey" = '"00112233"'`);
    const keys = () => sql(server.db, 'SELECT count(*) AS n FROM "jwks"')[0].n;
    const before = keys();
    // Ten at once: one new key between them.
    const answers = await Promise.all(Array.from({ length: 10 }, () => user.browser.get('/token')));
    for (const res of answers) {
      assert.equal(res.status, 200, JSON.stringify(res.body));
      await verify(server, res.body.token);
    }
    assert.equal(keys(), before + 1);
    assert.equal(new Set(answers.map((r) => decodeProtectedHeader(r.body.token).kid)).size, 1);
  });
});

test('the key outlives the server: a restart on the same database signs with the same key', async () => {
  const first = await startServer({ jwt: true });
  const user = await signedUp(first.api);
  const token = (await user.browser.get('/token')).body.token;
  await first.stop({ keep: true });
  const second = await startServer({ jwt: true, database: first.db });
  try {
    await verify(second, token, first.url);
    const again = await signedUp(second.api);
    assert.equal(decodeProtectedHeader((await again.browser.get('/token')).body.token).kid, decodeProtectedHeader(token).kid);
  } finally {
    await second.stop();
  }
});

test('without --jwt: no /token and no /jwks', async () => {
  await withServer({}, async (s) => {
    const user = await signedUp(s.api);
    assert.equal((await user.browser.get('/token')).status, 404);
    assert.equal((await user.browser.get('/jwks')).status, 404);
  });
});

test('--jwt-expires-in sets how long a token is valid', async () => {
  await withServer({ jwt: true, jwtExpiresIn: 60 }, async (s) => {
    const user = await signedUp(s.api);
    const { payload } = await verify(s, (await user.browser.get('/token')).body.token);
    assert.equal(payload.exp - payload.iat, 60);
  });
});

test('--jwt-rotation-interval: each key is made to expire that long after it is made (then replaced, as above)', async () => {
  await withServer({ jwt: true, jwtRotationInterval: 3600 }, async (s) => {
    const user = await signedUp(s.api);
    await verify(s, (await user.browser.get('/token')).body.token);
    const [row] = sql(s.db, 'SELECT "createdAt" AS created, "expiresAt" AS expires FROM "jwks"');
    assert.equal(Date.parse(row.expires) - Date.parse(row.created), 3600e3);
  });
  await withServer({ jwt: true }, async (s) => {
    await new Browser(s.api).get('/jwks');
    assert.deepEqual(sql(s.db, 'SELECT count(*) AS n FROM "jwks" WHERE "expiresAt" IS NULL'), [{ n: 1 }], 'by default, keys do not expire');
  });
});

const ADMIN_URL = process.env.PORTCULLIS_TEST_POSTGRES;
describe('on a PostgreSQL database shared with BetterAuth and its jwt plugin', { skip: !ADMIN_URL && 'PORTCULLIS_TEST_POSTGRES is not set' }, () => {
  let db;
  let auth;
  let pgServer;
  before(async () => {
    db = await betterAuthOnPostgres(ADMIN_URL, `pc_jwt_${process.pid}`, { plugins: [jwtPlugin()] });
    auth = db.auth;
    pgServer = await startServer({ database: db.dbUrl, jwt: true, sessionCacheTtl: 0 });
  });
  after(async () => {
    await pgServer?.stop();
    await db?.drop();
  });

  test('one key set: BetterAuth signs with the key Portcullis made, and Portcullis with the one BetterAuth made', async () => {
    // Portcullis makes the first key; BetterAuth decrypts it (the same secret) and signs with it.
    const ours = await new Browser(pgServer.api).get('/jwks');
    const theirs = await auth.api.getJwks();
    assert.deepEqual(theirs.keys, ours.body.keys);
    const user = await signedUp(pgServer.api);
    const signed = await auth.api.signJWT({ body: { payload: { sub: user.id } } });
    assert.equal(decodeProtectedHeader(signed.token).kid, ours.body.keys[0].kid);
    await jwtVerify(signed.token, createLocalJWKSet(ours.body));
    // A key BetterAuth made (the only one left) is Portcullis's to sign with too.
    psql(db.dbUrl, 'DELETE FROM "jwks"');
    const made = await auth.api.getJwks();
    assert.equal(made.keys.length, 1);
    const token = (await user.browser.get('/token')).body.token;
    assert.equal(decodeProtectedHeader(token).kid, made.keys[0].kid);
    await jwtVerify(token, createLocalJWKSet(made), { issuer: pgServer.url, audience: pgServer.url });
  });
});
