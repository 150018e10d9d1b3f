// Portcullis server: small string helpers shared by the HTTP, mail, auth and command-line code.

#ifndef PORTCULLIS_COMMON_STRINGS_H_
#define PORTCULLIS_COMMON_STRINGS_H_

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace portcullis {

// Returns `s` without leading and trailing spaces and tabs (the optional white space around
// HTTP header values and list items, and around the parts of a mailbox such as "Ann <a@b>").
inline std::string_view trim_spaces_and_tabs(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Reads `s` as an unsigned decimal number of at most `max_digits` digits (at most 19), into
// `out`. Returns false, leaving `out` alone, when `s` is empty, longer, or holds anything but the
// digits 0-9 (no sign, no spaces).
inline bool parse_decimal(std::string_view s, std::size_t max_digits, std::uint64_t& out) {
  if (s.empty() || s.size() > max_digits || s.size() > 19 || s.find_first_not_of("0123456789") != std::string_view::npos) {
    return false;
  }
  std::from_chars(s.data(), s.data() + s.size(), out);
  return true;
}

}  // namespace portcullis

#endif  // PORTCULLIS_COMMON_STRINGS_H_
