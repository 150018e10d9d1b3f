// The FastAPI integration with real processes: the portcullis binary, and the example app of
// integrations/fastapi served by Debian's uvicorn under /usr/bin/python3. The app asks the server
// about the caller's cookie or bearer token on every request (no cache); in JWT mode
// (PORTCULLIS_JWT=1) it verifies the server's JSON Web Tokens (--jwt) itself, with the keys of
// GET /jwks.
import { execFileSync } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { APP_DIR, freePort, startApi } from '../support/fastapi.mjs';
import { BIN, Browser, SECRET, dump, sql, startServer, waitFor, withServer } from '../support/server.mjs';
import { totp } from '../support/totp.mjs';

const PASSWORD = 'fastapi-Integration-2026!';

const SERVER_CONFIG = { twoFactor: true, jwt: true, admin: true, organization: true };
let server;
let api; // the example app as it comes: JWT mode off
let jwtApi; // the same with PORTCULLIS_JWT=1
before(async () => {
  server = await startServer({ port: await freePort(), ...SERVER_CONFIG });
  [api, jwtApi] = await Promise.all([startApi(server.api), startApi(server.api, { env: { PORTCULLIS_JWT: '1' } })]);
});
const stoppedDirs = []; // of servers stopped by stopServer(): the first one holds the database
after(async () => {
  await api?.stop();
  await jwtApi?.stop();
  await server?.stop();
  for (const dir of stoppedDirs) rmSync(dir, { recursive: true, force: true });
});

/** Stops the auth server (connection refused from then on); resolves to restart(), which starts it
 * again on the same port and database (so with the same base URL and the same JWT key). */
async function stopServer() {
  const port = Number(new URL(server.url).port);
  const { db, dir } = server;
  await server.stop({ keep: true });
  stoppedDirs.push(dir);
  return async () => {
    server = await startServer({ port, database: db, ...SERVER_CONFIG });
  };
}

async function signedInBrowser(email, s = server) {
  const browser = new Browser(s.api);
  const res = await browser.post('/sign-up/email', { name: 'Ada Lovelace', email, password: PASSWORD });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return { browser, token: res.body.token };
}

const at = (app, path, headers = {}) =>
  fetch(`${app.url}${path}`, { headers }).then(async (r) => ({
    status: r.status,
    body: await r.json(),
    challenge: r.headers.get('www-authenticate'),
  }));
const me = (headers = {}) => at(api, '/api/me', headers).then(({ status, body }) => ({ status, body }));

test('the protected route answers 200 with the user for the session cookie', async () => {
  const { browser } = await signedInBrowser('ada-cookie@example.com');
  const res = await me({ cookie: browser.cookieHeader() });
  assert.equal(res.status, 200);
  assert.equal(res.body.email, 'ada-cookie@example.com');
  assert.equal(res.body.name, 'Ada Lovelace');
});

test('a route for users with two-step verification on: 403 until they turn it on, then 200', async () => {
  const { browser } = await signedInBrowser('ada-two-factor@example.com');
  const admin = () =>
    fetch(`${api.url}/api/admin`, { headers: { cookie: browser.cookieHeader() } }).then(async (r) => ({ status: r.status, body: await r.json() }));
  assert.deepEqual(await admin(), { status: 403, body: { detail: 'Two-step verification required' } });
  const enabled = await browser.post('/two-factor/enable', { password: PASSWORD });
  assert.equal((await browser.post('/two-factor/verify-totp', { code: totp(enabled.body.totpURI) })).status, 200);
  const res = await admin();
  assert.equal(res.status, 200);
  assert.equal(res.body.twoFactorEnabled, true);
  assert.equal((await fetch(`${api.url}/api/admin`)).status, 401);
});

test('the protected route answers 200 for the bearer token (the signed cookie value)', async () => {
  const { browser } = await signedInBrowser('ada-bearer@example.com');
  const signed = decodeURIComponent(browser.jar.get('better-auth.session_token'));
  const res = await me({ authorization: `Bearer ${signed}` });
  assert.equal(res.status, 200);
  assert.equal(res.body.email, 'ada-bearer@example.com');
});

test("the session's active organization (--organization) reaches the API, and follows set-active", async () => {
  const { browser } = await signedInBrowser('ada-organization@example.com');
  const session = () => at(api, '/api/session', { cookie: browser.cookieHeader() }).then((r) => r.body);
  assert.equal((await session()).activeOrganizationId, null);
  const created = await browser.post('/organization/create', { name: 'Analytical Engines', slug: `engines-${process.pid}` });
  assert.equal(created.status, 200);
  assert.equal((await session()).activeOrganizationId, created.body.id);
  assert.equal((await browser.post('/organization/set-active', { organizationId: null })).status, 200);
  assert.equal((await session()).activeOrganizationId, null);
});

test('asking about a session on every request writes nothing to the database', async () => {
  const { browser } = await signedInBrowser('ada-readonly@example.com');
  const cookie = browser.cookieHeader();
  const before = dump(server.db);
  for (let i = 0; i < 20; i++) assert.equal((await me({ cookie })).status, 200);
  assert.equal(dump(server.db), before);
});

test('401 without credentials, with a forged cookie, and with a bare unsigned token', async () => {
  assert.equal((await me()).status, 401);
  assert.equal((await me({ cookie: 'better-auth.session_token=forged.c2lnbmF0dXJl' })).status, 401);
  const { token } = await signedInBrowser('ada-unsigned@example.com');
  assert.equal((await me({ cookie: `better-auth.session_token=${token}` })).status, 401);
  // optional_user: the same request is welcome, as a stranger
  const hello = await fetch(`${api.url}/api/hello`).then((r) => r.json());
  assert.deepEqual(hello, { message: 'Hello, stranger!' });
});

test('401 right after sign-out', async () => {
  const { browser } = await signedInBrowser('ada-signout@example.com');
  const cookie = browser.cookieHeader();
  assert.equal((await me({ cookie })).status, 200);
  assert.equal((await browser.post('/sign-out', {})).status, 200);
  assert.equal((await me({ cookie })).status, 401);
});

test('401 right after the session is revoked from another session', async () => {
  const { browser: laptop } = await signedInBrowser('ada-revoke@example.com');
  const phone = new Browser(server.api);
  const signIn = await phone.post('/sign-in/email', { email: 'ada-revoke@example.com', password: PASSWORD });
  assert.equal(signIn.status, 200);
  const cookie = phone.cookieHeader();
  assert.equal((await me({ cookie })).status, 200);
  const revoked = await laptop.post('/revoke-session', { token: signIn.body.token });
  assert.equal(revoked.status, 200);
  assert.equal((await me({ cookie })).status, 401);
  assert.equal((await me({ cookie: laptop.cookieHeader() })).status, 200);
});

test('503 while the auth server is down (refused or hung), 200 again when it is back', async () => {
  const { browser } = await signedInBrowser('ada-outage@example.com');
  const cookie = browser.cookieHeader();

  server.child.kill('SIGSTOP'); // hung: the app's 1 s timeout
  try {
    const hung = await me({ cookie });
    assert.equal(hung.status, 503);
    assert.deepEqual(hung.body, { detail: 'Authentication service unavailable' });
  } finally {
    server.child.kill('SIGCONT');
  }
  assert.equal((await me({ cookie })).status, 200);

  const restart = await stopServer(); // down: connection refused
  const refused = await me({ cookie });
  assert.equal(refused.status, 503);
  // and no credentials at all is still a plain 401: nothing to ask about
  assert.equal((await me()).status, 401);

  await restart();
  const back = await me({ cookie });
  assert.equal(back.status, 200);
  assert.equal(back.body.email, 'ada-outage@example.com');
});

// ---- JSON Web Tokens (JWT mode, PORTCULLIS_JWT=1) ---------------------------------------------

const tokenOf = async (browser) => {
  const res = await browser.get('/token');
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.token;
};
const bearer = (token) => ({ authorization: `Bearer ${token}` });
const decode = (part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
const encode = (object) => Buffer.from(JSON.stringify(object)).toString('base64url');
/** The token with its header and/or claims changed (by a function of the old ones), the signature kept. */
function altered(token, { header = (h) => h, claims = (c) => c } = {}) {
  const [h, c, signature] = token.split('.');
  return `${encode(header(decode(h)))}.${encode(claims(decode(c)))}.${signature}`;
}
const INVALID = { detail: 'Invalid token' };
const CHALLENGE = 'Bearer error="invalid_token", error_description="The token is not valid"';
async function assertInvalid(app, token, path = '/api/me') {
  const res = await at(app, path, bearer(token));
  assert.deepEqual({ status: res.status, body: res.body, challenge: res.challenge }, { status: 401, body: INVALID, challenge: CHALLENGE });
}

/** The paths the auth server was asked for since its log line `from`: read once it has logged a
 * request to /ok sent now, and the `expected` paths (a line is written just after its answer). */
async function askedSince(s, from, expected = []) {
  assert.equal((await fetch(`${s.api}/ok`)).status, 200);
  const paths = () => s.logs.slice(from).map((l) => JSON.parse(l)).filter((m) => m.msg === 'request').map((m) => m.path);
  await waitFor(() => ['/api/auth/ok', ...expected].every((p) => paths().includes(p)), { what: 'the server to log /ok' });
  return paths().filter((p) => p !== '/api/auth/ok');
}

test('JWT mode is off by default: a bearer JWT is forwarded to get-session as before, which refuses it', async () => {
  const { browser } = await signedInBrowser('ada-jwt-off@example.com');
  const token = await tokenOf(browser);
  const from = server.logs.length;
  const res = await at(api, '/api/me', bearer(token));
  assert.deepEqual({ status: res.status, body: res.body }, { status: 401, body: { detail: 'Not signed in' } });
  assert.deepEqual(await askedSince(server, from, ['/api/auth/get-session']), ['/api/auth/get-session']);
});

test('a /token JWT as Bearer: 200 with the user the cookie gives, without asking the server each time', async () => {
  const { browser } = await signedInBrowser('ada-jwt@example.com');
  const token = await tokenOf(browser);
  const claims = decode(token.split('.')[1]);
  const viaJwt = await at(jwtApi, '/api/me', bearer(token));
  assert.equal(viaJwt.status, 200, JSON.stringify(viaJwt.body));
  const viaCookie = await at(jwtApi, '/api/me', { cookie: browser.cookieHeader() });
  assert.equal(viaCookie.status, 200);
  assert.deepEqual(viaJwt.body, viaCookie.body);
  assert.equal(viaJwt.body.email, 'ada-jwt@example.com');
  // current_session: no session behind a JWT, the token's own expiry instead.
  const session = await at(jwtApi, '/api/session', bearer(token));
  assert.equal(session.status, 200);
  assert.equal(session.body.sessionId, null);
  assert.equal(session.body.via, 'jwt');
  assert.equal(session.body.userId, claims.sub);
  assert.equal(Date.parse(session.body.expiresAt), claims.exp * 1000);
  const cookieSession = await at(jwtApi, '/api/session', { cookie: browser.cookieHeader() });
  assert.equal(cookieSession.body.via, 'session');
  assert.equal(typeof cookieSession.body.sessionId, 'string');
  // two_factor_user reads the token's twoFactorEnabled (false here); optional_user greets by name.
  assert.deepEqual((await at(jwtApi, '/api/admin', bearer(token))).body, { detail: 'Two-step verification required' });
  assert.deepEqual((await at(jwtApi, '/api/hello', bearer(token))).body, { message: 'Hello, Ada Lovelace!' });
  // The keys are held now: twenty more requests ask the server nothing.
  const from = server.logs.length;
  for (let i = 0; i < 20; i++) assert.equal((await at(jwtApi, '/api/me', bearer(token))).status, 200);
  assert.deepEqual(await askedSince(server, from), []);
});

test('verified locally: with the auth server stopped the JWT is still accepted, a cookie gets 503', async () => {
  const { browser } = await signedInBrowser('ada-jwt-outage@example.com');
  const token = await tokenOf(browser);
  const cookie = browser.cookieHeader();
  assert.equal((await at(jwtApi, '/api/me', bearer(token))).status, 200);
  const restart = await stopServer();
  try {
    const res = await at(jwtApi, '/api/me', bearer(token));
    assert.equal(res.status, 200);
    assert.equal(res.body.email, 'ada-jwt-outage@example.com');
    assert.equal((await at(jwtApi, '/api/session', bearer(token))).body.via, 'jwt');
    // The cookie path fails closed as it always did, in JWT mode or not.
    for (const app of [jwtApi, api]) {
      const down = await at(app, '/api/me', { cookie });
      assert.deepEqual({ status: down.status, body: down.body }, { status: 503, body: { detail: 'Authentication service unavailable' } });
    }
    // A bad token is still a 401, not a 503: it needs no server to be refused.
    await assertInvalid(jwtApi, altered(token, { claims: (c) => ({ ...c, email: 'eve@example.com' }) }));
  } finally {
    await restart();
  }
  assert.equal((await at(jwtApi, '/api/me', { cookie })).status, 200);
});

test('an altered JWT (claims changed, signature kept) is refused with 401 invalid_token', async () => {
  const { browser } = await signedInBrowser('ada-jwt-altered@example.com');
  const { browser: other } = await signedInBrowser('eve-jwt-altered@example.com');
  const token = await tokenOf(browser);
  const eve = decode((await tokenOf(other)).split('.')[1]);
  await assertInvalid(jwtApi, altered(token, { claims: (c) => ({ ...c, sub: eve.sub, id: eve.id, email: eve.email }) }));
  await assertInvalid(jwtApi, altered(token, { claims: (c) => ({ ...c, exp: c.exp + 3600 }) }));
  await assertInvalid(jwtApi, altered(token, { claims: (c) => ({ ...c, twoFactorEnabled: true }) }), '/api/admin');
  // The signature itself, one bit flipped (replacing its last characters could decode to the same
  // bytes: the last one carries 2 bits, so "AA" was the signature unchanged once in 256 runs).
  const [head, claims, signature] = token.split('.');
  const flipped = Buffer.from(signature, 'base64url');
  flipped[0] ^= 1;
  await assertInvalid(jwtApi, `${head}.${claims}.${flipped.toString('base64url')}`);
  // The bearer JWT is the credential when there is one: a good cookie does not rescue it.
  const both = await at(jwtApi, '/api/me', { ...bearer(altered(token, { claims: (c) => ({ ...c, name: 'Eve' }) })), cookie: browser.cookieHeader() });
  assert.equal(both.status, 401);
  // optional_user: a bad token is a stranger, as a bad cookie is.
  assert.deepEqual((await at(jwtApi, '/api/hello', bearer(altered(token, { claims: (c) => ({ ...c, name: 'Eve' }) })))).body, {
    message: 'Hello, stranger!',
  });
});

test("a JWT signed by another server's key is refused", async () => {
  await withServer({ jwt: true }, async (other) => {
    const { browser } = await signedInBrowser('ada-jwt-elsewhere@example.com', other);
    const foreign = await tokenOf(browser);
    await assertInvalid(jwtApi, foreign); // its kid is unknown here
    // ... and with our server's kid and issuer put in, the signature does not verify with our key.
    const ours = decode((await tokenOf((await signedInBrowser('ada-jwt-here@example.com')).browser)).split('.')[0]);
    await assertInvalid(
      jwtApi,
      altered(foreign, { header: (h) => ({ ...h, kid: ours.kid }), claims: (c) => ({ ...c, iss: server.url, aud: server.url }) }),
    );
  });
});

test('the right key but another issuer or audience: 401 (and the log says what to set)', async () => {
  const { browser } = await signedInBrowser('ada-jwt-issuer@example.com');
  const token = await tokenOf(browser);
  const [wrongIssuer, wrongAudience, rightIssuer] = await Promise.all([
    startApi(server.api, { env: { PORTCULLIS_JWT: '1', PORTCULLIS_JWT_ISSUER: 'https://auth.example.com' } }),
    startApi(server.api, { env: { PORTCULLIS_JWT: '1', PORTCULLIS_JWT_ISSUER: server.url, PORTCULLIS_JWT_AUDIENCE: 'https://api.example.com' } }),
    startApi(server.api, { env: { PORTCULLIS_JWT: '1', PORTCULLIS_JWT_ISSUER: server.url } }),
  ]);
  try {
    await assertInvalid(wrongIssuer, token);
    await assertInvalid(wrongAudience, token);
    assert.equal((await at(rightIssuer, '/api/me', bearer(token))).status, 200);
    assert.match(wrongIssuer.output, /JWT refused: Invalid issuer .*expected iss 'https:\/\/auth\.example\.com'/);
    assert.match(wrongAudience.output, /JWT refused: Invalid audience/);
  } finally {
    await Promise.all([wrongIssuer.stop(), wrongAudience.stop(), rightIssuer.stop()]);
  }
});

test('forged algorithms and headers are refused before any key is looked up: none, HS256, no kid, garbage', async () => {
  const { browser } = await signedInBrowser('ada-jwt-forged@example.com');
  const token = await tokenOf(browser);
  const [h, c] = token.split('.');
  const { kid } = decode(h);
  const { x } = (await new Browser(server.api).get('/jwks')).body.keys.find((k) => k.kid === kid);
  const input = (header) => `${encode(header)}.${c}`;
  const hs256 = (secret) => `${input({ alg: 'HS256', kid })}.${createHmac('sha256', secret).update(input({ alg: 'HS256', kid })).digest('base64url')}`;
  const from = server.logs.length;
  for (const forged of [
    `${input({ alg: 'none', kid })}.`,
    `${input({ alg: 'none' })}.`,
    hs256(x), // the public key as an HMAC secret: the classic confusion
    hs256(Buffer.from(x, 'base64url')),
    altered(token, { header: (hd) => ({ ...hd, alg: 'ES256' }) }),
    altered(token, { header: ({ kid: _, ...rest }) => rest }),
    altered(token, { header: (hd) => ({ ...hd, crit: ['exp'] }) }),
    'a.b.c',
    '..',
  ]) {
    await assertInvalid(jwtApi, forged);
  }
  assert.deepEqual(await askedSince(server, from), []);
});

test('tokens naming unknown keys cannot make the API hammer the server: one key-set fetch at most', async () => {
  const { browser } = await signedInBrowser('ada-jwt-kids@example.com');
  const token = await tokenOf(browser);
  const from = server.logs.length;
  for (let i = 0; i < 20; i++) await assertInvalid(jwtApi, altered(token, { header: (h) => ({ ...h, kid: randomUUID() }) }));
  const asked = await askedSince(server, from);
  assert.ok(asked.length <= 1 && asked.every((p) => p === '/api/auth/jwks'), JSON.stringify(asked));
});

test("a new key is fetched when a token names it; a key the server stops publishing is refused after jwks_max_age", async () => {
  await withServer({ jwt: true }, async (s) => {
    const [rotating, expiring] = await Promise.all([
      startApi(s.api, { env: { PORTCULLIS_JWT: '1', PORTCULLIS_JWKS_REFETCH_INTERVAL: '1' } }),
      startApi(s.api, { env: { PORTCULLIS_JWT: '1', PORTCULLIS_JWKS_MAX_AGE: '1', PORTCULLIS_JWKS_REFETCH_INTERVAL: '1' } }),
    ]);
    try {
      const { browser } = await signedInBrowser('ada-jwt-rotation@example.com', s);
      const first = await tokenOf(browser);
      const oldKid = decode(first.split('.')[0]).kid;
      for (const app of [rotating, expiring]) assert.equal((await at(app, '/api/me', bearer(first))).status, 200);
      // The server's key expires: the next token is signed with a new one (the old one stays published).
      sql(s.db, `UPDATE "jwks" SET "expiresAt" = '${new Date(Date.now() - 86400e3).toISOString()}' WHERE "id" = '${oldKid}'`);
      const second = await tokenOf(browser);
      assert.notEqual(decode(second.split('.')[0]).kid, oldKid);
      const from = s.logs.length;
      // Refetched for the unknown kid, once the refetch interval (1 s) since the first fetch is over.
      await waitFor(async () => (await at(rotating, '/api/me', bearer(second))).status === 200, { what: 'the new key to be fetched' });
      const asked = await askedSince(s, from, ['/api/auth/jwks']);
      assert.ok(asked.length >= 1 && asked.length <= 2 && asked.every((p) => p === '/api/auth/jwks'), JSON.stringify(asked));
      assert.equal((await at(rotating, '/api/me', bearer(first))).status, 200);
      // The old key removed from the server: refused once the held key set is older than 1 s.
      sql(s.db, `DELETE FROM "jwks" WHERE "id" = '${oldKid}'`);
      await waitFor(async () => (await at(expiring, '/api/me', bearer(first))).status === 401, { what: 'the removed key to be refused' });
      await assertInvalid(expiring, first);
      assert.equal((await at(expiring, '/api/me', bearer(second))).status, 200);
    } finally {
      await Promise.all([rotating.stop(), expiring.stop()]);
    }
  });
});

test('an expired JWT: 401 "Token expired"', async () => {
  await withServer({ jwt: true, jwtExpiresIn: 3 }, async (s) => {
    const app = await startApi(s.api, { env: { PORTCULLIS_JWT: '1', PORTCULLIS_JWT_LEEWAY: '0' } });
    try {
      const { browser } = await signedInBrowser('ada-jwt-expiry@example.com', s);
      const token = await tokenOf(browser);
      const { exp } = decode(token.split('.')[1]);
      if (Date.now() < (exp - 1) * 1000) assert.equal((await at(app, '/api/me', bearer(token))).status, 200);
      // The clock passing exp (at most 3 s): refused from then on.
      const res = await waitFor(
        async () => {
          const r = await at(app, '/api/me', bearer(token));
          return r.status === 401 && r;
        },
        { timeout: 8000, interval: 100, what: 'the token to expire' },
      );
      assert.ok(Date.now() >= exp * 1000);
      assert.deepEqual(
        { body: res.body, challenge: res.challenge },
        { body: { detail: 'Token expired' }, challenge: 'Bearer error="invalid_token", error_description="The token has expired"' },
      );
    } finally {
      await app.stop();
    }
  });
});

test('the package installs with pip from the repository and imports from outside it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-pip-'));
  try {
    // pip builds in the source folder: build a copy, so the repository stays clean.
    const source = join(dir, 'portcullis-fastapi');
    cpSync(APP_DIR, source, { recursive: true, filter: (f) => !/__pycache__|\.egg-info|\/build$/.test(f) });
    const venv = join(dir, 'venv');
    execFileSync('/usr/bin/python3', ['-m', 'venv', '--system-site-packages', venv]);
    execFileSync(join(venv, 'bin/pip'), ['install', '--quiet', '--no-index', '--no-build-isolation', '--no-deps', source], {
      cwd: dir,
      stdio: 'pipe',
    });
    const where = execFileSync(
      join(venv, 'bin/python'),
      [
        '-c',
        // JWT mode imports PyJWT and cryptography (Debian's python3-jwt, python3-cryptography).
        'import portcullis_fastapi as p; p.PortcullisAuth("http://127.0.0.1:1/api/auth", jwt=True); ' +
          'import portcullis_fastapi.tokens as t; print(p.__file__); print(sorted(p.__all__)); print(t.__file__)',
      ],
      { cwd: dir, encoding: 'utf8' },
    );
    const [file, names, tokens] = where.trim().split('\n');
    assert.ok(file.startsWith(venv), file);
    assert.ok(tokens.startsWith(venv), tokens);
    assert.equal(
      names,
      "['ApiKeyRefused', 'AuthServiceUnavailable', 'Jwt', 'NotAuthenticated', 'PortcullisAuth', 'Session', 'SessionInfo', 'User']",
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a route for administrators (the server's --admin roles): 403 for a user, 200 for an admin, by cookie and by JWT", async () => {
  const staff = (app, headers) =>
    fetch(`${app.url}/api/staff`, { headers }).then(async (r) => ({ status: r.status, body: await r.json() }));
  const { browser: user } = await signedInBrowser('ada-staff-user@example.com');
  assert.deepEqual(await staff(api, { cookie: user.cookieHeader() }), {
    status: 403,
    body: { detail: "The role 'admin' is required" },
  });
  // The role is given before the server has been asked about this session (nothing cached yet).
  const { browser: admin } = await signedInBrowser('ada-staff-admin@example.com');
  execFileSync(BIN, ['user', 'set-role', '--email', 'ada-staff-admin@example.com', '--role', 'user,admin', '--database', server.db], {
    env: { ...process.env, BETTER_AUTH_SECRET: SECRET },
  });
  const byCookie = await staff(api, { cookie: admin.cookieHeader() });
  assert.equal(byCookie.status, 200, JSON.stringify(byCookie.body));
  assert.deepEqual(byCookie.body.roles, ['user', 'admin']);
  // A JWT carries the role among its claims (get-session's user), read without asking the server.
  const byJwt = await staff(jwtApi, bearer(await tokenOf(admin)));
  assert.equal(byJwt.status, 200, JSON.stringify(byJwt.body));
  assert.deepEqual(byJwt.body.roles, ['user', 'admin']);
  assert.equal((await staff(jwtApi, bearer(await tokenOf(user)))).status, 403);
  assert.equal((await fetch(`${api.url}/api/staff`)).status, 401);
});
