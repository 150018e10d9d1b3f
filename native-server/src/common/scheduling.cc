#include "common/scheduling.h"

#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>

namespace portcullis {
namespace {

// The kernel's struct sched_attr, version 0 (48 bytes). Its header, linux/sched/types.h, cannot be
// included beside glibc's <sched.h> (both define struct sched_param), and glibc 2.36 has no
// wrapper for sched_setattr().
struct SchedAttr {
  std::uint32_t size;
  std::uint32_t sched_policy;
  std::uint64_t sched_flags;
  std::int32_t sched_nice;
  std::uint32_t sched_priority;
  std::uint64_t sched_runtime;  // for SCHED_OTHER and SCHED_BATCH: the requested slice, in ns
  std::uint64_t sched_deadline;
  std::uint64_t sched_period;
};
static_assert(sizeof(SchedAttr) == 48);

}  // namespace

bool set_thread_scheduling(int policy, std::chrono::microseconds slice, std::optional<int> nice) {
  const int own_nice = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
  SchedAttr attr{};
  attr.size = sizeof attr;
  attr.sched_policy = static_cast<std::uint32_t>(policy);
  attr.sched_nice = nice.value_or(own_nice);
  attr.sched_runtime = static_cast<std::uint64_t>(std::chrono::nanoseconds(slice).count());
  if (syscall(SYS_sched_setattr, 0, &attr, 0U) == 0) return true;
  if (attr.sched_nice == own_nice) return false;
  attr.sched_nice = own_nice;  // refused for the nice value, perhaps: the policy and slice alone
  return syscall(SYS_sched_setattr, 0, &attr, 0U) == 0;
}

}  // namespace portcullis
