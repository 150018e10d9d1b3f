// The FastAPI integration with real processes: the portcullis binary, and the example app of
// integrations/fastapi served by Debian's uvicorn under /usr/bin/python3. The app asks the server
// about the caller's cookie or bearer token on every request (no cache).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { APP_DIR, freePort, startApi } from '../support/fastapi.mjs';
import { Browser, dump, startServer } from '../support/server.mjs';
import { totp } from '../support/totp.mjs';

const PASSWORD = 'fastapi-Integration-2026!';

let server;
let api;
before(async () => {
  server = await startServer({ port: await freePort(), twoFactor: true });
  api = await startApi(server.api);
});
after(async () => {
  await api?.stop();
  await server?.stop();
});

async function signedInBrowser(email) {
  const browser = new Browser(server.api);
  const res = await browser.post('/sign-up/email', { name: 'Ada Lovelace', email, password: PASSWORD });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return { browser, token: res.body.token };
}

const me = (headers = {}) =>
  fetch(`${api.url}/api/me`, { headers }).then(async (r) => ({ status: r.status, body: await r.json() }));

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
  const port = new URL(server.url).port;
  const db = server.db;

  server.child.kill('SIGSTOP'); // hung: the app's 1 s timeout
  try {
    const hung = await me({ cookie });
    assert.equal(hung.status, 503);
    assert.deepEqual(hung.body, { detail: 'Authentication service unavailable' });
  } finally {
    server.child.kill('SIGCONT');
  }
  assert.equal((await me({ cookie })).status, 200);

  await server.stop({ keep: true }); // down: connection refused
  const refused = await me({ cookie });
  assert.equal(refused.status, 503);
  // and no credentials at all is still a plain 401: nothing to ask about
  assert.equal((await me()).status, 401);

  const oldDir = server.dir;
  server = await startServer({ port: Number(port), database: db });
  const back = await me({ cookie });
  assert.equal(back.status, 200);
  assert.equal(back.body.email, 'ada-outage@example.com');
  rmSync(oldDir, { recursive: true, force: true });
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
      ['-c', 'import portcullis_fastapi as p; print(p.__file__); print(sorted(p.__all__))'],
      { cwd: dir, encoding: 'utf8' },
    );
    const [file, names] = where.trim().split('\n');
    assert.ok(file.startsWith(venv), file);
    assert.equal(names, "['AuthServiceUnavailable', 'PortcullisAuth', 'Session', 'SessionInfo', 'User']");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
