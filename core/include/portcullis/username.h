// Portcullis core: usernames, as BetterAuth's username plugin takes them.
//
// A username is what a user may sign in with instead of the e-mail address. The plugin's default
// rules: 3 to 30 characters, each an ASCII letter, a digit, "_" or "."; stored in lower case, so
// "Ada.L" and "ada.l" are one username. The form the user typed is kept beside it as the display
// username.

#ifndef PORTCULLIS_USERNAME_H_
#define PORTCULLIS_USERNAME_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "portcullis/error.h"

namespace portcullis {

struct UsernamePolicy {
  std::size_t min_length = 3;  // UTF-16 units (a valid username is ASCII: characters)
  std::size_t max_length = 30;
};

// Checks `username` (as typed) and returns it normalised: lower-cased.
// Errors: INVALID_UTF8 if it is not well-formed UTF-8; USERNAME_TOO_SHORT, USERNAME_TOO_LONG (in
// UTF-16 units, as JavaScript counts; checked before the characters, as the plugin does: a long
// name of other characters is too long); INVALID_USERNAME if a character is not an ASCII letter,
// a digit, '_' or '.' (non-ASCII and white space included).
Result<std::string> validate_username(std::string_view username, const UsernamePolicy& policy = {});

}  // namespace portcullis

#endif  // PORTCULLIS_USERNAME_H_
