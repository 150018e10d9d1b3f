#include "common/waiting.h"

namespace portcullis {

namespace {
thread_local WaitHook::Function t_hook = nullptr;
thread_local void* t_context = nullptr;
}  // namespace

void about_to_wait() {
  if (t_hook != nullptr) t_hook(t_context);
}

WaitHook::WaitHook(Function hook, void* context) : previous_hook_(t_hook), previous_context_(t_context) {
  t_hook = hook;
  t_context = context;
}

WaitHook::~WaitHook() {
  t_hook = previous_hook_;
  t_context = previous_context_;
}

}  // namespace portcullis
