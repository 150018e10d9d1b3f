#include "common/time.h"

#include <algorithm>

#include <charconv>
#include <cstdio>

namespace portcullis {
namespace {

using namespace std::chrono;

bool read_int(std::string_view s, std::size_t pos, std::size_t len, int& out) {
  if (pos + len > s.size()) return false;
  for (std::size_t i = pos; i < pos + len; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  std::from_chars(s.data() + pos, s.data() + pos + len, out);
  return true;
}

}  // namespace

std::string format_iso8601(store::TimePoint t) {
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{t - day};
  const int year = static_cast<int>(ymd.year());
  char buf[32];
  if (year < 0 || year > 9999) {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", year, static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                  static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()),
                  static_cast<int>(hms.subseconds().count()));
    return buf;
  }
  // The common case by hand: every response about a session formats five of these, and
  // snprintf's format parsing was a visible share of get-session's time.
  std::string out = "0000-00-00T00:00:00.000Z";
  const auto put = [&out](std::size_t end, long long value, int digits) {
    for (int i = 0; i < digits; ++i, value /= 10) out[end - static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
  };
  put(3, year, 4);
  put(6, static_cast<unsigned>(ymd.month()), 2);
  put(9, static_cast<unsigned>(ymd.day()), 2);
  put(12, hms.hours().count(), 2);
  put(15, hms.minutes().count(), 2);
  put(18, hms.seconds().count(), 2);
  put(22, hms.subseconds().count(), 3);
  return out;
}

std::optional<store::TimePoint> parse_iso8601(std::string_view s) {
  // An integer of milliseconds since the epoch.
  if (!s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos && s.size() <= 15) {
    long long ms = 0;
    std::from_chars(s.data(), s.data() + s.size(), ms);
    return store::TimePoint(milliseconds(ms));
  }
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (s.size() < 19 || !read_int(s, 0, 4, y) || s[4] != '-' || !read_int(s, 5, 2, mo) || s[7] != '-' ||
      !read_int(s, 8, 2, d) || (s[10] != 'T' && s[10] != ' ') || !read_int(s, 11, 2, h) || s[13] != ':' ||
      !read_int(s, 14, 2, mi) || s[16] != ':' || !read_int(s, 17, 2, sec)) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  int ms = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 3) ms = ms * 10 + (s[pos] - '0');
      ++digits, ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 3; ++digits) ms *= 10;
  }
  int offset_minutes = 0;
  if (pos < s.size()) {
    if (s[pos] == 'Z' && pos + 1 == s.size()) {
      ++pos;
    } else if ((s[pos] == '+' || s[pos] == '-') && s.size() == pos + 6 && s[pos + 3] == ':') {
      int oh = 0, om = 0;
      if (!read_int(s, pos + 1, 2, oh) || !read_int(s, pos + 4, 2, om)) return std::nullopt;
      offset_minutes = (s[pos] == '-' ? -1 : 1) * (oh * 60 + om);
      pos += 6;
    } else {
      return std::nullopt;
    }
  }
  const year_month_day ymd{year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  const auto t = sys_days(ymd) + hours(h) + minutes(mi) + seconds(sec) + milliseconds(ms) -
                 minutes(offset_minutes);
  return time_point_cast<milliseconds>(t);
}

std::int64_t unix_seconds(store::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::string duration_text(std::chrono::seconds length) {
  const auto n = std::max<std::int64_t>(length.count(), 0);
  const auto say = [](std::int64_t count, const char* unit) {
    std::string text = std::to_string(count);
    text.append(" ").append(unit);
    if (count != 1) text.push_back('s');
    return text;
  };
  if (n > 0 && n % 86400 == 0) return say(n / 86400, "day");
  if (n > 0 && n % 3600 == 0) return say(n / 3600, "hour");
  if (n > 0 && n % 60 == 0) return say(n / 60, "minute");
  return std::to_string(n) + (n == 1 ? " second" : " seconds");
}

}  // namespace portcullis
