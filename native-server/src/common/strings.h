// Portcullis server: small string helpers shared by the HTTP, mail, auth and command-line code.

#ifndef PORTCULLIS_COMMON_STRINGS_H_
#define PORTCULLIS_COMMON_STRINGS_H_

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "portcullis/token.h"

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

// Returns `url` with its query parameter `key` set to `value` (percent-encoded), as a redirect's
// URL.searchParams.set(key, value) does: parameters of that name (spelled as given) are
// removed, the new one is appended to the query, before any #fragment; the rest is kept as it is.
inline std::string with_query_param(std::string_view url, std::string_view key, std::string_view value) {
  const std::size_t hash = url.find('#');
  const std::string_view fragment = hash == std::string_view::npos ? std::string_view() : url.substr(hash);
  const std::string_view before = url.substr(0, hash);
  const std::size_t mark = before.find('?');
  std::string out(before.substr(0, mark));
  std::string query;
  if (mark != std::string_view::npos) {
    std::string_view rest = before.substr(mark + 1);
    while (!rest.empty()) {
      const std::size_t amp = rest.find('&');
      const std::string_view part = rest.substr(0, amp);
      rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
      if (part.empty() || part.substr(0, part.find('=')) == key) continue;
      if (!query.empty()) query += '&';
      query += part;
    }
  }
  if (!query.empty()) query += '&';
  query += key;
  query += '=';
  query += percent_encode_component(value);
  out += '?';
  out += query;
  out += fragment;
  return out;
}

}  // namespace portcullis

#endif  // PORTCULLIS_COMMON_STRINGS_H_
