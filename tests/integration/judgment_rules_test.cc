// The judgment engine in the service, on the real broker: events of every rule kind in, the
// judgments out on the judgments topic with deterministic ids; kill -9 mid-stream and restart
// gives the same set of judgments, none twice; the rules file reloads without a restart and
// keeps the state of unchanged rules; a direct rule makes a judgment of each event it names.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/kafka/producer.h"
#include "common/util/ids.h"
#include "common/util/time.h"
#include "infobus/common/v1/judgment.pb.h"
#include "tests/integration/support/bus.h"
#include "tests/integration/support/clients.h"
#include "tests/integration/support/identities.h"

namespace infobus::testing {
namespace {

using infobus::common::v1::Event;
using infobus::common::v1::Judgment;

// Event times far in the past and hour-aligned, so windows are predictable; grace is wide
// because the three partitions are consumed in no particular interleaving.
const absl::Time kT0 = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z
constexpr char kMover[] = "11010519491231002X";
constexpr char kGuest[] = "110105194912310029";
constexpr char kWatchedPhone[] = "13800138000";

constexpr char kRules[] = R"(version: 1
rules:
  - id: watchlist-hit
    version: 1
    kind: watchlist
    severity: medium
  - id: alarms
    version: 1
    kind: hotspot
    severity: high
    filter: {kinds: [alarm.call]}
    group_by: [kind, "jurisdiction:4"]
    window: 1h
    grace: 48h
    threshold: 3
  - id: movement
    version: 1
    kind: movement
    severity: medium
    filter: {subject_types: [id_number]}
    min_counties: 3
    within: 6h
    grace: 48h
  - id: lodging-netcafe
    version: 1
    kind: correlation
    severity: high
    filter: {subject_types: [id_number]}
    sequence: [lodging.checkin, netcafe.login]
    ordered: true
    within: 2h
    grace: 48h
)";

Event MakeEvent(const std::string& id, absl::Time at, const std::string& kind,
                const std::string& county, infobus::common::v1::SubjectType type,
                const std::string& subject) {
  Event event;
  event.set_event_id(id);
  event.set_source_id("it-source");
  event.set_trace_id(StableId({"trace", id}));
  event.set_kind(kind);
  event.set_county_code(county);
  event.set_classification(infobus::common::v1::CLASSIFICATION_INTERNAL);
  *event.mutable_occurred_at() = ToProtoTimestamp(at);
  auto* s = event.add_subjects();
  s->set_type(type);
  s->set_value(subject);
  return event;
}

Event Person(const std::string& id, absl::Time at, const std::string& kind,
             const std::string& county, const std::string& person) {
  return MakeEvent(id, at, kind, county, infobus::common::v1::SUBJECT_TYPE_ID_NUMBER, person);
}

Event Phone(const std::string& id, absl::Time at, const std::string& kind,
            const std::string& county, const std::string& phone) {
  return MakeEvent(id, at, kind, county, infobus::common::v1::SUBJECT_TYPE_PHONE, phone);
}

std::vector<Judgment> Judgments(const std::vector<kafka::Record>& records) {
  std::vector<Judgment> out;
  for (const kafka::Record& record : records) {
    Judgment judgment;
    EXPECT_TRUE(judgment.ParseFromString(record.value));
    out.push_back(judgment);
  }
  return out;
}

std::string WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  return path;
}

void AddWatchedPhone(const std::string& address) {
  auto stub = infobus::judgment::v1::JudgmentService::NewStub(Channel(address, AsAdministrator()));
  infobus::judgment::v1::AddWatchlistEntryRequest add;
  add.mutable_entry()->set_list_id("person_of_interest");
  add.mutable_entry()->mutable_subject()->set_type(infobus::common::v1::SUBJECT_TYPE_PHONE);
  add.mutable_entry()->mutable_subject()->set_value(kWatchedPhone);
  add.mutable_entry()->set_severity(infobus::common::v1::SEVERITY_HIGH);
  infobus::judgment::v1::AddWatchlistEntryResponse added;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  grpc::Status status = stub->AddWatchlistEntry(&context, add, &added);
  ASSERT_TRUE(status.ok()) << status.error_message();
}

std::string Nanos(absl::Time t) { return absl::StrCat(absl::ToUnixNanos(t)); }

TEST(JudgmentRules, EveryRuleKindAcrossKillNineGivesTheSameJudgmentsOnce) {
  TestBus bus("jrules");
  const std::string rules = WriteFile(bus.dir() + "/rules.yaml", kRules);
  auto judgment = bus.Service("judgment", "judgment:\n  rules_file: " + rules + "\n");
  ASSERT_TRUE(judgment->Start().ok()) << judgment->Log();
  AddWatchedPhone(judgment->address());
  const std::string events_topic = bus.Topic("infobus.events.v1");
  const std::string judgments_topic = bus.Topic("infobus.judgments.v1");

  // Before the first kill: half of every pattern, and a watchlist hit to know it was judged.
  std::vector<Event> first = {
      Phone("alarm-1", kT0 + absl::Minutes(5), "alarm.call", "451421", "13900000001"),
      Phone("alarm-2", kT0 + absl::Minutes(15), "alarm.call", "451481", "13900000002"),
      Phone("alarm-x1", kT0 + absl::Minutes(15), "alarm.call", "450110", "13900000003"),
      Person("move-1", kT0 + absl::Hours(1), "vehicle.pass", "451421", kMover),
      Person("move-2", kT0 + absl::Hours(2), "lodging.checkin", "451481", kMover),
      Person("guest-in", kT0 + absl::Hours(3), "lodging.checkin", "450110", kGuest),
      Phone("watched-1", kT0 + absl::Hours(3), "tip", "451421", kWatchedPhone),
  };
  for (int i = 0; i < 100; ++i) {  // filler that matches nothing
    first.push_back(Phone(absl::StrCat("filler-a", i), kT0 + absl::Minutes(i), "petition", "451421",
                          absl::StrCat("137", 10000000 + i)));
  }
  ProduceEvents(events_topic, first);
  // Wait until that batch is judged (the watchlist hit is out), let it commit, then kill -9.
  std::vector<kafka::Record> seen = ReadTopic(judgments_topic, 1, absl::Seconds(60));
  ASSERT_EQ(seen.size(), 1u) << judgment->Log();
  absl::SleepFor(absl::Milliseconds(500));
  judgment->Kill();
  ASSERT_TRUE(judgment->Start().ok()) << judgment->Log();

  // The other halves; kill -9 again straight after publishing, while it is working.
  std::vector<Event> second = {
      Phone("alarm-3", kT0 + absl::Minutes(50), "alarm.call", "451402", "13900000004"),
      Phone("alarm-x2", kT0 + absl::Minutes(55), "alarm.call", "450110", "13900000005"),
      Person("move-3", kT0 + absl::Hours(5), "tip", "450110", kMover),
      Person("guest-web", kT0 + absl::Hours(4), "netcafe.login", "450110", kGuest),
      Phone("watched-2", kT0 + absl::Hours(4), "tip", "451481", kWatchedPhone),
  };
  for (int i = 0; i < 200; ++i) {
    second.push_back(Phone(absl::StrCat("filler-b", i), kT0 + absl::Minutes(i), "petition",
                           "451421", absl::StrCat("136", 10000000 + i)));
  }
  ProduceEvents(events_topic, second);
  judgment->Kill();
  ASSERT_TRUE(judgment->Start().ok()) << judgment->Log();

  const std::map<std::string, std::string> expected = {
      {StableId({"watchlist-hit", "person_of_interest", std::string("PHONE:") + kWatchedPhone,
                 "it-source", "watched-1"}),
       "watchlist-hit"},
      {StableId({"watchlist-hit", "person_of_interest", std::string("PHONE:") + kWatchedPhone,
                 "it-source", "watched-2"}),
       "watchlist-hit"},
      {StableId({"alarms", "alarm.call|4514", Nanos(kT0)}), "alarms"},
      {StableId({"movement", std::string("ID_NUMBER:") + kMover, Nanos(kT0 + absl::Hours(1))}),
       "movement"},
      {StableId(
           {"lodging-netcafe", std::string("ID_NUMBER:") + kGuest, Nanos(kT0 + absl::Hours(3))}),
       "lodging-netcafe"},
  };
  // Wait for them all, then read a little longer than needed to see any duplicate or extra.
  ReadTopic(judgments_topic, expected.size(), absl::Seconds(60));
  std::vector<Judgment> judgments =
      Judgments(ReadTopic(judgments_topic, expected.size() + 10, absl::Seconds(5)));
  std::map<std::string, int> count;
  for (const Judgment& j : judgments) ++count[j.judgment_id()];
  for (const auto& [id, rule] : expected) {
    EXPECT_EQ(count[id], 1) << rule << " " << id << "\n" << judgment->Log();
  }
  EXPECT_EQ(count.size(), expected.size()) << judgment->Log();
  EXPECT_EQ(judgments.size(), expected.size()) << "a judgment was produced twice";

  for (const Judgment& j : judgments) {
    EXPECT_EQ(expected.at(j.judgment_id()), j.rule_id());
    EXPECT_EQ(j.rule_version(), 1);
    for (const auto& evidence : j.evidence()) {
      EXPECT_EQ(evidence.trace_id(), StableId({"trace", evidence.event_id()}));
    }
    if (j.rule_id() == "alarms") {
      EXPECT_EQ(j.kind(), infobus::common::v1::JUDGMENT_KIND_HOTSPOT);
      EXPECT_EQ(j.evidence_size(), 3);
      EXPECT_EQ(j.jurisdiction_code(), "4514");
      EXPECT_EQ(FromProtoTimestamp(j.window_start()), kT0);
    } else if (j.rule_id() == "movement") {
      EXPECT_EQ(j.kind(), infobus::common::v1::JUDGMENT_KIND_MOVEMENT);
      EXPECT_EQ(j.evidence_size(), 3);
    } else if (j.rule_id() == "lodging-netcafe") {
      EXPECT_EQ(j.kind(), infobus::common::v1::JUDGMENT_KIND_CORRELATION);
      ASSERT_EQ(j.evidence_size(), 2);
      EXPECT_EQ(j.evidence(0).event_id(), "guest-in");
      EXPECT_EQ(j.evidence(1).event_id(), "guest-web");
    }
  }
}

TEST(JudgmentRules, RulesFileReloadsWithoutRestartAndKeepsUnchangedState) {
  TestBus bus("jreload");
  const std::string rules_path = WriteFile(bus.dir() + "/rules.yaml", kRules);
  auto judgment = bus.Service(
      "judgment", "judgment:\n  rules_file: " + rules_path + "\n  rules_check_interval: 200ms\n");
  ASSERT_TRUE(judgment->Start().ok()) << judgment->Log();
  const std::string events_topic = bus.Topic("infobus.events.v1");
  const std::string judgments_topic = bus.Topic("infobus.judgments.v1");

  // Two of three alarms, then a new rule is added to the file.
  ProduceEvents(events_topic,
                {Phone("a1", kT0 + absl::Minutes(1), "alarm.call", "451421", "13900000001"),
                 Phone("a2", kT0 + absl::Minutes(2), "alarm.call", "451421", "13900000002")});
  absl::SleepFor(absl::Seconds(2));
  WriteFile(rules_path, std::string(kRules) + R"(  - id: tips
    version: 1
    kind: hotspot
    severity: low
    filter: {kinds: [tip]}
    group_by: [county]
    window: 1h
    grace: 48h
    threshold: 1
)");
  // The admin RPC reports what the reload did (the file poll may have got there first: then
  // everything is already in force and nothing is new).
  auto stub = infobus::judgment::v1::JudgmentService::NewStub(
      Channel(judgment->address(), AsAdministrator()));
  infobus::judgment::v1::ReloadRulesResponse reloaded;
  grpc::ClientContext context;
  ASSERT_TRUE(stub->ReloadRules(&context, {}, &reloaded).ok());
  EXPECT_TRUE(reloaded.changed().empty());
  EXPECT_TRUE(reloaded.removed().empty());

  // The third alarm completes the hotspot begun before the reload; the new rule works.
  ProduceEvents(events_topic,
                {Phone("a3", kT0 + absl::Minutes(3), "alarm.call", "451421", "13900000003"),
                 Phone("t1", kT0 + absl::Minutes(3), "tip", "451421", "13900000004")});
  std::set<std::string> rules;
  for (const Judgment& j : Judgments(ReadTopic(judgments_topic, 2, absl::Seconds(30)))) {
    rules.insert(j.rule_id());
  }
  EXPECT_EQ(rules, (std::set<std::string>{"alarms", "tips"})) << judgment->Log();

  // A broken file is refused: the RPC names the field, and the rules in force stay.
  WriteFile(rules_path, "version: 1\nrules: [{id: bad, version: 1, kind: hotspot}]\n");
  grpc::ClientContext bad_context;
  grpc::Status status = stub->ReloadRules(&bad_context, {}, &reloaded);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("rules[0].severity"), std::string::npos)
      << status.error_message();
}

// A direct rule in the service: each petition is one DIRECT judgment on the judgments topic,
// with its event as evidence and the rule's response deadline; other kinds make none.
TEST(JudgmentRules, EveryPetitionIsOneDirectJudgmentWithTheRulesDeadline) {
  TestBus bus("jdirect");
  const std::string rules = WriteFile(bus.dir() + "/rules.yaml", R"(version: 1
rules:
  - id: petition-direct
    version: 1
    kind: direct
    severity: medium
    filter: {kinds: [petition]}
    response_deadline: 72h
)");
  auto judgment = bus.Service("judgment", "judgment:\n  rules_file: " + rules + "\n");
  ASSERT_TRUE(judgment->Start().ok()) << judgment->Log();
  const std::string judgments_topic = bus.Topic("infobus.judgments.v1");
  ProduceEvents(bus.Topic("infobus.events.v1"),
                {Phone("call-1", kT0, "alarm.call", "451421", "13900000001"),
                 Person("petition-1", kT0 + absl::Minutes(1), "petition", "451421", kMover),
                 Phone("petition-2", kT0 + absl::Minutes(2), "petition", "451481", "13900000002")});
  ReadTopic(judgments_topic, 2, absl::Seconds(60));
  // A little longer than needed, to see an extra one.
  std::map<std::string, Judgment> by_event;
  for (const Judgment& j : Judgments(ReadTopic(judgments_topic, 3, absl::Seconds(3)))) {
    ASSERT_EQ(j.evidence_size(), 1) << j.ShortDebugString();
    EXPECT_TRUE(by_event.emplace(j.evidence(0).event_id(), j).second)
        << "twice: " << j.judgment_id();
  }
  ASSERT_EQ(by_event.size(), 2u) << judgment->Log();
  for (const auto& [event_id, j] : by_event) {
    EXPECT_EQ(j.kind(), infobus::common::v1::JUDGMENT_KIND_DIRECT);
    EXPECT_EQ(j.judgment_id(), StableId({"petition-direct", "it-source", event_id}));
    EXPECT_EQ(FromProtoDuration(j.response_deadline()), absl::Hours(72));
  }
  EXPECT_EQ(by_event.at("petition-1").jurisdiction_code(), "451421");
  EXPECT_EQ(by_event.at("petition-2").jurisdiction_code(), "451481");
}

}  // namespace
}  // namespace infobus::testing
