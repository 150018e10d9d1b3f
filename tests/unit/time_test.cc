#include <catch2/catch.hpp>

#include "common/time.h"

using namespace portcullis;
using namespace std::chrono;

TEST_CASE("ISO-8601 instants round-trip with milliseconds, as BetterAuth writes them") {
  const auto t = parse_iso8601("2026-11-25T04:46:53.751Z");
  REQUIRE(t.has_value());
  CHECK(format_iso8601(*t) == "2026-11-25T04:46:53.751Z");
  CHECK(t->time_since_epoch().count() == 1795582013751LL);
  CHECK(format_iso8601(store::TimePoint(milliseconds(0))) == "1970-01-01T00:00:00.000Z");
}

TEST_CASE("parse_iso8601 reads what SQLite and other writers store") {
  const auto want = parse_iso8601("2026-11-25T04:46:53.000Z");
  REQUIRE(want.has_value());
  CHECK(parse_iso8601("2026-11-25 04:46:53") == want);
  CHECK(parse_iso8601("2026-11-25T04:46:53Z") == want);
  CHECK(parse_iso8601("2026-11-25T04:46:53+00:00") == want);
  CHECK(parse_iso8601("2026-11-25T06:46:53+02:00") == want);
  CHECK(parse_iso8601("1795582013000") == want);
  CHECK(parse_iso8601("2026-11-25T04:46:53.5Z")->time_since_epoch().count() % 1000 == 500);
}

TEST_CASE("parse_iso8601 rejects malformed text") {
  for (const char* bad : {"", "yesterday", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
                          "2026-11-25T04:46:53.Z", "2026-11-25T04:46:53Zjunk", "2026-11-25"}) {
    INFO(bad);
    CHECK_FALSE(parse_iso8601(bad).has_value());
  }
}

TEST_CASE("duration_text says a length as a mail does, in whole days, hours or minutes when it can") {
  CHECK(duration_text(seconds(172800)) == "2 days");
  CHECK(duration_text(seconds(86400)) == "1 day");
  CHECK(duration_text(seconds(7200)) == "2 hours");
  CHECK(duration_text(seconds(3600)) == "1 hour");
  CHECK(duration_text(seconds(5400)) == "90 minutes");
  CHECK(duration_text(seconds(300)) == "5 minutes");
  CHECK(duration_text(seconds(60)) == "1 minute");
  CHECK(duration_text(seconds(90)) == "90 seconds");
  CHECK(duration_text(seconds(1)) == "1 second");
  CHECK(duration_text(seconds(0)) == "0 seconds");
  CHECK(duration_text(seconds(-5)) == "0 seconds");
}
