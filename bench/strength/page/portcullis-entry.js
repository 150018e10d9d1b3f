// The Portcullis meter as a site would write it: import the npm package, load the wasm, estimate.
// bench.mjs bundles this with webpack 5 (production); `portcullis` resolves to this repository's
// package (package.json "exports" -> wasm/index.js -> dist/portcullis-core.{mjs,wasm}).
import { load } from 'portcullis';

const options = { referenceYear: self.__benchReferenceYear };

load().then(
  (core) => self.__benchReady((password) => core.estimateStrength(password, [], options)),
  (error) => self.__benchFail(error),
);
