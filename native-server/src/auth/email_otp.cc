// Portcullis server: six-digit codes by mail (--email-otp), as BetterAuth's emailOTP plugin (1.7)
// makes them: to sign in (an address without an account gets one), to verify the address, to
// reset the password, and (--email-otp-change-email) to change the address.
//
// Where it is stored (BetterAuth's places, so either server reads what the other wrote): a
// verification row "<type>-otp-<address>" for --email-otp-expires-in, whose value is
// "<SHA-256 of the code, base64url>:<wrong codes so far>" (the plugin's storeOTP "hashed"; a
// BetterAuth server sharing the database needs that setting). A code is taken out of its row to
// be checked and put back (one wrong code more, or unchanged when it is only checked), so two
// guesses never check one code at once.
// Beyond BetterAuth:
//   - at most 5 codes of a type per address per 15 minutes, counted whether or not the address
//     has an account (a verification row under the SHA-256 of the type and the address): the
//     per-IP limits alone let anyone with many addresses fill a mailbox;
//   - a code whose wrong guesses ran out keeps answering TOO_MANY_ATTEMPTS until it expires or
//     a new one is sent (BetterAuth deletes it, and then answers INVALID_OTP);
//   - "email-verification" codes go only to unverified addresses, "forget-password" ones only to
//     users, and a sign-in with a code is subject to the second factor like one with a password
//     (BetterAuth's skips it);
//   - a reset checks the new password against the policy (strength, breaches) before the code
//     is used, and hashes it only once the code was found right;
//   - a change of address is confirmed from the current address by default (its
//     verifyCurrentEmail, off there; here --change-email-confirmation, which the change by link
//     follows too), is limited like the other codes, notifies the old address, and is audited.

#include <chrono>

#include "auth/one_time_codes.h"
#include "auth/service.h"
#include "common/time.h"
#include "portcullis/email.h"
#include "portcullis/name.h"
#include "portcullis/password_policy.h"
#include "portcullis/token.h"

namespace portcullis::auth {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

std::string_view type_name(EmailOtpType type) {
  switch (type) {
    case EmailOtpType::kEmailVerification:
      return "email-verification";
    case EmailOtpType::kSignIn:
      return "sign-in";
    case EmailOtpType::kForgetPassword:
      return "forget-password";
    case EmailOtpType::kChangeEmail:
      return "change-email";
  }
  return {};
}

// BetterAuth's toOTPIdentifier: "<type>-otp-<address>"; for a change of address, the address is
// "<user id>:<new address>".
std::string otp_identifier(EmailOtpType type, std::string_view email) {
  std::string id(type_name(type));
  id += "-otp-";
  id += email;
  return id;
}

// The identifier of a change of `user_id`'s address to `new_email`.
std::string change_email_identifier(const std::string& user_id, const std::string& new_email) {
  return otp_identifier(EmailOtpType::kChangeEmail, std::string(user_id).append(":").append(new_email));
}

}  // namespace

std::optional<EmailOtpType> parse_email_otp_type(std::string_view text) {
  for (const EmailOtpType t : {EmailOtpType::kEmailVerification, EmailOtpType::kSignIn, EmailOtpType::kForgetPassword,
                               EmailOtpType::kChangeEmail}) {
    if (text == type_name(t)) return t;
  }
  return std::nullopt;
}

void AuthService::issue_email_otp(const std::string& identifier, EmailOtpType type, const std::string& to,
                                  const std::string& name, TimePoint now, bool to_verified) {
  const std::string code = new_mailed_code();
  (void)store_.consume_verification(identifier);  // the code mailed before, if any, stops working
  if (!store_verification(identifier, mailed_code_hash(code) + ":0", now,
                          duration_cast<milliseconds>(config_.email_otp_expires_in))
           .ok()) {
    return;  // no code stored: none mailed
  }
  const std::string hello = name.empty() ? std::string("Hello,\n\n") : "Hello " + name + ",\n\n";
  const std::string works = "\n\nIt works once, for the next " + duration_text(config_.email_otp_expires_in) + ". ";
  mail::Message m;
  m.to = to;
  switch (type) {
    case EmailOtpType::kSignIn:
      m.kind = "email-otp-sign-in";
      m.subject = "Your " + config_.app_name + " sign-in code";
      m.text = hello + "Here is your code to sign in to " + config_.app_name + " as " + to + ":\n\n    " + code +
               works + "If you did not ask for it, ignore this message: without it, nobody can sign in.\n";
      break;
    case EmailOtpType::kEmailVerification:
      if (to_verified) {
        m.kind = "email-otp-change-email-confirmation";
        m.subject = "Confirm the change of your " + config_.app_name + " e-mail address";
        m.text = hello + "Someone signed in to your " + config_.app_name + " account (" + to +
                 ") is changing its e-mail address. To confirm that it is you, enter this code:\n\n    " + code +
                 works + "If it is not you, do not give this code to anyone, and change your password: "
                 "someone else may be signed in to your account.\n";
        break;
      }
      m.kind = "email-otp-verification";
      m.subject = "Your " + config_.app_name + " verification code";
      m.text = hello + "To verify your e-mail address for " + config_.app_name + ", enter this code:\n\n    " + code +
               works + "If you did not sign up, ignore this message.\n";
      break;
    case EmailOtpType::kForgetPassword:
      m.kind = "email-otp-reset-password";
      m.subject = "Your " + config_.app_name + " password reset code";
      m.text = hello + "To choose a new password for " + config_.app_name + " (" + to + "), enter this code:\n\n    " +
               code + works + "If you did not ask for it, ignore this message: your password stays as it is.\n";
      break;
    case EmailOtpType::kChangeEmail:
      m.kind = "email-otp-change-email";
      m.subject = "Your " + config_.app_name + " code to change your e-mail address";
      m.text = hello + "To make " + to + " the e-mail address of your " + config_.app_name +
               " account, enter this code:\n\n    " + code + works +
               "If you did not ask for it, ignore this message: nothing changes without it.\n";
      break;
  }
  mail_->enqueue(std::move(m));
}

void AuthService::send_verification_code(const User& user, TimePoint now) {
  issue_email_otp(otp_identifier(EmailOtpType::kEmailVerification, user.email), EmailOtpType::kEmailVerification,
                        user.email, user.name, now);
}

Status AuthService::take_email_otp(const std::string& identifier, const std::string& otp, TimePoint now, bool keep) {
  auto row = store_.consume_verification(identifier);
  if (!row) {
    return Status(row.status().code() == ErrorCode::kNotFound ? ErrorCode::kInvalidOtp
                                                              : ErrorCode::kInternalServerError);
  }
  if (row->expires_at <= now) return Status(ErrorCode::kOtpExpired);  // and it is gone
  std::string_view hash;
  int wrong = 0;
  if (!parse_mailed_code(row->value, hash, wrong)) return Status(ErrorCode::kInvalidOtp);
  const auto left = duration_cast<milliseconds>(row->expires_at - now);
  const auto put_back = [&](int wrong_now) {
    (void)store_verification(identifier, std::string(hash) + ":" + std::to_string(wrong_now), now, left);
  };
  if (wrong >= config_.email_otp_attempts) {
    put_back(wrong);
    return Status(ErrorCode::kTooManyAttempts);
  }
  if (!constant_time_equal(hash, mailed_code_hash(otp))) {
    put_back(wrong + 1);
    return Status(ErrorCode::kInvalidOtp);
  }
  if (keep) put_back(wrong);
  return Status::OK();
}

Status AuthService::send_email_otp(const std::string& email, EmailOtpType type, const Caller& caller,
                                   const User* signed_in) {
  if (!config_.email_otp || mail_ == nullptr) return Status(ErrorCode::kNotFound);
  auto normalized = validate_email(email, config_.email_options);
  if (!normalized) return Status(ErrorCode::kInvalidEmail);
  if (type == EmailOtpType::kChangeEmail) return Status(ErrorCode::kValidationError, "Invalid OTP type");

  if (Status s = spend_mail_budget(std::string("email-otp-") + std::string(type_name(type)), *normalized, caller.now);
      !s.ok()) {
    return s;
  }

  auto user = store_.find_user_by_email(*normalized);
  if (!user && user.status().code() != ErrorCode::kNotFound) return Status(ErrorCode::kInternalServerError);
  const std::string identifier = otp_identifier(type, *normalized);
  bool send = user.ok();
  if (type == EmailOtpType::kSignIn && !user.ok()) send = config_.sign_up_enabled;
  // A verified address's code only confirms a change of it, asked for by its own user.
  const bool confirms_change = type == EmailOtpType::kEmailVerification && user.ok() && user->email_verified;
  if (confirms_change) send = signed_in != nullptr && signed_in->id == user->id && change_confirmed_by_code(*user);
  if (!send) {
    (void)store_.consume_verification(identifier);  // as BetterAuth: no code stays for it either
    return Status::OK();
  }
  issue_email_otp(identifier, type, user.ok() ? user->email : *normalized, user.ok() ? user->name : "",
                  caller.now, confirms_change);
  return Status::OK();
}

bool AuthService::change_confirmed_by_code(const User& user) const {
  return config_.email_otp_change_email && config_.change_email_confirmation && user.email_verified;
}

Result<std::string> AuthService::email_change_target(const std::string& new_email, const User& user) const {
  if (!config_.email_otp) return ErrorCode::kNotFound;
  if (!config_.email_otp_change_email) {
    return Status(ErrorCode::kChangeEmailDisabled, "Change email with OTP is disabled");
  }
  auto email = validate_email(new_email, config_.email_options);
  if (!email) return email.status();
  if (*email == user.email) return ErrorCode::kEmailIsTheSame;
  return email;
}

Status AuthService::request_email_change_otp(const Authenticated& auth, const std::string& new_email,
                                             const std::optional<std::string>& otp, const Caller& caller) {
  auto email = email_change_target(new_email, auth.user);
  if (!email) return email.status();
  if (mail_ == nullptr) return Status(ErrorCode::kNotFound);
  // The current address's code: checked, then used up only once the new code may be mailed.
  const std::string current = otp_identifier(EmailOtpType::kEmailVerification, auth.user.email);
  const bool confirm = change_confirmed_by_code(auth.user);
  if (confirm) {
    if (!otp) return Status(ErrorCode::kOtpRequired);
    if (Status s = take_email_otp(current, *otp, caller.now, /*keep=*/true); !s.ok()) return s;
  }
  if (Status s = spend_mail_budget("email-otp-change-email", *email, caller.now); !s.ok()) return s;
  if (confirm) {
    if (Status s = take_email_otp(current, *otp, caller.now, /*keep=*/false); !s.ok()) return s;  // raced
  }
  const std::string identifier = change_email_identifier(auth.user.id, *email);
  auto taken = store_.find_user_by_email(*email);
  if (taken.ok()) {
    (void)store_.consume_verification(identifier);  // the same answer; no code for it stays
    return Status::OK();
  }
  if (taken.status().code() != ErrorCode::kNotFound) return Status(ErrorCode::kInternalServerError);
  issue_email_otp(identifier, EmailOtpType::kChangeEmail, *email, auth.user.name, caller.now);
  return Status::OK();
}

Result<User> AuthService::change_email_otp(const Authenticated& auth, const std::string& new_email,
                                           const std::string& otp, const Caller& caller) {
  auto email = email_change_target(new_email, auth.user);
  if (!email) return email.status();
  const std::string identifier = change_email_identifier(auth.user.id, *email);
  if (Status s = take_email_otp(identifier, otp, caller.now, /*keep=*/false); !s.ok()) return s;
  auto user = store_.find_user_by_id(auth.user.id);
  if (!user) {
    return user.status().code() == ErrorCode::kNotFound ? ErrorCode::kUserNotFound : ErrorCode::kInternalServerError;
  }
  const Status in_use(ErrorCode::kUserAlreadyExists, "Email already in use");
  auto taken = store_.find_user_by_email(*email);
  if (taken.ok()) return in_use;
  if (taken.status().code() != ErrorCode::kNotFound) return ErrorCode::kInternalServerError;
  const std::string old_email = user->email;
  user->email = *email;
  user->email_verified = true;
  user->updated_at = caller.now;
  const Status updated = store_.update_user(*user);
  if (updated.code() == ErrorCode::kUserAlreadyExists) return in_use;  // taken between the two
  if (!updated.ok()) return ErrorCode::kInternalServerError;
  notify_change(*user, "email-changed", old_email, caller.now);
  audit("email-changed", &*user, caller, {{"method", "email-otp"}});
  return user;
}

Status AuthService::check_email_otp(const std::string& email, EmailOtpType type, const std::string& otp,
                                    const Caller& caller) {
  if (!config_.email_otp) return Status(ErrorCode::kNotFound);
  auto normalized = validate_email(email, config_.email_options);
  if (!normalized) return Status(ErrorCode::kInvalidEmail);
  if (Status s = take_email_otp(otp_identifier(type, *normalized), otp, caller.now, /*keep=*/true); !s.ok()) return s;
  auto user = store_.find_user_by_email(*normalized);
  if (!user) {
    return Status(user.status().code() == ErrorCode::kNotFound ? ErrorCode::kUserNotFound
                                                               : ErrorCode::kInternalServerError);
  }
  return Status::OK();
}

Result<VerifiedEmail> AuthService::verify_email_otp(const std::string& email, const std::string& otp,
                                                    const Caller& caller) {
  if (!config_.email_otp) return ErrorCode::kNotFound;
  auto normalized = validate_email(email, config_.email_options);
  if (!normalized) return ErrorCode::kInvalidEmail;
  if (Status s = take_email_otp(otp_identifier(EmailOtpType::kEmailVerification, *normalized), otp, caller.now,
                                /*keep=*/false);
      !s.ok()) {
    return s;
  }
  auto user = store_.find_user_by_email(*normalized);
  if (!user) {
    return user.status().code() == ErrorCode::kNotFound ? ErrorCode::kUserNotFound : ErrorCode::kInternalServerError;
  }
  VerifiedEmail out;
  out.already_verified = user->email_verified;
  if (!user->email_verified) {
    user->email_verified = true;
    user->updated_at = caller.now;
    if (!store_.update_user(*user).ok()) return ErrorCode::kInternalServerError;
  }
  out.session = session_after_verification(*user, "email-otp-verification", caller);
  out.user = std::move(user).value();
  return out;
}

Result<SignedIn> AuthService::sign_in_email_otp(const EmailOtpSignIn& request, const Caller& caller) {
  if (!config_.email_otp) return ErrorCode::kNotFound;
  auto email = validate_email(request.email, config_.email_options);
  if (!email) return email.status().code() == ErrorCode::kInvalidUtf8 ? email.status() : Status(ErrorCode::kInvalidEmail);
  auto user = store_.find_user_by_email(*email);
  if (!user && user.status().code() != ErrorCode::kNotFound) return ErrorCode::kInternalServerError;
  if (Status s = take_email_otp(otp_identifier(EmailOtpType::kSignIn, *email), request.otp, caller.now,
                                /*keep=*/false);
      !s.ok()) {
    if (user.ok()) audit("sign-in-failed", &*user, caller, {{"reason", "email-otp"}});
    return s;
  }

  bool new_user = false;
  return finish_mailbox_sign_in(std::move(user), *email, request.name, request.image, request.remember_me,
                                request.trusted_device, ErrorCode::kInvalidOtp, "email-otp", caller, new_user);
}

Result<SignedIn> AuthService::finish_mailbox_sign_in(Result<User> user, const std::string& email,
                                                     const std::optional<std::string>& name,
                                                     const std::optional<std::string>& image, bool remember_me,
                                                     const std::optional<std::string>& trusted_device,
                                                     ErrorCode no_sign_up, std::string_view method,
                                                     const Caller& caller, bool& new_user) {
  new_user = false;
  if (!user.ok()) {
    // The mailbox is proven: a new account, verified, without a password.
    if (!config_.sign_up_enabled) return no_sign_up;
    // The name is a new account's only (none, or "": BetterAuth's ""). A refused one leaves
    // nothing made, but the code or link is used: the user asks again with the name mended.
    std::string valid_name;
    if (name && !name->empty()) {
      auto valid = validate_name(*name, config_.name_policy);
      if (!valid) return valid.status();
      valid_name = std::move(valid).value();
    }
    User fresh;
    fresh.id = generate_token();
    fresh.name = std::move(valid_name);
    fresh.email = email;
    fresh.email_verified = true;
    fresh.image = image;
    if (config_.admin) fresh.role = std::string(kDefaultRole);
    fresh.created_at = caller.now;
    fresh.updated_at = caller.now;
    const Status s = store_.create_user(fresh, std::nullopt);
    if (s.code() == ErrorCode::kUserAlreadyExists) {
      user = store_.find_user_by_email(email);  // made meanwhile by another request: sign in to it
      if (!user) return ErrorCode::kFailedToCreateUser;
    } else if (!s.ok()) {
      return ErrorCode::kFailedToCreateUser;
    } else {
      user = std::move(fresh);
      new_user = true;
      audit("sign-up", &*user, caller, {{"method", method}});
    }
  }
  if (Status s = refuse_if_banned(*user, caller); !s.ok()) return s;
  if (!user->email_verified) {
    // Whoever set up the account before the mailbox's owner proved it (a password chosen by
    // someone else, their sessions) loses it.
    auto claimed = store_.claim_unverified_user(user->id, caller.now);
    if (!claimed) return ErrorCode::kInternalServerError;
    user->email_verified = true;
    user->updated_at = caller.now;
  }

  SignInRequest as_password;
  as_password.email = email;
  as_password.remember_me = remember_me;
  as_password.trusted_device = trusted_device;
  return open_session(*user, as_password, method, new_user, caller);
}

Status AuthService::reset_password_email_otp(const std::string& email, const std::string& otp,
                                             const std::string& password, const Caller& caller,
                                             PasswordCheck* verdict) {
  if (!config_.email_otp) return Status(ErrorCode::kNotFound);
  auto normalized = validate_email(email, config_.email_options);
  if (!normalized) return Status(ErrorCode::kInvalidEmail);
  if (Status s = check_password(password, config_.password_policy); !s.ok()) return s;
  auto user = store_.find_user_by_email(*normalized);
  if (!user && user.status().code() != ErrorCode::kNotFound) return Status(ErrorCode::kInternalServerError);
  // The policy first (it needs the user's address and name): a refused password keeps the code.
  if (user.ok()) {
    if (Status s = check_new(password, user->email, user->name, verdict); !s.ok()) return s;
  }
  const std::string identifier = otp_identifier(EmailOtpType::kForgetPassword, *normalized);
  // Checked before the (costly) hash, and used up only after it.
  if (Status s = take_email_otp(identifier, otp, caller.now, /*keep=*/true); !s.ok()) return s;
  if (!user) return Status(ErrorCode::kUserNotFound);
  auto hash = hash_new_password(password);
  if (!hash) return hash.status();
  if (Status s = take_email_otp(identifier, otp, caller.now, /*keep=*/false); !s.ok()) return s;  // raced
  if (!write_password(*user, *hash, caller.now).ok()) return Status(ErrorCode::kInternalServerError);
  if (!user->email_verified) {
    user->email_verified = true;
    user->updated_at = caller.now;
    (void)store_.update_user(*user);
  }
  if (config_.revoke_sessions_on_password_reset) (void)store_.delete_sessions(user->id, "");
  notify_change(*user, "password-changed", user->email, caller.now);
  audit("password-reset", &*user, caller, {{"method", "email-otp"}});
  return Status::OK();
}

}  // namespace portcullis::auth
