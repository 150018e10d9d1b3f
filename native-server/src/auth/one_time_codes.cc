#include "auth/one_time_codes.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <sodium.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>

#include "common/strings.h"
#include "portcullis/token.h"

namespace portcullis::auth {
namespace {

// sodium_init() is idempotent and thread-safe; it only fails if the OS has no randomness source,
// in which case no key, code or nonce can be safe, so stopping is the only honest answer (as in
// core/src/token.cc).
void ensure_sodium() {
  static const bool ready = sodium_init() >= 0;
  if (!ready) std::abort();
}

const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// --- HMAC-SHA-1 ---------------------------------------------------------------------------------

using MacPtr = std::unique_ptr<EVP_MAC, decltype(&EVP_MAC_free)>;
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)>;

constexpr std::size_t kSha1Bytes = 20;
using Sha1Mac = std::array<unsigned char, kSha1Bytes>;

// OpenSSL's HMAC, fetched once: a fetch searches the providers' tables under a lock, work that
// every code would otherwise repeat. An EVP_MAC is immutable once fetched and may be shared by
// threads; each computation gets its own EVP_MAC_CTX. (The destructor runs at exit before
// OPENSSL_cleanup, which OpenSSL registered with atexit() during the fetch, i.e. earlier.)
EVP_MAC* hmac_algorithm() {
  static const MacPtr mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr), &EVP_MAC_free);
  return mac.get();
}

// A libcrypto that cannot compute HMAC-SHA-1 (a broken installation, or a configuration that
// disables SHA-1) can verify no code at all; failing every login silently would hide that, so
// stop, and say why.
[[noreturn]] void hmac_unavailable() {
  std::fputs("portcullis: OpenSSL's libcrypto cannot compute HMAC-SHA-1; TOTP cannot work\n",
             stderr);
  std::abort();
}

// HMAC-SHA-1(key, message) with EVP_MAC, the interface OpenSSL 3 does not deprecate.
Sha1Mac hmac_sha1(std::string_view key, const unsigned char* message, std::size_t length) {
  EVP_MAC* mac = hmac_algorithm();
  if (mac == nullptr) hmac_unavailable();
  const MacCtxPtr ctx(EVP_MAC_CTX_new(mac), &EVP_MAC_CTX_free);
  if (!ctx) hmac_unavailable();

  char digest[] = "SHA1";  // OSSL_PARAM wants a mutable pointer; OpenSSL only reads it.
  const std::array<OSSL_PARAM, 2> params = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end(),
  };
  // EVP_MAC_init reads a null key as "keep the previous key", of which a new context has none:
  // an empty key (a "base32:" secret with no text) must still be a key, so point at something.
  static const unsigned char kEmptyKey = 0;
  const unsigned char* key_bytes = key.empty() ? &kEmptyKey : bytes_of(key);

  Sha1Mac out{};
  std::size_t written = 0;
  if (EVP_MAC_init(ctx.get(), key_bytes, key.size(), params.data()) != 1 ||
      EVP_MAC_update(ctx.get(), message, length) != 1 ||
      EVP_MAC_final(ctx.get(), out.data(), &written, out.size()) != 1 || written != out.size()) {
    hmac_unavailable();
  }
  return out;
}

constexpr std::array<std::uint32_t, 9> kPowersOfTen = {1,      10,      100,      1000,     10000,
                                                       100000, 1000000, 10000000, 100000000};

// --- Random strings -----------------------------------------------------------------------------

// BetterAuth's generateRandomString alphabet for keys, in its order ("a-z", "0-9", "A-Z", "-_").
// The order does not matter to anyone's security; keeping it makes the two easy to compare.
// (Backup codes are [A-Za-z0-9]: the core's generate_token.)
constexpr std::string_view kKeyAlphabet =
    "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-_";
static_assert(kKeyAlphabet.size() == 64);

constexpr std::size_t kTotpKeyLength = 32;
constexpr std::size_t kBackupCodeHalf = 5;

// --- Base32 -------------------------------------------------------------------------------------

constexpr std::string_view kBase32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int base32_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= '2' && c <= '7') return c - '2' + 26;
  return -1;
}

// --- URI encodings ------------------------------------------------------------------------------

// The label's parts are encoded by the core's percent_encode_component (encodeURIComponent); the
// query differs from it, so it has its own encoder.

// URLSearchParams' serialisation (the WHATWG application/x-www-form-urlencoded serializer):
// leaves A-Z a-z 0-9 * - . _, writes a space as '+'.
std::string form_urlencode(std::string_view text) {
  static constexpr std::string_view kUnescaped = "*-._";
  static constexpr char kUpperHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    const bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (alnum || kUnescaped.find(ch) != std::string_view::npos) {
      out.push_back(ch);
    } else if (ch == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kUpperHex[c >> 4]);
      out.push_back(kUpperHex[c & 0xF]);
    }
  }
  return out;
}

// --- Symmetric encryption -----------------------------------------------------------------------

constexpr std::size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;  // 24
constexpr std::size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;       // 16
static_assert(kNonceBytes == 24 && kTagBytes == 16);
static_assert(crypto_hash_sha256_BYTES == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);

constexpr std::string_view kEnvelopePrefix = "$ba$";

using SymmetricKey = std::array<unsigned char, crypto_aead_xchacha20poly1305_ietf_KEYBYTES>;

// The key BetterAuth derives: SHA-256 of the secret string's (UTF-8) bytes, nothing slower, since
// the secret is a server's random secret, not a password.
SymmetricKey derive_key(std::string_view secret) {
  SymmetricKey key{};
  crypto_hash_sha256(key.data(), bytes_of(secret), secret.size());
  return key;
}

// Wipes the key when the scope ends, however it ends.
struct KeyWiper {
  SymmetricKey& key;
  ~KeyWiper() { sodium_memzero(key.data(), key.size()); }
};

// Hex to bytes, both cases (as @noble/ciphers' hexToBytes); nullopt for odd length or non-hex.
// libsodium's parser, as password_hash.cc uses it: without `ignore` and `hex_end`, anything but
// whole pairs of hex digits fails.
std::optional<std::string> hex_decode(std::string_view hex) {
  std::string out(hex.size() / 2, '\0');
  std::size_t length = 0;
  if (sodium_hex2bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), hex.data(), hex.size(), nullptr,
                     &length, nullptr) != 0 ||
      length * 2 != hex.size()) {
    return std::nullopt;
  }
  return out;
}

// Bytes to lower-case hex (libsodium's, as @noble/ciphers' bytesToHex writes it).
std::string hex_encode(const unsigned char* bytes, std::size_t length) {
  std::string out(2 * length + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes, length);
  out.pop_back();  // the terminating NUL
  return out;
}

// The hex inside BetterAuth's envelope "$ba$<version>$<hex>", or the text itself if it is not
// one; nullopt for an envelope that does not parse (BetterAuth then fails to decrypt it too).
// The version picks one of several secrets in BetterAuth; with a single secret it only has to be
// well-formed: a non-negative decimal integer.
std::optional<std::string_view> strip_envelope(std::string_view stored) {
  if (stored.substr(0, kEnvelopePrefix.size()) != kEnvelopePrefix) return stored;
  const std::size_t separator = stored.find('$', kEnvelopePrefix.size());
  if (separator == std::string_view::npos) return std::nullopt;
  const std::string_view version =
      stored.substr(kEnvelopePrefix.size(), separator - kEnvelopePrefix.size());
  if (version.empty()) return std::nullopt;
  for (const char c : version) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  return stored.substr(separator + 1);
}

}  // namespace

std::string hotp(std::string_view key, std::uint64_t counter, int digits) {
  if (digits < 1 || digits > 8) return {};
  // RFC 4226 §5.2: the counter as 8 bytes, big-endian.
  std::array<unsigned char, 8> message{};
  for (int i = 7; i >= 0; --i) {
    message[static_cast<std::size_t>(i)] = static_cast<unsigned char>(counter & 0xFF);
    counter >>= 8;
  }
  Sha1Mac mac = hmac_sha1(key, message.data(), message.size());
  // RFC 4226 §5.3, dynamic truncation: 31 bits from the offset that the last nibble names.
  const std::size_t offset = mac[kSha1Bytes - 1] & 0x0F;
  const std::uint32_t binary = (static_cast<std::uint32_t>(mac[offset] & 0x7F) << 24) |
                               (static_cast<std::uint32_t>(mac[offset + 1]) << 16) |
                               (static_cast<std::uint32_t>(mac[offset + 2]) << 8) |
                               static_cast<std::uint32_t>(mac[offset + 3]);
  sodium_memzero(mac.data(), mac.size());
  std::string code = std::to_string(binary % kPowersOfTen[static_cast<std::size_t>(digits)]);
  code.insert(0, static_cast<std::size_t>(digits) - code.size(), '0');
  return code;
}

std::uint64_t totp_step(std::int64_t unix_seconds, int period) {
  // HOTP counters are unsigned (BetterAuth throws on a negative one); a clock before 1970 and a
  // period that is not positive are errors of the caller's, answered with step 0, not with UB.
  if (unix_seconds < 0 || period <= 0) return 0;
  return static_cast<std::uint64_t>(unix_seconds) / static_cast<std::uint64_t>(period);
}

std::optional<std::uint64_t> match_totp(std::string_view key, std::string_view code,
                                        std::uint64_t step, int window, int digits) {
  // The length of a code is no secret: a code of another length matches no step.
  if (digits < 1 || digits > 8 || code.size() != static_cast<std::size_t>(digits))
    return std::nullopt;
  if (window < 0) window = 0;
  std::optional<std::uint64_t> matched;
  constexpr std::uint64_t kMaxStep = std::numeric_limits<std::uint64_t>::max();
  for (std::int64_t i = -static_cast<std::int64_t>(window); i <= window; ++i) {
    // Steps that would wrap around (before step 0, after the last) do not exist.
    const auto distance = static_cast<std::uint64_t>(i < 0 ? -i : i);
    if (i < 0 && step < distance) continue;
    if (i > 0 && step > kMaxStep - distance) continue;
    const std::uint64_t candidate = i < 0 ? step - distance : step + distance;
    std::string expected = hotp(key, candidate, digits);
    // Every step is computed and compared, whatever matched before, so the time taken does not
    // say which step (if any) matched. The latest match wins: a caller that remembers it can
    // refuse the same code, and every code before it, next time.
    if (sodium_memcmp(expected.data(), code.data(), code.size()) == 0) matched = candidate;
    sodium_memzero(expected.data(), expected.size());
  }
  return matched;
}

// randombytes_uniform rejects the values that would make a modulo biased.
std::string random_string(std::string_view alphabet, std::size_t length) {
  ensure_sodium();
  std::string out;
  out.reserve(length);
  for (std::size_t i = 0; i < length; ++i) {
    out.push_back(alphabet[randombytes_uniform(static_cast<std::uint32_t>(alphabet.size()))]);
  }
  return out;
}

std::string new_totp_key() { return random_string(kKeyAlphabet, kTotpKeyLength); }

std::string base32_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 8 + 4) / 5);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char ch : bytes) {
    buffer = (buffer << 8) | static_cast<unsigned char>(ch);
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push_back(kBase32Alphabet[(buffer >> bits) & 0x1F]);
    }
  }
  // The last, partial group of 5 bits, filled with zero bits on the right.
  if (bits > 0) out.push_back(kBase32Alphabet[(buffer << (5 - bits)) & 0x1F]);
  return out;
}

Result<std::string> base32_decode(std::string_view text) {
  // Padding only at the end; one in the middle is left in `text` and fails as a character.
  const std::size_t end = text.find_last_not_of('=');
  text = text.substr(0, end == std::string_view::npos ? 0 : end + 1);
  std::string out;
  out.reserve(text.size() * 5 / 8);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : text) {
    const int value = base32_value(c);
    if (value < 0) return Status(ErrorCode::kValidationError, "Invalid Base32 text");
    buffer = (buffer << 5) | static_cast<std::uint32_t>(value);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  // Left-over bits (fewer than 8) are dropped, and the amount of padding is not checked: that is
  // what BetterAuth's decoder does, and a "base32:" secret it accepts must work here too.
  return out;
}

Result<std::string> totp_key_from_secret(std::string_view decrypted_secret) {
  // BetterAuth's generated keys never contain ':', so the prefix cannot be mistaken for one.
  static constexpr std::string_view kBase32Prefix = "base32:";
  if (decrypted_secret.substr(0, kBase32Prefix.size()) != kBase32Prefix) {
    return std::string(decrypted_secret);
  }
  return base32_decode(decrypted_secret.substr(kBase32Prefix.size()));
}

std::string totp_uri(std::string_view issuer, std::string_view account, std::string_view key,
                     int digits, int period) {
  std::string uri = "otpauth://totp/";
  uri += percent_encode_component(issuer);
  uri += ':';
  uri += percent_encode_component(account);
  uri += "?secret=";
  uri += form_urlencode(base32_encode(key));
  uri += "&issuer=";
  uri += form_urlencode(issuer);
  uri += "&digits=";
  uri += std::to_string(digits);
  uri += "&period=";
  uri += std::to_string(period);
  return uri;
}

std::string new_mailed_code() {
  std::string code = std::to_string(randombytes_uniform(1000000));
  return std::string(6 - code.size(), '0') + code;
}

std::string mailed_code_hash(std::string_view code) {
  HmacSha256 digest;
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(code.data()), code.size());
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

bool parse_mailed_code(std::string_view value, std::string_view& hash, int& wrong) {
  const std::size_t colon = value.rfind(':');
  if (colon == std::string_view::npos) return false;
  std::uint64_t count = 0;
  if (!parse_decimal(value.substr(colon + 1), 3, count)) return false;
  hash = value.substr(0, colon);
  wrong = static_cast<int>(count);
  return true;
}

std::vector<std::string> new_backup_codes(int count) {
  std::vector<std::string> codes;
  if (count <= 0) return codes;
  codes.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    std::string code = generate_token(2 * kBackupCodeHalf);
    code.insert(kBackupCodeHalf, 1, '-');
    codes.push_back(std::move(code));
  }
  return codes;
}

std::string symmetric_encrypt(std::string_view secret, std::string_view plaintext) {
  ensure_sodium();
  SymmetricKey key = derive_key(secret);
  const KeyWiper wiper{key};
  std::string sealed(kNonceBytes + plaintext.size() + kTagBytes, '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(sealed.data());
  // A random 24-byte nonce never repeats in practice, which is why XChaCha20 and not ChaCha20.
  randombytes_buf(nonce, kNonceBytes);
  unsigned long long sealed_length = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(nonce + kNonceBytes, &sealed_length,
                                             bytes_of(plaintext), plaintext.size(), nullptr, 0,
                                             nullptr, nonce, key.data());
  return hex_encode(nonce, kNonceBytes + static_cast<std::size_t>(sealed_length));
}

Result<std::string> symmetric_decrypt(std::string_view secret, std::string_view stored) {
  const std::optional<std::string_view> hex = strip_envelope(stored);
  if (!hex) return ErrorCode::kInvalidToken;
  const std::optional<std::string> sealed = hex_decode(*hex);
  if (!sealed || sealed->size() < kNonceBytes + kTagBytes) return ErrorCode::kInvalidToken;

  ensure_sodium();
  SymmetricKey key = derive_key(secret);
  const KeyWiper wiper{key};
  const unsigned char* nonce = bytes_of(*sealed);
  const std::size_t ciphertext_length = sealed->size() - kNonceBytes;
  std::string plaintext(ciphertext_length - kTagBytes, '\0');
  unsigned long long plaintext_length = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plaintext.data()), &plaintext_length, nullptr,
          nonce + kNonceBytes, ciphertext_length, nullptr, 0, nonce, key.data()) != 0) {
    return ErrorCode::kInvalidToken;
  }
  return plaintext;
}

}  // namespace portcullis::auth
