// Internal: zxcvbn 4.4.2's matchers (matching.coffee), ported to UTF-16 strings.
//
// Every matcher proposes candidate matches over inclusive code unit ranges [i, j]; omnimatch()
// concatenates them in zxcvbn's order and sorts them stably by (i, j), which is also the order in
// which the search breaks ties. The headers of this directory include each other by sibling path,
// so that the unit tests can include them too.

#ifndef PORTCULLIS_SRC_STRENGTH_MATCHING_H_
#define PORTCULLIS_SRC_STRENGTH_MATCHING_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <utility>
#include <vector>

#include "dictionary.h"

namespace portcullis::strength {

enum class Pattern : std::uint8_t { kDictionary, kSpatial, kRepeat, kSequence, kRegex, kDate, kBruteforce };

// zxcvbn's name of the pattern, e.g. "dictionary".
const char* pattern_name(Pattern pattern);

// The user inputs are a seventh ranked dictionary, after the six lists.
inline constexpr int kUserInputsDictionary = kListCount;

// zxcvbn's name of a dictionary index: list_name() for the lists, "user_inputs" after them.
std::string_view dictionary_name(int dictionary);

struct Match {
  Pattern pattern = Pattern::kBruteforce;
  int i = 0;
  int j = 0;
  std::u16string token;

  // dictionary
  int dictionary = 0;  // a List, or kUserInputsDictionary
  std::u16string matched_word;
  double rank = 0;  // NaN where zxcvbn's lookup finds Object.prototype (see matching.cc)
  bool reversed = false;
  bool l33t = false;
  std::vector<std::pair<char16_t, char16_t>> sub;  // substitute -> letter, in JS key order

  // spatial
  int graph = 0;  // index into kGraphs
  int turns = 0;
  int shifted_count = 0;

  // repeat
  std::u16string base_token;
  double base_guesses = 0;  // repeat: the base's guesses; dictionary: the rank
  int repeat_count = 0;

  // sequence
  const char* sequence_name = "";
  int sequence_space = 0;
  bool ascending = false;

  // regex
  const char* regex_name = "";

  // date
  char16_t separator = 0;  // 0: none
  int year = 0;
  int month = 0;
  int day = 0;

  // Scoring (estimate_guesses caches these, as zxcvbn caches them on the match object).
  bool has_guesses = false;
  double guesses = 0;
  double guesses_log10 = 0;
  double uppercase_variations = 0;
  double l33t_variations = 0;
};

// The user inputs as zxcvbn's ranked dictionary: lowercased, rank = position + 1 (a repeated input
// keeps its last position, as zxcvbn's object assignment does).
class UserInputs {
 public:
  UserInputs() = default;
  explicit UserInputs(const std::vector<std::u16string>& lowercased_inputs);

  // Returns the rank of `word`, or 0 if it is not an input.
  double rank(std::u16string_view word) const;
  std::size_t max_length() const { return max_length_; }
  // The distinct lengths of the (non-empty) inputs, ascending.
  const std::vector<std::size_t>& lengths() const { return lengths_; }
  // Whether an input starts with `unit`.
  bool may_start(char16_t unit) const;

 private:
  std::vector<std::pair<std::u16string, double>> ranks_;  // sorted by word, each word once
  std::size_t max_length_ = 0;
  std::vector<std::size_t> lengths_;
  std::vector<char16_t> first_units_;
};

// zxcvbn reads its reference year from the clock; this port takes it with the other inputs.
struct MatchContext {
  const Dictionaries& dictionaries;
  const UserInputs& user_inputs;
  int reference_year;
  // The bound on l33t enumeration (see l33t_sub_limit).
  std::size_t l33t_scan_budget;
};

// zxcvbn scans the whole password once per substitution map (up to 736 maps). Only the first
// l33t_sub_limit() maps of its enumeration are tried: as many as fit in the budget of map x code
// unit scans, and at least kMinL33tSubs (zxcvbn-ts's cap). With the default budget that is 100
// maps at 256 code units, 200 at 128, and every map up to 34.
inline constexpr std::size_t kL33tScanBudget = 25600;
inline constexpr std::size_t kMinL33tSubs = 100;
inline std::size_t l33t_sub_limit(std::size_t budget, std::size_t length) {
  return length == 0 ? budget : std::max(kMinL33tSubs, budget / length);
}

// The l33t table, in zxcvbn's order: letter and its substitutes.
struct L33tEntry {
  char16_t letter;
  std::u16string_view substitutes;
};
extern const L33tEntry kL33tTable[12];

// One of zxcvbn's substitution maps: (substitute, letter) pairs in the order zxcvbn built them.
using L33tSub = std::vector<std::pair<char16_t, char16_t>>;

// relevant_l33t_subtable + enumerate_l33t_subs: every substitution map zxcvbn tries for
// `password`, in its order. Empty when the password has no substitute character.
std::vector<L33tSub> enumerate_l33t_subs(std::u16string_view password);

std::vector<Match> dictionary_match(std::u16string_view password, const MatchContext& ctx);
std::vector<Match> reverse_dictionary_match(std::u16string_view password, const MatchContext& ctx);
std::vector<Match> l33t_match(std::u16string_view password, const MatchContext& ctx);
std::vector<Match> spatial_match(std::u16string_view password);
std::vector<Match> repeat_match(std::u16string_view password, const MatchContext& ctx);
std::vector<Match> sequence_match(std::u16string_view password);
std::vector<Match> regex_match(std::u16string_view password);
std::vector<Match> date_match(std::u16string_view password, int reference_year);

// All matchers, in zxcvbn's order, sorted stably by (i, j).
std::vector<Match> omnimatch(std::u16string_view password, const MatchContext& ctx);

}  // namespace portcullis::strength

#endif  // PORTCULLIS_SRC_STRENGTH_MATCHING_H_
