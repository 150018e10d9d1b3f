// Fuzz target: the WebAuthn checks (native-server/src/auth/webauthn.h) on any bytes, as a client
// can send them: anyone can start a sign-in ceremony and answer it for a credential id (which is not
// secret), and anyone with an account a registration, so the CBOR and COSE parsers see whatever
// an attacker writes. The bytes are used four ways: as a registration's attestation object, as an
// assertion's authenticator data, as a stored COSE key, and (when they parse as JSON) as a whole
// response to each ceremony.
//
// Properties: nothing crashes (the sanitizers); no assertion is ever accepted, since none is
// signed (forging one would take the key); a registration accepted from attestation-object bytes
// names the response's credential and keeps key bytes that were in the input.

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "auth/webauthn.h"
#include "fuzz_check.h"
#include "portcullis/token.h"

namespace {

namespace webauthn = portcullis::auth::webauthn;
using nlohmann::json;
using portcullis::base64url_encode;

const webauthn::Expectation kExpected{"ZnV6emluZy1jaGFsbGVuZ2UtMDEyMzQ1Njc4OWFiY2RlZg", "https://example.com",
                                      "example.com"};
// A credential id, and an Ed25519 COSE key ({1: 1, 3: -8, -1: 6, -2: 32 bytes}) to check against.
const std::string kCredential = "fuzz-credential";
const std::string kCoseKey = std::string("\xa4\x01\x01\x03\x27\x20\x06\x21\x58\x20", 10) + std::string(32, '\x11');

std::string client_data(std::string_view type) {
  return json{{"type", type}, {"challenge", kExpected.challenge}, {"origin", kExpected.origin}}.dump();
}

json outer(const json& inner) {
  return {{"id", base64url_encode(kCredential)},
          {"rawId", base64url_encode(kCredential)},
          {"type", "public-key"},
          {"response", inner}};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes = std::string(as_text(data, size));

  // The bytes as a registration's attestation object.
  const auto registered = webauthn::verify_registration(
      outer({{"clientDataJSON", base64url_encode(client_data("webauthn.create"))},
             {"attestationObject", base64url_encode(bytes)}}),
      kExpected);
  if (registered.ok()) {
    FUZZ_CHECK(registered->id == base64url_encode(kCredential));
    FUZZ_CHECK(!registered->public_key.empty() && bytes.find(registered->public_key) != std::string::npos);
  }

  // The bytes as an assertion's authenticator data, with a signature that signs nothing.
  const json assertion = outer({{"clientDataJSON", base64url_encode(client_data("webauthn.get"))},
                                {"authenticatorData", base64url_encode(bytes)},
                                {"signature", base64url_encode(std::string(64, '\x22'))}});
  FUZZ_CHECK(!webauthn::verify_authentication(assertion, kExpected, kCoseKey, 0).ok());
  // The bytes as the stored key.
  FUZZ_CHECK(!webauthn::verify_authentication(assertion, kExpected, bytes, 0).ok());

  // The bytes as a whole response, when they are JSON.
  const json response = json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (!response.is_discarded()) {
    (void)webauthn::verify_registration(response, kExpected);
    (void)webauthn::assertion_credential_id(response);
    FUZZ_CHECK(!webauthn::verify_authentication(response, kExpected, kCoseKey, 0).ok());
  }
  return 0;
}
