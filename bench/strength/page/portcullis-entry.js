// The Portcullis meter as a site would write it: import the npm package, load the wasm and the
// strength dictionary (loadStrength), estimate. bench.mjs bundles this with webpack 5 (production);
// `portcullis` resolves to this repository's package (package.json "exports" -> wasm/index.js ->
// dist/portcullis-core.{mjs,wasm}, dist/portcullis-dictionary.bin).
import { load, loadStrength } from 'portcullis';

const options = { referenceYear: self.__benchReferenceYear };

// For the cold-start breakdown only (page/harness.js reports it): when the wasm core was ready
// (load() is the promise loadStrength() waits on) and when the dictionary was installed.
const phases = (self.__benchPhases = { entry: performance.now() });
loadStrength().then(
  (core) => {
    phases.strength = performance.now();
    self.__benchReady((password) => core.estimateStrength(password, [], options));
  },
  (error) => self.__benchFail(error),
);
load().then(() => (phases.wasm = performance.now()), () => {});
