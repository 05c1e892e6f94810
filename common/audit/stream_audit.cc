#include "common/audit/stream_audit.h"

namespace infobus::audit {

std::optional<absl::Status> StreamAudit::Send(std::vector<AuditRecord> records,
                                              std::function<void(absl::Status)> on_kept) {
  {
    absl::MutexLock lock(&state_->mutex);
    state_->sending_thread = std::this_thread::get_id();
    state_->inline_answer.reset();
  }
  log_->Record(std::move(records),
               [state = state_, on_kept = std::move(on_kept)](absl::Status kept) {
                 absl::MutexLock lock(&state->mutex);
                 if (state->sending_thread == std::this_thread::get_id()) {
                   state->inline_answer = std::move(kept);
                   return;
                 }
                 if (state->closed) return;
                 on_kept(std::move(kept));
               });
  absl::MutexLock lock(&state_->mutex);
  state_->sending_thread = std::thread::id();
  std::optional<absl::Status> answer = std::move(state_->inline_answer);
  state_->inline_answer.reset();
  return answer;
}

void StreamAudit::Close() {
  absl::MutexLock lock(&state_->mutex);
  state_->closed = true;
}

}  // namespace infobus::audit
