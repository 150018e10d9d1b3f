// The breached-password lists (native-server/src/auth/breached_passwords.h): the SHA-1 both forms
// use, reading a range API's answer, the downloaded file's lookup, and which sources open.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "auth/breached_passwords.h"

namespace {

using portcullis::ErrorCode;
using portcullis::auth::BreachedPasswords;
using portcullis::auth::count_in_range_answer;
using portcullis::auth::open_breached_passwords;
using portcullis::auth::sha1_hex;
namespace fs = std::filesystem;

// A file in a fresh temporary directory, removed with the object.
class TempFile {
 public:
  explicit TempFile(const std::string& contents) {
    dir_ = fs::temp_directory_path() / ("portcullis-breached-" + std::to_string(::getpid()) + "-" +
                                       std::to_string(counter_++));
    fs::create_directories(dir_);
    std::ofstream(path(), std::ios::binary) << contents;
  }
  ~TempFile() { fs::remove_all(dir_); }
  std::string path() const { return (dir_ / "pwned.txt").string(); }

 private:
  static inline int counter_ = 0;
  fs::path dir_;
};

// The made-up password number i ("p<i>"). (Built with +=: GCC 12 warns, wrongly, of an overlap
// in "p" + std::to_string(i).)
std::string pw(int i) {
  std::string out = "p";
  out += std::to_string(i);
  return out;
}

std::unique_ptr<BreachedPasswords> open_file(const std::string& path) {
  auto list = open_breached_passwords(path, std::chrono::seconds(1));
  REQUIRE(list.ok());
  return std::move(list).value();
}

// The list of "p0".."p{n-1}" (seen i+1 times each), sorted by hash, with `eol` line ends.
std::string hash_file(int n, std::string_view eol, bool final_eol = true) {
  std::vector<std::string> lines;
  for (int i = 0; i < n; ++i) lines.push_back(sha1_hex(pw(i)).append(":").append(std::to_string(i + 1)));
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    out += lines[i];
    if (final_eol || i + 1 < lines.size()) out += eol;
  }
  return out;
}

}  // namespace

TEST_CASE("sha1_hex gives the upper-case hex SHA-1 the lists are keyed by") {
  CHECK(sha1_hex("password") == "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8");
  CHECK(sha1_hex("") == "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709");
}

TEST_CASE("a range answer gives the suffix's count, 0 when absent, and is refused when malformed") {
  const std::string suffix = "1E4C9B93F3F0682250B6CF8331B7EE68FD8";  // "password" after 5BAA6
  const std::string body =
      "0018A45C4D1DEF81644B54AB7F969B88D65:10\r\n"
      "1E4C9B93F3F0682250B6CF8331B7EE68FD8:9659365\r\n"
      "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:0\r\n";
  CHECK(count_in_range_answer(body, suffix) == 9659365u);
  CHECK(count_in_range_answer(body, "1e4c9b93f3f0682250b6cf8331b7ee68fd8") == 9659365u);  // either case
  CHECK(count_in_range_answer(body, "2E4C9B93F3F0682250B6CF8331B7EE68FD8") == 0u);
  // Padding lines count 0: seen never.
  CHECK(count_in_range_answer(body, "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF") == 0u);
  // LF line ends, no final line end, an empty answer.
  CHECK(count_in_range_answer("1E4C9B93F3F0682250B6CF8331B7EE68FD8:3", suffix) == 3u);
  CHECK(count_in_range_answer("0018A45C4D1DEF81644B54AB7F969B88D65:1\n1E4C9B93F3F0682250B6CF8331B7EE68FD8:4\n",
                              suffix) == 4u);
  CHECK(count_in_range_answer("", suffix) == 0u);

  for (const char* bad : {
           "<html>Service unavailable</html>",
           "1E4C9B93F3F0682250B6CF8331B7EE68FD8:\r\n",           // no count
           "1E4C9B93F3F0682250B6CF8331B7EE68FD8:-1\r\n",         // not a count
           "1E4C9B93F3F0682250B6CF8331B7EE68FD:1\r\n",           // 34 digits
           "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:1\r\n",     // the whole hash
           "1E4C9B93F3F0682250B6CF8331B7EE68FDX:1\r\n",          // not hex
           "0018A45C4D1DEF81644B54AB7F969B88D65:1\r\n\r\n1E4C9B93F3F0682250B6CF8331B7EE68FD8:4\r\n",  // a blank line
       }) {
    INFO(bad);
    CHECK_FALSE(count_in_range_answer(bad, suffix).has_value());
  }
}

TEST_CASE("the downloaded file: every listed password is found with its count, others are not") {
  // Small enough to be read in one window, and large enough for the binary search; both line ends;
  // with and without a final line end.
  for (const int n : {1, 2, 50, 20000}) {
    for (const std::string_view eol : {"\r\n", "\n"}) {
      for (const bool final_eol : {true, false}) {
        INFO(n << " lines, " << (eol.size() == 2 ? "CRLF" : "LF") << (final_eol ? "" : ", no final line end"));
        TempFile file(hash_file(n, eol, final_eol));
        auto list = open_file(file.path());
        const int step = std::max(1, n / 2000);
        for (int i = 0; i < n; i += step) {
          const auto seen = list->times_seen(pw(i));
          REQUIRE(seen.ok());
          REQUIRE(*seen == static_cast<std::uint64_t>(i + 1));
        }
        for (int i = n; i < n + 500; ++i) {
          const auto seen = list->times_seen(pw(i));
          REQUIRE(seen.ok());
          REQUIRE(*seen == 0u);
        }
      }
    }
  }
}

TEST_CASE("the downloaded file: blank lines at its end are not lines") {
  TempFile file(hash_file(50, "\r\n") + "\r\n\r\n");
  auto list = open_file(file.path());
  for (int i = 0; i < 60; ++i) {
    const auto seen = list->times_seen(pw(i));
    REQUIRE(seen.ok());
    CHECK(*seen == (i < 50 ? static_cast<std::uint64_t>(i + 1) : 0u));
  }
}

TEST_CASE("the downloaded file: its first and last lines are found (the search's edges)") {
  TempFile file(hash_file(20000, "\r\n"));
  std::vector<std::pair<std::string, int>> by_hash;
  for (int i = 0; i < 20000; ++i) by_hash.emplace_back(sha1_hex(pw(i)), i);
  std::sort(by_hash.begin(), by_hash.end());
  auto list = open_file(file.path());
  for (const auto& [hash, i] : {by_hash.front(), by_hash[1], by_hash[by_hash.size() - 2], by_hash.back()}) {
    const auto seen = list->times_seen(pw(i));
    REQUIRE(seen.ok());
    CHECK(*seen == static_cast<std::uint64_t>(i + 1));
  }
  const auto counts = list->counts();
  CHECK(counts.seen == 4);
  CHECK(counts.clean == 0);
}

TEST_CASE("a file that is not a Pwned Passwords file is refused when opened") {
  CHECK(open_breached_passwords("/nonexistent/pwned.txt", std::chrono::seconds(1)).status().code() ==
        ErrorCode::kValidationError);
  for (const std::string& contents : {
           std::string(),
           std::string("hello\n"),
           std::string("5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8\n"),            // no count
           // Not ordered: the first line's hash after the last's.
           std::string("FBAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:3\n0BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:1\n"),
       }) {
    INFO(contents);
    TempFile file(contents);
    CHECK(open_breached_passwords(file.path(), std::chrono::seconds(1)).status().code() ==
          ErrorCode::kValidationError);
  }
}

TEST_CASE("a damaged line met during a lookup answers PASSWORD_CHECK_UNAVAILABLE, not 'never seen'") {
  std::string contents = hash_file(20000, "\n");
  // Garble a line in the middle, where the search will read it.
  const auto middle = contents.find('\n', contents.size() / 2) + 1;
  contents.replace(middle, 10, "zzzzzzzzzz");
  TempFile file(contents);
  auto list = open_file(file.path());
  const std::string garbled = contents.substr(middle, 40);
  bool any_unavailable = false;
  for (int i = 0; i < 20000 && !any_unavailable; ++i) {
    const auto seen = list->times_seen(pw(i));
    if (!seen.ok()) {
      CHECK(seen.status().code() == ErrorCode::kPasswordCheckUnavailable);
      any_unavailable = true;
    }
  }
  CHECK(any_unavailable);
  CHECK(list->counts().unavailable == 1);
}

TEST_CASE("range API sources: https anywhere, plain http only to this machine") {
  const auto opens = [](const std::string& source) {
    return open_breached_passwords(source, std::chrono::seconds(1)).ok();
  };
  CHECK(opens("hibp"));
  CHECK(opens("https://api.pwnedpasswords.com/range/"));
  CHECK(opens("https://mirror.example:8443/pwned/range/"));
  CHECK(opens("http://127.0.0.1:8080/range/"));
  CHECK(opens("http://localhost/range/"));
  CHECK(opens("http://[::1]:8080/range/"));
  CHECK_FALSE(opens("http://example.com/range/"));
  CHECK_FALSE(opens("http://10.0.0.1/range/"));
  CHECK_FALSE(opens("http://127.0.0.1.example.com/range/"));
  CHECK_FALSE(opens("https://api.pwnedpasswords.com/range/?x="));
  CHECK_FALSE(opens("https://user@api.pwnedpasswords.com/range/"));
  CHECK_FALSE(opens("https:///range/"));
}

TEST_CASE("a range API that does not answer gives PASSWORD_CHECK_UNAVAILABLE") {
  // Port 1 on loopback: nothing listens there, the connection is refused at once.
  auto list = open_breached_passwords("http://127.0.0.1:1/range/", std::chrono::seconds(1));
  REQUIRE(list.ok());
  const auto seen = (*list)->times_seen("Violet-Anchor-Rain-2719!");
  CHECK(seen.status().code() == ErrorCode::kPasswordCheckUnavailable);
  CHECK((*list)->counts().unavailable == 1);
}
