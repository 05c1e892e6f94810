// Escalation and dispatch events, driven through the Dispatcher with a fake clock and a real
// RocksDB in a temp directory, the way the consumer loop drives it: stage, write, commit.
#include "services/dispatch/dispatcher.h"

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/metrics/metrics.h"
#include "common/store/store.h"
#include "common/util/clock.h"
#include "common/util/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "infobus/common/v1/dispatch_event.pb.h"
#include "yaml-cpp/yaml.h"

namespace infobus::dispatch {
namespace {

using infobus::common::v1::DispatchEvent;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

const absl::Time kStart = absl::FromUnixSeconds(1700000000);

constexpr char kRouting[] = R"(
sign_off_deadlines: {critical: 5m, high: 10m}
units:
  - {id: guangxi-ops, jurisdictions: ["45"], clearance: SECRET}
  - {id: chongzuo-ops, jurisdictions: ["4514"], supervisor: guangxi-ops, clearance: SECRET}
  - {id: fusui-psb, jurisdictions: ["451421"], supervisor: chongzuo-ops, clearance: SECRET}
  - {id: pingxiang-psb, jurisdictions: ["451481"], supervisor: chongzuo-ops, clearance: SECRET}
routes:
  - {match: {jurisdiction_prefixes: ["451481"]}, send_to_jurisdiction: all}
  - {send_to_jurisdiction: most_specific}
)";

// Need-to-know: Fusui is CONFIDENTIAL, the city SECRET without compartments, Pingxiang and the
// province hold the border compartment.
constexpr char kClearanceRouting[] = R"(
sign_off_deadlines: {high: 10m}
units:
  - {id: guangxi-ops, jurisdictions: ["45"], clearance: SECRET, compartments: [border]}
  - {id: chongzuo-ops, jurisdictions: ["4514"], supervisor: guangxi-ops, clearance: SECRET}
  - {id: fusui-psb, jurisdictions: ["451421"], supervisor: chongzuo-ops, clearance: CONFIDENTIAL}
  - {id: pingxiang-psb, jurisdictions: ["451481"], supervisor: chongzuo-ops,
     clearance: CONFIDENTIAL, compartments: [border]}
routes:
  - {send_to_jurisdiction: most_specific}
)";

class DispatcherHarness {
 public:
  explicit DispatcherHarness(const char* routing = kRouting)
      : clock_(std::make_shared<FakeClock>(kStart)) {
    auto table = RoutingTable::FromYaml(YAML::Load(routing));
    EXPECT_TRUE(table.ok()) << table.status();
    routing_ =
        std::make_unique<RoutingSource>(std::make_shared<const RoutingTable>(std::move(*table)));
    std::string pattern =
        (std::filesystem::path(::testing::TempDir()) / "infobus_dispatcher_XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      ADD_FAILURE() << "mkdtemp failed";
      return;
    }
    path_ = pattern;
    Reopen();
  }
  ~DispatcherHarness() {
    dispatcher_.reset();
    inbox_.reset();
    store_.reset();
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }

  // Closes and reopens the store and everything on it, as a restart of the process would.
  void Reopen() {
    dispatcher_.reset();
    inbox_.reset();
    store_.reset();
    auto store = Store::Open((path_ / "db").string(), Inbox::Families(), Store::Options());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    inbox_ = std::make_unique<Inbox>(store_.get(), clock_);
    dispatcher_ =
        std::make_unique<Dispatcher>(routing_.get(), inbox_.get(), clock_, "dispatch-events");
  }

  // One turn of the loop with this judgment: staged, produced, written, committed.
  void Judge(const Judgment& judgment) {
    stream::Transaction turn("dlq", "test");
    ASSERT_TRUE(dispatcher_->StageJudgment(judgment, turn).ok());
    Commit(turn);
  }

  // One turn of the loop's OnTick.
  void Tick() {
    stream::Transaction turn("dlq", "test");
    ASSERT_TRUE(dispatcher_->StageDueEscalations(turn).ok());
    Commit(turn);
  }

  void Commit(stream::Transaction& turn) {
    events_.insert(events_.end(), turn.output().begin(), turn.output().end());
    ASSERT_TRUE(store_->Write(&turn.batch()).ok());
    turn.Commit();
  }

  std::vector<Delivery> Read(const std::string& unit) {
    auto deliveries = inbox_->ReadAfter(unit, 0, 100);
    EXPECT_TRUE(deliveries.ok()) << deliveries.status();
    return deliveries.ok() ? *deliveries : std::vector<Delivery>();
  }

  // Types of the events emitted since the last call, as "TYPE unit/seq".
  std::vector<std::string> TakeEvents() {
    std::vector<std::string> out;
    for (const kafka::OutgoingMessage& message : events_) {
      DispatchEvent event;
      EXPECT_TRUE(event.ParseFromString(message.value));
      EXPECT_EQ(message.topic, "dispatch-events");
      EXPECT_EQ(message.key, event.judgment_id());
      EXPECT_EQ(event.event_id().size(), 32u);
      std::string type = infobus::common::v1::DispatchEventType_Name(event.type());
      out.push_back(type.substr(std::string("DISPATCH_EVENT_TYPE_").size()) + " " +
                    event.delivery_id());
    }
    events_.clear();
    return out;
  }
  std::vector<kafka::OutgoingMessage>& events() { return events_; }

  FakeClock& clock() { return *clock_; }
  Inbox& inbox() { return *inbox_; }
  Dispatcher& dispatcher() { return *dispatcher_; }
  Store& store() { return *store_; }

 private:
  std::filesystem::path path_;
  std::shared_ptr<FakeClock> clock_;
  std::unique_ptr<RoutingSource> routing_;
  StorePtr store_;
  std::unique_ptr<Inbox> inbox_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::vector<kafka::OutgoingMessage> events_;
};

Judgment MakeJudgment(const std::string& id, const std::string& code,
                      infobus::common::v1::Severity severity = infobus::common::v1::SEVERITY_HIGH) {
  Judgment judgment;
  judgment.set_judgment_id(id);
  judgment.set_jurisdiction_code(code);
  judgment.set_severity(severity);
  judgment.set_kind(infobus::common::v1::JUDGMENT_KIND_WATCHLIST_HIT);
  return judgment;
}

TEST(Escalation, DeliveryGetsTheDeadlineOfItsSeverity) {
  DispatcherHarness h;
  h.Judge(MakeJudgment("j1", "451421"));
  h.Judge(MakeJudgment("j2", "451421", infobus::common::v1::SEVERITY_LOW));
  const std::vector<Delivery> fusui = h.Read("fusui-psb");
  ASSERT_EQ(fusui.size(), 2u);
  EXPECT_EQ(FromProtoTimestamp(fusui[0].deadline()), kStart + absl::Minutes(10));
  EXPECT_FALSE(fusui[1].has_deadline());  // low: no deadline
  EXPECT_EQ(fusui[0].status(), infobus::common::v1::DELIVERY_STATUS_PENDING);
  EXPECT_THAT(h.TakeEvents(), ElementsAre("DELIVERED fusui-psb/1", "DELIVERED fusui-psb/2"));
}

// A petition is answered in days: the rule's deadline wins over the severity's 10 minutes (and
// gives a deadline where the severity has none), at the first delivery and at each escalation,
// counted from the escalation as today.
TEST(Escalation, AJudgmentsResponseDeadlineWinsOverItsSeveritys) {
  DispatcherHarness h;
  Judgment petition = MakeJudgment("j1", "451421");
  petition.set_kind(infobus::common::v1::JUDGMENT_KIND_DIRECT);
  *petition.mutable_response_deadline() = ToProtoDuration(absl::Hours(72));
  h.Judge(petition);
  Judgment low = MakeJudgment("j2", "451421", infobus::common::v1::SEVERITY_LOW);
  *low.mutable_response_deadline() = ToProtoDuration(absl::Hours(1));
  h.Judge(low);
  // Not a deadline: the severity's applies.
  Judgment zero = MakeJudgment("j3", "451421");
  *zero.mutable_response_deadline() = ToProtoDuration(absl::ZeroDuration());
  h.Judge(zero);
  std::vector<Delivery> fusui = h.Read("fusui-psb");
  ASSERT_EQ(fusui.size(), 3u);
  EXPECT_EQ(FromProtoTimestamp(fusui[0].deadline()), kStart + absl::Hours(72));
  EXPECT_EQ(FromProtoTimestamp(fusui[1].deadline()), kStart + absl::Hours(1));
  EXPECT_EQ(FromProtoTimestamp(fusui[2].deadline()), kStart + absl::Minutes(10));
  ASSERT_TRUE(h.inbox().Acknowledge("fusui-psb", 2, "officer-7").ok());
  ASSERT_TRUE(h.inbox().Acknowledge("fusui-psb", 3, "officer-7").ok());

  h.clock().Advance(absl::Hours(1));
  h.Tick();
  EXPECT_THAT(h.Read("chongzuo-ops"), IsEmpty());  // the severity's 10 minutes do not count
  h.clock().Advance(absl::Hours(71) + absl::Seconds(1));
  h.Tick();
  const std::vector<Delivery> chongzuo = h.Read("chongzuo-ops");
  ASSERT_EQ(chongzuo.size(), 1u);
  EXPECT_EQ(chongzuo[0].judgment().judgment_id(), "j1");
  EXPECT_EQ(chongzuo[0].escalated_from(), "fusui-psb/1");
  EXPECT_EQ(FromProtoTimestamp(chongzuo[0].deadline()),
            kStart + absl::Hours(72 + 72) + absl::Seconds(1));
}

TEST(Escalation, NotDueNothingHappens) {
  DispatcherHarness h;
  h.Judge(MakeJudgment("j1", "451421"));
  h.TakeEvents();
  h.clock().Advance(absl::Minutes(9));
  h.Tick();
  h.clock().Advance(absl::Seconds(60));  // exactly at the deadline: not yet past it
  h.Tick();
  EXPECT_THAT(h.Read("chongzuo-ops"), IsEmpty());
  EXPECT_THAT(h.TakeEvents(), IsEmpty());
}

TEST(Escalation, DueWithoutSignOffGoesToTheSupervisorMarkedEscalated) {
  DispatcherHarness h;
  h.Judge(MakeJudgment("j1", "451421"));
  h.TakeEvents();
  h.clock().Advance(absl::Minutes(10) + absl::Milliseconds(1));
  h.Tick();

  const std::vector<Delivery> chongzuo = h.Read("chongzuo-ops");
  ASSERT_EQ(chongzuo.size(), 1u);
  EXPECT_EQ(chongzuo[0].seq(), 1u);
  EXPECT_EQ(chongzuo[0].judgment().judgment_id(), "j1");
  EXPECT_EQ(chongzuo[0].escalated_from(), "fusui-psb/1");
  EXPECT_EQ(chongzuo[0].escalation_level(), 1u);
  EXPECT_EQ(FromProtoTimestamp(chongzuo[0].deadline()),
            kStart + absl::Minutes(20) + absl::Milliseconds(1));

  const std::vector<Delivery> fusui = h.Read("fusui-psb");
  ASSERT_EQ(fusui.size(), 1u);
  EXPECT_EQ(fusui[0].status(), infobus::common::v1::DELIVERY_STATUS_ESCALATED);
  EXPECT_EQ(fusui[0].escalated_to(), "chongzuo-ops/1");
  EXPECT_EQ(FromProtoTimestamp(fusui[0].escalated_at()),
            kStart + absl::Minutes(10) + absl::Milliseconds(1));
  EXPECT_THAT(h.TakeEvents(), ElementsAre("DELIVERED chongzuo-ops/1", "ESCALATED fusui-psb/1"));

  // Once only.
  h.clock().Advance(absl::Seconds(1));
  h.Tick();
  EXPECT_EQ(h.Read("chongzuo-ops").size(), 1u);
  EXPECT_THAT(h.TakeEvents(), IsEmpty());
}

TEST(Escalation, SignedOffJustInTimeIsNotEscalated) {
  DispatcherHarness h;
  h.Judge(MakeJudgment("j1", "451421"));
  h.clock().Advance(absl::Minutes(10));  // the last moment
  ASSERT_TRUE(h.inbox().Acknowledge("fusui-psb", 1, "officer-7").ok());
  h.clock().Advance(absl::Hours(1));
  h.Tick();
  EXPECT_THAT(h.Read("chongzuo-ops"), IsEmpty());
  auto due = h.inbox().DueDeadlines(h.clock().Now(), 10);
  ASSERT_TRUE(due.ok());
  EXPECT_THAT(*due, IsEmpty());  // the deadline is closed
  EXPECT_EQ(h.Read("fusui-psb")[0].status(), infobus::common::v1::DELIVERY_STATUS_ACKNOWLEDGED);
}

TEST(Escalation, SignedOffLateIsStillEscalated) {
  DispatcherHarness h;
  h.Judge(MakeJudgment("j1", "451421"));
  h.clock().Advance(absl::Minutes(10) + absl::Seconds(1));
  // The sign-off arrives before the loop's next turn, but after the deadline.
  ASSERT_TRUE(h.inbox().Acknowledge("fusui-psb", 1, "officer-7").ok());
  h.Tick();
  ASSERT_EQ(h.Read("chongzuo-ops").size(), 1u);
  const Delivery fusui = h.Read("fusui-psb")[0];
  EXPECT_EQ(fusui.status(), infobus::common::v1::DELIVERY_STATUS_ACKNOWLEDGED);
  EXPECT_EQ(fusui.escalated_to(), "chongzuo-ops/1");
}

TEST(Escalation, FeedbackInTimeCountsAsSignOff) {
  DispatcherHarness h;
  h.Judge(MakeJudgment("j1", "451421"));
  h.clock().Advance(absl::Minutes(3));
  Feedback feedback;
  feedback.set_outcome(infobus::common::v1::FEEDBACK_OUTCOME_NOT_FOUND);
  feedback.set_given_by("officer-7");
  ASSERT_TRUE(h.inbox().RecordFeedback("fusui-psb", 1, feedback).ok());
  h.clock().Advance(absl::Hours(1));
  h.Tick();
  EXPECT_THAT(h.Read("chongzuo-ops"), IsEmpty());
}

TEST(Escalation, ClimbsAChainOfTwoLevels) {
  DispatcherHarness h;
  h.Judge(MakeJudgment("j1", "451421", infobus::common::v1::SEVERITY_CRITICAL));
  h.TakeEvents();
  h.clock().Advance(absl::Minutes(5) + absl::Seconds(1));
  h.Tick();
  ASSERT_EQ(h.Read("chongzuo-ops").size(), 1u);
  EXPECT_THAT(h.Read("guangxi-ops"), IsEmpty());
  h.clock().Advance(absl::Minutes(5));  // Chongzuo's own deadline, not yet past
  h.Tick();
  EXPECT_THAT(h.Read("guangxi-ops"), IsEmpty());
  h.clock().Advance(absl::Seconds(1));
  h.Tick();
  const std::vector<Delivery> guangxi = h.Read("guangxi-ops");
  ASSERT_EQ(guangxi.size(), 1u);
  EXPECT_EQ(guangxi[0].escalated_from(), "chongzuo-ops/1");
  EXPECT_EQ(guangxi[0].escalation_level(), 2u);
  EXPECT_FALSE(guangxi[0].has_deadline());  // the top of the chain: nobody to escalate to
  EXPECT_EQ(h.Read("chongzuo-ops")[0].escalated_to(), "guangxi-ops/1");
  EXPECT_THAT(h.TakeEvents(), ElementsAre("DELIVERED chongzuo-ops/1", "ESCALATED fusui-psb/1",
                                          "DELIVERED guangxi-ops/1", "ESCALATED chongzuo-ops/1"));
  h.clock().Advance(absl::Hours(24));
  h.Tick();
  EXPECT_THAT(h.TakeEvents(), IsEmpty());
}

TEST(Escalation, SupervisorSigningOffStopsTheClimb) {
  DispatcherHarness h;
  h.Judge(MakeJudgment("j1", "451421", infobus::common::v1::SEVERITY_CRITICAL));
  h.clock().Advance(absl::Minutes(5) + absl::Seconds(1));
  h.Tick();
  ASSERT_TRUE(h.inbox().Acknowledge("chongzuo-ops", 1, "duty-officer").ok());
  h.clock().Advance(absl::Hours(1));
  h.Tick();
  EXPECT_THAT(h.Read("guangxi-ops"), IsEmpty());
}

TEST(Escalation, OverdueDeadlinesFireAfterARestart) {
  DispatcherHarness h;
  h.Judge(MakeJudgment("j1", "451421"));
  h.Judge(MakeJudgment("j2", "451421"));
  ASSERT_TRUE(h.inbox().Acknowledge("fusui-psb", 2, "officer-7").ok());
  h.TakeEvents();
  // The process dies; it comes back two hours later.
  h.Reopen();
  h.clock().Advance(absl::Hours(2));
  h.Tick();
  const std::vector<Delivery> chongzuo = h.Read("chongzuo-ops");
  ASSERT_EQ(chongzuo.size(), 1u);  // j1 only: j2 was signed off
  EXPECT_EQ(chongzuo[0].judgment().judgment_id(), "j1");
  // Its own deadline runs from when it was escalated, so it is not instantly overdue too.
  EXPECT_EQ(FromProtoTimestamp(chongzuo[0].deadline()), h.clock().Now() + absl::Minutes(10));
  h.Tick();
  EXPECT_THAT(h.Read("guangxi-ops"), IsEmpty());
  EXPECT_THAT(h.TakeEvents(), ElementsAre("DELIVERED chongzuo-ops/1", "ESCALATED fusui-psb/1"));
}

TEST(Escalation, SupervisorThatAlreadyHasTheJudgmentIsNotGivenItTwice) {
  DispatcherHarness h;
  // Pingxiang routes to every covering unit: the province, Chongzuo and Pingxiang have it.
  h.Judge(MakeJudgment("j1", "451481"));
  ASSERT_EQ(h.Read("chongzuo-ops").size(), 1u);
  ASSERT_TRUE(h.inbox().Acknowledge("chongzuo-ops", 1, "duty-officer").ok());
  h.TakeEvents();
  h.clock().Advance(absl::Minutes(11));
  h.Tick();
  EXPECT_EQ(h.Read("chongzuo-ops").size(), 1u);
  EXPECT_EQ(h.Read("pingxiang-psb")[0].escalated_to(), "chongzuo-ops/1");
  EXPECT_THAT(h.TakeEvents(), ElementsAre("ESCALATED pingxiang-psb/1"));
}

TEST(Escalation, AnUncommittedTurnIsRedoneWithTheSameSeqsAndEventIds) {
  DispatcherHarness h;
  h.Judge(MakeJudgment("j1", "451421"));
  h.Judge(MakeJudgment("j2", "451421"));
  h.TakeEvents();
  h.clock().Advance(absl::Minutes(11));
  {
    stream::Transaction dropped("dlq", "test");  // produced, then died before the write
    ASSERT_TRUE(h.dispatcher().StageDueEscalations(dropped).ok());
    h.events().insert(h.events().end(), dropped.output().begin(), dropped.output().end());
    dropped.Abort();
  }
  std::vector<std::string> first_ids;
  for (const auto& message : h.events()) {
    DispatchEvent event;
    event.ParseFromString(message.value);
    first_ids.push_back(event.event_id());
  }
  h.events().clear();
  h.Tick();
  std::vector<std::string> second_ids;
  for (const auto& message : h.events()) {
    DispatchEvent event;
    event.ParseFromString(message.value);
    second_ids.push_back(event.event_id());
  }
  EXPECT_EQ(first_ids, second_ids);
  EXPECT_EQ(first_ids.size(), 4u);
  const std::vector<Delivery> chongzuo = h.Read("chongzuo-ops");
  ASSERT_EQ(chongzuo.size(), 2u);
  EXPECT_EQ(chongzuo[0].seq(), 1u);
  EXPECT_EQ(chongzuo[1].seq(), 2u);
}

TEST(Escalation, ReplayedJudgmentIsNotDeliveredOrAnnouncedAgain) {
  DispatcherHarness h;
  h.Judge(MakeJudgment("j1", "451421"));
  h.Judge(MakeJudgment("j1", "451421"));
  EXPECT_EQ(h.Read("fusui-psb").size(), 1u);
  EXPECT_THAT(h.TakeEvents(), ElementsAre("DELIVERED fusui-psb/1"));
}

double Counter(const std::string& name, const std::string& unit) {
  return metrics::CounterFamily(name, "").Add({{"unit", unit}}).Value();
}
constexpr char kRerouted[] = "infobus_dispatch_rerouted_for_clearance_total";
constexpr char kUndelivered[] = "infobus_dispatch_undelivered_for_clearance_total";

Judgment Labelled(const std::string& id, const std::string& code,
                  infobus::common::v1::Classification classification,
                  std::vector<std::string> compartments = {}) {
  Judgment judgment = MakeJudgment(id, code);
  judgment.set_classification(classification);
  for (std::string& compartment : compartments) judgment.add_compartments(std::move(compartment));
  return judgment;
}

// A judgment above the unit's clearance goes to the supervisor, and the delivery and its
// DELIVERED event say whom it was meant for and why; counted once, not again on a replay.
TEST(ClearanceRouting, ADeliveryInAnotherUnitsPlaceIsRecordedAndCounted) {
  DispatcherHarness harness(kClearanceRouting);
  const double rerouted_before = Counter(kRerouted, "fusui-psb");
  const Judgment secret =
      Labelled("j-secret", "451421", infobus::common::v1::CLASSIFICATION_SECRET);
  harness.Judge(secret);
  EXPECT_THAT(harness.Read("fusui-psb"), IsEmpty());
  const std::vector<Delivery> city = harness.Read("chongzuo-ops");
  ASSERT_EQ(city.size(), 1u);
  EXPECT_EQ(city[0].judgment().judgment_id(), "j-secret");
  EXPECT_EQ(city[0].rerouted_from_unit(), "fusui-psb");
  EXPECT_EQ(city[0].reroute_reason(), infobus::common::v1::REROUTE_REASON_CLEARANCE);
  ASSERT_EQ(harness.events().size(), 1u);
  DispatchEvent event;
  ASSERT_TRUE(event.ParseFromString(harness.events()[0].value));
  EXPECT_EQ(event.type(), infobus::common::v1::DISPATCH_EVENT_TYPE_DELIVERED);
  EXPECT_EQ(event.unit_id(), "chongzuo-ops");
  EXPECT_EQ(event.rerouted_from_unit(), "fusui-psb");
  EXPECT_EQ(event.reroute_reason(), infobus::common::v1::REROUTE_REASON_CLEARANCE);
  EXPECT_EQ(Counter(kRerouted, "fusui-psb"), rerouted_before + 1);
  harness.TakeEvents();

  harness.Judge(secret);  // a replay
  EXPECT_THAT(harness.TakeEvents(), IsEmpty());
  EXPECT_EQ(Counter(kRerouted, "fusui-psb"), rerouted_before + 1);

  // One it is cleared for stays at Fusui, unmarked.
  harness.Judge(Labelled("j-conf", "451421", infobus::common::v1::CLASSIFICATION_CONFIDENTIAL));
  const std::vector<Delivery> fusui = harness.Read("fusui-psb");
  ASSERT_EQ(fusui.size(), 1u);
  EXPECT_EQ(fusui[0].rerouted_from_unit(), "");
  EXPECT_EQ(fusui[0].reroute_reason(), infobus::common::v1::REROUTE_REASON_UNSPECIFIED);
}

TEST(ClearanceRouting, AJudgmentNobodyUpTheChainIsClearedForIsNotDeliveredButCounted) {
  DispatcherHarness harness(kClearanceRouting);
  const double undelivered_before = Counter(kUndelivered, "fusui-psb");
  harness.Judge(Labelled("j-narcotics", "451421", infobus::common::v1::CLASSIFICATION_INTERNAL,
                         {"narcotics"}));
  for (const char* unit : {"fusui-psb", "chongzuo-ops", "guangxi-ops"}) {
    EXPECT_THAT(harness.Read(unit), IsEmpty()) << unit;
  }
  EXPECT_THAT(harness.TakeEvents(), IsEmpty());
  EXPECT_EQ(Counter(kUndelivered, "fusui-psb"), undelivered_before + 1);
}

// Escalation skips the city, which lacks the border compartment, for the province.
TEST(ClearanceRouting, EscalationGoesPastASupervisorNotClearedForTheJudgment) {
  DispatcherHarness harness(kClearanceRouting);
  const double rerouted_before = Counter(kRerouted, "chongzuo-ops");
  harness.Judge(
      Labelled("j-border", "451481", infobus::common::v1::CLASSIFICATION_CONFIDENTIAL, {"border"}));
  ASSERT_EQ(harness.Read("pingxiang-psb").size(), 1u);
  harness.TakeEvents();
  harness.clock().Advance(absl::Minutes(11));
  harness.Tick();
  EXPECT_THAT(harness.Read("chongzuo-ops"), IsEmpty());
  const std::vector<Delivery> province = harness.Read("guangxi-ops");
  ASSERT_EQ(province.size(), 1u);
  EXPECT_EQ(province[0].escalated_from(), "pingxiang-psb/1");
  EXPECT_EQ(province[0].escalation_level(), 1u);
  EXPECT_EQ(province[0].rerouted_from_unit(), "chongzuo-ops");
  EXPECT_EQ(province[0].reroute_reason(), infobus::common::v1::REROUTE_REASON_COMPARTMENT);
  EXPECT_THAT(harness.TakeEvents(),
              ElementsAre("DELIVERED guangxi-ops/1", "ESCALATED pingxiang-psb/1"));
  EXPECT_EQ(harness.Read("pingxiang-psb")[0].escalated_to(), "guangxi-ops/1");
  EXPECT_EQ(Counter(kRerouted, "chongzuo-ops"), rerouted_before + 1);
}

}  // namespace
}  // namespace infobus::dispatch
