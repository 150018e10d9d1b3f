// Portcullis server: cpp-httplib's server with an epoll set in place of a thread per connection.
//
// cpp-httplib (Debian's 0.11) parses requests and routes them well, but serves each connection on
// a thread of its own for as long as it stays open: with 64 keep-alive clients, 64 threads on two
// cores, and every request costs a thread's sleep and wake-up. Its loop also polls the socket
// before every read and write, and sends a response's head and body as two TCP segments.
//
// BufferedServer keeps everything of httplib::Server (routes, handlers, limits, parsing: it calls
// httplib's own process_request()) and replaces only the connection handling:
//   - Open connections wait in one epoll set. Two polling threads per core wait on it; each takes
//     one connection whose input came and serves its requests itself: get-session from the
//     session cache never waits, and under load a poller goes from one connection to the next
//     without sleeping. Requests that come together wake as many pollers, on every core.
//   - A request that is about to wait (a password hash, the database, a client slow to send: code
//     that calls about_to_wait(), common/waiting.h) first hands its polling to another thread (an
//     idle one, or a new one), so the number of pollers stays. The waiting thread finishes its
//     request, puts the connection back into the set and stays for the next hand-off. At most
//     `max_threads` threads exist; when all are taken, a poller waits with its request.
//   - A connection reads into a buffer kept across its requests, collects each response in memory
//     and sends it with one send() (or when 64 KiB are pending, for large static files).
// The read and write timeouts, the keep-alive timeout and the maximum request count set on
// httplib::Server keep their meanings: an idle connection is closed after the keep-alive timeout
// (looked at every second), a request whose read timed out closes its connection. The threads ask
// the scheduler for short time slices (common/scheduling.h), so requests preempt hashes.

#ifndef PORTCULLIS_HTTP_BUFFERED_SERVER_H_
#define PORTCULLIS_HTTP_BUFFERED_SERVER_H_

#include <httplib.h>

#include <cstddef>
#include <memory>

namespace portcullis::http {

class BufferedServer : public httplib::Server {
 public:
  BufferedServer();
  ~BufferedServer() override;

  // Sets how many connections the kernel may complete and queue for accept() on the bound socket.
  // httplib listens with a backlog of 5: a burst of new connections (64 clients connecting at
  // once) overflows it, and the kernel drops their handshakes, which the clients retry only 200 ms
  // to seconds later. Call after bind_to_port() or bind_to_any_port(). Returns false if it is not
  // bound or listen() fails.
  bool set_backlog(int backlog);

  // Serves on the bound socket until stop(): starts two polling threads per core and lets at most
  // `max_threads` threads (at least the pollers' count) serve requests, the pollers included.
  // Returns once every connection is closed and those threads are joined. Returns false if the
  // server was not bound, or its epoll set or threads cannot be created.
  bool serve(std::size_t max_threads);

 private:
  struct Pollers;

  // Takes an accepted connection into the epoll set (it is closed at once if the server does not
  // serve). Called by httplib::Server on its accepting thread, through the task queue this class
  // installs.
  bool process_and_close_socket(socket_t sock) override;

  std::unique_ptr<Pollers> pollers_;
};

}  // namespace portcullis::http

#endif  // PORTCULLIS_HTTP_BUFFERED_SERVER_H_
