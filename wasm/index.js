// portcullis: the server's own validation rules, compiled from its C++ core to WebAssembly.
//
// Importing this module does nothing but define functions: it never touches `window`, never
// fetches, never instantiates. The wasm loads on the first call of load() (or of one of the async
// helpers below), so importing it during server-side rendering (Docusaurus, Next.js) is safe.
//
// Two downloads: load() fetches the wasm (validation, cookies, tokens; ~70 KB gzipped with this
// file, the modules it imports and the glue); loadStrength() also fetches the strength meter's
// dictionaries (dist/portcullis-dictionary.bin, ~235 KB), once, and only when it is first called. A page that
// needs the strength meter alone imports `portcullis/meter` (meter.js) instead: a smaller wasm
// without glue, the same results.

import { compileWasm, fetchBytes, once } from './assets.js';
import { bindStrength, isText, wellFormed } from './strength-abi.js';

// libsodium (inside the wasm) asks the host for randomness through Module.getRandomValue.
const getRandomValue = () => globalThis.crypto.getRandomValues(new Uint32Array(1))[0];

// The wasm's fetch and compilation start at once, in parallel with the glue's import (and with
// loadStrength()'s dictionary fetch), rather than after the glue has loaded and run: one round
// trip fewer before the core is ready.
async function instantiate() {
  const [{ default: createPortcullisCore }, module] = await Promise.all([
    import('../dist/portcullis-core.mjs'),
    // Bundlers see this literal URL as the same asset the module's glue refers to.
    compileWasm(new URL('../dist/portcullis-core.wasm', import.meta.url)),
  ]);
  let failure = null;
  const options = {
    getRandomValue,
    // Emscripten's hook: instantiate the compiled module with the glue's imports. Synchronously:
    // the module is compiled already, so this is quick (Chromium limits synchronous compilation
    // on the main thread, not the instantiation of a compiled module), and the glue then
    // initialises in the same task rather than a later one, which a busy main thread (a page
    // still loading) can hold back by milliseconds.
    instantiateWasm(imports, receiveInstance) {
      try {
        receiveInstance(new WebAssembly.Instance(module, imports), module);
      } catch (error) {
        failure = error; // the glue would only log it and wait forever
      }
      return {};
    },
  };
  const ready = createPortcullisCore(options);
  if (failure) throw failure;
  const m = await ready;
  // The strength meter goes through the C ABI meter_abi.cc exports (the glue names them _name).
  return new Core(m, bindStrength((name) => m[`_${name}`], () => m.HEAPU8.buffer));
}

/**
 * Loads and instantiates the wasm core once; later calls return the same promise. If loading
 * fails, the promise rejects and the next call tries again.
 */
export const load = once(instantiate);

/**
 * Loads the core (as load()) and the strength meter's dictionaries, once; resolves to the same
 * Core as load(), whose estimateStrength then works. The dictionaries are fetched in parallel
 * with the wasm. If loading fails, the promise rejects and the next call tries again.
 */
export const loadStrength = once(async () => {
  const [core, bytes] = await Promise.all([
    load(),
    fetchBytes(new URL('../dist/portcullis-dictionary.bin', import.meta.url)),
  ]);
  core[installDictionary](bytes);
  return core;
});

const installDictionary = Symbol('installDictionary');

const failure = (code, message) => ({ ok: false, code, message });
const typeError = (field) => failure('VALIDATION_ERROR', `${field} must be a string`);
// An optional text argument: the string, or '' when it is not a well-formed string.
const textOrEmpty = (v) => (typeof v === 'string' && wellFormed(v) ? v : '');
const notLoaded = () => new Error('portcullis: the strength dictionaries are not loaded; await loadStrength() first');

/** The loaded core: every method is synchronous. Obtain it with `await load()`. */
export class Core {
  #m;
  #strength;
  constructor(module, strength) {
    this.#m = module;
    this.#strength = strength;
  }
  // Calls the wasm function `fn` on a text argument and the rest, after the checks every text
  // input needs.
  #check(fn, field, text, ...rest) {
    if (!isText(text)) return typeError(field);
    if (!wellFormed(text)) return failure('INVALID_UTF8', this.#m.errorMessage('INVALID_UTF8'));
    return this.#m[fn](text, ...rest);
  }
  validateEmail(email, options = {}) {
    return this.#check('validateEmail', 'email', email, options ?? {});
  }
  validateName(name, policy = {}) {
    return this.#check('validateName', 'name', name, policy ?? {});
  }
  validateUsername(username, policy = {}) {
    return this.#check('validateUsername', 'username', username, policy ?? {});
  }
  checkPassword(password, policy = {}) {
    return this.#check('checkPassword', 'password', password, policy ?? {});
  }
  checkPasswordForSignIn(password, policy = {}) {
    return this.#check('checkPasswordForSignIn', 'password', password, policy ?? {});
  }
  passwordPolicyDefaults() {
    return this.#m.passwordPolicyDefaults();
  }
  utf16Length(text) {
    return isText(text) && wellFormed(text) ? this.#m.utf16Length(text) : null;
  }
  signCookie(value, secret) {
    return this.#m.signCookie(String(value), String(secret));
  }
  verifyCookie(cookie, secret) {
    if (!isText(cookie)) return typeError('cookie');
    return this.#m.verifyCookie(wellFormed(cookie) ? cookie : '', String(secret));
  }
  generateToken(length = 32) {
    if (!Number.isInteger(length) || length < 0 || length > 4096) {
      throw new RangeError('length must be an integer from 0 to 4096');
    }
    return this.#m.generateToken(length);
  }
  errorMessage(code) {
    return typeof code === 'string' ? this.#m.errorMessage(code) : null;
  }
  /** Whether estimateStrength works: loadStrength() has loaded the dictionaries. */
  get strengthLoaded() {
    return this.#strength.hasDictionary();
  }
  estimateStrength(password, userInputs = [], options = {}) {
    const result = this.#strength.estimate(password, userInputs, options);
    if (result === null) throw notLoaded();
    return result;
  }
  /** The words the strength rule counts as known for a user: the server derives the same list. */
  passwordUserInputs(email = '', name = '') {
    return this.#m.passwordUserInputs(textOrEmpty(email), textOrEmpty(name));
  }
  /**
   * The server's verdict on a new password (sign-up, change, reset) for the user with `email` and
   * `name`: the length rules, then the strength rule (policy.minScore, default 2). Resolves like the
   * server's error body: {ok, code?, message?, score, feedback?}. Needs loadStrength() unless
   * policy.minScore is 0.
   */
  checkNewPassword(password, { email = '', name = '' } = {}, policy = {}, options = {}) {
    const out = this.#check('checkNewPassword', 'password', password, textOrEmpty(email), textOrEmpty(name),
      policy ?? {}, options ?? {});
    if (out === null) throw notLoaded();
    return out;
  }
  // Copies the blob into a buffer the wasm owns and hands it over; the wasm keeps it only if it is
  // the blob it was built with.
  [installDictionary](bytes) {
    if (this.#strength.hasDictionary()) return;
    if (!this.#strength.installDictionary(bytes)) {
      throw new Error('portcullis: dist/portcullis-dictionary.bin does not match the wasm (a stale or truncated file?)');
    }
  }
}

/** Loads the core if needed and validates an e-mail address. */
export async function validateEmail(email, options) {
  return (await load()).validateEmail(email, options);
}

/** Loads the core if needed and validates a display name. */
export async function validateName(name, policy) {
  return (await load()).validateName(name, policy);
}

/** Loads the core if needed and validates a username (the server's --username). */
export async function validateUsername(username, policy) {
  return (await load()).validateUsername(username, policy);
}

/**
 * Loads the core and the dictionaries if needed and estimates a password's strength (zxcvbn's
 * model).
 */
export async function estimateStrength(password, userInputs, options) {
  return (await loadStrength()).estimateStrength(password, userInputs, options);
}

/** Loads the core if needed and checks a new password against the policy. */
export async function checkPassword(password, policy) {
  return (await load()).checkPassword(password, policy);
}
