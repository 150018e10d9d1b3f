// Portcullis server: see outbound.h.

#include "common/outbound.h"

#include <arpa/inet.h>
#include <netinet/in.h>

namespace portcullis {
namespace {

// Whether `host` (a URL's, IPv6 in brackets) names this machine: localhost, 127.0.0.0/8 or ::1.
bool is_loopback_host(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  return host.size() > 2 && host.front() == '[' && host.back() == ']' &&
         ::inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

}  // namespace

Result<OutboundUrl> parse_outbound_url(const std::string& url) {
  const bool https = url.starts_with("https://");
  if (!https && !url.starts_with("http://")) return Status(ErrorCode::kValidationError, url + " is not an http(s) URL");
  const std::size_t authority = url.find("://") + 3;
  const std::size_t path = url.find('/', authority);
  std::string host = url.substr(authority, (path == std::string::npos ? url.size() : path) - authority);
  if (host.empty() || host.find_first_of("@?#") != std::string::npos) {
    return Status(ErrorCode::kValidationError, url + " is not a URL to call (a host, and no user name)");
  }
  OutboundUrl out;
  out.origin = url.substr(0, path);
  host = host.front() == '[' ? host.substr(0, host.find(']') + 1) : host.substr(0, host.find(':'));
  if (!https && !is_loopback_host(host)) {
    return Status(ErrorCode::kValidationError, url + ": plain http only to this machine (127.0.0.1, ::1, localhost); use https");
  }
  out.path = path == std::string::npos ? "/" : url.substr(path);
  if (out.path.find_first_of("?#") != std::string::npos) {
    return Status(ErrorCode::kValidationError, url + ": no query or fragment");
  }
  return out;
}

std::unique_ptr<httplib::Client> outbound_client(const std::string& origin, std::chrono::seconds timeout) {
  auto client = std::make_unique<httplib::Client>(origin);
  client->set_connection_timeout(timeout.count());
  client->set_read_timeout(timeout.count());
  client->set_write_timeout(timeout.count());
  client->set_keep_alive(false);
  client->set_follow_location(false);
  client->enable_server_certificate_verification(true);
  return client;
}

}  // namespace portcullis
