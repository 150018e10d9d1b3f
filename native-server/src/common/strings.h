// Portcullis server: small string helpers shared by the HTTP and mail code.

#ifndef PORTCULLIS_COMMON_STRINGS_H_
#define PORTCULLIS_COMMON_STRINGS_H_

#include <string_view>

namespace portcullis {

// Returns `s` without leading and trailing spaces and tabs (the optional white space around
// HTTP header values and list items, and around the parts of a mailbox such as "Ann <a@b>").
inline std::string_view trim_spaces_and_tabs(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace portcullis

#endif  // PORTCULLIS_COMMON_STRINGS_H_
