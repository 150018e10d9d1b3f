// The meter-only entry (portcullis/meter: wasm/meter.js, dist/portcullis-meter.wasm) against the
// full package's Core.estimateStrength: the very same result objects (keys, values, key order) for
// every strength vector and for inputs the vectors do not hold, the same handling of bad input,
// and a clear refusal of a dictionary file that is not the one the wasm was built with.
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { loadStrength } from '../../wasm/index.js';
import { loadMeter } from '../../wasm/meter.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const core = await loadStrength();
const meter = await loadMeter();

// deepStrictEqual ignores the order of keys; the meter must keep it too (JSON, display).
function keyOrder(value) {
  if (Array.isArray(value)) return value.map(keyOrder);
  if (value === null || typeof value !== 'object') return null;
  return Object.entries(value).map(([k, v]) => [k, keyOrder(v)]);
}

function same(args, where) {
  const want = core.estimateStrength(...args);
  const got = meter.estimateStrength(...args);
  assert.deepStrictEqual(got, want, where);
  assert.deepStrictEqual(keyOrder(got), keyOrder(want), `${where}: key order`);
  return got;
}

test('every strength vector gives the full module\'s result', () => {
  const doc = JSON.parse(readFileSync(new URL('../vectors/strength.json', import.meta.url), 'utf8'));
  assert.ok(doc.cases.length > 400);
  for (const c of doc.cases) {
    const input = 'input_hex' in c.args ? Buffer.from(c.args.input_hex, 'hex') : c.args.input;
    same([input, c.args.userInputs ?? [], { referenceYear: c.args.referenceYear }], c.note);
  }
});

test('inputs beyond the vectors: empty, long, non-ASCII, user inputs, reference years', () => {
  const cases = [
    [''],
    ['x'.repeat(10_000)],
    ['correct horse battery staple '.repeat(400), [], { referenceYear: 2026 }],
    ['Pässwörd😀1987', ['pässwörd', 'Zoë'], { referenceYear: 1990 }],
    ['密码password123', ['密码'], { referenceYear: 2026 }],
    ['\uFEFFpassword\uFEFF'], // a token that starts with a byte order mark keeps it
    ['p@ssw0rd\0x', ['a\0b', 'x'], { referenceYear: 2026 }], // NUL inside the password and a user input
    ['alice.smith1987', ['alice@example.com', 'Alice Smith'], { referenceYear: 2026 }],
    ['12/05/2020', [], { referenceYear: 2020.7 }],
    ['19871987', [], { referenceYear: 1e9 }],
    ['19871987', [], { referenceYear: 1e9 + 1 }],
    ['19871987', [], { referenceYear: -5 }],
    ['19871987', [], { referenceYear: Number.NaN }],
    ['19871987', [], { referenceYear: '2026' }],
    ['19871987', [], {}], // the current year, from the host's clock
    ['4pple$auce', [], { referenceYear: 2026 }], // l33t: the sub object
    ['qwertyuiop', [], { referenceYear: 2026 }],
    ['zyxwvu', [], { referenceYear: 2026 }],
    ['abcabcabc', [], { referenceYear: 2026 }],
  ];
  for (const args of cases) same(args, JSON.stringify(args).slice(0, 80));
  assert.equal(meter.estimateStrength('x'.repeat(10_000)).truncated, true);
  assert.deepEqual(meter.estimateStrength('4pple$auce', [], { referenceYear: 2026 }).sequence[0].sub, { 4: 'a', $: 's' });
});

test('bad input is handled as the full module handles it', () => {
  const cases = [
    [42],
    [null],
    [undefined],
    [{ toString: () => 'password' }],
    ['password\uD800'], // a lone surrogate: estimated as ''
    ['\uDC00abc'],
    [Uint8Array.from([0x70, 0xff, 0x61, 0xc3, 0x73, 0x73])], // malformed UTF-8 bytes
    ['password', 'not an array'],
    ['password', [42, null, 'word\uD800', 'pass']],
    ['password', null, null],
    ['password', [], 5],
    ['password', [], { referenceYear: true }],
  ];
  for (const args of cases) same(args, String(args[0]));
  assert.deepStrictEqual(meter.estimateStrength(42), meter.estimateStrength(''));
});

test('the meter module has no glue: three stub imports only', () => {
  const module = new WebAssembly.Module(readFileSync(join(repo, 'dist/portcullis-meter.wasm')));
  assert.deepEqual(WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}`).sort(), [
    'env.emscripten_notify_memory_growth',
    'wasi_snapshot_preview1.clock_time_get',
    'wasi_snapshot_preview1.proc_exit',
  ]);
});

// A copy of the package's loader and wasm, with a dictionary file of our choosing.
const copy = mkdtempSync(join(tmpdir(), 'portcullis-meter-'));
after(() => rmSync(copy, { recursive: true, force: true }));

test('a wrong dictionary file is refused with a clear error, and a later call tries again', async () => {
  cpSync(join(repo, 'wasm'), join(copy, 'wasm'), { recursive: true });
  mkdirSync(join(copy, 'dist'));
  copyFileSync(join(repo, 'dist/portcullis-meter.wasm'), join(copy, 'dist/portcullis-meter.wasm'));
  const blob = readFileSync(join(repo, 'dist/portcullis-dictionary.bin'));
  const { loadMeter: loadCopy } = await import(pathToFileURL(join(copy, 'wasm/meter.js')).href);
  const refused = /portcullis: dist\/portcullis-dictionary\.bin does not match dist\/portcullis-meter\.wasm/;

  writeFileSync(join(copy, 'dist/portcullis-dictionary.bin'), blob.subarray(0, blob.length - 1)); // truncated
  await assert.rejects(loadCopy(), refused);
  const changed = Buffer.from(blob);
  changed[changed.length >> 1] ^= 1; // the right size, another content
  writeFileSync(join(copy, 'dist/portcullis-dictionary.bin'), changed);
  await assert.rejects(loadCopy(), refused);
  rmSync(join(copy, 'dist/portcullis-dictionary.bin'));
  await assert.rejects(loadCopy(), /ENOENT/);

  writeFileSync(join(copy, 'dist/portcullis-dictionary.bin'), blob);
  assert.equal((await loadCopy()).estimateStrength('password').score, 0);
});
