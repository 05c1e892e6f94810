// The watchlist as a global table, on the real broker: an entry added through one judgment
// instance reaches every instance (each reads the whole compacted topic), catches the next
// event while the service runs, survives a restart, and a removal stops the hits.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/kafka/producer.h"
#include "common/util/time.h"
#include "infobus/common/v1/judgment.pb.h"
#include "tests/integration/support/bus.h"
#include "tests/integration/support/clients.h"
#include "tests/integration/support/identities.h"

namespace infobus::testing {
namespace {

using infobus::common::v1::Event;
using infobus::common::v1::Judgment;
using infobus::judgment::v1::JudgmentService;

constexpr char kPlate[] = "桂FA1234";

Event PlateEvent(const std::string& id) {
  Event event;
  event.set_event_id(id);
  event.set_source_id("checkpoint-7");
  event.set_trace_id(std::string(32, 'a'));
  event.set_kind("vehicle.pass");
  event.set_county_code("451421");
  *event.mutable_occurred_at() = ToProtoTimestamp(absl::Now());
  auto* subject = event.add_subjects();
  subject->set_type(infobus::common::v1::SUBJECT_TYPE_PLATE);
  subject->set_value(kPlate);
  return event;
}

grpc::Status Add(const std::string& address, const std::string& written, bool* replaced,
                 infobus::common::v1::Severity severity = infobus::common::v1::SEVERITY_HIGH) {
  auto stub = JudgmentService::NewStub(Channel(address, AsAdministrator()));
  infobus::judgment::v1::AddWatchlistEntryRequest add;
  add.mutable_entry()->set_list_id("stolen_vehicle");
  add.mutable_entry()->mutable_subject()->set_type(infobus::common::v1::SUBJECT_TYPE_PLATE);
  add.mutable_entry()->mutable_subject()->set_value(written);
  add.mutable_entry()->set_severity(severity);
  infobus::judgment::v1::AddWatchlistEntryResponse added;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  grpc::Status status = stub->AddWatchlistEntry(&context, add, &added);
  if (replaced != nullptr) *replaced = added.replaced();
  return status;
}

// The number of judgments on the topic, once no more arrive for a moment.
size_t CountJudgments(const std::string& topic, size_t at_least) {
  ReadTopic(topic, at_least, absl::Seconds(30));
  return ReadTopic(topic, at_least + 5, absl::Seconds(3)).size();
}

TEST(JudgmentWatchlist, AnEntryWithoutSeverityTakesTheRulesAndAnUnknownOneIsRefused) {
  TestBus bus("jwsev");
  auto judgment = bus.Service("judgment");  // the built-in rule: watchlist-hit, severity medium
  ASSERT_TRUE(judgment->Start().ok()) << judgment->Log();
  grpc::Status refused =
      Add(judgment->address(), kPlate, nullptr, static_cast<infobus::common::v1::Severity>(99));
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(refused.error_message().find("entry.severity"), std::string::npos);
  grpc::Status added =
      Add(judgment->address(), kPlate, nullptr, infobus::common::v1::SEVERITY_UNSPECIFIED);
  ASSERT_TRUE(added.ok()) << added.error_message();
  ProduceEvent(bus.Topic("infobus.events.v1"), PlateEvent("unrated"));
  std::vector<kafka::Record> records =
      ReadTopic(bus.Topic("infobus.judgments.v1"), 1, absl::Seconds(30));
  ASSERT_EQ(records.size(), 1u) << judgment->Log();
  Judgment made;
  ASSERT_TRUE(made.ParseFromString(records[0].value));
  EXPECT_EQ(made.severity(), infobus::common::v1::SEVERITY_MEDIUM);
}

TEST(JudgmentWatchlist, EntryAddedAtRuntimeReachesEveryInstanceAndCatchesTheNextEvent) {
  TestBus bus("jwatch");
  auto first = bus.Service("judgment");
  ASSERT_TRUE(first->Start().ok()) << first->Log();
  // A second instance of the same service: its own config, store and work directory.
  const std::string second_dir = bus.dir() + "/second";
  std::filesystem::create_directories(second_dir);
  {
    std::ifstream in(bus.dir() + "/judgment.yaml");
    std::stringstream text;
    text << in.rdbuf();
    std::string yaml = text.str();
    yaml.replace(yaml.find("judgment-0"), 10, "judgment-1");
    yaml.replace(yaml.find(bus.dir() + "/judgment-db"), bus.dir().size() + 12,
                 second_dir + "/judgment-db");
    std::ofstream out(second_dir + "/judgment.yaml");
    out << yaml;
  }
  ServiceProcess second("judgment", second_dir + "/judgment.yaml", second_dir);
  ASSERT_TRUE(second.Start().ok()) << second.Log();

  const std::string events = bus.Topic("infobus.events.v1");
  const std::string judgments = bus.Topic("infobus.judgments.v1");

  // Before the entry exists: no judgment.
  ProduceEvent(events, PlateEvent("before"));
  absl::SleepFor(absl::Seconds(2));
  EXPECT_EQ(ReadTopic(judgments, 1, absl::Seconds(2)).size(), 0u);

  // Added through the first instance, written as a source might write it.
  bool replaced = true;
  grpc::Status status = Add(first->address(), "桂f·a1234", &replaced);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(replaced);
  // The second instance has it within seconds: adding it there again finds it.
  bool seen_by_second = false;
  for (absl::Time until = absl::Now() + absl::Seconds(10); absl::Now() < until && !seen_by_second;
       absl::SleepFor(absl::Milliseconds(200))) {
    ASSERT_TRUE(Add(second.address(), kPlate, &replaced).ok());
    seen_by_second = replaced;
  }
  EXPECT_TRUE(seen_by_second) << second.Log();

  // The next event is caught, whichever instance owns its partition.
  ProduceEvent(events, PlateEvent("after"));
  std::vector<kafka::Record> records = ReadTopic(judgments, 1, absl::Seconds(30));
  ASSERT_EQ(records.size(), 1u) << first->Log() << second.Log();
  Judgment judgment;
  ASSERT_TRUE(judgment.ParseFromString(records[0].value));
  EXPECT_EQ(judgment.evidence(0).event_id(), "after");
  EXPECT_EQ(judgment.rule_id(), "watchlist-hit");
  EXPECT_EQ(judgment.severity(), infobus::common::v1::SEVERITY_HIGH);

  // Both restart from their stores and still have it; a removal then stops the hits.
  first->Kill();
  second.Kill();
  ASSERT_TRUE(first->Start().ok()) << first->Log();
  ASSERT_TRUE(second.Start().ok()) << second.Log();
  ProduceEvent(events, PlateEvent("after-restart"));
  EXPECT_EQ(CountJudgments(judgments, 2), 2u);

  auto stub = JudgmentService::NewStub(Channel(second.address(), AsAdministrator()));
  infobus::judgment::v1::RemoveWatchlistEntryRequest remove;
  remove.set_list_id("stolen_vehicle");
  remove.mutable_subject()->set_type(infobus::common::v1::SUBJECT_TYPE_PLATE);
  remove.mutable_subject()->set_value(kPlate);
  infobus::judgment::v1::RemoveWatchlistEntryResponse removed;
  grpc::ClientContext context;
  ASSERT_TRUE(stub->RemoveWatchlistEntry(&context, remove, &removed).ok());
  EXPECT_TRUE(removed.removed());
  // The removal is a tombstone (a null value), so compaction drops the entry from the topic.
  const std::vector<kafka::Record> written =
      ReadTopic(bus.Topic("infobus.watchlists.v1"), 1000, absl::Seconds(5));  // all of it
  ASSERT_FALSE(written.empty());
  EXPECT_TRUE(written.back().null_value);
  EXPECT_FALSE(written.front().null_value);
  absl::SleepFor(absl::Seconds(2));  // the first instance applies the removal too
  ProduceEvent(events, PlateEvent("after-removal"));
  EXPECT_EQ(CountJudgments(judgments, 2), 2u);
}

}  // namespace
}  // namespace infobus::testing
