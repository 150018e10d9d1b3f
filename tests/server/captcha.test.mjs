// CAPTCHA (--captcha PROVIDER, BetterAuth's captcha plugin): the protected routes (by default
// sign-up, sign-in and request-password-reset; --captcha-endpoints) want a token in the
// x-captcha-response header, which the server checks with the provider's siteverify: a fake one
// here (--captcha-verify-url, plain http to 127.0.0.1), recording what it is sent. No token: 400
// MISSING_RESPONSE; refused (or a reCAPTCHA v3 score under 0.5, or a token over 4096 characters,
// never sent): 403 VERIFICATION_FAILED; a provider that fails: 500 UNKNOWN_ERROR (fail closed). A
// refused request changes nothing. Turnstile is sent JSON, reCAPTCHA and hCaptcha a form: secret,
// response, remoteip (the client's address as the server sees it), and hCaptcha's sitekey. Origin
// checks come first and cost the provider nothing; other routes need no token. Bad settings are
// refused at start-up; the secret key and the tokens never reach the logs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { BIN, Browser, dump, freePort, outboxMails, rawRequest, SECRET, sql, startServer, waitFor, withServer } from '../support/server.mjs';

const MISSING = { code: 'MISSING_RESPONSE', message: 'Missing CAPTCHA response' };
const FAILED = { code: 'VERIFICATION_FAILED', message: 'Captcha verification failed' };
const UNKNOWN = { code: 'UNKNOWN_ERROR', message: 'Something went wrong' };
const KEY = `0x4AAAAAAA-secret-${randomBytes(12).toString('hex')}`; // the site's secret key
const APP = 'https://app.example.com'; // a trusted origin
const PATH = '/mirror/siteverify'; // the fake's, so not any provider's own path
const strong = () => `Lantern-${randomBytes(5).toString('hex')}-Meadow!`;
let counter = 0;
const freshEmail = (tag = 'user') => `${tag}-${++counter}@example.com`;
const users = (db, email) => sql(db, `select id from "user" where email = '${email}'`);

/**
 * A fake siteverify on 127.0.0.1. Records {method, path, type, body (parsed JSON or form)}; answers
 * 200 with the JSON registered for the token by `token()` (unknown tokens: success false), or with
 * `fail` = {status, body} when set.
 */
async function fakeSiteverify() {
  const fake = { requests: [], answers: new Map(), fail: null };
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (d) => (text += d));
    req.on('end', () => {
      const type = req.headers['content-type'];
      const body = type === 'application/json' ? JSON.parse(text) : Object.fromEntries(new URLSearchParams(text));
      fake.requests.push({ method: req.method, path: req.url, type, body });
      if (fake.fail === 'hang') return undefined; // never answers
      if (fake.fail) return res.writeHead(fake.fail.status).end(fake.fail.body);
      const answer = fake.answers.get(body.response) ?? { success: false, 'error-codes': ['invalid-input-response'] };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${server.address().port}${PATH}`;
  fake.token = (answer = { success: true }) => {
    const token = `0.${randomBytes(60).toString('base64url')}`;
    fake.answers.set(token, answer);
    return token;
  };
  fake.since = (n) => fake.requests.slice(n);
  fake.close = () => {
    server.closeAllConnections();
    return new Promise((resolve) => (server.listening ? server.close(resolve) : resolve()));
  };
  return fake;
}

const withToken = (token, headers = {}) => (token === undefined ? headers : { 'x-captcha-response': token, ...headers });
const post = (s, path, body, token, headers) => new Browser(s.api).post(path, body, withToken(token, headers));
// The protected routes, with bodies that succeed given a good token (sign-in: `user`'s credentials).
const routes = (user) => [
  ['/sign-up/email', { name: 'Captcha Tester', email: freshEmail(), password: strong() }],
  ['/sign-in/email', { email: user.email, password: user.password }],
  ['/request-password-reset', { email: user.email }],
];
/** Sends a request that must get `status` and `expected` and change nothing. */
async function refused(s, send, status, expected) {
  const before = dump(s.db);
  const mails = outboxMails(s.outbox).length;
  const res = await send();
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.deepEqual(res.body, expected);
  assert.equal(dump(s.db), before, `${expected.code}: the database is unchanged`);
  assert.equal(outboxMails(s.outbox).length, mails, `${expected.code}: no mail`);
}
/** What the fake records for a form POST (reCAPTCHA, hCaptcha) of `token` from 127.0.0.1. */
const form = (token, extra = {}) => ({ method: 'POST', path: PATH, type: 'application/x-www-form-urlencoded', body: { secret: KEY, response: token, remoteip: '127.0.0.1', ...extra } });
async function signUp(s, token) {
  const user = { email: freshEmail(), password: strong() };
  const res = await post(s, '/sign-up/email', { name: 'Captcha Tester', ...user }, token);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return user;
}

describe('cloudflare-turnstile on the default routes', () => {
  let fake;
  let s;
  let user;
  before(async () => {
    fake = await fakeSiteverify();
    s = await startServer({ mail: 'outbox', captcha: 'cloudflare-turnstile', captchaSecretKey: KEY, captchaVerifyUrl: fake.url, trustedOrigins: [APP] });
    user = await signUp(s, fake.token());
  });
  after(async () => {
    await s.stop();
    await fake.close();
  });

  test('no token (no header, or an empty one): 400 MISSING_RESPONSE, nothing changes, the provider is not asked', async () => {
    const seen = fake.requests.length;
    for (const [path, body] of routes(user)) {
      await refused(s, () => post(s, path, body), 400, MISSING);
      await refused(s, () => post(s, path, body, ''), 400, MISSING);
    }
    assert.deepEqual(fake.since(seen), []);
  });

  test('a token the provider refuses: 403 VERIFICATION_FAILED, nothing changes', async () => {
    const seen = fake.requests.length;
    for (const [path, body] of routes(user)) await refused(s, () => post(s, path, body, fake.token({ success: false, 'error-codes': ['timeout-or-duplicate'] })), 403, FAILED);
    await refused(s, () => post(s, '/sign-up/email', routes(user)[0][1], 'never-issued'), 403, FAILED);
    assert.equal(fake.since(seen).length, 4, 'one siteverify call each');
  });

  test('a token the provider accepts: the route runs (the user is created, signs in, is mailed a reset link)', async () => {
    const [[, signUpBody], [, signInBody], [, resetBody]] = routes(user);
    const created = await post(s, '/sign-up/email', signUpBody, fake.token());
    assert.equal(created.status, 200, JSON.stringify(created.body));
    assert.equal(users(s.db, signUpBody.email).length, 1);
    const signedIn = await post(s, '/sign-in/email', signInBody, fake.token());
    assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
    assert.ok(signedIn.body.token);
    const reset = await post(s, '/request-password-reset', resetBody, fake.token());
    assert.equal(reset.status, 200, JSON.stringify(reset.body));
    await waitFor(() => outboxMails(s.outbox).find((m) => m.to === user.email && m.kind === 'reset-password'), { what: 'the reset mail' });
  });

  test('Turnstile is sent a JSON POST to the configured path: secret, response and the client address', async () => {
    const token = fake.token();
    let seen = fake.requests.length;
    assert.equal((await post(s, '/sign-in/email', routes(user)[1][1], token)).status, 200);
    assert.deepEqual(fake.since(seen), [{ method: 'POST', path: PATH, type: 'application/json', body: { secret: KEY, response: token, remoteip: '127.0.0.1' } }]);
    // remoteip is the connection's address; X-Forwarded-For is not believed without trusted proxies.
    seen = fake.requests.length;
    const other = fake.token();
    const res = await rawRequest(`${s.api}/sign-in/email`, {
      method: 'POST', localAddress: '127.0.0.2', body: routes(user)[1][1],
      headers: { 'content-type': 'application/json', 'x-captcha-response': other, 'x-forwarded-for': '203.0.113.7' },
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(fake.since(seen).map((r) => r.body), [{ secret: KEY, response: other, remoteip: '127.0.0.2' }]);
  });

  test('a token over 4096 characters: 403 without asking the provider; 4096 is asked', async () => {
    const seen = fake.requests.length;
    await refused(s, () => post(s, '/sign-up/email', routes(user)[0][1], 'x'.repeat(4097)), 403, FAILED);
    assert.deepEqual(fake.since(seen), []);
    const long = `0.${'A'.repeat(4094)}`;
    fake.answers.set(long, { success: true });
    assert.equal((await post(s, '/sign-in/email', routes(user)[1][1], long)).status, 200);
    assert.equal(fake.since(seen).length, 1);
  });

  test('other routes need no token and ask nothing: get-session, sign-out, ok', async () => {
    const browser = new Browser(s.api);
    assert.equal((await browser.post('/sign-in/email', routes(user)[1][1], withToken(fake.token()))).status, 200);
    const seen = fake.requests.length;
    const session = await browser.get('/get-session');
    assert.equal(session.status, 200);
    assert.equal(session.body.user.email, user.email);
    assert.equal((await browser.post('/sign-out', {})).status, 200);
    assert.equal((await browser.get('/get-session')).body, null);
    assert.equal((await browser.get('/ok')).status, 200);
    assert.deepEqual(fake.since(seen), []);
  });

  test('origin checks come first: an untrusted Origin or a cross-site navigation is refused with its own code, unasked', async () => {
    const seen = fake.requests.length;
    const body = () => routes(user)[0][1];
    const evil = { code: 'INVALID_ORIGIN', message: 'Invalid origin' };
    await refused(s, () => new Browser(s.api, { origin: 'https://evil.example' }).post('/sign-up/email', body(), withToken(fake.token())), 403, evil);
    const nav = await rawRequest(`${s.api}/sign-in/email`, {
      method: 'POST', body: routes(user)[1][1],
      headers: { 'content-type': 'application/json', 'x-captcha-response': fake.token(), 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' },
    });
    assert.equal(nav.status, 403);
    assert.equal(nav.body.code, 'CROSS_SITE_NAVIGATION_LOGIN_BLOCKED');
    assert.deepEqual(fake.since(seen), []);
  });

  test('CORS: a preflight from a trusted origin may send x-captcha-response; the POST then works', async () => {
    const preflight = await rawRequest(`${s.api}/sign-up/email`, {
      method: 'OPTIONS',
      headers: { origin: APP, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-captcha-response' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), APP);
    const allowed = preflight.headers.get('access-control-allow-headers').toLowerCase().split(/\s*,\s*/);
    assert.ok(allowed.includes('x-captcha-response') && allowed.includes('content-type'), allowed.join());
    const res = await new Browser(s.api, { origin: APP }).post('/sign-up/email', routes(user)[0][1], withToken(fake.token()));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.headers.get('access-control-allow-origin'), APP);
  });

  const failures = {
    'answers 500': { status: 500, body: 'Internal Server Error' },
    'answers HTML': { status: 200, body: '<html><body>Just a moment...</body></html>' },
    'answers JSON without a boolean success': { status: 200, body: '{"success":"true"}' },
  };
  for (const [what, fail] of Object.entries(failures)) {
    test(`the provider ${what}: 500 UNKNOWN_ERROR, nothing changes`, async () => {
      const seen = fake.requests.length;
      fake.fail = fail;
      try {
        for (const [path, body] of routes(user)) await refused(s, () => post(s, path, body, fake.token()), 500, UNKNOWN);
      } finally {
        fake.fail = null;
      }
      assert.equal(fake.since(seen).length, 3, 'the provider was asked');
      assert.equal((await post(s, '/sign-in/email', routes(user)[1][1], fake.token())).status, 200, 'back to normal');
    });
  }

});

test('the provider never answers: 500 UNKNOWN_ERROR after --captcha-timeout, nothing created', async () => {
  const fake = await fakeSiteverify();
  try {
    await withServer({ captcha: 'cloudflare-turnstile', captchaSecretKey: KEY, captchaVerifyUrl: fake.url, captchaTimeout: 1 }, async (s) => {
      fake.fail = 'hang';
      const email = freshEmail('hang');
      const started = Date.now();
      await refused(s, () => post(s, '/sign-up/email', { name: 'Captcha Tester', email, password: strong() }, fake.token()), 500, UNKNOWN);
      assert.ok(Date.now() - started < 4000, `answered after ${Date.now() - started} ms`);
      assert.deepEqual(users(s.db, email), []);
      assert.equal(fake.requests.length, 1, 'the provider was asked');
    });
  } finally {
    await fake.close();
  }
});

test('the provider is not listening: 500 UNKNOWN_ERROR, nothing created', async () => {
  await withServer({ captcha: 'cloudflare-turnstile', captchaSecretKey: KEY, captchaVerifyUrl: `http://127.0.0.1:${await freePort()}/siteverify` }, async (s) => {
    const email = freshEmail('down');
    await refused(s, () => post(s, '/sign-up/email', { name: 'Captcha Tester', email, password: strong() }, 'some-token'), 500, UNKNOWN);
    assert.deepEqual(users(s.db, email), []);
  });
});

describe('google-recaptcha', () => {
  let fake;
  let s;
  before(async () => {
    fake = await fakeSiteverify();
    s = await startServer({ captcha: 'google-recaptcha', captchaSecretKey: KEY, captchaVerifyUrl: fake.url });
  });
  after(async () => {
    await s.stop();
    await fake.close();
  });

  test('is sent a form POST: secret, response, remoteip (no sitekey)', async () => {
    const seen = fake.requests.length;
    const token = fake.token();
    await signUp(s, token);
    assert.deepEqual(fake.since(seen), [form(token)]);
  });

  test('v3: a score under 0.5 (or not a number) is refused (403), 0.5 and over accepted; v2 (no score) accepted; success false refused', async () => {
    const signUpWith = (answer) => post(s, '/sign-up/email', { name: 'Captcha Tester', email: freshEmail('v3'), password: strong() }, fake.token(answer));
    await refused(s, () => signUpWith({ success: true, score: 0.3, action: 'signup' }), 403, FAILED);
    await refused(s, () => signUpWith({ success: false, score: 0.9 }), 403, FAILED);
    await refused(s, () => signUpWith({ success: true, score: '0.1' }), 403, FAILED); // not a number: not believed
    for (const answer of [{ success: true, score: 0.9, action: 'signup' }, { success: true, score: 0.5 }, { success: true }]) {
      const res = await signUpWith(answer);
      assert.equal(res.status, 200, `${JSON.stringify(answer)}: ${JSON.stringify(res.body)}`);
    }
  });
});

test('hcaptcha: a form POST with sitekey when --captcha-site-key is given, without it otherwise', async () => {
  const fake = await fakeSiteverify();
  try {
    for (const siteKey of ['10000000-ffff-ffff-ffff-000000000001', undefined]) {
      await withServer({ captcha: 'hcaptcha', captchaSecretKey: KEY, captchaVerifyUrl: fake.url, ...(siteKey && { captchaSiteKey: siteKey }) }, async (s) => {
        const seen = fake.requests.length;
        const token = fake.token();
        await signUp(s, token);
        assert.deepEqual(fake.since(seen), [form(token, siteKey && { sitekey: siteKey })]);
      });
    }
  } finally {
    await fake.close();
  }
});

test('--captcha-endpoints /sign-up/email: only sign-up wants a token', async () => {
  const fake = await fakeSiteverify();
  try {
    await withServer({ mail: 'outbox', captcha: 'cloudflare-turnstile', captchaSecretKey: KEY, captchaVerifyUrl: fake.url, captchaEndpoints: ['/sign-up/email'] }, async (s) => {
      await refused(s, () => post(s, '/sign-up/email', { name: 'Captcha Tester', email: freshEmail(), password: strong() }), 400, MISSING);
      const user = await signUp(s, fake.token());
      const seen = fake.requests.length;
      assert.equal((await post(s, '/sign-in/email', user)).status, 200);
      assert.equal((await post(s, '/request-password-reset', { email: user.email })).status, 200);
      assert.deepEqual(fake.since(seen), []);
    });
  } finally {
    await fake.close();
  }
});

describe('start-up', () => {
  let dir;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'portcullis-captcha-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));
  // Runs the binary; code null: it was still running after 10 s (serve started).
  const run = (args, env = {}) => {
    const r = spawnSync(BIN, args, { encoding: 'utf8', timeout: 10_000, env: { ...process.env, BETTER_AUTH_SECRET: SECRET, ...env } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const serve = (...args) => run(['serve', '--port', '0', '--database', join(dir, 'auth.db'), ...args]);

  test('refuses no secret key, an unknown provider and plain http to another host, naming the setting', () => {
    const noKey = serve('--captcha', 'hcaptcha');
    assert.notEqual(noKey.code, null, 'refused, not started');
    assert.notEqual(noKey.code, 0);
    assert.match(noKey.stderr, /captcha/);
    assert.match(noKey.stderr, /secret key/);
    const unknown = serve('--captcha', 'nosuch', '--captcha-secret-key', KEY);
    assert.notEqual(unknown.code, null);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /nosuch.*cloudflare-turnstile.*google-recaptcha.*hcaptcha/);
    const plain = serve('--captcha', 'hcaptcha', '--captcha-secret-key', KEY, '--captcha-verify-url', 'http://example.com/x');
    assert.notEqual(plain.code, null);
    assert.notEqual(plain.code, 0);
    assert.match(plain.stderr, /captcha.*http:\/\/example\.com\/x/);
    for (const r of [unknown, plain]) assert.ok(!`${r.stdout}${r.stderr}`.includes(KEY), 'the key is not shown');
  });

  test('check-config shows the provider (off by default, flag or variable), never the secret key', () => {
    const checked = (args, env) => {
      const r = run(['check-config', '--dev', ...args], env);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(!`${r.stdout}${r.stderr}`.includes(KEY), 'the key is not shown');
      return JSON.parse(r.stdout);
    };
    assert.equal(checked([]).captcha, 'off');
    assert.equal(checked(['--captcha', 'google-recaptcha', '--captcha-secret-key', KEY]).captcha, 'google-recaptcha');
    assert.equal(checked([], { PORTCULLIS_CAPTCHA: 'hcaptcha', PORTCULLIS_CAPTCHA_SECRET_KEY: KEY }).captcha, 'hcaptcha');
    const https = checked(['--captcha', 'cloudflare-turnstile', '--captcha-secret-key', KEY, '--captcha-verify-url', 'https://example.com/siteverify']);
    assert.equal(https.captcha, 'cloudflare-turnstile');
  });
});

test('neither the secret key nor the tokens reach the logs; a provider failure is logged with the provider and the error', async () => {
  const fake = await fakeSiteverify();
  const s = await startServer({ captcha: 'cloudflare-turnstile', captchaSecretKey: KEY, captchaVerifyUrl: fake.url });
  const tokens = [];
  const send = (answer, path = '/sign-up/email') => {
    const token = answer === 'unknown' ? `0.${randomBytes(60).toString('base64url')}` : fake.token(answer);
    tokens.push(token);
    return post(s, path, { name: 'Captcha Tester', email: freshEmail('log'), password: strong() }, token);
  };
  try {
    assert.equal((await send({ success: true })).status, 200);
    assert.equal((await send({ success: false })).status, 403);
    fake.fail = { status: 503, body: 'Service Unavailable' };
    assert.equal((await send('unknown')).status, 500);
    fake.fail = { status: 200, body: 'not json' };
    assert.equal((await send('unknown')).status, 500);
    await fake.close(); // an outage: nothing listens there any more
    assert.equal((await send('unknown')).status, 500);
  } finally {
    await s.stop();
    await fake.close();
  }
  const everything = `${s.logs.join('\n')}\n${s.stderr}`;
  assert.ok(s.logs.some((l) => JSON.parse(l).msg === 'request'), 'the log was collected');
  for (const secret of [KEY, ...tokens]) assert.ok(!everything.includes(secret), `the log must not contain ${secret.slice(0, 20)}...`);
  const failed = s.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).filter((l) => l.msg === 'captcha check failed');
  assert.equal(failed.length, 3, s.stderr);
  for (const line of failed) assert.equal(line.provider, 'cloudflare-turnstile');
  assert.match(failed[0].error, /503/);
  assert.match(failed[1].error, /not a siteverify answer/);
  assert.match(failed[2].error, /Connection/); // cpp-httplib's name for a refused connection
});
