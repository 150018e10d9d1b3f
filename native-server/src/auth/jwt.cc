// Portcullis server: see jwt.h.

#include "auth/jwt.h"

#include <sodium.h>

#include <array>
#include <optional>
#include <utility>
#include <vector>

#include "auth/one_time_codes.h"
#include "common/json_text.h"
#include "common/time.h"
#include "portcullis/token.h"

namespace portcullis::auth {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr std::string_view kAlg = "EdDSA";
constexpr std::string_view kCurve = "Ed25519";
constexpr int kBase64Url = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
// The plugin's default grace period: a key stays published this long after it expired.
constexpr std::chrono::hours kGracePeriod{30 * 24};

std::string base64url(const unsigned char* bytes, std::size_t n) {
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(bytes), n));
}

// Decodes exactly `n` bytes of base64url (no padding) into `out`.
bool from_base64url(std::string_view text, unsigned char* out, std::size_t n) {
  std::size_t length = 0;
  return sodium_base642bin(out, n, text.data(), text.size(), nullptr, &length, nullptr, kBase64Url) == 0 &&
         length == n;
}

std::string dump(const ordered_json& value) {
  return json_text(value);
}

bool is_eddsa(const store::Jwk& key) { return !key.alg || *key.alg == kAlg; }

bool expired(const store::Jwk& key, store::TimePoint now) { return key.expires_at && *key.expires_at < now; }

// The newest unexpired EdDSA key of `keys` (oldest first), or null.
const store::Jwk* newest_usable(const std::vector<store::Jwk>& keys, store::TimePoint now) {
  const store::Jwk* newest = nullptr;
  for (const store::Jwk& key : keys) {
    if (is_eddsa(key)) newest = &key;
  }
  return newest != nullptr && !expired(*newest, now) ? newest : nullptr;
}

// The Ed25519 secret key (libsodium's 64-byte form) of a stored private half: a JWK, encrypted
// (a JSON string of symmetricEncrypt's output) or, with BetterAuth's
// disablePrivateKeyEncryption, as it is (a JSON object).
struct SecretKey {
  std::array<unsigned char, crypto_sign_SECRETKEYBYTES> bytes{};
  ~SecretKey() { sodium_memzero(bytes.data(), bytes.size()); }
};
bool read_private_key(const std::string& secret, const std::string& stored, SecretKey& out) {
  const json parsed = json::parse(stored, nullptr, /*allow_exceptions=*/false);
  std::string text;
  if (parsed.is_string()) {
    auto plain = symmetric_decrypt(secret, parsed.get<std::string>());
    if (!plain) return false;
    text = std::move(plain).value();
  } else if (parsed.is_object()) {
    text = stored;
  } else {
    return false;
  }
  const json jwk = json::parse(text, nullptr, /*allow_exceptions=*/false);
  sodium_memzero(text.data(), text.size());
  if (!jwk.is_object() || jwk.value("kty", "") != "OKP" || jwk.value("crv", "") != kCurve) return false;
  const auto d = jwk.find("d");
  if (d == jwk.end() || !d->is_string()) return false;
  std::array<unsigned char, crypto_sign_SEEDBYTES> seed{};
  std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> public_key{};
  const bool ok = from_base64url(d->get_ref<const std::string&>(), seed.data(), seed.size()) &&
                  crypto_sign_seed_keypair(public_key.data(), out.bytes.data(), seed.data()) == 0;
  sodium_memzero(seed.data(), seed.size());
  return ok;
}

}  // namespace

JwtIssuer::JwtIssuer(store::Store& store, const std::string& secret, std::chrono::seconds expires_in,
                     std::chrono::seconds rotation)
    : store_(store), secret_(secret), expires_in_(expires_in), rotation_(rotation) {}

Result<store::Jwk> JwtIssuer::make_key(store::TimePoint now) {
  if (sodium_init() < 0) return ErrorCode::kInternalServerError;
  std::array<unsigned char, crypto_sign_SEEDBYTES> seed{};
  std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> public_key{};
  SecretKey secret_key;
  randombytes_buf(seed.data(), seed.size());
  crypto_sign_seed_keypair(public_key.data(), secret_key.bytes.data(), seed.data());
  const std::string x = base64url(public_key.data(), public_key.size());
  // As jose's exportJWK writes them.
  const ordered_json public_jwk = {{"crv", kCurve}, {"x", x}, {"kty", "OKP"}};
  std::string private_jwk = dump(ordered_json{{"crv", kCurve}, {"d", base64url(seed.data(), seed.size())}, {"x", x}, {"kty", "OKP"}});
  sodium_memzero(seed.data(), seed.size());
  store::Jwk key;
  key.id = generate_token();
  key.public_key = dump(public_jwk);
  key.private_key = dump(ordered_json(symmetric_encrypt(secret_, private_jwk)));
  sodium_memzero(private_jwk.data(), private_jwk.size());
  key.created_at = now;
  if (rotation_.count() > 0) key.expires_at = now + rotation_;
  key.alg = std::string(kAlg);
  key.crv = std::string(kCurve);
  if (!store_.create_jwk(key).ok()) return ErrorCode::kInternalServerError;
  return key;
}

Result<store::Jwk> JwtIssuer::signing_key(store::TimePoint now) {
  auto keys = store_.list_jwks();
  if (!keys) return ErrorCode::kInternalServerError;
  if (const store::Jwk* key = newest_usable(*keys, now)) return *key;
  std::lock_guard lock(making_);
  // Another request of this process may have made one meanwhile.
  keys = store_.list_jwks();
  if (!keys) return ErrorCode::kInternalServerError;
  if (const store::Jwk* key = newest_usable(*keys, now)) return *key;
  return make_key(now);
}

Result<std::string> JwtIssuer::key_set(store::TimePoint now) {
  auto keys = store_.list_jwks();
  if (!keys) return ErrorCode::kInternalServerError;
  if (keys->empty()) {
    if (auto made = signing_key(now); !made) return made.status();
    keys = store_.list_jwks();
    if (!keys) return ErrorCode::kInternalServerError;
  }
  ordered_json published = ordered_json::array();
  for (const store::Jwk& key : *keys) {
    if (key.expires_at && *key.expires_at + kGracePeriod <= now) continue;
    const ordered_json public_jwk = ordered_json::parse(key.public_key, nullptr, /*allow_exceptions=*/false);
    if (!public_jwk.is_object()) continue;  // not a key anyone could verify with
    // As the plugin lists them: alg, crv, the public JWK's members, kid.
    ordered_json entry;
    entry["alg"] = key.alg.value_or(std::string(kAlg));
    if (key.crv) entry["crv"] = *key.crv;
    for (const auto& [name, value] : public_jwk.items()) entry[name] = value;
    entry["kid"] = key.id;
    published.push_back(std::move(entry));
  }
  return dump(ordered_json{{"keys", std::move(published)}});
}

Result<std::string> JwtIssuer::sign(ordered_json claims, std::string_view subject, std::string_view issuer,
                                    store::TimePoint now) {
  auto key = signing_key(now);
  if (!key) return key.status();
  SecretKey secret_key;
  if (!read_private_key(secret_, key->private_key, secret_key)) {
    // Encrypted under another secret (the server's was changed), or damaged: BetterAuth fails
    // here until someone empties the table; a new key, which this secret can read, does instead.
    // The old one stays published, for the tokens it signed.
    std::lock_guard lock(making_);
    // Unless another request of this process replaced it meanwhile.
    auto keys = store_.list_jwks();
    const store::Jwk* newest = keys ? newest_usable(*keys, now) : nullptr;
    if (newest != nullptr && newest->id != key->id && read_private_key(secret_, newest->private_key, secret_key)) {
      key = *newest;
    } else {
      key = make_key(now);
      if (!key || !read_private_key(secret_, key->private_key, secret_key)) return ErrorCode::kInternalServerError;
    }
  }
  const std::int64_t iat = unix_seconds(now);
  // The plugin's payload: iat, the user's fields, sub; then jose adds exp, iss and aud.
  ordered_json payload;
  payload["iat"] = iat;
  for (auto& [name, value] : claims.items()) payload[name] = std::move(value);
  payload["sub"] = subject;
  payload["exp"] = iat + expires_in_.count();
  payload["iss"] = issuer;
  payload["aud"] = issuer;
  const ordered_json header = {{"alg", kAlg}, {"kid", key->id}};
  const std::string input = base64url_encode(dump(header)) + "." + base64url_encode(dump(payload));
  std::array<unsigned char, crypto_sign_BYTES> signature{};
  crypto_sign_detached(signature.data(), nullptr, reinterpret_cast<const unsigned char*>(input.data()), input.size(),
                       secret_key.bytes.data());
  return input + "." + base64url(signature.data(), signature.size());
}

}  // namespace portcullis::auth
