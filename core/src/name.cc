#include "portcullis/name.h"

#include "portcullis/text.h"
#include "unicode_classes.h"

namespace portcullis {
namespace {

// Returns `s` without leading and trailing white space. `s` must be well-formed UTF-8.
std::string_view trim_js_whitespace(std::string_view s) {
  std::size_t begin = s.size();
  std::size_t end = 0;
  for (std::size_t pos = 0; pos < s.size();) {
    const std::size_t start = pos;
    if (internal::is_js_whitespace(*next_code_point(s, pos))) continue;
    if (begin == s.size()) begin = start;
    end = pos;
  }
  return begin == s.size() ? std::string_view() : s.substr(begin, end - begin);
}

bool is_forbidden_in_name(char32_t c) {
  return internal::is_control(c) || c == 0x2028 || c == 0x2029 || internal::is_bidi_control(c);
}

}  // namespace

Result<std::string> validate_name(std::string_view name, const NamePolicy& policy) {
  if (!is_valid_utf8(name)) return ErrorCode::kInvalidUtf8;
  const std::string_view trimmed = trim_js_whitespace(name);
  if (trimmed.empty()) {
    if (policy.allow_empty) return std::string();
    return Status(ErrorCode::kInvalidName, "Name is required");
  }
  std::size_t units = 0;
  for (std::size_t pos = 0; pos < trimmed.size();) {
    const char32_t c = *next_code_point(trimmed, pos);
    if (is_forbidden_in_name(c)) {
      return Status(ErrorCode::kInvalidName, "Name contains invalid characters");
    }
    units += c > 0xFFFF ? 2 : 1;
  }
  if (units > policy.max_length) return ErrorCode::kNameTooLong;
  return std::string(trimmed);
}

}  // namespace portcullis
