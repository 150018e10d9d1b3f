// Test support: the bytes of a hex string, for test inputs that JSON cannot hold as text
// (malformed UTF-8): the vectors' "input_hex" and strength_json's "password_hex".

#ifndef PORTCULLIS_TESTS_SUPPORT_HEX_H_
#define PORTCULLIS_TESTS_SUPPORT_HEX_H_

#include <cstddef>
#include <string>

namespace portcullis::testing {

// Returns the bytes `hex` spells, two digits a byte (a trailing odd digit is ignored). Throws
// std::invalid_argument on a pair that is not hex, as std::stoi does.
inline std::string from_hex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

}  // namespace portcullis::testing

#endif  // PORTCULLIS_TESTS_SUPPORT_HEX_H_
