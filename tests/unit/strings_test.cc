// The server's small string helpers (native-server/src/common/strings.h).
#include <catch2/catch.hpp>

#include "common/strings.h"

using portcullis::parse_decimal;

TEST_CASE("parse_decimal reads plain digits up to the given length, and nothing else") {
  std::uint64_t n = 7;
  CHECK(parse_decimal("0", 3, n));
  CHECK(n == 0);
  CHECK(parse_decimal("042", 3, n));
  CHECK(n == 42);
  CHECK(parse_decimal("999", 3, n));
  CHECK(n == 999);
  CHECK(parse_decimal("999999999999999999", 18, n));
  CHECK(n == 999999999999999999ULL);

  n = 7;
  for (const char* bad : {"", "1000", "-1", "+1", " 1", "1 ", "1.5", "1e3", "0x1", "abc", "١٢"}) {
    INFO(bad);
    CHECK_FALSE(parse_decimal(bad, 3, n));
  }
  CHECK(n == 7);  // left alone
  CHECK_FALSE(parse_decimal("12345678901234567890", 30, n));  // more than 19 digits: never
  CHECK(n == 7);
}
