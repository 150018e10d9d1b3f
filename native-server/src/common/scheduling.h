// Portcullis server: how the scheduler treats the server's own threads.
//
// Two kinds of work share the cores: requests that take tens of microseconds (get-session) and
// password hashes that take tens of milliseconds. Linux's scheduler (EEVDF, 6.6+) gives each
// thread a time slice, and since 6.12 a thread may ask for its own length: a thread that wakes up
// with a shorter slice and an earlier deadline than the running one preempts it. So connection
// threads ask for short slices and hash workers for long ones: a request that arrives while hashes
// keep every core busy is served at once instead of after a hash's slice, and the hashes still get
// their full share of the CPU (a slice's length changes when a thread runs, not how much). Older
// kernels ignore the slice.

#ifndef PORTCULLIS_COMMON_SCHEDULING_H_
#define PORTCULLIS_COMMON_SCHEDULING_H_

#include <chrono>
#include <optional>

namespace portcullis {

// Sets the calling thread's policy (SCHED_OTHER or SCHED_BATCH), asks for time slices of `slice`
// (the kernel clamps it to 0.1-100 ms) and sets its nice value to `nice` (nullopt: keeps the
// thread's own). A nice value the kernel refuses (a lower one needs CAP_SYS_NICE) is left out: the
// policy and slice are still set, with the thread's own nice value. Returns false if the kernel
// refused the policy; the thread then keeps its old one.
bool set_thread_scheduling(int policy, std::chrono::microseconds slice,
                           std::optional<int> nice = std::nullopt);

}  // namespace portcullis

#endif  // PORTCULLIS_COMMON_SCHEDULING_H_
