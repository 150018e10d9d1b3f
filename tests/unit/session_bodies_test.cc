#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "http/session_bodies.h"

using portcullis::http::SessionBodies;
using portcullis::store::Session;
using portcullis::store::TimePoint;
using portcullis::store::User;

namespace {

std::atomic<int> made{0};

// A body that shows every field the tests change.
std::string make_body(const Session& s, const User& u) {
  ++made;
  // Appended piece by piece: GCC 12 warns (-Wrestrict, wrongly) about long chains of operator+.
  std::string body = s.token;
  body += '|';
  body += std::to_string(s.expires_at.time_since_epoch().count());
  body += '|';
  body += u.name;
  body += u.email_verified ? "|verified" : "|unverified";
  return body;
}

Session session(const std::string& token) {
  Session s;
  s.id = token;
  s.id += "-id";
  s.token = token;
  s.user_id = "user-1";
  s.expires_at = TimePoint(std::chrono::milliseconds(1000));
  return s;
}

User user(const std::string& name) {
  User u;
  u.id = "user-1";
  u.name = name;
  u.email = "a@example.com";
  return u;
}

}  // namespace

TEST_CASE("SessionBodies makes a body once and hands it out while the session and user are unchanged") {
  SessionBodies bodies(10, make_body);
  made = 0;
  const auto first = bodies.get(session("t1"), user("Ann"));
  CHECK(*first == "t1|1000|Ann|unverified");
  const auto again = bodies.get(session("t1"), user("Ann"));
  CHECK(again == first);  // the very same string
  CHECK(made == 1);
  CHECK(bodies.size() == 1);
}

TEST_CASE("SessionBodies makes a new body when any field of the session or the user differs") {
  SessionBodies bodies(10, make_body);
  made = 0;
  CHECK(*bodies.get(session("t1"), user("Ann")) == "t1|1000|Ann|unverified");

  User renamed = user("Bea");
  CHECK(*bodies.get(session("t1"), renamed) == "t1|1000|Bea|unverified");

  Session refreshed = session("t1");
  refreshed.expires_at = TimePoint(std::chrono::milliseconds(2000));
  CHECK(*bodies.get(refreshed, renamed) == "t1|2000|Bea|unverified");

  User verified = renamed;
  verified.email_verified = true;
  CHECK(*bodies.get(refreshed, verified) == "t1|2000|Bea|verified");

  // A field the body does not show still counts: equal means equal in every field.
  Session moved = refreshed;
  moved.user_agent = "another browser";
  CHECK(*bodies.get(moved, verified) == "t1|2000|Bea|verified");
  CHECK(made == 5);
  CHECK(bodies.size() == 1);  // each new body replaced the token's old one

  // Back to an older state: made again, not mistaken for the latest.
  CHECK(*bodies.get(session("t1"), user("Ann")) == "t1|1000|Ann|unverified");
  CHECK(made == 6);
}

TEST_CASE("SessionBodies keeps at most `capacity` tokens and stays correct when full") {
  SessionBodies bodies(2, make_body);
  made = 0;
  CHECK(*bodies.get(session("t1"), user("Ann")) == "t1|1000|Ann|unverified");
  CHECK(*bodies.get(session("t2"), user("Ann")) == "t2|1000|Ann|unverified");
  CHECK(bodies.size() == 2);
  CHECK(*bodies.get(session("t3"), user("Ann")) == "t3|1000|Ann|unverified");
  CHECK(bodies.size() <= 2);
  CHECK(*bodies.get(session("t1"), user("Ann")) == "t1|1000|Ann|unverified");
  CHECK(bodies.size() <= 2);
}

TEST_CASE("SessionBodies with capacity 0 keeps nothing and makes every body afresh") {
  SessionBodies bodies(0, make_body);
  made = 0;
  CHECK(*bodies.get(session("t1"), user("Ann")) == "t1|1000|Ann|unverified");
  CHECK(*bodies.get(session("t1"), user("Ann")) == "t1|1000|Ann|unverified");
  CHECK(made == 2);
  CHECK(bodies.size() == 0);
}

TEST_CASE("SessionBodies from many threads: every body matches the state asked for") {
  SessionBodies bodies(3, make_body);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        std::string token = "t";
        token += std::to_string((i + t) % 5);
        const std::string name = (i / 7) % 2 == 0 ? "Ann" : "Bea";
        const auto body = bodies.get(session(token), user(name));
        std::string expected = token;
        expected += "|1000|";
        expected += name;
        expected += "|unverified";
        if (*body != expected) ++wrong;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(wrong == 0);
  CHECK(bodies.size() <= 3);
}
