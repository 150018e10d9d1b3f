// The zxcvbn-ts meter as its README sets it up: core + language-common + language-en
// (dictionaries, keyboard graphs, English translations). bench.mjs bundles this with webpack 5
// (production) for the browser run and for the size row.
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as zxcvbnCommonPackage from '@zxcvbn-ts/language-common';
import * as zxcvbnEnPackage from '@zxcvbn-ts/language-en';

const zxcvbn = new ZxcvbnFactory({
  dictionary: {
    ...zxcvbnCommonPackage.dictionary,
    ...zxcvbnEnPackage.dictionary,
  },
  graphs: zxcvbnCommonPackage.adjacencyGraphs,
  translations: zxcvbnEnPackage.translations,
});

self.__benchReady((password) => zxcvbn.check(password));
