#include "services/supervision/fact_handler.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/codec/event_decoder.h"
#include "common/codec/judgment_decoder.h"
#include "common/codec/record_value.h"
#include "common/kafka/message.h"
#include "common/log/log.h"
#include "services/supervision/supervision_metrics.h"

namespace infobus::supervision {
namespace {

using infobus::supervision::storage::v1::Fact;

absl::StatusOr<infobus::common::v1::DispatchEvent> DecodeDispatchEvent(
    const kafka::Record& record) {
  infobus::common::v1::DispatchEvent event;
  if (absl::Status status = codec::ParseRecordValue(record, &event); !status.ok()) return status;
  if (event.judgment_id().empty()) return absl::InvalidArgumentError("judgment_id: is required");
  if (event.delivery_id().empty()) return absl::InvalidArgumentError("delivery_id: is required");
  if (event.type() == infobus::common::v1::DISPATCH_EVENT_TYPE_UNSPECIFIED ||
      !infobus::common::v1::DispatchEventType_IsValid(event.type())) {
    return absl::InvalidArgumentError("type: not a dispatch event type");
  }
  if (!event.has_occurred_at()) return absl::InvalidArgumentError("occurred_at: is required");
  return event;
}

// How long a question about a partition's end may hold up the loop's turn.
constexpr absl::Duration kEndOffsetTimeout = absl::Seconds(2);

}  // namespace

std::string FactsTopic(const kafka::Topics& topics) {
  // The bus's prefix is what comes before the events topic's own name.
  const std::string prefix(absl::StripSuffix(topics.events, "infobus.events.v1"));
  return absl::StrCat(prefix, "infobus.supervision-facts.v1");
}

absl::Status FactHandler::Repartition(const kafka::Record& record, stream::Transaction& context) {
  Fact fact;
  std::string key;
  if (record.topic == topics_.events) {
    auto event = codec::DecodeEvent(record);
    if (!event.ok()) return event.status();
    event->clear_subjects();  // what the Ledger keeps of an event: no subjects, no payload
    event->clear_payload();
    key = EventKey(event->source_id(), event->event_id());
    *fact.mutable_event() = *std::move(event);
  } else if (record.topic == topics_.judgments) {
    auto judgment = codec::DecodeJudgment(record);
    if (!judgment.ok()) return judgment.status();
    judgment->clear_subjects();  // nor of a judgment its subjects and text
    judgment->clear_title();
    judgment->clear_summary();
    key = judgment->judgment_id();
    *fact.mutable_judgment() = *std::move(judgment);
  } else if (record.topic == topics_.dispatch_events) {
    auto event = DecodeDispatchEvent(record);
    if (!event.ok()) return event.status();
    key = event->judgment_id();  // with its judgment: a delivery's outcome is the judgment's too
    *fact.mutable_dispatch_event() = *std::move(event);
  } else if (record.topic == topics_.audit) {
    infobus::common::v1::AuditRecord audit;
    if (absl::Status status = codec::ParseRecordValue(record, &audit); !status.ok()) {
      return status;
    }
    if (!audit.has_at()) return absl::InvalidArgumentError("at: is required");
    // With its item: a judgment's (and its deliveries') by judgment id, an event's by its key.
    if (!audit.judgment_id().empty()) {
      key = audit.judgment_id();
    } else if (!audit.event_source_id().empty() && !audit.event_id().empty()) {
      key = EventKey(audit.event_source_id(), audit.event_id());
    } else {
      ++folded_["access_untraced"];  // watchlist, rules, reports: nothing a trace shows
      return absl::OkStatus();
    }
    *fact.mutable_audit() = std::move(audit);
  } else if (record.topic == topics_.dead_letters) {
    infobus::common::v1::DeadLetter dead_letter;
    if (absl::Status status = codec::ParseRecordValue(record, &dead_letter); !status.ok()) {
      ++bad_dead_letters_;
      INFOBUS_LOG(Warning) << "dead letter at " << record.topic << "/" << record.partition << "@"
                           << record.offset << " not counted: " << status.message();
      return absl::OkStatus();
    }
    key = absl::StrCat(dead_letter.topic(), "\x1f", dead_letter.partition(), "\x1f",
                       dead_letter.offset());
    *fact.mutable_dead_letter() = std::move(dead_letter);
  } else {
    return absl::InternalError(absl::StrCat("record of topic ", record.topic, " not subscribed"));
  }
  context.Produce({facts_topic_,
                   std::move(key),
                   fact.SerializeAsString(),
                   {{kafka::kSchemaHeader, Fact::descriptor()->full_name()}}});
  return absl::OkStatus();
}

absl::Status FactHandler::Fold(const kafka::Record& record) {
  Fact fact;
  if (!fact.ParseFromString(record.value)) {
    return absl::InvalidArgumentError("not a supervision Fact");
  }
  ledger_->Into(record.partition);
  switch (fact.fact_case()) {
    case Fact::kEvent:
      ++folded_["event"];
      return ledger_->StageEvent(fact.event());
    case Fact::kJudgment:
      ++folded_["judgment"];
      return ledger_->StageJudgment(fact.judgment());
    case Fact::kDispatchEvent:
      ++folded_["dispatch_event"];
      return ledger_->StageDispatchEvent(fact.dispatch_event());
    case Fact::kDeadLetter:
      ++folded_["dead_letter"];
      return ledger_->StageDeadLetter(fact.dead_letter());
    case Fact::kAudit: {
      ++folded_["access"];
      auto kept = ledger_->StageAudit(fact.audit());
      return kept.ok() ? absl::OkStatus() : kept.status();
    }
    case Fact::FACT_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("a supervision Fact without a fact");
}

void FactHandler::MarkCaughtUp() {
  for (auto it = replaying_.begin(); it != replaying_.end();) {
    const auto [partition, end] = *it;
    if (end >= 0 && next_offsets_[partition] >= end) {
      INFOBUS_LOG(Info) << facts_topic_ << "/" << partition << " caught up at offset "
                        << next_offsets_[partition] << ": it answers queries";
      owned_->Own(partition, true);
      it = replaying_.erase(it);
    } else {
      ++it;
    }
  }
}

void FactHandler::OnTick(stream::Transaction& context) {
  context.Enlist(this);
  if (routing_ != nullptr) routing_->ReloadIfChanged(reload_interval_);
  for (auto& [partition, end] : replaying_) {
    if (end >= 0) continue;
    if (watermarks_ == nullptr) {
      end = 0;
      continue;
    }
    auto known = watermarks_->EndOffset(facts_topic_, partition, kEndOffsetTimeout);
    if (!known.ok()) {
      INFOBUS_LOG(Warning) << "cannot tell how far to replay, will ask again: " << known.status();
      continue;
    }
    end = *known;
  }
  MarkCaughtUp();
}

void FactHandler::Committed() {
  for (const auto& [kind, count] : folded_) SupervisionMetrics::Get().Folded(kind, count);
  if (bad_dead_letters_ > 0) SupervisionMetrics::Get().BadDeadLetters(bad_dead_letters_);
  folded_.clear();
  bad_dead_letters_ = 0;
  for (const auto& [partition, next] : batch_next_offsets_) {
    next_offsets_[partition] = std::max(next_offsets_[partition], next);
  }
  batch_next_offsets_.clear();
  MarkCaughtUp();
}

void FactHandler::Aborted() {
  ledger_->Discard();
  folded_.clear();
  bad_dead_letters_ = 0;
  batch_next_offsets_.clear();
}

void FactHandler::OnAssigned(const std::vector<std::pair<std::string, int32_t>>& assigned,
                             const std::set<std::pair<std::string, int32_t>>& kept) {
  // A facts partition without local state replays the topic from its beginning: nothing here
  // reads it, the loop resumes from the offset put in the store (never from the group's
  // committed offset, which says how far its last owner got, not this store).
  rocksdb::WriteBatch batch;
  for (const auto& [topic, partition] : assigned) {
    if (topic != facts_topic_) continue;
    auto stored = store_->Get(stream::ConsumerLoop::kOffsetsFamily,
                              stream::OffsetKey(facts_topic_, partition));
    int64_t next = 0;
    if (stored.ok() && stored->has_value() && (*stored)->size() == 8) {
      next = static_cast<int64_t>(DecodeBigEndian64(**stored));
    } else if (stored.ok() && !stored->has_value()) {
      batch.Put(store_->Family(stream::ConsumerLoop::kOffsetsFamily),
                stream::OffsetKey(facts_topic_, partition), EncodeBigEndian64(0));
      INFOBUS_LOG(Info) << facts_topic_ << "/" << partition
                        << ": no local state, replaying from the beginning";
    }  // else the loop refuses the assignment, saying why
    next_offsets_[partition] = next;
    if (kept.count({topic, partition}) > 0 && released_ready_.count(partition) > 0) {
      owned_->Own(partition, true);  // ours all along: current
    } else {
      owned_->Own(partition, false);
      replaying_[partition] = -1;
    }
  }
  released_ready_.clear();
  if (batch.Count() > 0) {
    if (absl::Status status = store_->Write(&batch); !status.ok()) {
      INFOBUS_LOG(Error) << "cannot note where new partitions start: " << status;
    }
  }
}

void FactHandler::OnRevoked(const std::vector<std::pair<std::string, int32_t>>& revoked) {
  const std::vector<int32_t> ready = owned_->Ready();
  for (const auto& [topic, partition] : revoked) {
    if (topic != facts_topic_) continue;
    if (std::find(ready.begin(), ready.end(), partition) != ready.end()) {
      released_ready_.insert(partition);
    }
    // The local state stays (a partition coming back resumes from it): it no longer answers.
    owned_->Release(partition);
    replaying_.erase(partition);
    next_offsets_.erase(partition);
  }
}

void FactHandler::HandleBatch(const std::vector<kafka::Record>& records,
                              stream::Transaction& context) {
  context.Enlist(this);
  for (const kafka::Record& record : records) {
    const bool fact = record.topic == facts_topic_;
    absl::Status status = fact ? Fold(record) : Repartition(record, context);
    if (absl::IsInvalidArgument(status)) {
      context.DeadLetter(record, std::string(status.message()));
    } else if (!status.ok()) {
      ledger_->Discard();
      context.Fail(status);
      return;
    }
    if (fact) {
      int64_t& next = batch_next_offsets_[record.partition];
      next = std::max(next, record.offset + 1);
    }
  }
  if (absl::Status status = ledger_->Flush(&context.batch()); !status.ok()) {
    ledger_->Discard();
    context.Fail(status);
  }
}

}  // namespace infobus::supervision
