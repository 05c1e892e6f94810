#pragma once

// Builders of the bus's facts (events, judgments, dispatch events) for the supervision tests.

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/util/time.h"
#include "infobus/common/v1/dispatch_event.pb.h"
#include "infobus/common/v1/event.pb.h"
#include "infobus/common/v1/judgment.pb.h"

namespace infobus::supervision::testing {

using infobus::common::v1::DispatchEvent;
using infobus::common::v1::Event;
using infobus::common::v1::Judgment;

inline const absl::Time kT0 = absl::FromUnixSeconds(1'790'000'000);  // 2026-09-21T...

inline Event MakeEvent(const std::string& source, const std::string& id, absl::Time occurred,
                       const std::string& county = "451421", const std::string& kind = "tip") {
  Event event;
  event.set_source_id(source);
  event.set_event_id(id);
  event.set_county_code(county);
  event.set_kind(kind);
  *event.mutable_occurred_at() = ToProtoTimestamp(occurred);
  *event.mutable_ingested_at() = ToProtoTimestamp(occurred + absl::Seconds(2));
  event.set_trace_id(absl::StrCat("trace-", source, "-", id));
  event.set_classification(infobus::common::v1::CLASSIFICATION_INTERNAL);
  return event;
}

inline Judgment MakeJudgment(const std::string& id, const std::string& rule, const Event& evidence,
                             absl::Time created) {
  Judgment judgment;
  judgment.set_judgment_id(id);
  judgment.set_rule_id(rule);
  judgment.set_rule_version(2);
  judgment.set_kind(infobus::common::v1::JUDGMENT_KIND_WATCHLIST_HIT);
  judgment.set_severity(infobus::common::v1::SEVERITY_HIGH);
  judgment.set_jurisdiction_code(evidence.county_code());
  judgment.set_classification(evidence.classification());
  judgment.set_title("secret title");
  *judgment.mutable_created_at() = ToProtoTimestamp(created);
  infobus::common::v1::Evidence* item = judgment.add_evidence();
  item->set_event_id(evidence.event_id());
  item->set_source_id(evidence.source_id());
  item->set_trace_id(evidence.trace_id());
  item->set_kind(evidence.kind());
  item->set_county_code(evidence.county_code());
  *item->mutable_occurred_at() = evidence.occurred_at();
  *item->mutable_ingested_at() = evidence.ingested_at();
  return judgment;
}

inline DispatchEvent MakeDispatch(infobus::common::v1::DispatchEventType type,
                                  const std::string& judgment_id, const std::string& unit,
                                  uint64_t seq, absl::Time at) {
  DispatchEvent event;
  event.set_event_id(absl::StrCat(judgment_id, "/", unit, "/", seq, "/", type));
  event.set_type(type);
  *event.mutable_occurred_at() = ToProtoTimestamp(at);
  event.set_judgment_id(judgment_id);
  event.set_severity(infobus::common::v1::SEVERITY_HIGH);
  event.set_jurisdiction_code("451421");
  event.set_unit_id(unit);
  event.set_seq(seq);
  event.set_delivery_id(absl::StrCat(unit, "/", seq));
  return event;
}

inline DispatchEvent Delivered(const std::string& judgment_id, const std::string& unit,
                               uint64_t seq, absl::Time at, absl::Duration deadline) {
  DispatchEvent event =
      MakeDispatch(infobus::common::v1::DISPATCH_EVENT_TYPE_DELIVERED, judgment_id, unit, seq, at);
  *event.mutable_deadline() = ToProtoTimestamp(at + deadline);
  return event;
}

inline DispatchEvent Acknowledged(const std::string& judgment_id, const std::string& unit,
                                  uint64_t seq, absl::Time at, const std::string& by) {
  DispatchEvent event = MakeDispatch(infobus::common::v1::DISPATCH_EVENT_TYPE_ACKNOWLEDGED,
                                     judgment_id, unit, seq, at);
  event.set_acknowledged_by(by);
  return event;
}

inline DispatchEvent FeedbackGiven(const std::string& judgment_id, const std::string& unit,
                                   uint64_t seq, absl::Time at,
                                   infobus::common::v1::FeedbackOutcome outcome) {
  DispatchEvent event =
      MakeDispatch(infobus::common::v1::DISPATCH_EVENT_TYPE_FEEDBACK, judgment_id, unit, seq, at);
  event.mutable_feedback()->set_outcome(outcome);
  event.mutable_feedback()->set_note("done");
  event.mutable_feedback()->set_given_by("officer-7");
  *event.mutable_feedback()->mutable_given_at() = ToProtoTimestamp(at);
  return event;
}

inline DispatchEvent Escalated(const std::string& judgment_id, const std::string& unit,
                               uint64_t seq, absl::Time at, const std::string& to) {
  DispatchEvent event =
      MakeDispatch(infobus::common::v1::DISPATCH_EVENT_TYPE_ESCALATED, judgment_id, unit, seq, at);
  event.set_escalated_to(to);
  return event;
}

}  // namespace infobus::supervision::testing
