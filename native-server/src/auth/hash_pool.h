// Portcullis server: the bounded pool that runs password hashing.
//
// Argon2id and scrypt cost tens of MiB and tens of milliseconds each. Running them on the
// connection threads would let a burst of sign-ins use unbounded memory and take every thread,
// starving get-session. The pool runs at most `workers` hashes at once (memory is bounded by
// workers x the hash's memory) and queues at most `max_queued` more; beyond that, submit() refuses
// at once, and the caller answers 503, so no more than `workers + max_queued` connection threads
// ever wait on hashing and the rest stay free for cheap requests.
//
// How the workers share the CPU is the HashPriority below. The workers are named "hash" (top -H,
// /proc/<pid>/task/<tid>/comm).

#ifndef PORTCULLIS_AUTH_HASH_POOL_H_
#define PORTCULLIS_AUTH_HASH_POOL_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>

namespace portcullis::auth {

// How the workers are scheduled (common/scheduling.h; best effort: if the kernel refuses, hashing
// works as any other thread).
enum class HashPriority {
  // SCHED_IDLE: a hash runs only on a core no other thread of the machine wants, and any thread
  // that wakes up takes the core at once. While sign-ins keep every core busy, a get-session is
  // served as fast as on an idle server, and the hashes still get all the CPU time requests leave.
  // The price: CPU-bound work elsewhere on the machine (or a flood of requests that keeps every
  // core busy by itself) holds sign-ins up until it stops; beyond the queue they get 503.
  kLow,
  // SCHED_BATCH with long time slices: the same share of the CPU as any other thread, so hashing
  // is never starved; a thread that wakes up usually preempts a hash, but requests wait for a core
  // more often while hashes keep every core busy (on 2 cores, p99 about 3x the idle one).
  kFair,
};

class HashPool {
 public:

  // Starts `workers` threads (at least 1) scheduled at `priority`, and returns once they are
  // running. `max_queued` jobs may wait beyond those running.
  HashPool(std::size_t workers, std::size_t max_queued, HashPriority priority = HashPriority::kLow);
  // Finishes the running and queued jobs, then joins the threads.
  ~HashPool();
  HashPool(const HashPool&) = delete;
  HashPool& operator=(const HashPool&) = delete;

  // Runs `job` on a worker and blocks the calling thread until it is done. Returns false at once,
  // without running it, if the queue is full.
  bool run(const std::function<void()>& job);

  // Returns how many jobs are queued or running now.
  std::size_t load() const;

  std::size_t workers() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace portcullis::auth

#endif  // PORTCULLIS_AUTH_HASH_POOL_H_
