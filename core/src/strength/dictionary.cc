// zxcvbn 4.4.2's six frequency lists, as tools/build-dictionaries.mjs encodes them at build time.
//
// Size is the point: the browser downloads this. Measured on zxcvbn 4.4.2's 93,855 entries, gzip -9:
//
//   the lists as zxcvbn ships them (each joined in rank order)            388 KB
//   the sorted words alone, front-coded (no lists, no ranks)              194 KB  (xz 172, bzip2 161)
//   the minimal automaton (DAFSA) alone, written byte-wise                197 KB
//   a 16-bit (list, rank bucket) per word, as an array                     92 KB  (best byte layout)
//   this format: DAFSA + a value per word, rANS under context models      235 KB  (blob 243 KB)
//     automaton 148 KB (state headers 17, edge labels 65, references 67), values 73 KB (list 22,
//     rank 51), frequency tables 18 KB (10 after gzip), block index 1 KB
//   the same as one stream decoded at once (no lazy blocks)               ~228 KB, but 35-45 ms at
//                                                                          the first call in wasm
//
// Floors no layout escapes: the values carry ~70 KB of entropy (list: 2.1 bits a word; the rank's
// bucket at ratio 1.15: 4.3 bits, independent of the spelling, which predicts neither), and the
// word set alone needs ~145 KB even under an adaptive order-2 context model. So the lists cost
// ~215 KB or more however they are packed, unless ranks get coarser or words are dropped. Coarser
// ranks cost accuracy fast, through passwords of several words, whose rank errors add up: on the
// strength benchmark's corpus (bench/strength/corpus.mjs, seed 1, 12,805 passwords without the
// long ones), zxcvbn given the stored ranks keeps log10 guesses within 0.05 of its own on 99.95%
// at ratio 1.1, 99.64% at 1.15 (this format), 99.28% at 1.17, 98.70% at 1.2, 97.97% at 1.25 (the
// target is 99%); the same score on 99.91%, 99.87%, 99.88%, 99.63%, 99.73%. No word of zxcvbn's
// lists can be dropped for free: its build already left out every word ranked above 10^length
// (which bruteforce always beats).
//
// Ranks: 1-255 are exact in every list (1,530 entries; 1,689 come out exact). Above, rank r is
// stored as its bucket [lo, floor(1.15 lo)] (buckets start at 256 and tile each list; none spans
// 502|503 or 1004|1005, so a word alone, or capitalised or reversed, never changes score: zxcvbn's
// first threshold is guesses < 1e3 + 5) and reported as the integer nearest the bucket's geometric
// mean: its log10 is within 0.031 of the true one (0.03081 at worst).
//
// Run time. The blob's eager part (tables, the pool of shared suffix states, the top trie: 14 KB
// of stream) is decoded at the first builtin() call (or in from_blob()): ~1 ms natively; in wasm,
// in the baseline compiler (Liftoff) where it runs, ~8 ms, plus ~0.5 ms for from_blob()'s hash.
// The rest is 162 blocks of at most 1,024 words, each decoded (~0.1 ms natively) when a lookup
// first walks into it: the suffixes of a 25-character password, forward and reversed, enter about
// 30 of them, a 10-character one about 10. Decoded,
// it is a plain DAFSA: per state its edges' position and count and its finality; per edge its
// label, target and the number of words it skips, which makes the walk a perfect hash onto the
// words' sorted order; a 16-bit value per word. About 1.9 MB when all is decoded. prefixes() walks
// it along the text, one edge per code unit: ~50 ns a call natively, ~130 ns in wasm, for the
// suffixes of typical passwords.
//
// Data facts the matchers rely on (dictionary_test.cc checks them):
//  - Words are ASCII: a-z, 0-9 and !$%'(*+-./;=?@[]_`| (the passwords list has "123456", "pic's",
//    "1qaz2wsx"...). No upper case: text must be lower-cased as zxcvbn does. A code unit outside
//    the alphabet (any non-ASCII one included) ends the walk.
//  - The longest word has 23 code units. No word is empty.
//  - In 4.4.2 no word is in two lists and no list repeats a word. The format takes both: a list
//    repeating a word keeps its last rank (zxcvbn's build_ranked_dict), and a word in several
//    lists gives one hit per list, in list order.
//
// The format, version 1. Little-endian, varint = unsigned LEB128; every count is checked, and a
// failed check aborts (the blob is generated and verified at build time: that would be a bug).
//   "PCDX" u8:version
//   varint: words, entries, states (the leaf included), edges, shared states, max word length
//   varint: alphabet size A, then A code units, ascending; a label is an index into them
//   varint: E (ranks 1..E are exact; E + 1 is a power of two)
//   per list, in List order: varint list size, varint bucket count B, B x varint representative
//     rank (each as the difference from the previous one, the first from E)
//   varint K; per label: varint n <= K, n x varint shared id        (frequent reference targets)
//   varint model count (5); per model: varint contexts, varint symbols (<= 256); per context:
//     varint n used symbols, n x (varint gap to the previous used symbol, u8 weight code)
//   varint: words in several lists, pool entries, block count; per block: varint words, states,
//     edges, stream bytes
//   varint eager stream bytes; the eager stream; the blocks' streams, in order
// Streams are rANS (32-bit state, byte-wise, 12-bit probabilities), each ending exactly at the
// encoder's initial state. Raw bits are uniform symbols of at most 12 bits, the high chunk first.
// The automaton is walked depth first, edges in label order; states are numbered in decoding
// order: the leaf (the final state without edges, implicit) is 0, then the pool, the top trie,
// the blocks. A state is a header symbol, then its edges:
//   header (model 0; context: the label of the edge into it, A for the root, A + 1 for a pool
//     entry; plus A + 2 in the pool) = edge count << 2 | final << 1 | shared (referenced later:
//     gets the next shared id)
//   edge (model 1; context: first edge: the header's, without the pool offset; later edges:
//     A + 2 + the previous label) = label * 3 + kind; kind 0: the target follows (depth first);
//     1: the leaf; 2: a reference, then:
//   reference (model 2; context: label) = i < K: the i-th frequent target of the label; else
//     K + 2b + m: the shared id + 1 is 2^b + m 2^(b-1) + (b - 1 raw bits)
// The pool is the shared states and all they lead to, written as "pool entries" state trees.
// The top trie is the root and the tree states of more than 1,024 words; in it, a new edge is
// followed by a raw bit: 0, a top trie state follows; 1, the target is a block's root, and a
// raw bit says whether it starts a new block (a block is a run of sibling subtrees).
// A word's value (model 3; context: the previous word's list, or 6 at a stream's start and after
// a word in several lists) is its list, then its rank (model 4; context: list): g < log2(E + 1):
// rank 2^g + g raw bits; else bucket g - log2(E + 1). List 6: the word is in several lists, which
// the eager stream's first part gives (no rank follows here).
//   Eager stream: per word in several lists: word index (raw, ceil(log2 words) bits), 6-bit list
//     mask, a rank per list; then the pool entries; then the top trie; then the values of the
//     words outside blocks (finals in the top trie, and below its edges to the pool).
//   Block stream: its roots' subtrees, then its words' values, in sorted order.

#include "strength/dictionary.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

namespace portcullis::strength {

namespace generated {
// Written by tools/build-dictionaries.mjs into the build tree (dictionary_data.cc): the blob's
// size and FNV-1a hash always, the blob itself only where it is embedded.
extern const std::size_t kDictionaryDataSize;
extern const std::uint32_t kDictionaryDataHash;
#if PORTCULLIS_EMBED_DICTIONARY
extern const std::uint8_t kDictionaryData[];
#endif
}  // namespace generated

std::string_view list_name(List list) {
  switch (list) {
    case List::kPasswords:
      return "passwords";
    case List::kEnglishWikipedia:
      return "english_wikipedia";
    case List::kFemaleNames:
      return "female_names";
    case List::kSurnames:
      return "surnames";
    case List::kUsTvAndFilm:
      return "us_tv_and_film";
    case List::kMaleNames:
      return "male_names";
  }
  return {};
}

namespace {

constexpr std::uint8_t kMagic[4] = {'P', 'C', 'D', 'X'};
constexpr std::uint8_t kVersion = 1;
constexpr unsigned kProbBits = 12;
constexpr std::uint32_t kProbScale = 1u << kProbBits;
constexpr std::uint32_t kRansL = 1u << 23;

enum Model { kHeaderModel, kEdgeModel, kRefModel, kListModel, kRankModel, kModelCount };
constexpr unsigned kKindNew = 0;
constexpr unsigned kKindLeaf = 1;
constexpr unsigned kKindRef = 2;
constexpr unsigned kSeveralLists = kListCount;  // list symbol: the word is in several lists

// A value: list << 13 | rank code (rank - 1 if exact, E + bucket above); list kSeveralLists:
// the low bits index several_ instead.
constexpr unsigned kValueListShift = 13;
constexpr std::uint16_t kValueCodeMask = (1u << kValueListShift) - 1;

// Speed in wasm. The wasm build compiles with -Oz, for which emscripten adds -fno-inline-functions:
// clang then inlines only functions declared `inline` (not even the standard library's accessors,
// vector::size(), unique_ptr::operator[], array::operator[]: each stays a call). The first lookups
// run in the browser's baseline compiler, where such calls dominate. So the hot paths here use
// raw pointers and built-in arrays, and their small helpers are forced inline (PCDX_INLINE).
#define PCDX_INLINE [[gnu::always_inline]] inline

// The run-once loops of the install (the blob's hash, the frequency tables) are functions of
// their own, called through apart(). A browser runs new wasm in its baseline compiler and, once a
// function has looped long enough, recompiles it with its optimizing compiler on another thread.
// wasm-opt inlines every function that has a single caller, so these loops used to sit inside one
// large function (portcullis_load_dictionary: the constructor, from_blob and all), which V8 then
// optimized: ~20 ms of compilation competing with the meter's cold start on a 2-core machine, for
// code that never runs again. Neither clang nor wasm-opt can inline a call through apart()'s
// pointer (it passes through a volatile), so only the small loop functions get optimized, cheaply.
template <typename F>
F* apart(F* f) {
  F* volatile p = f;
  return p;
}

// An array of n T, not zeroed, for memory that is written before it is read (zeroing it is a
// measurable part of the install in the browser's baseline compiler). Emscripten's libc++ has no
// std::make_unique_for_overwrite.
template <typename T>
std::unique_ptr<T[]> uninitialized_array(std::size_t n) {
  return std::unique_ptr<T[]>(new T[n]);
}

// The blob is generated and checked at build time; a failed check here is a build bug.
[[noreturn]] void corrupt() { std::abort(); }
PCDX_INLINE void expect(bool ok) {
  if (!ok) corrupt();
}

class Reader {
 public:
  Reader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  PCDX_INLINE std::uint8_t u8() {
    expect(pos_ < size_);
    return data_[pos_++];
  }

  std::uint32_t varint() {
    std::uint32_t v = 0;
    for (unsigned shift = 0; shift < 35; shift += 7) {
      const std::uint8_t b = u8();
      v |= static_cast<std::uint32_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) return v;
    }
    corrupt();
  }

  const std::uint8_t* take(std::size_t n) {
    expect(n <= size_ - pos_);
    const std::uint8_t* p = data_ + pos_;
    pos_ += n;
    return p;
  }

  bool at_end() const { return pos_ == size_; }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

// Weight codes and normalize(): the same as in tools/build-dictionaries.mjs.
constexpr std::array<std::uint32_t, 256> make_weights() {
  std::array<std::uint32_t, 256> w{};
  for (std::uint32_t k = 1; k < 256; ++k) w[k] = k <= 32 ? k : w[k - 1] + (w[k - 1] >> 4);
  return w;
}
constexpr std::array<std::uint32_t, 256> kWeights = make_weights();

// Turns weights[0..n) into frequencies freq[0..n) summing to kProbScale. Zero weights get zero
// frequencies, so normalizing the non-zero weights alone gives their same frequencies.
void normalize(const std::uint32_t* weights, std::uint32_t n, std::uint32_t* freq) {
  std::uint64_t total = 0;
  for (std::uint32_t s = 0; s < n; ++s) total += weights[s];
  expect(total > 0);
  std::int64_t sum = 0;
  for (std::uint32_t s = 0; s < n; ++s) {
    freq[s] = 0;
    if (weights[s] == 0) continue;
    const auto f = static_cast<std::uint32_t>(weights[s] * std::uint64_t{kProbScale} / total);
    freq[s] = f > 1 ? f : 1;
    sum += freq[s];
  }
  std::int64_t diff = std::int64_t{kProbScale} - sum;
  while (diff != 0) {
    std::uint32_t best = n;
    for (std::uint32_t s = 0; s < n; ++s) {
      if (freq[s] == 0 || (diff < 0 && freq[s] == 1)) continue;
      if (best == n || freq[s] > freq[best]) best = s;
    }
    expect(best < n);
    const std::int64_t least = 1 - std::int64_t{freq[best]};
    const std::int64_t step = diff > 0 ? diff : (diff > least ? diff : least);
    freq[best] = static_cast<std::uint32_t>(freq[best] + step);
    diff -= step;
  }
}

// One context of a model: symbol s has the slots [cum[s], cum[s + 1]); first[i] is the symbol of
// slot i << kFirstShift, where the search for a slot's symbol starts.
constexpr unsigned kFirstShift = 4;
struct Table {
  Table() {}  // first[] is left as it is: make_table() fills it, and only then is cum set
  const std::uint16_t* cum = nullptr;  // null: the context is never used (into cums_)
  std::uint8_t first[kProbScale >> kFirstShift];
};

// Fills t from freq[0..n); cum has room for n + 1 entries.
void make_table(const std::uint32_t* freq, std::uint32_t n, std::uint16_t* cum, Table& t) {
  cum[0] = 0;
  for (std::uint32_t s = 0; s < n; ++s) cum[s + 1] = static_cast<std::uint16_t>(cum[s] + freq[s]);
  std::uint32_t s = 0;
  for (std::uint32_t i = 0; i < (kProbScale >> kFirstShift); ++i) {
    while (cum[s + 1] <= (i << kFirstShift)) ++s;
    t.first[i] = static_cast<std::uint8_t>(s);
  }
  t.cum = cum;
}

class RansDecoder {
 public:
  RansDecoder(const std::uint8_t* data, std::size_t size) : p_(data), end_(data + size) {
    expect(size >= 4);
    x_ = std::uint32_t{p_[0]} | std::uint32_t{p_[1]} << 8 | std::uint32_t{p_[2]} << 16 | std::uint32_t{p_[3]} << 24;
    p_ += 4;
  }

  PCDX_INLINE unsigned symbol(const Table& t) {
    expect(t.cum != nullptr);
    const std::uint32_t slot = x_ & (kProbScale - 1);
    unsigned s = t.first[slot >> kFirstShift];
    while (t.cum[s + 1] <= slot) ++s;
    advance(t.cum[s], t.cum[s + 1] - t.cum[s]);
    return s;
  }

  PCDX_INLINE std::uint32_t raw(unsigned bits) {
    std::uint32_t v = 0;
    while (bits > 0) {
      const unsigned k = bits - kProbBits * ((bits - 1) / kProbBits);  // the high chunk first
      const std::uint32_t freq = kProbScale >> k;
      const std::uint32_t chunk = (x_ & (kProbScale - 1)) >> (kProbBits - k);
      advance(chunk * freq, freq);
      v = v << k | chunk;
      bits -= k;
    }
    return v;
  }

  PCDX_INLINE bool finished() const { return p_ == end_ && x_ == kRansL; }

 private:
  PCDX_INLINE void advance(std::uint32_t start, std::uint32_t freq) {
    x_ = freq * (x_ >> kProbBits) + (x_ & (kProbScale - 1)) - start;
    if (x_ < kRansL) {
      // x_ >= 2^11 here, so one or two bytes restore x_ >= kRansL
      expect(end_ - p_ >= 2 || (end_ - p_ == 1 && x_ << 8 >= kRansL));
      x_ = x_ << 8 | *p_++;
      if (x_ < kRansL) x_ = x_ << 8 | *p_++;
    }
  }

  const std::uint8_t* p_;
  const std::uint8_t* end_;
  std::uint32_t x_;
};

// Reads one context's table (its used symbols and their weight codes) and fills t; t.cum stays
// null if the context is never used. Called through apart().
void read_table(Reader& in, std::uint32_t symbols, std::uint16_t* cum, Table& t) {
  // Normalized over the used symbols alone (the same frequencies as over all of them, zeros
  // included, but fewer steps in the browser's baseline compiler, where this runs at load).
  std::uint32_t used_symbols[256];
  std::uint32_t weights[256];    // per used symbol
  std::uint32_t used_freq[256];  // per used symbol
  std::uint32_t freq[256];       // per symbol
  const std::uint32_t used = in.varint();
  expect(used <= symbols);
  std::uint32_t s = 0;
  for (std::uint32_t i = 0; i < used; ++i, ++s) {
    s += in.varint();
    expect(s < symbols);
    used_symbols[i] = s;
    weights[i] = kWeights[in.u8()];
    expect(weights[i] > 0);
  }
  if (used == 0) return;  // never used
  normalize(weights, used, used_freq);
  for (std::uint32_t k = 0; k < symbols; ++k) freq[k] = 0;
  for (std::uint32_t i = 0; i < used; ++i) freq[used_symbols[i]] = used_freq[i];
  make_table(freq, symbols, cum, t);
}

class CompactDictionaries final : public Dictionaries {
 public:
  CompactDictionaries(const std::uint8_t* data, std::size_t size);
  // Owns the blob (its blocks are decoded from it later).
  CompactDictionaries(std::unique_ptr<std::uint8_t[]> blob, std::size_t size)
      : CompactDictionaries(blob.get(), size) {
    blob_ = std::move(blob);
  }

  void prefixes(std::u16string_view text, std::vector<PrefixHit>& out) const override;
  std::size_t max_word_length() const override { return max_word_length_; }

 private:
  static constexpr std::uint8_t kNoCode = 0xFF;
  static constexpr std::uint32_t kLeaf = 0;  // the final state without edges
  static constexpr std::uint16_t kNoBlock = 0xFFFF;

  // A run of sibling subtrees under one top trie state, decoded on first use.
  struct Block {
    const std::uint8_t* stream = nullptr;
    std::uint32_t stream_size = 0;
    std::uint32_t words = 0, states = 0, edges = 0;  // from the index
    std::uint32_t first_state = 0, first_edge = 0;   // where its states and edges go
    std::uint32_t first_word = 0;                    // its words' index in sorted order
    std::uint32_t first_root_edge = 0, roots = 0;    // the top trie edges into it
    std::uint32_t skip = 0;                          // skip_ of its first root edge
  };

  // A stream being decoded and where its states and edges go.
  struct Cursor {
    RansDecoder& rans;
    std::uint32_t state, state_end, edge, edge_end;
    std::vector<std::uint32_t>* shared;  // the pool's stream only: collects shared states
  };

  PCDX_INLINE unsigned code_of(char16_t unit) const {
    if (unit < 128) return ascii_code_[unit];
    const auto it = std::lower_bound(alphabet_.begin(), alphabet_.end(), unit);
    return it != alphabet_.end() && *it == unit ? static_cast<unsigned>(it - alphabet_.begin()) : kNoCode;
  }

  void report(std::uint32_t word, std::size_t length, std::vector<PrefixHit>& out) const {
    const std::uint16_t v = value_[word];
    const unsigned list = v >> kValueListShift;
    if (list < kSeveralLists) {
      out.push_back({length, static_cast<List>(list), ranks_[list][v & kValueCodeMask]});
      return;
    }
    const std::size_t at = v & kValueCodeMask;
    for (std::size_t i = 1; i <= several_[at]; ++i) {
      const std::uint16_t e = several_[at + i];
      out.push_back({length, static_cast<List>(e >> kValueListShift), ranks_[e >> kValueListShift][e & kValueCodeMask]});
    }
  }

  std::uint32_t decode_state(Cursor& c, std::uint32_t context, std::size_t depth) const;
  std::uint32_t decode_top(Cursor& c, std::uint32_t context, std::size_t depth, std::uint32_t& word,
                           std::uint32_t& next_block, std::vector<std::uint32_t>& eager_words);
  std::uint32_t decode_reference(RansDecoder& rans, unsigned label) const;
  std::uint16_t decode_rank(RansDecoder& rans, unsigned list) const;
  void decode_values(RansDecoder& rans, std::uint32_t word, std::uint32_t end, const std::uint32_t* words) const;
  void decode_block(std::uint32_t b) const;

  // Set by the constructor, read-only afterwards.
  std::size_t max_word_length_ = 0;
  std::uint8_t ascii_code_[128] = {};
  std::vector<char16_t> alphabet_;
  std::uint32_t alphabet_size_ = 0;
  std::array<std::vector<std::uint32_t>, kListCount> rank_;  // rank code -> rank
  const std::uint32_t* ranks_[kListCount] = {};             // rank_[list].data()
  std::uint32_t rank_codes_[kListCount] = {};                // rank_[list].size()
  std::uint32_t rank_exact_ = 0;                             // ranks 1..rank_exact_ are exact
  unsigned rank_exact_groups_ = 0;
  std::uint32_t top_refs_size_ = 0;
  std::vector<std::uint32_t> top_refs_;        // per label: top_refs_size_ frequent shared ids
  std::vector<std::uint32_t> top_ref_counts_;  // per label: how many
  std::vector<Table> tables_;                 // every model's contexts
  std::unique_ptr<std::uint16_t[]> cums_;     // their cumulative frequencies (not zeroed: see read_table)
  const Table* models_[kModelCount] = {};     // per model: its contexts in tables_
  std::vector<std::uint32_t> shared_;        // shared id -> state
  std::vector<std::uint32_t> several_words_;  // the words in several lists, ascending
  std::vector<std::uint16_t> several_;       // per word in several lists: count, then its values
  std::vector<Block> blocks_;
  std::unique_ptr<std::once_flag[]> block_once_;
  std::uint32_t root_ = 0;
  std::uint32_t top_end_ = 0;  // the top trie's states are [root_, top_end_)
  std::uint32_t top_edge_begin_ = 0;
  std::vector<std::uint16_t> block_of_top_edge_;  // per top trie edge: its block, or kNoBlock

  // The automaton and the values. The constructor writes the pool's and the top trie's part,
  // decode_block() a block's (its states, edges, words, and its roots' target_ and skip_), under
  // the block's once_flag; readers of a block's part go through that flag first. State s has the
  // edges [first_edge_[s], first_edge_[s] + edge_count_[s]), sorted by label.
  // (Raw pointers into storage_, which owns them all: see PCDX_INLINE.)
  std::uint32_t* first_edge_ = nullptr;
  std::uint8_t* edge_count_ = nullptr;
  std::uint8_t* final_ = nullptr;
  std::uint32_t* words_below_ = nullptr;  // the number of words a state leads to
  std::uint8_t* label_ = nullptr;
  std::uint32_t* target_ = nullptr;
  // The words that sort before the edge's target's words among the state's: the state's own word
  // (if final) and those of the earlier edges. Summed along a path: a word's index in sorted order.
  std::uint32_t* skip_ = nullptr;
  std::uint16_t* value_ = nullptr;  // per word, in sorted order
  std::unique_ptr<std::uint32_t[]> storage_;
  std::unique_ptr<std::uint8_t[]> blob_;  // the blob, when handed over (from_blob())
};

CompactDictionaries::CompactDictionaries(const std::uint8_t* data, std::size_t size) {
  Reader in(data, size);
  for (std::uint8_t m : kMagic) expect(in.u8() == m);
  expect(in.u8() == kVersion);
  const std::uint32_t words = in.varint();
  const std::uint32_t entries = in.varint();
  const std::uint32_t states = in.varint();
  const std::uint32_t edges = in.varint();
  const std::uint32_t shared = in.varint();
  max_word_length_ = in.varint();
  expect(words > 0 && states >= 2);

  alphabet_size_ = in.varint();
  expect(alphabet_size_ > 0 && alphabet_size_ * 3 <= 256);
  for (std::uint8_t& code : ascii_code_) code = kNoCode;
  for (unsigned c = 0; c < alphabet_size_; ++c) {
    const std::uint32_t unit = in.varint();
    expect(unit <= 0xFFFF && (c == 0 || unit > alphabet_.back()));
    alphabet_.push_back(static_cast<char16_t>(unit));
    if (unit < 128) ascii_code_[unit] = static_cast<std::uint8_t>(c);
  }

  rank_exact_ = in.varint();
  expect(rank_exact_ > 0 && rank_exact_ < kValueCodeMask && (rank_exact_ & (rank_exact_ + 1)) == 0);
  while ((1u << rank_exact_groups_) <= rank_exact_) ++rank_exact_groups_;
  for (auto& ranks : rank_) {
    in.varint();  // the list's size, for the record
    const std::uint32_t buckets = in.varint();
    expect(buckets <= kValueCodeMask - rank_exact_);
    for (std::uint32_t r = 1; r <= rank_exact_; ++r) ranks.push_back(r);
    std::uint32_t rank = rank_exact_;
    for (std::uint32_t b = 0; b < buckets; ++b) ranks.push_back(rank += in.varint());
  }

  top_refs_size_ = in.varint();
  expect(top_refs_size_ < 256);
  top_refs_.resize(std::size_t{alphabet_size_} * top_refs_size_);
  top_ref_counts_.resize(alphabet_size_);
  for (std::uint32_t label = 0; label < alphabet_size_; ++label) {
    const std::uint32_t n = in.varint();
    expect(n <= top_refs_size_);
    top_ref_counts_[label] = n;
    for (std::uint32_t i = 0; i < n; ++i) top_refs_[std::size_t{label} * top_refs_size_ + i] = in.varint();
  }
  for (unsigned l = 0; l < kListCount; ++l) {
    ranks_[l] = rank_[l].data();
    rank_codes_[l] = static_cast<std::uint32_t>(rank_[l].size());
  }

  expect(in.varint() == kModelCount);
  const std::uint32_t contexts[kModelCount] = {2 * alphabet_size_ + 4, 2 * alphabet_size_ + 2, alphabet_size_,
                                               kListCount + 1, kListCount};
  std::uint32_t all_contexts = 0;
  for (std::uint32_t n : contexts) all_contexts += n;
  tables_.resize(all_contexts);  // not resized later: models_ and cum point into tables_, cums_
  cums_ = uninitialized_array<std::uint16_t>(std::size_t{all_contexts} * 257);
  Table* table = tables_.data();
  std::uint16_t* cum = cums_.get();
  for (int m = 0; m < kModelCount; ++m) {
    expect(in.varint() == contexts[m]);
    const std::uint32_t symbols = in.varint();
    expect(symbols > 0 && symbols <= 256);
    models_[m] = table;
    for (std::uint32_t c = 0; c < contexts[m]; ++c, ++table, cum += 257) {
      apart(&read_table)(in, symbols, cum, *table);
    }
  }

  const std::uint32_t several_words = in.varint();
  const std::uint32_t pool_entries = in.varint();
  blocks_.resize(in.varint());
  expect(blocks_.size() < kNoBlock);
  for (Block& b : blocks_) {
    b.words = in.varint();
    b.states = in.varint();
    b.edges = in.varint();
    b.stream_size = in.varint();
  }
  const std::uint32_t eager_size = in.varint();
  RansDecoder rans(in.take(eager_size), eager_size);
  for (Block& b : blocks_) b.stream = in.take(b.stream_size);
  expect(in.at_end());

  {
    // One allocation, in 4-byte units: the 32-bit arrays, then the 16- and 8-bit ones.
    const std::size_t n32 = 2 * std::size_t{states} + 2 * std::size_t{edges};
    const std::size_t n16 = (std::size_t{words} + 1) / 2;
    const std::size_t n8 = (2 * std::size_t{states} + edges + 3) / 4;
    storage_ = uninitialized_array<std::uint32_t>(n32 + n16 + n8);
    std::uint32_t* p = storage_.get();
    first_edge_ = p;
    words_below_ = p + states;
    target_ = p + 2 * std::size_t{states};
    skip_ = target_ + edges;
    value_ = reinterpret_cast<std::uint16_t*>(p + n32);
    edge_count_ = reinterpret_cast<std::uint8_t*>(p + n32 + n16);
    final_ = edge_count_ + states;
    label_ = final_ + states;
  }
  first_edge_[kLeaf] = 0;
  edge_count_[kLeaf] = 0;
  final_[kLeaf] = 1;
  words_below_[kLeaf] = 1;

  // The eager stream. 1: the words in several lists: index, lists, ranks.
  unsigned word_bits = 0;
  while ((std::uint64_t{1} << word_bits) < words) ++word_bits;
  std::uint32_t decoded_entries = 0;
  for (std::uint32_t i = 0; i < several_words; ++i) {
    const std::uint32_t w = rans.raw(word_bits);
    expect(w < words && (i == 0 || w > several_words_.back()) && several_.size() < kValueCodeMask);
    several_words_.push_back(w);
    value_[w] = static_cast<std::uint16_t>(kSeveralLists << kValueListShift | several_.size());
    const std::uint32_t mask = rans.raw(kListCount);
    const std::size_t count_at = several_.size();
    several_.push_back(0);
    for (unsigned l = 0; l < kListCount; ++l) {
      if ((mask >> l & 1) == 0) continue;
      several_.push_back(decode_rank(rans, l));
      ++several_[count_at];
      ++decoded_entries;
    }
    expect(several_[count_at] >= 2);
  }
  expect(decoded_entries + (words - several_words) == entries);

  // 2: the pool, whose states go first (after the leaf).
  Cursor c{rans, 1, states, 0, edges, &shared_};
  shared_.reserve(shared);
  for (std::uint32_t i = 0; i < pool_entries; ++i) decode_state(c, alphabet_size_ + 1, 1);
  expect(shared_.size() == shared);
  c.shared = nullptr;

  // 3: the top trie. Blocks' states and edges come after its own, in block order.
  root_ = c.state;
  top_edge_begin_ = c.edge;
  std::uint32_t word = 0;
  std::uint32_t next_block = 0;
  std::vector<std::uint32_t> eager_words;
  expect(decode_top(c, alphabet_size_, 0, word, next_block, eager_words) == root_);
  expect(word == words && next_block == blocks_.size() && words_below_[root_] == words);
  top_end_ = c.state;
  for (Block& b : blocks_) {
    expect(b.states <= c.state_end - c.state && b.edges <= c.edge_end - c.edge);
    b.first_state = c.state;
    b.first_edge = c.edge;
    c.state += b.states;
    c.edge += b.edges;
  }
  expect(c.state == states && c.edge == edges);
  block_once_ = std::make_unique<std::once_flag[]>(blocks_.size());

  // 4: the values of the words outside blocks.
  decode_values(rans, 0, static_cast<std::uint32_t>(eager_words.size()), eager_words.data());
  expect(rans.finished());
}

// A pool or block state whose header is next, and, depth first, the states it introduces.
std::uint32_t CompactDictionaries::decode_state(Cursor& c, std::uint32_t context, std::size_t depth) const {
  expect(depth <= max_word_length_);
  const std::uint32_t header_context = c.shared != nullptr ? alphabet_size_ + 2 + context : context;
  const unsigned header = c.rans.symbol(models_[kHeaderModel][header_context]);
  const std::uint32_t count = header >> 2;
  expect(c.state < c.state_end && count <= c.edge_end - c.edge);
  const std::uint32_t s = c.state++;
  const std::uint32_t first = c.edge;
  c.edge += count;
  first_edge_[s] = first;
  edge_count_[s] = static_cast<std::uint8_t>(count);
  final_[s] = static_cast<std::uint8_t>(header >> 1 & 1);
  if (header & 1) {
    expect(c.shared != nullptr);
    c.shared->push_back(s);
  }
  unsigned previous = 0;
  for (std::uint32_t e = first; e < first + count; ++e) {
    const std::uint32_t edge_context = e == first ? context : alphabet_size_ + 2 + previous;
    const unsigned symbol = c.rans.symbol(models_[kEdgeModel][edge_context]);
    const unsigned label = symbol / 3;
    const unsigned kind = symbol % 3;
    expect(label < alphabet_size_ && (e == first || label > previous));
    label_[e] = static_cast<std::uint8_t>(label);
    std::uint32_t target = kLeaf;
    if (kind == kKindNew) {
      target = decode_state(c, label, depth + 1);
    } else if (kind == kKindRef) {
      target = decode_reference(c.rans, label);
    } else {
      expect(kind == kKindLeaf);
    }
    target_[e] = target;
    previous = label;
  }
  std::uint32_t below = final_[s];
  for (std::uint32_t e = first; e < first + count; ++e) {
    skip_[e] = below;
    below += words_below_[target_[e]];
  }
  words_below_[s] = below;
  return s;
}

// A top trie state, like decode_state(), but a new edge is followed by a raw bit: 0, the target
// is a top trie state (decoded here); 1, a block's root, then a bit: 1, the first of its block.
// Counts the words in sorted order: those outside blocks go to eager_words.
std::uint32_t CompactDictionaries::decode_top(Cursor& c, std::uint32_t context, std::size_t depth,
                                              std::uint32_t& word, std::uint32_t& next_block,
                                              std::vector<std::uint32_t>& eager_words) {
  expect(depth <= max_word_length_);
  const unsigned header = c.rans.symbol(models_[kHeaderModel][context]);
  const std::uint32_t count = header >> 2;
  expect((header & 1) == 0 && c.state < c.state_end && count <= c.edge_end - c.edge);
  const std::uint32_t s = c.state++;
  const std::uint32_t first = c.edge;
  c.edge += count;
  first_edge_[s] = first;
  edge_count_[s] = static_cast<std::uint8_t>(count);
  final_[s] = static_cast<std::uint8_t>(header >> 1 & 1);
  if (final_[s]) eager_words.push_back(word++);
  block_of_top_edge_.resize(c.edge - top_edge_begin_, kNoBlock);
  Block* run = nullptr;
  unsigned previous = 0;
  for (std::uint32_t e = first; e < first + count; ++e) {
    const std::uint32_t edge_context = e == first ? context : alphabet_size_ + 2 + previous;
    const unsigned symbol = c.rans.symbol(models_[kEdgeModel][edge_context]);
    const unsigned label = symbol / 3;
    const unsigned kind = symbol % 3;
    expect(label < alphabet_size_ && (e == first || label > previous));
    label_[e] = static_cast<std::uint8_t>(label);
    previous = label;
    if (kind == kKindLeaf) {
      target_[e] = kLeaf;
      eager_words.push_back(word++);
      run = nullptr;
    } else if (kind == kKindRef) {
      target_[e] = decode_reference(c.rans, label);
      for (std::uint32_t k = 0; k < words_below_[target_[e]]; ++k) eager_words.push_back(word++);
      run = nullptr;
    } else if (c.rans.raw(1) == 0) {
      target_[e] = decode_top(c, label, depth + 1, word, next_block, eager_words);
      run = nullptr;
    } else {
      if (c.rans.raw(1) == 1) {
        expect(next_block < blocks_.size());
        run = &blocks_[next_block++];
        run->first_root_edge = e;
        run->first_word = word;
        word += run->words;
      }
      expect(run != nullptr);
      ++run->roots;
      block_of_top_edge_[e - top_edge_begin_] = static_cast<std::uint16_t>(run - blocks_.data());
    }
  }
  std::uint32_t below = final_[s];
  for (std::uint32_t e = first; e < first + count; ++e) {
    const std::uint16_t b = block_of_top_edge_[e - top_edge_begin_];
    if (b == kNoBlock) {
      skip_[e] = below;
      below += words_below_[target_[e]];
    } else if (blocks_[b].first_root_edge == e) {
      blocks_[b].skip = below;
      below += blocks_[b].words;
    }
  }
  words_below_[s] = below;
  return s;
}

std::uint32_t CompactDictionaries::decode_reference(RansDecoder& rans, unsigned label) const {
  const unsigned symbol = rans.symbol(models_[kRefModel][label]);
  std::uint32_t id;
  if (symbol < top_refs_size_) {
    expect(symbol < top_ref_counts_.data()[label]);
    id = top_refs_.data()[std::size_t{label} * top_refs_size_ + symbol];
  } else {
    // id + 1 = 2^b + m * 2^(b - 1) + (b - 1 raw bits)
    const unsigned b = (symbol - top_refs_size_) / 2;
    const unsigned m = (symbol - top_refs_size_) % 2;
    expect(b <= 16 && (b > 0 || m == 0));
    id = b == 0 ? 0 : (1u << b) + (m << (b - 1)) + rans.raw(b - 1) - 1;
  }
  const std::uint32_t* shared = shared_.data();
  expect(id < shared_.size());
  return shared[id];
}

// A rank of the list: the group g of an exact rank (2^g + g raw bits), or log2(E + 1) + bucket.
std::uint16_t CompactDictionaries::decode_rank(RansDecoder& rans, unsigned list) const {
  const unsigned group = rans.symbol(models_[kRankModel][list]);
  std::uint32_t code;
  if (group < rank_exact_groups_) {
    const std::uint32_t rank = (1u << group) + rans.raw(group);
    expect(rank <= rank_exact_);
    code = rank - 1;
  } else {
    code = rank_exact_ + (group - rank_exact_groups_);
  }
  expect(code < rank_codes_[list]);
  return static_cast<std::uint16_t>(list << kValueListShift | code);
}

// The values of words [word, end) if `words` is null, else of words[word, end).
void CompactDictionaries::decode_values(RansDecoder& rans, std::uint32_t word, std::uint32_t end,
                                        const std::uint32_t* words) const {
  unsigned previous = kSeveralLists;
  for (; word < end; ++word) {
    const std::uint32_t w = words != nullptr ? words[word] : word;
    const unsigned list = rans.symbol(models_[kListModel][previous]);
    if (list < kListCount) {
      value_[w] = decode_rank(rans, list);
    } else {
      expect(list == kSeveralLists && std::binary_search(several_words_.begin(), several_words_.end(), w));
    }
    previous = list;
  }
}

void CompactDictionaries::decode_block(std::uint32_t b) const {
  const Block& block = blocks_[b];
  RansDecoder rans(block.stream, block.stream_size);
  Cursor c{rans, block.first_state, block.first_state + block.states, block.first_edge,
           block.first_edge + block.edges, nullptr};
  std::uint32_t below = block.skip;
  for (std::uint32_t e = block.first_root_edge; e < block.first_root_edge + block.roots; ++e) {
    target_[e] = decode_state(c, label_[e], 1);
    skip_[e] = below;
    below += words_below_[target_[e]];
  }
  expect(below - block.skip == block.words && c.state == c.state_end && c.edge == c.edge_end);
  decode_values(rans, block.first_word, block.first_word + block.words, nullptr);
  expect(rans.finished());
}

void CompactDictionaries::prefixes(std::u16string_view text, std::vector<PrefixHit>& out) const {
  const std::size_t n = std::min(text.size(), max_word_length_);
  std::uint32_t s = root_;
  std::uint32_t word = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned code = code_of(text[i]);
    if (code == kNoCode) return;
    const std::uint8_t* begin = label_ + first_edge_[s];
    const std::uint8_t* end = begin + edge_count_[s];
    const std::uint8_t* e = end - begin > 8 ? std::lower_bound(begin, end, code) : begin;
    while (e != end && *e < code) ++e;
    if (e == end || *e != code) return;
    const std::uint32_t edge = static_cast<std::uint32_t>(e - label_);
    if (s < top_end_ && s >= root_) {
      const std::uint16_t b = block_of_top_edge_.data()[edge - top_edge_begin_];
      if (b != kNoBlock) std::call_once(block_once_[b], [this, b] { decode_block(b); });
    }
    word += skip_[edge];
    s = target_[edge];
    if (final_[s]) report(word, i + 1, out);
  }
}

// FNV-1a's step on 32-bit little-endian words, the last one zero-padded, as
// tools/build-dictionaries.mjs computes it. Called through apart().
std::uint32_t blob_hash(const std::uint8_t* bytes, std::size_t size) {
  std::uint32_t hash = 0x811c9dc5;
  std::size_t i = 0;
  for (; i + 4 <= size; i += 4) {
    const std::uint32_t word = std::uint32_t{bytes[i]} | std::uint32_t{bytes[i + 1]} << 8 |
                               std::uint32_t{bytes[i + 2]} << 16 | std::uint32_t{bytes[i + 3]} << 24;
    hash = (hash ^ word) * 0x01000193u;
  }
  if (i < size) {
    std::uint32_t word = 0;
    for (unsigned k = 0; i + k < size; ++k) word |= std::uint32_t{bytes[i + k]} << (8 * k);
    hash = (hash ^ word) * 0x01000193u;
  }
  return hash;
}

}  // namespace

#if PORTCULLIS_EMBED_DICTIONARY
const Dictionaries& Dictionaries::builtin() {
  // C++ guarantees a single, thread-safe initialisation.
  static const CompactDictionaries dictionaries(generated::kDictionaryData, generated::kDictionaryDataSize);
  return dictionaries;
}
#endif

}  // namespace portcullis::strength

namespace portcullis {

std::size_t StrengthDictionaries::blob_size() { return strength::generated::kDictionaryDataSize; }

std::unique_ptr<const StrengthDictionaries> StrengthDictionaries::from_blob(std::unique_ptr<std::uint8_t[]> blob,
                                                                          std::size_t size) {
  if (!blob || size != strength::generated::kDictionaryDataSize) return nullptr;
  if (strength::apart(&strength::blob_hash)(blob.get(), size) != strength::generated::kDictionaryDataHash) {
    return nullptr;
  }
  // The very blob the library was built with, so decoding cannot fail.
  return std::make_unique<strength::CompactDictionaries>(std::move(blob), size);
}

}  // namespace portcullis
