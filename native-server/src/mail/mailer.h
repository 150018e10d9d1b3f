// Portcullis server: outgoing e-mail (verification and password-reset links).
//
// Two senders implement one interface: SMTP through libcurl (STARTTLS, authentication), and an
// outbox folder of JSON files for development and tests. MailQueue sends in the background, so an
// HTTP answer never waits for (or reveals by its timing) a mail server's reply.

#ifndef PORTCULLIS_MAIL_MAILER_H_
#define PORTCULLIS_MAIL_MAILER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "portcullis/error.h"

namespace portcullis::mail {

struct Message {
  std::string to;
  std::string subject;
  std::string text;  // plain-text body
  std::string html;  // optional HTML body ("" for none)
  // What the mail is for, e.g. "verify-email", "reset-password"; and the link it carries.
  // The outbox writes both so tests and developers can follow the link.
  std::string kind;
  std::string link;
};

class Mailer {
 public:
  virtual ~Mailer() = default;
  // Delivers `message` now. Errors: INTERNAL_SERVER_ERROR with what went wrong (never the
  // credentials).
  virtual Status send(const Message& message) = 0;
};

enum class SmtpTls {
  kNone,      // plain SMTP (only for a relay on loopback)
  kStartTls,  // STARTTLS required: fail rather than send in clear
  kImplicit,  // SMTPS (port 465)
};

struct SmtpOptions {
  std::string host = "127.0.0.1";
  int port = 587;
  SmtpTls tls = SmtpTls::kStartTls;
  bool verify_peer = true;  // check the server's certificate (off only for tests)
  std::string ca_file;      // extra CA bundle ("" for the system's)
  std::string username;     // "" for no AUTH
  std::string password;
  std::string from;         // e.g. "Portcullis <no-reply@example.com>"
  std::chrono::milliseconds timeout{10000};
};

// Loads libcurl (libcurl.so.4), which SMTP delivery needs, once; the server calls it at start
// when mail goes through SMTP. libcurl is not linked: a server that sends no SMTP mail never maps
// it and its TLS stack. Returns OK, or an error naming the library when it cannot be loaded.
Status load_smtp_library();

// Sends through an SMTP server with libcurl. send() loads libcurl if load_smtp_library() has not,
// and fails with load_smtp_library()'s error when it cannot be loaded.
std::unique_ptr<Mailer> make_smtp_mailer(SmtpOptions options);

// Writes each message as a JSON file into `directory` (created if missing): one file per message,
// written under a temporary name and renamed, so a reader never sees half a file. Fields: to,
// subject, text, html, kind, link, createdAt.
std::unique_ptr<Mailer> make_outbox_mailer(std::string directory);

// Sends through `inner` on a background thread. enqueue() never blocks; a failed delivery is
// retried `retries` times with a growing delay (200 ms, 400 ms, 800 ms, ...), then logged to stderr
// as one JSON line (recipient domain and error only) and dropped. The destructor delivers what is
// queued (retrying without the delays), then stops.
class MailQueue {
 public:
  MailQueue(std::unique_ptr<Mailer> inner, std::size_t max_queued = 1000, int retries = 3);
  ~MailQueue();
  MailQueue(const MailQueue&) = delete;
  MailQueue& operator=(const MailQueue&) = delete;

  // Queues `message`. Returns false (and drops it) if the queue is full.
  bool enqueue(Message message);

  // Blocks until every queued message has been delivered or dropped (for tests and shutdown).
  void flush();

  // Messages waiting or being sent now.
  std::size_t queued() const;

  // Messages dropped so far: refused by a full queue, or given up after every retry failed.
  std::uint64_t dropped() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace portcullis::mail

#endif  // PORTCULLIS_MAIL_MAILER_H_
