#include "services/dispatch/dispatch_service.h"

#include <deque>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/grpc/status.h"

namespace infobus::dispatch {
namespace {

using infobus::common::v1::Delivery;

constexpr size_t kPageSize = 64;

// One Subscribe stream. Writes one delivery at a time; when it runs out, it reads the next page
// from the inbox, and when the inbox has nothing newer it waits for the notifier. Finish() is
// always called without the lock held, because OnDone (which deletes this) may run on another
// thread as soon as Finish() is called. Deletes itself in OnDone.
class SubscribeReactor final : public grpc::ServerWriteReactor<Delivery> {
 public:
  SubscribeReactor(Inbox* inbox, InboxNotifier* notifier, std::string unit_id, uint64_t after_seq)
      : inbox_(inbox), notifier_(notifier), unit_id_(std::move(unit_id)), last_seq_(after_seq) {
    token_ = notifier_->Listen(unit_id_, [this] { Pump(); });
    Pump();
  }

  void OnWriteDone(bool ok) override {
    {
      absl::MutexLock lock(&mutex_);
      writing_ = false;
      buffer_.pop_front();
      if (!ok && !TakeFinishLocked()) return;
    }
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "stream broken"));
      return;
    }
    Pump();
  }

  void OnCancel() override {
    {
      absl::MutexLock lock(&mutex_);
      cancelled_ = true;
      // A pending write completes (not ok) and finishes the call from OnWriteDone.
      if (writing_ || !TakeFinishLocked()) return;
    }
    Finish(grpc::Status::CANCELLED);
  }

  void OnDone() override {
    notifier_->Unlisten(token_);  // after this, Pump is never called again
    delete this;
  }

 private:
  void Pump() {
    const Delivery* next = nullptr;
    grpc::Status failure;
    {
      absl::MutexLock lock(&mutex_);
      if (writing_ || finished_ || cancelled_) return;
      if (buffer_.empty()) {
        auto page = inbox_->ReadAfter(unit_id_, last_seq_, kPageSize);
        if (!page.ok()) {
          if (!TakeFinishLocked()) return;
          failure = ToGrpcStatus(page.status());
        } else {
          for (Delivery& delivery : *page) {
            last_seq_ = delivery.seq();
            buffer_.push_back(std::move(delivery));
          }
        }
      }
      if (failure.ok()) {
        if (buffer_.empty()) return;  // caught up: the notifier wakes us
        writing_ = true;
        next = &buffer_.front();
      }
    }
    if (!failure.ok()) {
      Finish(failure);
      return;
    }
    StartWrite(next);
  }

  // True (once) when the caller is the one to call Finish().
  bool TakeFinishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    if (finished_) return false;
    finished_ = true;
    return true;
  }

  Inbox* const inbox_;
  InboxNotifier* const notifier_;
  const std::string unit_id_;
  uint64_t token_ = 0;
  absl::Mutex mutex_;
  uint64_t last_seq_ ABSL_GUARDED_BY(mutex_);
  std::deque<Delivery> buffer_ ABSL_GUARDED_BY(mutex_);  // front is being written when writing_
  bool writing_ ABSL_GUARDED_BY(mutex_) = false;
  bool finished_ ABSL_GUARDED_BY(mutex_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mutex_) = false;
};

// A stream that fails before it starts.
class FailedStream final : public grpc::ServerWriteReactor<Delivery> {
 public:
  explicit FailedStream(grpc::Status status) { Finish(std::move(status)); }
  void OnDone() override { delete this; }
};

}  // namespace

grpc::ServerWriteReactor<Delivery>* DispatchServiceImpl::Subscribe(
    grpc::CallbackServerContext* /*context*/,
    const infobus::dispatch::v1::SubscribeRequest* request) {
  if (request->unit_id().empty()) {
    return new FailedStream(
        grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "unit_id: is required"));
  }
  if (units_->Find(request->unit_id()) == nullptr) {
    return new FailedStream(grpc::Status(grpc::StatusCode::NOT_FOUND,
                                         absl::StrCat("unit_id: no unit '", request->unit_id(), "'")));
  }
  return new SubscribeReactor(inbox_, notifier_, request->unit_id(), request->after_seq());
}

grpc::ServerUnaryReactor* DispatchServiceImpl::Acknowledge(
    grpc::CallbackServerContext* context, const infobus::dispatch::v1::AcknowledgeRequest* request,
    infobus::dispatch::v1::AcknowledgeResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::Status status;
  if (request->unit_id().empty()) {
    status = absl::InvalidArgumentError("unit_id: is required");
  } else if (units_->Find(request->unit_id()) == nullptr) {
    status = absl::NotFoundError(absl::StrCat("unit_id: no unit '", request->unit_id(), "'"));
  } else if (request->seq() == 0) {
    status = absl::InvalidArgumentError("seq: must be 1 or more");
  } else if (request->acknowledged_by().empty() || request->acknowledged_by().size() > 128) {
    status = absl::InvalidArgumentError("acknowledged_by: 1-128 bytes naming who signs off");
  } else {
    auto result = inbox_->Acknowledge(request->unit_id(), request->seq(),
                                      request->acknowledged_by());
    status = result.status();
    if (result.ok()) {
      response->set_already_acknowledged(result->already_acknowledged);
      *response->mutable_acknowledged_at() = result->delivery.acknowledged_at();
      response->set_acknowledged_by(result->delivery.acknowledged_by());
    }
  }
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

grpc::ServerUnaryReactor* DispatchServiceImpl::ListUnits(
    grpc::CallbackServerContext* context, const infobus::dispatch::v1::ListUnitsRequest* /*request*/,
    infobus::dispatch::v1::ListUnitsResponse* response) {
  for (const Unit& unit : units_->units()) {
    auto* out = response->add_units();
    out->set_unit_id(unit.id);
    out->set_name(unit.name);
    for (const std::string& code : unit.jurisdictions) out->add_jurisdiction_codes(code);
    out->set_supervisor_unit_id(unit.supervisor);
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace infobus::dispatch
