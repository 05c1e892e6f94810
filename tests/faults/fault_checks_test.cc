// The fault checks must report every kind of finding they exist for: each test below starts
// from the streams a correct bus would produce for a plan, breaks them in one way, and expects
// exactly that finding.
#include "tests/faults/fault_checks.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/util/time.h"

namespace infobus::faults {
namespace {

using infobus::common::v1::Delivery;
using infobus::common::v1::Judgment;

constexpr absl::Duration kDeadline = absl::Seconds(3);
const absl::Time kStart = absl::FromUnixSeconds(1700000000);

// What a correct dispatch gives the plan's events: each to its place's unit, fired hotspots
// with `threshold` distinct events as evidence, and every high delivery not signed off climbing
// the chain one deadline after the other.
class Streams {
 public:
  explicit Streams(const FaultPlan& plan, bool sentinels = true) : plan_(plan) {
    absl::Time now = kStart;
    std::vector<const PlannedEvent*> events;
    for (const PlannedEvent& event : plan.events) events.push_back(&event);
    if (sentinels) {
      for (const PlannedEvent& event : plan.sentinels) events.push_back(&event);
    }
    for (const PlannedEvent* event : events) {
      now += absl::Milliseconds(10);
      Judgment judgment;
      judgment.set_judgment_id("w-" + event->event.event_id());
      judgment.set_rule_id(kWatchlistRule);
      auto* evidence = judgment.add_evidence();
      evidence->set_event_id(event->event.event_id());
      evidence->set_source_id(event->event.source_id());
      Delivery& first = Deliver(Places()[event->place].unit, judgment, now, event->high);
      if (!event->high) continue;
      if (event->sign_off) {
        sign_offs_[{first.unit_id(), first.seq()}] = now + absl::Seconds(1);
        continue;
      }
      std::string from = first.delivery_id();
      absl::Time at = now;
      uint32_t level = 0;
      const std::vector<std::string> chain = SupervisorChain(first.unit_id());
      for (size_t i = 0; i < chain.size(); ++i) {
        at += kDeadline + absl::Milliseconds(5);
        Delivery& escalated = Deliver(chain[i], judgment, at, i + 1 < chain.size());
        escalated.set_escalation_level(++level);
        escalated.set_escalated_from(from);
        from = escalated.delivery_id();
      }
    }
    for (const Cluster& cluster : plan.clusters) {
      if (static_cast<int>(cluster.event_ids.size()) < plan.threshold) continue;
      Judgment judgment;
      judgment.set_judgment_id("h-" + cluster.key);
      judgment.set_rule_id(kHotspotRule);
      judgment.set_group_key(cluster.key);
      judgment.set_evidence_count(plan.threshold);
      for (int i = 0; i < plan.threshold; ++i) {
        judgment.add_evidence()->set_event_id(cluster.event_ids[i]);
      }
      Deliver(Places()[cluster.place].unit, judgment, now, false);
    }
  }

  Delivery& Deliver(const std::string& unit, const Judgment& judgment, absl::Time at,
                    bool deadline) {
    std::vector<Delivery>& inbox = streams_[unit];
    Delivery& delivery = inbox.emplace_back();
    delivery.set_unit_id(unit);
    delivery.set_seq(inbox.size());
    delivery.set_delivery_id(absl::StrCat(unit, "/", delivery.seq()));
    *delivery.mutable_judgment() = judgment;
    *delivery.mutable_delivered_at() = ToProtoTimestamp(at);
    if (deadline) *delivery.mutable_deadline() = ToProtoTimestamp(at + kDeadline);
    return delivery;
  }

  // The unit and index of the first delivery for which `pick` holds.
  std::pair<std::string, size_t> Find(const std::function<bool(const Delivery&)>& pick) const {
    for (const auto& [unit, deliveries] : streams_) {
      for (size_t i = 0; i < deliveries.size(); ++i) {
        if (pick(deliveries[i])) return {unit, i};
      }
    }
    ADD_FAILURE() << "no such delivery";
    return {"", 0};
  }

  DeliveryFigures Check() const {
    return CheckDeliveries(plan_, plan_.events.size(), true, streams_, sign_offs_);
  }

  UnitStreams& streams() { return streams_; }
  SignOffs& sign_offs() { return sign_offs_; }

 private:
  const FaultPlan& plan_;
  UnitStreams streams_;
  SignOffs sign_offs_;
};

FaultPlan SmallPlan() {
  PlanOptions options;
  options.events = 200;
  options.high_hits = 6;
  options.clusters = 12;
  options.threshold = 3;
  options.seed = 7;
  options.now = kStart;
  return MakePlan(options);
}

bool IsEscalation(const Delivery& delivery) { return delivery.escalation_level() > 0; }

// The index in `inbox` of an ordinary (medium, watchlist) delivery, after the first.
size_t Ordinary(const FaultPlan& plan, const std::vector<Delivery>& inbox) {
  for (size_t i = 1; i < inbox.size(); ++i) {
    const Judgment& judgment = inbox[i].judgment();
    if (judgment.rule_id() != kWatchlistRule) continue;
    const PlannedEvent* event = FindEvent(plan, judgment.evidence(0).event_id());
    if (event != nullptr && !event->high) return i;
  }
  ADD_FAILURE() << "no ordinary delivery";
  return 0;
}

TEST(FaultChecks, CorrectStreamsPass) {
  const FaultPlan plan = SmallPlan();
  Streams streams(plan);
  const DeliveryFigures figures = streams.Check();
  EXPECT_TRUE(figures.ok()) << (figures.problems.empty() ? "" : figures.problems[0]);
  EXPECT_EQ(figures.lost, 0);
  EXPECT_EQ(figures.hotspots, 12);
  EXPECT_EQ(figures.hotspots_exact, 12);
  EXPECT_GT(figures.escalations_expected, 0);
  EXPECT_EQ(figures.escalations, figures.escalations_expected);
  EXPECT_EQ(figures.signed_in_time, 3);
  EXPECT_EQ(figures.expected, figures.received);
}

TEST(FaultChecks, TheyMakeEveryKindOfCase) {
  const FaultPlan plan = SmallPlan();
  int repeats = 0;
  for (const PlannedEvent& event : plan.events) repeats += event.repeat ? 1 : 0;
  EXPECT_EQ(repeats, 2);
  EXPECT_EQ(static_cast<int>(plan.clusters[0].event_ids.size()), plan.threshold - 1);
  EXPECT_TRUE(plan.clusters[0].has_repeat);
  EXPECT_EQ(static_cast<int>(plan.clusters[1].event_ids.size()), plan.threshold);
  EXPECT_TRUE(plan.clusters[1].has_repeat);
  std::set<std::string> units;
  for (const PlannedEvent& event : plan.events) units.insert(Places()[event.place].unit);
  EXPECT_EQ(units.size(), Places().size());
  EXPECT_EQ(SupervisorChain("fusui-xinning-station"),
            (std::vector<std::string>{"fusui-psb", "chongzuo-ops", "guangxi-ops"}));
}

TEST(FaultChecks, ALostDeliveryIsLostAndLeavesAGap) {
  const FaultPlan plan = SmallPlan();
  Streams streams(plan);
  auto& inbox = streams.streams()["wuming-psb"];
  inbox.erase(inbox.begin() + static_cast<long>(Ordinary(plan, inbox)));
  const DeliveryFigures figures = streams.Check();
  EXPECT_EQ(figures.lost, 1);
  EXPECT_EQ(figures.seq_gaps, 1);
  EXPECT_FALSE(figures.ok());
}

TEST(FaultChecks, AJudgmentDeliveredTwiceIsADuplicate) {
  const FaultPlan plan = SmallPlan();
  Streams streams(plan);
  auto& inbox = streams.streams()["qingxiu-psb"];
  Delivery again = inbox[2];
  again.set_seq(inbox.size() + 1);
  inbox.push_back(again);
  const DeliveryFigures figures = streams.Check();
  EXPECT_EQ(figures.dup_deliveries, 1);
  EXPECT_EQ(figures.lost, 0);
  EXPECT_EQ(figures.seq_gaps, 0);
  EXPECT_FALSE(figures.ok());
}

TEST(FaultChecks, ASeqSentAgainIsAGap) {
  const FaultPlan plan = SmallPlan();
  Streams streams(plan);
  auto& inbox = streams.streams()["pingxiang-psb"];
  inbox.insert(inbox.begin() + 5, inbox[4]);  // seq 5 twice in a row
  const DeliveryFigures figures = streams.Check();
  EXPECT_EQ(figures.seq_gaps, 1);
  EXPECT_EQ(figures.dup_deliveries, 1);
}

TEST(FaultChecks, AHotspotCountingARepeatedRecordIsNotExact) {
  const FaultPlan plan = SmallPlan();
  // Cluster 0 has threshold - 1 distinct events and one repeated: counting the repeat makes it
  // fire with one event twice in its evidence.
  Streams streams(plan);
  const Cluster& cluster = plan.clusters[0];
  Judgment judgment;
  judgment.set_judgment_id("h-c0");
  judgment.set_rule_id(kHotspotRule);
  judgment.set_group_key(cluster.key);
  judgment.set_evidence_count(plan.threshold);
  for (const std::string& id : cluster.event_ids) judgment.add_evidence()->set_event_id(id);
  judgment.add_evidence()->set_event_id(cluster.event_ids[0]);
  streams.Deliver(Places()[cluster.place].unit, judgment, kStart, false);
  const DeliveryFigures figures = streams.Check();
  EXPECT_EQ(figures.hotspots_exact, figures.hotspots - 1);
  EXPECT_EQ(figures.unexpected, 1);
  EXPECT_FALSE(figures.ok());
}

TEST(FaultChecks, AHotspotFiringEarlyOnARepeatIsNotExact) {
  const FaultPlan plan = SmallPlan();
  Streams streams(plan);
  auto [unit, index] = streams.Find([](const Delivery& d) {
    return d.judgment().rule_id() == kHotspotRule && d.judgment().group_key() == "c1";
  });
  auto* evidence = streams.streams()[unit][index].mutable_judgment()->mutable_evidence();
  (*evidence)[1].set_event_id((*evidence)[0].event_id());
  const DeliveryFigures figures = streams.Check();
  EXPECT_EQ(figures.hotspots_exact, figures.hotspots - 1);
  EXPECT_EQ(figures.lost, 0);
  EXPECT_FALSE(figures.ok());
}

TEST(FaultChecks, AMissingEscalationIsLost) {
  const FaultPlan plan = SmallPlan();
  Streams streams(plan);
  auto [unit, index] = streams.Find(IsEscalation);
  auto& inbox = streams.streams()[unit];
  inbox.erase(inbox.begin() + static_cast<long>(index));
  for (size_t i = index; i < inbox.size(); ++i) inbox[i].set_seq(i + 1);  // no gap, just missing
  const DeliveryFigures figures = streams.Check();
  EXPECT_GE(figures.lost, 1);
  EXPECT_LT(figures.escalations, figures.escalations_expected);
  EXPECT_EQ(figures.seq_gaps, 0);
}

TEST(FaultChecks, AnEscalationDespiteATimelySignOffIsUnexpected) {
  const FaultPlan plan = SmallPlan();
  Streams streams(plan);
  // Move one sign-off past its deadline: now its escalations are due and missing...
  auto late = streams.sign_offs().begin();
  late->second += absl::Hours(1);
  DeliveryFigures figures = streams.Check();
  EXPECT_GT(figures.lost, 0);
  EXPECT_EQ(figures.signed_in_time, 2);
  // ...and with no sign-off at all stamped in time, an escalation there is not unexpected,
  // whereas one after a timely sign-off is.
  late->second -= absl::Hours(1);
  const auto& [unit, seq] = late->first;
  const Delivery original = streams.streams()[unit][seq - 1];
  const std::string supervisor = SupervisorChain(unit)[0];
  Delivery& escalated =
      streams.Deliver(supervisor, original.judgment(),
                      FromProtoTimestamp(original.deadline()) + absl::Seconds(1), false);
  escalated.set_escalation_level(1);
  escalated.set_escalated_from(original.delivery_id());
  figures = streams.Check();
  EXPECT_EQ(figures.unexpected, 1);
  EXPECT_FALSE(figures.ok());
}

TEST(FaultChecks, AnEscalationBeforeItsDeadlineIsEarly) {
  const FaultPlan plan = SmallPlan();
  Streams streams(plan);
  auto [unit, index] = streams.Find(IsEscalation);
  Delivery& escalated = streams.streams()[unit][index];
  *escalated.mutable_delivered_at() = ToProtoTimestamp(kStart);
  const DeliveryFigures figures = streams.Check();
  EXPECT_EQ(figures.early_escalations, 1);
  EXPECT_FALSE(figures.ok());
}

TEST(FaultChecks, ADeliveryToTheWrongUnitIsLostAndUnexpected) {
  const FaultPlan plan = SmallPlan();
  Streams streams(plan);
  auto& inbox = streams.streams()["wuming-psb"];
  const size_t index = Ordinary(plan, inbox);
  Delivery moved = inbox[index];
  inbox.erase(inbox.begin() + static_cast<long>(index));
  for (size_t i = index; i < inbox.size(); ++i) inbox[i].set_seq(i + 1);
  streams.Deliver("qingxiu-psb", moved.judgment(), kStart, false);
  const DeliveryFigures figures = streams.Check();
  EXPECT_EQ(figures.lost, 1);
  EXPECT_EQ(figures.unexpected, 1);
}

}  // namespace
}  // namespace infobus::faults
