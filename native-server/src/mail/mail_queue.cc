// Portcullis server: the background mail queue.

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <memory>
#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <utility>

#include "mail/mailer.h"
#include "common/json_text.h"

namespace portcullis::mail {
namespace {

// Delay before the first retry; each further retry waits twice as long as the one before.
constexpr std::chrono::milliseconds kRetryBaseDelay{200};
// ... up to this.
constexpr std::chrono::milliseconds kRetryMaxDelay{60000};

// "Name <a@b.example>" -> "a@b.example"; "a@b.example" unchanged.
std::string bare_address(const std::string& to) {
  const auto open = to.rfind('<');
  if (open == std::string::npos) return to;
  const auto close = to.find('>', open);
  return to.substr(open + 1, close == std::string::npos ? std::string::npos : close - open - 1);
}

// The domain of the recipient ("Name <a@b.example>" -> "b.example"), for logs.
std::string recipient_domain(const std::string& to) {
  const std::string address = bare_address(to);
  const auto at = address.rfind('@');
  if (at == std::string::npos) return "";
  return address.substr(at + 1);
}

// `text` with every occurrence of `secret` replaced, so an error that quotes the recipient's
// address (a server's "550 <bob@x>: unknown user") does not put it in the log.
std::string redact(std::string text, const std::string& secret) {
  static const std::string kMark = "[redacted]";
  if (secret.empty()) return text;
  for (auto pos = text.find(secret); pos != std::string::npos;
       pos = text.find(secret, pos + kMark.size())) {
    text.replace(pos, secret.size(), kMark);
  }
  return text;
}

}  // namespace

struct MailQueue::Impl {
  std::unique_ptr<Mailer> inner;
  std::size_t max_queued;
  int retries;

  std::mutex mutex;
  std::condition_variable wake;  // the worker: a message was queued, or stop
  std::condition_variable idle;  // flush(): the queue is empty and nothing is being sent
  std::deque<Message> queue;
  bool sending = false;
  std::atomic<std::uint64_t> dropped{0};
  bool stopping = false;
  std::thread worker;

  Impl(std::unique_ptr<Mailer> mailer, std::size_t max, int tries)
      : inner(std::move(mailer)), max_queued(max), retries(tries < 0 ? 0 : tries) {}

  void run() {
    std::unique_lock lock(mutex);
    for (;;) {
      wake.wait(lock, [this] { return stopping || !queue.empty(); });
      if (queue.empty()) return;  // stopping, and everything has been delivered
      Message message = std::move(queue.front());
      queue.pop_front();
      sending = true;
      lock.unlock();
      deliver(message);
      lock.lock();
      sending = false;
      if (queue.empty()) idle.notify_all();
    }
  }

  // A Mailer reports errors as a Status; an exception (out of memory) must not end the thread.
  Status try_send(const Message& message) {
    try {
      return inner->send(message);
    } catch (const std::exception& e) {
      return Status(ErrorCode::kInternalServerError, e.what());
    }
  }

  // Sends `message`, retrying with growing delays; logs and drops it when every try failed.
  // Once the queue is stopping, retries no longer wait, so the destructor is not held up by
  // delays (only by the sends themselves).
  void deliver(const Message& message) {
    Status status = try_send(message);
    auto delay = kRetryBaseDelay;
    for (int attempt = 0; attempt < retries && !status.ok(); ++attempt) {
      {
        std::unique_lock lock(mutex);
        wake.wait_for(lock, delay, [this] { return stopping; });
      }
      delay = std::min(delay * 2, kRetryMaxDelay);
      status = try_send(message);
    }
    if (status.ok()) return;
    dropped.fetch_add(1, std::memory_order_relaxed);
    const nlohmann::json line = {
        {"msg", "mail dropped"},
        {"domain", recipient_domain(message.to)},
        {"error", redact(redact(status.message(), message.to), bare_address(message.to))},
    };
    report_to_stderr(line);
  }
};

MailQueue::MailQueue(std::unique_ptr<Mailer> inner, std::size_t max_queued, int retries)
    : impl_(std::make_unique<Impl>(std::move(inner), max_queued, retries)) {
  impl_->worker = std::thread([impl = impl_.get()] { impl->run(); });
}

MailQueue::~MailQueue() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  impl_->worker.join();
}

bool MailQueue::enqueue(Message message) {
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->stopping || impl_->queue.size() >= impl_->max_queued) {
      impl_->dropped.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    impl_->queue.push_back(std::move(message));
  }
  impl_->wake.notify_one();
  return true;
}

std::size_t MailQueue::queued() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->queue.size() + (impl_->sending ? 1 : 0);
}

std::uint64_t MailQueue::dropped() const { return impl_->dropped.load(std::memory_order_relaxed); }

void MailQueue::flush() {
  std::unique_lock lock(impl_->mutex);
  impl_->idle.wait(lock, [this] { return impl_->queue.empty() && !impl_->sending; });
}

}  // namespace portcullis::mail
