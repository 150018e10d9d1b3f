// Portcullis server: BetterAuth's jwt plugin: JSON Web Tokens that say who a session's user is,
// for services that check them on their own (with the published keys) instead of asking the
// server about every request.
//
// Tokens are signed with EdDSA (Ed25519, libsodium), the plugin's default. The keys live in the
// jwks table as BetterAuth keeps them (the private key a JWK encrypted under the server's secret),
// so a BetterAuth server on the same database publishes and uses the same keys, and tokens of
// either verify against the other's /jwks. The first key is made when first needed; a key past
// its expiresAt is replaced by a new one at the next token, and stays published for 30 days (the
// plugin's grace period) so that tokens signed with it still verify.

#ifndef PORTCULLIS_AUTH_JWT_H_
#define PORTCULLIS_AUTH_JWT_H_

#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "portcullis/error.h"
#include "store/store.h"

namespace portcullis::auth {


class JwtIssuer {
 public:
  // Keys are read from and written to `store`, and their private halves encrypted with `secret`
  // (both must outlive the issuer). Tokens are valid for `expires_in` ("exp" - "iat"; the
  // plugin's default is 15 minutes). Keys made here expire `rotation` after they are made (0:
  // never), so that the next token after that makes a new one.
  JwtIssuer(store::Store& store, const std::string& secret, std::chrono::seconds expires_in,
            std::chrono::seconds rotation);

  // The JSON Web Key Set to publish: {"keys":[{"alg","crv","x","kty","kid"}, ...]}, every key
  // not expired more than 30 days ago. Makes the first key if there is none. Errors:
  // INTERNAL_SERVER_ERROR (the database).
  Result<std::string> key_set(store::TimePoint now);

  // A token whose claims are `claims` (a JSON object: the user, as get-session shows it) and
  // "iat", "exp", "sub" = `subject`, "iss" and "aud" = `issuer` (BetterAuth's default for both is
  // its baseURL), signed with the newest unexpired EdDSA key
  // (a new one if there is none, or if the newest one's private half cannot be read, e.g. it was
  // encrypted under another secret). Errors: INTERNAL_SERVER_ERROR (the database).
  Result<std::string> sign(nlohmann::ordered_json claims, std::string_view subject, std::string_view issuer,
                           store::TimePoint now);

 private:
  // The newest unexpired EdDSA key, made when there is none.
  Result<store::Jwk> signing_key(store::TimePoint now);
  Result<store::Jwk> make_key(store::TimePoint now);

  store::Store& store_;
  const std::string& secret_;
  std::chrono::seconds expires_in_;
  std::chrono::seconds rotation_;
  std::mutex making_;  // one new key at a time in this process
};

}  // namespace portcullis::auth

#endif  // PORTCULLIS_AUTH_JWT_H_
