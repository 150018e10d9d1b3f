#include "portcullis/email.h"

#include <optional>

#include "portcullis/text.h"
#include "unicode_classes.h"

namespace portcullis {
namespace {

bool is_ascii_alpha(char32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_ascii_alnum(char32_t c) { return is_ascii_alpha(c) || (c >= '0' && c <= '9'); }

// A non-ASCII code point that may stand where a letter does in an internationalised address.
bool is_international_letter(char32_t c, const EmailOptions& o) {
  return o.allow_international && c >= 0x80 && !internal::is_control(c) &&
         !internal::is_js_whitespace(c);
}

// Calls `f` on each code point of `s` while it returns true. Returns false if `f` did, or if `s`
// is not well-formed UTF-8.
template <class F>
bool for_each_code_point(std::string_view s, F&& f) {
  std::size_t pos = 0;
  while (pos < s.size()) {
    const auto cp = next_code_point(s, pos);
    if (!cp || !f(*cp)) return false;
  }
  return true;
}

bool valid_local_part(std::string_view local, const EmailOptions& o) {
  if (local.empty() || local.front() == '.') return false;
  char32_t last = 0;
  const bool chars_ok = for_each_code_point(local, [&](char32_t c) {
    last = c;
    return is_ascii_alnum(c) || c == '_' || c == '\'' || c == '+' || c == '-' || c == '.' ||
           is_international_letter(c, o);
  });
  // The last character may not be '.' or '\''.
  return chars_ok && last != '.' && last != '\'';
}

bool valid_label(std::string_view label, const EmailOptions& o) {
  bool first = true;
  return !label.empty() && for_each_code_point(label, [&](char32_t c) {
    const bool ok = is_ascii_alnum(c) || is_international_letter(c, o) || (!first && c == '-');
    first = false;
    return ok;
  });
}

bool valid_tld(std::string_view tld, const EmailOptions& o) {
  std::size_t count = 0;
  const bool chars_ok = for_each_code_point(tld, [&](char32_t c) {
    ++count;
    return is_ascii_alpha(c) || is_international_letter(c, o);
  });
  return chars_ok && count >= 2;
}

bool valid_domain(std::string_view domain, const EmailOptions& o) {
  const auto last_dot = domain.rfind('.');
  if (last_dot == std::string_view::npos) return false;  // at least one label before the TLD
  if (!valid_tld(domain.substr(last_dot + 1), o)) return false;
  std::string_view labels = domain.substr(0, last_dot);
  while (true) {
    const auto dot = labels.find('.');
    if (!valid_label(labels.substr(0, dot), o)) return false;
    if (dot == std::string_view::npos) return true;
    labels.remove_prefix(dot + 1);
  }
}

}  // namespace

std::string normalize_email(std::string_view email) {
  std::string out(email);
  for (char& ch : out) {
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  }
  return out;
}

Result<std::string> validate_email(std::string_view email, const EmailOptions& options) {
  if (!is_valid_utf8(email)) return ErrorCode::kInvalidUtf8;
  if (email.size() > options.max_address_bytes) return ErrorCode::kInvalidEmail;
  if (email.find("..") != std::string_view::npos) return ErrorCode::kInvalidEmail;
  const auto at = email.find('@');
  if (at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos) {
    return ErrorCode::kInvalidEmail;
  }
  const std::string_view local = email.substr(0, at);
  const std::string_view domain = email.substr(at + 1);
  if (local.size() > options.max_local_bytes || !valid_local_part(local, options) ||
      !valid_domain(domain, options)) {
    return ErrorCode::kInvalidEmail;
  }
  return normalize_email(email);
}

}  // namespace portcullis
