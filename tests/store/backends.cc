#include "backends.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <system_error>

#include "portcullis/token.h"
#include "store/session_cache.h"
#include "store/sqlite_store.h"

namespace portcullis::store::testing {
namespace {

class SqliteInstance final : public BackendInstance {
 public:
  // With `cache`, the store is wrapped in the server's session cache (store/session_cache.h),
  // which must answer exactly as the store it fronts.
  explicit SqliteInstance(bool cache = false) {
    SqliteOptions options;
    options.path = file_.path().string();
    auto opened = open_sqlite_store(options);
    if (!opened.ok()) throw std::runtime_error("cannot open the SQLite store: " + opened.status().message());
    store_ = std::move(opened).value();
    if (cache) store_ = with_session_cache(std::move(store_), SessionCacheOptions{std::chrono::hours(1), 1000});
  }
  Store& store() override { return *store_; }

 private:
  TempDatabasePath file_;         // declared first: removed after the store has closed it
  std::unique_ptr<Store> store_;
};

std::vector<Backend> make_registry() {
  std::vector<Backend> list;
  list.push_back({"sqlite", [] { return std::unique_ptr<BackendInstance>(std::make_unique<SqliteInstance>()); }});
  list.push_back({"sqlite+session-cache",
                  [] { return std::unique_ptr<BackendInstance>(std::make_unique<SqliteInstance>(true)); }});

  if (const char* url = std::getenv("PORTCULLIS_TEST_POSTGRES"); url != nullptr && *url != '\0') {
    // ---- PostgreSQL backend: register its factory here. ---------------------------------------
    // PORTCULLIS_TEST_POSTGRES holds a libpq connection string. The factory should give each test
    // case a fresh schema (CREATE SCHEMA with a random name, search_path set to it) and drop it in
    // the instance's destructor, e.g.
    //   list.push_back({"postgres", [dsn = std::string(url)] { return make_postgres_instance(dsn); }});
    // Until the backend exists, the suite runs SQLite only and says so.
    std::fprintf(stderr,
                 "store_conformance: PORTCULLIS_TEST_POSTGRES is set, but there is no PostgreSQL backend "
                 "yet; testing SQLite only\n");
  }
  return list;
}

}  // namespace

const std::vector<Backend>& backends() {
  static const std::vector<Backend> registry = make_registry();
  return registry;
}

std::vector<std::string> backend_names() {
  std::vector<std::string> names;
  for (const Backend& b : backends()) names.push_back(b.name);
  return names;
}

std::unique_ptr<BackendInstance> make_backend(std::string_view name) {
  for (const Backend& b : backends()) {
    if (b.name == name) return b.make();
  }
  throw std::runtime_error("unknown store backend: " + std::string(name));
}

TempDatabasePath::TempDatabasePath()
    : path_(std::filesystem::temp_directory_path() / ("portcullis-store-" + generate_token(16) + ".db")) {}

TempDatabasePath::~TempDatabasePath() {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::error_code ignored;
    std::filesystem::remove(path_.string() + suffix, ignored);
  }
}

}  // namespace portcullis::store::testing
