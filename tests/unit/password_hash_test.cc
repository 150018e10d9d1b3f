#include <catch2/catch.hpp>

#include <sodium.h>

#include <string>

#include "portcullis/password_hash.h"

using namespace portcullis;

namespace {

// The contract's vectors (shared/spec/betterauth-contract.md §4). String literals are UTF-8
// (g++'s default execution character set).
const std::string kPassword123Hash =
    "3e7202476d76ae9cafb6497d57c23e9b:076ff67c5eb80d2916c73c7d6e007b3125664335272e0c4db7018dbfd995"
    "dcae9d24cc09b5e5bbdddac25b4f4f4fef2e3a8471271c9d6859be12ecea1e36e7ab";
const std::string kUnicodePassword = "Pässwörd-ß-😀";
const std::string kUnicodeHash =
    "ef45b3cd6ca9f997c75ecfbd0bcf3f56:cf6280fc16585adf27925ae575a54116bb32b018aa6492fda4e5f0539c5e"
    "da35f14d1ec7e87b3b15a1cc10c91ba320a5d96eeaa08eb225791eee1a955eee7e1d";
const std::string kFullWidthPassword123 = "ｐａｓｓｗｏｒｄ１２３";

// Cheap Argon2id parameters for round trips: libsodium's minimums (1 pass, 8 KiB).
const Argon2idParams kFast{crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN};

bool is_lower_hex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string to_upper_hex(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

void require_invalid_password(const Result<bool>& r) {
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == ErrorCode::kInvalidPassword);
}

}  // namespace

TEST_CASE("BetterAuth scrypt: the contract's vectors verify") {
  SECTION("password123") {
    const auto r = verify_password("password123", kPassword123Hash);
    REQUIRE(r.ok());
    CHECK(r.value());
  }
  SECTION("the full-width spelling verifies through NFKC") {
    const auto r = verify_password(kFullWidthPassword123, kPassword123Hash);
    REQUIRE(r.ok());
    CHECK(r.value());
  }
  SECTION("non-ASCII password") {
    const auto r = verify_password(kUnicodePassword, kUnicodeHash);
    REQUIRE(r.ok());
    CHECK(r.value());
  }
  SECTION("wrong passwords do not") {
    for (const char* wrong : {"password124", "Password123", "", "password123 "}) {
      INFO(wrong);
      const auto r = verify_password(wrong, kPassword123Hash);
      REQUIRE(r.ok());
      CHECK_FALSE(r.value());
    }
    const auto r = verify_password("password123", kUnicodeHash);
    REQUIRE(r.ok());
    CHECK_FALSE(r.value());
  }
  SECTION("upper-case hex in the stored key is accepted") {
    // Only the key: the salt is hashed as its ASCII, so upper-casing it changes the salt.
    const std::string stored = kPassword123Hash.substr(0, 33) + to_upper_hex(kPassword123Hash.substr(33));
    const auto r = verify_password("password123", stored);
    REQUIRE(r.ok());
    CHECK(r.value());
  }
  SECTION("a password that is not UTF-8 never matches") {
    const auto r = verify_password("password123\xFF", kPassword123Hash);
    REQUIRE(r.ok());
    CHECK_FALSE(r.value());
  }
}

TEST_CASE("BetterAuth scrypt: new hashes have the format and verify") {
  const auto h = hash_password_betterauth_scrypt(kUnicodePassword);
  REQUIRE(h.ok());
  const std::string& s = h.value();
  REQUIRE(s.size() == 32 + 1 + 128);
  CHECK(s[32] == ':');
  CHECK(is_lower_hex(s.substr(0, 32)));
  CHECK(is_lower_hex(s.substr(33)));
  CHECK(identify_password_hash(s) == PasswordHashFormat::kBetterAuthScrypt);

  auto ok = verify_password(kUnicodePassword, s);
  REQUIRE(ok.ok());
  CHECK(ok.value());
  auto bad = verify_password("Passwörd-ß-😀", s);
  REQUIRE(bad.ok());
  CHECK_FALSE(bad.value());

  const auto h2 = hash_password_betterauth_scrypt(kUnicodePassword);
  REQUIRE(h2.ok());
  CHECK(h2.value() != s);  // random salt

  // Hashing normalises too: the full-width spelling hashes as "password123".
  const auto fw = hash_password_betterauth_scrypt(kFullWidthPassword123);
  REQUIRE(fw.ok());
  ok = verify_password("password123", fw.value());
  REQUIRE(ok.ok());
  CHECK(ok.value());

  const auto invalid = hash_password_betterauth_scrypt("abc\xC3");
  REQUIRE_FALSE(invalid.ok());
  CHECK(invalid.status().code() == ErrorCode::kInvalidUtf8);
}

TEST_CASE("Argon2id: round trip with the default parameters, a fresh 128-bit salt each time (ASVS 2.4.1, 2.4.2)") {
  const auto h = hash_password_argon2id("correct horse battery staple");
  REQUIRE(h.ok());
  const std::string& s = h.value();
  CHECK(s.rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0) == 0);
  // $argon2id$v=19$m=...,t=...,p=...$<salt>$<hash>: a 16-byte salt is 22 base64 characters.
  const std::size_t salt_at = s.find('$', std::string_view("$argon2id$v=19$m=19456,t=2,p=1").size()) + 1;
  CHECK(s.find('$', salt_at) - salt_at == 22);
  const auto again = hash_password_argon2id("correct horse battery staple");
  REQUIRE(again.ok());
  CHECK(again.value() != s);
  CHECK(identify_password_hash(s) == PasswordHashFormat::kArgon2id);

  auto r = verify_password("correct horse battery staple", s);
  REQUIRE(r.ok());
  CHECK(r.value());
  r = verify_password("correct horse battery stapler", s);
  REQUIRE(r.ok());
  CHECK_FALSE(r.value());
  CHECK_FALSE(password_needs_rehash(s, Argon2idParams{}, false));
}

TEST_CASE("Argon2id: round trips with small parameters") {
  const auto h = hash_password_argon2id("hunter22", kFast);
  REQUIRE(h.ok());
  CHECK(h.value().rfind("$argon2id$v=19$m=8,t=1,p=1$", 0) == 0);

  auto r = verify_password("hunter22", h.value());
  REQUIRE(r.ok());
  CHECK(r.value());
  for (const char* wrong : {"hunter23", "", "Hunter22", "hunter22\n"}) {
    INFO(wrong);
    r = verify_password(wrong, h.value());
    REQUIRE(r.ok());
    CHECK_FALSE(r.value());
  }

  const auto h2 = hash_password_argon2id("hunter22", kFast);
  REQUIRE(h2.ok());
  CHECK(h2.value() != h.value());  // random salt

  const auto empty = hash_password_argon2id("", kFast);
  REQUIRE(empty.ok());
  r = verify_password("", empty.value());
  REQUIRE(r.ok());
  CHECK(r.value());

  // Argon2id hashes the bytes as given (no NFKC, any bytes).
  const std::string bytes("a\xFF\0z", 4);
  const auto raw = hash_password_argon2id(bytes, kFast);
  REQUIRE(raw.ok());
  r = verify_password(bytes, raw.value());
  REQUIRE(r.ok());
  CHECK(r.value());
  r = verify_password("a\xFF", raw.value());
  REQUIRE(r.ok());
  CHECK_FALSE(r.value());
}

TEST_CASE("A 1024-byte password hashes and verifies in both formats (ASVS 2.1.3)") {
  std::string long_pw(1024, 'x');
  for (std::size_t i = 0; i < long_pw.size(); ++i) long_pw[i] = static_cast<char>('a' + i % 26);
  std::string other = long_pw;
  other.back() = '!';

  const auto a = hash_password_argon2id(long_pw, kFast);
  REQUIRE(a.ok());
  auto r = verify_password(long_pw, a.value());
  REQUIRE(r.ok());
  CHECK(r.value());
  r = verify_password(other, a.value());
  REQUIRE(r.ok());
  CHECK_FALSE(r.value());

  const auto s = hash_password_betterauth_scrypt(long_pw);
  REQUIRE(s.ok());
  r = verify_password(long_pw, s.value());
  REQUIRE(r.ok());
  CHECK(r.value());
  r = verify_password(other, s.value());
  REQUIRE(r.ok());
  CHECK_FALSE(r.value());
}

TEST_CASE("Malformed stored hashes are INVALID_PASSWORD errors, not mismatches") {
  const auto good = hash_password_argon2id("pw", kFast);
  REQUIRE(good.ok());
  const std::string& g = good.value();

  const std::string cases[] = {
      "",
      "abc",
      "password123",
      kPassword123Hash.substr(0, kPassword123Hash.size() - 1),             // truncated scrypt
      kPassword123Hash + "0",                                              // one digit too many
      kPassword123Hash.substr(0, 32),                                      // salt only
      "3e7202476d76ae9cafb6497d57c23e9b" + kPassword123Hash.substr(33),    // no ':'
      "3e7202476d76ae9cafb6497d57c23e9g" + kPassword123Hash.substr(32),    // non-hex salt
      kPassword123Hash.substr(0, 100) + "z" + kPassword123Hash.substr(101),  // non-hex key
      "$argon2id$garbage",
      "$argon2id$",
      "$argon2i$v=19$m=8,t=1,p=1$c29tZXNhbHQ$" + g.substr(g.rfind('$') + 1),  // Argon2i
      "$argon2id$v=16$m=8,t=1,p=1$c29tZXNhbHQ$" + g.substr(g.rfind('$') + 1),
      g.substr(0, g.size() - 2),  // truncated to 41 base64 characters (1 mod 4: never valid)
      g.substr(0, g.rfind('$')),                                           // no hash part
      g + "$",
      g + "=",
      "$argon2id$v=19$m=08,t=1,p=1" + g.substr(g.find("$", 20)),          // leading zero
      "$argon2id$v=19$m=7,t=1,p=1" + g.substr(g.find("$", 20)),           // m below 8 KiB
      "$argon2id$v=19$m=8,t=0,p=1" + g.substr(g.find("$", 20)),           // no passes
      "$argon2id$v=19$m=8,t=1,p=0" + g.substr(g.find("$", 20)),           // no lanes
      "$argon2id$v=19$m=8,t=1,p=2" + g.substr(g.find("$", 20)),           // m < 8 * p
      "$argon2id$v=19$m=99999999999,t=1,p=1" + g.substr(g.find("$", 20)),  // over 32 bits
      "$argon2id$v=19$m=8,t=1,p=1$c29tZQ$" + g.substr(g.rfind('$') + 1),  // 4-byte salt
      "$argon2id$v=19$m=8,t=1,p=1$c29tZXNhbHQ$c2hvcnQ",                   // 5-byte hash
      "$argon2id$v=19$m=8,t=1,p=1$c29tZXNhbHR$" + g.substr(g.rfind('$') + 1),  // stray bits
      g + std::string(200, 'A'),                                           // too long
  };
  for (const std::string& stored : cases) {
    INFO('"' << stored << '"');
    CHECK(identify_password_hash(stored) != PasswordHashFormat::kBetterAuthScrypt);
    require_invalid_password(verify_password("pw", stored));
    require_invalid_password(verify_password("password123", stored));
  }
  // The untouched hash still verifies (the mutations above are what broke the others).
  const auto r = verify_password("pw", g);
  REQUIRE(r.ok());
  CHECK(r.value());
}

TEST_CASE("identify_password_hash judges by shape") {
  CHECK(identify_password_hash(kPassword123Hash) == PasswordHashFormat::kBetterAuthScrypt);
  CHECK(identify_password_hash(to_upper_hex(kPassword123Hash)) ==
        PasswordHashFormat::kBetterAuthScrypt);
  CHECK(identify_password_hash("$argon2id$v=19$m=19456,t=2,p=1$x$y") == PasswordHashFormat::kArgon2id);
  CHECK(identify_password_hash("$argon2id$") == PasswordHashFormat::kArgon2id);
  CHECK(identify_password_hash("$argon2i$v=19$m=8,t=1,p=1$x$y") == PasswordHashFormat::kUnknown);
  CHECK(identify_password_hash("$2b$10$abcdefghijklmnopqrstuu") == PasswordHashFormat::kUnknown);
  CHECK(identify_password_hash("") == PasswordHashFormat::kUnknown);
  CHECK(identify_password_hash(kPassword123Hash.substr(1)) == PasswordHashFormat::kUnknown);
}

TEST_CASE("password_needs_rehash") {
  const Argon2idParams defaults{};
  const auto argon_default = hash_password_argon2id("pw");
  REQUIRE(argon_default.ok());
  const auto argon_weak = hash_password_argon2id("pw", kFast);
  REQUIRE(argon_weak.ok());

  SECTION("wanting Argon2id") {
    CHECK(password_needs_rehash(kPassword123Hash, defaults, false));
    CHECK_FALSE(password_needs_rehash(argon_default.value(), defaults, false));
    CHECK(password_needs_rehash(argon_weak.value(), defaults, false));
    CHECK_FALSE(password_needs_rehash(argon_weak.value(), kFast, false));
    // Stronger than asked is kept.
    CHECK_FALSE(password_needs_rehash(argon_default.value(), kFast, false));
    CHECK(password_needs_rehash(argon_default.value(), Argon2idParams{3, defaults.memory_bytes},
                                false));
    CHECK(password_needs_rehash(argon_default.value(),
                                Argon2idParams{2, defaults.memory_bytes + 1024}, false));
    CHECK(password_needs_rehash("", defaults, false));
    CHECK(password_needs_rehash("$argon2id$garbage", defaults, false));
  }
  SECTION("wanting BetterAuth scrypt") {
    CHECK(password_needs_rehash(argon_default.value(), defaults, true));
    CHECK(password_needs_rehash(argon_weak.value(), defaults, true));
    CHECK_FALSE(password_needs_rehash(kPassword123Hash, defaults, true));
    CHECK_FALSE(password_needs_rehash(kUnicodeHash, defaults, true));
    CHECK(password_needs_rehash("", defaults, true));
    CHECK(password_needs_rehash(kPassword123Hash.substr(1), defaults, true));
  }
}

TEST_CASE("verify_password_dummy runs in both modes, repeatedly") {
  for (int i = 0; i < 2; ++i) {
    verify_password_dummy("guess", kFast, false);
    verify_password_dummy("guess", kFast, true);
  }
  // A change of parameters replaces the cached dummy hash.
  verify_password_dummy("guess", Argon2idParams{2, crypto_pwhash_argon2id_MEMLIMIT_MIN}, false);
  verify_password_dummy("\xFF", kFast, true);
}

TEST_CASE("nfkc") {
  auto r = nfkc(kFullWidthPassword123);
  REQUIRE(r.ok());
  CHECK(r.value() == "password123");
  r = nfkc("ﬁ");  // U+FB01 LATIN SMALL LIGATURE FI
  REQUIRE(r.ok());
  CHECK(r.value() == "fi");
  r = nfkc("e\xCC\x81");  // e + COMBINING ACUTE ACCENT composes to é
  REQUIRE(r.ok());
  CHECK(r.value() == "é");
  r = nfkc(kUnicodePassword);  // already NFKC
  REQUIRE(r.ok());
  CHECK(r.value() == kUnicodePassword);
  r = nfkc("");
  REQUIRE(r.ok());
  CHECK(r.value().empty());
  r = nfkc(std::string("a\0b", 3));
  REQUIRE(r.ok());
  CHECK(r.value() == std::string("a\0b", 3));

  for (const std::string bad : {"\xFF", "abc\xC3", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80"}) {
    const auto e = nfkc(bad);
    REQUIRE_FALSE(e.ok());
    CHECK(e.status().code() == ErrorCode::kInvalidUtf8);
  }
}
