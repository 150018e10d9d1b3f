// zxcvbn 4.4.2's feedback.coffee. The English is zxcvbn's, word for word; the keys are
// zxcvbn-ts's where it has the message.

#include "strength/feedback.h"

#include <string>

#include "strength/js_string.h"

namespace portcullis::strength {
namespace {

struct Message {
  const char* key;
  const char* text;
};

// Warnings.
constexpr Message kTopTen{"topTen", "This is a top-10 common password"};
constexpr Message kTopHundred{"topHundred", "This is a top-100 common password"};
constexpr Message kCommon{"common", "This is a very common password"};
constexpr Message kSimilarToCommon{"similarToCommon", "This is similar to a commonly used password"};
constexpr Message kWordByItself{"wordByItself", "A word by itself is easy to guess"};
constexpr Message kNamesByThemselves{"namesByThemselves", "Names and surnames by themselves are easy to guess"};
constexpr Message kCommonNames{"commonNames", "Common names and surnames are easy to guess"};
constexpr Message kStraightRow{"straightRow", "Straight rows of keys are easy to guess"};
constexpr Message kKeyPattern{"keyPattern", "Short keyboard patterns are easy to guess"};
constexpr Message kSimpleRepeat{"simpleRepeat", "Repeats like \"aaa\" are easy to guess"};
constexpr Message kExtendedRepeat{"extendedRepeat",
                                  "Repeats like \"abcabcabc\" are only slightly harder to guess than \"abc\""};
constexpr Message kSequencesWarning{"sequences", "Sequences like abc or 6543 are easy to guess"};
constexpr Message kRecentYearsWarning{"recentYears", "Recent years are easy to guess"};
constexpr Message kDatesWarning{"dates", "Dates are often easy to guess"};

// Suggestions.
constexpr Message kUseWords{"useWords", "Use a few words, avoid common phrases"};
constexpr Message kNoNeed{"noNeed", "No need for symbols, digits, or uppercase letters"};
constexpr Message kAnotherWord{"anotherWord", "Add another word or two. Uncommon words are better."};
constexpr Message kCapitalization{"capitalization", "Capitalization doesn't help very much"};
constexpr Message kAllUppercase{"allUppercase", "All-uppercase is almost as easy to guess as all-lowercase"};
constexpr Message kReverseWords{"reverseWords", "Reversed words aren't much harder to guess"};
constexpr Message kL33t{"l33t", "Predictable substitutions like '@' instead of 'a' don't help very much"};
constexpr Message kLongerKeyboardPattern{"longerKeyboardPattern", "Use a longer keyboard pattern with more turns"};
constexpr Message kRepeated{"repeated", "Avoid repeated words and characters"};
constexpr Message kSequencesSuggestion{"sequences", "Avoid sequences"};
constexpr Message kRecentYearsSuggestion{"recentYears", "Avoid recent years"};
constexpr Message kAssociatedYears{"associatedYears", "Avoid years that are associated with you"};
constexpr Message kDatesSuggestion{"dates", "Avoid dates and years that are associated with you"};

void set_warning(StrengthFeedback& f, const Message& m) {
  f.warning_key = m.key;
  f.warning = m.text;
}

void suggest(StrengthFeedback& f, const Message& m) {
  f.suggestion_keys.emplace_back(m.key);
  f.suggestions.emplace_back(m.text);
}

void dictionary_feedback(const Match& m, bool is_sole_match, StrengthFeedback& f) {
  const std::string_view name = dictionary_name(m.dictionary);
  if (name == "passwords") {
    if (is_sole_match && !m.l33t && !m.reversed) {
      if (m.rank <= 10) {
        set_warning(f, kTopTen);
      } else if (m.rank <= 100) {
        set_warning(f, kTopHundred);
      } else {
        set_warning(f, kCommon);
      }
    } else if (m.guesses_log10 <= 4) {
      set_warning(f, kSimilarToCommon);
    }
  } else if (name == "english_wikipedia") {
    if (is_sole_match) set_warning(f, kWordByItself);
  } else if (name == "surnames" || name == "male_names" || name == "female_names") {
    set_warning(f, is_sole_match ? kNamesByThemselves : kCommonNames);
  }

  const std::u16string& word = m.token;
  const auto [upper, lower] = count_ascii_case(word);
  // START_UPPER /^[A-Z][^A-Z]+$/; ALL_UPPER /^[^a-z]+$/ with a word that lowercasing changes.
  if (word.size() >= 2 && is_ascii_upper(word[0]) && upper == 1) {
    suggest(f, kCapitalization);
  } else if (!word.empty() && lower == 0 && js_to_lower(word) != word) {
    suggest(f, kAllUppercase);
  }
  if (m.reversed && m.token.size() >= 4) suggest(f, kReverseWords);
  if (m.l33t) suggest(f, kL33t);
}

}  // namespace

StrengthFeedback get_feedback(int score, const std::vector<Match>& sequence) {
  StrengthFeedback f;
  if (sequence.empty()) {  // the empty password
    suggest(f, kUseWords);
    suggest(f, kNoNeed);
    return f;
  }
  if (score > 2) return f;

  // The longest match (the first of the longest) decides.
  const Match* longest = &sequence[0];
  for (std::size_t k = 1; k < sequence.size(); ++k) {
    if (sequence[k].token.size() > longest->token.size()) longest = &sequence[k];
  }
  const bool is_sole_match = sequence.size() == 1;
  suggest(f, kAnotherWord);
  switch (longest->pattern) {
    case Pattern::kDictionary:
      dictionary_feedback(*longest, is_sole_match, f);
      break;
    case Pattern::kSpatial:
      set_warning(f, longest->turns == 1 ? kStraightRow : kKeyPattern);
      suggest(f, kLongerKeyboardPattern);
      break;
    case Pattern::kRepeat:
      set_warning(f, longest->base_token.size() == 1 ? kSimpleRepeat : kExtendedRepeat);
      suggest(f, kRepeated);
      break;
    case Pattern::kSequence:
      set_warning(f, kSequencesWarning);
      suggest(f, kSequencesSuggestion);
      break;
    case Pattern::kRegex:
      set_warning(f, kRecentYearsWarning);  // recent_year, the only regex
      suggest(f, kRecentYearsSuggestion);
      suggest(f, kAssociatedYears);
      break;
    case Pattern::kDate:
      set_warning(f, kDatesWarning);
      suggest(f, kDatesSuggestion);
      break;
    case Pattern::kBruteforce:
      break;
  }
  return f;
}

}  // namespace portcullis::strength
