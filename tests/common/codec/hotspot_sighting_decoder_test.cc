#include "common/codec/hotspot_sighting_decoder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "infobus/common/v1/judgment.pb.h"
#include "tests/common/codec/record_test_util.h"

namespace infobus::codec {
namespace {

using infobus::judgment::v1::HotspotSighting;
using ::testing::HasSubstr;

constexpr char kKey[] =
    "alarms\x1f"
    "alarm.call|4514";

HotspotSighting ValidSighting() {
  HotspotSighting sighting;
  sighting.set_rule_id("alarms");
  sighting.set_group_key("alarm.call|4514");
  sighting.set_time_ns(1764288000000000000);
  infobus::common::v1::Evidence evidence;
  evidence.set_event_id("e-1");
  sighting.set_evidence(evidence.SerializeAsString());
  sighting.set_origin("infobus.events.v1/0");
  sighting.set_origin_offset(0);
  return sighting;
}

std::string Reason(const kafka::Record& record) {
  auto decoded = DecodeHotspotSighting(record);
  EXPECT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(decoded.status().message());
}
std::string Reason(const HotspotSighting& sighting) {
  return Reason(RecordOf(sighting, HotspotSighting::descriptor()->full_name(), kKey));
}

TEST(HotspotSightingDecoder, DecodesAValidSighting) {
  auto decoded = DecodeHotspotSighting(
      RecordOf(ValidSighting(), HotspotSighting::descriptor()->full_name(), kKey));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->group_key(), "alarm.call|4514");
}

TEST(HotspotSightingDecoder, RefusesWrongOrMissingSchemaAndGarbage) {
  EXPECT_EQ(Reason(RecordOf(ValidSighting(), "infobus.common.v1.Event", kKey)),
            "schema header is 'infobus.common.v1.Event', expected "
            "'infobus.judgment.v1.HotspotSighting'");
  EXPECT_EQ(Reason(RecordOf(ValidSighting(), "", kKey)),
            "no schema header, expected 'infobus.judgment.v1.HotspotSighting'");
  kafka::Record record =
      RecordOf(ValidSighting(), HotspotSighting::descriptor()->full_name(), kKey);
  record.value = "\xff\xff garbage";
  EXPECT_EQ(Reason(record), "value is not a valid infobus.judgment.v1.HotspotSighting");
}

TEST(HotspotSightingDecoder, RequiresRuleEvidenceAndOrigin) {
  HotspotSighting sighting = ValidSighting();
  sighting.clear_rule_id();
  EXPECT_EQ(Reason(sighting), "infobus.judgment.v1.HotspotSighting.rule_id: is empty");
  sighting = ValidSighting();
  sighting.clear_evidence();
  EXPECT_EQ(Reason(sighting), "infobus.judgment.v1.HotspotSighting.evidence: is empty");
  sighting = ValidSighting();
  sighting.clear_origin();
  EXPECT_EQ(Reason(sighting), "infobus.judgment.v1.HotspotSighting.origin: is empty");
  sighting = ValidSighting();
  sighting.set_origin_offset(-1);
  EXPECT_EQ(Reason(sighting), "infobus.judgment.v1.HotspotSighting.origin_offset: -1 is negative");
  sighting = ValidSighting();
  sighting.set_time_ns(0);
  EXPECT_THAT(Reason(sighting), HasSubstr("time_ns: 0 is not after the epoch"));
}

TEST(HotspotSightingDecoder, RequiresTheKeyOfItsRuleAndGroup) {
  HotspotSighting sighting = ValidSighting();
  for (const std::string& key : {std::string("alarms"), std::string("alarms\x1f"),
                                 std::string("other\x1f"
                                             "alarm.call|4514"),
                                 std::string("alarms\x1e"
                                             "alarm.call|4514"),
                                 std::string("alarms\x1f"
                                             "alarm.call|4515")}) {
    EXPECT_THAT(Reason(RecordOf(sighting, HotspotSighting::descriptor()->full_name(), key)),
                HasSubstr("the record's key is not"))
        << key;
  }
  sighting.clear_group_key();  // a group key may be empty (an absent attribute)
  EXPECT_TRUE(DecodeHotspotSighting(
                  RecordOf(sighting, HotspotSighting::descriptor()->full_name(), "alarms\x1f"))
                  .ok());
}

}  // namespace
}  // namespace infobus::codec
