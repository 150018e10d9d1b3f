// Portcullis server: BetterAuth's fixed-window rate-limit rule, for the store backends.
//
// A backend reads the key's row (count, lastRequest) under a lock, asks next_rate_limit_step()
// what to do, and does it in the same transaction; the rule itself lives here once.

#ifndef PORTCULLIS_STORE_RATE_LIMIT_RULE_H_
#define PORTCULLIS_STORE_RATE_LIMIT_RULE_H_

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "store/store.h"

namespace portcullis::store {

// What to do with the key's row.
enum class RateLimitAction {
  kInsert,     // no row: insert count 1, lastRequest now
  kReset,      // the window has passed: count 1, lastRequest now
  kBlock,      // count reached max within the window: change nothing
  kIncrement,  // count + 1, lastRequest now
};

struct RateLimitStep {
  RateLimitAction action;
  RateLimitDecision decision;  // what the caller is told
};

// Returns BetterAuth's step for one request under a rule of at most `max` requests per `window`:
// no row, or now - lastRequest >= window, starts a new window with count 1; else if count >= max
// the request is blocked until the window reopens (at least 1 s); else it is counted.
inline RateLimitStep next_rate_limit_step(bool found, std::int64_t count, std::int64_t last_ms, std::int64_t now_ms,
                                          std::chrono::milliseconds window, std::int64_t max) {
  if (!found) return {RateLimitAction::kInsert, {}};
  if (now_ms - last_ms >= window.count()) return {RateLimitAction::kReset, {}};
  if (count >= max) {
    const std::int64_t remaining_ms = last_ms + window.count() - now_ms;  // > 0 here
    return {RateLimitAction::kBlock, {false, std::max<std::int64_t>(1, (remaining_ms + 999) / 1000)}};
  }
  return {RateLimitAction::kIncrement, {}};
}

}  // namespace portcullis::store

#endif  // PORTCULLIS_STORE_RATE_LIMIT_RULE_H_
