#include "common/client_connection.h"

#include <sys/socket.h>
#include <sys/types.h>

#include <cerrno>

namespace portcullis {

namespace {
thread_local int serving_socket = -1;
}  // namespace

ServingClient::ServingClient(int socket) : previous_(serving_socket) { serving_socket = socket; }

ServingClient::~ServingClient() { serving_socket = previous_; }

int current_client_socket() { return serving_socket; }

bool client_gone(int socket) {
  char byte;
  for (;;) {
    const ssize_t n = recv(socket, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n > 0) return false;  // unread bytes: still there
    if (n == 0) return true;  // end of stream: the peer closed
    if (errno == EINTR) continue;
    // EAGAIN: open and quiet. A reset (ECONNRESET, EPIPE...) means gone; anything else (e.g. not
    // a socket) is not evidence that the client left.
    return errno == ECONNRESET || errno == EPIPE || errno == ENOTCONN || errno == ETIMEDOUT;
  }
}

}  // namespace portcullis
