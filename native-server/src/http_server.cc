#include "http_server.h"

#include <httplib.h>

#include <nlohmann/json.hpp>

namespace portcullis::server {

struct HttpServer::Impl {
  ServerOptions options;
  httplib::Server http;
  bool bound = false;
};

namespace {

void send_json(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

}  // namespace

HttpServer::HttpServer(ServerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  httplib::Server& http = impl_->http;
  const int threads = impl_->options.threads;
  // cpp-httplib takes ownership of the queue it is handed (its API is a raw pointer).
  http.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  // cpp-httplib's defaults cost two orders of magnitude: Nagle's algorithm stalls small responses
  // by 40 ms, and keep-alive connections are closed after 5 requests.
  http.set_tcp_nodelay(true);
  http.set_keep_alive_max_count(100000);
  http.set_keep_alive_timeout(30);

  const std::string& base = impl_->options.base_path;
  http.Get(base + "/ok", [](const httplib::Request&, httplib::Response& res) {
    send_json(res, 200, {{"ok", true}});
  });
  // BetterAuth answers unknown paths and wrong methods with 404 and an empty body.
  http.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.status == 404) res.body.clear();
  });
}

HttpServer::~HttpServer() = default;

int HttpServer::bind() {
  const auto& o = impl_->options;
  const int port = o.port == 0 ? impl_->http.bind_to_any_port(o.host)
                               : (impl_->http.bind_to_port(o.host, o.port) ? o.port : -1);
  impl_->bound = port > 0;
  return port;
}

bool HttpServer::listen() { return impl_->bound && impl_->http.listen_after_bind(); }

void HttpServer::stop() { impl_->http.stop(); }

}  // namespace portcullis::server
