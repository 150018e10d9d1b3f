#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "portcullis/error.h"

using namespace portcullis;

TEST_CASE("every error code has a unique name that maps back to it") {
  std::set<std::string> names;
  for (int i = 0; i <= static_cast<int>(ErrorCode::kInternalServerError); ++i) {
    const auto code = static_cast<ErrorCode>(i);
    const std::string name(error_code_name(code));
    INFO(name);
    CHECK(names.insert(name).second);
    CHECK(error_code_from_name(name) == code);
    if (code != ErrorCode::kOk) CHECK_FALSE(error_message(code).empty());
  }
  CHECK_FALSE(error_code_from_name("NOT_A_CODE").has_value());
}

TEST_CASE("Status and Result carry a code and a message") {
  const Status ok;
  CHECK(ok.ok());
  CHECK(ok.code_name() == "OK");
  const Status err(ErrorCode::kPasswordTooShort);
  CHECK_FALSE(err.ok());
  CHECK(err.code_name() == "PASSWORD_TOO_SHORT");
  CHECK(err.message() == "Password too short");
  const Status custom(ErrorCode::kInvalidName, "Name is required");
  CHECK(custom.message() == "Name is required");

  const Result<int> value = 7;
  REQUIRE(value.ok());
  CHECK(*value == 7);
  CHECK(value.status().ok());
  const Result<int> failure = ErrorCode::kInvalidToken;
  CHECK_FALSE(failure.ok());
  CHECK(failure.status().code() == ErrorCode::kInvalidToken);
}
