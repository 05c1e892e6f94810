#include "services/judgment/event_handler.h"

#include "absl/strings/str_cat.h"
#include "common/codec/event_decoder.h"
#include "common/codec/hotspot_sighting_decoder.h"
#include "common/log/log.h"
#include "common/metrics/metrics.h"
#include "common/util/time.h"

namespace infobus::judgment {
namespace {

using infobus::common::v1::Event;
using infobus::common::v1::Judgment;

// Written by earlier versions so that a reload always had something to commit; skipped.
constexpr char kRulesMarkerKey[] = "\x1frules";

prometheus::Family<prometheus::Counter>& JudgmentsMade() {
  static auto& family = metrics::CounterFamily(
      "infobus_judgments_total", "New judgments made (reviews and replays excluded), by rule.");
  return family;
}

prometheus::Family<prometheus::Counter>& RestoreFailures() {
  static auto& family = metrics::CounterFamily(
      "infobus_judgment_changelog_restore_failures_total",
      "Assignments whose state could not be restored from the changelog: the partitions went on "
      "with the local state (or none, from Kafka's committed offsets).");
  return family;
}

// Each rule's series exists (at 0) from the moment the rule is in force.
void ExportRules(const RuleSet& rules) {
  for (const Rule& rule : rules.rules) JudgmentsMade().Add({{"rule", rule.id}});
}

}  // namespace

EventHandler::EventHandler(Store* store, Engine* engine, JudgmentLog* log, RulesSource* rules,
                           std::string judgments_topic, std::string sightings_topic,
                           StateChangelog* changelog, absl::Duration rules_check_interval,
                           ClockPtr clock)
    : store_(store),
      engine_(engine),
      log_(log),
      judgments_topic_(std::move(judgments_topic)),
      sightings_topic_(std::move(sightings_topic)),
      changelog_(changelog),
      clock_(std::move(clock)),
      rules_(rules, engine, rules_check_interval, ExportRules) {}

absl::Status EventHandler::Start() {
  RestoreFailures().Add({});  // at 0 from the start, for alerts
  if (absl::Status status = rules_.Load(); !status.ok()) return status;
  return RestoreState();
}

absl::Status EventHandler::RestoreState() {
  engine_->ClearState();
  auto it = store_->NewIterator(kStateFamily);
  size_t count = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const rocksdb::Slice key = it->key();
    if (key == rocksdb::Slice(kRulesMarkerKey)) continue;
    if (absl::Status status =
            engine_->Restore(std::string_view(key.data(), key.size()),
                             std::string_view(it->value().data(), it->value().size()));
        !status.ok()) {
      return status;
    }
    ++count;
  }
  if (!it->status().ok()) return absl::UnavailableError(it->status().ToString());
  const EngineStats stats = engine_->stats();
  INFOBUS_LOG(Info) << "engine state restored: " << count << " records, " << stats.windows_open
                    << " open windows, " << stats.subjects_tracked << " subjects tracked";
  needs_restore_ = false;
  return absl::OkStatus();
}

void EventHandler::Emit(const Judgment& judgment, stream::Transaction& context) {
  kafka::OutgoingMessage message;
  message.topic = judgments_topic_;
  message.key = judgment.jurisdiction_code();
  message.value = judgment.SerializeAsString();
  const std::string trace =
      judgment.evidence_size() > 0 ? judgment.evidence(0).trace_id() : std::string();
  const std::string source =
      judgment.evidence_size() > 0 ? judgment.evidence(0).source_id() : std::string();
  message.headers = {{kafka::kTraceIdHeader, trace},
                     {kafka::kSourceIdHeader, source},
                     {kafka::kSchemaHeader, judgment.GetDescriptor()->full_name()}};
  context.Produce(std::move(message));
}

void EventHandler::HandleBatch(const std::vector<kafka::Record>& records,
                               stream::Transaction& context) {
  EnlistIn(context);
  if (!restore_cancelled_.ok()) {
    context.Fail(restore_cancelled_);
    return;
  }
  if (needs_restore_) {
    if (absl::Status status = RestoreState(); !status.ok()) {
      context.Fail(status);
      return;
    }
  }
  for (const kafka::Record& record : records) {
    const bool ok = record.topic == sightings_topic_ ? HandleSighting(record, context)
                                                     : HandleEvent(record, context);
    if (!ok) return;
    if (changelog_ != nullptr) {
      int64_t& next = batch_next_offsets_[stream::OffsetKey(record.topic, record.partition)];
      next = std::max(next, record.offset + 1);
    }
  }
}

bool EventHandler::HandleEvent(const kafka::Record& record, stream::Transaction& context) {
  auto decoded = codec::DecodeEvent(record);
  if (!decoded.ok()) {
    context.DeadLetter(record, std::string(decoded.status().message()));
    return true;
  }
  const Event& event = *decoded;
  sightings_.clear();
  auto judgments =
      engine_->Process(event, stream::OffsetKey(record.topic, record.partition), &sightings_);
  if (!judgments.ok()) {
    // A store failure is not the record's fault: stop here and let the loop retry later.
    INFOBUS_LOG(Error) << "cannot judge event " << event.event_id() << ": " << judgments.status();
    context.Fail(judgments.status());
    return false;
  }
  for (HotspotSighting& sighting : sightings_) {
    sighting.set_origin_offset(record.offset);
    kafka::OutgoingMessage message;
    message.topic = sightings_topic_;
    message.key = absl::StrCat(sighting.rule_id(), "\x1f", sighting.group_key());
    message.value = sighting.SerializeAsString();
    message.headers = {{kafka::kTraceIdHeader, std::string(event.trace_id())},
                       {kafka::kSchemaHeader, HotspotSighting::descriptor()->full_name()}};
    context.Produce(std::move(message));
  }
  return StageNew(*judgments, context);
}

bool EventHandler::HandleSighting(const kafka::Record& record, stream::Transaction& context) {
  auto sighting = codec::DecodeHotspotSighting(record);
  if (!sighting.ok()) {
    context.DeadLetter(record, std::string(sighting.status().message()));
    return true;
  }
  auto judgments =
      engine_->CountSighting(*sighting, stream::OffsetKey(record.topic, record.partition));
  if (!judgments.ok()) {
    context.DeadLetter(record, std::string(judgments.status().message()));
    return true;
  }
  return StageNew(*judgments, context);
}

bool EventHandler::StageNew(const std::vector<Judgment>& judgments, stream::Transaction& context) {
  for (const Judgment& judgment : judgments) {
    auto added = log_->StageNew(judgment, context.batch());
    if (!added.ok()) {
      context.Fail(added.status());
      return false;
    }
    if (!*added) {
      INFOBUS_LOG(Debug) << "judgment " << judgment.judgment_id() << " was made before";
      continue;
    }
    INFOBUS_LOG(Debug) << "judgment " << judgment.judgment_id() << " (" << judgment.rule_id()
                       << ")";
    staged_rule_ids_.push_back(judgment.rule_id());
    Emit(judgment, context);
  }
  return true;
}

void EventHandler::EnlistIn(stream::Transaction& context) {
  context.Enlist(log_);     // first: a request answered below finds its entry visible
  context.Enlist(&rules_);  // before this: an abort restores the state under the rules in force
  context.Enlist(this);
  context.Enlist(&mailbox_);  // last: answers go out once the rules and log are settled
}

void EventHandler::OnTick(stream::Transaction& context) {
  EnlistIn(context);
  if (needs_restore_) return;  // HandleBatch restores first; nothing to tick on until then
  rules_.CheckFile(clock_->Now());

  for (const JudgmentRequestPtr& request : mailbox_.Take()) {
    if (request->kind == JudgmentRequest::Kind::kAbsorb) {
      if (absl::Status status = ApplyAbsorb(*request, context); !status.ok()) {
        context.Fail(status);  // part may be staged: none of this batch commits
      }
    } else if (request->kind == JudgmentRequest::Kind::kReload) {
      auto summary = rules_.Reload();
      if (!summary.ok()) {
        mailbox_.Answer(request, summary.status());
        continue;
      }
      request->summary = *std::move(summary);
    } else {
      auto record = log_->StageReview(request->judgment_id, request->review, context.batch());
      if (!record.ok()) {
        mailbox_.Answer(request, record.status());
        continue;
      }
      request->record = *record;
      Emit(record->judgment(), context);
    }
    mailbox_.Staged(request);
  }

  rocksdb::ColumnFamilyHandle* family = store_->Family(kStateFamily);
  for (StateChange& change : engine_->TakeStateChanges()) {
    if (changelog_ != nullptr) changelog_->Stage(change, owned_scopes_, context);
    if (change.value.has_value()) {
      context.batch().Put(family, change.key, *change.value);
    } else {
      context.batch().Delete(family, change.key);
    }
  }
  // The marks go after the state they cover (Kafka keeps a partition's order).
  if (changelog_ != nullptr) {
    for (const auto& [scope, next] : batch_next_offsets_) {
      changelog_->StageMark(scope, next, context);
    }
  }
  batch_next_offsets_.clear();
}

void EventHandler::OnRevoked(const std::vector<std::pair<std::string, int32_t>>& revoked) {
  // From now on another instance may write these scopes' changelog records.
  for (const auto& [topic, partition] : revoked) {
    owned_scopes_.erase(stream::OffsetKey(topic, partition));
    released_scopes_.insert(stream::OffsetKey(topic, partition));
  }
}

void EventHandler::OnAssigned(const std::vector<std::pair<std::string, int32_t>>& assigned,
                              const std::set<std::pair<std::string, int32_t>>& kept) {
  owned_scopes_.clear();
  std::vector<std::pair<std::string, int32_t>> moved;
  for (const auto& partition : assigned) {
    const std::string scope = stream::OffsetKey(partition.first, partition.second);
    owned_scopes_.insert(scope);
    released_scopes_.erase(scope);
    if (kept.count(partition) == 0) moved.push_back(partition);
  }
  if (changelog_ == nullptr) {
    released_scopes_.clear();  // without a changelog the local copy is all there is: keep it
    return;
  }
  bool reload = false;
  // What went to another instance: its state lives on there (from the changelog), so the copy
  // here would only take memory and, were the partition to come back, be replaced anyway.
  if (!released_scopes_.empty()) {
    if (absl::Status status = changelog_->DropLocal(released_scopes_); !status.ok()) {
      INFOBUS_LOG(Warning) << "cannot drop the state of partitions given away: " << status;
    }
    released_scopes_.clear();
    reload = true;
  }
  if (!moved.empty()) {
    auto restored = changelog_->Restore(moved);
    if (restored.status().code() == absl::StatusCode::kCancelled) {
      // The service is stopping: these partitions' state is not here, so nothing of them may
      // commit; their next owner restores them.
      INFOBUS_LOG(Info) << "stopping: " << restored.status();
      restore_cancelled_ = restored.status();
      return;
    }
    if (!restored.ok()) {
      // Not fatal: the store's own state and offsets are a consistent pair; where it has none,
      // these partitions start from Kafka's committed offsets with empty state. A store write
      // that failed part way may have replaced some scopes: reload below either way.
      RestoreFailures().Add({}).Increment();
      INFOBUS_LOG(Error) << "cannot restore from the state changelog; going on with the local "
                            "state: "
                         << restored.status();
      reload = true;
    } else if (*restored > 0) {
      reload = true;
    }
  }
  if (!reload) return;
  if (absl::Status status = RestoreState(); !status.ok()) {
    INFOBUS_LOG(Error) << "cannot reload the engine state, will retry: " << status;
    needs_restore_ = true;
  }
}

void EventHandler::Committed() {
  for (const std::string& rule : staged_rule_ids_)
    JudgmentsMade().Add({{"rule", rule}}).Increment();
  staged_rule_ids_.clear();
}

void EventHandler::Aborted() {
  batch_next_offsets_.clear();
  staged_rule_ids_.clear();
  // The engine ran ahead of the store: put back the committed state (the rules controller,
  // settled first, put back the rules in force).
  engine_->ClearState();
  if (absl::Status status = RestoreState(); !status.ok()) {
    INFOBUS_LOG(Error) << "cannot restore engine state, will retry: " << status;
    needs_restore_ = true;
  }
}

void EventHandler::Reload(ReloadDone done) {
  auto request = std::make_shared<JudgmentRequest>();
  request->kind = JudgmentRequest::Kind::kReload;
  request->on_done = [done = std::move(done)](JudgmentRequest& finished) {
    if (!finished.status.ok()) return done(finished.status);
    done(std::move(finished.summary));
  };
  mailbox_.Post(std::move(request));
}

void EventHandler::Review(const std::string& judgment_id, const infobus::common::v1::Review& review,
                          ReviewDone done) {
  auto request = std::make_shared<JudgmentRequest>();
  request->kind = JudgmentRequest::Kind::kReview;
  request->judgment_id = judgment_id;
  request->review = review;
  *request->review.mutable_reviewed_at() = ToProtoTimestamp(clock_->Now());
  request->on_done = [done = std::move(done)](JudgmentRequest& finished) {
    if (!finished.status.ok()) return done(finished.status);
    done(std::move(finished.record));
  };
  mailbox_.Post(std::move(request));
}

absl::Status EventHandler::Absorb(std::vector<Judgment> judgments, std::vector<Rejected> rejected,
                                  std::string offsets_family,
                                  std::vector<std::pair<std::string, std::string>> offsets,
                                  absl::Duration timeout) {
  auto request = std::make_shared<JudgmentRequest>();
  request->kind = JudgmentRequest::Kind::kAbsorb;
  request->judgments = std::move(judgments);
  request->rejected = std::move(rejected);
  request->offsets_family = std::move(offsets_family);
  request->offsets = std::move(offsets);
  return mailbox_.PostAndWait(std::move(request), timeout);
}

absl::Status EventHandler::ApplyAbsorb(const JudgmentRequest& request,
                                       stream::Transaction& context) {
  for (const Judgment& judgment : request.judgments) {
    auto added = log_->StageFromTopic(judgment, context.batch());
    if (!added.ok()) return added.status();
  }
  for (const Rejected& rejected : request.rejected) {
    context.DeadLetter(rejected.record, rejected.reason);
  }
  rocksdb::ColumnFamilyHandle* family = store_->Family(request.offsets_family);
  for (const auto& [key, value] : request.offsets) context.batch().Put(family, key, value);
  return absl::OkStatus();
}

int64_t EventHandler::rules_version() const { return rules_.version(); }

}  // namespace infobus::judgment
