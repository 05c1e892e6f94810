#include "services/dispatch/inbox.h"

#include <limits>

#include "absl/strings/str_cat.h"
#include "common/util/time.h"

namespace infobus::dispatch {

std::string InboxKey(const std::string& unit_id, uint64_t seq) {
  return absl::StrCat(unit_id, "\n", EncodeBigEndian64(seq));
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

absl::StatusOr<std::optional<uint64_t>> Inbox::Stage(const std::string& unit_id,
                                                     const Judgment& judgment,
                                                     rocksdb::WriteBatch* batch) {
  absl::MutexLock lock(&mutex_);
  const std::string index_key = absl::StrCat(unit_id, "\n", judgment.judgment_id());
  if (staged_judgments_.count(index_key) > 0) return std::optional<uint64_t>();
  auto known = store_->Get(kJudgmentIndexFamily, index_key);
  if (!known.ok()) return known.status();
  if (known->has_value()) return std::optional<uint64_t>();

  uint64_t seq;
  if (auto staged = staged_heads_.find(unit_id); staged != staged_heads_.end()) {
    seq = staged->second + 1;
  } else {
    auto head = CommittedHead(unit_id);
    if (!head.ok()) return head.status();
    seq = *head + 1;
  }
  staged_heads_[unit_id] = seq;
  staged_judgments_.insert(index_key);

  Delivery delivery;
  delivery.set_delivery_id(absl::StrCat(unit_id, "/", seq));
  delivery.set_unit_id(unit_id);
  delivery.set_seq(seq);
  *delivery.mutable_judgment() = judgment;
  delivery.set_status(infobus::common::v1::DELIVERY_STATUS_PENDING);
  *delivery.mutable_delivered_at() = ToProtoTimestamp(clock_->Now());
  batch->Put(store_->Family(kDeliveriesFamily), InboxKey(unit_id, seq),
             delivery.SerializeAsString());
  batch->Put(store_->Family(kJudgmentIndexFamily), index_key, EncodeBigEndian64(seq));
  batch->Put(store_->Family(kHeadFamily), unit_id, EncodeBigEndian64(seq));
  return std::optional<uint64_t>(seq);
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

absl::StatusOr<std::vector<Delivery>> Inbox::ReadAfter(const std::string& unit_id,
                                                       uint64_t after_seq, size_t limit) const {
  std::vector<Delivery> out;
  // No seq follows the largest; after_seq + 1 would wrap to 0 and replay the whole inbox.
  if (after_seq == std::numeric_limits<uint64_t>::max()) return out;
  const std::string prefix = unit_id + "\n";
  auto it = store_->NewIterator(kDeliveriesFamily);
  for (it->Seek(InboxKey(unit_id, after_seq + 1));
       it->Valid() && it->key().starts_with(prefix) && out.size() < limit; it->Next()) {
    Delivery delivery;
    if (!delivery.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError(absl::StrCat("corrupt delivery in inbox of ", unit_id));
    }
    out.push_back(std::move(delivery));
  }
  if (!it->status().ok()) return absl::UnavailableError(it->status().ToString());
  return out;
}

absl::StatusOr<Inbox::AckResult> Inbox::Acknowledge(const std::string& unit_id, uint64_t seq,
                                                    const std::string& acknowledged_by) {
  absl::MutexLock lock(&ack_mutex_);
  const std::string key = InboxKey(unit_id, seq);
  auto stored = store_->Get(kDeliveriesFamily, key);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) {
    return absl::NotFoundError(absl::StrCat("seq: unit ", unit_id, " has no delivery ", seq));
  }
  AckResult result;
  if (!result.delivery.ParseFromString(**stored)) {
    return absl::DataLossError(absl::StrCat("corrupt delivery ", unit_id, "/", seq));
  }
  if (result.delivery.status() == infobus::common::v1::DELIVERY_STATUS_ACKNOWLEDGED) {
    result.already_acknowledged = true;
    return result;
  }
  result.delivery.set_status(infobus::common::v1::DELIVERY_STATUS_ACKNOWLEDGED);
  *result.delivery.mutable_acknowledged_at() = ToProtoTimestamp(clock_->Now());
  result.delivery.set_acknowledged_by(acknowledged_by);
  rocksdb::WriteBatch batch;
  batch.Put(store_->Family(kDeliveriesFamily), key, result.delivery.SerializeAsString());
  if (absl::Status status = store_->Write(&batch); !status.ok()) return status;
  return result;
}

}  // namespace infobus::dispatch
