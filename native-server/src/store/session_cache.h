// Portcullis server: an in-process cache of session lookups, in front of any Store.
//
// get-session is the hot path: every page view and every API call behind FastAPI asks it. The
// cache keeps what find_session() returned for a token, so repeated lookups of a live session
// cost a hash-map probe instead of a database read (SQLite: a transaction, file locks, a join).
//
// Coherence. Every write made through this store that could change a cached answer drops it
// once the write is done: deleting a session (sign-out, revocation), deleting a user's sessions
// (revoke-sessions, a password change or reset that signs out everywhere), refreshing a
// session's expiry, updating or deleting a user. A lookup that raced with such a write does not
// put its (possibly older) answer into the cache: every such write moves a generation counter,
// and an answer read under an older generation is returned but not kept. So, within one server
// process, get-session never answers for a session that was deleted or a user that changed.
//
// Writes by another Portcullis server on the same PostgreSQL database (a replica) reach the cache
// through the store's watch_changes(): each one drops what the cache holds of that user as soon as
// it commits. Other writes by
// another process (the command line while the server runs, a BetterAuth server sharing the
// database, any write on SQLite) are not seen by the cache: a cached answer is used for at most
// `ttl` after it was read from the database, so such a change reaches get-session within `ttl`
// (which also bounds the cost of a lost notification). A ttl of zero turns the cache off. Expiry needs no care: the caller checks expires_at on every
// lookup, cached or not.

#ifndef PORTCULLIS_STORE_SESSION_CACHE_H_
#define PORTCULLIS_STORE_SESSION_CACHE_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstddef>
#include <memory>

#include "store/store.h"

namespace portcullis::store {

// What the cache did, for the metrics: counted by the cache, read by anyone holding them.
struct SessionCacheCounters {
  std::atomic<std::uint64_t> hits{0};    // find_session() answered from memory
  std::atomic<std::uint64_t> misses{0};  // find_session() asked the database
  std::atomic<std::uint64_t> entries{0};  // tokens kept now
};

struct SessionCacheOptions {
  // How long an answer read from the database may be reused (0: no cache).
  std::chrono::milliseconds ttl{5000};
  // The most tokens kept (0: no cache). When full, answers older than ttl are dropped, or, if
  // none are, all.
  std::size_t capacity = 10000;
  // Where the cache counts what it does (null: nowhere).
  std::shared_ptr<SessionCacheCounters> counters;
};

// Returns a Store that forwards every call to `inner` and caches find_session() as described
// above; returns `inner` itself when the options turn the cache off. Errors are inner's, and an
// error is never cached.
std::unique_ptr<Store> with_session_cache(std::unique_ptr<Store> inner, const SessionCacheOptions& options);

}  // namespace portcullis::store

#endif  // PORTCULLIS_STORE_SESSION_CACHE_H_
