// Cookies as the contract says (shared/spec/betterauth-contract.md §3 and §6): names, values and
// their HMAC signatures, attributes in BetterAuth's order, deletions, the Secure prefix, domain
// and prefix settings, rememberMe=false, and the rolling refresh of get-session. Expected
// Set-Cookie lines are rebuilt here from the secret with node:crypto, not copied from the server.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { Browser, dump, rawRequest, SECRET, sql, startServer, withServer } from '../support/server.mjs';

// These tests edit the database behind the server's back (sql()), as another process would. The
// server's session cache sees such edits only after its TTL (sessionCacheTtl), so it is off for
// them; tests/server/session-cache.test.mjs covers the cache.
const EDITS_DB = { sessionCacheTtl: 0 };

const PASSWORD = 'correct-horse-battery';
const DAY = 86400000;
const ATTRS = 'Path=/; HttpOnly; SameSite=Lax';

// BetterAuth's signed value: token "." base64(HMAC-SHA-256(secret, token)), with padding.
const signature = (value, secret = SECRET) => createHmac('sha256', secret).update(value).digest('base64');
const signed = (value, secret) => `${value}.${signature(value, secret)}`;
const cookieValue = (value, secret) => encodeURIComponent(signed(value, secret));

const deletions = (prefix = 'better-auth', attrs = ATTRS) =>
  ['session_token', 'session_data', 'dont_remember'].map((key) => `${prefix}.${key}=; Max-Age=0; ${attrs}`);

let counter = 0;
const freshEmail = () => `cookie-${++counter}@example.com`;

// A POST without Origin or cookies (curl-like), so each test controls the Cookie header itself.
const rawPost = (s, path, body, headers = {}) =>
  rawRequest(`${s.api}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
const getSession = (s, cookie, query = '') =>
  rawRequest(`${s.api}/get-session${query}`, { headers: cookie ? { cookie } : {} });

const sessionRow = (s, token) => sql(s.db, `select * from session where token = '${token}'`)[0];

let server;
before(async () => {
  server = await startServer(EDITS_DB);
});
after(async () => {
  await server.stop();
});

async function signUp(s, extra = {}, headers = {}) {
  const res = await rawPost(s, '/sign-up/email', { name: 'Cookie Monster', email: freshEmail(), password: PASSWORD, ...extra }, headers);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res;
}

// ---------------------------------------------------------------------------------------------

describe('the session cookie', () => {
  test('[ASVS 3.2.3, 3.4.2, 3.4.3] sign-up: name=signed value; Max-Age=604800; Path=/; HttpOnly; SameSite=Lax, and set-auth-token', async () => {
    const res = await signUp(server);
    const { token } = res.body;
    assert.deepEqual(res.headers.getSetCookie(), [`better-auth.session_token=${cookieValue(token)}; Max-Age=604800; ${ATTRS}`]);
    assert.equal(res.headers.get('set-auth-token'), signed(token));
    assert.match(signature(token), /^[A-Za-z0-9+/]{43}=$/, '44 characters of padded standard base64');
  });

  test('sign-in sets the same form of cookie for its new session', async () => {
    const up = await signUp(server);
    const res = await rawPost(server, '/sign-in/email', { email: up.body.user.email, password: PASSWORD });
    assert.equal(res.status, 200);
    const { token } = res.body;
    assert.notEqual(token, up.body.token);
    assert.deepEqual(res.headers.getSetCookie(), [`better-auth.session_token=${cookieValue(token)}; Max-Age=604800; ${ATTRS}`]);
    assert.equal(res.headers.get('set-auth-token'), signed(token));
  });

  test("a cookie BetterAuth signed (the contract's vector) is accepted, and dont_remember matches its vector", async () => {
    const secret = '0123456789abcdef0123456789abcdef-test-secret-XYZ';
    const vectorToken = '7FgYgiYFl0nR0MOK3iedN5SCCNetNnES';
    const vectorCookie = '7FgYgiYFl0nR0MOK3iedN5SCCNetNnES.xxyP1KShF%2F2x%2B8tKYqhYm6ecJiOg0MZmz%2Fu5IspU5rU%3D';
    assert.equal(cookieValue(vectorToken, secret), vectorCookie, 'this file signs as BetterAuth does');
    await withServer(
      EDITS_DB,
      async (s) => {
        const up = await signUp(s);
        sql(s.db, `update session set token = '${vectorToken}' where token = '${up.body.token}'`);
        const res = await getSession(s, `better-auth.session_token=${vectorCookie}`);
        assert.equal(res.body.session.token, vectorToken);
        assert.equal(res.body.user.id, up.body.user.id);

        const short = await rawPost(s, '/sign-in/email', { email: up.body.user.email, password: PASSWORD, rememberMe: false });
        assert.equal(short.headers.getSetCookie()[1], `better-auth.dont_remember=true.1eP8MgnnyE4mdV7SP8yEQqsVWj%2BKei464Ohbed66P84%3D; ${ATTRS}`);
      },
      { env: { BETTER_AUTH_SECRET: secret } },
    );
  });

  test('[ASVS 5.1.1] the Cookie header is read as BetterAuth reads it: quoted or unencoded values, first occurrence wins', async () => {
    const up = await signUp(server);
    const { token } = up.body;
    const forms = [
      `better-auth.session_token="${cookieValue(token)}"`,
      `better-auth.session_token=${signed(token)}`,
      `theme=dark; better-auth.session_token=${cookieValue(token)}; other=1`,
      `better-auth.session_token=${cookieValue(token)}; better-auth.session_token=garbage`,
    ];
    for (const cookie of forms) {
      const res = await getSession(server, cookie);
      assert.equal(res.body?.session?.token, token, cookie);
    }
  });
});

describe('rememberMe=false', () => {
  test('a browser-session cookie without Max-Age, a signed dont_remember flag, and a 1-day session', async () => {
    for (const path of ['/sign-up/email', '/sign-in/email']) {
      const email = path === '/sign-up/email' ? freshEmail() : (await signUp(server)).body.user.email;
      const body = path === '/sign-up/email' ? { name: 'Brief', email, password: PASSWORD, rememberMe: false } : { email, password: PASSWORD, rememberMe: false };
      const res = await rawPost(server, path, body);
      assert.equal(res.status, 200, path);
      const { token } = res.body;
      assert.deepEqual(res.headers.getSetCookie(), [
        `better-auth.session_token=${cookieValue(token)}; ${ATTRS}`,
        `better-auth.dont_remember=${cookieValue('true')}; ${ATTRS}`,
      ]);
      assert.equal(res.headers.get('set-auth-token'), signed(token));
      const row = sessionRow(server, token);
      assert.equal(new Date(row.expiresAt) - new Date(row.createdAt), DAY, `${path}: a 1-day session`);
    }
  });

  test('update-user keeps such a session a browser-session cookie', async () => {
    const up = await signUp(server);
    const browser = new Browser(server.api);
    assert.equal((await browser.post('/sign-in/email', { email: up.body.user.email, password: PASSWORD, rememberMe: false })).status, 200);
    const token = decodeURIComponent(browser.jar.get('better-auth.session_token')).split('.')[0];
    const res = await browser.post('/update-user', { name: 'Still Brief' });
    assert.equal(res.status, 200);
    assert.deepEqual(res.headers.getSetCookie(), [
      `better-auth.session_token=${cookieValue(token)}; ${ATTRS}`,
      `better-auth.dont_remember=${cookieValue('true')}; ${ATTRS}`,
    ]);
  });

  test('a rememberMe=true sign-in clears a dont_remember flag left from before', async () => {
    const up = await signUp(server);
    const browser = new Browser(server.api);
    await browser.post('/sign-in/email', { email: up.body.user.email, password: PASSWORD, rememberMe: false });
    assert.ok(browser.jar.has('better-auth.dont_remember'));
    const res = await browser.post('/sign-in/email', { email: up.body.user.email, password: PASSWORD });
    assert.deepEqual(res.headers.getSetCookie(), [
      `better-auth.session_token=${cookieValue(res.body.token)}; Max-Age=604800; ${ATTRS}`,
      `better-auth.dont_remember=; Max-Age=0; ${ATTRS}`,
    ]);
    assert.ok(!browser.jar.has('better-auth.dont_remember'));
  });
});

// ---------------------------------------------------------------------------------------------

describe('cookie settings', () => {
  test('[ASVS 3.4.1] an https baseURL: the __Secure- prefix and Secure; the unprefixed name is ignored', async () => {
    await withServer({ ...EDITS_DB, baseURL: 'https://auth.example.com' }, async (s) => {
      const origin = 'https://auth.example.com';
      const res = await signUp(s, {}, { origin });
      const { token } = res.body;
      const secureAttrs = 'Path=/; HttpOnly; Secure; SameSite=Lax';
      assert.deepEqual(res.headers.getSetCookie(), [`__Secure-better-auth.session_token=${cookieValue(token)}; Max-Age=604800; ${secureAttrs}`]);

      const prefixed = await getSession(s, `__Secure-better-auth.session_token=${cookieValue(token)}`);
      assert.equal(prefixed.body.session.token, token);
      const plain = await getSession(s, `better-auth.session_token=${cookieValue(token)}`);
      assert.equal(plain.text, 'null');
      assert.deepEqual(plain.headers.getSetCookie(), []);

      const short = await rawPost(s, '/sign-in/email', { email: res.body.user.email, password: PASSWORD, rememberMe: false }, { origin });
      assert.deepEqual(short.headers.getSetCookie(), [
        `__Secure-better-auth.session_token=${cookieValue(short.body.token)}; ${secureAttrs}`,
        `__Secure-better-auth.dont_remember=${cookieValue('true')}; ${secureAttrs}`,
      ]);

      const out = await rawPost(s, '/sign-out', {}, { origin, cookie: `__Secure-better-auth.session_token=${cookieValue(token)}` });
      assert.equal(out.status, 200);
      assert.deepEqual(out.headers.getSetCookie(), deletions('__Secure-better-auth', secureAttrs));
      assert.equal(sessionRow(s, token), undefined);
    });
  });

  test('cookieDomain adds Domain= after Max-Age, on cookies and deletions alike', async () => {
    await withServer({ ...EDITS_DB, cookieDomain: 'example.test' }, async (s) => {
      const res = await signUp(s);
      const { token } = res.body;
      assert.deepEqual(res.headers.getSetCookie(), [
        `better-auth.session_token=${cookieValue(token)}; Max-Age=604800; Domain=example.test; ${ATTRS}`,
      ]);
      const out = await rawPost(s, '/sign-out', {}, { origin: s.url, cookie: `better-auth.session_token=${cookieValue(token)}` });
      assert.deepEqual(out.headers.getSetCookie(), deletions('better-auth', `Domain=example.test; ${ATTRS}`));
    });
  });

  test('cookiePrefix renames every cookie, and only the new names are read', async () => {
    await withServer({ ...EDITS_DB, cookiePrefix: 'myapp' }, async (s) => {
      const res = await signUp(s);
      const { token } = res.body;
      assert.deepEqual(res.headers.getSetCookie(), [`myapp.session_token=${cookieValue(token)}; Max-Age=604800; ${ATTRS}`]);
      assert.equal((await getSession(s, `myapp.session_token=${cookieValue(token)}`)).body.session.token, token);
      assert.equal((await getSession(s, `better-auth.session_token=${cookieValue(token)}`)).text, 'null');
      const out = await rawPost(s, '/sign-out', {}, { origin: s.url, cookie: `myapp.session_token=${cookieValue(token)}` });
      assert.deepEqual(out.headers.getSetCookie(), deletions('myapp'));
    });
  });
});

// ---------------------------------------------------------------------------------------------

describe('deleting cookies', () => {
  test('sign-out emits three deletions: session_token, session_data, dont_remember', async () => {
    const up = await signUp(server);
    const out = await rawPost(server, '/sign-out', {}, { origin: server.url, cookie: `better-auth.session_token=${cookieValue(up.body.token)}` });
    assert.deepEqual(out.body, { success: true });
    assert.deepEqual(out.headers.getSetCookie(), [
      'better-auth.session_token=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax',
      'better-auth.session_data=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax',
      'better-auth.dont_remember=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax',
    ]);
  });

  test('get-session: a validly signed cookie for a deleted session gives null and the three deletions', async () => {
    const up = await signUp(server);
    sql(server.db, `delete from session where token = '${up.body.token}'`);
    const res = await getSession(server, `better-auth.session_token=${cookieValue(up.body.token)}`);
    assert.equal(res.status, 200);
    assert.equal(res.text, 'null');
    assert.deepEqual(res.headers.getSetCookie(), deletions());
  });

  test('[ASVS 3.5.3] get-session: a forged signature gives null and no Set-Cookie at all', async () => {
    const up = await signUp(server);
    const before = dump(server.db);
    for (const value of [
      encodeURIComponent(signed(up.body.token, 'another-secret-0123456789-0123456789')),
      encodeURIComponent(`${up.body.token}.${signature('somethingelse')}`),
      up.body.token,
    ]) {
      const res = await getSession(server, `better-auth.session_token=${value}`);
      assert.equal(res.text, 'null', value);
      assert.deepEqual(res.headers.getSetCookie(), [], value);
    }
    assert.equal(dump(server.db), before, 'the real session is untouched');
    assert.equal((await getSession(server, `better-auth.session_token=${cookieValue(up.body.token)}`)).body.session.token, up.body.token);
  });

  test('[ASVS 3.3.1] an expired session: null, the cookies cleared, and the row deleted', async () => {
    const up = await signUp(server);
    sql(server.db, `update session set expiresAt = '${new Date(Date.now() - 1000).toISOString()}' where token = '${up.body.token}'`);
    const res = await getSession(server, `better-auth.session_token=${cookieValue(up.body.token)}`);
    assert.equal(res.text, 'null');
    assert.deepEqual(res.headers.getSetCookie(), deletions());
    assert.equal(sessionRow(server, up.body.token), undefined);
  });
});

// ---------------------------------------------------------------------------------------------

describe('rolling refresh on get-session', () => {
  // Moves a session's expiry (and last update) back, so a refresh shows as a clear jump.
  const backdate = (s, token, expiresInMs) =>
    sql(s.db, `update session set expiresAt = '${new Date(Date.now() + expiresInMs).toISOString()}', updatedAt = '2001-01-01T00:00:00.000Z' where token = '${token}'`);

  test('with the default update age (1 day), a refresh is due once a day has passed since the last one', async () => {
    const up = await signUp(server);
    const { token } = up.body;
    const cookie = `better-auth.session_token=${cookieValue(token)}`;
    backdate(server, token, 6 * DAY + 60000); // refreshed 23h59m ago: not due
    const before = dump(server.db);
    const early = await getSession(server, cookie);
    assert.deepEqual(early.headers.getSetCookie(), []);
    assert.equal(dump(server.db), before);

    backdate(server, token, 6 * DAY - 60000); // refreshed 1d1m ago: due
    const start = Date.now();
    const due = await getSession(server, cookie);
    assert.deepEqual(due.headers.getSetCookie(), [`better-auth.session_token=${cookieValue(token)}; Max-Age=604800; ${ATTRS}`]);
    const row = sessionRow(server, token);
    assert.equal(new Date(row.expiresAt) - new Date(row.updatedAt), 7 * DAY);
    assert.ok(new Date(row.updatedAt).getTime() >= start - 1000, 'updatedAt is now');
    assert.equal(due.body.session.expiresAt, row.expiresAt);
  });

  describe('sessionUpdateAge=0 (a refresh is always due)', () => {
    let s;
    before(async () => {
      s = await startServer({ ...EDITS_DB, sessionUpdateAge: 0 });
    });
    after(async () => {
      await s.stop();
    });

    test('get-session re-sends the same token with a fresh Max-Age and moves expiresAt forward', async () => {
      const up = await signUp(s);
      const { token } = up.body;
      backdate(s, token, 3600000);
      const oldExpiry = sessionRow(s, token).expiresAt;
      const res = await getSession(s, `better-auth.session_token=${cookieValue(token)}`);
      assert.equal(res.status, 200);
      assert.deepEqual(res.headers.getSetCookie(), [`better-auth.session_token=${cookieValue(token)}; Max-Age=604800; ${ATTRS}`]);
      assert.equal(res.headers.get('set-auth-token'), signed(token));
      const row = sessionRow(s, token);
      assert.ok(new Date(row.expiresAt) - new Date(oldExpiry) > 6 * DAY, `${oldExpiry} -> ${row.expiresAt}`);
      assert.equal(new Date(row.expiresAt) - new Date(row.updatedAt), 7 * DAY);
      assert.equal(res.body.session.expiresAt, row.expiresAt);
      assert.equal(res.body.session.updatedAt, row.updatedAt);
      assert.equal(row.createdAt, up.body.user.createdAt, 'createdAt stays');
    });

    test('disableRefresh (any non-empty value, even "false") turns it off', async () => {
      const up = await signUp(s);
      const { token } = up.body;
      backdate(s, token, 3600000);
      const before = dump(s.db);
      for (const query of ['?disableRefresh=true', '?disableRefresh=false', '?disableRefresh=1']) {
        const res = await getSession(s, `better-auth.session_token=${cookieValue(token)}`, query);
        assert.equal(res.body.session.token, token, query);
        assert.deepEqual(res.headers.getSetCookie(), [], query);
      }
      assert.equal(dump(s.db), before);
      const refreshed = await getSession(s, `better-auth.session_token=${cookieValue(token)}`, '?disableRefresh=');
      assert.equal(refreshed.headers.getSetCookie().length, 1, 'an empty value is false');
    });

    test('a rememberMe=false session (dont_remember cookie) is never refreshed', async () => {
      const up = await signUp(s);
      const res = await rawPost(s, '/sign-in/email', { email: up.body.user.email, password: PASSWORD, rememberMe: false });
      const { token } = res.body;
      backdate(s, token, 3600000);
      const before = dump(s.db);
      const cookie = `better-auth.session_token=${cookieValue(token)}; better-auth.dont_remember=${cookieValue('true')}`;
      const got = await getSession(s, cookie);
      assert.equal(got.body.session.token, token);
      assert.deepEqual(got.headers.getSetCookie(), []);
      assert.equal(dump(s.db), before);
      // A forged flag does not count: without a valid dont_remember the session refreshes.
      const forged = await getSession(s, `better-auth.session_token=${cookieValue(token)}; better-auth.dont_remember=true.${encodeURIComponent(signature('false'))}`);
      assert.equal(forged.headers.getSetCookie()[0], `better-auth.session_token=${cookieValue(token)}; Max-Age=604800; ${ATTRS}`);
    });
  });
});

describe('cookies for a site on another domain (cookieSameSite none, cookiePartitioned)', () => {
  test('SameSite=None cookies are always Secure, Partitioned on request, and deleted with the same attributes', () =>
    withServer({ ...EDITS_DB, cookieSameSite: 'none', cookiePartitioned: true }, async (s) => {
      const res = await rawPost(s, '/sign-up/email', { name: 'Cross Site', email: freshEmail(), password: PASSWORD });
      assert.equal(res.status, 200);
      const [session] = res.headers.getSetCookie();
      const token = res.body.token;
      assert.equal(session, `better-auth.session_token=${cookieValue(token)}; Max-Age=604800; Path=/; HttpOnly; Secure; SameSite=None; Partitioned`);
      const out = await rawPost(s, '/sign-out', {}, { cookie: `better-auth.session_token=${cookieValue(token)}`, origin: s.url });
      assert.equal(out.status, 200);
      assert.deepEqual(out.headers.getSetCookie(), deletions('better-auth', 'Path=/; HttpOnly; Secure; SameSite=None; Partitioned'));
    }));

  test('SameSite=Strict is written as configured; an unknown value is refused at start', async () => {
    await withServer({ ...EDITS_DB, cookieSameSite: 'strict' }, async (s) => {
      const res = await rawPost(s, '/sign-up/email', { name: 'Strict', email: freshEmail(), password: PASSWORD });
      assert.match(res.headers.getSetCookie()[0], /; Path=\/; HttpOnly; SameSite=Strict$/);
    });
    await assert.rejects(startServer({ ...EDITS_DB, cookieSameSite: 'sometimes' }), /cookieSameSite/);
    await assert.rejects(startServer({ ...EDITS_DB, trustedProxies: ['proxy.local'] }), /trustedProxies: "proxy.local" is not an IP address or CIDR range/);
  });
});
