// Breached passwords (--breached-passwords SOURCE): a new password (sign-up, change-password,
// reset-password, `user create`, `user set-password`) that is in Have I Been Pwned's "Pwned
// Passwords" gets 400 PASSWORD_COMPROMISED (BetterAuth's haveIBeenPwned code and message) and
// changes nothing; sign-in never checks. The check comes after the length and strength rules.
// Sources: a k-anonymity range API (a fake one here, over http and https: only the first 5 hex
// digits of the SHA-1 leave the server, padding lines of count 0 do not count) and a file of
// SHA1:COUNT lines sorted by hash (lookups exact at its first and last line, CRLF or LF,
// --breached-passwords-min-count). A source that fails gets 503 PASSWORD_CHECK_UNAVAILABLE (fail
// closed). Bad sources are refused at start-up. Neither passwords nor their hashes reach the logs.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { BIN, Browser, dump, freePort, outboxMails, SECRET, sql, startServer, waitFor, withServer } from '../support/server.mjs';

const COMPROMISED = {
  code: 'PASSWORD_COMPROMISED',
  message: 'The password you entered has been compromised. Please choose a different password.',
};
const sha1 = (text) => createHash('sha1').update(text).digest('hex').toUpperCase();
// Strong passwords (zxcvbn score 4), each new one unlisted anywhere.
const strong = () => `Lantern-${randomBytes(5).toString('hex')}-Meadow!`;
let counter = 0;
const freshEmail = (tag = 'user') => `${tag}-${++counter}@example.com`;
const users = (db, email) => sql(db, `select id from "user" where email = '${email}'`);
const tmp = (tag) => mkdtempSync(join(tmpdir(), `portcullis-breached-${tag}-`));

function assertCompromised(res) {
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.deepEqual(res.body, COMPROMISED);
}
function assertUnavailable(res) {
  assert.equal(res.status, 503, JSON.stringify(res.body));
  assert.equal(res.body.code, 'PASSWORD_CHECK_UNAVAILABLE');
  assert.equal(typeof res.body.message, 'string');
}
/** Sends a request that must be refused by `check` and must not change the database. */
async function refused(db, send, check = assertCompromised) {
  const before = dump(db);
  const res = await send();
  check(res);
  assert.equal(dump(db), before, `${res.body.code}: the database is unchanged`);
  return res;
}
const signUpRequest = (s, email, password) => new Browser(s.api).post('/sign-up/email', { name: 'Breach Tester', email, password });
async function signUp(s, password, email = freshEmail()) {
  const browser = new Browser(s.api);
  const res = await browser.post('/sign-up/email', { name: 'Breach Tester', email, password });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return { browser, email, password };
}
const signIn = (s, email, password) => new Browser(s.api).post('/sign-in/email', { email, password });

/** The 15 hashes that differ from `hash` in the last hex digit only. */
const siblings = (hash) => [...'0123456789ABCDEF'].filter((d) => d !== hash.at(-1)).map((d) => hash.slice(0, -1) + d);

/**
 * A fake k-anonymity range API on 127.0.0.1 (https with `tls` = {key, cert}). `listed` maps a full
 * SHA-1 to its count (0: a padding line); every answer also holds random suffixes and padding,
 * sorted, CRLF. `mode`: 'ok', 'error' (500), 'garbage' (200, not SUFFIX:COUNT lines) or 'hang'.
 */
async function fakeRangeApi(tls) {
  const api = { listed: new Map(), requests: [], mode: 'ok' };
  const handler = (req, res) => {
    api.requests.push({ url: req.url, headers: req.headers });
    if (api.mode === 'hang') return;
    if (api.mode === 'error') return res.writeHead(500).end('Internal Server Error');
    const headers = { 'content-type': 'text/plain' };
    if (api.mode === 'garbage') return res.writeHead(200, headers).end('<html><body>Rate limited</body></html>\r\n');
    const prefix = req.url.slice('/range/'.length);
    const lines = [];
    for (const [hash, count] of api.listed) if (hash.startsWith(prefix)) lines.push(`${hash.slice(5)}:${count}`);
    for (let i = 0; i < 30; i++) lines.push(`${randomBytes(18).toString('hex').toUpperCase().slice(0, 35)}:${i < 10 ? 0 : randomInt(1, 5000)}`);
    res.writeHead(200, headers).end(lines.sort().join('\r\n'));
  };
  const server = tls ? createHttpsServer(tls, handler) : createHttpServer(handler);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  api.url = `${tls ? 'https' : 'http'}://127.0.0.1:${server.address().port}/range/`;
  api.since = (n) => api.requests.slice(n);
  api.close = () => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  };
  return api;
}

async function resetToken(s, email) {
  assert.equal((await new Browser(s.api).post('/request-password-reset', { email })).status, 200);
  const mail = await waitFor(() => outboxMails(s.outbox).find((m) => m.to === email && m.kind === 'reset-password'), {
    what: `a reset mail to ${email}`,
  });
  return new URL(mail.link).pathname.split('/').pop();
}

// ---------------------------------------------------------------------------------------------

describe('a range API', () => {
  let api;
  let s;
  before(async () => {
    api = await fakeRangeApi();
    s = await startServer({ mail: 'outbox', breachedPasswords: api.url });
  });
  after(async () => {
    await s.stop();
    await api.close();
  });
  const listed = (count = 12345) => {
    const password = strong();
    api.listed.set(sha1(password), count);
    return password;
  };

  test('sign-up with a listed password: 400 PASSWORD_COMPROMISED, no user, no cookie; the address stays free', async () => {
    const email = freshEmail('listed');
    const res = await refused(s.db, () => signUpRequest(s, email, listed()));
    assert.equal(res.headers.get('set-cookie'), null);
    assert.deepEqual(users(s.db, email), []);
    await signUp(s, strong(), email);
    assert.equal(users(s.db, email).length, 1);
    assertCompromised(await signUpRequest(s, freshEmail(), listed(1))); // a count of 1 is enough by default
  });

  test('only the first 5 hex digits of the SHA-1 leave the server, with Add-Padding and a Portcullis User-Agent', async () => {
    const seen = api.requests.length;
    const passwords = [listed(), strong()];
    assertCompromised(await signUpRequest(s, freshEmail(), passwords[0]));
    await signUp(s, passwords[1]);
    const requests = api.since(seen);
    assert.deepEqual([...new Set(requests.map((r) => r.url))].sort(), passwords.map((p) => `/range/${sha1(p).slice(0, 5)}`).sort());
    for (const { url, headers } of requests) {
      assert.match(url, /^\/range\/[0-9A-F]{5}$/);
      assert.equal(headers['add-padding'], 'true');
      assert.match(headers['user-agent'], /^Portcullis/);
      const sent = `${url}\n${JSON.stringify(headers)}`.toUpperCase();
      for (const p of passwords) {
        assert.ok(!sent.includes(sha1(p).slice(5)), 'the rest of the hash is not sent');
        assert.ok(!sent.includes(p.toUpperCase()), 'the password is not sent');
      }
    }
  });

  test('exact lookups: a padding line (count 0) with the very suffix, and listed neighbours, do not count', async () => {
    const seen = api.requests.length;
    const padded = strong();
    api.listed.set(sha1(padded), 0);
    await signUp(s, padded);
    const alone = strong();
    for (const hash of siblings(sha1(alone))) api.listed.set(hash, 99999);
    await signUp(s, alone);
    assert.deepEqual([...new Set(api.since(seen).map((r) => r.url))], [padded, alone].map((p) => `/range/${sha1(p).slice(0, 5)}`));
  });

  test('a too short or too weak password gets that code, and no request is made', async () => {
    api.listed.set(sha1('password123'), 2_000_000);
    const seen = api.requests.length;
    const short = await refused(s.db, () => signUpRequest(s, freshEmail(), 'short1'), (res) => assert.equal(res.body.code, 'PASSWORD_TOO_SHORT'));
    assert.equal(short.status, 400);
    const weak = await refused(s.db, () => signUpRequest(s, freshEmail(), 'password123'), (res) => assert.equal(res.body.code, 'PASSWORD_TOO_WEAK'));
    assert.equal(weak.status, 400);
    const a = await signUp(s, strong());
    assert.equal((await a.browser.post('/change-password', { currentPassword: a.password, newPassword: 'password123' })).body.code, 'PASSWORD_TOO_WEAK');
    assert.deepEqual(
      [...new Set(api.since(seen).map((r) => r.url))],
      [`/range/${sha1(a.password).slice(0, 5)}`],
      'only the good sign-up was looked up',
    );
  });

  test('change-password to a listed password: refused, the old password still signs in; a clean one is accepted', async () => {
    const a = await signUp(s, strong());
    const bad = listed();
    await refused(s.db, () => a.browser.post('/change-password', { currentPassword: a.password, newPassword: bad, revokeOtherSessions: true }));
    assert.equal((await signIn(s, a.email, a.password)).status, 200);
    assert.equal((await signIn(s, a.email, bad)).status, 401);
    const good = strong();
    const ok = await a.browser.post('/change-password', { currentPassword: a.password, newPassword: good });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal((await signIn(s, a.email, good)).status, 200);
  });

  test('reset-password to a listed password: refused without using the token up; a clean one then works', async () => {
    const a = await signUp(s, strong());
    const token = await resetToken(s, a.email);
    await refused(s.db, () => new Browser(s.api).post('/reset-password', { token, newPassword: listed() }));
    const good = strong();
    const ok = await new Browser(s.api).post('/reset-password', { token, newPassword: good });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal((await signIn(s, a.email, good)).status, 200);
    assert.equal((await signIn(s, a.email, a.password)).status, 401);
  });

  test('sign-in never checks: a user whose password is listed later still signs in, with no request made', async () => {
    const a = await signUp(s, strong());
    api.listed.set(sha1(a.password), 5000);
    const seen = api.requests.length;
    assert.equal((await signIn(s, a.email, a.password)).status, 200);
    assert.deepEqual(api.since(seen), []);
    assertCompromised(await signUpRequest(s, freshEmail(), a.password)); // it is listed now
  });
});

describe('--breached-passwords-at-sign-in: the user is told, and signs in', () => {
  let api;
  let s;
  before(async () => {
    api = await fakeRangeApi();
    s = await startServer({ mail: 'outbox', breachedPasswords: api.url, breachedPasswordsAtSignIn: true });
  });
  after(async () => {
    await s.stop();
    await api.close();
  });
  const notices = (email) => outboxMails(s.outbox).filter((m) => m.to === email && m.kind === 'password-breached');
  const events = (id) => s.logs.map((l) => JSON.parse(l)).filter((e) => e.event === 'breached-password-in-use' && e.user === id);

  test('a password listed after sign-up: the sign-in goes on, a notice is mailed once, the audit log says so', async () => {
    const a = await signUp(s, strong());
    const id = (await a.browser.get('/get-session')).body.user.id;
    api.listed.set(sha1(a.password), 3);
    const first = await signIn(s, a.email, a.password);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.ok(first.body.token, 'signed in');
    const mail = await waitFor(() => notices(a.email)[0], { what: 'the notice' });
    assert.match(mail.subject, /password is known from a data breach/);
    assert.match(mail.text, /Change it now/);
    assert.ok(!mail.text.includes(a.password));
    await waitFor(() => events(id).length === 1, { what: 'the audit event' });
    // Again: signed in, told in the log, but not mailed a second time within 30 days.
    assert.equal((await signIn(s, a.email, a.password)).status, 200);
    await waitFor(() => events(id).length === 2, { what: 'the second audit event' });
    assert.equal(notices(a.email).length, 1);
  });

  test('an unlisted password: nothing said; a list that does not answer: the sign-in goes on', async () => {
    const b = await signUp(s, strong());
    assert.equal((await signIn(s, b.email, b.password)).status, 200);
    api.mode = 'error';
    try {
      assert.equal((await signIn(s, b.email, b.password)).status, 200, 'fails open: only a notice is at stake');
    } finally {
      api.mode = 'ok';
    }
    assert.deepEqual(notices(b.email), []);
  });

  test('needs a list', () => {
    const r = spawnSync(BIN, ['check-config', '--dev', '--breached-passwords-at-sign-in', 'true'], { encoding: 'utf8' });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /breachedPasswordsAtSignIn: needs breachedPasswords/);
  });
});

describe('a failing range API: 503 PASSWORD_CHECK_UNAVAILABLE, nothing created (fail closed)', () => {
  let api;
  let s;
  before(async () => {
    api = await fakeRangeApi();
    s = await startServer({ mail: 'outbox', breachedPasswords: api.url, breachedPasswordsTimeout: 1 });
  });
  after(async () => {
    await s.stop();
    await api.close();
  });

  for (const mode of ['error', 'garbage', 'hang']) {
    test(`the API ${{ error: 'answers 500', garbage: 'answers a body not in SUFFIX:COUNT lines', hang: 'does not answer within --breached-passwords-timeout' }[mode]}`, async () => {
      const a = await signUp(s, strong());
      const seen = api.requests.length;
      api.mode = mode;
      try {
        const email = freshEmail(mode);
        const started = Date.now();
        await refused(s.db, () => signUpRequest(s, email, strong()), assertUnavailable);
        if (mode === 'hang') assert.ok(Date.now() - started < 4000, `answered after ${Date.now() - started} ms (timeout: 1 s)`);
        assert.deepEqual(users(s.db, email), []);
        await refused(s.db, () => a.browser.post('/change-password', { currentPassword: a.password, newPassword: strong() }), assertUnavailable);
        assert.ok(api.since(seen).length >= 2, 'the API was asked');
      } finally {
        api.mode = 'ok';
      }
      assert.equal((await signIn(s, a.email, a.password)).status, 200, 'sign-in does not depend on the API');
      await signUp(s, strong());
    });
  }

  test('the API is not listening', async () => {
    await withServer({ breachedPasswords: `http://127.0.0.1:${await freePort()}/range/` }, async (t) => {
      const email = freshEmail('nobody');
      await refused(t.db, () => signUpRequest(t, email, strong()), assertUnavailable);
      assert.deepEqual(users(t.db, email), []);
    });
  });
});

describe('https', () => {
  let dir;
  let api;
  before(async () => {
    dir = tmp('tls');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')],
    { stdio: 'ignore' });
    api = await fakeRangeApi({ key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) });
  });
  after(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the certificate is verified: a self-signed one is refused (503) unless trusted with SSL_CERT_FILE', async () => {
    const bad = strong();
    api.listed.set(sha1(bad), 42);
    await withServer({ breachedPasswords: api.url }, async (s) => {
      await refused(s.db, () => signUpRequest(s, freshEmail(), strong()), assertUnavailable);
    });
    await withServer({ breachedPasswords: api.url }, async (s) => {
      await refused(s.db, () => signUpRequest(s, freshEmail(), bad));
      await signUp(s, strong());
    }, { env: { SSL_CERT_FILE: join(dir, 'c.pem') } });
  });
});

describe('a file of SHA1:COUNT lines', () => {
  let dir;
  let file;
  // Every filler hash starts with 1..E: a password whose hash starts with 0 is the first line, F the last.
  const edge = (digit) => {
    for (let i = 0; ; i++) if (sha1(`Quartz-Lantern-${i}-Meadow!`)[0] === digit) return `Quartz-Lantern-${i}-Meadow!`;
  };
  const FIRST = edge('0');
  const LAST = edge('F');
  const MIDDLE = 'Saffron-Harbor-Bell-9152!';
  const THRICE = 'Indigo-Thistle-Wren-3385!'; // listed with count 3
  const CLEAN = 'Violet-Anchor-Rain-2719!'; // not listed, but its 15 neighbours are
  const write = (name, eol, last = eol) => {
    const entries = new Map([[sha1(FIRST), 7], [sha1(LAST), 120], [sha1(MIDDLE), 12345], [sha1(THRICE), 3]]);
    for (const hash of siblings(sha1(CLEAN))) entries.set(hash, 500);
    const fill = '123456789ABCDE';
    while (entries.size < 5000) entries.set(fill[randomInt(fill.length)] + randomBytes(20).toString('hex').toUpperCase().slice(1), randomInt(1, 100000));
    const lines = [...entries].sort(([a], [b]) => (a < b ? -1 : 1)).map(([hash, count]) => `${hash}:${count}`);
    assert.equal(lines[0], `${sha1(FIRST)}:7`);
    assert.equal(lines.at(-1), `${sha1(LAST)}:120`);
    const path = join(dir, name);
    writeFileSync(path, lines.join(eol) + last);
    return path;
  };
  before(() => {
    dir = tmp('file');
    file = write('pwned-passwords-sha1-ordered-by-hash.txt', '\r\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('the first line, the last line and one in the middle are refused; an unlisted neighbour is accepted', async () => {
    await withServer({ breachedPasswords: file }, async (s) => {
      for (const password of [FIRST, LAST, MIDDLE, THRICE]) {
        const email = freshEmail('file');
        await refused(s.db, () => signUpRequest(s, email, password));
        assert.deepEqual(users(s.db, email), []);
      }
      await signUp(s, CLEAN);
      await signUp(s, strong());
    });
  });

  test('LF line ends and no line end after the last line work the same', async () => {
    await withServer({ breachedPasswords: write('lf.txt', '\n', '') }, async (s) => {
      for (const password of [FIRST, LAST, MIDDLE]) await refused(s.db, () => signUpRequest(s, freshEmail(), password));
      await signUp(s, CLEAN);
    });
  });

  test('--breached-passwords-min-count: a password seen N or more times is refused', async () => {
    for (const [minCount, thrice] of [[undefined, 'refused'], [3, 'refused'], [4, 'accepted']]) {
      const config = { breachedPasswords: file, ...(minCount && { breachedPasswordsMinCount: minCount }) };
      await withServer(config, async (s) => {
        if (thrice === 'refused') await refused(s.db, () => signUpRequest(s, freshEmail(), THRICE));
        else await signUp(s, THRICE);
        await refused(s.db, () => signUpRequest(s, freshEmail(), MIDDLE));
        await refused(s.db, () => signUpRequest(s, freshEmail(), LAST)); // 120 times
      });
    }
  });

  test('the command line: user create and set-password refuse a listed password and change nothing', async () => {
    const db = join(dir, 'cli.db');
    const run = (args, input) => {
      const r = spawnSync(BIN, ['user', ...args, '--database', db, '--breached-passwords', file], { input: `${input}\n`, encoding: 'utf8' });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    const create = ['create', '--email', 'cli.breach@example.com', '--name', 'Cli Breach'];
    const bad = run(create, FIRST);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /PASSWORD_COMPROMISED/);
    assert.match(run([...create, '--allow-weak'], MIDDLE).stderr, /PASSWORD_COMPROMISED/, '--allow-weak does not skip it');
    assert.deepEqual(sql(db, 'select email from "user"'), []);
    assert.equal(run(create, CLEAN).code, 0);
    const before = dump(db);
    const set = run(['set-password', '--email', 'cli.breach@example.com'], LAST);
    assert.equal(set.code, 1);
    assert.match(set.stderr, /PASSWORD_COMPROMISED/);
    assert.equal(dump(db), before, 'set-password refused: nothing changed');
    const good = strong();
    assert.equal(run(['set-password', '--email', 'cli.breach@example.com'], good).code, 0);
    await withServer({ database: db }, async (s) => assert.equal((await signIn(s, 'cli.breach@example.com', good)).status, 200));

    // A range API that is not there (a free port; spawnSync would block a fake one in this process).
    const unavailable = spawnSync(BIN, ['user', 'create', '--email', 'cli.down@example.com', '--database', db,
      '--breached-passwords', `http://127.0.0.1:${await freePort()}/range/`], { input: `${strong()}\n`, encoding: 'utf8' });
    assert.notEqual(unavailable.status, 0);
    assert.match(unavailable.stderr, /PASSWORD_CHECK_UNAVAILABLE/);
    assert.deepEqual(users(db, 'cli.down@example.com'), []);
  });
});

describe('start-up', () => {
  // Runs `serve` with a source; resolves to its exit (status null: it was still running after 10 s).
  const serve = (source, dir) =>
    spawnSync(BIN, ['serve', '--port', '0', '--database', join(dir, 'auth.db'), '--breached-passwords', source],
      { encoding: 'utf8', timeout: 10_000, env: { ...process.env, BETTER_AUTH_SECRET: SECRET } });

  test('refuses a missing file, a file not of SHA1:COUNT lines, and http:// to a host other than loopback', () => {
    const dir = tmp('bad');
    const ntlm = join(dir, 'ntlm.txt'); // HIBP's NTLM download instead of the SHA-1 one
    writeFileSync(ntlm, `${'0123456789ABCDEF'.repeat(2)}:12\r\n${'1123456789ABCDEF'.repeat(2)}:3\r\n`);
    const text = join(dir, 'passwords.txt');
    writeFileSync(text, 'password123\nletmein\n');
    try {
      for (const source of [join(dir, 'missing.txt'), ntlm, text, 'http://example.com/range/']) {
        const r = serve(source, dir);
        assert.notEqual(r.status, null, `${source}: refused, not started`);
        assert.notEqual(r.status, 0, source);
        assert.match(r.stderr, /breachedPasswords/, source);
        assert.doesNotMatch(r.stderr, /unknown option/, source);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('starts with https:// to any host and with hibp, connecting to nothing at start', async () => {
    for (const source of ['https://example.com/range/', 'hibp', 'off']) await withServer({ breachedPasswords: source }, async () => {});
  });
});

test('neither the passwords nor their SHA-1 reach the logs, refused, accepted or failed', async () => {
  const api = await fakeRangeApi();
  const s = await startServer({ breachedPasswords: api.url });
  const passwords = [strong(), strong(), strong(), strong()];
  try {
    api.listed.set(sha1(passwords[0]), 777);
    assertCompromised(await signUpRequest(s, freshEmail(), passwords[0]));
    const a = await signUp(s, passwords[1]);
    api.listed.set(sha1(passwords[2]), 3);
    assertCompromised(await a.browser.post('/change-password', { currentPassword: a.password, newPassword: passwords[2] }));
    api.mode = 'error';
    assertUnavailable(await signUpRequest(s, freshEmail(), passwords[3]));
  } finally {
    await s.stop();
    await api.close();
  }
  const everything = `${s.logs.join('\n')}\n${s.stderr}`;
  assert.ok(s.logs.some((l) => JSON.parse(l).msg === 'request'), 'the log was collected');
  for (const p of passwords) {
    for (const secret of [p, sha1(p), sha1(p).toLowerCase(), sha1(p).slice(5), sha1(p).slice(5).toLowerCase()]) {
      assert.ok(!everything.includes(secret), `the log must not contain ${secret}`);
    }
  }
});
