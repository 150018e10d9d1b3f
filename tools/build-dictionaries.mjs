// Encodes zxcvbn 4.4.2's six ranked frequency lists into the compact blob that
// core/src/strength/dictionary.cc decodes, and writes it as a C++ source (a byte array).
//
//   node tools/build-dictionaries.mjs --lists node_modules/zxcvbn/lib/frequency_lists.js \
//        --out build/core/generated/dictionary_data.cc [--no-embed] [--blob file.bin]
//        [--dump entries.tsv] [--stats]
//
// --out writes the C++ source: the blob as a byte array, its size and its hash (FNV-1a by words); with
// --no-embed, only its size and hash (the wasm build: the host hands the blob over at run time,
// and dictionary.cc accepts only the blob of that size and hash). --blob writes the blob itself
// (the npm package's dist/portcullis-dictionary.bin). --dump writes every (list, word, zxcvbn
// rank, stored rank) as tab-separated lines, for looking at the data; --stats prints the size of
// each part of the blob (and its gzip -9 size).
//
// The format (version 1) is described in dictionary.cc, which is its only reader; the two must
// change together. In short: a minimal acyclic automaton (DAFSA) of the distinct words, walked
// depth first, and one value (list, rank class) per word in sorted order, entropy-coded (rANS)
// under static context models whose frequency tables come first; the shared suffix states and
// the top of the trie form an "eager" stream decoded at first use, the rest ~160 blocks that are
// decoded when a lookup first enters them.
//
// Deterministic: the same lists give the same bytes (integer arithmetic only, but for size
// statistics; every sort has a total order; maps are iterated in insertion order only).

import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

// ---------------------------------------------------------------------------------------------
// Parameters of the format. dictionary.cc reads them from the blob, except where noted.

const MAGIC = [0x50, 0x43, 0x44, 0x58]; // "PCDX"
const VERSION = 1;
// zxcvbn's lists in the order of its frequency_lists object, which is dictionary.h's List enum.
const LIST_NAMES = ['passwords', 'english_wikipedia', 'female_names', 'surnames', 'us_tv_and_film', 'male_names'];
const PROB_BITS = 12; // rANS probability precision (dictionary.cc: kProbBits)
const PROB_SCALE = 1 << PROB_BITS;
const RANS_L = 1 << 23; // rANS renormalisation bound, byte-wise output (dictionary.cc: kRansL)
// Ranks 1..EXACT_RANKS are stored exactly; above, in buckets [lo, floor(lo * 23 / 20)], each
// reported as the integer nearest (in log) to the bucket's geometric mean. A bucket never spans a
// FORCED_EDGES rank and the one before: zxcvbn's first score threshold is guesses < 1e3 + 5, so
// a word alone (guesses = rank) scores 0 up to rank 1004, and capitalised or reversed (twice the
// rank) up to rank 502; with these edges, such a password's score never changes.
const EXACT_RANKS = 255; // must be 2^k - 1: exact ranks are coded as (k-bit group, raw bits)
const bitLength = (v) => 32 - Math.clz32(v); // v < 2^32
const EXACT_GROUPS = bitLength(EXACT_RANKS);
const BUCKET_NUM = 23;
const BUCKET_DEN = 20;
const FORCED_EDGES = [503, 1005];
const MAX_LOG10_ERROR = 0.031; // asserted below; dictionary_test.cc checks every entry against it
// References to shared states: the TOP_REFS most referenced targets per edge label get a symbol
// of their own; others are coded as (log2 bucket of the shared id and the next bit, raw bits).
const TOP_REFS = 32;
// Lazy decoding: the top trie's subtrees are grouped into blocks of at most this many words.
const BLOCK_WORDS = 1024;
const MAX_EDGES = 63; // per state, so a header symbol (edges << 2 | final << 1 | shared) < 256
const MAX_VALUE_CODE = 1 << 13; // dictionary.cc packs (list, rank code) into 16 bits

// Models, in the order their tables are written (dictionary.cc: enum Model).
const M_HEADER = 0; // a state: (edge count, final, shared); context: incoming label (A: root,
//                     A + 1: a pool entry), plus A + 2 for pool states
const M_EDGE = 1; // an edge: label * 3 + kind; context: first edge: as the header's; later
//                   edges: A + 2 + previous sibling's label
const M_REF = 2; // a reference to a shared state; context: edge label
const M_LIST = 3; // a word's list (SEVERAL: several lists); context: previous word's list (SEVERAL
//                   for the first of a stream, or after a word in several lists)
const M_RANK = 4; // a rank class; context: list
const MODEL_COUNT = 5;
const SEVERAL = LIST_NAMES.length;
const KIND_NEW = 0; // edge to a state written next (depth first)
const KIND_LEAF = 1; // edge to the final state without edges
const KIND_REF = 2; // edge to a shared state written before

// ---------------------------------------------------------------------------------------------
// Input

function parseArgs(argv) {
  const args = { stats: false };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--stats') args.stats = true;
    else if (a === '--no-embed') args.noEmbed = true;
    else if (a === '--lists' || a === '--out' || a === '--dump' || a === '--blob') {
      if (i + 1 >= argv.length) fail(`${a} needs a value`);
      args[a.slice(2)] = argv[++i];
    } else fail(`unknown argument ${a}`);
  }
  if (!args.lists) fail('--lists <frequency_lists.js> is required');
  if (!args.out && !args.blob && !args.dump && !args.stats) fail('nothing to do: give --out, --blob, --dump or --stats');
  return args;
}

function fail(message) {
  console.error(`build-dictionaries: ${message}`);
  process.exit(1);
}

function check(condition, message) {
  if (!condition) fail(message);
}

// zxcvbn's lib/frequency_lists.js is CoffeeScript output: `name: "w1,w2,...".split(",")` per list.
// It is parsed as text rather than executed.
function readLists(path) {
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    fail(`cannot read ${path}: ${e.message} (is the zxcvbn@4.4.2 devDependency installed?)`);
  }
  const lists = [];
  const re = /^\s*([A-Za-z_]+): "((?:[^"\\\n]|\\.)*)"\.split\(","\)/gm;
  for (let m; (m = re.exec(text)) !== null; ) lists.push({ name: m[1], words: unescapeJs(m[2]).split(',') });
  check(
    lists.map((l) => l.name).join() === LIST_NAMES.join(),
    `${path}: expected the lists ${LIST_NAMES.join(', ')} in this order, found ${lists.map((l) => l.name).join(', ')}`,
  );
  return lists;
}

// The escapes of a JavaScript string literal (the passwords list has pic\\'s).
function unescapeJs(body) {
  const simple = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', 0: '\0' };
  return body.replace(/\\(u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{2}|.)/g, (_, e) => {
    if (e.length > 1) return String.fromCharCode(parseInt(e.slice(1), 16));
    if (e in simple) return simple[e];
    check(!/[0-9xu\r\n]/.test(e), `unsupported escape \\${e}`);
    return e;
  });
}

// zxcvbn's build_ranked_dict: rank = 1-based position, and a word listed twice keeps its last.
function rankedEntries(lists) {
  const entries = [];
  lists.forEach((list, li) => {
    const rank = new Map();
    list.words.forEach((w, i) => rank.set(w, i + 1));
    for (const [word, r] of rank) {
      check(word.length > 0, `${list.name}: empty word`);
      entries.push({ word, list: li, rank: r });
    }
  });
  return entries;
}

// ---------------------------------------------------------------------------------------------
// Ranks

// Per list: the representative rank of each bucket above EXACT_RANKS, and rank -> value code
// (rank - 1 for exact ranks, EXACT_RANKS + bucket above).
function rankBuckets(size) {
  const reps = [];
  const los = [];
  for (let lo = EXACT_RANKS + 1; lo <= size; ) {
    let hi = Math.min(size, Math.max(lo, Math.floor((lo * BUCKET_NUM) / BUCKET_DEN)));
    for (const edge of FORCED_EDGES) if (edge > lo && edge <= hi) hi = edge - 1;
    // a <= sqrt(lo hi) <= b: a's worst ratio is hi / a, b's is b / lo; keep the smaller
    let a = Math.floor(Math.sqrt(lo * hi));
    while (a * a > lo * hi) a--;
    while ((a + 1) * (a + 1) <= lo * hi) a++;
    const b = a * a === lo * hi ? a : a + 1;
    reps.push(lo * hi <= a * b ? a : b);
    los.push(lo);
    lo = hi + 1;
  }
  return { reps, los };
}

function valueCode(buckets, rank) {
  if (rank <= EXACT_RANKS) return rank - 1;
  // the last bucket whose lo <= rank
  let a = 0;
  let b = buckets.los.length - 1;
  while (a < b) {
    const m = (a + b + 1) >> 1;
    if (buckets.los[m] <= rank) a = m;
    else b = m - 1;
  }
  return EXACT_RANKS + a;
}

function storedRank(buckets, code) {
  return code < EXACT_RANKS ? code + 1 : buckets.reps[code - EXACT_RANKS];
}

// ---------------------------------------------------------------------------------------------
// The automaton: states are { final, edges: [[code, state], ...] } with edges sorted by code.
// Built bottom-up over the sorted words; equal states (same finality, same edges) are merged.

function buildDafsa(words, codeOf) {
  const states = [];
  const register = new Map();
  function make(final, edges) {
    const key = (final ? 'f' : 'n') + edges.map(([c, t]) => `${c}:${t}`).join(',');
    let id = register.get(key);
    if (id === undefined) {
      id = states.length;
      states.push({ final, edges });
      register.set(key, id);
    }
    return id;
  }
  // words[lo, hi) share their first `depth` units.
  function build(lo, hi, depth) {
    let final = false;
    let i = lo;
    if (words[i].length === depth) {
      final = true;
      i++;
    }
    const edges = [];
    while (i < hi) {
      const unit = words[i].charCodeAt(depth);
      let j = i + 1;
      while (j < hi && words[j].charCodeAt(depth) === unit) j++;
      edges.push([codeOf.get(unit), build(i, j, depth + 1)]);
      i = j;
    }
    return make(final, edges);
  }
  const root = build(0, words.length, 0);
  return { states, root };
}

// ---------------------------------------------------------------------------------------------
// Static models and rANS

class Model {
  constructor(contexts, symbols) {
    this.contexts = contexts;
    this.symbols = symbols;
    this.counts = Array.from({ length: contexts }, () => new Array(symbols).fill(0));
  }
}

// Frequency tables travel as one byte per used symbol: a code k standing for the weight
// WEIGHTS[k] (k itself up to 32, then growing by 1/16 per step: about 3% precision, which costs
// under 0.001 bit per symbol). Both sides turn weights into frequencies summing to PROB_SCALE with
// normalize(), integer arithmetic only; dictionary.cc has the same two functions.
const WEIGHTS = [0];
for (let k = 1; k < 256; k++) WEIGHTS.push(k <= 32 ? k : WEIGHTS[k - 1] + (WEIGHTS[k - 1] >> 4));

function weightCode(count) {
  if (count === 0) return 0;
  let k = 1;
  while (k < 255 && WEIGHTS[k + 1] <= count) k++;
  // the nearer of WEIGHTS[k] <= count < WEIGHTS[k + 1], in log
  if (k < 255 && count * count > WEIGHTS[k] * WEIGHTS[k + 1]) k++;
  return k;
}

// weights -> frequencies summing to PROB_SCALE, every used symbol at least 1.
function normalize(weights) {
  const total = weights.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const freq = weights.map((w) => {
    if (w === 0) return 0;
    const a = w * PROB_SCALE; // < 2^37: exact, as are % and the division below
    return Math.max(1, (a - (a % total)) / total);
  });
  let diff = PROB_SCALE - freq.reduce((a, b) => a + b, 0);
  while (diff !== 0) {
    // give to / take from the most frequent symbol (the first on ties): it loses least
    let best = -1;
    for (let s = 0; s < freq.length; s++) {
      if (freq[s] === 0 || (diff < 0 && freq[s] === 1)) continue;
      if (best < 0 || freq[s] > freq[best]) best = s;
    }
    check(best >= 0, 'cannot normalize a frequency table');
    const step = diff > 0 ? diff : Math.max(diff, 1 - freq[best]);
    freq[best] += step;
    diff -= step;
  }
  return freq;
}

// Several rANS streams (the eager one and one per block) under the same static models.
class Coder {
  constructor(models) {
    this.models = models;
    this.streams = []; // per stream: events [model, context, symbol] or [-1, bits, value]
  }
  begin() {
    this.streams.push([]);
    return this.streams.length - 1;
  }
  get events() {
    return this.streams[this.streams.length - 1];
  }
  put(modelIndex, context, symbol) {
    const m = this.models[modelIndex];
    check(context >= 0 && context < m.contexts && symbol >= 0 && symbol < m.symbols, 'symbol out of range');
    m.counts[context][symbol]++;
    this.events.push([modelIndex, context, symbol]);
  }
  // value < 2^bits, written as uniform symbols of at most PROB_BITS bits each (high chunk first)
  raw(bits, value) {
    check(value >= 0 && value < 2 ** bits, 'raw value out of range');
    const chunks = [];
    while (bits > 0) {
      const k = Math.min(bits, PROB_BITS);
      chunks.push([k, value % (1 << k)]);
      value = Math.floor(value / (1 << k));
      bits -= k;
    }
    for (let i = chunks.length - 1; i >= 0; i--) this.events.push([-1, chunks[i][0], chunks[i][1]]);
  }
  finish() {
    const codes = this.models.map((m) => m.counts.map((counts) => counts.map(weightCode)));
    const freqs = codes.map((tables) => tables.map((t) => normalize(t.map((k) => WEIGHTS[k]))));
    const starts = freqs.map((tables) =>
      tables.map((f) => {
        if (!f) return null;
        const st = new Array(f.length);
        let acc = 0;
        for (let i = 0; i < f.length; i++) {
          st[i] = acc;
          acc += f[i];
        }
        return st;
      }),
    );
    const bitsByModel = new Array(this.models.length + 1).fill(0); // last: raw bits
    const streams = this.streams.map((events) => {
      // rANS encodes backwards so that the decoder reads forwards.
      const out = [];
      let x = RANS_L;
      for (let i = events.length - 1; i >= 0; i--) {
        const [mi, a, b] = events[i];
        let start;
        let freq;
        if (mi < 0) {
          freq = PROB_SCALE >> a;
          start = b * freq;
          bitsByModel[this.models.length] += a;
        } else {
          freq = freqs[mi][a][b];
          start = starts[mi][a][b];
          bitsByModel[mi] += PROB_BITS - Math.log2(freq);
        }
        const xMax = (RANS_L >> PROB_BITS) * 256 * freq;
        while (x >= xMax) {
          out.push(x & 0xff);
          x = Math.floor(x / 256);
        }
        x = Math.floor(x / freq) * PROB_SCALE + (x % freq) + start;
      }
      out.push((x >>> 24) & 0xff, (x >>> 16) & 0xff, (x >>> 8) & 0xff, x & 0xff);
      return out.reverse();
    });
    return { streams, codes, bitsByModel };
  }
}

// ---------------------------------------------------------------------------------------------
// Byte output

class Bytes {
  constructor() {
    this.b = [];
  }
  u8(v) {
    this.b.push(v & 0xff);
  }
  varint(v) {
    check(Number.isInteger(v) && v >= 0 && v < 2 ** 32, `varint out of range: ${v}`);
    while (v >= 0x80) {
      this.b.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.b.push(v);
  }
  get length() {
    return this.b.length;
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding

function encode(lists) {
  const entries = rankedEntries(lists);
  const listSizes = lists.map((l) => l.words.length);
  const buckets = listSizes.map(rankBuckets);

  // Rank precision.
  let maxError = 0;
  let exact = 0;
  for (const e of entries) {
    const r = storedRank(buckets[e.list], valueCode(buckets[e.list], e.rank));
    maxError = Math.max(maxError, Math.abs(Math.log10(r / e.rank)));
    if (e.rank <= EXACT_RANKS) check(r === e.rank, 'an exact rank is not exact');
    if (r === e.rank) exact++;
  }
  check(maxError <= MAX_LOG10_ERROR, `rank error ${maxError} exceeds ${MAX_LOG10_ERROR}`);

  // Distinct words in UTF-16 code unit order; a word in several lists has several entries.
  const byWord = new Map();
  for (const e of entries) {
    if (!byWord.has(e.word)) byWord.set(e.word, []);
    byWord.get(e.word).push(e);
  }
  const words = [...byWord.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const units = new Set();
  let maxLength = 0;
  for (const w of words) {
    maxLength = Math.max(maxLength, w.length);
    for (let i = 0; i < w.length; i++) units.add(w.charCodeAt(i));
  }
  const alphabet = [...units].sort((a, b) => a - b);
  const A = alphabet.length;
  check(A * 3 <= 256, `alphabet of ${A} code units is too large`);
  const codeOf = new Map(alphabet.map((u, i) => [u, i]));
  let wordBits = 0; // a word index in raw bits
  while (2 ** wordBits < words.length) wordBits++;

  // The automaton. States are created children first, so `below` (the number of words a state
  // leads to) can be filled in creation order.
  const { states, root } = buildDafsa(words, codeOf);
  const indegree = new Array(states.length).fill(0);
  const below = new Array(states.length).fill(0);
  let edgeCount = 0;
  states.forEach((st, s) => {
    check(st.edges.length <= MAX_EDGES, `a state has ${st.edges.length} edges`);
    edgeCount += st.edges.length;
    below[s] = st.final ? 1 : 0;
    for (const [, t] of st.edges) {
      indegree[t]++;
      below[s] += below[t];
    }
  });
  const leaf = states.findIndex((st) => st.final && st.edges.length === 0);
  check(leaf >= 0 && leaf !== root, 'no final state without edges');

  // The pool: the states referenced more than once (shared) and all they lead to, but the leaf.
  // Everything else is a tree: the top trie (the root and tree states of more than BLOCK_WORDS
  // words), decoded with the pool at first use, and under it blocks (runs of sibling subtrees of
  // at most BLOCK_WORDS words), each decoded when a lookup first enters it.
  const inPool = new Uint8Array(states.length);
  const poolOrder = []; // shared states in the order a depth-first walk from the root meets them
  {
    const seen = new Uint8Array(states.length);
    const visit = (s) => {
      seen[s] = 1;
      for (const [, t] of states[s].edges) {
        if (t === leaf || seen[t]) continue;
        if (indegree[t] >= 2) {
          poolOrder.push(t);
          markPool(t);
        }
        visit(t);
      }
    };
    const markPool = (s) => {
      if (inPool[s]) return;
      inPool[s] = 1;
      for (const [, t] of states[s].edges) if (t !== leaf) markPool(t);
    };
    visit(root);
    // the most referenced first: they get the smallest ids, the cheapest references (ids are
    // given in the order the pool is written: entry by entry, depth first)
    const rank = new Map(poolOrder.map((st, i) => [st, i]));
    poolOrder.sort((a, b) => indegree[b] - indegree[a] || rank.get(a) - rank.get(b));
  }

  function serialize(topIndex, onRef) {
    const coder = new Coder([
      new Model(2 * A + 4, 256), // M_HEADER
      new Model(2 * A + 2, 3 * A), // M_EDGE
      new Model(A, TOP_REFS + 2 * 17), // M_REF
      new Model(LIST_NAMES.length + 1, LIST_NAMES.length + 1), // M_LIST
      new Model(LIST_NAMES.length, 256), // M_RANK
    ]);
    const sharedId = new Map();
    const written = new Uint8Array(states.length);
    written[leaf] = 1;
    let stateTally = 0;
    let edgeTally = 0;

    function writeRef(code, t) {
      const id = sharedId.get(t);
      check(id !== undefined, 'a reference to a state that is not shared');
      onRef(code, id);
      const top = topIndex[code].get(id);
      if (top !== undefined) {
        coder.put(M_REF, code, top);
      } else {
        // id + 1 = 2^b + m * 2^(b - 1) + rest: (b, m) is the symbol, rest raw bits
        const b = bitLength(id + 1) - 1;
        const low = id + 1 - 2 ** b;
        const m = b === 0 ? 0 : Math.floor(low / 2 ** (b - 1));
        coder.put(M_REF, code, TOP_REFS + 2 * b + m);
        if (b > 0) coder.raw(b - 1, low - m * 2 ** (b - 1));
      }
    }
    function edgeContext(context, prev) {
      return prev < 0 ? context : A + 2 + prev;
    }
    // A pool or block state and, depth first, the states it introduces.
    function writeState(s, context) {
      const st = states[s];
      const shared = indegree[s] >= 2;
      const headerContext = inPool[s] ? A + 2 + context : context;
      coder.put(M_HEADER, headerContext, (st.edges.length << 2) | (st.final ? 2 : 0) | (shared ? 1 : 0));
      written[s] = 1;
      stateTally++;
      edgeTally += st.edges.length;
      if (shared) sharedId.set(s, sharedId.size);
      let prev = -1;
      for (const [code, t] of st.edges) {
        const ctx = edgeContext(context, prev);
        if (t === leaf) {
          coder.put(M_EDGE, ctx, code * 3 + KIND_LEAF);
        } else if (written[t]) {
          coder.put(M_EDGE, ctx, code * 3 + KIND_REF);
          writeRef(code, t);
        } else {
          coder.put(M_EDGE, ctx, code * 3 + KIND_NEW);
          writeState(t, code);
        }
        prev = code;
      }
    }
    // The values of the given words (indices in sorted order). A word in several lists is only
    // marked here; the several-lists section has its lists and ranks.
    function writeRank(e) {
      const code = valueCode(buckets[e.list], e.rank);
      if (code < EXACT_RANKS) {
        const g = bitLength(e.rank) - 1;
        coder.put(M_RANK, e.list, g);
        coder.raw(g, e.rank - 2 ** g);
      } else {
        coder.put(M_RANK, e.list, EXACT_GROUPS + code - EXACT_RANKS);
      }
    }
    function writeValues(wordList) {
      let previousList = SEVERAL;
      for (const w of wordList) {
        const es = byWord.get(words[w]);
        if (es.length === 1) {
          coder.put(M_LIST, previousList, es[0].list);
          writeRank(es[0]);
          previousList = es[0].list;
        } else {
          coder.put(M_LIST, previousList, SEVERAL);
          previousList = SEVERAL;
        }
      }
    }

    // The eager stream: the words in several lists, the pool, the top trie, the values of the
    // words outside blocks.
    coder.begin();
    const severalWords = [];
    words.forEach((w, i) => byWord.get(w).length > 1 && severalWords.push(i));
    for (const w of severalWords) {
      const es = byWord.get(words[w]).slice().sort((a, b) => a.list - b.list);
      coder.raw(wordBits, w);
      coder.raw(LIST_NAMES.length, es.reduce((mask, e) => mask | (1 << e.list), 0));
      for (const e of es) writeRank(e);
    }
    let poolEntries = 0;
    for (const s of poolOrder) {
      if (written[s]) continue;
      writeState(s, A + 1);
      poolEntries++;
    }
    const poolStates = stateTally;
    const blocks = [];
    const eagerWords = [];
    let word = 0;
    let topStates = 0;
    function writeTop(s, context) {
      const st = states[s];
      coder.put(M_HEADER, context, (st.edges.length << 2) | (st.final ? 2 : 0));
      written[s] = 1;
      topStates++;
      edgeTally += st.edges.length;
      if (st.final) eagerWords.push(word++);
      let prev = -1;
      let run = null;
      for (const [code, t] of st.edges) {
        const ctx = edgeContext(context, prev);
        prev = code;
        if (t === leaf) {
          coder.put(M_EDGE, ctx, code * 3 + KIND_LEAF);
          eagerWords.push(word++);
          run = null;
        } else if (inPool[t]) {
          coder.put(M_EDGE, ctx, code * 3 + KIND_REF);
          writeRef(code, t);
          for (let k = 0; k < below[t]; k++) eagerWords.push(word++);
          run = null;
        } else if (below[t] > BLOCK_WORDS) {
          coder.put(M_EDGE, ctx, code * 3 + KIND_NEW);
          coder.raw(1, 0);
          writeTop(t, code);
          run = null;
        } else {
          coder.put(M_EDGE, ctx, code * 3 + KIND_NEW);
          coder.raw(1, 1);
          const fresh = run === null || run.words + below[t] > BLOCK_WORDS;
          coder.raw(1, fresh ? 1 : 0);
          if (fresh) {
            run = { roots: [], labels: [], words: 0, firstWord: word };
            blocks.push(run);
          }
          run.roots.push(t);
          run.labels.push(code);
          run.words += below[t];
          word += below[t];
        }
      }
    }
    writeTop(root, A);
    check(word === words.length, 'words lost');
    writeValues(eagerWords);

    // The blocks.
    for (const b of blocks) {
      coder.begin();
      stateTally = 0;
      edgeTally = 0;
      b.roots.forEach((s, i) => writeState(s, b.labels[i]));
      b.states = stateTally;
      b.edges = edgeTally;
      const list = [];
      for (let w = b.firstWord; w < b.firstWord + b.words; w++) list.push(w);
      writeValues(list);
    }
    check(written.every((x) => x === 1), 'a state was not written');
    return {
      coder,
      poolEntries,
      poolStates,
      topStates,
      blocks,
      eagerWords: eagerWords.length,
      shared: sharedId.size,
      several: severalWords.length,
    };
  }

  // Pass 1 counts the references per (label, shared id); pass 2 gives the TOP_REFS most frequent
  // per label a symbol of their own.
  const refCounts = Array.from({ length: A }, () => new Map());
  const none = Array.from({ length: A }, () => new Map());
  serialize(none, (code, id) => refCounts[code].set(id, (refCounts[code].get(id) || 0) + 1));
  const topRefs = refCounts.map((m) =>
    [...m.entries()]
      .filter(([, n]) => n >= 2)
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, TOP_REFS)
      .map(([id]) => id),
  );
  const topIndex = topRefs.map((ids) => new Map(ids.map((id, i) => [id, i])));
  const { coder, poolEntries, poolStates, topStates, blocks, eagerWords, shared, several } = serialize(topIndex, () => {});
  check(shared < 1 << 16, 'too many shared states');
  check(blocks.length < 1 << 16, 'too many blocks');
  check(several < MAX_VALUE_CODE, 'too many words in several lists');
  const { streams, codes, bitsByModel } = coder.finish();

  // The blob.
  const out = new Bytes();
  for (const b of MAGIC) out.u8(b);
  out.u8(VERSION);
  out.varint(words.length);
  out.varint(entries.length);
  out.varint(1 + poolStates + topStates + blocks.reduce((n, b) => n + b.states, 0)); // + the leaf
  out.varint(edgeCount);
  out.varint(shared);
  out.varint(maxLength);
  out.varint(A);
  for (const u of alphabet) out.varint(u);
  out.varint(EXACT_RANKS);
  for (let li = 0; li < LIST_NAMES.length; li++) {
    out.varint(listSizes[li]);
    out.varint(buckets[li].reps.length);
    let prev = EXACT_RANKS;
    for (const r of buckets[li].reps) {
      out.varint(r - prev);
      prev = r;
    }
  }
  const headerBytes = out.length;
  out.varint(TOP_REFS);
  for (let c = 0; c < A; c++) {
    out.varint(topRefs[c].length);
    for (const id of topRefs[c]) out.varint(id);
  }
  out.varint(MODEL_COUNT);
  for (let mi = 0; mi < MODEL_COUNT; mi++) {
    const m = coder.models[mi];
    out.varint(m.contexts);
    out.varint(m.symbols);
    for (const t of codes[mi]) {
      const used = [];
      t.forEach((k, symbol) => k && used.push(symbol));
      out.varint(used.length);
      let prev = -1;
      for (const symbol of used) {
        out.varint(symbol - prev - 1);
        out.u8(t[symbol]);
        prev = symbol;
      }
    }
  }
  const tableBytes = out.length - headerBytes;
  out.varint(several);
  out.varint(poolEntries);
  out.varint(blocks.length);
  blocks.forEach((b, i) => {
    out.varint(b.words);
    out.varint(b.states);
    out.varint(b.edges);
    out.varint(streams[i + 1].length);
  });
  const indexBytes = out.length - headerBytes - tableBytes;
  out.varint(streams[0].length);
  for (const stream of streams) for (const b of stream) out.u8(b);

  const blob = Uint8Array.from(out.b);
  const dump = [];
  for (const e of entries) {
    const r = storedRank(buckets[e.list], valueCode(buckets[e.list], e.rank));
    dump.push(`${LIST_NAMES[e.list]}\t${e.word}\t${e.rank}\t${r}\n`);
  }
  const kb = (bits) => Math.round(bits / 8);
  const stats = {
    entries: entries.length,
    words: words.length,
    wordsInSeveralLists: several,
    alphabet: String.fromCharCode(...alphabet),
    maxLength,
    states: states.length,
    edges: edgeCount,
    shared,
    poolStates,
    topStates,
    blocks: blocks.length,
    largestBlockWords: Math.max(...blocks.map((b) => b.words)),
    eagerWords,
    eagerStreamBytes: streams[0].length,
    maxLog10Error: maxError,
    exactEntries: exact,
    blobBytes: blob.length,
    headerBytes,
    tableBytes,
    indexBytes,
    streamBytes: streams.reduce((n, st) => n + st.length, 0),
    entropyBytes: {
      header: kb(bitsByModel[M_HEADER]),
      edge: kb(bitsByModel[M_EDGE]),
      ref: kb(bitsByModel[M_REF]),
      list: kb(bitsByModel[M_LIST]),
      rank: kb(bitsByModel[M_RANK]),
      raw: kb(bitsByModel[MODEL_COUNT]),
    },
  };
  return { blob, dump: dump.join(''), stats };
}

// ---------------------------------------------------------------------------------------------
// C++ output

// FNV-1a's step on 32-bit little-endian words (the last one zero-padded): dictionary.cc checks a
// blob handed over at run time against it. Word by word, not byte by byte, because the check runs
// in the browser's baseline compiler during the meter's cold start: 4x fewer steps.
function fnv1a(bytes) {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i += 4) {
    const w = bytes[i] | (bytes[i + 1] ?? 0) << 8 | (bytes[i + 2] ?? 0) << 16 | (bytes[i + 3] ?? 0) << 24;
    h = Math.imul(h ^ w, 0x01000193) >>> 0;
  }
  return h;
}

function cxx(blob, source, embed) {
  const lines = [];
  for (let i = 0; i < blob.length; i += 24) lines.push(Array.from(blob.subarray(i, i + 24)).join(','));
  const data = embed
    ? `extern const std::uint8_t kDictionaryData[];
alignas(4) const std::uint8_t kDictionaryData[] = {
${lines.join(',\n')}
};
`
    : `// Not embedded (--no-embed): the host hands the blob over at run time.
`;
  return `// Generated by tools/build-dictionaries.mjs from ${source}. Do not edit.
// zxcvbn 4.4.2's frequency lists, encoded as dictionary.cc describes.

#include <cstddef>
#include <cstdint>

namespace portcullis::strength::generated {

extern const std::size_t kDictionaryDataSize;
extern const std::uint32_t kDictionaryDataHash;

${data}const std::size_t kDictionaryDataSize = ${blob.length};
const std::uint32_t kDictionaryDataHash = 0x${fnv1a(blob).toString(16).padStart(8, '0')};  // FNV-1a, by words

}  // namespace portcullis::strength::generated
`;
}

const args = parseArgs(process.argv);
const lists = readLists(args.lists);
const { blob, dump, stats } = encode(lists);
if (args.out) writeFileSync(args.out, cxx(blob, 'zxcvbn/lib/frequency_lists.js', !args.noEmbed));
if (args.blob) writeFileSync(args.blob, blob);
if (args.dump) writeFileSync(args.dump, dump);
if (args.stats) console.log(JSON.stringify({ ...stats, gzip9Bytes: gzipSync(blob, { level: 9 }).length }, null, 2));
