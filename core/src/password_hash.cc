#include "portcullis/password_hash.h"

#include <sodium.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>
#include <unicode/unistr.h>
#include <unicode/utypes.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "portcullis/text.h"

namespace portcullis {
namespace {

// sodium_init() is idempotent and thread-safe; it only fails if the OS has no randomness source,
// in which case no salt can be safe, so stopping is the only honest answer (as in token.cc).
void ensure_sodium() {
  static const bool ready = sodium_init() >= 0;
  if (!ready) std::abort();
}

// BetterAuth's scrypt parameters (contract §4).
constexpr unsigned long long kScryptN = 16384;
constexpr std::uint32_t kScryptR = 16;
constexpr std::uint32_t kScryptP = 1;
constexpr std::size_t kScryptKeyBytes = 64;
constexpr std::size_t kScryptSaltBytes = 16;
constexpr std::size_t kScryptSaltHex = 2 * kScryptSaltBytes;  // 32
constexpr std::size_t kScryptKeyHex = 2 * kScryptKeyBytes;    // 128

constexpr std::string_view kArgon2idPrefix = "$argon2id$";
constexpr std::string_view kArgon2idV19Prefix = "$argon2id$v=19$m=";

// Wipes a std::string's bytes (size, not capacity: the tail was never written with secrets by us).
void wipe(std::string& s) {
  if (!s.empty()) sodium_memzero(s.data(), s.size());
}

// Wipes the UTF-16 buffer of an ICU string, then empties it.
void wipe(icu::UnicodeString& s) {
  char16_t* buf = s.getBuffer(-1);
  if (buf != nullptr) {
    sodium_memzero(buf, static_cast<std::size_t>(s.getCapacity()) * sizeof(char16_t));
    s.releaseBuffer(0);
  }
}

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool all_hex(std::string_view s) {
  for (char c : s) {
    if (!is_hex(c)) return false;
  }
  return true;
}

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  return c == '+' ? 62 : 63;
}

// Consumes the longest run of base64 characters (no padding) at the front of `s` and returns the
// number of bytes it decodes to, or nullopt if the run is not a canonical unpadded encoding (as
// libsodium's Argon2 decoder requires: length not 1 mod 4, unused trailing bits zero).
std::optional<std::size_t> take_base64(std::string_view& s) {
  std::size_t n = 0;
  while (n < s.size() && is_base64_char(s[n])) ++n;
  const std::size_t rem = n % 4;
  if (rem == 1) return std::nullopt;
  if (rem != 0) {
    const int last = base64_value(s[n - 1]);
    const int unused_mask = rem == 2 ? 0x0F : 0x03;
    if ((last & unused_mask) != 0) return std::nullopt;
  }
  s.remove_prefix(n);
  return n / 4 * 3 + (rem == 0 ? 0 : rem - 1);
}

// Consumes a decimal number at the front of `s` as libsodium's decoder reads one: at least one
// digit, no leading zero, and here at most UINT32_MAX (every Argon2 parameter is 32-bit).
std::optional<std::uint32_t> take_decimal(std::string_view& s) {
  std::size_t n = 0;
  std::uint64_t v = 0;
  while (n < s.size() && s[n] >= '0' && s[n] <= '9') {
    v = v * 10 + static_cast<std::uint64_t>(s[n] - '0');
    if (v > 0xFFFFFFFFu) return std::nullopt;
    ++n;
  }
  if (n == 0 || (s[0] == '0' && n > 1)) return std::nullopt;
  s.remove_prefix(n);
  return static_cast<std::uint32_t>(v);
}

bool take_literal(std::string_view& s, std::string_view lit) {
  if (s.substr(0, lit.size()) != lit) return false;
  s.remove_prefix(lit.size());
  return true;
}

struct Argon2idShape {
  std::uint32_t memory_kib;
  std::uint32_t passes;
  std::uint32_t lanes;
};

// Parses an Argon2id PHC string as libsodium 1.0.18 writes and accepts it:
//   $argon2id$v=19$m=<kib>,t=<passes>,p=<lanes>$<salt b64>$<hash b64>
// with libsodium's own bounds (m >= 8 * p, t >= 1, 1 <= p <= 2^24 - 1, salt >= 8 bytes,
// hash >= 16 bytes), and at most crypto_pwhash_STRBYTES - 1 characters (the size of the buffer
// libsodium's API declares). Returns nullopt if `stored` is anything else.
std::optional<Argon2idShape> parse_argon2id(std::string_view stored) {
  if (stored.size() >= crypto_pwhash_STRBYTES) return std::nullopt;
  std::string_view s = stored;
  Argon2idShape shape{};
  if (!take_literal(s, kArgon2idV19Prefix)) return std::nullopt;
  const auto m = take_decimal(s);
  if (!m || !take_literal(s, ",t=")) return std::nullopt;
  const auto t = take_decimal(s);
  if (!t || !take_literal(s, ",p=")) return std::nullopt;
  const auto p = take_decimal(s);
  if (!p || !take_literal(s, "$")) return std::nullopt;
  const auto salt_bytes = take_base64(s);
  if (!salt_bytes || !take_literal(s, "$")) return std::nullopt;
  const auto hash_bytes = take_base64(s);
  if (!hash_bytes || !s.empty()) return std::nullopt;
  if (*t < 1 || *p < 1 || *p > 0xFFFFFFu || std::uint64_t{*m} < 8ull * *p) return std::nullopt;
  if (*salt_bytes < 8 || *hash_bytes < 16) return std::nullopt;
  shape.memory_kib = *m;
  shape.passes = *t;
  shape.lanes = *p;
  return shape;
}

// A password nobody knows, for the dummy hashes: 32 random bytes as hex.
std::string random_password() {
  std::array<unsigned char, 32> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  std::array<char, 2 * 32 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), bytes.data(), bytes.size());
  sodium_memzero(bytes.data(), bytes.size());
  std::string out(hex.data(), 2 * 32);
  sodium_memzero(hex.data(), hex.size());
  return out;
}

bool is_betterauth_scrypt(std::string_view stored) {
  return stored.size() == kScryptSaltHex + 1 + kScryptKeyHex && stored[kScryptSaltHex] == ':' &&
         all_hex(stored.substr(0, kScryptSaltHex)) && all_hex(stored.substr(kScryptSaltHex + 1));
}

// Writes BetterAuth's scrypt key for an NFKC-normalised password and the salt's hex ASCII.
// Returns false if libsodium fails (it cannot allocate the 32 MiB).
bool scrypt_key(std::string_view normalized, std::string_view salt_hex,
                std::array<unsigned char, kScryptKeyBytes>& key) {
  errno = 0;
  return crypto_pwhash_scryptsalsa208sha256_ll(
             reinterpret_cast<const std::uint8_t*>(normalized.data()), normalized.size(),
             reinterpret_cast<const std::uint8_t*>(salt_hex.data()), salt_hex.size(), kScryptN,
             kScryptR, kScryptP, key.data(), key.size()) == 0;
}

Result<bool> verify_argon2id(std::string_view password, std::string_view stored) {
  if (!parse_argon2id(stored)) return ErrorCode::kInvalidPassword;
  const std::string nul_terminated(stored);
  errno = 0;
  if (crypto_pwhash_str_verify(nul_terminated.c_str(), password.data(), password.size()) == 0) {
    return true;
  }
  // libsodium sets EINVAL on a mismatch and only then; the shape was checked above, so any other
  // failure is one of resources (the memory the stored parameters ask for).
  if (errno == EINVAL) return false;
  return ErrorCode::kInternalServerError;
}

Result<bool> verify_scrypt(std::string_view password, std::string_view stored) {
  // A password that is not well-formed UTF-8 cannot be the NFKC form of any JavaScript string
  // BetterAuth hashed, so it never matches.
  auto normalized = nfkc(password);
  if (!normalized) {
    if (normalized.status().code() == ErrorCode::kInvalidUtf8) return false;
    return normalized.status();
  }
  const std::string_view salt_hex = stored.substr(0, kScryptSaltHex);
  const std::string_view key_hex = stored.substr(kScryptSaltHex + 1);

  std::array<unsigned char, kScryptKeyBytes> expected{};
  std::size_t expected_len = 0;
  if (sodium_hex2bin(expected.data(), expected.size(), key_hex.data(), key_hex.size(), nullptr,
                     &expected_len, nullptr) != 0 ||
      expected_len != expected.size()) {
    return ErrorCode::kInvalidPassword;  // unreachable after is_betterauth_scrypt
  }

  std::array<unsigned char, kScryptKeyBytes> key{};
  const bool ok = scrypt_key(normalized.value(), salt_hex, key);
  wipe(normalized.value());
  if (!ok) {
    sodium_memzero(key.data(), key.size());
    return ErrorCode::kInternalServerError;
  }
  const bool match = sodium_memcmp(key.data(), expected.data(), key.size()) == 0;
  sodium_memzero(key.data(), key.size());
  return match;
}

}  // namespace

PasswordHashFormat identify_password_hash(std::string_view stored) {
  if (stored.substr(0, kArgon2idPrefix.size()) == kArgon2idPrefix) {
    return PasswordHashFormat::kArgon2id;
  }
  if (is_betterauth_scrypt(stored)) return PasswordHashFormat::kBetterAuthScrypt;
  return PasswordHashFormat::kUnknown;
}

Result<std::string> hash_password_argon2id(std::string_view password, const Argon2idParams& params) {
  ensure_sodium();
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(),
                            static_cast<unsigned long long>(params.passes), params.memory_bytes,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return ErrorCode::kInternalServerError;
  }
  return std::string(out.data());
}

Result<std::string> hash_password_betterauth_scrypt(std::string_view password) {
  ensure_sodium();
  auto normalized = nfkc(password);
  if (!normalized) return normalized.status();

  std::array<unsigned char, kScryptSaltBytes> salt{};
  randombytes_buf(salt.data(), salt.size());
  std::array<char, kScryptSaltHex + 1> salt_hex{};
  sodium_bin2hex(salt_hex.data(), salt_hex.size(), salt.data(), salt.size());  // lower case

  std::array<unsigned char, kScryptKeyBytes> key{};
  const bool ok = scrypt_key(normalized.value(), {salt_hex.data(), kScryptSaltHex}, key);
  wipe(normalized.value());
  if (!ok) {
    sodium_memzero(key.data(), key.size());
    return ErrorCode::kInternalServerError;
  }
  std::array<char, kScryptKeyHex + 1> key_hex{};
  sodium_bin2hex(key_hex.data(), key_hex.size(), key.data(), key.size());
  sodium_memzero(key.data(), key.size());

  std::string out;
  out.reserve(kScryptSaltHex + 1 + kScryptKeyHex);
  out.append(salt_hex.data(), kScryptSaltHex);
  out.push_back(':');
  out.append(key_hex.data(), kScryptKeyHex);
  return out;
}

Result<bool> verify_password(std::string_view password, std::string_view stored) {
  ensure_sodium();
  switch (identify_password_hash(stored)) {
    case PasswordHashFormat::kArgon2id:
      return verify_argon2id(password, stored);
    case PasswordHashFormat::kBetterAuthScrypt:
      return verify_scrypt(password, stored);
    case PasswordHashFormat::kUnknown:
      break;
  }
  return ErrorCode::kInvalidPassword;
}

bool password_needs_rehash(std::string_view stored, const Argon2idParams& params, bool want_scrypt) {
  if (want_scrypt) return !is_betterauth_scrypt(stored);
  const auto shape = parse_argon2id(stored);
  if (!shape) return true;
  // libsodium writes m = memory_bytes / 1024 (rounded down), so compare in KiB the same way.
  // Stronger than asked (more memory or more passes) is kept: no downgrade on sign-in.
  return std::uint64_t{shape->memory_kib} < params.memory_bytes / 1024 ||
         std::uint64_t{shape->passes} < params.passes;
}

void verify_password_dummy(std::string_view password, const Argon2idParams& params,
                           bool want_scrypt) {
  ensure_sodium();
  std::string dummy;
  if (want_scrypt) {
    // Thread-safe one-time initialisation (a function-local static). A scrypt verification costs
    // the same whatever the stored key, so the fallback if hashing fails is as good a target.
    static const std::string kDummyScrypt = [] {
      auto h = hash_password_betterauth_scrypt(random_password());
      return h ? std::move(h).value()
               : std::string(kScryptSaltHex, '0') + ":" + std::string(kScryptKeyHex, '0');
    }();
    dummy = kDummyScrypt;
  } else {
    // Argon2id's cost is in the parameters, so the dummy hash is made with the caller's. They are
    // a deployment's constants: the cache holds one entry and is replaced if they change.
    struct Cached {
      std::uint64_t passes;
      std::size_t memory_bytes;
      std::string hash;
    };
    static std::mutex mu;
    static std::optional<Cached> cached;
    {
      const std::lock_guard<std::mutex> lock(mu);
      if (cached && cached->passes == params.passes && cached->memory_bytes == params.memory_bytes) {
        dummy = cached->hash;
      }
    }
    if (dummy.empty()) {
      // Computed outside the lock: two first callers may both compute it, which costs only time.
      auto h = hash_password_argon2id(random_password(), params);
      if (!h) return;  // out of memory: the real verification would have failed the same way
      dummy = std::move(h).value();
      const std::lock_guard<std::mutex> lock(mu);
      cached = Cached{params.passes, params.memory_bytes, dummy};
    }
  }
  (void)verify_password(password, dummy);
}

Result<std::string> nfkc(std::string_view text) {
  if (!is_valid_utf8(text)) return ErrorCode::kInvalidUtf8;
  if (text.size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) return ErrorCode::kInternalServerError;
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* normalizer = icu::Normalizer2::getNFKCInstance(status);
  if (U_FAILURE(status) || normalizer == nullptr) return ErrorCode::kInternalServerError;
  icu::UnicodeString source = icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<std::int32_t>(text.size())));
  icu::UnicodeString normalized = normalizer->normalize(source, status);
  wipe(source);
  if (U_FAILURE(status)) {
    wipe(normalized);
    return ErrorCode::kInternalServerError;
  }
  // A UTF-16 code unit takes at most 3 UTF-8 bytes: reserving that means the copy never
  // reallocates and so leaves no unwiped fragment of the password behind.
  std::string out;
  out.reserve(static_cast<std::size_t>(normalized.length()) * 3);
  normalized.toUTF8String(out);
  wipe(normalized);
  return out;
}

}  // namespace portcullis
