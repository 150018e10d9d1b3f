// Portcullis server: the outbox mailer (one JSON file per message, for development and tests).

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <system_error>
#include <utility>

#include "mail/mailer.h"
#include "portcullis/token.h"

namespace portcullis::mail {
namespace {

namespace fs = std::filesystem;

// "2026-11-25T04:46:53.751Z" for the createdAt field, and "20261125T044653751Z" for file names
// (sorts by time, and has no ':' for file systems that refuse it).
struct Stamps {
  std::string iso;
  std::string file;
};

Stamps stamps_now() {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  const int millis = static_cast<int>(ms % 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char iso[64];
  std::snprintf(iso, sizeof iso, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  char file[64];
  std::snprintf(file, sizeof file, "%04d%02d%02dT%02d%02d%02d%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return {iso, file};
}

Status fail(const std::string& what) {
  return Status(ErrorCode::kInternalServerError, "outbox: " + what);
}

class OutboxMailer final : public Mailer {
 public:
  explicit OutboxMailer(std::string directory) : directory_(std::move(directory)) {}

  Status send(const Message& message) override {
    std::error_code ec;
    fs::create_directories(directory_, ec);
    if (ec) return fail("cannot create " + directory_.string() + ": " + ec.message());

    const Stamps now = stamps_now();
    const nlohmann::json doc = {
        {"to", message.to},     {"subject", message.subject}, {"text", message.text},
        {"html", message.html}, {"kind", message.kind},       {"link", message.link},
        {"createdAt", now.iso},
    };
    // Invalid UTF-8 (which the callers should never pass) becomes U+FFFD instead of throwing.
    const std::string body =
        doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";

    const std::string random = generate_token(12);
    const fs::path final_path = directory_ / (now.file + "-" + random + ".json");
    // Hidden and without the .json suffix, so a reader listing *.json never picks it up.
    const fs::path temp_path = directory_ / ("." + random + ".json.tmp");
    {
      std::ofstream out(temp_path, std::ios::binary | std::ios::trunc);
      if (!out) return fail("cannot write " + temp_path.string());
      out.write(body.data(), static_cast<std::streamsize>(body.size()));
      out.close();
      if (!out) {
        fs::remove(temp_path, ec);
        return fail("cannot write " + temp_path.string());
      }
    }
    fs::rename(temp_path, final_path, ec);
    if (ec) {
      const std::string why = ec.message();
      fs::remove(temp_path, ec);
      return fail("cannot rename to " + final_path.string() + ": " + why);
    }
    return Status::OK();
  }

 private:
  fs::path directory_;
};

}  // namespace

std::unique_ptr<Mailer> make_outbox_mailer(std::string directory) {
  return std::make_unique<OutboxMailer>(std::move(directory));
}

}  // namespace portcullis::mail
