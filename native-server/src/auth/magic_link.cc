// Portcullis server: sign-in links by mail (--magic-link), as BetterAuth's magic-link plugin (1.7)
// makes them. The link is <api>/magic-link/verify?token=...&callbackURL=...; following it signs
// in (an address without an account gets one, while sign-up is on).
//
// Where it is stored (BetterAuth's place): a verification row "magic-link:<SHA-256 of the token,
// base64url>" (the plugin's storeToken "hashed": a BetterAuth server sharing the database needs
// that setting) whose value is {"type":"magic-link","email":...,"name":...}, for
// --magic-link-expires-in. It is taken out of the table when followed, so it works once.
// Beyond BetterAuth:
//   - a link goes only to a user, or to a new address while sign-up is on (BetterAuth mails it
//     anyway, and the link then fails); the answer is the same either way;
//   - at most 5 links per address per 15 minutes, whoever asks (see spend_mail_budget());
//   - a user with the second factor on still answers it (BetterAuth's link skips it);
//   - the token is stored hashed by default.

#include <nlohmann/json.hpp>

#include "auth/one_time_codes.h"
#include "auth/service.h"
#include "common/time.h"
#include "portcullis/email.h"
#include "portcullis/name.h"
#include "portcullis/token.h"

namespace portcullis::auth {
namespace {

// BetterAuth's magicLinkIdentifier of a stored (hashed) token.
std::string link_identifier(std::string_view token) { return "magic-link:" + mailed_code_hash(token); }

}  // namespace

Status AuthService::send_magic_link(const MagicLinkRequest& request, const Caller& caller) {
  if (!config_.magic_link || mail_ == nullptr) return Status(ErrorCode::kNotFound);
  auto email = validate_email(request.email, config_.email_options);
  if (!email) return Status(ErrorCode::kInvalidEmail);
  // A new account's name, checked now rather than when the link is followed (and used up).
  std::optional<std::string> name;
  if (request.name && !request.name->empty()) {
    auto valid = validate_name(*request.name, config_.name_policy);
    if (!valid) return valid.status();
    name = std::move(valid).value();
  }
  if (Status s = spend_mail_budget("magic-link", *email, caller.now); !s.ok()) return s;
  auto user = store_.find_user_by_email(*email);
  if (!user && user.status().code() != ErrorCode::kNotFound) return Status(ErrorCode::kInternalServerError);
  if (!user.ok() && !config_.sign_up_enabled) return Status::OK();  // nothing it could do

  const std::string token = generate_token();
  nlohmann::json record{{"type", "magic-link"}, {"email", *email}};
  if (name) record["name"] = *name;
  if (!store_verification(link_identifier(token), record.dump(), caller.now,
                          std::chrono::duration_cast<std::chrono::milliseconds>(config_.magic_link_expires_in))
           .ok()) {
    return Status(ErrorCode::kInternalServerError);
  }
  std::string link = config_.api_url + "/magic-link/verify?token=" + token +
                     "&callbackURL=" + percent_encode_component(request.callback_url.value_or("/"));
  if (request.new_user_callback_url) {
    link += "&newUserCallbackURL=" + percent_encode_component(*request.new_user_callback_url);
  }
  if (request.error_callback_url) link += "&errorCallbackURL=" + percent_encode_component(*request.error_callback_url);

  mail::Message m;
  m.to = user.ok() ? user->email : *email;
  m.kind = "magic-link";
  m.link = link;
  m.subject = "Sign in to " + config_.app_name;
  m.text = (user.ok() && !user->name.empty() ? "Hello " + user->name + ",\n\n" : std::string("Hello,\n\n")) +
           "To sign in to " + config_.app_name + " as " + m.to + (user.ok() ? "" : " (a new account)") +
           ", open this link:\n\n" + link + "\n\nIt works once, for the next " + duration_text(config_.magic_link_expires_in) +
           ". If you did not ask for it, ignore this message: without it, nobody can sign in.\n";
  mail_->enqueue(std::move(m));
  return Status::OK();
}

Result<MagicLinkSignedIn> AuthService::verify_magic_link(const std::string& token,
                                                         const std::optional<std::string>& trusted_device,
                                                         const Caller& caller) {
  if (!config_.magic_link) return ErrorCode::kNotFound;
  if (token.empty()) return ErrorCode::kInvalidToken;
  auto row = store_.consume_verification(link_identifier(token));
  if (!row) {
    return row.status().code() == ErrorCode::kNotFound ? ErrorCode::kInvalidToken : ErrorCode::kInternalServerError;
  }
  if (row->expires_at <= caller.now) return ErrorCode::kInvalidToken;
  // BetterAuth's record: {"type":"magic-link","email":...,"name"?:...}, nothing else.
  const auto record = nlohmann::json::parse(row->value, nullptr, /*allow_exceptions=*/false);
  if (!record.is_object() || record.value("type", nlohmann::json()) != "magic-link" || !record.contains("email") ||
      !record["email"].is_string() || (record.contains("name") && !record["name"].is_string())) {
    return ErrorCode::kInvalidToken;
  }
  auto email = validate_email(record["email"].get<std::string>(), config_.email_options);
  if (!email) return ErrorCode::kInvalidToken;
  std::optional<std::string> name;
  if (record.contains("name")) name = record["name"].get<std::string>();

  auto user = store_.find_user_by_email(*email);
  if (!user && user.status().code() != ErrorCode::kNotFound) return ErrorCode::kInternalServerError;
  MagicLinkSignedIn out;
  auto signed_in = finish_mailbox_sign_in(std::move(user), *email, name, std::nullopt, /*remember_me=*/true,
                                          trusted_device, ErrorCode::kNewUserSignupDisabled, "magic-link", caller,
                                          out.new_user);
  if (!signed_in) return signed_in.status();
  out.signed_in = std::move(signed_in).value();
  return out;
}

}  // namespace portcullis::auth
