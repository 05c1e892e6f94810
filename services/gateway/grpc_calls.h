#pragma once

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace infobus::gateway {

// gRPC calls by method path with raw (serialized) messages, through grpc::GenericStub: the
// gateway never needs a generated stub. An error is the call's gRPC status as an absl::Status
// (same codes). The gRPC callbacks only record and notify; the waiting is done by the caller's
// thread (an httplib worker).

// A unary call, `authorization` (if not empty) sent as the `authorization` metadata. Blocks the
// calling thread until the call ends, at the latest at `timeout`. Any thread.
absl::StatusOr<std::string> CallUnary(grpc::GenericStub& stub, const std::string& method_path,
                                      const std::string& request, const std::string& authorization,
                                      absl::Duration timeout);

// A server-streaming call (a generic bidi call: the one request, WritesDone, then reads until
// the end), read by one thread at a time. The reactor keeps at most one message: the server
// is read only as fast as the reader takes messages. Cancel() may come from any thread; the
// destructor cancels and waits until gRPC is done with the call.
class ServerStreamCall {
 public:
  enum class Next { kMessage, kTimeout, kEnd };

  static std::unique_ptr<ServerStreamCall> Start(grpc::GenericStub& stub,
                                                 const std::string& method_path,
                                                 const std::string& request,
                                                 const std::string& authorization);
  ~ServerStreamCall();
  ServerStreamCall(const ServerStreamCall&) = delete;
  ServerStreamCall& operator=(const ServerStreamCall&) = delete;

  // Waits up to `timeout` for the next message (kMessage, in *message) or the end of the call
  // (kEnd: status() says how it ended); kTimeout when neither came.
  Next Read(absl::Duration timeout, std::string* message);
  // Once Read returned kEnd: OK when the server ended the stream, else why it failed.
  absl::Status status() const;
  void Cancel();

 private:
  class Reactor;
  explicit ServerStreamCall(std::unique_ptr<Reactor> reactor);
  std::unique_ptr<Reactor> reactor_;
};

using ServerStreamCallPtr = std::unique_ptr<ServerStreamCall>;

}  // namespace infobus::gateway
