// The password corpus of the strength benchmark: a deterministic generator (seeded PRNG, no
// Math.random), so every run and every machine measures the very same passwords. Nothing of it is
// committed; it is built at run time from the word lists of the installed devDependencies:
//
// - zxcvbn 4.4.2's own ranked lists (node_modules/zxcvbn/lib/frequency_lists.js) and keyboard
//   graphs (lib/adjacency_graphs.js): what the reference estimator knows;
// - @zxcvbn-ts/language-en's commonWords / first names / last names, and language-common's EFF
//   diceware list and passwords, filtered to the words NOT in zxcvbn's lists, so the estimators
//   are also tested on words they have never seen.
//
//   import { makeCorpus } from './corpus.mjs';
//   makeCorpus(1, 20000) -> [{ id, category, kind, password }, ...]   (shuffled, categories mixed)
//
//   node bench/strength/corpus.mjs [--seed N] [--size N] [--samples K]   prints counts and samples
//
// Every password is a well-formed UTF-16 string (no lone surrogates: reversal is by code point).
// Lengths are UTF-16 code units, as zxcvbn and the password policy count them.

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The policy's maximum password length (UTF-16 code units); the long category has a handful of it. */
export const POLICY_MAX = 128;

/** Category -> share of the non-long corpus, and what it holds. `long` is sized separately. */
export const CATEGORIES = {
  common_password: { weight: 8, about: "zxcvbn's passwords list (rank-weighted), some from zxcvbn-ts's list it lacks" },
  word: { weight: 5, about: "words from zxcvbn's english_wikipedia and us_tv_and_film lists" },
  unknown_word: { weight: 4, about: "English words from zxcvbn-ts's commonWords/diceware that zxcvbn's lists lack" },
  name: { weight: 4, about: 'first names, surnames, full names (known and unknown to zxcvbn), with digits' },
  capitalised: { weight: 5, about: 'words with capitalisation variants: First, UPPER, lasT, cAmEl, random caps' },
  l33t: { weight: 6, about: 'l33t substitutions (full, partial, with caps and suffixes)' },
  reversed: { weight: 3, about: 'reversed words and passwords' },
  passphrase: { weight: 10, about: '2-4 words, known/unknown/diceware, with and without separators' },
  mixed: { weight: 5, about: 'word + digits/symbols/years, the everyday "Summer2019!" shape' },
  keyboard: { weight: 6, about: 'qwerty/dvorak/keypad walks: rows, zigzags, shifted, canonical walks' },
  date: { weight: 6, about: 'dates in many orders and formats, with and without separators, 2/4-digit years' },
  year: { weight: 2, about: 'recent and future years, alone and after words' },
  repeat: { weight: 4, about: 'aaaa, abcabc, Password1Password1, 121212, non-ASCII repeats' },
  sequence: { weight: 4, about: 'abc, 9876, ACEG, zyxw, 13579, Greek/Cyrillic/kana sequences' },
  random: { weight: 15, about: 'random strings: digits, lower, upper, alnum, hex, printable ASCII; 6-32 chars' },
  non_ascii: { weight: 5, about: 'accented Latin, Cyrillic, Greek, CJK, Hangul, emoji, fullwidth, combining marks, İ/ß' },
  long: { weight: 0, about: `100-200 chars (random, tokens, walks, sentences, repeats), a handful at exactly ${POLICY_MAX}` },
};

// ---------------------------------------------------------------------------------------------
// PRNG: mulberry32 (32-bit state, good enough for a benchmark, and identical everywhere).

export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeRng(seed) {
  const next = mulberry32(seed);
  const r = {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)), // inclusive
    chance: (p) => next() < p,
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    // Biased towards the top of a ranked list: u^k puts most picks near index 0.
    ranked: (arr, k = 2.5) => arr[Math.floor(Math.pow(next(), k) * arr.length)],
    // Weighted choice among [weight, value] pairs.
    weighted: (pairs) => {
      let total = 0;
      for (const [w] of pairs) total += w;
      let x = next() * total;
      for (const [w, v] of pairs) if ((x -= w) < 0) return v;
      return pairs[pairs.length - 1][1];
    },
    shuffle: (arr) => {
      for (let i = arr.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [arr[i], arr[j]] = [arr[j], arr[i]];
      }
      return arr;
    },
  };
  r.string = (alphabet, n) => {
    const chars = Array.from(alphabet);
    let s = '';
    for (let i = 0; i < n; i++) s += r.pick(chars);
    return s;
  };
  return r;
}

// ---------------------------------------------------------------------------------------------
// Data: loaded once per process.

let DATA = null;

async function loadData() {
  if (DATA) return DATA;
  const fl = require('zxcvbn/lib/frequency_lists.js');
  const graphs = require('zxcvbn/lib/adjacency_graphs.js');
  const en = (await import('@zxcvbn-ts/language-en')).dictionary;
  const common = (await import('@zxcvbn-ts/language-common')).dictionary;
  const known = new Set(Object.values(fl).flat());
  const alpha = (min) => (w) => typeof w === 'string' && w.length >= min && /^[a-z]+$/.test(w);
  const unknown = (list, min = 4) => list.filter((w) => alpha(min)(w) && !known.has(w));
  DATA = {
    graphs,
    passwords: fl.passwords,
    wiki: fl.english_wikipedia.filter(alpha(3)),
    tv: fl.us_tv_and_film.filter(alpha(3)),
    female: fl.female_names,
    male: fl.male_names,
    surnames: fl.surnames,
    // Not in any of zxcvbn's six lists:
    unknownWords: unknown(en['commonWords-en']),
    unknownDiceware: unknown(common['diceware-common']),
    diceware: common['diceware-common'].filter(alpha(3)),
    unknownFirst: unknown(en['firstnames-en']),
    unknownLast: unknown(en['lastnames-en']),
    unknownPasswords: common['passwords-common'].filter(
      (w) => typeof w === 'string' && w.length >= 4 && !known.has(w),
    ),
  };
  return DATA;
}

// ---------------------------------------------------------------------------------------------
// Building blocks.

const DIGITS = '0123456789';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();
const SYMBOLS = '!@#$%^&*()-_=+[]{};:\'",.<>/?\\|`~';
const PRINTABLE = (() => {
  let s = '';
  for (let c = 0x21; c <= 0x7e; c++) s += String.fromCharCode(c);
  return s;
})();

// zxcvbn 4.4.2's l33t table, letter -> substitutes.
const L33T = {
  a: ['4', '@'], b: ['8'], c: ['(', '{', '[', '<'], e: ['3'], g: ['6', '9'], i: ['1', '!', '|'],
  l: ['1', '|', '7'], o: ['0'], s: ['$', '5'], t: ['+', '7'], x: ['%'], z: ['2'],
};
// A few of zxcvbn-ts's extra (multi-character) substitutes, which zxcvbn 4.4.2 does not know.
const L33T_EXTRA = { u: ['|_|', 'v'], w: ['vv', '\\/\\/'], m: ['/\\/\\'], k: ['|<'], h: ['|-|'], n: ['|\\|'] };

const reverse = (s) => Array.from(s).reverse().join('');
const cap = (s) => s.charAt(0).toUpperCase() + s.slice(1);
const u16 = (s) => s.length;

function capVariant(rng, w) {
  return rng.weighted([
    [4, ['first', cap(w)]],
    [2, ['upper', w.toUpperCase()]],
    [1, ['last', w.slice(0, -1) + w.slice(-1).toUpperCase()]],
    [1, ['inverted', w.charAt(0) + w.slice(1).toUpperCase()]],
    [1, ['alternating', Array.from(w, (c, i) => (i % 2 ? c.toUpperCase() : c)).join('')]],
    [2, ['random', Array.from(w, (c) => (rng.chance(0.35) ? c.toUpperCase() : c)).join('')]],
  ]);
}

function l33tify(rng, w, p, extra = false) {
  let out = '';
  for (const c of w) {
    const subs = L33T[c] ?? (extra ? L33T_EXTRA[c] : undefined);
    out += subs && rng.chance(p) ? rng.pick(subs) : c;
  }
  return out;
}

const SUFFIXES = ['1', '12', '123', '1234', '!', '!!', '1!', '01', '69', '007', '99', '2000', '@', '#1', '?', '.', '*'];
const suffix = (rng) =>
  rng.weighted([
    [5, () => rng.pick(SUFFIXES)],
    [3, () => String(rng.int(0, 99))],
    [2, () => String(rng.int(1950, 2026))],
    [1, () => String(rng.int(0, 9)) + rng.pick(SYMBOLS)],
  ])();

function knownWord(rng, d) {
  return rng.weighted([
    [3, () => rng.ranked(d.wiki, 2)],
    [2, () => rng.ranked(d.tv, 2)],
  ])();
}
function anyWord(rng, d) {
  return rng.weighted([
    [5, () => knownWord(rng, d)],
    [2, () => rng.pick(d.unknownWords)],
    [2, () => rng.pick(d.diceware)],
  ])();
}
const knownName = (rng, d) =>
  rng.weighted([[3, d.female], [2, d.male], [3, d.surnames]]).at(Math.floor(Math.pow(rng.next(), 2) * 900));
const unknownName = (rng, d) => rng.pick(rng.chance(0.5) ? d.unknownFirst : d.unknownLast);

// A walk on one of zxcvbn's adjacency graphs. turnP: chance of changing direction at each step
// (0 -> straight rows, high -> zigzags). shift: none | all | first | some (keyboards only).
function keyboardWalk(rng, graphName, len, turnP, shift) {
  const graph = DATA.graphs[graphName];
  const isKeyboard = graphName === 'qwerty' || graphName === 'dvorak';
  // Start from an unshifted key (every slot's first character is unshifted).
  const keys = Object.keys(graph).filter((k) => !isKeyboard || !/[~!@#$%^&*()_+{}|:"<>?A-Z]/.test(k));
  let cur = rng.pick(keys);
  let dir = rng.int(0, graph[cur].length - 1);
  let out = [cur];
  for (let n = 1; n < len; n++) {
    if (rng.chance(turnP) || !graph[cur][dir]) {
      const dirs = graph[cur].map((s, i) => (s ? i : -1)).filter((i) => i >= 0 && i !== dir);
      if (!dirs.length) break;
      dir = rng.pick(dirs);
    }
    const slot = graph[cur][dir];
    if (!slot) break;
    cur = slot[0];
    out.push(cur);
  }
  if (isKeyboard && shift !== 'none') {
    const shiftOf = (c, prev) => {
      // the shifted form of c: position 1 of the slot that holds c in any neighbour's adjacency
      for (const s of graph[prev ?? c] ?? []) if (s && s[0] === c) return s[1];
      for (const k of Object.keys(graph)) for (const s of graph[k]) if (s && s[0] === c) return s[1];
      return c;
    };
    out = out.map((c, i) =>
      shift === 'all' || (shift === 'first' && i === 0) || (shift === 'some' && rng.chance(0.4))
        ? shiftOf(c, out[i - 1])
        : c,
    );
  }
  return out.join('');
}

const CANONICAL_WALKS = [
  'qwerty', 'qwertyuiop', 'asdfgh', 'asdfghjkl', 'zxcvbn', 'zxcvbnm', '1qaz2wsx', 'qazwsx', '1q2w3e4r',
  '1q2w3e4r5t', 'zaq12wsx', '!QAZ2wsx', 'qweasdzxc', 'qwe123', 'asdasd', 'poiuytrewq', 'mnbvcxz', '1qazxsw2',
  'q1w2e3r4', 'qwer1234', '!@#$%^&*', ')(*&^%$#@!', 'QWERTY', 'Qwerty123', 'aoeuidhtns', 'pyfgcrl', ';qjkxbmwvz',
  '789456123', '147258369', '159753', '741852963', '963852741', '2580', '13579', '0147', '7895123', '123654789',
  '!qaz@wsx', 'xsw21qaz', 'plokij', 'lkjhgfdsa', '/.,mnbvcxz', 'wsxedc', 'rfvtgb', 'yhnujm', 'qscvbhu',
];

// ---------------------------------------------------------------------------------------------
// Generators: each returns [kind, password].

const GEN = {
  common_password(rng, d) {
    if (rng.chance(0.2)) return ['zxcvbn-ts-only', rng.pick(d.unknownPasswords)];
    return rng.weighted([
      [3, () => ['top-1000', d.passwords[rng.int(0, 999)]]],
      [3, () => ['top-10000', d.passwords[rng.int(1000, 9999)]]],
      [2, () => ['tail', d.passwords[rng.int(10000, d.passwords.length - 1)]]],
    ])();
  },
  word(rng, d) {
    return rng.weighted([
      [3, () => ['wikipedia', rng.ranked(d.wiki, 1.5)]],
      [2, () => ['us_tv_and_film', rng.ranked(d.tv, 1.5)]],
    ])();
  },
  unknown_word(rng, d) {
    return rng.weighted([
      [4, () => ['commonWords-en', rng.pick(d.unknownWords)]],
      [1, () => ['diceware', rng.pick(d.unknownDiceware)]],
      [1, () => ['commonWords-en+digits', rng.pick(d.unknownWords) + suffix(rng)]],
    ])();
  },
  name(rng, d) {
    return rng.weighted([
      [3, () => ['first', knownName(rng, d)]],
      [2, () => ['first-cap', cap(knownName(rng, d))]],
      [2, () => ['full', cap(rng.pick(d.female.concat(d.male).slice(0, 1500))) + cap(rng.ranked(d.surnames, 2))]],
      [2, () => ['name+digits', knownName(rng, d) + suffix(rng)]],
      [2, () => ['unknown', unknownName(rng, d)]],
      [1, () => ['unknown-cap+digits', cap(unknownName(rng, d)) + String(rng.int(0, 99))]],
      [1, () => ['name+name', knownName(rng, d) + rng.pick(['', '&', 'and', '4', '+']) + knownName(rng, d)]],
    ])();
  },
  capitalised(rng, d) {
    const w = rng.chance(0.4) ? d.passwords[rng.int(0, 5000)].replace(/[^a-z]/g, '') || 'password' : anyWord(rng, d);
    const [kind, v] = capVariant(rng, w);
    return rng.chance(0.3) ? [kind + '+suffix', v + suffix(rng)] : [kind, v];
  },
  l33t(rng, d) {
    const w = rng.weighted([
      [3, () => d.passwords[rng.int(0, 3000)].replace(/[^a-z]/g, '') || 'password'],
      [3, () => knownWord(rng, d)],
      [1, () => knownName(rng, d)],
      [1, () => rng.pick(d.unknownWords)],
    ])().toLowerCase();
    const extra = rng.chance(0.1);
    const [kind, p] = rng.weighted([[3, ['full', 1]], [4, ['partial', 0.5]], [1, ['one', 0.2]]]);
    let v = l33tify(rng, w, p, extra);
    if (v === w) v = l33tify(rng, w, 1, extra);
    let k = (extra ? 'extra-' : '') + kind;
    if (rng.chance(0.3)) {
      v = capVariant(rng, v)[1];
      k += '+caps';
    }
    if (rng.chance(0.3)) {
      v += suffix(rng);
      k += '+suffix';
    }
    return [k, v];
  },
  reversed(rng, d) {
    return rng.weighted([
      [3, () => ['password', reverse(d.passwords[rng.int(0, 5000)])]],
      [3, () => ['word', reverse(knownWord(rng, d))]],
      [1, () => ['name', reverse(knownName(rng, d))]],
      [1, () => ['cap', reverse(cap(knownWord(rng, d)))]],
      [1, () => ['+digits', reverse(knownWord(rng, d)) + String(rng.int(0, 999))]],
      [1, () => ['unknown', reverse(rng.pick(d.unknownWords))]],
    ])();
  },
  passphrase(rng, d) {
    const n = rng.weighted([[4, 2], [4, 3], [3, 4]]);
    const source = rng.weighted([[4, 'known'], [2, 'unknown'], [2, 'diceware'], [2, 'mixed']]);
    const word = () =>
      source === 'known' ? knownWord(rng, d)
      : source === 'unknown' ? rng.pick(d.unknownWords)
      : source === 'diceware' ? rng.pick(d.diceware)
      : anyWord(rng, d);
    const words = Array.from({ length: n }, word);
    const [sepKind, sep] = rng.weighted([
      [5, ['none', () => '']], [3, ['space', () => ' ']], [2, ['dash', () => '-']], [1, ['underscore', () => '_']],
      [1, ['dot', () => '.']], [1, ['digit', () => String(rng.int(0, 9))]], [1, ['symbol', () => rng.pick('!@#$%&*+=/')]],
    ]);
    const styled = rng.chance(0.3) ? words.map(cap) : words;
    let s = styled[0];
    for (let i = 1; i < n; i++) s += sep() + styled[i];
    let kind = `${n}w-${source}-${sepKind}${styled === words ? '' : '-Cap'}`;
    if (rng.chance(0.15)) {
      s += suffix(rng);
      kind += '+suffix';
    }
    return [kind, s];
  },
  mixed(rng, d) {
    const w = rng.chance(0.5) ? d.passwords[rng.int(0, 8000)].replace(/[^a-z]/g, '') || 'love' : anyWord(rng, d);
    return rng.weighted([
      [3, () => ['word+digits', w + String(rng.int(0, rng.pick([9, 99, 999, 9999])))]],
      [2, () => ['Word+year+sym', cap(w) + rng.int(1970, 2026) + rng.pick(['!', '?', '#', '@', '.', ''])]],
      [2, () => ['digits+word', String(rng.int(0, 999)) + w]],
      [1, () => ['word+sym+word', w + rng.pick(SYMBOLS) + anyWord(rng, d)]],
      [1, () => ['i-love', rng.pick(['ilove', 'iloveyou', 'love', 'my', 'the', 'big']) + w]],
      [1, () => ['word+suffix', cap(w) + suffix(rng)]],
    ])();
  },
  keyboard(rng) {
    if (rng.chance(0.3)) {
      const w = rng.pick(CANONICAL_WALKS);
      return rng.chance(0.3) ? ['canonical+suffix', w + suffix(rng)] : ['canonical', w];
    }
    const graph = rng.weighted([[10, 'qwerty'], [3, 'dvorak'], [4, 'keypad'], [1, 'mac_keypad']]);
    const [turnKind, turnP] = rng.weighted([[4, ['row', 0]], [3, ['turns', 0.2]], [2, ['zigzag', 0.6]]]);
    const kb = graph === 'qwerty' || graph === 'dvorak';
    const shift = kb ? rng.weighted([[6, 'none'], [1, 'all'], [2, 'first'], [1, 'some']]) : 'none';
    const len = rng.int(4, kb ? 16 : 10);
    let s = keyboardWalk(rng, graph, len, turnP, shift);
    let kind = `${graph}-${turnKind}${shift === 'none' ? '' : '-shift-' + shift}`;
    if (u16(s) < 3) s = keyboardWalk(rng, graph, len, 0, 'none');
    if (rng.chance(0.15)) {
      s += keyboardWalk(rng, graph, rng.int(3, 6), turnP, 'none');
      kind += '+walk';
    }
    return [kind, s];
  },
  date(rng, d) {
    const y = rng.weighted([[6, () => rng.int(1960, 2010)], [2, () => rng.int(2011, 2026)], [1, () => rng.int(1920, 1959)]])();
    const m = rng.int(1, 12);
    const day = rng.int(1, [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]);
    const p2 = (n) => String(n).padStart(2, '0');
    const Y = rng.chance(0.65) ? String(y) : p2(y % 100);
    const pad = rng.chance(0.6);
    const D = pad ? p2(day) : String(day);
    const M = pad ? p2(m) : String(m);
    const [order, parts] = rng.weighted([
      [4, ['dmy', [D, M, Y]]], [4, ['mdy', [M, D, Y]]], [3, ['ymd', [Y, M, D]]], [1, ['ydm', [Y, D, M]]],
      [1, ['my', [M, Y]]],
    ]);
    const [sepKind, sep] = rng.weighted([
      [5, ['none', '']], [3, ['/', '/']], [2, ['-', '-']], [2, ['.', '.']], [1, ['_', '_']], [1, ['space', ' ']],
      [1, ['\\', '\\']],
    ]);
    let s = parts.join(sep);
    let kind = `${order}-${Y.length === 4 ? 'yyyy' : 'yy'}-${sepKind}${pad ? '-padded' : ''}`;
    if (rng.chance(0.15)) {
      s = (rng.chance(0.5) ? knownName(rng, d) : rng.pick(['born', 'bday', 'love', 'anniv', 'wed'])) + s;
      kind = 'word+' + kind;
    }
    return [kind, s];
  },
  year(rng, d) {
    const y = rng.weighted([[5, () => rng.int(1990, 2026)], [2, () => rng.int(1900, 1989)], [1, () => rng.int(2027, 2040)]])();
    return rng.weighted([
      [3, () => ['year', String(y)]],
      [3, () => ['word+year', anyWord(rng, d) + y]],
      [1, () => ['Season+year', rng.pick(['Summer', 'Winter', 'Spring', 'Autumn', 'Fall']) + y + rng.pick(['', '!'])]],
      [1, () => ['year+year', String(y) + String(rng.int(1950, 2030))]],
      [1, () => ['year+word', y + knownWord(rng, d)]],
    ])();
  },
  repeat(rng, d) {
    return rng.weighted([
      [3, () => ['char', rng.pick(Array.from(LOWER + DIGITS + SYMBOLS + UPPER)).repeat(rng.int(3, 20))]],
      [2, () => ['short-base', rng.string(rng.pick([LOWER, DIGITS, LOWER + DIGITS]), rng.int(2, 4)).repeat(rng.int(2, 5))]],
      [2, () => ['word', anyWord(rng, d).repeat(rng.int(2, 3))]],
      [2, () => ['password', (cap(d.passwords[rng.int(0, 2000)]) + rng.pick(['', '1', '!', '12'])).repeat(2)]],
      [1, () => ['walk', rng.pick(['qwe', 'asd', 'qwerty', '123', 'abc', '1q2w']).repeat(rng.int(2, 4))]],
      [1, () => ['runs', rng.pick(Array.from(LOWER)).repeat(rng.int(2, 5)) + rng.pick(Array.from(DIGITS)).repeat(rng.int(2, 5))]],
      [1, () => ['non-ascii', rng.pick(['😀', 'é', 'ж', '爱', '🔥🔥', 'ñ', '★']).repeat(rng.int(3, 8))]],
      [1, () => ['partial', (() => { const b = rng.string(LOWER, rng.int(3, 5)); return b.repeat(rng.int(2, 3)) + b.slice(0, 2); })()]],
    ])();
  },
  sequence(rng) {
    const [space, alphabet] = rng.weighted([[4, ['lower', LOWER]], [2, ['upper', UPPER]], [4, ['digits', DIGITS]]]);
    const delta = rng.weighted([[6, 1], [2, 2], [1, 3], [1, rng.int(4, 5)]]);
    const desc = rng.chance(0.35);
    const maxLen = Math.floor((alphabet.length - 1) / delta) + 1;
    const len = Math.min(maxLen, rng.int(3, Math.max(3, Math.min(12, maxLen))));
    const start = rng.int(0, alphabet.length - 1 - (len - 1) * delta);
    let s = '';
    for (let i = 0; i < len; i++) s += alphabet[start + i * delta];
    if (desc) s = reverse(s);
    let kind = `${space}-d${delta}${desc ? '-desc' : ''}`;
    const r = rng.next();
    if (r < 0.1) {
      s = rng.pick(['αβγδεζ', 'абвгдеж', 'ぁあぃいぅう', 'ΩΨΧΦ', 'ⅠⅡⅢⅣ', '①②③④']).slice(0, rng.int(3, 6));
      kind = 'unicode';
    } else if (r < 0.25) {
      s += rng.chance(0.5) ? String(rng.int(0, 99)) : rng.pick(SYMBOLS);
      kind += '+suffix';
    } else if (r < 0.35) {
      s += rng.pick(['123', '1234', '987', 'xyz', 'abc']);
      kind += '+seq';
    }
    return [kind, s];
  },
  random(rng) {
    const [kind, alphabet] = rng.weighted([
      [3, ['digits', DIGITS]], [3, ['lower', LOWER]], [1, ['upper', UPPER]], [2, ['lower+digits', LOWER + DIGITS]],
      [3, ['alnum', LOWER + UPPER + DIGITS]], [1, ['hex', '0123456789abcdef']], [4, ['printable', PRINTABLE]],
      [1, ['printable+space', PRINTABLE + ' ']],
    ]);
    const len = rng.int(6, 32);
    return [`${kind}-${len < 12 ? '6-11' : len < 20 ? '12-19' : '20-32'}`, rng.string(alphabet, len)];
  },
  non_ascii(rng, d) {
    const accented = ['café', 'naïve', 'señor', 'mañana', 'über', 'müller', 'straße', 'français', 'garçon', 'jalapeño',
      'crème', 'brûlée', 'élève', 'fiancée', 'façade', 'smörgåsbord', 'øresund', 'ångström', 'łódź', 'çalışkan',
      'İstanbul', 'ŞİFRE', 'contraseña', 'pässwörd', 'göteborg', 'zürich', 'kraków', 'añejo', 'désolé', 'ÉTÉ'];
    const cyrillic = ['пароль', 'привет', 'любовь', 'солнце', 'москва', 'йцукен', 'фывапролдж', 'наташа', 'Пароль123',
      'КОТИК', 'зайка', 'ёжик'];
    const cjk = ['密码', '你好', '我爱你', 'パスワード', 'こんにちは', 'さくら', '사랑해', '비밀번호', '안녕하세요', '東京', '北京2008'];
    const emoji = ['😀', '🔥', '❤️', '👍', '🐱', '🌟', '🎉', '🍕', '👨‍👩‍👧', '🇫🇷', '👍🏽', '🦄', '💩', '🙈'];
    const other = ['καλημέρα', 'Ελλάδα', 'كلمةالسر', 'סיסמה', 'पासवर्ड', 'รหัสผ่าน', 'ｐａｓｓｗｏｒｄ', '１２３４５６',
      'e\u0301te\u0301', 'ǅemal', 'ﬁnance', 'ẞTRASSE', 'I\u0307stanbul', 'Ⅻ', '𝔭𝔞𝔰𝔰'];
    const accent = (w) => w.replace(/[aeiouc]/g, (c) => (rng.chance(0.5) ? rng.pick({ a: 'àáâäå', e: 'èéêë', i: 'ìíîï', o: 'òóôöø', u: 'ùúûü', c: 'ç' }[c]) : c));
    return rng.weighted([
      [3, () => ['accented-word', rng.pick(accented)]],
      [2, () => ['accented-english', accent(knownWord(rng, d))]],
      [1, () => ['accented-random', rng.string('àáâäãåæçèéêëìíîïñòóôöõøùúûüýÿœšžß' + LOWER, rng.int(6, 16))]],
      [2, () => ['cyrillic-word', rng.pick(cyrillic) + (rng.chance(0.3) ? String(rng.int(0, 99)) : '')]],
      [1, () => ['cyrillic-random', rng.string('абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЭЮЯ', rng.int(6, 16))]],
      [2, () => ['cjk-word', rng.pick(cjk) + (rng.chance(0.3) ? String(rng.int(0, 9999)) : '')]],
      [1, () => ['cjk-random', Array.from({ length: rng.int(3, 10) }, () => String.fromCharCode(rng.int(0x4e00, 0x9fff))).join('')]],
      [1, () => ['hangul-random', Array.from({ length: rng.int(3, 8) }, () => String.fromCharCode(rng.int(0xac00, 0xd7a3))).join('')]],
      [2, () => ['emoji', Array.from({ length: rng.int(1, 6) }, () => rng.pick(emoji)).join('')]],
      [2, () => ['word+emoji', knownWord(rng, d) + rng.pick(emoji) + (rng.chance(0.5) ? String(rng.int(0, 99)) : '')]],
      [2, () => ['other-script', rng.pick(other) + (rng.chance(0.3) ? String(rng.int(0, 99)) : '')]],
      [1, () => ['astral-random', Array.from({ length: rng.int(3, 10) }, () => String.fromCodePoint(rng.int(0x1f300, 0x1f64f))).join('')]],
    ])();
  },
};

// Long inputs. `len` is the target length in UTF-16 code units; the result is exactly that long.
const LONG_KINDS = [
  ['random-printable', (rng, d, len) => rng.string(PRINTABLE, len)],
  ['random-alnum', (rng, d, len) => rng.string(LOWER + UPPER + DIGITS, len)],
  ['random-lower', (rng, d, len) => rng.string(LOWER, len)],
  ['hex-token', (rng, d, len) => rng.string('0123456789abcdef', len)],
  ['jwt-like', (rng, d, len) => {
    const b64 = LOWER + UPPER + DIGITS + '-_';
    return ('eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.' + rng.string(b64, len) + '.' + rng.string(b64, 43)).slice(0, len);
  }],
  ['sentence', (rng, d, len) => {
    let s = cap(knownWord(rng, d));
    while (u16(s) < len) s += (rng.chance(0.1) ? rng.pick([', ', '. ', '! ']) : ' ') + knownWord(rng, d);
    return s;
  }],
  ['passphrase-dash', (rng, d, len) => {
    let s = anyWord(rng, d);
    while (u16(s) < len) s += '-' + anyWord(rng, d);
    return s;
  }],
  ['walk-repeated', (rng, d, len) => {
    const w = rng.pick(['qwertyuiop', 'asdfghjkl;', '1qaz2wsx3edc', 'zxcvbnm,./', '!QAZ@WSX#EDC', '7894561230']);
    return w.repeat(Math.ceil(len / w.length) + 1);
  }],
  ['word-repeated', (rng, d, len) => (cap(d.passwords[rng.int(0, 500)]) + rng.pick(['1', '!', '123', ''])).repeat(40)],
  ['digits', (rng, d, len) => rng.string(DIGITS, len)],
  ['l33t-text', (rng, d, len) => {
    let s = '';
    while (u16(s) < len) s += l33tify(rng, knownWord(rng, d), 0.7) + rng.pick(['', ' ', '_', '!']);
    return s;
  }],
  ['non-ascii', (rng, d, len) => {
    const pool = rng.pick(['пароль привет любовь ', '密码你好我爱你東京北京', '😀🔥👍🐱🌟🎉🍕🦄', 'café naïve señor über ']);
    return rng.string(pool, len);
  }],
];

// Cut `s` to exactly `len` UTF-16 code units without splitting a surrogate pair.
function fit(s, len) {
  let out = '';
  for (const ch of s) {
    if (out.length + ch.length > len) break;
    out += ch;
  }
  while (out.length < len) out += 'x';
  return out;
}

// ---------------------------------------------------------------------------------------------

/**
 * Builds the corpus: `size` passwords (at least 1,000 suggested), each {id, category, kind,
 * password}, deterministic for a given seed, shuffled so categories interleave. About 1.5 % (at
 * least 20) are long (100-200 chars), a handful of those exactly POLICY_MAX long.
 */
export async function makeCorpus(seed = 1, size = 20000) {
  const d = await loadData();
  const rng = makeRng(seed);
  const nLong = Math.max(20, Math.round(size * 0.015));
  const n128 = Math.max(5, Math.round(nLong * 0.04));
  const rest = size - nLong;
  const cats = Object.entries(CATEGORIES).filter(([c]) => c !== 'long');
  const totalWeight = cats.reduce((a, [, v]) => a + v.weight, 0);
  const counts = Object.fromEntries(cats.map(([c, v]) => [c, Math.floor((rest * v.weight) / totalWeight)]));
  counts.random += rest - Object.values(counts).reduce((a, b) => a + b, 0);

  const seen = new Set();
  const out = [];
  const add = (category, kind, password) => {
    if (typeof password !== 'string' || password.length === 0) return false;
    if (!password.isWellFormed()) throw new Error(`corpus: ill-formed ${category}/${kind}: ${JSON.stringify(password)}`);
    if (seen.has(password)) return false;
    seen.add(password);
    out.push({ category, kind, password });
    return true;
  };
  for (const [category] of cats) {
    let made = 0;
    for (let attempts = 0; made < counts[category]; attempts++) {
      const [kind, password] = GEN[category](rng, d);
      // After many collisions (a small pool), accept duplicates rather than loop forever.
      if (add(category, kind, password) || (attempts > counts[category] * 20 && out.push({ category, kind, password }))) made++;
    }
  }
  for (let k = 0; k < nLong; k++) {
    const [kind, gen] = LONG_KINDS[k % LONG_KINDS.length];
    const exact = k < n128;
    const len = exact ? POLICY_MAX : rng.int(100, 200);
    let password = fit(gen(rng, d, len), len);
    while (seen.has(password)) password = fit(gen(rng, d, len), len);
    add('long', exact ? `${kind}-128` : kind, password);
  }
  rng.shuffle(out);
  return out.map((e, id) => ({ id, ...e }));
}

/** Counts per category (in CATEGORIES order). */
export function countByCategory(corpus) {
  const counts = Object.fromEntries(Object.keys(CATEGORIES).map((c) => [c, 0]));
  for (const e of corpus) counts[e.category]++;
  return counts;
}

// CLI: print the composition and a few samples per category.
if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name, def) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : def;
  };
  const t0 = performance.now();
  const corpus = await makeCorpus(arg('--seed', 1), arg('--size', 20000));
  const ms = performance.now() - t0;
  const counts = countByCategory(corpus);
  console.log(`${corpus.length} passwords in ${ms.toFixed(0)} ms, ${new Set(corpus.map((e) => e.password)).size} distinct`);
  const k = arg('--samples', 6);
  for (const [c, n] of Object.entries(counts)) {
    const samples = corpus.filter((e) => e.category === c).slice(0, k).map((e) => JSON.stringify(e.password));
    console.log(`${c.padEnd(16)} ${String(n).padStart(5)}  ${samples.join('  ').slice(0, 200)}`);
  }
}
