// The pipeline of estimate_strength: zxcvbn 4.4.2's main.coffee, with the bound on long inputs
// (strength.h). The public function, which passes the built-in dictionaries, is in
// estimate_strength.cc, so that tests can run the pipeline with dictionaries of their own.

#include <chrono>
#include <cmath>
#include <string>
#include <vector>

#include "portcullis/strength.h"
#include "strength/adjacency_graphs.h"
#include "strength/estimate.h"
#include "strength/feedback.h"
#include "strength/js_string.h"
#include "strength/matching.h"
#include "strength/scoring.h"

namespace portcullis::strength {
namespace {

int current_utc_year() {
  const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  return static_cast<int>(std::chrono::year_month_day(today).year());
}

StrengthMatch to_public(const Match& m) {
  StrengthMatch out;
  out.pattern = pattern_name(m.pattern);
  out.i = m.i;
  out.j = m.j;
  out.token = utf16_to_utf8(m.token);
  out.guesses = m.guesses;
  out.guesses_log10 = m.guesses_log10;
  switch (m.pattern) {
    case Pattern::kDictionary:
      out.dictionary_name = std::string(dictionary_name(m.dictionary));
      out.matched_word = utf16_to_utf8(m.matched_word);
      out.rank = m.rank;
      out.reversed = m.reversed;
      out.l33t = m.l33t;
      out.base_guesses = m.base_guesses;
      out.uppercase_variations = m.uppercase_variations;
      out.l33t_variations = m.l33t_variations;
      for (const auto& [subbed, letter] : m.sub) {
        out.sub.emplace_back(utf16_to_utf8(std::u16string(1, subbed)), utf16_to_utf8(std::u16string(1, letter)));
        if (!out.sub_display.empty()) out.sub_display += ", ";
        out.sub_display += out.sub.back().first + " -> " + out.sub.back().second;
      }
      break;
    case Pattern::kSpatial:
      out.graph = kGraphs[m.graph].name;
      out.turns = m.turns;
      out.shifted_count = m.shifted_count;
      break;
    case Pattern::kRepeat:
      out.base_token = utf16_to_utf8(m.base_token);
      out.base_guesses = m.base_guesses;
      out.repeat_count = m.repeat_count;
      break;
    case Pattern::kSequence:
      out.sequence_name = m.sequence_name;
      out.sequence_space = m.sequence_space;
      out.ascending = m.ascending;
      break;
    case Pattern::kRegex:
      out.regex_name = m.regex_name;
      break;
    case Pattern::kDate:
      out.separator = m.separator == 0 ? std::string() : utf16_to_utf8(std::u16string(1, m.separator));
      out.year = m.year;
      out.month = m.month;
      out.day = m.day;
      break;
    case Pattern::kBruteforce:
      break;
  }
  return out;
}

}  // namespace

Strength estimate(std::string_view password_utf8, const std::vector<std::string>& user_inputs,
                  const StrengthOptions& options, const Dictionaries& dictionaries) {
  const int reference_year = options.reference_year != 0 ? options.reference_year : current_utc_year();
  const std::u16string password = utf8_to_utf16(password_utf8);

  std::vector<std::u16string> inputs;
  inputs.reserve(user_inputs.size());
  for (const std::string& input : user_inputs) inputs.push_back(js_to_lower(utf8_to_utf16(input)));
  const UserInputs user_dictionary(inputs);
  const MatchContext ctx{dictionaries, user_dictionary, reference_year, kL33tScanBudget};

  // The bound: matchers read the first kMaxAnalysedLength code units; the search still covers the
  // whole password, the rest with bruteforce.
  const std::size_t analysed = std::min(password.size(), kMaxAnalysedLength);
  std::vector<Match> matches = omnimatch(std::u16string_view(password).substr(0, analysed), ctx);
  const Analysis analysis = most_guessable_match_sequence(password, matches, reference_year, analysed);

  Strength result;
  result.truncated = analysed < password.size();
  result.guesses = analysis.guesses;
  result.guesses_log10 = analysis.guesses_log10;
  result.score = guesses_to_score(analysis.guesses);
  const double g = analysis.guesses;
  result.crack_times_seconds.online_throttling_100_per_hour = g / (100.0 / 3600.0);
  result.crack_times_seconds.online_no_throttling_10_per_second = g / 10;
  result.crack_times_seconds.offline_slow_hashing_1e4_per_second = g / 1e4;
  result.crack_times_seconds.offline_fast_hashing_1e10_per_second = g / 1e10;
  const CrackTimes& t = result.crack_times_seconds;
  result.crack_times_display.online_throttling_100_per_hour = display_time(t.online_throttling_100_per_hour);
  result.crack_times_display.online_no_throttling_10_per_second = display_time(t.online_no_throttling_10_per_second);
  result.crack_times_display.offline_slow_hashing_1e4_per_second = display_time(t.offline_slow_hashing_1e4_per_second);
  result.crack_times_display.offline_fast_hashing_1e10_per_second =
      display_time(t.offline_fast_hashing_1e10_per_second);
  result.feedback = get_feedback(result.score, analysis.sequence);
  result.sequence.reserve(analysis.sequence.size());
  for (const Match& m : analysis.sequence) result.sequence.push_back(to_public(m));
  return result;
}

}  // namespace portcullis::strength
