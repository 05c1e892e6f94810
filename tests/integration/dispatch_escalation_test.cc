// Dispatch on the real broker: judgments injected straight onto the judgments topic reach 20
// units of a province → city → county hierarchy; deliveries not signed off in time climb to the
// supervisors on time; kill -9 of dispatch mid-stream leaves every unit's sequence gap-free and
// without duplicates, and the deadlines that fell due while it was down fire after the restart.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/kafka/producer.h"
#include "common/util/time.h"
#include "infobus/common/v1/dispatch_event.pb.h"
#include "infobus/common/v1/judgment.pb.h"
#include "tests/integration/support/bus.h"
#include "tests/integration/support/clients.h"
#include "tests/integration/support/identities.h"

namespace infobus::testing {
namespace {

using infobus::common::v1::Delivery;
using infobus::common::v1::DispatchEvent;
using infobus::common::v1::Judgment;

struct County {
  std::string unit;
  std::string code;
  std::string city;
};

// 1 province, 3 cities, 16 counties: 20 units.
const std::vector<std::pair<std::string, std::string>> kCities = {
    {"nanning-ops", "4501"}, {"liuzhou-ops", "4502"}, {"chongzuo-ops", "4514"}};
const std::vector<County> kCounties = {
    {"xingning-psb", "450102", "nanning-ops"},   {"qingxiu-psb", "450103", "nanning-ops"},
    {"jiangnan-psb", "450105", "nanning-ops"},   {"xixiangtang-psb", "450107", "nanning-ops"},
    {"liangqing-psb", "450108", "nanning-ops"},  {"chengzhong-psb", "450202", "liuzhou-ops"},
    {"yufeng-psb", "450203", "liuzhou-ops"},     {"liunan-psb", "450204", "liuzhou-ops"},
    {"liubei-psb", "450205", "liuzhou-ops"},     {"liujiang-psb", "450206", "liuzhou-ops"},
    {"jiangzhou-psb", "451402", "chongzuo-ops"}, {"fusui-psb", "451421", "chongzuo-ops"},
    {"ningming-psb", "451422", "chongzuo-ops"},  {"longzhou-psb", "451423", "chongzuo-ops"},
    {"daxin-psb", "451424", "chongzuo-ops"},     {"pingxiang-psb", "451481", "chongzuo-ops"},
};

std::string RoutingYaml(const std::string& high_deadline) {
  std::string yaml =
      absl::StrCat("sign_off_deadlines: {high: ", high_deadline, "}\n",
                   "units:\n  - {id: guangxi-ops, jurisdictions: [\"45\"], clearance: INTERNAL}\n");
  for (const auto& [id, code] : kCities) {
    absl::StrAppend(&yaml, "  - {id: ", id, ", jurisdictions: [\"", code,
                    "\"], supervisor: guangxi-ops, clearance: INTERNAL}\n");
  }
  for (const County& county : kCounties) {
    absl::StrAppend(&yaml, "  - {id: ", county.unit, ", jurisdictions: [\"", county.code,
                    "\"], supervisor: ", county.city, ", clearance: INTERNAL}\n");
  }
  absl::StrAppend(&yaml, "routes:\n  - {send_to_jurisdiction: most_specific}\n");
  return yaml;
}

std::vector<std::string> AllUnits() {
  std::vector<std::string> units = {"guangxi-ops"};
  for (const auto& [id, code] : kCities) units.push_back(id);
  for (const County& county : kCounties) units.push_back(county.unit);
  return units;
}

Judgment MakeJudgment(const County& county, int i) {
  Judgment judgment;
  judgment.set_judgment_id(absl::StrCat("j-", county.code, "-", i));
  judgment.set_rule_id("watchlist-hit");
  judgment.set_kind(infobus::common::v1::JUDGMENT_KIND_WATCHLIST_HIT);
  judgment.set_severity(infobus::common::v1::SEVERITY_HIGH);
  judgment.set_jurisdiction_code(county.code);
  judgment.set_title(absl::StrCat("hit ", i, " in ", county.code));
  *judgment.mutable_created_at() = ToProtoTimestamp(absl::Now());
  return judgment;
}

class DispatchEscalationTest : public ::testing::Test {
 protected:
  void StartDispatch(const std::string& high_deadline) {
    const std::string routing_file = bus_.dir() + "/routing.yaml";
    std::ofstream(routing_file) << RoutingYaml(high_deadline);
    dispatch_ = bus_.Service("dispatch", "dispatch:\n  routing_file: " + routing_file + "\n");
    ASSERT_TRUE(dispatch_->Start().ok()) << dispatch_->Log();
    auto producer = kafka::Producer::Create(TestBootstrapServers(), {{"linger.ms", "1"}});
    ASSERT_TRUE(producer.ok()) << producer.status();
    producer_ = std::move(*producer);
  }

  // A stub of `unit`'s officer, "officer-<unit>" (one connection per unit: sign-offs race a
  // deadline).
  infobus::dispatch::v1::DispatchService::Stub& Officer(const std::string& unit) {
    auto& stub = officers_[unit];
    if (stub == nullptr) {
      stub = infobus::dispatch::v1::DispatchService::NewStub(
          Channel(dispatch_->address(), AsOfficer(unit)));
    }
    return *stub;
  }

  void TearDown() override {
    if (HasFailure() && dispatch_) std::cerr << dispatch_->Log();
  }

  void Produce(const std::vector<Judgment>& judgments) {
    std::vector<kafka::OutgoingMessage> messages;
    for (const Judgment& judgment : judgments) {
      messages.push_back({bus_.Topic("infobus.judgments.v1"),
                          judgment.jurisdiction_code(),
                          judgment.SerializeAsString(),
                          {{kafka::kSchemaHeader, Judgment::descriptor()->full_name()}}});
    }
    for (const absl::Status& status : producer_->ProduceAll(messages)) {
      ASSERT_TRUE(status.ok()) << status;
    }
  }

  grpc::Status Ack(const Delivery& delivery) {
    infobus::dispatch::v1::AcknowledgeRequest request;
    request.set_unit_id(delivery.unit_id());
    request.set_seq(delivery.seq());
    request.set_acknowledged_by("officer-" + delivery.unit_id());
    infobus::dispatch::v1::AcknowledgeResponse response;
    grpc::ClientContext context;
    return Officer(delivery.unit_id()).Acknowledge(&context, request, &response);
  }

  TestBus bus_{"dispatch-escalation"};
  std::unique_ptr<ServiceProcess> dispatch_;
  kafka::ProducerPtr producer_;
  std::map<std::string, std::unique_ptr<infobus::dispatch::v1::DispatchService::Stub>> officers_;
};

// Seqs 1..n without gaps, no judgment twice; returns judgment ids.
std::set<std::string> CheckSequence(const std::string& unit, const std::vector<Delivery>& got) {
  std::set<std::string> judgments;
  uint64_t expected = 1;
  for (const Delivery& delivery : got) {
    EXPECT_EQ(delivery.unit_id(), unit);
    EXPECT_EQ(delivery.seq(), expected++) << unit;
    EXPECT_TRUE(judgments.insert(delivery.judgment().judgment_id()).second)
        << unit << " got " << delivery.judgment().judgment_id() << " twice";
  }
  return judgments;
}

TEST_F(DispatchEscalationTest, UnsignedDeliveriesClimbToSupervisorsOnTime) {
  constexpr absl::Duration kDeadline = absl::Seconds(2);
  StartDispatch("2s");
  std::map<std::string, std::unique_ptr<InboxReader>> readers;
  for (const std::string& unit : AllUnits()) {
    readers[unit] = std::make_unique<InboxReader>(dispatch_->address(), unit, 0);
  }

  // 4 judgments per county, 64 in all. Counties sign off the even ones as soon as they arrive.
  constexpr int kPerCounty = 4;
  std::vector<Judgment> judgments;
  for (int i = 0; i < kPerCounty; ++i) {
    for (const County& county : kCounties) judgments.push_back(MakeJudgment(county, i));
  }
  Produce(judgments);

  std::map<std::string, size_t> acked;  // unit → deliveries looked at
  int county_acks = 0;
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  // Every county has had all its deliveries looked at (and the even ones signed off).
  auto all_handled = [&] {
    for (const County& county : kCounties) {
      if (acked[county.unit] < kPerCounty) return false;
    }
    return true;
  };
  // Sign off as deliveries arrive (well inside the 2 s deadline).
  while (!all_handled() && absl::Now() < give_up) {
    for (const County& county : kCounties) {
      const std::vector<Delivery> got = readers[county.unit]->deliveries();
      for (size_t k = acked[county.unit]; k < got.size(); ++k) {
        const std::string& id = got[k].judgment().judgment_id();
        if ((id.back() - '0') % 2 == 0) {
          grpc::Status status = Ack(got[k]);
          ASSERT_TRUE(status.ok()) << status.error_message();
          ++county_acks;
          const absl::Duration age = absl::Now() - FromProtoTimestamp(got[k].delivered_at());
          ASSERT_LT(age, kDeadline) << "the test signed off too late to prove anything";
        }
      }
      acked[county.unit] = got.size();
    }
    // Wait a little for the next arrival (any county's; the loop looks at all of them).
    readers[kCounties[0].unit]->WaitForCount(acked[kCounties[0].unit] + 1, absl::Milliseconds(5));
  }
  ASSERT_TRUE(all_handled());
  EXPECT_EQ(county_acks, 32);

  // Each city gets the odd judgments of its counties, escalated, within the deadline plus a
  // loop turn or two. Nanning's duty officer signs off at once; the others let them climb.
  std::map<std::string, int> expected_city;
  for (const County& county : kCounties) expected_city[county.city] += kPerCounty / 2;
  absl::Duration worst_lag = absl::ZeroDuration();
  for (const auto& [city, code] : kCities) {
    ASSERT_TRUE(readers[city]->WaitForCount(expected_city[city], absl::Seconds(20)))
        << city << " got " << readers[city]->deliveries().size();
    const std::vector<Delivery> got = readers[city]->deliveries();
    CheckSequence(city, got);
    for (const Delivery& delivery : got) {
      EXPECT_EQ(delivery.escalation_level(), 1u);
      EXPECT_EQ((delivery.judgment().judgment_id().back() - '0') % 2, 1);
      const std::string from_unit =
          delivery.escalated_from().substr(0, delivery.escalated_from().find('/'));
      const std::vector<Delivery> origin = readers[from_unit]->deliveries();
      const uint64_t from_seq = std::stoull(delivery.escalated_from().substr(from_unit.size() + 1));
      ASSERT_LE(from_seq, origin.size());
      const Delivery& original = origin[from_seq - 1];
      EXPECT_EQ(original.judgment().judgment_id(), delivery.judgment().judgment_id());
      const absl::Time due = FromProtoTimestamp(original.deadline());
      const absl::Time escalated = FromProtoTimestamp(delivery.delivered_at());
      EXPECT_EQ(due, FromProtoTimestamp(original.delivered_at()) + kDeadline);
      EXPECT_GT(escalated, due) << "escalated before the deadline";
      worst_lag = std::max(worst_lag, escalated - due);
      if (city == "nanning-ops") {
        ASSERT_TRUE(Ack(delivery).ok());
      }
    }
  }
  std::cout << "[ figures  ] escalation after the deadline: worst " << worst_lag << "\n";
  EXPECT_LT(worst_lag, absl::Seconds(1)) << "escalation is late";

  // Liuzhou's and Chongzuo's escalations were not signed off: they reach the province (level 2).
  const size_t to_province = expected_city["liuzhou-ops"] + expected_city["chongzuo-ops"];
  ASSERT_TRUE(readers["guangxi-ops"]->WaitForCount(to_province, absl::Seconds(20)));
  const std::vector<Delivery> province = readers["guangxi-ops"]->deliveries();
  CheckSequence("guangxi-ops", province);
  for (const Delivery& delivery : province) {
    EXPECT_EQ(delivery.escalation_level(), 2u);
    EXPECT_NE(delivery.escalated_from().rfind("nanning-ops/", 0), 0u);
    EXPECT_FALSE(delivery.has_deadline());  // nobody above the province
  }

  // The acknowledged ones never climbed; ListDeliveries shows the rest as escalated.
  infobus::dispatch::v1::ListDeliveriesRequest list;
  list.set_unit_id("fusui-psb");
  list.add_statuses(infobus::common::v1::DELIVERY_STATUS_ESCALATED);
  infobus::dispatch::v1::ListDeliveriesResponse listed;
  grpc::ClientContext list_context;
  ASSERT_TRUE(Officer("fusui-psb").ListDeliveries(&list_context, list, &listed).ok());
  ASSERT_EQ(listed.deliveries_size(), 2);
  for (const Delivery& delivery : listed.deliveries()) {
    EXPECT_EQ(delivery.escalated_to().rfind("chongzuo-ops/", 0), 0u);
  }

  // Every change is on the dispatch-events topic, once per event id.
  const size_t deliveries = judgments.size() + 32 + to_province;
  const size_t acks = 32 + expected_city["nanning-ops"];
  const size_t escalations = 32 + to_province;
  const size_t total = deliveries + acks + escalations;
  const std::vector<kafka::Record> records =
      ReadTopic(bus_.Topic("infobus.dispatch-events.v1"), total + 10, absl::Seconds(10));
  std::map<infobus::common::v1::DispatchEventType, size_t> by_type;
  std::set<std::string> ids;
  for (const kafka::Record& record : records) {
    DispatchEvent event;
    ASSERT_TRUE(event.ParseFromString(record.value));
    if (!ids.insert(event.event_id()).second) continue;  // a repeat is allowed, not counted
    ++by_type[event.type()];
    EXPECT_TRUE(event.has_occurred_at());
    EXPECT_EQ(record.key, event.judgment_id());
  }
  EXPECT_EQ(by_type[infobus::common::v1::DISPATCH_EVENT_TYPE_DELIVERED], deliveries);
  EXPECT_EQ(by_type[infobus::common::v1::DISPATCH_EVENT_TYPE_ACKNOWLEDGED], acks);
  EXPECT_EQ(by_type[infobus::common::v1::DISPATCH_EVENT_TYPE_ESCALATED], escalations);
}

TEST_F(DispatchEscalationTest, KillNineMidStreamLeavesEverySequenceGapFree) {
  StartDispatch("1s");
  constexpr int kRounds = 30;  // × 16 counties = 480 judgments
  std::vector<Judgment> all;
  for (int round = 0; round < kRounds; ++round) {
    std::vector<Judgment> batch;
    for (const County& county : kCounties) batch.push_back(MakeJudgment(county, round));
    Produce(batch);
    all.insert(all.end(), batch.begin(), batch.end());
    if (round == 10 || round == 20) {
      // Mid-stream: judgments are being consumed and deadlines are falling due.
      dispatch_->Kill();
      if (round == 20) absl::SleepFor(absl::Seconds(2));  // let deadlines fall due while down
      ASSERT_TRUE(dispatch_->Start().ok()) << dispatch_->Log();
    }
    absl::SleepFor(absl::Milliseconds(50));  // pacing the stream, not synchronisation
  }

  // Nobody signs anything off: every judgment ends up in its county, its city and the province.
  std::map<std::string, size_t> expected;
  for (const County& county : kCounties) {
    expected[county.unit] = kRounds;
    expected[county.city] += kRounds;
    expected["guangxi-ops"] += kRounds;
  }
  for (const std::string& unit : AllUnits()) {
    InboxReader reader(dispatch_->address(), unit, 0);
    ASSERT_TRUE(reader.WaitForCount(expected[unit], absl::Seconds(60)))
        << unit << " got " << reader.deliveries().size() << " of " << expected[unit];
    const std::vector<Delivery> got = reader.deliveries();
    EXPECT_EQ(got.size(), expected[unit]) << unit;
    const std::set<std::string> judgments = CheckSequence(unit, got);
    EXPECT_EQ(judgments.size(), expected[unit]) << unit;
    for (const Delivery& delivery : got) {
      const bool county = unit.find("-psb") != std::string::npos;
      EXPECT_EQ(delivery.escalation_level(), county ? 0u : unit == "guangxi-ops" ? 2u : 1u);
      if (unit != "guangxi-ops") {
        EXPECT_EQ(delivery.status(), infobus::common::v1::DELIVERY_STATUS_ESCALATED) << unit;
      }
    }
  }
  // A fresh judgment afterwards is the next seq of its county: nothing more was pending.
  Produce({MakeJudgment(kCounties[0], 1000)});
  InboxReader next(dispatch_->address(), kCounties[0].unit, kRounds);
  ASSERT_TRUE(next.WaitForCount(1, absl::Seconds(30)));
  EXPECT_EQ(next.deliveries()[0].seq(), static_cast<uint64_t>(kRounds + 1));
  EXPECT_EQ(next.deliveries()[0].judgment().judgment_id(),
            MakeJudgment(kCounties[0], 1000).judgment_id());
}

}  // namespace
}  // namespace infobus::testing
