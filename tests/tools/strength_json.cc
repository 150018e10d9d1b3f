// The native estimator behind a pipe, for tests/wasm/native-agreement.test.mjs, which checks that
// the browser's build (wasm) and the server's (this one) give the very same results.
//
// Reads one JSON object per line from stdin: {"password": string} or {"password_hex": hex of its
// UTF-8 bytes}, with optional "userInputs" (strings) and "referenceYear" (number). Writes one JSON
// object per line to stdout, in the shape (and with the snake_case keys) of the npm package's
// estimateStrength() result: score, guesses, guesses_log10, crack_times_seconds,
// crack_times_display, feedback, sequence (every match with all of StrengthMatch's fields),
// truncated. Numbers that are not finite (guesses on very long inputs) are written as the strings
// "Infinity" or "NaN", which JSON cannot hold. A line that is not such an object is an error: the
// tool says which and exits 1.

#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "portcullis/strength.h"
#include "support/hex.h"

namespace {

using nlohmann::json;

json number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  return v;
}

json match_json(const portcullis::StrengthMatch& m) {
  json sub = json::object();
  for (const auto& [from, to] : m.sub) sub[from] = to;
  return {
      {"pattern", m.pattern}, {"i", m.i}, {"j", m.j}, {"token", m.token}, {"guesses", number(m.guesses)},
      {"guesses_log10", number(m.guesses_log10)}, {"dictionary_name", m.dictionary_name},
      {"matched_word", m.matched_word}, {"rank", number(m.rank)}, {"reversed", m.reversed}, {"l33t", m.l33t},
      {"sub", sub}, {"graph", m.graph}, {"turns", m.turns}, {"shifted_count", m.shifted_count},
      {"base_token", m.base_token}, {"base_guesses", number(m.base_guesses)}, {"repeat_count", m.repeat_count},
      {"sequence_name", m.sequence_name}, {"sequence_space", m.sequence_space}, {"ascending", m.ascending},
      {"regex_name", m.regex_name}, {"separator", m.separator}, {"year", m.year}, {"month", m.month},
      {"day", m.day},
  };
}

json result_json(const portcullis::Strength& s) {
  const auto& t = s.crack_times_seconds;
  const auto& d = s.crack_times_display;
  json sequence = json::array();
  for (const auto& m : s.sequence) sequence.push_back(match_json(m));
  return {
      {"score", s.score},
      {"guesses", number(s.guesses)},
      {"guesses_log10", number(s.guesses_log10)},
      {"crack_times_seconds",
       {{"online_throttling_100_per_hour", number(t.online_throttling_100_per_hour)},
        {"online_no_throttling_10_per_second", number(t.online_no_throttling_10_per_second)},
        {"offline_slow_hashing_1e4_per_second", number(t.offline_slow_hashing_1e4_per_second)},
        {"offline_fast_hashing_1e10_per_second", number(t.offline_fast_hashing_1e10_per_second)}}},
      {"crack_times_display",
       {{"online_throttling_100_per_hour", d.online_throttling_100_per_hour},
        {"online_no_throttling_10_per_second", d.online_no_throttling_10_per_second},
        {"offline_slow_hashing_1e4_per_second", d.offline_slow_hashing_1e4_per_second},
        {"offline_fast_hashing_1e10_per_second", d.offline_fast_hashing_1e10_per_second}}},
      {"feedback",
       {{"warning", s.feedback.warning},
        {"warning_key", s.feedback.warning_key},
        {"suggestions", s.feedback.suggestions},
        {"suggestion_keys", s.feedback.suggestion_keys}}},
      {"sequence", sequence},
      {"truncated", s.truncated},
  };
}

}  // namespace

int main() {
  std::string line;
  for (std::size_t n = 1; std::getline(std::cin, line); ++n) {
    const json in = json::parse(line, nullptr, /*allow_exceptions=*/false);
    const bool text = in.is_object() && in.contains("password") && in["password"].is_string();
    const bool hex = in.is_object() && in.contains("password_hex") && in["password_hex"].is_string();
    if (!text && !hex) {
      std::fprintf(stderr, "strength_json: line %zu is not {\"password\": ...} or {\"password_hex\": ...}\n", n);
      return 1;
    }
    std::vector<std::string> user_inputs;
    if (in.contains("userInputs")) {
      for (const auto& u : in["userInputs"]) {
        if (u.is_string()) user_inputs.push_back(u.get<std::string>());
      }
    }
    portcullis::StrengthOptions options;
    if (in.contains("referenceYear") && in["referenceYear"].is_number_integer()) {
      options.reference_year = in["referenceYear"].get<int>();
    }
    const std::string password = text ? in["password"].get<std::string>() : portcullis::testing::from_hex(in["password_hex"].get<std::string>());
    std::cout << result_json(portcullis::estimate_strength(password, user_inputs, options)).dump() << '\n';
  }
  return 0;
}
