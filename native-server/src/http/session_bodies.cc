#include "http/session_bodies.h"

#include <utility>

namespace portcullis::http {

SessionBodies::SessionBodies(std::size_t capacity, Make make) : capacity_(capacity), make_(std::move(make)) {}

std::shared_ptr<const std::string> SessionBodies::get(const store::Session& session, const store::User& user) {
  if (capacity_ == 0) return std::make_shared<const std::string>(make_(session, user));
  {
    const std::lock_guard lock(mutex_);
    const auto it = entries_.find(std::string_view(session.token));
    if (it != entries_.end() && it->second.session == session && it->second.user == user) return it->second.body;
  }
  // Made outside the lock: other threads' lookups go on meanwhile.
  auto body = std::make_shared<const std::string>(make_(session, user));
  const std::lock_guard lock(mutex_);
  const auto it = entries_.find(std::string_view(session.token));
  if (it != entries_.end()) {
    it->second = Entry{session, user, body};
  } else {
    if (entries_.size() >= capacity_) entries_.clear();
    entries_.emplace(session.token, Entry{session, user, body});
  }
  return body;
}

std::size_t SessionBodies::size() const {
  const std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace portcullis::http
