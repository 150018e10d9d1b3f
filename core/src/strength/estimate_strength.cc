// estimate_strength with the dictionaries built into the library.

#include "portcullis/strength.h"
#include "strength/dictionary.h"
#include "strength/estimate.h"

namespace portcullis {

Strength estimate_strength(std::string_view password, const std::vector<std::string>& user_inputs,
                           const StrengthOptions& options) {
  return strength::estimate(password, user_inputs, options, strength::Dictionaries::builtin());
}

}  // namespace portcullis
