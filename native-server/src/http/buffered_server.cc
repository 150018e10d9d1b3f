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
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/client_connection.h"
#include "common/fd.h"
#include "common/scheduling.h"
#include "common/waiting.h"

namespace portcullis::http {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kReadChunk = 16 * 1024;
// Pending output beyond this is sent before more is collected (a large static file).
constexpr std::size_t kFlushThreshold = 64 * 1024;
// A read that waits, and a polling thread with nothing to do, look at the server's state this
// often (stop() waits for them at most this).
constexpr int kIdleSliceMs = 100;
// Polling threads per core. Each takes one connection's event at a time, so requests that come
// together are served by as many threads, on every core: with one thread per core taking batches
// of events, get-session's p99 at a steady rate went from 0.7-0.8 to 1.7-2.4 ms while sign-ins
// kept the hash pool busy (1.0-1.4 ms with this), at the same throughput flat out.
constexpr std::size_t kPollersPerCore = 2;
// How often the connections idle beyond the keep-alive timeout are closed.
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

// cpp-httplib hands each accepted socket to a task queue; taking it into epoll is quick, so it
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
// Reads and writes are tried without blocking first. When one would block, the thread says so
// (about_to_wait()) and then blocks: a recv() with SO_RCVTIMEO at one idle slice, repeated
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
      } else if (n < 0 && would_block() && (flags & MSG_DONTWAIT) != 0) {
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
    const ssize_t n = recv_into_buffer(MSG_DONTWAIT);
    if (n > 0) return Input::kData;
    return n < 0 && would_block() ? Input::kNone : Input::kClosed;
  }

  // Reads what arrives into the (consumed) buffer, waiting up to about `limit`. Returns the bytes
  // read, 0 if the peer closed, -1 on an error, after `limit`, or once the server stops.
  ssize_t fill(std::chrono::milliseconds limit) {
    Clock::time_point deadline{};
    int flags = MSG_DONTWAIT;
    for (;;) {
      const ssize_t n = recv_into_buffer(flags);
      if (n >= 0) return n;
      if (!would_block()) return fail_read();
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
    const auto ready_within = [this](int timeout_ms) {
      pollfd p{sock_, POLLIN, 0};
      int r;
      do {
        r = poll(&p, 1, timeout_ms);
      } while (r < 0 && errno == EINTR);
      return r > 0;
    };
    if (ready_within(0)) return true;
    about_to_wait();
    return ready_within(ms);
  }

 private:
  // One recv() into the (consumed) buffer, repeated if a signal interrupts it. Returns what recv()
  // returned; on -1, errno says why.
  ssize_t recv_into_buffer(int flags) {
    in_pos_ = in_end_ = 0;
    ssize_t n;
    do {
      n = recv(sock_, in_->data(), in_->size(), flags);
    } while (n < 0 && errno == EINTR);
    if (n > 0) in_end_ = static_cast<std::size_t>(n);
    return n;
  }

  // Whether the last failed call only found nothing to do yet (a non-blocking one, or a blocking
  // one whose SO_RCVTIMEO / SO_SNDTIMEO passed).
  static bool would_block() { return errno == EAGAIN || errno == EWOULDBLOCK; }

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
  Connection(socket_t s, std::uint64_t key, int read_timeout_ms, const std::atomic<socket_t>& listening,
             std::size_t requests)
      : sock(s), id(key), stream(s, read_timeout_ms, listening), left(std::max<std::size_t>(requests, 1)) {}
  ~Connection() {
    shutdown(sock, SHUT_RDWR);
    close(sock);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  const socket_t sock;
  const std::uint64_t id;  // its key in Pollers::connections, and its epoll events' data (never reused)
  ConnectionStream stream;
  std::size_t left;  // requests it may still make
  // Guarded by Pollers::conn_mu. A connection is in service from a thread's taking its event
  // (its input came) until it is put back (armed in epoll again); one thread serves it meanwhile.
  bool in_service = false;
  Clock::time_point idle_since = Clock::now();
};

// Whether the calling thread is one of the polling threads.
thread_local bool t_polling = false;

}  // namespace

struct BufferedServer::Pollers {
  Pollers(BufferedServer& s, std::size_t poller_count, std::size_t thread_limit)
      : server(s),
        epoll(epoll_create1(EPOLL_CLOEXEC)),
        wake(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
        pollers(poller_count),
        max_threads(std::max(thread_limit, poller_count)) {}

  // Sets the epoll set up and starts the polling threads. Returns false if the system refuses.
  bool start() {
    if (epoll.get() < 0 || wake.get() < 0) return false;
    epoll_event event{};
    event.events = EPOLLIN;  // level-triggered and never read: once written, every poller sees it
    event.data.u64 = kWakeId;
    if (epoll_ctl(epoll.get(), EPOLL_CTL_ADD, wake.get(), &event) != 0) return false;
    const std::lock_guard lock(mu);
    try {
      for (std::size_t i = 0; i < pollers; ++i) threads.emplace_back([this] { run(/*polling=*/true); });
    } catch (const std::system_error&) {
      return false;
    }
    return true;
  }

  // Stops every thread (each finishes the request it serves), joins them and closes every
  // connection.
  void stop() {
    {
      const std::lock_guard lock(mu);  // so that no idle thread misses it between test and wait
      stopping = true;
    }
    cv.notify_all();
    const std::uint64_t one = 1;
    (void)!write(wake.get(), &one, sizeof one);
    std::vector<std::thread> all;
    {
      const std::lock_guard lock(mu);
      all.swap(threads);  // no thread starts once `stopping` is set (hand_off() looks under `mu`)
    }
    for (std::thread& t : all) t.join();
    const std::lock_guard lock(conn_mu);
    connections.clear();
  }

  bool stopped() const { return stopping || server.svr_sock_ == INVALID_SOCKET; }

  // Takes an accepted socket into the epoll set. Returns false (the socket closed) if the server
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
    const std::lock_guard lock(conn_mu);
    const std::uint64_t id = next_id++;
    auto [it, inserted] = connections.emplace(
        id, std::make_unique<Connection>(sock, id, to_ms(server.read_timeout_sec_, server.read_timeout_usec_),
                                         server.svr_sock_, server.keep_alive_max_count_));
    epoll_event event{};
    event.events = EPOLLIN | EPOLLONESHOT;
    event.data.u64 = id;
    if (!inserted || epoll_ctl(epoll.get(), EPOLL_CTL_ADD, sock, &event) != 0) {
      connections.erase(it);
      return false;
    }
    return true;
  }

  static void hand_off_hook(void* self) { static_cast<Pollers*>(self)->hand_off(); }

  // The calling thread is about to wait. If it polls, passes its polling to an idle thread, or to
  // a new one below max_threads; at the limit, or once the server stops, it keeps polling (one
  // poller fewer while it waits).
  void hand_off() {
    if (!t_polling) return;
    const std::lock_guard lock(mu);
    if (stopping) return;
    if (idle > unmanned) {
      ++unmanned;
      cv.notify_one();
    } else if (threads.size() < max_threads) {
      try {
        threads.emplace_back([this] { run(/*polling=*/true); });
      } catch (const std::system_error&) {
        return;
      }
    } else {
      return;
    }
    t_polling = false;
  }

  // A server thread: polls, then, whenever it has handed its polling off and finished its
  // request, waits until polling needs a thread again. Returns once the server stops.
  void run(bool polling) {
    // Short slices for request work (common/scheduling.h).
    (void)set_thread_scheduling(SCHED_OTHER, std::chrono::microseconds(100));
    const WaitHook hook(&Pollers::hand_off_hook, this);
    for (;;) {
      if (!polling) {
        std::unique_lock lock(mu);
        ++idle;
        cv.wait(lock, [this] { return stopping || unmanned > 0; });
        --idle;
        if (stopping) return;
        --unmanned;
      }
      poll();
      if (stopped()) return;
      polling = false;
    }
  }

  // Serves connections as their input comes, one at a time, until this thread hands its polling
  // off (and has finished the request it was serving) or the server stops.
  void poll() {
    t_polling = true;
    while (t_polling && !stopped()) {
      sweep_if_due();
      epoll_event event{};
      if (epoll_wait(epoll.get(), &event, 1, kIdleSliceMs) != 1) continue;  // nothing, or EINTR
      const std::uint64_t id = event.data.u64;
      if (id == kWakeId) continue;  // the server stops
      Connection* conn = nullptr;
      {
        const std::lock_guard lock(conn_mu);
        const auto it = connections.find(id);
        if (it == connections.end()) continue;  // closed by the sweep since epoll reported it
        conn = it->second.get();
        conn->in_service = true;
      }
      serve(*conn);
    }
    t_polling = false;
  }

  // Serves a connection whose input came: its requests, as long as they are there, then puts it
  // back into the epoll set (or closes it). The thread may hand its polling off meanwhile and
  // finish here as a plain thread.
  void serve(Connection& conn) {
    switch (conn.stream.read_now()) {
      case ConnectionStream::Input::kNone:
        return rearm(conn);
      case ConnectionStream::Input::kClosed:
        return close_connection(conn);
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
      if (!ok || closed || conn.stream.read_failed() || conn.left == 0 || stopped()) return close_connection(conn);
      if (!conn.stream.buffered()) break;  // a pipelined request is served at once
    }
    rearm(conn);
  }

  // Puts a connection back into the epoll set, to wait there for its next request. The last the
  // serving thread does with it: another thread may take it up at once.
  void rearm(Connection& conn) {
    const std::lock_guard lock(conn_mu);
    conn.in_service = false;
    conn.idle_since = Clock::now();
    epoll_event event{};
    event.events = EPOLLIN | EPOLLONESHOT;
    event.data.u64 = conn.id;
    // On failure it stays out of epoll, idle: the sweep closes it after the keep-alive timeout.
    (void)epoll_ctl(epoll.get(), EPOLL_CTL_MOD, conn.sock, &event);
  }

  void close_connection(Connection& conn) {
    decltype(connections)::node_type gone;
    {
      const std::lock_guard lock(conn_mu);
      gone = connections.extract(conn.id);
    }
  }  // closed here, outside the lock

  // Once a second (whichever polling thread comes first): closes the connections that have
  // waited for a request longer than the keep-alive timeout. An event epoll has already given
  // for one of them is skipped when its thread looks the connection up.
  void sweep_if_due() {
    const auto now = Clock::now();
    const auto limit = std::chrono::seconds(server.keep_alive_timeout_sec_);
    if (now.time_since_epoch().count() < next_sweep.load(std::memory_order_relaxed)) return;  // the usual case
    std::vector<std::unique_ptr<Connection>> gone;
    {
      const std::lock_guard lock(conn_mu);
      if (now.time_since_epoch().count() < next_sweep.load(std::memory_order_relaxed)) return;
      next_sweep.store((now + kSweepInterval).time_since_epoch().count(), std::memory_order_relaxed);
      for (auto it = connections.begin(); it != connections.end();) {
        if (!it->second->in_service && now - it->second->idle_since > limit) {
          gone.push_back(std::move(it->second));
          it = connections.erase(it);
        } else {
          ++it;
        }
      }
    }
  }

  static constexpr std::uint64_t kWakeId = 0;  // connections count from 1

  BufferedServer& server;
  Fd epoll;  // every open connection waiting for input, and `wake`
  Fd wake;   // written once the server stops
  const std::size_t pollers;
  const std::size_t max_threads;

  std::mutex conn_mu;  // guards what follows, and each connection's in_service and idle_since
  std::unordered_map<std::uint64_t, std::unique_ptr<Connection>> connections;
  std::uint64_t next_id = 1;
  std::atomic<Clock::rep> next_sweep{0};  // in Clock ticks; written under conn_mu

  std::atomic<bool> stopping{false};  // set under `mu`, read anywhere

  std::mutex mu;  // guards what follows
  std::condition_variable cv;
  std::size_t unmanned = 0;  // pollings handed off, waiting for an idle thread to take them
  std::size_t idle = 0;      // threads waiting to poll
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
  if (svr_sock_ == INVALID_SOCKET || pollers_ != nullptr) return false;
  const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
  pollers_ = std::make_unique<Pollers>(*this, kPollersPerCore * cores, max_threads);
  bool ok = pollers_->start();
  if (ok) ok = listen_after_bind();
  pollers_->stop();
  return ok;
}

bool BufferedServer::process_and_close_socket(socket_t sock) {
  if (pollers_ == nullptr) {
    shutdown(sock, SHUT_RDWR);
    close(sock);
    return false;
  }
  return pollers_->add(sock);
}

}  // namespace portcullis::http
