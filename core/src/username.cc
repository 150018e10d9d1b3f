#include "portcullis/username.h"

#include <algorithm>

#include "portcullis/text.h"

namespace portcullis {

Result<std::string> validate_username(std::string_view username, const UsernamePolicy& policy) {
  if (!is_valid_utf8(username)) return ErrorCode::kInvalidUtf8;
  // The lengths are JavaScript's (UTF-16 units), as the plugin counts them, before the characters.
  const std::size_t length = utf16_length(username).value_or(0);
  if (length < policy.min_length) return ErrorCode::kUsernameTooShort;
  if (length > policy.max_length) return ErrorCode::kUsernameTooLong;
  const bool allowed = std::all_of(username.begin(), username.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
  });
  if (!allowed) return ErrorCode::kInvalidUsername;
  std::string normalized(username);
  for (char& c : normalized) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return normalized;
}

}  // namespace portcullis
