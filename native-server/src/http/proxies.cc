#include "http/proxies.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "common/strings.h"

namespace portcullis::http {
namespace {

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x >= 'A' && x <= 'Z' ? x + 32 : x) == (y >= 'A' && y <= 'Z' ? y + 32 : y);
         });
}

constexpr std::uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

}  // namespace

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.empty() || text.size() > INET6_ADDRSTRLEN) return std::nullopt;
  const std::string s(text);  // inet_pton needs a terminated string
  IpAddress a;
  if (in_addr v4{}; inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    std::memcpy(a.bytes.data(), kMappedPrefix, 12);
    std::memcpy(a.bytes.data() + 12, &v4, 4);
    a.v4 = true;
    return a;
  }
  if (in6_addr v6{}; inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    std::memcpy(a.bytes.data(), &v6, 16);
    a.v4 = std::memcmp(a.bytes.data(), kMappedPrefix, 12) == 0;
    return a;
  }
  return std::nullopt;
}

std::string IpAddress::str() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (v4) {
    inet_ntop(AF_INET, bytes.data() + 12, buf, sizeof buf);
  } else {
    inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);
  }
  return buf;
}

std::optional<TrustedProxies> TrustedProxies::parse(const std::vector<std::string>& entries,
                                                    std::string* bad) {
  TrustedProxies proxies;
  for (const std::string& raw : entries) {
    const std::string_view entry = trim_spaces_and_tabs(raw);
    if (entry.empty()) continue;
    const auto slash = entry.find('/');
    const auto address = IpAddress::parse(entry.substr(0, slash));
    int prefix = address && address->v4 ? 32 : 128;
    bool ok = address.has_value();
    if (ok && slash != std::string_view::npos) {
      const std::string_view digits = entry.substr(slash + 1);
      int bits = -1;
      const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), bits);
      ok = ec == std::errc() && end == digits.data() + digits.size() && !digits.empty() && bits >= 0 &&
           bits <= prefix;
      prefix = bits;
    }
    if (!ok) {
      if (bad) *bad = std::string(entry);
      return std::nullopt;
    }
    proxies.ranges_.push_back(Range{*address, address->v4 ? prefix + 96 : prefix});
  }
  return proxies;
}

bool TrustedProxies::trusts(const IpAddress& address) const {
  for (const Range& r : ranges_) {
    const int whole = r.prefix / 8;
    const int rest = r.prefix % 8;
    if (std::memcmp(address.bytes.data(), r.base.bytes.data(), whole) != 0) continue;
    if (rest != 0) {
      const std::uint8_t mask = static_cast<std::uint8_t>(0xff << (8 - rest));
      if ((address.bytes[whole] & mask) != (r.base.bytes[whole] & mask)) continue;
    }
    return true;
  }
  return false;
}

bool TrustedProxies::trusts(std::string_view address) const {
  const auto parsed = IpAddress::parse(address);
  return parsed && trusts(*parsed);
}

std::string TrustedProxies::client_address(std::string_view peer, std::string_view forwarded_for) const {
  const auto peer_address = IpAddress::parse(peer);
  if (!peer_address) return std::string(peer);
  std::string client = peer_address->str();
  if (!trusts(*peer_address)) return client;
  // Walk the chain from the right: each trusted hop vouches for the entry to its left.
  std::string_view rest = forwarded_for;
  while (!rest.empty()) {
    const auto comma = rest.rfind(',');
    const std::string_view entry = trim_spaces_and_tabs(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(0, comma);
    const auto hop = IpAddress::parse(entry);
    if (!hop) break;
    client = hop->str();
    if (!trusts(*hop)) break;
  }
  return client;
}

bool TrustedProxies::forwarded_https(std::string_view peer, std::string_view forwarded_proto) const {
  if (forwarded_proto.empty() || !trusts(peer)) return false;
  return equal_ignoring_case(trim_spaces_and_tabs(forwarded_proto.substr(0, forwarded_proto.find(','))), "https");
}

std::string rate_limit_key(std::string_view address) {
  auto parsed = IpAddress::parse(address);
  if (!parsed) return std::string(address);
  if (parsed->v4) return parsed->str();
  std::fill(parsed->bytes.begin() + 8, parsed->bytes.end(), std::uint8_t{0});
  return parsed->str() + "/64";
}

}  // namespace portcullis::http
