// Portcullis server: BetterAuth's captcha plugin. The routes that bots aim at (by default sign-up,
// sign-in and the password-reset request) want a CAPTCHA token from the client, in the
// "x-captcha-response" header, which the provider's siteverify endpoint then checks: Cloudflare
// Turnstile, Google reCAPTCHA (v2, or v3 with its score) or hCaptcha. Without a token: 400
// MISSING_RESPONSE; a token the provider refuses: 403 VERIFICATION_FAILED; a provider that does not
// answer: 500 UNKNOWN_ERROR (fail closed). BetterAuth's codes and messages.

#ifndef PORTCULLIS_HTTP_CAPTCHA_H_
#define PORTCULLIS_HTTP_CAPTCHA_H_

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "portcullis/error.h"

namespace portcullis::http {

struct CaptchaOptions {
  std::string provider;    // "cloudflare-turnstile", "google-recaptcha" or "hcaptcha"
  std::string secret_key;  // the site's secret, sent to the provider only
  std::string site_key;    // hcaptcha: sent along, so that a token of another site is refused
  std::string verify_url;  // "": the provider's siteverify; else a mirror (see parse_outbound_url)
  double min_score = 0.5;  // reCAPTCHA v3: a lower score is refused (BetterAuth's default)
  std::chrono::seconds timeout{10};
};

class Captcha {
 public:
  // Errors: VALIDATION_ERROR, saying what is wrong (an unknown provider, no secret key, a verify
  // URL that may not be called).
  static Result<std::unique_ptr<Captcha>> open(CaptchaOptions options);

  // Checks `token` (the header's value; "" when the client sent none), from a client at
  // `remote_ip` ("" when unknown). Returns OK when the provider accepts it. Errors:
  // MISSING_RESPONSE (no token); VERIFICATION_FAILED (refused: invalid, expired, used, another
  // site's, a reCAPTCHA v3 score under min_score or not a number, or over 4 KiB); UNKNOWN_ERROR (the provider did
  // not answer in time, or answered something that is not a siteverify answer; a JSON line why,
  // never the token or the key, goes to stderr).
  Status verify(std::string_view token, std::string_view remote_ip) const;

  explicit Captcha(CaptchaOptions options) : options_(std::move(options)) {}

 private:
  CaptchaOptions options_;
  std::string origin_, path_;  // of the verify URL
};

}  // namespace portcullis::http

#endif  // PORTCULLIS_HTTP_CAPTCHA_H_
