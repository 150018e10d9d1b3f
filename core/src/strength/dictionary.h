// Internal: zxcvbn's ranked frequency lists behind one small interface, so the encoding can change
// without touching the matchers.

#ifndef PORTCULLIS_SRC_STRENGTH_DICTIONARY_H_
#define PORTCULLIS_SRC_STRENGTH_DICTIONARY_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "portcullis/strength.h"

namespace portcullis::strength {

// zxcvbn 4.4.2's lists, in the order of its frequency_lists object (which decides ties).
enum class List : std::uint8_t {
  kPasswords,
  kEnglishWikipedia,
  kFemaleNames,
  kSurnames,
  kUsTvAndFilm,
  kMaleNames,
};
inline constexpr int kListCount = 6;

// Returns zxcvbn's name of the list, e.g. "english_wikipedia".
std::string_view list_name(List list);

// A dictionary word that is a prefix of the text searched.
struct PrefixHit {
  std::size_t length;  // in UTF-16 code units
  List list;
  std::uint32_t rank;  // 1-based, as zxcvbn's; exact up to 255, above within 0.031 in log10
                       // (the built-in encoding keeps log-spaced buckets; see dictionary.cc)
};

class Dictionaries : public StrengthDictionaries {
 public:
  // The lists embedded at build time, decoded on first use (thread-safe; about 1 ms, then parts
  // of ~0.1 ms each the first time a lookup needs them). Only with PORTCULLIS_EMBED_DICTIONARY.
  static const Dictionaries& builtin();

  // Appends to `out` every (list, word) whose word is a prefix of `text` (`text` already lower-
  // cased as zxcvbn lower-cases). Ordered by length, then list; a word in several lists gives one
  // hit per list. builtin()'s may be called from several threads at once.
  virtual void prefixes(std::u16string_view text, std::vector<PrefixHit>& out) const = 0;

  // Returns the length in UTF-16 code units of the longest word in any list.
  virtual std::size_t max_word_length() const = 0;

  virtual ~Dictionaries() = default;
};

}  // namespace portcullis::strength

#endif  // PORTCULLIS_SRC_STRENGTH_DICTIONARY_H_
