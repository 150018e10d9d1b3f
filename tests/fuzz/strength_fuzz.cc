// Fuzz target: the strength estimator (core/include/portcullis/strength.h) on any bytes, as the
// browser and the server hand it passwords: malformed UTF-8, lone surrogates' encodings, non-ASCII,
// l33t-heavy and very long text. The bytes are the password; after a NUL byte, the rest is a user
// input (the e-mail address or name the estimator also matches against).
//
// Properties, beyond "never crashes, never reads out of bounds, never hangs" (the sanitizers and
// libFuzzer's -timeout): the result is well-formed (a score of 0-4 that is zxcvbn's for the
// guesses, matches that tile the password without gaps or overlaps, UTF-8 tokens, feedback keys
// beside their texts) and the same on a second call (no state leaks from one estimate into the
// next).

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "portcullis/strength.h"
#include "portcullis/text.h"

namespace {

using portcullis::Strength;
using portcullis::StrengthMatch;

// zxcvbn's guesses_to_score (its thresholds are 10^3, 10^6, 10^8 and 10^10, each plus 5).
int score_of(double guesses) {
  if (guesses < 1e3 + 5) return 0;
  if (guesses < 1e6 + 5) return 1;
  if (guesses < 1e8 + 5) return 2;
  if (guesses < 1e10 + 5) return 3;
  return 4;
}

// A count of guesses: at least 1, possibly Infinity (zxcvbn's overflows on long inputs), never NaN.
bool is_guesses(double g) { return !std::isnan(g) && g >= 1; }

void check_well_formed(const Strength& s, std::string_view password) {
  FUZZ_CHECK(s.score >= 0 && s.score <= 4);
  FUZZ_CHECK(is_guesses(s.guesses));
  FUZZ_CHECK(s.score == score_of(s.guesses));
  FUZZ_CHECK(!std::isnan(s.guesses_log10) && s.guesses_log10 >= 0);

  // The matches tile [0, n): each starts where the last ended.
  FUZZ_CHECK(password.empty() == s.sequence.empty());
  int next = 0;
  for (const StrengthMatch& m : s.sequence) {
    FUZZ_CHECK(m.i == next && m.j >= m.i);
    FUZZ_CHECK(is_guesses(m.guesses) && !std::isnan(m.guesses_log10));
    FUZZ_CHECK(!m.pattern.empty());
    FUZZ_CHECK(portcullis::is_valid_utf8(m.token));
    next = m.j + 1;
  }
  // Well-formed UTF-8 has a length in UTF-16 code units that the matches must reach (malformed
  // bytes are read as U+FFFD, one per bad sequence, which only the estimator counts).
  if (const auto n = portcullis::utf16_length(password)) {
    FUZZ_CHECK(static_cast<std::size_t>(next) == *n);
    FUZZ_CHECK(s.truncated == (*n > 256));
  }

  for (double t : {s.crack_times_seconds.online_throttling_100_per_hour,
                   s.crack_times_seconds.online_no_throttling_10_per_second,
                   s.crack_times_seconds.offline_slow_hashing_1e4_per_second,
                   s.crack_times_seconds.offline_fast_hashing_1e10_per_second}) {
    FUZZ_CHECK(!std::isnan(t) && t >= 0);
  }
  FUZZ_CHECK(!s.crack_times_display.offline_fast_hashing_1e10_per_second.empty());
  FUZZ_CHECK(s.feedback.warning.empty() == s.feedback.warning_key.empty());
  FUZZ_CHECK(s.feedback.suggestions.size() == s.feedback.suggestion_keys.size());
}

bool same(const Strength& a, const Strength& b) {
  if (a.score != b.score || a.guesses != b.guesses || a.truncated != b.truncated) return false;
  if (a.feedback.warning_key != b.feedback.warning_key || a.feedback.suggestion_keys != b.feedback.suggestion_keys) {
    return false;
  }
  if (a.sequence.size() != b.sequence.size()) return false;
  for (std::size_t k = 0; k < a.sequence.size(); ++k) {
    const StrengthMatch& x = a.sequence[k];
    const StrengthMatch& y = b.sequence[k];
    if (x.pattern != y.pattern || x.i != y.i || x.j != y.j || x.token != y.token || x.guesses != y.guesses) {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = as_text(data, size);
  const std::size_t nul = input.find('\0');
  const std::string_view password = input.substr(0, nul);
  std::vector<std::string> user_inputs;
  if (nul != std::string_view::npos) user_inputs.emplace_back(input.substr(nul + 1));

  portcullis::StrengthOptions options;
  options.reference_year = 2026;  // fixed: results must not depend on the clock
  const Strength first = portcullis::estimate_strength(password, user_inputs, options);
  check_well_formed(first, password);
  FUZZ_CHECK(same(first, portcullis::estimate_strength(password, user_inputs, options)));
  return 0;
}
