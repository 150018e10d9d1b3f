// portcullis: the server and its command-line tools in one binary.

#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "http_server.h"

namespace {

constexpr std::string_view kUsage = R"(portcullis - BetterAuth-compatible e-mail/password auth server

Usage:
  portcullis serve [--host HOST] [--port PORT] [--threads N]
  portcullis --help | --version

Commands:
  serve     Serve the auth API under /api/auth until SIGTERM or SIGINT.

Options for serve:
  --host HOST    Address to listen on (default 127.0.0.1).
  --port PORT    Port to listen on (default 3000; 0 picks a free port).
  --threads N    Connection worker threads (default 64). Each open keep-alive connection
                 holds one, so N bounds concurrently served connections.
)";

int usage_error(const std::string& message) {
  std::cerr << "portcullis: " << message << "\n\n" << kUsage;
  return 2;
}

bool parse_int(const std::string& s, int lo, int hi, int& out) {
  char* end = nullptr;
  const long v = std::strtol(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || v < lo || v > hi) return false;
  out = static_cast<int>(v);
  return true;
}

int serve(const std::vector<std::string>& args) {
  portcullis::server::ServerOptions options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool has_value = i + 1 < args.size();
    if (a == "--host" && has_value) {
      options.host = args[++i];
    } else if (a == "--port" && has_value) {
      if (!parse_int(args[++i], 0, 65535, options.port)) return usage_error("bad --port");
    } else if (a == "--threads" && has_value) {
      if (!parse_int(args[++i], 1, 4096, options.threads)) return usage_error("bad --threads");
    } else {
      return usage_error("unknown option for serve: " + a);
    }
  }

  // Block the stop signals in every thread; one thread waits for them and stops the server,
  // which lets in-flight requests finish.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  portcullis::server::HttpServer server(options);
  const int port = server.bind();
  if (port < 0) {
    std::cerr << "portcullis: cannot listen on " << options.host << ":" << options.port << "\n";
    return 1;
  }
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    server.stop();
  });
  std::cout << R"({"msg":"listening","url":"http://)" << options.host << ":" << port
            << options.base_path << R"("})" << std::endl;
  const bool ok = server.listen();
  // listen() also returns if the socket fails; wake the waiter so it can be joined.
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  std::cout << R"({"msg":"stopped"})" << std::endl;
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    std::cout << "portcullis 0.1.0\n";
    return 0;
  }
  if (args[0] == "serve") return serve({args.begin() + 1, args.end()});
  return usage_error("unknown command: " + args[0]);
}
