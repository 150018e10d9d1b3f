// Portcullis core: password strength, compatible with zxcvbn 4.4.2's model.
//
// The pipeline reads top to bottom, as zxcvbn's does: matching (dictionary with reversed words and
// l33t substitutions, keyboard patterns, repeats, sequences, recent years, dates) -> search (the
// decomposition with the fewest guesses) -> score 0-4 -> crack times -> feedback. The dictionaries
// are zxcvbn's frequency lists, built into a compact form at build time and embedded in the library,
// so the browser (wasm) and the server compute the very same verdict.
//
// Lengths and indices are UTF-16 code units, as in zxcvbn (an emoji counts 2), and text follows
// JavaScript's rules where zxcvbn relies on them: String.prototype.toLowerCase as Node 20 computes
// it (every code point of Unicode 17's default lowercase mapping, U+0130 -> "i" U+0307, which
// grows the text, and the Final_Sigma rule for U+03A3), regex \d as ASCII digits, \s as Unicode
// white space, '.' as anything but a line terminator, Math.pow and Math.log to the last bit as V8
// computes them (so the wasm and native builds agree to the bit too).
//
// Fidelity and bounds. Every result (score, guesses, sequence, feedback) is the one zxcvbn 4.4.2
// computes with the ranks the embedded lists store (exact up to 255, approximated above within
// 0.031 in log10: see src/strength/dictionary.cc), except where zxcvbn's work explodes
// (dropbox/zxcvbn#316: a 42-character symbol string takes seconds). Two bounds keep any input,
// whatever its length and characters, well under 50 ms natively (measured on a busy 2-core VM, the
// worst inputs found took 4 ms up to 128 code units and 21 ms at 10,000):
//  - l33t: zxcvbn tries every substitution map its table allows for the password's characters (up
//    to 736 maps, each a full dictionary scan). Only the first maps of zxcvbn's own enumeration are
//    tried: as many as fit in a budget of 25,600 map x code unit scans, and at least 100 (zxcvbn-ts
//    caps at 100): every map up to 34 code units, 200 at 128, 100 at 256. It takes ten or more
//    distinct substitute characters (of 4 @ 8 ( { [ < 3 6 9 1 ! | $ 5 + 7 % 2 0) to need more than
//    100 maps, so ordinary passwords are unaffected; in one that does, a l33t word that only a
//    later map decodes is missed, and the guesses can be higher than zxcvbn's.
//  - length: the matchers read the first 256 UTF-16 code units only (`truncated` is then set); the
//    rest can only be covered by bruteforce. The search still spans the whole password, so the
//    result is zxcvbn's search over these matches (e.g. a bruteforce tail of 10^(length - 256)).
//    The password policy's maximum, 128, is well within.
// As in zxcvbn, guesses can overflow to Infinity on very long inputs (score 4, "centuries").

#ifndef PORTCULLIS_STRENGTH_H_
#define PORTCULLIS_STRENGTH_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace portcullis {

struct StrengthOptions {
  // The year dates and recent years are measured against. zxcvbn reads the clock when it loads;
  // here it is an input, so results are reproducible. 0 means "the current UTC year".
  int reference_year = 0;
};

// One piece of the cheapest decomposition, with zxcvbn's field names in the comments.
struct StrengthMatch {
  std::string pattern;  // "dictionary", "spatial", "repeat", "sequence", "regex", "date", "bruteforce"
  int i = 0;            // first UTF-16 index (inclusive)
  int j = 0;            // last UTF-16 index (inclusive)
  std::string token;    // the matched text (UTF-8)
  double guesses = 0;
  double guesses_log10 = 0;
  // dictionary
  std::string dictionary_name;  // "passwords", "english_wikipedia", ..., "user_inputs"
  std::string matched_word;
  double rank = 0;
  bool reversed = false;
  bool l33t = false;
  std::vector<std::pair<std::string, std::string>> sub;  // l33t: substitute -> letter
  std::string sub_display;           // l33t: e.g. "@ -> a, 0 -> o"
  double uppercase_variations = 0;   // the factor for capitalisation
  double l33t_variations = 0;        // the factor for substitutions
  // spatial
  std::string graph;
  int turns = 0;
  int shifted_count = 0;
  // repeat (base_guesses is also the rank for dictionary matches, as in zxcvbn)
  std::string base_token;
  double base_guesses = 0;
  int repeat_count = 0;
  // sequence
  std::string sequence_name;
  int sequence_space = 0;
  bool ascending = false;
  // regex
  std::string regex_name;
  // date
  std::string separator;
  int year = 0;
  int month = 0;
  int day = 0;
};

struct CrackTimes {
  double online_throttling_100_per_hour = 0;
  double online_no_throttling_10_per_second = 0;
  double offline_slow_hashing_1e4_per_second = 0;
  double offline_fast_hashing_1e10_per_second = 0;
};

struct CrackTimesDisplay {
  std::string online_throttling_100_per_hour;
  std::string online_no_throttling_10_per_second;
  std::string offline_slow_hashing_1e4_per_second;
  std::string offline_fast_hashing_1e10_per_second;
};

// Feedback with stable keys (for translation) and zxcvbn's English text.
struct StrengthFeedback {
  std::string warning_key;  // "" for none; e.g. "topTen", "straightRow", "dates"
  std::string warning;      // English, zxcvbn 4.4.2's wording
  std::vector<std::string> suggestion_keys;
  std::vector<std::string> suggestions;
};

struct Strength {
  int score = 0;  // 0-4
  double guesses = 0;
  double guesses_log10 = 0;
  CrackTimes crack_times_seconds;
  CrackTimesDisplay crack_times_display;
  StrengthFeedback feedback;
  std::vector<StrengthMatch> sequence;
  bool truncated = false;  // longer than the 256 code units the matchers read (see the top)
};

// zxcvbn's ranked lists, in the compact form tools/build-dictionaries.mjs writes at build time (a
// blob of ~240 KB). Native builds embed the blob (PORTCULLIS_EMBED_DICTIONARY, the default); the
// wasm build does not: the npm package ships it as dist/portcullis-dictionary.bin, which its loader
// fetches only when strength is first needed, and hands over with from_blob().
class StrengthDictionaries {
 public:
  StrengthDictionaries(const StrengthDictionaries&) = delete;
  StrengthDictionaries& operator=(const StrengthDictionaries&) = delete;
  virtual ~StrengthDictionaries() = default;

  // Takes ownership of `blob` and decodes it (~1 ms natively, a few ms in wasm; parts are decoded
  // later, at first use, from the blob, which is kept). Returns null (and frees the blob) unless it
  // is exactly the blob this build of the library was made with (same size and FNV-1a hash): a
  // truncated download or a stale file from another version is refused, never misread.
  static std::unique_ptr<const StrengthDictionaries> from_blob(std::unique_ptr<std::uint8_t[]> blob,
                                                               std::size_t size);

  // The blob's expected size in bytes (what from_blob() accepts).
  static std::size_t blob_size();

 protected:
  StrengthDictionaries() = default;
};

// Estimates the strength of `password` (UTF-8; each malformed sequence is read as one U+FFFD, as
// TextDecoder reads it), with `user_inputs` (e.g. the user's e-mail and name; lowercased, ranked by
// position) as an extra dictionary, as zxcvbn does. Tokens are UTF-8, a token that splits a
// surrogate pair (a reversed or sliced emoji) showing U+FFFD for the half. Never fails.
Strength estimate_strength(std::string_view password, const StrengthDictionaries& dictionaries,
                           const std::vector<std::string>& user_inputs = {}, const StrengthOptions& options = {});

// The same with the embedded dictionaries (decoded at first use, thread-safe). Only in builds that
// embed them (PORTCULLIS_EMBED_DICTIONARY: the native ones).
Strength estimate_strength(std::string_view password, const std::vector<std::string>& user_inputs = {},
                           const StrengthOptions& options = {});

}  // namespace portcullis

#endif  // PORTCULLIS_STRENGTH_H_
