// Portcullis server: the relying party's checks of the two WebAuthn ceremonies (passkeys), W3C Web
// Authentication Level 2: §7.1, registering a new credential, and §7.2, verifying an
// authentication assertion. Pure functions of the browser's response (the JSON that
// @simplewebauthn/browser and BetterAuth's passkey client send) and of what the server expects:
// no storage, no clock. The cryptography is libsodium's (Ed25519, SHA-256) and OpenSSL's (ECDSA
// P-256, RSA); the CBOR (attestation objects, COSE keys) is libcbor's.
//
// Supported keys: ES256 (COSE alg -7, P-256), EdDSA (-8, Ed25519) and RS256 (-257, RSA of at
// least 2,048 bits): the algorithms BetterAuth's options offer. Attestation is not checked: the
// options ask for none, so any attestation format is accepted and its statement ignored (the
// credential is trusted as the user's because a signed-in user registers it, not because of who
// made the authenticator).
//
// Errors are Status values: FAILED_TO_VERIFY_REGISTRATION from verify_registration(),
// AUTHENTICATION_FAILED from the assertion functions, each with a message saying which check
// failed, for the server's log (it never holds key material or the challenge); clients get the
// code's own message.

#ifndef PORTCULLIS_AUTH_WEBAUTHN_H_
#define PORTCULLIS_AUTH_WEBAUTHN_H_

#include <cstdint>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "portcullis/error.h"

namespace portcullis::auth::webauthn {

// The COSE algorithm identifiers offered to browsers, most preferred first (BetterAuth's,
// SimpleWebAuthn's defaults): EdDSA, ES256, RS256.
inline constexpr int kOfferedAlgorithms[] = {-8, -7, -257};

// What the relying party expects of a ceremony's response.
struct Expectation {
  std::string challenge;  // as sent in the options: base64url without padding
  std::string origin;     // the page's origin, e.g. "https://docs.example.com" (already trusted)
  std::string rp_id;      // the relying party id, e.g. "example.com"
};

// The credential a registration made.
struct NewCredential {
  std::string id;          // the credential id, base64url without padding
  std::string public_key;  // the COSE_Key, the bytes the authenticator gave
  std::uint32_t counter = 0;
  std::string aaguid;      // the authenticator's model, "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
  bool backup_eligible = false;  // flag BE: may be synced to other devices ("multiDevice")
  bool backed_up = false;        // flag BS: is synced now
  bool user_verified = false;    // flag UV: the user gave a fingerprint, face or PIN
  // response.transports as the browser listed them ("internal", "hybrid", "usb"...); entries
  // that are not short lower-case words are left out.
  std::vector<std::string> transports;
};

// A verified assertion.
struct Assertion {
  std::uint32_t counter = 0;  // the authenticator's new signature counter (0: it keeps none)
  bool user_verified = false;
  bool backed_up = false;
};

// Checks a RegistrationResponseJSON ({"id","rawId","type":"public-key","response":{
// "clientDataJSON","attestationObject",...}}) against `expected`: the client data's type
// ("webauthn.create"), challenge and origin, the authenticator data's rp id hash, its user-present
// flag and its attested credential (an id equal to the response's, a supported public key).
// Returns the new credential. Errors: FAILED_TO_VERIFY_REGISTRATION.
Result<NewCredential> verify_registration(const nlohmann::json& response, const Expectation& expected);

// Returns the credential id (base64url) an AuthenticationResponseJSON names, to look the stored
// credential up by. Errors: AUTHENTICATION_FAILED ("id" missing, not base64url, or unequal to
// "rawId").
Result<std::string> assertion_credential_id(const nlohmann::json& response);

// Checks an AuthenticationResponseJSON ({"id","rawId","type":"public-key","response":{
// "clientDataJSON","authenticatorData","signature","userHandle"?}}) against `expected` and the
// stored credential: the client data's type ("webauthn.get"), challenge and origin, the rp id hash,
// the user-present flag, the signature (over the authenticator data and the client data's
// SHA-256) under `public_key` (COSE bytes), and the counter, which must exceed `stored_counter`
// unless both are 0 (a smaller or equal one means a cloned authenticator). Returns the assertion.
// Errors: AUTHENTICATION_FAILED.
Result<Assertion> verify_authentication(const nlohmann::json& response, const Expectation& expected,
                                        std::string_view public_key, std::uint32_t stored_counter);

// Returns 32 random bytes as base64url without padding: a ceremony's challenge.
std::string new_challenge();

// Decodes base64 as BetterAuth's decoder reads a stored public key: the standard alphabet, or the
// URL-safe one, with or without padding. Returns nullopt if `text` is neither.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace portcullis::auth::webauthn

#endif  // PORTCULLIS_AUTH_WEBAUTHN_H_
