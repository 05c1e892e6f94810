// Direct rules (direct_rule.h): every event of the named kinds is one judgment of its own.
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/util/ids.h"
#include "common/util/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/judgment/engine/engine.h"
#include "tests/services/judgment/engine/engine_test_support.h"

namespace infobus::judgment::engine_test {
namespace {

using ::testing::IsEmpty;
using ::testing::SizeIs;

using DirectRuleTest = EngineTest;

constexpr char kDirectRules[] = R"(
version: 1
rules:
  - id: petition-direct
    version: 3
    kind: direct
    severity: medium
    title: "Petition {kind} in {jurisdiction}"
    filter: {kinds: [petition, case.report]}
    response_deadline: 72h
)";

Event Petition(const std::string& id, absl::Time at) {
  Event event = MakeEvent(id, at, "petition", "451421", kPerson);
  event.mutable_location()->set_jurisdiction_code("4514210012");
  event.set_classification(infobus::common::v1::CLASSIFICATION_CONFIDENTIAL);
  return event;
}

TEST_F(DirectRuleTest, AMatchingEventIsOneDirectJudgmentWithTheEventAndTheRulesDeadline) {
  engine_.SetRules(Rules(kDirectRules));
  const Event petition = Petition("p1", kT0 - absl::Hours(2));
  auto fired = Feed(petition);
  ASSERT_THAT(fired, SizeIs(1));
  const Judgment judgment = fired[0];  // a copy: `fired` is reused below
  EXPECT_EQ(judgment.kind(), infobus::common::v1::JUDGMENT_KIND_DIRECT);
  EXPECT_EQ(judgment.judgment_id(), StableId({"petition-direct", "src", "p1"}));
  EXPECT_EQ(judgment.rule_id(), "petition-direct");
  EXPECT_EQ(judgment.rule_version(), 3);
  EXPECT_EQ(judgment.severity(), infobus::common::v1::SEVERITY_MEDIUM);
  // Routed to the unit of the event's own jurisdiction.
  EXPECT_EQ(judgment.jurisdiction_code(), "4514210012");
  EXPECT_EQ(judgment.title(), "Petition petition in 4514210012");
  EXPECT_EQ(judgment.classification(), infobus::common::v1::CLASSIFICATION_CONFIDENTIAL);
  ASSERT_EQ(judgment.evidence_size(), 1);
  EXPECT_EQ(judgment.evidence_count(), 1);
  EXPECT_EQ(judgment.evidence(0).event_id(), "p1");
  EXPECT_EQ(judgment.evidence(0).source_id(), "src");
  EXPECT_EQ(judgment.evidence(0).trace_id(), "trace-p1");
  EXPECT_EQ(judgment.evidence(0).kind(), "petition");
  EXPECT_EQ(FromProtoTimestamp(judgment.window_start()), kT0 - absl::Hours(2));
  EXPECT_EQ(FromProtoTimestamp(judgment.window_end()), kT0 - absl::Hours(2));
  ASSERT_EQ(judgment.subjects_size(), 1);
  EXPECT_EQ(judgment.subjects(0).value(), kPerson);
  ASSERT_TRUE(judgment.has_response_deadline());
  EXPECT_EQ(FromProtoDuration(judgment.response_deadline()), absl::Hours(72));

  // The other kind it names too; each event is its own judgment.
  fired = Feed(MakeEvent("c1", kT0, "case.report"));
  ASSERT_THAT(fired, SizeIs(1));
  EXPECT_EQ(fired[0].evidence(0).event_id(), "c1");
  EXPECT_NE(fired[0].judgment_id(), judgment.judgment_id());
}

TEST_F(DirectRuleTest, AnEventOfAnotherKindIsNoJudgment) {
  engine_.SetRules(Rules(kDirectRules));
  EXPECT_THAT(Feed(MakeEvent("a1", kT0, "alarm.call", "451421", kPerson)), IsEmpty());
  EXPECT_THAT(Feed(MakeEvent("a2", kT0, "petition.draft")), IsEmpty());
}

TEST_F(DirectRuleTest, AReplayedEventYieldsTheSameIdAndTheRuleKeepsNoState) {
  engine_.SetRules(Rules(kDirectRules));
  const Event petition = Petition("p1", kT0);
  auto first = Feed(petition);
  ASSERT_THAT(first, SizeIs(1));
  clock_->Advance(absl::Hours(1));
  auto again = Feed(petition);
  ASSERT_THAT(again, SizeIs(1));
  EXPECT_EQ(again[0].judgment_id(), first[0].judgment_id());
  // After a restart as well: the id is the event's, not the engine's.
  auto restarted = Restarted(Rules(kDirectRules));
  auto replayed = restarted->Process(petition, "events/0");
  ASSERT_TRUE(replayed.ok()) << replayed.status();
  ASSERT_THAT(*replayed, SizeIs(1));
  EXPECT_EQ((*replayed)[0].judgment_id(), first[0].judgment_id());
  // Nothing to remember between events: only the scope's stream time is stored.
  for (const StateChange& change : restarted->TakeStateChanges()) {
    EXPECT_EQ(change.key, Engine::MetaKey("events/0"));
  }
}

TEST_F(DirectRuleTest, ARuleOfAnyKindGivesItsJudgmentsItsResponseDeadlineAndNoneWithout) {
  engine_.SetRules(Rules(R"(
version: 1
rules:
  - {id: with-deadline, version: 1, kind: hotspot, severity: high, group_by: [kind], window: 1h,
     grace: 0s, threshold: 1, response_deadline: 30m, needs_approval: true}
  - {id: without, version: 1, kind: direct, severity: low, filter: {kinds: [alarm.call]}}
)"));
  auto fired = Feed(MakeEvent("a1", kT0));
  ASSERT_THAT(fired, SizeIs(2));
  for (const Judgment& judgment : fired) {
    if (judgment.rule_id() == "with-deadline") {
      ASSERT_TRUE(judgment.has_response_deadline());
      EXPECT_EQ(FromProtoDuration(judgment.response_deadline()), absl::Minutes(30));
      EXPECT_TRUE(judgment.needs_approval());  // the rule's, whatever its kind
    } else {
      EXPECT_FALSE(judgment.has_response_deadline());
      EXPECT_FALSE(judgment.needs_approval());
    }
  }
}

}  // namespace
}  // namespace infobus::judgment::engine_test
