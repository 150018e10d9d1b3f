// Portcullis server: the HTTP front (cpp-httplib).
//
// Routes live under the base path (/api/auth) with BetterAuth's paths, request fields, response
// shapes, statuses and error codes. Each handler is thin: parse, call the AuthService, serialise.
// Around them: CORS for trusted origins, the origin check on state-changing requests, the body
// limit and JSON-only rule, per-IP rate limits, and a JSON access log with a request id. Unknown
// paths and methods get BetterAuth's answer: 404 with an empty body.
//
// Thread model (http/buffered_server.h): connections wait in an epoll set, and two polling threads
// per core serve their requests as they come; a request that has to wait (a hash, the database, a
// slow client) hands its thread's polling to another thread first. `config.threads` bounds the
// threads in all, so the requests that wait at once; an idle connection is closed after
// keep_alive_timeout, a slow one after read_timeout. Password hashing never runs on these threads
// (see auth/hash_pool.h).

#ifndef PORTCULLIS_HTTP_SERVER_H_
#define PORTCULLIS_HTTP_SERVER_H_

#include <memory>
#include <string>

#include "auth/service.h"
#include "config.h"
#include "store/session_cache.h"

namespace portcullis::server {

class HttpServer {
 public:
  // `config` and `service` must outlive the server.
  HttpServer(const Config& config, auth::AuthService& service, store::Store& store);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // With config.metrics, also reports what the session cache did (hits, misses, tokens kept);
  // `counters` null: nothing. Call before bind().
  void report_session_cache(std::shared_ptr<const store::SessionCacheCounters> counters);

  // Binds to config.host:config.port (port 0 picks a free port), and with config.metrics the
  // metrics' own listener to config.metrics_host:metrics_port, which serves at once. Returns the
  // bound port, or -1 if either address cannot be bound.
  int bind();

  // The port the metrics listen on (after bind()), or -1 without config.metrics.
  int metrics_port() const;

  // Re-reads the server's own origin from the config (after use_listening_port()).
  void reload_origin();

  // Serves until stop() is called. Returns false if the server was not bound.
  bool listen();

  // Returns true once listen() has started serving, until it returns.
  bool is_running() const;

  // Stops accepting connections; listen() returns once in-flight requests are done. Safe from
  // any thread. Does nothing before listen() has started (see is_running()).
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace portcullis::server

#endif  // PORTCULLIS_HTTP_SERVER_H_
