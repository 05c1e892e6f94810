#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/store/store.h"
#include "common/stream/participant.h"
#include "common/util/clock.h"
#include "infobus/common/v1/delivery.pb.h"
#include "infobus/dispatch/storage/v1/dispatch_store.pb.h"

namespace infobus::dispatch {

using infobus::common::v1::Approval;
using infobus::common::v1::Delivery;
using infobus::common::v1::DeliveryStatus;
using infobus::common::v1::Feedback;
using infobus::common::v1::Judgment;

// Per-unit durable inboxes in RocksDB. Each unit's deliveries carry a sequence that starts at 1
// and has no gaps; a judgment enters a unit's inbox at most once, however often it is offered
// (by the judgments topic or by escalation).
//
// A stored Delivery never changes. Sign-off, feedback, escalation and approval are records of
// their own under the same "<unit>\n<seq>" key in their own families, merged into the Delivery
// when it is read (status, acknowledged_*, feedback, escalated_*, approval, a renewed deadline). So
// the consumer loop, which writes deliveries and escalations, and the gRPC threads, which write
// sign-offs and feedback, never write the same key.
//
// Threads: new deliveries and escalations are staged into a caller's WriteBatch from one thread
// (the consumer loop) and become visible when the transaction that wrote that batch commits
// (the inbox is its participant). Acknowledge, RecordFeedback, Approve and SendBack may come from
// any thread.
//
// Closure by approval (a judgment with needs_approval): a supervisor approves the feedback
// (final) or sends it back. A send-back starts a new round: it deletes the sign-off and feedback
// records (the unit may sign off and report again; the first of the new round stands), moves
// the deadline to now + the delivery's deadline length, and an escalation of an earlier round no
// longer makes the delivery read as escalated. Reads are
// thread-safe. Sign-off and the escalation check are serialised (SignedOffBy), so a delivery is
// escalated iff it has no sign-off or feedback at or before its deadline.
class Inbox final : public stream::Participant {
 public:
  static constexpr char kDeliveriesFamily[] = "inbox";               // unit \n seq → Delivery
  static constexpr char kJudgmentIndexFamily[] = "inbox_judgments";  // unit \n judgment → seq
  static constexpr char kHeadFamily[] = "inbox_head";                // unit → last seq
  static constexpr char kSignOffFamily[] = "signoffs";        // unit \n seq → SignOffRecord
  static constexpr char kFeedbackFamily[] = "feedback";       // unit \n seq → Feedback
  static constexpr char kEscalationFamily[] = "escalations";  // unit \n seq → EscalationRecord
  static constexpr char kApprovalFamily[] = "approvals";      // unit \n seq → ApprovalRecord
  // due (µs since the epoch, 8 bytes big-endian) unit \n seq (8 bytes) → "" : open deadlines in
  // due order.
  static constexpr char kDeadlineFamily[] = "deadlines";
  static std::vector<std::string> Families() {
    return {kDeliveriesFamily, kJudgmentIndexFamily, kHeadFamily,     kSignOffFamily,
            kFeedbackFamily,   kEscalationFamily,    kDeadlineFamily, kApprovalFamily};
  }

  // What a new delivery carries besides the judgment.
  struct StageOptions {
    std::optional<absl::Duration> sign_off_within;  // sets deadline = delivered_at + this
    std::string escalated_from;                     // "<unit>/<seq>"
    uint32_t escalation_level = 0;
    // Taken in another unit's place (Router): that unit, and why it did not get it.
    std::string rerouted_from_unit;
    infobus::common::v1::RerouteReason reroute_reason =
        infobus::common::v1::REROUTE_REASON_UNSPECIFIED;
  };
  struct StageResult {
    bool created = false;  // false: the unit already had the judgment
    uint64_t seq = 0;      // the new seq, or the seq the unit already has it under
    Delivery delivery;     // the new delivery (when created)
  };
  struct AckResult {
    Delivery delivery;  // as read after the sign-off
    bool already_acknowledged = false;
  };
  struct FeedbackResult {
    Delivery delivery;
    bool already_recorded = false;
  };
  struct ApproveResult {
    Delivery delivery;  // as read after; its approval is the first one
    bool already_approved = false;
  };
  struct SendBackResult {
    Delivery delivery;               // pending again, with the renewed deadline
    bool already_sent_back = false;  // a repeat of the send-back in force: nothing changed
    bool cleared_sign_off = false;   // it had been signed off: waiting for sign-off again
  };
  struct DueDeadline {
    absl::Time due;
    std::string unit_id;
    uint64_t seq = 0;
    std::string key;  // in kDeadlineFamily
  };
  struct ListFilter {
    std::set<DeliveryStatus> statuses;  // empty: all
    absl::Time delivered_after = absl::InfinitePast();
    absl::Time delivered_before = absl::InfiniteFuture();
  };
  struct ListPage {
    std::vector<Delivery> deliveries;
    uint64_t next_after_seq = 0;  // 0: nothing more
    size_t scanned = 0;           // deliveries looked at
  };
  // Called with the delivery as it will read after a sign-off or feedback, before that is
  // written; an error aborts the change (used to emit the state change to Kafka first).
  using BeforeWrite = std::function<absl::Status(const Delivery&)>;

  Inbox(Store* store, ClockPtr clock) : store_(store), clock_(std::move(clock)) {}

  // Stages delivery of `judgment` to `unit_id` into `batch` (loop thread). Dedupes against
  // stored deliveries and those staged earlier in this batch.
  absl::StatusOr<StageResult> StageDelivery(const std::string& unit_id, const Judgment& judgment,
                                            const StageOptions& options,
                                            rocksdb::WriteBatch* batch);
  // StageDelivery without options: the new seq, or nullopt when the unit already has it.
  absl::StatusOr<std::optional<uint64_t>> Stage(const std::string& unit_id,
                                                const Judgment& judgment,
                                                rocksdb::WriteBatch* batch);
  // stream::Participant: the batch holding the staged deliveries is durable / was dropped.
  void Committed() override;
  void Aborted() override;

  // Up to `limit` deliveries of the unit with seq > after_seq, in order, merged with their
  // sign-off, feedback and escalation.
  absl::StatusOr<std::vector<Delivery>> ReadAfter(const std::string& unit_id, uint64_t after_seq,
                                                  size_t limit) const;
  // One delivery, merged; NOT_FOUND when there is none.
  absl::StatusOr<Delivery> Read(const std::string& unit_id, uint64_t seq) const;
  // Deliveries with seq > after_seq that pass `filter`, at most `page_size`, looking at no
  // more than `max_scan` deliveries (next_after_seq says where to go on).
  // Deliveries not yet signed off, per unit (escalated ones included). Scans the inbox: for
  // start-up, not for a hot path.
  absl::StatusOr<std::map<std::string, int64_t>> CountUnsignedByUnit() const;

  absl::StatusOr<ListPage> List(const std::string& unit_id, const ListFilter& filter,
                                uint64_t after_seq, size_t page_size, size_t max_scan) const;

  // Sends the change a sign-off or a feedback makes, before it is written: must call `sent`
  // exactly once, from any thread, with whether Kafka has it (the dispatch event).
  using SendBeforeWrite =
      std::function<void(const Delivery& after, std::function<void(absl::Status)> sent)>;
  using AckDone = std::function<void(absl::StatusOr<AckResult>)>;
  using FeedbackDone = std::function<void(absl::StatusOr<FeedbackResult>)>;
  using ApproveDone = std::function<void(absl::StatusOr<ApproveResult>)>;
  using SendBackDone = std::function<void(absl::StatusOr<SendBackResult>)>;

  // Signs off a delivery; NOT_FOUND when the unit has no such seq. Idempotent: a second
  // sign-off changes nothing and reports the first. Nothing waits: the sign-off is stamped,
  // handed to `send`, and written once sent; `done` runs then (on `send`'s thread), or at once
  // when there is nothing to send. A second change of the same delivery while one is being sent
  // is decided after it (so it sees it). `done` must be quick.
  void AcknowledgeAsync(const std::string& unit_id, uint64_t seq,
                        const std::string& acknowledged_by, SendBeforeWrite send, AckDone done);
  // Records the outcome (`feedback` without given_at; it is stamped here), as AcknowledgeAsync.
  // Idempotent: the first feedback stands.
  void RecordFeedbackAsync(const std::string& unit_id, uint64_t seq, Feedback feedback,
                           SendBeforeWrite send, FeedbackDone done);
  // A supervisor's decision (`decision`: decided_by and note; stamped here) on a delivery whose
  // judgment needs approval and that has feedback, as AcknowledgeAsync; FAILED_PRECONDITION
  // when the judgment does not need approval or there is no feedback (of this round) to decide
  // on. Approve is idempotent (the first approval stands) and final: SendBack refuses an
  // approved delivery. SendBack starts a new round (see the class comment); a repeat of the
  // send-back in force (same decided_by and note, no feedback since) changes nothing.
  void ApproveAsync(const std::string& unit_id, uint64_t seq, Approval decision,
                    SendBeforeWrite send, ApproveDone done);
  void SendBackAsync(const std::string& unit_id, uint64_t seq, Approval decision,
                     SendBeforeWrite send, SendBackDone done);
  // The same, waiting; `before_write` is called on this thread. For tests and tools.
  absl::StatusOr<AckResult> Acknowledge(const std::string& unit_id, uint64_t seq,
                                        const std::string& acknowledged_by,
                                        const BeforeWrite& before_write = nullptr);
  absl::StatusOr<FeedbackResult> RecordFeedback(const std::string& unit_id, uint64_t seq,
                                                Feedback feedback,
                                                const BeforeWrite& before_write = nullptr);
  absl::StatusOr<ApproveResult> Approve(const std::string& unit_id, uint64_t seq, Approval decision,
                                        const BeforeWrite& before_write = nullptr);
  absl::StatusOr<SendBackResult> SendBack(const std::string& unit_id, uint64_t seq,
                                          Approval decision,
                                          const BeforeWrite& before_write = nullptr);

  // Open deadlines due strictly before `now`, earliest first, at most `limit`.
  absl::StatusOr<std::vector<DueDeadline>> DueDeadlines(absl::Time now, size_t limit) const;
  // Whether the delivery was signed off (or given feedback) at or before `due`; kDeciding while
  // a sign-off or feedback of it is on its way to Kafka (ask again later: it may yet fail).
  // Holds the delivery's lock, so a sign-off that starts after this returned kNotSigned is
  // stamped later than the moment of the check. kSuperseded: `due` is not the delivery's
  // deadline any more (a send-back renewed it); nothing to decide.
  enum class SignOff { kSignedInTime, kNotSigned, kDeciding, kSuperseded };
  absl::StatusOr<SignOff> SignedOffBy(const std::string& unit_id, uint64_t seq, absl::Time due);
  // Stages the end of a deadline: the escalation record (if any) and the deadline's removal.
  void StageDeadlineDone(
      const DueDeadline& deadline,
      const std::optional<infobus::dispatch::storage::v1::EscalationRecord>& escalation,
      rocksdb::WriteBatch* batch);

  // The unit's last committed seq (0 when its inbox is empty).
  absl::StatusOr<uint64_t> LastSeq(const std::string& unit_id);

 private:
  absl::StatusOr<uint64_t> CommittedHead(const std::string& unit_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // Adds the records kept beside `delivery` (escalation, sign-off, feedback, approval) to it.
  absl::Status Merge(Delivery* delivery) const;
  // One write of a change: `value` put under `key` of `family`, or the key deleted (nullopt).
  struct Write {
    const char* family;
    std::string key;
    std::optional<std::string> value;
  };
  // One change of a delivery's sign-off state. `decide` gets the delivery as read (merged); it
  // returns false when there is nothing to change, an error when the change may not be made,
  // else true with the writes it makes (one batch), having brought the delivery to its state
  // after.
  struct Change {
    std::function<absl::StatusOr<bool>(Delivery* delivery, std::vector<Write>* writes)> decide;
  };
  using ChangeDone = std::function<void(absl::StatusOr<Delivery> after, bool changed)>;
  void ChangeAsync(const std::string& unit_id, uint64_t seq, Change change, SendBeforeWrite send,
                   ChangeDone done);
  absl::StatusOr<Delivery> ReadStored(const std::string& unit_id, uint64_t seq) const;
  // The approval record under `key` (an empty one when there is none).
  absl::StatusOr<infobus::dispatch::storage::v1::ApprovalRecord> ReadApproval(
      const std::string& key) const;

  Store* const store_;
  const ClockPtr clock_;
  absl::Mutex mutex_;
  std::map<std::string, uint64_t> heads_ ABSL_GUARDED_BY(mutex_);  // committed, cached
  std::map<std::string, uint64_t> staged_heads_ ABSL_GUARDED_BY(mutex_);
  std::map<std::string, uint64_t> staged_judgments_ ABSL_GUARDED_BY(mutex_);  // index key → seq
  // Sign-off, feedback and the escalation check of one delivery run one at a time, because each
  // reads, decides and writes. A lock per stripe of deliveries, not one for all: a sign-off
  // holds it while it reads and decides (not while its dispatch event is sent).
  static constexpr size_t kAckStripes = 64;
  absl::Mutex& AckLock(const std::string& unit_id, uint64_t seq);
  absl::Mutex ack_stripes_[kAckStripes];
  // The deliveries with a change being sent, and the changes waiting behind it.
  absl::Mutex sending_mutex_;  // after a stripe lock
  std::map<std::string, std::vector<std::function<void()>>> sending_
      ABSL_GUARDED_BY(sending_mutex_);
};

std::string InboxKey(const std::string& unit_id, uint64_t seq);
std::string DeadlineKey(absl::Time due, const std::string& unit_id, uint64_t seq);

}  // namespace infobus::dispatch
