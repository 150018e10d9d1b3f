// portcullis/meter: the password strength meter alone, for a page that needs nothing else of the
// package. Its wasm (dist/portcullis-meter.wasm) holds the estimator and its C ABI
// (meter_abi.cc) and nothing else: no validation, no libsodium, no embind, no emscripten glue.
// Results are exactly those of the full package's Core.estimateStrength (the same C++ and the same
// JS, strength-abi.js, build them).
//
// As index.js, importing it does nothing; loadMeter() fetches the wasm and the dictionaries in
// parallel, once.

import { compileWasm, fetchBytes, once } from './assets.js';
import { bindStrength } from './strength-abi.js';

// What the module imports: the standalone build's few system calls, the only ones the estimator
// makes.
function imports(memory) {
  return {
    wasi_snapshot_preview1: {
      // The current time, for the current year when no referenceYear is given: in nanoseconds
      // since the epoch (u64) at `at`, as every clock (the estimator asks for the real-time one).
      clock_time_get(clock, precision, at) {
        new DataView(memory().buffer).setBigUint64(at, BigInt(Date.now()) * 1_000_000n, true);
        return 0;
      },
      // abort() and exit(): the estimator never calls them (the blob is verified before it is
      // decoded), so reaching one is a bug, which must not go unnoticed.
      proc_exit(code) {
        throw new Error(`portcullis: the strength meter's wasm exited (${code})`);
      },
    },
    env: {
      // strength-abi.js checks for a new memory buffer itself, after every call that can grow it.
      emscripten_notify_memory_growth() {},
    },
  };
}

// Synchronously, as index.js does: the module is compiled already, so this is quick.
function instantiate(module) {
  const { exports } = new WebAssembly.Instance(module, imports(() => exports.memory));
  exports._initialize(); // the C++ static constructors
  // A User Timing mark, for profiles and the strength benchmark's cold-start breakdown: the wasm
  // is ready; what remains is the dictionary (its download, then its decoding).
  globalThis.performance?.mark?.('portcullis:meter-instantiated');
  return bindStrength((name) => exports[name], () => exports.memory.buffer);
}

// The module is instantiated as soon as it is compiled, while the (larger) dictionary may still
// be on its way.
async function load() {
  const [strength, dictionary] = await Promise.all([
    compileWasm(new URL('../dist/portcullis-meter.wasm', import.meta.url)).then(instantiate),
    fetchBytes(new URL('../dist/portcullis-dictionary.bin', import.meta.url)),
  ]);
  if (!strength.installDictionary(dictionary)) {
    throw new Error('portcullis: dist/portcullis-dictionary.bin does not match dist/portcullis-meter.wasm (a stale or truncated file?)');
  }
  return new Meter(strength);
}

/**
 * Loads the strength meter (its wasm and the dictionaries, in parallel) once; later calls return
 * the same promise. If loading fails, the promise rejects and the next call tries again.
 */
export const loadMeter = once(load);

/** The loaded meter. Obtain it with `await loadMeter()`. */
export class Meter {
  #strength;
  constructor(strength) {
    this.#strength = strength;
  }
  /** The same as Core.estimateStrength of the full package (see index.d.ts). */
  estimateStrength(password, userInputs = [], options = {}) {
    return this.#strength.estimate(password, userInputs, options);
  }
}
