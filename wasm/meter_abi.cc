// The strength meter's C ABI: plain functions on numbers and addresses in wasm memory, which
// wasm/strength-abi.js turns into the result object of estimateStrength().
//
// Why not embind: the meter-only module (dist/portcullis-meter.wasm) is what a page with a
// strength meter downloads, and embind costs it ~10 KB of wasm and ~10 KB of JS glue (gzip), and
// an instantiation that waits for the glue. These functions need no glue at all: a standalone
// .wasm and a loader of a few lines (wasm/meter.js). The full module (dist/portcullis-core.wasm)
// links this file too, so both estimate through the very same code, C++ and JS.
//
// The host's side, in order: portcullis_dictionary_buffer(), copy the blob in,
// portcullis_load_dictionary(); then per estimate: portcullis_input_buffer(), write the password
// and user inputs in, portcullis_estimate_strength(), read the result with the accessors below.
// The result stays until the next estimate. Field numbers are the enums' values, which
// strength-abi.js mirrors.

#include <emscripten/emscripten.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "meter_abi.h"
#include "portcullis/strength.h"

namespace portcullis::wasm {
namespace {

// A text of the result, as the host reads it: its UTF-8 bytes' address and size (two u32: wasm32).
struct TextView {
  const char* data;
  std::uint32_t size;
};
static_assert(sizeof(TextView) == 8, "strength-abi.js reads a TextView as two u32");

enum StrengthNumber : int {
  kScore,
  kGuesses,
  kGuessesLog10,
  kCrackTimeSeconds,  // index: the scenario, in zxcvbn's order
  kTruncated,
  kSuggestionCount,
  kMatchCount,
};

enum StrengthText : int {
  kCrackTimeDisplay,  // index: the scenario
  kWarning,
  kWarningKey,
  kSuggestion,     // index: the suggestion
  kSuggestionKey,  // index: the suggestion
};

enum MatchNumber : int {
  kI,
  kJ,
  kMatchGuesses,
  kMatchGuessesLog10,
  kRank,
  kReversed,
  kL33t,
  kSubCount,
  kTurns,
  kShiftedCount,
  kBaseGuesses,
  kRepeatCount,
  kSequenceSpace,
  kAscending,
  kYear,
  kMonth,
  kDay,
};

enum MatchText : int {
  kPattern,
  kToken,
  kDictionaryName,
  kMatchedWord,
  kSubFrom,  // index: the substitution
  kSubTo,    // index: the substitution
  kGraph,
  kBaseToken,
  kSequenceName,
  kRegexName,
  kSeparator,
};

std::unique_ptr<std::uint8_t[]> dictionary_buffer;
std::unique_ptr<const StrengthDictionaries> dictionaries;
// Grows to the largest input seen; an estimate allocates far more than this anyway.
std::unique_ptr<char[]> input;
std::size_t input_capacity = 0;
Strength last;
TextView text_view;

// Every text accessor returns this one view: the host reads it before its next call.
const TextView* view(std::string_view text) {
  text_view = {text.data(), static_cast<std::uint32_t>(text.size())};
  return &text_view;
}

std::string_view item(const std::vector<std::string>& items, std::uint32_t index) {
  return index < items.size() ? std::string_view(items[index]) : std::string_view();
}

const std::string& crack_time_display(std::uint32_t scenario) {
  const CrackTimesDisplay& d = last.crack_times_display;
  switch (scenario) {
    case 0:
      return d.online_throttling_100_per_hour;
    case 1:
      return d.online_no_throttling_10_per_second;
    case 2:
      return d.offline_slow_hashing_1e4_per_second;
    default:
      return d.offline_fast_hashing_1e10_per_second;
  }
}

double crack_time_seconds(std::uint32_t scenario) {
  const CrackTimes& s = last.crack_times_seconds;
  switch (scenario) {
    case 0:
      return s.online_throttling_100_per_hour;
    case 1:
      return s.online_no_throttling_10_per_second;
    case 2:
      return s.offline_slow_hashing_1e4_per_second;
    default:
      return s.offline_fast_hashing_1e10_per_second;
  }
}

}  // namespace

const StrengthDictionaries* loaded_dictionaries() { return dictionaries.get(); }

// The exports: C names (extern "C"), so the host finds them unmangled.
extern "C" {

// Returns the address of a new buffer of `size` bytes for the dictionary blob, or 0 if the blob
// cannot be the expected one (another size).
EMSCRIPTEN_KEEPALIVE std::uint8_t* portcullis_dictionary_buffer(std::uint32_t size) {
  dictionary_buffer.reset();
  if (size != StrengthDictionaries::blob_size()) return nullptr;
  // Not zeroed (make_unique would be): the host overwrites all of it, and zeroing 240 KB in the
  // browser's baseline compiler is a measurable part of the meter's cold start.
  dictionary_buffer = std::unique_ptr<std::uint8_t[]>(new std::uint8_t[size]);
  return dictionary_buffer.get();
}

// Takes over the buffer from portcullis_dictionary_buffer() (filled by the host) and decodes it.
// Returns 1 if the dictionaries are loaded; a wrong blob is refused (0) and freed.
EMSCRIPTEN_KEEPALIVE int portcullis_load_dictionary() {
  if (!dictionaries && dictionary_buffer) {
    dictionaries = StrengthDictionaries::from_blob(std::move(dictionary_buffer), StrengthDictionaries::blob_size());
  }
  return dictionaries != nullptr;
}

EMSCRIPTEN_KEEPALIVE int portcullis_has_dictionary() { return dictionaries != nullptr; }

// Returns the address of a buffer of at least `size` bytes for an estimate's input (valid until
// the next call).
EMSCRIPTEN_KEEPALIVE char* portcullis_input_buffer(std::uint32_t size) {
  if (size > input_capacity) {
    input = std::make_unique<char[]>(size);
    input_capacity = size;
  }
  return input.get();
}

// Estimates the strength of the password in the input buffer's first `password_size` bytes
// (UTF-8), with the user inputs that follow it (`user_inputs_size` bytes: each a u32 byte count,
// little-endian, then its UTF-8), measured against `reference_year` (0, or anything but a number
// from 0 to 1e9: the current year, as the full module's options objects read it). Returns 1, or 0
// if the dictionaries are not loaded or the sizes exceed the buffer.
EMSCRIPTEN_KEEPALIVE int portcullis_estimate_strength(std::uint32_t password_size, std::uint32_t user_inputs_size,
                                                      double reference_year) {
  if (!dictionaries || std::size_t{password_size} + user_inputs_size > input_capacity) return 0;
  const char* p = input.get() + password_size;
  const char* const end = p + user_inputs_size;
  std::vector<std::string> user_inputs;
  while (end - p >= 4) {
    std::uint32_t size;
    std::memcpy(&size, p, 4);
    p += 4;
    if (size > static_cast<std::size_t>(end - p)) return 0;
    user_inputs.emplace_back(p, size);
    p += size;
  }
  StrengthOptions options;
  options.reference_year = reference_year >= 0 && reference_year <= 1e9 ? static_cast<int>(reference_year) : 0;
  last = estimate_strength({input.get(), password_size}, *dictionaries, user_inputs, options);
  return 1;
}

// The last estimate's fields, by the enums above; `index` selects within a list, 0 elsewhere.
// Booleans are 0 or 1; an index out of range gives 0 or an empty text.
EMSCRIPTEN_KEEPALIVE double portcullis_strength_number(int field, std::uint32_t index) {
  switch (field) {
    case kScore:
      return last.score;
    case kGuesses:
      return last.guesses;
    case kGuessesLog10:
      return last.guesses_log10;
    case kCrackTimeSeconds:
      return crack_time_seconds(index);
    case kTruncated:
      return last.truncated;
    case kSuggestionCount:
      return static_cast<double>(last.feedback.suggestions.size());
    case kMatchCount:
      return static_cast<double>(last.sequence.size());
    default:
      return 0;
  }
}

EMSCRIPTEN_KEEPALIVE const TextView* portcullis_strength_text(int field, std::uint32_t index) {
  switch (field) {
    case kCrackTimeDisplay:
      return view(crack_time_display(index));
    case kWarning:
      return view(last.feedback.warning);
    case kWarningKey:
      return view(last.feedback.warning_key);
    case kSuggestion:
      return view(item(last.feedback.suggestions, index));
    case kSuggestionKey:
      return view(item(last.feedback.suggestion_keys, index));
    default:
      return view({});
  }
}

// The fields of the last estimate's match number `index` (in its sequence).
EMSCRIPTEN_KEEPALIVE double portcullis_match_number(std::uint32_t index, int field) {
  if (index >= last.sequence.size()) return 0;
  const StrengthMatch& m = last.sequence[index];
  switch (field) {
    case kI:
      return m.i;
    case kJ:
      return m.j;
    case kMatchGuesses:
      return m.guesses;
    case kMatchGuessesLog10:
      return m.guesses_log10;
    case kRank:
      return m.rank;
    case kReversed:
      return m.reversed;
    case kL33t:
      return m.l33t;
    case kSubCount:
      return static_cast<double>(m.sub.size());
    case kTurns:
      return m.turns;
    case kShiftedCount:
      return m.shifted_count;
    case kBaseGuesses:
      return m.base_guesses;
    case kRepeatCount:
      return m.repeat_count;
    case kSequenceSpace:
      return m.sequence_space;
    case kAscending:
      return m.ascending;
    case kYear:
      return m.year;
    case kMonth:
      return m.month;
    case kDay:
      return m.day;
    default:
      return 0;
  }
}

EMSCRIPTEN_KEEPALIVE const TextView* portcullis_match_text(std::uint32_t index, int field, std::uint32_t sub) {
  if (index >= last.sequence.size()) return view({});
  const StrengthMatch& m = last.sequence[index];
  switch (field) {
    case kPattern:
      return view(m.pattern);
    case kToken:
      return view(m.token);
    case kDictionaryName:
      return view(m.dictionary_name);
    case kMatchedWord:
      return view(m.matched_word);
    case kSubFrom:
      return view(sub < m.sub.size() ? std::string_view(m.sub[sub].first) : std::string_view());
    case kSubTo:
      return view(sub < m.sub.size() ? std::string_view(m.sub[sub].second) : std::string_view());
    case kGraph:
      return view(m.graph);
    case kBaseToken:
      return view(m.base_token);
    case kSequenceName:
      return view(m.sequence_name);
    case kRegexName:
      return view(m.regex_name);
    case kSeparator:
      return view(m.separator);
    default:
      return view({});
  }
}

}  // extern "C"

}  // namespace portcullis::wasm
