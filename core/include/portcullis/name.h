// Portcullis core: display-name validation.
//
// BetterAuth accepts any string as a name, even "". Portcullis is stricter by default: a name must
// be non-empty after trimming, bounded in length, and free of characters that make it display as
// something it is not.

#ifndef PORTCULLIS_NAME_H_
#define PORTCULLIS_NAME_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "portcullis/error.h"

namespace portcullis {

struct NamePolicy {
  // Accept a name that is empty after trimming (BetterAuth-compatible mode).
  bool allow_empty = false;
  // Maximum length after trimming, in UTF-16 code units (what a browser's maxlength counts).
  std::size_t max_length = 128;
};

// Checks `name` and returns it trimmed of leading and trailing white space (the characters
// JavaScript's trim() removes).
// Errors: INVALID_UTF8 if `name` is not well-formed UTF-8; INVALID_NAME if it is empty after
// trimming (unless allowed) or contains a control character (U+0000..U+001F, U+007F..U+009F), a
// line or paragraph separator (U+2028, U+2029) or a bidirectional override or isolate
// (U+202A..U+202E, U+2066..U+2069); NAME_TOO_LONG if it is over policy.max_length.
Result<std::string> validate_name(std::string_view name, const NamePolicy& policy = {});

}  // namespace portcullis

#endif  // PORTCULLIS_NAME_H_
