// Runs tests/vectors/*.json against the native core. tests/wasm/vectors.test.mjs runs the same
// files against the WebAssembly build through the npm package's API; both compare every field of
// each case's "expect", so the two builds agree wherever the vectors say anything.

#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "portcullis/email.h"
#include "portcullis/error.h"
#include "portcullis/name.h"
#include "portcullis/password_policy.h"
#include "portcullis/strength.h"
#include "portcullis/text.h"
#include "portcullis/token.h"
#include "portcullis/username.h"
#include "support/hex.h"

using nlohmann::json;
using namespace portcullis;

namespace {

json load(const std::string& file) {
  std::ifstream in(std::string(PORTCULLIS_VECTORS_DIR) + "/" + file);
  REQUIRE(in.good());
  return json::parse(in);
}

// The case's text input: "input" as UTF-8, or "input_hex" for byte strings JSON cannot hold.
std::string input_of(const json& args) {
  return args.contains("input_hex") ? testing::from_hex(args["input_hex"].get<std::string>())
                                    : args["input"].get<std::string>();
}

json to_json(const Status& s) {
  if (s.ok()) return {{"ok", true}};
  return {{"ok", false}, {"code", std::string(s.code_name())}};
}

json to_json(const Result<std::string>& r) {
  if (r.ok()) return {{"ok", true}, {"value", r.value()}};
  return to_json(r.status());
}

json run(const std::string& fn, const json& args) {
  if (fn == "validateEmail") {
    EmailOptions options;
    options.allow_international = args.value("options", json::object()).value("allowInternational", false);
    return to_json(validate_email(input_of(args), options));
  }
  if (fn == "validateName") {
    const json p = args.value("policy", json::object());
    NamePolicy policy;
    policy.allow_empty = p.value("allowEmpty", policy.allow_empty);
    policy.max_length = p.value("maxLength", policy.max_length);
    return to_json(validate_name(input_of(args), policy));
  }
  if (fn == "validateUsername") {
    const json p = args.value("policy", json::object());
    UsernamePolicy policy;
    policy.min_length = p.value("minLength", policy.min_length);
    policy.max_length = p.value("maxLength", policy.max_length);
    return to_json(validate_username(input_of(args), policy));
  }
  if (fn == "checkPassword" || fn == "checkPasswordForSignIn") {
    const json p = args.value("policy", json::object());
    PasswordPolicy policy;
    policy.min_length = p.value("minLength", policy.min_length);
    policy.max_length = p.value("maxLength", policy.max_length);
    policy.max_bytes = p.value("maxBytes", policy.max_bytes);
    return to_json(fn == "checkPassword" ? check_password(input_of(args), policy)
                                         : check_password_for_sign_in(input_of(args), policy));
  }
  if (fn == "utf16Length") {
    const auto n = utf16_length(input_of(args));
    return {{"value", n ? json(*n) : json(nullptr)}};
  }
  if (fn == "signCookie") {
    return {{"value", sign_cookie(args["value"].get<std::string>(), args["secret"].get<std::string>())}};
  }
  if (fn == "verifyCookie") {
    return to_json(verify_cookie(args["cookie"].get<std::string>(), args["secret"].get<std::string>()));
  }
  if (fn == "estimateStrength") {
    StrengthOptions options;
    options.reference_year = args.value("referenceYear", 0);
    const Strength s =
        estimate_strength(input_of(args), args.value("userInputs", std::vector<std::string>{}), options);
    json sequence = json::array();
    for (const StrengthMatch& m : s.sequence) {
      sequence.push_back({{"pattern", m.pattern}, {"i", m.i}, {"j", m.j}, {"token", m.token}});
    }
    return {{"score", s.score},
            {"guesses_log10", s.guesses_log10},
            {"sequence", sequence},
            {"warning_key", s.feedback.warning_key},
            {"suggestion_keys", s.feedback.suggestion_keys}};
  }
  if (fn == "errorMessage") {
    const auto code = error_code_from_name(args["code"].get<std::string>());
    return {{"value", code ? json(std::string(error_message(*code))) : json(nullptr)}};
  }
  FAIL("unknown vector function " << fn);
  return {};
}

void run_file(const std::string& file) {
  const json doc = load(file);
  REQUIRE(doc["cases"].size() > 0);
  for (const json& c : doc["cases"]) {
    const std::string fn = c.contains("function") ? c["function"] : doc["function"];
    INFO(file << ": " << fn << ": " << c["note"].get<std::string>());
    const json got = run(fn, c["args"]);
    // Every field exactly, guesses_log10 too: the core computes Math.log as V8 does.
    for (const auto& [key, want] : c["expect"].items()) CHECK(got.value(key, json()) == want);
  }
}

}  // namespace

TEST_CASE("vectors: e-mail validation", "[vectors]") { run_file("email.json"); }
TEST_CASE("vectors: name validation", "[vectors]") { run_file("name.json"); }
TEST_CASE("vectors: usernames", "[vectors]") { run_file("username.json"); }
TEST_CASE("vectors: password policy", "[vectors]") { run_file("password.json"); }
TEST_CASE("vectors: UTF-16 length", "[vectors]") { run_file("text.json"); }
TEST_CASE("vectors: signed cookies", "[vectors]") { run_file("cookie.json"); }
TEST_CASE("vectors: error catalogue", "[vectors]") { run_file("errors.json"); }
TEST_CASE("vectors: password strength (zxcvbn 4.4.2)", "[vectors][strength]") { run_file("strength.json"); }
