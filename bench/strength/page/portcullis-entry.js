// The Portcullis meter as a site would write it: import the package's meter-only entry, load its
// wasm and the strength dictionary (loadMeter), estimate. bench.mjs bundles this with webpack 5
// (production); `portcullis/meter` resolves to this repository's package (package.json "exports"
// -> wasm/meter.js -> dist/portcullis-meter.wasm, dist/portcullis-dictionary.bin).
import { loadMeter } from 'portcullis/meter';

const options = { referenceYear: self.__benchReferenceYear };

// For the cold-start breakdown only (page/harness.js reports it): when the wasm was instantiated
// (meter.js marks it with performance.mark) and when the dictionary was installed.
const phases = (self.__benchPhases = { entry: performance.now() });
loadMeter().then(
  (meter) => {
    phases.strength = performance.now();
    phases.wasm = performance.getEntriesByName('portcullis:meter-instantiated')[0]?.startTime;
    self.__benchReady((password) => meter.estimateStrength(password, [], options));
  },
  (error) => self.__benchFail(error),
);
