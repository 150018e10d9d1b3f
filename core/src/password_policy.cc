#include "portcullis/password_policy.h"

#include <algorithm>
#include <functional>
#include <utility>

#include "portcullis/text.h"
#include "strength/js_string.h"

namespace portcullis {
namespace {

// Items of password_user_inputs() outside these bounds (UTF-16 code units) are left out: shorter
// ones match too much by chance, longer ones cannot match (the matchers read 256 units).
constexpr std::size_t kMinUserInput = 3;
constexpr std::size_t kMaxUserInput = 256;

std::u16string_view trim(std::u16string_view s) {
  while (!s.empty() && strength::js_is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && strength::js_is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool is_separator(char16_t c) {
  if (c < 0x80) {
    const bool alnum = (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9');
    return !alnum;
  }
  return strength::js_is_space(c);
}

std::vector<std::u16string_view> split(std::u16string_view s, bool (*separator)(char16_t)) {
  std::vector<std::u16string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || separator(s[i])) {
      if (i > start) out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

class UserInputs {
 public:
  void add(std::u16string_view item) {
    if (item.size() < kMinUserInput || item.size() > kMaxUserInput) return;
    if (std::find(items_.begin(), items_.end(), item) != items_.end()) return;
    items_.emplace_back(item);
  }
  void add_all(const std::vector<std::u16string_view>& items) {
    for (const auto item : items) add(item);
  }
  std::vector<std::string> utf8() const {
    std::vector<std::string> out;
    out.reserve(items_.size());
    for (const auto& item : items_) out.push_back(strength::utf16_to_utf8(item));
    return out;
  }

 private:
  std::vector<std::u16string> items_;
};

PasswordCheck judge(std::string_view password, const PasswordPolicy& policy,
                    const std::function<Strength()>& estimate) {
  PasswordCheck out;
  out.status = check_password(password, policy);
  if (!out.status.ok() || policy.min_score <= 0) return out;
  Strength strength = estimate();
  out.score = strength.score;
  out.feedback = std::move(strength.feedback);
  if (out.score < policy.min_score) {
    out.status = out.feedback.warning.empty() ? Status(ErrorCode::kPasswordTooWeak)
                                              : Status(ErrorCode::kPasswordTooWeak, out.feedback.warning);
  }
  return out;
}

}  // namespace

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

std::vector<std::string> password_user_inputs(std::string_view email, std::string_view name) {
  const std::u16string email_lower = strength::js_to_lower(strength::utf8_to_utf16(email));
  const std::u16string name_lower = strength::js_to_lower(strength::utf8_to_utf16(name));
  const std::u16string_view address = trim(email_lower);
  const std::u16string_view full_name = trim(name_lower);

  const auto at = address.rfind(u'@');
  const std::u16string_view local = at == std::u16string_view::npos ? address : address.substr(0, at);
  std::vector<std::u16string_view> labels;
  if (at != std::u16string_view::npos) {
    labels = split(address.substr(at + 1), [](char16_t c) { return c == u'.'; });
    if (!labels.empty()) labels.pop_back();  // the top-level domain says nothing about the user
  }

  UserInputs inputs;
  inputs.add(address);
  inputs.add(local);
  inputs.add(full_name);
  inputs.add_all(split(local, is_separator));
  inputs.add_all(split(full_name, is_separator));
  inputs.add_all(labels);
  return inputs.utf8();
}

PasswordCheck check_new_password(std::string_view password, std::string_view email, std::string_view name,
                                 const PasswordPolicy& policy, const StrengthDictionaries& dictionaries,
                                 const StrengthOptions& options) {
  return judge(password, policy, [&] {
    return estimate_strength(password, dictionaries, password_user_inputs(email, name), options);
  });
}

#if PORTCULLIS_EMBED_DICTIONARY
PasswordCheck check_new_password(std::string_view password, std::string_view email, std::string_view name,
                                 const PasswordPolicy& policy, const StrengthOptions& options) {
  return judge(password, policy,
               [&] { return estimate_strength(password, password_user_inputs(email, name), options); });
}
#endif

}  // namespace portcullis
