// Portcullis server: per-client-IP rate limits, BetterAuth's rules and algorithm (contract §8),
// counted in process memory (default) or in the database's rateLimit table.

#ifndef PORTCULLIS_HTTP_RATE_LIMITER_H_
#define PORTCULLIS_HTTP_RATE_LIMITER_H_

#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "config.h"
#include "store/store.h"

namespace portcullis::http {

class RateLimiter {
 public:
  // `store` is used when config.rate_limit_storage is "database"; it must outlive this.
  RateLimiter(const Config& config, store::Store& store);

  // Counts a request from `ip` to `path` (relative to the base path, e.g. "/sign-in/email") and
  // says whether it may proceed. Requests count under rate_limit_key(ip) (an IPv6 client's /64). Always allowed when rate limiting is off. A storage failure
  // allows the request (and is not fatal).
  store::RateLimitDecision hit(std::string_view ip, std::string_view path, store::TimePoint now);

 private:
  const RateLimitRule& rule_for(std::string_view path) const;

  const Config& config_;
  store::Store& store_;
  struct Entry {
    std::int64_t count = 0;
    store::TimePoint last{};
  };
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace portcullis::http

#endif  // PORTCULLIS_HTTP_RATE_LIMITER_H_
