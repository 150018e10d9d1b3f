// embind bindings of the core: what the npm package's loader (index.js) wraps.
//
// Options objects are read here, field by field, so the defaults live in one place (the C++
// structs) and the browser and the server can never disagree on them. Results are plain objects:
// {ok: true, value?} or {ok: false, code, message}.

#include <emscripten/bind.h>
#include <emscripten/val.h>

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

val strings_to_array(const std::vector<std::string>& items) {
  val out = val::array();
  for (std::size_t k = 0; k < items.size(); ++k) out.set(k, items[k]);
  return out;
}

val match_to_val(const StrengthMatch& m) {
  val out = val::object();
  out.set("pattern", m.pattern);
  out.set("i", m.i);
  out.set("j", m.j);
  out.set("token", m.token);
  out.set("guesses", m.guesses);
  out.set("guesses_log10", m.guesses_log10);
  if (m.pattern == "dictionary") {
    out.set("dictionary_name", m.dictionary_name);
    out.set("matched_word", m.matched_word);
    out.set("rank", m.rank);
    out.set("reversed", m.reversed);
    out.set("l33t", m.l33t);
    if (m.l33t) {
      val sub = val::object();
      for (const auto& [from, to] : m.sub) sub.set(from, to);
      out.set("sub", sub);
    }
  } else if (m.pattern == "spatial") {
    out.set("graph", m.graph);
    out.set("turns", m.turns);
    out.set("shifted_count", m.shifted_count);
  } else if (m.pattern == "repeat") {
    out.set("base_token", m.base_token);
    out.set("base_guesses", m.base_guesses);
    out.set("repeat_count", m.repeat_count);
  } else if (m.pattern == "sequence") {
    out.set("sequence_name", m.sequence_name);
    out.set("sequence_space", m.sequence_space);
    out.set("ascending", m.ascending);
  } else if (m.pattern == "regex") {
    out.set("regex_name", m.regex_name);
  } else if (m.pattern == "date") {
    out.set("separator", m.separator);
    out.set("year", m.year);
    out.set("month", m.month);
    out.set("day", m.day);
  }
  return out;
}

// The same shape as zxcvbn's result (snake_case keys), plus stable feedback keys.
val estimate_strength_js(const std::string& password, const val& user_inputs, const val& options) {
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
  const Strength s = estimate_strength(password, inputs, o);
  val out = val::object();
  out.set("score", s.score);
  out.set("guesses", s.guesses);
  out.set("guesses_log10", s.guesses_log10);
  val seconds = val::object();
  seconds.set("online_throttling_100_per_hour", s.crack_times_seconds.online_throttling_100_per_hour);
  seconds.set("online_no_throttling_10_per_second", s.crack_times_seconds.online_no_throttling_10_per_second);
  seconds.set("offline_slow_hashing_1e4_per_second", s.crack_times_seconds.offline_slow_hashing_1e4_per_second);
  seconds.set("offline_fast_hashing_1e10_per_second", s.crack_times_seconds.offline_fast_hashing_1e10_per_second);
  out.set("crack_times_seconds", seconds);
  val display = val::object();
  display.set("online_throttling_100_per_hour", s.crack_times_display.online_throttling_100_per_hour);
  display.set("online_no_throttling_10_per_second", s.crack_times_display.online_no_throttling_10_per_second);
  display.set("offline_slow_hashing_1e4_per_second", s.crack_times_display.offline_slow_hashing_1e4_per_second);
  display.set("offline_fast_hashing_1e10_per_second", s.crack_times_display.offline_fast_hashing_1e10_per_second);
  out.set("crack_times_display", display);
  val feedback = val::object();
  feedback.set("warning", s.feedback.warning);
  feedback.set("warning_key", s.feedback.warning_key);
  feedback.set("suggestions", strings_to_array(s.feedback.suggestions));
  feedback.set("suggestion_keys", strings_to_array(s.feedback.suggestion_keys));
  out.set("feedback", feedback);
  val sequence = val::array();
  for (std::size_t k = 0; k < s.sequence.size(); ++k) sequence.set(k, match_to_val(s.sequence[k]));
  out.set("sequence", sequence);
  out.set("truncated", s.truncated);
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
}
