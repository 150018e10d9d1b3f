// Portcullis server: the HTTP front (cpp-httplib).
//
// Routes live under the base path (/api/auth). Each handler is thin: parse, call the service,
// serialise. Unknown paths and methods get BetterAuth's answer: 404 with an empty body.

#ifndef PORTCULLIS_HTTP_SERVER_H_
#define PORTCULLIS_HTTP_SERVER_H_

#include <memory>
#include <string>

namespace portcullis::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 3000;
  std::string base_path = "/api/auth";
  // Worker threads serving connections. Each keep-alive connection holds a worker while it is
  // open, so this bounds the number of concurrently served connections.
  int threads = 64;
};

class HttpServer {
 public:
  explicit HttpServer(ServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds to options.host:options.port (port 0 picks a free port). Returns the bound port, or -1
  // if the address cannot be bound.
  int bind();

  // Serves until stop() is called. Returns false if the server was not bound.
  bool listen();

  // Stops accepting connections and returns once in-flight requests are done. Safe from any thread.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace portcullis::server

#endif  // PORTCULLIS_HTTP_SERVER_H_
