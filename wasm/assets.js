// How the loaders (index.js, meter.js) get their files: fetched in browsers, read in Node. Each
// loader names its files with literal `new URL('../dist/...', import.meta.url)` expressions, which
// webpack 5 and Rspack see and emit as assets; these helpers take such a URL.

const isNode = () =>
  typeof process === 'object' && process !== null && typeof process.versions?.node === 'string' &&
  typeof window === 'undefined';

// Node has no fetch for file: URLs: read the file.
async function readFile(url) {
  const fs = await import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:fs/promises');
  return fs.readFile(url);
}

async function fetchOk(url) {
  const response = await fetch(url, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`portcullis: cannot fetch ${url}: HTTP ${response.status}`);
  return response;
}

/** Fetches and compiles a wasm file (streaming where the server sends application/wasm). */
export async function compileWasm(url) {
  if (isNode()) return WebAssembly.compile(await readFile(url));
  if (typeof WebAssembly.compileStreaming === 'function') {
    try {
      return await WebAssembly.compileStreaming(fetch(url, { credentials: 'same-origin' }));
    } catch {
      // e.g. served without Content-Type application/wasm: fetch it again as bytes, below.
    }
  }
  return WebAssembly.compile(await (await fetchOk(url)).arrayBuffer());
}

/** Fetches a file's bytes. */
export async function fetchBytes(url) {
  return new Uint8Array(isNode() ? await readFile(url) : await (await fetchOk(url)).arrayBuffer());
}

/**
 * Returns a function that runs `start` (which returns a promise) on its first call and returns that
 * promise to every later call; if the promise rejects, the next call runs `start` again.
 */
export function once(start) {
  let pending = null;
  return () =>
    (pending ??= start().catch((error) => {
      pending = null;
      throw error;
    }));
}
