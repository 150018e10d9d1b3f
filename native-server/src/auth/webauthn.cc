#include "auth/webauthn.h"

#include <cbor.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <sodium.h>

#include <array>
#include <initializer_list>
#include <cstdlib>
#include <memory>
#include <optional>

#include "portcullis/token.h"

namespace portcullis::auth::webauthn {

namespace {

// --- owners of the libraries' objects ------------------------------------------------------------

struct CborFree {
  void operator()(cbor_item_t* item) const { cbor_decref(&item); }
};
using CborItem = std::unique_ptr<cbor_item_t, CborFree>;

struct OpenSslFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
};
template <typename T>
using Owned = std::unique_ptr<T, OpenSslFree>;

// --- flags of the authenticator data (§6.1) --------------------------------------------------------

constexpr std::uint8_t kUserPresent = 0x01;
constexpr std::uint8_t kUserVerified = 0x04;
constexpr std::uint8_t kBackupEligible = 0x08;
constexpr std::uint8_t kBackedUp = 0x10;
constexpr std::uint8_t kAttestedData = 0x40;
constexpr std::uint8_t kExtensionData = 0x80;

constexpr std::size_t kRpIdHashSize = 32;
constexpr std::size_t kHeaderSize = 37;  // rpIdHash, flags, signCount
constexpr std::size_t kMaxCredentialIdSize = 1023;

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

std::string sha256(std::string_view data) {
  std::string out(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(out.data()), bytes(data), data.size());
  return out;
}

// `text` in one of the base64 `variants` (libsodium's), or nullopt.
std::optional<std::string> decode_base64(std::string_view text, std::initializer_list<int> variants) {
  std::string out(text.size() * 3 / 4 + 3, '\0');
  std::size_t length = 0;
  const char* end = nullptr;
  for (const int variant : variants) {
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(),
                          nullptr, &length, &end, variant) == 0 &&
        end == text.data() + text.size()) {
      out.resize(length);
      return out;
    }
  }
  return std::nullopt;
}

// base64url, with or without padding (as SimpleWebAuthn reads it); nullopt if it is not.
std::optional<std::string> base64url_decode(std::string_view text) {
  return decode_base64(text, {sodium_base64_VARIANT_URLSAFE_NO_PADDING, sodium_base64_VARIANT_URLSAFE});
}

// The error of the ceremony at hand, with what failed as its message.
struct Failure {
  ErrorCode code;
  Status operator()(std::string what) const { return Status(code, std::move(what)); }
};

// A string member of a JSON object, decoded from base64url. Errors: `fail`.
Result<std::string> base64url_member(const nlohmann::json& object, const char* key, const Failure& fail) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return fail(std::string(key) + " is not a string");
  auto decoded = base64url_decode(it->get_ref<const std::string&>());
  if (!decoded) return fail(std::string(key) + " is not base64url");
  return std::move(*decoded);
}

// The checks common to both ceremonies' outer object: "type", "id" equal to "rawId" (as bytes).
// Returns the "response" object. Errors: `fail`.
Result<const nlohmann::json*> outer_checks(const nlohmann::json& response, const Failure& fail, std::string* id) {
  if (!response.is_object()) return fail("the response is not an object");
  const auto type = response.find("type");
  if (type == response.end() || *type != "public-key") return fail("type is not public-key");
  auto raw_id = base64url_member(response, "rawId", fail);
  if (!raw_id) return raw_id.status();
  auto given_id = base64url_member(response, "id", fail);
  if (!given_id) return given_id.status();
  if (*given_id != *raw_id || raw_id->empty() || raw_id->size() > kMaxCredentialIdSize) {
    return fail("id and rawId differ, or are empty or too long");
  }
  *id = base64url_encode(*raw_id);
  const auto inner = response.find("response");
  if (inner == response.end() || !inner->is_object()) return fail("response.response is not an object");
  return &*inner;
}

// Checks the client data (§7.1 steps 5-9, §7.2 steps 10-14) and returns its SHA-256.
Result<std::string> check_client_data(const nlohmann::json& inner, std::string_view ceremony,
                                      const Expectation& expected, const Failure& fail) {
  auto raw = base64url_member(inner, "clientDataJSON", fail);
  if (!raw) return raw.status();
  const nlohmann::json data = nlohmann::json::parse(*raw, nullptr, /*allow_exceptions=*/false);
  if (!data.is_object()) return fail("clientDataJSON is not a JSON object");
  const auto field = [&](const char* key) -> const std::string* {
    const auto it = data.find(key);
    return it != data.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
  };
  const std::string* type = field("type");
  if (type == nullptr || *type != ceremony) return fail("clientDataJSON.type is not " + std::string(ceremony));
  const std::string* challenge = field("challenge");
  if (challenge == nullptr || *challenge != expected.challenge) return fail("clientDataJSON.challenge is not the one sent");
  const std::string* origin = field("origin");
  if (origin == nullptr || *origin != expected.origin) return fail("clientDataJSON.origin is not the request's origin");
  // A page framed by another site: not a sign-in form of this site's.
  if (const auto cross = data.find("crossOrigin"); cross != data.end() && *cross == true) {
    return fail("clientDataJSON.crossOrigin is true");
  }
  return sha256(*raw);
}

// libcbor makes a definite array or map as large as its header says before it reads the items:
// five bytes could ask for gigabytes. Every item takes at least a byte, so a container that
// declares more items than bytes are left is refused before cbor_load() sees it. (A first pass
// with libcbor's streaming decoder, which allocates nothing.)
struct DeclaredSizes {
  std::size_t left = 0;  // bytes after the header being decoded
  bool plausible = true;
};

bool sizes_plausible(std::string_view data) {
  cbor_callbacks callbacks = cbor_empty_callbacks;
  callbacks.array_start = [](void* context, std::size_t items) {
    auto* sizes = static_cast<DeclaredSizes*>(context);
    if (items > sizes->left) sizes->plausible = false;
  };
  callbacks.map_start = [](void* context, std::size_t pairs) {
    auto* sizes = static_cast<DeclaredSizes*>(context);
    if (pairs > sizes->left / 2) sizes->plausible = false;
  };
  DeclaredSizes sizes;
  for (std::size_t offset = 0; offset < data.size() && sizes.plausible;) {
    const std::string_view rest = data.substr(offset);
    // What follows the header is at most the rest less its first byte.
    sizes.left = rest.size() - 1;
    const cbor_decoder_result r = cbor_stream_decode(bytes(rest), rest.size(), &callbacks, &sizes);
    if (r.status != CBOR_DECODER_FINISHED || r.read == 0) break;  // cbor_load() refuses it too
    offset += r.read;
  }
  return sizes.plausible;
}

// One CBOR item read from the start of `data`; `read` gets how many bytes it took.
CborItem load_cbor(std::string_view data, std::size_t* read) {
  if (!sizes_plausible(data)) return nullptr;
  cbor_load_result result{};
  CborItem item(cbor_load(bytes(data), data.size(), &result));
  if (!item || result.error.code != CBOR_ERR_NONE) return nullptr;
  *read = result.read;
  return item;
}

std::optional<std::string_view> cbor_bytes(const cbor_item_t* item) {
  if (!cbor_isa_bytestring(item) || !cbor_bytestring_is_definite(item)) return std::nullopt;
  return std::string_view(reinterpret_cast<const char*>(cbor_bytestring_handle(item)), cbor_bytestring_length(item));
}

std::optional<std::string_view> cbor_text(const cbor_item_t* item) {
  if (!cbor_isa_string(item) || !cbor_string_is_definite(item)) return std::nullopt;
  return std::string_view(reinterpret_cast<const char*>(cbor_string_handle(item)), cbor_string_length(item));
}

// An integer (unsigned or negative) that fits in 32 bits, as COSE labels and values are.
std::optional<std::int64_t> cbor_int(const cbor_item_t* item) {
  if (cbor_isa_uint(item)) {
    const std::uint64_t v = cbor_get_int(item);
    if (v > 0x7FFFFFFF) return std::nullopt;
    return static_cast<std::int64_t>(v);
  }
  if (cbor_isa_negint(item)) {
    const std::uint64_t v = cbor_get_int(item);
    if (v > 0x7FFFFFFF) return std::nullopt;
    return -1 - static_cast<std::int64_t>(v);
  }
  return std::nullopt;
}

// --- COSE keys (RFC 9053) ------------------------------------------------------------------------

struct CoseKey {
  int alg = 0;
  std::string x, y;  // EC2 (P-256) and OKP (Ed25519, x only)
  std::string n, e;  // RSA
};

// Reads a COSE_Key of a supported algorithm with the parameters it needs, of the right sizes.
std::optional<CoseKey> parse_cose_key(const cbor_item_t* map) {
  if (!cbor_isa_map(map) || !cbor_map_is_definite(map)) return std::nullopt;
  std::optional<std::int64_t> kty, alg, crv;
  std::optional<std::string_view> p1, p2, p3;  // labels -1, -2, -3 when they are byte strings
  const cbor_pair* pairs = cbor_map_handle(map);
  for (std::size_t i = 0; i < cbor_map_size(map); ++i) {
    const auto label = cbor_int(pairs[i].key);
    if (!label) continue;  // text labels: nothing this module reads
    switch (*label) {
      case 1: kty = cbor_int(pairs[i].value); break;
      case 3: alg = cbor_int(pairs[i].value); break;
      case -1:
        crv = cbor_int(pairs[i].value);
        p1 = cbor_bytes(pairs[i].value);
        break;
      case -2: p2 = cbor_bytes(pairs[i].value); break;
      case -3: p3 = cbor_bytes(pairs[i].value); break;
      default: break;
    }
  }
  if (!kty || !alg) return std::nullopt;
  CoseKey key;
  key.alg = static_cast<int>(*alg);
  if (*alg == -7 && *kty == 2 && crv == 1 && p2 && p3 && p2->size() == 32 && p3->size() == 32) {
    key.x = std::string(*p2);
    key.y = std::string(*p3);
    return key;
  }
  if (*alg == -8 && *kty == 1 && crv == 6 && p2 && p2->size() == crypto_sign_PUBLICKEYBYTES) {
    key.x = std::string(*p2);
    return key;
  }
  if (*alg == -257 && *kty == 3 && p1 && p2 && !p1->empty() && !p2->empty() && p2->size() <= 8) {
    key.n = std::string(*p1);
    key.e = std::string(*p2);
    return key;
  }
  return std::nullopt;
}

// An OpenSSL public key from parameters; nullptr if OpenSSL refuses them.
Owned<EVP_PKEY> openssl_key(const char* type, OSSL_PARAM_BLD* builder) {
  Owned<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(builder));
  Owned<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) return nullptr;
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) return nullptr;
  Owned<EVP_PKEY> key(raw);
  Owned<EVP_PKEY_CTX> check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) return nullptr;
  return key;
}

Owned<EVP_PKEY> openssl_key(const CoseKey& cose) {
  Owned<OSSL_PARAM_BLD> builder(OSSL_PARAM_BLD_new());
  if (!builder) return nullptr;
  if (cose.alg == -7) {
    const std::string point = std::string(1, '\x04') + cose.x + cose.y;  // SEC 1 uncompressed
    static const char kCurve[] = "prime256v1";
    if (OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, kCurve, 0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1) {
      return nullptr;
    }
    return openssl_key("EC", builder.get());
  }
  Owned<BIGNUM> n(BN_bin2bn(bytes(cose.n), static_cast<int>(cose.n.size()), nullptr));
  Owned<BIGNUM> e(BN_bin2bn(bytes(cose.e), static_cast<int>(cose.e.size()), nullptr));
  if (!n || !e || OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
    return nullptr;
  }
  auto key = openssl_key("RSA", builder.get());
  if (key && EVP_PKEY_get_bits(key.get()) < 2048) return nullptr;
  return key;
}

// Whether a key of this module's can verify at all (the checks a registration makes).
bool usable(const CoseKey& key) { return key.alg == -8 || openssl_key(key) != nullptr; }

// Whether `signature` is `key`'s over `message`.
bool signature_valid(const CoseKey& key, std::string_view message, std::string_view signature) {
  if (key.alg == -8) {
    return signature.size() == crypto_sign_BYTES &&
           crypto_sign_verify_detached(bytes(signature), bytes(message), message.size(), bytes(key.x)) == 0;
  }
  auto pkey = openssl_key(key);
  Owned<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  if (!pkey || !ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, pkey.get()) != 1) return false;
  // ES256: the DER-encoded (r, s) that WebAuthn signatures are; RS256: PKCS #1 v1.5, OpenSSL's default.
  return EVP_DigestVerify(ctx.get(), bytes(signature), signature.size(), bytes(message), message.size()) == 1;
}

// --- authenticator data (§6.1) -------------------------------------------------------------------

struct AuthenticatorData {
  std::uint8_t flags = 0;
  std::uint32_t counter = 0;
  // With the attested credential data (flag AT):
  std::string aaguid;
  std::string credential_id;
  std::string public_key;  // the COSE_Key's bytes
  std::optional<CoseKey> key;
};

// Parses authenticator data, checking its rp id hash and flags, and that nothing follows but what
// its flags announce. `attested`: a registration's, which must hold the credential.
Result<AuthenticatorData> parse_authenticator_data(std::string_view data, bool attested, const Expectation& expected,
                                                   const Failure& fail) {
  if (data.size() < kHeaderSize) return fail("authenticator data is too short");
  if (data.substr(0, kRpIdHashSize) != sha256(expected.rp_id)) return fail("the rp id hash is not the rp id's");
  AuthenticatorData out;
  out.flags = static_cast<std::uint8_t>(data[32]);
  for (std::size_t i = 33; i < kHeaderSize; ++i) out.counter = out.counter << 8 | static_cast<std::uint8_t>(data[i]);
  if ((out.flags & kUserPresent) == 0) return fail("the user-present flag is not set");
  if ((out.flags & kBackedUp) != 0 && (out.flags & kBackupEligible) == 0) return fail("backed up but not backup-eligible");
  if (((out.flags & kAttestedData) != 0) != attested) {
    return fail(attested ? "no attested credential data" : "unexpected attested credential data");
  }
  std::string_view rest = data.substr(kHeaderSize);
  if (attested) {
    if (rest.size() < 18) return fail("attested credential data is too short");
    static const char kHex[] = "0123456789abcdef";
    for (std::size_t i = 0; i < 16; ++i) {
      if (i == 4 || i == 6 || i == 8 || i == 10) out.aaguid += '-';
      const auto b = static_cast<std::uint8_t>(rest[i]);
      out.aaguid += kHex[b >> 4];
      out.aaguid += kHex[b & 15];
    }
    const std::size_t id_length = static_cast<std::uint8_t>(rest[16]) << 8 | static_cast<std::uint8_t>(rest[17]);
    rest.remove_prefix(18);
    if (id_length == 0 || id_length > kMaxCredentialIdSize || rest.size() < id_length) {
      return fail("the credential id's length is wrong");
    }
    out.credential_id = std::string(rest.substr(0, id_length));
    rest.remove_prefix(id_length);
    std::size_t read = 0;
    const CborItem key = load_cbor(rest, &read);
    if (!key) return fail("the credential public key is not CBOR");
    out.key = parse_cose_key(key.get());
    if (!out.key || !usable(*out.key)) return fail("the credential public key is not a supported ES256, EdDSA or RS256 key");
    out.public_key = std::string(rest.substr(0, read));
    rest.remove_prefix(read);
  }
  if ((out.flags & kExtensionData) != 0) {
    std::size_t read = 0;
    const CborItem extensions = load_cbor(rest, &read);
    if (!extensions || !cbor_isa_map(extensions.get())) return fail("extension data is not a CBOR map");
    rest.remove_prefix(read);
  }
  if (!rest.empty()) return fail("bytes follow the authenticator data");
  return out;
}

}  // namespace

std::optional<std::string> base64_decode(std::string_view text) {
  return decode_base64(text, {sodium_base64_VARIANT_ORIGINAL, sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
                              sodium_base64_VARIANT_URLSAFE, sodium_base64_VARIANT_URLSAFE_NO_PADDING});
}

std::string new_challenge() {
  std::array<unsigned char, 32> random{};
  randombytes_buf(random.data(), random.size());
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(random.data()), random.size()));
}

Result<NewCredential> verify_registration(const nlohmann::json& response, const Expectation& expected) {
  const Failure fail{ErrorCode::kFailedToVerifyRegistration};
  std::string id;
  auto inner = outer_checks(response, fail, &id);
  if (!inner) return inner.status();
  if (auto client_data = check_client_data(**inner, "webauthn.create", expected, fail); !client_data) {
    return client_data.status();
  }
  auto attestation_bytes = base64url_member(**inner, "attestationObject", fail);
  if (!attestation_bytes) return attestation_bytes.status();
  std::size_t read = 0;
  const CborItem attestation = load_cbor(*attestation_bytes, &read);
  if (!attestation || read != attestation_bytes->size() || !cbor_isa_map(attestation.get()) ||
      !cbor_map_is_definite(attestation.get())) {
    return fail("attestationObject is not a CBOR map");
  }
  std::optional<std::string_view> fmt, auth_data;
  bool statement = false;
  const cbor_pair* pairs = cbor_map_handle(attestation.get());
  for (std::size_t i = 0; i < cbor_map_size(attestation.get()); ++i) {
    const auto key = cbor_text(pairs[i].key);
    if (!key) continue;
    if (*key == "fmt") fmt = cbor_text(pairs[i].value);
    if (*key == "authData") auth_data = cbor_bytes(pairs[i].value);
    if (*key == "attStmt") statement = cbor_isa_map(pairs[i].value);
  }
  if (!fmt || !auth_data || !statement) return fail("attestationObject lacks fmt, attStmt or authData");
  auto parsed = parse_authenticator_data(*auth_data, /*attested=*/true, expected, fail);
  if (!parsed) return parsed.status();
  if (base64url_encode(parsed->credential_id) != id) return fail("the attested credential id is not the response's id");

  NewCredential out;
  out.id = std::move(id);
  out.public_key = std::move(parsed->public_key);
  out.counter = parsed->counter;
  out.aaguid = std::move(parsed->aaguid);
  out.backup_eligible = (parsed->flags & kBackupEligible) != 0;
  out.backed_up = (parsed->flags & kBackedUp) != 0;
  out.user_verified = (parsed->flags & kUserVerified) != 0;
  if (const auto transports = (*inner)->find("transports"); transports != (*inner)->end()) {
    if (!transports->is_array()) return fail("response.transports is not an array");
    for (const auto& t : *transports) {
      if (!t.is_string() || out.transports.size() >= 8) continue;
      const std::string& name = t.get_ref<const std::string&>();
      const bool word = !name.empty() && name.size() <= 16 &&
                        name.find_first_not_of("abcdefghijklmnopqrstuvwxyz-") == std::string::npos;
      if (word) out.transports.push_back(name);
    }
  }
  return out;
}

Result<std::string> assertion_credential_id(const nlohmann::json& response) {
  const Failure fail{ErrorCode::kAuthenticationFailed};
  std::string id;
  auto inner = outer_checks(response, fail, &id);
  if (!inner) return inner.status();
  return id;
}

Result<Assertion> verify_authentication(const nlohmann::json& response, const Expectation& expected,
                                        std::string_view public_key, std::uint32_t stored_counter) {
  const Failure fail{ErrorCode::kAuthenticationFailed};
  std::string id;
  auto inner = outer_checks(response, fail, &id);
  if (!inner) return inner.status();
  auto client_data_hash = check_client_data(**inner, "webauthn.get", expected, fail);
  if (!client_data_hash) return client_data_hash.status();
  auto auth_data = base64url_member(**inner, "authenticatorData", fail);
  if (!auth_data) return auth_data.status();
  auto signature = base64url_member(**inner, "signature", fail);
  if (!signature) return signature.status();
  auto parsed = parse_authenticator_data(*auth_data, /*attested=*/false, expected, fail);
  if (!parsed) return parsed.status();

  std::size_t read = 0;
  const CborItem key_item = load_cbor(public_key, &read);
  const auto key = key_item && read == public_key.size() ? parse_cose_key(key_item.get()) : std::nullopt;
  if (!key) return fail("the stored public key is not a supported COSE key");
  if (!signature_valid(*key, *auth_data + *client_data_hash, *signature)) return fail("the signature does not verify");
  if ((parsed->counter > 0 || stored_counter > 0) && parsed->counter <= stored_counter) {
    return fail("the signature counter did not grow (a cloned authenticator?)");
  }
  Assertion out;
  out.counter = parsed->counter;
  out.user_verified = (parsed->flags & kUserVerified) != 0;
  out.backed_up = (parsed->flags & kBackedUp) != 0;
  return out;
}

}  // namespace portcullis::auth::webauthn
