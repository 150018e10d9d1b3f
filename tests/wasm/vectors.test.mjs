// Runs tests/vectors/*.json against the WebAssembly build, through the npm package's public API.
// tests/unit/vectors_test.cc runs the same files against the native build; both compare every
// field of each case's "expect", so native and wasm agree on every vector.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';

import { loadStrength } from '../../wasm/index.js';

const dir = new URL('../vectors/', import.meta.url);
const core = await loadStrength();

// The case's text input: "input" as a string, or "input_hex" as UTF-8 bytes JSON cannot hold.
const inputOf = (args) => ('input_hex' in args ? Buffer.from(args.input_hex, 'hex') : args.input);

const project = (r) => (r.ok ? { ok: true, value: r.value } : { ok: false, code: r.code });

const run = {
  validateEmail: (a) => project(core.validateEmail(inputOf(a), a.options)),
  validateName: (a) => project(core.validateName(inputOf(a), a.policy)),
  validateUsername: (a) => project(core.validateUsername(inputOf(a), a.policy)),
  checkPassword: (a) => core.checkPassword(inputOf(a), a.policy),
  checkPasswordForSignIn: (a) => core.checkPasswordForSignIn(inputOf(a), a.policy),
  utf16Length: (a) => ({ value: core.utf16Length(inputOf(a)) }),
  signCookie: (a) => ({ value: core.signCookie(a.value, a.secret) }),
  verifyCookie: (a) => project(core.verifyCookie(a.cookie, a.secret)),
  errorMessage: (a) => ({ value: core.errorMessage(a.code) }),
  estimateStrength: (a) => {
    const r = core.estimateStrength(inputOf(a), a.userInputs ?? [], { referenceYear: a.referenceYear });
    return {
      score: r.score,
      guesses_log10: r.guesses_log10,
      sequence: r.sequence.map(({ pattern, i, j, token }) => ({ pattern, i, j, token })),
      warning_key: r.feedback.warning_key,
      suggestion_keys: r.feedback.suggestion_keys,
    };
  },
};

const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
test('there are vector files', () => assert.ok(files.length >= 6));

for (const file of files) {
  const doc = JSON.parse(readFileSync(new URL(file, dir), 'utf8'));
  test(`vectors: ${file}`, () => {
    assert.ok(doc.cases.length > 0);
    for (const c of doc.cases) {
      const fn = c.function ?? doc.function;
      assert.ok(run[fn], `unknown vector function ${fn}`);
      const got = run[fn](c.args);
      for (const [key, want] of Object.entries(c.expect)) {
        const where = `${file}: ${fn}: ${c.note}: field ${key}`;
        assert.deepEqual(got[key] ?? null, want, where); // guesses_log10 too: Math.log to the bit
      }
    }
  });
}
