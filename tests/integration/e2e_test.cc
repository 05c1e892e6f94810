// The walking skeleton end to end, on a real broker and the three service processes: events from
// three counties go in through collection (each county's source publishing its own), watchlist
// hits come out in the right units' inboxes, each once, across a kill -9 of dispatch, and a
// republished batch changes nothing.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/util/time.h"
#include "tests/integration/support/bus.h"
#include "tests/integration/support/clients.h"
#include "tests/integration/support/identities.h"

namespace infobus::testing {
namespace {

using infobus::collection::v1::PublishRequest;
using infobus::collection::v1::PublishResponse;
using infobus::collection::v1::PublishResult;
using infobus::common::v1::Delivery;
using infobus::common::v1::Event;

// The dispatch routing file: no routes, so the default applies (every covering unit).
constexpr char kRoutingYaml[] = R"(units:
  - {id: guangxi-ops, jurisdictions: ["45"], clearance: INTERNAL}
  - {id: chongzuo-ops, jurisdictions: ["4514"], supervisor: guangxi-ops, clearance: INTERNAL}
  - {id: fusui-psb, jurisdictions: ["451421"], supervisor: chongzuo-ops, clearance: INTERNAL}
  - {id: pingxiang-psb, jurisdictions: ["451481"], supervisor: chongzuo-ops, clearance: INTERNAL}
  - {id: wuming-psb, jurisdictions: ["450110"], supervisor: guangxi-ops, clearance: INTERNAL}
  - {id: dongcheng-psb, jurisdictions: ["110101"], clearance: INTERNAL}
)";

const std::vector<std::string> kCounties = {"451421", "451481", "450110"};

// Watchlisted subjects, as sources write them (not normalised), and their list entries.
struct Watched {
  infobus::common::v1::SubjectType type;
  std::string as_written;
  std::string list_id;
  std::string stored_value;
};
const std::vector<Watched> kWatched = {
    {infobus::common::v1::SUBJECT_TYPE_ID_NUMBER, "11010519491231002x", "wanted_person",
     "11010519491231002X"},
    {infobus::common::v1::SUBJECT_TYPE_PLATE, "桂f·a1234", "stolen_vehicle", "桂FA1234"},
    {infobus::common::v1::SUBJECT_TYPE_PHONE, "+86 138-0013-8000", "person_of_interest",
     "13800138000"},
};

Event MakeEvent(int i, const std::string& county, const Watched* watched) {
  Event event;
  event.set_event_id(absl::StrCat("ev-", i));
  event.set_source_id(absl::StrCat("source-", county));
  event.set_county_code(county);
  event.set_kind(i % 2 == 0 ? "lodging.checkin" : "vehicle.pass");
  *event.mutable_occurred_at() = ToProtoTimestamp(absl::Now() - absl::Minutes(10));
  auto* subject = event.add_subjects();
  subject->set_type(infobus::common::v1::SUBJECT_TYPE_PHONE);
  subject->set_value(absl::StrCat("139", 10000000 + i));  // never watchlisted
  if (watched != nullptr) {
    auto* hit = event.add_subjects();
    hit->set_type(watched->type);
    hit->set_value(watched->as_written);
  }
  event.set_payload(absl::StrCat("event ", i));
  return event;
}

class EndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    judgment_ = bus_.Service("judgment");
    const std::string routing_file = bus_.dir() + "/routing.yaml";
    std::ofstream(routing_file) << kRoutingYaml;
    dispatch_ = bus_.Service("dispatch", "dispatch:\n  routing_file: " + routing_file + "\n");
    collection_ = bus_.Service("collection");
    ASSERT_TRUE(judgment_->Start().ok()) << judgment_->Log();
    ASSERT_TRUE(dispatch_->Start().ok()) << dispatch_->Log();
    ASSERT_TRUE(collection_->Start().ok()) << collection_->Log();
  }

  // Publishing as `source_id` (one connection per source, as each county's system has).
  infobus::collection::v1::CollectionService::Stub& Source(const std::string& source_id) {
    auto& stub = sources_[source_id];
    if (stub == nullptr) {
      stub = infobus::collection::v1::CollectionService::NewStub(
          Channel(collection_->address(), AsSource(source_id)));
    }
    return *stub;
  }

  void TearDown() override {
    if (HasFailure()) {
      for (auto* service : {judgment_.get(), dispatch_.get(), collection_.get()}) {
        if (service != nullptr) std::cerr << service->Log();
      }
    }
  }

  // Each source publishes its own events of `events` (in their order, one call per source); the
  // results in the order of `events`.
  PublishResponse Publish(const std::vector<Event>& events) {
    std::map<std::string, std::vector<int>> by_source;  // source → indexes into `events`
    for (int i = 0; i < static_cast<int>(events.size()); ++i) {
      by_source[events[i].source_id()].push_back(i);
    }
    PublishResponse merged;
    for (size_t i = 0; i < events.size(); ++i) merged.add_results();
    for (const auto& [source, indexes] : by_source) {
      PublishRequest request;
      for (int i : indexes) *request.add_events() = events[i];
      PublishResponse response;
      grpc::ClientContext context;
      context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
      grpc::Status status = Source(source).Publish(&context, request, &response);
      EXPECT_TRUE(status.ok()) << source << ": " << status.error_message();
      for (int k = 0; k < response.results_size() && k < static_cast<int>(indexes.size()); ++k) {
        PublishResult& result = *merged.mutable_results(indexes[k]);
        result = response.results(k);
        // A field names the event by its index in the call: here, in `events`.
        if (!result.field().empty()) {
          result.set_field(absl::StrCat("events[", indexes[k], "]",
                                        result.field().substr(result.field().find(']') + 1)));
        }
      }
    }
    return merged;
  }

  void AddToWatchlist(const Watched& watched) {
    auto stub = infobus::judgment::v1::JudgmentService::NewStub(
        Channel(judgment_->address(), AsAdministrator()));
    infobus::judgment::v1::AddWatchlistEntryRequest request;
    request.mutable_entry()->set_list_id(watched.list_id);
    request.mutable_entry()->mutable_subject()->set_type(watched.type);
    request.mutable_entry()->mutable_subject()->set_value(watched.as_written);
    request.mutable_entry()->set_severity(infobus::common::v1::SEVERITY_HIGH);
    infobus::judgment::v1::AddWatchlistEntryResponse response;
    grpc::ClientContext context;
    grpc::Status status = stub->AddWatchlistEntry(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.entry().subject().value(), watched.stored_value);
  }

  TestBus bus_{"e2e"};
  std::unique_ptr<ServiceProcess> judgment_, dispatch_, collection_;
  std::map<std::string, std::unique_ptr<infobus::collection::v1::CollectionService::Stub>> sources_;
};

// The event ids behind a unit's deliveries, checking on the way that seqs run 1, 2, 3... from
// `first_seq` and that no judgment repeats.
std::vector<std::string> EvidenceOf(const std::vector<Delivery>& deliveries, uint64_t first_seq) {
  std::vector<std::string> event_ids;
  std::set<std::string> judgment_ids;
  uint64_t expected_seq = first_seq;
  for (const Delivery& delivery : deliveries) {
    EXPECT_EQ(delivery.seq(), expected_seq++) << delivery.unit_id();
    EXPECT_TRUE(judgment_ids.insert(delivery.judgment().judgment_id()).second)
        << "judgment delivered twice to " << delivery.unit_id();
    EXPECT_EQ(delivery.judgment().evidence_size(), 1);
    event_ids.push_back(delivery.judgment().evidence(0).event_id());
  }
  return event_ids;
}

TEST_F(EndToEndTest, EventsReachExactlyTheirUnitsOnceAcrossRestartAndRepublish) {
  for (const Watched& watched : kWatched) AddToWatchlist(watched);

  // 1,000 events from three counties; every 100th (10 in all) names a watchlisted subject.
  std::vector<Event> events;
  std::map<std::string, std::set<std::string>> expected;  // unit → event ids
  const std::map<std::string, std::vector<std::string>> unit_prefixes = {
      {"guangxi-ops", {"45"}},       {"chongzuo-ops", {"4514"}}, {"fusui-psb", {"451421"}},
      {"pingxiang-psb", {"451481"}}, {"wuming-psb", {"450110"}}, {"dongcheng-psb", {"110101"}}};
  for (int i = 0; i < 1000; ++i) {
    const std::string& county = kCounties[i % kCounties.size()];
    const bool hit = i % 100 == 37;
    events.push_back(MakeEvent(i, county, hit ? &kWatched[(i / 100) % kWatched.size()] : nullptr));
    if (!hit) continue;
    for (const auto& [unit, prefixes] : unit_prefixes) {
      for (const std::string& prefix : prefixes) {
        if (county.rfind(prefix, 0) == 0) expected[unit].insert(events.back().event_id());
      }
    }
  }
  ASSERT_EQ(expected["guangxi-ops"].size(), 10u);
  ASSERT_EQ(expected.count("dongcheng-psb"), 0u);

  std::map<std::string, std::unique_ptr<InboxReader>> readers;
  for (const auto& [unit, prefixes] : unit_prefixes) {
    readers[unit] = std::make_unique<InboxReader>(dispatch_->address(), unit, 0);
  }

  for (size_t start = 0; start < events.size(); start += 100) {
    PublishResponse response =
        Publish(std::vector<Event>(events.begin() + start, events.begin() + start + 100));
    ASSERT_EQ(response.results_size(), 100);
    for (const auto& result : response.results()) {
      ASSERT_EQ(result.outcome(), infobus::collection::v1::PUBLISH_OUTCOME_ACCEPTED)
          << result.event_id() << ": " << result.reason();
      EXPECT_EQ(result.trace_id().size(), 32u);
    }
  }

  // Each unit receives exactly the judgments of its jurisdiction, each once, seq 1..n.
  std::map<std::string, std::vector<Delivery>> first_read;
  for (const auto& [unit, prefixes] : unit_prefixes) {
    const size_t want = expected[unit].size();
    if (want > 0) {
      ASSERT_TRUE(readers[unit]->WaitForCount(want, absl::Seconds(60)))
          << unit << " got " << readers[unit]->deliveries().size() << " of " << want;
    }
    first_read[unit] = readers[unit]->deliveries();
    const std::vector<std::string> got = EvidenceOf(first_read[unit], 1);
    EXPECT_EQ(std::set<std::string>(got.begin(), got.end()), expected[unit]) << unit;
    EXPECT_EQ(got.size(), expected[unit].size()) << unit;
  }
  for (const Delivery& delivery : first_read["fusui-psb"]) {
    EXPECT_EQ(delivery.judgment().jurisdiction_code(), "451421");
    EXPECT_EQ(delivery.judgment().severity(), infobus::common::v1::SEVERITY_HIGH);
    EXPECT_EQ(delivery.judgment().evidence(0).trace_id().size(), 32u);
  }

  // Sign-off is recorded once: the second attempt (another officer of the unit) reports the
  // first signer.
  for (const char* by : {"officer-1", "officer-2"}) {
    auto dispatch_stub = infobus::dispatch::v1::DispatchService::NewStub(
        Channel(dispatch_->address(), AsOfficer("fusui-psb", "INTERNAL", by)));
    infobus::dispatch::v1::AcknowledgeRequest ack;
    ack.set_unit_id("fusui-psb");
    ack.set_seq(1);
    ack.set_acknowledged_by(by);
    infobus::dispatch::v1::AcknowledgeResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(dispatch_stub->Acknowledge(&context, ack, &response).ok());
    EXPECT_EQ(response.already_acknowledged(), std::string(by) == "officer-2");
    EXPECT_EQ(response.acknowledged_by(), "officer-1");
  }
  readers.clear();

  // kill -9 dispatch and start it again: the inboxes are as they were.
  dispatch_->Kill();
  ASSERT_TRUE(dispatch_->Start().ok()) << dispatch_->Log();
  const uint64_t resume_after = 4;
  InboxReader resumed(dispatch_->address(), "guangxi-ops", resume_after);
  ASSERT_TRUE(resumed.WaitForCount(10 - resume_after, absl::Seconds(30)));
  const std::vector<Delivery> after_restart = resumed.deliveries();
  EvidenceOf(after_restart, resume_after + 1);
  for (size_t i = 0; i < after_restart.size(); ++i) {
    EXPECT_EQ(after_restart[i].judgment().judgment_id(),
              first_read["guangxi-ops"][resume_after + i].judgment().judgment_id());
  }
  InboxReader fusui(dispatch_->address(), "fusui-psb", 0);
  ASSERT_TRUE(fusui.WaitForCount(1, absl::Seconds(30)));
  EXPECT_EQ(fusui.deliveries()[0].status(), infobus::common::v1::DELIVERY_STATUS_ACKNOWLEDGED);
  EXPECT_EQ(fusui.deliveries()[0].acknowledged_by(), "officer-1");

  // The same batch again: every event is a duplicate and nothing new goes downstream.
  for (size_t start = 0; start < events.size(); start += 100) {
    PublishResponse response =
        Publish(std::vector<Event>(events.begin() + start, events.begin() + start + 100));
    for (const auto& result : response.results()) {
      ASSERT_EQ(result.outcome(), infobus::collection::v1::PUBLISH_OUTCOME_DUPLICATE)
          << result.event_id();
    }
  }
  // A fresh hit after the duplicates is the next delivery, so the duplicates produced none.
  Event sentinel = MakeEvent(5000, "451421", &kWatched[0]);
  ASSERT_EQ(Publish({sentinel}).results(0).outcome(),
            infobus::collection::v1::PUBLISH_OUTCOME_ACCEPTED);
  ASSERT_TRUE(resumed.WaitForCount(10 - resume_after + 1, absl::Seconds(30)));
  const Delivery next = resumed.deliveries()[10 - resume_after];
  EXPECT_EQ(next.seq(), 11u);
  EXPECT_EQ(next.judgment().evidence(0).event_id(), sentinel.event_id());
  // And the events topic holds each accepted event once: 1,000 plus the sentinel.
  EXPECT_EQ(ReadTopic(bus_.Topic("infobus.events.v1"), 1002, absl::Seconds(5)).size(), 1001u);
}

TEST_F(EndToEndTest, BadInputGetsInvalidArgumentNamingTheField) {
  // Need-to-know comes first: a county its source is not registered for (451481, Pingxiang,
  // is not within 451421) refuses the whole call, whatever else is wrong in it.
  Event elsewhere = MakeEvent(1, "451421", nullptr);
  elsewhere.set_county_code("451481");
  {
    PublishRequest request;
    *request.add_events() = elsewhere;
    PublishResponse ignored;
    grpc::ClientContext context;
    const grpc::Status status = Source(elsewhere.source_id()).Publish(&context, request, &ignored);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
    EXPECT_EQ(status.error_message().rfind("events[0]:", 0), 0u) << status.error_message();
  }
  // A malformed code is bad input, not a refusal: the validator's, named by field, and the
  // call's other events get their own answers (it used to refuse the whole call as "not
  // registered for county bad").
  Event event = MakeEvent(1, "451421", nullptr);
  event.set_county_code("bad");
  Event oversized = MakeEvent(2, "451421", nullptr);
  oversized.set_payload(std::string(70 * 1024, 'x'));
  Event no_id = MakeEvent(3, "451421", nullptr);
  no_id.clear_event_id();
  PublishResponse response = Publish({event, oversized, no_id});
  ASSERT_EQ(response.results_size(), 3);
  const std::vector<std::string> fields = {"events[0].county_code", "events[1].payload",
                                           "events[2].event_id"};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(response.results(i).outcome(), infobus::collection::v1::PUBLISH_OUTCOME_REJECTED);
    EXPECT_EQ(response.results(i).code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
    EXPECT_EQ(response.results(i).field(), fields[i]);
  }

  // An empty batch is a malformed request as a whole.
  PublishRequest empty;
  PublishResponse ignored;
  grpc::ClientContext context;
  grpc::Status status = Source("source-451421").Publish(&context, empty, &ignored);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("events"), std::string::npos);

  // Dispatch and judgment name the field too.
  auto dispatch_stub = infobus::dispatch::v1::DispatchService::NewStub(
      Channel(dispatch_->address(), AsOfficer("fusui-psb")));
  infobus::dispatch::v1::AcknowledgeRequest ack;
  ack.set_unit_id("fusui-psb");
  infobus::dispatch::v1::AcknowledgeResponse ack_response;
  grpc::ClientContext ack_context;
  status = dispatch_stub->Acknowledge(&ack_context, ack, &ack_response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message().rfind("seq", 0), 0u) << status.error_message();

  auto judgment_stub = infobus::judgment::v1::JudgmentService::NewStub(
      Channel(judgment_->address(), AsAdministrator()));
  infobus::judgment::v1::AddWatchlistEntryRequest add;
  add.mutable_entry()->set_list_id("wanted_person");
  add.mutable_entry()->mutable_subject()->set_type(infobus::common::v1::SUBJECT_TYPE_ID_NUMBER);
  add.mutable_entry()->mutable_subject()->set_value("110105194912310021");  // bad check char
  add.mutable_entry()->set_severity(infobus::common::v1::SEVERITY_HIGH);
  infobus::judgment::v1::AddWatchlistEntryResponse add_response;
  grpc::ClientContext add_context;
  status = judgment_stub->AddWatchlistEntry(&add_context, add, &add_response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message().rfind("entry.subject.value", 0), 0u) << status.error_message();
}

}  // namespace
}  // namespace infobus::testing
