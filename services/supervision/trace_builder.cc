#include "services/supervision/trace_builder.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/util/time.h"
#include "services/supervision/contributions.h"
#include "services/supervision/ledger.h"

namespace infobus::supervision {
namespace {

using infobus::supervision::v1::Hop;
using infobus::supervision::v1::HopKind;
using infobus::supervision::v1::JudgmentState;
using infobus::supervision::v1::JudgmentTrace;
using storage::v1::DeliveryRecord;
using storage::v1::JudgmentRecord;

std::string DeliveryId(const DeliveryRecord& delivery) {
  return absl::StrCat(delivery.unit_id(), "/", delivery.seq());
}

// Signed off in the current round: after a send-back the unit must sign off (or report) anew.
bool SignedOff(const DeliveryRecord& delivery) {
  if (delivery.sent_back_count() > 0) {
    return delivery.has_round_acknowledged_at() || delivery.has_feedback();
  }
  return SignedOffAt(delivery) != absl::InfinitePast();
}

// The deadline in force: renewed by the last send-back.
bool HasDeadline(const DeliveryRecord& delivery) {
  return delivery.sent_back_size() > 0 ? delivery.sent_back().rbegin()->has_renewed_deadline()
                                       : delivery.has_deadline();
}
absl::Time DeadlineOf(const DeliveryRecord& delivery) {
  return FromProtoTimestamp(delivery.sent_back_size() > 0
                                ? delivery.sent_back().rbegin()->renewed_deadline()
                                : delivery.deadline());
}

// The unit's part is done: its outcome is in (and approved, where the judgment needs it).
bool Answered(const DeliveryRecord& delivery, bool needs_approval) {
  return delivery.has_feedback() && (!needs_approval || delivery.has_approved_at());
}

// Still the unit's to act on: delivered and not handed up by escalation.
bool Live(const DeliveryRecord& delivery) {
  return delivery.delivered() && !delivery.has_escalated_at();
}

bool Overdue(const DeliveryRecord& delivery, absl::Time now) {
  return delivery.delivered() && HasDeadline(delivery) && !SignedOff(delivery) &&
         now > DeadlineOf(delivery);
}

void AddHop(JudgmentTrace* trace, HopKind kind, absl::Time at, absl::Time previous,
            std::string what, std::string by = "", std::string detail = "") {
  Hop* hop = trace->add_hops();
  hop->set_kind(kind);
  *hop->mutable_at() = ToProtoTimestamp(at);
  if (previous != absl::InfinitePast()) {
    const absl::Duration since = at - previous;
    hop->mutable_since_previous()->set_seconds(absl::ToInt64Seconds(since));
    hop->mutable_since_previous()->set_nanos(
        static_cast<int32_t>(absl::ToInt64Nanoseconds(since % absl::Seconds(1))));
  }
  hop->set_what(std::move(what));
  hop->set_by(std::move(by));
  hop->set_detail(std::move(detail));
}

}  // namespace

JudgmentState StateOf(const JudgmentRecord* record, const std::vector<DeliveryRecord>& deliveries) {
  if (record == nullptr || !record->judged()) return v1::JUDGMENT_STATE_UNSPECIFIED;
  if (record->judgment().review().status() == infobus::common::v1::REVIEW_STATUS_DISMISSED) {
    return v1::JUDGMENT_STATE_CLOSED;
  }
  std::vector<const DeliveryRecord*> live;
  bool delivered = false;
  bool any_feedback = false;
  for (const DeliveryRecord& delivery : deliveries) {
    delivered = delivered || delivery.delivered();
    any_feedback = any_feedback || (delivery.delivered() && delivery.has_feedback());
    if (Live(delivery)) live.push_back(&delivery);
  }
  if (!delivered) return v1::JUDGMENT_STATE_OPEN;
  const bool needs_approval = record->judgment().needs_approval();
  if (!live.empty() &&
      std::all_of(live.begin(), live.end(), [needs_approval](const DeliveryRecord* d) {
        return Answered(*d, needs_approval);
      })) {
    return v1::JUDGMENT_STATE_CLOSED;
  }
  if (any_feedback) return v1::JUDGMENT_STATE_FEEDBACK;
  if (!live.empty() && std::all_of(live.begin(), live.end(),
                                   [](const DeliveryRecord* d) { return SignedOff(*d); })) {
    return v1::JUDGMENT_STATE_SIGNED;
  }
  return v1::JUDGMENT_STATE_DISPATCHED;
}

v1::CollectedEvent ToCollectedEvent(const std::string& source_id, const std::string& event_id,
                                    const storage::v1::EventRecord& event, bool judged) {
  v1::CollectedEvent collected;
  collected.set_source_id(source_id);
  collected.set_event_id(event_id);
  collected.set_trace_id(event.trace_id());
  collected.set_county_code(event.county_code());
  collected.set_kind(event.kind());
  collected.set_jurisdiction_code(event.jurisdiction_code());
  *collected.mutable_occurred_at() = event.occurred_at();
  *collected.mutable_ingested_at() = event.ingested_at();
  collected.set_classification(event.classification());
  *collected.mutable_compartments() = event.compartments();
  collected.set_judged(judged);
  return collected;
}

JudgmentTrace BuildJudgmentTrace(const std::string& judgment_id, const JudgmentRecord* record,
                                 const std::vector<DeliveryRecord>& deliveries,
                                 const std::map<std::string, storage::v1::EventRecord>& evidence,
                                 absl::Time now) {
  JudgmentTrace trace;
  trace.set_judgment_id(judgment_id);
  trace.set_state(StateOf(record, deliveries));
  // A closed item misses nothing more from its units.
  const bool closed = trace.state() == v1::JUDGMENT_STATE_CLOSED;
  const bool judged = record != nullptr && record->judged();
  absl::Time created = absl::InfinitePast();
  if (judged) {
    const infobus::common::v1::Judgment& judgment = record->judgment();
    trace.set_rule_id(judgment.rule_id());
    trace.set_rule_version(judgment.rule_version());
    trace.set_kind(judgment.kind());
    trace.set_severity(judgment.severity());
    trace.set_jurisdiction_code(judgment.jurisdiction_code());
    *trace.mutable_created_at() = judgment.created_at();
    trace.set_classification(judgment.classification());
    *trace.mutable_compartments() = judgment.compartments();
    trace.set_needs_approval(judgment.needs_approval());
    *trace.mutable_evidence() = judgment.evidence();
    if (judgment.has_review()) *trace.mutable_review() = judgment.review();
    created = FromProtoTimestamp(judgment.created_at());

    absl::Time last_collected = absl::InfinitePast();
    for (const infobus::common::v1::Evidence& item : judgment.evidence()) {
      const std::string key = EventKey(item.source_id(), item.event_id());
      auto seen = evidence.find(key);
      if (seen == evidence.end()) {
        trace.add_missing(absl::StrCat("evidence ", item.source_id(), "/", item.event_id(),
                                       ": not seen by supervision (yet)"));
      }
      const google::protobuf::Timestamp& ingested = item.has_ingested_at() || seen == evidence.end()
                                                        ? item.ingested_at()
                                                        : seen->second.ingested_at();
      const absl::Time at = FromProtoTimestamp(ingested);
      last_collected = std::max(last_collected, at);
      AddHop(&trace, v1::HOP_KIND_COLLECTED, at, FromProtoTimestamp(item.occurred_at()),
             absl::StrCat(item.source_id(), "/", item.event_id()), "",
             absl::StrCat(item.kind(), " in ", item.county_code(), ", trace ", item.trace_id()));
    }
    AddHop(&trace, v1::HOP_KIND_JUDGED, created, last_collected,
           absl::StrCat(judgment.rule_id(), " v", judgment.rule_version()));
    if (judgment.has_review()) {
      const infobus::common::v1::Review& review = judgment.review();
      AddHop(&trace, v1::HOP_KIND_REVIEWED, FromProtoTimestamp(review.reviewed_at()), created,
             judgment_id, review.reviewer(),
             absl::StrCat(infobus::common::v1::ReviewStatus_Name(review.status()),
                          review.note().empty() ? "" : ": ", review.note()));
    }
  } else {
    trace.add_missing("judgment: not seen yet (only its dispatch facts)");
  }

  bool any_delivered = false;
  for (const DeliveryRecord& delivery : deliveries) {
    const std::string id = DeliveryId(delivery);
    v1::DeliveryTrace* out = trace.add_deliveries();
    out->set_delivery_id(id);
    out->set_unit_id(delivery.unit_id());
    out->set_seq(delivery.seq());
    *out->mutable_delivered_at() = delivery.delivered_at();
    if (HasDeadline(delivery)) *out->mutable_deadline() = ToProtoTimestamp(DeadlineOf(delivery));
    out->set_sent_back_count(delivery.sent_back_count());
    if (delivery.has_approved_at()) *out->mutable_approved_at() = delivery.approved_at();
    out->set_approved_by(delivery.approved_by());
    out->set_escalation_level(delivery.escalation_level());
    out->set_escalated_from(delivery.escalated_from());
    if (delivery.has_acknowledged_at())
      *out->mutable_acknowledged_at() = delivery.acknowledged_at();
    out->set_acknowledged_by(delivery.acknowledged_by());
    if (delivery.has_feedback()) *out->mutable_feedback() = delivery.feedback();
    if (delivery.has_escalated_at()) *out->mutable_escalated_at() = delivery.escalated_at();
    out->set_escalated_to(delivery.escalated_to());
    out->set_overdue(Overdue(delivery, now));
    if (out->overdue()) trace.set_overdue(true);

    if (!delivery.delivered()) {
      trace.add_missing(absl::StrCat(id, ": its delivery fact not seen yet"));
      continue;
    }
    any_delivered = true;
    const absl::Time delivered = FromProtoTimestamp(delivery.delivered_at());
    AddHop(&trace, v1::HOP_KIND_DELIVERED, delivered, created, id, "",
           delivery.escalated_from().empty()
               ? ""
               : absl::StrCat("escalated from ", delivery.escalated_from(), " (level ",
                              delivery.escalation_level(), ")"));
    if (delivery.has_acknowledged_at()) {
      AddHop(&trace, v1::HOP_KIND_SIGNED, FromProtoTimestamp(delivery.acknowledged_at()), delivered,
             id, delivery.acknowledged_by());
    }
    auto feedback_hop = [&](const infobus::common::v1::Feedback& feedback) {
      AddHop(&trace, v1::HOP_KIND_FEEDBACK, FromProtoTimestamp(feedback.given_at()), delivered, id,
             feedback.given_by(),
             absl::StrCat(infobus::common::v1::FeedbackOutcome_Name(feedback.outcome()),
                          feedback.note().empty() ? "" : ": ", feedback.note()));
    };
    for (const storage::v1::SendBackRecord& sent_back : delivery.sent_back()) {
      if (sent_back.has_feedback()) feedback_hop(sent_back.feedback());
      AddHop(&trace, v1::HOP_KIND_SENT_BACK, FromProtoTimestamp(sent_back.at()),
             FromProtoTimestamp(sent_back.feedback().given_at()), id, sent_back.by(),
             sent_back.note());
    }
    if (delivery.has_feedback()) feedback_hop(delivery.feedback());
    if (delivery.has_approved_at()) {
      AddHop(
          &trace, v1::HOP_KIND_APPROVED, FromProtoTimestamp(delivery.approved_at()),
          delivery.has_feedback() ? FromProtoTimestamp(delivery.feedback().given_at()) : delivered,
          id, delivery.approved_by(), delivery.approval_note());
    }
    if (delivery.has_escalated_at()) {
      AddHop(&trace, v1::HOP_KIND_ESCALATED, FromProtoTimestamp(delivery.escalated_at()), delivered,
             id, "",
             delivery.escalated_to().empty() ? "nobody above to take it"
                                             : absl::StrCat("to ", delivery.escalated_to()));
      continue;  // handed up: the delivery it went to is the one to act
    }
    if (closed) continue;
    if (!SignedOff(delivery)) trace.add_missing(absl::StrCat(id, ": not signed off"));
    if (!delivery.has_feedback()) {
      trace.add_missing(absl::StrCat(id, ": no feedback"));
    } else if (trace.needs_approval() && !delivery.has_approved_at()) {
      trace.add_missing(absl::StrCat(id, ": feedback awaits approval"));
    }
  }
  if (judged && !any_delivered) trace.add_missing("not delivered to any unit (yet)");

  std::stable_sort(trace.mutable_hops()->begin(), trace.mutable_hops()->end(),
                   [](const Hop& a, const Hop& b) {
                     return FromProtoTimestamp(a.at()) < FromProtoTimestamp(b.at());
                   });
  return trace;
}

}  // namespace infobus::supervision
