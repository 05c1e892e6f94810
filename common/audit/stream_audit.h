#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "common/audit/audit_log.h"
#include "common/grpc/status.h"

namespace infobus::audit {

// Access records of a server stream's pages: the stream holds a page back until its records
// are kept, and this makes the answer safe to deliver to a stream that may have ended since.
// Like InboxNotifier, `on_kept` runs under an internal lock, so Close() (from the stream's
// OnDone) waits for a running one and none runs after it. Thread-safe.
class StreamAudit {
 public:
  explicit StreamAudit(AuditLog* log) : log_(log), state_(std::make_shared<State>()) {}

  // Sends `records`. When the answer comes at once (every record refused locally) it is
  // returned and `on_kept` never runs; else nullopt, and `on_kept` runs once later with OK or
  // UNAVAILABLE, on the producer's thread. Callable with the stream's lock held.
  std::optional<absl::Status> Send(std::vector<AuditRecord> records,
                                   std::function<void(absl::Status)> on_kept);

  void Close();

  AuditLog* log() const { return log_; }

 private:
  struct State {
    absl::Mutex mutex;
    bool closed ABSL_GUARDED_BY(mutex) = false;
    // Set while Send runs, so an answer given on the sending thread is returned, not called.
    std::thread::id sending_thread ABSL_GUARDED_BY(mutex);
    std::optional<absl::Status> inline_answer ABSL_GUARDED_BY(mutex);
  };
  AuditLog* log_;
  std::shared_ptr<State> state_;
};

// The hold-back of a paged server stream whose pages carry access records: a page is sent only
// once its records are kept, and a record that cannot be kept ends the stream. One per stream;
// every method but the constructor is called with the stream's own lock held (the stream's
// `on_kept` takes that lock, calls Kept, and wakes the stream).
template <typename T>
class AuditedPages {
 public:
  explicit AuditedPages(AuditLog* log) : audit_(log) {}

  enum class Next {
    kRead,  // nothing held: read the next page
    kSend,  // `buffer` has what there is to send
    kWait,  // a page waits for its records; on_kept will come
    kFail,  // its records could not be kept: finish the stream with failure()
  };

  // Before reading a page: a failure, a page still held, or one kept since (moved to `buffer`).
  Next Check(std::deque<T>& buffer) {
    if (!failure_.ok()) return Next::kFail;
    if (holding_) return Next::kWait;
    if (cleared_.empty()) return Next::kRead;
    for (T& item : cleared_) buffer.push_back(std::move(item));
    cleared_.clear();
    return Next::kSend;
  }

  // The page just read: what of it the caller may see, and the records of the decisions on
  // its classified items. Without records (or with an answer at once) `visible` goes to
  // `buffer` (kSend, perhaps with nothing); else it is held (kWait) until `on_kept` runs.
  Next Offer(std::vector<T> visible, std::vector<AuditRecord> records, std::deque<T>& buffer,
             std::function<void(absl::Status)> on_kept) {
    if (!records.empty()) {
      held_ = std::move(visible);
      visible.clear();
      holding_ = true;
      std::optional<absl::Status> answer = audit_.Send(std::move(records), std::move(on_kept));
      if (!answer.has_value()) return Next::kWait;
      holding_ = false;
      if (!answer->ok()) {
        failure_ = *std::move(answer);
        held_.clear();
        return Next::kFail;
      }
      visible = std::move(held_);
      held_.clear();
    }
    for (T& item : visible) buffer.push_back(std::move(item));
    return Next::kSend;
  }

  // The same as a PagedStreamReactor's Step (grpc/paged_stream_reactor.h): before reading, the
  // step to take, or nullopt to read a page; after Offer, the step, or nullopt to go on with
  // what `buffer` has.
  template <typename Step>
  std::optional<Step> StepBeforeRead(std::deque<T>& buffer) {
    switch (Check(buffer)) {
      case Next::kFail:
        return Step::Finish(ToGrpcStatus(failure_));
      case Next::kWait:
        return Step::Wait();  // the page is held until its records are kept
      case Next::kSend:
        return Step::Write();
      case Next::kRead:
        break;
    }
    if (!buffer.empty()) return Step::Write();
    return std::nullopt;
  }
  template <typename Step>
  std::optional<Step> StepAfterOffer(std::vector<T> visible, std::vector<AuditRecord> records,
                                     std::deque<T>& buffer,
                                     std::function<void(absl::Status)> on_kept) {
    switch (Offer(std::move(visible), std::move(records), buffer, std::move(on_kept))) {
      case Next::kFail:
        return Step::Finish(ToGrpcStatus(failure_));
      case Next::kWait:
        return Step::Wait();
      case Next::kSend:
      case Next::kRead:
        break;
    }
    return std::nullopt;
  }

  // The answer for the held page (from the stream's on_kept).
  void Kept(absl::Status kept) {
    holding_ = false;
    if (kept.ok()) {
      cleared_ = std::move(held_);
    } else {
      failure_ = std::move(kept);
    }
    held_.clear();
  }

  // The stream is done: no on_kept runs after this returns.
  void Close() { audit_.Close(); }

  const absl::Status& failure() const { return failure_; }
  AuditLog* log() const { return audit_.log(); }

 private:
  StreamAudit audit_;
  bool holding_ = false;
  std::vector<T> held_;     // a page whose records are being written
  std::vector<T> cleared_;  // a page whose records are kept, to send
  absl::Status failure_;
};

}  // namespace infobus::audit
