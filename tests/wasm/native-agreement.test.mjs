// The browser and the server always agree: the meter's wasm (portcullis/meter) and the native
// estimator the server links (through tests/tools/strength_json.cc, built by the release preset)
// give the very same result, field for field, on passwords neither the shared vectors nor the
// unit tests hold: the strength benchmark's corpus (another seed than the benchmark's), random
// strings over several alphabets up to 300 code units, and the strength fuzz target's corpus
// (bytes, malformed UTF-8 included).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { makeCorpus, mulberry32 } from '../../bench/strength/corpus.mjs';
import { loadMeter } from '../../wasm/meter.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const native = process.env.PORTCULLIS_STRENGTH_JSON ?? join(repo, 'build/release/tests/strength_json');
const referenceYear = 2026;
const user = ['ann.lee@example.com', 'Ann Lee'];

// Random strings: each character from one of these, by code point (no lone surrogates).
const ALPHABETS = [
  [0x30, 0x39], [0x61, 0x7a], [0x41, 0x5a], [0x20, 0x7e], [0x20, 0x7e], [0xa0, 0x17f], [0x391, 0x3c9],
  [0x410, 0x44f], [0x3040, 0x30ff], [0x4e00, 0x4e80], [0x1f300, 0x1f64f], [0x300, 0x36f], [0xff01, 0xff5e],
];
function randomPasswords(seed, count) {
  const rand = mulberry32(seed);
  const pick = (n) => Math.floor(rand() * n);
  const out = [];
  for (let k = 0; k < count; ++k) {
    const length = rand() < 0.9 ? pick(40) : 40 + pick(260);
    const alphabets = Array.from({ length: 1 + pick(3) }, () => ALPHABETS[pick(ALPHABETS.length)]);
    let s = '';
    while (s.length < length) {
      const [lo, hi] = alphabets[pick(alphabets.length)];
      s += String.fromCodePoint(lo + pick(hi - lo + 1));
    }
    out.push(s);
  }
  return out;
}

// The inputs: [password (string or UTF-8 bytes), userInputs].
async function inputs() {
  const list = [];
  const corpus = await makeCorpus(7, 3000);
  corpus.forEach((e, k) => list.push([e.password, k % 4 === 0 ? user : []]));
  randomPasswords(11, 1500).forEach((p, k) => list.push([p, k % 5 === 0 ? user : []]));
  // As the fuzz target reads its files: the password, then after a NUL byte one user input.
  const dir = join(repo, 'tests/fuzz/corpus/strength_fuzz');
  for (const name of readdirSync(dir).sort()) {
    const bytes = readFileSync(join(dir, name));
    const nul = bytes.indexOf(0);
    if (nul < 0) list.push([new Uint8Array(bytes), []]);
    else list.push([new Uint8Array(bytes.subarray(0, nul)), [bytes.subarray(nul + 1).toString('utf8')]]);
  }
  return list;
}

// strength_json writes non-finite numbers as strings.
const revive = (key, value) =>
  value === 'Infinity' ? Infinity : value === '-Infinity' ? -Infinity : value === 'NaN' ? NaN : value;

// The native result in the wasm result's shape: each match keeps only the keys the wasm one has.
function project(nativeResult, wasmResult) {
  return {
    ...nativeResult,
    sequence: nativeResult.sequence.map((m, k) => {
      const w = wasmResult.sequence[k];
      return w ? Object.fromEntries(Object.keys(w).map((key) => [key, m[key]])) : m;
    }),
  };
}

test('the wasm meter and the native estimator give the same results', async () => {
  assert.ok(existsSync(native), `${native} is missing: build the release preset (cmake --build --preset release) first`);
  const meter = await loadMeter();
  const list = await inputs();
  assert.ok(list.length > 4000);
  const lines = list.map(([password, userInputs]) =>
    JSON.stringify(typeof password === 'string'
      ? { password, userInputs, referenceYear }
      : { password_hex: Buffer.from(password).toString('hex'), userInputs, referenceYear }));
  const run = spawnSync(native, { input: lines.join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 30 });
  assert.equal(run.status, 0, run.stderr);
  const results = run.stdout.trimEnd().split('\n').map((l) => JSON.parse(l, revive));
  assert.equal(results.length, list.length);

  const differences = [];
  const notJs = [];
  list.forEach(([password, userInputs], k) => {
    const wasm = meter.estimateStrength(password, userInputs, { referenceYear });
    const want = project(results[k], wasm);
    const shown = JSON.stringify(typeof password === 'string' ? password : Buffer.from(password).toString('hex'));
    try {
      assert.deepStrictEqual(wasm, want);
    } catch (e) {
      differences.push(`${shown}: ${e.message.slice(0, 600)}`);
    }
    // zxcvbn's log10 is Math.log(n) / Math.log(10), to the last bit.
    for (const m of [wasm, ...wasm.sequence]) {
      if (m.guesses_log10 !== Math.log(m.guesses) / Math.log(10)) notJs.push(`${shown}: log10(${m.guesses}) = ${m.guesses_log10}`);
    }
  });
  assert.deepEqual(differences.slice(0, 3), [], `${differences.length} of ${list.length} differ`);
  assert.deepEqual(notJs.slice(0, 3), [], `${notJs.length} guesses_log10 differ from Math.log(guesses) / Math.log(10)`);
});
