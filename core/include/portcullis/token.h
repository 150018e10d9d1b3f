// Portcullis core: random tokens, HMAC-SHA-256 and signed cookie values (libsodium).
//
// The signed-cookie format is BetterAuth's (contract §3), so a cookie issued by either server
// verifies on the other under the same secret:
//   cookie value = encodeURIComponent(value + "." + base64(HMAC-SHA-256(key = secret, msg = value)))
// with standard base64 and "=" padding (44 characters for the 32-byte MAC).

#ifndef PORTCULLIS_TOKEN_H_
#define PORTCULLIS_TOKEN_H_

#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "portcullis/error.h"

namespace portcullis {

// Length of BetterAuth's ids and session tokens.
inline constexpr std::size_t kTokenLength = 32;
// Size of an HMAC-SHA-256 output, in bytes.
inline constexpr std::size_t kHmacSha256Bytes = 32;

using HmacSha256 = std::array<unsigned char, kHmacSha256Bytes>;

// Returns `length` characters drawn uniformly from [A-Za-z0-9] with libsodium's CSPRNG (rejection
// sampling, so no character is likelier than another). Never fails.
std::string generate_token(std::size_t length = kTokenLength);

// Returns HMAC-SHA-256 of `message` under `key` (a key of any length, used as its UTF-8 bytes).
HmacSha256 hmac_sha256(std::string_view key, std::string_view message);

// Returns true if `a` and `b` are equal, in time that depends only on their lengths.
bool constant_time_equal(std::string_view a, std::string_view b);

// Returns the signed cookie value for `value` under `secret`, percent-encoded as
// encodeURIComponent does. Never fails.
std::string sign_cookie(std::string_view value, std::string_view secret);

// Verifies a signed cookie value as it appears in a Cookie header (percent-encoded or not) and
// returns the value that was signed. The MAC is compared in constant time.
// Errors: INVALID_TOKEN if the value is malformed (bad percent-encoding, no '.', a signature that
// is not 44 base64 characters ending in '=') or its signature does not match.
Result<std::string> verify_cookie(std::string_view cookie_value, std::string_view secret);

// A secret made ready for signing and verifying cookies: HMAC-SHA-256's keyed state (the secret
// hashed into its inner and outer pads) is computed once, here, instead of for every cookie. A
// server makes one at start and uses it for every request. Keeps that state, not the secret, and
// wipes it when destroyed. Safe to use from many threads at once.
class CookieSigner {
 public:
  explicit CookieSigner(std::string_view secret);
  ~CookieSigner();
  CookieSigner(const CookieSigner&) = delete;
  CookieSigner& operator=(const CookieSigner&) = delete;

  // Returns sign_cookie(value, secret). Never fails.
  std::string sign(std::string_view value) const;

  // Returns verify_cookie(cookie_value, secret), with its errors.
  Result<std::string> verify(std::string_view cookie_value) const;

 private:
  HmacSha256 mac(std::string_view message) const;

  struct State;
  std::unique_ptr<State> keyed_;
};

// Returns `bytes` in standard base64 with '=' padding.
std::string base64_encode(std::string_view bytes);

// Returns `bytes` in base64url without padding (RFC 4648 §5; JWTs, BetterAuth's "base64urlnopad").
std::string base64url_encode(std::string_view bytes);

// Returns `text` percent-encoded as JavaScript's encodeURIComponent does (UTF-8 bytes; letters,
// digits and -_.!~*'() unchanged).
std::string percent_encode_component(std::string_view text);

// Decodes %XX escapes. Errors: INVALID_TOKEN on a '%' not followed by two hex digits.
Result<std::string> percent_decode(std::string_view text);

}  // namespace portcullis

#endif  // PORTCULLIS_TOKEN_H_
