// Portcullis server: cpp-httplib's server with a leaner connection loop.
//
// cpp-httplib (Debian's 0.11) parses requests and routes them well, but its per-connection loop
// costs more system calls than the work of a small request: it polls the socket before every read
// and every write, checks the socket's liveness before each write, and writes a response's head
// and body with two send() calls, i.e. two TCP segments (and, with TCP_NODELAY, two wake-ups of
// the client). An idle keep-alive connection also wakes every 10 ms.
//
// BufferedServer keeps everything of httplib::Server (routes, handlers, limits, parsing: it calls
// httplib's own process_request()) and replaces only that loop: a connection reads into a buffer
// kept across its requests, collects each response in memory and sends it with one send() once
// the response is complete (or when 64 KiB are pending, for large static files), and waits for
// the next request in a blocking recv() that times out every 100 ms (to see the server stop). The
// read and write timeouts, the keep-alive timeout and the maximum request count set on
// httplib::Server keep their meanings; a request whose read timed out closes its connection. Its
// threads ask the scheduler for short time slices (common/scheduling.h), so requests preempt
// hashes.

#ifndef PORTCULLIS_HTTP_BUFFERED_SERVER_H_
#define PORTCULLIS_HTTP_BUFFERED_SERVER_H_

#include <httplib.h>

namespace portcullis::http {

class BufferedServer : public httplib::Server {
 public:
  // Sets how many connections the kernel may complete and queue for accept() on the bound socket.
  // httplib listens with a backlog of 5: a burst of new connections (64 clients connecting at
  // once) overflows it, and the kernel drops their handshakes, which the clients retry only 200 ms
  // to seconds later. Call after bind_to_port() or bind_to_any_port(). Returns false if it is not
  // bound or listen() fails.
  bool set_backlog(int backlog);

 private:
  // Serves one accepted connection until it closes, times out or the server stops; then closes it.
  // Called by httplib::Server on one of its task-queue threads.
  bool process_and_close_socket(socket_t sock) override;
};

}  // namespace portcullis::http

#endif  // PORTCULLIS_HTTP_BUFFERED_SERVER_H_
