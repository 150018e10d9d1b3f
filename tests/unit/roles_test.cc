// The admin plugin's roles (native-server/src/auth/service.h): how the "role" column is read,
// written and checked.
#include <catch2/catch.hpp>

#include "auth/service.h"

using portcullis::ErrorCode;
using portcullis::auth::check_roles;
using portcullis::auth::join_roles;
using portcullis::auth::split_roles;
using Roles = std::vector<std::string>;

TEST_CASE("split_roles reads a role column as BetterAuth writes it, NULL as the default role") {
  CHECK(split_roles(std::nullopt) == Roles{"user"});
  CHECK(split_roles(std::string("admin")) == Roles{"admin"});
  CHECK(split_roles(std::string("user,admin")) == Roles{"user", "admin"});
  CHECK(split_roles(std::string(" user , admin ,")) == Roles{"user", "admin"});  // spaces, a trailing comma
  CHECK(split_roles(std::string("")).empty());  // an empty column: no role at all (not even "user")
  CHECK(split_roles(std::string(",,")).empty());
}

TEST_CASE("join_roles writes roles comma-separated, in order, each once") {
  CHECK(join_roles({"admin"}) == "admin");
  CHECK(join_roles({"user", "admin"}) == "user,admin");
  CHECK(join_roles({"admin", "user", "admin"}) == "admin,user");
  CHECK(join_roles({}).empty());
  CHECK(join_roles(split_roles(std::string("user, admin"))) == "user,admin");
}

TEST_CASE("check_roles lets only the two default roles be set") {
  CHECK(check_roles({"admin"}).ok());
  CHECK(check_roles({"user"}).ok());
  CHECK(check_roles({"user", "admin"}).ok());
  CHECK(check_roles({}).code() == ErrorCode::kInvalidRoleType);
  for (const char* bad : {"Admin", "superuser", "", "admin ", "user,admin"}) {
    INFO(bad);
    CHECK(check_roles({bad}).code() == ErrorCode::kNotAllowedToSetNonExistentValue);
  }
}
