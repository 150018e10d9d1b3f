// Portcullis core: e-mail address validation and normalisation.
//
// The rule is BetterAuth's (zod 4's "practical" e-mail pattern, contract §8): a local part of
// [A-Za-z0-9_'+-.] that neither starts with '.' nor ends with '.' or '\'', no ".." anywhere, one
// '@', then one or more domain labels of [A-Za-z0-9-] that start with a letter or digit, and a TLD
// of at least two ASCII letters. Nothing is trimmed: surrounding spaces make an address invalid.
//
// Beyond BetterAuth, RFC 5321's limits are enforced: a local part of at most 64 bytes and an address
// of at most 254 bytes. So every address Portcullis accepts is one BetterAuth accepts too, but not
// the other way round for absurdly long ones.

#ifndef PORTCULLIS_EMAIL_H_
#define PORTCULLIS_EMAIL_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "portcullis/error.h"

namespace portcullis {

struct EmailOptions {
  // RFC 6531 (internationalised) addresses: when true, any non-ASCII code point other than a
  // control or space character is allowed wherever an ASCII letter is (local part, domain labels,
  // TLD). Off by default because BetterAuth rejects such addresses; a database shared with a
  // BetterAuth server should keep it off.
  bool allow_international = false;

  // RFC 5321 limits, in bytes of UTF-8.
  std::size_t max_local_bytes = 64;
  std::size_t max_address_bytes = 254;
};

// Checks `email` and returns it normalised as it is stored and looked up: ASCII letters lower-cased
// (JavaScript's toLowerCase(), as BetterAuth stores addresses; with allow_international, non-ASCII
// characters are kept as they were typed).
// Errors: INVALID_UTF8 if `email` is not well-formed UTF-8; INVALID_EMAIL for anything else.
Result<std::string> validate_email(std::string_view email, const EmailOptions& options = {});

// Returns `email` with ASCII letters lower-cased, without validating it. Never fails.
std::string normalize_email(std::string_view email);

}  // namespace portcullis

#endif  // PORTCULLIS_EMAIL_H_
