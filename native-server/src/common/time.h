// Portcullis server: instants as BetterAuth writes them (ISO-8601 UTC with milliseconds).

#ifndef PORTCULLIS_COMMON_TIME_H_
#define PORTCULLIS_COMMON_TIME_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/store.h"

namespace portcullis {

// Returns e.g. "2026-11-25T04:46:53.751Z".
std::string format_iso8601(store::TimePoint t);

// Returns `t` in whole seconds since the Unix epoch (JWT and TOTP times).
std::int64_t unix_seconds(store::TimePoint t);

// A length of time as a mail says it: "2 days", "1 hour", "5 minutes", "90 seconds", "1 second"
// (in the largest unit it is a whole number of). Negative lengths read as 0 seconds.
std::string duration_text(std::chrono::seconds length);

// Parses what BetterAuth and SQLite write: "2026-11-25T04:46:53.751Z", without milliseconds,
// with a space instead of 'T', with "+00:00" for 'Z' (other offsets are applied), or an integer of
// milliseconds since the epoch. Returns std::nullopt for anything else.
std::optional<store::TimePoint> parse_iso8601(std::string_view text);

}  // namespace portcullis

#endif  // PORTCULLIS_COMMON_TIME_H_
