// Fuzz target: the whole server, one raw HTTP request in (the fuzzer's bytes, sent as they are
// over a loopback connection): cpp-httplib's parser, the routes, the flows, SQLite. The server runs
// in this process, started once, as `portcullis serve --dev` would run it, with rate limits off
// (so that every input reaches the routes) and the access log off.
//
// The harness closes its sending side once the request is sent, which the server reads as the
// client gone: a request that has to wait for a password hash is answered 499 (as nginx does), so
// the fuzzer reaches everything up to the hash (parsing, validation, the policy), not past it.
//
// Properties (ASVS 5.4.1, 5.4.2, 5.4.3 with the sanitizers): the server answers every input with an
// HTTP response or closes the connection
// (never hangs: libFuzzer's -timeout), never crashes (the sanitizers), and after each input still
// answers GET /api/auth/ok with 200. Inputs accumulate in one database, as a real server's do.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "config.h"
#include "fuzz_check.h"
#include "http_server.h"
#include "runtime.h"

namespace {

using namespace portcullis;

// The server, for the life of the process.
class Server {
 public:
  Server() {
    char dir_template[] = "/tmp/portcullis-http-fuzz-XXXXXX";
    FUZZ_CHECK(mkdtemp(dir_template) != nullptr);
    dir_ = dir_template;
    // A breached-password list of one line (the SHA-1 of "password"): every new password that
    // passes the policy is looked up in it.
    const std::filesystem::path breached = dir_ / "pwned.txt";
    FILE* list = std::fopen(breached.c_str(), "w");
    FUZZ_CHECK(list != nullptr);
    std::fputs("5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:9659365\r\n", list);
    std::fclose(list);
    for (const auto& [flag, value] : {std::pair<const char*, std::string>{"dev", "true"},
                                      {"database", (dir_ / "fuzz.db").string()},
                                      {"port", "0"},
                                      {"hash-workers", "1"},
                                      {"trusted-origins", "http://127.0.0.1"},  // the seeds' Origin
                                      {"rate-limit", "false"},
                                      {"two-factor", "true"},  // its routes and its sign-in step
                                      {"two-factor-otp", "true"},  // and codes by e-mail, which
                                      {"mail", "outbox"},          // need mail
                                      {"mail-outbox-dir", (dir_ / "outbox").string()},
                                      {"jwt", "true"},  // /token and /jwks
                                      {"admin", "true"},  // /admin/* (their parsing precedes the session check)
                                      {"admin-impersonation", "true"},
                                      {"username", "true"},  // sign-in/username, is-username-available
                                      {"email-otp", "true"},  // /email-otp/*, sign-in/email-otp
                                      {"email-otp-change-email", "true"},  // request-email-change, change-email
                                      {"magic-link", "true"},  // sign-in/magic-link, magic-link/verify
                                      {"passkey", "true"},  // /passkey/* (webauthn_fuzz takes the responses)
                                      {"organization", "true"},  // /organization/* (bodies parsed before the session check)
                                      {"api-key", "true"},  // /api-key/*, and get-session's x-api-key
                                      {"api-key-metadata", "true"},
                                      {"breached-passwords", breached.string()},
                                      {"access-log", "false"}}) {
      FUZZ_CHECK(apply_config_flag(config_, flag, value).ok());
    }
    const Status finalized = finalize_config(config_);
    if (!finalized.ok()) std::fprintf(stderr, "%s\n", std::string(finalized.message()).c_str());
    FUZZ_CHECK(finalized.ok());
    auto runtime = open_runtime(config_, {.mail = true, .session_cache = true});
    FUZZ_CHECK(runtime.ok());
    runtime_ = std::move(runtime).value();
    http_ = std::make_unique<server::HttpServer>(config_, *runtime_.service, *runtime_.store);
    port_ = http_->bind();
    FUZZ_CHECK(port_ > 0);
    use_listening_port(config_, port_);
    http_->reload_origin();
    thread_ = std::thread([this] { http_->listen(); });
    while (!http_->is_running()) std::this_thread::yield();
  }

  ~Server() {
    http_->stop();
    thread_.join();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  // Waits until `fd` is ready for `events`; aborts after 20 s (the server's read timeout is 10 s).
  static void wait_for(int fd, short events) {
    pollfd p{fd, events, 0};
    int ready;
    do {  // (libFuzzer's timer signal interrupts it)
      ready = poll(&p, 1, 20000);
    } while (ready < 0 && errno == EINTR);
    FUZZ_CHECK(ready == 1);
  }

  // Sends `request` on a new connection, closes the sending side and returns all the server
  // sends back until it closes the connection (aborts if that takes over 20 s).
  std::string exchange(std::string_view request) const {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    FUZZ_CHECK(fd >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port_));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      // Interrupted (libFuzzer's timer signal, while the server's accept queue was full): the
      // connection goes on being made; wait for it.
      if (errno != EINTR) std::perror("connect");
      FUZZ_CHECK(errno == EINTR);
      wait_for(fd, POLLOUT);
      int error = 0;
      socklen_t size = sizeof error;
      FUZZ_CHECK(getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) == 0 && error == 0);
    }
    // The server may answer (and close) before it has read everything: stop sending then.
    for (std::size_t sent = 0; sent < request.size();) {
      const ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<std::size_t>(n);
    }
    shutdown(fd, SHUT_WR);
    std::string response;
    char buffer[4096];
    for (;;) {
      wait_for(fd, POLLIN);
      const ssize_t n = recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) break;  // closed (or reset, after an answer to a request it did not read whole)
      response.append(buffer, static_cast<std::size_t>(n));
    }
    // Closed with a reset, not a FIN: a thousand connections a second would otherwise leave their
    // ports in TIME_WAIT until none are left to connect from.
    const linger reset{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    close(fd);
    return response;
  }

 private:
  std::filesystem::path dir_;
  Config config_;
  Runtime runtime_;
  std::unique_ptr<server::HttpServer> http_;
  std::thread thread_;
  int port_ = -1;
};

const Server& server_instance() {
  static const Server server;
  return server;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Server& server = server_instance();
  const std::string response = server.exchange(as_text(data, size));
  FUZZ_CHECK(response.empty() || response.starts_with("HTTP/1.1 "));
  // PORTCULLIS_FUZZ_VERBOSE: each answer's status line and body (e.g. to check what seeds reach).
  if (std::getenv("PORTCULLIS_FUZZ_VERBOSE") != nullptr) {
    std::fprintf(stderr, "%s | %s\n", response.substr(0, response.find('\r')).c_str(),
                 response.substr(response.find("\r\n\r\n") == std::string::npos ? response.size() : response.find("\r\n\r\n") + 4, 160).c_str());
  }
  const std::string ok = server.exchange("GET /api/auth/ok HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
  FUZZ_CHECK(ok.starts_with("HTTP/1.1 200 "));
  return 0;
}
