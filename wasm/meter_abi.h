// What the full module's embind bindings (bindings.cc) share with the strength meter's C ABI
// (meter_abi.cc): the dictionaries, which the host loads once through that ABI.

#ifndef PORTCULLIS_WASM_METER_ABI_H_
#define PORTCULLIS_WASM_METER_ABI_H_

#include "portcullis/strength.h"

namespace portcullis::wasm {

// The dictionaries portcullis_load_dictionary() accepted, or null before.
const StrengthDictionaries* loaded_dictionaries();

}  // namespace portcullis::wasm

#endif  // PORTCULLIS_WASM_METER_ABI_H_
