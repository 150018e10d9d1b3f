// Portcullis server: a file descriptor that closes with its owner.

#ifndef PORTCULLIS_COMMON_FD_H_
#define PORTCULLIS_COMMON_FD_H_

#include <unistd.h>

namespace portcullis {

class Fd {
 public:
  // Owns `fd` (-1: none).
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace portcullis

#endif  // PORTCULLIS_COMMON_FD_H_
