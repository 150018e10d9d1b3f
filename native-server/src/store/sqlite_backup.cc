// Portcullis server: the online backup of the SQLite database.

#include "store/sqlite_backup.h"

#include <dirent.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace portcullis::store {
namespace {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbHandle = std::unique_ptr<sqlite3, DbCloser>;

Status failure(std::string_view step, std::string_view detail) {
  std::string message = "backup: ";
  message += step;
  message += ": ";
  message += detail;
  return Status(ErrorCode::kInternalServerError, std::move(message));
}

Status system_failure(std::string_view step, const std::string& path) {
  return failure(step, path + ": " + std::strerror(errno));
}

// SQLite's text for the connection's last error: its generic wording, or a file name at most,
// never row data.
Status sqlite_failure(std::string_view step, sqlite3* db) { return failure(step, sqlite3_errmsg(db)); }

bool exists(const std::string& path, bool* is_directory = nullptr) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return false;
  if (is_directory != nullptr) *is_directory = S_ISDIR(st.st_mode);
  return true;
}

std::string directory_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string file_name_for(std::chrono::system_clock::time_point now) {
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
  return std::string("portcullis-") + stamp + ".db";
}

// Opens an existing database file for reading and writing (a reader of a WAL database writes its
// -shm file), never creating one.
Result<DbHandle> open_existing(const std::string& path, std::string_view step) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  DbHandle db(raw);
  if (rc != SQLITE_OK) return failure(step, sqlite3_errstr(rc));
  sqlite3_extended_result_codes(db.get(), 1);
  // The servers' write transactions are short; a read lock waits for one at most this long.
  sqlite3_busy_timeout(db.get(), 10000);
  return db;
}

// The rows of a query's first column, as text (NULL as "").
Result<std::vector<std::string>> column(sqlite3* db, const char* sql, std::string_view step) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &raw, nullptr) != SQLITE_OK) return sqlite_failure(step, db);
  const std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, sqlite3_finalize);
  std::vector<std::string> out;
  int rc;
  while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
    const unsigned char* text = sqlite3_column_text(raw, 0);
    out.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text) : "");
  }
  if (rc != SQLITE_DONE) return sqlite_failure(step, db);
  return out;
}

Result<std::int64_t> number(sqlite3* db, const char* sql, std::string_view step) {
  auto rows = column(db, sql, step);
  if (!rows) return rows.status();
  if (rows->size() != 1) return failure(step, "no result");
  return std::stoll((*rows)[0]);
}

// The temporary copy: removed when this goes out of scope (after a failure, or once the copy
// has its real name, a second link to the same file).
class TemporaryFile {
 public:
  explicit TemporaryFile(std::string path) : path_(std::move(path)) {}
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  ~TemporaryFile() {
    // SQLite's side files, if a failure left them.
    for (const char* suffix : {"", "-journal", "-wal", "-shm"}) (void)unlink((path_ + suffix).c_str());
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

Status sync_path(const std::string& path, int flags) {
  const int fd = open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return system_failure("open for fsync", path);
  const int rc = fsync(fd);
  const int saved = errno;
  close(fd);
  errno = saved;
  if (rc != 0) return system_failure("fsync", path);
  return Status::OK();
}

// portcullis-YYYYMMDDTHHMMSSZ.db, exactly.
bool is_dated_backup(std::string_view name) {
  constexpr std::string_view kPattern = "portcullis-########T######Z.db";  // #: a digit
  if (name.size() != kPattern.size()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const bool ok = kPattern[i] == '#' ? (name[i] >= '0' && name[i] <= '9') : name[i] == kPattern[i];
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Result<std::vector<std::string>> prune_sqlite_backups(const std::string& directory, std::size_t keep) {
  std::vector<std::string> dated;
  {
    const std::unique_ptr<DIR, int (*)(DIR*)> dir(opendir(directory.c_str()), closedir);
    if (!dir) return system_failure("read the directory", directory);
    while (const dirent* entry = readdir(dir.get())) {
      if (is_dated_backup(entry->d_name)) dated.emplace_back(entry->d_name);
    }
  }
  // The names sort as their times do.
  std::sort(dated.begin(), dated.end());
  std::vector<std::string> removed;
  const std::string prefix = directory + (directory.ends_with('/') ? "" : "/");
  for (std::size_t i = 0; i + std::max<std::size_t>(keep, 1) < dated.size(); ++i) {
    const std::string path = prefix + dated[i];
    if (unlink(path.c_str()) != 0) return system_failure("delete an old backup", path);
    removed.push_back(path);
  }
  return removed;
}

Result<SqliteBackup> backup_sqlite_database(const std::string& source, const std::string& destination,
                                            std::chrono::system_clock::time_point now) {
  if (!exists(source)) return Status(ErrorCode::kNotFound, "backup: no database at " + source);
  bool is_directory = false;
  std::string target = destination;
  if (exists(destination, &is_directory)) {
    if (!is_directory) {
      return Status(ErrorCode::kValidationError, "backup: " + destination + " exists; a backup never overwrites a file");
    }
    target = destination + (destination.ends_with('/') ? "" : "/") + file_name_for(now);
    if (exists(target)) {
      return Status(ErrorCode::kValidationError, "backup: " + target + " exists; a backup never overwrites a file");
    }
  }
  const std::string directory = directory_of(target);
  if (!exists(directory, &is_directory) || !is_directory) {
    return Status(ErrorCode::kNotFound, "backup: no directory " + directory);
  }

  auto from = open_existing(source, "open the database");
  if (!from) return from.status();
  sqlite3* src = from->get();
  {
    // Not a database at all fails here ("file is not a database"); one the server never
    // migrated has no migrations table.
    auto tables = number(src, "SELECT count(*) FROM sqlite_master WHERE name = 'portcullis_migrations'",
                         "read the database");
    if (!tables) {
      return Status(ErrorCode::kValidationError, "backup: " + source + " is not a SQLite database");
    }
    if (*tables != 1) {
      return Status(ErrorCode::kValidationError,
                    "backup: " + source + " is not a Portcullis database (run `portcullis migrate` first)");
    }
  }

  // mkstemp: a new file, mode 0600, beside the target (the same file system, for link()).
  std::string pattern = target + ".partial-XXXXXX";
  const int fd = mkstemp(pattern.data());
  if (fd < 0) return system_failure("create a temporary file", target + ".partial-XXXXXX");
  close(fd);
  const TemporaryFile temporary(pattern);

  auto to = open_existing(temporary.path(), "open the copy");
  if (!to) return to.status();
  sqlite3* dst = to->get();
  {
    // One step for the whole database: one read transaction, one instant's database.
    sqlite3_backup* backup = sqlite3_backup_init(dst, "main", src, "main");
    if (backup == nullptr) return sqlite_failure("start", dst);
    const int step = sqlite3_backup_step(backup, -1);
    const int finish = sqlite3_backup_finish(backup);
    if (step != SQLITE_DONE) return failure("copy", sqlite3_errstr(step));
    if (finish != SQLITE_OK) return sqlite_failure("copy", dst);
  }
  from->reset();

  // One self-contained file: the copy leaves WAL mode (a server opening it goes back to WAL).
  if (auto mode = column(dst, "PRAGMA journal_mode=DELETE", "leave WAL mode"); !mode) return mode.status();
  auto check = column(dst, "PRAGMA integrity_check", "check the copy");
  if (!check) return check.status();
  if (check->size() != 1 || (*check)[0] != "ok") {
    return failure("check the copy", check->empty() ? "no result" : (*check)[0]);
  }
  SqliteBackup result;
  auto users = number(dst, "SELECT count(*) FROM \"user\"", "count users");
  if (!users) return users.status();
  auto sessions = number(dst, "SELECT count(*) FROM \"session\"", "count sessions");
  if (!sessions) return sessions.status();
  auto version = number(dst, "SELECT coalesce(max(\"version\"), 0) FROM \"portcullis_migrations\"", "read the schema version");
  if (!version) return version.status();
  result.users = *users;
  result.sessions = *sessions;
  result.schema_version = static_cast<int>(*version);
  to->reset();

  if (Status s = sync_path(temporary.path(), O_RDONLY); !s.ok()) return s;
  // link() gives the copy its name unless the name is taken (rename() would replace the file).
  if (link(temporary.path().c_str(), target.c_str()) != 0) {
    if (errno == EEXIST) {
      return Status(ErrorCode::kValidationError, "backup: " + target + " exists; a backup never overwrites a file");
    }
    return system_failure("name the copy", target);
  }
  if (Status s = sync_path(directory, O_RDONLY | O_DIRECTORY); !s.ok()) return s;
  struct stat st {};
  if (stat(target.c_str(), &st) != 0) return system_failure("stat", target);
  result.path = target;
  result.bytes = st.st_size;
  return result;
}

}  // namespace portcullis::store
