#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstring>
#include <latch>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <netinet/in.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "auth/hash_memory.h"
#include "auth/hash_pool.h"
#include "common/client_connection.h"
#include "portcullis/password_hash.h"

using portcullis::auth::HashPool;
constexpr HashPool::Outcome kRan = HashPool::Outcome::kRan;

namespace {

// Spins (yielding, never sleeping) until `done()` holds.
template <class F>
void wait_until(F done) {
  while (!done()) std::this_thread::yield();
}

}  // namespace

TEST_CASE("HashPool runs a job and returns after it finished") {
  HashPool pool(2, 4);
  CHECK(pool.workers() == 2);
  int value = 0;  // plain int: run() returning must make the write visible
  CHECK(pool.run([&] { value = 42; }) == kRan);
  CHECK(value == 42);
  CHECK(pool.load() == 0);

  std::thread::id worker_id;
  CHECK(pool.run([&] { worker_id = std::this_thread::get_id(); }) == kRan);
  CHECK(worker_id != std::this_thread::get_id());
}

TEST_CASE("HashPool runs jobs under SCHED_BATCH, the caller's thread keeps its policy") {
  HashPool pool(1, 0);
  const int caller = sched_getscheduler(0);
  int worker = -1;
  REQUIRE(pool.run([&] { worker = sched_getscheduler(0); }) == kRan);
  CHECK(worker == SCHED_BATCH);
  CHECK(sched_getscheduler(0) == caller);
}

TEST_CASE("HashPool has at least one worker") {
  HashPool pool(0, 0);
  CHECK(pool.workers() == 1);
  bool ran = false;
  CHECK(pool.run([&] { ran = true; }) == kRan);  // max_queued 0 still runs on an idle worker
  CHECK(ran);
}

TEST_CASE("HashPool refuses at once when max_queued jobs are waiting") {
  HashPool pool(2, 3);
  std::latch release(1);
  std::latch running(2);
  std::atomic<int> completed{0};
  std::atomic<int> accepted{0};

  const auto held = [&] {
    running.count_down();
    release.wait();
    ++completed;
  };
  const auto queued = [&] { ++completed; };

  std::vector<std::thread> callers;
  for (int i = 0; i < 2; ++i) {
    callers.emplace_back([&] {
      if (pool.run(held) == kRan) ++accepted;
    });
  }
  running.wait();  // both workers are now busy
  for (int i = 0; i < 3; ++i) {
    callers.emplace_back([&] {
      if (pool.run(queued) == kRan) ++accepted;
    });
  }
  wait_until([&] { return pool.load() == 5; });  // 2 running + 3 queued

  bool ran = false;
  CHECK(pool.run([&] { ran = true; }) == HashPool::Outcome::kBusy);
  CHECK_FALSE(ran);
  CHECK(pool.load() == 5);
  CHECK(completed == 0);

  release.count_down();
  for (std::thread& t : callers) t.join();
  CHECK(accepted == 5);
  CHECK(completed == 5);
  CHECK(pool.load() == 0);

  CHECK(pool.run([&] { ran = true; }) == kRan);
  CHECK(ran);
}

TEST_CASE("HashPool never runs more than `workers` jobs at once") {
  constexpr std::size_t kWorkers = 3;
  constexpr int kThreads = 10;
  constexpr int kJobsPerThread = 5;
  HashPool pool(kWorkers, kThreads * kJobsPerThread);
  std::atomic<int> active{0};
  std::atomic<int> max_active{0};
  std::atomic<int> completed{0};
  std::atomic<int> refused{0};

  const auto job = [&] {
    const int now = ++active;
    int seen = max_active.load();
    while (now > seen && !max_active.compare_exchange_weak(seen, now)) {
    }
    for (int i = 0; i < 1000; ++i) std::this_thread::yield();  // stay a while, without sleeping
    --active;
    ++completed;
  };

  std::latch start(kThreads);
  std::vector<std::thread> callers;
  for (int t = 0; t < kThreads; ++t) {
    callers.emplace_back([&] {
      start.arrive_and_wait();
      for (int j = 0; j < kJobsPerThread; ++j) {
        if (pool.run(job) != kRan) ++refused;
      }
    });
  }
  for (std::thread& t : callers) t.join();

  CHECK(refused == 0);
  CHECK(completed == kThreads * kJobsPerThread);
  CHECK(max_active >= 1);
  CHECK(max_active <= static_cast<int>(kWorkers));
  CHECK(active == 0);
  CHECK(pool.load() == 0);
}

namespace {

// Keeps a pool's only worker busy from construction until release() (or destruction).
class HeldWorker {
 public:
  explicit HeldWorker(HashPool& pool)
      : thread_([this, &pool] {
          outcome_ = pool.run([this] {
            running_.count_down();
            release_.wait();
          });
        }) {
    running_.wait();
  }
  ~HeldWorker() {
    release();
    thread_.join();
    CHECK(outcome_ == kRan);
  }
  void release() {
    if (!released_) release_.count_down();
    released_ = true;
  }

 private:
  std::latch running_{1};
  std::latch release_{1};
  bool released_ = false;
  HashPool::Outcome outcome_{};
  std::thread thread_;  // last: starts once the members above exist
};

// A connected pair of sockets: the server's end, and the client's, which leave() closes.
struct Connection {
  int server = -1;
  int client = -1;
  Connection() {
    int fds[2];
    REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
    server = fds[0];
    client = fds[1];
  }
  ~Connection() {
    close(server);
    if (client >= 0) close(client);
  }
  void leave() {
    close(client);
    client = -1;
  }
};

// A job submitted from a thread of its own, as a connection thread serving `socket` does (-1: as
// the command-line tools do, outside any connection).
class Caller {
 public:
  Caller(HashPool& pool, int socket)
      : thread_([this, &pool, socket] {
          const portcullis::ServingClient serving(socket);
          outcome = pool.run([this] { ran = true; });
          returned = true;
        }) {}
  ~Caller() { join(); }
  void join() {
    if (thread_.joinable()) thread_.join();
  }

  HashPool::Outcome outcome{};
  bool ran = false;
  std::atomic<bool> returned{false};

 private:
  std::thread thread_;  // last: starts once the members above exist
};

}  // namespace

TEST_CASE("HashPool skips a queued job whose caller's client closed its connection") {
  HashPool pool(1, 4);
  HeldWorker held(pool);  // the only worker is busy: the next jobs wait in the queue
  Connection leaving;
  Connection staying;
  Caller a(pool, leaving.server);
  Caller b(pool, staying.server);
  Caller c(pool, -1);
  wait_until([&] { return pool.load() == 4; });  // 1 running + 3 queued
  leaving.leave();
  held.release();
  for (Caller* caller : {&a, &b, &c}) caller->join();

  CHECK(a.outcome == HashPool::Outcome::kClientGone);
  CHECK_FALSE(a.ran);
  CHECK(b.outcome == kRan);
  CHECK(b.ran);
  CHECK(c.outcome == kRan);  // outside a connection, as the command-line tools call it
  CHECK(c.ran);
  CHECK(pool.load() == 0);
}

TEST_CASE("HashPool makes room in a full queue by dropping the jobs whose clients have gone") {
  HashPool pool(1, 2);
  HeldWorker held(pool);
  Connection leaving;
  Connection staying;
  Caller a(pool, leaving.server);
  Caller b(pool, staying.server);
  wait_until([&] { return pool.load() == 3; });  // full: 1 running + 2 queued

  bool ran_now = false;
  CHECK(pool.run([&] { ran_now = true; }) == HashPool::Outcome::kBusy);  // nobody has left yet
  CHECK_FALSE(ran_now);

  // Still full, the worker still held, but one queued job's client has gone: a new job takes its
  // place (and is not refused), and the dropped one's caller is answered at once. A full queue is
  // looked at every 10 ms at most: the new job is retried until then (for 10 s at most).
  leaving.leave();
  std::atomic<bool> late_returned{false};
  HashPool::Outcome late_outcome{};
  bool ran_late = false;
  std::thread late([&] {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    do {
      late_outcome = pool.run([&] { ran_late = true; });
    } while (late_outcome == HashPool::Outcome::kBusy && std::chrono::steady_clock::now() < deadline);
    late_returned = true;
  });
  wait_until([&] { return a.returned || late_returned; });
  CHECK(a.returned);
  CHECK_FALSE(late_returned);
  CHECK(pool.load() == 3);  // 1 running + the staying job + the late one

  held.release();
  a.join();
  b.join();
  late.join();
  CHECK(a.outcome == HashPool::Outcome::kClientGone);
  CHECK_FALSE(a.ran);
  CHECK(b.outcome == kRan);
  CHECK(b.ran);
  CHECK(late_outcome == kRan);
  CHECK(ran_late);
  CHECK(pool.load() == 0);
}

TEST_CASE("client_gone() sees a close or a reset, not a quiet or pipelining client") {
  CHECK(portcullis::current_client_socket() == -1);
  {
    const portcullis::ServingClient outer(7);
    CHECK(portcullis::current_client_socket() == 7);
    {
      const portcullis::ServingClient inner(9);
      CHECK(portcullis::current_client_socket() == 9);
    }
    CHECK(portcullis::current_client_socket() == 7);
  }
  CHECK(portcullis::current_client_socket() == -1);

  // Over TCP on loopback, as the server's clients come.
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(listener >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  REQUIRE(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(listen(listener, 4) == 0);
  REQUIRE(getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  const auto connect_pair = [&](int& client, int& server) {
    client = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    server = accept(listener, nullptr, nullptr);
    REQUIRE(server >= 0);
  };

  int client = -1;
  int server = -1;
  connect_pair(client, server);
  CHECK_FALSE(portcullis::client_gone(server));  // connected and quiet
  REQUIRE(send(client, "GET", 3, 0) == 3);
  wait_until([&] {
    char peek[3];
    return recv(server, peek, 3, MSG_PEEK | MSG_DONTWAIT) == 3;
  });
  CHECK_FALSE(portcullis::client_gone(server));  // a pipelined request waits: still there
  char got[3];
  REQUIRE(recv(server, got, 3, 0) == 3);         // ... and nothing was consumed
  close(client);
  wait_until([&] { return portcullis::client_gone(server); });  // the FIN arrives
  close(server);

  connect_pair(client, server);
  const linger reset{1, 0};
  REQUIRE(setsockopt(client, SOL_SOCKET, SO_LINGER, &reset, sizeof reset) == 0);
  close(client);  // an abortive close: the server's side sees a reset
  wait_until([&] { return portcullis::client_gone(server); });
  close(server);
  close(listener);
}

TEST_CASE("HashPool rethrows a job's exception and keeps its worker") {
  HashPool pool(1, 1);
  CHECK_THROWS_AS(pool.run([] { throw std::runtime_error("boom"); }), std::runtime_error);
  CHECK(pool.load() == 0);
  bool ran = false;
  CHECK(pool.run([&] { ran = true; }) == kRan);  // the only worker is still alive
  CHECK(ran);
}

TEST_CASE("HashPool's destructor completes the queued jobs") {
  constexpr int kQueued = 4;
  auto pool = std::make_unique<HashPool>(1, kQueued);
  std::latch release(1);
  std::latch running(1);
  std::atomic<int> completed{0};
  std::atomic<int> accepted{0};

  std::vector<std::thread> callers;
  callers.emplace_back([&, p = pool.get()] {
    if (p->run([&] {
          running.count_down();
          release.wait();
          ++completed;
        }) == kRan) {
      ++accepted;
    }
  });
  running.wait();
  for (int i = 0; i < kQueued; ++i) {
    callers.emplace_back([&, p = pool.get()] {
      if (p->run([&] { ++completed; }) == kRan) ++accepted;
    });
  }
  wait_until([&] { return pool->load() == 1 + kQueued; });

  // Let the held job go and destroy the pool at once: the jobs still queued when the destructor
  // starts must run before it returns (which of them are still queued then depends on timing; the
  // outcome may not).
  release.count_down();
  pool.reset();
  CHECK(completed == 1 + kQueued);

  for (std::thread& t : callers) t.join();
  CHECK(accepted == 1 + kQueued);
}

// auth/hash_memory.h: the tests are linked like the server (-Wl,--wrap=mmap,--wrap=munmap), so
// these mmap() and munmap() calls go through its wrappers, as libsodium's do.
TEST_CASE("A thread that keeps its hash memory gets the same region back, wiped (ASVS 8.3.6)") {
  constexpr std::size_t kSize = std::size_t{4} << 20;
  const auto map = [](std::size_t size) {
    return mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  };
  std::thread worker([&] {
    portcullis::auth::keep_hash_memory();
    auto* first = static_cast<unsigned char*>(map(kSize));
    REQUIRE(first != MAP_FAILED);
    std::memset(first, 0xAB, kSize);  // what a hash leaves behind
    // While it is in use, another mapping is a new one.
    void* second = map(kSize);
    REQUIRE(second != MAP_FAILED);
    CHECK(second != first);
    CHECK(munmap(second, kSize) == 0);
    CHECK(munmap(first, kSize) == 0);

    auto* again = static_cast<unsigned char*>(map(kSize));
    CHECK(again == first);
    bool wiped = true;
    for (std::size_t i = 0; i < kSize; i += 4096) wiped = wiped && again[i] == 0 && again[i + 4095] == 0;
    CHECK(wiped);
    CHECK(munmap(again, kSize) == 0);

    // Another size: a region of that size.
    auto* other = static_cast<unsigned char*>(map(2 * kSize));
    REQUIRE(other != MAP_FAILED);
    other[2 * kSize - 1] = 1;  // all of it is there
    CHECK(munmap(other, 2 * kSize) == 0);
  });
  worker.join();
}

TEST_CASE("Hashes in the pool verify, one after another, with the memory kept") {
  HashPool pool(1, 0);
  std::string argon2id;
  std::string scrypt;
  CHECK(pool.run([&] {
    argon2id = portcullis::hash_password_argon2id("correct horse battery staple").value();
    scrypt = portcullis::hash_password_betterauth_scrypt("correct horse battery staple").value();
  }) == kRan);
  for (const std::string& hash : {argon2id, scrypt, argon2id}) {
    bool ok = false;
    bool wrong = true;
    CHECK(pool.run([&] {
      ok = portcullis::verify_password("correct horse battery staple", hash).value();
      wrong = portcullis::verify_password("correct horse battery stapler", hash).value();
    }) == kRan);
    CHECK(ok);
    CHECK_FALSE(wrong);
  }
}
