// embind bindings of the core: what the npm package's loader (index.js) wraps.
//
// Options objects are read here, field by field, so the defaults live in one place (the C++
// structs) and the browser and the server can never disagree on them. Results are plain objects:
// {ok: true, value?} or {ok: false, code, message}.

#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cstdint>
#include <memory>
#include <string>

#include "portcullis/email.h"
#include "portcullis/error.h"
#include "portcullis/name.h"
#include "portcullis/password_policy.h"
#include "portcullis/strength.h"
#include "portcullis/text.h"
#include "portcullis/token.h"

namespace {

using emscripten::val;
using namespace portcullis;

// Reads a non-negative integer option, or keeps `fallback` when it is absent or not a number.
std::size_t read_size(const val& options, const char* key, std::size_t fallback) {
  if (!options.isUndefined() && !options.isNull()) {
    const val v = options[key];
    if (v.isNumber()) {
      const double d = v.as<double>();
      if (d >= 0 && d <= 1e9) return static_cast<std::size_t>(d);
    }
  }
  return fallback;
}

bool read_bool(const val& options, const char* key, bool fallback) {
  if (options.isUndefined() || options.isNull()) return fallback;
  const val v = options[key];
  return v.isTrue() ? true : v.isFalse() ? false : fallback;
}

val to_val(const Status& s) {
  val out = val::object();
  out.set("ok", s.ok());
  if (!s.ok()) {
    out.set("code", std::string(s.code_name()));
    out.set("message", s.message());
  }
  return out;
}

val to_val(const Result<std::string>& r) {
  if (!r.ok()) return to_val(r.status());
  val out = val::object();
  out.set("ok", true);
  out.set("value", r.value());
  return out;
}

val validate_email_js(const std::string& email, const val& options) {
  EmailOptions o;
  o.allow_international = read_bool(options, "allowInternational", o.allow_international);
  return to_val(validate_email(email, o));
}

val validate_name_js(const std::string& name, const val& policy) {
  NamePolicy p;
  p.allow_empty = read_bool(policy, "allowEmpty", p.allow_empty);
  p.max_length = read_size(policy, "maxLength", p.max_length);
  return to_val(validate_name(name, p));
}

PasswordPolicy password_policy_from(const val& policy) {
  PasswordPolicy p;
  p.min_length = read_size(policy, "minLength", p.min_length);
  p.max_length = read_size(policy, "maxLength", p.max_length);
  p.max_bytes = read_size(policy, "maxBytes", p.max_bytes);
  p.min_score = static_cast<int>(std::min<std::size_t>(4, read_size(policy, "minScore", static_cast<std::size_t>(p.min_score))));
  return p;
}

val check_password_js(const std::string& password, const val& policy) {
  return to_val(check_password(password, password_policy_from(policy)));
}

val check_password_for_sign_in_js(const std::string& password, const val& policy) {
  return to_val(check_password_for_sign_in(password, password_policy_from(policy)));
}

val password_policy_defaults_js() {
  const PasswordPolicy p;
  val out = val::object();
  out.set("minLength", static_cast<double>(p.min_length));
  out.set("maxLength", static_cast<double>(p.max_length));
  out.set("maxBytes", static_cast<double>(p.max_bytes));
  out.set("minScore", p.min_score);
  return out;
}

val utf16_length_js(const std::string& text) {
  const auto n = utf16_length(text);
  return n ? val(static_cast<double>(*n)) : val::null();
}

std::string sign_cookie_js(const std::string& value, const std::string& secret) {
  return sign_cookie(value, secret);
}

val verify_cookie_js(const std::string& cookie, const std::string& secret) {
  return to_val(verify_cookie(cookie, secret));
}

std::string generate_token_js(unsigned length) { return generate_token(length); }

val error_message_js(const std::string& code_name) {
  const auto code = error_code_from_name(code_name);
  return code ? val(std::string(error_message(*code))) : val::null();
}

// Setters kept out of line: the strength result has ~60 fields, and embind's inlined val::set
// would repeat the conversion code for each (15 KB of wasm).
[[gnu::noinline]] void put(val& object, const char* key, const std::string& value) { object.set(key, value); }
[[gnu::noinline]] void put(val& object, const char* key, double value) { object.set(key, value); }
[[gnu::noinline]] void put_bool(val& object, const char* key, bool value) { object.set(key, value); }
[[gnu::noinline]] void put(val& object, const char* key, const val& value) { object.set(key, value); }

[[gnu::noinline]] val strings_to_array(const std::vector<std::string>& items) {
  val out = val::array();
  for (std::size_t k = 0; k < items.size(); ++k) out.set(k, items[k]);
  return out;
}

val match_to_val(const StrengthMatch& m) {
  val out = val::object();
  put(out, "pattern", m.pattern);
  put(out, "i", m.i);
  put(out, "j", m.j);
  put(out, "token", m.token);
  put(out, "guesses", m.guesses);
  put(out, "guesses_log10", m.guesses_log10);
  if (m.pattern == "dictionary") {
    put(out, "dictionary_name", m.dictionary_name);
    put(out, "matched_word", m.matched_word);
    put(out, "rank", m.rank);
    put_bool(out, "reversed", m.reversed);
    put_bool(out, "l33t", m.l33t);
    if (m.l33t) {
      val sub = val::object();
      for (const auto& [from, to] : m.sub) put(sub, from.c_str(), to);
      put(out, "sub", sub);
    }
  } else if (m.pattern == "spatial") {
    put(out, "graph", m.graph);
    put(out, "turns", m.turns);
    put(out, "shifted_count", m.shifted_count);
  } else if (m.pattern == "repeat") {
    put(out, "base_token", m.base_token);
    put(out, "base_guesses", m.base_guesses);
    put(out, "repeat_count", m.repeat_count);
  } else if (m.pattern == "sequence") {
    put(out, "sequence_name", m.sequence_name);
    put(out, "sequence_space", m.sequence_space);
    put_bool(out, "ascending", m.ascending);
  } else if (m.pattern == "regex") {
    put(out, "regex_name", m.regex_name);
  } else if (m.pattern == "date") {
    put(out, "separator", m.separator);
    put(out, "year", m.year);
    put(out, "month", m.month);
    put(out, "day", m.day);
  }
  return out;
}

// The strength dictionaries are not in the wasm: the loader (index.js) fetches
// dist/portcullis-dictionary.bin when strength is first needed, copies it into a buffer this
// module allocates (dictionaryBuffer), and hands it over (loadDictionary), which keeps it only if
// it is the blob this build was made with.
std::unique_ptr<std::uint8_t[]> dictionary_buffer;
std::size_t dictionary_buffer_size = 0;
std::unique_ptr<const StrengthDictionaries> dictionaries;

// Returns the address in wasm memory of a new buffer of `size` bytes for the blob, or 0 if the
// blob cannot be the expected one (another size).
std::uintptr_t dictionary_buffer_js(std::size_t size) {
  dictionary_buffer.reset();
  dictionary_buffer_size = 0;
  if (size != StrengthDictionaries::blob_size()) return 0;
  dictionary_buffer = std::make_unique<std::uint8_t[]>(size);
  dictionary_buffer_size = size;
  return reinterpret_cast<std::uintptr_t>(dictionary_buffer.get());
}

// Takes over the buffer at `pointer` (from dictionaryBuffer, `size` bytes, filled by the host) and
// decodes it. Returns whether the dictionaries are loaded; a wrong blob is refused and freed.
bool load_dictionary_js(std::uintptr_t pointer, std::size_t size) {
  if (dictionaries) return true;
  if (!dictionary_buffer || pointer != reinterpret_cast<std::uintptr_t>(dictionary_buffer.get()) ||
      size != dictionary_buffer_size) {
    return false;
  }
  dictionary_buffer_size = 0;
  dictionaries = StrengthDictionaries::from_blob(std::move(dictionary_buffer), size);
  return dictionaries != nullptr;
}

bool has_dictionary_js() { return dictionaries != nullptr; }

// The same shape as zxcvbn's result (snake_case keys), plus stable feedback keys; null if the
// dictionaries are not loaded yet.
val estimate_strength_js(const std::string& password, const val& user_inputs, const val& options) {
  if (!dictionaries) return val::null();
  std::vector<std::string> inputs;
  if (!user_inputs.isUndefined() && !user_inputs.isNull()) {
    const auto n = user_inputs["length"].isNumber() ? user_inputs["length"].as<unsigned>() : 0u;
    for (unsigned k = 0; k < n; ++k) {
      const val item = user_inputs[k];
      if (item.isString()) inputs.push_back(item.as<std::string>());
    }
  }
  StrengthOptions o;
  o.reference_year = static_cast<int>(read_size(options, "referenceYear", 0));
  const Strength s = estimate_strength(password, *dictionaries, inputs, o);
  val out = val::object();
  put(out, "score", s.score);
  put(out, "guesses", s.guesses);
  put(out, "guesses_log10", s.guesses_log10);
  static constexpr const char* kScenarios[4] = {
      "online_throttling_100_per_hour", "online_no_throttling_10_per_second",
      "offline_slow_hashing_1e4_per_second", "offline_fast_hashing_1e10_per_second"};
  const double seconds_of[4] = {
      s.crack_times_seconds.online_throttling_100_per_hour, s.crack_times_seconds.online_no_throttling_10_per_second,
      s.crack_times_seconds.offline_slow_hashing_1e4_per_second,
      s.crack_times_seconds.offline_fast_hashing_1e10_per_second};
  const std::string* display_of[4] = {
      &s.crack_times_display.online_throttling_100_per_hour, &s.crack_times_display.online_no_throttling_10_per_second,
      &s.crack_times_display.offline_slow_hashing_1e4_per_second,
      &s.crack_times_display.offline_fast_hashing_1e10_per_second};
  val seconds = val::object();
  val display = val::object();
  for (int k = 0; k < 4; ++k) {
    put(seconds, kScenarios[k], seconds_of[k]);
    put(display, kScenarios[k], *display_of[k]);
  }
  put(out, "crack_times_seconds", seconds);
  put(out, "crack_times_display", display);
  val feedback = val::object();
  put(feedback, "warning", s.feedback.warning);
  put(feedback, "warning_key", s.feedback.warning_key);
  put(feedback, "suggestions", strings_to_array(s.feedback.suggestions));
  put(feedback, "suggestion_keys", strings_to_array(s.feedback.suggestion_keys));
  put(out, "feedback", feedback);
  val sequence = val::array();
  for (std::size_t k = 0; k < s.sequence.size(); ++k) sequence.set(k, match_to_val(s.sequence[k]));
  put(out, "sequence", sequence);
  put_bool(out, "truncated", s.truncated);
  return out;
}

// The words the strength rule counts as known for this user (the server derives the same).
val password_user_inputs_js(const std::string& email, const std::string& name) {
  return strings_to_array(password_user_inputs(email, name));
}

// check_new_password(): the server's verdict on a new password, in the shape of the server's
// error body ({ok, code, message, score, feedback}); null when the rule needs the dictionaries
// and they are not loaded yet.
val check_new_password_js(const std::string& password, const std::string& email, const std::string& name,
                          const val& policy, const val& options) {
  const PasswordPolicy p = password_policy_from(policy);
  if (p.min_score > 0 && !dictionaries) return val::null();
  StrengthOptions o;
  o.reference_year = static_cast<int>(read_size(options, "referenceYear", 0));
  PasswordCheck check;
  if (dictionaries) {
    check = check_new_password(password, email, name, p, *dictionaries, o);
  } else {
    check.status = check_password(password, p);  // min_score is 0: no estimate is needed
  }
  val out = to_val(check.status);
  put(out, "score", check.score);
  if (check.score >= 0) {
    val feedback = val::object();
    put(feedback, "warning", check.feedback.warning);
    put(feedback, "warningKey", check.feedback.warning_key);
    put(feedback, "suggestions", strings_to_array(check.feedback.suggestions));
    put(feedback, "suggestionKeys", strings_to_array(check.feedback.suggestion_keys));
    put(out, "feedback", feedback);
  }
  return out;
}

}  // namespace

EMSCRIPTEN_BINDINGS(portcullis_core) {
  emscripten::function("validateEmail", &validate_email_js);
  emscripten::function("validateName", &validate_name_js);
  emscripten::function("checkPassword", &check_password_js);
  emscripten::function("checkPasswordForSignIn", &check_password_for_sign_in_js);
  emscripten::function("passwordPolicyDefaults", &password_policy_defaults_js);
  emscripten::function("utf16Length", &utf16_length_js);
  emscripten::function("signCookie", &sign_cookie_js);
  emscripten::function("verifyCookie", &verify_cookie_js);
  emscripten::function("generateToken", &generate_token_js);
  emscripten::function("errorMessage", &error_message_js);
  emscripten::function("estimateStrength", &estimate_strength_js);
  emscripten::function("passwordUserInputs", &password_user_inputs_js);
  emscripten::function("checkNewPassword", &check_new_password_js);
  emscripten::function("dictionaryBuffer", &dictionary_buffer_js);
  emscripten::function("loadDictionary", &load_dictionary_js);
  emscripten::function("hasDictionary", &has_dictionary_js);
}
