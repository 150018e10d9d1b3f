// The relying party's WebAuthn checks (auth/webauthn.h), against a software authenticator built
// here from libsodium (Ed25519), OpenSSL (P-256, RSA) and libcbor: credentials of the three
// algorithms register and sign in, and every check refuses what it must.

#include "auth/webauthn.h"

#include <cbor.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <sodium.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <memory>
#include <string>

#include "portcullis/token.h"

namespace {

using portcullis::ErrorCode;
using portcullis::base64url_encode;
namespace webauthn = portcullis::auth::webauthn;
using nlohmann::json;

const webauthn::Expectation kExpected{"Y2hhbGxlbmdlLW9mLXRoZS1jZXJlbW9ueS0wMTIzNDU", "https://docs.example.com",
                                      "example.com"};

std::string sha256(const std::string& data) {
  std::string out(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(data.data()),
                     data.size());
  return out;
}

struct CborFree {
  void operator()(cbor_item_t* item) const { cbor_decref(&item); }
};
using Cbor = std::unique_ptr<cbor_item_t, CborFree>;

std::string serialize(const cbor_item_t* item) {
  unsigned char* buffer = nullptr;
  std::size_t size = 0;
  const std::size_t length = cbor_serialize_alloc(item, &buffer, &size);
  std::string out(reinterpret_cast<const char*>(buffer), length);
  std::free(buffer);
  return out;
}

cbor_item_t* cbor_int(int v) { return v >= 0 ? cbor_build_uint32(static_cast<std::uint32_t>(v)) : cbor_build_negint32(static_cast<std::uint32_t>(-1 - v)); }
cbor_item_t* cbor_bytes(const std::string& b) {
  return cbor_build_bytestring(reinterpret_cast<const unsigned char*>(b.data()), b.size());
}
void put(cbor_item_t* map, cbor_item_t* key, cbor_item_t* value) {
  REQUIRE(cbor_map_add(map, cbor_pair{cbor_move(key), cbor_move(value)}));
}

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};

std::string bn_param(EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  REQUIRE(EVP_PKEY_get_bn_param(key, name, &bn) == 1);
  std::string out(static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  BN_free(bn);
  return out;
}

// A software authenticator holding one credential of `alg` (-7, -8, -257).
class Authenticator {
 public:
  explicit Authenticator(int alg, unsigned rsa_bits = 2048) : alg_(alg) {
    REQUIRE(sodium_init() >= 0);
    id_ = "credential-" + std::to_string(alg) + "-" + portcullis::generate_token(8);
    Cbor key(cbor_new_definite_map(5));
    if (alg == -8) {
      ed_public_.resize(crypto_sign_PUBLICKEYBYTES);
      ed_secret_.resize(crypto_sign_SECRETKEYBYTES);
      crypto_sign_keypair(reinterpret_cast<unsigned char*>(ed_public_.data()),
                          reinterpret_cast<unsigned char*>(ed_secret_.data()));
      put(key.get(), cbor_int(1), cbor_int(1));
      put(key.get(), cbor_int(3), cbor_int(-8));
      put(key.get(), cbor_int(-1), cbor_int(6));
      put(key.get(), cbor_int(-2), cbor_bytes(ed_public_));
    } else if (alg == -7) {
      pkey_.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
      REQUIRE(pkey_);
      std::string point(65, '\0');
      std::size_t length = 0;
      REQUIRE(EVP_PKEY_get_octet_string_param(pkey_.get(), OSSL_PKEY_PARAM_PUB_KEY,
                                              reinterpret_cast<unsigned char*>(point.data()), point.size(), &length) == 1);
      REQUIRE(length == 65);
      put(key.get(), cbor_int(1), cbor_int(2));
      put(key.get(), cbor_int(3), cbor_int(-7));
      put(key.get(), cbor_int(-1), cbor_int(1));
      put(key.get(), cbor_int(-2), cbor_bytes(point.substr(1, 32)));
      put(key.get(), cbor_int(-3), cbor_bytes(point.substr(33, 32)));
    } else {
      pkey_.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(rsa_bits)));
      REQUIRE(pkey_);
      put(key.get(), cbor_int(1), cbor_int(3));
      put(key.get(), cbor_int(3), cbor_int(alg));
      put(key.get(), cbor_int(-1), cbor_bytes(bn_param(pkey_.get(), OSSL_PKEY_PARAM_RSA_N)));
      put(key.get(), cbor_int(-2), cbor_bytes(bn_param(pkey_.get(), OSSL_PKEY_PARAM_RSA_E)));
    }
    cose_ = serialize(key.get());
  }

  const std::string& cose() const { return cose_; }
  std::string id() const { return base64url_encode(id_); }

  static std::string client_data(const std::string& type, const webauthn::Expectation& e, bool cross_origin = false) {
    return json{{"type", type}, {"challenge", e.challenge}, {"origin", e.origin}, {"crossOrigin", cross_origin}}.dump();
  }

  std::string auth_data(std::uint8_t flags, std::uint32_t counter, bool attested, const std::string& rp_id) const {
    std::string out = sha256(rp_id);
    out += static_cast<char>(flags);
    for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((counter >> shift) & 0xFF);
    if (attested) {
      out += std::string("\xad\xce\x00\x02\x35\xbc\xc6\x0a\x64\x8b\x0b\x25\xf1\xf0\x55\x03", 16);
      out += static_cast<char>(id_.size() >> 8);
      out += static_cast<char>(id_.size() & 0xFF);
      out += id_ + cose_;
    }
    return out;
  }

  json registration(const webauthn::Expectation& e, std::uint8_t flags = 0x45, const std::string& client_type = "webauthn.create",
                    const std::string* auth_data_override = nullptr) const {
    const std::string data = auth_data_override ? *auth_data_override : auth_data(flags, 0, true, e.rp_id);
    Cbor object(cbor_new_definite_map(3));
    put(object.get(), cbor_build_string("fmt"), cbor_build_string("none"));
    put(object.get(), cbor_build_string("attStmt"), cbor_new_definite_map(0));
    put(object.get(), cbor_build_string("authData"), cbor_bytes(data));
    return {{"id", id()},
            {"rawId", id()},
            {"type", "public-key"},
            {"response",
             {{"clientDataJSON", base64url_encode(client_data(client_type, e))},
              {"attestationObject", base64url_encode(serialize(object.get()))},
              {"transports", {"internal", "hybrid", "Not A Transport"}}}},
            {"clientExtensionResults", json::object()}};
  }

  std::string sign(const std::string& message) const {
    if (alg_ == -8) {
      std::string sig(crypto_sign_BYTES, '\0');
      crypto_sign_detached(reinterpret_cast<unsigned char*>(sig.data()), nullptr,
                           reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                           reinterpret_cast<const unsigned char*>(ed_secret_.data()));
      return sig;
    }
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    REQUIRE(EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, pkey_.get()) == 1);
    std::size_t length = 0;
    REQUIRE(EVP_DigestSign(ctx.get(), nullptr, &length, reinterpret_cast<const unsigned char*>(message.data()),
                           message.size()) == 1);
    std::string sig(length, '\0');
    REQUIRE(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &length,
                           reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1);
    sig.resize(length);
    return sig;
  }

  json assertion(const webauthn::Expectation& e, std::uint32_t counter, std::uint8_t flags = 0x05,
                 const std::string& client_type = "webauthn.get") const {
    const std::string data = auth_data(flags, counter, false, e.rp_id);
    const std::string client = client_data(client_type, e);
    return {{"id", id()},
            {"rawId", id()},
            {"type", "public-key"},
            {"response",
             {{"clientDataJSON", base64url_encode(client)},
              {"authenticatorData", base64url_encode(data)},
              {"signature", base64url_encode(sign(data + sha256(client)))},
              {"userHandle", base64url_encode("user-handle")}}}};
  }

 private:
  int alg_;
  std::string id_;
  std::string cose_;
  std::string ed_public_, ed_secret_;
  std::unique_ptr<EVP_PKEY, PkeyFree> pkey_;
};

webauthn::Expectation with(std::string webauthn::Expectation::*field, std::string value) {
  webauthn::Expectation e = kExpected;
  e.*field = std::move(value);
  return e;
}

ErrorCode registration_error(const json& response, const webauthn::Expectation& e = kExpected) {
  auto out = webauthn::verify_registration(response, e);
  REQUIRE_FALSE(out.ok());
  return out.status().code();
}

ErrorCode assertion_error(const Authenticator& a, const json& response, std::uint32_t stored = 0,
                          const webauthn::Expectation& e = kExpected) {
  auto out = webauthn::verify_authentication(response, e, a.cose(), stored);
  REQUIRE_FALSE(out.ok());
  return out.status().code();
}

}  // namespace

TEST_CASE("passkeys of each algorithm register and sign in", "[webauthn]") {
  for (const int alg : {-7, -8, -257}) {
    CAPTURE(alg);
    const Authenticator a(alg);
    auto credential = webauthn::verify_registration(a.registration(kExpected, 0x5D), kExpected);
    REQUIRE(credential.ok());
    CHECK(credential->id == a.id());
    CHECK(credential->public_key == a.cose());
    CHECK(credential->aaguid == "adce0002-35bc-c60a-648b-0b25f1f05503");
    CHECK(credential->backup_eligible);
    CHECK(credential->backed_up);
    CHECK(credential->user_verified);
    CHECK(credential->transports == std::vector<std::string>{"internal", "hybrid"});

    auto id = webauthn::assertion_credential_id(a.assertion(kExpected, 7));
    REQUIRE(id.ok());
    CHECK(*id == a.id());
    auto assertion = webauthn::verify_authentication(a.assertion(kExpected, 7), kExpected, a.cose(), 6);
    REQUIRE(assertion.ok());
    CHECK(assertion->counter == 7);
    CHECK(assertion->user_verified);
    // An authenticator without a counter (Apple's, synced passkeys) always says 0.
    CHECK(webauthn::verify_authentication(a.assertion(kExpected, 0, 0x01), kExpected, a.cose(), 0).ok());
  }
}

TEST_CASE("a registration is refused when a check fails", "[webauthn]") {
  const Authenticator a(-7);
  const ErrorCode refused = ErrorCode::kFailedToVerifyRegistration;
  CHECK(webauthn::verify_registration(a.registration(kExpected), kExpected).ok());
  CHECK(registration_error(a.registration(kExpected), with(&webauthn::Expectation::challenge, "other")) == refused);
  CHECK(registration_error(a.registration(kExpected), with(&webauthn::Expectation::origin, "https://evil.example")) ==
        refused);
  CHECK(registration_error(a.registration(kExpected, 0x45, "webauthn.get")) == refused);
  // Made for another relying party.
  CHECK(registration_error(a.registration(with(&webauthn::Expectation::rp_id, "evil.example"))) == refused);
  CHECK(registration_error(a.registration(kExpected, 0x44)) == refused);  // user not present
  CHECK(registration_error(a.registration(kExpected, 0x05)) == refused);  // no attested credential
  CHECK(registration_error(a.registration(kExpected, 0x55)) == refused);  // backed up, not eligible

  json response = a.registration(kExpected);
  response["rawId"] = base64url_encode("another id");
  CHECK(registration_error(response) == refused);
  response = a.registration(kExpected);
  response["type"] = "password";
  CHECK(registration_error(response) == refused);
  response = a.registration(kExpected);
  response["response"]["attestationObject"] = "!!not base64url!!";
  CHECK(registration_error(response) == refused);
  response = a.registration(kExpected);
  std::string attestation = *webauthn::base64_decode(response["response"]["attestationObject"].get<std::string>());
  response["response"]["attestationObject"] = base64url_encode(attestation.substr(0, attestation.size() - 9));
  CHECK(registration_error(response) == refused);
  response["response"]["attestationObject"] = base64url_encode(attestation + "x");
  CHECK(registration_error(response) == refused);
  response["response"] = "not an object";
  CHECK(registration_error(response) == refused);
  CHECK(registration_error(json::array()) == refused);
  CHECK(registration_error(json()) == refused);

  // Bytes after the public key, without the extension flag.
  const std::string trailing = a.auth_data(0x45, 0, true, kExpected.rp_id) + "\x01";
  CHECK(registration_error(a.registration(kExpected, 0x45, "webauthn.create", &trailing)) == refused);
  // The client data says the page was framed by another site.
  response = a.registration(kExpected);
  response["response"]["clientDataJSON"] = base64url_encode(Authenticator::client_data("webauthn.create", kExpected, true));
  CHECK(registration_error(response) == refused);
}

TEST_CASE("keys of unsupported algorithms or sizes are refused at registration", "[webauthn]") {
  CHECK(registration_error(Authenticator(-257, 1024).registration(kExpected)) == ErrorCode::kFailedToVerifyRegistration);
  CHECK(registration_error(Authenticator(-37).registration(kExpected)) == ErrorCode::kFailedToVerifyRegistration);  // PS256
}

TEST_CASE("an assertion is refused when a check fails", "[webauthn]") {
  const Authenticator a(-7);
  const Authenticator other(-7);
  const ErrorCode refused = ErrorCode::kAuthenticationFailed;
  CHECK(webauthn::verify_authentication(a.assertion(kExpected, 3), kExpected, a.cose(), 2).ok());
  CHECK(assertion_error(a, a.assertion(kExpected, 3), 3) == refused);  // the counter did not grow
  CHECK(assertion_error(a, a.assertion(kExpected, 2), 3) == refused);  // it went back
  CHECK(assertion_error(a, a.assertion(kExpected, 0), 3) == refused);  // it stopped counting
  CHECK(assertion_error(a, a.assertion(kExpected, 3), 0, with(&webauthn::Expectation::challenge, "x")) == refused);
  CHECK(assertion_error(a, a.assertion(kExpected, 3), 0, with(&webauthn::Expectation::origin, "https://x.test")) ==
        refused);
  CHECK(assertion_error(a, a.assertion(with(&webauthn::Expectation::rp_id, "evil.example"), 3)) == refused);
  CHECK(assertion_error(a, a.assertion(kExpected, 3, 0x05, "webauthn.create")) == refused);
  CHECK(assertion_error(a, a.assertion(kExpected, 3, 0x04)) == refused);  // user not present
  CHECK(assertion_error(a, a.assertion(kExpected, 3, 0x45)) == refused);  // attested data claimed
  // Signed by another key.
  CHECK(webauthn::verify_authentication(other.assertion(kExpected, 3), kExpected, a.cose(), 0).status().code() == refused);
  json response = a.assertion(kExpected, 3);
  std::string signature = *webauthn::base64_decode(response["response"]["signature"].get<std::string>());
  signature[signature.size() / 2] ^= 0x01;
  response["response"]["signature"] = base64url_encode(signature);
  CHECK(assertion_error(a, response) == refused);
  response = a.assertion(kExpected, 3);
  response["response"].erase("signature");
  CHECK(assertion_error(a, response) == refused);
  // A stored key that is not one.
  CHECK(webauthn::verify_authentication(a.assertion(kExpected, 3), kExpected, "garbage", 0).status().code() == refused);
  CHECK(webauthn::assertion_credential_id(json{{"id", "abc"}, {"rawId", "abd"}, {"type", "public-key"}}).status().code() ==
        refused);
}

TEST_CASE("stored public keys decode from either base64 alphabet", "[webauthn]") {
  CHECK(webauthn::base64_decode("+/+/") == std::string("\xfb\xff\xbf", 3));
  CHECK(webauthn::base64_decode("-_-_") == std::string("\xfb\xff\xbf", 3));
  CHECK(webauthn::base64_decode("YQ==") == "a");
  CHECK(webauthn::base64_decode("YQ") == "a");
  CHECK_FALSE(webauthn::base64_decode("Y*Q=").has_value());
}
