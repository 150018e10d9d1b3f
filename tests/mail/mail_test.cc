// Tests of the mailers: SMTP (libcurl) against tests/mail/smtp_sink.py (aiosmtpd), the outbox
// folder, and the background queue with fake mailers.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "mail/mailer.h"

namespace fs = std::filesystem;
using nlohmann::json;
using portcullis::ErrorCode;
using portcullis::Status;
using portcullis::mail::MailQueue;
using portcullis::mail::Mailer;
using portcullis::mail::Message;
using portcullis::mail::SmtpOptions;
using portcullis::mail::SmtpTls;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kPython = "/usr/bin/python3";

// A fresh directory under the system's temp folder, removed with everything in it at the end.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "portcullis-mail-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string lf(std::string text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    out += text[i];
  }
  return out;
}

std::vector<std::string> file_names(const fs::path& dir) {
  std::vector<std::string> names;
  if (!fs::exists(dir)) return names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// A self-signed certificate for CN=localhost (subjectAltName DNS:localhost), made once.
struct Certificate {
  TempDir dir;
  std::string cert = (dir.path() / "cert.pem").string();
  std::string key = (dir.path() / "key.pem").string();
  Certificate() {
    const std::string command =
        "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost"
        " -addext subjectAltName=DNS:localhost -days 1 -keyout '" +
        key + "' -out '" + cert + "' >/dev/null 2>&1";
    if (std::system(command.c_str()) != 0) throw std::runtime_error("openssl req failed");
  }
};

const Certificate& certificate() {
  static const Certificate cert;
  return cert;
}

// tests/mail/smtp_sink.py as a child process, listening on a free port of 127.0.0.1. Killed (and
// reaped) by the destructor; it also exits by itself when its stdin closes.
class Sink {
 public:
  explicit Sink(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {kPython, PORTCULLIS_SMTP_SINK, "--port", "0", "--dir",
                                     dir_.path().string()};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    int to_child[2];
    int from_child[2];
    if (pipe2(to_child, O_CLOEXEC) != 0 || pipe2(from_child, O_CLOEXEC) != 0) {
      throw std::runtime_error("pipe2 failed");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, to_child[0], 0);
    posix_spawn_file_actions_adddup2(&actions, from_child[1], 1);
    const int rc = posix_spawn(&pid_, kPython, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(to_child[0]);
    close(from_child[1]);
    stdin_ = to_child[1];
    stdout_ = from_child[0];
    if (rc != 0) {
      pid_ = -1;
      throw std::runtime_error("posix_spawn failed");
    }
    // "READY <port>\n"; EOF first means the sink failed to start (its stderr says why).
    std::string line;
    char c;
    while (read(stdout_, &c, 1) == 1 && c != '\n') line += c;
    if (line.rfind("READY ", 0) != 0) throw std::runtime_error("sink did not start: " + line);
    port_ = std::stoi(line.substr(6));
  }
  ~Sink() {
    close(stdin_);
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
    close(stdout_);
  }
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;

  int port() const { return port_; }
  const fs::path& dir() const { return dir_.path(); }
  // Messages received so far.
  std::size_t count() const {
    const auto names = file_names(dir());
    return static_cast<std::size_t>(std::count_if(names.begin(), names.end(), [](const auto& n) {
      return n.size() > 5 && n.substr(n.size() - 5) == ".json";
    }));
  }
  // The n-th message (from 1): the raw .eml and the sidecar.
  std::string eml(int n) const { return read_file(dir() / (std::to_string(n) + ".eml")); }
  json info(int n) const { return json::parse(read_file(dir() / (std::to_string(n) + ".json"))); }

 private:
  TempDir dir_;
  pid_t pid_ = -1;
  int stdin_ = -1;
  int stdout_ = -1;
  int port_ = 0;
};

// A socket bound to 127.0.0.1 on a free port; listening (accepting nothing) or not.
class Socket {
 public:
  explicit Socket(bool listening) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = 0;
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        (listening && listen(fd_, 4) != 0)) {
      throw std::runtime_error("socket setup failed");
    }
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~Socket() { close(fd_); }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// "m<i>" (built by appending: GCC 12 -O3 warns falsely (-Wrestrict) about "m" + std::string).
std::string subject_for(int i) {
  std::string s = "m";
  s += std::to_string(i);
  return s;
}

SmtpOptions plain_options(int port) {
  SmtpOptions o;
  o.host = "127.0.0.1";
  o.port = port;
  o.tls = SmtpTls::kNone;
  o.from = "Portcullis <no-reply@example.com>";
  o.timeout = milliseconds(5000);
  return o;
}

Message sample_message() {
  Message m;
  m.to = "alice@example.org";
  m.subject = "Verify your email";
  m.text = "Hello Alice,\n\nOpen https://auth.example.com/verify?token=abc to verify.\n"
           ".a line that starts with a dot\n";
  m.kind = "verify-email";
  m.link = "https://auth.example.com/verify?token=abc";
  return m;
}

std::string headers_of(const std::string& eml) { return eml.substr(0, eml.find("\r\n\r\n") + 2); }

bool all_ascii(const std::string& s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// SMTP

TEST_CASE("smtp: plain delivery writes the right headers and body", "[mail][smtp]") {
  Sink sink;
  auto mailer = portcullis::mail::make_smtp_mailer(plain_options(sink.port()));
  const Status status = mailer->send(sample_message());
  INFO(status.message());
  REQUIRE(status.ok());
  REQUIRE(sink.count() == 1);

  const std::string eml = sink.eml(1);
  const std::string headers = headers_of(eml);
  CHECK(headers.find("From: Portcullis <no-reply@example.com>\r\n") != std::string::npos);
  CHECK(headers.find("To: alice@example.org\r\n") != std::string::npos);
  CHECK(headers.find("Subject: Verify your email\r\n") != std::string::npos);
  CHECK(headers.find("MIME-Version: 1.0\r\n") != std::string::npos);
  CHECK(headers.find("Content-Type: text/plain; charset=UTF-8\r\n") != std::string::npos);
  CHECK(std::regex_search(headers, std::regex("\r\nDate: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d\\d "
                                              "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
                                              " \\d{4} \\d\\d:\\d\\d:\\d\\d \\+0000\r\n")));
  CHECK(std::regex_search(headers,
                          std::regex("\r\nMessage-ID: <[A-Za-z0-9]{32}@example\\.com>\r\n")));
  // CRLF everywhere: no bare LF.
  for (std::size_t i = 0; i < eml.size(); ++i) {
    if (eml[i] == '\n') REQUIRE((i > 0 && eml[i - 1] == '\r'));
  }
  // The body as sent; the leading dot survived (curl dot-stuffs, the server un-stuffs).
  CHECK(eml.find("\r\n\r\nHello Alice,\r\n\r\nOpen https://auth.example.com/verify?token=abc to "
                 "verify.\r\n.a line that starts with a dot\r\n") != std::string::npos);

  const json info = sink.info(1);
  CHECK(info["mail_from"] == "no-reply@example.com");
  CHECK(info["rcpt_tos"] == json::array({"alice@example.org"}));
  CHECK(info["login"].is_null());
  CHECK(info["subject"] == "Verify your email");
  CHECK(info["content_type"] == "text/plain");
  CHECK(lf(info["text"].get<std::string>()) == sample_message().text);
  CHECK(info["html"].is_null());

  // A second message on the same mailer.
  Message second = sample_message();
  second.to = "Bob <bob@example.net>";
  REQUIRE(mailer->send(second).ok());
  REQUIRE(sink.count() == 2);
  CHECK(sink.info(2)["rcpt_tos"] == json::array({"bob@example.net"}));
  CHECK(sink.info(2)["to"] == "Bob <bob@example.net>");
}

TEST_CASE("smtp: non-ASCII subject, sender name and body are encoded and decode back",
          "[mail][smtp]") {
  Sink sink;
  SmtpOptions options = plain_options(sink.port());
  options.from = "Zoë Authentification <no-reply@example.com>";
  auto mailer = portcullis::mail::make_smtp_mailer(options);
  Message m = sample_message();
  m.subject = "Vérifiez votre adresse e-mail — ünïcödé, 日本語のテキスト, and emoji 🔐🔑 too";
  m.text = "Bonjour Zoë,\nCliquez ici : https://auth.example.com/v?t=é\n";
  m.to = "Zoë Dupont <zoe@example.org>";
  const Status status = mailer->send(m);
  INFO(status.message());
  REQUIRE(status.ok());

  const std::string eml = sink.eml(1);
  const std::string headers = headers_of(eml);
  CHECK(all_ascii(headers));
  CHECK(headers.find("Subject: =?UTF-8?B?") != std::string::npos);
  // Folded into several encoded-words, every header line within 78 characters.
  std::istringstream lines(headers);
  for (std::string line; std::getline(lines, line);) CHECK(line.size() <= 79);  // + the '\r'
  CHECK(all_ascii(eml));  // the body went as base64

  const json info = sink.info(1);
  CHECK(info["subject"] == m.subject);
  CHECK(info["from"] == "Zoë Authentification <no-reply@example.com>");
  CHECK(info["to"] == "Zoë Dupont <zoe@example.org>");
  CHECK(info["rcpt_tos"] == json::array({"zoe@example.org"}));
  CHECK(lf(info["text"].get<std::string>()) == m.text);
}

TEST_CASE("smtp: an HTML body makes a multipart/alternative message", "[mail][smtp]") {
  Sink sink;
  auto mailer = portcullis::mail::make_smtp_mailer(plain_options(sink.port()));
  Message m = sample_message();
  m.html =
      "<p>Hello Alice, <a href=\"https://auth.example.com/verify?token=abc\">verify</a>.</p>\n";
  REQUIRE(mailer->send(m).ok());

  const std::string headers = headers_of(sink.eml(1));
  CHECK(headers.find("Content-Type: multipart/alternative; boundary=\"") != std::string::npos);
  const json info = sink.info(1);
  CHECK(info["content_type"] == "multipart/alternative");
  CHECK(lf(info["text"].get<std::string>()) == m.text);
  CHECK(lf(info["html"].get<std::string>()) == m.html);
}

TEST_CASE("smtp: STARTTLS with AUTH delivers and the server sees the login", "[mail][smtp][tls]") {
  const Certificate& cert = certificate();
  Sink sink({"--tls-cert", cert.cert, "--tls-key", cert.key, "--auth", "mailer:s3cret pass"});
  SmtpOptions options = plain_options(sink.port());
  options.tls = SmtpTls::kStartTls;
  options.username = "mailer";
  options.password = "s3cret pass";

  SECTION("verifying the certificate against ca_file, by host name") {
    options.host = "localhost";
    options.verify_peer = true;
    options.ca_file = cert.cert;
    const Status status = portcullis::mail::make_smtp_mailer(options)->send(sample_message());
    INFO(status.message());
    REQUIRE(status.ok());
    REQUIRE(sink.count() == 1);
    CHECK(sink.info(1)["login"] == "mailer");
    CHECK(sink.info(1)["rcpt_tos"] == json::array({"alice@example.org"}));
  }
  SECTION("without verification") {
    options.verify_peer = false;
    const Status status = portcullis::mail::make_smtp_mailer(options)->send(sample_message());
    INFO(status.message());
    REQUIRE(status.ok());
    REQUIRE(sink.count() == 1);
    CHECK(sink.info(1)["login"] == "mailer");
  }
  SECTION("an untrusted certificate fails when verifying") {
    options.host = "localhost";
    options.verify_peer = true;  // system CAs only: the self-signed certificate is not trusted
    const Status status = portcullis::mail::make_smtp_mailer(options)->send(sample_message());
    INFO(status.message());
    CHECK(status.code() == ErrorCode::kInternalServerError);
    CHECK(sink.count() == 0);
  }
  SECTION("a wrong password fails and the error does not quote it") {
    options.verify_peer = false;
    options.password = "wrong-Pa55word";
    const Status status = portcullis::mail::make_smtp_mailer(options)->send(sample_message());
    INFO(status.message());
    CHECK(status.code() == ErrorCode::kInternalServerError);
    CHECK(status.message().find("wrong-Pa55word") == std::string::npos);
    CHECK(status.message().find("s3cret") == std::string::npos);
    CHECK(sink.count() == 0);
  }
  SECTION("no credentials: the server refuses the mail") {
    options.verify_peer = false;
    options.username.clear();
    options.password.clear();
    const Status status = portcullis::mail::make_smtp_mailer(options)->send(sample_message());
    INFO(status.message());
    CHECK(status.code() == ErrorCode::kInternalServerError);
    CHECK(sink.count() == 0);
  }
}

TEST_CASE("smtp: implicit TLS (SMTPS)", "[mail][smtp][tls]") {
  const Certificate& cert = certificate();
  Sink sink({"--tls-cert", cert.cert, "--tls-key", cert.key, "--implicit-tls", "--auth", "u:p"});
  SmtpOptions options = plain_options(sink.port());
  options.tls = SmtpTls::kImplicit;
  options.host = "localhost";
  options.ca_file = cert.cert;
  options.username = "u";
  options.password = "p";
  const Status status = portcullis::mail::make_smtp_mailer(options)->send(sample_message());
  INFO(status.message());
  REQUIRE(status.ok());
  REQUIRE(sink.count() == 1);
  CHECK(sink.info(1)["login"] == "u");
}

TEST_CASE("smtp: STARTTLS required but not offered fails without sending", "[mail][smtp][tls]") {
  Sink sink;  // no --tls-cert: no STARTTLS
  SmtpOptions options = plain_options(sink.port());
  options.tls = SmtpTls::kStartTls;
  options.verify_peer = false;
  const Status status = portcullis::mail::make_smtp_mailer(options)->send(sample_message());
  INFO(status.message());
  CHECK(status.code() == ErrorCode::kInternalServerError);
  CHECK(sink.count() == 0);
}

TEST_CASE("smtp: header injection is refused before connecting", "[mail][smtp]") {
  Sink sink;
  auto mailer = portcullis::mail::make_smtp_mailer(plain_options(sink.port()));
  Message m = sample_message();
  SECTION("subject") { m.subject = "Hello\r\nBcc: victim@example.net"; }
  SECTION("subject, bare LF") { m.subject = "Hello\nBcc: victim@example.net"; }
  SECTION("subject, bare CR") { m.subject = "Hello\rBcc: victim@example.net"; }
  SECTION("recipient") { m.to = "alice@example.org\r\nBcc: victim@example.net"; }
  const Status status = mailer->send(m);
  CHECK(status.code() == ErrorCode::kInternalServerError);
  CHECK(sink.count() == 0);
}

TEST_CASE("smtp: connection refused and a silent server fail within the timeout", "[mail][smtp]") {
  SmtpOptions options = plain_options(0);
  options.timeout = milliseconds(500);
  int port = 0;
  std::unique_ptr<Socket> silent;
  SECTION("refused") {
    port = Socket(false).port();  // bound, then closed: nothing listens there
  }
  SECTION("accepts the connection but never greets") {
    silent = std::make_unique<Socket>(true);
    port = silent->port();
  }
  options.port = port;
  const auto start = Clock::now();
  const Status status = portcullis::mail::make_smtp_mailer(options)->send(sample_message());
  const auto elapsed = Clock::now() - start;
  INFO(status.message());
  CHECK(status.code() == ErrorCode::kInternalServerError);
  CHECK(elapsed < milliseconds(3000));
}

// ---------------------------------------------------------------------------------------------
// Outbox

TEST_CASE("outbox: one whole JSON file per message, in a directory it creates", "[mail][outbox]") {
  TempDir tmp;
  const fs::path dir = tmp.path() / "nested" / "outbox";
  auto mailer = portcullis::mail::make_outbox_mailer(dir.string());

  Message m = sample_message();
  m.subject = "Réinitialiser le mot de passe \"now\"";
  m.html = "<p>Hi</p>";
  m.kind = "reset-password";
  REQUIRE(mailer->send(m).ok());

  // Concurrent senders each get their own file.
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&mailer, t] {
      for (int i = 0; i < 10; ++i) {
        Message x = sample_message();
        x.subject = subject_for(t * 100 + i);
        if (!mailer->send(x).ok()) throw std::runtime_error("outbox send failed");
      }
    });
  }
  for (auto& th : threads) th.join();

  const auto names = file_names(dir);
  REQUIRE(names.size() == 41);  // and no temporary files left behind
  const std::regex name_re("\\d{8}T\\d{9}Z-[A-Za-z0-9]+\\.json");
  const std::regex created_re("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
  int found = 0;
  for (const auto& name : names) {
    INFO(name);
    CHECK(std::regex_match(name, name_re));
    const json doc = json::parse(read_file(dir / name));
    for (const char* field : {"to", "subject", "text", "html", "kind", "link", "createdAt"}) {
      CHECK(doc.at(field).is_string());
    }
    CHECK(std::regex_match(doc["createdAt"].get<std::string>(), created_re));
    // The file name starts with createdAt's digits, so names sort by time.
    std::string digits = doc["createdAt"].get<std::string>();
    digits.erase(std::remove_if(digits.begin(), digits.end(),
                                [](char c) { return c == '-' || c == ':' || c == '.'; }),
                 digits.end());
    CHECK(name.rfind(digits, 0) == 0);
    if (doc["kind"] == "reset-password") {
      ++found;
      CHECK(doc["to"] == m.to);
      CHECK(doc["subject"] == m.subject);
      CHECK(doc["text"] == m.text);
      CHECK(doc["html"] == m.html);
      CHECK(doc["link"] == m.link);
    }
  }
  CHECK(found == 1);
}

TEST_CASE("outbox: an unwritable directory is an error", "[mail][outbox]") {
  TempDir tmp;
  const fs::path file = tmp.path() / "a-file";
  std::ofstream(file) << "x";
  auto mailer = portcullis::mail::make_outbox_mailer((file / "outbox").string());
  CHECK(mailer->send(sample_message()).code() == ErrorCode::kInternalServerError);
}

// ---------------------------------------------------------------------------------------------
// MailQueue

namespace {

// Records what it delivers; fails its first `failures` calls.
struct Recorder {
  std::mutex mutex;
  std::vector<std::string> delivered;  // subjects
  int calls = 0;
  std::vector<Clock::time_point> call_times;
};

class FakeMailer final : public Mailer {
 public:
  FakeMailer(std::shared_ptr<Recorder> recorder, int failures = 0,
             std::string error = "fake failure")
      : recorder_(std::move(recorder)), failures_(failures), error_(std::move(error)) {}
  Status send(const Message& message) override {
    std::lock_guard lock(recorder_->mutex);
    ++recorder_->calls;
    recorder_->call_times.push_back(Clock::now());
    if (recorder_->calls <= failures_) return Status(ErrorCode::kInternalServerError, error_);
    recorder_->delivered.push_back(message.subject);
    return Status::OK();
  }

 private:
  std::shared_ptr<Recorder> recorder_;
  int failures_;
  std::string error_;
};

// Blocks every send until released; tells when the first send has started.
struct Gate {
  std::promise<void> started;
  std::atomic<bool> started_set{false};
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
};

class BlockingMailer final : public Mailer {
 public:
  BlockingMailer(std::shared_ptr<Gate> gate, std::shared_ptr<Recorder> recorder)
      : gate_(std::move(gate)), inner_(std::move(recorder)) {}
  Status send(const Message& message) override {
    if (!gate_->started_set.exchange(true)) gate_->started.set_value();
    gate_->released.wait();
    return inner_.send(message);
  }

 private:
  std::shared_ptr<Gate> gate_;
  FakeMailer inner_;
};

Message numbered(int i) {
  Message m = sample_message();
  m.subject = subject_for(i);
  return m;
}

std::vector<std::string> numbered_subjects(int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i <= to; ++i) out.push_back(subject_for(i));
  return out;
}

// Captures std::cerr for its lifetime.
class CerrCapture {
 public:
  CerrCapture() : old_(std::cerr.rdbuf(buffer_.rdbuf())) {}
  ~CerrCapture() { std::cerr.rdbuf(old_); }
  CerrCapture(const CerrCapture&) = delete;
  CerrCapture& operator=(const CerrCapture&) = delete;
  std::string text() const { return buffer_.str(); }

 private:
  std::ostringstream buffer_;
  std::streambuf* old_;
};

}  // namespace

TEST_CASE("queue: delivers in order; flush waits; the destructor delivers the rest",
          "[mail][queue]") {
  auto recorder = std::make_shared<Recorder>();
  {
    MailQueue queue(std::make_unique<FakeMailer>(recorder), 100, 3);
    for (int i = 1; i <= 20; ++i) REQUIRE(queue.enqueue(numbered(i)));
    queue.flush();
    {
      std::lock_guard lock(recorder->mutex);
      CHECK(recorder->delivered == numbered_subjects(1, 20));
    }
    for (int i = 21; i <= 30; ++i) REQUIRE(queue.enqueue(numbered(i)));
    // No flush: the destructor delivers them.
  }
  CHECK(recorder->delivered == numbered_subjects(1, 30));
  CHECK(recorder->calls == 30);
}

TEST_CASE("queue: flush on an idle queue returns at once", "[mail][queue]") {
  auto recorder = std::make_shared<Recorder>();
  MailQueue queue(std::make_unique<FakeMailer>(recorder));
  queue.flush();
  CHECK(recorder->calls == 0);
}

TEST_CASE("queue: a failing send is retried with growing delays", "[mail][queue]") {
  auto recorder = std::make_shared<Recorder>();
  CerrCapture cerr;
  {
    MailQueue queue(std::make_unique<FakeMailer>(recorder, 2), 10, 3);
    REQUIRE(queue.enqueue(numbered(1)));
    REQUIRE(queue.enqueue(numbered(2)));
    queue.flush();
  }
  CHECK(recorder->calls == 4);  // m1: fail, fail, ok; m2: ok
  CHECK(recorder->delivered == numbered_subjects(1, 2));
  REQUIRE(recorder->call_times.size() == 4);
  const auto first_delay = recorder->call_times[1] - recorder->call_times[0];
  const auto second_delay = recorder->call_times[2] - recorder->call_times[1];
  CHECK(first_delay >= milliseconds(200));
  CHECK(second_delay >= milliseconds(400));
  CHECK(cerr.text().empty());
}

TEST_CASE("queue: drops a message after its retries and logs only the domain", "[mail][queue]") {
  auto recorder = std::make_shared<Recorder>();
  CerrCapture cerr;
  {
    MailQueue queue(std::make_unique<FakeMailer>(recorder, INT_MAX,
                                                 "550 <carol@example.com>: no such user"),
                    10, 2);
    Message m = numbered(1);
    m.to = "carol@example.com";
    m.text = "secret body";
    REQUIRE(queue.enqueue(m));
    queue.flush();
    CHECK(recorder->calls == 3);  // the first try and 2 retries
  }
  const std::string log = cerr.text();
  INFO(log);
  REQUIRE(!log.empty());
  CHECK(log.back() == '\n');
  CHECK(std::count(log.begin(), log.end(), '\n') == 1);
  const json line = json::parse(log);
  CHECK(line["msg"] == "mail dropped");
  CHECK(line["domain"] == "example.com");
  CHECK(line["error"].is_string());
  CHECK(log.find("carol") == std::string::npos);
  CHECK(log.find("secret body") == std::string::npos);
}

TEST_CASE("queue: enqueue never blocks and refuses when full; flush waits for the send",
          "[mail][queue]") {
  auto gate = std::make_shared<Gate>();
  auto recorder = std::make_shared<Recorder>();
  MailQueue queue(std::make_unique<BlockingMailer>(gate, recorder), 2, 0);
  REQUIRE(queue.enqueue(numbered(1)));
  gate->started.get_future().wait();  // m1 is being sent (and blocked): the queue is empty
  CHECK(queue.enqueue(numbered(2)));
  CHECK(queue.enqueue(numbered(3)));
  CHECK_FALSE(queue.enqueue(numbered(4)));  // full: dropped, at once

  auto flushed = std::async(std::launch::async, [&queue] { queue.flush(); });
  // The mailer is blocked, so flush cannot have returned.
  CHECK(flushed.wait_for(std::chrono::seconds(0)) == std::future_status::timeout);
  gate->release.set_value();
  flushed.get();
  std::lock_guard lock(recorder->mutex);
  CHECK(recorder->delivered == numbered_subjects(1, 3));
}

TEST_CASE("queue: the destructor skips retry delays", "[mail][queue]") {
  auto recorder = std::make_shared<Recorder>();
  CerrCapture cerr;
  const auto start = Clock::now();
  {
    // Delays would be 200 + 400 + 800 ms.
    MailQueue queue(std::make_unique<FakeMailer>(recorder, INT_MAX), 10, 3);
    REQUIRE(queue.enqueue(numbered(1)));
  }
  CHECK(Clock::now() - start < milliseconds(1000));
  CHECK(recorder->calls == 4);
  CHECK(cerr.text().find("mail dropped") != std::string::npos);
}
