// `infobusctl trace --format table|csv` of sample answers, checked to the character: a judged
// event's timeline with latencies and what is still missing, an event no rule matched, and the
// CSV quoting of notes with commas, quotes and line breaks.
#include "tools/infobusctl/trace_format.h"

#include <gtest/gtest.h>

namespace infobus::ctl {
namespace {

using infobus::supervision::v1::Hop;
using infobus::supervision::v1::TraceResponse;

constexpr int64_t k20261103T080000Z = 1793692800;

void SetAt(google::protobuf::Timestamp* at, int64_t offset_seconds, int32_t nanos = 0) {
  at->set_seconds(k20261103T080000Z + offset_seconds);
  at->set_nanos(nanos);
}

void AddHop(infobus::supervision::v1::JudgmentTrace* judgment,
            infobus::supervision::v1::HopKind kind, int64_t at, int32_t at_nanos,
            const std::string& what, const std::string& by = "", const std::string& detail = "") {
  Hop* hop = judgment->add_hops();
  hop->set_kind(kind);
  SetAt(hop->mutable_at(), at, at_nanos);
  hop->set_what(what);
  hop->set_by(by);
  hop->set_detail(detail);
}

void SetSince(Hop* hop, int64_t seconds, int32_t nanos) {
  hop->mutable_since_previous()->set_seconds(seconds);
  hop->mutable_since_previous()->set_nanos(nanos);
}

// fusui-lodging/e1, judged by watchlist-hit, delivered to fusui-psb/3, feedback given but not
// signed off, past its deadline.
TraceResponse JudgedEvent() {
  TraceResponse response;
  auto* event = response.add_events();
  event->set_source_id("fusui-lodging");
  event->set_event_id("e1");
  event->set_trace_id("t-1");
  event->set_county_code("451421");
  event->set_kind("lodging.checkin");
  event->set_jurisdiction_code("451421");
  SetAt(event->mutable_occurred_at(), -60);
  SetAt(event->mutable_ingested_at(), 0);
  event->set_classification(infobus::common::v1::CLASSIFICATION_CONFIDENTIAL);
  event->set_judged(true);

  auto* judgment = response.add_judgments();
  judgment->set_judgment_id("j-1");
  judgment->set_rule_id("watchlist-hit");
  judgment->set_rule_version(3);
  judgment->set_kind(infobus::common::v1::JUDGMENT_KIND_WATCHLIST_HIT);
  judgment->set_severity(infobus::common::v1::SEVERITY_CRITICAL);
  judgment->set_jurisdiction_code("451421");
  SetAt(judgment->mutable_created_at(), 1, 500000000);
  judgment->set_classification(infobus::common::v1::CLASSIFICATION_CONFIDENTIAL);
  judgment->set_state(infobus::supervision::v1::JUDGMENT_STATE_DISPATCHED);
  judgment->set_overdue(true);
  using infobus::supervision::v1::HOP_KIND_COLLECTED;
  using infobus::supervision::v1::HOP_KIND_DELIVERED;
  using infobus::supervision::v1::HOP_KIND_FEEDBACK;
  using infobus::supervision::v1::HOP_KIND_JUDGED;
  AddHop(judgment, HOP_KIND_COLLECTED, 0, 0, "fusui-lodging/e1");
  AddHop(judgment, HOP_KIND_JUDGED, 1, 500000000, "watchlist-hit");
  SetSince(judgment->mutable_hops(1), 1, 500000000);
  AddHop(judgment, HOP_KIND_DELIVERED, 2, 0, "fusui-psb/3");
  SetSince(judgment->mutable_hops(2), 0, 500000000);
  AddHop(judgment, HOP_KIND_FEEDBACK, 602, 0, "fusui-psb/3", "officer-7",
         "apprehended: at the hotel,\nroom \"302\"");
  SetSince(judgment->mutable_hops(3), 600, 0);
  judgment->add_missing("fusui-psb/3: not signed off");
  auto* access = response.add_accesses();
  SetAt(access->mutable_at(), 3);
  access->set_service("dispatch");
  access->set_method("DispatchService/Subscribe");
  access->set_subject("officer-7");
  access->set_item_kind("delivery");
  access->set_item_id("fusui-psb/3");
  access->set_decision(infobus::common::v1::AUDIT_DECISION_ALLOWED);
  response.set_accesses_not_shown(4);
  return response;
}

TEST(TraceTable, OneRowPerHopUnderAHeaderPerJudgmentThenWhatIsMissing) {
  EXPECT_EQ(TraceTable(JudgedEvent()),
            "EVENT             TRACE  COUNTY  KIND             OCCURRED              "
            "INGESTED              JUDGED\n"
            "fusui-lodging/e1  t-1    451421  lodging.checkin  2026-11-03T07:59:00Z  "
            "2026-11-03T08:00:00Z  yes\n"
            "\n"
            "judgment j-1: rule watchlist-hit v3, watchlist_hit, critical, jurisdiction 451421, "
            "state dispatched, OVERDUE\n"
            "KIND       AT                      LATENCY  WHAT              BY         DETAIL\n"
            "collected  2026-11-03T08:00:00Z             fusui-lodging/e1\n"
            "judged     2026-11-03T08:00:01.5Z    +1.5s  watchlist-hit\n"
            "delivered  2026-11-03T08:00:02Z     +500ms  fusui-psb/3\n"
            "feedback   2026-11-03T08:10:02Z       +10m  fusui-psb/3       officer-7  "
            "apprehended: at the hotel, room \"302\"\n"
            "missing: fusui-psb/3: not signed off\n"
            "\n"
            "who saw it (the audit topic), and 4 earlier not shown\n"
            "AT                    WHO        METHOD                     ITEM                  "
            "DECISION  REASON\n"
            "2026-11-03T08:00:03Z  officer-7  DispatchService/Subscribe  delivery fusui-psb/3  "
            "allowed\n");
}

TEST(TraceCsv, FourTablesEachRecordNamedByItsSectionNotesQuoted) {
  EXPECT_EQ(TraceCsv(JudgedEvent()),
            "section,source_id,event_id,trace_id,county_code,kind,jurisdiction_code,occurred_at,"
            "ingested_at,classification,judged\r\n"
            "event,fusui-lodging,e1,t-1,451421,lodging.checkin,451421,2026-11-03T07:59:00Z,"
            "2026-11-03T08:00:00Z,confidential,true\r\n"
            "\r\n"
            "section,judgment_id,rule_id,rule_version,kind,severity,jurisdiction_code,created_at,"
            "classification,state,overdue\r\n"
            "judgment,j-1,watchlist-hit,3,watchlist_hit,critical,451421,2026-11-03T08:00:01.5Z,"
            "confidential,dispatched,true\r\n"
            "\r\n"
            "section,judgment_id,kind,at,since_previous_s,what,by,detail\r\n"
            "hop,j-1,collected,2026-11-03T08:00:00Z,,fusui-lodging/e1,,\r\n"
            "hop,j-1,judged,2026-11-03T08:00:01.5Z,1.5,watchlist-hit,,\r\n"
            "hop,j-1,delivered,2026-11-03T08:00:02Z,0.5,fusui-psb/3,,\r\n"
            "hop,j-1,feedback,2026-11-03T08:10:02Z,600,fusui-psb/3,officer-7,"
            "\"apprehended: at the hotel,\nroom \"\"302\"\"\"\r\n"
            "\r\n"
            "section,judgment_id,missing\r\n"
            "missing,j-1,fusui-psb/3: not signed off\r\n"
            "\r\n"
            "section,at,service,method,subject,item,decision,reason,detail\r\n"
            "access,2026-11-03T08:00:03Z,dispatch,DispatchService/Subscribe,officer-7,"
            "delivery fusui-psb/3,allowed,,\r\n");
}

TEST(TraceCsv, TheHeadersForHelpAreThoseOfTheTables) {
  EXPECT_EQ(TraceCsvColumns(),
            "section,source_id,event_id,trace_id,county_code,kind,jurisdiction_code,occurred_at,"
            "ingested_at,classification,judged\n"
            "section,judgment_id,rule_id,rule_version,kind,severity,jurisdiction_code,created_at,"
            "classification,state,overdue\n"
            "section,judgment_id,kind,at,since_previous_s,what,by,detail\n"
            "section,judgment_id,missing\n"
            "section,at,service,method,subject,item,decision,reason,detail\n");
}

// An event that matched no rule: collected, not judged; the CSV keeps every table's header.
TraceResponse NotJudged() {
  TraceResponse response;
  auto* event = response.add_events();
  event->set_source_id("chongzuo-rail");
  event->set_event_id("e,2");
  event->set_county_code("451402");
  event->set_kind("rail.ticket");
  SetAt(event->mutable_ingested_at(), 0);
  response.add_missing("collected, not judged");
  return response;
}

TEST(TraceTable, AnEventNoRuleMatchedSaysSo) {
  EXPECT_EQ(
      TraceTable(NotJudged()),
      "EVENT              TRACE  COUNTY  KIND         OCCURRED  INGESTED              JUDGED\n"
      "chongzuo-rail/e,2         451402  rail.ticket            2026-11-03T08:00:00Z  no\n"
      "\n"
      "missing: collected, not judged\n");
  EXPECT_EQ(TraceTable(TraceResponse()), "nothing seen of this item\n");
}

TEST(TraceCsv, AnEventNoRuleMatchedHasEmptyTablesWithTheirHeaders) {
  EXPECT_EQ(TraceCsv(NotJudged()),
            "section,source_id,event_id,trace_id,county_code,kind,jurisdiction_code,occurred_at,"
            "ingested_at,classification,judged\r\n"
            "event,chongzuo-rail,\"e,2\",,451402,rail.ticket,,,2026-11-03T08:00:00Z,,false\r\n"
            "\r\n"
            "section,judgment_id,rule_id,rule_version,kind,severity,jurisdiction_code,created_at,"
            "classification,state,overdue\r\n"
            "\r\n"
            "section,judgment_id,kind,at,since_previous_s,what,by,detail\r\n"
            "\r\n"
            "section,judgment_id,missing\r\n"
            "missing,,\"collected, not judged\"\r\n"
            "\r\n"
            "section,at,service,method,subject,item,decision,reason,detail\r\n");
}

}  // namespace
}  // namespace infobus::ctl
