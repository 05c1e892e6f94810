#pragma once

#include <grpcpp/grpcpp.h>

#include <deque>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "common/util/serial_executor.h"

namespace infobus {

// The lifecycle of a server stream that replays a log page by page and then follows it live:
// one write in flight at a time, at most one page held, Finish() exactly once and never with the
// lock held (OnDone, which deletes this, may run on another thread as soon as Finish() is
// called), a cancel that waits for the pending write to complete. Subclasses say what comes next
// (NextLocked) and stop listening for news (StopListening); they call Wake() when the log grows.
// Deletes itself in OnDone (or, with a wake still queued, once that has run).
//
// Threads: with a wake executor, Wake() only queues a Pump() there (at most one queued at a
// time), so whoever brings the news (the consumer loop, a delivery report) never reads a page
// for a subscriber; without one (tests), Wake() pumps on the caller's thread.
template <typename T>
class PagedStreamReactor : public grpc::ServerWriteReactor<T> {
 public:
  explicit PagedStreamReactor(SerialExecutor* wake_executor = nullptr)
      : wake_executor_(wake_executor) {}

  void OnWriteDone(bool ok) override {
    bool cancelled = false;
    {
      absl::MutexLock lock(&mutex_);
      writing_ = false;
      WrittenLocked(buffer_.front());
      buffer_.pop_front();
      cancelled = cancelled_;
      // A cancel that came during the write left the finishing to us.
      if ((!ok || cancelled) && !TakeFinishLocked()) return;
    }
    if (!ok) {
      this->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "stream broken"));
    } else if (cancelled) {
      this->Finish(grpc::Status::CANCELLED);
    } else {
      Pump();
    }
  }

  void OnCancel() override {
    {
      absl::MutexLock lock(&mutex_);
      cancelled_ = true;
      // A pending write completes (not ok) and finishes the call from OnWriteDone.
      if (writing_ || !TakeFinishLocked()) return;
    }
    this->Finish(grpc::Status::CANCELLED);
  }

  void OnDone() override {
    StopListening();  // after this, Wake is never called again
    {
      absl::MutexLock lock(&wake_mutex_);
      done_ = true;
      if (wake_queued_ || waking_) return;  // the wake deletes this once it has run
    }
    delete this;
  }

 protected:
  // What NextLocked found: write the front of the buffer; wait for news (caught up); look again
  // at once (scanned part of the log without finding anything to send); finish with `status`.
  struct Step {
    enum class Kind { kWrite, kWait, kAgain, kFinish } kind;
    grpc::Status status;
    static Step Write() { return {Kind::kWrite, {}}; }
    static Step Wait() { return {Kind::kWait, {}}; }
    static Step Again() { return {Kind::kAgain, {}}; }
    static Step Finish(grpc::Status status) { return {Kind::kFinish, std::move(status)}; }
  };

  // Called with the lock held and no write in flight: refill `buffer` when it is empty (one
  // page) and say what to do. kWrite requires a non-empty buffer.
  virtual Step NextLocked(std::deque<T>& buffer) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) = 0;
  // `item` was written (or the stream broke while writing it).
  virtual void WrittenLocked(const T& /*item*/) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {}
  virtual void StopListening() = 0;

  // There may be news: pump, on the wake executor when there is one. Quick; safe from any
  // thread until StopListening() returns.
  void Wake() {
    if (wake_executor_ == nullptr) return Pump();
    {
      absl::MutexLock lock(&wake_mutex_);
      if (wake_queued_) return;  // the queued one will see this news too
      wake_queued_ = true;
    }
    wake_executor_->Post([this] {
      bool gone = false;
      {
        absl::MutexLock lock(&wake_mutex_);
        wake_queued_ = false;  // news from now on queues another wake
        gone = done_;
        waking_ = !gone;
      }
      if (gone) {
        delete this;
        return;
      }
      Pump();
      bool remove = false;
      {
        absl::MutexLock lock(&wake_mutex_);
        waking_ = false;
        remove = done_ && !wake_queued_;
      }
      if (remove) delete this;
    });
  }

  // Writes what there is to write, or finds out there is nothing yet. Safe from any thread.
  void Pump() {
    while (true) {
      const T* next = nullptr;
      grpc::Status failure;
      {
        absl::MutexLock lock(&mutex_);
        if (writing_ || finished_ || cancelled_) return;
        Step step = NextLocked(buffer_);
        switch (step.kind) {
          case Step::Kind::kWait:
            return;
          case Step::Kind::kAgain:
            continue;
          case Step::Kind::kFinish:
            if (!TakeFinishLocked()) return;
            failure = std::move(step.status);
            break;
          case Step::Kind::kWrite:
            writing_ = true;
            next = &buffer_.front();
            break;
        }
      }
      if (next == nullptr) {
        this->Finish(std::move(failure));
      } else {
        this->StartWrite(next);
      }
      return;
    }
  }

  bool WritingLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) { return writing_; }

  absl::Mutex mutex_;

 private:
  // True (once) when the caller is the one to call Finish().
  bool TakeFinishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    if (finished_) return false;
    finished_ = true;
    return true;
  }

  SerialExecutor* const wake_executor_;
  absl::Mutex wake_mutex_;
  bool wake_queued_ ABSL_GUARDED_BY(wake_mutex_) = false;
  bool waking_ ABSL_GUARDED_BY(wake_mutex_) = false;  // a queued wake is pumping
  bool done_ ABSL_GUARDED_BY(wake_mutex_) = false;    // OnDone has run
  std::deque<T> buffer_ ABSL_GUARDED_BY(mutex_);      // the front is being written when writing_
  bool writing_ ABSL_GUARDED_BY(mutex_) = false;
  bool finished_ ABSL_GUARDED_BY(mutex_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mutex_) = false;
};

// A stream that fails before it starts.
template <typename T>
class FailedStream final : public grpc::ServerWriteReactor<T> {
 public:
  explicit FailedStream(grpc::Status status) { this->Finish(std::move(status)); }
  void OnDone() override { delete this; }
};

}  // namespace infobus
