#include "store/session_cache.h"

#include <atomic>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace portcullis::store {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Heterogeneous lookup: a token arrives as a string_view and is not copied to probe the map.
struct TokenHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

class SessionCachedStore final : public Store {
 public:
  SessionCachedStore(std::unique_ptr<Store> inner, const SessionCacheOptions& options)
      : inner_(std::move(inner)),
        ttl_(options.ttl),
        capacity_(options.capacity),
        counters_(options.counters ? options.counters : std::make_shared<SessionCacheCounters>()) {
    // Writes through any replica (PostgreSQL): forget what was read of that user, or everything
    // when the backend cannot say whose (after it reconnected).
    inner_->watch_changes([this](std::string_view user_id) {
      if (user_id.empty()) {
        drop_all();
      } else {
        drop_user(user_id);
      }
    });
  }
  ~SessionCachedStore() override {
    inner_->watch_changes({});  // no call into this object once it is going
  }
  SessionCachedStore(const SessionCachedStore&) = delete;
  SessionCachedStore& operator=(const SessionCachedStore&) = delete;

  Result<SessionWithUser> find_session(std::string_view token) override {
    const auto now = SteadyClock::now();
    {
      const std::shared_lock lock(mu_);
      const auto it = cache_.find(token);
      if (it != cache_.end() && now - it->second.read_at < ttl_) {
        counters_->hits.fetch_add(1, std::memory_order_relaxed);
        return it->second.value;
      }
    }
    counters_->misses.fetch_add(1, std::memory_order_relaxed);
    // Read before the database is: a write that lands after this moves it, and the answer is
    // then not kept (see session_cache.h).
    const std::uint64_t generation = generation_.load(std::memory_order_acquire);
    auto found = inner_->find_session(token);
    if (found.ok()) {
      const std::unique_lock lock(mu_);
      if (generation_.load(std::memory_order_relaxed) == generation) {
        if (cache_.size() >= capacity_) make_room(now);
        cache_.insert_or_assign(std::string(token), Entry{found.value(), now});
        counted();
      }
    }
    return found;
  }

  // --- writes that change what find_session() answers: forwarded, then the answers dropped ---

  Status touch_session(std::string_view token, TimePoint expires_at, TimePoint updated_at) override {
    Status s = inner_->touch_session(token, expires_at, updated_at);
    drop_token(token);
    return s;
  }
  Status delete_session(std::string_view token) override {
    Status s = inner_->delete_session(token);
    drop_token(token);
    return s;
  }
  Status delete_user_session(std::string_view user_id, std::string_view token) override {
    Status s = inner_->delete_user_session(user_id, token);
    drop_token(token);
    return s;
  }
  Result<std::size_t> delete_sessions(std::string_view user_id, std::string_view keep_token) override {
    auto n = inner_->delete_sessions(user_id, keep_token);
    drop_user(user_id);
    return n;
  }
  Status update_user(const User& user) override {
    Status s = inner_->update_user(user);
    drop_user(user.id);
    return s;
  }
  Status delete_user(std::string_view id) override {
    Status s = inner_->delete_user(id);
    drop_user(id);
    return s;
  }
  // Cached sessions carry the User, and with it twoFactorEnabled.
  Status set_two_factor_enabled(std::string_view user_id, bool enabled, TimePoint now) override {
    Status s = inner_->set_two_factor_enabled(user_id, enabled, now);
    drop_user(user_id);
    return s;
  }
  // A ban deletes the user's sessions; lifting one changes the cached User's ban.
  Status set_ban(std::string_view user_id, const std::optional<Ban>& ban, TimePoint now) override {
    Status s = inner_->set_ban(user_id, ban, now);
    drop_user(user_id);
    return s;
  }
  // It deletes the user's sessions.
  Result<bool> claim_unverified_user(std::string_view user_id, TimePoint now) override {
    auto claimed = inner_->claim_unverified_user(user_id, now);
    drop_user(user_id);
    return claimed;
  }
  // Cached sessions carry the User, and with it the role.
  Status set_role(std::string_view user_id, const std::optional<std::string>& role, TimePoint now) override {
    Status s = inner_->set_role(user_id, role, now);
    drop_user(user_id);
    return s;
  }
  Status set_active_organization(std::string_view token, const std::optional<std::string>& organization_id) override {
    Status s = inner_->set_active_organization(token, organization_id);
    drop_token(token);
    return s;
  }
  // It unsets the organization as the active one of any user's sessions.
  Status delete_organization(std::string_view id) override {
    Status s = inner_->delete_organization(id);
    drop_all();
    return s;
  }
  // It unsets the organization as the active one of the member's user's sessions. A member's user
  // never changes, so it is read first; if it cannot be, all answers go.
  Status remove_member(std::string_view organization_id, std::string_view member_id,
                       std::string_view owner_role) override {
    auto member = inner_->find_member_by_id(organization_id, member_id);
    Status s = inner_->remove_member(organization_id, member_id, owner_role);
    if (member.ok()) {
      drop_user(member->user_id);
    } else {
      drop_all();
    }
    return s;
  }
  Status migrate() override {
    Status s = inner_->migrate();
    drop_all();
    return s;
  }

  // --- everything else: forwarded ---

  Result<int> schema_version() override { return inner_->schema_version(); }
  Status create_user(const User& user, const std::optional<Account>& account) override {
    return inner_->create_user(user, account);
  }
  Result<User> find_user_by_id(std::string_view id) override { return inner_->find_user_by_id(id); }
  Result<User> find_user_by_email(std::string_view email) override { return inner_->find_user_by_email(email); }
  Result<User> find_user_by_username(std::string_view username) override {
    return inner_->find_user_by_username(username);
  }
  Result<std::vector<User>> list_users(std::size_t limit, std::size_t offset) override {
    return inner_->list_users(limit, offset);
  }
  Result<UserPage> query_users(const UserQuery& query) override { return inner_->query_users(query); }
  Result<Account> find_credential_account(std::string_view user_id) override {
    return inner_->find_credential_account(user_id);
  }
  Result<std::vector<Account>> list_accounts(std::string_view user_id) override {
    return inner_->list_accounts(user_id);
  }
  Status unlink_account(std::string_view user_id, std::string_view account_row_id) override {
    return inner_->unlink_account(user_id, account_row_id);
  }
  Status create_account(const Account& account) override { return inner_->create_account(account); }
  Status set_account_password(std::string_view account_row_id, std::string_view password_hash,
                              TimePoint now) override {
    return inner_->set_account_password(account_row_id, password_hash, now);
  }
  Status upgrade_account_password(std::string_view account_row_id, std::string_view expected_hash,
                                  std::string_view new_hash, TimePoint now) override {
    return inner_->upgrade_account_password(account_row_id, expected_hash, new_hash, now);
  }
  Result<TwoFactor> find_two_factor(std::string_view user_id) override { return inner_->find_two_factor(user_id); }
  Result<std::optional<Ban>> find_ban(std::string_view user_id) override { return inner_->find_ban(user_id); }
  Status put_two_factor(const TwoFactor& row) override { return inner_->put_two_factor(row); }
  Status mark_two_factor_verified(std::string_view id) override { return inner_->mark_two_factor_verified(id); }
  Result<bool> replace_backup_codes(std::string_view id, std::string_view expected,
                                    std::string_view updated) override {
    return inner_->replace_backup_codes(id, expected, updated);
  }
  Result<std::int64_t> record_two_factor_failure(std::string_view id, std::int64_t max_failures,
                                                 TimePoint lock_until) override {
    return inner_->record_two_factor_failure(id, max_failures, lock_until);
  }
  Status reset_two_factor_failures(std::string_view id) override { return inner_->reset_two_factor_failures(id); }
  Result<std::vector<Jwk>> list_jwks() override { return inner_->list_jwks(); }
  Status create_jwk(const Jwk& key) override { return inner_->create_jwk(key); }
  Result<bool> create_passkey(const Passkey& passkey, std::size_t max_per_user) override {
    return inner_->create_passkey(passkey, max_per_user);
  }
  Result<std::vector<Passkey>> list_passkeys(std::string_view user_id) override {
    return inner_->list_passkeys(user_id);
  }
  Result<Passkey> find_passkey(std::string_view id) override { return inner_->find_passkey(id); }
  Result<Passkey> find_passkey_by_credential_id(std::string_view credential_id) override {
    return inner_->find_passkey_by_credential_id(credential_id);
  }
  Result<bool> update_passkey_counter(std::string_view id, std::int64_t expected, std::int64_t counter) override {
    return inner_->update_passkey_counter(id, expected, counter);
  }
  Status rename_passkey(std::string_view id, std::string_view user_id, std::string_view name) override {
    return inner_->rename_passkey(id, user_id, name);
  }
  Status delete_passkey(std::string_view id, std::string_view user_id) override {
    return inner_->delete_passkey(id, user_id);
  }
  Result<bool> create_organization(const Organization& organization, const Member& creator,
                                   std::optional<std::size_t> limit) override {
    return inner_->create_organization(organization, creator, limit);
  }
  Result<Organization> find_organization(std::string_view id) override { return inner_->find_organization(id); }
  Result<Organization> find_organization_by_slug(std::string_view slug) override {
    return inner_->find_organization_by_slug(slug);
  }
  Status update_organization(const Organization& organization) override {
    return inner_->update_organization(organization);
  }
  Result<std::vector<Organization>> list_user_organizations(std::string_view user_id) override {
    return inner_->list_user_organizations(user_id);
  }
  Result<Member> find_member(std::string_view organization_id, std::string_view user_id) override {
    return inner_->find_member(organization_id, user_id);
  }
  Result<Member> find_member_by_id(std::string_view organization_id, std::string_view member_id) override {
    return inner_->find_member_by_id(organization_id, member_id);
  }
  Result<MemberPage> list_members(std::string_view organization_id, std::size_t limit, std::size_t offset) override {
    return inner_->list_members(organization_id, limit, offset);
  }
  Status add_member(const Member& member, std::size_t limit) override { return inner_->add_member(member, limit); }
  Status update_member_role(std::string_view organization_id, std::string_view member_id, std::string_view role,
                            std::string_view owner_role) override {
    return inner_->update_member_role(organization_id, member_id, role, owner_role);
  }
  Status create_invitation(const Invitation& invitation, std::size_t limit, bool cancel_pending) override {
    return inner_->create_invitation(invitation, limit, cancel_pending);
  }
  Result<Invitation> find_invitation(std::string_view id) override { return inner_->find_invitation(id); }
  Result<std::vector<Invitation>> list_invitations(std::string_view organization_id) override {
    return inner_->list_invitations(organization_id);
  }
  Result<std::vector<Invitation>> list_invitations_to(std::string_view email) override {
    return inner_->list_invitations_to(email);
  }
  Result<bool> update_pending_invitation(std::string_view id, std::string_view status,
                                         std::optional<TimePoint> expires_at) override {
    return inner_->update_pending_invitation(id, status, expires_at);
  }
  Status accept_invitation(std::string_view id, const Member& member, std::size_t limit, TimePoint now) override {
    return inner_->accept_invitation(id, member, limit, now);
  }
  // API keys are not session tokens: nothing of them is cached (delete_user() above, which deletes
  // the user's keys too, forgets the user).
  Result<bool> create_api_key(const ApiKey& key, std::size_t max_per_user) override {
    return inner_->create_api_key(key, max_per_user);
  }
  Result<ApiKey> find_api_key(std::string_view id) override { return inner_->find_api_key(id); }
  Result<ApiKey> find_api_key_by_hash(std::string_view key_hash) override {
    return inner_->find_api_key_by_hash(key_hash);
  }
  Result<ApiKeyPage> list_api_keys(std::string_view reference_id, const ApiKeyOrder& order, std::size_t limit,
                                   std::size_t offset) override {
    return inner_->list_api_keys(reference_id, order, limit, offset);
  }
  Result<ApiKey> change_api_key(std::string_view id, const std::function<Status(ApiKey&)>& change) override {
    return inner_->change_api_key(id, change);
  }
  Status delete_api_key(std::string_view id, std::string_view reference_id) override {
    return inner_->delete_api_key(id, reference_id);
  }
  Status create_session(const Session& session) override { return inner_->create_session(session); }
  Result<std::vector<Session>> list_sessions(std::string_view user_id) override {
    return inner_->list_sessions(user_id);
  }
  Status create_verification(const Verification& verification) override {
    return inner_->create_verification(verification);
  }
  Result<Verification> find_verification(std::string_view identifier) override {
    return inner_->find_verification(identifier);
  }
  Result<Verification> consume_verification(std::string_view identifier) override {
    return inner_->consume_verification(identifier);
  }
  // Expired rows go; cached answers for them say "expired" to the caller, which deletes them.
  Result<std::size_t> delete_expired(TimePoint now) override { return inner_->delete_expired(now); }
  Result<RateLimitDecision> rate_limit_hit(std::string_view key, std::chrono::milliseconds window, std::int64_t max,
                                           TimePoint now) override {
    return inner_->rate_limit_hit(key, window, max, now);
  }
  Result<RateLimitCounter> rate_limit_get(std::string_view key) override { return inner_->rate_limit_get(key); }
  Status rate_limit_clear(std::string_view key) override { return inner_->rate_limit_clear(key); }

 private:
  struct Entry {
    SessionWithUser value;
    SteadyClock::time_point read_at;
  };

  void drop_token(std::string_view token) {
    const std::unique_lock lock(mu_);
    generation_.fetch_add(1, std::memory_order_release);
    if (const auto it = cache_.find(token); it != cache_.end()) cache_.erase(it);
    counted();
  }

  void drop_user(std::string_view user_id) {
    const std::unique_lock lock(mu_);
    generation_.fetch_add(1, std::memory_order_release);
    std::erase_if(cache_, [&](const auto& kv) { return kv.second.value.user.id == user_id; });
    counted();
  }

  void drop_all() {
    const std::unique_lock lock(mu_);
    generation_.fetch_add(1, std::memory_order_release);
    cache_.clear();
    counted();
  }

  // With mu_ held exclusively: the entries counter follows the map.
  void counted() { counters_->entries.store(cache_.size(), std::memory_order_relaxed); }

  // With mu_ held exclusively.
  void make_room(SteadyClock::time_point now) {
    std::erase_if(cache_, [&](const auto& kv) { return now - kv.second.read_at >= ttl_; });
    if (cache_.size() >= capacity_) cache_.clear();
  }

  const std::unique_ptr<Store> inner_;
  const std::chrono::milliseconds ttl_;
  const std::size_t capacity_;
  const std::shared_ptr<SessionCacheCounters> counters_;

  std::shared_mutex mu_;
  std::unordered_map<std::string, Entry, TokenHash, std::equal_to<>> cache_;
  std::atomic<std::uint64_t> generation_{0};
};

}  // namespace

std::unique_ptr<Store> with_session_cache(std::unique_ptr<Store> inner, const SessionCacheOptions& options) {
  if (options.ttl.count() <= 0 || options.capacity == 0) return inner;
  return std::make_unique<SessionCachedStore>(std::move(inner), options);
}

}  // namespace portcullis::store
