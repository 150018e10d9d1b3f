// Portcullis server: the connection whose request the calling thread is serving.
//
// Work queued on behalf of a request (a password hash waits for a free hash worker) can outlive
// the client's interest in it: a client that times out, or a benchmark that stops, closes its
// connection while its request still waits. ServingClient marks the thread that reads a
// connection's requests, so that code deeper in the call (the hash pool) can note which connection
// a job is for and, before starting it, ask whether that client is still there.

#ifndef PORTCULLIS_COMMON_CLIENT_CONNECTION_H_
#define PORTCULLIS_COMMON_CLIENT_CONNECTION_H_

namespace portcullis {

// While alive, current_client_socket() on this thread returns `socket`. Nests: the destructor
// restores the previous value. The socket must stay open while it is alive.
class ServingClient {
 public:
  explicit ServingClient(int socket);
  ~ServingClient();
  ServingClient(const ServingClient&) = delete;
  ServingClient& operator=(const ServingClient&) = delete;

 private:
  int previous_;
};

// Returns the socket of the connection this thread is serving, or -1 outside a ServingClient.
int current_client_socket();

// Returns true if the peer of the connected `socket` has closed it (an orderly close, or a reset):
// nothing it sent remains unread and no more can come. Unread bytes (a pipelined request) or an
// open, quiet connection give false. Does not block and consumes nothing. A client that only
// shut down its sending side (half-close) also counts as gone: HTTP clients do not do that while
// they still wait for an answer.
bool client_gone(int socket);

}  // namespace portcullis

#endif  // PORTCULLIS_COMMON_CLIENT_CONNECTION_H_
