// The zxcvbn 4.4.2 port, matcher by matcher, with a small dictionary of the tests' own (the
// built-in lists are checked against zxcvbn itself by tests/vectors/strength.json). Expected
// values are zxcvbn's, computed with its lib/*.js functions.

#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <unordered_map>
#include <vector>

// The port's internal headers (they include each other by sibling path).
#include "../../core/src/strength/adjacency_graphs.h"
#include "../../core/src/strength/estimate.h"
#include "../../core/src/strength/feedback.h"
#include "../../core/src/strength/js_string.h"
#include "../../core/src/strength/matching.h"
#include "../../core/src/strength/scoring.h"

using namespace portcullis;
using namespace portcullis::strength;

namespace {

constexpr int kYear = 2026;

// A few words per list, ranked by position.
class TestDictionaries : public Dictionaries {
 public:
  TestDictionaries() {
    add(List::kPasswords, {u"123456", u"password", u"qwerty", u"letmein", u"iloveyou", u"dragon", u"monkey"});
    add(List::kEnglishWikipedia,
        {u"the", u"of", u"and", u"mother", u"board", u"motherboard", u"horse", u"battery", u"staple", u"correct"});
    add(List::kFemaleNames, {u"mary", u"ashley"});
    add(List::kSurnames, {u"smith", u"johnson"});
    add(List::kUsTvAndFilm, {u"you", u"i"});
    add(List::kMaleNames, {u"john", u"michael"});
  }

  void prefixes(std::u16string_view text, std::vector<PrefixHit>& out) const override {
    for (std::size_t length = 1; length <= std::min(max_, text.size()); ++length) {
      const std::u16string word(text.substr(0, length));
      for (int l = 0; l < kListCount; ++l) {
        const auto it = lists_[l].find(word);
        if (it != lists_[l].end()) out.push_back({length, static_cast<List>(l), it->second});
      }
    }
  }

  std::size_t max_word_length() const override { return max_; }

 private:
  void add(List list, std::initializer_list<std::u16string> words) {
    std::uint32_t rank = 0;
    for (const auto& w : words) {
      lists_[static_cast<int>(list)][w] = ++rank;
      max_ = std::max(max_, w.size());
    }
  }

  std::unordered_map<std::u16string, std::uint32_t> lists_[kListCount];
  std::size_t max_ = 0;
};

const TestDictionaries& dictionaries() {
  static const TestDictionaries d;
  return d;
}

struct Fixture {
  explicit Fixture(std::vector<std::u16string> inputs = {}) : user(inputs) {}
  UserInputs user;
  MatchContext ctx{dictionaries(), user, kYear, kL33tScanBudget};
};

Strength estimate(std::string_view password, const std::vector<std::string>& inputs = {}) {
  StrengthOptions options;
  options.reference_year = kYear;
  return strength::estimate(password, inputs, options, dictionaries());
}

}  // namespace

TEST_CASE("strength: UTF-8 in, UTF-16 inside, U+FFFD for malformed bytes", "[strength]") {
  CHECK(utf8_to_utf16("a\xC3\xA9\xF0\x9F\x98\x80") == u"a\u00E9\U0001F600");
  CHECK(utf8_to_utf16("\xFF") == u"\uFFFD");
  CHECK(utf8_to_utf16("a\xE2\x82") == u"a\uFFFD");           // truncated: one U+FFFD
  CHECK(utf8_to_utf16("\xED\xA0\x80") == u"\uFFFD\uFFFD\uFFFD");  // an encoded surrogate
  CHECK(utf8_to_utf16("\xC0\xAF") == u"\uFFFD\uFFFD");        // overlong
  CHECK(utf16_to_utf8(u"\U0001F600") == "\xF0\x9F\x98\x80");
  CHECK(utf16_to_utf8(std::u16string(1, u'\xD83D')) == "\xEF\xBF\xBD");  // lone surrogate
}

TEST_CASE("strength: toLowerCase as JavaScript does it", "[strength]") {
  CHECK(js_to_lower(u"PassWORD123") == u"password123");
  CHECK(js_to_lower(u"\u00C0\u00DE\u00DF") == u"\u00E0\u00FE\u00DF");  // Latin-1
  CHECK(js_to_lower(u"\u0100\u0178\u01C5") == u"\u0101\u00FF\u01C6");  // Latin Extended-A/B
  CHECK(js_to_lower(u"\u041F\u0410\u0420\u041E\u041B\u042C") == u"\u043F\u0430\u0440\u043E\u043B\u044C");
  CHECK(js_to_lower(u"\u0531\u0532") == u"\u0561\u0562");              // Armenian
  CHECK(js_to_lower(u"\u212A") == u"k");                               // Kelvin sign
  CHECK(js_to_lower(u"\u0130") == u"i\u0307");                         // İ grows to 2 units
  CHECK(js_to_lower(u"\U00010400") == u"\U00010428");                  // Deseret (astral)
  CHECK(js_to_lower(std::u16string(1, u'\xD801')) == std::u16string(1, u'\xD801'));
  // Final sigma: after a cased letter, not before one (case-ignorable characters skipped).
  CHECK(js_to_lower(u"\u0391\u03A3") == u"\u03B1\u03C2");
  CHECK(js_to_lower(u"\u0391\u03A3\u0391") == u"\u03B1\u03C3\u03B1");
  CHECK(js_to_lower(u"\u03A3") == u"\u03C3");
  CHECK(js_to_lower(u"1\u03A3") == u"1\u03C3");
  CHECK(js_to_lower(u"\u0391\u03A3\u0301") == u"\u03B1\u03C2\u0301");
  CHECK(js_to_lower(u"\u0391\u03A3\u0301\u03B1") == u"\u03B1\u03C3\u0301\u03B1");
}

TEST_CASE("strength: dictionary match", "[strength]") {
  Fixture f;
  const auto matches = dictionary_match(u"motherboard", f.ctx);
  REQUIRE(matches.size() == 4);
  CHECK((matches[0].i == 0 && matches[0].j == 5 && matches[0].matched_word == u"mother" && matches[0].rank == 4));
  CHECK((matches[1].i == 0 && matches[1].j == 10 && matches[1].matched_word == u"motherboard" && matches[1].rank == 6));
  CHECK((matches[2].i == 2 && matches[2].j == 4 && matches[2].matched_word == u"the" && matches[2].rank == 1));
  CHECK((matches[3].i == 6 && matches[3].j == 10 && matches[3].matched_word == u"board"));
  CHECK(dictionary_name(matches[0].dictionary) == "english_wikipedia");

  // The token keeps its case; the word is lowercased.
  const auto upper = dictionary_match(u"PassWord", f.ctx);
  REQUIRE(upper.size() == 1);
  CHECK(upper[0].token == u"PassWord");
  CHECK(upper[0].matched_word == u"password");
  CHECK(dictionary_name(upper[0].dictionary) == "passwords");
}

TEST_CASE("strength: user inputs are a seventh dictionary", "[strength]") {
  Fixture f({u"portcullis", u"castle", u"moat", u"castle"});
  const auto matches = dictionary_match(u"moatcastle", f.ctx);
  REQUIRE(matches.size() == 2);
  CHECK(dictionary_name(matches[0].dictionary) == "user_inputs");
  CHECK(matches[0].rank == 3);
  CHECK(matches[1].rank == 4);  // a repeated input keeps its last position

  const Strength s = estimate("CastlePortcullis", {"Portcullis", "CASTLE"});
  REQUIRE(s.sequence.size() == 2);
  CHECK(s.sequence[0].dictionary_name == "user_inputs");
  CHECK(s.sequence[0].token == "Castle");
  CHECK(s.sequence[0].rank == 2);
  CHECK(s.sequence[1].matched_word == "portcullis");
}

TEST_CASE("strength: zxcvbn's lookups also find Object.prototype's names", "[strength]") {
  // `word in ranked_dict` finds "constructor": a NaN-guess match in every dictionary.
  Fixture f;
  const auto matches = dictionary_match(u"constructor", f.ctx);
  int nan_matches = 0;
  for (const auto& m : matches) nan_matches += std::isnan(m.rank) ? 1 : 0;
  CHECK(nan_matches == 7);
  const Strength s = estimate("constructor");
  for (const auto& m : s.sequence) CHECK(!std::isnan(m.guesses));
  CHECK(std::isfinite(s.guesses));
}

TEST_CASE("strength: reverse dictionary match", "[strength]") {
  Fixture f;
  const auto matches = reverse_dictionary_match(u"drowssap", f.ctx);
  REQUIRE(matches.size() == 1);
  CHECK(matches[0].reversed);
  CHECK(matches[0].i == 0);
  CHECK(matches[0].j == 7);
  CHECK(matches[0].token == u"drowssap");
  CHECK(matches[0].matched_word == u"password");
}

TEST_CASE("strength: l33t substitutions", "[strength]") {
  // zxcvbn's enumeration, in its order (keys as a JS object lists them: digits first).
  const auto subs = enumerate_l33t_subs(u"p4ssw0rd1|");
  using S = L33tSub;
  const std::vector<S> want = {
      S{{u'0', u'o'}, {u'1', u'i'}, {u'4', u'a'}},
      S{{u'0', u'o'}, {u'1', u'l'}, {u'4', u'a'}},
      S{{u'0', u'o'}, {u'1', u'l'}, {u'4', u'a'}, {u'|', u'i'}},
      S{{u'0', u'o'}, {u'1', u'i'}, {u'4', u'a'}, {u'|', u'l'}},
      S{{u'0', u'o'}, {u'4', u'a'}, {u'|', u'i'}},
      S{{u'0', u'o'}, {u'4', u'a'}, {u'|', u'l'}},
  };
  CHECK(subs == want);
  CHECK(enumerate_l33t_subs(u"password").empty());

  Fixture f;
  const auto matches = l33t_match(u"p4ssw0rd", f.ctx);
  REQUIRE(matches.size() == 1);
  CHECK(matches[0].l33t);
  CHECK(matches[0].token == u"p4ssw0rd");
  CHECK(matches[0].matched_word == u"password");
  CHECK(matches[0].sub == S{{u'0', u'o'}, {u'4', u'a'}});
  // Single-character l33t matches are dropped ('1' would be "i").
  CHECK(l33t_match(u"1", f.ctx).empty());

  const Strength s = estimate("p4ssw0rd");
  REQUIRE(s.sequence.size() == 1);
  CHECK(s.sequence[0].l33t_variations == 4);  // each substitution all-substituted: x2
  CHECK(s.sequence[0].guesses == 8);          // rank 2 x 4
  CHECK(s.feedback.warning_key == "similarToCommon");
  CHECK(s.feedback.suggestion_keys == std::vector<std::string>{"anotherWord", "l33t"});
}

TEST_CASE("strength: spatial match", "[strength]") {
  auto one = [](std::u16string_view p) {
    auto m = spatial_match(p);
    REQUIRE(m.size() == 1);
    return m[0];
  };
  Match qwerty = one(u"qwerty");
  CHECK(std::string(pattern_name(qwerty.pattern)) == "spatial");
  CHECK(qwerty.graph == 0);
  CHECK(qwerty.turns == 1);
  CHECK(qwerty.shifted_count == 0);
  CHECK(estimate_guesses(qwerty, 6, kYear) == 2160.0000000000005);

  Match shifted = one(u"qwERty");
  CHECK(shifted.shifted_count == 2);
  CHECK(estimate_guesses(shifted, 6, kYear) == 45360.00000000001);

  Match dvorak = one(u"aoeuidhtns");
  CHECK(std::string(kGraphs[dvorak.graph].name) == "dvorak");
  CHECK(estimate_guesses(dvorak, 10, kYear) == 3888.0000000000005);

  // A keypad walk with a turn: keypad and mac_keypad both see "159" and "753".
  const auto keypad = spatial_match(u"159753");
  REQUIRE(keypad.size() == 4);
  CHECK((keypad[0].i == 0 && keypad[0].j == 2 && std::string(kGraphs[keypad[0].graph].name) == "keypad"));
  CHECK((keypad[1].i == 0 && keypad[1].j == 2 && std::string(kGraphs[keypad[1].graph].name) == "mac_keypad"));
  CHECK((keypad[2].i == 3 && keypad[2].j == 5));
  Match k0 = keypad[0];
  CHECK(estimate_guesses(k0, 6, kYear) == 152);

  const auto shifted_start = spatial_match(u"!QAZ@WSX");
  REQUIRE(shifted_start.size() == 2);
  CHECK(shifted_start[0].shifted_count == 4);
}

TEST_CASE("strength: repeat match", "[strength]") {
  Fixture f;
  auto aaaaa = repeat_match(u"aaaaa", f.ctx);
  REQUIRE(aaaaa.size() == 1);
  CHECK(aaaaa[0].base_token == u"a");
  CHECK(aaaaa[0].repeat_count == 5);
  CHECK(aaaaa[0].base_guesses == 12);  // bruteforce 'a': 11, plus 1 for the sequence
  CHECK((aaaaa[0].i == 0 && aaaaa[0].j == 4));

  auto abc = repeat_match(u"abcabcabc", f.ctx);
  REQUIRE(abc.size() == 1);
  CHECK(abc[0].base_token == u"abc");
  CHECK(abc[0].repeat_count == 3);

  // Greedy beats lazy for "aabaab"; "aabaabaabaab" repeats "aab" four times.
  auto aab = repeat_match(u"aabaab", f.ctx);
  REQUIRE(aab.size() == 1);
  CHECK(aab[0].base_token == u"aab");
  auto aab4 = repeat_match(u"aabaabaabaab", f.ctx);
  REQUIRE(aab4.size() == 1);
  CHECK(aab4[0].base_token == u"aab");
  CHECK(aab4[0].repeat_count == 4);

  // '.' does not match line terminators.
  CHECK(repeat_match(u"\n\n\n", f.ctx).empty());

  const Strength s = estimate("aaaaa");
  REQUIRE(s.sequence.size() == 1);
  CHECK(s.guesses == 61);
  CHECK(s.feedback.warning_key == "simpleRepeat");
}

TEST_CASE("strength: sequence match", "[strength]") {
  auto abc = sequence_match(u"abcdef");
  REQUIRE(abc.size() == 1);
  CHECK(std::string(abc[0].sequence_name) == "lower");
  CHECK(abc[0].sequence_space == 26);
  CHECK(abc[0].ascending);
  CHECK(estimate_guesses(abc[0], 6, kYear) == 24);

  auto digits = sequence_match(u"9753");
  REQUIRE(digits.size() == 1);
  CHECK(std::string(digits[0].sequence_name) == "digits");
  CHECK(!digits[0].ascending);

  auto upper = sequence_match(u"ZYXW");
  REQUIRE(upper.size() == 1);
  CHECK(std::string(upper[0].sequence_name) == "upper");

  // zxcvbn's own example: runs of equal delta, sharing their boundary.
  auto mixed = sequence_match(u"abcdb975zy");
  REQUIRE(mixed.size() == 3);
  CHECK((mixed[0].i == 0 && mixed[0].j == 3));
  CHECK((mixed[1].i == 5 && mixed[1].j == 7));
  CHECK((mixed[2].i == 8 && mixed[2].j == 9));

  CHECK(sequence_match(u"a").empty());
  CHECK(sequence_match(u"").empty());

  const Strength s = estimate("abcdef");
  CHECK(s.guesses == 25);
  CHECK(s.score == 0);
  CHECK(s.feedback.warning_key == "sequences");
  CHECK(s.feedback.warning == "Sequences like abc or 6543 are easy to guess");
}

TEST_CASE("strength: recent years", "[strength]") {
  auto years = regex_match(u"abc2011xyz1991");
  REQUIRE(years.size() == 2);
  CHECK((years[0].i == 3 && years[0].j == 6));
  CHECK(std::string(years[1].regex_name) == "recent_year");
  CHECK(estimate_guesses(years[1], 4, kYear) == 35);  // |1991 - 2026|, as the whole password
  CHECK(estimate_guesses(years[0], 14, kYear) == 50);  // a submatch's floor

  const Strength s = estimate("1991");
  CHECK(s.guesses == 36);
  CHECK(s.feedback.warning_key == "recentYears");
  CHECK(s.feedback.suggestion_keys == std::vector<std::string>{"anotherWord", "recentYears", "associatedYears"});
}

TEST_CASE("strength: dates", "[strength]") {
  auto sep = date_match(u"13/05/1987", kYear);
  REQUIRE(sep.size() == 1);
  CHECK(sep[0].separator == u'/');
  CHECK(sep[0].year == 1987);
  CHECK(sep[0].month == 5);
  CHECK(sep[0].day == 13);

  auto plain = date_match(u"19870513", kYear);
  REQUIRE(plain.size() == 1);
  CHECK(plain[0].separator == 0);
  CHECK((plain[0].year == 1987 && plain[0].month == 5 && plain[0].day == 13));

  // The reading closest to the reference year: 11-15-2004, not 1-1-1504.
  auto closest = date_match(u"111504", kYear);
  REQUIRE(closest.size() == 1);
  CHECK((closest[0].year == 2004 && closest[0].month == 11 && closest[0].day == 15));

  // Submatches of a longer date are dropped.
  auto underscores = date_match(u"2015_06_04", kYear);
  REQUIRE(underscores.size() == 1);
  CHECK((underscores[0].year == 2015 && underscores[0].month == 4 && underscores[0].day == 6));

  auto two_digit = date_match(u"1.1.91", kYear);
  REQUIRE(two_digit.size() == 1);
  CHECK(two_digit[0].year == 1991);

  const Strength s = estimate("13/05/1987");
  REQUIRE(s.sequence.size() == 1);
  CHECK(s.sequence[0].pattern == "date");
  CHECK(s.sequence[0].separator == "/");
  CHECK(s.sequence[0].guesses == 56940);  // 39 years x 365 x 4
  CHECK(s.guesses == 56941);
  CHECK(s.score == 1);
  CHECK(s.feedback.warning_key == "dates");
  CHECK(s.crack_times_display.offline_slow_hashing_1e4_per_second == "6 seconds");
  CHECK(s.crack_times_display.online_throttling_100_per_hour == "24 days");
}

TEST_CASE("strength: search, score and feedback", "[strength]") {
  const Strength empty = estimate("");
  CHECK(empty.guesses == 1);
  CHECK(empty.score == 0);
  CHECK(empty.sequence.empty());
  CHECK(empty.feedback.suggestion_keys == std::vector<std::string>{"useWords", "noNeed"});

  const Strength top = estimate("password");
  REQUIRE(top.sequence.size() == 1);
  CHECK(top.guesses == 3);  // rank 2, plus 1
  CHECK(top.feedback.warning_key == "topTen");

  const Strength caps = estimate("Password");
  CHECK(caps.sequence[0].uppercase_variations == 2);
  CHECK(caps.feedback.suggestion_keys == std::vector<std::string>{"anotherWord", "capitalization"});

  // A word (rank 6, raised to the submatch floor 50) and a bruteforce digit: 2! x 50 x 11 + 10000.
  const Strength two = estimate("motherboard1");
  REQUIRE(two.sequence.size() == 2);
  CHECK(two.sequence[0].token == "motherboard");
  CHECK(two.sequence[1].pattern == "bruteforce");
  CHECK(two.guesses == 11100);

  const Strength random = estimate("xK9#vQ2$mL7!");
  CHECK(random.score == 4);
  CHECK(random.feedback.warning_key.empty());
  CHECK(random.feedback.suggestion_keys.empty());

  CHECK(guesses_to_score(1e3 + 4) == 0);
  CHECK(guesses_to_score(1e3 + 5) == 1);
  CHECK(guesses_to_score(1e10 + 5) == 4);
  CHECK(display_time(0.5) == "less than a second");
  CHECK(display_time(1.4) == "1 second");
  CHECK(display_time(59.5) == "60 seconds");
  CHECK(display_time(90) == "2 minutes");
  CHECK(display_time(5400) == "2 hours");
  CHECK(display_time(6696000) == "3 months");
  CHECK(display_time(3.2e9) == "100 years");
  CHECK(display_time(1e12) == "centuries");
}

TEST_CASE("strength: long inputs are bounded", "[strength]") {
  std::string symbols;
  while (symbols.size() < 10000) symbols += "!@#$%^&*()_+{}|:<>?~4@8({[<3691!|$5+7%20";
  symbols.resize(10000);
  const Strength s = estimate(symbols);
  CHECK(s.truncated);
  CHECK(s.score == 4);
  CHECK(s.sequence.back().j == 9999);

  // The l33t bound: maps x code units within the budget, at least 100; all 736 maps of the full
  // table for short passwords.
  CHECK(l33t_sub_limit(kL33tScanBudget, 256) == 100);
  CHECK(l33t_sub_limit(kL33tScanBudget, 128) == 200);
  CHECK(l33t_sub_limit(kL33tScanBudget, 1000) == 100);
  CHECK(enumerate_l33t_subs(u"4@8({[<3691!|$5+7%20").size() == 736);
  CHECK(l33t_sub_limit(kL33tScanBudget, 20) >= 736);

  // Up to the analysed length nothing is truncated, whatever the characters.
  const std::string policy_max = symbols.substr(0, 128);
  const Strength p = estimate(policy_max);
  CHECK(!p.truncated);
  CHECK(p.sequence.back().j == 127);
}
