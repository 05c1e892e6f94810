#include "common/codec/judgment_decoder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "infobus/common/v1/dead_letter.pb.h"
#include "infobus/common/v1/event.pb.h"
#include "tests/common/codec/record_test_util.h"

namespace infobus::codec {
namespace {

using infobus::common::v1::Judgment;
using ::testing::HasSubstr;

// A judgment as the engine makes it.
Judgment ValidJudgment() {
  Judgment judgment;
  judgment.set_judgment_id("j-1");
  judgment.set_rule_id("watchlist-hit");
  judgment.set_rule_version(1);
  judgment.set_kind(infobus::common::v1::JUDGMENT_KIND_WATCHLIST_HIT);
  judgment.set_severity(infobus::common::v1::SEVERITY_HIGH);
  judgment.set_jurisdiction_code("451421");
  judgment.mutable_created_at()->set_seconds(1764288000);
  judgment.set_classification(infobus::common::v1::CLASSIFICATION_INTERNAL);
  auto* subject = judgment.add_subjects();
  subject->set_type(infobus::common::v1::SUBJECT_TYPE_PLATE);
  subject->set_value("桂FA1234");
  judgment.add_evidence()->set_classification(infobus::common::v1::CLASSIFICATION_INTERNAL);
  return judgment;
}

std::string Reason(const kafka::Record& record) {
  auto decoded = DecodeJudgment(record);
  EXPECT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(decoded.status().message());
}
std::string Reason(const Judgment& judgment) { return Reason(RecordOf(judgment)); }

TEST(JudgmentDecoder, DecodesAValidJudgment) {
  auto decoded = DecodeJudgment(RecordOf(ValidJudgment()));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->judgment_id(), "j-1");
}

TEST(JudgmentDecoder, RefusesWrongOrMissingSchemaAndGarbage) {
  EXPECT_EQ(Reason(RecordOf(ValidJudgment(), "infobus.common.v1.DeadLetter")),
            "schema header is 'infobus.common.v1.DeadLetter', expected "
            "'infobus.common.v1.Judgment'");
  EXPECT_EQ(Reason(RecordOf(ValidJudgment(), "")),
            "no schema header, expected 'infobus.common.v1.Judgment'");
  kafka::Record record = RecordOf(ValidJudgment());
  record.value = "\x0a\xff garbage";  // field 1, longer than what follows
  EXPECT_EQ(Reason(record), "value is not a valid infobus.common.v1.Judgment");
}

// The case: a DeadLetter on the judgments topic had entered the judgment log with
// severity 99 (its offset, field 5, read as the severity).
TEST(JudgmentDecoder, RefusesADeadLetterUnderAForgedHeader) {
  infobus::common::v1::DeadLetter letter;
  letter.set_reason("value is not a valid infobus.common.v1.Event");
  letter.set_consumer("infobus-judgment");
  letter.set_topic("infobus.events.v1");
  letter.set_partition(7);  // read as the kind
  letter.set_offset(99);
  letter.mutable_dead_lettered_at()->set_seconds(1764288000);
  EXPECT_EQ(Reason(RecordOf(letter, "infobus.common.v1.Judgment")),
            "infobus.common.v1.Judgment.kind: 7 is not a known infobus.common.v1.JudgmentKind");
  letter.set_partition(1);  // a known kind: the severity catches it
  EXPECT_EQ(Reason(RecordOf(letter, "infobus.common.v1.Judgment")),
            "infobus.common.v1.Judgment.severity: 99 is not a known infobus.common.v1.Severity");
}

TEST(JudgmentDecoder, RefusesAnEventUnderAForgedHeader) {
  infobus::common::v1::Event event;
  event.set_event_id("e-1");
  event.set_source_id("fusui-lodging");
  event.set_county_code("451421");
  event.set_kind("lodging.checkin");
  event.mutable_occurred_at()->set_seconds(1764288000);
  // event_id and source_id read as judgment_id and rule_id; kind (a string) as no kind at all.
  EXPECT_EQ(Reason(RecordOf(event, "infobus.common.v1.Judgment")),
            "infobus.common.v1.Judgment.kind: is unspecified");
}

TEST(JudgmentDecoder, RequiresIds) {
  Judgment judgment = ValidJudgment();
  judgment.clear_judgment_id();
  EXPECT_EQ(Reason(judgment), "infobus.common.v1.Judgment.judgment_id: is empty");
  judgment = ValidJudgment();
  judgment.clear_rule_id();
  EXPECT_EQ(Reason(judgment), "infobus.common.v1.Judgment.rule_id: is empty");
}

TEST(JudgmentDecoder, RequiresKnownSpecifiedKindAndSeverityAndKnownClassification) {
  Judgment judgment = ValidJudgment();
  judgment.set_kind(static_cast<infobus::common::v1::JudgmentKind>(12));
  EXPECT_EQ(Reason(judgment),
            "infobus.common.v1.Judgment.kind: 12 is not a known infobus.common.v1.JudgmentKind");
  judgment.set_kind(infobus::common::v1::JUDGMENT_KIND_UNSPECIFIED);
  EXPECT_EQ(Reason(judgment), "infobus.common.v1.Judgment.kind: is unspecified");
  judgment = ValidJudgment();
  judgment.set_severity(static_cast<infobus::common::v1::Severity>(99));
  EXPECT_EQ(Reason(judgment),
            "infobus.common.v1.Judgment.severity: 99 is not a known infobus.common.v1.Severity");
  judgment.set_severity(infobus::common::v1::SEVERITY_UNSPECIFIED);
  EXPECT_EQ(Reason(judgment), "infobus.common.v1.Judgment.severity: is unspecified");
  judgment = ValidJudgment();
  judgment.set_classification(static_cast<infobus::common::v1::Classification>(-3));
  EXPECT_THAT(Reason(judgment), HasSubstr("classification: -3 is not a known"));
  judgment = ValidJudgment();
  judgment.mutable_evidence(0)->set_classification(
      static_cast<infobus::common::v1::Classification>(5));
  EXPECT_THAT(Reason(judgment), HasSubstr("evidence[0].classification: 5 is not a known"));
  judgment = ValidJudgment();
  judgment.mutable_subjects(0)->set_type(static_cast<infobus::common::v1::SubjectType>(9));
  EXPECT_THAT(Reason(judgment), HasSubstr("subjects[0].type: 9 is not a known"));
  judgment = ValidJudgment();
  judgment.mutable_review()->set_status(static_cast<infobus::common::v1::ReviewStatus>(3));
  EXPECT_THAT(Reason(judgment), HasSubstr("review.status: 3 is not a known"));
}

TEST(JudgmentDecoder, RequiresAJurisdictionPrefix) {
  Judgment judgment = ValidJudgment();
  // What the engine makes from evidence of several counties, cities or provinces.
  for (const char* code : {"45142101", "4514", "45", "4", ""}) {
    judgment.set_jurisdiction_code(code);
    EXPECT_TRUE(DecodeJudgment(RecordOf(judgment)).ok()) << code;
  }
  judgment.set_jurisdiction_code("4514a");
  EXPECT_EQ(Reason(judgment),
            "infobus.common.v1.Judgment.jurisdiction_code: jurisdiction code must be digits");
  judgment.set_jurisdiction_code("99");
  EXPECT_THAT(Reason(judgment), HasSubstr("province code 99 does not exist"));
  judgment.set_jurisdiction_code("451400");
  EXPECT_THAT(Reason(judgment), HasSubstr("code names a city, not a county"));
  judgment.set_jurisdiction_code(std::string(25, '4'));
  EXPECT_THAT(Reason(judgment), HasSubstr("at most 24 digits"));
}

TEST(JudgmentDecoder, RequiresCreatedAt) {
  Judgment judgment = ValidJudgment();
  judgment.clear_created_at();
  EXPECT_EQ(Reason(judgment), "infobus.common.v1.Judgment.created_at: is missing");
  judgment.mutable_created_at()->set_seconds(-5);
  EXPECT_THAT(Reason(judgment), HasSubstr("created_at: -5 s since the epoch is out of range"));
}

}  // namespace
}  // namespace infobus::codec
