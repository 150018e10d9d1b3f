// Portcullis server: telling the HTTP server that the calling thread is about to wait.
//
// The HTTP server (http/buffered_server.h) has a few polling threads wait for input on all of its
// connections, and serves a request on the thread that took it: most requests (get-session from
// the session cache) never wait, and handing each to another thread would cost more than serving
// it. Code that may wait — for a password hash, for the database, for a slow client — calls
// about_to_wait() first. On a polling thread, that hands the polling to another thread, which goes
// on serving the other connections while this one waits, holding up only its own request.
// Elsewhere it does nothing.

#ifndef PORTCULLIS_COMMON_WAITING_H_
#define PORTCULLIS_COMMON_WAITING_H_

namespace portcullis {

// Calls this thread's wait hook, if one is installed (see WaitHook). Cheap when none is: a
// thread-local read. Never fails; the caller then waits as it would have.
void about_to_wait();

// While alive, about_to_wait() on this thread calls `hook(context)`. Nests: the destructor
// restores the previous hook. `hook` must not throw and must not call about_to_wait().
class WaitHook {
 public:
  using Function = void (*)(void* context);
  WaitHook(Function hook, void* context);
  ~WaitHook();
  WaitHook(const WaitHook&) = delete;
  WaitHook& operator=(const WaitHook&) = delete;

 private:
  Function previous_hook_;
  void* previous_context_;
};

}  // namespace portcullis

#endif  // PORTCULLIS_COMMON_WAITING_H_
