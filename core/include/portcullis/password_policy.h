// Portcullis core: the password policy.
//
// Lengths are counted as BetterAuth counts them: UTF-16 code units of the password as typed, before
// any normalisation ("Pässwörd-ß-😀" is 13). A byte bound comes first, so that no request can make
// the server hash (or even count) a megabyte.

#ifndef PORTCULLIS_PASSWORD_POLICY_H_
#define PORTCULLIS_PASSWORD_POLICY_H_

#include <cstddef>
#include <string_view>

#include "portcullis/error.h"

namespace portcullis {

struct PasswordPolicy {
  // Bounds in UTF-16 code units (BetterAuth's minPasswordLength / maxPasswordLength).
  std::size_t min_length = 8;
  std::size_t max_length = 128;
  // Bound in bytes of UTF-8, checked before anything else. 128 UTF-16 units never exceed 384
  // bytes, so the default only matters when max_length is raised.
  std::size_t max_bytes = 1024;
};

// Checks a new password (sign-up, change, reset) against `policy`.
// Errors, in the order they are checked: PASSWORD_TOO_LONG if over max_bytes; INVALID_UTF8 if not
// well-formed UTF-8; PASSWORD_TOO_SHORT if under min_length; PASSWORD_TOO_LONG if over max_length.
Status check_password(std::string_view password, const PasswordPolicy& policy = {});

// Checks a password offered to sign in. As BetterAuth does, only the upper bounds apply (a password
// set under an older, shorter minimum must still sign in).
// Errors: PASSWORD_TOO_LONG; INVALID_UTF8.
Status check_password_for_sign_in(std::string_view password, const PasswordPolicy& policy = {});

}  // namespace portcullis

#endif  // PORTCULLIS_PASSWORD_POLICY_H_
