// estimate_strength: with given dictionaries, or with the ones built into the library.

#include "portcullis/strength.h"
#include "strength/dictionary.h"
#include "strength/estimate.h"

namespace portcullis {

Strength estimate_strength(std::string_view password, const StrengthDictionaries& dictionaries,
                           const std::vector<std::string>& user_inputs, const StrengthOptions& options) {
  return strength::estimate(password, user_inputs, options, static_cast<const strength::Dictionaries&>(dictionaries));
}

#if PORTCULLIS_EMBED_DICTIONARY
Strength estimate_strength(std::string_view password, const std::vector<std::string>& user_inputs,
                           const StrengthOptions& options) {
  return strength::estimate(password, user_inputs, options, strength::Dictionaries::builtin());
}
#endif

}  // namespace portcullis
