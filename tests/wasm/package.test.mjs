// The npm package as users get it: `npm pack`, installed into an empty project, used from Node
// ESM, and bundled with webpack 5 and with Rspack (what Docusaurus 3 uses) for a real browser.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { launchChromium, serveStatic } from '../support/browser.mjs';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const project = mkdtempSync(join(tmpdir(), 'portcullis-consumer-'));
let tarball;

before(() => {
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', project], { cwd: repo }),
  );
  tarball = join(project, packed[0].filename);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module' }));
  // --prefer-offline, not --offline: the package's dependency (qrcode-generator) is resolved from
  // npm's cache when its metadata is there, which `npm ci` of this repository does not put there
  // (it fetches tarballs by the lockfile's URLs), so a fresh machine asks the registry once.
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: project });
});

test('the tarball holds the loaders, their types, the two wasm modules and the dictionaries, and nothing else', () => {
  const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
  // web/ (client, React components, Docusaurus plugin) has tests of its own.
  assert.deepEqual(files.filter((f) => !f.startsWith('package/web/')).sort(), [
    'package/README.md',
    'package/dist/portcullis-core.mjs',
    'package/dist/portcullis-core.wasm',
    'package/dist/portcullis-dictionary.bin',
    'package/dist/portcullis-meter.wasm',
    'package/package.json',
    'package/wasm/assets.js',
    'package/wasm/index.d.ts',
    'package/wasm/index.js',
    'package/wasm/meter.d.ts',
    'package/wasm/meter.js',
    'package/wasm/strength-abi.js',
  ]);
});

test('an empty Node project installs the tarball and uses it from ESM', () => {
  writeFileSync(
    join(project, 'use.mjs'),
    `import { validateEmail, checkPassword, load, estimateStrength } from 'portcullis';
     import { loadMeter } from 'portcullis/meter';
     const out = {
       email: await validateEmail('Ann@Example.com'),
       bad: await validateEmail('not an email'),
       short: await checkPassword('1234567'),
       good: await checkPassword('correct horse battery staple'),
       token: (await load()).generateToken().length,
       strength: (await estimateStrength('password')).score,
       meter: (await loadMeter()).estimateStrength('correcthorsebatterystaple').score,
     };
     console.log(JSON.stringify(out));`,
  );
  const out = JSON.parse(execFileSync('node', ['use.mjs'], { cwd: project, encoding: 'utf8' }));
  assert.deepEqual(out, {
    email: { ok: true, value: 'ann@example.com' },
    bad: { ok: false, code: 'INVALID_EMAIL', message: 'Invalid email' },
    short: { ok: false, code: 'PASSWORD_TOO_SHORT', message: 'Password too short' },
    good: { ok: true },
    token: 32,
    strength: 0,
    meter: 4,
  });
});

const ENTRY = `import { load, loadStrength } from 'portcullis';
// The meter: the dictionaries are fetched only when it is first needed.
window.__strength = async () => {
  const core = await loadStrength();
  return [core.estimateStrength('password').score, core.estimateStrength('correcthorsebatterystaple').score];
};
load().then(
  (core) => {
    window.__result = {
      email: core.validateEmail('Ann@Example.com'),
      short: core.checkPassword('1234567'),
      emoji: core.checkPassword('\\u{1F600}\\u{1F600}\\u{1F600}\\u{1F600}'),
      lone: core.checkPassword('password\\uD800').code,
      token: /^[A-Za-z0-9]{32}$/.test(core.generateToken()),
    };
  },
  (error) => { window.__result = { error: String(error) }; },
);`;

const EXPECTED = {
  email: { ok: true, value: 'ann@example.com' },
  short: { ok: false, code: 'PASSWORD_TOO_SHORT', message: 'Password too short' },
  emoji: { ok: true },
  lone: 'INVALID_UTF8',
  token: true,
};

async function bundle(name, compiler, outDir) {
  mkdirSync(join(project, 'src'), { recursive: true });
  writeFileSync(join(project, 'src', 'main.js'), ENTRY);
  const config = {
    mode: 'production',
    target: 'web',
    context: project,
    entry: './src/main.js',
    output: { path: outDir, publicPath: 'auto', clean: true },
    devtool: false,
  };
  const stats = await new Promise((resolve, reject) =>
    compiler(config).run((err, s) => (err ? reject(err) : resolve(s))),
  );
  const info = stats.toJson({ all: false, errors: true, warnings: true });
  assert.deepEqual(info.errors, [], `${name} errors`);
  assert.deepEqual(info.warnings, [], `${name} warnings`);
  writeFileSync(join(outDir, 'index.html'), '<!doctype html><link rel="icon" href="data:,"><script src="main.js"></script>');
  return readdirSync(outDir);
}

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

for (const [name, load] of [
  ['webpack 5', async () => (await import('webpack')).default],
  ['Rspack', async () => (await import('@rspack/core')).rspack],
]) {
  test(`bundled with ${name}, the package runs in Chromium and loads the wasm once`, async () => {
    const outDir = join(project, `out-${name.replace(/\W/g, '')}`);
    const files = await bundle(name, await load(), outDir);
    assert.ok(files.some((f) => f.endsWith('.wasm')), `${name} emits the wasm: ${files}`);
    assert.ok(files.some((f) => f.endsWith('.bin')), `${name} emits the dictionaries: ${files}`);
    const server = await serveStatic(outDir);
    const page = await browser.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    try {
      await page.goto(`${server.url}/`);
      await page.waitForFunction(() => window.__result !== undefined);
      assert.deepEqual(await page.evaluate(() => window.__result), EXPECTED);
      assert.deepEqual(problems, []);
      assert.equal(server.requests.filter((r) => r.endsWith('.wasm')).length, 1);
      assert.equal(server.requests.filter((r) => r.endsWith('.bin')).length, 0, 'no dictionary for validation');
      assert.deepEqual(await page.evaluate(() => window.__strength()), [0, 4]);
      assert.deepEqual(await page.evaluate(() => window.__strength()), [0, 4]);
      assert.equal(server.requests.filter((r) => r.endsWith('.bin')).length, 1, 'the dictionary, once');
      assert.equal(server.requests.filter((r) => r.endsWith('.wasm')).length, 1);
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
      await server.close();
    }
  });
}
