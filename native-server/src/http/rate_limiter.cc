#include "http/rate_limiter.h"

#include "http/proxies.h"

namespace portcullis::http {
namespace {

constexpr std::size_t kMaxEntries = 200000;

}  // namespace

RateLimiter::RateLimiter(const Config& config, store::Store& store) : config_(config), store_(store) {}

const RateLimitRule& RateLimiter::rule_for(std::string_view path) const {
  const RateLimitRule* best = &config_.rate_limit_default;
  std::size_t best_len = 0;
  for (const auto& [prefix, rule] : config_.rate_limit_rules) {
    if (path.substr(0, prefix.size()) == prefix && prefix.size() > best_len) {
      best = &rule;
      best_len = prefix.size();
    }
  }
  return *best;
}

store::RateLimitDecision RateLimiter::hit(std::string_view ip, std::string_view path, store::TimePoint now) {
  if (!config_.rate_limit_enabled) return {};
  const RateLimitRule& rule = rule_for(path);
  std::string key = rate_limit_key(ip) + "|" + std::string(path);
  if (config_.rate_limit_storage == "database") {
    auto d = store_.rate_limit_hit(key, rule.window, rule.max, now);
    return d.ok() ? d.value() : store::RateLimitDecision{};
  }
  std::lock_guard lock(mu_);
  if (entries_.size() >= kMaxEntries) {
    // Forget entries whose window has passed: they would reset on their next hit anyway.
    std::erase_if(entries_, [&](const auto& kv) { return now - kv.second.last >= std::chrono::minutes(10); });
  }
  Entry& e = entries_[key];
  if (e.count == 0 || now - e.last >= rule.window) {
    e.count = 1;
    e.last = now;
    return {};
  }
  if (e.count >= rule.max) {
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(e.last + rule.window - now);
    return {false, std::max<std::int64_t>(1, (wait.count() + 999) / 1000)};
  }
  e.count += 1;
  e.last = now;
  return {};
}

}  // namespace portcullis::http
