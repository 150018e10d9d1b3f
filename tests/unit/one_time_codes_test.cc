// The second factor's codes against vectors from outside this code: the RFCs' appendices, and
// values that BetterAuth's own code produced in node (commands next to each literal; run them from
// the repository's root, where node_modules holds better-auth and @better-auth/utils).

#include <catch2/catch.hpp>

#include <array>
#include <cctype>
#include <cstdint>
#include <limits>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/one_time_codes.h"

using namespace portcullis;
using namespace portcullis::auth;

namespace {

// RFC 4226 Appendix D and RFC 6238 Appendix B: the ASCII key "12345678901234567890".
const std::string kRfcKey = "12345678901234567890";

// A key as BetterAuth generates them (generateRandomString(32)), fixed for the node vectors.
const std::string kKey = "Jx3_kQ9-vR2mTz8LwN4pYb7cHd5fGs1a";

// The secret that the node vectors below were encrypted with.
const std::string kSecret = "portcullis-test-secret-0123456789abcdef";

}  // namespace

// --- HOTP and TOTP ------------------------------------------------------------------------------

TEST_CASE("hotp matches RFC 4226 Appendix D", "[one_time_codes]") {
  // Appendix D's "HOTP" column: 6 digits for counters 0-9.
  const std::vector<std::string> expected = {"755224", "287082", "359152", "969429", "338314",
                                             "254676", "287922", "162583", "399871", "520489"};
  for (std::uint64_t counter = 0; counter < expected.size(); ++counter) {
    INFO("counter " << counter);
    CHECK(hotp(kRfcKey, counter) == expected[counter]);
    CHECK(hotp(kRfcKey, counter, 6) == expected[counter]);
  }
  // Appendix D's "Decimal" column (the truncated 31-bit values): other digit counts are the same
  // number modulo 10^digits, zero-padded.
  const std::vector<std::uint32_t> decimal = {1284755224, 1094287082, 137359152, 1726969429,
                                              1640338314, 868254676,  1918287922, 82162583,
                                              673399871,  645520489};
  for (std::uint64_t counter = 0; counter < decimal.size(); ++counter) {
    INFO("counter " << counter);
    const std::string eight = std::to_string(decimal[counter] % 100000000);
    CHECK(hotp(kRfcKey, counter, 8) == std::string(8 - eight.size(), '0') + eight);
    CHECK(hotp(kRfcKey, counter, 1) == std::to_string(decimal[counter] % 10));
  }
  CHECK(hotp(kRfcKey, 7, 8) == "82162583");
  CHECK(hotp(kRfcKey, 2, 8) == "37359152");
}

TEST_CASE("hotp: edge cases against Python's hmac module", "[one_time_codes]") {
  // python3 -c "import hmac,struct; k=b''; c=0; m=hmac.new(k,struct.pack('>Q',c),'sha1').digest();
  //   o=m[-1]&15; print(str((int.from_bytes(m[o:o+4],'big')&0x7fffffff)%10**6).zfill(6))"
  // (an empty key: what a "base32:" secret with no text decodes to; the last counter there is).
  CHECK(hotp("", 0) == "328482");
  CHECK(hotp("", 1) == "812658");
  CHECK(hotp(kRfcKey, std::numeric_limits<std::uint64_t>::max()) == "094451");
}

TEST_CASE("hotp: digits outside 1-8 give no code", "[one_time_codes]") {
  CHECK(hotp(kRfcKey, 0, 0).empty());
  CHECK(hotp(kRfcKey, 0, 9).empty());
  CHECK(hotp(kRfcKey, 0, -6).empty());
}

TEST_CASE("hotp equals BetterAuth's createOTP(key).hotp(counter)", "[one_time_codes]") {
  // node --input-type=module -e "import {createOTP} from '@better-auth/utils/otp';
  //   for (const c of [0, 1, 59, 1000000, 58000000, 4294967301])
  //     console.log(c, await createOTP('Jx3_kQ9-vR2mTz8LwN4pYb7cHd5fGs1a').hotp(c))"
  CHECK(hotp(kKey, 0) == "913203");
  CHECK(hotp(kKey, 1) == "479922");
  CHECK(hotp(kKey, 59) == "257175");
  CHECK(hotp(kKey, 1000000) == "022654");
  CHECK(hotp(kKey, 58000000) == "962345");
  CHECK(hotp(kKey, 4294967301ULL) == "431339");  // over 2^32: all 8 counter bytes count
}

TEST_CASE("totp_step and hotp match RFC 6238 Appendix B (SHA-1, 8 digits)", "[one_time_codes]") {
  struct Row {
    std::int64_t time;
    std::uint64_t step;  // the table's "T (hex)"
    const char* totp;
  };
  const std::vector<Row> rows = {
      {59, 0x1, "94287082"},
      {1111111109, 0x23523EC, "07081804"},
      {1111111111, 0x23523ED, "14050471"},
      {1234567890, 0x273EF07, "89005924"},
      {2000000000, 0x3F940AA, "69279037"},
      {20000000000, 0x27BC86AA, "65353130"},
  };
  for (const Row& row : rows) {
    INFO("time " << row.time);
    CHECK(totp_step(row.time) == row.step);
    CHECK(totp_step(row.time, 30) == row.step);
    CHECK(hotp(kRfcKey, totp_step(row.time), 8) == row.totp);
  }
}

TEST_CASE("totp_step: step boundaries, other periods, caller errors", "[one_time_codes]") {
  CHECK(totp_step(0) == 0);
  CHECK(totp_step(29) == 0);
  CHECK(totp_step(30) == 1);
  CHECK(totp_step(1111111109, 60) == 1111111109 / 60);
  CHECK(totp_step(-1) == 0);
  CHECK(totp_step(100, 0) == 0);
  CHECK(totp_step(100, -30) == 0);
}

TEST_CASE("match_totp finds the step within the window, and only there", "[one_time_codes]") {
  // RFC 4226 Appendix D: counter 1 gives "287082" (6 digits).
  SECTION("the code's own step, and its neighbours within window 1") {
    CHECK(match_totp(kRfcKey, "287082", 1) == std::optional<std::uint64_t>(1));
    CHECK(match_totp(kRfcKey, "287082", 0) == std::optional<std::uint64_t>(1));
    CHECK(match_totp(kRfcKey, "287082", 2) == std::optional<std::uint64_t>(1));
  }
  SECTION("outside the window") {
    CHECK_FALSE(match_totp(kRfcKey, "287082", 3).has_value());
    CHECK_FALSE(match_totp(kRfcKey, "287082", 1000).has_value());
    CHECK_FALSE(match_totp(kRfcKey, "287082", 2, 0).has_value());
    CHECK(match_totp(kRfcKey, "287082", 1, 0) == std::optional<std::uint64_t>(1));
    CHECK(match_totp(kRfcKey, "287082", 4, 3) == std::optional<std::uint64_t>(1));
    CHECK_FALSE(match_totp(kRfcKey, "287082", 5, 3).has_value());
  }
  SECTION("a negative window counts as 0") {
    CHECK(match_totp(kRfcKey, "287082", 1, -1) == std::optional<std::uint64_t>(1));
    CHECK_FALSE(match_totp(kRfcKey, "287082", 2, -1).has_value());
  }
  SECTION("step 0: no step before it (no wrap-around to 2^64 - 1)") {
    CHECK(match_totp(kRfcKey, "755224", 0) == std::optional<std::uint64_t>(0));
    // Python (as above): HOTP("12345678901234567890", 2^64 - 1) = "094451".
    CHECK_FALSE(match_totp(kRfcKey, "094451", 0).has_value());
    constexpr std::uint64_t kLast = std::numeric_limits<std::uint64_t>::max();
    CHECK(match_totp(kRfcKey, "094451", kLast) == std::optional<std::uint64_t>(kLast));
    CHECK(match_totp(kRfcKey, "094451", kLast - 1) == std::optional<std::uint64_t>(kLast));
  }
  SECTION("several matching steps: the latest") {
    // With 1 digit, Appendix D's decimals end in 4, 2, 2, 9 at counters 0-3.
    CHECK(match_totp(kRfcKey, "2", 2, 1, 1) == std::optional<std::uint64_t>(2));
    CHECK(match_totp(kRfcKey, "2", 1, 1, 1) == std::optional<std::uint64_t>(2));
    CHECK(match_totp(kRfcKey, "4", 1, 1, 1) == std::optional<std::uint64_t>(0));
  }
  SECTION("8 digits, RFC 6238 Appendix B") {
    const std::uint64_t step = 0x23523ED;  // 1111111111 s
    CHECK(match_totp(kRfcKey, "14050471", step, 1, 8) == std::optional<std::uint64_t>(step));
    CHECK(match_totp(kRfcKey, "07081804", step, 1, 8) == std::optional<std::uint64_t>(step - 1));
    CHECK_FALSE(match_totp(kRfcKey, "07081804", 0x23523EE, 1, 8).has_value());
    // The 6-digit form of an 8-digit code is another length.
    CHECK_FALSE(match_totp(kRfcKey, "081804", 0x23523EC, 1, 8).has_value());
  }
  SECTION("BetterAuth's key and a realistic step") {
    // createOTP('Jx3_kQ9-vR2mTz8LwN4pYb7cHd5fGs1a').hotp(58000000) = "962345" (see above).
    CHECK(match_totp(kKey, "962345", 58000001) == std::optional<std::uint64_t>(58000000));
    CHECK_FALSE(match_totp(kKey, "962345", 58000002).has_value());
    CHECK_FALSE(match_totp("another key of 32 characters ...", "962345", 58000000).has_value());
  }
}

TEST_CASE("match_totp refuses codes of the wrong length or with non-digits", "[one_time_codes]") {
  for (const std::string code : {"", "28708", "2870820", "0287082", "287082 ", " 287082", "28708a",
                                 "abcdef", "-87082", "2870.2", "287\xef\xbc\x98" "2"}) {
    INFO('"' << code << '"');
    CHECK_FALSE(match_totp(kRfcKey, code, 1).has_value());
  }
  // An embedded NUL is a character like any other (the length is right, the code is not).
  CHECK_FALSE(match_totp(kRfcKey, std::string("28708\0", 6), 1).has_value());
  // digits outside 1-8 match nothing, not even the empty code.
  CHECK_FALSE(match_totp(kRfcKey, "", 1, 1, 0).has_value());
  CHECK_FALSE(match_totp(kRfcKey, "123456789", 1, 1, 9).has_value());
}

// --- Keys and backup codes ----------------------------------------------------------------------

TEST_CASE("new_totp_key: 32 characters of BetterAuth's alphabet, never twice", "[one_time_codes]") {
  const std::regex format("^[A-Za-z0-9_-]{32}$");
  std::set<std::string> seen;
  std::set<char> characters;
  for (int i = 0; i < 200; ++i) {
    const std::string key = new_totp_key();
    INFO(key);
    CHECK(std::regex_match(key, format));
    CHECK(seen.insert(key).second);
    characters.insert(key.begin(), key.end());
  }
  // 6,400 characters over 64 symbols: every one of them shows up (missing one: p < 1e-40).
  CHECK(characters.size() == 64);
}

TEST_CASE("new_mailed_code: six digits, every digit in every place", "[one_time_codes]") {
  const std::regex format("^[0-9]{6}$");
  std::array<std::set<char>, 6> digits;
  for (int i = 0; i < 400; ++i) {
    const std::string code = new_mailed_code();
    INFO(code);
    REQUIRE(std::regex_match(code, format));
    for (std::size_t k = 0; k < 6; ++k) digits[k].insert(code[k]);
  }
  // 400 draws per place over 10 digits: a missing one has p < 1e-17. A leading zero included.
  for (const auto& place : digits) CHECK(place.size() == 10);
}

TEST_CASE("mailed_code_hash is BetterAuth's defaultKeyHasher (SHA-256, base64url, no padding)",
          "[one_time_codes]") {
  // Node: crypto.createHash("sha256").update(code).digest("base64url").
  CHECK(mailed_code_hash("123456") == "jZae727K08KaOmKSgOaGzww_XVqGr_PKEgIMkjrcbJI");
  CHECK(mailed_code_hash("000000") == "kbTRQoI_fSDF8I32kSLeQ_NfBXqYjZYZ9tMThIXJogM");
  CHECK(mailed_code_hash("") == "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU");
}

TEST_CASE("parse_mailed_code splits at the last colon and reads the count", "[one_time_codes]") {
  std::string_view hash = "unchanged";
  int wrong = -1;
  REQUIRE(parse_mailed_code("abc:def:2", hash, wrong));
  CHECK(hash == "abc:def");
  CHECK(wrong == 2);
  REQUIRE(parse_mailed_code("h:0", hash, wrong));
  CHECK(hash == "h");
  CHECK(wrong == 0);
  hash = "unchanged";
  wrong = -1;
  for (const char* bad : {"no-colon", "h:", "h:x", "h:-1", "h:1000", "h: 1"}) {
    INFO(bad);
    CHECK_FALSE(parse_mailed_code(bad, hash, wrong));
    CHECK(hash == "unchanged");
    CHECK(wrong == -1);
  }
}

TEST_CASE("new_backup_codes: the count, xxxxx-xxxxx of [A-Za-z0-9], all distinct",
          "[one_time_codes]") {
  const std::regex format("^[A-Za-z0-9]{5}-[A-Za-z0-9]{5}$");
  CHECK(new_backup_codes().size() == 10);
  CHECK(new_backup_codes(1).size() == 1);
  CHECK(new_backup_codes(0).empty());
  CHECK(new_backup_codes(-3).empty());

  std::set<std::string> seen;
  std::set<char> characters;
  for (int round = 0; round < 20; ++round) {
    for (const std::string& code : new_backup_codes(25)) {
      INFO(code);
      CHECK(std::regex_match(code, format));
      CHECK(seen.insert(code).second);
      for (char c : code) {
        if (c != '-') characters.insert(c);
      }
    }
  }
  CHECK(seen.size() == 500);
  // 5,000 characters over 62 symbols: all of them appear.
  CHECK(characters.size() == 62);
}

// --- Base32 -------------------------------------------------------------------------------------

TEST_CASE("base32_encode: RFC 4648 section 10, without padding", "[one_time_codes]") {
  CHECK(base32_encode("") == "");
  CHECK(base32_encode("f") == "MY");
  CHECK(base32_encode("fo") == "MZXQ");
  CHECK(base32_encode("foo") == "MZXW6");
  CHECK(base32_encode("foob") == "MZXW6YQ");
  CHECK(base32_encode("fooba") == "MZXW6YTB");
  CHECK(base32_encode("foobar") == "MZXW6YTBOI");
  // Every bit of every byte: RFC 4648's alphabet's last letter for all-ones.
  CHECK(base32_encode(std::string(5, '\xff')) == "77777777");
  CHECK(base32_encode(std::string(5, '\0')) == "AAAAAAAA");
}

TEST_CASE("base32_decode: RFC 4648 section 10, with and without padding, either case",
          "[one_time_codes]") {
  const std::vector<std::pair<std::string, std::string>> vectors = {
      {"", ""},
      {"f", "MY======"},
      {"fo", "MZXQ===="},
      {"foo", "MZXW6==="},
      {"foob", "MZXW6YQ="},
      {"fooba", "MZXW6YTB"},
      {"foobar", "MZXW6YTBOI======"},
  };
  for (const auto& [plain, encoded] : vectors) {
    INFO(encoded);
    std::string lower = encoded;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::string unpadded = encoded.substr(0, encoded.find('='));
    for (const std::string& text : {encoded, lower, unpadded}) {
      const Result<std::string> decoded = base32_decode(text);
      REQUIRE(decoded.ok());
      CHECK(decoded.value() == plain);
    }
  }
  const Result<std::string> mixed = base32_decode("mZxW6yTbOi");
  REQUIRE(mixed.ok());
  CHECK(mixed.value() == "foobar");
  // Round trip of every byte value.
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  const Result<std::string> back = base32_decode(base32_encode(all));
  REQUIRE(back.ok());
  CHECK(back.value() == all);
}

TEST_CASE("base32_decode rejects text outside the alphabet", "[one_time_codes]") {
  for (const std::string text : {"MZXW6YT1", "MZXW6YT0", "MZXW6YT8", "MZXW6YT9", "MZXW 6YTB",
                                 "MZXW-6YTB", "MZXW6YTB\n", "MZ=XW6YTB", "=MZXW6YTB", "MZXW6===YQ",
                                 "MZX\xc3\x9c", "!"}) {
    INFO('"' << text << '"');
    const Result<std::string> decoded = base32_decode(text);
    CHECK_FALSE(decoded.ok());
    CHECK(decoded.status().code() == ErrorCode::kValidationError);
  }
  CHECK_FALSE(base32_decode(std::string("MZ\0W", 4)).ok());
}

TEST_CASE("totp_key_from_secret: the string, or the Base32 after \"base32:\"", "[one_time_codes]") {
  const Result<std::string> plain = totp_key_from_secret(kKey);
  REQUIRE(plain.ok());
  CHECK(plain.value() == kKey);

  // "JBSWY3DPEHPK3PXP" is the bytes "Hello!\xDE\xAD\xBE\xEF"; BetterAuth upper-cases the text.
  for (const std::string secret : {"base32:JBSWY3DPEHPK3PXP", "base32:jbswy3dpehpk3pxp"}) {
    const Result<std::string> key = totp_key_from_secret(secret);
    REQUIRE(key.ok());
    CHECK(key.value() == "Hello!\xDE\xAD\xBE\xEF");
    // node --input-type=module -e "import {createOTP} from '@better-auth/utils/otp';
    //   import {base32} from '@better-auth/utils/base32';
    //   const b = base32.decode('JBSWY3DPEHPK3PXP');
    //   for (const c of [0, 1, 58000000]) console.log(c, await createOTP(b).hotp(c))"
    CHECK(hotp(key.value(), 0) == "282760");
    CHECK(hotp(key.value(), 1) == "996554");
    CHECK(hotp(key.value(), 58000000) == "655327");
  }

  const Result<std::string> empty = totp_key_from_secret("base32:");
  REQUIRE(empty.ok());
  CHECK(empty.value().empty());
  const Result<std::string> bad = totp_key_from_secret("base32:not base32!");
  CHECK(bad.status().code() == ErrorCode::kValidationError);
  // Only the exact, lower-case prefix marks a Base32 secret (as in BetterAuth).
  const Result<std::string> upper = totp_key_from_secret("BASE32:JBSWY3DPEHPK3PXP");
  REQUIRE(upper.ok());
  CHECK(upper.value() == "BASE32:JBSWY3DPEHPK3PXP");
}

// --- otpauth:// URI -----------------------------------------------------------------------------

TEST_CASE("totp_uri is spelled as BetterAuth's createOTP(key).url(issuer, account)",
          "[one_time_codes]") {
  // Each literal is the output of
  //   node --input-type=module -e "import {createOTP} from '@better-auth/utils/otp';
  //     console.log(createOTP(KEY, {digits: 6, period: 30}).url(ISSUER, ACCOUNT))"
  // with KEY = 'Jx3_kQ9-vR2mTz8LwN4pYb7cHd5fGs1a' and ISSUER, ACCOUNT as in the first two columns
  // (the last row: KEY = '12345678901234567890', {digits: 8, period: 60}, 'X', 'y').
  struct Row {
    std::string issuer, account, uri;
  };
  const std::string secret = "JJ4DGX3LKE4S25SSGJWVI6RYJR3U4NDQLFRDOY2IMQ2WMR3TGFQQ";
  const std::vector<Row> rows = {
      {"My App & Co", "ada+test@example.com",
       "otpauth://totp/My%20App%20%26%20Co:ada%2Btest%40example.com?secret=" + secret +
           "&issuer=My+App+%26+Co&digits=6&period=30"},
      // "Zürich Bank", "jürgen.müller@example.ch"
      {"Z\xC3\xBCrich Bank", "j\xC3\xBCrgen.m\xC3\xBCller@example.ch",
       "otpauth://totp/Z%C3%BCrich%20Bank:j%C3%BCrgen.m%C3%BCller%40example.ch?secret=" + secret +
           "&issuer=Z%C3%BCrich+Bank&digits=6&period=30"},
      {"Acme: Inc. (EU)*", "o'brien~x!@ex-ample.com",
       "otpauth://totp/Acme%3A%20Inc.%20(EU)*:o'brien~x!%40ex-ample.com?secret=" + secret +
           "&issuer=Acme%3A+Inc.+%28EU%29*&digits=6&period=30"},
      {"a/b?c=d#e", "100% sure",
       "otpauth://totp/a%2Fb%3Fc%3Dd%23e:100%25%20sure?secret=" + secret +
           "&issuer=a%2Fb%3Fc%3Dd%23e&digits=6&period=30"},
      // "日本", "ユーザー@例え.jp"
      {"\xE6\x97\xA5\xE6\x9C\xAC",
       "\xE3\x83\xA6\xE3\x83\xBC\xE3\x82\xB6\xE3\x83\xBC@\xE4\xBE\x8B\xE3\x81\x88.jp",
       "otpauth://totp/%E6%97%A5%E6%9C%AC:"
       "%E3%83%A6%E3%83%BC%E3%82%B6%E3%83%BC%40%E4%BE%8B%E3%81%88.jp?secret=" +
           secret + "&issuer=%E6%97%A5%E6%9C%AC&digits=6&period=30"},
  };
  for (const Row& row : rows) {
    INFO(row.issuer << " / " << row.account);
    CHECK(totp_uri(row.issuer, row.account, kKey) == row.uri);
    CHECK(totp_uri(row.issuer, row.account, kKey, 6, 30) == row.uri);
  }
  CHECK(totp_uri("X", "y", kRfcKey, 8, 60) ==
        "otpauth://totp/X:y?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=X&digits=8&period=60");
}

// --- Symmetric encryption -----------------------------------------------------------------------

TEST_CASE("symmetric_decrypt reads what BetterAuth's symmetricEncrypt wrote", "[one_time_codes]") {
  // Made with
  //   node --input-type=module -e "import {symmetricEncrypt} from 'better-auth/crypto';
  //     console.log(await symmetricEncrypt({key: SECRET, data: DATA}))"
  // (a single secret: bare hex), and, for the envelopes, with
  //   key: {keys: new Map([[1, SECRET]]), currentVersion: 1}   (and 12 for the second one),
  // SECRET = 'portcullis-test-secret-0123456789abcdef' unless said otherwise.
  struct Row {
    std::string secret, stored, plaintext;
  };
  const std::vector<Row> rows = {
      // DATA = the 32-character key.
      {kSecret,
       "1ad8db7fe164e7c5bb09af85742f4bc874fea5fe0db5d7345d4a4ddea2535b35bd5277cdf4a567eb"
       "9c757465d803091b3c0f5f17ce34766c70a6757d07f9854e08e3ac4e3d0fd097",
       kKey},
      // DATA = '' (nonce and tag only: the shortest valid text).
      {kSecret, "0e888d400b7c6f25af418e11c6574b5cfd3677da2696f663af5817911fc723174ff13210fc754840",
       ""},
      // DATA = JSON.stringify(['aB3dE-fG5hJ', 'K7mNp-Q9rSt']): backup codes, as the plugin keeps
      // them.
      {kSecret,
       "fb76b2c288a528bc34439e83cd556b8196a1b216eb80020b79bf7b006c979898e987571cab021f22"
       "ce43b66e21babf1321401e1d56060c562a8104379cfb64bf5ad16508a0",
       R"(["aB3dE-fG5hJ","K7mNp-Q9rSt"])"},
      // SECRET = 'sécret-Zürich-0123456789-abcdefgh', DATA = 'Zürich' (the key is the SHA-256 of
      // the secret's UTF-8 bytes).
      {"s\xC3\xA9" "cret-Z\xC3\xBCrich-0123456789-abcdefgh",
       "8672aa869615861e747a33dfb59a61ce1a96b8bc23a893daa06e6c0e9b5523883a7f08501389c9ff"
       "6d5600b03f4382",
       "Z\xC3\xBCrich"},
      // Envelope, version 1, DATA = the 32-character key.
      {kSecret,
       "$ba$1$"
       "c6a64e59d4f111d1acf1843f2b1dd7abcaa453d892c07b78035855b998dbe73d522de39d736d3c8e"
       "32260ccf8e07474bd5b2a93e1cd16d5b9af312cf0b3d04b32bc4dbb0e60466ee",
       kKey},
      // Envelope, version 12, DATA = 'base32:JBSWY3DPEHPK3PXP' (an imported key).
      {kSecret,
       "$ba$12$"
       "aabc43dda95f5bf3f6e5055e333a3c93de283ffa468b7648ffc6505191d284445109a894b0e0fefd"
       "62241473ad271fad6d57a8620d3a7f19e0a4a3528614dd",
       "base32:JBSWY3DPEHPK3PXP"},
  };
  for (const Row& row : rows) {
    INFO(row.stored);
    const Result<std::string> plain = symmetric_decrypt(row.secret, row.stored);
    REQUIRE(plain.ok());
    CHECK(plain.value() == row.plaintext);
    // Hex in upper case reads too (noble's hexToBytes accepts it).
    std::string upper = row.stored;
    const std::size_t hex_from = upper.rfind('$') == std::string::npos ? 0 : upper.rfind('$') + 1;
    for (std::size_t i = hex_from; i < upper.size(); ++i) {
      upper[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(upper[i])));
    }
    const Result<std::string> from_upper = symmetric_decrypt(row.secret, upper);
    REQUIRE(from_upper.ok());
    CHECK(from_upper.value() == row.plaintext);
  }

  // The whole chain for an imported key: decrypt, decode, code (hotp value from node, above).
  const Result<std::string> stored_key = symmetric_decrypt(kSecret, rows.back().stored);
  REQUIRE(stored_key.ok());
  const Result<std::string> key = totp_key_from_secret(stored_key.value());
  REQUIRE(key.ok());
  CHECK(hotp(key.value(), 58000000) == "655327");
}

TEST_CASE("symmetric_encrypt: hex of nonce, ciphertext and tag; round trips", "[one_time_codes]") {
  const std::regex lower_hex("^[0-9a-f]*$");
  for (const std::string& plaintext :
       {std::string(), std::string("x"), kKey, std::string("Z\xC3\xBCrich"), std::string(1000, 'a'),
        std::string("\0\xff\n", 3)}) {
    const std::string stored = symmetric_encrypt(kSecret, plaintext);
    CHECK(stored.size() == 2 * (24 + plaintext.size() + 16));
    CHECK(std::regex_match(stored, lower_hex));
    const Result<std::string> back = symmetric_decrypt(kSecret, stored);
    REQUIRE(back.ok());
    CHECK(back.value() == plaintext);
    // In BetterAuth's envelope too.
    const Result<std::string> enveloped = symmetric_decrypt(kSecret, "$ba$3$" + stored);
    REQUIRE(enveloped.ok());
    CHECK(enveloped.value() == plaintext);
  }
  // A new nonce every time.
  CHECK(symmetric_encrypt(kSecret, kKey) != symmetric_encrypt(kSecret, kKey));
}

TEST_CASE("symmetric_decrypt: another secret, altered, malformed or short text give INVALID_TOKEN",
          "[one_time_codes]") {
  const std::string stored = symmetric_encrypt(kSecret, kKey);
  // The node-made bare hex of kKey (above), for a text that this code did not write.
  const std::string from_node =
      "1ad8db7fe164e7c5bb09af85742f4bc874fea5fe0db5d7345d4a4ddea2535b35bd5277cdf4a567eb"
      "9c757465d803091b3c0f5f17ce34766c70a6757d07f9854e08e3ac4e3d0fd097";

  std::vector<std::pair<std::string, std::string>> cases = {
      {"odd length", stored.substr(1)},
      {"non-hex", stored.substr(0, stored.size() - 2) + "zz"},
      {"non-hex: space", stored.substr(0, 10) + " " + stored.substr(11)},
      {"empty", ""},
      {"too short: 39 bytes", stored.substr(0, 78)},
      {"too short: 1 byte", "ab"},
      {"truncated tag", stored.substr(0, stored.size() - 2)},
      {"extra byte", stored + "00"},
      {"envelope without a version separator", "$ba$" + stored},
      {"envelope with an empty version", "$ba$$" + stored},
      {"envelope with a negative version", "$ba$-1$" + stored},
      {"envelope with a non-numeric version", "$ba$v1$" + stored},
      {"envelope with nothing after it", "$ba$1$"},
      {"a prefix that is not the envelope's", "$bb$1$" + stored},
  };
  // Every single flipped bit in the nonce, the ciphertext or the tag (one byte each of them).
  for (std::size_t byte : {std::size_t{0}, std::size_t{23}, std::size_t{24}, std::size_t{24 + 31},
                           std::size_t{24 + 32}, std::size_t{24 + 32 + 15}}) {
    for (int bit : {0, 7}) {
      std::string altered = from_node;
      const std::size_t at = 2 * byte + (bit < 4 ? 1 : 0);
      const char* hex = "0123456789abcdef";
      const auto nibble = static_cast<std::size_t>(std::string_view(hex).find(altered[at]));
      altered[at] = hex[nibble ^ (1u << (bit % 4))];
      cases.emplace_back("flipped bit " + std::to_string(bit) + " of byte " + std::to_string(byte),
                         altered);
    }
  }
  for (const auto& [name, text] : cases) {
    INFO(name);
    const Result<std::string> result = symmetric_decrypt(kSecret, text);
    CHECK_FALSE(result.ok());
    CHECK(result.status().code() == ErrorCode::kInvalidToken);
  }
  // Another secret, for this code's text and for node's; the right one, for contrast.
  for (const std::string& text : {stored, from_node}) {
    CHECK(symmetric_decrypt(kSecret + "!", text).status().code() == ErrorCode::kInvalidToken);
    CHECK(symmetric_decrypt("portcullis-test-secret-0123456789abcdeF", text).status().code() ==
          ErrorCode::kInvalidToken);
    CHECK(symmetric_decrypt("", text).status().code() == ErrorCode::kInvalidToken);
    const Result<std::string> right = symmetric_decrypt(kSecret, text);
    REQUIRE(right.ok());
    CHECK(right.value() == kKey);
  }
}
