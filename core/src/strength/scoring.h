// Internal: zxcvbn 4.4.2's guess estimates, search and score (scoring.coffee, time_estimates.coffee).

#ifndef PORTCULLIS_SRC_STRENGTH_SCORING_H_
#define PORTCULLIS_SRC_STRENGTH_SCORING_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "matching.h"

namespace portcullis::strength {

// zxcvbn's helpers, computed in doubles in zxcvbn's order (nCk is in scoring.cc).
double js_log10(double x);  // Math.log(x) / Math.log(10), not log10
double factorial(double n);

// The average number of neighbours of a key (zxcvbn uses qwerty's for both keyboards, keypad's for
// both keypads).
double keyboard_average_degree();
double keypad_average_degree();

// The guesses of one match, cached on it. `password_length` is the length of the password the
// match belongs to (a match shorter than it gets a floor of 10 or 50).
double estimate_guesses(Match& match, std::size_t password_length, int reference_year);

struct Analysis {
  double guesses = 0;
  double guesses_log10 = 0;
  std::vector<Match> sequence;
};

// The decomposition with the fewest guesses (most_guessable_match_sequence). `matches` must lie
// within the first `analysed_length` code units of `password`; when the password is longer, the
// rest can only be covered by bruteforce, and the search still ends at the real last position, so
// the result is what zxcvbn's search gives with these matches.
Analysis most_guessable_match_sequence(std::u16string_view password, std::vector<Match>& matches,
                                       int reference_year, std::size_t analysed_length,
                                       bool exclude_additive = false);
inline Analysis most_guessable_match_sequence(std::u16string_view password, std::vector<Match>& matches,
                                              int reference_year) {
  return most_guessable_match_sequence(password, matches, reference_year, password.size());
}

// time_estimates: the score for a number of guesses, and zxcvbn's display of a duration.
int guesses_to_score(double guesses);
std::string display_time(double seconds);

}  // namespace portcullis::strength

#endif  // PORTCULLIS_SRC_STRENGTH_SCORING_H_
