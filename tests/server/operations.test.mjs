// Running the server: secrets, shutdown, logs, the thread model, and the command line.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { BIN, Browser, outboxMails, SECRET, sql, startServer, withServer } from '../support/server.mjs';

function run(args, { input = '', env = {} } = {}) {
  const r = spawnSync(BIN, args, { input, encoding: 'utf8', env: { ...process.env, BETTER_AUTH_SECRET: '', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('[ASVS 2.10.2, 2.10.4] serve refuses to start without a secret of at least 32 bytes, unless --dev', () => {
  const db = join(mkdtempSync(join(tmpdir(), 'portcullis-ops-')), 'a.db');
  const none = run(['serve', '--port', '0', '--database', db]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /BETTER_AUTH_SECRET must be at least 32 bytes/);
  const short = run(['serve', '--port', '0', '--database', db], { env: { BETTER_AUTH_SECRET: 'x'.repeat(31) } });
  assert.equal(short.code, 2);
  const flag = run(['serve', '--secret', 'y'.repeat(40), '--database', db]);
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /not on the command line/);
  const check = run(['check-config', '--dev', '--database', db]);
  assert.equal(check.code, 0);
  const shown = JSON.parse(check.stdout);
  assert.equal(shown.dev, true);
  assert.match(shown.secret, /^set \(\d+ bytes\)$/, 'check-config never prints the secret');
  assert.deepEqual(shown.plugins, []);
  const plugins = run(['check-config', '--dev', '--database', db, '--admin', 'true', '--username', 'true', '--jwt', 'true']);
  assert.equal(plugins.code, 0, plugins.stderr);
  assert.deepEqual(JSON.parse(plugins.stdout).plugins, ['jwt', 'admin', 'username']);
});

test('SIGTERM lets an in-flight request finish, then exits 0', async () => {
  const server = await startServer({ mail: 'outbox' });
  const email = 'drain@example.com';
  const up = await new Browser(server.api).post('/sign-up/email', { name: 'Drain', email, password: 'drain-password' });
  assert.equal(up.status, 200);
  // send-verification-email without a session writes a verification row, then holds its answer
  // until 500 ms have passed (so timing says nothing). Once the row is there, the request is in
  // flight: SIGTERM must let it finish.
  const inflight = fetch(`${server.api}/send-verification-email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email }),
  });
  const deadline = Date.now() + 10000;
  // (Its row, not the known-device row the sign-up left: see securityNotifications.)
  while (sql(server.db, "select count(*) as n from verification where identifier like 'verify-email:%'")[0].n === 0) {
    assert.ok(Date.now() < deadline, 'the request reached the server');
    await new Promise((r) => setTimeout(r, 10));
  }
  const code = server.stop({ keep: true });
  const res = await inflight;
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: true });
  assert.equal(await code, 0);
  assert.ok(server.logs.some((l) => JSON.parse(l).msg === 'stopped'));
});

test('SIGTERM right after start-up (before the server accepts) still stops it with 0', async () => {
  // The signal can arrive between the "listening" line and the accept loop; it used to be lost.
  for (let i = 0; i < 10; i++) {
    const server = await startServer();
    const code = await Promise.race([server.stop(), new Promise((resolve) => setTimeout(() => resolve('hung'), 5000))]);
    if (code === 'hung') server.child.kill('SIGKILL');
    assert.equal(code, 0, `start ${i}`);
  }
});

test('[ASVS 2.10.3, 8.3.1] the access log is JSON with a request id, and holds no secrets, passwords or tokens', async () => {
  const server = await startServer();
  const browser = new Browser(server.api);
  const password = 'log-me-not-password';
  const up = await browser.post('/sign-up/email', { name: 'Logged', email: 'logged@example.com', password });
  assert.equal(up.status, 200);
  const id = up.headers.get('x-request-id');
  assert.match(id, /^[A-Za-z0-9]{20}$/);
  await browser.get('/get-session?disableRefresh=token-in-query');
  await browser.post('/sign-in/email', { email: 'logged@example.com', password: 'wrong-password-here' });
  await server.stop({ keep: true });
  const lines = server.logs.map((l) => JSON.parse(l));
  const signUp = lines.find((l) => l.id === id && l.msg === 'request');
  assert.ok(signUp);
  const ids = lines.filter((l) => l.msg === 'request').map((l) => l.id);
  assert.equal(new Set(ids).size, ids.length, 'every request has its own id');
  assert.equal(signUp.method, 'POST');
  assert.equal(signUp.path, '/api/auth/sign-up/email');
  assert.equal(signUp.status, 200);
  assert.equal(typeof signUp.ms, 'number');
  const everything = server.logs.join('\n') + server.stderr;
  for (const secret of [password, 'wrong-password-here', SECRET, up.body.token, 'token-in-query', 'logged@example.com']) {
    assert.ok(!everything.includes(secret), `the log must not contain ${secret}`);
  }
});

test('idle and slow connections do not block other clients', async () => {
  // More connections stalled halfway than the server has polling threads (two per core): a poller
  // whose request waits for the rest of its headers hands its polling to another thread.
  const stalled = 2 * availableParallelism() + 2;
  const server = await startServer({ threads: 2 * stalled, hashQueue: 1 });
  const { port } = new URL(server.url);
  const open = (data) =>
    new Promise((resolve) => {
      const s = connect(Number(port), '127.0.0.1', () => {
        if (data) s.write(data);
        resolve(s);
      });
    });
  // Two connections that say nothing, the others stop halfway through their headers.
  const idle = [await open(), await open()];
  for (let i = 0; i < stalled; i++) idle.push(await open('GET /api/auth/ok HTTP/1.1\r\nHost: x\r\n'));
  try {
    // Well within the stalled requests' readTimeout (10 s), which would otherwise free their pollers.
    for (let i = 0; i < 20; i++) {
      assert.equal((await fetch(`${server.api}/ok`, { signal: AbortSignal.timeout(5_000) })).status, 200);
    }
  } finally {
    for (const s of idle) s.destroy();
    await server.stop();
  }
});

// Sends one raw HTTP/1.1 request on a new connection (with ask(), below); resolves to the
// response's text once the server closes the connection (the request asks it to).
function rawRequest(port, method, path, { body, headers = {} } = {}) {
  const head = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
  for (const [k, v] of Object.entries(headers)) head.push(`${k}: ${v}`);
  if (body !== undefined) head.push('Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`);
  return ask(port, head.join('\r\n') + '\r\n\r\n' + (body ?? '')).closed.then(({ text }) => text);
}

test('requests waiting for their password hashes hold up no other connection', async () => {
  // One hash worker and slow hashes (20 Argon2id passes: a few hundred milliseconds each), and one
  // sign-in more than the server has polling threads (two per core). Once the first sign-in is
  // answered, every other one is hashing or queued for the worker, each on a thread of its own.
  // Requests on new connections are all answered before the next sign-in: had the waiting
  // sign-ins kept their pollers, none would be left to read them.
  const server = await startServer({ hashWorkers: 1, argon2Passes: 20, minPasswordScore: 0 });
  const { port } = new URL(server.url);
  const origin = { Origin: server.url };
  const credentials = JSON.stringify({ email: 'wait@example.com', password: 'a password to hash slowly' });
  try {
    const up = await rawRequest(port, 'POST', '/api/auth/sign-up/email', {
      body: JSON.stringify({ ...JSON.parse(credentials), name: 'W' }),
      headers: origin,
    });
    assert.match(up, /^HTTP\/1\.1 200 /);
    let answered = 0;
    const signIns = Array.from({ length: 2 * availableParallelism() + 1 }, () =>
      rawRequest(port, 'POST', '/api/auth/sign-in/email', { body: credentials, headers: origin }).then((t) => {
        answered += 1;
        return t;
      }),
    );
    assert.match(await Promise.race(signIns), /^HTTP\/1\.1 200 /);
    const others = await Promise.all(
      Array.from({ length: 8 }, () => rawRequest(port, 'GET', '/api/auth/ok').then((t) => ({ t, before: answered === 1 }))),
    );
    for (const { t, before } of others) {
      assert.match(t, /^HTTP\/1\.1 200 /);
      assert.ok(before, 'a request on another connection waited for a sign-in\'s hash');
    }
    for (const t of await Promise.all(signIns)) assert.match(t, /^HTTP\/1\.1 200 /);
  } finally {
    await server.stop();
  }
});

test('with the default threads, 100 open keep-alive connections leave room for a new client', async () => {
  // Open keep-alive connections wait in the epoll set and hold no thread: with the idle timeout
  // at 30 s, a new client would wait that long if they held the threads.
  const server = await startServer({ keepAliveTimeout: 30 });
  const { port } = new URL(server.url);
  const served = () =>
    new Promise((resolve, reject) => {
      const s = connect(Number(port), '127.0.0.1', () => s.write('GET /api/auth/ok HTTP/1.1\r\nHost: x\r\n\r\n'));
      s.once('data', (d) => (String(d).startsWith('HTTP/1.1 200') ? resolve(s) : reject(new Error(String(d)))));
      s.once('error', reject);
    });
  const held = [];
  try {
    for (let i = 0; i < 100; i++) held.push(await served());
    const res = await fetch(`${server.api}/ok`, { signal: AbortSignal.timeout(10_000) });
    assert.equal(res.status, 200);
    assert.ok(held.every((s) => !s.destroyed), 'the 100 connections are still open');
  } finally {
    for (const s of held) s.destroy();
    await server.stop();
  }
});

// Opens a connection and writes `data`. `answered` resolves at the first bytes the server sends;
// `closed`, when it closes the connection: all it sent, and how long after the write it closed.
function ask(port, data) {
  let written = 0;
  let text = '';
  let answer;
  const answered = new Promise((resolve) => (answer = resolve));
  const closed = new Promise((resolve, reject) => {
    const s = connect(Number(port), '127.0.0.1', () => {
      written = Date.now();
      s.write(data);
    });
    s.on('data', (d) => {
      text += d;
      answer();
    });
    s.on('close', () => resolve({ ms: Date.now() - written, text }));
    s.on('error', reject);
    s.setTimeout(15_000, () => reject(new Error('the server did not close the connection within 15 s')));
  });
  return { answered, closed };
}

test('a request stalled halfway gets 400 and is cut off after readTimeout; an idle keep-alive connection after keepAliveTimeout', async () => {
  const server = await startServer({ readTimeout: 1, keepAliveTimeout: 3 });
  const { port } = new URL(server.url);
  try {
    const [stalled, idle] = await Promise.all([
      ask(port, 'GET /api/auth/ok HTTP/1.1\r\nHost: x\r\n').closed,
      ask(port, 'GET /api/auth/ok HTTP/1.1\r\nHost: x\r\n\r\n').closed,
    ]);
    // cpp-httplib answers 400 to headers that never came in whole; the connection closes then
    // rather than waiting for another request.
    assert.ok(stalled.ms >= 900 && stalled.ms < 2500, `the stalled request was cut off after ${stalled.ms} ms (readTimeout: 1 s)`);
    assert.match(stalled.text, /^HTTP\/1\.1 400 /);
    assert.ok(idle.text.startsWith('HTTP/1.1 200'), 'the complete request was answered');
    assert.ok(idle.ms >= 2900 && idle.ms < 4500, `the idle connection was closed after ${idle.ms} ms (keepAliveTimeout: 3 s)`);
  } finally {
    await server.stop();
  }
});

test('SIGTERM does not wait for idle keep-alive connections', async () => {
  const server = await startServer({ keepAliveTimeout: 30 });
  const { port } = new URL(server.url);
  const idle = ask(port, 'GET /api/auth/ok HTTP/1.1\r\nHost: x\r\n\r\n');
  await idle.answered; // from now on the connection sits idle in keep-alive
  const stopped = Date.now();
  assert.equal(await server.stop({ keep: true }), 0);
  const { text } = await idle.closed;
  assert.ok(text.startsWith('HTTP/1.1 200'));
  assert.ok(Date.now() - stopped < 10_000, `stopped after ${Date.now() - stopped} ms, not the 30 s keep-alive`);
});

// The kernel's count of connections dropped because a listening socket's accept queue was full
// (all sockets of the machine; the server suites run one test at a time).
function listenOverflows() {
  const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n').filter((l) => l.startsWith('TcpExt:'));
  const [names, values] = lines.map((l) => l.split(/\s+/));
  return Number(values[names.indexOf('ListenOverflows')]);
}

test('a burst of 200 clients connecting at once: the accept queue drops none of their handshakes', async () => {
  // httplib listens with a backlog of 5; a dropped handshake costs its client 200 ms to seconds.
  const server = await startServer({ keepAliveTimeout: 30 });
  const { port } = new URL(server.url);
  const before = listenOverflows();
  const clients = Array.from({ length: 200 }, () => ask(port, 'GET /api/auth/ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n').closed);
  try {
    const answers = await Promise.all(clients);
    assert.ok(answers.every((a) => a.text.startsWith('HTTP/1.1 200')));
    assert.equal(listenOverflows() - before, 0, 'handshakes dropped by a full accept queue');
  } finally {
    await server.stop();
  }
});

// "policy/nice" of each of the server's threads named `name` (sched_setscheduler(2)'s policy
// numbers: 0 SCHED_OTHER, 3 SCHED_BATCH, 5 SCHED_IDLE), from /proc/<pid>/task/<tid>/stat.
function threadPolicies(pid, name) {
  const dir = `/proc/${pid}/task`;
  return readdirSync(dir)
    .filter((tid) => readFileSync(`${dir}/${tid}/comm`, 'utf8').trim() === name)
    .map((tid) => {
      const fields = readFileSync(`${dir}/${tid}/stat`, 'utf8').split(') ')[1].split(' ');
      return `${fields[38]}/${fields[16]}`; // policy, nice (stat fields 41 and 19)
    });
}

test('the hash workers are named "hash" and run under SCHED_BATCH at nice 10; connection threads under SCHED_OTHER at 0', async () => {
  const server = await startServer({ hashWorkers: 3 });
  try {
    assert.deepEqual(threadPolicies(server.child.pid, 'hash'), ['3/10', '3/10', '3/10']);
    const others = threadPolicies(server.child.pid, 'portcullis');
    assert.ok(others.length > 0 && others.every((p) => p === '0/0'), `connection threads' policies: ${others}`);
  } finally {
    await server.stop();
  }
});

test('pipelined requests on one connection are all answered, in order, each in whole', async () => {
  const server = await startServer();
  const { port } = new URL(server.url);
  try {
    const text = await new Promise((resolve, reject) => {
      const s = connect(Number(port), '127.0.0.1', () =>
        s.write(
          'GET /api/auth/ok HTTP/1.1\r\nHost: x\r\n\r\n' +
            'GET /api/auth/get-session HTTP/1.1\r\nHost: x\r\n\r\n' +
            'GET /api/auth/ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
        ),
      );
      let data = '';
      s.on('data', (d) => (data += d));
      s.on('end', () => resolve(data));
      s.on('error', reject);
    });
    const statuses = text.match(/HTTP\/1\.1 \d+/g);
    assert.deepEqual(statuses, ['HTTP/1.1 200', 'HTTP/1.1 200', 'HTTP/1.1 200']);
    const bodies = text.split(/\r\n\r\n/).slice(1).map((b) => b.replace(/HTTP\/1\.1[\s\S]*$/, ''));
    assert.deepEqual(bodies, ['{"ok":true}', 'null', '{"ok":true}']);
  } finally {
    await server.stop();
  }
});

test('the command line: migrate, users, sessions', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-cli-'));
  const db = join(dir, 'cli.db');
  const migrate = run(['migrate', '--database', db]);
  assert.equal(migrate.code, 0, migrate.stderr);
  assert.deepEqual(JSON.parse(migrate.stdout), { migrated: true, schemaVersion: 9 });
  assert.equal(run(['migrate', '--database', db]).code, 0, 'migrate is idempotent');

  const created = run(['user', 'create', '--email', 'Cli@Example.com', '--name', 'Cli User', '--database', db], { input: 'cli-password-1\n' });
  assert.equal(created.code, 0, created.stderr);
  const user = JSON.parse(created.stdout);
  assert.equal(user.email, 'cli@example.com');
  const dup = run(['user', 'create', '--email', 'cli@example.com', '--database', db], { input: 'cli-password-1\n' });
  assert.equal(dup.code, 1);
  assert.match(dup.stderr, /USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL/);
  const weak = run(['user', 'create', '--email', 'weak@example.com', '--database', db], { input: 'short\n' });
  assert.match(weak.stderr, /PASSWORD_TOO_SHORT/);

  const listed = run(['user', 'list', '--database', db]).stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(listed.map((u) => u.email), ['cli@example.com']);

  const server = await startServer({}, {});
  await server.stop();
  // Sign in through a server on this database, then revoke from the command line.
  const live = await startServer({ database: db });
  try {
    const browser = new Browser(live.api);
    assert.equal((await browser.post('/sign-in/email', { email: 'cli@example.com', password: 'cli-password-1' })).status, 200);
    const revoked = run(['sessions', 'revoke', '--user', 'cli@example.com', '--database', db]);
    assert.deepEqual(JSON.parse(revoked.stdout), { revoked: 1 });
    assert.equal((await browser.get('/get-session')).body, null);

    const outbox = join(dir, 'outbox');
    const set = run(['user', 'set-password', '--email', 'cli@example.com', '--database', db, '--mail', 'outbox', '--mail-outbox-dir', outbox], { input: 'cli-password-2\n' });
    assert.equal(set.code, 0, set.stderr);
    // [ASVS 2.2.3] The user hears of it, by the time the command has exited.
    assert.deepEqual(outboxMails(outbox).map((m) => [m.to, m.kind]), [['cli@example.com', 'password-changed']]);
    assert.equal((await browser.post('/sign-in/email', { email: 'cli@example.com', password: 'cli-password-1' })).status, 401);
    assert.equal((await browser.post('/sign-in/email', { email: 'cli@example.com', password: 'cli-password-2' })).status, 200);

    assert.equal(run(['user', 'delete', '--email', 'cli@example.com', '--database', db]).code, 0);
    assert.equal(sql(db, 'select count(*) as n from "user"')[0].n, 0);
    assert.equal(sql(db, 'select count(*) as n from session')[0].n, 0, 'deleting a user deletes its sessions');
    assert.equal((await browser.get('/get-session')).body, null);
  } finally {
    await live.stop();
  }
  assert.equal(run(['user', 'delete', '--email', 'ghost@example.com', '--database', db]).code, 1);
});

test('the SQLite database and its WAL are created readable by their owner alone, whatever the umask', async () => {
  // (The test runs under the caller's umask, typically 022, which would make them 0644.)
  const server = await startServer();
  try {
    assert.equal((await new Browser(server.api).post('/sign-up/email', { name: 'Mode', email: 'mode@example.com', password: 'mode test password' })).status, 200);
    assert.equal(statSync(server.db).mode & 0o777, 0o600);
    assert.equal(statSync(`${server.db}-wal`).mode & 0o777, 0o600);
  } finally {
    await server.stop();
  }
});

test('backup copies the SQLite database while the server writes to it; a server started on the copy serves its users and sessions', async () => {
  const live = await startServer();
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-backup-'));
  try {
    const alice = new Browser(live.api);
    assert.equal((await alice.post('/sign-up/email', { name: 'Alice', email: 'alice@example.com', password: 'alice backup password' })).status, 200);
    // Sign-ups go on while the backup runs: the copy is the database at one instant, whole.
    const backup = new Promise((resolve) => {
      const child = spawn(BIN, ['backup', '--database', live.db, '--to', join(dir, 'copy.db')], { env: { ...process.env, BETTER_AUTH_SECRET: '' } });
      let stdout = '';
      child.stdout.on('data', (d) => { stdout += d; });
      child.on('exit', (code) => resolve({ code, stdout }));
    });
    const signUps = Array.from({ length: 20 }, (_, i) =>
      new Browser(live.api).post('/sign-up/email', { name: `User ${i}`, email: `user${i}@example.com`, password: `user ${i} backup password` }));
    const [done, ...answers] = await Promise.all([backup, ...signUps]);
    assert.ok(answers.every((a) => a.status === 200));
    assert.equal(done.code, 0);
    const copy = JSON.parse(done.stdout);
    assert.equal(copy.backup, join(dir, 'copy.db'));
    assert.ok(copy.users >= 1 && copy.users <= 21, `${copy.users} users`);
    assert.equal(sql(copy.backup, 'select count(*) as n from "user"')[0].n, copy.users);
    assert.equal(sql(copy.backup, 'select count(*) as n from session')[0].n, copy.sessions);
    assert.deepEqual(sql(copy.backup, 'pragma integrity_check'), [{ integrity_check: 'ok' }]);
    // One file, readable by its owner alone, and nothing else left in the folder.
    assert.equal(statSync(copy.backup).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dir), ['copy.db']);
    assert.deepEqual(sql(copy.backup, 'pragma journal_mode'), [{ journal_mode: 'delete' }]);

    // Restored: Alice signs in with her password, and her session from the live server is valid.
    await withServer({ database: copy.backup }, async (restored) => {
      const again = new Browser(restored.api);
      assert.equal((await again.post('/sign-in/email', { email: 'alice@example.com', password: 'alice backup password' })).status, 200);
      const carried = new Browser(restored.api);
      carried.jar = alice.jar;
      const session = await carried.get('/get-session');
      assert.equal(session.body?.user?.email, 'alice@example.com');
    });

    // Into a folder: a new file named after the time.
    const dated = run(['backup', '--database', live.db, '--to', dir]);
    assert.equal(dated.code, 0, dated.stderr);
    assert.match(JSON.parse(dated.stdout).backup, /\/portcullis-\d{8}T\d{6}Z\.db$/);
    assert.equal(JSON.parse(dated.stdout).users, 21);
  } finally {
    await live.stop();
  }
});

test('backup never overwrites a file, never creates a database, and says what is wrong', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-backup-'));
  const db = join(dir, 'auth.db');
  assert.equal(run(['migrate', '--database', db]).code, 0);
  const existing = join(dir, 'existing.db');
  writeFileSync(existing, 'keep me');
  const over = run(['backup', '--database', db, '--to', existing]);
  assert.equal(over.code, 1);
  assert.match(over.stderr, /existing\.db exists; a backup never overwrites a file/);
  assert.equal(readFileSync(existing, 'utf8'), 'keep me');

  const missing = run(['backup', '--database', join(dir, 'missing.db'), '--to', join(dir, 'a.db')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no database at .*missing\.db/);
  const junk = run(['backup', '--database', existing, '--to', join(dir, 'b.db')]);
  assert.equal(junk.code, 1);
  assert.match(junk.stderr, /is not a SQLite database/);
  const nowhere = run(['backup', '--database', db, '--to', join(dir, 'no', 'such', 'c.db')]);
  assert.equal(nowhere.code, 1);
  assert.match(nowhere.stderr, /no directory/);
  const postgres = run(['backup', '--database', 'postgres://portcullis@127.0.0.1:1/auth', '--to', join(dir, 'd.db')]);
  assert.equal(postgres.code, 1);
  assert.match(postgres.stderr, /pg_dump/);
  assert.equal(run(['backup', '--database', db]).code, 2, '--to is required');
  assert.equal(run(['backup', '--database', db, '--to', dir, '--keep', '0']).code, 2);
  assert.equal(run(['backup', '--database', db, '--to', join(dir, 'e.db'), '--keep', '3']).code, 2, '--keep needs a folder');
  assert.deepEqual(readdirSync(dir).sort(), ['auth.db', 'existing.db'], 'no file was created');
});

test('backup --keep N deletes the folder\'s dated copies but the newest N, and nothing else', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-backup-'));
  const db = join(dir, 'auth.db');
  assert.equal(run(['migrate', '--database', db]).code, 0);
  const copies = join(dir, 'copies');
  mkdirSync(copies);
  for (const name of ['portcullis-20240101T000000Z.db', 'portcullis-20250101T000000Z.db', 'portcullis-manual.db', 'notes.txt']) {
    writeFileSync(join(copies, name), 'an older file');
  }
  const first = run(['backup', '--database', db, '--to', copies, '--keep', '2']);
  assert.equal(first.code, 0, first.stderr);
  const made = JSON.parse(first.stdout);
  assert.deepEqual(made.removed, [join(copies, 'portcullis-20240101T000000Z.db')]);
  assert.deepEqual(readdirSync(copies).sort(), ['notes.txt', made.backup.slice(copies.length + 1), 'portcullis-20250101T000000Z.db', 'portcullis-manual.db'].sort());
});

test('--help lists every command and setting; unknown input is a usage error', () => {
  const help = execFileSync(BIN, ['--help'], { encoding: 'utf8' });
  for (const word of ['serve', 'migrate', 'user create', 'user list', 'user delete', 'user set-password', 'sessions revoke', 'backup --to', 'check-config', '--base-url', 'BETTER_AUTH_URL', 'BETTER_AUTH_SECRET', '--trusted-origins']) {
    assert.ok(help.includes(word), `--help mentions ${word}`);
  }
  // Each setting's row names its flag, config-file key and environment variable in full, apart:
  // the flag is the key in lower case with dashes between its words.
  const rows = help.split('\n').filter((line) => line.startsWith('  --') && !line.startsWith('  --help'));
  assert.ok(rows.length > 40, `${rows.length} setting rows`);
  for (const row of rows) {
    const [flag, key, env, ...rest] = row.trim().split(/\s+/);
    assert.deepEqual(rest, [], `one flag, key and variable in "${row}"`);
    assert.equal(flag.replaceAll('-', ''), `--${key}`.replaceAll('-', '').toLowerCase(), row);
    assert.match(env, /^[A-Z][A-Z0-9_]+$/, row);
  }
  for (const flag of ['--auto-sign-in-after-verification', '--update-email-without-verification', '--revoke-sessions-on-password-reset']) {
    assert.ok(rows.some((row) => row.trim().split(/\s+/)[0] === flag), `--help spells out ${flag}`);
  }
  assert.equal(run(['frobnicate']).code, 2);
  assert.equal(run(['serve', '--no-such-flag', 'x']).code, 2);
  assert.equal(run(['serve', '--port', 'eighty', '--dev']).code, 2);
});

test('a port in use is refused: a second server exits instead of sharing the first one’s connections', async () => {
  const first = await startServer();
  try {
    const port = new URL(first.url).port;
    const db = join(mkdtempSync(join(tmpdir(), 'portcullis-ops-')), 'b.db');
    // (A server that shared the port would keep running: the timeout ends it, and the test fails.)
    const second = spawnSync(BIN, ['serve', '--port', port, '--database', db], {
      encoding: 'utf8', timeout: 10000, env: { ...process.env, BETTER_AUTH_SECRET: SECRET },
    });
    assert.equal(second.signal, null, 'the second server exited by itself');
    assert.notEqual(second.status, 0);
    assert.match(second.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}`));
    // The first server still answers every request.
    for (let i = 0; i < 5; i++) assert.equal((await fetch(`${first.api}/ok`)).status, 200);
  } finally {
    await first.stop();
  }
});
