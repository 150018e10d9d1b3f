// Portcullis tests: the storage backends the conformance suite runs against.
//
// Every backend registered here runs every backend-independent case of tests/store/conformance.cc
// (the same cases, as Ory Kratos runs its persister tests against each database). A backend gives
// a fresh, empty, unmigrated store per test case and cleans up after it.

#ifndef PORTCULLIS_TESTS_STORE_BACKENDS_H_
#define PORTCULLIS_TESTS_STORE_BACKENDS_H_

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace portcullis::store::testing {

// One store under test; whatever it created (a file, a schema) goes when this is destroyed.
class BackendInstance {
 public:
  virtual ~BackendInstance() = default;
  virtual Store& store() = 0;
};

struct Backend {
  std::string name;
  // Returns a fresh, empty store (not migrated). Throws std::runtime_error if it cannot.
  std::function<std::unique_ptr<BackendInstance>()> make;
};

// The backends to test: "sqlite" and "sqlite+session-cache" always; "postgres" and
// "postgres+session-cache" when PORTCULLIS_TEST_POSTGRES holds a libpq connection URL.
const std::vector<Backend>& backends();
std::vector<std::string> backend_names();
// Throws std::runtime_error for an unknown name or a backend that cannot start.
std::unique_ptr<BackendInstance> make_backend(std::string_view name);

// PORTCULLIS_TEST_POSTGRES, or nothing when it is unset or empty.
std::optional<std::string> postgres_url();

// A fresh PostgreSQL schema with a random name in the database at `url`, dropped with everything
// in it when this is destroyed. Throws std::runtime_error if it cannot be created.
class TempSchema {
 public:
  explicit TempSchema(std::string url);
  ~TempSchema();
  TempSchema(const TempSchema&) = delete;
  TempSchema& operator=(const TempSchema&) = delete;
  const std::string& name() const { return name_; }
  // Runs `sql` (no parameters) on a connection of its own; returns the first column of the
  // first row ("" if none). Throws std::runtime_error with PostgreSQL's message on failure.
  std::string run(const std::string& sql) const;

 private:
  std::string url_;
  std::string name_;
};

// A path for a temporary SQLite database that does not exist yet; the file and its -wal, -shm and
// -journal companions are removed when this is destroyed.
class TempDatabasePath {
 public:
  TempDatabasePath();
  ~TempDatabasePath();
  TempDatabasePath(const TempDatabasePath&) = delete;
  TempDatabasePath& operator=(const TempDatabasePath&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace portcullis::store::testing

#endif  // PORTCULLIS_TESTS_STORE_BACKENDS_H_
