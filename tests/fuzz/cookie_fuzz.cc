// Fuzz target: signed cookies and the encodings around them (core/include/portcullis/token.h), on
// any bytes, as a Cookie or Authorization header brings them. The bytes are a cookie value to
// verify, and also a value to sign.
//
// Properties: verifying never crashes and only accepts what the secret signed; what is signed
// verifies back to itself (percent-encoded as sent, or decoded as a Bearer header may carry it);
// percent-encoding round-trips; CookieSigner answers as the free functions do.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "portcullis/error.h"
#include "portcullis/token.h"

namespace {

constexpr std::string_view kSecret = "fuzzing-secret-that-is-long-enough-0123456789";

const portcullis::CookieSigner& signer() {
  static const portcullis::CookieSigner s(kSecret);
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = as_text(data, size);

  // Any bytes as a cookie value: refused, or the value the secret signed (which signs back to a
  // value that verifies to the same).
  const auto verified = portcullis::verify_cookie(text, kSecret);
  const auto by_signer = signer().verify(text);
  FUZZ_CHECK(verified.ok() == by_signer.ok());
  if (verified.ok()) {
    FUZZ_CHECK(*verified == *by_signer);
    const auto again = portcullis::verify_cookie(portcullis::sign_cookie(*verified, kSecret), kSecret);
    FUZZ_CHECK(again.ok() && *again == *verified);
  } else {
    FUZZ_CHECK(verified.status().code() == portcullis::ErrorCode::kInvalidToken);
  }
  // Under another secret nothing verifies: that would take forging its MAC.
  FUZZ_CHECK(!portcullis::verify_cookie(text, "another-secret-that-is-also-long-enough").ok());

  // Any bytes as a value to sign.
  const std::string cookie = portcullis::sign_cookie(text, kSecret);
  FUZZ_CHECK(cookie == signer().sign(text));
  const auto back = portcullis::verify_cookie(cookie, kSecret);
  FUZZ_CHECK(back.ok() && *back == text);
  // Decoded, as a Bearer header may carry it: the same, unless the value itself holds a '%' (which
  // verifying then reads as an escape).
  const auto decoded = portcullis::percent_decode(cookie);
  FUZZ_CHECK(decoded.ok());
  if (text.find('%') == std::string_view::npos) {
    const auto back_decoded = portcullis::verify_cookie(*decoded, kSecret);
    FUZZ_CHECK(back_decoded.ok() && *back_decoded == text);
  }

  // Encodings.
  const auto round = portcullis::percent_decode(portcullis::percent_encode_component(text));
  FUZZ_CHECK(round.ok() && *round == text);
  FUZZ_CHECK(portcullis::base64_encode(text).size() == (size + 2) / 3 * 4);
  return 0;
}
