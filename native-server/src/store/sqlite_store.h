// Portcullis server: the SQLite store (the embedded default).
//
// One database file in WAL mode with foreign keys on. Connections come from a small pool, each
// with its prepared statements cached; writes run in BEGIN IMMEDIATE transactions and wait up to
// busy_timeout for the write lock.

#ifndef PORTCULLIS_STORE_SQLITE_STORE_H_
#define PORTCULLIS_STORE_SQLITE_STORE_H_

#include <chrono>
#include <memory>
#include <string>

#include "store/store.h"

namespace portcullis::store {

struct SqliteOptions {
  std::string path;  // the database file; created if missing (mode 0600)
  int connections = 8;
  std::chrono::milliseconds busy_timeout{5000};
};

// Opens the database (creating the file, readable by its owner alone, if missing) without
// migrating it.
// Errors: INTERNAL_SERVER_ERROR if it cannot be opened or is not a SQLite database.
Result<std::unique_ptr<Store>> open_sqlite_store(const SqliteOptions& options);

}  // namespace portcullis::store

#endif  // PORTCULLIS_STORE_SQLITE_STORE_H_
