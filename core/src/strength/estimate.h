// Internal: estimate_strength with the dictionaries as a parameter (the tests pass their own).

#ifndef PORTCULLIS_SRC_STRENGTH_ESTIMATE_H_
#define PORTCULLIS_SRC_STRENGTH_ESTIMATE_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "dictionary.h"
#include "portcullis/strength.h"

namespace portcullis::strength {

// The matchers read at most this many UTF-16 code units (see strength.h).
inline constexpr std::size_t kMaxAnalysedLength = 256;

Strength estimate(std::string_view password_utf8, const std::vector<std::string>& user_inputs,
                  const StrengthOptions& options, const Dictionaries& dictionaries);

}  // namespace portcullis::strength

#endif  // PORTCULLIS_SRC_STRENGTH_ESTIMATE_H_
