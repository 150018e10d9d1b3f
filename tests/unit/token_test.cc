#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <string>

#include "portcullis/token.h"

using namespace portcullis;

TEST_CASE("generate_token gives alphanumeric tokens of the asked length (ASVS 3.2.2)") {
  for (std::size_t len : {0u, 1u, 24u, 32u, 100u}) {
    const std::string t = generate_token(len);
    CHECK(t.size() == len);
    for (char c : t) CHECK(std::isalnum(static_cast<unsigned char>(c)));
  }
  CHECK(generate_token().size() == kTokenLength);
}

TEST_CASE("generate_token does not repeat and uses the whole alphabet (ASVS 3.2.4)") {
  std::set<std::string> seen;
  std::map<char, int> counts;
  for (int i = 0; i < 2000; ++i) {
    const std::string t = generate_token();
    CHECK(seen.insert(t).second);
    for (char c : t) ++counts[c];
  }
  // 64,000 characters over 62 symbols: about 1032 each. A biased generator (e.g. modulo without
  // rejection) would give the first 8 symbols about 25% more; this catches it without flaking.
  CHECK(counts.size() == 62);
  for (const auto& [c, n] : counts) {
    INFO(c);
    CHECK(n > 850);
    CHECK(n < 1220);
  }
}

TEST_CASE("hmac_sha256 matches RFC 4231 test case 2") {
  const HmacSha256 mac = hmac_sha256("Jefe", "what do ya want for nothing?");
  std::string hex;
  for (unsigned char b : mac) {
    static constexpr char kHex[] = "0123456789abcdef";
    hex += kHex[b >> 4];
    hex += kHex[b & 0xF];
  }
  CHECK(hex == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("sign_cookie and verify_cookie round-trip any value") {
  for (const std::string value : {"", "x", "a.b.c", "value with spaces/+=", "\xc3\xa9t\xc3\xa9"}) {
    const std::string cookie = sign_cookie(value, "secret-of-at-least-32-bytes-long!!");
    const auto back = verify_cookie(cookie, "secret-of-at-least-32-bytes-long!!");
    REQUIRE(back.ok());
    CHECK(back.value() == value);
  }
}

TEST_CASE("CookieSigner signs as sign_cookie, verifies as verify_cookie, again and again") {
  const std::string secret = "secret-of-at-least-32-bytes-long!!";
  const CookieSigner signer(secret);
  for (int round = 0; round < 2; ++round) {  // the keyed state is reused, never consumed
    for (const std::string value : {"", "x", "a.b.c", "4m7ooKMyyJGSXfZHDqs9GZ0nHwIoI4ap"}) {
      const std::string cookie = signer.sign(value);
      CHECK(cookie == sign_cookie(value, secret));
      const auto back = signer.verify(cookie);
      REQUIRE(back.ok());
      CHECK(back.value() == value);
    }
  }
  // A cookie signed under another secret, or tampered with, does not verify.
  CHECK(signer.verify(sign_cookie("x", "another-secret-of-at-least-32-bytes")).status().code() ==
        ErrorCode::kInvalidToken);
  std::string tampered = signer.sign("abc");
  tampered[0] = 'b';
  CHECK_FALSE(signer.verify(tampered).ok());
}

TEST_CASE("constant_time_equal compares contents and lengths") {
  CHECK(constant_time_equal("abc", "abc"));
  CHECK_FALSE(constant_time_equal("abc", "abd"));
  CHECK_FALSE(constant_time_equal("abc", "abcd"));
  CHECK(constant_time_equal("", ""));
}

TEST_CASE("percent_encode_component matches encodeURIComponent") {
  CHECK(percent_encode_component("a-_.!~*'()z") == "a-_.!~*'()z");
  CHECK(percent_encode_component("/+= ;") == "%2F%2B%3D%20%3B");
  CHECK(percent_encode_component("\xc3\xa9") == "%C3%A9");
  CHECK(percent_decode("%C3%a9x").value() == "\xc3\xa9x");
  CHECK_FALSE(percent_decode("%4").ok());
  CHECK_FALSE(percent_decode("%g0").ok());
}

TEST_CASE("base64url_encode: RFC 4648's alphabet without padding") {
  using portcullis::base64url_encode;
  CHECK(base64url_encode("") == "");
  CHECK(base64url_encode("f") == "Zg");
  CHECK(base64url_encode("fo") == "Zm8");
  CHECK(base64url_encode("foo") == "Zm9v");
  CHECK(base64url_encode("foob") == "Zm9vYg");
  CHECK(base64url_encode(std::string("\xfb\xff\xfe", 3)) == "-__-");  // '+' and '/' in base64
  CHECK(base64url_encode(R"({"alg":"EdDSA"})") == "eyJhbGciOiJFZERTQSJ9");
}
