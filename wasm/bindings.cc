// embind bindings of the core: what the npm package's loader (index.js) wraps. The strength
// estimate and its dictionaries go through the C ABI of meter_abi.cc instead, which the
// meter-only module shares.
//
// Options objects are read here, field by field, so the defaults live in one place (the C++
// structs) and the browser and the server can never disagree on them. Results are plain objects:
// {ok: true, value?} or {ok: false, code, message}.

#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <string>

#include "meter_abi.h"
#include "portcullis/email.h"
#include "portcullis/error.h"
#include "portcullis/name.h"
#include "portcullis/username.h"
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

val validate_username_js(const std::string& username, const val& policy) {
  UsernamePolicy p;
  p.min_length = read_size(policy, "minLength", p.min_length);
  p.max_length = read_size(policy, "maxLength", p.max_length);
  return to_val(validate_username(username, p));
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

val strings_to_array(const std::vector<std::string>& items) {
  val out = val::array();
  for (std::size_t k = 0; k < items.size(); ++k) out.set(k, items[k]);
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
  const StrengthDictionaries* dictionaries = wasm::loaded_dictionaries();
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
  out.set("score", check.score);
  if (check.score >= 0) {
    val feedback = val::object();
    feedback.set("warning", check.feedback.warning);
    feedback.set("warningKey", check.feedback.warning_key);
    feedback.set("suggestions", strings_to_array(check.feedback.suggestions));
    feedback.set("suggestionKeys", strings_to_array(check.feedback.suggestion_keys));
    out.set("feedback", feedback);
  }
  return out;
}

}  // namespace

EMSCRIPTEN_BINDINGS(portcullis_core) {
  emscripten::function("validateEmail", &validate_email_js);
  emscripten::function("validateName", &validate_name_js);
  emscripten::function("validateUsername", &validate_username_js);
  emscripten::function("checkPassword", &check_password_js);
  emscripten::function("checkPasswordForSignIn", &check_password_for_sign_in_js);
  emscripten::function("passwordPolicyDefaults", &password_policy_defaults_js);
  emscripten::function("utf16Length", &utf16_length_js);
  emscripten::function("signCookie", &sign_cookie_js);
  emscripten::function("verifyCookie", &verify_cookie_js);
  emscripten::function("generateToken", &generate_token_js);
  emscripten::function("errorMessage", &error_message_js);
  emscripten::function("passwordUserInputs", &password_user_inputs_js);
  emscripten::function("checkNewPassword", &check_new_password_js);
}
