#include "services/dispatch/dispatcher.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/util/time.h"
#include "services/dispatch/dispatch_events.h"
#include "services/dispatch/dispatch_metrics.h"
#include "services/dispatch/router.h"

namespace infobus::dispatch {

using infobus::common::v1::DISPATCH_EVENT_TYPE_DELIVERED;
using infobus::common::v1::DISPATCH_EVENT_TYPE_ESCALATED;
using infobus::dispatch::storage::v1::EscalationRecord;

void Dispatcher::Emit(DispatchEventType type, const Delivery& delivery, absl::Time at,
                      stream::Transaction& context) const {
  context.Produce(
      DispatchEventMessage(events_topic_, MakeDispatchEvent(type, delivery, at), delivery));
}

void Dispatcher::EnlistIn(stream::Transaction& context) {
  context.Enlist(inbox_);  // first: the staged heads are visible before anyone counts or wakes
  context.Enlist(this);
}

namespace {

// The longest response deadline a judgment may set: a year, as the rules file allows. Beyond it
// (or at or below 0) the judgment's own is not a deadline and the severity's applies.
constexpr absl::Duration kMaxResponseDeadline = absl::Hours(24 * 365);

// The judgment's own deadline, set by its rule (a petition is answered in days); nullopt when
// it has none.
std::optional<absl::Duration> ResponseDeadlineOf(const Judgment& judgment) {
  if (!judgment.has_response_deadline()) return std::nullopt;
  const absl::Duration deadline = FromProtoDuration(judgment.response_deadline());
  if (deadline <= absl::ZeroDuration() || deadline > kMaxResponseDeadline) return std::nullopt;
  return deadline;
}

}  // namespace

Inbox::StageOptions Dispatcher::OptionsFor(const RoutingTable& table, const std::string& unit_id,
                                           const Judgment& judgment) const {
  Inbox::StageOptions options;
  const Unit* unit = table.units().Find(unit_id);
  // A deadline only where there is someone to escalate to. The same for an escalated delivery,
  // counted from the escalation: the judgment's own deadline, else its severity's.
  if (unit != nullptr && !unit->supervisor.empty()) {
    options.sign_off_within = ResponseDeadlineOf(judgment);
    if (!options.sign_off_within) options.sign_off_within = table.DeadlineFor(judgment.severity());
  }
  return options;
}

namespace {

bool ForClearance(RerouteReason reason) {
  return reason == infobus::common::v1::REROUTE_REASON_CLEARANCE ||
         reason == infobus::common::v1::REROUTE_REASON_COMPARTMENT;
}

// Why, for the log: never the level or the compartment (they would say what the item is).
const char* Why(RerouteReason reason) {
  switch (reason) {
    case infobus::common::v1::REROUTE_REASON_OFF_DUTY:
      return "is off duty";
    case infobus::common::v1::REROUTE_REASON_CLEARANCE:
      return "is not cleared for its classification";
    case infobus::common::v1::REROUTE_REASON_COMPARTMENT:
      return "lacks one of its compartments";
    default:
      return "was passed over";
  }
}

}  // namespace

absl::Status Dispatcher::StageJudgment(const Judgment& judgment, stream::Transaction& context) {
  EnlistIn(context);
  rocksdb::WriteBatch* batch = &context.batch();
  const RoutingTablePtr table = routing_->Current();
  const RoutingDecision decision = Router(table.get()).Decide(judgment);
  if (decision.units.empty() && decision.redirects.empty()) {
    INFOBUS_LOG(Warning) << "judgment " << judgment.judgment_id() << " for jurisdiction "
                         << judgment.jurisdiction_code() << " matches no unit";
  }
  // The judgment became possible when its last piece of evidence was accepted.
  absl::Time completed = absl::InfinitePast();
  for (const auto& evidence : judgment.evidence()) {
    if (evidence.has_ingested_at()) {
      completed = std::max(completed, FromProtoTimestamp(evidence.ingested_at()));
    }
  }
  std::set<std::string> created;
  for (const RoutedUnit& unit : decision.units) {
    Inbox::StageOptions options = OptionsFor(*table, unit.unit_id, judgment);
    options.rerouted_from_unit = unit.rerouted_from;
    options.reroute_reason = unit.reason;
    auto staged = inbox_->StageDelivery(unit.unit_id, judgment, options, batch);
    if (!staged.ok()) return staged.status();
    if (!staged->created) continue;
    created.insert(unit.unit_id);
    staged_touched_.insert(unit.unit_id);
    staged_delivered_.push_back(unit.unit_id);
    if (completed != absl::InfinitePast()) {
      staged_latencies_.push_back(FromProtoTimestamp(staged->delivery.delivered_at()) - completed);
    }
    Emit(DISPATCH_EVENT_TYPE_DELIVERED, staged->delivery,
         FromProtoTimestamp(staged->delivery.delivered_at()), context);
  }
  // Counted once per judgment and unit it was meant for: a replay (the receiving inbox has it
  // already) is not counted again; a judgment that went nowhere cannot be told from its replay
  // and is counted (and logged) each time it is offered.
  for (const Redirect& redirect : decision.redirects) {
    if (redirect.given_to.empty()) {
      INFOBUS_LOG(Warning) << "judgment " << judgment.judgment_id() << " is not delivered for unit "
                           << redirect.unit_id << ": the unit " << Why(redirect.reason)
                           << " and no unit above it is cleared for it";
      if (ForClearance(redirect.reason)) staged_undelivered_.push_back(redirect.unit_id);
      continue;
    }
    if (created.count(redirect.given_to) == 0) continue;
    INFOBUS_LOG(Info) << "judgment " << judgment.judgment_id() << " meant for unit "
                      << redirect.unit_id << " went to " << redirect.given_to << ": the unit "
                      << Why(redirect.reason);
    if (ForClearance(redirect.reason)) staged_rerouted_.push_back(redirect.unit_id);
  }
  return absl::OkStatus();
}

absl::Status Dispatcher::StageDueEscalations(stream::Transaction& context, size_t limit) {
  EnlistIn(context);
  rocksdb::WriteBatch* batch = &context.batch();
  const absl::Time now = clock_->Now();
  auto due = inbox_->DueDeadlines(now, limit);
  if (!due.ok()) return due.status();
  if (due->empty()) return absl::OkStatus();
  const RoutingTablePtr table = routing_->Current();
  for (const Inbox::DueDeadline& deadline : *due) {
    auto signed_off = inbox_->SignedOffBy(deadline.unit_id, deadline.seq, deadline.due);
    if (!signed_off.ok()) return signed_off.status();
    // A sign-off on its way to Kafka: decided on a later tick, once it is written or has failed.
    if (*signed_off == Inbox::SignOff::kDeciding) continue;
    // Signed in time, or a deadline a send-back replaced: no escalation.
    if (*signed_off == Inbox::SignOff::kSignedInTime ||
        *signed_off == Inbox::SignOff::kSuperseded) {
      inbox_->StageDeadlineDone(deadline, std::nullopt, batch);
      continue;
    }
    auto delivery = inbox_->Read(deadline.unit_id, deadline.seq);
    if (absl::IsNotFound(delivery.status())) {
      INFOBUS_LOG(Error) << "deadline of missing delivery " << deadline.unit_id << "/"
                         << deadline.seq << " dropped";
      inbox_->StageDeadlineDone(deadline, std::nullopt, batch);
      continue;
    }
    if (!delivery.ok()) return delivery.status();

    EscalationRecord record;
    *record.mutable_escalated_at() = ToProtoTimestamp(now);
    const RoutedUnit target =
        Router(table.get()).EscalationTarget(deadline.unit_id, delivery->judgment());
    if (!target.unit_id.empty()) {
      Inbox::StageOptions options = OptionsFor(*table, target.unit_id, delivery->judgment());
      options.escalated_from = delivery->delivery_id();
      options.escalation_level = delivery->escalation_level() + 1;
      options.rerouted_from_unit = target.rerouted_from;
      options.reroute_reason = target.reason;
      auto staged = inbox_->StageDelivery(target.unit_id, delivery->judgment(), options, batch);
      if (!staged.ok()) return staged.status();
      record.set_escalated_to(absl::StrCat(target.unit_id, "/", staged->seq));
      if (staged->created) {
        staged_touched_.insert(target.unit_id);
        staged_delivered_.push_back(target.unit_id);
        if (ForClearance(target.reason)) {
          INFOBUS_LOG(Info) << "delivery " << delivery->delivery_id() << " escalated past unit "
                            << target.rerouted_from << " to " << target.unit_id << ": the unit "
                            << Why(target.reason);
          staged_rerouted_.push_back(target.rerouted_from);
        }
        Emit(DISPATCH_EVENT_TYPE_DELIVERED, staged->delivery, now, context);
      }
    } else if (!target.rerouted_from.empty()) {
      INFOBUS_LOG(Warning) << "delivery " << delivery->delivery_id() << " is overdue and not "
                           << "escalated: its supervisor " << target.rerouted_from << " "
                           << Why(target.reason) << " and no unit above is cleared for it";
      staged_undelivered_.push_back(target.rerouted_from);
    } else {
      INFOBUS_LOG(Warning) << "delivery " << delivery->delivery_id()
                           << " is overdue and its unit has no supervisor to escalate to";
    }
    inbox_->StageDeadlineDone(deadline, record, batch);
    staged_escalated_.push_back(deadline.unit_id);
    delivery->set_status(infobus::common::v1::DELIVERY_STATUS_ESCALATED);
    *delivery->mutable_escalated_at() = record.escalated_at();
    delivery->set_escalated_to(record.escalated_to());
    Emit(DISPATCH_EVENT_TYPE_ESCALATED, *delivery, now, context);
  }
  return absl::OkStatus();
}

void Dispatcher::Committed() {
  DispatchMetrics& metrics = DispatchMetrics::Get();
  for (const std::string& unit : staged_delivered_) metrics.Delivered(unit);
  for (const std::string& unit : staged_escalated_) metrics.Escalated(unit);
  for (const std::string& unit : staged_rerouted_) metrics.ReroutedForClearance(unit);
  for (const std::string& unit : staged_undelivered_) metrics.UndeliveredForClearance(unit);
  for (absl::Duration latency : staged_latencies_) metrics.PipelineLatency(latency);
  staged_delivered_.clear();
  staged_escalated_.clear();
  staged_rerouted_.clear();
  staged_undelivered_.clear();
  staged_latencies_.clear();
  touched_.insert(staged_touched_.begin(), staged_touched_.end());
  staged_touched_.clear();
}

void Dispatcher::Aborted() {
  staged_delivered_.clear();
  staged_escalated_.clear();
  staged_rerouted_.clear();
  staged_undelivered_.clear();
  staged_latencies_.clear();
  staged_touched_.clear();
}

std::vector<std::string> Dispatcher::TakeTouchedUnits() {
  std::vector<std::string> units(touched_.begin(), touched_.end());
  touched_.clear();
  return units;
}

}  // namespace infobus::dispatch
