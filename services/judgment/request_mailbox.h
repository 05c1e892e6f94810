#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/kafka/message.h"
#include "common/stream/participant.h"
#include "infobus/common/v1/judgment.pb.h"
#include "services/judgment/engine/engine.h"
#include "services/judgment/judgment_log.h"

namespace infobus::judgment {

// What another thread asks of the consumer loop: a rules reload, a review, or a page of the
// judgments feed to absorb.
struct JudgmentRequest {
  // A record read from the judgments topic that is not a valid Judgment, and why.
  struct Rejected {
    kafka::Record record;
    std::string reason;
  };
  enum class Kind { kReload, kReview, kAbsorb } kind;
  std::string judgment_id;                                   // kReview
  infobus::common::v1::Review review;                        // kReview
  std::vector<infobus::common::v1::Judgment> judgments;      // kAbsorb
  std::vector<Rejected> rejected;                            // kAbsorb
  std::string offsets_family;                                // kAbsorb
  std::vector<std::pair<std::string, std::string>> offsets;  // kAbsorb
  // Runs once, on the loop thread (or the mailbox's destructor's), with no lock held.
  std::function<void(JudgmentRequest&)> on_done;
  // Filled on the loop thread.
  Engine::ReloadSummary summary;  // kReload
  JudgmentRecord record;          // kReview
  // The answer; under the mailbox's mutex.
  bool done = false;
  absl::Status status;
};
using JudgmentRequestPtr = std::shared_ptr<JudgmentRequest>;

// The consumer loop's mailbox (as a Kafka Streams processor's punctuation queue): requests are
// posted from any thread, taken by the loop on its next tick and staged in that turn's
// transaction, and answered when the transaction settles — OK once committed, UNAVAILABLE when
// aborted — as a participant of it. A request refused before it stages anything is answered at
// once. Every request is answered exactly once; the destructor answers what is left
// (UNAVAILABLE).
//
// Threads: Post and PostAndWait from any thread (PostAndWait blocks: never from a gRPC callback);
// the rest on the loop thread.
class RequestMailbox final : public stream::Participant {
 public:
  RequestMailbox() = default;
  RequestMailbox(const RequestMailbox&) = delete;
  RequestMailbox& operator=(const RequestMailbox&) = delete;
  ~RequestMailbox() override;

  void Post(JudgmentRequestPtr request);
  // Posts `request` and waits up to `timeout` for its answer: its status, or DEADLINE_EXCEEDED
  // (it may still be applied).
  absl::Status PostAndWait(JudgmentRequestPtr request, absl::Duration timeout);

  // Loop thread. The requests posted since the last call, oldest first.
  std::deque<JudgmentRequestPtr> Take();
  // Loop thread. `request` is staged in the current transaction: answered when it settles.
  void Staged(JudgmentRequestPtr request) { staged_.push_back(std::move(request)); }
  // Loop thread (or any). Answers `request` now with `status` (a refusal), unless answered.
  void Answer(const JudgmentRequestPtr& request, absl::Status status);

  // stream::Participant
  void Committed() override;
  void Aborted() override;

 private:
  void AnswerAll(std::vector<JudgmentRequestPtr>& requests, const absl::Status& status);

  std::vector<JudgmentRequestPtr> staged_;  // loop thread
  absl::Mutex mutex_;
  std::deque<JudgmentRequestPtr> posted_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace infobus::judgment
