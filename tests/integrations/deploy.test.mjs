// The deployment of integrations/deploy with real processes on loopback: Debian's nginx (serving
// the repository's configuration files over HTTPS with a throwaway certificate) in front of the
// portcullis binary and the FastAPI example under uvicorn. Clients connect from chosen loopback
// addresses (127.0.0.2, 127.0.0.3, ...) so the address nginx forwards differs from nginx's own.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

import { freePort, startApi } from '../support/fastapi.mjs';
import { startNginx } from '../support/nginx.mjs';
import { applySetCookies, BIN, cookieHeader, rawRequest, SECRET, sql, startServer } from '../support/server.mjs';

const DEPLOY = fileURLToPath(new URL('../../integrations/deploy/', import.meta.url));

const PASSWORD = 'deploy-Behind-Nginx-2026!';

/** One request (see rawRequest), from `localAddress`, to nginx's `host` over TLS trusting `ca`. */
function send(url, { method = 'GET', headers = {}, body, ca, host, localAddress = '127.0.0.2' } = {}) {
  const h = { ...headers };
  if (host) h.host = host;
  if (body !== undefined) h['content-type'] = 'application/json';
  return rawRequest(url, { method, headers: h, body, localAddress, tls: { ca, servername: host ?? 'example.com' } });
}

/** A browser at `origin` that keeps its cookies (name -> value) and sends them back. */
class Client {
  constructor(base, { origin, ca, host, localAddress }) {
    Object.assign(this, { base, origin, ca, host, localAddress });
    this.jar = new Map();
    this.setCookies = [];
  }
  cookie() {
    return cookieHeader(this.jar);
  }
  async call(path, { method, body, headers = {} } = {}) {
    const h = { origin: this.origin, ...headers };
    if (this.jar.size) h.cookie = this.cookie();
    const res = await send(`${this.base}${path}`, {
      method: method ?? (body === undefined ? 'GET' : 'POST'),
      headers: h,
      body,
      ca: this.ca,
      host: this.host,
      localAddress: this.localAddress,
    });
    this.setCookies.push(...res.headers.getSetCookie());
    applySetCookies(this.jar, res.headers.getSetCookie());
    return res;
  }
}

describe('one domain: nginx routes /api/auth/ to Portcullis and /api/ to FastAPI', () => {
  let server;
  let api;
  let nginx;
  let site;
  before(async () => {
    site = mkdtempSync(join(tmpdir(), 'portcullis-site-'));
    chmodSync(site, 0o755); // a web root is world-readable (nginx's workers are not its owner)
    writeFileSync(join(site, 'index.html'), '<!doctype html><title>Docs</title><h1>Docs</h1>');
    server = await startServer({
      port: await freePort(),
      trustedProxies: ['127.0.0.1'],
      trustedOrigins: ['https://example.com'],
      rateLimit: true,
    });
    // uvicorn believes nginx's X-Forwarded-For (so the app forwards the real client's address).
    api = await startApi(server.api, { args: ['--proxy-headers', '--forwarded-allow-ips', '127.0.0.1'] });
    nginx = await startNginx('portcullis-one-domain.conf', {
      ports: { http: await freePort(), https: await freePort() },
      upstreams: { portcullis: new URL(server.url).host, portcullis_api: new URL(api.url).host },
      root: site,
    });
  });
  after(async () => {
    await nginx?.stop();
    await api?.stop();
    await server?.stop();
    rmSync(site, { recursive: true, force: true });
  });

  const client = (localAddress) =>
    new Client(nginx.https, { origin: 'https://example.com', ca: nginx.cert, host: 'example.com', localAddress });
  const signUp = async (c, email) => {
    const res = await c.call('/api/auth/sign-up/email', { body: { name: 'Grace Hopper', email, password: PASSWORD } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res;
  };

  test('the docs site is served at /, and plain HTTP redirects to HTTPS', async () => {
    const page = await send(`${nginx.https}/`, { ca: nginx.cert, host: 'example.com' });
    assert.equal(page.status, 200);
    assert.match(page.body, /<h1>Docs<\/h1>/);
    const plain = await send(`${nginx.http}/docs/intro`, { host: 'example.com' });
    assert.equal(plain.status, 301);
    assert.equal(plain.headers.get('location'), 'https://example.com/docs/intro');
  });

  test('through nginx (X-Forwarded-Proto: https from a trusted proxy) the session cookie is Secure and __Secure-', async () => {
    const c = client('127.0.0.2');
    await signUp(c, 'grace-secure@example.com');
    const session = c.setCookies.find((s) => s.startsWith('__Secure-better-auth.session_token='));
    assert.ok(session, c.setCookies.join('\n'));
    assert.match(session, /; Secure/);
    assert.match(session, /; HttpOnly/);
  });

  test('the session records the client address nginx forwards, even when the client spoofs X-Forwarded-For', async () => {
    const c = client('127.0.0.3');
    const res = await c.call('/api/auth/sign-up/email', {
      body: { name: 'Grace Hopper', email: 'grace-ip@example.com', password: PASSWORD },
      headers: { 'x-forwarded-for': '203.0.113.9' },
    });
    assert.equal(res.status, 200);
    const [row] = sql(server.db, `SELECT s.ipAddress FROM session s JOIN user u ON u.id = s.userId WHERE u.email = 'grace-ip@example.com'`);
    assert.equal(row.ipAddress, '127.0.0.3');
  });

  test('straight to the server, a non-proxy\'s X-Forwarded-For and X-Forwarded-Proto are ignored', async () => {
    const direct = new Client(server.api, { origin: 'https://example.com', localAddress: '127.0.0.4' });
    const res = await direct.call('/sign-up/email', {
      body: { name: 'Mallory', email: 'mallory@example.com', password: PASSWORD },
      headers: { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https' },
    });
    assert.equal(res.status, 200);
    const [row] = sql(server.db, `SELECT s.ipAddress FROM session s JOIN user u ON u.id = s.userId WHERE u.email = 'mallory@example.com'`);
    assert.equal(row.ipAddress, '127.0.0.4');
    const session = direct.setCookies.find((s) => s.includes('session_token='));
    assert.ok(session.startsWith('better-auth.session_token='), session);
    assert.doesNotMatch(session, /Secure/);
  });

  test('rate limits count each client behind nginx, not nginx', async () => {
    const attempt = (c) =>
      c.call('/api/auth/sign-in/email', { body: { email: 'nobody@example.com', password: 'wrong-password-123' } });
    const first = client('127.0.0.5');
    for (let i = 0; i < 3; i++) assert.equal((await attempt(first)).status, 401);
    assert.equal((await attempt(first)).status, 429); // BetterAuth's rule: 3 sign-ins per 10 s
    assert.equal((await attempt(client('127.0.0.6'))).status, 401); // another client is not blocked
  });

  test('FastAPI behind nginx: 200 for the cookie and for the bearer token, 401 without', async () => {
    const c = client('127.0.0.7');
    await signUp(c, 'grace-api@example.com');
    const me = await c.call('/api/me');
    assert.equal(me.status, 200);
    assert.equal(me.body.email, 'grace-api@example.com');

    const signed = decodeURIComponent(c.jar.get('__Secure-better-auth.session_token'));
    const bearer = await send(`${nginx.https}/api/me`, {
      ca: nginx.cert, host: 'example.com', localAddress: '127.0.0.7', headers: { authorization: `Bearer ${signed}` },
    });
    assert.equal(bearer.status, 200);
    assert.equal(bearer.body.email, 'grace-api@example.com');

    const anonymous = await send(`${nginx.https}/api/me`, { ca: nginx.cert, host: 'example.com' });
    assert.equal(anonymous.status, 401);
  });

  test('FastAPI behind nginx: 401 right after sign-out and right after revocation', async () => {
    const laptop = client('127.0.0.8');
    await signUp(laptop, 'grace-out@example.com');
    const phone = client('127.0.0.9');
    const signIn = await phone.call('/api/auth/sign-in/email', { body: { email: 'grace-out@example.com', password: PASSWORD } });
    assert.equal(signIn.status, 200);
    assert.equal((await phone.call('/api/me')).status, 200);

    assert.equal((await laptop.call('/api/auth/revoke-session', { body: { token: signIn.body.token } })).status, 200);
    assert.equal((await phone.call('/api/me')).status, 401);

    const before = laptop.cookie();
    assert.equal((await laptop.call('/api/auth/sign-out', { body: {} })).status, 200);
    const afterSignOut = await send(`${nginx.https}/api/me`, {
      ca: nginx.cert, host: 'example.com', localAddress: '127.0.0.8', headers: { cookie: before },
    });
    assert.equal(afterSignOut.status, 401);
  });

  test('FastAPI behind nginx: 503 while Portcullis is down, 200 when it is back', async () => {
    const c = client('127.0.0.10');
    await signUp(c, 'grace-down@example.com');
    const port = Number(new URL(server.url).port);
    const { db, dir } = server;
    await server.stop({ keep: true });
    try {
      const down = await c.call('/api/me');
      assert.equal(down.status, 503);
      assert.deepEqual(down.body, { detail: 'Authentication service unavailable' });
      // and signing in meanwhile fails at nginx, not silently
      assert.equal((await c.call('/api/auth/get-session')).status, 502);
    } finally {
      server = await startServer({ port, database: db, trustedProxies: ['127.0.0.1'], trustedOrigins: ['https://example.com'], rateLimit: true });
      rmSync(dir, { recursive: true, force: true });
    }
    const back = await c.call('/api/me');
    assert.equal(back.status, 200);
    assert.equal(back.body.email, 'grace-down@example.com');
  });
});

describe('subdomains: docs., auth. and api.example.com share the session cookie of example.com', () => {
  let server;
  let api;
  let nginx;
  before(async () => {
    server = await startServer({
      port: await freePort(),
      baseURL: 'https://auth.example.com',
      cookieDomain: 'example.com',
      trustedProxies: ['127.0.0.1'],
      trustedOrigins: ['https://docs.example.com', 'https://api.example.com'],
    });
    api = await startApi(server.api, { args: ['--proxy-headers', '--forwarded-allow-ips', '127.0.0.1'] });
    nginx = await startNginx('portcullis-subdomains.conf', {
      ports: { http: await freePort(), https: await freePort() },
      upstreams: { portcullis: new URL(server.url).host, portcullis_api: new URL(api.url).host },
    });
  });
  after(async () => {
    await nginx?.stop();
    await api?.stop();
    await server?.stop();
  });

  test('sign in from the docs site at auth.example.com, then call api.example.com with the same cookie', async () => {
    const docs = new Client(nginx.https, {
      origin: 'https://docs.example.com', ca: nginx.cert, host: 'auth.example.com', localAddress: '127.0.0.2',
    });
    const res = await docs.call('/api/auth/sign-up/email', {
      body: { name: 'Katherine Johnson', email: 'katherine@example.com', password: PASSWORD },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.headers.get('access-control-allow-origin'), 'https://docs.example.com');
    assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
    const session = docs.setCookies.find((s) => s.startsWith('__Secure-better-auth.session_token='));
    assert.match(session, /; Domain=example\.com/i);
    assert.match(session, /; Secure/);

    const me = await send(`${nginx.https}/api/me`, {
      ca: nginx.cert, host: 'api.example.com', headers: { cookie: docs.cookie(), origin: 'https://docs.example.com' },
    });
    assert.equal(me.status, 200);
    assert.equal(me.body.email, 'katherine@example.com');

    // An origin that is not trusted gets no CORS grant.
    const evil = await send(`${nginx.https}/api/auth/get-session`, {
      ca: nginx.cert, host: 'auth.example.com', headers: { cookie: docs.cookie(), origin: 'https://evil.example.net' },
    });
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
  });
});

describe('the deployment files', () => {
  test('the sample configuration passes check-config', () => {
    const out = execFileSync(BIN, ['check-config', '--config', join(DEPLOY, 'portcullis.json')], {
      env: { ...process.env, BETTER_AUTH_SECRET: SECRET, PORTCULLIS_SMTP_PASSWORD: 'x' },
      encoding: 'utf8',
    });
    const report = JSON.parse(out);
    assert.equal(report.ok, true);
    assert.deepEqual(report.trustedProxies, ["127.0.0.1", "::1"]);
  });

  test('the systemd units pass systemd-analyze verify', { skip: !existsSync('/usr/bin/systemd-analyze') && 'no systemd-analyze' }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-units-'));
    try {
      const units = ['portcullis.service', 'portcullis-api.service', 'portcullis-backup.service', 'portcullis-backup.timer'];
      for (const unit of units) {
        // The units name /usr/local/bin/portcullis; point them at the binary under test.
        const text = readFileSync(join(DEPLOY, 'systemd', unit), 'utf8').replaceAll('/usr/local/bin/portcullis', BIN);
        writeFileSync(join(dir, unit), text);
      }
      const result = spawnSync('systemd-analyze', ['verify', '--man=no', ...units.map((unit) => join(dir, unit))], {
        encoding: 'utf8',
      });
      // Only warnings about this machine (no such unit as network.target in a container) may appear.
      const problems = (result.stderr + result.stdout)
        .split('\n')
        .filter((l) => l.trim() && !/network\.target|multi-user\.target|Unit is bound to inactive|Failed to prepare filename/.test(l));
      assert.deepEqual(problems, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
