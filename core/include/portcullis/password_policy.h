// Portcullis core: the password policy.
//
// Lengths are counted as BetterAuth counts them: UTF-16 code units of the password as typed, before
// any normalisation ("Pässwörd-ß-😀" is 13). A byte bound comes first, so that no request can make
// the server hash (or even count) a megabyte.
//
// A new password must also be strong enough: its zxcvbn score (portcullis/strength.h), estimated
// with the user's e-mail address and name as extra dictionary words, must reach
// PasswordPolicy::min_score. The words come from password_user_inputs(), the one definition the
// server and the browser (the WebAssembly build) share, so both reach the same verdict.

#ifndef PORTCULLIS_PASSWORD_POLICY_H_
#define PORTCULLIS_PASSWORD_POLICY_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "portcullis/error.h"
#include "portcullis/strength.h"

namespace portcullis {

struct PasswordPolicy {
  // Bounds in UTF-16 code units (BetterAuth's minPasswordLength / maxPasswordLength).
  std::size_t min_length = 8;
  std::size_t max_length = 128;
  // Bound in bytes of UTF-8, checked before anything else. 128 UTF-16 units never exceed 384
  // bytes, so the default only matters when max_length is raised.
  std::size_t max_bytes = 1024;
  // The lowest strength score (0-4) a new password must reach. 2 refuses what zxcvbn estimates at
  // under 10^6 guesses ("password123", "qwerty2024", the user's own name plus a digit); 0 turns
  // the rule off, as in BetterAuth, which has none. Sign-in never checks it.
  int min_score = 2;
};

// The verdict on a new password.
struct PasswordCheck {
  // OK, or the first rule the password breaks. For PASSWORD_TOO_WEAK the message is the
  // estimator's English warning, or "Password is too weak" when it has none.
  Status status;
  // The strength score 0-4, or -1 when it was not estimated (a length or UTF-8 rule failed first,
  // or policy.min_score is 0).
  int score = -1;
  // The estimator's feedback (keys and English) whenever the score was estimated, also when the
  // password passes.
  StrengthFeedback feedback;

  bool ok() const { return status.ok(); }
};

// Checks the length and UTF-8 rules of a new password (sign-up, change, reset) against `policy`;
// the strength rule (policy.min_score) is check_new_password()'s.
// Errors, in the order they are checked: PASSWORD_TOO_LONG if over max_bytes; INVALID_UTF8 if not
// well-formed UTF-8; PASSWORD_TOO_SHORT if under min_length; PASSWORD_TOO_LONG if over max_length.
Status check_password(std::string_view password, const PasswordPolicy& policy = {});

// Checks a password offered to sign in. As BetterAuth does, only the upper bounds apply (a password
// set under an older, shorter minimum must still sign in).
// Errors: PASSWORD_TOO_LONG; INVALID_UTF8.
Status check_password_for_sign_in(std::string_view password, const PasswordPolicy& policy = {});

// Returns the words of a user that make a password guessable, for the estimator's `user_inputs`:
// from `email` (as typed or normalised: case does not matter) the whole address, its local part,
// the local part's words and the domain's labels but the last ("ann.lee@mail.example.org" gives
// "ann.lee@mail.example.org", "ann.lee", "ann", "lee", "mail", "example"); from `name` the whole
// name and its words ("Ann Lee-Wong" gives "ann lee-wong", "ann", "lee", "wong"). Words are split
// at ASCII characters other than letters and digits and at white space; everything is trimmed and
// lowercased as JavaScript's trim() and toLowerCase() do. Order: the e-mail, the local part, the
// name, the local part's words, the name's words, the domain labels; a repeat is left out, and so
// is an item under 3 or over 256 UTF-16 code units (the estimator reads no more of a password).
// Never fails: malformed UTF-8 is read as U+FFFD, empty inputs give no items.
std::vector<std::string> password_user_inputs(std::string_view email, std::string_view name);

// Checks a new password for the user with `email` and `name` (either may be ""): first
// check_password()'s rules, then, unless policy.min_score is 0, the strength rule: the score of
// estimate_strength(password, dictionaries, password_user_inputs(email, name), options) must be at
// least policy.min_score. `options.reference_year` 0 (the default) is the current UTC year.
// Errors: those of check_password(), in its order; then PASSWORD_TOO_WEAK, with the score and the
// estimator's feedback in the result.
PasswordCheck check_new_password(std::string_view password, std::string_view email, std::string_view name,
                                 const PasswordPolicy& policy, const StrengthDictionaries& dictionaries,
                                 const StrengthOptions& options = {});

// The same with the embedded dictionaries. Only in builds that embed them (the native ones; see
// estimate_strength()).
PasswordCheck check_new_password(std::string_view password, std::string_view email, std::string_view name,
                                 const PasswordPolicy& policy = {}, const StrengthOptions& options = {});

}  // namespace portcullis

#endif  // PORTCULLIS_PASSWORD_POLICY_H_
