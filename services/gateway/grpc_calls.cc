#include "services/gateway/grpc_calls.h"

#include <chrono>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"

namespace infobus::gateway {
namespace {

grpc::ByteBuffer ToByteBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

std::string ToString(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  out.reserve(buffer.Length());
  for (const grpc::Slice& slice : slices) {
    out.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return out;
}

absl::Status FromGrpc(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

}  // namespace

absl::StatusOr<std::string> CallUnary(grpc::GenericStub& stub, const std::string& method_path,
                                      const std::string& request, const std::string& authorization,
                                      absl::Duration timeout) {
  grpc::ClientContext context;
  if (!authorization.empty()) context.AddMetadata("authorization", authorization);
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  const grpc::ByteBuffer request_buffer = ToByteBuffer(request);
  grpc::ByteBuffer response;
  grpc::Status status;
  absl::Notification done;
  stub.UnaryCall(&context, method_path, grpc::StubOptions(), &request_buffer, &response,
                 [&status, &done](grpc::Status s) {
                   status = std::move(s);
                   done.Notify();
                 });
  done.WaitForNotification();  // the deadline bounds it
  if (!status.ok()) return FromGrpc(status);
  return ToString(response);
}

// The callback side of a ServerStreamCall. A hold keeps OnDone back while the reader may still
// start a read; it goes when reads are over (the server ended, or Cancel with no read pending).
class ServerStreamCall::Reactor final
    : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  Reactor(const std::string& request, const std::string& authorization)
      : request_(ToByteBuffer(request)) {
    if (!authorization.empty()) context_.AddMetadata("authorization", authorization);
  }

  void Begin(grpc::GenericStub& stub, const std::string& method_path) {
    stub.PrepareBidiStreamingCall(&context_, method_path, grpc::StubOptions(), this);
    AddHold();
    StartWriteLast(&request_, grpc::WriteOptions());
    {
      absl::MutexLock lock(&mutex_);
      read_pending_ = true;
    }
    StartRead(&incoming_);
    StartCall();
  }

  // grpc::ClientBidiReactor
  void OnWriteDone(bool /*ok*/) override {}
  void OnReadDone(bool ok) override {
    bool release = false;
    {
      absl::MutexLock lock(&mutex_);
      read_pending_ = false;
      // A read that completes after a Cancel may still carry a message (it had arrived): the
      // reads are over all the same, or nobody would ever let the hold go.
      if (ok && !cancelled_) {
        message_ready_ = true;
      } else {
        reads_over_ = true;
        release = !hold_released_;
        hold_released_ = true;
      }
    }
    if (release) RemoveHold();
  }
  void OnDone(const grpc::Status& status) override {
    {
      absl::MutexLock lock(&mutex_);
      status_ = FromGrpc(status);
    }
    done_.Notify();  // the last touch: the reactor may be destroyed as soon as this returns
  }

  Next Read(absl::Duration timeout, std::string* message) {
    bool got_message = false;
    bool read_again = false;
    {
      absl::MutexLock lock(&mutex_);
      if (!mutex_.AwaitWithTimeout(absl::Condition(this, &Reactor::Readable), timeout)) {
        return Next::kTimeout;
      }
      if (message_ready_) {
        *message = ToString(incoming_);
        message_ready_ = false;
        got_message = true;
        read_again = !reads_over_;  // not after a Cancel
        read_pending_ = read_again;
      }
    }
    if (got_message) {
      if (read_again) StartRead(&incoming_);
      return Next::kMessage;
    }
    // Reads are over and the hold is gone: OnDone follows at once.
    done_.WaitForNotification();
    return Next::kEnd;
  }

  void Cancel() {
    context_.TryCancel();
    bool release = false;
    {
      absl::MutexLock lock(&mutex_);
      cancelled_ = true;
      reads_over_ = true;  // no read starts after this; a pending one lets the hold go
      if (!read_pending_ && !hold_released_) {
        hold_released_ = true;
        release = true;
      }
    }
    if (release) RemoveHold();
  }

  void WaitUntilDone() { done_.WaitForNotification(); }

  absl::Status status() const {
    absl::MutexLock lock(&mutex_);
    return status_;
  }

 private:
  bool Readable() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    return message_ready_ || reads_over_;
  }

  grpc::ClientContext context_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer incoming_;  // written by gRPC while a read is pending, else by Read
  mutable absl::Mutex mutex_;
  bool read_pending_ ABSL_GUARDED_BY(mutex_) = false;
  bool message_ready_ ABSL_GUARDED_BY(mutex_) = false;
  bool reads_over_ ABSL_GUARDED_BY(mutex_) = false;
  bool hold_released_ ABSL_GUARDED_BY(mutex_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mutex_) = false;
  absl::Notification done_;
  absl::Status status_ ABSL_GUARDED_BY(mutex_);
};

ServerStreamCall::ServerStreamCall(std::unique_ptr<Reactor> reactor)
    : reactor_(std::move(reactor)) {}

std::unique_ptr<ServerStreamCall> ServerStreamCall::Start(grpc::GenericStub& stub,
                                                          const std::string& method_path,
                                                          const std::string& request,
                                                          const std::string& authorization) {
  auto reactor = std::make_unique<Reactor>(request, authorization);
  reactor->Begin(stub, method_path);
  return std::unique_ptr<ServerStreamCall>(new ServerStreamCall(std::move(reactor)));
}

ServerStreamCall::~ServerStreamCall() {
  reactor_->Cancel();
  reactor_->WaitUntilDone();
}

ServerStreamCall::Next ServerStreamCall::Read(absl::Duration timeout, std::string* message) {
  return reactor_->Read(timeout, message);
}

absl::Status ServerStreamCall::status() const { return reactor_->status(); }

void ServerStreamCall::Cancel() { reactor_->Cancel(); }

}  // namespace infobus::gateway
