// kill -9 of judgment and of dispatch while events stream through: no event is lost and no
// judgment reaches a unit twice.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/util/time.h"
#include "tests/integration/support/bus.h"
#include "tests/integration/support/clients.h"
#include "tests/integration/support/identities.h"

namespace infobus::testing {
namespace {

using infobus::common::v1::Event;

constexpr char kRoutingYaml[] = R"(units:
  - {id: guangxi-ops, jurisdictions: ["45"], clearance: INTERNAL}
)";

Event HitEvent(int i) {
  Event event;
  event.set_event_id(absl::StrCat("crash-", i));
  event.set_source_id("nanning-netcafe");
  event.set_county_code(i % 2 == 0 ? "450110" : "451421");
  event.set_kind("netcafe.login");
  *event.mutable_occurred_at() = ToProtoTimestamp(absl::Now());
  auto* subject = event.add_subjects();
  subject->set_type(infobus::common::v1::SUBJECT_TYPE_PHONE);
  subject->set_value("13800138000");
  return event;
}

TEST(Crash, KillNineOfJudgmentAndDispatchMidStreamLosesAndDoublesNothing) {
  TestBus bus("crash");
  auto judgment = bus.Service("judgment");
  const std::string routing_file = bus.dir() + "/routing.yaml";
  std::ofstream(routing_file) << kRoutingYaml;
  auto dispatch = bus.Service("dispatch", "dispatch:\n  routing_file: " + routing_file + "\n");
  auto collection = bus.Service("collection");
  ASSERT_TRUE(judgment->Start().ok()) << judgment->Log();
  ASSERT_TRUE(dispatch->Start().ok()) << dispatch->Log();
  ASSERT_TRUE(collection->Start().ok()) << collection->Log();

  {
    auto stub = infobus::judgment::v1::JudgmentService::NewStub(
        Channel(judgment->address(), AsAdministrator()));
    infobus::judgment::v1::AddWatchlistEntryRequest add;
    add.mutable_entry()->set_list_id("person_of_interest");
    add.mutable_entry()->mutable_subject()->set_type(infobus::common::v1::SUBJECT_TYPE_PHONE);
    add.mutable_entry()->mutable_subject()->set_value("138 0013 8000");
    add.mutable_entry()->set_severity(infobus::common::v1::SEVERITY_MEDIUM);
    infobus::judgment::v1::AddWatchlistEntryResponse added;
    grpc::ClientContext context;
    ASSERT_TRUE(stub->AddWatchlistEntry(&context, add, &added).ok());
  }

  auto publisher = infobus::collection::v1::CollectionService::NewStub(
      Channel(collection->address(), AsSource("nanning-netcafe")));
  constexpr int kEvents = 600;
  constexpr int kBatch = 20;
  for (int batch = 0; batch < kEvents / kBatch; ++batch) {
    if (batch == 10) {
      judgment->Kill();  // mid-stream: it is judging what the first batches brought
      ASSERT_TRUE(judgment->Start().ok()) << judgment->Log();
    }
    if (batch == 20) {
      dispatch->Kill();
      ASSERT_TRUE(dispatch->Start().ok()) << dispatch->Log();
    }
    infobus::collection::v1::PublishRequest request;
    for (int i = batch * kBatch; i < (batch + 1) * kBatch; ++i) *request.add_events() = HitEvent(i);
    infobus::collection::v1::PublishResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(publisher->Publish(&context, request, &response).ok());
    for (const auto& result : response.results()) {
      ASSERT_EQ(result.outcome(), infobus::collection::v1::PUBLISH_OUTCOME_ACCEPTED);
    }
  }

  InboxReader reader(dispatch->address(), "guangxi-ops", 0);
  ASSERT_TRUE(reader.WaitForCount(kEvents, absl::Seconds(120)))
      << "got " << reader.deliveries().size() << "\n"
      << judgment->Log() << dispatch->Log();
  std::set<std::string> event_ids;
  uint64_t seq = 1;
  for (const auto& delivery : reader.deliveries()) {
    EXPECT_EQ(delivery.seq(), seq++);
    EXPECT_TRUE(event_ids.insert(delivery.judgment().evidence(0).event_id()).second)
        << "delivered twice: " << delivery.judgment().evidence(0).event_id();
  }
  EXPECT_EQ(event_ids.size(), static_cast<size_t>(kEvents));

  // Nothing more is on its way: a fresh event is the very next delivery.
  infobus::collection::v1::PublishRequest request;
  *request.add_events() = HitEvent(kEvents);
  infobus::collection::v1::PublishResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(publisher->Publish(&context, request, &response).ok());
  ASSERT_TRUE(reader.WaitForCount(kEvents + 1, absl::Seconds(30)));
  EXPECT_EQ(reader.deliveries()[kEvents].judgment().evidence(0).event_id(),
            absl::StrCat("crash-", kEvents));
}

}  // namespace
}  // namespace infobus::testing
