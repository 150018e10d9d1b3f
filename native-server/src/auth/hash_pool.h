// Portcullis server: the bounded pool that runs password hashing.
//
// Argon2id and scrypt cost tens of MiB and tens of milliseconds each. Running them on the
// connection threads would let a burst of sign-ins use unbounded memory and take every thread,
// starving get-session. The pool runs at most `workers` hashes at once (memory is bounded by
// workers x the hash's memory) and queues at most `max_queued` more; beyond that, submit() refuses
// at once, and the caller answers 503, so no more than `workers + max_queued` connection threads
// ever wait on hashing and the rest stay free for cheap requests.
//
// A job submitted while serving a connection (common/client_connection.h) is skipped if its
// client has closed that connection by the time a worker would start it, or by the time a new job
// finds the queue full (the queue then makes room by dropping such jobs; it looks at most every
// 10 ms, so that refusing a flood stays cheap). After a burst of sign-ins whose clients gave up,
// the workers do not spend the queue's worth of hashes (62 x tens of milliseconds) on answers
// nobody reads, and new requests are neither queued behind those nor refused for them. Behind
// nginx this holds too: nginx closes the upstream connection of a request its client aborted.
//
// The workers run under SCHED_BATCH with long time slices (common/scheduling.h) at nice 10: a
// connection thread that wakes up with a get-session to serve preempts a hash at once, and while
// requests keep both cores busy the workers still get about a tenth of the CPU (sign-ins slow
// down, they do not stop). At nice 0, get-session's p99 at a steady rate went 3-4x its idle value
// while sign-ins kept both cores busy; at nice 10, 1.2-1.7x. Lower priorities only became safe
// once the workers stopped calling mmap()/munmap() for every hash (auth/hash_memory.h): a worker
// preempted inside them held up every thread that needed the address-space lock, and get-session
// stalled for 150-440 ms (at SCHED_IDLE, whose share is 0.3 %, for a second). The workers are
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

  enum class Outcome {
    kRan,         // the job ran (and returned or threw)
    kBusy,        // refused at once: `max_queued` jobs were already waiting
    kClientGone,  // not run: the calling thread's client closed its connection while it waited
  };

  // Runs `job` on a worker and blocks the calling thread until it is done. Returns kBusy at once,
  // without running it, if the queue is full (after dropping the queued jobs whose clients have
  // gone, unless it looked in the last 10 ms). Returns kClientGone, without running it, if the
  // calling thread serves a connection (current_client_socket()) whose client has gone
  // (client_gone()) when a worker takes the job or a new job finds the queue full. Rethrows what
  // `job` throws.
  Outcome run(const std::function<void()>& job);

  // Returns how many jobs are queued or running now.
  std::size_t load() const;

  std::size_t workers() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace portcullis::auth

#endif  // PORTCULLIS_AUTH_HASH_POOL_H_
