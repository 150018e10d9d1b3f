// The password policy: length and UTF-8 rules (also covered by tests/vectors), the user inputs
// derived from the e-mail and name, and the strength rule. Expected scores and feedback are
// zxcvbn 4.4.2's (npm zxcvbn, with the same user inputs).

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "../../core/src/strength/dictionary.h"
#include "portcullis/password_policy.h"

using namespace portcullis;
using Inputs = std::vector<std::string>;

TEST_CASE("password_user_inputs: the e-mail, its local part and words, the name and its words, the domain") {
  CHECK(password_user_inputs("ann.lee@mail.example.org", "Ann Lee-Wong") ==
        Inputs{"ann.lee@mail.example.org", "ann.lee", "ann lee-wong", "ann", "lee", "wong", "mail", "example"});
  CHECK(password_user_inputs("guinevere.ravensworth@example.com", "Guinevere Ravensworth") ==
        Inputs{"guinevere.ravensworth@example.com", "guinevere.ravensworth", "guinevere ravensworth", "guinevere",
               "ravensworth", "example"});
  // A single-word local part and name: no repeats.
  CHECK(password_user_inputs("vera@example.com", "Vera") == Inputs{"vera@example.com", "vera", "example"});
}

TEST_CASE("password_user_inputs: case and surrounding white space do not matter (browser and server agree)") {
  const Inputs normalised = password_user_inputs("ann_lee+news@example.co.uk", "Ann Lee");
  CHECK(password_user_inputs("  Ann_Lee+News@Example.CO.UK ", "\t ANN LEE\u3000") == normalised);
  CHECK(normalised ==
        Inputs{"ann_lee+news@example.co.uk", "ann_lee+news", "ann lee", "ann", "lee", "news", "example"});
}

TEST_CASE("password_user_inputs: non-ASCII names are lowercased as JavaScript does and split at white space") {
  CHECK(password_user_inputs("", "ZOË Ångström-Øster") ==
        Inputs{"zoë ångström-øster", "zoë", "ångström", "øster"});
  CHECK(password_user_inputs("", "İlkay") == Inputs{"i\u0307lkay"});  // toLowerCase grows U+0130
}

TEST_CASE("password_user_inputs: short and overlong items are left out; empty inputs give none") {
  CHECK(password_user_inputs("", "").empty());
  CHECK(password_user_inputs("   ", " ").empty());
  CHECK(password_user_inputs("al@x.io", "Al B") == Inputs{"al@x.io", "al b"});
  CHECK(password_user_inputs("no-at-sign", "") == Inputs{"no-at-sign", "sign"});
  const std::string long_name(300, 'a');
  CHECK(password_user_inputs("", long_name + " bob") == Inputs{"bob"});
}

TEST_CASE("password_user_inputs: malformed UTF-8 never fails") {
  CHECK(password_user_inputs("\xff\xfe@example.com", "\xc3") ==
        Inputs{"\xef\xbf\xbd\xef\xbf\xbd@example.com", "example"});  // "\ufffd\ufffd" is too short
}

TEST_CASE("check_new_password: the length and UTF-8 rules come first, in their order, without a score") {
  const PasswordPolicy policy;
  CHECK(check_new_password("short", "", "", policy).status.code() == ErrorCode::kPasswordTooShort);
  CHECK(check_new_password("short", "", "", policy).score == -1);
  CHECK(check_new_password(std::string(129, 'p'), "", "", policy).status.code() == ErrorCode::kPasswordTooLong);
  CHECK(check_new_password(std::string(1025, 'p'), "", "", policy).status.code() == ErrorCode::kPasswordTooLong);
  CHECK(check_new_password("abc\xff" "defgh", "", "", policy).status.code() == ErrorCode::kInvalidUtf8);
  // "1234567" is weak too, but too short comes first.
  CHECK(check_new_password("1234567", "", "", policy).status.code() == ErrorCode::kPasswordTooShort);
}

TEST_CASE("check_new_password: under the minimum score, PASSWORD_TOO_WEAK with zxcvbn's feedback") {
  const PasswordCheck c = check_new_password("password123", "ann@example.com", "Ann");
  CHECK_FALSE(c.ok());
  CHECK(c.status.code() == ErrorCode::kPasswordTooWeak);
  CHECK(c.status.code_name() == "PASSWORD_TOO_WEAK");
  CHECK(c.status.message() == "This is a very common password");
  CHECK(c.score == 0);
  CHECK(c.feedback.warning_key == "common");
  CHECK(c.feedback.warning == "This is a very common password");
  CHECK(c.feedback.suggestion_keys == Inputs{"anotherWord"});
  CHECK(c.feedback.suggestions == Inputs{"Add another word or two. Uncommon words are better."});

  const PasswordCheck q = check_new_password("qwerty2024", "", "");
  CHECK(q.status.code() == ErrorCode::kPasswordTooWeak);
  CHECK(q.score == 1);
  CHECK(q.feedback.warning_key == "similarToCommon");
}

TEST_CASE("check_new_password: the user's e-mail and name count as dictionary words") {
  const std::string email = "guinevere.ravensworth@example.com";
  const std::string name = "Guinevere Ravensworth";
  // Strong for anyone else (score 3 and 4)...
  CHECK(check_new_password("ravensworth1987", "someone@example.com", "Someone").ok());
  CHECK(check_new_password("guinevereravensworth", "", "").score == 4);
  // ...weak for her: no warning, so the generic message.
  const PasswordCheck c = check_new_password("ravensworth1987", email, name);
  CHECK(c.status.code() == ErrorCode::kPasswordTooWeak);
  CHECK(c.status.message() == "Password is too weak");
  CHECK(c.score == 1);
  CHECK(c.feedback.warning_key.empty());
  CHECK(c.feedback.suggestion_keys == Inputs{"anotherWord"});
  CHECK(check_new_password("guinevereravensworth", email, name).score == 1);
  CHECK(check_new_password("Guinevere.Ravensworth", email, name).score == 0);
  // The same verdict from the e-mail alone as typed, in any case.
  CHECK(check_new_password("ravensworth1987", "Guinevere.Ravensworth@Example.com", "").score == 1);
}

TEST_CASE("check_new_password: at or above the minimum, OK with the score and feedback") {
  const PasswordCheck c = check_new_password("correct-horse-battery", "ann@example.com", "Ann");
  CHECK(c.ok());
  CHECK(c.score == 4);
  CHECK(c.feedback.warning.empty());
  CHECK(c.feedback.suggestions.empty());
  // Score 2 passes the default.
  const PasswordCheck two = check_new_password("race-password", "", "");
  CHECK(two.ok());
  CHECK(two.score == 2);
  CHECK(two.feedback.warning_key == "similarToCommon");
}

TEST_CASE("check_new_password: min_score 0 turns the rule off; 4 refuses a score of 3") {
  PasswordPolicy off;
  off.min_score = 0;
  const PasswordCheck c = check_new_password("password123", "", "", off);
  CHECK(c.ok());
  CHECK(c.score == -1);
  CHECK(check_new_password("12345678", "", "", off).ok());
  CHECK(check_new_password("short", "", "", off).status.code() == ErrorCode::kPasswordTooShort);

  PasswordPolicy strict;
  strict.min_score = 4;
  const PasswordCheck three = check_new_password("Tr0ub4dor3", "", "", strict);
  CHECK(three.status.code() == ErrorCode::kPasswordTooWeak);
  CHECK(three.score == 3);
  CHECK(three.status.message() == "Password is too weak");
}

TEST_CASE("check_new_password: given dictionaries, the same verdict as with the embedded ones") {
  const auto& builtin = strength::Dictionaries::builtin();
  for (const char* password : {"password123", "ravensworth1987", "correct-horse-battery", "qwerty2024"}) {
    const PasswordCheck a = check_new_password(password, "guinevere.ravensworth@example.com", "Guinevere", {});
    const PasswordCheck b =
        check_new_password(password, "guinevere.ravensworth@example.com", "Guinevere", {}, builtin);
    CHECK(a.status.code() == b.status.code());
    CHECK(a.score == b.score);
    CHECK(a.feedback.warning_key == b.feedback.warning_key);
    CHECK(a.feedback.suggestion_keys == b.feedback.suggestion_keys);
  }
}

TEST_CASE("check_new_password: the options reach the estimator (a reference year for dates)") {
  StrengthOptions in_2026;
  in_2026.reference_year = 2026;
  const PasswordCheck c = check_new_password("12/25/2025", "", "", {}, in_2026);
  CHECK(c.status.code() == ErrorCode::kPasswordTooWeak);
  CHECK(c.score == 1);
  CHECK(c.feedback.warning_key == "dates");
  CHECK(c.status.message() == "Dates are often easy to guess");
  StrengthOptions in_3000;
  in_3000.reference_year = 3000;  // 2025 is then 975 years away: 1.4 million guesses
  const PasswordCheck later = check_new_password("12/25/2025", "", "", {}, in_3000);
  CHECK(later.ok());
  CHECK(later.score == 2);
}
