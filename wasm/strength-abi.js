// The JS half of the strength meter's C ABI (wasm/meter_abi.cc), shared by both loaders: index.js
// (the full module, through emscripten's glue) and meter.js (the meter-only module, no glue). It
// writes the inputs into wasm memory and builds estimateStrength()'s result object from the
// accessors: zxcvbn's result shape (snake_case keys), plus stable feedback keys.

const encoder = new TextEncoder();
// ignoreBOM: a token may start with U+FEFF, which must stay in it.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** Text input: a string, or its UTF-8 bytes. */
export const isText = (v) => typeof v === 'string' || v instanceof Uint8Array;

// A JS string may hold lone surrogates, which have no UTF-8 form (TextEncoder and emscripten would
// silently turn them into U+FFFD or pair them with the next character), so such strings are
// refused, as the server refuses them (its JSON parser rejects "\ud800").
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Whether `s` is not a string, or a string without lone surrogates. */
export const wellFormed = (s) =>
  typeof s !== 'string' ||
  (typeof s.isWellFormed === 'function' ? s.isWellFormed() : !loneSurrogate.test(s));

const SCENARIOS = [
  'online_throttling_100_per_hour',
  'online_no_throttling_10_per_second',
  'offline_slow_hashing_1e4_per_second',
  'offline_fast_hashing_1e10_per_second',
];

// meter_abi.cc's field numbers (its enums StrengthNumber, StrengthText, MatchNumber, MatchText).
const NUMBER = { score: 0, guesses: 1, guesses_log10: 2, crackTimeSeconds: 3, truncated: 4, suggestionCount: 5, matchCount: 6 };
const TEXT = { crackTimeDisplay: 0, warning: 1, warning_key: 2, suggestion: 3, suggestionKey: 4 };
const MATCH_NUMBER = {
  i: 0, j: 1, guesses: 2, guesses_log10: 3, rank: 4, reversed: 5, l33t: 6, subCount: 7, turns: 8,
  shifted_count: 9, base_guesses: 10, repeat_count: 11, sequence_space: 12, ascending: 13, year: 14,
  month: 15, day: 16,
};
const MATCH_TEXT = {
  pattern: 0, token: 1, dictionary_name: 2, matched_word: 3, subFrom: 4, subTo: 5, graph: 6,
  base_token: 7, sequence_name: 8, regex_name: 9, separator: 10,
};
// Each pattern's own fields, after pattern, i, j, token, guesses, guesses_log10: [key, kind].
const PATTERN_FIELDS = {
  dictionary: [['dictionary_name', 't'], ['matched_word', 't'], ['rank', 'n'], ['reversed', 'b'], ['l33t', 'b']],
  spatial: [['graph', 't'], ['turns', 'n'], ['shifted_count', 'n']],
  repeat: [['base_token', 't'], ['base_guesses', 'n'], ['repeat_count', 'n']],
  sequence: [['sequence_name', 't'], ['sequence_space', 'n'], ['ascending', 'b']],
  regex: [['regex_name', 't']],
  date: [['separator', 't'], ['year', 'n'], ['month', 'n'], ['day', 'n']],
};

/**
 * Binds the C ABI of a module: `fn(name)` returns its export `name` (a function), `buffer()` its
 * memory's current ArrayBuffer (a new one after the memory grew). Returns hasDictionary(),
 * installDictionary(bytes) and estimate(password, userInputs, options).
 */
export function bindStrength(fn, buffer) {
  const abi = {};
  for (const name of ['dictionary_buffer', 'load_dictionary', 'has_dictionary', 'input_buffer', 'estimate_strength',
    'strength_number', 'strength_text', 'match_number', 'match_text']) {
    abi[name] = fn(`portcullis_${name}`);
  }
  let bytes = new Uint8Array(buffer());
  let data = new DataView(bytes.buffer);
  // Call after anything that may have grown the memory (it detaches the old buffer).
  const refresh = () => {
    if (bytes.buffer !== buffer()) {
      bytes = new Uint8Array(buffer());
      data = new DataView(bytes.buffer);
    }
  };
  const decode = (view) => {
    const at = data.getUint32(view, true);
    return decoder.decode(bytes.subarray(at, at + data.getUint32(view + 4, true)));
  };
  const number = (field, index = 0) => abi.strength_number(field, index);
  const text = (field, index = 0) => decode(abi.strength_text(field, index));
  const texts = (field, count) => Array.from({ length: count }, (_, k) => text(field, k));

  function match(k) {
    const num = (field) => abi.match_number(k, MATCH_NUMBER[field]);
    const txt = (field, sub = 0) => decode(abi.match_text(k, MATCH_TEXT[field], sub));
    const out = {
      pattern: txt('pattern'),
      i: num('i'),
      j: num('j'),
      token: txt('token'),
      guesses: num('guesses'),
      guesses_log10: num('guesses_log10'),
    };
    for (const [key, kind] of PATTERN_FIELDS[out.pattern] ?? []) {
      out[key] = kind === 't' ? txt(key) : kind === 'b' ? num(key) === 1 : num(key);
    }
    if (out.l33t) {
      const sub = {};
      for (let s = 0, n = num('subCount'); s < n; ++s) sub[txt('subFrom', s)] = txt('subTo', s);
      out.sub = sub;
    }
    return out;
  }

  // Writes `value` (a string or UTF-8 bytes) at `at`; returns its size in bytes.
  const write = (value, at, capacity) =>
    typeof value === 'string'
      ? encoder.encodeInto(value, bytes.subarray(at, at + capacity)).written
      : (bytes.set(value, at), value.length);
  // The most bytes a text can take in UTF-8: 3 per UTF-16 code unit.
  const capacityOf = (value) => (typeof value === 'string' ? 3 * value.length : value.length);

  return {
    hasDictionary: () => abi.has_dictionary() === 1,
    /** Copies the blob into wasm memory and hands it over; false if the module refuses it. */
    installDictionary(blob) {
      const at = abi.dictionary_buffer(blob.length);
      if (at === 0) return false;
      refresh();
      bytes.set(blob, at);
      return abi.load_dictionary() === 1;
    },
    /**
     * estimateStrength() with the checks every caller applies: a password that is not text, or a
     * string with lone surrogates, is estimated as ''; user inputs that are not such strings are
     * left out. Null if the dictionaries are not loaded.
     */
    estimate(password, userInputs, options) {
      const pw = isText(password) && wellFormed(password) ? password : '';
      const inputs = Array.isArray(userInputs) ? userInputs.filter((u) => typeof u === 'string' && wellFormed(u)) : [];
      const year = options?.referenceYear;
      let capacity = capacityOf(pw);
      for (const u of inputs) capacity += 4 + capacityOf(u);
      const start = abi.input_buffer(capacity);
      refresh();
      const passwordSize = write(pw, start, capacityOf(pw));
      let at = start + passwordSize;
      for (const u of inputs) {
        const size = write(u, at + 4, capacityOf(u));
        data.setUint32(at, size, true);
        at += 4 + size;
      }
      if (!abi.estimate_strength(passwordSize, at - start - passwordSize, typeof year === 'number' ? year : 0)) return null;
      refresh();
      const crackSeconds = {};
      const crackDisplay = {};
      SCENARIOS.forEach((scenario, k) => {
        crackSeconds[scenario] = number(NUMBER.crackTimeSeconds, k);
        crackDisplay[scenario] = text(TEXT.crackTimeDisplay, k);
      });
      const suggestions = number(NUMBER.suggestionCount);
      return {
        score: number(NUMBER.score),
        guesses: number(NUMBER.guesses),
        guesses_log10: number(NUMBER.guesses_log10),
        crack_times_seconds: crackSeconds,
        crack_times_display: crackDisplay,
        feedback: {
          warning: text(TEXT.warning),
          warning_key: text(TEXT.warning_key),
          suggestions: texts(TEXT.suggestion, suggestions),
          suggestion_keys: texts(TEXT.suggestionKey, suggestions),
        },
        sequence: Array.from({ length: number(NUMBER.matchCount) }, (_, k) => match(k)),
        truncated: number(NUMBER.truncated) === 1,
      };
    },
  };
}
