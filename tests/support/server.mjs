// Starts the real `portcullis` binary for a test: a fresh SQLite file in a temporary folder, a
// free port on 127.0.0.1, and the given configuration. Nothing is mocked.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = process.env.PORTCULLIS_BIN ?? join(repo, 'build/release/native-server/portcullis');
export const SECRET = 'test-secret-0123456789-0123456789-abcdef';

/**
 * Starts a server. `config` holds config-file keys (see `portcullis --help`); rate limits are off
 * unless the test turns them on. Everything else is the binary's default, including the password
 * strength rule (minPasswordScore 2): tests sign up with passwords that pass it.
 * Resolves to {url, api, dir, db, outbox, logs, stop()}.
 */
export async function startServer(config = {}, { env = {} } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-test-'));
  // config.database: another database (a postgres:// URL); by default a fresh SQLite file.
  const { database, ...rest } = config;
  const db = database ?? join(dir, 'auth.db');
  const outbox = join(dir, 'outbox');
  const args = ['serve', '--port', '0', '--database', db, '--mail-outbox-dir', outbox];
  // Idle keep-alive connections (fetch keeps them) hold a thread until this timeout (SIGTERM does
  // not wait for them): one second keeps a suite's servers from piling up idle threads.
  const settings = { rateLimit: false, keepAliveTimeout: 1, ...rest };
  for (const [key, value] of Object.entries(settings)) {
    const flag = key.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
    args.push(`--${flag}`, Array.isArray(value) ? value.join(',') : String(value));
  }
  const child = spawn(BIN, args, {
    env: { ...process.env, BETTER_AUTH_SECRET: SECRET, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs = [];
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const lines = createInterface({ input: child.stdout });
  const ready = await new Promise((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`portcullis exited with ${code}: ${stderr}`)));
    lines.on('line', (line) => {
      logs.push(line);
      const msg = JSON.parse(line);
      if (msg.msg === 'listening') resolve(msg);
    });
  });
  const url = new URL(ready.url).origin;
  return {
    url,
    api: `${url}/api/auth`,
    dir,
    db,
    outbox,
    logs,
    child,
    get stderr() {
      return stderr;
    },
    /** Stops the server with SIGTERM and waits for it; resolves to its exit code. */
    async stop({ keep = false } = {}) {
      child.removeAllListeners('exit'); // the start-up listener, which would throw
      const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      const code = await exited;
      if (!keep) rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}

/** Starts a server with `config` (and startServer's options), runs `fn(server)`, stops it. */
export async function withServer(config, fn, options) {
  const s = await startServer(config, options);
  try {
    return await fn(s);
  } finally {
    await s.stop();
  }
}

/** Runs SQL against a database file with Debian's sqlite3 and returns the rows as objects. */
export function sql(db, statement) {
  const out = execFileSync('sqlite3', ['-json', db, statement], { encoding: 'utf8' });
  return out.trim() ? JSON.parse(out) : [];
}

/** A text dump of every table: equal dumps mean nothing changed. */
export function dump(db) {
  return execFileSync('sqlite3', [db, '.dump'], { encoding: 'utf8' });
}

/** The mails in the outbox folder, oldest first. */
export function outboxMails(outbox) {
  let files = [];
  try {
    files = readdirSync(outbox).filter((f) => f.endsWith('.json')).sort();
  } catch {
    return [];
  }
  return files.map((f) => JSON.parse(readFileSync(join(outbox, f), 'utf8')));
}

/** The mails in server `s`'s outbox to `to` (of `kind`, when given), oldest first. */
export const mailsTo = (s, to, kind) => outboxMails(s.outbox).filter((m) => m.to === to && (kind === undefined || m.kind === kind));

/** Runs `action` and waits for the one new mail of `kind` it makes server `s` send to `to`; returns {mail, result}. */
export async function expectMail(s, to, kind, action) {
  const before = mailsTo(s, to, kind).length;
  const result = await action();
  const mail = await waitFor(() => mailsTo(s, to, kind)[before], { what: `a ${kind} mail to ${to}` });
  return { mail, result };
}

/** Applies Set-Cookie lines to a jar (a Map of name -> value) as a browser would, deletions included. */
export function applySetCookies(jar, setCookies) {
  for (const sc of setCookies) {
    const [pair, ...attrs] = sc.split(';');
    const i = pair.indexOf('=');
    const name = pair.slice(0, i).trim();
    const value = pair.slice(i + 1);
    if (value === '' || /max-age=0/i.test(attrs.join(';'))) jar.delete(name);
    else jar.set(name, value);
  }
}

/** The Cookie header a jar (a Map of name -> value) sends. */
export const cookieHeader = (jar) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');

/**
 * A fetch that behaves as a browser page on `origin`: it keeps cookies (its `jar`) and sends
 * Origin. For the web client's tests, which give it to createClient or BetterAuth's client.
 */
export function browserFetch(origin) {
  const jar = new Map();
  const f = async (url, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set('origin', origin);
    if (jar.size) headers.set('cookie', cookieHeader(jar));
    const response = await fetch(url, { ...init, headers });
    applySetCookies(jar, response.headers.getSetCookie());
    return response;
  };
  f.jar = jar;
  return f;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * A minimal cookie jar over fetch, as a browser would keep cookies for one site: sends them back,
 * applies Set-Cookie (including deletions).
 */
export class Browser {
  constructor(base, { origin } = {}) {
    this.base = base;
    this.origin = origin ?? new URL(base).origin;
    this.jar = new Map();
  }
  cookieHeader() {
    return cookieHeader(this.jar);
  }
  absorb(response) {
    applySetCookies(this.jar, response.headers.getSetCookie());
  }
  /** POSTs JSON (or GETs when body is undefined and method is GET). Resolves to {status, body, headers}. */
  async request(path, { method, body, headers = {} } = {}) {
    const h = { origin: this.origin, ...headers };
    if (this.jar.size) h.cookie = this.cookieHeader();
    const m = method ?? (body === undefined ? 'GET' : 'POST');
    if (body !== undefined) h['content-type'] ??= 'application/json';
    const response = await fetch(`${this.base}${path}`, {
      method: m,
      headers: h,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      redirect: 'manual',
    });
    this.absorb(response);
    const text = await response.text();
    let parsed = text;
    try {
      parsed = text === '' ? '' : JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: response.status, body: parsed, headers: response.headers };
  }
  post(path, body = {}, headers) {
    return this.request(path, { method: 'POST', body, headers });
  }
  get(path, headers) {
    return this.request(path, { method: 'GET', headers });
  }
}

// ---- Helpers of the endpoint, mail-flow and cookie suites ----------------------------------------

// (Import declarations are hoisted, so they may stand here at the end.)
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer as createNetServer } from 'node:net';

/**
 * Sends one request with node:http(s), on a fresh connection and with exactly the given headers
 * (fetch adds its own, such as `sec-fetch-mode: cors`, and drops some). `tls` goes to
 * https.request (e.g. {ca, servername}); `localAddress` picks the client's address (127.0.0.x).
 * Resolves to {status, headers (a Headers, so getSetCookie() works), text, body (parsed JSON, or
 * the text)}.
 */
export function rawRequest(url, { method = 'GET', headers = {}, body, tls = {}, localAddress } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const h = { ...headers };
    if (payload !== undefined) h['content-length'] = String(payload.length);
    const https = new URL(url).protocol === 'https:';
    const options = { method, headers: h, agent: false, localAddress, ...(https ? tls : {}) };
    const req = (https ? httpsRequest : httpRequest)(url, options, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const headersOut = new Headers();
        for (let i = 0; i < res.rawHeaders.length; i += 2) headersOut.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed = text;
        try {
          parsed = text === '' ? '' : JSON.parse(text);
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode, headers: headersOut, text, body: parsed });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/**
 * Calls `probe` every `interval` ms until it returns a truthy value, and resolves to that value;
 * rejects after `timeout` ms. For waiting on something observable (a mail file, the clock passing
 * a limit), never as a fixed sleep.
 */
export async function waitFor(probe, { timeout = 5000, interval = 20, what = 'the condition' } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
