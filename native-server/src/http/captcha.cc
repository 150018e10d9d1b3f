// Portcullis server: see captcha.h.

#include "http/captcha.h"

#include <nlohmann/json.hpp>
#include <utility>

#include "common/json_text.h"
#include "common/outbound.h"

namespace portcullis::http {
namespace {

using nlohmann::json;

constexpr std::string_view kTurnstile = "cloudflare-turnstile";
constexpr std::string_view kRecaptcha = "google-recaptcha";
constexpr std::string_view kHcaptcha = "hcaptcha";
// Turnstile's tokens are at most 2,048 characters; anything much longer is not a token.
constexpr std::size_t kMaxToken = 4096;

// The provider's own siteverify (BetterAuth's), or "" for a provider it does not know.
std::string_view siteverify(std::string_view provider) {
  if (provider == kTurnstile) return "https://challenges.cloudflare.com/turnstile/v0/siteverify";
  if (provider == kRecaptcha) return "https://www.google.com/recaptcha/api/siteverify";
  if (provider == kHcaptcha) return "https://api.hcaptcha.com/siteverify";
  return "";
}

Status unavailable(std::string_view provider, std::string_view error) {
  const json line = {{"msg", "captcha check failed"}, {"provider", provider}, {"error", error}};
  report_to_stderr(line);
  return Status(ErrorCode::kCaptchaUnavailable);
}

}  // namespace

Result<std::unique_ptr<Captcha>> Captcha::open(CaptchaOptions options) {
  const std::string_view own = siteverify(options.provider);
  if (own.empty()) {
    return Status(ErrorCode::kValidationError,
                  "\"" + options.provider + "\" is not a provider: cloudflare-turnstile, google-recaptcha or hcaptcha");
  }
  if (options.secret_key.empty()) return Status(ErrorCode::kValidationError, "the provider's secret key is missing");
  auto url = parse_outbound_url(options.verify_url.empty() ? std::string(own) : options.verify_url);
  if (!url) return url.status();
  auto captcha = std::make_unique<Captcha>(std::move(options));
  captcha->origin_ = std::move(url->origin);
  captcha->path_ = std::move(url->path);
  return captcha;
}

Status Captcha::verify(std::string_view token, std::string_view remote_ip) const {
  if (token.empty()) return Status(ErrorCode::kCaptchaMissingResponse);
  if (token.size() > kMaxToken) return Status(ErrorCode::kCaptchaVerificationFailed);
  const auto client = outbound_client(origin_, options_.timeout);
  const auto ask = [&]() -> httplib::Result {
    if (options_.provider == kTurnstile) {
      // Turnstile takes JSON (BetterAuth sends it so).
      json body = {{"secret", options_.secret_key}, {"response", token}};
      if (!remote_ip.empty()) body["remoteip"] = remote_ip;
      return client->Post(path_, json_text(body), "application/json");
    }
    // reCAPTCHA and hCaptcha take a form.
    httplib::Params form = {{"secret", options_.secret_key}, {"response", std::string(token)}};
    if (!remote_ip.empty()) form.emplace("remoteip", std::string(remote_ip));
    if (options_.provider == kHcaptcha && !options_.site_key.empty()) form.emplace("sitekey", options_.site_key);
    return client->Post(path_, form);
  };
  const httplib::Result result = ask();
  if (!result) return unavailable(options_.provider, httplib::to_string(result.error()));
  if (result->status != 200) return unavailable(options_.provider, "HTTP status " + std::to_string(result->status));
  const json answer = json::parse(result->body, nullptr, /*allow_exceptions=*/false);
  if (!answer.is_object() || !answer.contains("success") || !answer["success"].is_boolean()) {
    return unavailable(options_.provider, "not a siteverify answer");
  }
  if (!answer["success"].get<bool>()) return Status(ErrorCode::kCaptchaVerificationFailed);
  if (options_.provider == kRecaptcha && answer.contains("score")) {
    // v3: a low score is likely a bot; a score that is not a number is not believed either.
    const json& score = answer["score"];
    if (!score.is_number() || score.get<double>() < options_.min_score) return Status(ErrorCode::kCaptchaVerificationFailed);
  }
  return Status::OK();
}

}  // namespace portcullis::http
