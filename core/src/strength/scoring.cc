// zxcvbn 4.4.2's scoring.coffee and time_estimates.coffee. The arithmetic is done in doubles in
// zxcvbn's order, NaN and Infinity included, so that ties in the search break the same way.

#include "strength/scoring.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <limits>
#include <vector>

#include "strength/adjacency_graphs.h"
#include "strength/js_string.h"
#include "strength/small_sort.h"

namespace portcullis::strength {
namespace {

constexpr double kBruteforceCardinality = 10;
constexpr double kMinGuessesBeforeGrowingSequence = 10000;
static_assert(kMinGuessesBeforeGrowingSequence == 10000, "kPow10000 (js_pow.inc) holds its powers");
constexpr double kMinSubmatchGuessesSingleChar = 10;
constexpr double kMinSubmatchGuessesMultiChar = 50;
constexpr double kMinYearSpace = 20;

#include "strength/js_pow.inc"

// The powers of a JsPowTable, as doubles (built once).
std::vector<double> expand(const JsPowTable& table) {
  std::vector<double> powers(table.size);
  double power = 1;
  for (std::size_t n = 0; n < table.size; ++n) {
    if (n > 0) {
      // (a positive finite double's bit pattern, as an integer, grows with the double)
      const double product = power * table.base;
      std::int64_t bits = 0;
      std::memcpy(&bits, &product, sizeof bits);
      bits += table.delta[n];
      std::memcpy(&power, &bits, sizeof power);
    }
    powers[n] = power;
  }
  return powers;
}

// Math.pow(base, n) as V8 computes it, from a table; Infinity past the table's finite range, or
// std::pow where the table ends early (unreachable within the analysed length).
double pow_from(const JsPowTable& table, std::size_t n, bool infinite_after) {
  static const std::vector<double> kTables[4] = {expand(kPow10), expand(kPow10000), expand(kPowKeyboardDegree),
                                                 expand(kPowKeypadDegree)};
  const std::vector<double>& powers = &table == &kPow10             ? kTables[0]
                                      : &table == &kPow10000          ? kTables[1]
                                      : &table == &kPowKeyboardDegree ? kTables[2]
                                                                      : kTables[3];
  if (n < powers.size()) return powers[n];
  return infinite_after ? std::numeric_limits<double>::infinity() : std::pow(table.base, static_cast<double>(n));
}

// nCk(n, k) for every k up to k_max, by zxcvbn's loop (r *= n; r /= d; n -= 1): the loop for k
// passes through the results for every smaller k, so one pass gives each bit for bit, in O(k_max)
// rather than O(k_max^2).
class BinomialRow {
 public:
  BinomialRow(double n, double k_max) {
    row_.push_back(1);
    double r = 1;
    double m = n;
    for (double d = 1; d <= k_max && d <= n; d += 1) {
      r *= m;
      r /= d;
      m -= 1;
      row_.push_back(r);
    }
  }
  double operator[](double k) const {  // 0 for k > n, as nCk
    const auto index = static_cast<std::size_t>(k);
    return index < row_.size() ? row_[index] : 0;
  }

 private:
  std::vector<double> row_;
};

// Sum over i = 1..p of nCk(n, i), in order.
double binomial_sum(double n, double p) {
  const BinomialRow row(n, p);
  double sum = 0;
  for (double i = 1; i <= p; i += 1) sum += row[i];
  return sum;
}

// Math.max: NaN if either is NaN.
double js_max(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<double>::quiet_NaN();
  return a > b ? a : b;
}

double average_degree(const Graph& graph) {
  double average = 0;
  for (std::size_t k = 0; k < graph.key_count; ++k) {
    double degree = 0;
    for (int s = 0; s < graph.slot_count; ++s) {
      if (graph.keys[k].slots[s][0] != '\0') degree += 1;
    }
    average += degree;
  }
  average /= static_cast<double>(graph.key_count);
  return average;
}

double bruteforce_guesses(const Match& m) {
  static_assert(kBruteforceCardinality == 10);
  double guesses = pow_from(kPow10, m.token.size(), true);
  if (std::isinf(guesses)) guesses = std::numeric_limits<double>::max();
  // At least one more than the smallest submatch floor, so that any other match over the same
  // span takes precedence.
  const double min_guesses =
      m.token.size() == 1 ? kMinSubmatchGuessesSingleChar + 1 : kMinSubmatchGuessesMultiChar + 1;
  return js_max(guesses, min_guesses);
}

double uppercase_variations(const Match& m) {
  const std::u16string& word = m.token;
  const auto [upper, lower] = count_ascii_case(word);
  // ALL_LOWER /^[^A-Z]+$/ (the toLowerCase() == word test adds nothing once it fails).
  if (upper == 0) return 1;
  // START_UPPER /^[A-Z][^A-Z]+$/, END_UPPER /^[^A-Z]+[A-Z]$/, ALL_UPPER /^[^a-z]+$/.
  const std::size_t n = word.size();
  const bool start_upper = n >= 2 && is_ascii_upper(word[0]) && upper == 1;
  const bool end_upper = n >= 2 && is_ascii_upper(word[n - 1]) && upper == 1;
  if (start_upper || end_upper || lower == 0) return 2;
  const double u = static_cast<double>(upper);
  const double l = static_cast<double>(lower);
  return binomial_sum(u + l, std::min(u, l));
}

double l33t_variations(const Match& m) {
  if (!m.l33t) return 1;
  double variations = 1;
  const std::u16string chrs = js_to_lower(m.token);
  for (const auto& [subbed, unsubbed] : m.sub) {
    double s = 0;
    double u = 0;
    for (const char16_t c : chrs) {
      if (c == subbed) s += 1;
      if (c == unsubbed) u += 1;
    }
    if (s == 0 || u == 0) {
      // Fully substituted or fully plain: twice the space.
      variations *= 2;
    } else {
      const double p = std::min(u, s);
      variations *= binomial_sum(u + s, p);
    }
  }
  return variations;
}

double dictionary_guesses(Match& m) {
  m.base_guesses = m.rank;
  m.uppercase_variations = uppercase_variations(m);
  m.l33t_variations = l33t_variations(m);
  const double reversed_variations = m.reversed ? 2 : 1;
  return m.base_guesses * m.uppercase_variations * m.l33t_variations * reversed_variations;
}

double spatial_guesses(const Match& m) {
  double s = 0;
  double d = 0;
  const JsPowTable* d_powers = nullptr;
  if (m.graph <= 1) {  // qwerty, dvorak
    s = static_cast<double>(kGraphs[0].key_count);
    d = keyboard_average_degree();
    d_powers = &kPowKeyboardDegree;
  } else {
    s = static_cast<double>(kGraphs[2].key_count);
    d = keypad_average_degree();
    d_powers = &kPowKeypadDegree;
  }
  // The tables are powers of V8's average degree, which this port computes the same way.
  if (d != d_powers->base) std::abort();
  const auto d_pow = [&](double j) { return pow_from(*d_powers, static_cast<std::size_t>(j), false); };
  double guesses = 0;
  const double length = static_cast<double>(m.token.size());
  const double t = m.turns;
  // The patterns of length up to L with up to t turns.
  for (double i = 2; i <= length; i += 1) {
    const double possible_turns = std::min(t, i - 1);
    const BinomialRow row(i - 1, possible_turns - 1);
    for (double j = 1; j <= possible_turns; j += 1) guesses += row[j - 1] * s * d_pow(j);
  }
  // Shifted keys, counted like l33t substitutions.
  if (m.shifted_count != 0) {
    const double shifted = m.shifted_count;
    const double unshifted = length - shifted;
    if (shifted == 0 || unshifted == 0) {
      guesses *= 2;
    } else {
      guesses *= binomial_sum(shifted + unshifted, std::min(shifted, unshifted));
    }
  }
  return guesses;
}

double sequence_guesses(const Match& m) {
  const char16_t first = m.token.empty() ? 0 : m.token[0];
  double base_guesses = 0;
  if (first == u'a' || first == u'A' || first == u'z' || first == u'Z' || first == u'0' || first == u'1' ||
      first == u'9') {
    base_guesses = 4;  // obvious starting points
  } else if (js_is_digit(first)) {
    base_guesses = 10;
  } else {
    base_guesses = 26;
  }
  if (!m.ascending) base_guesses *= 2;
  return base_guesses * static_cast<double>(m.token.size());
}

double regex_guesses(const Match& m, int reference_year) {
  // recent_year, the only regex: the distance to the reference year, at least 20.
  int year = 0;
  for (const char16_t c : m.token) year = year * 10 + (c - u'0');
  const double year_space = std::abs(static_cast<double>(year) - reference_year);
  return js_max(year_space, kMinYearSpace);
}

double date_guesses(const Match& m, int reference_year) {
  const double year_space = js_max(std::abs(static_cast<double>(m.year) - reference_year), kMinYearSpace);
  double guesses = year_space * 365;
  if (m.separator != 0) guesses *= 4;  // one of about 4 separators
  return guesses;
}

// Math.round for the positive values display_time rounds.
double js_round(double x) {
  const double r = std::floor(x);
  return x - r >= 0.5 ? r + 1 : r;
}

std::string format_number(double x) {
  // Integers below 2^53 print as JavaScript prints them.
  return std::to_string(static_cast<long long>(x));
}

// Math.log(x) as V8 computes it (base::ieee754::log, fdlibm's algorithm), to the last bit: the C
// libraries' log() differ from it, and from each other (glibc natively, musl in the wasm build),
// in the last place now and then (with std::log, 104 of the 4,537 estimates of
// tests/wasm/native-agreement.test.mjs had a guesses_log10 that differed between the two builds;
// glibc's differs from V8's on 63 of 20,000 random doubles). The algorithm: x = 2^k (1 + f)
// with 1 + f in [sqrt(2)/2, sqrt(2)); log(1 + f) = f - s (f - R(z)) with s = f / (2 + f), z = s^2
// and R a minimax polynomial in z; then k ln 2 added in two parts, so that the sum rounds once.
double js_log(double x) {
  constexpr double kLn2Hi = 6.93147180369123816490e-01;  // 0x3fe62e42fee00000
  constexpr double kLn2Lo = 1.90821492927058770002e-10;  // 0x3dea39ef35793c76
  constexpr double kTwo54 = 1.80143985094819840000e+16;  // 2^54, to scale subnormal numbers up
  constexpr double kLg1 = 6.666666666666735130e-01;
  constexpr double kLg2 = 3.999999999940941908e-01;
  constexpr double kLg3 = 2.857142874366239149e-01;
  constexpr double kLg4 = 2.222219843214978396e-01;
  constexpr double kLg5 = 1.818357216161805012e-01;
  constexpr double kLg6 = 1.531383769920937332e-01;
  constexpr double kLg7 = 1.479819860511658591e-01;
  // (memcpy: the wasm build's libc++ has no std::bit_cast)
  const auto bits = [](double v) {
    std::uint64_t b;
    std::memcpy(&b, &v, sizeof b);
    return b;
  };
  const auto high_word = [&](double v) { return static_cast<std::int32_t>(bits(v) >> 32); };
  const auto low_word = [&](double v) { return static_cast<std::uint32_t>(bits(v)); };
  const auto with_high_word = [&](double v, std::int32_t hi) {
    const std::uint64_t b = std::uint64_t{static_cast<std::uint32_t>(hi)} << 32 | low_word(v);
    double out;
    std::memcpy(&out, &b, sizeof out);
    return out;
  };

  std::int32_t hx = high_word(x);
  std::int32_t k = 0;
  if (hx < 0x00100000) {  // x < 2^-1022: zero, negative or subnormal
    if (((hx & 0x7fffffff) | static_cast<std::int32_t>(low_word(x))) == 0) return -std::numeric_limits<double>::infinity();
    if (hx < 0) return std::numeric_limits<double>::quiet_NaN();
    k -= 54;
    x *= kTwo54;
    hx = high_word(x);
  }
  if (hx >= 0x7ff00000) return x + x;  // Infinity or NaN
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  const std::int32_t i = (hx + 0x95f64) & 0x100000;
  x = with_high_word(x, hx | (i ^ 0x3ff00000));  // x or x / 2, into [sqrt(2)/2, sqrt(2))
  k += i >> 20;
  const double f = x - 1.0;
  const double dk = k;
  if ((0x000fffff & (2 + hx)) < 3) {  // |f| < 2^-20
    if (f == 0) return k == 0 ? 0.0 : dk * kLn2Hi + dk * kLn2Lo;
    const double r = f * f * (0.5 - 0.33333333333333333 * f);
    return k == 0 ? f - r : dk * kLn2Hi - ((r - dk * kLn2Lo) - f);
  }
  const double s = f / (2.0 + f);
  const double z = s * s;
  const double w = z * z;
  const double t1 = w * (kLg2 + w * (kLg4 + w * kLg6));
  const double t2 = z * (kLg1 + w * (kLg3 + w * (kLg5 + w * kLg7)));
  const double r = t2 + t1;
  if (((hx - 0x6147a) | (0x6b851 - hx)) > 0) {  // 1 + f far from 1: with f^2 / 2 apart
    const double hfsq = 0.5 * f * f;
    return k == 0 ? f - (hfsq - s * (hfsq + r)) : dk * kLn2Hi - ((hfsq - (s * (hfsq + r) + dk * kLn2Lo)) - f);
  }
  return k == 0 ? f - s * (f - r) : dk * kLn2Hi - ((s * (f - r) - dk * kLn2Lo) - f);
}

}  // namespace

double js_log10(double x) {
  static const double ln10 = js_log(10.0);
  return js_log(x) / ln10;
}

double factorial(double n) {
  if (n < 2) return 1;
  double f = 1;
  for (double i = 2; i <= n; i += 1) f *= i;
  return f;
}

double keyboard_average_degree() {
  static const double degree = average_degree(kGraphs[0]);  // qwerty's, for dvorak too
  return degree;
}

double keypad_average_degree() {
  static const double degree = average_degree(kGraphs[2]);  // keypad's, for mac_keypad too
  return degree;
}

double estimate_guesses(Match& match, std::size_t password_length, int reference_year) {
  if (match.has_guesses) return match.guesses;
  double min_guesses = 1;
  if (match.token.size() < password_length) {
    min_guesses = match.token.size() == 1 ? kMinSubmatchGuessesSingleChar : kMinSubmatchGuessesMultiChar;
  }
  double guesses = 0;
  switch (match.pattern) {
    case Pattern::kBruteforce:
      guesses = bruteforce_guesses(match);
      break;
    case Pattern::kDictionary:
      guesses = dictionary_guesses(match);
      break;
    case Pattern::kSpatial:
      guesses = spatial_guesses(match);
      break;
    case Pattern::kRepeat:
      guesses = match.base_guesses * match.repeat_count;
      break;
    case Pattern::kSequence:
      guesses = sequence_guesses(match);
      break;
    case Pattern::kRegex:
      guesses = regex_guesses(match, reference_year);
      break;
    case Pattern::kDate:
      guesses = date_guesses(match, reference_year);
      break;
  }
  match.guesses = js_max(guesses, min_guesses);
  match.guesses_log10 = js_log10(match.guesses);
  match.has_guesses = true;
  return match.guesses;
}

Analysis most_guessable_match_sequence(std::u16string_view password, std::vector<Match>& matches,
                                       int reference_year, std::size_t analysed_length, bool exclude_additive) {
  const std::size_t n = password.size();
  analysed_length = std::min(analysed_length, n);

  // Matches by end index, each list sorted by i (stably: same-span matches keep their order).
  std::vector<std::vector<Match*>> matches_by_j(n);
  for (Match& m : matches) matches_by_j[static_cast<std::size_t>(m.j)].push_back(&m);
  for (auto& list : matches_by_j) {
    small_stable_sort(list, [](const Match* a, const Match* b) { return a->i < b->i; });
  }

  // optimal.m / .pi / .g: for each end k, the best length-l sequence's last match, product and
  // objective, for the lengths l stored (a JS object with integer keys: visited ascending). A
  // bruteforce match is kept as its start only; it is built when the sequence is unwound.
  struct Entry {
    bool present = false;
    Match* m = nullptr;  // nullptr: bruteforce from i to k
    int i = 0;
    double pi = 0;
    double g = 0;
  };
  std::vector<std::vector<Entry>> optimal(n);
  // best_upto[k][l]: the smallest objective stored at k with at most l matches (NaN never blocks
  // a candidate, so NaN objectives are left out), which makes the "does a shorter sequence do as
  // well" test one comparison.
  std::vector<std::vector<double>> best_upto(n);

  // l! and 10000^(l-1), and the guesses of a bruteforce match by length (bruteforce_guesses is
  // above the submatch floor, so estimate_guesses' floor never applies to it).
  std::vector<double> factorials;
  std::vector<double> additive;
  const auto objective_terms = [&](std::size_t l) {
    while (factorials.size() <= l) {
      const std::size_t k = factorials.size();
      factorials.push_back(factorial(static_cast<double>(k)));
      // kMinGuessesBeforeGrowingSequence^(k - 1)
      additive.push_back(k == 0 ? 0 : pow_from(kPow10000, k - 1, true));
    }
  };
  std::vector<double> bruteforce_by_length;
  const auto bruteforce_guesses_of = [&](std::size_t length) {
    while (bruteforce_by_length.size() <= length) {
      Match m;
      m.pattern = Pattern::kBruteforce;
      m.token.resize(bruteforce_by_length.size());
      bruteforce_by_length.push_back(bruteforce_guesses(m));
    }
    return bruteforce_by_length[length];
  };

  // Considers a length-l sequence ending with a match over [i..k] of the given guesses.
  const auto update = [&](Match* m, std::size_t i, std::size_t k, double guesses, std::size_t l) {
    double pi = guesses;
    if (l > 1) {
      // The product of the length-(l-1) sequence ending just before the match.
      pi *= optimal[i - 1][l - 1].pi;
    }
    objective_terms(l);
    double g = factorials[l] * pi;
    if (!exclude_additive) g += additive[l];
    // Skip it if a sequence of l or fewer matches over the same prefix does as well.
    std::vector<Entry>& at_k = optimal[k];
    std::vector<double>& best = best_upto[k];
    if (!best.empty() && best[std::min(l, best.size() - 1)] <= g) return;
    if (at_k.size() <= l) {
      at_k.resize(l + 1);
      best.resize(l + 1, std::numeric_limits<double>::infinity());
    }
    at_k[l] = Entry{true, m, static_cast<int>(i), pi, g};
    for (std::size_t q = l; q < at_k.size(); ++q) {
      const double previous = q == 0 ? std::numeric_limits<double>::infinity() : best[q - 1];
      const double here = at_k[q].present && !std::isnan(at_k[q].g) ? at_k[q].g : std::numeric_limits<double>::infinity();
      best[q] = std::min(previous, here);
    }
  };

  // Bruteforce matches ending at k: one over the whole prefix, and [i..k] after every stored
  // sequence ending at i - 1 that does not already end in bruteforce. (For k = 0 zxcvbn's range
  // [1..0] also visits i = 1, a candidate that can never win: skipped.)
  const auto bruteforce_update = [&](std::size_t k, std::size_t max_i) {
    update(nullptr, 0, k, bruteforce_guesses_of(k + 1), 1);
    for (std::size_t i = 1; i <= std::min(k, max_i); ++i) {
      const double guesses = bruteforce_guesses_of(k - i + 1);
      for (std::size_t l = 1; l < optimal[i - 1].size(); ++l) {
        const Entry& last = optimal[i - 1][l];
        if (!last.present || last.m == nullptr) continue;
        update(nullptr, i, k, guesses, l + 1);
      }
    }
  };

  for (std::size_t k = 0; k < analysed_length; ++k) {
    for (Match* m : matches_by_j[k]) {
      const double guesses = estimate_guesses(*m, n, reference_year);
      const auto i = static_cast<std::size_t>(m->i);
      if (i > 0) {
        // Lengths are read before updating: update never writes at an earlier k.
        for (std::size_t l = 1; l < optimal[i - 1].size(); ++l) {
          if (optimal[i - 1][l].present) update(m, i, k, guesses, l + 1);
        }
      } else {
        update(m, 0, k, guesses, 1);
      }
    }
    bruteforce_update(k, k);
  }
  if (analysed_length < n) {
    // Only bruteforce covers the rest; at the last position it extends the sequences ending
    // inside the analysed part (those ending later would end in bruteforce, which zxcvbn skips).
    bruteforce_update(n - 1, analysed_length);
  }

  Analysis analysis;
  if (n == 0) {
    analysis.guesses = 1;
    analysis.guesses_log10 = js_log10(1);
    return analysis;
  }
  // Unwind from the end: the length with the smallest objective (the shortest on ties).
  const std::vector<Entry>& last = optimal[n - 1];
  std::size_t best_l = 0;
  double best_g = std::numeric_limits<double>::infinity();
  for (std::size_t l = 1; l < last.size(); ++l) {
    if (last[l].present && last[l].g < best_g) {
      best_l = l;
      best_g = last[l].g;
    }
  }
  std::vector<Match> sequence;
  if (best_l != 0) {
    std::ptrdiff_t k = static_cast<std::ptrdiff_t>(n) - 1;
    std::size_t l = best_l;
    while (k >= 0) {
      const Entry& e = optimal[static_cast<std::size_t>(k)][l];
      if (e.m != nullptr) {
        sequence.push_back(*e.m);
      } else {
        Match m;
        m.pattern = Pattern::kBruteforce;
        m.i = e.i;
        m.j = static_cast<int>(k);
        m.token = std::u16string(password.substr(static_cast<std::size_t>(e.i), static_cast<std::size_t>(k - e.i + 1)));
        estimate_guesses(m, n, reference_year);
        sequence.push_back(std::move(m));
      }
      k = e.i - 1;
      --l;
    }
    std::reverse(sequence.begin(), sequence.end());
    analysis.guesses = last[sequence.size()].g;
  } else {
    analysis.guesses = std::numeric_limits<double>::infinity();
  }
  analysis.guesses_log10 = js_log10(analysis.guesses);
  analysis.sequence = std::move(sequence);
  return analysis;
}

int guesses_to_score(double guesses) {
  constexpr double kDelta = 5;
  if (guesses < 1e3 + kDelta) return 0;   // too guessable
  if (guesses < 1e6 + kDelta) return 1;   // very guessable
  if (guesses < 1e8 + kDelta) return 2;   // somewhat guessable
  if (guesses < 1e10 + kDelta) return 3;  // safely unguessable
  return 4;                               // very unguessable
}

std::string display_time(double seconds) {
  constexpr double kMinute = 60;
  constexpr double kHour = kMinute * 60;
  constexpr double kDay = kHour * 24;
  constexpr double kMonth = kDay * 31;
  constexpr double kYear = kMonth * 12;
  constexpr double kCentury = kYear * 100;
  const auto plural = [](double base, const char* unit) {
    std::string s = format_number(base) + " " + unit;
    if (base != 1) s += "s";
    return s;
  };
  if (seconds < 1) return "less than a second";
  if (seconds < kMinute) return plural(js_round(seconds), "second");
  if (seconds < kHour) return plural(js_round(seconds / kMinute), "minute");
  if (seconds < kDay) return plural(js_round(seconds / kHour), "hour");
  if (seconds < kMonth) return plural(js_round(seconds / kDay), "day");
  if (seconds < kYear) return plural(js_round(seconds / kMonth), "month");
  if (seconds < kCentury) return plural(js_round(seconds / kYear), "year");
  return "centuries";  // also NaN, as zxcvbn's last branch
}

}  // namespace portcullis::strength
