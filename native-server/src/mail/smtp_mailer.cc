// Portcullis server: the SMTP mailer (libcurl).
//
// Builds an RFC 5322 / MIME message in memory and hands it to libcurl's SMTP client, which does
// the envelope (MAIL FROM, RCPT TO), STARTTLS, AUTH and dot-stuffing.
//
// libcurl is loaded with dlopen() when SMTP is first needed, not linked: it brings a second TLS
// stack and ~25 libraries (GnuTLS, Kerberos, LDAP, SSH...) whose relocated pages cost ~3.7 MiB of
// resident memory in every server process, although most servers send no mail through SMTP.

#include <curl/curl.h>
#include <dlfcn.h>

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "common/strings.h"
#include "mail/mailer.h"
#include "portcullis/token.h"

namespace portcullis::mail {
namespace {

// Length of the lines of a base64 body (RFC 2045 allows at most 76).
constexpr std::size_t kBase64LineLength = 76;
// Bytes of UTF-8 per RFC 2047 encoded-word: 42 bytes -> 56 base64 characters; with "=?UTF-8?B?"
// and "?=" a word is 68 characters (the limit is 75), and "Subject: " plus one word fits in 78.
constexpr std::size_t kEncodedWordBytes = 42;
// An ASCII subject longer than this is sent as encoded-words too, so that it is folded.
constexpr std::size_t kMaxPlainSubject = 200;

// The mailer's errors: 500 INTERNAL_SERVER_ERROR, the message prefixed with "smtp: ".
Status fail(std::string what) {
  return Status(ErrorCode::kInternalServerError, "smtp: " + std::move(what));
}

// The libcurl functions the mailer calls, resolved from the library loaded at run time.
struct CurlApi {
  decltype(&curl_global_init) global_init;
  decltype(&curl_easy_init) easy_init;
  decltype(&curl_easy_cleanup) easy_cleanup;
  decltype(&curl_easy_setopt) easy_setopt;
  decltype(&curl_easy_perform) easy_perform;
  decltype(&curl_easy_strerror) easy_strerror;
  decltype(&curl_slist_append) slist_append;
  decltype(&curl_slist_free_all) slist_free_all;
};

// The soname of the libcurl the mailer was compiled against (Debian's libcurl4).
constexpr const char* kCurlLibrary = "libcurl.so.4";

Result<CurlApi> load_curl() {
  // Never closed: the functions stay in use until the process exits.
  void* library = dlopen(kCurlLibrary, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* why = dlerror();
    return fail(std::string("cannot load ") + kCurlLibrary + ": " + (why ? why : "unknown error"));
  }
  CurlApi api{};
  bool missing = false;
  auto resolve = [&](auto& fn, const char* name) {
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(library, name));
    if (fn == nullptr) missing = true;
  };
  resolve(api.global_init, "curl_global_init");
  resolve(api.easy_init, "curl_easy_init");
  resolve(api.easy_cleanup, "curl_easy_cleanup");
  resolve(api.easy_setopt, "curl_easy_setopt");
  resolve(api.easy_perform, "curl_easy_perform");
  resolve(api.easy_strerror, "curl_easy_strerror");
  resolve(api.slist_append, "curl_slist_append");
  resolve(api.slist_free_all, "curl_slist_free_all");
  if (missing) {
    return fail(std::string(kCurlLibrary) + " lacks a function the mailer needs");
  }
  if (const CURLcode rc = api.global_init(CURL_GLOBAL_DEFAULT); rc != CURLE_OK) {
    return fail(std::string("curl_global_init: ") + api.easy_strerror(rc));
  }
  return api;
}

// Loads libcurl once (function-local statics are initialised once, thread-safely).
const Result<CurlApi>& curl_api() {
  static const Result<CurlApi> api = load_curl();
  return api;
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_api()->easy_cleanup(curl); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_api()->slist_free_all(list); }
};
using CurlPtr = std::unique_ptr<CURL, CurlDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

bool has_line_break(std::string_view s) {
  return s.find_first_of("\r\n") != std::string_view::npos;
}

bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// "Name <a@b>" -> "a@b"; "a@b" -> "a@b".
std::string bare_address(std::string_view mailbox) {
  const auto open = mailbox.rfind('<');
  if (open != std::string_view::npos) {
    const auto close = mailbox.find('>', open);
    if (close != std::string_view::npos) {
      return std::string(trim_spaces_and_tabs(mailbox.substr(open + 1, close - open - 1)));
    }
  }
  return std::string(trim_spaces_and_tabs(mailbox));
}

std::string domain_of(std::string_view address) {
  const auto at = address.rfind('@');
  if (at == std::string_view::npos || at + 1 == address.size()) return "localhost";
  return std::string(address.substr(at + 1));
}

// Length of the UTF-8 sequence that starts with `lead` (1 for a stray byte).
std::size_t utf8_sequence_length(unsigned char lead) {
  if (lead >= 0xF8) return 1;
  if (lead >= 0xF0) return 4;
  if (lead >= 0xE0) return 3;
  if (lead >= 0xC0) return 2;
  return 1;
}

// RFC 2047: `value` as one or more "=?UTF-8?B?...?=" words, folded onto continuation lines.
// Words never split a UTF-8 sequence.
std::string encode_header_words(std::string_view value) {
  std::string out;
  std::size_t i = 0;
  while (i < value.size()) {
    std::size_t end = i;
    while (end < value.size()) {
      const std::size_t n = utf8_sequence_length(static_cast<unsigned char>(value[end]));
      if (end + n - i > kEncodedWordBytes && end > i) break;
      end = std::min(end + n, value.size());
    }
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?";
    out += base64_encode(value.substr(i, end - i));
    out += "?=";
    i = end;
  }
  return out;
}

std::string encode_subject(std::string_view subject) {
  if (is_ascii(subject) && subject.size() <= kMaxPlainSubject &&
      subject.find("=?") == std::string_view::npos) {
    return std::string(subject);
  }
  return encode_header_words(subject);
}

// Any of CRLF, LF or lone CR -> CRLF.
std::string normalize_newlines(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 16);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      out += "\r\n";
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else if (text[i] == '\n') {
      out += "\r\n";
    } else {
      out += text[i];
    }
  }
  return out;
}

// True if `crlf_text` can go as 7bit: ASCII, no NUL, lines of at most 998 octets.
bool fits_7bit(std::string_view crlf_text) {
  std::size_t line = 0;
  for (char c : crlf_text) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80 || u == 0) return false;
    if (c == '\n') {
      line = 0;
    } else if (++line > 998) {
      return false;
    }
  }
  return true;
}

// Content-Type/Content-Transfer-Encoding headers and the encoded body of one text part.
std::string text_part(std::string_view subtype, std::string_view body) {
  const std::string canonical = normalize_newlines(body);
  std::string out = "Content-Type: text/";
  out += subtype;
  out += "; charset=UTF-8\r\n";
  if (fits_7bit(canonical)) {
    out += "Content-Transfer-Encoding: 7bit\r\n\r\n";
    out += canonical;
    if (!canonical.empty() && canonical.back() != '\n') out += "\r\n";
  } else {
    out += "Content-Transfer-Encoding: base64\r\n\r\n";
    const std::string encoded = base64_encode(canonical);
    for (std::size_t i = 0; i < encoded.size(); i += kBase64LineLength) {
      out.append(encoded, i, kBase64LineLength);
      out += "\r\n";
    }
  }
  return out;
}

// RFC 5322 date in UTC, e.g. "Wed, 25 Nov 2026 04:46:53 +0000" (no locale involved).
std::string rfc5322_date_now() {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

// A From or To header value: a non-ASCII display name ("Zoë <a@b>") is sent as encoded-words.
std::string encode_mailbox(std::string_view mailbox) {
  const auto open = mailbox.rfind('<');
  if (is_ascii(mailbox) || open == std::string_view::npos) return std::string(mailbox);
  std::string_view name = trim_spaces_and_tabs(mailbox.substr(0, open));
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
    name = name.substr(1, name.size() - 2);
  }
  return encode_header_words(name) + " " + std::string(mailbox.substr(open));
}

std::string build_message(const SmtpOptions& options, const Message& message) {
  std::string out;
  out += "From: " + encode_mailbox(options.from) + "\r\n";
  out += "To: " + encode_mailbox(message.to) + "\r\n";
  out += "Subject: " + encode_subject(message.subject) + "\r\n";
  out += "Date: " + rfc5322_date_now() + "\r\n";
  out += "Message-ID: <" + generate_token() + "@" + domain_of(bare_address(options.from)) +
         ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  if (message.html.empty()) {
    out += text_part("plain", message.text);
    return out;
  }
  const std::string boundary = "=_portcullis_" + generate_token(24);
  out += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
  // The CRLF before "--boundary" belongs to the delimiter (RFC 2046 §5.1.1), so a part's own
  // final line break needs one more.
  out += "--" + boundary + "\r\n";
  out += text_part("plain", message.text);
  out += "\r\n--" + boundary + "\r\n";
  out += text_part("html", message.html);
  out += "\r\n--" + boundary + "--\r\n";
  return out;
}

struct UploadSource {
  std::string_view data;
  std::size_t offset = 0;
};

std::size_t read_upload(char* buffer, std::size_t size, std::size_t count, void* userdata) {
  auto* source = static_cast<UploadSource*>(userdata);
  const std::size_t room = size * count;
  const std::size_t n = std::min(room, source->data.size() - source->offset);
  std::memcpy(buffer, source->data.data() + source->offset, n);
  source->offset += n;
  return n;
}

std::string host_for_url(const std::string& host) {
  if (host.find(':') != std::string::npos && host.front() != '[') return "[" + host + "]";
  return host;
}

class SmtpMailer final : public Mailer {
 public:
  explicit SmtpMailer(SmtpOptions options) : options_(std::move(options)) {}

  Status send(const Message& message) override {
    if (has_line_break(message.to) || has_line_break(message.subject)) {
      return fail("line break in the recipient or subject");
    }
    if (has_line_break(options_.from)) return fail("line break in the sender");
    const std::string rcpt = bare_address(message.to);
    if (rcpt.empty()) return fail("no recipient");

    const Result<CurlApi>& loaded = curl_api();
    if (!loaded) return loaded.status();
    const CurlApi& curl_fn = *loaded;

    CurlPtr curl(curl_fn.easy_init());
    if (!curl) return fail("curl_easy_init failed");

    SlistPtr recipients(curl_fn.slist_append(nullptr, rcpt.c_str()));
    if (!recipients) return fail("out of memory");

    const std::string payload = build_message(options_, message);
    UploadSource source{payload, 0};

    const bool implicit = options_.tls == SmtpTls::kImplicit;
    const std::string url = std::string(implicit ? "smtps://" : "smtp://") +
                            host_for_url(options_.host) + ":" + std::to_string(options_.port);
    // curl adds the angle brackets.
    const std::string mail_from = bare_address(options_.from);
    long use_ssl = CURLUSESSL_NONE;
    if (options_.tls != SmtpTls::kNone) use_ssl = CURLUSESSL_ALL;
    const long timeout_ms = static_cast<long>(options_.timeout.count());

    char errbuf[CURL_ERROR_SIZE] = {};
    CURL* c = curl.get();
    CURLcode rc = CURLE_OK;
    // Set options until one fails (they only fail for out-of-memory or an unsupported build).
    auto set = [&rc](CURLcode r) {
      if (rc == CURLE_OK) rc = r;
    };
    set(curl_fn.easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf));
    set(curl_fn.easy_setopt(c, CURLOPT_URL, url.c_str()));
    set(curl_fn.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps"));
    set(curl_fn.easy_setopt(c, CURLOPT_NOSIGNAL, 1L));
    set(curl_fn.easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms));
    set(curl_fn.easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms));
    set(curl_fn.easy_setopt(c, CURLOPT_USE_SSL, use_ssl));
    set(curl_fn.easy_setopt(c, CURLOPT_SSL_VERIFYPEER, options_.verify_peer ? 1L : 0L));
    set(curl_fn.easy_setopt(c, CURLOPT_SSL_VERIFYHOST, options_.verify_peer ? 2L : 0L));
    if (!options_.ca_file.empty()) {
      set(curl_fn.easy_setopt(c, CURLOPT_CAINFO, options_.ca_file.c_str()));
    }
    if (!options_.username.empty()) {
      set(curl_fn.easy_setopt(c, CURLOPT_USERNAME, options_.username.c_str()));
      set(curl_fn.easy_setopt(c, CURLOPT_PASSWORD, options_.password.c_str()));
    }
    set(curl_fn.easy_setopt(c, CURLOPT_MAIL_FROM, mail_from.c_str()));
    set(curl_fn.easy_setopt(c, CURLOPT_MAIL_RCPT, recipients.get()));
    set(curl_fn.easy_setopt(c, CURLOPT_UPLOAD, 1L));
    set(curl_fn.easy_setopt(c, CURLOPT_READFUNCTION, &read_upload));
    set(curl_fn.easy_setopt(c, CURLOPT_READDATA, &source));
    set(curl_fn.easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(payload.size())));
    if (rc != CURLE_OK) return fail(std::string("setting options: ") + curl_fn.easy_strerror(rc));

    rc = curl_fn.easy_perform(c);
    if (rc != CURLE_OK) {
      std::string what = curl_fn.easy_strerror(rc);
      if (errbuf[0] != '\0') what += std::string(": ") + errbuf;
      return fail(std::move(what) + " (" + options_.host + ":" + std::to_string(options_.port) +
                  ")");
    }
    return Status::OK();
  }

 private:
  SmtpOptions options_;
};

}  // namespace

Status load_smtp_library() { return curl_api().status(); }

std::unique_ptr<Mailer> make_smtp_mailer(SmtpOptions options) {
  return std::make_unique<SmtpMailer>(std::move(options));
}

}  // namespace portcullis::mail
