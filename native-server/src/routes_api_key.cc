// Portcullis server: the routes of API keys (--api-key, BetterAuth's API-key plugin). The flows
// are in auth/api_keys.cc; the answers are the plugin's JSON, so its apiKeyClient() reads them
// unchanged. get-session's answer for a key is here too (api_key_session).

#include "http_routes.h"

namespace portcullis::server {

namespace {

using store::ApiKey;
using store::TimePoint;

ordered_json optional_number(const std::optional<std::int64_t>& n) { return n ? ordered_json(*n) : ordered_json(nullptr); }

ordered_json optional_date(const std::optional<TimePoint>& t) {
  return t ? ordered_json(format_iso8601(*t)) : ordered_json(nullptr);
}

// A stored JSON column as the plugin answers it: parsed (null for none, or for text that is not
// JSON).
ordered_json parsed_json(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  ordered_json value = ordered_json::parse(*text, nullptr, false);
  return value.is_discarded() ? ordered_json(nullptr) : value;
}

// A key as the plugin answers it: every column in its order but the hash.
ordered_json api_key_json(const ApiKey& k) {
  ordered_json j;
  j["id"] = k.id;
  j["configId"] = k.config_id;
  j["name"] = k.name ? ordered_json(*k.name) : ordered_json(nullptr);
  j["start"] = k.start ? ordered_json(*k.start) : ordered_json(nullptr);
  j["referenceId"] = k.reference_id;
  j["prefix"] = k.prefix ? ordered_json(*k.prefix) : ordered_json(nullptr);
  j["refillInterval"] = optional_number(k.refill_interval_ms);
  j["refillAmount"] = optional_number(k.refill_amount);
  j["lastRefillAt"] = optional_date(k.last_refill_at);
  j["enabled"] = k.enabled;
  j["rateLimitEnabled"] = k.rate_limit_enabled;
  j["rateLimitTimeWindow"] = optional_number(k.rate_limit_time_window_ms);
  j["rateLimitMax"] = optional_number(k.rate_limit_max);
  j["requestCount"] = k.request_count;
  j["remaining"] = optional_number(k.remaining);
  j["lastRequest"] = optional_date(k.last_request);
  j["expiresAt"] = optional_date(k.expires_at);
  j["createdAt"] = format_iso8601(k.created_at);
  j["updatedAt"] = format_iso8601(k.updated_at);
  j["permissions"] = parsed_json(k.permissions);
  j["metadata"] = parsed_json(k.metadata);
  return j;
}

// The plugin's fields that only its server-side calls may set.
constexpr const char* kServerOnly[] = {"refillAmount", "refillInterval", "rateLimitEnabled", "rateLimitTimeWindow",
                                       "rateLimitMax", "permissions", "remaining"};

// SERVER_ONLY_PROPERTY if the body sets one of them (remaining: to anything but null), else OK.
Status server_only_fields(const json& body) {
  for (const char* key : kServerOnly) {
    const auto it = body.find(key);
    if (it == body.end() || (std::string_view(key) == "remaining" && it->is_null())) continue;
    return Status(ErrorCode::kServerOnlyProperty);
  }
  return Status::OK();
}

// The fields a client may send (and the server-only ones, which server_only_fields() refuses).
std::vector<std::string_view> allowed_fields(std::initializer_list<std::string_view> own) {
  std::vector<std::string_view> out(own);
  out.insert(out.end(), std::begin(kServerOnly), std::end(kServerOnly));
  return out;
}

// configId: the plugin's configurations; this server has the default one only.
Status check_config_id(const std::optional<std::string>& config_id, const char* where) {
  if (!config_id || config_id->empty() || *config_id == "default") return Status::OK();
  return Status(ErrorCode::kValidationError,
                std::string("[") + where + ".configId] Only the default configuration exists on this server");
}

// expiresIn: seconds, a number or null. Absent: nullopt.
std::optional<std::optional<double>> expires_in_field(const json& body, Status& error) {
  const auto it = body.find("expiresIn");
  if (it == body.end()) return std::nullopt;
  if (it->is_null()) return std::optional<double>();
  if (!it->is_number()) {
    if (error.ok()) {
      error = Status(ErrorCode::kValidationError,
                     std::string("[body.expiresIn] Invalid input: expected number, received ") + js_type(*it));
    }
    return std::nullopt;
  }
  return std::optional<double>(it->get<double>());
}

// metadata: an object (kept as its JSON text), or with `null_allowed` null ("null"). Absent, or
// null when not allowed (the plugin ignores a falsy value at creation): nullopt.
std::optional<std::string> key_metadata_field(const json& body, bool enabled, bool null_allowed, Status& error) {
  const auto it = body.find("metadata");
  if (it == body.end() || (it->is_null() && !null_allowed)) return std::nullopt;
  if (!error.ok()) return std::nullopt;
  if (!enabled) {
    error = Status(ErrorCode::kMetadataDisabled);
  } else if (!it->is_object() && !it->is_null()) {
    error = Status(ErrorCode::kInvalidMetadataType);
  } else {
    return it->dump();
  }
  return std::nullopt;
}

// list's sortBy: the columns it can order by.
std::optional<store::ApiKeyField> sort_field(std::string_view name) {
  using F = store::ApiKeyField;
  static constexpr std::pair<std::string_view, F> kFields[] = {
      {"createdAt", F::kCreatedAt}, {"updatedAt", F::kUpdatedAt},     {"name", F::kName},
      {"expiresAt", F::kExpiresAt}, {"lastRequest", F::kLastRequest}, {"enabled", F::kEnabled},
      {"remaining", F::kRemaining}, {"requestCount", F::kRequestCount}};
  for (const auto& [key, field] : kFields) {
    if (key == name) return field;
  }
  return std::nullopt;
}

}  // namespace

void HttpServer::Impl::api_key_create(Call& call) {
  // The plugin refuses the server's fields before it looks at the session.
  if (Status s = server_only_fields(call.body); !s.ok()) return send_error(call.res, s);
  if (call.body.contains("userId")) return send_error(call.res, Status(ErrorCode::kUnauthorizedSession));
  Fields f(call.body, allowed_fields({"name", "prefix", "expiresIn", "metadata", "configId", "userId", "organizationId"}));
  auth::NewApiKey r;
  r.name = f.optional_string("name");
  r.prefix = f.optional_string("prefix");
  const auto config_id = f.nullable_string("configId");
  Status error = f.ok() ? Status::OK() : f.status();
  if (const auto expires = expires_in_field(call.body, error); expires) r.expires_in_seconds = *expires;
  r.metadata = key_metadata_field(call.body, config.api_key_metadata, /*null_allowed=*/false, error);
  if (error.ok()) error = check_config_id(config_id.value_or(std::nullopt), "body");
  if (error.ok() && call.body.contains("organizationId")) {
    error = Status(ErrorCode::kFieldNotAllowed, "[body.organizationId] Keys owned by organizations are not offered");
  }
  if (!error.ok()) return send_error(call.res, error);
  auto auth = authenticate(call);
  if (!auth) return send_error(call.res, Status(ErrorCode::kUnauthorizedSession));
  auto created = api_keys.create(*auth, r, call.caller);
  if (!created) return send_error(call.res, created.status());
  ordered_json body = api_key_json(created->key);
  body["key"] = created->secret;
  send_json(call.res, 200, body);
}

void HttpServer::Impl::api_key_get(Call& call) {
  const auto id = query_param(call.req, "id");
  if (!id) {
    return send_error(call.res, Status(ErrorCode::kValidationError,
                                       "[query.id] Invalid input: expected string, received undefined"));
  }
  if (Status s = check_config_id(query_param(call.req, "configId"), "query"); !s.ok()) return send_error(call.res, s);
  Authenticated auth;
  if (!require_session(call, auth)) return;
  auto key = api_keys.get(auth, *id);
  if (!key) return send_error(call.res, key.status());
  send_json(call.res, 200, api_key_json(*key));
}

void HttpServer::Impl::api_key_update(Call& call) {
  if (Status s = server_only_fields(call.body); !s.ok()) return send_error(call.res, s);
  Fields f(call.body, allowed_fields({"keyId", "name", "enabled", "expiresIn", "metadata", "userId", "configId"}));
  const std::string key_id = f.required_string("keyId");
  auth::ApiKeyChanges changes;
  changes.name = f.optional_string("name");
  changes.enabled = f.optional_bool("enabled");
  const auto user_id = f.optional_string("userId");
  const auto config_id = f.nullable_string("configId");
  Status error = f.ok() ? Status::OK() : f.status();
  changes.expires_in_seconds = expires_in_field(call.body, error);
  changes.metadata = key_metadata_field(call.body, config.api_key_metadata, /*null_allowed=*/true, error);
  if (error.ok()) error = check_config_id(config_id.value_or(std::nullopt), "body");
  if (!error.ok()) return send_error(call.res, error);
  auto auth = authenticate(call);
  if (!auth || (user_id && *user_id != auth->user.id)) {
    return send_error(call.res, Status(ErrorCode::kUnauthorizedSession));
  }
  auto key = api_keys.update(*auth, key_id, changes, call.caller);
  if (!key) return send_error(call.res, key.status());
  send_json(call.res, 200, api_key_json(*key));
}

void HttpServer::Impl::api_key_delete(Call& call) {
  Fields f(call.body, {"keyId", "configId"});
  const std::string key_id = f.required_string("keyId");
  const auto config_id = f.nullable_string("configId");
  Status error = f.ok() ? Status::OK() : f.status();
  if (error.ok()) error = check_config_id(config_id.value_or(std::nullopt), "body");
  if (!error.ok()) return send_error(call.res, error);
  Authenticated auth;
  if (!require_session(call, auth)) return;
  if (Status s = api_keys.remove(auth, key_id, call.caller); !s.ok()) return send_error(call.res, s);
  send_json(call.res, 200, {{"success", true}});
}

void HttpServer::Impl::api_key_list(Call& call) {
  Status error;
  std::size_t limit = 0;
  std::size_t offset = 0;
  const bool has_limit = call.req.has_param("limit");
  const bool has_offset = call.req.has_param("offset");
  if (!count_param(call.req, "limit", limit, error) || !count_param(call.req, "offset", offset, error)) {
    return send_error(call.res, error);
  }
  store::ApiKeyOrder order;
  if (const auto sort_by = query_param(call.req, "sortBy")) {
    const auto field = sort_field(*sort_by);
    if (!field) {
      return send_error(call.res, Status(ErrorCode::kValidationError,
                                         "[query.sortBy] Expected one of createdAt, updatedAt, name, expiresAt, "
                                         "lastRequest, enabled, remaining, requestCount"));
    }
    order.field = *field;
  }
  if (const auto direction = query_param(call.req, "sortDirection")) {
    if (*direction != "asc" && *direction != "desc") {
      return send_error(call.res, Status(ErrorCode::kValidationError,
                                         "[query.sortDirection] Invalid option: expected one of \"asc\"|\"desc\""));
    }
    order.descending = *direction == "desc";
  }
  if (Status s = check_config_id(query_param(call.req, "configId"), "query"); !s.ok()) return send_error(call.res, s);
  if (call.req.has_param("organizationId")) {
    return send_error(call.res, Status(ErrorCode::kFieldNotAllowed,
                                       "[query.organizationId] Keys owned by organizations are not offered"));
  }
  Authenticated auth;
  if (!require_session(call, auth)) return;
  auto page = api_keys.list(auth, order, has_limit ? std::optional<std::size_t>(limit) : std::nullopt, offset);
  if (!page) return send_error(call.res, page.status());
  ordered_json keys = ordered_json::array();
  for (const ApiKey& k : page->keys) keys.push_back(api_key_json(k));
  ordered_json body;
  body["apiKeys"] = std::move(keys);
  body["total"] = page->total;
  if (has_limit) body["limit"] = limit;
  if (has_offset) body["offset"] = offset;
  send_json(call.res, 200, body);
}

bool HttpServer::Impl::api_key_session(Call& call) {
  if (!config.api_key || !config.api_key_sessions) return false;
  const std::string secret = call.req.get_header_value(config.api_key_header.c_str());
  if (secret.empty()) return false;
  std::chrono::milliseconds try_again_in{0};
  auto used = api_keys.use(secret, call.caller, try_again_in);
  if (!used) {
    if (used.status().code() != ErrorCode::kRateLimited) {
      // The plugin answers a key too short to be one with 403, an unknown one with 401.
      const bool short_key = used.status().code() == ErrorCode::kInvalidApiKey && secret.size() < config.api_key_length;
      send_error(call.res, used.status(), short_key ? 403 : 0);
      return true;
    }
    ordered_json body;
    body["message"] = used.status().message();
    body["code"] = std::string(used.status().code_name());
    body["details"] = {{"tryAgainIn", try_again_in.count()}};
    send_json(call.res, 429, body);
    call.res.set_header("Retry-After", std::to_string((try_again_in.count() + 999) / 1000));
    return true;
  }
  // The session the plugin makes up for a key: the key's id and expiry (else a session's
  // lifetime from now), and no token (the plugin's is the key itself, echoed back).
  Session session;
  session.id = used->key.id;
  session.user_id = used->user.id;
  session.expires_at = used->key.expires_at.value_or(
      call.caller.now + std::chrono::duration_cast<std::chrono::milliseconds>(config.session_expires_in));
  session.created_at = call.caller.now;
  session.updated_at = call.caller.now;
  if (!call.caller.ip.empty()) session.ip_address = call.caller.ip;
  if (!call.caller.user_agent.empty()) session.user_agent = call.caller.user_agent;
  call.res.status = 200;
  call.res.set_content(session_body(session, used->user, config), "application/json");
  return true;
}

}  // namespace portcullis::server
