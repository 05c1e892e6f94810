#include "tools/bench/supervision_facts.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/util/time.h"

namespace infobus::bench {
namespace {

using infobus::common::v1::DispatchEvent;
using infobus::common::v1::Event;
using infobus::common::v1::Judgment;

constexpr int64_t kSecondNs = 1'000'000'000;
constexpr int64_t kMinuteNs = 60 * kSecondNs;
constexpr int64_t kHourNs = 60 * kMinuteNs;

// splitmix64's finalizer: a bijection of 64-bit integers, so ids made of it never collide.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// A small deterministic generator (std::mt19937_64 costs more to seed than a plan to draw).
class Draw {
 public:
  explicit Draw(uint64_t seed) : state_(seed) {}
  uint64_t Next() { return Mix(state_++); }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  bool Chance(double p) { return Uniform() < p; }
  int64_t ExponentialNs(int64_t mean_ns) {
    return static_cast<int64_t>(-std::log(1.0 - Uniform()) * static_cast<double>(mean_ns));
  }

 private:
  uint64_t state_;
};

struct Rule {
  const char* id;
  infobus::common::v1::JudgmentKind kind;
  infobus::common::v1::Severity severity;
};
constexpr Rule kRules[SupervisionShape::kRules] = {
    {"watchlist-wanted", infobus::common::v1::JUDGMENT_KIND_WATCHLIST_HIT,
     infobus::common::v1::SEVERITY_CRITICAL},
    {"hotspot-lodging", infobus::common::v1::JUDGMENT_KIND_HOTSPOT,
     infobus::common::v1::SEVERITY_MEDIUM},
    {"movement-border", infobus::common::v1::JUDGMENT_KIND_MOVEMENT,
     infobus::common::v1::SEVERITY_HIGH},
    {"correlation-netcafe", infobus::common::v1::JUDGMENT_KIND_CORRELATION,
     infobus::common::v1::SEVERITY_MEDIUM},
    {"watchlist-vehicle", infobus::common::v1::JUDGMENT_KIND_WATCHLIST_HIT,
     infobus::common::v1::SEVERITY_HIGH},
    {"direct-petition", infobus::common::v1::JUDGMENT_KIND_WATCHLIST_HIT,
     infobus::common::v1::SEVERITY_LOW},
};
constexpr const char* kKinds[SupervisionShape::kKinds] = {
    "lodging.checkin", "lodging.checkout", "netcafe.login", "netcafe.logout", "transit.ticket",
    "transit.boarding", "vehicle.checkpoint", "petition", "case.report", "tip"};
constexpr const char* kSourceSystems[SupervisionShape::kSourcesPerCounty] = {"lodging", "netcafe",
                                                                            "transit"};

// County x (0-based) of city x / 10: "45" + city "01".."10" + county "21".."30".
std::string CountyCode(int county) {
  return absl::StrFormat("45%02d%02d", county / SupervisionShape::kCountiesPerCity + 1,
                         21 + county % SupervisionShape::kCountiesPerCity);
}
std::string CountyUnit(int county) { return absl::StrCat("psb-", CountyCode(county)); }
std::string CityUnit(int county) { return absl::StrCat("ops-", CountyCode(county).substr(0, 4)); }

constexpr uint64_t kEventSalt = 0x100000000000ULL;
constexpr uint64_t kTraceSalt = 0x200000000000ULL;
constexpr uint64_t kPlanSalt = 0x300000000000ULL;
constexpr uint64_t kJudgmentSalt = 0x400000000000ULL;

// Event `index`'s source (0 .. kSources - 1); its county is source % kCounties.
int SourceOf(uint64_t seed, int64_t index) {
  return static_cast<int>(Mix(seed * kEventSalt + index) % SupervisionShape::kSources);
}

DispatchEvent Dispatch(infobus::common::v1::DispatchEventType type, const std::string& judgment_id,
                       const std::string& unit, uint64_t seq, absl::Time at,
                       const std::string& jurisdiction, infobus::common::v1::Severity severity) {
  DispatchEvent event;
  event.set_event_id(absl::StrCat(judgment_id, "/", unit, "/", seq, "/", type));
  event.set_type(type);
  *event.mutable_occurred_at() = ToProtoTimestamp(at);
  event.set_judgment_id(judgment_id);
  event.set_severity(severity);
  event.set_jurisdiction_code(jurisdiction);
  event.set_unit_id(unit);
  event.set_seq(seq);
  event.set_delivery_id(absl::StrCat(unit, "/", seq));
  return event;
}

}  // namespace

// What happens to one judgment, as offsets (ns) from the start of the month; -1: never.
struct SupervisionFacts::Plan {
  int64_t event = 0;
  int rule = 0;
  int64_t created = 0, delivered = 0, deadline = 0;
  int64_t acknowledged = -1;
  int64_t escalated = -1, city_acknowledged = -1;
  int64_t feedback = -1;
  bool feedback_by_city = false;
  infobus::common::v1::FeedbackOutcome outcome = infobus::common::v1::FEEDBACK_OUTCOME_HANDLED;
  int64_t reviewed = -1;
  bool confirmed = false;
};

bool SupervisionFacts::Due::operator>(const Due& other) const {
  if (at_ns != other.at_ns) return at_ns > other.at_ns;
  if (judgment != other.judgment) return judgment > other.judgment;
  return step > other.step;
}

SupervisionFacts::SupervisionFacts(const SupervisionShape& shape, absl::Time since)
    : shape_(shape),
      since_(since),
      span_ns_(30 * 24 * kHourNs - kHourNs),
      stride_(shape.judgments <= 0 ? 0 : std::max<int64_t>(1, shape.events / shape.judgments)) {}

int64_t SupervisionFacts::judgments() const {
  return stride_ == 0 ? 0 : std::min(shape_.judgments, shape_.events);
}

std::string SupervisionFacts::JudgmentId(int64_t judgment) const {
  return absl::StrCat("jdg-", absl::Hex(Mix(shape_.seed * kJudgmentSalt + judgment),
                                        absl::kZeroPad16));
}

std::string SupervisionFacts::TraceIdOfJudgment(int64_t judgment) const {
  const int64_t event = EventOf(judgment);
  return absl::StrCat(absl::Hex(Mix(shape_.seed * kTraceSalt + event), absl::kZeroPad16),
                      absl::Hex(Mix(event), absl::kZeroPad16));
}

std::string SupervisionFacts::CityPrefix() { return CountyCode(0).substr(0, 4); }

std::set<std::string> SupervisionFacts::CityUnits() {
  std::set<std::string> units = {CityUnit(0)};
  for (int county = 0; county < SupervisionShape::kCountiesPerCity; ++county) {
    units.insert(CountyUnit(county));
  }
  return units;
}

int64_t SupervisionFacts::EventAtNs(int64_t event) const {
  return static_cast<int64_t>(static_cast<__int128>(event) * span_ns_ / shape_.events);
}

int64_t SupervisionFacts::EventOf(int64_t judgment) const {
  return judgment * stride_ + stride_ - 1;
}

Event SupervisionFacts::MakeEvent(int64_t index) const {
  const uint64_t draw = Mix(shape_.seed * kEventSalt + index);
  const int source = SourceOf(shape_.seed, index);
  const int county = source % SupervisionShape::kCounties;
  const int system = source / SupervisionShape::kCounties;
  const int kind = (system * SupervisionShape::kKindsPerSource +
                    static_cast<int>((draw >> 20) % SupervisionShape::kKindsPerSource) + county) %
                   SupervisionShape::kKinds;
  const std::string county_code = CountyCode(county);
  const absl::Time occurred = since_ + absl::Nanoseconds(EventAtNs(index));
  Event event;
  event.set_source_id(absl::StrCat(kSourceSystems[system], "-", county_code));
  event.set_event_id(absl::StrCat("ev-", index));
  event.set_county_code(county_code);
  event.set_kind(kKinds[kind]);
  *event.mutable_occurred_at() = ToProtoTimestamp(occurred);
  *event.mutable_ingested_at() = ToProtoTimestamp(occurred + absl::Milliseconds(1500));
  event.set_trace_id(absl::StrCat(absl::Hex(Mix(shape_.seed * kTraceSalt + index),
                                            absl::kZeroPad16),
                                  absl::Hex(Mix(index), absl::kZeroPad16)));
  // One in ten is confidential: the report's clearance check has something to decide.
  event.set_classification((draw >> 40) % 10 == 0 ? infobus::common::v1::CLASSIFICATION_CONFIDENTIAL
                                                   : infobus::common::v1::CLASSIFICATION_INTERNAL);
  return event;
}

SupervisionFacts::Plan SupervisionFacts::PlanOf(int64_t judgment) const {
  Draw draw(Mix(shape_.seed * kPlanSalt + judgment));
  Plan plan;
  plan.event = EventOf(judgment);
  plan.rule = static_cast<int>(draw.Next() % SupervisionShape::kRules);
  plan.created = EventAtNs(plan.event) + kSecondNs + static_cast<int64_t>(draw.Next() % (20 * kSecondNs));
  plan.delivered = plan.created + 100'000'000 + static_cast<int64_t>(draw.Next() % 900'000'000);
  const bool critical =
      kRules[plan.rule].severity == infobus::common::v1::SEVERITY_CRITICAL;
  plan.deadline = plan.delivered + (critical ? 5 : 15) * kMinuteNs;
  if (!draw.Chance(0.03)) plan.acknowledged = plan.delivered + draw.ExponentialNs(6 * kMinuteNs);
  if (plan.acknowledged < 0 || plan.acknowledged > plan.deadline) {
    plan.escalated = plan.deadline;
    if (!draw.Chance(0.03)) {
      plan.city_acknowledged = plan.escalated + draw.ExponentialNs(5 * kMinuteNs);
    }
  }
  // Whoever signed first reports the outcome.
  const bool county_first =
      plan.acknowledged >= 0 &&
      (plan.city_acknowledged < 0 || plan.acknowledged <= plan.city_acknowledged);
  const int64_t signed_at = county_first ? plan.acknowledged : plan.city_acknowledged;
  if (signed_at >= 0 && draw.Chance(0.6)) {
    plan.feedback = signed_at + draw.ExponentialNs(2 * kHourNs);
    plan.feedback_by_city = !county_first;
    const double u = draw.Uniform();
    plan.outcome = u < 0.5    ? infobus::common::v1::FEEDBACK_OUTCOME_HANDLED
                   : u < 0.6  ? infobus::common::v1::FEEDBACK_OUTCOME_APPREHENDED
                   : u < 0.8  ? infobus::common::v1::FEEDBACK_OUTCOME_NOT_FOUND
                   : u < 0.95 ? infobus::common::v1::FEEDBACK_OUTCOME_FALSE_POSITIVE
                              : infobus::common::v1::FEEDBACK_OUTCOME_TRANSFERRED;
  }
  if (draw.Chance(0.1)) {
    plan.reviewed = plan.created + draw.ExponentialNs(12 * kHourNs);
    plan.confirmed = draw.Chance(0.7);
  }
  return plan;
}

void SupervisionFacts::Schedule(int64_t judgment) {
  const Plan plan = PlanOf(judgment);
  auto at = [&](int64_t ns, Step step) {
    if (ns >= 0) due_.push(Due{ns, judgment, step});
  };
  at(plan.created, Step::kJudged);
  at(plan.delivered, Step::kDelivered);
  at(plan.acknowledged, Step::kAcknowledged);
  at(plan.escalated, Step::kEscalated);
  at(plan.escalated, Step::kCityDelivered);
  at(plan.city_acknowledged, Step::kCityAcknowledged);
  at(plan.feedback, Step::kFeedback);
  at(plan.reviewed, Step::kReviewed);
}

void SupervisionFacts::Emit(const Due& due, std::vector<SupervisionFact>* out) {
  const Plan plan = PlanOf(due.judgment);
  const Rule& rule = kRules[plan.rule];
  const Event event = MakeEvent(plan.event);
  const std::string& jurisdiction = event.county_code();
  const bool in_city = absl::StartsWith(jurisdiction, CityPrefix());
  const std::string id = JudgmentId(due.judgment);
  const int county = SourceOf(shape_.seed, plan.event) % SupervisionShape::kCounties;
  const std::string county_unit = CountyUnit(county);
  const std::string city_unit = CityUnit(county);
  // Seqs only need to be unique per unit: the judgment's index is.
  const uint64_t seq = static_cast<uint64_t>(due.judgment) + 1;
  auto at = [this](int64_t ns) { return since_ + absl::Nanoseconds(ns); };
  auto dispatch = [&](infobus::common::v1::DispatchEventType type, const std::string& unit,
                      int64_t ns) {
    return Dispatch(type, id, unit, seq, at(ns), jurisdiction, rule.severity);
  };
  ++counts_.facts;
  switch (due.step) {
    case Step::kJudged:
    case Step::kReviewed: {
      Judgment judgment;
      judgment.set_judgment_id(id);
      judgment.set_rule_id(rule.id);
      judgment.set_rule_version(3);
      judgment.set_kind(rule.kind);
      judgment.set_severity(rule.severity);
      judgment.set_title("watchlisted subject seen");
      judgment.set_summary("a subject of the list was seen at a place of the source");
      judgment.set_jurisdiction_code(jurisdiction);
      judgment.set_classification(event.classification());
      *judgment.mutable_created_at() = ToProtoTimestamp(at(plan.created));
      // The hotspot rule rests on the last three events of the county's stream (here: the
      // three last of its stride), the others on one.
      const int64_t first =
          plan.rule == 1 ? std::max<int64_t>(plan.event - 2, plan.event - stride_ + 1) : plan.event;
      for (int64_t e = first; e <= plan.event; ++e) {
        const Event evidence_event = e == plan.event ? event : MakeEvent(e);
        infobus::common::v1::Evidence* evidence = judgment.add_evidence();
        evidence->set_event_id(evidence_event.event_id());
        evidence->set_source_id(evidence_event.source_id());
        evidence->set_trace_id(evidence_event.trace_id());
        evidence->set_kind(evidence_event.kind());
        evidence->set_county_code(evidence_event.county_code());
        *evidence->mutable_occurred_at() = evidence_event.occurred_at();
        *evidence->mutable_ingested_at() = evidence_event.ingested_at();
        evidence->set_classification(evidence_event.classification());
        evidence->set_jurisdiction_code(evidence_event.county_code());
      }
      judgment.set_evidence_count(judgment.evidence_size());
      if (due.step == Step::kReviewed) {
        infobus::common::v1::Review* review = judgment.mutable_review();
        review->set_status(plan.confirmed ? infobus::common::v1::REVIEW_STATUS_CONFIRMED
                                          : infobus::common::v1::REVIEW_STATUS_DISMISSED);
        review->set_reviewer("analyst-3");
        review->set_note("checked against the case file");
        *review->mutable_reviewed_at() = ToProtoTimestamp(at(plan.reviewed));
        ++counts_.reviews;
      } else {
        ++counts_.judgments;
        if (in_city) ++counts_.city_judgments;
      }
      out->push_back(std::move(judgment));
      return;
    }
    case Step::kDelivered: {
      DispatchEvent delivered =
          dispatch(infobus::common::v1::DISPATCH_EVENT_TYPE_DELIVERED, county_unit, plan.delivered);
      *delivered.mutable_deadline() = ToProtoTimestamp(at(plan.deadline));
      ++counts_.deliveries;
      if (in_city) ++counts_.city_deliveries;
      out->push_back(std::move(delivered));
      return;
    }
    case Step::kAcknowledged:
    case Step::kCityAcknowledged: {
      const bool city = due.step == Step::kCityAcknowledged;
      DispatchEvent acknowledged =
          dispatch(infobus::common::v1::DISPATCH_EVENT_TYPE_ACKNOWLEDGED,
                   city ? city_unit : county_unit, city ? plan.city_acknowledged : plan.acknowledged);
      acknowledged.set_acknowledged_by(absl::StrCat("officer-", seq % 997));
      ++counts_.acknowledgements;
      out->push_back(std::move(acknowledged));
      return;
    }
    case Step::kEscalated: {
      DispatchEvent escalated =
          dispatch(infobus::common::v1::DISPATCH_EVENT_TYPE_ESCALATED, county_unit, plan.escalated);
      escalated.set_escalated_to(absl::StrCat(city_unit, "/", seq));
      ++counts_.escalations;
      out->push_back(std::move(escalated));
      return;
    }
    case Step::kCityDelivered: {
      DispatchEvent delivered =
          dispatch(infobus::common::v1::DISPATCH_EVENT_TYPE_DELIVERED, city_unit, plan.escalated);
      *delivered.mutable_deadline() = ToProtoTimestamp(at(plan.escalated + 15 * kMinuteNs));
      delivered.set_escalation_level(1);
      delivered.set_escalated_from(absl::StrCat(county_unit, "/", seq));
      ++counts_.deliveries;
      if (in_city) ++counts_.city_deliveries;
      out->push_back(std::move(delivered));
      return;
    }
    case Step::kFeedback: {
      DispatchEvent feedback =
          dispatch(infobus::common::v1::DISPATCH_EVENT_TYPE_FEEDBACK,
                   plan.feedback_by_city ? city_unit : county_unit, plan.feedback);
      feedback.mutable_feedback()->set_outcome(plan.outcome);
      feedback.mutable_feedback()->set_note("done");
      feedback.mutable_feedback()->set_given_by(absl::StrCat("officer-", seq % 997));
      *feedback.mutable_feedback()->mutable_given_at() = feedback.occurred_at();
      ++counts_.feedback;
      out->push_back(std::move(feedback));
      return;
    }
  }
}

bool SupervisionFacts::Next(size_t n, std::vector<SupervisionFact>* out) {
  const int64_t judged = judgments();
  for (size_t given = 0; given < n; ++given) {
    const bool events_left = next_event_ < shape_.events;
    if (!events_left && due_.empty()) return given > 0;
    if (!due_.empty() && (!events_left || due_.top().at_ns <= EventAtNs(next_event_))) {
      const Due due = due_.top();
      due_.pop();
      Emit(due, out);
      continue;
    }
    Event event = MakeEvent(next_event_);
    ++counts_.facts;
    ++counts_.events;
    if (absl::StartsWith(event.county_code(), CityPrefix())) ++counts_.city_events;
    out->push_back(std::move(event));
    if (stride_ > 0 && (next_event_ + 1) % stride_ == 0 && next_event_ / stride_ < judged) {
      Schedule(next_event_ / stride_);
    }
    ++next_event_;
  }
  return true;
}

}  // namespace infobus::bench
