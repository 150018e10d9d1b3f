// Portcullis server: get-session's response bodies, serialised once per state of a session.
//
// get-session answers for the same sessions over and over: every page view, every API call
// behind FastAPI. Building its JSON (fifteen fields, five timestamps) and serialising it cost
// about a sixth of the server's time per get-session at 64 connections (+20 % req/s without it).
// SessionBodies keeps, per session token, the body last made and the Session and User it was
// made from, and hands that body out again while both are equal, field by field, to the ones
// being answered for. So a body is never stale, whatever changed the session or its user (a
// refresh, a rename, a verification, another process) and however the change was made: nothing
// needs to invalidate it.

#ifndef PORTCULLIS_HTTP_SESSION_BODIES_H_
#define PORTCULLIS_HTTP_SESSION_BODIES_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/store.h"

namespace portcullis::http {

class SessionBodies {
 public:
  // Makes the body of a session and its user.
  using Make = std::function<std::string(const store::Session&, const store::User&)>;

  // Keeps at most `capacity` tokens' bodies (0: keeps none, and every body is made afresh).
  SessionBodies(std::size_t capacity, Make make);
  SessionBodies(const SessionBodies&) = delete;
  SessionBodies& operator=(const SessionBodies&) = delete;

  // Returns make(session, user): the body kept for session.token if it was made from a Session
  // and a User equal to these, else a new one, which is then kept in place of the token's old
  // one. When `capacity` tokens are kept already, a new token's body makes room by dropping them
  // all. Never fails (beyond running out of memory). Safe to call from many threads at once.
  std::shared_ptr<const std::string> get(const store::Session& session, const store::User& user);

  // Returns how many tokens' bodies are kept.
  std::size_t size() const;

 private:
  struct Entry {
    store::Session session;
    store::User user;
    std::shared_ptr<const std::string> body;
  };
  // Looks std::string keys up by std::string_view, without a copy.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };

  const std::size_t capacity_;
  const Make make_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry, Hash, std::equal_to<>> entries_;  // by session token
};

}  // namespace portcullis::http

#endif  // PORTCULLIS_HTTP_SESSION_BODIES_H_
