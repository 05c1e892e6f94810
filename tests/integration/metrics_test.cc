// Every query of the Grafana dashboard names a metric that the running services actually
// export, and the pipeline's counters move when events flow (scraped from /metrics over HTTPS
// with Prometheus's certificate, as deployed).
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/util/time.h"
#include "tests/integration/support/bus.h"
#include "tests/integration/support/clients.h"
#include "tests/integration/support/identities.h"
#include "tests/integration/support/scrape.h"

namespace infobus::testing {
namespace {

// Sample names ("infobus_x_bucket") and the families declared by "# TYPE" lines.
std::set<std::string> MetricNames(const std::string& text) {
  std::set<std::string> names;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("# TYPE ", 0) == 0) {
      names.insert(line.substr(7, line.find(' ', 7) - 7));
    } else if (!line.empty() && line[0] != '#') {
      names.insert(line.substr(0, line.find_first_of("{ ")));
    }
  }
  return names;
}

TEST(Metrics, DashboardQueriesNameExportedMetricsAndCountersMove) {
  TestBus bus("metrics");
  const std::string routing = bus.dir() + "/routing.yaml";
  std::ofstream(routing)
      << "units:\n  - {id: guangxi-ops, jurisdictions: [\"45\"], clearance: INTERNAL}\n";
  auto judgment = bus.Service("judgment");
  auto dispatch = bus.Service("dispatch", "dispatch:\n  routing_file: " + routing + "\n");
  auto collection = bus.Service("collection");
  ASSERT_TRUE(judgment->Start().ok()) << judgment->Log();
  ASSERT_TRUE(dispatch->Start().ok()) << dispatch->Log();
  ASSERT_TRUE(collection->Start().ok()) << collection->Log();
  {
    auto admin = infobus::judgment::v1::JudgmentService::NewStub(
        Channel(judgment->address(), AsAdministrator()));
    infobus::judgment::v1::AddWatchlistEntryRequest add;
    add.mutable_entry()->set_list_id("wanted_person");
    add.mutable_entry()->mutable_subject()->set_type(infobus::common::v1::SUBJECT_TYPE_PHONE);
    add.mutable_entry()->mutable_subject()->set_value("13800138000");
    add.mutable_entry()->set_severity(infobus::common::v1::SEVERITY_HIGH);
    infobus::judgment::v1::AddWatchlistEntryResponse added;
    grpc::ClientContext add_context;
    ASSERT_TRUE(admin->AddWatchlistEntry(&add_context, add, &added).ok());
  }

  // Traffic that touches every series the dashboard shows: an accepted event, a rejected one,
  // and a dead letter.
  auto stub = infobus::collection::v1::CollectionService::NewStub(
      Channel(collection->address(), AsSource("fusui-lodging")));
  infobus::collection::v1::PublishRequest request;
  auto* event = request.add_events();
  event->set_event_id("m-1");
  event->set_source_id("fusui-lodging");
  event->set_county_code("451421");
  event->set_kind("lodging.checkin");
  *event->mutable_occurred_at() = ToProtoTimestamp(absl::Now());
  auto* subject = event->add_subjects();
  subject->set_type(infobus::common::v1::SUBJECT_TYPE_PHONE);
  subject->set_value("138 0013 8000");
  *request.add_events() = *event;
  // Malformed: rejected by the validator (a well-formed county outside the source's
  // registration would refuse the whole call).
  request.mutable_events(1)->set_county_code("bad");
  infobus::collection::v1::PublishResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub->Publish(&context, request, &response).ok());
  ProduceRaw(bus.Topic("infobus.events.v1"), "k", "not an event");

  // The watchlisted event reaches the unit, which signs it off.
  InboxReader inbox(dispatch->address(), "guangxi-ops", 0);
  ASSERT_TRUE(inbox.WaitForCount(1, absl::Seconds(60))) << dispatch->Log();
  auto dispatch_stub = infobus::dispatch::v1::DispatchService::NewStub(
      Channel(dispatch->address(), AsOfficer("guangxi-ops", "INTERNAL", "officer-1")));
  infobus::dispatch::v1::AcknowledgeRequest ack;
  ack.set_unit_id("guangxi-ops");
  ack.set_seq(1);
  ack.set_acknowledged_by("officer-1");
  infobus::dispatch::v1::AcknowledgeResponse acked;
  grpc::ClientContext ack_context;
  ASSERT_TRUE(dispatch_stub->Acknowledge(&ack_context, ack, &acked).ok());

  std::string collection_text, judgment_text, dispatch_text;
  for (absl::Time deadline = absl::Now() + absl::Seconds(60); absl::Now() < deadline;) {
    collection_text = Scrape(collection->metrics_port(), AsScraper());
    judgment_text = Scrape(judgment->metrics_port(), AsScraper());
    dispatch_text = Scrape(dispatch->metrics_port(), AsScraper());
    if (SampleValue(dispatch_text, "infobus_signoffs_total") >= 1 &&
        SampleValue(judgment_text, "infobus_consumer_records_total") >= 2 &&
        SampleValue(judgment_text, "infobus_dead_letters_total") >= 1) {
      break;
    }
    absl::SleepFor(absl::Milliseconds(200));  // scraping another process, as Prometheus does
  }
  EXPECT_EQ(
      SampleValue(collection_text,
                  "infobus_collection_events_total{outcome=\"accepted\",source=\"fusui-lodging\"}"),
      1);
  EXPECT_EQ(SampleValue(collection_text, "infobus_collection_events_total{outcome=\"rejected\""),
            1);
  EXPECT_GE(SampleValue(collection_text, "infobus_grpc_server_handled_total{grpc_code=\"OK\""), 1);
  EXPECT_GE(SampleValue(judgment_text, "infobus_consumer_records_total"), 2);
  EXPECT_EQ(SampleValue(judgment_text, "infobus_dead_letters_total"), 1);
  EXPECT_EQ(SampleValue(judgment_text, "infobus_health_serving"), 1);
  EXPECT_EQ(SampleValue(judgment_text, "infobus_judgments_total"), 1);
  EXPECT_EQ(SampleValue(dispatch_text, "infobus_deliveries_total{unit=\"guangxi-ops\"}"), 1);
  EXPECT_EQ(SampleValue(dispatch_text, "infobus_signoffs_total{unit=\"guangxi-ops\"}"), 1);
  EXPECT_EQ(SampleValue(dispatch_text, "infobus_deliveries_pending{unit=\"guangxi-ops\"}"), 0);
  EXPECT_EQ(SampleValue(dispatch_text, "infobus_pipeline_latency_seconds_count"), 1);

  std::set<std::string> exported = MetricNames(collection_text);
  for (const std::string& name : MetricNames(judgment_text)) exported.insert(name);
  for (const std::string& name : MetricNames(dispatch_text)) exported.insert(name);

  std::ifstream file(std::string(INFOBUS_SOURCE_DIR) + "/deploy/grafana/infobus.json");
  std::stringstream dashboard;
  dashboard << file.rdbuf();
  const std::string text = dashboard.str();
  const std::regex expr("\"expr\": \"((?:[^\"\\\\]|\\\\.)*)\"");
  const std::regex metric("\\binfobus_[a-z0-9_]+");
  int queries = 0;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), expr); it != std::sregex_iterator();
       ++it) {
    ++queries;
    const std::string query = (*it)[1];
    for (auto m = std::sregex_iterator(query.begin(), query.end(), metric);
         m != std::sregex_iterator(); ++m) {
      EXPECT_EQ(exported.count(m->str()), 1u)
          << "dashboard query uses " << m->str() << ", which no service exports: " << query;
    }
  }
  EXPECT_GE(queries, 10);
}

// Labelled counters exist at 0 from the start, for every label value the service knows of (its
// topics, group, rules and units), so dashboards and alerts see them before the first increment
// and again right after a restart.
TEST(Metrics, KnownLabelledCountersAreExportedAtZeroFromTheStart) {
  TestBus bus("metrics-zero");
  const std::string routing = bus.dir() + "/routing.yaml";
  std::ofstream(routing)
      << "units:\n  - {id: guangxi-ops, jurisdictions: [\"45\"], clearance: INTERNAL}\n";
  auto judgment = bus.Service("judgment");
  auto dispatch = bus.Service("dispatch", "dispatch:\n  routing_file: " + routing + "\n");
  ASSERT_TRUE(judgment->Start().ok()) << judgment->Log();
  ASSERT_TRUE(dispatch->Start().ok()) << dispatch->Log();
  const std::string events = bus.Topic("infobus.events.v1");
  const std::string judgments = bus.Topic("infobus.judgments.v1");
  for (int restart = 0; restart < 2; ++restart) {
    const std::string judgment_text = Scrape(judgment->metrics_port(), AsScraper());
    const std::string dispatch_text = Scrape(dispatch->metrics_port(), AsScraper());
    for (const std::string& series :
         {absl::StrCat("infobus_dead_letters_total{topic=\"", events, "\"} 0"),
          absl::StrCat("infobus_consumer_records_total{topic=\"", events, "\"} 0"),
          std::string("infobus_judgments_total{rule=\"watchlist-hit\"} 0")}) {
      EXPECT_NE(judgment_text.find(series), std::string::npos) << series << "\n" << judgment_text;
    }
    EXPECT_NE(judgment_text.find("infobus_consumer_batches_failed_total{group="),
              std::string::npos);
    for (const std::string& series :
         {absl::StrCat("infobus_dead_letters_total{topic=\"", judgments, "\"} 0"),
          std::string("infobus_deliveries_total{unit=\"guangxi-ops\"} 0"),
          std::string("infobus_escalations_total{unit=\"guangxi-ops\"} 0"),
          std::string("infobus_signoffs_total{unit=\"guangxi-ops\"} 0"),
          std::string("infobus_deliveries_pending{unit=\"guangxi-ops\"} 0"),
          std::string("infobus_dispatch_rerouted_for_clearance_total{unit=\"guangxi-ops\"} 0"),
          std::string(
              "infobus_dispatch_undelivered_for_clearance_total{unit=\"guangxi-ops\"} 0")}) {
      EXPECT_NE(dispatch_text.find(series), std::string::npos) << series << "\n" << dispatch_text;
    }
    judgment->Kill();
    dispatch->Kill();
    ASSERT_TRUE(judgment->Start().ok()) << judgment->Log();
    ASSERT_TRUE(dispatch->Start().ok()) << dispatch->Log();
  }
}

}  // namespace
}  // namespace infobus::testing
