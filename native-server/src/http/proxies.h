// Portcullis server: who is calling when a reverse proxy stands in between. The addresses of
// trusted proxies (configured), the X-Forwarded-For chain, and X-Forwarded-Proto.
//
// Only a request whose socket peer is a trusted proxy has its forwarding headers read; from any
// other peer they are ignored, so nobody can choose the address their rate limits and sessions are
// recorded under, or make the server believe a plain-HTTP request was HTTPS.

#ifndef PORTCULLIS_HTTP_PROXIES_H_
#define PORTCULLIS_HTTP_PROXIES_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace portcullis::http {

// An IPv4 or IPv6 address, IPv4 held as IPv4-mapped IPv6 (::ffff:a.b.c.d).
struct IpAddress {
  std::array<std::uint8_t, 16> bytes{};
  bool v4 = false;

  // Parses "203.0.113.9", "2001:db8::1" or "::ffff:203.0.113.9" (the last is read as IPv4).
  // Returns nullopt for anything else (ports, brackets, zone ids, names).
  static std::optional<IpAddress> parse(std::string_view text);

  // The canonical text: dotted IPv4, or RFC 5952 IPv6.
  std::string str() const;
};

class TrustedProxies {
 public:
  TrustedProxies() = default;

  // Parses addresses and CIDR ranges: "127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8".
  // Returns nullopt, with the offending entry in *bad, if an entry is neither.
  static std::optional<TrustedProxies> parse(const std::vector<std::string>& entries, std::string* bad);

  bool empty() const { return ranges_.empty(); }

  // Returns true if `address` (text) is a trusted proxy.
  bool trusts(std::string_view address) const;

  // Returns the client's address as text. `peer` (the socket's address) unless the peer is a
  // trusted proxy; then X-Forwarded-For is walked from the right, skipping trusted proxies, to the
  // first address that is not one. If every entry is trusted, the leftmost is the client. An entry
  // that is not an address ends the walk at the hop to its right (so the last trusted proxy
  // stands for the client). Without the header, the peer.
  std::string client_address(std::string_view peer, std::string_view forwarded_for) const;

  // Returns true if X-Forwarded-Proto (its first element) says "https" and the peer is trusted.
  bool forwarded_https(std::string_view peer, std::string_view forwarded_proto) const;

 private:
  struct Range {
    IpAddress base;
    int prefix = 0;  // in bits of the 128-bit form
  };
  bool trusts(const IpAddress& address) const;
  std::vector<Range> ranges_;
};

// The key per-client limits count under: an IPv4 address as is, an IPv6 address's /64 network
// (one host usually holds a whole /64), or `address` unchanged if it is not an address.
std::string rate_limit_key(std::string_view address);

}  // namespace portcullis::http

#endif  // PORTCULLIS_HTTP_PROXIES_H_
