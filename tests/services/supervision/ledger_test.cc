// The ledger on a real RocksDB store: facts folded in any order and any number of times leave
// the same records and tallies, and the tallies give the figures a report shows.
#include "services/supervision/ledger.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <variant>
#include <vector>

#include "services/supervision/daily_rollup.h"
#include "services/supervision/ledger_reader.h"
#include "services/supervision/report_builder.h"
#include "services/supervision/tally_key.h"
#include "tests/services/supervision/facts.h"
#include "tests/support/temp_dir.h"

namespace infobus::supervision {
namespace {

using namespace infobus::supervision::testing;  // NOLINT: the fact builders
using infobus::common::v1::DeadLetter;

using infobus::common::v1::AuditRecord;

using Fact = std::variant<Event, Judgment, DispatchEvent, DeadLetter, AuditRecord>;

class LedgerTest : public ::testing::Test {
 protected:
  std::unique_ptr<Store> OpenStore(const std::string& name) {
    Store::Options options;
    options.merge_operators = Families::MergeOperators();
    auto store = Store::Open(dir_.Sub(name), Families::All(), options);
    EXPECT_TRUE(store.ok()) << store.status();
    return std::move(*store);
  }

  // The partition of the repartition topic `fact` goes to, of `partitions`: keyed by its item
  // as FactHandler keys it (any hash does; this one is not Kafka's).
  static int32_t PartitionFor(const Fact& fact, int partitions) {
    const std::string key = std::visit(
        [](const auto& fact) -> std::string {
          using T = std::decay_t<decltype(fact)>;
          if constexpr (std::is_same_v<T, Event>) {
            return EventKey(fact.source_id(), fact.event_id());
          }
          if constexpr (std::is_same_v<T, Judgment>) return fact.judgment_id();
          if constexpr (std::is_same_v<T, DispatchEvent>) return fact.judgment_id();
          if constexpr (std::is_same_v<T, DeadLetter>) {
            return absl::StrCat(fact.topic(), "/", fact.partition(), "/", fact.offset());
          }
          if constexpr (std::is_same_v<T, AuditRecord>) {
            return fact.judgment_id().empty() ? EventKey(fact.event_source_id(), fact.event_id())
                                              : fact.judgment_id();
          }
        },
        fact);
    return static_cast<int32_t>(std::hash<std::string>()(key) % partitions);
  }

  static std::vector<int32_t> AllOf(int partitions) {
    std::vector<int32_t> all;
    for (int32_t p = 0; p < partitions; ++p) all.push_back(p);
    return all;
  }

  // Folds `facts` into `store` in batches of `batch_size`, each into its partition of
  // `partitions`.
  static void Fold(Store* store, const std::vector<Fact>& facts, size_t batch_size,
                   int partitions = 1) {
    Ledger ledger(store);
    for (size_t i = 0; i < facts.size(); i += batch_size) {
      for (size_t k = i; k < std::min(facts.size(), i + batch_size); ++k) {
        ledger.Into(PartitionFor(facts[k], partitions));
        absl::Status status = std::visit(
            [&ledger](const auto& fact) -> absl::Status {
              using T = std::decay_t<decltype(fact)>;
              if constexpr (std::is_same_v<T, Event>) return ledger.StageEvent(fact);
              if constexpr (std::is_same_v<T, Judgment>) return ledger.StageJudgment(fact);
              if constexpr (std::is_same_v<T, DispatchEvent>) {
                return ledger.StageDispatchEvent(fact);
              }
              if constexpr (std::is_same_v<T, DeadLetter>) return ledger.StageDeadLetter(fact);
              if constexpr (std::is_same_v<T, AuditRecord>) {
                return ledger.StageAudit(fact).status();
              }
            },
            facts[k]);
        ASSERT_TRUE(status.ok()) << status;
      }
      rocksdb::WriteBatch batch;
      ASSERT_TRUE(ledger.Flush(&batch).ok());
      ASSERT_TRUE(store->Write(&batch).ok());
    }
  }

  // What `family` holds, but for tallies whose deltas summed to nothing (they may or may not
  // have been written, depending on the order of the facts; readers skip them).
  static std::map<std::string, std::string> Contents(const Store& store, const char* family) {
    const bool tallies =
        std::string(family) == Families::kTallies || std::string(family) == Families::kDailyTallies;
    std::map<std::string, std::string> contents;
    auto it = store.NewIterator(family);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      Tally tally;
      if (tallies && tally.ParseFromString(it->value().ToString()) && IsEmpty(tally)) continue;
      contents[it->key().ToString()] = it->value().ToString();
    }
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
    return contents;
  }

  // A week of facts at every hour of the day: events every 5 hours, a judgment on every other
  // one, delivered, most signed off, some with feedback.
  static std::vector<Fact> Week() {
    std::vector<Fact> facts;
    for (int i = 0; i < 34; ++i) {
      const absl::Time at = kT0 + absl::Hours(5 * i) + absl::Minutes(7 * i);
      const Event event = MakeEvent(i % 3 == 0 ? "netcafe" : "lodging", absl::StrCat("w", i), at,
                                    i % 2 == 0 ? "451421" : "451422");
      facts.push_back(event);
      if (i % 2 != 0) continue;
      const std::string id = absl::StrCat("jw", i);
      facts.push_back(
          MakeJudgment(id, i % 4 == 0 ? "hotspot" : "watchlist-hit", event, at + absl::Minutes(1)));
      facts.push_back(Delivered(id, "fusui-psb", i + 1, at + absl::Minutes(2), absl::Minutes(15)));
      if (i % 6 != 0) {
        facts.push_back(
            Acknowledged(id, "fusui-psb", i + 1, at + absl::Minutes(2 + i), "officer-7"));
      }
      if (i % 8 == 0) {
        facts.push_back(FeedbackGiven(id, "fusui-psb", i + 1, at + absl::Hours(3),
                                      infobus::common::v1::FEEDBACK_OUTCOME_HANDLED));
      }
    }
    return facts;
  }

  static ReportScope Everything() {
    ReportScope everything;
    everything.all_jurisdictions = everything.all_units = everything.any_clearance = true;
    return everything;
  }

  static infobus::supervision::v1::ReportResponse ReportOf(const Store& store, int partitions = 1) {
    ReportBuilder builder(Everything());
    const LedgerReader reader(&store);
    EXPECT_TRUE(reader
                    .ScanTallies({kT0 - absl::Hours(48), kT0 + absl::Hours(48)}, AllOf(partitions),
                                 &builder)
                    .ok());
    return builder.Finish();
  }

  // Two units, three judgments: one signed in time with a positive outcome, one signed late
  // and dismissed on review, one escalated unsigned; one event judged by nobody; a dead letter
  // seen twice (two consumers gave up on the same record).
  static std::vector<Fact> Story() {
    const Event e1 = MakeEvent("lodging", "e1", kT0);
    const Event e2 = MakeEvent("lodging", "e2", kT0 + absl::Minutes(1));
    const Event e3 = MakeEvent("netcafe", "e3", kT0 + absl::Minutes(2), "451422", "netcafe.login");
    const Event e4 = MakeEvent("netcafe", "e4", kT0 + absl::Minutes(3), "451422", "netcafe.login");
    Judgment j2 = MakeJudgment("j2", "hotspot", e2, kT0 + absl::Minutes(2));
    Judgment j2_reviewed = j2;
    j2_reviewed.mutable_review()->set_status(infobus::common::v1::REVIEW_STATUS_DISMISSED);
    j2_reviewed.mutable_review()->set_reviewer("analyst-3");
    *j2_reviewed.mutable_review()->mutable_reviewed_at() = ToProtoTimestamp(kT0 + absl::Hours(1));
    DeadLetter dead;
    dead.set_topic("infobus.events.v1");
    dead.set_partition(1);
    dead.set_offset(42);
    dead.set_consumer("infobus-judgment");
    *dead.mutable_dead_lettered_at() = ToProtoTimestamp(kT0);
    DeadLetter dead_again = dead;
    dead_again.set_consumer("infobus-supervision");
    // Who looked: an analyst read j1, an officer opened its delivery, an administrator changed
    // the watchlist (no item a trace shows); collection rejected an event of netcafe's.
    AuditRecord read_j1 = Access("a1", "analyst-3", kT0 + absl::Minutes(6), "GetJudgment");
    read_j1.set_judgment_id("j1");
    AuditRecord opened_delivery = Access("a2", "officer-7", kT0 + absl::Minutes(4), "Subscribe");
    opened_delivery.set_item_kind("delivery");
    opened_delivery.set_judgment_id("j1");
    AuditRecord watchlist = Access("a3", "admin", kT0, "AddWatchlistEntry");
    watchlist.set_item_kind("watchlist");
    AuditRecord rejected = Access("a4", "netcafe", kT0 + absl::Minutes(9), "Publish");
    rejected.set_decision(infobus::common::v1::AUDIT_DECISION_REJECTED);
    rejected.set_reason("events[0].kind: is required");
    rejected.set_event_source_id("netcafe");
    rejected.set_event_id("e5");
    rejected.set_county_code("451422");
    const absl::Duration deadline = absl::Minutes(15);
    return {
        e1,
        e2,
        e3,
        e4,
        MakeJudgment("j1", "watchlist-hit", e1, kT0 + absl::Minutes(1)),
        j2,
        j2_reviewed,
        MakeJudgment("j3", "watchlist-hit", e3, kT0 + absl::Minutes(3)),
        Delivered("j1", "fusui-psb", 1, kT0 + absl::Minutes(1), deadline),
        Acknowledged("j1", "fusui-psb", 1, kT0 + absl::Minutes(5), "officer-7"),
        FeedbackGiven("j1", "fusui-psb", 1, kT0 + absl::Minutes(30),
                      infobus::common::v1::FEEDBACK_OUTCOME_APPREHENDED),
        Delivered("j2", "fusui-psb", 2, kT0 + absl::Minutes(2), deadline),
        Acknowledged("j2", "fusui-psb", 2, kT0 + absl::Minutes(40), "officer-7"),
        Delivered("j3", "fusui-xinning-station", 1, kT0 + absl::Minutes(3), deadline),
        Escalated("j3", "fusui-xinning-station", 1, kT0 + absl::Minutes(18), "fusui-psb/3"),
        Delivered("j3", "fusui-psb", 3, kT0 + absl::Minutes(18), deadline),
        dead,
        dead_again,
        read_j1,
        opened_delivery,
        watchlist,
        rejected,
    };
  }

  static AuditRecord Access(const std::string& id, const std::string& subject, absl::Time at,
                            const std::string& method) {
    AuditRecord record;
    record.set_audit_id(id);
    *record.mutable_at() = ToProtoTimestamp(at);
    record.set_subject(subject);
    record.set_method(method);
    record.set_decision(infobus::common::v1::AUDIT_DECISION_ALLOWED);
    record.set_item_classification(infobus::common::v1::CLASSIFICATION_INTERNAL);
    return record;
  }

  infobus::testing::TempDir dir_;
};

TEST_F(LedgerTest, TheTalliesGiveTheFiguresOfTheStory) {
  auto store = OpenStore("db");
  Fold(store.get(), Story(), 100);
  const auto report = ReportOf(*store);
  EXPECT_EQ(report.collection().events(), 4);
  ASSERT_EQ(report.collection().by_county_size(), 2);
  EXPECT_EQ(report.collection().by_county(0).key(), "451421");
  EXPECT_EQ(report.collection().by_county(0).count(), 2);
  EXPECT_EQ(report.collection().dead_lettered(), 1);  // one record, two consumers
  EXPECT_EQ(report.collection().rejected(), 1);
  ASSERT_EQ(report.collection().rejected_by_county_size(), 1);
  EXPECT_EQ(report.collection().rejected_by_county(0).key(), "451422");
  ASSERT_EQ(report.collection().rejected_by_source_size(), 1);
  EXPECT_EQ(report.collection().rejected_by_source(0).key(), "netcafe");
  EXPECT_EQ(report.judgment().judgments(), 3);
  EXPECT_EQ(report.judgment().dismissed(), 1);
  EXPECT_EQ(report.judgment().unreviewed(), 2);
  ASSERT_EQ(report.rules_size(), 2);
  EXPECT_EQ(report.rules(0).rule_id(), "hotspot");
  EXPECT_EQ(report.rules(0).negative(), 1);
  EXPECT_EQ(report.rules(1).rule_id(), "watchlist-hit");
  EXPECT_EQ(report.rules(1).positive(), 1);
  EXPECT_EQ(report.rules(1).negative(), 0);
  EXPECT_DOUBLE_EQ(report.rules(1).precision(), 1.0);

  ASSERT_EQ(report.dispatch().units_size(), 2);
  const auto& psb = report.dispatch().units(0);
  EXPECT_EQ(psb.unit_id(), "fusui-psb");
  EXPECT_EQ(psb.deliveries(), 3);
  EXPECT_EQ(psb.acknowledged(), 2);
  EXPECT_EQ(psb.with_deadline(), 3);
  EXPECT_EQ(psb.acknowledged_within_deadline(), 1);  // 4 min in, 38 min late
  EXPECT_NEAR(psb.sla_share(), 1.0 / 3, 1e-9);
  EXPECT_EQ(psb.feedback(), 1);
  EXPECT_NEAR(psb.signoff_p50().seconds(), 240, 240 * 0.04);
  EXPECT_NEAR(psb.signoff_p99().seconds(), 38 * 60, 38 * 60 * 0.04);
  const auto& station = report.dispatch().units(1);
  EXPECT_EQ(station.unit_id(), "fusui-xinning-station");
  EXPECT_EQ(station.escalated(), 1);
  EXPECT_EQ(station.acknowledged(), 0);
  EXPECT_EQ(report.dispatch().total().deliveries(), 4);
}

TEST_F(LedgerTest, AnyOrderAnyRepeatsAndAnyBatchingLeaveTheSameState) {
  for (const int partitions : {1, 4}) {
    SCOPED_TRACE(absl::StrCat(partitions, " partitions"));
    auto reference = OpenStore(absl::StrCat("reference", partitions));
    Fold(reference.get(), Story(), 100, partitions);
    std::mt19937 random(11);
    for (int round = 0; round < 8; ++round) {
      std::vector<Fact> facts = Story();
      // Every fact once more (a producer's redo), then shuffled: a delivery's sign-off may come
      // before its judgment, a review before the first copy of the judgment.
      const std::vector<Fact> again = facts;
      facts.insert(facts.end(), again.begin(), again.end());
      std::shuffle(facts.begin(), facts.end(), random);
      auto store = OpenStore(absl::StrCat("round", round, "-", partitions));
      Fold(store.get(), facts, 1 + round % 5, partitions);
      for (const char* family : {Families::kTallies, Families::kDailyTallies, Families::kJudgments,
                                 Families::kDeliveries, Families::kEvents,
                                 Families::kEventJudgments, Families::kAccesses}) {
        EXPECT_EQ(Contents(*store, family), Contents(*reference, family))
            << "round " << round << ", family " << family;
      }
    }
  }
}

// Spread over partitions by item, the facts of each item still meet (a delivery's outcome
// reaches its judgment's verdict), each partition's state is one key prefix, and the
// partitions together give the figures and traces of one.
TEST_F(LedgerTest, FactsSpreadOverPartitionsByItemAddUpToTheFiguresOfOne) {
  auto one = OpenStore("one");
  Fold(one.get(), Story(), 100);
  auto four = OpenStore("four");
  Fold(four.get(), Story(), 3, 4);
  std::set<int32_t> used;
  for (const char* family : {Families::kEvents, Families::kJudgments, Families::kDeliveries,
                             Families::kTallies, Families::kDailyTallies}) {
    for (const auto& [key, value] : Contents(*four, family)) {
      EXPECT_LT(PartitionOf(key), 4) << family;
      used.insert(PartitionOf(key));
    }
  }
  EXPECT_GT(used.size(), 1u) << "the story went to one partition: the test shows nothing";
  EXPECT_EQ(ReportOf(*four, 4).DebugString(), ReportOf(*one).DebugString());
  // A partition alone is part of the figures, not all of them.
  ReportBuilder part(Everything());
  ASSERT_TRUE(
      LedgerReader(four.get())
          .ScanTallies({kT0 - absl::Hours(48), kT0 + absl::Hours(48)}, {*used.begin()}, &part)
          .ok());
  EXPECT_LT(part.Finish().collection().events(), 4);

  v1::TraceRequest by_trace;
  by_trace.set_trace_id("trace-lodging-e1");
  auto whole = LedgerReader(one.get()).Trace(by_trace, kT0 + absl::Hours(2), {0});
  auto spread = LedgerReader(four.get()).Trace(by_trace, kT0 + absl::Hours(2), AllOf(4));
  ASSERT_TRUE(whole.ok() && spread.ok()) << spread.status();
  EXPECT_EQ(spread->DebugString(), whole->DebugString());
}

TEST_F(LedgerTest, ATraceFollowsAnEventToItsJudgmentAndItsDeliveries) {
  auto store = OpenStore("db");
  Fold(store.get(), Story(), 3);
  const LedgerReader reader(store.get());
  v1::TraceRequest by_trace;
  by_trace.set_trace_id("trace-lodging-e1");
  auto trace = reader.Trace(by_trace, kT0 + absl::Hours(2), {0});
  ASSERT_TRUE(trace.ok()) << trace.status();
  ASSERT_EQ(trace->events_size(), 1);
  EXPECT_TRUE(trace->events(0).judged());
  ASSERT_EQ(trace->judgments_size(), 1);
  const v1::JudgmentTrace& j1 = trace->judgments(0);
  EXPECT_EQ(j1.judgment_id(), "j1");
  EXPECT_EQ(j1.state(), v1::JUDGMENT_STATE_CLOSED);
  std::vector<v1::HopKind> kinds;
  for (const v1::Hop& hop : j1.hops()) kinds.push_back(hop.kind());
  EXPECT_EQ(kinds, (std::vector<v1::HopKind>{v1::HOP_KIND_COLLECTED, v1::HOP_KIND_JUDGED,
                                             v1::HOP_KIND_DELIVERED, v1::HOP_KIND_SIGNED,
                                             v1::HOP_KIND_FEEDBACK}));
  EXPECT_EQ(j1.hops(3).since_previous().seconds(), 240);  // delivered -> signed
  EXPECT_EQ(j1.hops(3).by(), "officer-7");
  // Who saw it, oldest first: the officer its delivery, the analyst the judgment.
  ASSERT_EQ(trace->accesses_size(), 2);
  EXPECT_EQ(trace->accesses(0).subject(), "officer-7");
  EXPECT_EQ(trace->accesses(1).subject(), "analyst-3");

  // An event collection rejected is on no topic: its record says why.
  v1::TraceRequest rejected;
  rejected.mutable_event()->set_source_id("netcafe");
  rejected.mutable_event()->set_event_id("e5");
  auto refused = reader.Trace(rejected, kT0, {0});
  ASSERT_TRUE(refused.ok()) << refused.status();
  EXPECT_EQ(refused->events_size(), 0);
  ASSERT_EQ(refused->missing_size(), 1);
  EXPECT_EQ(refused->missing(0),
            "event not seen: collection rejected it (events[0].kind: is required)");
  ASSERT_EQ(refused->accesses_size(), 1);
  EXPECT_EQ(refused->accesses(0).decision(), infobus::common::v1::AUDIT_DECISION_REJECTED);

  v1::TraceRequest unjudged;
  unjudged.mutable_event()->set_source_id("netcafe");
  unjudged.mutable_event()->set_event_id("e4");
  auto alone = reader.Trace(unjudged, kT0, {0});
  ASSERT_TRUE(alone.ok());
  EXPECT_FALSE(alone->events(0).judged());
  EXPECT_EQ(alone->missing(0), "collected, not judged");

  v1::TraceRequest unknown;
  unknown.set_judgment_id("nope");
  EXPECT_TRUE(absl::IsNotFound(reader.Trace(unknown, kT0, {0}).status()));
  EXPECT_EQ(reader.Trace(v1::TraceRequest(), kT0, {0}).status().message(),
            "item: give event, trace_id or judgment_id");
}

TEST_F(LedgerTest, ATraceShowsTheNewestAccessesAndCountsTheOlderOnes) {
  auto store = OpenStore("db");
  std::vector<Fact> facts = Story();
  const int extra = kMaxTraceAccesses + 3;
  for (int i = 0; i < extra; ++i) {
    AuditRecord read = Access(absl::StrCat("b", i), absl::StrCat("analyst-", i),
                              kT0 + absl::Hours(1) + absl::Seconds(i), "GetJudgment");
    read.set_judgment_id("j1");
    facts.push_back(read);
  }
  Fold(store.get(), facts, 50);
  const LedgerReader reader(store.get());
  v1::TraceRequest request;
  request.set_judgment_id("j1");
  auto trace = reader.Trace(request, kT0 + absl::Hours(2), {0});
  ASSERT_TRUE(trace.ok()) << trace.status();
  ASSERT_EQ(trace->accesses_size(), kMaxTraceAccesses);
  EXPECT_EQ(trace->accesses_not_shown(), extra + 2 - kMaxTraceAccesses);
  EXPECT_EQ(trace->accesses(kMaxTraceAccesses - 1).subject(), absl::StrCat("analyst-", extra - 1));
}

TEST_F(LedgerTest, ClosureByApprovalFollowsSendBacksAndRepeatsChangeNothing) {
  const Event petition = MakeEvent("petitions", "p1", kT0, "451421", "petition");
  Judgment judgment = MakeJudgment("jp", "petition-direct", petition, kT0 + absl::Minutes(1));
  judgment.set_needs_approval(true);
  const absl::Time delivered = kT0 + absl::Minutes(2);
  auto decided = [](infobus::common::v1::DispatchEventType type, absl::Time at, uint32_t round,
                    const std::string& note) {
    DispatchEvent event = MakeDispatch(type, "jp", "fusui-psb", 1, at);
    event.set_decided_by("supervisor-2");
    event.set_note(note);
    event.set_sent_back_count(round);
    return event;
  };
  DispatchEvent sent_back = decided(infobus::common::v1::DISPATCH_EVENT_TYPE_SENT_BACK,
                                    delivered + absl::Hours(3), 1, "call the petitioner back");
  *sent_back.mutable_deadline() = ToProtoTimestamp(delivered + absl::Hours(75));
  DispatchEvent second = FeedbackGiven("jp", "fusui-psb", 1, delivered + absl::Hours(5),
                                       infobus::common::v1::FEEDBACK_OUTCOME_HANDLED);
  second.set_sent_back_count(1);
  const DispatchEvent first = FeedbackGiven("jp", "fusui-psb", 1, delivered + absl::Hours(2),
                                            infobus::common::v1::FEEDBACK_OUTCOME_NOT_FOUND);
  const std::vector<Fact> story = {
      petition,
      judgment,
      Delivered("jp", "fusui-psb", 1, delivered, absl::Hours(72)),
      Acknowledged("jp", "fusui-psb", 1, delivered + absl::Hours(1), "officer-7"),
      first,
      sent_back,
      second,
      decided(infobus::common::v1::DISPATCH_EVENT_TYPE_APPROVED, delivered + absl::Hours(6), 1,
              "answered"),
  };
  auto store = OpenStore("db");
  // Up to the first feedback: it awaits approval.
  Fold(store.get(), {story.begin(), story.begin() + 5}, 10);
  const LedgerReader reader(store.get());
  v1::TraceRequest request;
  request.set_judgment_id("jp");
  auto awaiting = reader.Trace(request, delivered + absl::Hours(2), {0});
  ASSERT_TRUE(awaiting.ok()) << awaiting.status();
  EXPECT_EQ(awaiting->judgments(0).state(), v1::JUDGMENT_STATE_FEEDBACK);
  EXPECT_EQ(awaiting->judgments(0).missing(0), "fusui-psb/1: feedback awaits approval");

  // The rest, then every fact again (a redo): the first feedback does not come back.
  std::vector<Fact> rest(story.begin() + 5, story.end());
  rest.insert(rest.end(), story.begin(), story.end());
  rest.push_back(first);  // a straggling repeat of the first round's feedback
  Fold(store.get(), rest, 3);
  auto closed = reader.Trace(request, delivered + absl::Hours(7), {0});
  ASSERT_TRUE(closed.ok());
  const v1::JudgmentTrace& trace = closed->judgments(0);
  EXPECT_EQ(trace.state(), v1::JUDGMENT_STATE_CLOSED);
  EXPECT_TRUE(trace.missing().empty());
  std::vector<v1::HopKind> kinds;
  for (const v1::Hop& hop : trace.hops()) kinds.push_back(hop.kind());
  EXPECT_EQ(kinds, (std::vector<v1::HopKind>{v1::HOP_KIND_COLLECTED, v1::HOP_KIND_JUDGED,
                                             v1::HOP_KIND_DELIVERED, v1::HOP_KIND_SIGNED,
                                             v1::HOP_KIND_FEEDBACK, v1::HOP_KIND_SENT_BACK,
                                             v1::HOP_KIND_FEEDBACK, v1::HOP_KIND_APPROVED}));
  EXPECT_EQ(trace.hops(5).detail(), "call the petitioner back");
  EXPECT_EQ(trace.deliveries(0).sent_back_count(), 1u);
  EXPECT_EQ(trace.deliveries(0).feedback().outcome(),
            infobus::common::v1::FEEDBACK_OUTCOME_HANDLED);
  EXPECT_EQ(FromProtoTimestamp(trace.deliveries(0).deadline()), delivered + absl::Hours(75));

  const auto report = ReportOf(*store);
  ASSERT_EQ(report.dispatch().units_size(), 1);
  EXPECT_EQ(report.dispatch().units(0).sent_back(), 1);
  EXPECT_EQ(report.dispatch().units(0).approved(), 1);
  EXPECT_EQ(report.dispatch().units(0).acknowledged_within_deadline(), 1);  // the first answer
  EXPECT_EQ(report.dispatch().units(0).feedback(), 1);                      // the one that stands
  ASSERT_EQ(report.rules_size(), 1);
  EXPECT_EQ(report.rules(0).positive(), 1);  // HANDLED, not the NOT_FOUND sent back
}

TEST_F(LedgerTest, SupervisionKeepsNoSubjectsTitleOrSummary) {
  auto store = OpenStore("db");
  Fold(store.get(), Story(), 100);
  for (const auto& [key, value] : Contents(*store, Families::kJudgments)) {
    storage::v1::JudgmentRecord record;
    ASSERT_TRUE(record.ParseFromString(value));
    EXPECT_TRUE(record.judgment().title().empty()) << key;
    EXPECT_EQ(record.judgment().subjects_size(), 0) << key;
  }
}

// A report reads whole UTC days from the day roll-up and the hours at either end from the
// hourly tallies: whatever the period, the figures are those of its hours.
TEST_F(LedgerTest, EveryPeriodReportsWhatItsHoursHoldWholeDaysFromTheRollUp) {
  auto store = OpenStore("db");
  std::vector<Fact> facts = Week();
  std::shuffle(facts.begin(), facts.end(), std::mt19937(5));
  Fold(store.get(), facts, 7);
  const LedgerReader reader(store.get());
  // The reference: every hourly tally of the period, read directly.
  auto from_hours = [&store](const Period& period) {
    ReportBuilder builder(Everything());
    auto it = store->NewIterator(Families::kTallies);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      auto key = TallyKey::Decode(WithinPartition(it->key().ToString()));
      Tally tally;
      EXPECT_TRUE(key.ok() && tally.ParseFromString(it->value().ToString()));
      if (key->hour >= HourOf(period.since) && key->hour < HourOf(period.until)) {
        builder.Add(*key, tally);
      }
    }
    return builder.Finish();
  };
  const absl::Time midnight = StartOfHour(DayStartHour(HourOf(kT0)));
  const std::vector<Period> periods = {
      {midnight, midnight + absl::Hours(24 * 7)},                         // whole days only
      {kT0 - absl::Hours(3), kT0 + absl::Hours(24 * 6 + 5)},              // edges and days
      {midnight + absl::Hours(16), midnight + absl::Hours(24 * 5 + 16)},  // a UTC+8 "month"
      {midnight + absl::Hours(20), midnight + absl::Hours(30)},           // across one midnight
      {kT0 + absl::Hours(10), kT0 + absl::Hours(11)},                     // one hour
      {midnight + absl::Hours(24), midnight + absl::Hours(48)},           // exactly one day
  };
  int64_t events_seen = 0;
  for (const Period& period : periods) {
    ReportBuilder builder(Everything());
    ASSERT_TRUE(reader.ScanTallies(period, {0}, &builder).ok());
    const v1::ReportResponse report = builder.Finish();
    const v1::ReportResponse expected = from_hours(period);
    EXPECT_EQ(report.DebugString(), expected.DebugString())
        << absl::FormatTime(period.since) << " .. " << absl::FormatTime(period.until);
    events_seen += report.collection().events();
  }
  EXPECT_GT(events_seen, 34);  // the periods are not empty
}

TEST_F(LedgerTest, ABackfilledRollUpEqualsTheOneFoldedAlongside) {
  auto folded = OpenStore("folded");
  Fold(folded.get(), Week(), 5);
  // A store from before the roll-up: the same hourly tallies, no daily ones.
  auto older = OpenStore("older");
  rocksdb::WriteBatch batch;
  for (const auto& [key, value] : Contents(*folded, Families::kTallies)) {
    ASSERT_TRUE(batch.Put(older->Family(Families::kTallies), key, value).ok());
  }
  ASSERT_TRUE(older->Write(&batch).ok());
  auto written = BackfillDailyTallies(older.get());
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_GT(*written, 0);
  EXPECT_EQ(Contents(*older, Families::kDailyTallies), Contents(*folded, Families::kDailyTallies));
  auto again = BackfillDailyTallies(older.get());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);  // rolled up already
  auto fresh = BackfillDailyTallies(folded.get());
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(*fresh, 0);  // folded with its roll-up
}

TEST_F(LedgerTest, TalliesAreAddedInTheStoreAndACorruptDeltaIsAnError) {
  auto store = OpenStore("db");
  const std::string key = TallyKey{HourOf(kT0), TallyType::kEvents, {"x"}}.Encode();
  Tally one, two;
  one.set_count(1);
  (*one.mutable_outcomes())[3] = 2;
  two.set_count(4);
  (*two.mutable_outcomes())[3] = -2;
  (*two.mutable_signoff_latency())[7] = 1;
  rocksdb::WriteBatch batch;
  ASSERT_TRUE(batch.Merge(store->Family(Families::kTallies), key, one.SerializeAsString()).ok());
  ASSERT_TRUE(batch.Merge(store->Family(Families::kTallies), key, two.SerializeAsString()).ok());
  ASSERT_TRUE(store->Write(&batch).ok());
  auto bytes = store->Get(Families::kTallies, key);
  ASSERT_TRUE(bytes.ok() && bytes->has_value()) << bytes.status();
  Tally sum;
  ASSERT_TRUE(sum.ParseFromString(**bytes));
  EXPECT_EQ(sum.count(), 5);
  EXPECT_TRUE(sum.outcomes().empty());  // 2 - 2
  EXPECT_EQ(sum.signoff_latency().at(7), 1);

  rocksdb::WriteBatch corrupt;
  ASSERT_TRUE(corrupt.Merge(store->Family(Families::kTallies), key, "\xff\xff not a tally").ok());
  ASSERT_TRUE(store->Write(&corrupt).ok());
  EXPECT_FALSE(store->Get(Families::kTallies, key).ok());
}

}  // namespace
}  // namespace infobus::supervision
