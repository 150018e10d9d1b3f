// Portcullis server: requests the server itself makes to other services (the breached-password
// range API, a CAPTCHA provider's siteverify): which URLs may be called, and a client set up
// alike for all of them.

#ifndef PORTCULLIS_COMMON_OUTBOUND_H_
#define PORTCULLIS_COMMON_OUTBOUND_H_

#include <httplib.h>

#include <chrono>
#include <memory>
#include <string>

#include "portcullis/error.h"

namespace portcullis {

// A URL split as httplib::Client wants it.
struct OutboundUrl {
  std::string origin;  // "https://host[:port]"
  std::string path;    // from "/"; "/" when the URL has none
};

// Reads `url`, which must be https, or plain http to this machine only (127.0.0.0/8, ::1,
// localhost: an answer that can be tampered with on the way must not decide anything), with a
// host, and no user name, query or fragment. Errors: VALIDATION_ERROR, saying what is wrong.
Result<OutboundUrl> parse_outbound_url(const std::string& url);

// A client for `origin` (OutboundUrl::origin): connect, send and every read bounded by `timeout`;
// certificates verified against the system's trust store (OpenSSL's default paths, which
// SSL_CERT_FILE and SSL_CERT_DIR change); redirects not followed; no keep-alive.
std::unique_ptr<httplib::Client> outbound_client(const std::string& origin, std::chrono::seconds timeout);

}  // namespace portcullis

#endif  // PORTCULLIS_COMMON_OUTBOUND_H_
