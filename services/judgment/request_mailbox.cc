#include "services/judgment/request_mailbox.h"

namespace infobus::judgment {

RequestMailbox::~RequestMailbox() {
  std::vector<JudgmentRequestPtr> left;
  {
    absl::MutexLock lock(&mutex_);
    left.assign(posted_.begin(), posted_.end());
    posted_.clear();
  }
  left.insert(left.end(), staged_.begin(), staged_.end());
  staged_.clear();
  AnswerAll(left, absl::UnavailableError("judgment is shutting down; retry"));
}

void RequestMailbox::Post(JudgmentRequestPtr request) {
  absl::MutexLock lock(&mutex_);
  posted_.push_back(std::move(request));
}

absl::Status RequestMailbox::PostAndWait(JudgmentRequestPtr request, absl::Duration timeout) {
  Post(request);
  absl::MutexLock lock(&mutex_);
  auto done = [&request]() { return request->done; };
  if (!mutex_.AwaitWithTimeout(absl::Condition(&done), timeout)) {
    return absl::DeadlineExceededError(
        "not applied in time: the consumer loop is busy or cannot commit; it may still apply");
  }
  return request->status;
}

std::deque<JudgmentRequestPtr> RequestMailbox::Take() {
  std::deque<JudgmentRequestPtr> taken;
  absl::MutexLock lock(&mutex_);
  taken.swap(posted_);
  return taken;
}

void RequestMailbox::Answer(const JudgmentRequestPtr& request, absl::Status status) {
  std::function<void(JudgmentRequest&)> on_done;
  {
    absl::MutexLock lock(&mutex_);
    if (request->done) return;
    request->status = std::move(status);
    request->done = true;
    on_done = std::move(request->on_done);
  }
  if (on_done) on_done(*request);
}

void RequestMailbox::AnswerAll(std::vector<JudgmentRequestPtr>& requests,
                               const absl::Status& status) {
  for (const JudgmentRequestPtr& request : requests) Answer(request, status);
  requests.clear();
}

void RequestMailbox::Committed() { AnswerAll(staged_, absl::OkStatus()); }

void RequestMailbox::Aborted() {
  AnswerAll(staged_, absl::UnavailableError("not committed (Kafka or the store failed); retry"));
}

}  // namespace infobus::judgment
