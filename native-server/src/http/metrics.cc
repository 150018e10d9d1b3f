#include "http/metrics.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

namespace portcullis::http {
namespace {

// The statuses the server sends; any other is counted as "other".
constexpr std::array<int, 15> kStatuses = {200, 204, 302, 400, 401, 403, 404, 405, 413, 415, 422, 429, 499, 500, 503};
constexpr std::size_t kStatusSlots = kStatuses.size() + 1;
constexpr std::array<std::string_view, 4> kMethodNames = {"GET", "POST", "OPTIONS", "other"};
// Seconds: from a cached get-session (well under a millisecond) to a hash that waited its turn.
constexpr std::array<double, 12> kBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                            0.05,   0.1,   0.25,   0.5,   1,     5};
constexpr std::size_t kLatencySlots = kBounds.size() + 2;  // buckets, count, sum (microseconds)

std::size_t method_index(std::string_view method) {
  for (std::size_t i = 0; i + 1 < kMethodNames.size(); ++i) {
    if (kMethodNames[i] == method) return i;
  }
  return kMethodNames.size() - 1;
}

std::size_t status_index(int status) {
  for (std::size_t i = 0; i < kStatuses.size(); ++i) {
    if (kStatuses[i] == status) return i;
  }
  return kStatuses.size();
}

// A number as Prometheus reads it ("0.0005", "5", "12.345678").
std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", value);
  return text;
}

}  // namespace

Metrics::Metrics(const std::vector<std::string>& routes, std::string version, double start_unix_seconds)
    : labels_(routes), version_(std::move(version)), start_(start_unix_seconds) {
  static_assert(kBuckets == kBounds.size());
  static_assert(kMethods == kMethodNames.size());
  labels_.emplace_back("other");
  for (std::size_t i = 0; i + 1 < labels_.size(); ++i) index_.emplace(labels_[i], i);
  requests_ = std::make_unique<std::atomic<std::uint64_t>[]>(labels_.size() * kMethods * kStatusSlots);
  latency_ = std::make_unique<std::atomic<std::uint64_t>[]>(labels_.size() * kLatencySlots);
}

void Metrics::add_value(std::string name, std::string help, bool counter, std::function<double()> read) {
  values_.push_back(Value{std::move(name), std::move(help), counter, std::move(read)});
}

std::size_t Metrics::route_index(std::string_view route) const {
  const auto it = index_.find(route);
  return it == index_.end() ? labels_.size() - 1 : it->second;
}

void Metrics::record(std::size_t route, std::string_view method, int status, double seconds) {
  if (route >= labels_.size()) route = labels_.size() - 1;
  const std::size_t slot = (route * kMethods + method_index(method)) * kStatusSlots + status_index(status);
  requests_[slot].fetch_add(1, std::memory_order_relaxed);
  std::atomic<std::uint64_t>* latency = &latency_[route * kLatencySlots];
  std::size_t bucket = 0;
  while (bucket < kBuckets && seconds > kBounds[bucket]) ++bucket;
  if (bucket < kBuckets) latency[bucket].fetch_add(1, std::memory_order_relaxed);
  latency[kBuckets].fetch_add(1, std::memory_order_relaxed);
  const double micros = seconds > 0 ? std::round(seconds * 1e6) : 0;
  latency[kBuckets + 1].fetch_add(static_cast<std::uint64_t>(micros), std::memory_order_relaxed);
}

std::string Metrics::render() const {
  std::string out;
  out += "# HELP portcullis_build_info The server's version.\n# TYPE portcullis_build_info gauge\n";
  out += "portcullis_build_info{version=\"" + version_ + "\"} 1\n";
  out += "# HELP process_start_time_seconds When the server started, in seconds since the epoch.\n";
  out += "# TYPE process_start_time_seconds gauge\n";
  out += "process_start_time_seconds " + number(start_) + "\n";
  for (const Value& v : values_) {
    out += "# HELP " + v.name + " " + v.help + "\n# TYPE " + v.name + (v.counter ? " counter\n" : " gauge\n");
    out += v.name + " " + number(v.read()) + "\n";
  }

  out += "# HELP portcullis_http_requests_total Requests answered, by route, method and status.\n";
  out += "# TYPE portcullis_http_requests_total counter\n";
  for (std::size_t route = 0; route < labels_.size(); ++route) {
    for (std::size_t method = 0; method < kMethods; ++method) {
      for (std::size_t status = 0; status < kStatusSlots; ++status) {
        const std::uint64_t n =
            requests_[(route * kMethods + method) * kStatusSlots + status].load(std::memory_order_relaxed);
        if (n == 0) continue;
        const std::string code = status < kStatuses.size() ? std::to_string(kStatuses[status]) : "other";
        out += "portcullis_http_requests_total{route=\"" + labels_[route] + "\",method=\"" +
               std::string(kMethodNames[method]) + "\",code=\"" + code + "\"} " + std::to_string(n) + "\n";
      }
    }
  }

  out += "# HELP portcullis_http_request_duration_seconds Time from a request's arrival to its answer, by route.\n";
  out += "# TYPE portcullis_http_request_duration_seconds histogram\n";
  for (std::size_t route = 0; route < labels_.size(); ++route) {
    const std::atomic<std::uint64_t>* latency = &latency_[route * kLatencySlots];
    const std::uint64_t count = latency[kBuckets].load(std::memory_order_relaxed);
    if (count == 0) continue;
    const std::string name = "portcullis_http_request_duration_seconds";
    const std::string label = "route=\"" + labels_[route] + "\"";
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < kBuckets; ++b) {
      cumulative += latency[b].load(std::memory_order_relaxed);
      out += name + "_bucket{" + label + ",le=\"" + number(kBounds[b]) + "\"} " + std::to_string(cumulative) + "\n";
    }
    // Read after the buckets, so that +Inf is never below the last bucket while requests count.
    const std::uint64_t total = std::max(count, cumulative);
    out += name + "_bucket{" + label + ",le=\"+Inf\"} " + std::to_string(total) + "\n";
    out += name + "_sum{" + label + "} " +
           number(static_cast<double>(latency[kBuckets + 1].load(std::memory_order_relaxed)) / 1e6) + "\n";
    out += name + "_count{" + label + "} " + std::to_string(total) + "\n";
  }
  return out;
}

}  // namespace portcullis::http
