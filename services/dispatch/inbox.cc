#include "services/dispatch/inbox.h"

#include <functional>
#include <limits>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/util/time.h"

namespace infobus::dispatch {

using infobus::dispatch::storage::v1::ApprovalRecord;
using infobus::dispatch::storage::v1::EscalationRecord;
using infobus::dispatch::storage::v1::SignOffRecord;

namespace {

// Reads the record of `family` kept beside `delivery` (an escalation, a sign-off, a feedback)
// and, when there is one, hands it to `merge`. DATA_LOSS naming `what` when it does not parse.
template <typename Record, typename MergeFn>
absl::Status MergeRecord(const Store& store, const char* family, const Delivery* delivery,
                         const char* what, MergeFn merge) {
  auto stored = store.Get(family, InboxKey(delivery->unit_id(), delivery->seq()));
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return absl::OkStatus();
  Record record;
  if (!record.ParseFromString(**stored)) {
    return absl::DataLossError(absl::StrCat("corrupt ", what, " of ", delivery->delivery_id()));
  }
  merge(std::move(record));
  return absl::OkStatus();
}

}  // namespace

std::string InboxKey(const std::string& unit_id, uint64_t seq) {
  return absl::StrCat(unit_id, "\n", EncodeBigEndian64(seq));
}

std::string DeadlineKey(absl::Time due, const std::string& unit_id, uint64_t seq) {
  const int64_t micros = std::max<int64_t>(0, absl::ToUnixMicros(due));
  return absl::StrCat(EncodeBigEndian64(static_cast<uint64_t>(micros)), InboxKey(unit_id, seq));
}

absl::StatusOr<uint64_t> Inbox::CommittedHead(const std::string& unit_id) {
  auto cached = heads_.find(unit_id);
  if (cached != heads_.end()) return cached->second;
  auto stored = store_->Get(kHeadFamily, unit_id);
  if (!stored.ok()) return stored.status();
  const uint64_t head = stored->has_value() ? DecodeBigEndian64(**stored) : 0;
  heads_[unit_id] = head;
  return head;
}

absl::StatusOr<Inbox::StageResult> Inbox::StageDelivery(const std::string& unit_id,
                                                        const Judgment& judgment,
                                                        const StageOptions& options,
                                                        rocksdb::WriteBatch* batch) {
  absl::MutexLock lock(&mutex_);
  StageResult result;
  const std::string index_key = absl::StrCat(unit_id, "\n", judgment.judgment_id());
  if (auto staged = staged_judgments_.find(index_key); staged != staged_judgments_.end()) {
    result.seq = staged->second;
    return result;
  }
  auto known = store_->Get(kJudgmentIndexFamily, index_key);
  if (!known.ok()) return known.status();
  if (known->has_value()) {
    result.seq = DecodeBigEndian64(**known);
    return result;
  }

  uint64_t seq;
  if (auto staged = staged_heads_.find(unit_id); staged != staged_heads_.end()) {
    seq = staged->second + 1;
  } else {
    auto head = CommittedHead(unit_id);
    if (!head.ok()) return head.status();
    seq = *head + 1;
  }
  staged_heads_[unit_id] = seq;
  staged_judgments_[index_key] = seq;

  const absl::Time now = clock_->Now();
  Delivery& delivery = result.delivery;
  delivery.set_delivery_id(absl::StrCat(unit_id, "/", seq));
  delivery.set_unit_id(unit_id);
  delivery.set_seq(seq);
  *delivery.mutable_judgment() = judgment;
  delivery.set_status(infobus::common::v1::DELIVERY_STATUS_PENDING);
  *delivery.mutable_delivered_at() = ToProtoTimestamp(now);
  delivery.set_escalated_from(options.escalated_from);
  delivery.set_escalation_level(options.escalation_level);
  delivery.set_rerouted_from_unit(options.rerouted_from_unit);
  delivery.set_reroute_reason(options.reroute_reason);
  if (options.sign_off_within) {
    const absl::Time due = now + *options.sign_off_within;
    *delivery.mutable_deadline() = ToProtoTimestamp(due);
    batch->Put(store_->Family(kDeadlineFamily), DeadlineKey(due, unit_id, seq), "");
  }
  batch->Put(store_->Family(kDeliveriesFamily), InboxKey(unit_id, seq),
             delivery.SerializeAsString());
  batch->Put(store_->Family(kJudgmentIndexFamily), index_key, EncodeBigEndian64(seq));
  batch->Put(store_->Family(kHeadFamily), unit_id, EncodeBigEndian64(seq));
  result.created = true;
  result.seq = seq;
  return result;
}

absl::StatusOr<std::optional<uint64_t>> Inbox::Stage(const std::string& unit_id,
                                                     const Judgment& judgment,
                                                     rocksdb::WriteBatch* batch) {
  auto result = StageDelivery(unit_id, judgment, StageOptions(), batch);
  if (!result.ok()) return result.status();
  if (!result->created) return std::optional<uint64_t>();
  return std::optional<uint64_t>(result->seq);
}

void Inbox::Committed() {
  absl::MutexLock lock(&mutex_);
  for (const auto& [unit, head] : staged_heads_) heads_[unit] = head;
  staged_heads_.clear();
  staged_judgments_.clear();
}

void Inbox::Aborted() {
  absl::MutexLock lock(&mutex_);
  staged_heads_.clear();
  staged_judgments_.clear();
}

absl::StatusOr<uint64_t> Inbox::LastSeq(const std::string& unit_id) {
  absl::MutexLock lock(&mutex_);
  return CommittedHead(unit_id);
}

absl::Status Inbox::Merge(Delivery* delivery) const {
  std::optional<ApprovalRecord> approval;
  absl::Status status = MergeRecord<ApprovalRecord>(
      *store_, kApprovalFamily, delivery, "approval",
      [&approval](ApprovalRecord record) { approval = std::move(record); });
  if (status.ok()) {
    status = MergeRecord<EscalationRecord>(
        *store_, kEscalationFamily, delivery, "escalation",
        [delivery, &approval](EscalationRecord record) {
          *delivery->mutable_escalated_at() = record.escalated_at();
          delivery->set_escalated_to(record.escalated_to());
          // Escalated in an earlier round: sent back since, the delivery is open again. (A later
          // round's escalation comes after its renewed deadline, strictly after the send-back.)
          if (!approval || !approval->has_sent_back_at() ||
              FromProtoTimestamp(record.escalated_at()) >
                  FromProtoTimestamp(approval->sent_back_at())) {
            delivery->set_status(infobus::common::v1::DELIVERY_STATUS_ESCALATED);
          }
        });
  }
  if (status.ok()) {
    status = MergeRecord<SignOffRecord>(
        *store_, kSignOffFamily, delivery, "sign-off", [delivery](SignOffRecord record) {
          *delivery->mutable_acknowledged_at() = record.acknowledged_at();
          delivery->set_acknowledged_by(record.acknowledged_by());
          delivery->set_status(infobus::common::v1::DELIVERY_STATUS_ACKNOWLEDGED);
        });
  }
  if (status.ok()) {
    status = MergeRecord<Feedback>(
        *store_, kFeedbackFamily, delivery, "feedback", [delivery](Feedback record) {
          *delivery->mutable_feedback() = std::move(record);
          delivery->set_status(infobus::common::v1::DELIVERY_STATUS_FEEDBACK);
        });
  }
  if (status.ok() && approval) {
    *delivery->mutable_approval() = approval->approval();
    delivery->set_sent_back_count(approval->sent_back_count());
    if (approval->sent_back_count() > 0) {
      if (approval->has_deadline()) {
        *delivery->mutable_deadline() = approval->deadline();
      } else {
        delivery->clear_deadline();
      }
    }
    if (approval->approval().status() == infobus::common::v1::APPROVAL_STATUS_APPROVED) {
      delivery->set_status(infobus::common::v1::DELIVERY_STATUS_APPROVED);
    }
  }
  return status;
}

absl::StatusOr<Delivery> Inbox::ReadStored(const std::string& unit_id, uint64_t seq) const {
  auto stored = store_->Get(kDeliveriesFamily, InboxKey(unit_id, seq));
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) {
    return absl::NotFoundError(absl::StrCat("seq: unit ", unit_id, " has no delivery ", seq));
  }
  Delivery delivery;
  if (!delivery.ParseFromString(**stored)) {
    return absl::DataLossError(absl::StrCat("corrupt delivery ", unit_id, "/", seq));
  }
  return delivery;
}

absl::StatusOr<Delivery> Inbox::Read(const std::string& unit_id, uint64_t seq) const {
  auto delivery = ReadStored(unit_id, seq);
  if (!delivery.ok()) return delivery.status();
  if (absl::Status status = Merge(&*delivery); !status.ok()) return status;
  return delivery;
}

absl::StatusOr<std::vector<Delivery>> Inbox::ReadAfter(const std::string& unit_id,
                                                       uint64_t after_seq, size_t limit) const {
  auto page = List(unit_id, ListFilter(), after_seq, limit, limit);
  if (!page.ok()) return page.status();
  return std::move(page->deliveries);
}

absl::StatusOr<Inbox::ListPage> Inbox::List(const std::string& unit_id, const ListFilter& filter,
                                            uint64_t after_seq, size_t page_size,
                                            size_t max_scan) const {
  ListPage page;
  // No seq follows the largest; after_seq + 1 would wrap to 0 and replay the whole inbox.
  if (after_seq == std::numeric_limits<uint64_t>::max() || page_size == 0) return page;
  const std::string prefix = unit_id + "\n";
  auto it = store_->NewIterator(kDeliveriesFamily);
  size_t scanned = 0;
  uint64_t last_seq = after_seq;
  for (it->Seek(InboxKey(unit_id, after_seq + 1)); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    if (page.deliveries.size() >= page_size || scanned >= max_scan) {
      page.next_after_seq = last_seq;  // there is more after what we looked at
      break;
    }
    ++scanned;
    Delivery delivery;
    if (!delivery.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError(absl::StrCat("corrupt delivery in inbox of ", unit_id));
    }
    last_seq = delivery.seq();
    const absl::Time delivered_at = FromProtoTimestamp(delivery.delivered_at());
    if (delivered_at < filter.delivered_after || delivered_at >= filter.delivered_before) continue;
    if (absl::Status status = Merge(&delivery); !status.ok()) return status;
    if (!filter.statuses.empty() && filter.statuses.count(delivery.status()) == 0) continue;
    page.deliveries.push_back(std::move(delivery));
  }
  if (!it->status().ok()) return absl::UnavailableError(it->status().ToString());
  page.scanned = scanned;
  return page;
}

absl::Mutex& Inbox::AckLock(const std::string& unit_id, uint64_t seq) {
  return ack_stripes_[(std::hash<std::string>()(unit_id) * 31 + seq) % kAckStripes];
}

void Inbox::ChangeAsync(const std::string& unit_id, uint64_t seq, Change change,
                        SendBeforeWrite send, ChangeDone done) {
  const std::string key = InboxKey(unit_id, seq);
  absl::StatusOr<Delivery> delivery;
  std::vector<Write> writes;
  bool changed = false;
  {
    absl::MutexLock lock(&AckLock(unit_id, seq));
    {
      absl::MutexLock sending(&sending_mutex_);
      if (auto it = sending_.find(key); it != sending_.end()) {
        // Another change of this delivery is on its way to Kafka: decide this one after it.
        it->second.push_back([this, unit_id, seq, change, send, done] {
          ChangeAsync(unit_id, seq, change, send, done);
        });
        return;
      }
    }
    delivery = Read(unit_id, seq);
    if (delivery.ok()) {
      absl::StatusOr<bool> decided = change.decide(&*delivery, &writes);
      if (decided.ok()) {
        changed = *decided;
      } else {
        delivery = decided.status();
      }
    }
    if (changed) {
      absl::MutexLock sending(&sending_mutex_);
      sending_[key];  // from now on the escalation check waits for the outcome
    }
  }
  if (!changed) return done(std::move(delivery), false);
  const Delivery after = *delivery;
  send(after,
       [this, key, writes = std::move(writes), after, done = std::move(done)](absl::Status sent) {
         absl::Status status = sent;
         if (status.ok()) {
           rocksdb::WriteBatch batch;
           for (const Write& write : writes) {
             if (write.value) {
               batch.Put(store_->Family(write.family), write.key, *write.value);
             } else {
               batch.Delete(store_->Family(write.family), write.key);
             }
           }
           status = store_->Write(&batch);
         }
         std::vector<std::function<void()>> waiting;
         {
           absl::MutexLock sending(&sending_mutex_);
           auto it = sending_.find(key);
           waiting = std::move(it->second);
           sending_.erase(it);
         }
         if (status.ok()) {
           done(after, true);
         } else {
           done(status, false);
         }
         for (auto& next : waiting) next();
       });
}

void Inbox::AcknowledgeAsync(const std::string& unit_id, uint64_t seq,
                             const std::string& acknowledged_by, SendBeforeWrite send,
                             AckDone done) {
  const std::string key = InboxKey(unit_id, seq);
  Change change{[this, acknowledged_by, key](Delivery* delivery,
                                             std::vector<Write>* writes) -> absl::StatusOr<bool> {
    if (delivery->has_acknowledged_at()) return false;
    SignOffRecord signoff;
    *signoff.mutable_acknowledged_at() = ToProtoTimestamp(clock_->Now());
    signoff.set_acknowledged_by(acknowledged_by);
    *delivery->mutable_acknowledged_at() = signoff.acknowledged_at();
    delivery->set_acknowledged_by(acknowledged_by);
    if (delivery->status() != infobus::common::v1::DELIVERY_STATUS_FEEDBACK &&
        delivery->status() != infobus::common::v1::DELIVERY_STATUS_APPROVED) {
      delivery->set_status(infobus::common::v1::DELIVERY_STATUS_ACKNOWLEDGED);
    }
    writes->push_back({kSignOffFamily, key, signoff.SerializeAsString()});
    return true;
  }};
  ChangeAsync(unit_id, seq, std::move(change), std::move(send),
              [done = std::move(done)](absl::StatusOr<Delivery> after, bool changed) {
                if (!after.ok()) return done(after.status());
                done(AckResult{*std::move(after), !changed});
              });
}

void Inbox::RecordFeedbackAsync(const std::string& unit_id, uint64_t seq, Feedback feedback,
                                SendBeforeWrite send, FeedbackDone done) {
  const std::string key = InboxKey(unit_id, seq);
  Change change{[this, feedback, key](Delivery* delivery,
                                      std::vector<Write>* writes) -> absl::StatusOr<bool> {
    if (delivery->has_feedback()) return false;
    Feedback stamped = feedback;
    *stamped.mutable_given_at() = ToProtoTimestamp(clock_->Now());
    *delivery->mutable_feedback() = stamped;
    delivery->set_status(infobus::common::v1::DELIVERY_STATUS_FEEDBACK);
    writes->push_back({kFeedbackFamily, key, stamped.SerializeAsString()});
    return true;
  }};
  ChangeAsync(unit_id, seq, std::move(change), std::move(send),
              [done = std::move(done)](absl::StatusOr<Delivery> after, bool changed) {
                if (!after.ok()) return done(after.status());
                done(FeedbackResult{*std::move(after), !changed});
              });
}

namespace {

// Why delivery `delivery` admits no decision on its feedback now; OK when it does.
absl::Status CheckDecidable(const Delivery& delivery) {
  if (!delivery.judgment().needs_approval()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "seq: the judgment of delivery ", delivery.delivery_id(), " does not need approval"));
  }
  if (!delivery.has_feedback()) {
    return absl::FailedPreconditionError(
        absl::StrCat("seq: delivery ", delivery.delivery_id(),
                     delivery.sent_back_count() > 0 ? " has no feedback since it was sent back"
                                                    : " has no feedback to decide on yet"));
  }
  return absl::OkStatus();
}

bool IsApproved(const Delivery& delivery) {
  return delivery.approval().status() == infobus::common::v1::APPROVAL_STATUS_APPROVED;
}

}  // namespace

absl::StatusOr<ApprovalRecord> Inbox::ReadApproval(const std::string& key) const {
  ApprovalRecord record;
  auto stored = store_->Get(kApprovalFamily, key);
  if (!stored.ok()) return stored.status();
  if (stored->has_value() && !record.ParseFromString(**stored)) {
    return absl::DataLossError("corrupt approval record");
  }
  return record;
}

void Inbox::ApproveAsync(const std::string& unit_id, uint64_t seq, Approval decision,
                         SendBeforeWrite send, ApproveDone done) {
  const std::string key = InboxKey(unit_id, seq);
  Change change{[this, decision, key](Delivery* delivery,
                                      std::vector<Write>* writes) -> absl::StatusOr<bool> {
    if (delivery->judgment().needs_approval() && IsApproved(*delivery)) return false;
    if (absl::Status decidable = CheckDecidable(*delivery); !decidable.ok()) return decidable;
    auto record = ReadApproval(key);
    if (!record.ok()) return record.status();
    Approval& approval = *record->mutable_approval();
    approval = decision;
    approval.set_status(infobus::common::v1::APPROVAL_STATUS_APPROVED);
    *approval.mutable_decided_at() = ToProtoTimestamp(clock_->Now());
    *approval.mutable_feedback() = delivery->feedback();
    *delivery->mutable_approval() = approval;
    delivery->set_status(infobus::common::v1::DELIVERY_STATUS_APPROVED);
    writes->push_back({kApprovalFamily, key, record->SerializeAsString()});
    return true;
  }};
  ChangeAsync(unit_id, seq, std::move(change), std::move(send),
              [done = std::move(done)](absl::StatusOr<Delivery> after, bool changed) {
                if (!after.ok()) return done(after.status());
                done(ApproveResult{*std::move(after), !changed});
              });
}

void Inbox::SendBackAsync(const std::string& unit_id, uint64_t seq, Approval decision,
                          SendBeforeWrite send, SendBackDone done) {
  const std::string key = InboxKey(unit_id, seq);
  auto cleared_sign_off = std::make_shared<bool>(false);  // decided under the lock, read in done
  Change change{[this, decision, unit_id, seq, key, cleared_sign_off](
                    Delivery* delivery, std::vector<Write>* writes) -> absl::StatusOr<bool> {
    if (delivery->judgment().needs_approval() && IsApproved(*delivery)) {
      return absl::FailedPreconditionError(absl::StrCat("seq: delivery ", delivery->delivery_id(),
                                                        " is approved; an approval is final"));
    }
    // A retry of the send-back in force (the unit has not reported since): already done.
    const Approval& last = delivery->approval();
    if (delivery->judgment().needs_approval() && !delivery->has_feedback() &&
        last.status() == infobus::common::v1::APPROVAL_STATUS_SENT_BACK &&
        last.decided_by() == decision.decided_by() && last.note() == decision.note()) {
      return false;
    }
    if (absl::Status decidable = CheckDecidable(*delivery); !decidable.ok()) return decidable;
    auto record = ReadApproval(key);
    if (!record.ok()) return record.status();
    const absl::Time now = clock_->Now();
    // The length to renew by: the delivery's own (first send-back), kept for the later ones.
    if (!record->has_sign_off_within() && delivery->has_deadline()) {
      const absl::Duration within =
          FromProtoTimestamp(delivery->deadline()) - FromProtoTimestamp(delivery->delivered_at());
      if (within > absl::ZeroDuration())
        *record->mutable_sign_off_within() = ToProtoDuration(within);
    }
    Approval& approval = *record->mutable_approval();
    approval = decision;
    approval.set_status(infobus::common::v1::APPROVAL_STATUS_SENT_BACK);
    *approval.mutable_decided_at() = ToProtoTimestamp(now);
    *approval.mutable_feedback() = delivery->feedback();
    record->set_sent_back_count(record->sent_back_count() + 1);
    *record->mutable_sent_back_at() = approval.decided_at();
    // The open deadline (if it has not fired yet) gives way to the renewed one.
    if (delivery->has_deadline()) {
      writes->push_back({kDeadlineFamily,
                         DeadlineKey(FromProtoTimestamp(delivery->deadline()), unit_id, seq),
                         std::nullopt});
    }
    record->clear_deadline();
    if (record->has_sign_off_within()) {
      const absl::Time due = now + FromProtoDuration(record->sign_off_within());
      *record->mutable_deadline() = ToProtoTimestamp(due);
      writes->push_back({kDeadlineFamily, DeadlineKey(due, unit_id, seq), std::string()});
    }
    // A new round: the unit signs off and reports again.
    writes->push_back({kSignOffFamily, key, std::nullopt});
    writes->push_back({kFeedbackFamily, key, std::nullopt});
    writes->push_back({kApprovalFamily, key, record->SerializeAsString()});
    *cleared_sign_off = delivery->has_acknowledged_at();
    delivery->clear_acknowledged_at();
    delivery->clear_acknowledged_by();
    delivery->clear_feedback();
    delivery->set_status(infobus::common::v1::DELIVERY_STATUS_PENDING);
    *delivery->mutable_approval() = approval;
    delivery->set_sent_back_count(record->sent_back_count());
    if (record->has_deadline()) {
      *delivery->mutable_deadline() = record->deadline();
    } else {
      delivery->clear_deadline();
    }
    return true;
  }};
  ChangeAsync(
      unit_id, seq, std::move(change), std::move(send),
      [done = std::move(done), cleared_sign_off](absl::StatusOr<Delivery> after, bool changed) {
        if (!after.ok()) return done(after.status());
        done(SendBackResult{*std::move(after), !changed, changed && *cleared_sign_off});
      });
}

namespace {

// Runs an asynchronous change and waits for its result; `before_write` on this thread.
template <typename Result, typename Start>
absl::StatusOr<Result> Waited(const Inbox::BeforeWrite& before_write, Start start) {
  absl::Notification finished;
  absl::StatusOr<Result> out = absl::UnknownError("not finished");
  start(
      [&before_write](const Delivery& after, std::function<void(absl::Status)> sent) {
        sent(before_write ? before_write(after) : absl::OkStatus());
      },
      [&](absl::StatusOr<Result> result) {
        out = std::move(result);
        finished.Notify();
      });
  finished.WaitForNotification();
  return out;
}

}  // namespace

absl::StatusOr<Inbox::AckResult> Inbox::Acknowledge(const std::string& unit_id, uint64_t seq,
                                                    const std::string& acknowledged_by,
                                                    const BeforeWrite& before_write) {
  return Waited<AckResult>(before_write, [&](SendBeforeWrite send, AckDone done) {
    AcknowledgeAsync(unit_id, seq, acknowledged_by, std::move(send), std::move(done));
  });
}

absl::StatusOr<Inbox::FeedbackResult> Inbox::RecordFeedback(const std::string& unit_id,
                                                            uint64_t seq, Feedback feedback,
                                                            const BeforeWrite& before_write) {
  return Waited<FeedbackResult>(before_write, [&](SendBeforeWrite send, FeedbackDone done) {
    RecordFeedbackAsync(unit_id, seq, std::move(feedback), std::move(send), std::move(done));
  });
}

absl::StatusOr<Inbox::ApproveResult> Inbox::Approve(const std::string& unit_id, uint64_t seq,
                                                    Approval decision,
                                                    const BeforeWrite& before_write) {
  return Waited<ApproveResult>(before_write, [&](SendBeforeWrite send, ApproveDone done) {
    ApproveAsync(unit_id, seq, std::move(decision), std::move(send), std::move(done));
  });
}

absl::StatusOr<Inbox::SendBackResult> Inbox::SendBack(const std::string& unit_id, uint64_t seq,
                                                      Approval decision,
                                                      const BeforeWrite& before_write) {
  return Waited<SendBackResult>(before_write, [&](SendBeforeWrite send, SendBackDone done) {
    SendBackAsync(unit_id, seq, std::move(decision), std::move(send), std::move(done));
  });
}

absl::StatusOr<std::vector<Inbox::DueDeadline>> Inbox::DueDeadlines(absl::Time now,
                                                                    size_t limit) const {
  std::vector<DueDeadline> out;
  auto it = store_->NewIterator(kDeadlineFamily);
  for (it->SeekToFirst(); it->Valid() && out.size() < limit; it->Next()) {
    const std::string_view key(it->key().data(), it->key().size());
    // 8 bytes due, unit, '\n', 8 bytes seq.
    if (key.size() < 8 + 1 + 1 + 8 || key[key.size() - 9] != '\n') {
      return absl::DataLossError("corrupt deadline key");
    }
    DueDeadline deadline;
    deadline.due = absl::FromUnixMicros(static_cast<int64_t>(DecodeBigEndian64(key.substr(0, 8))));
    if (deadline.due >= now) break;
    deadline.unit_id = std::string(key.substr(8, key.size() - 8 - 9));
    deadline.seq = DecodeBigEndian64(key.substr(key.size() - 8));
    deadline.key = std::string(key);
    out.push_back(std::move(deadline));
  }
  if (!it->status().ok()) return absl::UnavailableError(it->status().ToString());
  return out;
}

absl::StatusOr<Inbox::SignOff> Inbox::SignedOffBy(const std::string& unit_id, uint64_t seq,
                                                  absl::Time due) {
  absl::MutexLock lock(&AckLock(unit_id, seq));
  const std::string key = InboxKey(unit_id, seq);
  {
    absl::MutexLock sending(&sending_mutex_);
    if (sending_.count(key) > 0) return SignOff::kDeciding;
  }
  // A send-back renewed the deadline: an earlier one (read before the send-back removed it) is
  // not the delivery's any more. Compared in µs, as deadline keys hold them.
  auto approval = ReadApproval(key);
  if (!approval.ok()) return approval.status();
  if (approval->sent_back_count() > 0 &&
      (!approval->has_deadline() ||
       absl::ToUnixMicros(FromProtoTimestamp(approval->deadline())) != absl::ToUnixMicros(due))) {
    return SignOff::kSuperseded;
  }
  auto signoff = store_->Get(kSignOffFamily, key);
  if (!signoff.ok()) return signoff.status();
  if (signoff->has_value()) {
    SignOffRecord record;
    if (record.ParseFromString(**signoff) && FromProtoTimestamp(record.acknowledged_at()) <= due) {
      return SignOff::kSignedInTime;
    }
  }
  auto feedback = store_->Get(kFeedbackFamily, key);
  if (!feedback.ok()) return feedback.status();
  if (feedback->has_value()) {
    Feedback record;
    if (record.ParseFromString(**feedback) && FromProtoTimestamp(record.given_at()) <= due) {
      return SignOff::kSignedInTime;
    }
  }
  return SignOff::kNotSigned;
}

void Inbox::StageDeadlineDone(const DueDeadline& deadline,
                              const std::optional<EscalationRecord>& escalation,
                              rocksdb::WriteBatch* batch) {
  batch->Delete(store_->Family(kDeadlineFamily), deadline.key);
  if (escalation) {
    batch->Put(store_->Family(kEscalationFamily), InboxKey(deadline.unit_id, deadline.seq),
               escalation->SerializeAsString());
  }
}

absl::StatusOr<std::map<std::string, int64_t>> Inbox::CountUnsignedByUnit() const {
  std::map<std::string, int64_t> counts;
  // Both families are keyed "<unit>\n<seq>": deliveries count up, sign-offs down.
  for (const auto& [family, step] : {std::pair<const char*, int>{kDeliveriesFamily, 1},
                                     std::pair<const char*, int>{kSignOffFamily, -1}}) {
    auto it = store_->NewIterator(family);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const std::string key = it->key().ToString();
      counts[key.substr(0, key.find('\n'))] += step;
    }
    if (!it->status().ok()) return absl::UnavailableError(it->status().ToString());
  }
  return counts;
}

}  // namespace infobus::dispatch
