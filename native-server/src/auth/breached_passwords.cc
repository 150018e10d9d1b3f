// Portcullis server: see breached_passwords.h.

#include "auth/breached_passwords.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <httplib.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <nlohmann/json.hpp>
#include <utility>

#include "common/fd.h"
#include "common/json_text.h"
#include "common/outbound.h"
#include "common/strings.h"
#include "config.h"

namespace portcullis::auth {
namespace {

constexpr std::size_t kHashDigits = 40;
constexpr std::size_t kPrefixDigits = 5;
constexpr std::size_t kCountDigits = 19;
// The longest line either form may have: 40 digits, ':', 19 digits, CR, LF.
constexpr std::size_t kMaxLine = kHashDigits + 1 + kCountDigits + 2;
// A range answer is about 40 KB padded; anything much larger is not one.
constexpr std::size_t kMaxRangeAnswer = 1 << 20;
// The file's binary search stops at this many bytes and reads them in one go.
constexpr std::uint64_t kScanWindow = 4096;

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f'); }
char upper(char c) { return c >= 'a' && c <= 'f' ? static_cast<char>(c - 'a' + 'A') : c; }

// Compares two hex strings of the same length, ignoring case: <0, 0, >0.
int compare_hex(std::string_view a, std::string_view b) {
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    const char x = upper(a[i]);
    const char y = upper(b[i]);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

// One "HEX:COUNT" line (its end, CR LF or LF, already cut off; a lone trailing CR allowed) with
// `digits` hex digits.
struct Line {
  std::string_view hash;
  std::uint64_t count = 0;
};
std::optional<Line> parse_line(std::string_view line, std::size_t digits) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.size() < digits + 2 || line[digits] != ':') return std::nullopt;
  Line out;
  out.hash = line.substr(0, digits);
  for (char c : out.hash) {
    if (!is_hex(c)) return std::nullopt;
  }
  if (!parse_decimal(line.substr(digits + 1), kCountDigits, out.count)) return std::nullopt;
  return out;
}

void log_failure(std::string_view source, std::string_view error) {
  const nlohmann::json line = {
      {"msg", "breached-password check failed"},
      {"source", source},
      {"error", error},
  };
  report_to_stderr(line);
}

Status unavailable(std::string_view source, std::string_view error) {
  log_failure(source, error);
  return Status(ErrorCode::kPasswordCheckUnavailable);
}

// --- the range API ------------------------------------------------------------------------------

class RangeApi final : public BreachedPasswords {
 public:
  RangeApi(std::string origin, std::string path, std::chrono::seconds timeout)
      : origin_(std::move(origin)), path_(std::move(path)), timeout_(timeout) {}

 private:
  Result<std::uint64_t> times_seen_hash(const std::string& hash) override {
    const std::string where = origin_ + path_;
    const auto client = outbound_client(origin_, timeout_);
    const httplib::Headers headers = {
        {"Add-Padding", "true"},
        {"User-Agent", "Portcullis/" + std::string(kVersion)},
    };
    std::string body;
    bool too_long = false;
    const auto result = client->Get(path_ + hash.substr(0, kPrefixDigits), headers,
                                   [&](const char* data, std::size_t n) {
                                     if (body.size() + n > kMaxRangeAnswer) return !(too_long = true);
                                     body.append(data, n);
                                     return true;
                                   });
    if (too_long) return unavailable(where, "answer over 1 MiB");
    if (!result) return unavailable(where, httplib::to_string(result.error()));
    if (result->status != 200) return unavailable(where, "HTTP status " + std::to_string(result->status));
    const auto seen = count_in_range_answer(body, std::string_view(hash).substr(kPrefixDigits));
    if (!seen) return unavailable(where, "not a range answer");
    return *seen;
  }

  std::string origin_;  // scheme://host[:port], as httplib::Client takes it
  std::string path_;    // what the prefix is appended to, from "/"
  std::chrono::seconds timeout_;
};

// --- the downloaded file ------------------------------------------------------------------------

class HashFile final : public BreachedPasswords {
 public:
  // Opens `path` and checks its first and last lines. Errors: VALIDATION_ERROR.
  static Result<std::unique_ptr<BreachedPasswords>> open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status(ErrorCode::kValidationError, "cannot be read: " + path);
    auto file = std::make_unique<HashFile>(path, fd);
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      return Status(ErrorCode::kValidationError, "not a regular file: " + path);
    }
    file->size_ = static_cast<std::uint64_t>(st.st_size);
    // What follows the last line's count (its line end, blank lines) is not a line: the file ends,
    // for the search, where the digits do.
    std::array<char, 256> end{};
    const std::uint64_t end_start = file->size_ > end.size() ? file->size_ - end.size() : 0;
    const auto got = file->read_at(end_start, end.data(), end.size());
    if (!got) return Status(ErrorCode::kValidationError, "cannot be read: " + path);
    for (std::size_t n = *got; n > 0 && (end[n - 1] == '\n' || end[n - 1] == '\r'); --n) --file->size_;
    const auto first = file->line_at(0);
    const std::uint64_t tail = file->size_ > kMaxLine ? file->size_ - kMaxLine : 0;
    const auto last_start = file->line_start_at_or_after(tail);
    const auto last = last_start && *last_start < file->size_ ? file->line_at(*last_start) : std::nullopt;
    if (!first || !last) {
      return Status(ErrorCode::kValidationError,
                    path + " is not a Pwned Passwords file (lines of SHA1:COUNT, ordered by hash)");
    }
    if (compare_hex(first->hash, last->hash) > 0) {
      return Status(ErrorCode::kValidationError, path + " is not ordered by hash");
    }
    return std::unique_ptr<BreachedPasswords>(std::move(file));
  }

  HashFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}

 private:
  Result<std::uint64_t> times_seen_hash(const std::string& hash) override { return find(hash); }

  struct Found {
    std::string hash;
    std::uint64_t count = 0;
  };

  // Reads up to `n` bytes at `offset`; returns how many (fewer only at the end of the file), or
  // std::nullopt on a read error.
  std::optional<std::size_t> read_at(std::uint64_t offset, char* out, std::size_t n) const {
    std::size_t got = 0;
    while (got < n) {
      const ssize_t r = ::pread(fd_.get(), out + got, n - got, static_cast<off_t>(offset + got));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) return std::nullopt;
      if (r == 0) break;
      got += static_cast<std::size_t>(r);
    }
    return got;
  }

  // The offset of the first line that starts at `offset` or later (the file's size when none
  // does), or std::nullopt on a read error or a line longer than any of the form.
  std::optional<std::uint64_t> line_start_at_or_after(std::uint64_t offset) const {
    if (offset == 0) return 0;
    std::array<char, kMaxLine + 1> buf{};
    const auto got = read_at(offset - 1, buf.data(), buf.size());
    if (!got) return std::nullopt;
    const std::string_view text(buf.data(), *got);
    const auto newline = text.find('\n');
    if (newline != std::string_view::npos) return offset + newline;
    if (offset - 1 + *got >= size_) return size_;  // inside the last line
    return std::nullopt;
  }

  // The line starting at `offset`.
  std::optional<Found> line_at(std::uint64_t offset) const {
    std::array<char, kMaxLine> buf{};
    const auto got = read_at(offset, buf.data(), buf.size());
    if (!got) return std::nullopt;
    std::string_view text(buf.data(), *got);
    text = text.substr(0, text.find('\n'));
    const auto line = parse_line(text, kHashDigits);
    if (!line) return std::nullopt;
    return Found{std::string(line->hash), line->count};
  }

  Result<std::uint64_t> find(const std::string& hash) const {
    // The line of `hash`, if the file has one, starts in [lo, hi).
    std::uint64_t lo = 0;
    std::uint64_t hi = size_;
    while (hi - lo > kScanWindow) {
      const std::uint64_t mid = lo + (hi - lo) / 2;
      const auto start = line_start_at_or_after(mid);
      if (!start) return unavailable(path_, "unreadable near byte " + std::to_string(mid));
      if (*start >= hi) {
        hi = mid;
        continue;
      }
      const auto line = line_at(*start);
      if (!line) return unavailable(path_, "not a SHA1:COUNT line at byte " + std::to_string(*start));
      const int order = compare_hex(line->hash, hash);
      if (order == 0) return line->count;
      if (order < 0) lo = *start + 1;
      else hi = *start;
    }
    const auto begin = line_start_at_or_after(lo);
    if (!begin) return unavailable(path_, "unreadable near byte " + std::to_string(lo));
    if (*begin >= hi) return 0;
    std::string window(hi - *begin + kMaxLine, '\0');
    const auto got = read_at(*begin, window.data(), window.size());
    if (!got) return unavailable(path_, "unreadable at byte " + std::to_string(*begin));
    std::string_view rest(window.data(), *got);
    for (std::uint64_t at = *begin; at < hi && !rest.empty();) {
      const auto end = rest.find('\n');
      const auto line = parse_line(rest.substr(0, end), kHashDigits);
      if (!line) return unavailable(path_, "not a SHA1:COUNT line at byte " + std::to_string(at));
      const int order = compare_hex(line->hash, hash);
      if (order == 0) return line->count;
      if (order > 0 || end == std::string_view::npos) break;
      at += end + 1;
      rest.remove_prefix(end + 1);
    }
    return 0;
  }

  std::string path_;
  Fd fd_;
  std::uint64_t size_ = 0;
};

}  // namespace

// --- BreachedPasswords ---------------------------------------------------------------------------

BreachedPasswords::Counts BreachedPasswords::counts() const {
  Counts c;
  c.clean = clean_.load(std::memory_order_relaxed);
  c.seen = seen_.load(std::memory_order_relaxed);
  c.unavailable = unavailable_.load(std::memory_order_relaxed);
  return c;
}

Result<std::uint64_t> BreachedPasswords::times_seen(std::string_view password) {
  const std::string hash = sha1_hex(password);
  Result<std::uint64_t> answer = hash.empty() ? unavailable("libcrypto", "no SHA-1") : times_seen_hash(hash);
  auto& counter = !answer ? unavailable_ : (*answer > 0 ? seen_ : clean_);
  counter.fetch_add(1, std::memory_order_relaxed);
  return answer;
}

std::string sha1_hex(std::string_view password) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(password.data(), password.size(), digest.data(), &length, EVP_sha1(), nullptr) != 1 ||
      length != kHashDigits / 2) {
    return std::string();  // a libcrypto without SHA-1 (a FIPS-only provider)
  }
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(kHashDigits);
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xF];
  }
  return out;
}

std::optional<std::uint64_t> count_in_range_answer(std::string_view body, std::string_view suffix) {
  constexpr std::size_t kSuffixDigits = kHashDigits - kPrefixDigits;
  std::optional<std::uint64_t> found;
  while (!body.empty()) {
    const auto end = body.find('\n');
    const std::string_view text = body.substr(0, end);
    body = end == std::string_view::npos ? std::string_view() : body.substr(end + 1);
    if (text.empty() && body.empty()) break;  // the last line's end
    const auto line = parse_line(text, kSuffixDigits);
    if (!line || line->hash.size() != kSuffixDigits) return std::nullopt;
    if (!found && suffix.size() == kSuffixDigits && compare_hex(line->hash, suffix) == 0) found = line->count;
  }
  return found.value_or(0);
}

Result<std::unique_ptr<BreachedPasswords>> open_breached_passwords(const std::string& source,
                                                                   std::chrono::seconds timeout) {
  const std::string url = source == "hibp" ? std::string(kHibpRangeApi) : source;
  if (!url.starts_with("https://") && !url.starts_with("http://")) return HashFile::open(url);
  auto parsed = parse_outbound_url(url);
  if (!parsed) return parsed.status();
  return std::unique_ptr<BreachedPasswords>(std::make_unique<RangeApi>(parsed->origin, parsed->path, timeout));
}

}  // namespace portcullis::auth
