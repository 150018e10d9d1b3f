#include "http/buffered_server.h"

#include <netdb.h>
#include <poll.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/client_connection.h"
#include "common/scheduling.h"
#include "common/waiting.h"

namespace portcullis::http {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kReadChunk = 16 * 1024;
// Pending output beyond this is sent before more is collected (a large static file).
constexpr std::size_t kFlushThreshold = 64 * 1024;
// A read that waits, and a loop with nothing to do, look at the server's state this often
// (stop() waits for them at most this).
constexpr int kIdleSliceMs = 100;
// Events a loop takes from epoll at once.
constexpr int kBatch = 64;
// How often a loop closes the connections idle beyond the keep-alive timeout.
constexpr std::chrono::seconds kSweepInterval(1);

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

void set_timeout(socket_t sock, int option, time_t sec, time_t usec) {
  timeval tv{};
  tv.tv_sec = sec;
  tv.tv_usec = static_cast<suseconds_t>(usec);
  setsockopt(sock, SOL_SOCKET, option, &tv, sizeof tv);
}

int to_ms(time_t sec, time_t usec) { return static_cast<int>(sec * 1000 + usec / 1000); }

// A file descriptor, closed with it.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// cpp-httplib hands each accepted socket to a task queue; taking it into a loop is quick, so it
// is done at once, on the accepting thread.
class InlineQueue final : public httplib::TaskQueue {
 public:
  void enqueue(std::function<void()> fn) override { fn(); }
  void shutdown() override {}
};

// One connection's stream: input read in chunks into a buffer kept across requests; output
// collected until flush(). Before it blocks for input, it sends what is pending, so an interim
// response (100 Continue) reaches the client before the server waits for the body.
//
// Reads and writes are tried without blocking first. When one would block, the thread tells its
// loop (about_to_wait()) and then blocks: a recv() with SO_RCVTIMEO at one idle slice, repeated
// until the input comes, the wait's limit passes or the server stops; a send() bounded by
// SO_SNDTIMEO.
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

  // Sends what is pending with as few send() calls as the kernel allows (SO_SNDTIMEO bounds each
  // one that blocks). Returns false, and fails every later write, if the peer is gone or stalled.
  bool flush() {
    std::size_t sent = 0;
    int flags = MSG_NOSIGNAL | MSG_DONTWAIT;
    while (!failed_ && sent < out_.size()) {
      const ssize_t n = send(sock_, out_.data() + sent, out_.size() - sent, flags);
      if (n > 0) {
        sent += static_cast<std::size_t>(n);
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && (flags & MSG_DONTWAIT) != 0) {
        about_to_wait();  // the client's window is full: from now on, wait for it
        flags = MSG_NOSIGNAL;
      } else {
        failed_ = true;
      }
    }
    out_.clear();
    return !failed_;
  }

  bool buffered() const { return in_pos_ < in_end_; }

  enum class Input { kData, kNone, kClosed };

  // Reads what has arrived into the (consumed) buffer, without waiting. Returns kData if it read
  // something, kNone if nothing was there, kClosed if the peer closed or the socket failed.
  Input read_now() {
    in_pos_ = in_end_ = 0;
    for (;;) {
      const ssize_t n = recv(sock_, in_->data(), in_->size(), MSG_DONTWAIT);
      if (n > 0) {
        in_end_ = static_cast<std::size_t>(n);
        return Input::kData;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return Input::kNone;
      return Input::kClosed;
    }
  }

  // Reads what arrives into the (consumed) buffer, waiting up to about `limit`. Returns the bytes
  // read, 0 if the peer closed, -1 on an error, after `limit`, or once the server stops.
  ssize_t fill(std::chrono::milliseconds limit) {
    in_pos_ = in_end_ = 0;
    Clock::time_point deadline{};
    int flags = MSG_DONTWAIT;
    for (;;) {
      const ssize_t n = recv(sock_, in_->data(), in_->size(), flags);
      if (n > 0) {
        in_end_ = static_cast<std::size_t>(n);
        return n;
      }
      if (n == 0) return 0;
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return fail_read();
      if (flags != 0) {
        // Nothing there yet: from now on, block (one idle slice at a time).
        about_to_wait();
        flags = 0;
        continue;
      }
      // An idle slice without input (the clock is read only now: input that is there at once,
      // the usual case, never reads it).
      if (listening_ == INVALID_SOCKET) return fail_read();
      const auto now = Clock::now();
      if (deadline == Clock::time_point{}) deadline = now + limit - std::chrono::milliseconds(kIdleSliceMs);
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
      r = poll(&p, 1, 0);
    } while (r < 0 && errno == EINTR);
    if (r > 0) return true;
    about_to_wait();
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

// An open connection. Closed (shut down both ways) when destroyed.
struct Connection {
  Connection(socket_t s, int read_timeout_ms, const std::atomic<socket_t>& listening, std::size_t requests)
      : sock(s), stream(s, read_timeout_ms, listening), left(std::max<std::size_t>(requests, 1)) {}
  ~Connection() {
    shutdown(sock, SHUT_RDWR);
    close(sock);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  const socket_t sock;
  ConnectionStream stream;
  std::size_t left;  // requests it may still make
  // Guarded by the loop's mutex. A connection is in service from the loop's taking it (its
  // input came) until it is put back (armed in epoll again); only one thread serves it meanwhile.
  bool in_service = false;
  Clock::time_point idle_since = Clock::now();
};

// One event loop: an epoll set of connections, led by one thread at a time.
struct Loop {
  Loop() : epoll(epoll_create1(EPOLL_CLOEXEC)), wake(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

  Fd epoll;
  Fd wake;  // written to wake the leading thread up (the server stops)

  std::mutex mu;  // guards `connections` and each one's in_service and idle_since
  std::unordered_map<const Connection*, std::unique_ptr<Connection>> connections;

  // The leading thread's alone: the events of the last epoll_wait() and how far it got through
  // them. A hand-off passes them on with the lead.
  std::array<epoll_event, kBatch> batch{};
  int size = 0;
  int next = 0;
  Clock::time_point next_sweep{};
};

// The loop the calling thread leads, if any.
thread_local Loop* t_leading = nullptr;

}  // namespace

struct BufferedServer::Loops {
  Loops(BufferedServer& s, std::size_t loop_count, std::size_t thread_limit)
      : server(s), max_threads(std::max(thread_limit, loop_count)) {
    for (std::size_t i = 0; i < loop_count; ++i) loops.push_back(std::make_unique<Loop>());
  }

  // Sets the loops up and starts a thread to lead each. Returns false if the system refuses.
  bool start() {
    for (const auto& loop : loops) {
      if (loop->epoll.get() < 0 || loop->wake.get() < 0) return false;
      epoll_event event{};
      event.events = EPOLLIN;
      event.data.ptr = nullptr;
      if (epoll_ctl(loop->epoll.get(), EPOLL_CTL_ADD, loop->wake.get(), &event) != 0) return false;
    }
    const std::lock_guard lock(mu);
    try {
      for (const auto& loop : loops) threads.emplace_back([this, l = loop.get()] { run(l); });
    } catch (const std::system_error&) {
      return false;
    }
    return true;
  }

  // Stops every thread (each finishes the request it serves), joins them and closes every
  // connection.
  void stop() {
    {
      const std::lock_guard lock(mu);
      stopping = true;
    }
    stop_flag = true;
    cv.notify_all();
    for (const auto& loop : loops) {
      const std::uint64_t one = 1;
      (void)!write(loop->wake.get(), &one, sizeof one);
    }
    std::vector<std::thread> all;
    {
      const std::lock_guard lock(mu);
      all.swap(threads);  // no thread starts once `stopping` is set
    }
    for (std::thread& t : all) t.join();
    for (const auto& loop : loops) {
      const std::lock_guard lock(loop->mu);
      loop->connections.clear();
    }
  }

  bool stopped() const { return stop_flag || server.svr_sock_ == INVALID_SOCKET; }

  // Takes an accepted socket into the next loop. Returns false (the socket closed) if the server
  // stops or epoll refuses it.
  bool add(socket_t sock) {
    if (stopped()) {
      shutdown(sock, SHUT_RDWR);
      close(sock);
      return false;
    }
    // A blocking read or write waits one idle slice at a time (ConnectionStream::fill() repeats
    // it), and a blocking send() at most the write timeout.
    set_timeout(sock, SO_RCVTIMEO, 0, kIdleSliceMs * 1000);
    set_timeout(sock, SO_SNDTIMEO, server.write_timeout_sec_, server.write_timeout_usec_);
    auto owned = std::make_unique<Connection>(sock, to_ms(server.read_timeout_sec_, server.read_timeout_usec_),
                                              server.svr_sock_, server.keep_alive_max_count_);
    Connection* conn = owned.get();
    Loop& loop = *loops[next_loop.fetch_add(1, std::memory_order_relaxed) % loops.size()];
    const std::lock_guard lock(loop.mu);
    loop.connections.emplace(conn, std::move(owned));
    epoll_event event{};
    event.events = EPOLLIN | EPOLLONESHOT;
    event.data.ptr = conn;
    if (epoll_ctl(loop.epoll.get(), EPOLL_CTL_ADD, sock, &event) != 0) {
      loop.connections.erase(conn);
      return false;
    }
    return true;
  }

  static void hand_off_hook(void* self) { static_cast<Loops*>(self)->hand_off(); }

  // The calling thread is about to wait. If it leads a loop, passes the lead (with the rest of
  // the loop's batch of events) to an idle thread, or to a new one below max_threads; at the
  // limit, or once the server stops, it keeps the lead and the loop waits with it.
  void hand_off() {
    Loop* const loop = t_leading;
    if (loop == nullptr) return;
    const std::lock_guard lock(mu);
    if (stopping) return;
    if (idle > leaderless.size()) {
      leaderless.push_back(loop);
      cv.notify_one();
    } else if (threads.size() < max_threads) {
      try {
        threads.emplace_back([this, loop] { run(loop); });
      } catch (const std::system_error&) {
        return;
      }
    } else {
      return;
    }
    t_leading = nullptr;
  }

  // A server thread: leads `first`, then, whenever it has handed its loop off and finished its
  // request, waits to lead whichever loop needs a thread next. Returns once the server stops.
  void run(Loop* first) {
    // Short slices for request work (common/scheduling.h).
    (void)set_thread_scheduling(SCHED_OTHER, std::chrono::microseconds(100));
    const WaitHook hook(&Loops::hand_off_hook, this);
    Loop* loop = first;
    for (;;) {
      if (loop == nullptr) {
        std::unique_lock lock(mu);
        ++idle;
        cv.wait(lock, [this] { return stopping || !leaderless.empty(); });
        --idle;
        if (stopping) return;
        loop = leaderless.front();
        leaderless.pop_front();
      }
      lead(*loop);
      if (stopped()) return;
      loop = nullptr;
    }
  }

  // Serves the loop's connections as their input comes, until this thread hands the loop off (and
  // has finished the request it was serving) or the server stops.
  void lead(Loop& loop) {
    t_leading = &loop;
    while (t_leading == &loop && !stopped()) {
      if (loop.next == loop.size) {
        const auto now = Clock::now();
        if (now >= loop.next_sweep) {
          sweep(loop, now);
          loop.next_sweep = now + kSweepInterval;
        }
        const int n = epoll_wait(loop.epoll.get(), loop.batch.data(), kBatch, kIdleSliceMs);
        loop.size = std::max(n, 0);  // EINTR: nothing
        loop.next = 0;
        continue;
      }
      const epoll_event event = loop.batch[static_cast<std::size_t>(loop.next++)];
      if (event.data.ptr == nullptr) {
        std::uint64_t count;
        (void)!read(loop.wake.get(), &count, sizeof count);
        continue;
      }
      serve(loop, *static_cast<Connection*>(event.data.ptr));
    }
    if (t_leading == &loop) t_leading = nullptr;
  }

  // Serves a connection whose input came: its requests, as long as they are there, then puts it
  // back into the loop (or closes it). Runs on the loop's thread, which may hand the loop off
  // meanwhile and finish here as a plain thread.
  void serve(Loop& loop, Connection& conn) {
    {
      const std::lock_guard lock(loop.mu);
      conn.in_service = true;
    }
    switch (conn.stream.read_now()) {
      case ConnectionStream::Input::kNone:
        return rearm(loop, conn);
      case ConnectionStream::Input::kClosed:
        return close_connection(loop, conn);
      case ConnectionStream::Input::kData:
        break;
    }
    for (;;) {
      bool closed = false;
      bool ok;
      {
        // Work queued for a request (a hash) is dropped if this client leaves (hash_pool.h).
        const ServingClient serving(conn.sock);
        ok = server.process_request(conn.stream, /*close_connection=*/conn.left == 1, closed, nullptr);
      }
      --conn.left;
      if (!conn.stream.flush()) ok = false;
      if (!ok || closed || conn.stream.read_failed() || conn.left == 0 || stopped()) {
        return close_connection(loop, conn);
      }
      if (!conn.stream.buffered()) break;  // a pipelined request is served at once
    }
    rearm(loop, conn);
  }

  // Puts a connection back into its loop, to wait there for its next request. The last the
  // serving thread does with it: the loop's thread may take it up at once.
  static void rearm(Loop& loop, Connection& conn) {
    const std::lock_guard lock(loop.mu);
    conn.in_service = false;
    conn.idle_since = Clock::now();
    epoll_event event{};
    event.events = EPOLLIN | EPOLLONESHOT;
    event.data.ptr = &conn;
    // On failure it stays out of epoll, idle: the sweep closes it after the keep-alive timeout.
    (void)epoll_ctl(loop.epoll.get(), EPOLL_CTL_MOD, conn.sock, &event);
  }

  static void close_connection(Loop& loop, Connection& conn) {
    decltype(loop.connections)::node_type gone;
    {
      const std::lock_guard lock(loop.mu);
      gone = loop.connections.extract(&conn);
    }
  }  // closed here, outside the lock

  // Closes the connections that have waited for a request longer than the keep-alive timeout.
  // Called by the leading thread between batches, so no event of the batch names them.
  void sweep(Loop& loop, Clock::time_point now) {
    const auto limit = std::chrono::seconds(server.keep_alive_timeout_sec_);
    std::vector<std::unique_ptr<Connection>> gone;
    {
      const std::lock_guard lock(loop.mu);
      for (auto it = loop.connections.begin(); it != loop.connections.end();) {
        if (!it->second->in_service && now - it->second->idle_since > limit) {
          gone.push_back(std::move(it->second));
          it = loop.connections.erase(it);
        } else {
          ++it;
        }
      }
    }
  }

  BufferedServer& server;
  std::vector<std::unique_ptr<Loop>> loops;
  std::atomic<std::size_t> next_loop{0};
  const std::size_t max_threads;
  std::atomic<bool> stop_flag{false};

  std::mutex mu;  // guards what follows
  std::condition_variable cv;
  std::deque<Loop*> leaderless;  // loops handed off, waiting for an idle thread
  std::size_t idle = 0;          // threads waiting to lead
  bool stopping = false;
  std::vector<std::thread> threads;
};

BufferedServer::BufferedServer() {
  // cpp-httplib takes ownership of the queue it is handed (its API is a raw pointer).
  new_task_queue = [] { return new InlineQueue; };
}

BufferedServer::~BufferedServer() = default;

bool BufferedServer::set_backlog(int backlog) {
  // Linux lets listen() on a listening socket change its backlog.
  const socket_t sock = svr_sock_;
  return sock != INVALID_SOCKET && ::listen(sock, backlog) == 0;
}

bool BufferedServer::serve(std::size_t max_threads) {
  if (svr_sock_ == INVALID_SOCKET || loops_ != nullptr) return false;
  const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
  loops_ = std::make_unique<Loops>(*this, cores, max_threads);
  bool ok = loops_->start();
  if (ok) ok = listen_after_bind();
  loops_->stop();
  return ok;
}

bool BufferedServer::process_and_close_socket(socket_t sock) {
  if (loops_ == nullptr) {
    shutdown(sock, SHUT_RDWR);
    close(sock);
    return false;
  }
  return loops_->add(sock);
}

}  // namespace portcullis::http
