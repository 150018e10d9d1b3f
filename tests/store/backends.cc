#include "backends.h"

#include <libpq-fe.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <system_error>

#include "portcullis/token.h"
#include "store/postgres_store.h"
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
    if (cache) store_ = with_session_cache(std::move(store_), SessionCacheOptions{std::chrono::hours(1), 1000, nullptr});
  }
  Store& store() override { return *store_; }

 private:
  TempDatabasePath file_;         // declared first: removed after the store has closed it
  std::unique_ptr<Store> store_;
};

class PostgresInstance final : public BackendInstance {
 public:
  PostgresInstance(const std::string& url, bool cache) : schema_(url) {
    PostgresOptions options;
    options.url = url;
    options.schema = schema_.name();
    options.connections = 4;
    auto opened = open_postgres_store(options);
    if (!opened.ok()) throw std::runtime_error("cannot open the PostgreSQL store: " + opened.status().message());
    store_ = std::move(opened).value();
    if (cache) store_ = with_session_cache(std::move(store_), SessionCacheOptions{std::chrono::hours(1), 1000, nullptr});
  }
  Store& store() override { return *store_; }

 private:
  TempSchema schema_;  // declared first: dropped after the store has closed its connections
  std::unique_ptr<Store> store_;
};

std::vector<Backend> make_registry() {
  std::vector<Backend> list;
  list.push_back({"sqlite", [] { return std::unique_ptr<BackendInstance>(std::make_unique<SqliteInstance>()); }});
  list.push_back({"sqlite+session-cache",
                  [] { return std::unique_ptr<BackendInstance>(std::make_unique<SqliteInstance>(true)); }});

  if (const auto url = postgres_url()) {
    list.push_back({"postgres", [u = *url] { return std::unique_ptr<BackendInstance>(std::make_unique<PostgresInstance>(u, false)); }});
    list.push_back({"postgres+session-cache",
                    [u = *url] { return std::unique_ptr<BackendInstance>(std::make_unique<PostgresInstance>(u, true)); }});
  } else {
    std::fprintf(stderr, "store_conformance: PORTCULLIS_TEST_POSTGRES is not set; testing SQLite only\n");
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

std::optional<std::string> postgres_url() {
  const char* url = std::getenv("PORTCULLIS_TEST_POSTGRES");
  if (url == nullptr || *url == '\0') return std::nullopt;
  return std::string(url);
}

TempSchema::TempSchema(std::string url) : url_(std::move(url)), name_("pc_test_" + generate_token(12)) {
  // Tokens are base64url: keep the name a plain lower-case identifier.
  for (char& ch : name_) {
    if (ch == '-') ch = '_';
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  }
  run("CREATE SCHEMA \"" + name_ + "\"");
}

TempSchema::~TempSchema() {
  try {
    run("DROP SCHEMA IF EXISTS \"" + name_ + "\" CASCADE");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "store_conformance: %s\n", e.what());
  }
}

std::string TempSchema::run(const std::string& sql) const {
  const char* keys[] = {"dbname", nullptr};
  const char* values[] = {url_.c_str(), nullptr};
  std::unique_ptr<PGconn, void (*)(PGconn*)> conn(PQconnectdbParams(keys, values, 1), PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(conn.get()));
  PQsetNoticeProcessor(conn.get(), [](void*, const char*) {}, nullptr);  // DROP ... CASCADE lists what went
  std::unique_ptr<PGresult, void (*)(PGresult*)> r(PQexec(conn.get(), sql.c_str()), PQclear);
  const auto status = PQresultStatus(r.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) throw std::runtime_error(PQerrorMessage(conn.get()));
  if (status == PGRES_TUPLES_OK && PQntuples(r.get()) > 0) return PQgetvalue(r.get(), 0, 0);
  return std::string();
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
