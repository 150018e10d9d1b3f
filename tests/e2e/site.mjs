// The example Docusaurus site for the end-to-end tests: installed (once) and built against a given
// auth server, then served as static files, as a host would serve them.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));
export const SITE_DIR = join(repo, 'web/example-docusaurus');

export { freePort } from '../support/server.mjs';

/**
 * Installs the site's packages if they are missing. `npm install`, not `npm ci`: a Docusaurus 3.10
 * lock file names optional macOS-only packages (@swc/html-darwin-*) that `npm ci` fails on here.
 */
export function installSite() {
  if (existsSync(join(SITE_DIR, 'node_modules/@docusaurus/core'))) return;
  execFileSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: SITE_DIR, stdio: 'inherit' });
}

/**
 * Builds the site into a fresh folder with the given server URL; resolves to {dir, seconds}.
 * EXAMPLE_BUNDLER=webpack builds with webpack instead of Rspack. `env`: more of the site's build
 * variables (e.g. EXAMPLE_EMAIL_OTP_VERIFICATION, see its docusaurus.config.js).
 */
export function buildSite(serverURL, { bundler = process.env.EXAMPLE_BUNDLER, env = {} } = {}) {
  const out = mkdtempSync(join(tmpdir(), 'portcullis-site-'));
  const started = Date.now();
  const r = spawnSync('nice', ['-n', '10', 'npx', 'docusaurus', 'build', '--out-dir', out], {
    cwd: SITE_DIR,
    env: { ...process.env, PORTCULLIS_SERVER_URL: serverURL, EXAMPLE_BUNDLER: bundler ?? '', ...env },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`docusaurus build failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return { dir: out, seconds: (Date.now() - started) / 1000 };
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.bin': 'application/octet-stream',
};

/** Serves a built site on `port` (127.0.0.1), with /x → /x/index.html and 404.html. Resolves to {close()}. */
export async function serveSite(root, port) {
  const server = createServer(async (req, res) => {
    let path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    const candidates = path.endsWith('/') ? [`${path}index.html`] : [path, `${path}/index.html`, `${path}.html`];
    for (const candidate of candidates) {
      const file = join(root, candidate);
      if (!file.startsWith(root)) break;
      try {
        if (!(await stat(file)).isFile()) continue;
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
        res.end(await readFile(file));
        return;
      } catch {
        /* next candidate */
      }
    }
    res.writeHead(404, { 'content-type': TYPES['.html'] });
    res.end(await readFile(join(root, '404.html')).catch(() => 'not found'));
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { close: () => new Promise((resolve) => server.close(resolve)) };
}
