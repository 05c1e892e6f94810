#include "common/codec/event_decoder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "infobus/common/v1/dead_letter.pb.h"
#include "infobus/common/v1/judgment.pb.h"
#include "tests/common/codec/record_test_util.h"

namespace infobus::codec {
namespace {

using infobus::common::v1::Event;
using ::testing::HasSubstr;

// An event as collection publishes it.
Event ValidEvent() {
  Event event;
  event.set_event_id("e-1");
  event.set_source_id("fusui-lodging");
  event.set_county_code("451421");
  event.set_kind("lodging.checkin");
  event.mutable_occurred_at()->set_seconds(1764288000);  // 2025-11-28
  event.mutable_location()->set_jurisdiction_code("45142101");
  event.set_classification(infobus::common::v1::CLASSIFICATION_INTERNAL);
  auto* subject = event.add_subjects();
  subject->set_type(infobus::common::v1::SUBJECT_TYPE_ID_NUMBER);
  subject->set_value("11010519491231002X");
  return event;
}

// The record collection writes for it: with the source-id header it stamps.
kafka::Record EventRecord(const Event& event) {
  kafka::Record record = RecordOf(event);
  record.headers.push_back({kafka::kSourceIdHeader, event.source_id()});
  return record;
}

std::string Reason(const Event& event) {
  auto decoded = DecodeEvent(EventRecord(event));
  EXPECT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(decoded.status().message());
}

TEST(EventDecoder, DecodesAValidEvent) {
  auto decoded = DecodeEvent(EventRecord(ValidEvent()));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->event_id(), "e-1");
  EXPECT_EQ(decoded->subjects(0).value(), "11010519491231002X");
}

TEST(EventDecoder, RefusesAnEventWhoseSourceIsNotTheOneCollectionStamped) {
  kafka::Record record = RecordOf(ValidEvent());
  auto decoded = DecodeEvent(record);
  ASSERT_FALSE(decoded.ok());
  EXPECT_THAT(std::string(decoded.status().message()), HasSubstr("no source-id header"));
  record.headers.push_back({kafka::kSourceIdHeader, "pingxiang-checkpoint"});
  decoded = DecodeEvent(record);
  ASSERT_FALSE(decoded.ok());
  EXPECT_THAT(std::string(decoded.status().message()),
              HasSubstr("source_id: differs from the record's source-id header"));
}

TEST(EventDecoder, RefusesAWrongSchemaHeader) {
  auto decoded = DecodeEvent(RecordOf(ValidEvent(), "infobus.common.v1.Judgment"));
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().message(),
            "schema header is 'infobus.common.v1.Judgment', expected 'infobus.common.v1.Event'");
}

TEST(EventDecoder, RefusesARecordWithoutSchemaHeader) {
  auto decoded = DecodeEvent(RecordOf(ValidEvent(), ""));
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().message(), "no schema header, expected 'infobus.common.v1.Event'");
}

TEST(EventDecoder, ShowsAHeaderThatIsNotUtf8Escaped) {
  auto decoded = DecodeEvent(RecordOf(ValidEvent(), "\xc3("));
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().message(),
            "schema header is '\\xc3(', expected 'infobus.common.v1.Event'");
}

TEST(EventDecoder, RefusesGarbageAndNull) {
  kafka::Record record = EventRecord(ValidEvent());
  record.value = "\xff\xfe not a protobuf \x01\x02";
  auto decoded = DecodeEvent(record);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().message(), "value is not a valid infobus.common.v1.Event");
  record.value.clear();
  record.null_value = true;
  EXPECT_THAT(DecodeEvent(record).status().message(), HasSubstr("value is null"));
}

TEST(EventDecoder, RefusesAJudgmentUnderAForgedHeader) {
  infobus::common::v1::Judgment judgment;
  judgment.set_judgment_id("j-1");
  judgment.set_rule_id("watchlist-hit");
  judgment.set_kind(infobus::common::v1::JUDGMENT_KIND_WATCHLIST_HIT);
  judgment.set_severity(infobus::common::v1::SEVERITY_HIGH);
  judgment.set_jurisdiction_code("451421");
  // Its fields 1 and 2 read as event_id and source_id; nothing reads as a kind.
  auto decoded = DecodeEvent(RecordOf(judgment, "infobus.common.v1.Event"));
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().message(), "infobus.common.v1.Event.kind: is empty");
}

TEST(EventDecoder, RequiresIdsAndKind) {
  Event event = ValidEvent();
  event.clear_event_id();
  EXPECT_EQ(Reason(event), "infobus.common.v1.Event.event_id: is empty");
  event = ValidEvent();
  event.clear_source_id();
  EXPECT_EQ(Reason(event), "infobus.common.v1.Event.source_id: is empty");
  event = ValidEvent();
  event.clear_kind();
  EXPECT_EQ(Reason(event), "infobus.common.v1.Event.kind: is empty");
}

TEST(EventDecoder, RequiresAValidCountyCode) {
  Event event = ValidEvent();
  event.clear_county_code();
  EXPECT_THAT(Reason(event), HasSubstr("infobus.common.v1.Event.county_code: county code has 0"));
  event.set_county_code("451400");
  EXPECT_EQ(Reason(event), "infobus.common.v1.Event.county_code: code names a city, not a county");
  event.set_county_code("991421");
  EXPECT_THAT(Reason(event), HasSubstr("province code 99 does not exist"));
}

TEST(EventDecoder, RequiresOccurredAtInRange) {
  Event event = ValidEvent();
  event.clear_occurred_at();
  EXPECT_EQ(Reason(event), "infobus.common.v1.Event.occurred_at: is missing");
  event.mutable_occurred_at()->set_seconds(0);
  EXPECT_THAT(Reason(event), HasSubstr("occurred_at: 0 s since the epoch is out of range"));
  event.mutable_occurred_at()->set_seconds(253402300799);  // 9999-12-31: past int64 nanos
  EXPECT_THAT(Reason(event), HasSubstr("out of range"));
  event.mutable_occurred_at()->set_seconds(1764288000);
  event.mutable_occurred_at()->set_nanos(1000000000);
  EXPECT_THAT(Reason(event), HasSubstr("occurred_at: nanos 1000000000 out of range"));
  event.mutable_occurred_at()->set_nanos(-1);
  EXPECT_THAT(Reason(event), HasSubstr("occurred_at: nanos -1 out of range"));
}

TEST(EventDecoder, RequiresTheJurisdictionToExtendTheCounty) {
  Event event = ValidEvent();
  event.mutable_location()->clear_jurisdiction_code();
  EXPECT_TRUE(DecodeEvent(EventRecord(event)).ok());  // the engine falls back to the county
  event.mutable_location()->set_jurisdiction_code("451481");
  EXPECT_THAT(Reason(event), HasSubstr("location.jurisdiction_code: must be digits extending"));
  event.mutable_location()->set_jurisdiction_code("451421x");
  EXPECT_THAT(Reason(event), HasSubstr("location.jurisdiction_code"));
  event.mutable_location()->set_jurisdiction_code("451421" + std::string(19, '1'));  // 25
  EXPECT_THAT(Reason(event), HasSubstr("location.jurisdiction_code"));
}

TEST(EventDecoder, RequiresKnownEnums) {
  Event event = ValidEvent();
  event.set_classification(static_cast<infobus::common::v1::Classification>(99));
  EXPECT_EQ(Reason(event),
            "infobus.common.v1.Event.classification: 99 is not a known "
            "infobus.common.v1.Classification");
  event = ValidEvent();
  event.set_classification(infobus::common::v1::CLASSIFICATION_UNSPECIFIED);
  EXPECT_TRUE(DecodeEvent(EventRecord(event)).ok());  // read as INTERNAL, as collection does
  event = ValidEvent();
  event.mutable_subjects(0)->set_type(static_cast<infobus::common::v1::SubjectType>(7));
  EXPECT_EQ(Reason(event),
            "infobus.common.v1.Event.subjects[0].type: 7 is not a known "
            "infobus.common.v1.SubjectType");
  event.mutable_subjects(0)->set_type(infobus::common::v1::SUBJECT_TYPE_UNSPECIFIED);
  EXPECT_EQ(Reason(event), "infobus.common.v1.Event.subjects[0].type: is unspecified");
  event = ValidEvent();
  event.add_subjects()->set_type(infobus::common::v1::SUBJECT_TYPE_PLATE);
  EXPECT_EQ(Reason(event), "infobus.common.v1.Event.subjects[1].value: is empty");
}

}  // namespace
}  // namespace infobus::codec
