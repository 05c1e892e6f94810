#include "services/supervision/contributions.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/util/time.h"
#include "services/supervision/latency_histogram.h"
#include "services/supervision/tally_key.h"

namespace infobus::supervision {
namespace {

using infobus::common::v1::FeedbackOutcome;

Tally& At(TallyDeltas* deltas, const TallyKey& key) { return (*deltas)[key.Encode()]; }

std::string Compartments(const google::protobuf::RepeatedPtrField<std::string>& compartments) {
  return absl::StrJoin(compartments, ",");
}

void AddCount(google::protobuf::Map<int32_t, int64_t>* map, int32_t key, int64_t delta) {
  int64_t& value = (*map)[key];
  value += delta;
  if (value == 0) map->erase(key);
}

}  // namespace

void AddEvent(const EventRecord& event, const std::string& source_id, int sign,
              TallyDeltas* deltas) {
  const TallyKey key{
      HourOf(FromProtoTimestamp(event.occurred_at())),
      TallyType::kEvents,
      {absl::StrCat(static_cast<int>(event.classification())), Compartments(event.compartments()),
       event.jurisdiction_code(), event.county_code(), source_id, event.kind()}};
  Tally& tally = At(deltas, key);
  tally.set_count(tally.count() + sign);
}

void AddDeadLetter(const std::string& topic, absl::Time at, int sign, TallyDeltas* deltas) {
  Tally& tally = At(deltas, TallyKey{HourOf(at), TallyType::kDeadLetters, {topic}});
  tally.set_count(tally.count() + sign);
}

void AddRejected(const infobus::common::v1::AuditRecord& rejected, int sign, TallyDeltas* deltas) {
  const TallyKey key{HourOf(FromProtoTimestamp(rejected.at())),
                     TallyType::kRejected,
                     {absl::StrCat(static_cast<int>(rejected.item_classification())),
                      Compartments(rejected.item_compartments()), rejected.county_code(),
                      rejected.event_source_id()}};
  Tally& tally = At(deltas, key);
  tally.set_count(tally.count() + sign);
}

Verdict VerdictOf(const JudgmentRecord& judgment) {
  switch (judgment.judgment().review().status()) {
    case infobus::common::v1::REVIEW_STATUS_CONFIRMED:
      return Verdict::kPositive;
    case infobus::common::v1::REVIEW_STATUS_DISMISSED:
      return Verdict::kNegative;
    default:
      break;
  }
  const auto& outcomes = judgment.outcomes();
  auto has = [&outcomes](FeedbackOutcome outcome) {
    auto it = outcomes.find(outcome);
    return it != outcomes.end() && it->second > 0;
  };
  if (has(infobus::common::v1::FEEDBACK_OUTCOME_HANDLED) ||
      has(infobus::common::v1::FEEDBACK_OUTCOME_APPREHENDED)) {
    return Verdict::kPositive;
  }
  if (has(infobus::common::v1::FEEDBACK_OUTCOME_FALSE_POSITIVE)) return Verdict::kNegative;
  return Verdict::kNone;
}

void AddJudgment(const JudgmentRecord& record, int sign, TallyDeltas* deltas) {
  if (!record.judged()) return;
  const infobus::common::v1::Judgment& judgment = record.judgment();
  // Event time: the end of the span the judgment covers (the watchlisted event's time, a
  // window's end), not when the engine got to it; created_at for a judgment without one.
  const absl::Time at =
      FromProtoTimestamp(judgment.has_window_end() ? judgment.window_end() : judgment.created_at());
  Tally& tally = At(
      deltas, TallyKey{HourOf(at),
                       TallyType::kJudgments,
                       {absl::StrCat(static_cast<int>(judgment.classification())),
                        Compartments(judgment.compartments()), judgment.jurisdiction_code(),
                        judgment.rule_id(), absl::StrCat(static_cast<int>(judgment.severity()))}});
  tally.set_count(tally.count() + sign);
  switch (judgment.review().status()) {
    case infobus::common::v1::REVIEW_STATUS_CONFIRMED:
      tally.set_confirmed(tally.confirmed() + sign);
      break;
    case infobus::common::v1::REVIEW_STATUS_DISMISSED:
      tally.set_dismissed(tally.dismissed() + sign);
      break;
    default:
      break;
  }
  switch (VerdictOf(record)) {
    case Verdict::kPositive:
      tally.set_positive(tally.positive() + sign);
      break;
    case Verdict::kNegative:
      tally.set_negative(tally.negative() + sign);
      break;
    case Verdict::kNone:
      break;
  }
}

absl::Time SignedOffAt(const DeliveryRecord& delivery) {
  if (delivery.has_acknowledged_at()) return FromProtoTimestamp(delivery.acknowledged_at());
  if (delivery.has_feedback()) return FromProtoTimestamp(delivery.feedback().given_at());
  return absl::InfinitePast();
}

void AddDelivery(const DeliveryRecord& delivery, int sign, TallyDeltas* deltas) {
  if (!delivery.delivered()) return;
  const absl::Time delivered_at = FromProtoTimestamp(delivery.delivered_at());
  Tally& tally =
      At(deltas, TallyKey{HourOf(delivered_at), TallyType::kDeliveries, {delivery.unit_id()}});
  tally.set_count(tally.count() + sign);
  const absl::Time signed_at = SignedOffAt(delivery);
  const bool signed_off = signed_at != absl::InfinitePast();
  if (signed_off) {
    tally.set_acknowledged(tally.acknowledged() + sign);
    AddCount(tally.mutable_signoff_latency(), LatencyBucket(signed_at - delivered_at), sign);
  }
  if (delivery.has_deadline()) {
    tally.set_with_deadline(tally.with_deadline() + sign);
    if (signed_off && signed_at <= FromProtoTimestamp(delivery.deadline())) {
      tally.set_acknowledged_within_deadline(tally.acknowledged_within_deadline() + sign);
    }
  }
  if (delivery.has_escalated_at()) tally.set_escalated(tally.escalated() + sign);
  if (delivery.has_feedback()) {
    tally.set_feedback(tally.feedback() + sign);
    AddCount(tally.mutable_outcomes(), delivery.feedback().outcome(), sign);
  }
  tally.set_sent_back(tally.sent_back() + sign * static_cast<int64_t>(delivery.sent_back_count()));
  if (delivery.has_approved_at()) tally.set_approved(tally.approved() + sign);
}

void Accumulate(const Tally& delta, Tally* into) {
  into->set_count(into->count() + delta.count());
  into->set_confirmed(into->confirmed() + delta.confirmed());
  into->set_dismissed(into->dismissed() + delta.dismissed());
  into->set_positive(into->positive() + delta.positive());
  into->set_negative(into->negative() + delta.negative());
  into->set_acknowledged(into->acknowledged() + delta.acknowledged());
  into->set_with_deadline(into->with_deadline() + delta.with_deadline());
  into->set_acknowledged_within_deadline(into->acknowledged_within_deadline() +
                                         delta.acknowledged_within_deadline());
  into->set_escalated(into->escalated() + delta.escalated());
  into->set_feedback(into->feedback() + delta.feedback());
  into->set_sent_back(into->sent_back() + delta.sent_back());
  into->set_approved(into->approved() + delta.approved());
  for (const auto& [outcome, count] : delta.outcomes()) {
    AddCount(into->mutable_outcomes(), outcome, count);
  }
  for (const auto& [bucket, count] : delta.signoff_latency()) {
    AddCount(into->mutable_signoff_latency(), bucket, count);
  }
}

bool IsEmpty(const Tally& tally) {
  return tally.count() == 0 && tally.confirmed() == 0 && tally.dismissed() == 0 &&
         tally.positive() == 0 && tally.negative() == 0 && tally.acknowledged() == 0 &&
         tally.with_deadline() == 0 && tally.acknowledged_within_deadline() == 0 &&
         tally.escalated() == 0 && tally.feedback() == 0 && tally.sent_back() == 0 &&
         tally.approved() == 0 && tally.outcomes().empty() && tally.signoff_latency().empty();
}

}  // namespace infobus::supervision
