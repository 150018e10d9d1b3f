#include "http/proxies.h"

#include <catch2/catch.hpp>

using portcullis::http::IpAddress;
using portcullis::http::rate_limit_key;
using portcullis::http::TrustedProxies;

namespace {
TrustedProxies proxies(std::vector<std::string> entries) {
  std::string bad;
  auto p = TrustedProxies::parse(entries, &bad);
  REQUIRE(p.has_value());
  return *p;
}
}  // namespace

TEST_CASE("addresses parse to their canonical text; anything else is refused", "[proxies]") {
  CHECK(IpAddress::parse("203.0.113.9")->str() == "203.0.113.9");
  CHECK(IpAddress::parse("::ffff:203.0.113.9")->str() == "203.0.113.9");
  CHECK(IpAddress::parse("2001:DB8:0:0::1")->str() == "2001:db8::1");
  for (const char* bad : {"", "localhost", "1.2.3", "1.2.3.4:80", "[::1]", "fe80::1%eth0", "1.2.3.4 ",
                          "01.2.3.4", "unknown"}) {
    CHECK_FALSE(IpAddress::parse(bad).has_value());
  }
}

TEST_CASE("trusted proxy entries are addresses or CIDR ranges", "[proxies]") {
  const auto p = proxies({"127.0.0.1", "10.0.0.0/8", "fd00::/8", " ::1 "});
  CHECK(p.trusts("127.0.0.1"));
  CHECK(p.trusts("::ffff:127.0.0.1"));
  CHECK_FALSE(p.trusts("127.0.0.2"));
  CHECK(p.trusts("10.200.3.4"));
  CHECK_FALSE(p.trusts("11.0.0.1"));
  CHECK(p.trusts("fdab::7"));
  CHECK_FALSE(p.trusts("fe00::7"));
  CHECK(p.trusts("::1"));
  CHECK_FALSE(p.trusts("not an address"));

  std::string bad;
  for (const char* entry : {"10.0.0.0/33", "10.0.0.0/", "10.0.0.0/x", "::/129", "proxy.local", "10.0.0.0/8/8"}) {
    CHECK_FALSE(TrustedProxies::parse({entry}, &bad).has_value());
    CHECK(bad == entry);
  }
  CHECK(proxies({}).empty());
}

TEST_CASE("X-Forwarded-For is read only from a trusted peer, from the right", "[proxies]") {
  const auto p = proxies({"127.0.0.1", "10.0.0.0/8"});
  // Not from a proxy: the header is ignored, whatever it says.
  CHECK(p.client_address("198.51.100.7", "203.0.113.9") == "198.51.100.7");
  // From the proxy: the entry it appended.
  CHECK(p.client_address("127.0.0.1", "203.0.113.9") == "203.0.113.9");
  // A client's spoofed entry left of the real one does not count.
  CHECK(p.client_address("127.0.0.1", "1.1.1.1, 203.0.113.9") == "203.0.113.9");
  // Chains of trusted proxies are skipped.
  CHECK(p.client_address("127.0.0.1", "203.0.113.9, 10.1.1.1,10.2.2.2") == "203.0.113.9");
  // All trusted: the leftmost is the client.
  CHECK(p.client_address("127.0.0.1", "10.1.1.1, 127.0.0.1") == "10.1.1.1");
  // Garbage ends the walk at the hop to its right.
  CHECK(p.client_address("127.0.0.1", "203.0.113.9, garbage, 10.1.1.1") == "10.1.1.1");
  CHECK(p.client_address("127.0.0.1", "garbage") == "127.0.0.1");
  // No header: the peer.
  CHECK(p.client_address("127.0.0.1", "") == "127.0.0.1");
  CHECK(p.client_address("::ffff:127.0.0.1", "2001:db8::5") == "2001:db8::5");
  // No proxies configured: always the peer.
  CHECK(proxies({}).client_address("127.0.0.1", "203.0.113.9") == "127.0.0.1");
}

TEST_CASE("X-Forwarded-Proto: https counts only from a trusted peer", "[proxies]") {
  const auto p = proxies({"127.0.0.1"});
  CHECK(p.forwarded_https("127.0.0.1", "https"));
  CHECK(p.forwarded_https("127.0.0.1", "HTTPS"));
  CHECK(p.forwarded_https("127.0.0.1", "https, http"));
  CHECK_FALSE(p.forwarded_https("127.0.0.1", "http"));
  CHECK_FALSE(p.forwarded_https("127.0.0.1", ""));
  CHECK_FALSE(p.forwarded_https("127.0.0.2", "https"));
}

TEST_CASE("rate limits count IPv6 clients by their /64", "[proxies]") {
  CHECK(rate_limit_key("203.0.113.9") == "203.0.113.9");
  CHECK(rate_limit_key("::ffff:203.0.113.9") == "203.0.113.9");
  CHECK(rate_limit_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd") == "2001:db8:1:2::/64");
  CHECK(rate_limit_key("2001:db8:1:2::9") == rate_limit_key("2001:db8:1:2:ffff::1"));
  CHECK(rate_limit_key("no-trusted-ip") == "no-trusted-ip");
}
