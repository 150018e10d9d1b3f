#include "http/buffered_server.h"

#include <netdb.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <array>
#include <atomic>
#include <cstring>
#include <memory>
#include <string>

#include "common/client_connection.h"
#include "common/scheduling.h"

namespace portcullis::http {
namespace {

constexpr std::size_t kReadChunk = 16 * 1024;
// Pending output beyond this is sent before more is collected (a large static file).
constexpr std::size_t kFlushThreshold = 64 * 1024;
// An idle connection looks at the server's state this often (stop() waits for it at most this).
constexpr int kIdleSliceMs = 100;

// The numeric address and port of a socket address (as cpp-httplib reports them).
void address_of(const sockaddr_storage& addr, socklen_t len, std::string& ip, int& port) {
  port = 0;
  ip.clear();
  if (addr.ss_family == AF_INET) {
    port = ntohs(reinterpret_cast<const sockaddr_in&>(addr).sin_port);
  } else if (addr.ss_family == AF_INET6) {
    port = ntohs(reinterpret_cast<const sockaddr_in6&>(addr).sin6_port);
  } else {
    return;
  }
  char host[NI_MAXHOST];
  if (getnameinfo(reinterpret_cast<const sockaddr*>(&addr), len, host, sizeof host, nullptr, 0, NI_NUMERICHOST) ==
      0) {
    ip = host;
  }
}

// One connection's stream: input read in chunks into a buffer kept across requests; output
// collected until flush(). Before it blocks for input, it sends what is pending, so an interim
// response (100 Continue) reaches the client before the server waits for the body.
//
// Waiting for input is a blocking recv() itself, with SO_RCVTIMEO at one idle slice: no poll()
// before it (one system call fewer per request). A recv() that times out is repeated until the
// input comes, the wait's limit passes or the server stops.
class ConnectionStream final : public httplib::Stream {
 public:
  ConnectionStream(socket_t sock, int read_timeout_ms, const std::atomic<socket_t>& listening)
      : sock_(sock), read_timeout_ms_(read_timeout_ms), listening_(listening) {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (getpeername(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) address_of(addr, len, remote_ip_, remote_port_);
    len = sizeof addr;
    if (getsockname(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) address_of(addr, len, local_ip_, local_port_);
  }

  bool is_readable() const override { return buffered() || wait_readable(read_timeout_ms_); }
  bool is_writable() const override { return !failed_; }

  ssize_t read(char* ptr, size_t size) override {
    if (!buffered()) {
      if (!flush()) return -1;
      const ssize_t n = fill(std::chrono::milliseconds(read_timeout_ms_));
      if (n <= 0) return n;
    }
    const std::size_t n = std::min(size, in_end_ - in_pos_);
    std::memcpy(ptr, in_->data() + in_pos_, n);
    in_pos_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (failed_) return -1;
    out_.append(ptr, size);
    if (out_.size() >= kFlushThreshold && !flush()) return -1;
    return static_cast<ssize_t>(size);
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = remote_ip_;
    port = remote_port_;
  }

  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = local_ip_;
    port = local_port_;
  }

  socket_t socket() const override { return sock_; }

  // Sends what is pending with as few send() calls as the kernel allows (SO_SNDTIMEO bounds each).
  // Returns false, and fails every later write, if the peer is gone or stalled.
  bool flush() {
    std::size_t sent = 0;
    while (!failed_ && sent < out_.size()) {
      const ssize_t n = send(sock_, out_.data() + sent, out_.size() - sent, MSG_NOSIGNAL);
      if (n > 0) {
        sent += static_cast<std::size_t>(n);
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else {
        failed_ = true;
      }
    }
    out_.clear();
    return !failed_;
  }

  bool buffered() const { return in_pos_ < in_end_; }

  // Reads what arrives into the (consumed) buffer, waiting up to about `limit`. Returns the bytes
  // read, 0 if the peer closed, -1 on an error, after `limit`, or once the server stops.
  ssize_t fill(std::chrono::milliseconds limit) {
    in_pos_ = in_end_ = 0;
    std::chrono::steady_clock::time_point deadline{};
    for (;;) {
      const ssize_t n = recv(sock_, in_->data(), in_->size(), 0);
      if (n > 0) {
        in_end_ = static_cast<std::size_t>(n);
        return n;
      }
      if (n == 0) return 0;
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return fail_read();
      // An idle slice without input (the clock is read only now: a request that is there at once,
      // the usual case, never reads it).
      if (listening_ == INVALID_SOCKET) return fail_read();
      const auto now = std::chrono::steady_clock::now();
      if (deadline == std::chrono::steady_clock::time_point{}) {
        deadline = now + limit - std::chrono::milliseconds(kIdleSliceMs);
      }
      if (now >= deadline) return fail_read();
    }
  }

  // Whether a read failed or timed out: the connection is unusable, whatever the request's
  // handling answered (cpp-httplib answers 400 to a request whose headers never came in whole,
  // and would keep the connection for another request).
  bool read_failed() const { return read_failed_; }

  // Waits up to `ms` for input (or the peer closing). Returns true if a read would not block.
  bool wait_readable(int ms) const {
    pollfd p{sock_, POLLIN, 0};
    int r;
    do {
      r = poll(&p, 1, ms);
    } while (r < 0 && errno == EINTR);
    return r > 0;
  }

 private:
  ssize_t fail_read() {
    read_failed_ = true;
    return -1;
  }

  socket_t sock_;
  int read_timeout_ms_;
  const std::atomic<socket_t>& listening_;  // the server's listening socket: INVALID_SOCKET once it stops
  std::unique_ptr<std::array<char, kReadChunk>> in_ = std::make_unique<std::array<char, kReadChunk>>();
  std::size_t in_pos_ = 0;  // the unread input is in_[in_pos_, in_end_)
  std::size_t in_end_ = 0;
  std::string out_;
  bool failed_ = false;
  bool read_failed_ = false;
  std::string remote_ip_;
  int remote_port_ = 0;
  std::string local_ip_;
  int local_port_ = 0;
};

int to_ms(time_t sec, time_t usec) { return static_cast<int>(sec * 1000 + usec / 1000); }

void set_timeout(socket_t sock, int option, time_t sec, time_t usec) {
  timeval tv{};
  tv.tv_sec = sec;
  tv.tv_usec = static_cast<suseconds_t>(usec);
  setsockopt(sock, SOL_SOCKET, option, &tv, sizeof tv);
}

}  // namespace

bool BufferedServer::set_backlog(int backlog) {
  // Linux lets listen() on a listening socket change its backlog.
  const socket_t sock = svr_sock_;
  return sock != INVALID_SOCKET && ::listen(sock, backlog) == 0;
}

bool BufferedServer::process_and_close_socket(socket_t sock) {
  // Once per thread: short slices for request work (common/scheduling.h).
  thread_local const bool scheduled = set_thread_scheduling(SCHED_OTHER, std::chrono::microseconds(100));
  (void)scheduled;
  // Every blocking recv() waits one idle slice at most (ConnectionStream::fill() repeats it).
  set_timeout(sock, SO_RCVTIMEO, 0, kIdleSliceMs * 1000);
  set_timeout(sock, SO_SNDTIMEO, write_timeout_sec_, write_timeout_usec_);
  ConnectionStream stream(sock, to_ms(read_timeout_sec_, read_timeout_usec_), svr_sock_);

  // Waits for the next request: true when its first bytes are there; false when the peer closed,
  // after the keep-alive timeout, or once the server stops.
  const auto next_request = [&] {
    return stream.buffered() || stream.fill(std::chrono::seconds(keep_alive_timeout_sec_)) > 0;
  };

  bool ok = false;
  {
    // Work queued for a request (a hash) is dropped if this client leaves (hash_pool.h).
    const ServingClient serving(sock);
    for (std::size_t left = keep_alive_max_count_; left > 0 && svr_sock_ != INVALID_SOCKET && next_request();
         --left) {
      bool connection_closed = false;
      ok = process_request(stream, /*close_connection=*/left == 1, connection_closed, nullptr);
      if (!stream.flush()) ok = false;
      if (!ok || connection_closed || stream.read_failed()) break;
    }
  }
  shutdown(sock, SHUT_RDWR);
  close(sock);
  return ok;
}

}  // namespace portcullis::http
