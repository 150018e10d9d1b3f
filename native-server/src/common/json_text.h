// Portcullis server: JSON text as the server writes it, in its answers and its logs.

#ifndef PORTCULLIS_COMMON_JSON_TEXT_H_
#define PORTCULLIS_COMMON_JSON_TEXT_H_

#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

namespace portcullis {

// Returns `value` (a nlohmann::json or ordered_json) as JSON text on one line, with ill-formed
// UTF-8 in its strings replaced by U+FFFD (so it never throws on what a client sent).
template <class Json>
std::string json_text(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// Writes `line` (a JSON object) to standard error as one line, at once: how the server tells its
// operator of a failure a client's answer cannot carry (mail dropped, a breach list or a CAPTCHA
// provider not answering). The caller keeps secrets and passwords out of it.
inline void report_to_stderr(const nlohmann::json& line) { std::cerr << json_text(line) + "\n" << std::flush; }

}  // namespace portcullis

#endif  // PORTCULLIS_COMMON_JSON_TEXT_H_
