// Hostile input: every request gets a 4xx with a stable code, and the database is unchanged.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { Browser, dump, startServer } from '../support/server.mjs';

let server;
let victim; // a signed-in browser whose cookie the tests forge and truncate
before(async () => {
  server = await startServer();
  victim = new Browser(server.api);
  const res = await victim.post('/sign-up/email', { name: 'Victim', email: 'victim@example.com', password: 'victim-password' });
  assert.equal(res.status, 200);
});
after(async () => {
  await server.stop();
});

// Sends a raw request and checks status, code, and that nothing in the database changed.
async function rejects(path, { body, headers = {}, cookie }, status, code) {
  const before = dump(server.db);
  const h = { 'content-type': 'application/json', origin: server.url, ...headers };
  if (cookie) h.cookie = cookie;
  const res = await fetch(`${server.api}${path}`, { method: 'POST', headers: h, body });
  const text = await res.text();
  assert.equal(res.status, status, `${path}: ${text}`);
  const json = JSON.parse(text);
  assert.equal(json.code, code, text);
  assert.equal(typeof json.message, 'string');
  assert.equal(dump(server.db), before, 'the database is unchanged');
  return json;
}

test('malformed JSON', async () => {
  await rejects('/sign-up/email', { body: '{"name":"x","email":' }, 400, 'BAD_REQUEST');
  await rejects('/sign-in/email', { body: '{email: "a@b.co"}' }, 400, 'BAD_REQUEST');
});

test('a body that is not an object', async () => {
  await rejects('/sign-up/email', { body: '[1,2,3]' }, 400, 'BODY_MUST_BE_AN_OBJECT');
  await rejects('/sign-in/email', { body: '"just a string"' }, 400, 'BODY_MUST_BE_AN_OBJECT');
});

test('[ASVS 5.1.4] wrong types and missing fields, in zod-style messages', async () => {
  const j = await rejects('/sign-up/email', { body: JSON.stringify({ name: 'N', email: 42, password: ['x'] }) }, 400, 'VALIDATION_ERROR');
  assert.equal(j.message, '[body.email] Invalid input: expected string, received number; [body.password] Invalid input: expected string, received array');
  const m = await rejects('/sign-up/email', { body: JSON.stringify({ email: 'a@example.com', password: 'password123' }) }, 400, 'VALIDATION_ERROR');
  assert.equal(m.message, '[body.name] Invalid input: expected string, received undefined');
  await rejects('/sign-in/email', { body: JSON.stringify({ email: 'a@example.com', password: 'x', rememberMe: 'yes' }) }, 400, 'VALIDATION_ERROR');
});

test('[ASVS 5.1.2] unknown fields are refused, not silently dropped', async () => {
  const j = await rejects('/sign-up/email', { body: JSON.stringify({ name: 'N', email: 'n@example.com', password: 'password123', emailVerified: true }) }, 400, 'VALIDATION_ERROR');
  assert.equal(j.message, '[body] Unrecognized key: "emailVerified"');
});

test('a 1 MiB body', async () => {
  const big = JSON.stringify({ name: 'x'.repeat(1 << 20), email: 'big@example.com', password: 'password123' });
  await rejects('/sign-up/email', { body: big }, 413, 'PAYLOAD_TOO_LARGE');
});

test('[ASVS 5.3.2] invalid UTF-8 and lone surrogates', async () => {
  const bytes = Buffer.concat([
    Buffer.from('{"name":"'),
    Buffer.from([0xc3, 0x28, 0xff]),
    Buffer.from('","email":"u@example.com","password":"password123"}'),
  ]);
  await rejects('/sign-up/email', { body: bytes }, 400, 'BAD_REQUEST');
  await rejects('/sign-up/email', { body: '{"name":"\\ud800","email":"u@example.com","password":"password123"}' }, 400, 'BAD_REQUEST');
});

test('a 10,000-character password', async () => {
  const password = 'p'.repeat(10000);
  await rejects('/sign-up/email', { body: JSON.stringify({ name: 'Long', email: 'long@example.com', password }) }, 400, 'PASSWORD_TOO_LONG');
  await rejects('/sign-in/email', { body: JSON.stringify({ email: 'victim@example.com', password }) }, 400, 'PASSWORD_TOO_LONG');
  await rejects('/verify-password', { body: JSON.stringify({ password }), cookie: victim.cookieHeader() }, 400, 'PASSWORD_TOO_LONG');
});

test('[ASVS 5.1.3, 5.2.2] control characters in a name', async () => {
  for (const name of ['Eve\u0000', 'Eve\u0007il', 'Line\nBreak', '\u202eevE']) {
    await rejects('/sign-up/email', { body: JSON.stringify({ name, email: 'eve@example.com', password: 'password123' }) }, 400, 'INVALID_NAME');
  }
  await rejects('/update-user', { body: JSON.stringify({ name: 'Tab\there' }), cookie: victim.cookieHeader() }, 400, 'INVALID_NAME');
});

test('[ASVS 5.3.4] SQL metacharacters are data: stored and returned as sent, and the tables are intact', async () => {
  const name = `Robert'); DROP TABLE "user"; --`;
  const email = "o'brien+x@example.com";
  const browser = new Browser(server.api);
  const res = await browser.post('/sign-up/email', { name, email, password: 'Zq7!vR2p-sql' });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.user.name, name);
  assert.equal(res.body.user.email, email);
  assert.equal((await browser.get('/get-session')).body.user.name, name);
  assert.equal((await victim.get('/get-session')).body.user.email, 'victim@example.com', 'other users are still there');
});

test('JSON only', async () => {
  const j = await rejects('/sign-in/email', { body: 'email=a%40b.co&password=x', headers: { 'content-type': 'text/plain' } }, 415, 'UNSUPPORTED_MEDIA_TYPE');
  assert.equal(j.message, 'Content-Type "text/plain" is not allowed. Allowed types: application/json, application/x-www-form-urlencoded');
});

test('a forged or truncated session cookie counts as no session', async () => {
  const real = victim.jar.get('better-auth.session_token');
  const [token, sig] = decodeURIComponent(real).split('.');
  const forgedToken = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
  const cookies = {
    forged: `better-auth.session_token=${encodeURIComponent(`${forgedToken}.${sig}`)}`,
    truncated: `better-auth.session_token=${real.slice(0, -5)}`,
    'no signature': `better-auth.session_token=${token}`,
    garbage: 'better-auth.session_token=%%%not-a-cookie',
  };
  for (const [what, cookie] of Object.entries(cookies)) {
    const res = await fetch(`${server.api}/get-session`, { headers: { cookie } });
    assert.equal(res.status, 200, what);
    assert.equal(await res.text(), 'null', what);
    assert.deepEqual(res.headers.getSetCookie(), [], `${what}: no cookie is set or cleared`);
    await rejects('/change-password', { body: JSON.stringify({ currentPassword: 'victim-password', newPassword: 'attacker-password' }), cookie }, 401, 'UNAUTHORIZED');
  }
  const still = await victim.get('/get-session');
  assert.equal(still.body.user.email, 'victim@example.com', 'the real session still works');
});

test('cookie-bearing POSTs from an untrusted or missing origin', async () => {
  const cookie = victim.cookieHeader();
  await rejects('/update-user', { body: JSON.stringify({ name: 'Pwned' }), cookie, headers: { origin: 'https://evil.example' } }, 403, 'INVALID_ORIGIN');
  const before = dump(server.db);
  const res = await fetch(`${server.api}/update-user`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: '{"name":"Pwned"}' });
  assert.equal(res.status, 403);
  assert.equal((await res.json()).code, 'MISSING_OR_NULL_ORIGIN');
  assert.equal(dump(server.db), before);
});
