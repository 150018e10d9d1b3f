// Prometheus metrics (--metrics): requests by route, method and status, and latencies, on a
// listener of their own. The output is read with Prometheus's own parser (Debian's
// python3-prometheus-client), as a Prometheus server would read it.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { BIN, Browser, startServer, waitFor, withServer } from '../support/server.mjs';

let server;
let metricsURL;
before(async () => {
  server = await startServer({ metrics: true, metricsPort: 0 });
  metricsURL = JSON.parse(server.logs.find((l) => JSON.parse(l).msg === 'listening')).metrics;
});
after(async () => {
  await server.stop();
});

const scrape = async () => {
  const res = await fetch(metricsURL);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  return res.text();
};

/** The samples of `text` as Prometheus's parser reads them: [{name, labels, value}]. */
function parse(text) {
  const script = `
import json, sys
from prometheus_client.parser import text_string_to_metric_families
out = []
for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        out.append({"family": family.name, "type": family.type, "name": s.name, "labels": s.labels, "value": s.value})
print(json.dumps(out))`;
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script], { input: text, encoding: 'utf8' }));
}

const value = (samples, name, labels) =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

test('requests are counted by route, method and status, with a latency histogram, in a format Prometheus reads', async () => {
  const email = `metrics-${Date.now()}@example.com`;
  const password = 'metrics test password';
  const browser = new Browser(server.api);
  assert.equal((await browser.post('/sign-up/email', { name: 'Ada', email, password })).status, 200);
  assert.equal((await browser.post('/sign-in/email', { email, password: 'not the password' })).status, 401);
  assert.equal((await browser.get('/get-session')).status, 200);
  assert.equal((await browser.get('/get-session')).status, 200);
  for (let i = 0; i < 20; i++) assert.equal((await fetch(`${server.api}/no-such-route-${i}?token=secret${i}`)).status, 404);
  assert.equal((await fetch(`${server.api}/reset-password/sometoken123?callbackURL=${encodeURIComponent('http://localhost:3000/r')}`)).status < 500, true);

  const text = await scrape();
  const samples = parse(text);
  const requests = 'portcullis_http_requests_total';
  assert.equal(value(samples, requests, { route: '/sign-up/email', method: 'POST', code: '200' }), 1);
  assert.equal(value(samples, requests, { route: '/sign-in/email', method: 'POST', code: '401' }), 1);
  assert.equal(value(samples, requests, { route: '/get-session', method: 'GET', code: '200' }), 2);
  assert.equal(value(samples, requests, { route: 'other', method: 'GET', code: '404' }), 20, 'unknown paths are one series');
  assert.ok(samples.some((s) => s.name === requests && s.labels.route === '/reset-password/:token'), 'a reset link is one route, whatever its token');
  assert.equal(samples.filter((s) => s.name === requests && s.labels.route === 'other').length, 1);

  // The histogram: cumulative buckets, +Inf = count, a positive sum.
  const hist = 'portcullis_http_request_duration_seconds';
  const buckets = samples.filter((s) => s.name === `${hist}_bucket` && s.labels.route === '/get-session');
  assert.ok(buckets.length >= 2);
  for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i].value >= buckets[i - 1].value, 'cumulative');
  assert.equal(buckets.at(-1).labels.le, '+Inf');
  assert.equal(buckets.at(-1).value, 2);
  assert.equal(value(samples, `${hist}_count`, { route: '/get-session' }), 2);
  assert.ok(value(samples, `${hist}_sum`, { route: '/sign-up/email' }) > 0);
  assert.equal(value(samples, 'portcullis_build_info', { version: '0.1.0' }), 1);
  assert.ok(value(samples, 'process_start_time_seconds', {}) > 1.7e9);

  // What the server is busy with: idle now.
  assert.ok(value(samples, 'portcullis_hash_workers', {}) >= 1);
  assert.equal(value(samples, 'portcullis_hash_jobs', {}), 0);
  assert.equal(value(samples, 'portcullis_mail_queued', {}), 0);
  assert.equal(value(samples, 'portcullis_mail_dropped_total', {}), 0);
  // The session cache (--session-cache-ttl): the second get-session came from memory.
  assert.ok(value(samples, 'portcullis_session_cache_hits_total', {}) >= 1);
  assert.ok(value(samples, 'portcullis_session_cache_misses_total', {}) >= 1);
  assert.equal(value(samples, 'portcullis_session_cache_entries', {}), 1);

  // Nothing a client sent reaches the metrics.
  for (const secret of [email, password, 'secret1', 'sometoken123', 'no-such-route']) assert.ok(!text.includes(secret), secret);
});

test('the metrics are not on the public port, and are off by default', async () => {
  assert.equal((await fetch(`${server.url}/metrics`)).status, 404);
  assert.equal((await fetch(`${server.api}/metrics`)).status, 404);
  await withServer({}, async (plain) => {
    const listening = JSON.parse(plain.logs.find((l) => JSON.parse(l).msg === 'listening'));
    assert.ok(!('metrics' in listening));
  });
});

test('a metrics port in use: the server does not start, and says which address', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-metrics-'));
  try {
    const port = new URL(metricsURL).port;
    const run = spawnSync(BIN, ['serve', '--dev', '--port', '0', '--database', join(dir, 'auth.db'), '--metrics', 'true', '--metrics-port', port],
      { encoding: 'utf8', timeout: 10_000 });
    assert.equal(run.status, 1);
    assert.match(run.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port} \\(metrics\\)`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('mail that cannot be delivered is counted as dropped, once every retry failed', async () => {
  // An SMTP server that is not there: a port that was free a moment ago.
  const closed = await new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
  await withServer({ metrics: true, metricsPort: 0, mail: 'smtp', smtpHost: '127.0.0.1', smtpPort: closed, smtpTls: 'none', smtpFrom: 'auth@example.com' }, async (s) => {
    const url = JSON.parse(s.logs.find((l) => JSON.parse(l).msg === 'listening')).metrics;
    const email = `undeliverable-${Date.now()}@example.com`;
    await new Browser(s.api).post('/sign-up/email', { name: 'Ada', email, password: 'metrics test password' });
    assert.equal((await new Browser(s.api).post('/request-password-reset', { email, redirectTo: '/reset' })).status, 200);
    const dropped = await waitFor(async () => {
      const v = value(parse(await (await fetch(url)).text()), 'portcullis_mail_dropped_total', {});
      return v >= 1 ? v : null;
    }, { timeout: 15_000, what: 'the mail to be dropped' });
    assert.equal(dropped, 1);
  });
});

test('GET /ready on the metrics listener: 200 while the database answers, 503 once it does not', async () => {
  const ready = new URL('/ready', metricsURL);
  const up = await fetch(ready);
  assert.equal(up.status, 200);
  assert.equal(up.headers.get('cache-control'), 'no-store');
  assert.deepEqual(await up.json(), { ready: true, schemaVersion: 9 });
  // Not on the public port: an orchestrator's probe, not the clients'.
  assert.equal((await fetch(`${server.url}/ready`)).status, 404);

  // A PostgreSQL server of its own, stopped under the auth server.
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-ready-pg-'));
  const pg = join(import.meta.dirname, '../../scripts/test-postgres.sh');
  const url = execFileSync(pg, ['start', dir], { encoding: 'utf8' }).trim();
  let stopped = false;
  try {
    await withServer({ metrics: true, metricsPort: 0, database: url }, async (s) => {
      const probe = new URL('/ready', JSON.parse(s.logs.find((l) => JSON.parse(l).msg === 'listening')).metrics);
      assert.equal((await fetch(probe)).status, 200);
      execFileSync(pg, ['stop', dir]);
      stopped = true;
      const down = await fetch(probe);
      assert.equal(down.status, 503);
      assert.deepEqual(await down.json(), { ready: false, reason: 'the database does not answer' });
    });
  } finally {
    if (!stopped) execFileSync(pg, ['stop', dir]);
    rmSync(dir, { recursive: true, force: true });
  }
});
