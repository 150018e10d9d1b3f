// Portcullis server: the bounded pool that runs password hashing.
//
// Argon2id and scrypt cost tens of MiB and tens of milliseconds each. Running them on the
// connection threads would let a burst of sign-ins use unbounded memory and take every thread,
// starving get-session. The pool runs at most `workers` hashes at once (memory is bounded by
// workers x the hash's memory) and queues at most `max_queued` more; beyond that, submit() refuses
// at once, and the caller answers 503, so no more than `workers + max_queued` connection threads
// ever wait on hashing and the rest stay free for cheap requests.
//
// The workers run under SCHED_BATCH with long time slices (common/scheduling.h): the same share of
// the CPU as any other thread (hashing is not starved by other processes on the machine), but any
// thread that wakes up, a connection thread with a get-session to serve first, preempts a hash
// instead of waiting for its slice to end. Not SCHED_IDLE: it serves a get-session at once while
// hashes keep every core busy at a steady request rate, but when requests alone keep the cores
// busy the workers starve (sign-ins stop), and one starved while holding a lock that connection
// threads need too (an allocator arena's, as far as we can tell) stalls them: with scrypt,
// get-session at full speed beside sign-ins had a p99 of 1.0-1.3 s in bench/http. The workers are
// named "hash" (top -H, /proc/<pid>/task/<tid>/comm).

#ifndef PORTCULLIS_AUTH_HASH_POOL_H_
#define PORTCULLIS_AUTH_HASH_POOL_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>

namespace portcullis::auth {

class HashPool {
 public:

  // Starts `workers` threads (at least 1) and returns once they are running. `max_queued` jobs may
  // wait beyond those running.
  HashPool(std::size_t workers, std::size_t max_queued);
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
