// Portcullis server: an online backup of the SQLite database (`portcullis backup`).
//
// The copy is taken with SQLite's backup API in one read transaction, so it is the database as it
// was at one instant, while servers on the same file go on reading and writing (WAL mode: a reader
// never blocks a writer). It is a complete database in one file (rollback-journal mode, no -wal
// or -shm beside it): a server started on it (`--database COPY`) serves every user, session and
// pending link the original had at that instant.
//
// A backup holds password hashes, session tokens and the hashes of mailed links: it is created
// readable by its owner alone (mode 0600), like the database should be.

#ifndef PORTCULLIS_STORE_SQLITE_BACKUP_H_
#define PORTCULLIS_STORE_SQLITE_BACKUP_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "portcullis/error.h"

namespace portcullis::store {

// What a backup wrote.
struct SqliteBackup {
  std::string path;           // the new file
  std::int64_t bytes = 0;     // its size
  std::int64_t users = 0;     // rows of "user" in it
  std::int64_t sessions = 0;  // rows of "session" in it
  int schema_version = 0;     // the newest migration applied to it
};

// Copies the database `source` to a new file. `destination` names the file, or an existing
// directory, in which the file is named portcullis-YYYYMMDDTHHMMSSZ.db after `now` (UTC).
// The copy is written under a temporary name beside it, checked (PRAGMA integrity_check),
// flushed to disk, and only then given its name, so a failed or interrupted backup leaves no file
// that looks like one; an existing file is never overwritten.
// Errors (nothing is written, `source` is left as it was):
//   NOT_FOUND if `source` does not exist (it is not created), or `destination`'s directory does not;
//   VALIDATION_ERROR if `destination` exists (and is not a directory), or `source` is not a
//     Portcullis database (not SQLite, or never migrated);
//   INTERNAL_SERVER_ERROR if SQLite or the file system fails (the message says which step).
Result<SqliteBackup> backup_sqlite_database(const std::string& source, const std::string& destination,
                                            std::chrono::system_clock::time_point now);

// Deletes the dated backups (portcullis-YYYYMMDDTHHMMSSZ.db, as backup_sqlite_database() names
// them) in `directory` but the newest `keep`, and returns their paths, oldest first. Other files
// are never touched. keep >= 1.
// Errors: INTERNAL_SERVER_ERROR if the directory cannot be read or a file cannot be deleted (the
// files deleted before it stay deleted).
Result<std::vector<std::string>> prune_sqlite_backups(const std::string& directory, std::size_t keep);

}  // namespace portcullis::store

#endif  // PORTCULLIS_STORE_SQLITE_BACKUP_H_
