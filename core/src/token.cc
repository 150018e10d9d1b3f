#include "portcullis/token.h"

#include <sodium.h>

#include <cstdlib>

namespace portcullis {
namespace {

// sodium_init() is idempotent and thread-safe; it only fails if the OS has no randomness source,
// in which case no token can be safe, so stopping is the only honest answer.
void ensure_sodium() {
  static const bool ready = sodium_init() >= 0;
  if (!ready) std::abort();
}

constexpr std::string_view kAlphabet =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
static_assert(kAlphabet.size() == 62);
// The largest multiple of 62 that fits in a byte: bytes at or above it are discarded.
constexpr unsigned kRejectFrom = 256 - 256 % 62;  // 248

const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

constexpr std::size_t kSignatureChars = 44;  // base64 of 32 bytes with padding

}  // namespace

std::string generate_token(std::size_t length) {
  ensure_sodium();
  std::string out;
  out.reserve(length);
  std::array<unsigned char, 64> buf{};
  while (out.size() < length) {
    randombytes_buf(buf.data(), buf.size());
    for (unsigned char b : buf) {
      if (b >= kRejectFrom) continue;
      out.push_back(kAlphabet[b % kAlphabet.size()]);
      if (out.size() == length) break;
    }
  }
  sodium_memzero(buf.data(), buf.size());
  return out;
}

HmacSha256 hmac_sha256(std::string_view key, std::string_view message) {
  ensure_sodium();
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, bytes_of(key), key.size());
  crypto_auth_hmacsha256_update(&state, bytes_of(message), message.size());
  HmacSha256 mac{};
  crypto_auth_hmacsha256_final(&state, mac.data());
  sodium_memzero(&state, sizeof state);
  return mac;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  ensure_sodium();
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string base64_encode(std::string_view bytes) {
  ensure_sodium();
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes_of(bytes), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.pop_back();  // the terminating NUL that sodium_base64_encoded_len counts
  return out;
}

std::string base64url_encode(std::string_view bytes) {
  ensure_sodium();
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes_of(bytes), bytes.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.pop_back();  // the terminating NUL that sodium_base64_encoded_len counts
  return out;
}

std::string percent_encode_component(std::string_view text) {
  static constexpr std::string_view kKeep = "-_.!~*'()";
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (alnum || kKeep.find(ch) != std::string_view::npos) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

Result<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return ErrorCode::kInvalidToken;
    const int hi = hex_value(text[i + 1]);
    const int lo = hex_value(text[i + 2]);
    if (hi < 0 || lo < 0) return ErrorCode::kInvalidToken;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

std::string sign_cookie(std::string_view value, std::string_view secret) { return CookieSigner(secret).sign(value); }

Result<std::string> verify_cookie(std::string_view cookie_value, std::string_view secret) {
  return CookieSigner(secret).verify(cookie_value);
}

struct CookieSigner::State {
  crypto_auth_hmacsha256_state hmac;
};

CookieSigner::CookieSigner(std::string_view secret) : keyed_(std::make_unique<State>()) {
  ensure_sodium();
  crypto_auth_hmacsha256_init(&keyed_->hmac, bytes_of(secret), secret.size());
}

CookieSigner::~CookieSigner() { sodium_memzero(keyed_.get(), sizeof(State)); }

HmacSha256 CookieSigner::mac(std::string_view message) const {
  crypto_auth_hmacsha256_state state = keyed_->hmac;  // the keyed state, copied: no key schedule
  crypto_auth_hmacsha256_update(&state, bytes_of(message), message.size());
  HmacSha256 out{};
  crypto_auth_hmacsha256_final(&state, out.data());
  sodium_memzero(&state, sizeof state);
  return out;
}

std::string CookieSigner::sign(std::string_view value) const {
  const HmacSha256 m = mac(value);
  std::string signed_value(value);
  signed_value += '.';
  signed_value += base64_encode({reinterpret_cast<const char*>(m.data()), m.size()});
  return percent_encode_component(signed_value);
}

Result<std::string> CookieSigner::verify(std::string_view cookie_value) const {
  std::string decoded(cookie_value);
  if (cookie_value.find('%') != std::string_view::npos) {
    auto d = percent_decode(cookie_value);
    if (!d) return d.status();
    decoded = std::move(d).value();
  }
  const auto dot = decoded.rfind('.');
  if (dot == std::string::npos) return ErrorCode::kInvalidToken;
  const std::string_view value = std::string_view(decoded).substr(0, dot);
  const std::string_view signature = std::string_view(decoded).substr(dot + 1);
  if (signature.size() != kSignatureChars || signature.back() != '=') {
    return ErrorCode::kInvalidToken;
  }
  const HmacSha256 m = mac(value);
  const std::string expected = base64_encode({reinterpret_cast<const char*>(m.data()), m.size()});
  if (!constant_time_equal(expected, signature)) return ErrorCode::kInvalidToken;
  return std::string(value);
}

}  // namespace portcullis
