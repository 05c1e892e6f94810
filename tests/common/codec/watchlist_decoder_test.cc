#include "common/codec/watchlist_decoder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/common/codec/record_test_util.h"

namespace infobus::codec {
namespace {

using infobus::judgment::v1::WatchlistEntry;
using ::testing::HasSubstr;

constexpr char kKey[] = "PLATE:桂FA1234\nstolen_vehicle";

WatchlistEntry ValidEntry() {
  WatchlistEntry entry;
  entry.set_list_id("stolen_vehicle");
  entry.mutable_subject()->set_type(infobus::common::v1::SUBJECT_TYPE_PLATE);
  entry.mutable_subject()->set_value("桂FA1234");
  entry.set_severity(infobus::common::v1::SEVERITY_HIGH);
  return entry;
}

kafka::Record EntryRecord(const WatchlistEntry& entry, std::string schema = "") {
  return RecordOf(entry, schema.empty() ? WatchlistEntry::descriptor()->full_name() : schema, kKey);
}

std::string Reason(const kafka::Record& record) {
  auto decoded = DecodeWatchlistRecord(record);
  EXPECT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(decoded.status().message());
}

TEST(WatchlistDecoder, KeyIsSubjectKeyThenListId) {
  EXPECT_EQ(WatchlistKey("stolen_vehicle", ValidEntry().subject()), kKey);
}

TEST(WatchlistDecoder, DecodesAnEntry) {
  auto decoded = DecodeWatchlistRecord(EntryRecord(ValidEntry()));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->key, kKey);
  ASSERT_TRUE(decoded->entry.has_value());
  EXPECT_EQ(decoded->entry->list_id(), "stolen_vehicle");
}

TEST(WatchlistDecoder, ATombstoneOrAnEmptyValueIsARemoval) {
  kafka::Record tombstone;
  tombstone.key = kKey;
  tombstone.null_value = true;
  auto decoded = DecodeWatchlistRecord(tombstone);  // no schema header needed
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->key, kKey);
  EXPECT_FALSE(decoded->entry.has_value());
  tombstone.headers.push_back({kafka::kSchemaHeader, WatchlistEntry::descriptor()->full_name()});
  EXPECT_TRUE(DecodeWatchlistRecord(tombstone).ok());
  kafka::Record empty = tombstone;  // how removals were written before tombstones
  empty.null_value = false;
  decoded = DecodeWatchlistRecord(empty);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_FALSE(decoded->entry.has_value());
  // But not one that says it is something else, nor one without a key.
  tombstone.headers = {{kafka::kSchemaHeader, "infobus.common.v1.Event"}};
  EXPECT_THAT(Reason(tombstone), HasSubstr("schema header is 'infobus.common.v1.Event'"));
  tombstone.headers.clear();
  tombstone.key.clear();
  EXPECT_EQ(Reason(tombstone), "watchlist record without a key");
}

TEST(WatchlistDecoder, RefusesWrongOrMissingSchemaAndGarbage) {
  EXPECT_THAT(Reason(EntryRecord(ValidEntry(), "infobus.common.v1.Judgment")),
              HasSubstr("schema header is 'infobus.common.v1.Judgment', expected "
                        "'infobus.judgment.v1.WatchlistEntry'"));
  kafka::Record record = EntryRecord(ValidEntry());
  record.headers.clear();
  EXPECT_EQ(Reason(record), "no schema header, expected 'infobus.judgment.v1.WatchlistEntry'");
  record = EntryRecord(ValidEntry());
  record.value = "\x12\x05\x08";  // subject, 5 bytes, then the end
  EXPECT_EQ(Reason(record), "value is not a valid infobus.judgment.v1.WatchlistEntry");
}

TEST(WatchlistDecoder, RequiresAListAKnownNormalisedSubjectAndAKnownSeverity) {
  WatchlistEntry entry = ValidEntry();
  entry.clear_list_id();
  EXPECT_EQ(Reason(EntryRecord(entry)), "infobus.judgment.v1.WatchlistEntry.list_id: is empty");
  entry = ValidEntry();
  entry.mutable_subject()->set_type(static_cast<infobus::common::v1::SubjectType>(8));
  EXPECT_THAT(Reason(EntryRecord(entry)), HasSubstr("subject.type: 8 is not a known"));
  entry.mutable_subject()->set_type(infobus::common::v1::SUBJECT_TYPE_UNSPECIFIED);
  EXPECT_THAT(Reason(EntryRecord(entry)), HasSubstr("subject.type: is unspecified"));
  entry = ValidEntry();
  entry.mutable_subject()->clear_value();
  EXPECT_THAT(Reason(EntryRecord(entry)), HasSubstr("subject.value: is empty"));
  entry = ValidEntry();
  entry.mutable_subject()->set_value("桂F·a1234");  // valid, but not as stored
  EXPECT_THAT(Reason(EntryRecord(entry)), HasSubstr("subject.value: is not in normal form"));
  entry = ValidEntry();
  entry.set_severity(static_cast<infobus::common::v1::Severity>(99));
  EXPECT_THAT(Reason(EntryRecord(entry)), HasSubstr("severity: 99 is not a known"));
  entry.set_severity(infobus::common::v1::SEVERITY_UNSPECIFIED);  // the rule's then applies
  EXPECT_TRUE(DecodeWatchlistRecord(EntryRecord(entry)).ok());
}

TEST(WatchlistDecoder, RequiresTheKeyOfItsSubjectAndList) {
  WatchlistEntry entry = ValidEntry();
  entry.set_list_id("wanted_person");  // the key says stolen_vehicle
  EXPECT_EQ(Reason(EntryRecord(entry)),
            "infobus.judgment.v1.WatchlistEntry keyed 'PLATE:桂FA1234\\nstolen_vehicle', not by "
            "its own subject and list: 'PLATE:桂FA1234\\nwanted_person'");
  entry = ValidEntry();
  entry.mutable_subject()->set_value("桂FB9999");
  EXPECT_THAT(Reason(EntryRecord(entry)), HasSubstr("not by its own subject and list"));
  kafka::Record record = EntryRecord(ValidEntry());
  record.key = "PLATE:\xff\n";  // shown as UTF-8 the reason must be, to be read back
  EXPECT_THAT(Reason(record), HasSubstr("keyed 'PLATE:\\xff\\n'"));
}

}  // namespace
}  // namespace infobus::codec
