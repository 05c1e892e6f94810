// Judgments stored and queryable, on the real broker: GetJudgment, ListJudgments with filters,
// time range and pages, Review (recorded, produced again, streamed), and Subscribe: replay from
// a seq or a time, then live, resumable from the last seq.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/util/time.h"
#include "infobus/common/v1/judgment.pb.h"
#include "tests/integration/support/bus.h"
#include "tests/integration/support/clients.h"
#include "tests/integration/support/identities.h"

namespace infobus::testing {
namespace {

using infobus::common::v1::Event;
using infobus::common::v1::Judgment;
using infobus::judgment::v1::JudgmentRecord;
using infobus::judgment::v1::JudgmentService;

constexpr char kPhone[] = "13800138000";

constexpr char kRules[] = R"(version: 1
rules:
  - id: watchlist-hit
    version: 1
    kind: watchlist
    severity: medium
  - id: tips
    version: 1
    kind: hotspot
    severity: low
    filter: {kinds: [tip]}
    group_by: [county]
    window: 1h
    grace: 48h
    threshold: 1
)";

// Who queries, reviews and subscribes: an analyst of the province (every county here), cleared
// for what the events are (unclassified: INTERNAL).
ClientSecurity Analyst() { return AsAnalyst({"45"}, "INTERNAL", "analyst-1"); }

Event MakeEvent(const std::string& id, const std::string& kind, const std::string& county,
                const std::string& phone) {
  Event event;
  event.set_event_id(id);
  event.set_source_id("q-source");
  event.set_trace_id(std::string(32, 'b'));
  event.set_kind(kind);
  event.set_county_code(county);
  *event.mutable_occurred_at() = ToProtoTimestamp(absl::FromUnixSeconds(1767225600));
  auto* subject = event.add_subjects();
  subject->set_type(infobus::common::v1::SUBJECT_TYPE_PHONE);
  subject->set_value(phone);
  return event;
}

// Follows Subscribe on a background thread.
class Follower {
 public:
  Follower(const std::string& address, infobus::judgment::v1::SubscribeRequest request)
      : stub_(JudgmentService::NewStub(Channel(address, Analyst()))) {
    thread_ = std::thread([this, request] {
      auto reader = stub_->Subscribe(&context_, request);
      JudgmentRecord record;
      while (reader->Read(&record)) {
        absl::MutexLock lock(&mutex_);
        records_.push_back(record);
      }
      grpc::Status status = reader->Finish();
      absl::MutexLock lock(&mutex_);
      ended_ = true;
      code_ = status.error_code();
    });
  }
  ~Follower() {
    context_.TryCancel();
    thread_.join();
  }
  bool WaitForCount(size_t count, absl::Duration timeout) {
    absl::MutexLock lock(&mutex_);
    auto enough = [this, count]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
      return records_.size() >= count || ended_;
    };
    mutex_.AwaitWithTimeout(absl::Condition(&enough), timeout);
    return records_.size() >= count;
  }
  std::vector<JudgmentRecord> records() {
    absl::MutexLock lock(&mutex_);
    return records_;
  }

 private:
  std::unique_ptr<JudgmentService::Stub> stub_;
  grpc::ClientContext context_;
  absl::Mutex mutex_;
  std::vector<JudgmentRecord> records_ ABSL_GUARDED_BY(mutex_);
  bool ended_ ABSL_GUARDED_BY(mutex_) = false;
  grpc::StatusCode code_ ABSL_GUARDED_BY(mutex_) = grpc::StatusCode::OK;
  std::thread thread_;
};

class JudgmentQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string rules = bus_.dir() + "/rules.yaml";
    std::ofstream(rules) << kRules;
    judgment_ = bus_.Service("judgment", "judgment:\n  rules_file: " + rules + "\n");
    ASSERT_TRUE(judgment_->Start().ok()) << judgment_->Log();
    stub_ = JudgmentService::NewStub(Channel(judgment_->address(), Analyst()));
    infobus::judgment::v1::AddWatchlistEntryRequest add;
    add.mutable_entry()->set_list_id("person_of_interest");
    add.mutable_entry()->mutable_subject()->set_type(infobus::common::v1::SUBJECT_TYPE_PHONE);
    add.mutable_entry()->mutable_subject()->set_value(kPhone);
    add.mutable_entry()->set_severity(infobus::common::v1::SEVERITY_HIGH);
    infobus::judgment::v1::AddWatchlistEntryResponse added;
    grpc::ClientContext context;
    ASSERT_TRUE(JudgmentService::NewStub(Channel(judgment_->address(), AsAdministrator()))
                    ->AddWatchlistEntry(&context, add, &added)
                    .ok());

    // Three watchlist hits (HIGH) in three counties, and two tip hotspots (LOW).
    const std::string events = bus_.Topic("infobus.events.v1");
    ProduceEvent(events, MakeEvent("w1", "vehicle.pass", "451421", kPhone));
    ProduceEvent(events, MakeEvent("w2", "vehicle.pass", "450110", kPhone));
    ProduceEvent(events, MakeEvent("w3", "vehicle.pass", "451481", kPhone));
    ProduceEvent(events, MakeEvent("t1", "tip", "451421", "13900000001"));
    ProduceEvent(events, MakeEvent("t2", "tip", "450110", "13900000002"));
    ASSERT_EQ(ReadTopic(bus_.Topic("infobus.judgments.v1"), 5, absl::Seconds(60)).size(), 5u)
        << judgment_->Log();
    // On the topic first (acknowledged), in the log once their batch commits.
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (CountListed({}) < 5 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(20));
    ASSERT_EQ(CountListed({}), 5u) << judgment_->Log();
  }

  grpc::Status List(const infobus::judgment::v1::ListJudgmentsRequest& request,
                    infobus::judgment::v1::ListJudgmentsResponse* response) {
    grpc::ClientContext context;
    return stub_->ListJudgments(&context, request, response);
  }

  size_t CountListed(const infobus::judgment::v1::JudgmentFilter& filter) {
    infobus::judgment::v1::ListJudgmentsRequest request;
    *request.mutable_filter() = filter;
    infobus::judgment::v1::ListJudgmentsResponse response;
    EXPECT_TRUE(List(request, &response).ok());
    return static_cast<size_t>(response.records_size());
  }

  TestBus bus_{"jquery"};
  std::unique_ptr<ServiceProcess> judgment_;
  std::unique_ptr<JudgmentService::Stub> stub_;
};

TEST_F(JudgmentQueryTest, GetListAndReview) {
  infobus::judgment::v1::JudgmentFilter filter;
  EXPECT_EQ(CountListed(filter), 5u);
  filter.add_kinds(infobus::common::v1::JUDGMENT_KIND_HOTSPOT);
  EXPECT_EQ(CountListed(filter), 2u);
  filter.Clear();
  filter.set_min_severity(infobus::common::v1::SEVERITY_HIGH);
  EXPECT_EQ(CountListed(filter), 3u);
  filter.Clear();
  filter.add_jurisdiction_prefixes("4514");
  EXPECT_EQ(CountListed(filter), 3u);  // w1, w3, t1
  filter.add_rule_ids("tips");
  EXPECT_EQ(CountListed(filter), 1u);

  // Pages of two: 2, 2, 1, each judgment once.
  std::set<std::string> ids;
  infobus::judgment::v1::ListJudgmentsRequest request;
  request.set_page_size(2);
  std::vector<int> sizes;
  do {
    infobus::judgment::v1::ListJudgmentsResponse response;
    ASSERT_TRUE(List(request, &response).ok());
    sizes.push_back(response.records_size());
    for (const auto& record : response.records()) ids.insert(record.judgment().judgment_id());
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty() && sizes.size() < 10);
  EXPECT_EQ(sizes, (std::vector<int>{2, 2, 1}));
  EXPECT_EQ(ids.size(), 5u);

  // A time range after everything: nothing. A bad token: the field is named.
  infobus::judgment::v1::ListJudgmentsRequest later;
  *later.mutable_since() = ToProtoTimestamp(absl::Now() + absl::Hours(1));
  infobus::judgment::v1::ListJudgmentsResponse none;
  ASSERT_TRUE(List(later, &none).ok());
  EXPECT_EQ(none.records_size(), 0);
  infobus::judgment::v1::ListJudgmentsRequest bad;
  bad.set_page_token("garbage");
  grpc::Status status = List(bad, &none);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message().rfind("page_token", 0), 0u) << status.error_message();

  // Get one, review it, get it again.
  const std::string id = *ids.begin();
  infobus::judgment::v1::GetJudgmentRequest get;
  get.set_judgment_id(id);
  infobus::judgment::v1::GetJudgmentResponse got;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->GetJudgment(&context, get, &got).ok());
  }
  EXPECT_EQ(got.record().judgment().judgment_id(), id);
  EXPECT_FALSE(got.record().judgment().has_review());

  infobus::judgment::v1::ReviewRequest review;
  review.set_judgment_id(id);
  review.set_status(infobus::common::v1::REVIEW_STATUS_CONFIRMED);
  review.set_note("seen on camera 3");
  review.set_reviewer("analyst-1");
  infobus::judgment::v1::ReviewResponse reviewed;
  {
    grpc::ClientContext context;
    status = stub_->Review(&context, review, &reviewed);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  EXPECT_EQ(reviewed.record().seq(), 6u);
  EXPECT_EQ(reviewed.record().judgment().review().status(),
            infobus::common::v1::REVIEW_STATUS_CONFIRMED);
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->GetJudgment(&context, get, &got).ok());
  }
  EXPECT_EQ(got.record().judgment().review().note(), "seen on camera 3");
  EXPECT_EQ(got.record().judgment().review().reviewer(), "analyst-1");
  // Emitted: the judgments topic carries the reviewed judgment (same id).
  auto records = ReadTopic(bus_.Topic("infobus.judgments.v1"), 6, absl::Seconds(30));
  ASSERT_EQ(records.size(), 6u);
  bool emitted = false;
  for (const auto& record : records) {
    Judgment judgment;
    ASSERT_TRUE(judgment.ParseFromString(record.value));
    if (judgment.judgment_id() == id && judgment.has_review()) emitted = true;
  }
  EXPECT_TRUE(emitted);

  // Bad and unknown input.
  review.set_status(infobus::common::v1::REVIEW_STATUS_UNSPECIFIED);
  {
    grpc::ClientContext context;
    status = stub_->Review(&context, review, &reviewed);
  }
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message().rfind("status", 0), 0u);
  review.set_status(infobus::common::v1::REVIEW_STATUS_DISMISSED);
  review.set_judgment_id("no-such-judgment");
  {
    grpc::ClientContext context;
    status = stub_->Review(&context, review, &reviewed);
  }
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  get.set_judgment_id("no-such-judgment");
  {
    grpc::ClientContext context;
    status = stub_->GetJudgment(&context, get, &got);
  }
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(JudgmentQueryTest, SubscribeReplaysThenFollowsAndResumes) {
  // Watchlist hits only, from the beginning: the three made so far, then a live one.
  infobus::judgment::v1::SubscribeRequest request;
  request.mutable_filter()->add_kinds(infobus::common::v1::JUDGMENT_KIND_WATCHLIST_HIT);
  auto follower = std::make_unique<Follower>(judgment_->address(), request);
  ASSERT_TRUE(follower->WaitForCount(3, absl::Seconds(30)));
  ProduceEvent(bus_.Topic("infobus.events.v1"), MakeEvent("w4", "netcafe.login", "451421", kPhone));
  ASSERT_TRUE(follower->WaitForCount(4, absl::Seconds(30))) << judgment_->Log();
  std::vector<JudgmentRecord> records = follower->records();
  ASSERT_EQ(records.size(), 4u);
  uint64_t previous = 0;
  for (const auto& record : records) {
    EXPECT_GT(record.seq(), previous);
    previous = record.seq();
    EXPECT_EQ(record.judgment().kind(), infobus::common::v1::JUDGMENT_KIND_WATCHLIST_HIT);
  }
  EXPECT_EQ(records[3].judgment().evidence(0).event_id(), "w4");
  follower.reset();

  // Resume after the second: the third and fourth, nothing before.
  request.set_after_seq(records[1].seq());
  Follower resumed(judgment_->address(), request);
  ASSERT_TRUE(resumed.WaitForCount(2, absl::Seconds(30)));
  EXPECT_EQ(resumed.records()[0].seq(), records[2].seq());
  EXPECT_EQ(resumed.records()[1].seq(), records[3].seq());

  // From a time: only what is made from then on.
  infobus::judgment::v1::SubscribeRequest from_now;
  *from_now.mutable_since() = ToProtoTimestamp(absl::Now());
  Follower fresh(judgment_->address(), from_now);
  ProduceEvent(bus_.Topic("infobus.events.v1"), MakeEvent("t3", "tip", "451481", "13900000003"));
  ASSERT_TRUE(fresh.WaitForCount(1, absl::Seconds(30)));
  absl::SleepFor(absl::Milliseconds(500));
  ASSERT_EQ(fresh.records().size(), 1u);
  EXPECT_EQ(fresh.records()[0].judgment().rule_id(), "tips");
}

TEST_F(JudgmentQueryTest, SubscribeAfterTheLargestSeqsSendsNothing) {
  // 2^64 - 1 once replayed the whole log (after_seq + 1 wrapped to 0).
  std::vector<std::unique_ptr<Follower>> edges;
  for (uint64_t after : {~uint64_t{0}, ~uint64_t{0} - 1, uint64_t{1} << 63, uint64_t{1000000000}}) {
    infobus::judgment::v1::SubscribeRequest request;
    request.set_after_seq(after);
    edges.push_back(std::make_unique<Follower>(judgment_->address(), request));
  }
  // A control from the start sees the backlog and a live judgment, which all edges had time for.
  Follower control(judgment_->address(), infobus::judgment::v1::SubscribeRequest());
  ASSERT_TRUE(control.WaitForCount(5, absl::Seconds(30)));
  ProduceEvent(bus_.Topic("infobus.events.v1"), MakeEvent("w9", "netcafe.login", "451421", kPhone));
  ASSERT_TRUE(control.WaitForCount(6, absl::Seconds(30))) << judgment_->Log();
  for (size_t i = 0; i < edges.size(); ++i) {
    EXPECT_TRUE(edges[i]->records().empty())
        << "edge " << i << " got " << edges[i]->records().size();
  }
}

}  // namespace
}  // namespace infobus::testing
