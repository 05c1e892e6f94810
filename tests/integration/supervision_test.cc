// Supervision against real processes on the test broker. A generated month of facts (events,
// judgments with reviews, deliveries with sign-offs, feedback and escalations) is produced onto
// the bus's topics; the test computes every figure of the month's report on its own and checks
// the service's, across a kill -9 mid-stream and a clean restart. Then a watchlisted event goes
// through the whole chain (collection, judgment, dispatch, supervision) and its trace shows
// every hop in order; the calls are made as a supervisor, and others are refused.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/kafka/producer.h"
#include "common/util/time.h"
#include "infobus/collection/v1/collection_service.grpc.pb.h"
#include "infobus/common/v1/dispatch_event.pb.h"
#include "infobus/common/v1/judgment.pb.h"
#include "infobus/dispatch/v1/dispatch_service.grpc.pb.h"
#include "infobus/judgment/v1/judgment_service.grpc.pb.h"
#include "infobus/supervision/v1/supervision_peer_service.grpc.pb.h"
#include "infobus/supervision/v1/supervision_service.grpc.pb.h"
#include "tests/integration/support/bus.h"
#include "tests/integration/support/clients.h"
#include "tests/integration/support/identities.h"
#include "tests/support/free_port.h"

namespace infobus::testing {
namespace {

using infobus::common::v1::DispatchEvent;
using infobus::common::v1::Event;
using infobus::common::v1::Judgment;
using infobus::supervision::v1::ReportRequest;
using infobus::supervision::v1::ReportResponse;
using infobus::supervision::v1::SupervisionService;
using infobus::supervision::v1::TraceRequest;
using infobus::supervision::v1::TraceResponse;

constexpr char kRouting[] = R"(utc_offset: "+08:00"
sign_off_deadlines: {critical: 5m, high: 15m}
units:
  - {id: chongzuo-ops, jurisdictions: ["4514"], clearance: SECRET}
  - {id: fusui-psb, jurisdictions: ["451421"], supervisor: chongzuo-ops, clearance: SECRET}
  - {id: ningming-psb, jurisdictions: ["451422"], supervisor: chongzuo-ops, clearance: SECRET}
routes:
  - {send_to_jurisdiction: most_specific}
)";

const std::vector<std::string> kCounties = {"451421", "451422"};
const std::map<std::string, std::string> kUnitOf = {{"451421", "fusui-psb"},
                                                    {"451422", "ningming-psb"}};

absl::Time Utc(const char* text) {
  absl::Time time;
  std::string error;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, text, &time, &error)) << error;
  return time;
}

// November 2026 in China Standard Time.
const absl::Time kMonthStart = Utc("2026-10-31T16:00:00Z");
const absl::Time kMonthEnd = Utc("2026-11-30T16:00:00Z");

template <typename Message>
kafka::OutgoingMessage On(const std::string& topic, const std::string& key,
                          const Message& message) {
  return {topic,
          key,
          message.SerializeAsString(),
          {{kafka::kSchemaHeader, Message::descriptor()->full_name()}}};
}

// What the report of the month must say, computed from the generated facts alone.
struct Expected {
  std::map<std::string, int64_t> events_by_county;
  std::map<std::pair<std::string, int>, int64_t> judgments_by_rule_severity;
  int64_t judgments = 0, confirmed = 0, dismissed = 0;
  struct Unit {
    int64_t deliveries = 0, acknowledged = 0, within = 0, escalated = 0, feedback = 0;
    std::vector<double> latencies_s;
  };
  std::map<std::string, Unit> units;
  std::map<std::string, std::pair<int64_t, int64_t>> rule_verdicts;  // positive, negative
};

// The city's supervisor: its unit and every unit below, its jurisdiction, SECRET.
ClientSecurity Supervisor() {
  return PersonIdentity({"supervisor-2", {"supervisor"}, "chongzuo-ops", {"4514"}, "SECRET", {}});
}

double Percentile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  return values[static_cast<size_t>(std::ceil(q * values.size())) - 1];
}

class SupervisionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    routing_file_ = bus_.dir() + "/routing.yaml";
    std::ofstream(routing_file_) << kRouting;
    auto producer = kafka::Producer::Create(TestBootstrapServers(), {{"linger.ms", "5"}});
    ASSERT_TRUE(producer.ok()) << producer.status();
    producer_ = std::move(*producer);
  }
  void TearDown() override {
    if (HasFailure()) {
      for (auto* service :
           {supervision_.get(), judgment_.get(), dispatch_.get(), collection_.get()}) {
        if (service != nullptr) std::cerr << service->Log();
      }
    }
  }

  void StartSupervision() {
    if (supervision_ == nullptr) {
      supervision_ =
          bus_.Service("supervision", "supervision:\n  routing_file: " + routing_file_ + "\n");
      supervision_->KeepPortAcrossRestarts();
    }
    ASSERT_TRUE(supervision_->Start().ok()) << supervision_->Log();
  }

  std::unique_ptr<SupervisionService::Stub> Stub(const ClientSecurity& who,
                                                 const ServiceProcess* at = nullptr) {
    return SupervisionService::NewStub(
        Channel((at != nullptr ? at : supervision_.get())->address(), who));
  }

  grpc::Status Report(const ReportRequest& request, ReportResponse* response,
                      const ClientSecurity& who, const ServiceProcess* at = nullptr) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
    return Stub(who, at)->Report(&context, request, response);
  }

  grpc::Status Trace(const TraceRequest& request, TraceResponse* response,
                     const ClientSecurity& who, const ServiceProcess* at = nullptr) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
    return Stub(who, at)->Trace(&context, request, response);
  }

  void Produce(const std::vector<kafka::OutgoingMessage>& messages) {
    for (const absl::Status& status : producer_->ProduceAll(messages)) {
      ASSERT_TRUE(status.ok()) << status;
    }
  }

  // Polls the month's report of chongzuo-ops and below (from `at`, default the supervision
  // instance) until `done` holds (or 60 s pass).
  ReportResponse AwaitReport(const std::function<bool(const ReportResponse&)>& done,
                             const ServiceProcess* at = nullptr) {
    ReportRequest request;
    request.set_period("2026-11");
    request.set_unit_id("chongzuo-ops");
    request.set_include_subordinates(true);
    ReportResponse report;
    grpc::Status status;
    const absl::Time give_up = absl::Now() + absl::Seconds(60);
    while (absl::Now() < give_up) {
      report.Clear();
      status = Report(request, &report, Supervisor(), at);
      if (status.ok() && done(report)) return report;
      absl::SleepFor(absl::Milliseconds(200));  // polling the service's state: nothing to await
    }
    ADD_FAILURE() << "the report never got there; last: " << status.error_message() << " "
                  << report.ShortDebugString();
    return report;
  }

  TestBus bus_{"supervision"};
  std::string routing_file_;
  kafka::ProducerPtr producer_;
  std::unique_ptr<ServiceProcess> supervision_, judgment_, dispatch_, collection_;
};

// The generated month: 400 events over two counties (a few just outside the month, in local
// time), a judgment on every other one, each delivered to its county's unit with a deadline;
// most signed off after a random delay, some with feedback, some escalated; some reviewed.
struct Month {
  std::vector<kafka::OutgoingMessage> messages;
  Expected expected;
  int64_t events_in_month = 0;
};

Month Generate(const TestBus& bus) {
  Month month;
  std::mt19937 random(2026);
  const auto topic = [&bus](const char* name) { return bus.Topic(name); };
  for (int i = 0; i < 400; ++i) {
    const std::string county = kCounties[(i / 2) % 2];  // judged ones (even i) in both
    Event event;
    event.set_event_id(absl::StrCat("e", i));
    event.set_source_id(absl::StrCat("src-", county));
    event.set_county_code(county);
    event.set_kind(i % 3 == 0 ? "lodging.checkin" : "netcafe.login");
    // Spread over the month; the first two just before it and the last two just after it.
    absl::Time occurred = kMonthStart + absl::Minutes(10) + absl::Minutes(100) * i;
    if (i < 2) occurred = kMonthStart - absl::Minutes(30);
    if (i >= 398) occurred = kMonthEnd + absl::Minutes(30);
    *event.mutable_occurred_at() = ToProtoTimestamp(occurred);
    *event.mutable_ingested_at() = ToProtoTimestamp(occurred + absl::Seconds(3));
    event.set_trace_id(absl::StrCat("trace-", i));
    event.set_classification(infobus::common::v1::CLASSIFICATION_INTERNAL);
    event.add_subjects()->set_value("x");
    event.mutable_subjects(0)->set_type(infobus::common::v1::SUBJECT_TYPE_PHONE);
    kafka::OutgoingMessage published = On(topic("infobus.events.v1"), absl::StrCat("k", i), event);
    published.headers.push_back({kafka::kSourceIdHeader, event.source_id()});  // as collection
    month.messages.push_back(std::move(published));
    const bool in_month = occurred >= kMonthStart && occurred < kMonthEnd;
    if (in_month) {
      ++month.events_in_month;
      ++month.expected.events_by_county[county];
    }
    if (i % 2 != 0 || !in_month) continue;

    Judgment judgment;
    judgment.set_judgment_id(absl::StrCat("j", i));
    judgment.set_rule_id(i % 4 == 0 ? "watchlist-hit" : "hotspot");
    judgment.set_kind(infobus::common::v1::JUDGMENT_KIND_WATCHLIST_HIT);
    judgment.set_severity(i % 8 == 0 ? infobus::common::v1::SEVERITY_CRITICAL
                                     : infobus::common::v1::SEVERITY_HIGH);
    judgment.set_jurisdiction_code(county);
    judgment.set_classification(infobus::common::v1::CLASSIFICATION_INTERNAL);
    const absl::Time created = occurred + absl::Seconds(5);
    *judgment.mutable_created_at() = ToProtoTimestamp(created);
    auto* evidence = judgment.add_evidence();
    evidence->set_event_id(event.event_id());
    evidence->set_source_id(event.source_id());
    evidence->set_trace_id(event.trace_id());
    *evidence->mutable_ingested_at() = event.ingested_at();
    *evidence->mutable_occurred_at() = event.occurred_at();
    month.messages.push_back(On(topic("infobus.judgments.v1"), county, judgment));
    Expected& e = month.expected;
    ++e.judgments;
    ++e.judgments_by_rule_severity[{judgment.rule_id(), judgment.severity()}];
    int verdict = 0;                  // +1 positive, -1 negative
    const int review = random() % 6;  // 0: confirmed, 1: dismissed, else none
    if (review <= 1) {
      Judgment reviewed = judgment;
      reviewed.mutable_review()->set_status(review == 0
                                                ? infobus::common::v1::REVIEW_STATUS_CONFIRMED
                                                : infobus::common::v1::REVIEW_STATUS_DISMISSED);
      reviewed.mutable_review()->set_reviewer("analyst-3");
      *reviewed.mutable_review()->mutable_reviewed_at() =
          ToProtoTimestamp(created + absl::Hours(2));
      month.messages.push_back(On(topic("infobus.judgments.v1"), county, reviewed));
      (review == 0 ? e.confirmed : e.dismissed)++;
      verdict = review == 0 ? 1 : -1;
    }

    const std::string unit = kUnitOf.at(county);
    const absl::Duration deadline = judgment.severity() == infobus::common::v1::SEVERITY_CRITICAL
                                        ? absl::Minutes(5)
                                        : absl::Minutes(15);
    const absl::Time delivered = created + absl::Seconds(1);
    const uint64_t seq = static_cast<uint64_t>(i / 4 + 1);
    auto dispatch_event = [&](infobus::common::v1::DispatchEventType type, absl::Time at) {
      DispatchEvent fact;
      fact.set_event_id(absl::StrCat(judgment.judgment_id(), "-", type));
      fact.set_type(type);
      *fact.mutable_occurred_at() = ToProtoTimestamp(at);
      fact.set_judgment_id(judgment.judgment_id());
      fact.set_severity(judgment.severity());
      fact.set_jurisdiction_code(county);
      fact.set_unit_id(unit);
      fact.set_seq(seq);
      fact.set_delivery_id(absl::StrCat(unit, "/", seq));
      return fact;
    };
    DispatchEvent delivered_fact =
        dispatch_event(infobus::common::v1::DISPATCH_EVENT_TYPE_DELIVERED, delivered);
    *delivered_fact.mutable_deadline() = ToProtoTimestamp(delivered + deadline);
    std::vector<DispatchEvent> facts = {delivered_fact};
    Expected::Unit& u = e.units[unit];
    ++u.deliveries;
    const int fate = random() % 10;  // 0-1: escalated unsigned; else signed after 1-40 min
    if (fate <= 1) {
      DispatchEvent escalated =
          dispatch_event(infobus::common::v1::DISPATCH_EVENT_TYPE_ESCALATED, delivered + deadline);
      escalated.set_escalated_to("chongzuo-ops/1");
      facts.push_back(escalated);
      ++u.escalated;
    } else {
      const absl::Duration after = absl::Seconds(60 + random() % 2400);
      DispatchEvent ack =
          dispatch_event(infobus::common::v1::DISPATCH_EVENT_TYPE_ACKNOWLEDGED, delivered + after);
      ack.set_acknowledged_by("officer-7");
      facts.push_back(ack);
      ++u.acknowledged;
      if (after <= deadline) ++u.within;
      u.latencies_s.push_back(absl::ToDoubleSeconds(after));
      if (fate >= 6) {
        const auto outcome = fate == 9 ? infobus::common::v1::FEEDBACK_OUTCOME_FALSE_POSITIVE
                                       : infobus::common::v1::FEEDBACK_OUTCOME_HANDLED;
        DispatchEvent feedback = dispatch_event(infobus::common::v1::DISPATCH_EVENT_TYPE_FEEDBACK,
                                                delivered + after + absl::Minutes(30));
        feedback.mutable_feedback()->set_outcome(outcome);
        feedback.mutable_feedback()->set_given_by("officer-7");
        *feedback.mutable_feedback()->mutable_given_at() = feedback.occurred_at();
        facts.push_back(feedback);
        ++u.feedback;
        if (verdict == 0) verdict = fate == 9 ? -1 : 1;
      }
    }
    if (verdict != 0) {
      auto& [positive, negative] = e.rule_verdicts[judgment.rule_id()];
      (verdict > 0 ? positive : negative)++;
    }
    for (const DispatchEvent& fact : facts) {
      month.messages.push_back(
          On(topic("infobus.dispatch-events.v1"), judgment.judgment_id(), fact));
    }
  }
  return month;
}

void ExpectReport(const ReportResponse& report, const Month& month) {
  const Expected& e = month.expected;
  EXPECT_EQ(report.collection().events(), month.events_in_month);
  std::map<std::string, int64_t> by_county;
  for (const auto& count : report.collection().by_county()) by_county[count.key()] = count.count();
  EXPECT_EQ(by_county, e.events_by_county);
  EXPECT_EQ(report.judgment().judgments(), e.judgments);
  EXPECT_EQ(report.judgment().confirmed(), e.confirmed);
  EXPECT_EQ(report.judgment().dismissed(), e.dismissed);
  std::map<std::pair<std::string, int>, int64_t> by_rule;
  for (const auto& count : report.judgment().by_rule()) {
    by_rule[{count.rule_id(), count.severity()}] = count.judgments();
  }
  EXPECT_EQ(by_rule, e.judgments_by_rule_severity);
  ASSERT_EQ(report.dispatch().units_size(), static_cast<int>(e.units.size()));
  for (const auto& figures : report.dispatch().units()) {
    SCOPED_TRACE(figures.unit_id());
    const Expected::Unit& u = e.units.at(figures.unit_id());
    EXPECT_EQ(figures.deliveries(), u.deliveries);
    EXPECT_EQ(figures.acknowledged(), u.acknowledged);
    EXPECT_EQ(figures.with_deadline(), u.deliveries);
    EXPECT_EQ(figures.acknowledged_within_deadline(), u.within);
    EXPECT_NEAR(figures.sla_share(), static_cast<double>(u.within) / u.deliveries, 1e-9);
    EXPECT_EQ(figures.escalated(), u.escalated);
    EXPECT_EQ(figures.feedback(), u.feedback);
    for (const auto& [q, got] : {std::pair{0.5, figures.signoff_p50()},
                                 {0.9, figures.signoff_p90()},
                                 {0.99, figures.signoff_p99()}}) {
      const double exact = Percentile(u.latencies_s, q);
      const double seen = static_cast<double>(got.seconds()) + got.nanos() / 1e9;
      EXPECT_NEAR(seen, exact, exact * 0.04) << "p" << q * 100;
    }
  }
  std::map<std::string, std::pair<int64_t, int64_t>> verdicts;
  for (const auto& rule : report.rules()) {
    if (rule.positive() + rule.negative() > 0) {
      verdicts[rule.rule_id()] = {rule.positive(), rule.negative()};
    }
  }
  EXPECT_EQ(verdicts, e.rule_verdicts);
}

// Whether `report` counts at least every fact of `month` (then ExpectReport says whether
// exactly).
bool HasEverything(const ReportResponse& r, const Month& month) {
  const Expected& e = month.expected;
  int64_t feedback = 0;
  for (const auto& [unit, figures] : e.units) feedback += figures.feedback;
  return r.collection().events() >= month.events_in_month &&
         r.judgment().judgments() >= e.judgments &&
         r.dispatch().total().deliveries() >= static_cast<int64_t>(e.judgments) &&
         r.dispatch().total().acknowledged() + r.dispatch().total().escalated() >=
             static_cast<int64_t>(e.judgments) &&
         r.judgment().confirmed() + r.judgment().dismissed() >= e.confirmed + e.dismissed &&
         r.dispatch().total().feedback() >= feedback;
}

TEST_F(SupervisionTest, TheMonthsReportEqualsTheAnswerComputedApartAcrossAKillAndARestart) {
  const Month month = Generate(bus_);
  ASSERT_GT(month.expected.judgments, 150);
  StartSupervision();
  const size_t half = month.messages.size() / 2;
  Produce({month.messages.begin(), month.messages.begin() + half});
  // Some of it folded in, then kill -9 while the rest arrives.
  AwaitReport([](const ReportResponse& r) { return r.collection().events() > 0; });
  supervision_->Kill();
  Produce({month.messages.begin() + half, month.messages.end()});
  StartSupervision();
  ASSERT_EQ(month.expected.units.size(), 2u);
  const ReportResponse report =
      AwaitReport([&](const ReportResponse& r) { return HasEverything(r, month); });
  EXPECT_EQ(report.utc_offset(), "+08:00");
  EXPECT_EQ(FromProtoTimestamp(report.since()), kMonthStart);
  ExpectReport(report, month);

  // Two records on the events topic that are not events: supervision dead-letters them (like
  // every consumer of the topic), reads its dead letters back and counts each once, today.
  ProduceRaw(bus_.Topic("infobus.events.v1"), "k", "not an event");
  ProduceRaw(bus_.Topic("infobus.events.v1"), "k", "nor this");
  ReportRequest today;
  *today.mutable_since() = ToProtoTimestamp(absl::Now() - absl::Hours(2));
  *today.mutable_until() = ToProtoTimestamp(absl::Now() + absl::Hours(2));
  ReportResponse dead;
  const absl::Time give_up = absl::Now() + absl::Seconds(60);
  while (absl::Now() < give_up) {
    dead.Clear();
    if (Report(today, &dead, Supervisor()).ok() && dead.collection().dead_lettered() >= 2) break;
    absl::SleepFor(absl::Milliseconds(200));  // polling the service's state
  }
  EXPECT_EQ(dead.collection().dead_lettered(), 2);
  ASSERT_EQ(dead.collection().dead_lettered_by_topic_size(), 1);
  EXPECT_EQ(dead.collection().dead_lettered_by_topic(0).key(), bus_.Topic("infobus.events.v1"));

  // A clean restart answers the same, byte for byte.
  ASSERT_TRUE(supervision_->Stop().ok());
  StartSupervision();
  const ReportResponse again =
      AwaitReport([](const ReportResponse& r) { return r.collection().events() > 0; });
  EXPECT_EQ(again.SerializeAsString(), report.SerializeAsString());

  // One county's scope is that county's share; another supervisor's unit is not theirs.
  ReportRequest fusui;
  fusui.set_period("2026-11");
  fusui.set_jurisdiction_prefix("451421");
  ReportResponse scoped;
  ASSERT_TRUE(Report(fusui, &scoped,
                     PersonIdentity(
                         {"supervisor-9", {"supervisor"}, "chongzuo-ops", {"4514"}, "SECRET", {}}))
                  .ok());
  EXPECT_EQ(scoped.collection().events(), month.expected.events_by_county.at("451421"));
  ASSERT_EQ(scoped.dispatch().units_size(), 1);
  EXPECT_EQ(scoped.dispatch().units(0).unit_id(), "fusui-psb");
  ReportRequest above;
  above.set_period("2026-11");
  above.set_unit_id("chongzuo-ops");
  ReportResponse refused;
  EXPECT_EQ(Report(above, &refused, AsSupervisor("fusui-psb", "SECRET")).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Report(fusui, &refused, AsAnalyst({"45"}, "SECRET")).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ReportRequest bad;
  bad.set_period("2026-13");
  const grpc::Status invalid = Report(bad, &refused, Supervisor());
  EXPECT_EQ(invalid.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(invalid.error_message().substr(0, 7), "period:");

  // Every judged item traces to its deliveries.
  TraceRequest by_judgment;
  by_judgment.set_judgment_id("j4");
  TraceResponse trace;
  ASSERT_TRUE(Trace(by_judgment, &trace, Supervisor()).ok());
  ASSERT_EQ(trace.judgments_size(), 1);
  EXPECT_EQ(trace.judgments(0).deliveries_size(), 1);
  ASSERT_EQ(trace.events_size(), 1);
  EXPECT_EQ(trace.events(0).trace_id(), "trace-4");
}

// Supervision scaled out: instances share the partitions of its facts topic, and each answers
// for all by asking its peers. Two instances fold the first half of the month; one stops and a
// third, with no store, joins (it replays the partitions it gets from the topic's beginning,
// though the group's committed offsets say otherwise); the other is killed -9 mid-stream while
// the rest arrives; both come back (each resumes from its own store). Every instance's month
// report equals the figures computed apart, and every judgment traces whole from any of them.
TEST_F(SupervisionTest, InstancesShareThePartitionsAndEachAnswersForAllAcrossAKillAndAJoin) {
  const Month month = Generate(bus_);
  const std::vector<int> ports = {FreeLoopbackPort(), FreeLoopbackPort(), FreeLoopbackPort()};
  std::vector<std::unique_ptr<ServiceProcess>> instances;
  for (int i = 0; i < 3; ++i) {
    std::string peers;
    for (int k = 0; k < 3; ++k) {
      if (k != i) absl::StrAppend(&peers, peers.empty() ? "" : ",", "127.0.0.1:", ports[k]);
    }
    instances.push_back(bus_.Instance("supervision", i,
                                      absl::StrCat("supervision:\n  routing_file: ", routing_file_,
                                                   "\n  partitions: 4\n  peers: ", peers, "\n")));
    instances.back()->ListenOn(ports[i]);
  }
  ServiceProcess* const a = instances[0].get();
  ServiceProcess* const b = instances[1].get();
  ServiceProcess* const c = instances[2].get();
  auto dump = [&] {
    std::string logs;
    for (const auto& instance : instances) logs += instance->Log();
    return logs;
  };
  const std::string facts = bus_.Topic("infobus.supervision-facts.v1");
  ASSERT_TRUE(a->Start().ok()) << a->Log();
  ASSERT_TRUE(b->Start().ok()) << b->Log();
  // Waits until `at` logs an assignment of a facts partition past `from` in its log (the group
  // has settled with it).
  auto await_assigned = [&facts](const ServiceProcess* at, size_t from = 0) {
    const absl::Time give_up = absl::Now() + absl::Seconds(60);
    while (absl::Now() < give_up) {
      if (at->Log().find("assigned " + facts + "/", from) != std::string::npos) return true;
      absl::SleepFor(absl::Milliseconds(100));  // polling another process's log
    }
    return false;
  };
  auto peer_stub = [](const ServiceProcess* at, const ClientSecurity& who) {
    return infobus::supervision::v1::SupervisionPeerService::NewStub(Channel(at->address(), who));
  };
  infobus::supervision::v1::LocalReportRequest local;
  *local.mutable_since() = ToProtoTimestamp(kMonthStart);
  *local.mutable_until() = ToProtoTimestamp(kMonthEnd);
  // How many partitions `at` answers for now (-1: the call failed).
  auto local_partitions = [&](const ServiceProcess* at) {
    infobus::supervision::v1::LocalReportResponse pieces;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
    const grpc::Status status =
        peer_stub(at, ServiceIdentity("supervision"))->LocalReport(&context, local, &pieces);
    return status.ok() ? pieces.partitions_size() : -1;
  };
  ASSERT_TRUE(await_assigned(b)) << b->Log();
  const size_t half = month.messages.size() / 2;
  Produce({month.messages.begin(), month.messages.begin() + half});
  AwaitReport([](const ReportResponse& r) { return r.collection().events() > 0; }, b);
  // Both hold some of the partitions (once each has caught up with its own): neither can answer
  // alone.
  for (const ServiceProcess* at : {a, b}) {
    const absl::Time give_up = absl::Now() + absl::Seconds(60);
    while (local_partitions(at) <= 0 && absl::Now() < give_up) {
      absl::SleepFor(absl::Milliseconds(100));  // polling the service's state
    }
    const int answered = local_partitions(at);
    EXPECT_GT(answered, 0) << dump();
    EXPECT_LT(answered, 4) << dump();
  }
  // Its records are unfiltered: only supervision itself may ask for them.
  for (const ClientSecurity& who : {Supervisor(), ServiceIdentity("dispatch")}) {
    infobus::supervision::v1::LocalReportResponse pieces;
    grpc::ClientContext context;
    EXPECT_EQ(peer_stub(a, who)->LocalReport(&context, local, &pieces).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
    infobus::supervision::v1::LocalTraceResponse records;
    grpc::ClientContext trace_context;
    EXPECT_EQ(
        peer_stub(a, who)
            ->LocalTrace(&trace_context, infobus::supervision::v1::LocalTraceRequest(), &records)
            .error_code(),
        grpc::StatusCode::PERMISSION_DENIED);
  }

  // a stops cleanly, so the group's committed offsets of its partitions are where it got: c,
  // which has no store, must still replay those partitions from their beginning.
  ASSERT_TRUE(a->Stop().ok()) << a->Log();
  ASSERT_TRUE(c->Start().ok()) << c->Log();
  ASSERT_TRUE(await_assigned(c)) << c->Log();
  // Then b is killed -9 mid-stream: c takes everything over.
  const size_t quarter = half + (month.messages.size() - half) / 2;
  Produce({month.messages.begin() + half, month.messages.begin() + quarter});
  b->Kill();
  Produce({month.messages.begin() + quarter, month.messages.end()});
  ExpectReport(AwaitReport([&](const ReportResponse& r) { return HasEverything(r, month); }, c),
               month);
  EXPECT_NE(c->Log().find("no local state, replaying from the beginning"), std::string::npos)
      << c->Log();
  // Both come back: a with its stale copy (it resumes from its own offsets), b with its own.
  std::map<const ServiceProcess*, size_t> before_restart;
  for (ServiceProcess* at : {a, b}) {
    before_restart[at] = at->Log().size();
    ASSERT_TRUE(at->Start().ok()) << at->Log();
  }
  for (ServiceProcess* at : {a, b}) {
    ASSERT_TRUE(await_assigned(at, before_restart[at])) << at->Log();
  }
  std::string first;
  for (const ServiceProcess* at : {a, b, c}) {
    const ReportResponse report =
        AwaitReport([&](const ReportResponse& r) { return HasEverything(r, month); }, at);
    ExpectReport(report, month);
    if (first.empty()) first = report.SerializeAsString();
    EXPECT_EQ(report.SerializeAsString(), first);
  }
  EXPECT_NE(b->Log().find(" from stored offset ", before_restart[b]), std::string::npos)
      << b->Log();
  EXPECT_GT(local_partitions(b), 0) << dump();

  // Every judgment traces whole (its event, its delivery and what became of it), from any
  // instance: the records of one item meet in one partition, wherever it is.
  int traced = 0;
  for (int i = 0; i < 400; i += 2) {
    TraceRequest request;
    request.set_judgment_id(absl::StrCat("j", i));
    TraceResponse trace;
    const grpc::Status status = Trace(request, &trace, Supervisor(), instances[i % 3].get());
    if (status.error_code() == grpc::StatusCode::NOT_FOUND) continue;  // outside the month
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_EQ(trace.judgments_size(), 1);
    const auto& judged = trace.judgments(0);
    EXPECT_EQ(judged.deliveries_size(), 1) << judged.ShortDebugString();
    EXPECT_NE(judged.state(), infobus::supervision::v1::JUDGMENT_STATE_UNSPECIFIED);
    ASSERT_EQ(trace.events_size(), 1) << trace.ShortDebugString();
    EXPECT_EQ(trace.events(0).trace_id(), absl::StrCat("trace-", i));
    TraceRequest by_trace;
    by_trace.set_trace_id(absl::StrCat("trace-", i));
    TraceResponse from_event;
    const grpc::Status by_event =
        Trace(by_trace, &from_event, Supervisor(), instances[(i + 1) % 3].get());
    ASSERT_TRUE(by_event.ok()) << by_event.error_message();
    ASSERT_EQ(from_event.judgments_size(), 1);
    EXPECT_EQ(from_event.judgments(0).DebugString(), judged.DebugString());
    ++traced;
  }
  EXPECT_EQ(traced, month.expected.judgments);

  // With an instance gone and its partitions not yet taken over, an answer would be partial:
  // the call fails and says which partitions are missing.
  c->Kill();
  ReportRequest request;
  request.set_period("2026-11");
  ReportResponse partial;
  const grpc::Status unavailable = Report(request, &partial, Supervisor(), a);
  EXPECT_EQ(unavailable.error_code(), grpc::StatusCode::UNAVAILABLE) << dump();
  EXPECT_NE(unavailable.error_message().find("missing: "), std::string::npos)
      << unavailable.error_message();
}

TEST_F(SupervisionTest, AWatchlistedEventTracesThroughTheWholeChain) {
  judgment_ = bus_.Service("judgment");
  dispatch_ = bus_.Service("dispatch", "dispatch:\n  routing_file: " + routing_file_ + "\n");
  collection_ = bus_.Service("collection");
  ASSERT_TRUE(judgment_->Start().ok()) << judgment_->Log();
  ASSERT_TRUE(dispatch_->Start().ok()) << dispatch_->Log();
  ASSERT_TRUE(collection_->Start().ok()) << collection_->Log();
  StartSupervision();

  {
    auto stub = infobus::judgment::v1::JudgmentService::NewStub(
        Channel(judgment_->address(), AsAdministrator()));
    infobus::judgment::v1::AddWatchlistEntryRequest request;
    request.mutable_entry()->set_list_id("wanted_person");
    request.mutable_entry()->mutable_subject()->set_type(
        infobus::common::v1::SUBJECT_TYPE_ID_NUMBER);
    request.mutable_entry()->mutable_subject()->set_value("11010519491231002X");
    request.mutable_entry()->set_severity(infobus::common::v1::SEVERITY_HIGH);
    infobus::judgment::v1::AddWatchlistEntryResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(stub->AddWatchlistEntry(&context, request, &response).ok());
  }
  InboxReader inbox(dispatch_->address(), "fusui-psb", 0, AsOfficer("fusui-psb", "SECRET"));
  infobus::collection::v1::PublishRequest publish;
  for (int i = 0; i < 2; ++i) {
    Event* event = publish.add_events();
    event->set_event_id(absl::StrCat("chain-", i));
    event->set_source_id("fusui-lodging");
    event->set_county_code("451421");
    event->set_kind("lodging.checkin");
    *event->mutable_occurred_at() = ToProtoTimestamp(absl::Now() - absl::Minutes(1));
    auto* subject = event->add_subjects();
    subject->set_type(i == 0 ? infobus::common::v1::SUBJECT_TYPE_ID_NUMBER
                             : infobus::common::v1::SUBJECT_TYPE_PHONE);
    subject->set_value(i == 0 ? "11010519491231002x" : "13912345678");
  }
  // Classified, so that every look at it is on the audit topic and in its trace.
  publish.mutable_events(0)->set_classification(infobus::common::v1::CLASSIFICATION_CONFIDENTIAL);
  // And one collection rejects (no kind): on no topic, but in the trace and the report.
  *publish.add_events() = publish.events(1);
  publish.mutable_events(2)->set_event_id("chain-bad");
  publish.mutable_events(2)->clear_kind();
  {
    auto stub = infobus::collection::v1::CollectionService::NewStub(
        Channel(collection_->address(), AsSource("fusui-lodging")));
    infobus::collection::v1::PublishResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(stub->Publish(&context, publish, &response).ok());
  }
  ASSERT_TRUE(inbox.WaitForCount(1, absl::Seconds(60)));
  {
    auto stub = infobus::dispatch::v1::DispatchService::NewStub(
        Channel(dispatch_->address(), AsOfficer("fusui-psb", "SECRET", "officer-7")));
    infobus::dispatch::v1::AcknowledgeRequest ack;
    ack.set_unit_id("fusui-psb");
    ack.set_seq(1);
    infobus::dispatch::v1::AcknowledgeResponse acked;
    grpc::ClientContext context;
    ASSERT_TRUE(stub->Acknowledge(&context, ack, &acked).ok());
    infobus::dispatch::v1::FeedbackRequest feedback;
    feedback.set_unit_id("fusui-psb");
    feedback.set_seq(1);
    feedback.set_outcome(infobus::common::v1::FEEDBACK_OUTCOME_APPREHENDED);
    feedback.set_note("at the hotel");
    infobus::dispatch::v1::FeedbackResponse given;
    grpc::ClientContext context2;
    ASSERT_TRUE(stub->Feedback(&context2, feedback, &given).ok());
  }

  TraceRequest request;
  request.mutable_event()->set_source_id("fusui-lodging");
  request.mutable_event()->set_event_id("chain-0");
  TraceResponse trace;
  const absl::Time give_up = absl::Now() + absl::Seconds(60);
  std::vector<infobus::supervision::v1::HopKind> kinds;
  while (absl::Now() < give_up) {
    trace.Clear();
    if (Trace(request, &trace, Supervisor()).ok() && trace.judgments_size() == 1 &&
        trace.judgments(0).state() == infobus::supervision::v1::JUDGMENT_STATE_CLOSED &&
        std::any_of(trace.accesses().begin(), trace.accesses().end(),
                    [](const auto& access) { return access.subject() == "officer-7"; })) {
      break;
    }
    absl::SleepFor(absl::Milliseconds(200));  // polling the service's state
  }
  ASSERT_EQ(trace.judgments_size(), 1) << trace.ShortDebugString();
  const auto& judged = trace.judgments(0);
  EXPECT_EQ(judged.state(), infobus::supervision::v1::JUDGMENT_STATE_CLOSED);
  EXPECT_EQ(judged.rule_id(), inbox.deliveries()[0].judgment().rule_id());
  for (const auto& hop : judged.hops()) kinds.push_back(hop.kind());
  using infobus::supervision::v1::HopKind;
  EXPECT_EQ(kinds, (std::vector<HopKind>{infobus::supervision::v1::HOP_KIND_COLLECTED,
                                         infobus::supervision::v1::HOP_KIND_JUDGED,
                                         infobus::supervision::v1::HOP_KIND_DELIVERED,
                                         infobus::supervision::v1::HOP_KIND_SIGNED,
                                         infobus::supervision::v1::HOP_KIND_FEEDBACK}));
  EXPECT_EQ(judged.hops(3).by(), "officer-7");
  EXPECT_TRUE(judged.missing().empty()) << trace.ShortDebugString();
  ASSERT_EQ(trace.events_size(), 1);
  EXPECT_FALSE(trace.events(0).trace_id().empty());
  // Who saw it, from the audit topic: collection took it, the officer read, signed and
  // answered its delivery (the analyst's look below comes later).
  std::set<std::string> methods;
  for (const auto& access : trace.accesses()) {
    EXPECT_EQ(access.judgment_id().empty() ? access.event_id() : access.judgment_id(),
              access.judgment_id().empty() ? "chain-0" : judged.judgment_id());
    methods.insert(absl::StrCat(access.subject(), " ", access.method()));
  }
  EXPECT_TRUE(methods.count("fusui-lodging CollectionService/Publish")) << trace.ShortDebugString();
  EXPECT_TRUE(methods.count("officer-7 DispatchService/Acknowledge")) << trace.ShortDebugString();

  // The rejected event: no record of it on any topic but its REJECTED access record.
  TraceRequest bad;
  bad.mutable_event()->set_source_id("fusui-lodging");
  bad.mutable_event()->set_event_id("chain-bad");
  TraceResponse rejected;
  // Its record is on another partition of the audit topic than the officer's: it may come later.
  for (const absl::Time until = absl::Now() + absl::Seconds(30);
       !Trace(bad, &rejected, Supervisor()).ok() && absl::Now() < until;) {
    absl::SleepFor(absl::Milliseconds(200));  // polling the service's state
  }
  ASSERT_EQ(rejected.missing_size(), 1) << rejected.ShortDebugString();
  EXPECT_TRUE(absl::StartsWith(rejected.missing(0),
                               "event not seen: collection rejected it (events[2].kind: "))
      << rejected.missing(0);
  infobus::supervision::v1::ReportRequest today;
  *today.mutable_since() = ToProtoTimestamp(absl::Now() - absl::Hours(2));
  *today.mutable_until() = ToProtoTimestamp(absl::Now() + absl::Hours(1));
  infobus::supervision::v1::ReportResponse figures;
  ASSERT_TRUE(Report(today, &figures, Supervisor()).ok());
  EXPECT_EQ(figures.collection().rejected(), 1) << figures.collection().ShortDebugString();
  ASSERT_EQ(figures.collection().rejected_by_source_size(), 1);
  EXPECT_EQ(figures.collection().rejected_by_source(0).key(), "fusui-lodging");
  // An analyst sees the chain, not who looked at it.

  // The other event was collected and matched no rule.
  TraceRequest plain;
  plain.mutable_event()->set_source_id("fusui-lodging");
  plain.mutable_event()->set_event_id("chain-1");
  TraceResponse alone;
  ASSERT_TRUE(Trace(plain, &alone, Supervisor()).ok());
  EXPECT_FALSE(alone.events(0).judged());
  ASSERT_EQ(alone.missing_size(), 1);
  EXPECT_EQ(alone.missing(0), "collected, not judged");

  // The same by its trace id; refused to an officer, and to a supervisor elsewhere.
  TraceRequest by_trace;
  by_trace.set_trace_id(trace.events(0).trace_id());
  TraceResponse same;
  ASSERT_TRUE(Trace(by_trace, &same, Supervisor()).ok());
  EXPECT_EQ(same.judgments(0).judgment_id(), judged.judgment_id());
  EXPECT_EQ(Trace(request, &same, AsOfficer("fusui-psb", "SECRET")).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // An analyst of the province follows the judgment to its deliveries; one of another city
  // is refused the item.
  TraceResponse analysts;
  ASSERT_TRUE(Trace(request, &analysts,
                    PersonIdentity({"analyst-3", {"analyst"}, "", {"45"}, "SECRET", {}}))
                  .ok());
  ASSERT_EQ(analysts.judgments_size(), 1);
  EXPECT_EQ(analysts.judgments(0).judgment_id(), judged.judgment_id());
  EXPECT_EQ(analysts.accesses_size(), 0);
  EXPECT_GT(analysts.judgments(0).hops_size(), 2);
  EXPECT_EQ(
      Trace(request, &same, PersonIdentity({"analyst-5", {"analyst"}, "", {"4501"}, "SECRET", {}}))
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(
      Trace(request, &same,
            PersonIdentity({"supervisor-5", {"supervisor"}, "nanning-ops", {"4501"}, "SECRET", {}}))
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace infobus::testing
