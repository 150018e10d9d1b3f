// Fuzz target: what the core checks of every text field a client sends (core/include/portcullis/
// text.h, email.h, name.h, password_policy.h), on any bytes. The bytes are one field; for the
// functions that take two (password_user_inputs), a NUL byte splits them.
//
// Properties: the UTF-8 functions agree with one another; malformed UTF-8 is always refused with
// INVALID_UTF8 (where the header says so); what a validator accepts, it accepts again unchanged
// (normalising twice changes nothing) and stays within the header's bounds.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "portcullis/email.h"
#include "portcullis/error.h"
#include "portcullis/name.h"
#include "portcullis/password_policy.h"
#include "portcullis/text.h"

namespace {

using portcullis::ErrorCode;

void check_utf8(std::string_view text) {
  const bool valid = portcullis::is_valid_utf8(text);
  const std::optional<std::size_t> length = portcullis::utf16_length(text);
  FUZZ_CHECK(valid == length.has_value());
  // Walking code point by code point gets to the end exactly when the text is valid, and counts
  // its UTF-16 length on the way.
  std::size_t pos = 0;
  std::size_t units = 0;
  while (pos < text.size()) {
    const std::size_t before = pos;
    const std::optional<char32_t> cp = portcullis::next_code_point(text, pos);
    if (!cp) {
      FUZZ_CHECK(pos == before);
      break;
    }
    FUZZ_CHECK(pos > before && pos - before <= 4);
    FUZZ_CHECK(*cp <= 0x10FFFF && (*cp < 0xD800 || *cp > 0xDFFF));
    units += *cp > 0xFFFF ? 2 : 1;
  }
  FUZZ_CHECK((pos == text.size()) == valid);
  if (valid) FUZZ_CHECK(units == *length);
}

void check_email(std::string_view text, const portcullis::EmailOptions& options) {
  const auto email = portcullis::validate_email(text, options);
  if (!portcullis::is_valid_utf8(text)) {
    FUZZ_CHECK(!email.ok() && email.status().code() == ErrorCode::kInvalidUtf8);
    return;
  }
  if (!email.ok()) {
    FUZZ_CHECK(email.status().code() == ErrorCode::kInvalidEmail);
    return;
  }
  FUZZ_CHECK(email->size() == text.size() && email->size() <= options.max_address_bytes);
  FUZZ_CHECK(email->find('@') != std::string::npos && email->find('@') <= options.max_local_bytes);
  FUZZ_CHECK(*email == portcullis::normalize_email(text));
  const auto again = portcullis::validate_email(*email, options);
  FUZZ_CHECK(again.ok() && *again == *email);
}

void check_name(std::string_view text) {
  const portcullis::NamePolicy policy;
  const auto name = portcullis::validate_name(text, policy);
  if (!portcullis::is_valid_utf8(text)) {
    FUZZ_CHECK(!name.ok() && name.status().code() == ErrorCode::kInvalidUtf8);
    return;
  }
  if (!name.ok()) {
    FUZZ_CHECK(name.status().code() == ErrorCode::kInvalidName || name.status().code() == ErrorCode::kNameTooLong);
    return;
  }
  FUZZ_CHECK(!name->empty() && name->size() <= text.size());
  FUZZ_CHECK(*portcullis::utf16_length(*name) <= policy.max_length);
  const auto again = portcullis::validate_name(*name, policy);
  FUZZ_CHECK(again.ok() && *again == *name);
}

void check_password(std::string_view text) {
  const portcullis::PasswordPolicy policy;
  const portcullis::Status s = portcullis::check_password(text, policy);
  const portcullis::Status sign_in = portcullis::check_password_for_sign_in(text, policy);
  // What a new password may be, an offered one may be too (sign-in only has the upper bounds).
  if (s.ok()) FUZZ_CHECK(sign_in.ok());
  if (!portcullis::is_valid_utf8(text)) FUZZ_CHECK(!s.ok() && !sign_in.ok());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = as_text(data, size);
  check_utf8(text);
  check_email(text, {});
  portcullis::EmailOptions international;
  international.allow_international = true;
  check_email(text, international);
  check_name(text);
  check_password(text);

  const std::size_t nul = text.find('\0');
  const std::string_view email = text.substr(0, nul);
  const std::string_view name = nul == std::string_view::npos ? std::string_view() : text.substr(nul + 1);
  for (const std::string& item : portcullis::password_user_inputs(email, name)) {
    FUZZ_CHECK(portcullis::is_valid_utf8(item));
    const std::size_t units = *portcullis::utf16_length(item);
    FUZZ_CHECK(units >= 3 && units <= 256);
  }
  return 0;
}
