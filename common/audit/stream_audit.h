#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "common/audit/audit_log.h"

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

}  // namespace infobus::audit
