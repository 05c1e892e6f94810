#include "services/dispatch/inbox.h"

#include <functional>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/util/time.h"

namespace infobus::dispatch {

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

void Inbox::CommitStaged() {
  absl::MutexLock lock(&mutex_);
  for (const auto& [unit, head] : staged_heads_) heads_[unit] = head;
  staged_heads_.clear();
  staged_judgments_.clear();
}

void Inbox::AbortStaged() {
  absl::MutexLock lock(&mutex_);
  staged_heads_.clear();
  staged_judgments_.clear();
}

absl::StatusOr<uint64_t> Inbox::LastSeq(const std::string& unit_id) {
  absl::MutexLock lock(&mutex_);
  return CommittedHead(unit_id);
}

absl::Status Inbox::Merge(Delivery* delivery) const {
  absl::Status status = MergeRecord<EscalationRecord>(
      *store_, kEscalationFamily, delivery, "escalation", [delivery](EscalationRecord record) {
        *delivery->mutable_escalated_at() = record.escalated_at();
        delivery->set_escalated_to(record.escalated_to());
        delivery->set_status(infobus::common::v1::DELIVERY_STATUS_ESCALATED);
      });
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
  std::string record;
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
    if (delivery.ok()) changed = change.decide(&*delivery, &record);
    if (changed) {
      absl::MutexLock sending(&sending_mutex_);
      sending_[key];  // from now on the escalation check waits for the outcome
    }
  }
  if (!changed) return done(std::move(delivery), false);
  const Delivery after = *delivery;
  send(after, [this, key, family = change.family, record = std::move(record), after,
               done = std::move(done)](absl::Status sent) {
    absl::Status status = sent;
    if (status.ok()) {
      rocksdb::WriteBatch batch;
      batch.Put(store_->Family(family), key, record);
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
  Change change{kSignOffFamily, [this, acknowledged_by](Delivery* delivery, std::string* record) {
                  if (delivery->has_acknowledged_at()) return false;
                  SignOffRecord signoff;
                  *signoff.mutable_acknowledged_at() = ToProtoTimestamp(clock_->Now());
                  signoff.set_acknowledged_by(acknowledged_by);
                  *delivery->mutable_acknowledged_at() = signoff.acknowledged_at();
                  delivery->set_acknowledged_by(acknowledged_by);
                  if (delivery->status() != infobus::common::v1::DELIVERY_STATUS_FEEDBACK) {
                    delivery->set_status(infobus::common::v1::DELIVERY_STATUS_ACKNOWLEDGED);
                  }
                  *record = signoff.SerializeAsString();
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
  Change change{kFeedbackFamily, [this, feedback](Delivery* delivery, std::string* record) {
                  if (delivery->has_feedback()) return false;
                  Feedback stamped = feedback;
                  *stamped.mutable_given_at() = ToProtoTimestamp(clock_->Now());
                  *delivery->mutable_feedback() = stamped;
                  delivery->set_status(infobus::common::v1::DELIVERY_STATUS_FEEDBACK);
                  *record = stamped.SerializeAsString();
                  return true;
                }};
  ChangeAsync(unit_id, seq, std::move(change), std::move(send),
              [done = std::move(done)](absl::StatusOr<Delivery> after, bool changed) {
                if (!after.ok()) return done(after.status());
                done(FeedbackResult{*std::move(after), !changed});
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
