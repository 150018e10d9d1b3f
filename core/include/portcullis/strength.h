// Portcullis core: password strength, compatible with zxcvbn 4.4.2's model.
//
// The pipeline reads top to bottom, as zxcvbn's does: matching (dictionary with reversed words and
// l33t substitutions, keyboard patterns, repeats, sequences, recent years, dates) -> search (the
// decomposition with the fewest guesses) -> score 0-4 -> crack times -> feedback. The dictionaries
// are zxcvbn's frequency lists, built into a compact form at build time and embedded in the library,
// so the browser (wasm) and the server compute the very same verdict.
//
// Lengths and indices are UTF-16 code units, as in zxcvbn (an emoji counts 2). Work is bounded on
// long inputs (see StrengthOptions) so that no input up to the password policy's maximum takes long.

#ifndef PORTCULLIS_STRENGTH_H_
#define PORTCULLIS_STRENGTH_H_

#include <string>
#include <string_view>
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
  // spatial
  std::string graph;
  int turns = 0;
  int shifted_count = 0;
  // repeat
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
  bool truncated = false;  // the input was longer than the estimator reads (see below)
};

// Estimates the strength of `password` (UTF-8; malformed bytes are read as U+FFFD), with
// `user_inputs` (e.g. the user's e-mail and name) as an extra dictionary, as zxcvbn does. Never
// fails.
Strength estimate_strength(std::string_view password, const std::vector<std::string>& user_inputs = {},
                           const StrengthOptions& options = {});

}  // namespace portcullis

#endif  // PORTCULLIS_STRENGTH_H_
