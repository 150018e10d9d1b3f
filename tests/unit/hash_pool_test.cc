#include <catch2/catch.hpp>

#include <atomic>
#include <cstring>
#include <latch>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <sched.h>
#include <sys/mman.h>

#include "auth/hash_memory.h"
#include "auth/hash_pool.h"
#include "portcullis/password_hash.h"

using portcullis::auth::HashPool;

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
  CHECK(pool.run([&] { value = 42; }));
  CHECK(value == 42);
  CHECK(pool.load() == 0);

  std::thread::id worker_id;
  CHECK(pool.run([&] { worker_id = std::this_thread::get_id(); }));
  CHECK(worker_id != std::this_thread::get_id());
}

TEST_CASE("HashPool runs jobs under SCHED_BATCH, the caller's thread keeps its policy") {
  HashPool pool(1, 0);
  const int caller = sched_getscheduler(0);
  int worker = -1;
  REQUIRE(pool.run([&] { worker = sched_getscheduler(0); }));
  CHECK(worker == SCHED_BATCH);
  CHECK(sched_getscheduler(0) == caller);
}

TEST_CASE("HashPool has at least one worker") {
  HashPool pool(0, 0);
  CHECK(pool.workers() == 1);
  bool ran = false;
  CHECK(pool.run([&] { ran = true; }));  // max_queued 0 still runs on an idle worker
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
      if (pool.run(held)) ++accepted;
    });
  }
  running.wait();  // both workers are now busy
  for (int i = 0; i < 3; ++i) {
    callers.emplace_back([&] {
      if (pool.run(queued)) ++accepted;
    });
  }
  wait_until([&] { return pool.load() == 5; });  // 2 running + 3 queued

  bool ran = false;
  CHECK_FALSE(pool.run([&] { ran = true; }));
  CHECK_FALSE(ran);
  CHECK(pool.load() == 5);
  CHECK(completed == 0);

  release.count_down();
  for (std::thread& t : callers) t.join();
  CHECK(accepted == 5);
  CHECK(completed == 5);
  CHECK(pool.load() == 0);

  CHECK(pool.run([&] { ran = true; }));
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
        if (!pool.run(job)) ++refused;
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

TEST_CASE("HashPool rethrows a job's exception and keeps its worker") {
  HashPool pool(1, 1);
  CHECK_THROWS_AS(pool.run([] { throw std::runtime_error("boom"); }), std::runtime_error);
  CHECK(pool.load() == 0);
  bool ran = false;
  CHECK(pool.run([&] { ran = true; }));  // the only worker is still alive
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
        })) {
      ++accepted;
    }
  });
  running.wait();
  for (int i = 0; i < kQueued; ++i) {
    callers.emplace_back([&, p = pool.get()] {
      if (p->run([&] { ++completed; })) ++accepted;
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
TEST_CASE("A thread that keeps its hash memory gets the same region back, wiped") {
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
  }));
  for (const std::string& hash : {argon2id, scrypt, argon2id}) {
    bool ok = false;
    bool wrong = true;
    CHECK(pool.run([&] {
      ok = portcullis::verify_password("correct horse battery staple", hash).value();
      wrong = portcullis::verify_password("correct horse battery stapler", hash).value();
    }));
    CHECK(ok);
    CHECK_FALSE(wrong);
  }
}
