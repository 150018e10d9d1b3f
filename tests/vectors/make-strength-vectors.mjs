// Writes tests/vectors/strength.json from the REAL zxcvbn 4.4.2 (the devDependency), so that the
// native and wasm ports are checked against the reference on a few hundred varied passwords.
//
//   node tests/vectors/make-strength-vectors.mjs [--zxcvbn-ranks]
//
// The ranks. Portcullis embeds zxcvbn's lists in a compact form that keeps ranks 1-255 exact and
// approximates higher ones (within 0.031 in log10; see core/src/strength/dictionary.cc). So each
// case is computed twice by zxcvbn's own code:
//   "expect"  zxcvbn 4.4.2 given the ranks Portcullis stores (from tools/build-dictionaries.mjs
//             --dump, injected into zxcvbn's dictionary matcher): what the port must reproduce
//             exactly, whatever the encoding;
//   "zxcvbn"  zxcvbn 4.4.2 unmodified: score and guesses_log10, plus the sequence where it differs.
// The script fails if the two ever disagree on a score. With --zxcvbn-ranks, "expect" is
// unmodified zxcvbn (for an encoding with exact ranks).
//
// zxcvbn reads its reference year from the clock when it loads; each case stores that year as
// "referenceYear", and the port is given it as StrengthOptions::reference_year. Run the script
// again in another year and the date and recent-year cases change accordingly.
//
// Each case: args {input, userInputs, referenceYear}; expect {score, guesses_log10 (compare within
// 1e-9 relative: Math.log and the C library's log may differ in the last bit), sequence [{pattern,
// i, j, token}], warning_key, suggestion_keys}. Tokens are UTF-8; a token that splits a surrogate
// pair is written with U+FFFD, as the port writes it.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { mulberry32 } from '../../bench/strength/corpus.mjs';

const require = createRequire(import.meta.url);
const zxcvbn = require('zxcvbn');
const matching = require('zxcvbn/lib/matching.js');
const zxcvbnVersion = require('zxcvbn/package.json').version;
if (zxcvbnVersion !== '4.4.2') throw new Error(`zxcvbn ${zxcvbnVersion}, expected 4.4.2`);
const zxcvbnRanks = process.argv.includes('--zxcvbn-ranks');

// The ranks Portcullis stores, as tools/build-dictionaries.mjs reports them.
function storedRanks() {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'strength-vectors-'));
  try {
    const dump = join(dir, 'entries.tsv');
    const run = spawnSync(process.execPath, [join(root, 'tools/build-dictionaries.mjs'), '--lists',
      require.resolve('zxcvbn/lib/frequency_lists.js'), '--out', join(dir, 'data.cc'), '--dump', dump], { stdio: 'inherit' });
    if (run.status !== 0) throw new Error('tools/build-dictionaries.mjs --dump failed');
    // Plain objects, filled in zxcvbn's list order and rank order, as build_ranked_dict fills them.
    const dicts = {};
    for (const name of Object.keys(require('zxcvbn/lib/frequency_lists.js'))) dicts[name] = {};
    const rows = readFileSync(dump, 'utf8').split('\n').filter(Boolean).map((line) => line.split('\t'));
    rows.sort((a, b) => Number(a[2]) - Number(b[2]));
    for (const [list, word, , stored] of rows) dicts[list][word] = Number(stored);
    return dicts;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// zxcvbn's matchers all look words up through matching.dictionary_match, with its module's
// dictionaries (the default argument, or passed on explicitly by the reversed and l33t matchers).
// While `injected` is set, they look them up in these instead; user inputs are rebuilt the same way.
let injected = null;
const originalDictionaryMatch = matching.dictionary_match;
matching.dictionary_match = function (password, dictionaries) {
  return originalDictionaryMatch.call(this, password, injected ?? dictionaries);
};
const originalSetUserInputs = matching.set_user_input_dictionary;
matching.set_user_input_dictionary = function (orderedList) {
  originalSetUserInputs.call(this, orderedList);
  if (injected) {
    const ranked = {};
    orderedList.slice().forEach((word, i) => { ranked[word] = i + 1; });
    injected.user_inputs = ranked;
  }
};
const portcullisDictionaries = zxcvbnRanks ? null : { ...storedRanks(), user_inputs: {} };
const withPortcullisRanks = (f) => {
  injected = portcullisDictionaries;
  try {
    return f();
  } finally {
    injected = null;
  }
};

const referenceYear = new Date().getFullYear();

// zxcvbn's English -> the stable keys of the port (zxcvbn-ts's names).
const WARNINGS = {
  '': '',
  'This is a top-10 common password': 'topTen',
  'This is a top-100 common password': 'topHundred',
  'This is a very common password': 'common',
  'This is similar to a commonly used password': 'similarToCommon',
  'A word by itself is easy to guess': 'wordByItself',
  'Names and surnames by themselves are easy to guess': 'namesByThemselves',
  'Common names and surnames are easy to guess': 'commonNames',
  'Straight rows of keys are easy to guess': 'straightRow',
  'Short keyboard patterns are easy to guess': 'keyPattern',
  'Repeats like "aaa" are easy to guess': 'simpleRepeat',
  'Repeats like "abcabcabc" are only slightly harder to guess than "abc"': 'extendedRepeat',
  'Sequences like abc or 6543 are easy to guess': 'sequences',
  'Recent years are easy to guess': 'recentYears',
  'Dates are often easy to guess': 'dates',
};
const SUGGESTIONS = {
  'Use a few words, avoid common phrases': 'useWords',
  'No need for symbols, digits, or uppercase letters': 'noNeed',
  'Add another word or two. Uncommon words are better.': 'anotherWord',
  "Capitalization doesn't help very much": 'capitalization',
  'All-uppercase is almost as easy to guess as all-lowercase': 'allUppercase',
  "Reversed words aren't much harder to guess": 'reverseWords',
  "Predictable substitutions like '@' instead of 'a' don't help very much": 'l33t',
  'Use a longer keyboard pattern with more turns': 'longerKeyboardPattern',
  'Avoid repeated words and characters': 'repeated',
  'Avoid sequences': 'sequences',
  'Avoid recent years': 'recentYears',
  'Avoid years that are associated with you': 'associatedYears',
  'Avoid dates and years that are associated with you': 'dates',
};
const keyOf = (table, text) => {
  if (!(text in table)) throw new Error(`no key for ${JSON.stringify(text)}`);
  return table[text];
};

// A deterministic PRNG (mulberry32, the strength benchmark's) for the random strings.
const rand = mulberry32(20260101);
const randomString = (alphabet, length) => {
  const chars = [...alphabet];
  let s = '';
  for (let k = 0; k < length; k++) s += chars[Math.floor(rand() * chars.length)];
  return s;
};
const DIGITS = '0123456789';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();
const SYMBOLS = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
const PRINTABLE = DIGITS + LOWER + UPPER + SYMBOLS + ' ';

const cases = [];
const add = (note, input, userInputs = []) => cases.push({ note, input, userInputs });
const addAll = (note, inputs) => inputs.forEach((input) => add(`${note}: ${input}`, input));

add('empty password', '');
addAll('common password', [
  'password', '123456', '12345678', 'qwerty', 'iloveyou', 'dragon', 'monkey', 'football', 'letmein',
  'trustno1', 'sunshine', 'princess', 'welcome', 'shadow', 'superman', 'baseball', 'master',
  'abc123', 'password1', 'michael', 'mustang', 'access', 'batman', 'starwars', 'whatever',
]);
addAll('word', [
  'correcthorsebatterystaple', 'computer', 'internet', 'university', 'government', 'elephant',
  'thequickbrownfox', 'mountain', 'rainbow', 'butterfly', 'chocolate', 'democracy', 'wikipedia',
  'philosophy', 'strawberry', 'hello world', 'tr0ub4dour', 'Tr0ub4dour&3', 'horsestaple',
  'communicationsatellite', 'incomprehensibilities',
]);
addAll('name', [
  'jessica', 'ashley', 'robert', 'garcia', 'martinez', 'johnsmith', 'JohnSmith', 'mariagarcia1985',
  'elizabeth', 'williams', 'jennifer2', 'christopher', 'anderson', 'obiwan', 'gandalf',
]);
addAll('l33t', [
  'p4ssw0rd', 'P@ssw0rd', 'h4x0r', 'l33t', 's3cur1ty', 'b4tm4n', 'm0nk3y', '$uperm@n', '4dm1n',
  'pr1nc3$$', '|ove', 'p@$$w0rd!', 'c0mput3r', 'dr4g0n', '5unsh1n3', 'w3lc0m3', '1nt3rn3t',
  'f00tb@ll', 'l3tm31n', 'sh4d0w', 'el3ph4nt', '@@@', 'p4ss', '7rus7no1', 'g00gl3', '(h0c0l@t3',
  'mon{ey', 'a|ic3', 'v1rg1n', 'x%x', 'fu22y', 'P4$$W0RD',
]);
addAll('reversed', [
  'drowssap', 'yenom', 'nommoc', 'retupmoc', 'drowssaP', 'tenretni', '4321drowssap', 'nogard',
]);
addAll('capitalisation', [
  'PASSWORD', 'Password', 'passworD', 'PassWord', 'pAsSwOrD', 'DRAGON1', 'Monkey123', 'MONKEY',
  'Football!', 'SuperMan', 'COMPUTER', 'ComputeR', 'cOMPUTER', 'ÉCOLE', 'École',
]);
addAll('qwerty', [
  'qwerty', 'qwertyuiop', 'asdfgh', 'asdfghjkl', 'zxcvbn', 'zxcvbnm', '1qaz2wsx', 'qazwsx',
  '!QAZ@WSX', 'poiuytrewq', 'QWERTY', 'asdf;lkj', 'qwer1234', '1q2w3e4r', 'zaq12wsx', 'mnbvcxz',
  'qweasdzxc', '!@#$%^&*', '1234qwer', 'Qwerty123', 'qwErTy', 'ytrewq', 'xsw2zaq1', '`1234567890-=',
  'qwertyqwerty', 'q1w2e3r4t5', 'rfvtgb', 'plokij', 'hjkl', 'wsxedc',
]);
addAll('dvorak', ['aoeuidhtns', "',.pyfgcrl", 'qjkxbmwvz', 'aoeu', 'htns-', 'pyfgcrl', ';qjkx']);
addAll('keypad', [
  '789456123', '147258369', '159753', '/*-+', '7894561230', '8520', '2580', '741852963', '9630',
  '=/*', '123654789', '0.', '+-*/', '963852741', '7531',
]);
addAll('repeat', [
  'aaaaa', 'aaaaaaaaaaaa', 'abcabcabc', 'ababab', '123123123', 'aabaab', 'aabaabaabaab',
  'passwordpassword', 'zxcvbnzxcvbn', 'hahahaha', '!!!!!!', 'x\nx\nx\n', '\n\n\n\n', 'aaAAaaAA',
  'abababababababababab', '1111', '0000000', 'qwerqwer', 'dogdogdog', 'catcatcat123',
  'Password1Password1', '121212', 'xyzxyzxyzxyz', 'ababa', 'aaabaaab', 'aa', 'zz',
  '😀😀😀😀', 'éééé', 'ñoñoñoño', '\u2028\u2028\u2028', 'a\u2028a\u2028',
]);
addAll('sequence', [
  'abcdef', 'abcdefghijk', 'zyxwvu', '123456789', '9876543210', 'acegikm', '13579', 'ABCDEF',
  'αβγδε', 'абвгд', 'あいうえお', 'abcd1234', 'xyz', 'ZYXW', '2468', '97531', 'abcdb975zy',
  'jklmnop', 'aceg', 'adgj', 'MNOPQR', 'ba', 'ab', 'az', '159', 'ΩΨΧΦ',
]);
addAll('recent year', [
  '1991', '2015', '2019', '2008', '1969', 'summer2019', 'john1987', '2020', '2026', '2010',
  'spring1999', '1900', '1950s', '19992000', '20162017', 'abc2011xyz',
]);
addAll('date', [
  '13/05/1987', '1/1/91', '01-01-2000', '2015_06_04', '19870513', '111504', '1191', '12.31.99',
  '31 12 1999', '05/13/87', '2001-09-11', '7/4/1776', '20011209', '010190', '1.1.1', '99_9_9',
  '2/29/2000', '12/25/25', '31.12.2049', '1/1/2051', '3-3-3333', '4\\5\\06', '8\t8\t88', '100190',
  '0101', '311299', '1299', '19911991', '12345', '99999', '1987/05/13', '5/13/1987x', 'born12121990',
  '05 13 87', '13\u00a005\u00a01987', '13\u300005\u30001987', '1-1-1-1', '11/11/11/11', '2000/01/01',
]);
addAll('mixed', [
  'Summer2019!', 'Password123!', 'iloveyou2', 'monkey!1', 'Dragon$2015', 'football#10',
  'March1987', 'john@1990', 'Welcome1', 'Qwerty!23', 'batman_1966', 'star-wars-1977', 'abc123def',
  'hello.world.2020', 'my-secret-pw', 'I love you', 'ilovemydog', 'letmein!!!', 'admin123',
]);
addAll('unknown', ['xkcd', 'zxq', 'qz', 'jqvx', 'Portcullis', 'portcullis', 'zxcvbnportcullis']);

// Random strings (seeded).
for (let k = 0; k < 12; k++) add(`random digits ${k}`, randomString(DIGITS, 4 + (k % 9) * 2));
for (let k = 0; k < 12; k++) add(`random lower ${k}`, randomString(LOWER, 5 + k * 2));
for (let k = 0; k < 8; k++) add(`random upper ${k}`, randomString(UPPER, 6 + k * 2));
for (let k = 0; k < 12; k++) add(`random alnum ${k}`, randomString(DIGITS + LOWER + UPPER, 6 + k * 2));
for (let k = 0; k < 12; k++) add(`random printable ${k}`, randomString(PRINTABLE, 6 + k * 2));
for (let k = 0; k < 6; k++) add(`random symbols ${k}`, randomString(SYMBOLS, 6 + k * 3));
for (let k = 0; k < 4; k++) add(`random hex ${k}`, randomString('0123456789abcdef', 16 + k * 8));

// User inputs.
add('user inputs: name and e-mail', 'johnsmith1984', ['John', 'Smith', 'john.smith@example.com']);
add('user inputs: site name', 'portcullis2024', ['portcullis']);
add('user inputs: e-mail as password', 'john.smith@example.com', ['john.smith@example.com']);
add('user inputs: reversed', 'silluctrop', ['Portcullis']);
add('user inputs: l33t', 'p0rtcul1is', ['portcullis']);
add('user inputs: capitalised', 'PortCullis!', ['portcullis', 'castle']);
add('user inputs: duplicate keeps the last rank', 'castle', ['castle', 'moat', 'castle']);
add('user inputs: none match', 'correcthorse', ['alice', 'bob']);
add('user inputs: uppercase input', 'ALICEINCHAINS', ['Alice', 'CHAINS']);
add('user inputs: non-ASCII', 'müllermüller', ['Müller']);
add('user inputs: empty string input', 'abc', ['']);
add('user inputs: long input', 'thisisaverylonguserinputthatmatches', ['thisisaverylonguserinputthatmatches']);
add('user inputs: İ lowercases to two units', 'istanbul', ['İstanbul']);
add('user inputs: constructor as an input', 'constructor', ['constructor']);

// Non-ASCII and UTF-16.
addAll('non-ASCII', [
  'Pässwörd', 'пароль', 'Пароль123', '密码', '密码密码', '😀', '😀😀', 'a😀b', '😀abc😀', 'ΣΙΣΥΦΟΣ',
  'İstanbul', 'İİİ', 'straße', 'STRASSE', 'Ἀθῆναι', 'café123', 'naïve', 'crème brûlée', '𝒫𝒶𝓈𝓈',
  'Ωmega', 'ὈΔΥΣΣΕΎΣ', 'Σ', 'ΑΣ', 'ΑΣ1', 'ςσΣ', '\u0000', 'tab\there', 'ｐａｓｓｗｏｒｄ', '한국어비밀번호',
  'كلمةالسر', 'पासवर्ड', '🔒🔑🚪', 'e\u0301e\u0301', '\ud801\udc00\ud801\udc00',
]);

// zxcvbn looks words up with JavaScript's `in`, which also finds Object.prototype's properties.
addAll('Object.prototype names', ['constructor', 'xconstructor', 'c0nstructor', '__proto__', 'rotcurtsnoc', 'constructors']);

// Longer passwords (the estimator reads up to 256 code units; all of these are shorter).
add('long: sentence', 'the quick brown fox jumps over the lazy dog and keeps running far away');
add('long: 128 random printable', randomString(PRINTABLE, 128));
add('long: 128 random lower', randomString(LOWER, 128));
add('long: 100 digits', randomString(DIGITS, 100));
add('long: repeated word', 'password'.repeat(16));
add('long: words and digits', 'correcthorsebatterystaple1987monkeydragonfootball2019qwertyuiop');
add('long: 64 a', 'a'.repeat(64));
add('long: keyboard walk', 'qwertyuiopasdfghjklzxcvbnm1234567890'.repeat(3));
add('long: l33t-rich', 'p4$$w0rd!@#(1|7)s3cur3{2}+%8_6_9<[]>'.repeat(2));

const sequenceOf = (r) =>
  r.sequence.map((m) => ({ pattern: m.pattern, i: m.i, j: m.j, token: m.token.toWellFormed() }));

const seen = new Set();
const out = [];
let differing = 0;
let maxDelta = 0;
for (const c of cases) {
  const id = JSON.stringify([c.input, c.userInputs]);
  if (seen.has(id)) continue;
  seen.add(id);
  const reference = zxcvbn(c.input, c.userInputs);
  const r = zxcvbnRanks ? reference : withPortcullisRanks(() => zxcvbn(c.input, c.userInputs));
  if (!Number.isFinite(r.guesses_log10)) throw new Error(`non-finite guesses for ${c.note}`);
  if (r.score !== reference.score) {
    throw new Error(`${c.note}: score ${r.score} with Portcullis's ranks, ${reference.score} with zxcvbn's`);
  }
  const expect = {
    score: r.score,
    guesses_log10: r.guesses_log10,
    sequence: sequenceOf(r),
    warning_key: keyOf(WARNINGS, r.feedback.warning),
    suggestion_keys: r.feedback.suggestions.map((s) => keyOf(SUGGESTIONS, s)),
  };
  const zx = { score: reference.score, guesses_log10: reference.guesses_log10 };
  const referenceSequence = sequenceOf(reference);
  if (JSON.stringify(referenceSequence) !== JSON.stringify(expect.sequence)) zx.sequence = referenceSequence;
  if (zx.guesses_log10 !== expect.guesses_log10) differing += 1;
  maxDelta = Math.max(maxDelta, Math.abs(zx.guesses_log10 - expect.guesses_log10));
  out.push({ note: c.note, args: { input: c.input, userInputs: c.userInputs, referenceYear }, expect, zxcvbn: zx });
}

const ranks = zxcvbnRanks
  ? "zxcvbn's own ranks"
  : `the ranks Portcullis stores (${differing} cases differ from unmodified zxcvbn, ` +
    `by at most ${maxDelta.toFixed(4)} in guesses_log10, none in score)`;
const doc = {
  about: `zxcvbn ${zxcvbnVersion} on ${out.length} passwords, reference year ${referenceYear}, with ${ranks}. ` +
    'Generated by tests/vectors/make-strength-vectors.mjs; do not edit.',
  function: 'estimateStrength',
  cases: out,
};
writeFileSync(new URL('strength.json', import.meta.url), JSON.stringify(doc, null, 1) + '\n');
console.log(`wrote tests/vectors/strength.json: ${out.length} cases, reference year ${referenceYear}, ${ranks}`);
