// Portcullis server: trusted origins, and the callback URLs that may be redirected to.

#ifndef PORTCULLIS_HTTP_ORIGINS_H_
#define PORTCULLIS_HTTP_ORIGINS_H_

#include <string>
#include <string_view>
#include <vector>

namespace portcullis::http {

// Returns the origin ("scheme://host[:port]", lower case) of an absolute URL, or "" if `url` is
// not one.
std::string origin_of(std::string_view url);

class TrustedOrigins {
 public:
  // `own_origin` is the server's public origin; `patterns` are origins such as
  // "https://docs.example.com", "https://*.example.com", "http://localhost:*" or bare host
  // patterns such as "*.example.com" (any scheme).
  TrustedOrigins(std::string own_origin, std::vector<std::string> patterns);

  // Returns true if `origin` (an Origin header value) is trusted.
  bool trusts_origin(std::string_view origin) const;

  // Returns true if `url` may be used as a callback or redirect: a same-site path ("/x", not
  // "//x", no backslashes or encoded slashes), or an absolute URL with a trusted origin.
  bool trusts_url(std::string_view url) const;

 private:
  std::string own_;
  std::vector<std::string> patterns_;
};

}  // namespace portcullis::http

#endif  // PORTCULLIS_HTTP_ORIGINS_H_
