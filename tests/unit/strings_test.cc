// The server's small string helpers (native-server/src/common/strings.h).
#include <catch2/catch.hpp>

#include "common/strings.h"

using portcullis::parse_decimal;
using portcullis::with_query_param;

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

TEST_CASE("with_query_param sets one parameter as URL.searchParams.set does, before the fragment") {
  CHECK(with_query_param("http://a.test/login", "error", "INVALID_TOKEN") == "http://a.test/login?error=INVALID_TOKEN");
  CHECK(with_query_param("/login?redirect=%2Fdocs", "error", "X") == "/login?redirect=%2Fdocs&error=X");
  CHECK(with_query_param("/login#top", "error", "X") == "/login?error=X#top");
  CHECK(with_query_param("/login?a=1#top?b", "error", "X") == "/login?a=1&error=X#top?b");
  // An earlier value of the parameter goes; others stay, in order.
  CHECK(with_query_param("/l?error=old&a=1&error=older", "error", "X") == "/l?a=1&error=X");
  CHECK(with_query_param("/l?errors=1&error", "error", "X") == "/l?errors=1&error=X");
  CHECK(with_query_param("/l?", "error", "X") == "/l?error=X");
  CHECK(with_query_param("/l?&&a=1&", "error", "X") == "/l?a=1&error=X");
  // The value is percent-encoded.
  CHECK(with_query_param("/l", "error", "a b&c") == "/l?error=a%20b%26c");
}
