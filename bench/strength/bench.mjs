// The strength-estimator benchmark: Portcullis (the npm package's wasm) against zxcvbn 4.4.2 and
// @zxcvbn-ts/core 4.2.0 (+ language-common + language-en), side by side, in one run:
//
//   1. agreement with zxcvbn 4.4.2 (Node): same score, |Δ log10 guesses| <= 0.05, every difference
//   2. download size (raw, gzip -9, brotli)
//   3. speed in Node: per estimate median / p99 / max, totals, long inputs apart; cold start
//   4. the same in headless Chromium (COOP/COEP page on 127.0.0.1); cold start = the estimator's
//      script is inserted (once the page has loaded) -> the first estimate's result
//
//   npm run bench:strength [-- --quick] [--skip-browser] [--skip-long] [--size N] [--seed N]
//   npm run bench:strength -- --cold-only [--cold-runs N]   (cold starts only, with Portcullis's
//                                                          breakdown; bench/README.md left alone)
//
// Writes bench/strength/results/{latest.json,differences.json} (gitignored) and rewrites the
// section between <!-- strength:begin --> and <!-- strength:end --> in bench/README.md.
// See bench/strength/README.md for what exactly is measured.
//
// The same file also runs as the measuring child processes (one fresh Node process per estimator
// and per cold start) and as the worker thread that times long inputs with a timeout.

import { execFileSync, fork, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';

import { CATEGORIES, POLICY_MAX, countByCategory, makeCorpus } from './corpus.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const RESULTS = join(HERE, 'results');
const CACHE = join(HERE, '.cache');
const WWW = join(CACHE, 'www');
const require = createRequire(import.meta.url);
// The Portcullis package measured: this repository, or another copy of the package (`--package DIR`,
// e.g. an unpacked npm tarball); children inherit it through the environment.
const argPackage = process.argv.indexOf('--package');
if (argPackage > 0) process.env.BENCH_PORTCULLIS_PACKAGE = resolve(process.argv[argPackage + 1]);
const PKG = resolve(process.env.BENCH_PORTCULLIS_PACKAGE ?? REPO);

const ESTIMATORS = ['portcullis', 'zxcvbn', 'zxcvbn-ts'];
const LABEL = { portcullis: 'Portcullis', zxcvbn: 'zxcvbn 4.4.2', 'zxcvbn-ts': 'zxcvbn-ts 4.2.0' };
const FIRST = 'Tr0ub4dour&3'; // the first estimate of a cold start (as page/harness.js)
const SETTLED = '__bench:settled'; // page/harness.js's console message: the cold start is in

// Chromium as zxcvbn-model.md measured it (playwright adds --headless and a fresh profile).
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-dev-shm-usage',
];

const TARGETS = {
  sameScore: 99.5, // % of the corpus
  within005: 99, // % with |Δ log10 guesses| <= 0.05
  gzipBytes: 250_000, // package download, gzip -9 (250 KB, decimal)
  vsZxcvbnTs: 10, // × faster per estimate (median) than zxcvbn-ts
  vsZxcvbn: 2, // × faster per estimate (median) than zxcvbn
  maxMs: 50, // no input the policy accepts (<= POLICY_MAX UTF-16 units) over 50 ms, Node and Chromium
  coldChromiumMs: 50, // Chromium cold start, median
};

class Unavailable extends Error {}

// ---------------------------------------------------------------------------------------------
// Estimators in Node. estimate(password) returns the estimator's full result object.

async function loadEstimator(name, referenceYear) {
  if (name === 'zxcvbn') {
    const zxcvbn = require('zxcvbn');
    return { estimate: (pw) => zxcvbn(pw) };
  }
  if (name === 'zxcvbn-ts') {
    const { ZxcvbnFactory } = await import('@zxcvbn-ts/core');
    const common = await import('@zxcvbn-ts/language-common');
    const en = await import('@zxcvbn-ts/language-en');
    const factory = new ZxcvbnFactory({
      dictionary: { ...common.dictionary, ...en.dictionary },
      graphs: common.adjacencyGraphs,
      translations: en.translations,
    });
    return { estimate: (pw) => factory.check(pw) };
  }
  if (name === 'portcullis') {
    // The meter-only entry (portcullis/meter), as a page with a strength meter uses it.
    if (!existsSync(join(PKG, 'wasm/meter.js'))) throw new Unavailable('the package has no wasm/meter.js (portcullis/meter) yet');
    const { loadMeter } = await import(pathToFileURL(join(PKG, 'wasm/meter.js')).href);
    const meter = await loadMeter(); // the wasm and the strength dictionary
    const options = { referenceYear };
    const estimate = (pw) => meter.estimateStrength(pw, [], options);
    return { estimate };
  }
  throw new Error(`unknown estimator ${name}`);
}

const round = (x, d = 4) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x);

function matchLabel(m) {
  switch (m.pattern) {
    case 'dictionary':
      return `dictionary:${m.dictionary_name}${m.l33t ? '+l33t' : ''}${m.reversed ? '+reversed' : ''}`;
    case 'spatial':
      return `spatial:${m.graph}`;
    case 'regex':
      return `regex:${m.regex_name}`;
    case 'sequence':
      return `sequence:${m.sequence_name}`;
    default:
      return m.pattern;
  }
}

// What the agreement check keeps of a result (sequence only where asked).
function compact(r, withSequence) {
  const out = { s: r.score, l: r.guesses_log10 ?? r.guessesLog10 }; // zxcvbn-ts: camelCase
  if (withSequence) {
    out.q = (r.sequence ?? []).map((m) => ({
      p: matchLabel(m),
      i: m.i,
      j: m.j,
      t: m.token,
      l: round(m.guesses_log10),
      ...(m.pattern === 'dictionary' ? { r: m.rank } : {}),
    }));
    if (r.truncated) out.tr = true;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Child roles.

// `node bench.mjs --cold <name> <year>`: fresh process, import + load + first estimate.
async function coldChild(name, year) {
  const t0 = performance.now();
  let est;
  try {
    est = await loadEstimator(name, year);
  } catch (e) {
    console.log(JSON.stringify({ unavailable: e instanceof Unavailable, error: e.message }));
    return;
  }
  const t1 = performance.now();
  let r;
  try {
    r = est.estimate(FIRST);
    if (typeof r?.score !== 'number') throw new Error(`unexpected result ${JSON.stringify(r)}`);
  } catch (e) {
    // e.g. wasm/meter.js is there but dist/ is from an older build.
    const error = `the built wasm (dist/portcullis-meter.wasm) has no working estimate yet (${e.message}); rebuild with \`npm run build:wasm\``;
    console.log(JSON.stringify({ unavailable: true, error: name === 'portcullis' ? error : e.message }));
    return;
  }
  const t2 = performance.now();
  console.log(JSON.stringify({ load: t1 - t0, first: t2 - t1, total: t2 - t0, score: r.score, heapMB: process.memoryUsage().heapUsed / 2 ** 20 }));
}

// Worker thread: times one password at a time (so the parent can time it out and terminate).
async function longWorker() {
  const { name, year, warm } = workerData;
  const est = await loadEstimator(name, year);
  for (const pw of warm) est.estimate(pw);
  parentPort.on('message', (pw) => {
    const t0 = performance.now();
    const r = est.estimate(pw);
    const ms = performance.now() - t0;
    parentPort.postMessage({ ms, ...compact(r, name !== 'zxcvbn-ts') });
  });
  parentPort.postMessage('ready');
}

// One estimator's long inputs, one at a time, in a worker thread that is terminated (and later
// restarted) when an estimate exceeds the timeout.
class NodeLongRunner {
  constructor(name, year, warm, timeoutMs) {
    Object.assign(this, { name, year, warm, timeoutMs, worker: null });
  }
  async start() {
    this.worker = new Worker(new URL(import.meta.url), {
      workerData: { role: 'long', name: this.name, year: this.year, warm: this.warm },
    });
    // (Listeners are removed one by one: Worker#removeAllListeners() stops message delivery.)
    const w = this.worker;
    await new Promise((resolve, reject) => {
      const done = (m) => {
        w.off('message', done);
        w.off('error', fail);
        resolve(m);
      };
      const fail = (e) => {
        w.off('message', done);
        w.off('error', fail);
        reject(e);
      };
      w.on('message', done);
      w.on('error', fail);
    });
  }
  async run(password) {
    if (!this.worker) await this.start();
    const w = this.worker;
    let done;
    let fail;
    const r = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => resolve({ timedOut: true, ms: this.timeoutMs }), this.timeoutMs);
      done = (m) => {
        clearTimeout(timer);
        resolve(m);
      };
      fail = (e) => {
        clearTimeout(timer);
        reject(e);
      };
      w.on('message', done);
      w.on('error', fail);
      w.postMessage(password);
    }).finally(() => {
      w.off('message', done);
      w.off('error', fail);
    });
    if (r.timedOut) {
      await w.terminate();
      this.worker = null;
    }
    return r;
  }
  async close() {
    await this.worker?.terminate();
    this.worker = null;
  }
}

// `node bench.mjs --serve <json config>` (forked, with IPC): one estimator in a fresh process. It
// builds the corpus, loads the estimator, warms up, says "ready", then times the ranges of the
// non-long corpus the parent asks for. The parent interleaves the estimators range by range, so
// that load from other jobs on the machine falls on all of them alike.
async function serveChild(cfg) {
  const corpus = await makeCorpus(cfg.seed, cfg.size);
  const nonLong = corpus.filter((e) => e.category !== 'long');
  const est = await loadEstimator(cfg.name, cfg.year);
  const withSeq = cfg.name !== 'zxcvbn-ts';
  const w0 = performance.now();
  for (const e of nonLong.slice(0, cfg.warm)) est.estimate(e.password);
  const warmMs = performance.now() - w0;
  process.on('message', (m) => {
    if (m.cmd !== 'run') {
      process.disconnect();
      return;
    }
    const out = [];
    for (let k = m.from; k < m.to; k++) {
      const pw = nonLong[k].password;
      const a = performance.now();
      const r = est.estimate(pw);
      const ms = performance.now() - a;
      out.push({ id: nonLong[k].id, ms, ...compact(r, withSeq) });
    }
    process.send({ out });
  });
  process.send({ ready: true, warmMs, heapMB: process.memoryUsage().heapUsed / 2 ** 20 });
}

// Round-robin with a rotating start, so no estimator always runs right after another.
const rotate = (xs, k) => xs.map((_, i) => xs[(i + k) % xs.length]);

// Long inputs, interleaved across estimators input by input. runners[name].run(password) ->
// {ms, s, l, ...} or {timedOut, ms}. Portcullis gets every long input, the others the first
// `longCap`; an estimator whose long time exceeds the budget starts no more.
async function runLong(names, long, runners, o, env, log) {
  const out = Object.fromEntries(names.map((n) => [n, []]));
  const spent = Object.fromEntries(names.map((n) => [n, 0]));
  const cap = (n) => (n === 'portcullis' ? long.length : Math.min(o.longCap, long.length));
  for (let k = 0; k < long.length; k++) {
    const e = long[k];
    for (const n of rotate(names, k)) {
      if (k >= cap(n)) continue;
      if (spent[n] > o.longBudgetMs) {
        out[n].push({ id: e.id, notRun: true });
        continue;
      }
      const r = await runners[n].run(e.password);
      spent[n] += r.ms;
      out[n].push({ id: e.id, ...r });
      if (r.timedOut) log(`  ${env}, ${LABEL[n]}: long input #${e.id} (${e.kind}, ${e.password.length} chars) stopped after ${r.ms / 1000} s`);
    }
    if (k % 50 === 49) log(`  ${env}: long ${k + 1}/${long.length}`);
  }
  return Object.fromEntries(names.map((n) => [n, { long: out[n], longOf: long.length, longCount: cap(n) }]));
}

// ---------------------------------------------------------------------------------------------
// Statistics and formatting.

function stats(values) {
  const v = Float64Array.from(values).sort();
  const n = v.length;
  if (!n) return null;
  const rank = (p) => v[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))]; // nearest rank
  let total = 0;
  for (const x of v) total += x;
  return { n, median: rank(0.5), p99: rank(0.99), max: v[n - 1], total, mean: total / n };
}

const median = (xs) => stats(xs)?.median ?? null;
const num = (x, d = 0) => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

function fmtMs(ms) {
  if (ms == null || !Number.isFinite(ms)) return '–';
  if (ms < 0.01) return `${num(ms * 1000, 1)} µs`;
  if (ms < 1) return `${num(ms * 1000, 0)} µs`;
  if (ms < 10) return `${num(ms, 2)} ms`;
  if (ms < 1000) return `${num(ms, 1)} ms`;
  return `${num(ms / 1000, 1)} s`;
}
const fmtRatio = (a, b) => (a != null && b != null && b > 0 ? `${num(a / b, a / b < 10 ? 1 : 0)}×` : '–');
const pct = (a, b) => (b ? (100 * a) / b : NaN);
const fmtPct = (x) => (Number.isFinite(x) ? `${num(x, 2)} %` : '–');
const passFail = (ok) => (ok == null ? 'n/a' : ok ? '**pass**' : '**FAIL**');

function table(header, rows, align) {
  const a = align ?? header.map((_, i) => (i ? '---:' : '---'));
  return [
    `| ${header.join(' | ')} |`,
    `| ${a.join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Size and bundles.

function gzip9(file) {
  try {
    return execFileSync('gzip', ['-9', '-c', file], { maxBuffer: 64 << 20 }).length; // the CLI, as the spec
  } catch {
    return gzipSync(readFileSync(file), { level: 9 }).length;
  }
}
const brotli11 = (file) =>
  brotliCompressSync(readFileSync(file), { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11 } }).length;

function sizeOf(files) {
  const parts = files.map((f) => ({ file: f.replace(REPO, '').replace(PKG, ''), raw: statSync(f).size, gzip: gzip9(f), brotli: brotli11(f) }));
  const sum = (k) => parts.reduce((a, p) => a + p[k], 0);
  return { files: parts, raw: sum('raw'), gzip: sum('gzip'), brotli: sum('brotli') };
}

const filesIn = (dir) => readdirSync(dir).filter((f) => !f.startsWith('.')).map((f) => join(dir, f));

function hashOf(paths, extra = '') {
  const h = createHash('sha256').update(extra);
  for (const p of paths) h.update(p).update(existsSync(p) ? readFileSync(p) : 'missing');
  return h.digest('hex');
}

async function webpackBundle(name, entry, outDir, inputs, log, extra = '') {
  const stamp = join(outDir, '.stamp');
  const key = hashOf([entry, ...inputs], name + extra);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === key) return { cached: true };
  rmSync(outDir, { recursive: true, force: true });
  const webpack = (await import('webpack')).default;
  const config = {
    mode: 'production',
    target: 'web',
    context: REPO,
    entry,
    output: { path: outDir, publicPath: 'auto', filename: 'main.js' },
    resolve: { alias: { portcullis$: PKG, 'portcullis/meter$': join(PKG, 'wasm/meter.js') } },
    devtool: false,
    performance: { hints: false },
  };
  const t0 = performance.now();
  const stats = await new Promise((resolve, reject) =>
    webpack(config).run((err, s) => (err ? reject(err) : resolve(s))),
  );
  const info = stats.toJson({ all: false, errors: true, warnings: true });
  if (info.errors.length) throw new Error(`webpack (${name}): ${info.errors.map((e) => e.message).join('\n')}`);
  for (const w of info.warnings) log(`  webpack warning (${name}): ${w.message.split('\n')[0]}`);
  log(`  webpack: ${name} bundled in ${fmtMs(performance.now() - t0)}`);
  writeFileSync(stamp, key);
  return { cached: false };
}

// What the browser downloads for the meter (portcullis/meter's loadMeter()): the loader and the
// two modules it imports, the wasm, the dictionary.
const PORTCULLIS_FILES = ['wasm/meter.js', 'wasm/assets.js', 'wasm/strength-abi.js', 'dist/portcullis-meter.wasm', 'dist/portcullis-dictionary.bin'];
// What the package's main entry downloads for validation alone (load(), no strength meter).
const PORTCULLIS_VALIDATION_FILES = ['wasm/index.js', 'wasm/assets.js', 'wasm/strength-abi.js', 'dist/portcullis-core.mjs', 'dist/portcullis-core.wasm'];

const PKG_VERSION = (p) => JSON.parse(readFileSync(join(REPO, 'node_modules', p, 'package.json'), 'utf8')).version;

async function buildPages(portcullisOk, log) {
  mkdirSync(WWW, { recursive: true });
  for (const f of ['harness.js', 'floor.html', 'floor.js', 'fetch-floor.html', 'zxcvbn.html', 'zxcvbn-ts.html', 'portcullis.html']) {
    cpSync(join(HERE, 'page', f), join(WWW, f));
  }
  mkdirSync(join(WWW, 'zxcvbn'), { recursive: true });
  cpSync(join(REPO, 'node_modules/zxcvbn/dist/zxcvbn.js'), join(WWW, 'zxcvbn/zxcvbn.js'));
  const versions = ['webpack', '@zxcvbn-ts/core', '@zxcvbn-ts/language-common', '@zxcvbn-ts/language-en'].map(PKG_VERSION).join();
  await webpackBundle('zxcvbn-ts', join(HERE, 'page/zxcvbn-ts-entry.js'), join(WWW, 'zxcvbn-ts'), [], log, versions);
  if (portcullisOk) {
    const inputs = [...PORTCULLIS_FILES, 'package.json'].map((f) => join(PKG, f));
    await webpackBundle('portcullis', join(HERE, 'page/portcullis-entry.js'), join(WWW, 'portcullis'), inputs, log, PKG_VERSION('webpack') + PKG);
    // page/fetch-floor.html's script: the bundle's wasm and dictionary (content-hashed names),
    // fetched in parallel as loadMeter() does, and nothing else.
    const files = readdirSync(join(WWW, 'portcullis'));
    const assets = [...files.filter((f) => f.endsWith('.wasm')), ...files.filter((f) => f.endsWith('.bin'))]; // loadMeter()'s order
    if (assets.length !== 2) throw new Error(`the Portcullis bundle has ${assets.length} .wasm/.bin files: ${assets.join(', ')}`);
    writeFileSync(
      join(WWW, 'fetch-floor.js'),
      `// Written by bench.mjs: fetches the Portcullis bundle's files (as loadMeter() does, in parallel) and nothing else.\n` +
        `Promise.all(${JSON.stringify(assets.map((f) => `portcullis/${f}`))}.map((u) => fetch(u).then((r) => r.arrayBuffer()))).then(\n` +
        `  () => self.__benchReady(() => ({ score: 0, guesses_log10: 0 })),\n` +
        `  (e) => self.__benchFail(e),\n);\n`,
    );
  }
}

// Cold starts: the median run (by total), with its own split into load + first estimate, and every
// run; in Chromium also the median from navigation start and the median run's breakdown.
function coldOf(runs) {
  const sorted = [...runs].sort((a, b) => a.total - b.total);
  const m = sorted[Math.ceil(sorted.length / 2) - 1];
  const out = { median: m.total, load: m.load, first: m.first, runs: runs.map((r) => ({ total: r.total, load: r.load, first: r.first, ...(r.fromNavigation != null ? { start: r.start, fromNavigation: r.fromNavigation } : {}) })) };
  if (m.fromNavigation != null) {
    out.fromNavigation = median(runs.map((r) => r.fromNavigation));
    out.breakdown = breakdown(m);
  }
  return out;
}

// One Chromium cold start split into phases (ms from the estimator's script start), from resource
// timing and the page's own marks: [label, ms] pairs, in time order.
function breakdown(c) {
  const rel = (t) => t - c.start;
  const out = [];
  for (const [path, start, end] of c.resources ?? []) {
    if (path.endsWith('harness.js') || path.endsWith('.html')) continue;
    const name = path.split('/').pop();
    out.push([`${name} fetch start`, rel(start)], [`${name} fetched`, rel(end)]);
  }
  const p = c.phases ?? {};
  if (p.entry != null) out.push(['bundle runs (entry)', rel(p.entry)]);
  if (p.wasm != null) out.push(['wasm instantiated', rel(p.wasm)]);
  if (p.strength != null) out.push(['dictionary installed (loadMeter())', rel(p.strength)]);
  out.push(['ready', c.ready], ['first estimate done', c.total]);
  return out.sort((a, b) => a[1] - b[1]).map(([k, v]) => [k, round(v, 2)]);
}

// ---------------------------------------------------------------------------------------------
// Node runs.

function runNode(args, { stdio = ['ignore', 'pipe', 'inherit'] } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), ...args], { stdio });
    let out = '';
    child.stdout?.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`child ${args.join(' ')} exited with ${code}`))));
  });
}

async function nodeCold(name, year) {
  return JSON.parse((await runNode(['--cold', name, String(year)])).trim().split('\n').pop());
}

function forkServe(name, opts) {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', JSON.stringify({ ...opts, name })], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = [];
  let failed = null;
  child.on('message', (m) => pending.shift()?.resolve(m));
  child.on('exit', (code) => {
    failed = new Error(`${name} child exited with ${code}`);
    for (const p of pending.splice(0)) p.reject(failed);
  });
  const next = () =>
    new Promise((resolve, reject) => (failed ? reject(failed) : pending.push({ resolve, reject })));
  return {
    ready: next(),
    run: (from, to) => {
      const p = next();
      child.send({ cmd: 'run', from, to });
      return p;
    },
    close: () => {
      if (!failed) child.send({ cmd: 'exit' });
    },
  };
}

// Warm speed in Node: one fresh process per estimator, interleaved range by range; then the long
// inputs in worker threads, interleaved input by input.
async function nodeWarm(names, corpus, o, year, log) {
  const nonLong = corpus.filter((e) => e.category !== 'long');
  const long = corpus.filter((e) => e.category === 'long');
  const opts = { seed: o.seed, size: o.size, year, warm: o.warm };
  const children = Object.fromEntries(names.map((n) => [n, forkServe(n, opts)]));
  const ready = {};
  for (const n of names) ready[n] = await children[n].ready;
  log(`  loaded and warmed up: ${names.map((n) => `${LABEL[n]} ${fmtMs(ready[n].warmMs)}`).join(', ')}`);
  const out = Object.fromEntries(names.map((n) => [n, { nonLong: [], wallMs: 0, heapMB: ready[n].heapMB }]));
  const CHUNK = 100;
  for (let k = 0, c = 0; k < nonLong.length; k += CHUNK, c++) {
    for (const n of rotate(names, c)) {
      const t0 = performance.now();
      const r = await children[n].run(k, Math.min(nonLong.length, k + CHUNK));
      out[n].wallMs += performance.now() - t0;
      out[n].nonLong.push(...r.out);
    }
    if (c % 20 === 19) log(`  Node: ${k + CHUNK}/${nonLong.length}`);
  }
  for (const n of names) children[n].close();
  if (!o.skipLong) {
    const warm = nonLong.slice(0, 200).map((e) => e.password);
    const runners = Object.fromEntries(names.map((n) => [n, new NodeLongRunner(n, year, warm, o.longTimeoutMs)]));
    const longOut = await runLong(names, long, runners, o, 'Node', log);
    for (const n of names) {
      await runners[n].close();
      Object.assign(out[n], longOut[n]);
    }
  } else for (const n of names) Object.assign(out[n], { long: [], longOf: long.length, longCount: 0 });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Chromium runs.

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

// Static server on 127.0.0.1 with the headers that make the page cross-origin isolated.
async function serveIsolated(root) {
  const server = createServer((req, res) => {
    let path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    if (path.endsWith('/')) path += 'index.html';
    const file = join(root, path);
    if (!file.startsWith(root) || !existsSync(file) || statSync(file).isDirectory()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
      'cross-origin-resource-policy': 'same-origin',
      'cache-control': 'no-store',
    });
    res.end(readFileSync(file));
  });
  server.keepAliveTimeout = 1000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

const withTimeout = (promise, ms, what) =>
  Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`timeout: ${what}`)), ms))]);

async function openPage(browser, url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  // page/harness.js logs SETTLED once it has the cold start (or an error). Waiting for that console
  // event keeps playwright out of the page while it loads: page.waitForFunction would compile
  // playwright's injected script on the page's main thread right after the load event, in the
  // middle of the timed load (see harness.js).
  const settled = page.waitForEvent('console', { predicate: (m) => m.text() === SETTLED, timeout: 120_000 });
  settled.catch(() => {}); // (awaited below; this only keeps a failed goto from leaving it unhandled)
  await page.goto(url);
  await settled;
  const cold = await page.evaluate(() => self.__cold ?? { error: self.__benchError });
  if (cold.error) throw new Error(`${url}: ${cold.error}\n${problems.join('\n')}`);
  return { context, page, cold, problems };
}

async function browserCold(browser, base, name) {
  const { context, cold } = await openPage(browser, `${base}/${name}.html`);
  await context.close();
  return { ...cold, load: cold.ready }; // load = script load -> estimator ready
}

// Warm speed in Chromium: one fresh context (page) per estimator, all open in one browser,
// interleaved chunk by chunk; then the long inputs, input by input, with the timeout (a page stuck
// in an estimate has its context closed, or, failing that, the browser is restarted).
async function browserWarm(launch, base, names, corpus, o, log) {
  const nonLong = corpus.filter((e) => e.category !== 'long');
  const long = corpus.filter((e) => e.category === 'long');
  let browser = await launch();
  const sessions = {};
  const out = Object.fromEntries(names.map((n) => [n, { nonLong: [], wallMs: 0, problems: [] }]));
  const open = async (n, warmN) => {
    const s = await openPage(browser, `${base}/${n}.html`);
    const warm = nonLong.slice(0, warmN).map((e) => e.password);
    for (let k = 0; k < warm.length; k += 500) await s.page.evaluate((list) => self.__benchWarm(list), warm.slice(k, k + 500));
    out[n].isolated = s.cold.isolated && (out[n].isolated ?? true);
    sessions[n] = s;
  };
  const drop = async (n) => {
    const s = sessions[n];
    delete sessions[n];
    out[n].problems.push(...s.problems);
    try {
      await withTimeout(s.context.close(), 10_000, 'context.close');
    } catch {
      // A renderer that does not let go: restart the browser (the other pages reopen on demand).
      for (const m of Object.keys(sessions)) delete sessions[m];
      await browser.close().catch(() => {});
      browser = await launch();
    }
  };
  for (const n of names) await open(n, o.warm);
  const CHUNK = 100;
  for (let k = 0, c = 0; k < nonLong.length; k += CHUNK, c++) {
    const chunk = nonLong.slice(k, k + CHUNK);
    const list = chunk.map((e) => e.password);
    for (const n of rotate(names, c)) {
      const t0 = performance.now();
      const r = await sessions[n].page.evaluate((l) => self.__benchRun(l), list);
      out[n].wallMs += performance.now() - t0;
      chunk.forEach((e, i) => out[n].nonLong.push({ id: e.id, ms: r.t[i], s: r.s[i], l: r.l[i] }));
    }
    if (c % 20 === 19) log(`  Chromium: ${k + CHUNK}/${nonLong.length}`);
  }
  if (!o.skipLong) {
    const runners = Object.fromEntries(
      names.map((n) => [
        n,
        {
          run: async (password) => {
            if (!sessions[n]) await open(n, 200);
            try {
              const r = await withTimeout(sessions[n].page.evaluate((pw) => self.__benchRun([pw]), password), o.longTimeoutMs, 'estimate');
              return { ms: r.t[0], s: r.s[0], l: r.l[0] };
            } catch (err) {
              if (!String(err.message).startsWith('timeout')) throw err;
              await drop(n);
              return { timedOut: true, ms: o.longTimeoutMs };
            }
          },
        },
      ]),
    );
    const longOut = await runLong(names, long, runners, o, 'Chromium', log);
    for (const n of names) Object.assign(out[n], longOut[n]);
  } else for (const n of names) Object.assign(out[n], { long: [], longOf: long.length, longCount: 0 });
  for (const n of Object.keys(sessions)) out[n].problems.push(...sessions[n].problems);
  await browser.close();
  return out;
}

// ---------------------------------------------------------------------------------------------
// Summaries.

// Per-estimate statistics of one run ({nonLong, long}) overall and per category.
function summarise(run, byId) {
  const ok = (xs) => xs.filter((x) => !x.notRun && x.ms != null);
  const nl = ok(run.nonLong);
  const lg = ok(run.long ?? []);
  const perCat = {};
  for (const x of [...nl, ...lg]) (perCat[byId[x.id].category] ??= []).push(x.ms);
  return {
    nonLong: stats(nl.map((x) => x.ms)),
    long: lg.length ? { ...stats(lg.map((x) => x.ms)), timedOut: lg.filter((x) => x.timedOut).length, notRun: (run.long ?? []).filter((x) => x.notRun).length, of: run.longOf } : null,
    all: stats([...nl, ...lg].map((x) => x.ms)),
    // The target's population: every input the password policy accepts (up to POLICY_MAX units).
    accepted: stats([...nl, ...lg].filter((x) => byId[x.id].password.length <= POLICY_MAX).map((x) => x.ms)),
    categories: Object.fromEntries(Object.entries(perCat).map(([c, xs]) => [c, stats(xs)])),
    slowest: [...nl, ...lg]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 5)
      .map((x) => ({ id: x.id, ms: x.ms, category: byId[x.id].category, kind: byId[x.id].kind, length: byId[x.id].password.length, ...(x.timedOut ? { timedOut: true } : {}) })),
  };
}

function causeOf(p, z) {
  const sig = (q) => q.map((m) => `${m.p}[${m.i}..${m.j}]`).join(' ');
  if (sig(p.q) === sig(z.q)) {
    const k = p.q.findIndex((m, i) => Math.abs(m.l - z.q[i].l) > 1e-9);
    if (k < 0) return 'same cover and match guesses, total differs';
    const rank = p.q[k].r !== undefined && p.q[k].r !== z.q[k].r ? ' (rank differs)' : '';
    return `same cover, ${p.q[k].p} guesses differ${rank}`;
  }
  const key = (m) => `${m.p}[${m.i}..${m.j}]`;
  const zKeys = new Set(z.q.map(key));
  const pKeys = new Set(p.q.map(key));
  const only = (q, other) => [...new Set(q.filter((m) => !other.has(key(m))).map((m) => m.p))].sort().join(' + ') || '–';
  return `${p.tr ? 'truncated; ' : ''}cover differs: zxcvbn has ${only(z.q, pKeys)}; Portcullis has ${only(p.q, zKeys)}`;
}

// pattern:detail[i..j] "token" log10-guesses (rank N)
const showMatch = (m) => `${m.p}[${m.i}..${m.j}] ${JSON.stringify(m.t)} ${m.l}${m.r !== undefined ? ` (rank ${m.r})` : ''}`;

function agreement(pRun, zRun, byId) {
  const p = new Map([...pRun.nonLong, ...pRun.long].filter((x) => x.s != null).map((x) => [x.id, x]));
  const rows = [...zRun.nonLong, ...zRun.long].filter((x) => x.s != null && p.has(x.id));
  const cats = {};
  const causes = {};
  const causesAll = {};
  const differences = [];
  let same = 0;
  let within = 0;
  let exact = 0;
  for (const z of rows) {
    const q = p.get(z.id);
    const e = byId[z.id];
    const c = (cats[e.category] ??= { n: 0, same: 0, within: 0, exact: 0, beyond: 0 });
    const d = Math.abs(q.l - z.l);
    const isSame = q.s === z.s;
    const isWithin = d <= 0.05;
    const isExact = d <= 1e-9 * Math.max(1, Math.abs(z.l));
    c.n++;
    if (isSame) (same++, c.same++);
    if (isWithin) (within++, c.within++);
    if (isExact) (exact++, c.exact++);
    if (!isSame || !isExact) {
      const cause = causeOf(q, z);
      causesAll[cause] = (causesAll[cause] ?? 0) + 1;
      if (!isSame || !isWithin) {
        causes[cause] = (causes[cause] ?? 0) + 1;
        c.beyond++;
      }
      differences.push({
        id: e.id,
        category: e.category,
        kind: e.kind,
        password: e.password,
        score: { portcullis: q.s, zxcvbn: z.s },
        guesses_log10: { portcullis: q.l, zxcvbn: z.l, delta: q.l - z.l },
        score_differs: !isSame,
        beyond_0_05: !isWithin,
        cause,
        sequence: { portcullis: q.q.map(showMatch), zxcvbn: z.q.map(showMatch) },
        ...(q.tr ? { truncated: true } : {}),
      });
    }
  }
  return { n: rows.length, same, within, exact, categories: cats, causes, causesAll, differences };
}

// ---------------------------------------------------------------------------------------------
// The report (markdown, printed and written into bench/README.md).

function report(R) {
  const P = R.available.portcullis;
  const L = [];
  const names = ESTIMATORS.filter((n) => R.available[n]);
  const cmd = `npm run bench:strength${R.argv.length ? ' -- ' + R.argv.join(' ') : ''}`;
  L.push('## Password strength', '');
  L.push(
    `Written by \`${cmd}\` (= \`node bench/strength/bench.mjs${R.argv.length ? ' ' + R.argv.join(' ') : ''}\`) on ${R.date.slice(0, 10)}, ` +
      `in ${num(R.durationS / 60, 1)} min. What is measured and how: [strength/README.md](strength/README.md).`,
    '',
  );
  L.push(
    `Machine: ${R.env.cpus}× ${R.env.cpu}, ${R.env.os}; Node ${R.env.node}` +
      (R.env.chromium ? `; Chromium ${R.env.chromium} (headless, playwright-core ${R.env.playwright})` : '') +
      `; load average ${R.env.loadStart} at start, ${R.env.loadEnd} at the end.`,
    '',
  );
  L.push(
    `Corpus: ${num(R.corpus.size)} passwords generated with seed ${R.corpus.seed} by \`bench/strength/corpus.mjs\`, ` +
      `${num(R.corpus.counts.long)} of them long (100-200 chars, ${R.corpus.n128} of exactly ${POLICY_MAX}). ` +
      `Estimators: Portcullis ${R.versions.portcullis} (wasm, npm package${R.package ? ` at ${R.package}` : ''}), zxcvbn ${R.versions.zxcvbn}, ` +
      `@zxcvbn-ts/core ${R.versions['zxcvbn-ts']} + language-common ${R.versions.common} + language-en ${R.versions.en}. ` +
      `Reference year ${R.year}.`,
    '',
  );
  if (!P) L.push(`**Portcullis skipped: ${R.unavailable}.**`, '');
  if (R.notes.length) L.push(...R.notes.map((n) => `- ${n}`), '');

  // Targets
  L.push('### Targets', '');
  L.push(table(['target', 'measured', ''], R.targets.map((t) => [t.what, t.measured, passFail(t.ok)]), ['---', '---', '---']), '');

  // Agreement
  if (R.agreement) {
    const A = R.agreement;
    L.push('### Agreement with zxcvbn 4.4.2 (Node)', '');
    L.push(
      `${num(A.n)} passwords compared (every non-long one, and the long ones zxcvbn was timed on): ` +
        `same score ${fmtPct(pct(A.same, A.n))}, |Δ log10 guesses| ≤ 0.05 ${fmtPct(pct(A.within, A.n))}, ` +
        `identical guesses ${fmtPct(pct(A.exact, A.n))}. Every difference is in ` +
        `\`bench/strength/results/differences.json\` (${num(A.differences.length)} entries).`,
      '',
    );
    const cats = Object.keys(CATEGORIES).filter((c) => A.categories[c]);
    L.push(
      table(
        ['category', 'n', 'same score', '≤ 0.05 log10', 'identical guesses', 'score differs', 'beyond tolerance'],
        cats.map((c) => {
          const x = A.categories[c];
          return [c, num(x.n), fmtPct(pct(x.same, x.n)), fmtPct(pct(x.within, x.n)), fmtPct(pct(x.exact, x.n)), num(x.n - x.same), num(x.beyond)];
        }),
      ),
      '',
    );
    const causes = Object.entries(A.causesAll).sort((a, b) => (A.causes[b[0]] ?? 0) - (A.causes[a[0]] ?? 0) || b[1] - a[1]);
    if (causes.length) {
      L.push(
        'Differences by cause (derived from the two match sequences; "beyond tolerance" = score differs or |Δ log10| > 0.05):',
        '',
      );
      L.push(table(['cause', 'beyond tolerance', 'all differences'], causes.slice(0, 20).map(([c, n]) => [c, num(A.causes[c] ?? 0), num(n)])), '');
      if (causes.length > 20) L.push(`(${causes.length - 20} more causes in differences.json)`, '');
    }
  }

  // Size
  L.push('### Download size (what the browser fetches for the meter)', '');
  const sizeRows = [];
  const ref = R.size.portcullis?.gzip;
  for (const [key, label] of [
    ['portcullis', 'Portcullis meter (portcullis/meter): wasm/meter.js + assets.js + strength-abi.js + dist/portcullis-meter.wasm + portcullis-dictionary.bin'],
    ['portcullisValidation', 'Portcullis, validation only (main entry, load()): wasm/index.js + assets.js + strength-abi.js + dist/portcullis-core.mjs + .wasm'],
    ['portcullisBundle', 'Portcullis: webpack 5 bundle of a one-line entry (js + wasm + dictionary)'],
    ['zxcvbn', 'zxcvbn 4.4.2: dist/zxcvbn.js'],
    ['zxcvbn-ts', 'zxcvbn-ts: webpack 5 bundle of core + language-common + language-en'],
  ]) {
    const s = R.size[key];
    if (!s) continue;
    sizeRows.push([label, num(s.raw), `**${num(s.gzip)}**`, num(s.brotli), ref ? fmtRatio(s.gzip, ref) : '–']);
  }
  L.push(table(['what', 'raw B', 'gzip -9 B', 'brotli q11 B', '× Portcullis (gzip)'], sizeRows), '');

  // Speed
  const speed = (env, cold, sums) => {
    const rows = [];
    for (const n of names) {
      const s = sums[n];
      if (!s) continue;
      const c = cold[n];
      const lg = s.long;
      rows.push([
        LABEL[n],
        c ? `${fmtMs(c.median)} (${fmtMs(c.load)} + ${fmtMs(c.first)})` : '–',
        fmtMs(s.nonLong.median),
        fmtMs(s.nonLong.p99),
        fmtMs(s.nonLong.max),
        `${fmtMs(s.nonLong.total)} (${num(s.nonLong.n)})`,
        lg ? `${fmtMs(lg.median)} / ${fmtMs(lg.p99)} / ${lg.timedOut ? '> ' : ''}${fmtMs(lg.max)}` : 'skipped',
        lg ? `${lg.timedOut ? '> ' : ''}${fmtMs(lg.total)} (${lg.n} of ${lg.of}${lg.timedOut ? `, ${lg.timedOut} stopped at ${fmtMs(R.options.longTimeoutMs)}` : ''})` : '–',
      ]);
    }
    if (P && sums.portcullis) {
      for (const o of ['zxcvbn-ts', 'zxcvbn']) {
        if (!sums[o]) continue;
        const a = sums[o];
        const b = sums.portcullis;
        rows.push([
          `*${LABEL[o]} / Portcullis*`,
          fmtRatio(cold[o]?.median, cold.portcullis?.median),
          fmtRatio(a.nonLong.median, b.nonLong.median),
          fmtRatio(a.nonLong.p99, b.nonLong.p99),
          fmtRatio(a.nonLong.max, b.nonLong.max),
          fmtRatio(a.nonLong.total / a.nonLong.n, b.nonLong.total / b.nonLong.n),
          a.long && b.long ? fmtRatio(a.long.median, b.long.median) : '–',
          a.long && b.long ? `${fmtRatio(a.long.total / a.long.n, b.long.total / b.long.n)} (per input)` : '–',
        ]);
      }
    }
    L.push(`### Speed, ${env}`, '');
    L.push(
      table(
        ['estimator', 'cold start (load + 1st)', 'median', 'p99', 'max', 'total (n)', 'long: median / p99 / max', 'long: total (n)'],
        rows,
      ),
      '',
    );
  };
  speed('Node', R.node.cold, R.node.summary);
  if (R.chromium) {
    speed('Chromium', R.chromium.cold, R.chromium.summary);
    const cc = R.chromium.cold;
    L.push(
      `Chromium cold start = the estimator's script is inserted, once the page has loaded (see strength/README.md), to the first estimate's result. ` +
        `Measured from navigation start instead (page and harness load and the wait for the load event included): ` +
        `${names.map((n) => `${LABEL[n]} ${fmtMs(cc[n]?.fromNavigation)}`).join(', ')}. ` +
        (R.chromium.floor ? `The harness's floor, an empty script's cold start by the same procedure: ${fmtMs(R.chromium.floor.median)} (every figure includes it).` : '') +
        (R.chromium.fetchFloor
          ? ` A script that only fetches the Portcullis bundle's .wasm and .bin, in parallel as loadMeter() does, and does nothing with them (page/fetch-floor.html): ${fmtMs(R.chromium.fetchFloor.median)}; ` +
            `Portcullis's figure includes that, so its own work (compile, instantiate, install the dictionary, first estimate) is the rest.`
          : ''),
      '',
    );
    if (P && cc.portcullis?.breakdown) {
      L.push(`Portcullis's median Chromium cold start, phase by phase (ms after its script was inserted): ${cc.portcullis.breakdown.map(([k, v]) => `${k} ${num(v, 1)}`).join('; ')}.`, '');
    }
    L.push(
      `Chromium page cross-origin isolated: ${names.map((n) => `${LABEL[n]} ${R.chromium.isolated[n] ? 'yes' : 'NO'}`).join(', ')}. ` +
        `Scores in Chromium equal the Node scores for ${names.map((n) => `${LABEL[n]} ${R.chromium.sameAsNode[n]}`).join(', ')}.`,
      '',
    );
  } else {
    L.push('### Speed, Chromium', '', R.options.skipBrowser ? 'Skipped (`--skip-browser`).' : 'Failed (see the notes above).', '');
  }

  if (P) {
    const slow = (sums) => {
      const x = sums?.portcullis?.slowest?.[0];
      return x ? `${fmtMs(x.ms)} (${x.category}, ${x.kind}, ${x.length} chars)` : '–';
    };
    L.push(`Slowest Portcullis estimate: Node ${slow(R.node.summary)}; Chromium ${slow(R.chromium?.summary)}. The five slowest per estimator and environment are in latest.json.`, '');
  }

  // Per category
  L.push('### Per category, Node (median / p99 per estimate)', '');
  const catRows = Object.keys(CATEGORIES)
    .filter((c) => R.corpus.counts[c])
    .map((c) => [
      `${c} (${num(R.corpus.counts[c])})`,
      ...names.map((n) => {
        const s = R.node.summary[n]?.categories[c];
        return s ? `${fmtMs(s.median)} / ${fmtMs(s.p99)}${c === 'long' && s.n < R.corpus.counts[c] ? ` (n=${s.n})` : ''}` : '–';
      }),
    ]);
  L.push(table(['category (n)', ...names.map((n) => LABEL[n])], catRows), '');
  return L.join('\n');
}

function writeReadme(section) {
  const file = join(REPO, 'bench/README.md');
  const begin = '<!-- strength:begin -->';
  const end = '<!-- strength:end -->';
  let text = existsSync(file)
    ? readFileSync(file, 'utf8')
    : '# Benchmarks\n\nEach benchmark rewrites its own section of this file, between its markers.\n\n';
  const block = `${begin}\n${section}\n${end}`;
  const a = text.indexOf(begin);
  const b = text.indexOf(end);
  text = a >= 0 && b > a ? text.slice(0, a) + block + text.slice(b + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, text);
}

// ---------------------------------------------------------------------------------------------
// Main.

function parseArgs(argv) {
  const has = (f) => argv.includes(f);
  const val = (f, def) => {
    const i = argv.indexOf(f);
    return i >= 0 ? Number(argv[i + 1]) : def;
  };
  const quick = has('--quick');
  return {
    quick,
    skipBrowser: has('--skip-browser'),
    coldOnly: has('--cold-only'),
    only: argv.includes('--only') ? argv[argv.indexOf('--only') + 1].split(',') : null,
    skipLong: has('--skip-long'),
    skipNode: has('--skip-node'),
    noReadme: has('--no-readme') || (quick && !has('--readme')),
    seed: val('--seed', 1),
    size: val('--size', quick ? 1000 : 10000),
    coldRuns: val('--cold-runs', quick ? 3 : 5),
    warm: val('--warm', quick ? 200 : 2000),
    longCap: val('--long-cap', quick ? 10 : 30),
    longTimeoutMs: 1000 * val('--long-timeout', quick ? 10 : 15),
    longBudgetMs: 1000 * val('--long-budget', quick ? 20 : 60),
  };
}

// `--cold-only`: the cold starts alone, Node and Chromium, every run with Portcullis's breakdown in
// Chromium; printed, bench/README.md left alone. For working on the cold start.
async function coldOnly(names, o, year, log) {
  const node = Object.fromEntries(names.map((n) => [n, []]));
  if (!o.skipNode) for (let k = 0; k < o.coldRuns; k++) for (const n of names) node[n].push(await nodeCold(n, year));
  const { chromium: pw } = await import('playwright-core');
  const server = await serveIsolated(WWW);
  const browser = await pw.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const b = Object.fromEntries(names.map((n) => [n, []]));
  // The harness's floor: page/floor.html's estimator does nothing but call __benchReady, so its
  // "cold start" is what loading any script costs in this harness (fetch, parse, run), measured in
  // the same rounds as the estimators.
  const floor = [];
  const fetchFloor = []; // page/fetch-floor.html: Portcullis's files fetched, nothing else
  try {
    await browserCold(browser, server.url, 'zxcvbn'); // untimed: the browser's own first page
    for (let k = 0; k < o.coldRuns; k++) {
      floor.push(await browserCold(browser, server.url, 'floor'));
      if (b.portcullis) fetchFloor.push(await browserCold(browser, server.url, 'fetch-floor'));
      for (const n of names) b[n].push(await browserCold(browser, server.url, n));
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const rows = names.map((n) => {
    const c = coldOf(b[n]);
    const d = node[n].length ? coldOf(node[n]) : null;
    return [LABEL[n], d ? `${fmtMs(d.median)} (${fmtMs(d.load)} + ${fmtMs(d.first)})` : '–', `${fmtMs(c.median)} (${fmtMs(c.load)} + ${fmtMs(c.first)})`, fmtMs(c.fromNavigation),
      b[n].map((r) => num(r.total, 1)).join(' ')];
  });
  const f = coldOf(floor);
  rows.push(['(harness floor: an empty script)', '–', fmtMs(f.median), fmtMs(f.fromNavigation), floor.map((r) => num(r.total, 1)).join(' ')]);
  if (fetchFloor.length) {
    const ff = coldOf(fetchFloor);
    rows.push(["(fetch floor: Portcullis's .wasm and .bin fetched, nothing else)", '–', fmtMs(ff.median), fmtMs(ff.fromNavigation), fetchFloor.map((r) => num(r.total, 1)).join(' ')]);
  }
  console.log(table(['estimator', 'Node cold (load + 1st)', 'Chromium cold (ready + 1st)', 'from navigation', 'Chromium runs (ms)'], rows));
  if (b.portcullis) {
    console.log('\nPortcullis in Chromium, ms after its script was inserted, per run:');
    for (const r of b.portcullis) console.log('  ' + breakdown(r).map(([k, v]) => `${k} ${num(v, 1)}`).join('; '));
  }
  log(`load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
}

async function main() {
  const started = performance.now();
  const argv = process.argv.slice(2);
  const o = parseArgs(argv);
  const log = (s) => console.error(`[${num((performance.now() - started) / 1000, 0).padStart(4)} s] ${s}`);
  const year = new Date().getFullYear(); // what zxcvbn uses; passed to Portcullis
  mkdirSync(RESULTS, { recursive: true });
  mkdirSync(CACHE, { recursive: true });
  const notes = [];
  const loadStart = os.loadavg().map((x) => x.toFixed(2)).join(' ');

  log(`corpus: ${o.size} passwords, seed ${o.seed}`);
  const corpus = await makeCorpus(o.seed, o.size);
  const byId = Object.fromEntries(corpus.map((e) => [e.id, e]));
  const counts = countByCategory(corpus);

  // Is Portcullis's estimator there yet? (a fresh process, which is also the first cold start)
  const probe = await nodeCold('portcullis', year);
  const available = { portcullis: !probe.error, zxcvbn: true, 'zxcvbn-ts': true };
  const unavailable = probe.error ?? null;
  if (unavailable) log(`Portcullis skipped: ${unavailable}`);
  const names = ESTIMATORS.filter((n) => available[n] && (!o.only || o.only.includes(n)));

  // Bundles and sizes.
  log('bundling (webpack 5, production)');
  await buildPages(available.portcullis, log);
  if (o.coldOnly) {
    await coldOnly(names, o, year, log);
    return;
  }
  const size = {
    zxcvbn: sizeOf([join(REPO, 'node_modules/zxcvbn/dist/zxcvbn.js')]),
    'zxcvbn-ts': sizeOf(filesIn(join(WWW, 'zxcvbn-ts'))),
    portcullis: sizeOf(PORTCULLIS_FILES.map((f) => join(PKG, f))),
    portcullisValidation: sizeOf(PORTCULLIS_VALIDATION_FILES.map((f) => join(PKG, f))),
    portcullisBundle: available.portcullis ? sizeOf(filesIn(join(WWW, 'portcullis'))) : null,
  };

  // Node: cold starts (fresh processes, round robin), then one warm process per estimator.
  log(`Node cold starts (${o.coldRuns} fresh processes each)`);
  const coldRuns = Object.fromEntries(names.map((n) => [n, []]));
  for (let k = 0; k < o.coldRuns; k++) for (const n of names) coldRuns[n].push(await nodeCold(n, year));
  const nodeColdSum = Object.fromEntries(names.map((n) => [n, coldOf(coldRuns[n])]));

  log(`Node warm: ${names.map((n) => LABEL[n]).join(', ')}, interleaved`);
  const nodeRuns = await nodeWarm(names, corpus, o, year, log);
  for (const n of names) log(`  ${LABEL[n]}: ${num(nodeRuns[n].nonLong.length)} timed in ${fmtMs(nodeRuns[n].wallMs)}, long ${nodeRuns[n].longCount} of ${nodeRuns[n].longOf}`);
  const nodeSummary = Object.fromEntries(names.map((n) => [n, summarise(nodeRuns[n], byId)]));

  // Agreement.
  let agree = null;
  if (!available.portcullis) {
    writeFileSync(join(RESULTS, 'differences.json'), JSON.stringify({ date: new Date().toISOString(), skipped: unavailable }, null, 1));
  } else {
    agree = agreement(nodeRuns.portcullis, nodeRuns.zxcvbn, byId);
    writeFileSync(
      join(RESULTS, 'differences.json'),
      JSON.stringify({ date: new Date().toISOString(), referenceYear: year, seed: o.seed, size: o.size, count: agree.differences.length, differences: agree.differences }, null, 1),
    );
  }

  // Chromium.
  let chromium = null;
  if (!o.skipBrowser) {
    const { chromium: pw } = await import('playwright-core');
    const launch = () => pw.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
    const server = await serveIsolated(WWW);
    try {
      log(`Chromium cold starts (${o.coldRuns} fresh contexts each)`);
      const browser = await launch();
      const version = browser.version();
      const bCold = Object.fromEntries(names.map((n) => [n, []]));
      const floor = []; // the harness's floor (page/floor.html), in the same rounds (as --cold-only)
      const fetchFloor = []; // page/fetch-floor.html: Portcullis's files fetched, nothing else
      await browserCold(browser, server.url, 'zxcvbn'); // untimed: the browser's own first page
      for (let k = 0; k < o.coldRuns; k++) {
        floor.push(await browserCold(browser, server.url, 'floor'));
        if (bCold.portcullis) fetchFloor.push(await browserCold(browser, server.url, 'fetch-floor'));
        for (const n of names) bCold[n].push(await browserCold(browser, server.url, n));
      }
      await browser.close();
      log(`Chromium warm: ${names.map((n) => LABEL[n]).join(', ')}, interleaved`);
      const runs = await browserWarm(launch, server.url, names, corpus, o, log);
      for (const n of names) log(`  ${LABEL[n]}: ${num(runs[n].nonLong.length)} timed in ${fmtMs(runs[n].wallMs)}`);
      const sameAsNode = {};
      const mismatches = {};
      for (const n of names) {
        const node = new Map([...nodeRuns[n].nonLong, ...nodeRuns[n].long].filter((x) => x.s != null).map((x) => [x.id, x.s]));
        const b = [...runs[n].nonLong, ...runs[n].long].filter((x) => x.s != null && node.has(x.id));
        sameAsNode[n] = `${num(b.filter((x) => x.s === node.get(x.id)).length)}/${num(b.length)}`;
        mismatches[n] = b
          .filter((x) => x.s !== node.get(x.id))
          .map((x) => ({ id: x.id, category: byId[x.id].category, password: byId[x.id].password, node: node.get(x.id), chromium: x.s }));
        if (mismatches[n].length) log(`  ${LABEL[n]}: ${mismatches[n].length} scores differ between Node and Chromium: ${JSON.stringify(mismatches[n].slice(0, 3))}`);
      }
      chromium = {
        version,
        cold: Object.fromEntries(names.map((n) => [n, coldOf(bCold[n])])),
        floor: coldOf(floor),
        fetchFloor: fetchFloor.length ? coldOf(fetchFloor) : null,
        summary: Object.fromEntries(names.map((n) => [n, summarise(runs[n], byId)])),
        isolated: Object.fromEntries(names.map((n) => [n, runs[n].isolated && bCold[n].every((c) => c.isolated)])),
        sameAsNode,
        mismatches,
        problems: Object.fromEntries(names.map((n) => [n, runs[n].problems])),
      };
    } catch (e) {
      // Keep the Node results: report the failure instead of losing the run.
      log(`Chromium run failed: ${e.stack ?? e}`);
      notes.push(`The Chromium run failed: ${String(e.message ?? e).split('\n')[0]}`);
      chromium = null;
    } finally {
      await server.close();
    }
  }

  // Notes on what was capped.
  const capped = (env, sums) =>
    names.forEach((n) => {
      const l = sums[n]?.long;
      if (l && l.n + l.notRun < l.of) {
        notes.push(`${env}, ${LABEL[n]}: the long category was timed on the first ${l.n + l.notRun} of ${l.of} long inputs (corpus order), to keep the run short` +
          (l.timedOut ? `; ${l.timedOut} of them hit the ${o.longTimeoutMs / 1000} s timeout (counted as ${o.longTimeoutMs / 1000} s, so its max, p99 and total are lower bounds)` : '') +
          (l.notRun ? `; ${l.notRun} not started after the ${o.longBudgetMs / 1000} s budget` : '') + '.');
      }
    });
  if (o.skipLong) notes.push('Long inputs skipped (`--skip-long`).');
  else {
    capped('Node', nodeSummary);
    if (chromium) capped('Chromium', chromium.summary);
  }
  notes.push(`Warm figures: every password timed once, after an untimed pass over the first ${num(o.warm)} non-long passwords; "total" is the sum of the per-estimate times. Cold starts are medians of ${o.coldRuns} fresh Node processes / fresh browser contexts.`);

  // Targets.
  const P = available.portcullis;
  const T = [];
  const A = agree;
  T.push({ what: `same score as zxcvbn 4.4.2 ≥ ${TARGETS.sameScore} %`, measured: A ? fmtPct(pct(A.same, A.n)) : '–', ok: A ? pct(A.same, A.n) >= TARGETS.sameScore : null });
  T.push({ what: `\\|Δ log10 guesses\\| ≤ 0.05 on ≥ ${TARGETS.within005} %`, measured: A ? fmtPct(pct(A.within, A.n)) : '–', ok: A ? pct(A.within, A.n) >= TARGETS.within005 : null });
  T.push({ what: `download ≤ ${num(TARGETS.gzipBytes)} B gzip -9`, measured: `${num(size.portcullis.gzip)} B`, ok: P ? size.portcullis.gzip <= TARGETS.gzipBytes : null });
  const speedTargets = (env, sums) => {
    for (const [o2, k] of [['zxcvbn-ts', TARGETS.vsZxcvbnTs], ['zxcvbn', TARGETS.vsZxcvbn]]) {
      const r = P ? sums[o2].nonLong.median / sums.portcullis.nonLong.median : null;
      T.push({ what: `${env}: ≥ ${k}× faster than ${LABEL[o2]} (median)`, measured: r ? `${num(r, 1)}×` : '–', ok: r ? r >= k : null });
    }
    const max = P ? sums.portcullis.accepted.max : null;
    const longest = P ? sums.portcullis.all.max : null;
    T.push({
      what: `${env}: no input up to ${POLICY_MAX} chars (the policy's maximum) over ${TARGETS.maxMs} ms`,
      measured: P ? `max ${fmtMs(max)}${sums.portcullis.long ? `; longer inputs (up to 200): max ${fmtMs(longest)}` : ' (long skipped)'}` : '–',
      ok: P ? max <= TARGETS.maxMs : null,
    });
  };
  speedTargets('Node', nodeSummary);
  if (chromium) {
    speedTargets('Chromium', chromium.summary);
    const c = P ? chromium.cold.portcullis.median : null;
    T.push({ what: `Chromium cold start < ${TARGETS.coldChromiumMs} ms`, measured: P ? fmtMs(c) : '–', ok: P ? c < TARGETS.coldChromiumMs : null });
  }

  const pkg = JSON.parse(readFileSync(join(PKG, 'package.json'), 'utf8'));
  const R = {
    date: new Date().toISOString(),
    argv,
    options: o,
    durationS: (performance.now() - started) / 1000,
    year,
    env: {
      node: process.version,
      cpu: os.cpus()[0]?.model ?? '?',
      cpus: os.cpus().length,
      os: `${os.type()} ${os.release()}`,
      chromium: chromium?.version ?? null,
      playwright: PKG_VERSION('playwright-core'),
      loadStart,
      loadEnd: os.loadavg().map((x) => x.toFixed(2)).join(' '),
    },
    versions: {
      portcullis: pkg.version,
      zxcvbn: PKG_VERSION('zxcvbn'),
      'zxcvbn-ts': PKG_VERSION('@zxcvbn-ts/core'),
      common: PKG_VERSION('@zxcvbn-ts/language-common'),
      en: PKG_VERSION('@zxcvbn-ts/language-en'),
      webpack: PKG_VERSION('webpack'),
    },
    package: PKG === resolve(REPO) ? null : PKG,
    available,
    unavailable,
    corpus: { seed: o.seed, size: o.size, counts, n128: corpus.filter((e) => e.category === 'long' && e.password.length === POLICY_MAX).length },
    size,
    node: { cold: nodeColdSum, coldRuns, summary: nodeSummary, heapMB: Object.fromEntries(names.map((n) => [n, median(coldRuns[n].map((r) => r.heapMB))])) },
    chromium,
    agreement: A ? { n: A.n, same: A.same, within: A.within, exact: A.exact, categories: A.categories, causes: A.causes, causesAll: A.causesAll, differences: A.differences.length } : null,
    targets: T,
    notes,
  };
  R.durationS = (performance.now() - started) / 1000;
  const md = report({ ...R, agreement: A });
  writeFileSync(join(RESULTS, 'latest.json'), JSON.stringify(R, null, 1));
  console.log(md);
  if (!o.noReadme) {
    writeReadme(md);
    log('bench/README.md updated');
  } else log('bench/README.md left alone (--quick without --readme, or --no-readme)');
  log(`results: bench/strength/results/latest.json${A ? ', differences.json' : ''}`);
}

if (!isMainThread) {
  if (workerData?.role === 'long') await longWorker();
} else if (process.argv[2] === '--cold') {
  await coldChild(process.argv[3], Number(process.argv[4]));
} else if (process.argv[2] === '--serve') {
  await serveChild(JSON.parse(process.argv[3]));
} else {
  await main();
}
