#include "services/judgment/watchlist_judge.h"

#include <stdlib.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/domain/subject.h"
#include "common/store/store.h"
#include "common/util/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "infobus/common/v1/event.pb.h"
#include "infobus/common/v1/judgment.pb.h"
#include "services/judgment/watchlist.h"

namespace infobus::judgment {
namespace {

using infobus::common::v1::Event;
using infobus::common::v1::Judgment;
using infobus::common::v1::Subject;
using infobus::common::v1::SubjectType;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

const absl::Time kNow = absl::FromUnixSeconds(1700000000);
constexpr char kIdNumber[] = "11010519491231002X";

Subject MakeSubject(SubjectType type, const std::string& value) {
  Subject subject;
  subject.set_type(type);
  subject.set_value(value);
  return subject;
}

WatchlistEntry MakeEntry(const std::string& list_id, const Subject& subject,
                         infobus::common::v1::Severity severity, const std::string& note = "") {
  WatchlistEntry entry;
  entry.set_list_id(list_id);
  *entry.mutable_subject() = subject;
  entry.set_severity(severity);
  entry.set_note(note);
  return entry;
}

// Exact-match lookup by subject key, as the stored watchlist does for normalised subjects.
class FakeWatchlist final : public WatchlistLookup {
 public:
  void Add(const WatchlistEntry& entry) {
    entries_[domain::SubjectKey(entry.subject())].push_back(entry);
  }
  void FailWith(absl::Status status) { failure_ = std::move(status); }

  absl::StatusOr<std::vector<WatchlistEntry>> Find(const Subject& subject) const override {
    if (!failure_.ok()) return failure_;
    auto it = entries_.find(domain::SubjectKey(subject));
    if (it == entries_.end()) return std::vector<WatchlistEntry>();
    return it->second;
  }

 private:
  std::map<std::string, std::vector<WatchlistEntry>> entries_;
  absl::Status failure_;
};

Event MakeEvent(const std::string& event_id = "evt-0001") {
  Event event;
  event.set_event_id(event_id);
  event.set_source_id("lodging-gx");
  event.set_county_code("451421");
  event.set_kind("lodging.checkin");
  *event.mutable_occurred_at() = ToProtoTimestamp(kNow - absl::Minutes(10));
  event.mutable_location()->set_jurisdiction_code("4514210003");
  *event.add_subjects() = MakeSubject(infobus::common::v1::SUBJECT_TYPE_ID_NUMBER, kIdNumber);
  event.set_classification(infobus::common::v1::CLASSIFICATION_CONFIDENTIAL);
  event.set_trace_id("4bf92f3577b34da6a3ce929d0e0e4736");
  return event;
}

std::vector<Judgment> JudgeOrDie(const WatchlistJudge& judge, const Event& event) {
  absl::StatusOr<std::vector<Judgment>> judgments = judge.Judge(event, kNow);
  EXPECT_TRUE(judgments.ok()) << judgments.status();
  return judgments.ok() ? *judgments : std::vector<Judgment>();
}

TEST(WatchlistJudge, NoHitGivesNoJudgment) {
  FakeWatchlist watchlist;
  watchlist.Add(MakeEntry("stolen_vehicle",
                          MakeSubject(infobus::common::v1::SUBJECT_TYPE_PLATE, "桂F12345"),
                          infobus::common::v1::SEVERITY_HIGH));
  const WatchlistJudge judge(&watchlist);
  EXPECT_THAT(JudgeOrDie(judge, MakeEvent()), IsEmpty());
}

TEST(WatchlistJudge, HitGivesOneJudgmentDescribingTheEntryAndEvent) {
  FakeWatchlist watchlist;
  watchlist.Add(MakeEntry("wanted_person",
                          MakeSubject(infobus::common::v1::SUBJECT_TYPE_ID_NUMBER, kIdNumber),
                          infobus::common::v1::SEVERITY_CRITICAL, "armed robbery 2023-117"));
  const WatchlistJudge judge(&watchlist);
  const Event event = MakeEvent();

  const std::vector<Judgment> judgments = JudgeOrDie(judge, event);
  ASSERT_EQ(judgments.size(), 1u);
  const Judgment& judgment = judgments[0];
  EXPECT_EQ(judgment.rule_id(), "watchlist-hit");
  EXPECT_EQ(judgment.rule_version(), 1);
  EXPECT_EQ(judgment.kind(), infobus::common::v1::JUDGMENT_KIND_WATCHLIST_HIT);
  EXPECT_EQ(judgment.severity(), infobus::common::v1::SEVERITY_CRITICAL);
  EXPECT_EQ(judgment.jurisdiction_code(), "4514210003");
  EXPECT_EQ(judgment.classification(), infobus::common::v1::CLASSIFICATION_CONFIDENTIAL);
  EXPECT_EQ(FromProtoTimestamp(judgment.created_at()), kNow);
  EXPECT_THAT(judgment.judgment_id(), ::testing::MatchesRegex("[0-9a-f]{32}"));
  EXPECT_THAT(judgment.title(), HasSubstr("wanted_person"));
  EXPECT_THAT(judgment.summary(), HasSubstr("armed robbery 2023-117"));

  ASSERT_EQ(judgment.subjects_size(), 1);
  EXPECT_EQ(judgment.subjects(0).type(), infobus::common::v1::SUBJECT_TYPE_ID_NUMBER);
  EXPECT_EQ(judgment.subjects(0).value(), kIdNumber);

  ASSERT_EQ(judgment.evidence_size(), 1);
  const auto& evidence = judgment.evidence(0);
  EXPECT_EQ(evidence.event_id(), "evt-0001");
  EXPECT_EQ(evidence.source_id(), "lodging-gx");
  EXPECT_EQ(evidence.trace_id(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(evidence.kind(), "lodging.checkin");
  EXPECT_EQ(evidence.county_code(), "451421");
  EXPECT_EQ(FromProtoTimestamp(evidence.occurred_at()), kNow - absl::Minutes(10));
}

TEST(WatchlistJudge, JurisdictionFallsBackToCountyWhenLocationHasNone) {
  FakeWatchlist watchlist;
  watchlist.Add(MakeEntry("wanted_person",
                          MakeSubject(infobus::common::v1::SUBJECT_TYPE_ID_NUMBER, kIdNumber),
                          infobus::common::v1::SEVERITY_HIGH));
  const WatchlistJudge judge(&watchlist);
  Event event = MakeEvent();
  event.clear_location();
  const std::vector<Judgment> judgments = JudgeOrDie(judge, event);
  ASSERT_EQ(judgments.size(), 1u);
  EXPECT_EQ(judgments[0].jurisdiction_code(), "451421");
}

TEST(WatchlistJudge, SameEventJudgedTwiceGivesTheSameId) {
  FakeWatchlist watchlist;
  watchlist.Add(MakeEntry("wanted_person",
                          MakeSubject(infobus::common::v1::SUBJECT_TYPE_ID_NUMBER, kIdNumber),
                          infobus::common::v1::SEVERITY_HIGH));
  const WatchlistJudge judge(&watchlist);
  const Event event = MakeEvent();
  const std::vector<Judgment> first = JudgeOrDie(judge, event);
  // A replay, later, of the same event (with a new trace id) is the same judgment.
  Event replay = event;
  replay.set_trace_id("00000000000000000000000000000001");
  absl::StatusOr<std::vector<Judgment>> second = judge.Judge(replay, kNow + absl::Hours(1));
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ((*second)[0].judgment_id(), first[0].judgment_id());
}

TEST(WatchlistJudge, DifferentEventOrSourceGivesADifferentId) {
  FakeWatchlist watchlist;
  watchlist.Add(MakeEntry("wanted_person",
                          MakeSubject(infobus::common::v1::SUBJECT_TYPE_ID_NUMBER, kIdNumber),
                          infobus::common::v1::SEVERITY_HIGH));
  const WatchlistJudge judge(&watchlist);
  const std::vector<Judgment> a = JudgeOrDie(judge, MakeEvent("evt-0001"));
  const std::vector<Judgment> b = JudgeOrDie(judge, MakeEvent("evt-0002"));
  Event other_source = MakeEvent("evt-0001");
  other_source.set_source_id("netcafe-gx");
  const std::vector<Judgment> c = JudgeOrDie(judge, other_source);
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_NE(a[0].judgment_id(), b[0].judgment_id());
  EXPECT_NE(a[0].judgment_id(), c[0].judgment_id());
  EXPECT_NE(b[0].judgment_id(), c[0].judgment_id());
}

TEST(WatchlistJudge, SubjectOnTwoListsGivesTwoJudgmentsWithDifferentIds) {
  FakeWatchlist watchlist;
  const Subject subject = MakeSubject(infobus::common::v1::SUBJECT_TYPE_ID_NUMBER, kIdNumber);
  watchlist.Add(MakeEntry("wanted_person", subject, infobus::common::v1::SEVERITY_CRITICAL));
  watchlist.Add(MakeEntry("person_of_interest", subject, infobus::common::v1::SEVERITY_LOW));
  const WatchlistJudge judge(&watchlist);
  const std::vector<Judgment> judgments = JudgeOrDie(judge, MakeEvent());
  ASSERT_EQ(judgments.size(), 2u);
  EXPECT_NE(judgments[0].judgment_id(), judgments[1].judgment_id());
  EXPECT_THAT((std::vector<infobus::common::v1::Severity>{judgments[0].severity(),
                                                          judgments[1].severity()}),
              UnorderedElementsAre(infobus::common::v1::SEVERITY_CRITICAL,
                                   infobus::common::v1::SEVERITY_LOW));
}

TEST(WatchlistJudge, OnlyTheSubjectsOnAListYieldJudgments) {
  FakeWatchlist watchlist;
  watchlist.Add(MakeEntry("stolen_vehicle",
                          MakeSubject(infobus::common::v1::SUBJECT_TYPE_PLATE, "桂FA1234"),
                          infobus::common::v1::SEVERITY_MEDIUM));
  const WatchlistJudge judge(&watchlist);
  Event event = MakeEvent();
  *event.add_subjects() = MakeSubject(infobus::common::v1::SUBJECT_TYPE_PLATE, "桂FA1234");
  const std::vector<Judgment> judgments = JudgeOrDie(judge, event);
  ASSERT_EQ(judgments.size(), 1u);
  ASSERT_EQ(judgments[0].subjects_size(), 1);
  EXPECT_EQ(judgments[0].subjects(0).value(), "桂FA1234");
  EXPECT_EQ(judgments[0].severity(), infobus::common::v1::SEVERITY_MEDIUM);
}

TEST(WatchlistJudge, RawSubjectValueIsNormalisedBeforeLookup) {
  FakeWatchlist watchlist;
  watchlist.Add(MakeEntry("wanted_person",
                          MakeSubject(infobus::common::v1::SUBJECT_TYPE_ID_NUMBER, kIdNumber),
                          infobus::common::v1::SEVERITY_HIGH));
  const WatchlistJudge judge(&watchlist);
  const std::vector<Judgment> normalised = JudgeOrDie(judge, MakeEvent());
  Event raw = MakeEvent();
  raw.mutable_subjects(0)->set_value("11010519491231002x");
  const std::vector<Judgment> judgments = JudgeOrDie(judge, raw);
  ASSERT_EQ(judgments.size(), 1u);
  EXPECT_EQ(judgments[0].subjects(0).value(), kIdNumber);
  // The id is that of the normalised subject, so both spellings are one judgment.
  ASSERT_EQ(normalised.size(), 1u);
  EXPECT_EQ(judgments[0].judgment_id(), normalised[0].judgment_id());
}

TEST(WatchlistJudge, LookupFailureIsReturned) {
  FakeWatchlist watchlist;
  watchlist.FailWith(absl::UnavailableError("disk gone"));
  const WatchlistJudge judge(&watchlist);
  absl::StatusOr<std::vector<Judgment>> judgments = judge.Judge(MakeEvent(), kNow);
  ASSERT_FALSE(judgments.ok());
  EXPECT_EQ(judgments.status().code(), absl::StatusCode::kUnavailable);
}

// A fresh RocksDB with the watchlist family, removed afterwards.
class TempStore {
 public:
  TempStore() {
    std::string pattern =
        (std::filesystem::path(::testing::TempDir()) / "infobus_watchlist_test_XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      ADD_FAILURE() << "mkdtemp " << pattern << " failed";
      return;
    }
    path_ = pattern;
    absl::StatusOr<StorePtr> store =
        Store::Open((path_ / "db").string(), {StoredWatchlist::kFamily}, Store::Options());
    if (!store.ok()) {
      ADD_FAILURE() << store.status();
      return;
    }
    store_ = *std::move(store);
  }
  ~TempStore() {
    store_.reset();
    std::error_code error;
    if (!path_.empty()) std::filesystem::remove_all(path_, error);
  }
  TempStore(const TempStore&) = delete;
  TempStore& operator=(const TempStore&) = delete;

  Store* get() const { return store_.get(); }

 private:
  std::filesystem::path path_;
  StorePtr store_;
};

std::vector<std::string> ListsOf(const absl::StatusOr<std::vector<WatchlistEntry>>& entries) {
  EXPECT_TRUE(entries.ok()) << entries.status();
  std::vector<std::string> lists;
  if (entries.ok()) {
    for (const WatchlistEntry& entry : *entries) lists.push_back(entry.list_id());
  }
  return lists;
}

TEST(StoredWatchlist, AddReportsWhetherTheEntryWasReplaced) {
  const TempStore store;
  ASSERT_NE(store.get(), nullptr);
  StoredWatchlist watchlist(store.get());
  const Subject subject = MakeSubject(infobus::common::v1::SUBJECT_TYPE_ID_NUMBER, kIdNumber);

  absl::StatusOr<bool> first =
      watchlist.Add(MakeEntry("wanted_person", subject, infobus::common::v1::SEVERITY_HIGH));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_FALSE(*first);
  absl::StatusOr<bool> second = watchlist.Add(
      MakeEntry("wanted_person", subject, infobus::common::v1::SEVERITY_CRITICAL, "upgraded"));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_TRUE(*second);

  absl::StatusOr<std::vector<WatchlistEntry>> entries = watchlist.Find(subject);
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].severity(), infobus::common::v1::SEVERITY_CRITICAL);
  EXPECT_EQ((*entries)[0].note(), "upgraded");
}

TEST(StoredWatchlist, FindReturnsEveryListOfTheSubjectAndNothingOfOtherSubjects) {
  const TempStore store;
  ASSERT_NE(store.get(), nullptr);
  StoredWatchlist watchlist(store.get());
  // Two landlines where one number is a prefix of the other: without the separator after the
  // subject key, a prefix scan for the shorter one would also return the longer one's entries.
  const Subject shorter = MakeSubject(infobus::common::v1::SUBJECT_TYPE_PHONE, "0771123456");
  const Subject longer = MakeSubject(infobus::common::v1::SUBJECT_TYPE_PHONE, "07711234567");
  ASSERT_TRUE(
      watchlist.Add(MakeEntry("wanted_person", shorter, infobus::common::v1::SEVERITY_HIGH)).ok());
  ASSERT_TRUE(
      watchlist.Add(MakeEntry("person_of_interest", shorter, infobus::common::v1::SEVERITY_LOW))
          .ok());
  ASSERT_TRUE(
      watchlist.Add(MakeEntry("fraud_suspect", longer, infobus::common::v1::SEVERITY_MEDIUM)).ok());

  EXPECT_THAT(ListsOf(watchlist.Find(shorter)),
              UnorderedElementsAre("wanted_person", "person_of_interest"));
  EXPECT_THAT(ListsOf(watchlist.Find(longer)), ElementsAre("fraud_suspect"));
  // The same digits as another type are another subject.
  EXPECT_THAT(
      ListsOf(watchlist.Find(MakeSubject(infobus::common::v1::SUBJECT_TYPE_NAME, "0771123456"))),
      IsEmpty());
  EXPECT_THAT(
      ListsOf(watchlist.Find(MakeSubject(infobus::common::v1::SUBJECT_TYPE_PHONE, "077112345"))),
      IsEmpty());

  absl::StatusOr<std::vector<WatchlistEntry>> entries = watchlist.Find(shorter);
  ASSERT_TRUE(entries.ok());
  for (const WatchlistEntry& entry : *entries) {
    EXPECT_EQ(entry.subject().type(), infobus::common::v1::SUBJECT_TYPE_PHONE);
    EXPECT_EQ(entry.subject().value(), "0771123456");
  }
}

TEST(StoredWatchlist, RemoveReportsWhetherThereWasAnEntry) {
  const TempStore store;
  ASSERT_NE(store.get(), nullptr);
  StoredWatchlist watchlist(store.get());
  const Subject subject = MakeSubject(infobus::common::v1::SUBJECT_TYPE_PLATE, "桂FA1234");
  ASSERT_TRUE(
      watchlist.Add(MakeEntry("stolen_vehicle", subject, infobus::common::v1::SEVERITY_HIGH)).ok());
  ASSERT_TRUE(
      watchlist.Add(MakeEntry("unpaid_fines", subject, infobus::common::v1::SEVERITY_LOW)).ok());

  absl::StatusOr<bool> removed = watchlist.Remove("stolen_vehicle", subject);
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_TRUE(*removed);
  absl::StatusOr<bool> again = watchlist.Remove("stolen_vehicle", subject);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(*again);
  EXPECT_THAT(ListsOf(watchlist.Find(subject)), ElementsAre("unpaid_fines"));

  absl::StatusOr<bool> never = watchlist.Remove("no_such_list", subject);
  ASSERT_TRUE(never.ok()) << never.status();
  EXPECT_FALSE(*never);
}

TEST(StoredWatchlist, DrivesTheJudgeEndToEnd) {
  const TempStore store;
  ASSERT_NE(store.get(), nullptr);
  StoredWatchlist watchlist(store.get());
  ASSERT_TRUE(
      watchlist
          .Add(MakeEntry("wanted_person",
                         MakeSubject(infobus::common::v1::SUBJECT_TYPE_ID_NUMBER, kIdNumber),
                         infobus::common::v1::SEVERITY_CRITICAL))
          .ok());
  const WatchlistJudge judge(&watchlist);
  Event event = MakeEvent();
  event.mutable_subjects(0)->set_value("11010519491231002x");
  const std::vector<Judgment> judgments = JudgeOrDie(judge, event);
  ASSERT_EQ(judgments.size(), 1u);
  EXPECT_EQ(judgments[0].severity(), infobus::common::v1::SEVERITY_CRITICAL);
}

}  // namespace
}  // namespace infobus::judgment
