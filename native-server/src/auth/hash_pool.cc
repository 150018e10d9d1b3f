#include "auth/hash_pool.h"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <latch>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "auth/hash_memory.h"
#include "common/client_connection.h"
#include "common/scheduling.h"
#include "common/waiting.h"

namespace portcullis::auth {

// How it works: a job travels as a pointer to a Task that lives in the frame of the run() call
// waiting for it. The pool's mutex guards the queue and the counters; each Task has its own mutex
// and condition variable for "done", so that a caller woken by its worker touches only its own
// frame, never the pool (the pool may already be in its destructor then).
//
// Admission: run() accepts a job while load() < workers + max_queued, i.e. while fewer than
// `max_queued` jobs would wait beyond the ones the workers run. (Counting the total rather than
// the queue alone means a job accepted in the instant before an idle worker wakes still counts as
// one that will run at once, and max_queued = 0 still runs jobs on idle workers.)
//
// A job carries its caller's connection (current_client_socket(), captured in run()); the worker
// checks it just before starting the job, and run() checks every queued job's when the queue is
// full, before refusing a new one. The socket stays open meanwhile: the connection thread
// that owns it is the one blocked in run().
//
// Exceptions: a job that throws does not stop its worker; the exception is carried back and
// rethrown from run() in the caller's thread.

namespace {

// The workers' nice value (see hash_pool.h).
constexpr int kWorkerNice = 10;

// How often, at most, run() looks for abandoned jobs in a full queue.
constexpr std::chrono::milliseconds kShedInterval(10);

struct Task {
  const std::function<void()>* job = nullptr;
  int client = -1;  // the caller's connection, or -1
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  bool skipped = false;  // the client had gone: the job did not run
  std::exception_ptr error;

  // Whether the caller's client has closed its connection (never for a caller outside one).
  bool abandoned() const { return client >= 0 && client_gone(client); }
};

}  // namespace

struct HashPool::Impl {
  std::size_t capacity = 0;  // workers + max_queued

  mutable std::mutex mu;
  std::condition_variable work_cv;
  std::deque<Task*> queue;
  std::size_t running = 0;
  bool stopping = false;
  std::chrono::steady_clock::time_point next_shed{};  // when a full queue may next be checked

  std::vector<std::thread> threads;

  // `ready` is counted down once the thread is named and scheduled.
  void worker(std::latch& ready) {
    pthread_setname_np(pthread_self(), "hash");
    // SCHED_BATCH with the longest slice (common/scheduling.h), at nice 10: any thread that wakes
    // up preempts a hash. Best effort: if the kernel refuses, hashing still works.
    (void)set_thread_scheduling(SCHED_BATCH, std::chrono::milliseconds(100), kWorkerNice);
    keep_hash_memory();  // and no mmap()/munmap() per hash (hash_memory.h)
    ready.count_down();
    std::unique_lock<std::mutex> lock(mu);
    for (;;) {
      work_cv.wait(lock, [this] { return stopping || !queue.empty(); });
      if (queue.empty()) return;  // stopping, and the queue is drained
      Task* task = queue.front();
      queue.pop_front();
      ++running;
      lock.unlock();

      std::exception_ptr error;
      const bool skip = task->abandoned();
      if (!skip) {
        try {
          (*task->job)();
        } catch (...) {
          error = std::current_exception();
        }
      }

      lock.lock();
      --running;  // before "done", so that load() no longer counts it once run() has returned
      lock.unlock();
      finish(task, std::move(error), skip);
      lock.lock();
    }
  }

  // Tells the caller waiting for `task` that it is done. Called without the pool's lock.
  static void finish(Task* task, std::exception_ptr error, bool skipped) {
    // Notify while holding the task's lock: once it is released the caller may return and destroy
    // the task, so nothing here may touch it afterwards.
    const std::lock_guard<std::mutex> task_lock(task->mu);
    task->error = std::move(error);
    task->skipped = skipped;
    task->done = true;
    task->cv.notify_one();
  }

  // With `mu` held: takes the queued jobs whose clients have gone out of the queue and returns
  // them (to be finished as skipped once `mu` is released).
  std::vector<Task*> take_abandoned() {
    std::vector<Task*> gone;
    for (auto it = queue.begin(); it != queue.end();) {
      if ((*it)->abandoned()) {
        gone.push_back(*it);
        it = queue.erase(it);
      } else {
        ++it;
      }
    }
    return gone;
  }

  void stop_and_join() {
    {
      const std::lock_guard<std::mutex> lock(mu);
      stopping = true;
    }
    work_cv.notify_all();
    for (std::thread& t : threads) {
      if (t.joinable()) t.join();
    }
  }
};

HashPool::HashPool(std::size_t workers, std::size_t max_queued) : impl_(std::make_unique<Impl>()) {
  const std::size_t n = std::max<std::size_t>(workers, 1);
  impl_->capacity = n + max_queued;
  impl_->threads.reserve(n);
  std::latch ready(static_cast<std::ptrdiff_t>(n));
  try {
    for (std::size_t i = 0; i < n; ++i) {
      impl_->threads.emplace_back([impl = impl_.get(), &ready] { impl->worker(ready); });
    }
  } catch (...) {
    impl_->stop_and_join();  // threads already started must not outlive a failed constructor
    throw;
  }
  ready.wait();  // the pool is in place, with its scheduling, before the server says it listens
}

HashPool::~HashPool() { impl_->stop_and_join(); }

HashPool::Outcome HashPool::run(const std::function<void()>& job) {
  Task task;
  task.job = &job;
  task.client = current_client_socket();
  std::vector<Task*> abandoned;
  bool accepted = false;
  {
    const std::lock_guard<std::mutex> lock(impl_->mu);
    if (!impl_->stopping) {
      // A full queue first sheds the jobs whose clients have left (they would be skipped anyway,
      // but only once a worker reached them): a burst of abandoned sign-ins then costs no 503s.
      // At most once per kShedInterval: each look is a system call per queued job, under the lock,
      // and a flood of refused requests must stay cheap to refuse.
      if (impl_->queue.size() + impl_->running >= impl_->capacity) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= impl_->next_shed) {
          impl_->next_shed = now + kShedInterval;
          abandoned = impl_->take_abandoned();
        }
      }
      accepted = impl_->queue.size() + impl_->running < impl_->capacity;
      if (accepted) impl_->queue.push_back(&task);
    }
  }
  for (Task* gone : abandoned) Impl::finish(gone, nullptr, /*skipped=*/true);
  if (!accepted) return Outcome::kBusy;
  impl_->work_cv.notify_one();

  about_to_wait();  // on a polling thread: another thread takes over the polling
  std::unique_lock<std::mutex> task_lock(task.mu);
  task.cv.wait(task_lock, [&task] { return task.done; });
  if (task.error) std::rethrow_exception(task.error);
  return task.skipped ? Outcome::kClientGone : Outcome::kRan;
}

std::size_t HashPool::load() const {
  const std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->queue.size() + impl_->running;
}

std::size_t HashPool::workers() const { return impl_->threads.size(); }

}  // namespace portcullis::auth
