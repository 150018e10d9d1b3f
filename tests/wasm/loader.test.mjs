// The npm package's loader: lazy, SSR-safe, and a thin typed wrapper over the wasm core.
import assert from 'node:assert/strict';
import { test } from 'node:test';

test('importing touches neither window nor fetch, and loads nothing', async () => {
  const touched = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = () => {
    touched.push('fetch');
    throw new Error('fetch during import');
  };
  Object.defineProperty(globalThis, 'window', {
    configurable: true,
    get() {
      touched.push('window');
      return undefined;
    },
  });
  try {
    const mod = await import(`../../wasm/index.js?ssr=${Date.now()}`);
    assert.equal(typeof mod.load, 'function');
    assert.deepEqual(touched, []);
  } finally {
    globalThis.fetch = realFetch;
    delete globalThis.window;
  }
});

test('load() instantiates once and returns the same core', async () => {
  const { load, Core } = await import('../../wasm/index.js');
  const p1 = load();
  const p2 = load();
  assert.equal(p1, p2);
  const core = await p1;
  assert.ok(core instanceof Core);
  assert.equal(await load(), core);
});

test('the async helpers load the core on first use', async () => {
  const { validateEmail, validateName, checkPassword } = await import('../../wasm/index.js');
  assert.deepEqual(await validateEmail('Bob@Example.org'), { ok: true, value: 'bob@example.org' });
  assert.deepEqual(await validateName('  Bob '), { ok: true, value: 'Bob' });
  assert.deepEqual(await checkPassword('short'), {
    ok: false,
    code: 'PASSWORD_TOO_SHORT',
    message: 'Password too short',
  });
});

test('non-string input gets a VALIDATION_ERROR, not an exception', async () => {
  const { load } = await import('../../wasm/index.js');
  const core = await load();
  for (const bad of [undefined, null, 42, {}, ['a@b.co']]) {
    assert.equal(core.validateEmail(bad).code, 'VALIDATION_ERROR');
    assert.equal(core.checkPassword(bad).code, 'VALIDATION_ERROR');
    assert.equal(core.validateName(bad).code, 'VALIDATION_ERROR');
  }
  assert.throws(() => core.generateToken(-1), RangeError);
});

test('a lone surrogate (invalid UTF-16) is reported as INVALID_UTF8', async () => {
  const { load } = await import('../../wasm/index.js');
  const core = await load();
  assert.equal(core.checkPassword('password\uD800x').code, 'INVALID_UTF8');
  assert.equal(core.validateEmail('a\uDC00@example.com').code, 'INVALID_UTF8');
});

test('policy defaults come from the C++ core and options override them', async () => {
  const { load } = await import('../../wasm/index.js');
  const core = await load();
  assert.deepEqual(core.passwordPolicyDefaults(), { minLength: 8, maxLength: 128, maxBytes: 1024, minScore: 2 });
  assert.equal(core.checkPassword('abcd', { minLength: 4 }).ok, true);
  assert.equal(core.checkPassword('abcd', { minLength: 'four' }).code, 'PASSWORD_TOO_SHORT');
});

test('generateToken draws from crypto.getRandomValues', async () => {
  const { load } = await import('../../wasm/index.js');
  const core = await load();
  const tokens = new Set(Array.from({ length: 200 }, () => core.generateToken()));
  assert.equal(tokens.size, 200);
  for (const t of tokens) assert.match(t, /^[A-Za-z0-9]{32}$/);
  assert.equal(core.generateToken(24).length, 24);
});

test('lone surrogates are caught without String.prototype.isWellFormed (older browsers)', async () => {
  const { load } = await import('../../wasm/index.js');
  const core = await load();
  const saved = String.prototype.isWellFormed;
  delete String.prototype.isWellFormed;
  try {
    assert.equal(core.checkPassword('password\uD800x').code, 'INVALID_UTF8');
    assert.equal(core.checkPassword('x\uDC00password').code, 'INVALID_UTF8');
    assert.equal(core.checkPassword('passw\uD83D\uDE00rd').ok, true);
  } finally {
    String.prototype.isWellFormed = saved; // eslint-disable-line no-extend-native
  }
});

test('the strength dictionaries load on demand, once, and only then does estimateStrength work', async () => {
  const mod = await import(`../../wasm/index.js?strength=${Date.now()}`);
  const core = await mod.load();
  assert.equal(core.strengthLoaded, false);
  assert.throws(() => core.estimateStrength('password'), /loadStrength\(\) first/);
  // validation works without them
  assert.equal(core.checkPassword('correct horse').ok, true);
  const p1 = mod.loadStrength();
  assert.equal(mod.loadStrength(), p1);
  assert.equal(await p1, core);
  assert.equal(core.strengthLoaded, true);
  const r = core.estimateStrength('password');
  assert.equal(r.score, 0);
  assert.equal(r.sequence[0].matched_word, 'password');
  assert.equal((await mod.estimateStrength('Tr0ub4dour&3')).score, 2);
});

test('the async estimateStrength helper loads the core and the dictionaries', async () => {
  const mod = await import(`../../wasm/index.js?helper=${Date.now()}`);
  const r = await mod.estimateStrength('correcthorsebatterystaple');
  assert.equal(r.score, 4);
  assert.equal((await mod.load()).strengthLoaded, true);
});

test('a dictionary blob that is not the one the wasm was built with is refused', async () => {
  const { readFile } = await import('node:fs/promises');
  const createCore = (await import('../../dist/portcullis-core.mjs')).default;
  const m = await createCore({
    wasmBinary: await readFile(new URL('../../dist/portcullis-core.wasm', import.meta.url)),
    getRandomValue: () => 4,
  });
  const blob = await readFile(new URL('../../dist/portcullis-dictionary.bin', import.meta.url));
  // The C ABI of wasm/meter_abi.cc, which the glue exports as _name.
  assert.equal(m._portcullis_dictionary_buffer(blob.length - 1), 0, 'a truncated blob gets no buffer');
  assert.equal(m._portcullis_load_dictionary(), 0);
  const tampered = Uint8Array.from(blob);
  tampered[tampered.length >> 1] ^= 1;
  m.HEAPU8.set(tampered, m._portcullis_dictionary_buffer(tampered.length));
  assert.equal(m._portcullis_load_dictionary(), 0, 'a modified blob is refused');
  assert.equal(m._portcullis_has_dictionary(), 0);
  assert.equal(m._portcullis_load_dictionary(), 0, 'the refused buffer is gone');
  m.HEAPU8.set(blob, m._portcullis_dictionary_buffer(blob.length));
  assert.equal(m._portcullis_load_dictionary(), 1);
  assert.equal(m._portcullis_has_dictionary(), 1);
});

test('load() rejects when the wasm cannot be compiled, and the next call tries again', async () => {
  // A fresh copy of the loader (its own pending promise); the wasm is compiled beside the glue's import.
  const { load, Core } = await import(`../../wasm/index.js?compile-failure=${Date.now()}`);
  const compile = WebAssembly.compile;
  WebAssembly.compile = () => Promise.reject(new Error('compile failed (test)'));
  try {
    await assert.rejects(load(), /compile failed \(test\)/);
  } finally {
    WebAssembly.compile = compile;
  }
  const core = await load();
  assert.ok(core instanceof Core);
  assert.deepEqual(core.validateEmail('a@b.co'), { ok: true, value: 'a@b.co' });
});
