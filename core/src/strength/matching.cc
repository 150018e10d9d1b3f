// zxcvbn 4.4.2's matching.coffee, matcher by matcher. Comments name the zxcvbn behaviour each
// non-obvious line reproduces.

#include "strength/matching.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <limits>
#include <optional>
#include <set>
#include <tuple>

#include "strength/adjacency_graphs.h"
#include "strength/js_string.h"
#include "strength/small_sort.h"
#include "strength/scoring.h"

namespace portcullis::strength {

const L33tEntry kL33tTable[12] = {
    {u'a', u"4@"}, {u'b', u"8"},   {u'c', u"({[<"}, {u'e', u"3"}, {u'g', u"69"}, {u'i', u"1!|"},
    {u'l', u"1|7"}, {u'o', u"0"},  {u's', u"$5"},   {u't', u"+7"}, {u'x', u"%"},  {u'z', u"2"},
};

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void sort_by_i_j(std::vector<Match>& matches) {
  small_stable_sort(matches, [](const Match& a, const Match& b) { return a.i != b.i ? a.i < b.i : a.j < b.j; });
}

void extend(std::vector<Match>& to, std::vector<Match>&& from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

std::u16string reversed(std::u16string_view s) { return std::u16string(s.rbegin(), s.rend()); }

// ---------------------------------------------------------------------------------------------
// Dictionary lookups.
//
// zxcvbn tests `word of ranked_dict`, JavaScript's `in`, which also finds Object.prototype's
// properties. Of those, only "constructor" and "__proto__" can be lowercase substrings; their
// "rank" is a function or an object, so their guesses are NaN. Such matches never win the search,
// but they do take part in it (a NaN candidate overwrites a stored one), so they are reproduced:
// "__proto__" is NaN in every dictionary (assigning it never makes an own key), "constructor" in
// every dictionary that does not hold the word itself.

constexpr std::u16string_view kConstructor = u"constructor";
constexpr std::u16string_view kProto = u"__proto__";

struct WindowHit {
  int length;
  int dictionary;
  double rank;
};

// Finds every dictionary word that starts a text position, the text being lowercased.
class DictionaryScanner {
 public:
  explicit DictionaryScanner(const MatchContext& ctx) : ctx_(ctx) {
    window_ = std::max({ctx.dictionaries.max_word_length(), ctx.user_inputs.max_length(), kConstructor.size()});
  }

  // Calls visit(i, length, dictionary, rank) for every i < limit and word lower[i..i+length) with
  // i + length <= limit, ordered by i, then length, then dictionary (zxcvbn's order after its
  // stable sort).
  //
  // `needed`, if not empty, says that only words reaching position needed[i] are wanted from i
  // (the l33t matcher's words must contain a substitution): windows that cannot reach it are
  // skipped.
  template <typename Visit>
  void scan(std::u16string_view lower, std::size_t limit, Visit&& visit, const std::vector<std::size_t>& needed = {}) {
    limit = std::min(limit, lower.size());
    for (std::size_t i = 0; i < limit; ++i) {
      const std::u16string_view window = lower.substr(i, std::min(window_, limit - i));
      if (!needed.empty() && needed[i] >= i + window.size()) continue;
      collect(window);
      for (const WindowHit& hit : hits_) visit(static_cast<int>(i), hit.length, hit.dictionary, hit.rank);
    }
  }

 private:
  void collect(std::u16string_view window) {
    hits_.clear();
    prefix_hits_.clear();
    ctx_.dictionaries.prefixes(window, prefix_hits_);
    for (const PrefixHit& h : prefix_hits_) {
      hits_.push_back({static_cast<int>(h.length), static_cast<int>(h.list), static_cast<double>(h.rank)});
    }
    bool unordered = false;
    const bool proto = window.substr(0, kProto.size()) == kProto;
    const bool constructor = window.substr(0, kConstructor.size()) == kConstructor;
    if (proto || constructor) {
      const int length = static_cast<int>(proto ? kProto.size() : kConstructor.size());
      for (int d = 0; d < kListCount; ++d) {
        auto own = std::find_if(hits_.begin(), hits_.end(),
                                [&](const WindowHit& h) { return h.length == length && h.dictionary == d; });
        if (own == hits_.end()) {
          hits_.push_back({length, d, kNaN});
          unordered = true;
        } else if (proto) {
          own->rank = kNaN;
        }
      }
    }
    const UserInputs& user = ctx_.user_inputs;
    if (user.may_start(window.empty() ? 0 : window[0])) {
      for (const std::size_t length : user.lengths()) {
        if (length > window.size()) break;
        const std::u16string_view word = window.substr(0, length);
        const double rank = user.rank(word);
        if (rank != 0 && word != kProto && word != kConstructor) {
          hits_.push_back({static_cast<int>(length), kUserInputsDictionary, rank});
          unordered = true;
        }
      }
    }
    // user_inputs is a JS object too: "__proto__" is never its own key, "constructor" may be.
    if (proto || constructor) {
      const std::u16string_view word = proto ? kProto : kConstructor;
      const double own = proto ? 0 : user.rank(word);
      hits_.push_back({static_cast<int>(word.size()), kUserInputsDictionary, own != 0 ? own : kNaN});
      unordered = true;
    }
    if (unordered) {
      small_stable_sort(hits_, [](const WindowHit& a, const WindowHit& b) {
        return a.length != b.length ? a.length < b.length : a.dictionary < b.dictionary;
      });
    }
  }

  const MatchContext& ctx_;
  std::size_t window_;
  std::vector<PrefixHit> prefix_hits_;
  std::vector<WindowHit> hits_;
};

Match dictionary_match_at(std::u16string_view password, std::u16string_view lower, int i, int length,
                          int dictionary, double rank) {
  Match m;
  m.pattern = Pattern::kDictionary;
  m.i = i;
  m.j = i + length - 1;
  m.token = std::u16string(password.substr(static_cast<std::size_t>(i), static_cast<std::size_t>(length)));
  m.matched_word = std::u16string(lower.substr(static_cast<std::size_t>(i), static_cast<std::size_t>(length)));
  m.rank = rank;
  m.dictionary = dictionary;
  return m;
}

std::vector<Match> dictionary_match_with(std::u16string_view password, DictionaryScanner& scanner) {
  // zxcvbn lowercases the whole password but takes substrings at the original indices, so a
  // lowercasing that grows the text (U+0130) shifts what later indices read; reproduced.
  const std::u16string lower = js_to_lower(password);
  std::vector<Match> matches;
  scanner.scan(lower, password.size(), [&](int i, int length, int dictionary, double rank) {
    matches.push_back(dictionary_match_at(password, lower, i, length, dictionary, rank));
  });
  return matches;
}

// ---------------------------------------------------------------------------------------------
// Spatial.

const GraphKey* const* graph_index(int graph) {
  static const auto indexes = [] {
    std::array<std::array<const GraphKey*, 128>, kGraphCount> all{};
    for (int g = 0; g < kGraphCount; ++g) {
      for (std::size_t k = 0; k < kGraphs[g].key_count; ++k) {
        const GraphKey& key = kGraphs[g].keys[k];
        all[static_cast<std::size_t>(g)][static_cast<unsigned char>(key.key)] = &key;
      }
    }
    return all;
  }();
  return indexes[static_cast<std::size_t>(graph)].data();
}

bool is_shifted(char16_t c) {
  static constexpr std::u16string_view kShifted = u"~!@#$%^&*()_+QWERTYUIOP{}|ASDFGHJKL:\"ZXCVBNM<>?";
  return kShifted.find(c) != std::u16string_view::npos;
}

// Index of `c` in the neighbour slot `slot`, or -1.
int slot_index(const char (&slot)[2], char16_t c) {
  for (int k = 0; k < 2 && slot[k] != '\0'; ++k) {
    if (static_cast<char16_t>(static_cast<unsigned char>(slot[k])) == c) return k;
  }
  return -1;
}

void spatial_match_helper(std::u16string_view password, int graph, std::vector<Match>& matches) {
  const GraphKey* const* keys = graph_index(graph);
  const int slot_count = kGraphs[graph].slot_count;
  const bool keyboard = graph <= 1;  // qwerty, dvorak
  const int n = static_cast<int>(password.size());
  int i = 0;
  while (i < n - 1) {
    int j = i + 1;
    int last_direction = -2;  // null
    int turns = 0;
    int shifted_count = keyboard && is_shifted(password[static_cast<std::size_t>(i)]) ? 1 : 0;
    for (;;) {
      const char16_t prev = password[static_cast<std::size_t>(j - 1)];
      const GraphKey* adjacents = prev < 128 ? keys[prev] : nullptr;
      bool found = false;
      if (j < n && adjacents != nullptr) {
        const char16_t cur = password[static_cast<std::size_t>(j)];
        for (int direction = 0; direction < slot_count; ++direction) {
          const int index = slot_index(adjacents->slots[direction], cur);
          if (index == -1) continue;
          found = true;
          // Index 1 in a slot is the shifted character: '@' in "2@".
          if (index == 1) ++shifted_count;
          // A change of direction is a turn; the first step is one too.
          if (last_direction != direction) {
            ++turns;
            last_direction = direction;
          }
          break;
        }
      }
      if (found) {
        ++j;
        continue;
      }
      if (j - i > 2) {  // runs of 3 or more
        Match m;
        m.pattern = Pattern::kSpatial;
        m.i = i;
        m.j = j - 1;
        m.token = std::u16string(password.substr(static_cast<std::size_t>(i), static_cast<std::size_t>(j - i)));
        m.graph = graph;
        m.turns = turns;
        m.shifted_count = shifted_count;
        matches.push_back(std::move(m));
      }
      i = j;
      break;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Repeat: /(.+)\1+/g and /(.+?)\1+/g with JavaScript's backtracking.

struct Repeat {
  std::size_t start;
  std::size_t unit;
  std::size_t reps;
};

bool same_block(std::u16string_view s, std::size_t a, std::size_t b, std::size_t length) {
  return s.compare(a, length, s, b, length) == 0;
}

// The leftmost match starting at or after `from`. At a start, (.+) is the run of characters '.'
// accepts; greedy tries the longest unit first, lazy the shortest; \1+ then repeats the unit as
// often as it can (nothing follows it in the pattern).
std::optional<Repeat> find_repeat(std::u16string_view s, std::size_t from, bool greedy) {
  const std::size_t n = s.size();
  for (std::size_t start = from; start < n; ++start) {
    std::size_t dots = 0;
    while (start + dots < n && js_dot_matches(s[start + dots])) ++dots;
    const std::size_t max_unit = std::min(dots, (n - start) / 2);
    for (std::size_t k = 0; k < max_unit; ++k) {
      const std::size_t unit = greedy ? max_unit - k : k + 1;
      if (!same_block(s, start, start + unit, unit)) continue;
      std::size_t reps = 2;
      while (start + (reps + 1) * unit <= n && same_block(s, start, start + reps * unit, unit)) ++reps;
      return Repeat{start, unit, reps};
    }
  }
  return std::nullopt;
}

// /^(.+?)\1+$/ on a token that is a repetition: its shortest period that divides it.
std::size_t shortest_period(std::u16string_view token) {
  const std::size_t n = token.size();
  for (std::size_t unit = 1; unit <= n / 2; ++unit) {
    if (n % unit != 0) continue;
    bool periodic = true;
    for (std::size_t k = unit; k < n && periodic; k += unit) periodic = same_block(token, 0, k, unit);
    if (periodic) return unit;
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Date.

struct Dmy {
  int year;
  int month;
  int day;
};

constexpr int kDateMaxYear = 2050;
constexpr int kDateMinYear = 1000;

std::optional<std::pair<int, int>> map_ints_to_dm(int a, int b) {  // -> (day, month)
  if (1 <= a && a <= 31 && 1 <= b && b <= 12) return std::make_pair(a, b);
  if (1 <= b && b <= 31 && 1 <= a && a <= 12) return std::make_pair(b, a);
  return std::nullopt;
}

int two_to_four_digit_year(int year) {
  if (year > 99) return year;
  if (year > 50) return year + 1900;
  return year + 2000;
}

std::optional<Dmy> map_ints_to_dmy(const std::array<int, 3>& ints) {
  if (ints[1] > 31 || ints[1] <= 0) return std::nullopt;
  int over_12 = 0;
  int over_31 = 0;
  int under_1 = 0;
  for (const int v : ints) {
    if ((99 < v && v < kDateMinYear) || v > kDateMaxYear) return std::nullopt;
    if (v > 31) ++over_31;
    if (v > 12) ++over_12;
    if (v <= 0) ++under_1;
  }
  if (over_31 >= 2 || over_12 == 3 || under_1 >= 2) return std::nullopt;
  // (year, rest): year last, then year first.
  const std::array<std::array<int, 3>, 2> splits = {{{ints[2], ints[0], ints[1]}, {ints[0], ints[1], ints[2]}}};
  for (const auto& [y, a, b] : splits) {
    if (kDateMinYear <= y && y <= kDateMaxYear) {
      // A four-digit year whose rest is no day and month: not a date.
      const auto dm = map_ints_to_dm(a, b);
      if (!dm) return std::nullopt;
      return Dmy{y, dm->second, dm->first};
    }
  }
  for (const auto& [y, a, b] : splits) {
    const auto dm = map_ints_to_dm(a, b);
    if (dm) return Dmy{two_to_four_digit_year(y), dm->second, dm->first};
  }
  return std::nullopt;
}

int parse_digits(std::u16string_view digits) {
  int v = 0;
  for (const char16_t c : digits) v = v * 10 + (c - u'0');
  return v;
}

bool is_date_separator(char16_t c) {
  return js_is_space(c) || c == u'/' || c == u'\\' || c == u'_' || c == u'.' || c == u'-';
}

// /^(\d{1,4})([\s/\\_.-])(\d{1,2})\2(\d{1,4})$/ (separators are never digits, so the split is
// unique).
std::optional<std::pair<std::array<int, 3>, char16_t>> parse_separated_date(std::u16string_view token) {
  std::size_t p = 0;
  while (p < token.size() && js_is_digit(token[p])) ++p;
  if (p < 1 || p > 4 || p >= token.size() || !is_date_separator(token[p])) return std::nullopt;
  const char16_t sep = token[p];
  std::size_t q = p + 1;
  while (q < token.size() && js_is_digit(token[q])) ++q;
  if (q - (p + 1) < 1 || q - (p + 1) > 2 || q >= token.size() || token[q] != sep) return std::nullopt;
  std::size_t r = q + 1;
  while (r < token.size() && js_is_digit(token[r])) ++r;
  if (r != token.size() || r - (q + 1) < 1 || r - (q + 1) > 4) return std::nullopt;
  return std::make_pair(std::array<int, 3>{parse_digits(token.substr(0, p)), parse_digits(token.substr(p + 1, q - p - 1)),
                                           parse_digits(token.substr(q + 1))},
                        sep);
}

}  // namespace

// ---------------------------------------------------------------------------------------------

const char* pattern_name(Pattern pattern) {
  switch (pattern) {
    case Pattern::kDictionary:
      return "dictionary";
    case Pattern::kSpatial:
      return "spatial";
    case Pattern::kRepeat:
      return "repeat";
    case Pattern::kSequence:
      return "sequence";
    case Pattern::kRegex:
      return "regex";
    case Pattern::kDate:
      return "date";
    case Pattern::kBruteforce:
      break;
  }
  return "bruteforce";
}

std::string_view dictionary_name(int dictionary) {
  // zxcvbn's frequency_lists order (List's order), then the user inputs.
  static constexpr std::string_view kNames[kListCount + 1] = {
      "passwords", "english_wikipedia", "female_names", "surnames", "us_tv_and_film", "male_names", "user_inputs"};
  return dictionary >= 0 && dictionary <= kListCount ? kNames[dictionary] : std::string_view();
}

UserInputs::UserInputs(const std::vector<std::u16string>& lowercased_inputs) {
  double rank = 1;
  for (const std::u16string& input : lowercased_inputs) {
    ranks_.emplace_back(input, rank);
    rank += 1;
    max_length_ = std::max(max_length_, input.size());
    if (!input.empty()) {
      lengths_.push_back(input.size());
      first_units_.push_back(input[0]);
    }
  }
  // An input given twice keeps its last rank (zxcvbn builds an object: the last write wins). Sorted
  // stably by word, the last of equal words is the one kept.
  small_stable_sort(ranks_, [](const auto& a, const auto& b) { return a.first < b.first; });
  std::size_t kept = 0;
  for (std::size_t k = 0; k < ranks_.size(); ++k) {
    if (k + 1 < ranks_.size() && ranks_[k + 1].first == ranks_[k].first) continue;
    if (kept != k) ranks_[kept] = std::move(ranks_[k]);
    ++kept;
  }
  ranks_.resize(kept);
  small_stable_sort(lengths_, [](std::size_t a, std::size_t b) { return a < b; });
  lengths_.erase(std::unique(lengths_.begin(), lengths_.end()), lengths_.end());
  small_stable_sort(first_units_, [](char16_t a, char16_t b) { return a < b; });
  first_units_.erase(std::unique(first_units_.begin(), first_units_.end()), first_units_.end());
}

double UserInputs::rank(std::u16string_view word) const {
  const auto it = std::lower_bound(ranks_.begin(), ranks_.end(), word,
                                   [](const auto& entry, std::u16string_view w) { return entry.first < w; });
  return it != ranks_.end() && it->first == word ? it->second : 0;
}

bool UserInputs::may_start(char16_t unit) const {
  return std::binary_search(first_units_.begin(), first_units_.end(), unit);
}

std::vector<Match> dictionary_match(std::u16string_view password, const MatchContext& ctx) {
  DictionaryScanner scanner(ctx);
  return dictionary_match_with(password, scanner);
}

std::vector<Match> reverse_dictionary_match(std::u16string_view password, const MatchContext& ctx) {
  // Reversal is by code unit, as split('').reverse() does: it splits surrogate pairs.
  const std::u16string reversed_password = reversed(password);
  std::vector<Match> matches = dictionary_match(reversed_password, ctx);
  const int n = static_cast<int>(password.size());
  for (Match& m : matches) {
    m.token = reversed(m.token);
    m.reversed = true;
    const int i = n - 1 - m.j;
    m.j = n - 1 - m.i;
    m.i = i;
  }
  sort_by_i_j(matches);
  return matches;
}

std::vector<L33tSub> enumerate_l33t_subs(std::u16string_view password) {
  // relevant_l33t_subtable: the table's entries whose substitutes occur in the password.
  std::vector<std::pair<char16_t, std::u16string>> table;
  for (const L33tEntry& entry : kL33tTable) {
    std::u16string present;
    for (const char16_t sub : entry.substitutes) {
      if (password.find(sub) != std::u16string_view::npos) present.push_back(sub);
    }
    if (!present.empty()) table.emplace_back(entry.letter, present);
  }
  if (table.empty()) return {};
  // enumerate_l33t_subs: letter by letter, each substitute of the letter either extends a map or,
  // if the map already uses that substitute for another letter, gives both the map unchanged and
  // the map with the substitute moved to this letter. dedup() keeps the first of identical lists
  // (its labels include each pair's position, so only identical orderings are duplicates).
  std::vector<L33tSub> subs(1);
  for (const auto& [letter, substitutes] : table) {
    std::vector<L33tSub> next;
    for (const char16_t l33t_chr : substitutes) {
      for (const L33tSub& sub : subs) {
        auto dup = std::find_if(sub.begin(), sub.end(), [&](const auto& p) { return p.first == l33t_chr; });
        if (dup == sub.end()) {
          L33tSub extension = sub;
          extension.emplace_back(l33t_chr, letter);
          next.push_back(std::move(extension));
        } else {
          L33tSub alternative = sub;
          alternative.erase(alternative.begin() + (dup - sub.begin()));
          alternative.emplace_back(l33t_chr, letter);
          next.push_back(sub);
          next.push_back(std::move(alternative));
        }
      }
    }
    std::set<L33tSub> seen;
    subs.clear();
    for (L33tSub& sub : next) {
      if (seen.insert(sub).second) subs.push_back(std::move(sub));
    }
  }
  // As a JS object, a map lists its integer-like keys ('0'-'9') first, ascending, then the others
  // in insertion order; match.sub and the l33t variations follow that order.
  for (L33tSub& sub : subs) {
    small_stable_sort(sub, [](const auto& a, const auto& b) {
      const bool da = js_is_digit(a.first);
      const bool db = js_is_digit(b.first);
      if (da != db) return da;
      return da && a.first < b.first;
    });
  }
  return subs;
}

std::vector<Match> l33t_match(std::u16string_view password, const MatchContext& ctx) {
  std::vector<L33tSub> subs = enumerate_l33t_subs(password);
  // The bound (strength.h): only the first maps of zxcvbn's enumeration.
  const std::size_t limit = l33t_sub_limit(ctx.l33t_scan_budget, password.size());
  if (subs.size() > limit) subs.resize(limit);
  DictionaryScanner scanner(ctx);
  std::vector<Match> matches;
  // zxcvbn lists a match once per map that finds it. The copies have the same span, word and
  // guesses, so the search rejects every copy after the first: only the first is kept. (Not for
  // NaN guesses, which the search never rejects; see DictionaryScanner.)
  std::set<std::tuple<int, int, int, std::u16string>> found;
  // A word without a substitution is dropped (its token lowercases to the word). When lowercasing
  // maps code point by code point, without context or change of length (no U+03A3, no U+0130),
  // such words need not be looked up at all: positions from which no word can reach a
  // substitution are skipped. (A slice that splits a surrogate pair lowercases differently, but
  // no dictionary holds a word with a lone surrogate.)
  const bool aligned = password.find(u'\u03A3') == std::u16string_view::npos &&
                       password.find(u'\u0130') == std::u16string_view::npos;
  std::vector<std::size_t> needed(aligned ? password.size() : 0);
  std::u16string subbed;
  for (const L33tSub& sub : subs) {
    subbed.assign(password);
    for (char16_t& c : subbed) {
      for (const auto& [l33t_chr, letter] : sub) {
        if (c == l33t_chr) {
          c = letter;
          break;
        }
      }
    }
    const std::u16string lower = js_to_lower(subbed);
    if (aligned) {
      // needed[i]: the first substituted position at or after i.
      std::size_t next = password.size();
      for (std::size_t k = password.size(); k-- > 0;) {
        if (subbed[k] != password[k]) next = k;
        needed[k] = next;
      }
    }
    scanner.scan(lower, password.size(), [&](int i, int length, int dictionary, double rank) {
      // Single-character l33t matches are dropped (zxcvbn filters them after the loop).
      if (length <= 1) return;
      const std::u16string_view token = password.substr(static_cast<std::size_t>(i), static_cast<std::size_t>(length));
      const std::u16string_view word = std::u16string_view(lower).substr(static_cast<std::size_t>(i),
                                                                         static_cast<std::size_t>(length));
      // Only matches that contain an actual substitution.
      if (js_to_lower(token) == word) return;
      if (!std::isnan(rank) && !found.emplace(i, length, dictionary, std::u16string(word)).second) return;
      Match m = dictionary_match_at(password, lower, i, length, dictionary, rank);
      m.l33t = true;
      for (const auto& pair : sub) {
        if (token.find(pair.first) != std::u16string_view::npos) m.sub.push_back(pair);
      }
      matches.push_back(std::move(m));
    }, needed);
  }
  sort_by_i_j(matches);
  return matches;
}

std::vector<Match> spatial_match(std::u16string_view password) {
  std::vector<Match> matches;
  for (int g = 0; g < kGraphCount; ++g) spatial_match_helper(password, g, matches);
  sort_by_i_j(matches);
  return matches;
}

std::vector<Match> repeat_match(std::u16string_view password, const MatchContext& ctx) {
  std::vector<Match> matches;
  std::size_t last_index = 0;
  while (last_index < password.size()) {
    const std::optional<Repeat> greedy = find_repeat(password, last_index, true);
    if (!greedy) break;
    const std::optional<Repeat> lazy = find_repeat(password, last_index, false);
    const std::size_t greedy_length = greedy->unit * greedy->reps;
    const std::size_t lazy_length = lazy->unit * lazy->reps;
    Match m;
    m.pattern = Pattern::kRepeat;
    std::size_t start = 0;
    std::size_t length = 0;
    std::size_t base_length = 0;
    if (greedy_length > lazy_length) {
      // Greedy beats lazy for 'aabaab'; its unit may itself repeat, so take the shortest period.
      start = greedy->start;
      length = greedy_length;
      base_length = shortest_period(password.substr(start, length));
    } else {
      start = lazy->start;
      length = lazy_length;
      base_length = lazy->unit;
    }
    m.i = static_cast<int>(start);
    m.j = static_cast<int>(start + length - 1);
    m.token = std::u16string(password.substr(start, length));
    m.base_token = std::u16string(password.substr(start, base_length));
    std::vector<Match> base_matches = omnimatch(m.base_token, ctx);
    const Analysis base = most_guessable_match_sequence(m.base_token, base_matches, ctx.reference_year);
    m.base_guesses = base.guesses;
    m.repeat_count = static_cast<int>(length / base_length);
    last_index = start + length;
    matches.push_back(std::move(m));
  }
  return matches;
}

std::vector<Match> sequence_match(std::u16string_view password) {
  std::vector<Match> result;
  const int n = static_cast<int>(password.size());
  // zxcvbn returns nothing for length 1, and its loop finds nothing for length 0.
  if (n <= 1) return result;
  const auto update = [&](int i, int j, int delta) {
    if (!(j - i > 1 || std::abs(delta) == 1)) return;
    if (!(0 < std::abs(delta) && std::abs(delta) <= 5)) return;
    const std::u16string_view token = password.substr(static_cast<std::size_t>(i), static_cast<std::size_t>(j - i + 1));
    const auto all = [&](auto pred) { return std::all_of(token.begin(), token.end(), pred); };
    Match m;
    m.pattern = Pattern::kSequence;
    m.i = i;
    m.j = j;
    m.token = std::u16string(token);
    if (all(is_ascii_lower)) {
      m.sequence_name = "lower";
      m.sequence_space = 26;
    } else if (all(is_ascii_upper)) {
      m.sequence_name = "upper";
      m.sequence_space = 26;
    } else if (all(js_is_digit)) {
      m.sequence_name = "digits";
      m.sequence_space = 10;
    } else {
      m.sequence_name = "unicode";
      m.sequence_space = 26;
    }
    m.ascending = delta > 0;
    result.push_back(std::move(m));
  };
  int i = 0;
  std::optional<int> last_delta;
  for (int k = 1; k < n; ++k) {
    const int delta = static_cast<int>(password[static_cast<std::size_t>(k)]) -
                      static_cast<int>(password[static_cast<std::size_t>(k - 1)]);
    if (!last_delta) last_delta = delta;
    if (delta == *last_delta) continue;
    const int j = k - 1;
    update(i, j, *last_delta);
    i = j;
    last_delta = delta;
  }
  update(i, n - 1, *last_delta);
  return result;
}

std::vector<Match> regex_match(std::u16string_view password) {
  // recent_year: /19\d\d|200\d|201\d/g, every alternative 4 characters long.
  std::vector<Match> matches;
  const std::size_t n = password.size();
  std::size_t k = 0;
  while (k + 4 <= n) {
    const std::u16string_view t = password.substr(k, 4);
    const bool year = (t[0] == u'1' && t[1] == u'9' && js_is_digit(t[2]) && js_is_digit(t[3])) ||
                      (t[0] == u'2' && t[1] == u'0' && (t[2] == u'0' || t[2] == u'1') && js_is_digit(t[3]));
    if (!year) {
      ++k;
      continue;
    }
    Match m;
    m.pattern = Pattern::kRegex;
    m.i = static_cast<int>(k);
    m.j = static_cast<int>(k + 3);
    m.token = std::u16string(t);
    m.regex_name = "recent_year";
    matches.push_back(std::move(m));
    k += 4;
  }
  return matches;
}

std::vector<Match> date_match(std::u16string_view password, int reference_year) {
  // DATE_SPLITS: for each length, the (k, l) where the 2nd and 3rd numbers start.
  static constexpr std::array<std::array<std::pair<int, int>, 4>, 9> kSplits = {{
      {},
      {},
      {},
      {},
      {{{1, 2}, {2, 3}}},
      {{{1, 3}, {2, 3}}},
      {{{1, 2}, {2, 4}, {4, 5}}},
      {{{1, 3}, {2, 3}, {4, 5}, {4, 6}}},
      {{{2, 4}, {4, 6}}},
  }};
  std::vector<Match> matches;
  const int n = static_cast<int>(password.size());
  const auto push = [&](int i, int j, char16_t separator, const Dmy& dmy) {
    Match m;
    m.pattern = Pattern::kDate;
    m.i = i;
    m.j = j;
    m.token = std::u16string(password.substr(static_cast<std::size_t>(i), static_cast<std::size_t>(j - i + 1)));
    m.separator = separator;
    m.year = dmy.year;
    m.month = dmy.month;
    m.day = dmy.day;
    matches.push_back(std::move(m));
  };
  // Without separators: 4 to 8 digits.
  for (int i = 0; i <= n - 4; ++i) {
    int digits = 0;
    while (i + digits < n && digits < 8 && js_is_digit(password[static_cast<std::size_t>(i + digits)])) ++digits;
    for (int length = 4; length <= digits; ++length) {
      const std::u16string_view token = password.substr(static_cast<std::size_t>(i), static_cast<std::size_t>(length));
      std::optional<Dmy> best;
      int min_distance = 0;
      for (const auto& [k, l] : kSplits[static_cast<std::size_t>(length)]) {
        if (k == 0) break;
        const auto uk = static_cast<std::size_t>(k);
        const auto ul = static_cast<std::size_t>(l);
        const auto dmy = map_ints_to_dmy(
            {parse_digits(token.substr(0, uk)), parse_digits(token.substr(uk, ul - uk)), parse_digits(token.substr(ul))});
        if (!dmy) continue;
        // The reading whose year is closest to the reference year; the first on ties.
        const int distance = std::abs(dmy->year - reference_year);
        if (!best || distance < min_distance) {
          best = dmy;
          min_distance = distance;
        }
      }
      if (best) push(i, i + length - 1, 0, *best);
    }
  }
  // With separators: 6 to 10 characters.
  for (int i = 0; i <= n - 6; ++i) {
    for (int j = i + 5; j <= i + 9 && j < n; ++j) {
      const auto parsed =
          parse_separated_date(password.substr(static_cast<std::size_t>(i), static_cast<std::size_t>(j - i + 1)));
      if (!parsed) continue;
      const auto dmy = map_ints_to_dmy(parsed->first);
      if (dmy) push(i, j, parsed->second, *dmy);
    }
  }
  // Drop the date matches contained in another date match. A container is at most 10 long, so
  // it starts at most 9 before the match ends: only those starts are looked at.
  std::vector<std::vector<std::size_t>> by_start(static_cast<std::size_t>(n));
  for (std::size_t a = 0; a < matches.size(); ++a) by_start[static_cast<std::size_t>(matches[a].i)].push_back(a);
  std::vector<Match> kept;
  for (std::size_t a = 0; a < matches.size(); ++a) {
    bool submatch = false;
    for (int start = std::max(0, matches[a].j - 9); start <= matches[a].i && !submatch; ++start) {
      for (const std::size_t b : by_start[static_cast<std::size_t>(start)]) {
        if (a != b && matches[b].j >= matches[a].j) {
          submatch = true;
          break;
        }
      }
    }
    if (!submatch) kept.push_back(std::move(matches[a]));
  }
  sort_by_i_j(kept);
  return kept;
}

std::vector<Match> omnimatch(std::u16string_view password, const MatchContext& ctx) {
  std::vector<Match> matches = dictionary_match(password, ctx);
  extend(matches, reverse_dictionary_match(password, ctx));
  extend(matches, l33t_match(password, ctx));
  extend(matches, spatial_match(password));
  extend(matches, repeat_match(password, ctx));
  extend(matches, sequence_match(password));
  extend(matches, regex_match(password));
  extend(matches, date_match(password, ctx.reference_year));
  sort_by_i_j(matches);
  return matches;
}

}  // namespace portcullis::strength
