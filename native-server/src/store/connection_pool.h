// Portcullis server: a fixed pool of database connections, shared by the store backends.
//
// A backend opens its connections at start and add()s them; each call then acquire()s one for
// the length of a Lease, which gives it back when it goes out of scope. Safe to use from many
// threads at once.

#ifndef PORTCULLIS_STORE_CONNECTION_POOL_H_
#define PORTCULLIS_STORE_CONNECTION_POOL_H_

#include <condition_variable>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "common/waiting.h"

namespace portcullis::store {

template <class Connection>
class ConnectionPool {
 public:
  class Lease {
   public:
    Lease(ConnectionPool& pool, std::unique_ptr<Connection> conn) : pool_(pool), conn_(std::move(conn)) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { pool_.release(std::move(conn_)); }
    Connection& operator*() const { return *conn_; }

   private:
    ConnectionPool& pool_;
    std::unique_ptr<Connection> conn_;
  };

  // Adds an open connection to the pool.
  void add(std::unique_ptr<Connection> conn) {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(conn));
  }

  // Blocks until a connection is free. Every statement may wait (for the pool, a lock, the disk,
  // the network), so a polling thread hands its polling on first (common/waiting.h).
  Lease acquire() {
    about_to_wait();
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return !idle_.empty(); });
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(conn));
  }

 private:
  void release(std::unique_ptr<Connection> conn) {
    {
      std::lock_guard lock(mu_);
      idle_.push_back(std::move(conn));
    }
    cv_.notify_one();
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace portcullis::store

#endif  // PORTCULLIS_STORE_CONNECTION_POOL_H_
