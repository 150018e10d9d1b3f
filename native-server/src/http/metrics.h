// Portcullis server: request counts and latencies, for Prometheus (--metrics).
//
// Every request is counted by route, method and status, and its duration goes into a histogram
// per route. Labels come from fixed sets (the routes the server answers, four methods, the
// statuses it sends), never from what a client sent, so a client cannot grow the output: a path
// the server does not answer is route "other". Counting is a few relaxed atomic increments on the
// request's thread; render() reads them without stopping the counting.

#ifndef PORTCULLIS_HTTP_METRICS_H_
#define PORTCULLIS_HTTP_METRICS_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace portcullis::http {

class Metrics {
 public:
  // `routes`: the labels a request can carry (e.g. "/sign-in/email"), besides "other".
  // `version`: the server's, for portcullis_build_info. `start_unix_seconds`: when it started.
  Metrics(const std::vector<std::string>& routes, std::string version, double start_unix_seconds);
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // The index of `route`'s label, or of "other" when it is not one of the routes.
  std::size_t route_index(std::string_view route) const;

  // Counts one request: its route's index (route_index()), its method ("GET", "POST", "OPTIONS";
  // any other counts as "other"), the status it was answered with, and how long it took.
  void record(std::size_t route, std::string_view method, int status, double seconds);

  // Adds a metric without labels whose value `read` gives at each render(): a gauge (`counter`
  // false) or a counter. `name` and `help` are fixed text. Call before serving.
  void add_value(std::string name, std::string help, bool counter, std::function<double()> read);

  // Everything counted so far, in Prometheus's text exposition format (version 0.0.4): only the
  // series that have counted something, portcullis_build_info, process_start_time_seconds and the
  // add_value() metrics.
  std::string render() const;

 private:
  static constexpr std::size_t kMethods = 4;
  static constexpr std::size_t kBuckets = 12;  // finite upper bounds; +Inf is the count

  struct Value {
    std::string name, help;
    bool counter;
    std::function<double()> read;
  };
  std::vector<Value> values_;
  std::vector<std::string> labels_;  // the routes, then "other"
  // Looked up by string_view, without making a string per request.
  struct RouteHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::size_t, RouteHash, std::equal_to<>> index_;
  std::string version_;
  double start_;
  // requests_[(route * kMethods + method) * statuses + status]
  std::unique_ptr<std::atomic<std::uint64_t>[]> requests_;
  // per route: kBuckets bucket counts (not cumulative), the count, the sum in microseconds
  std::unique_ptr<std::atomic<std::uint64_t>[]> latency_;
};

}  // namespace portcullis::http

#endif  // PORTCULLIS_HTTP_METRICS_H_
