#include "portcullis/password_policy.h"

#include "portcullis/text.h"

namespace portcullis {

Status check_password(std::string_view password, const PasswordPolicy& policy) {
  if (password.size() > policy.max_bytes) return Status(ErrorCode::kPasswordTooLong);
  const auto units = utf16_length(password);
  if (!units) return Status(ErrorCode::kInvalidUtf8);
  if (*units < policy.min_length) return Status(ErrorCode::kPasswordTooShort);
  if (*units > policy.max_length) return Status(ErrorCode::kPasswordTooLong);
  return Status::OK();
}

Status check_password_for_sign_in(std::string_view password, const PasswordPolicy& policy) {
  PasswordPolicy upper_bounds_only = policy;
  upper_bounds_only.min_length = 0;
  return check_password(password, upper_bounds_only);
}

}  // namespace portcullis
