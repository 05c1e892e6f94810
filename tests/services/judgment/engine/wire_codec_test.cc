// The byte forms of evidence and state records (wire_codec.h).
#include "services/judgment/engine/wire_codec.h"

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/util/ids.h"
#include "common/util/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "infobus/judgment/storage/v1/judgment_state.pb.h"
#include "services/judgment/engine/engine.h"
#include "services/judgment/engine/state.h"
#include "tests/services/judgment/engine/engine_test_support.h"

namespace infobus::judgment::engine_test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

using WireCodecTest = EngineTest;

// The evidence a judgment carries is the event's, field for field, whether the event was just
// processed or restored from stored state; a plate subject's key matches the watchlist's.
TEST_F(WireCodecTest, JudgmentEvidenceIsTheEventsBeforeAndAfterRestore) {
  const RuleSet rules = Rules(R"(
version: 1
rules:
  - id: plates
    version: 1
    kind: watchlist
    severity: high
  - id: tips
    version: 1
    kind: hotspot
    severity: low
    filter: {kinds: [tip]}
    group_by: [kind]
    window: 1h
    grace: 0s
    threshold: 2
)");
  engine_.SetRules(rules);
  WatchlistEntry entry;
  entry.set_list_id("stolen");
  entry.mutable_subject()->set_type(infobus::common::v1::SUBJECT_TYPE_PLATE);
  entry.mutable_subject()->set_value("桂F12345");
  watchlist_.Add(entry);
  Event first = MakeEvent("a", kT0 + absl::Minutes(1) + absl::Nanoseconds(5), "tip", "451421");
  first.mutable_location()->set_jurisdiction_code("4514210012");
  *first.mutable_ingested_at() = ToProtoTimestamp(kT0 + absl::Minutes(2));
  first.set_classification(infobus::common::v1::CLASSIFICATION_CONFIDENTIAL);
  first.add_compartments("border");
  first.add_compartments("informant");
  auto* plate = first.add_subjects();
  plate->set_type(infobus::common::v1::SUBJECT_TYPE_PLATE);
  plate->set_value("桂F12345");
  infobus::common::v1::Evidence expected;
  expected.set_event_id("a");
  expected.set_source_id("src");
  expected.set_trace_id("trace-a");
  expected.set_kind("tip");
  expected.set_county_code("451421");
  *expected.mutable_occurred_at() = first.occurred_at();
  expected.set_classification(infobus::common::v1::CLASSIFICATION_CONFIDENTIAL);
  expected.set_jurisdiction_code("4514210012");
  *expected.mutable_ingested_at() = first.ingested_at();
  expected.add_compartments("border");
  expected.add_compartments("informant");

  auto hit = Feed(first);
  ASSERT_THAT(hit, SizeIs(1));
  EXPECT_EQ(hit[0].group_key(), "PLATE:桂F12345");
  ASSERT_EQ(hit[0].evidence_size(), 1);
  EXPECT_EQ(hit[0].evidence(0).SerializeAsString(), expected.SerializeAsString());
  EXPECT_EQ(hit[0].jurisdiction_code(), "4514210012");

  // The hotspot's first evidence comes back from the store.
  std::unique_ptr<Engine> restarted = Restarted(rules);
  auto fired = ProcessOk(*restarted, MakeEvent("b", kT0 + absl::Minutes(3), "tip", "451481"));
  ASSERT_THAT(fired, SizeIs(1));
  ASSERT_EQ(fired[0].evidence_size(), 2);
  EXPECT_EQ(fired[0].evidence(0).SerializeAsString(), expected.SerializeAsString());
  EXPECT_EQ(fired[0].evidence(1).event_id(), "b");
  EXPECT_EQ(fired[0].classification(), infobus::common::v1::CLASSIFICATION_CONFIDENTIAL);
  EXPECT_EQ(fired[0].jurisdiction_code(), "4514");
}

// Through the engine: every record is exactly what the generated serialisers write for the same
// content (so records written before still restore, and vice versa).
TEST_F(WireCodecTest, StateRecordsAreTheProtosCanonicalBytes) {
  engine_.SetRules(Rules(std::string(kHotspotRules) + kCrossCountyRule + R"(
  - id: tip-then-alarm
    version: 1
    kind: correlation
    severity: low
    sequence: [tip, alarm.call]
    ordered: true
    within: 1h
)"));
  Feed(MakeEvent("a", kT0 + absl::Minutes(1), "tip", "451421", kPerson));
  Feed(WithCompartments(MakeEvent("b", kT0 + absl::Minutes(2), "alarm.call", "451481", kPerson),
                        {"border", "informant"}));
  Feed(MakeEvent("c", kT0 + absl::Minutes(2), "alarm.call", "451481"));
  int windows = 0, patterns = 0, meta = 0;
  for (const StateChange& change : engine_.TakeStateChanges()) {
    ASSERT_TRUE(change.value.has_value()) << change.key;
    const std::string& value = *change.value;
    if (change.key == Engine::MetaKey("events/0")) {
      infobus::judgment::storage::v1::EngineMeta record;
      ASSERT_TRUE(record.ParseFromString(value));
      EXPECT_EQ(record.SerializeAsString(), value);
      EXPECT_EQ(record.stream_time_ns(), absl::ToUnixNanos(kT0 + absl::Minutes(2)));
      ++meta;
    } else if (change.key.find("\x1fW\x1f") != std::string::npos) {
      infobus::judgment::storage::v1::WindowState record;
      ASSERT_TRUE(record.ParseFromString(value));
      EXPECT_EQ(record.SerializeAsString(), value);
      EXPECT_EQ(record.rule_id(), "alarm-hotspot");
      EXPECT_EQ(record.group_key(), "alarm.call|4514");
      EXPECT_EQ(record.count(), 2);
      EXPECT_EQ(record.evidence_size(), 2);
      ++windows;
    } else {
      infobus::judgment::storage::v1::SubjectPatterns record;
      ASSERT_TRUE(record.ParseFromString(value));
      EXPECT_EQ(record.SerializeAsString(), value);
      EXPECT_EQ(change.key, std::string("events/0\x1f\x1fS\x1fID_NUMBER:") + kPerson);
      EXPECT_EQ(record.subject().value(), kPerson);
      // Event b fed both rules and is stored once.
      ASSERT_EQ(record.evidence_size(), 2);
      infobus::common::v1::Evidence evidence;
      ASSERT_TRUE(evidence.ParseFromString(record.evidence(1)));
      EXPECT_EQ(evidence.SerializeAsString(), record.evidence(1));
      EXPECT_EQ(evidence.event_id(), "b");
      EXPECT_THAT(evidence.compartments(), ElementsAre("border", "informant"));
      // Rules in the order they first saw the subject: the tip fed the correlation first.
      ASSERT_EQ(record.rules_size(), 2);
      EXPECT_EQ(record.rules(0).rule_id(), "tip-then-alarm");
      EXPECT_EQ(record.rules(0).last_fired_ns(), absl::ToUnixNanos(kT0 + absl::Minutes(2)));
      EXPECT_EQ(record.rules(1).rule_id(), "cross-county");
      EXPECT_EQ(record.rules(1).last_fired_ns(), INT64_MIN);
      for (const auto& rule : record.rules()) {
        EXPECT_THAT(rule.evidence_index(), ElementsAre(0, 1));
        EXPECT_THAT(rule.time_ns(), ElementsAre(absl::ToUnixNanos(kT0 + absl::Minutes(1)),
                                                absl::ToUnixNanos(kT0 + absl::Minutes(2))));
      }
      EXPECT_EQ(record.expire_at_ns(),
                absl::ToUnixNanos(kT0 + absl::Minutes(2) + absl::Hours(6) + absl::Minutes(5)));
      ++patterns;
    }
  }
  EXPECT_EQ(windows, 1);
  EXPECT_EQ(patterns, 1);
  EXPECT_EQ(meta, 1);
}

// --- The codec itself, field by field

using engine::HandWrittenFields;
using engine::Pattern;
using engine::RulePattern;
using engine::Scope;
using engine::StateTable;
using engine::Window;
using engine::WireCodec;
using engine::WrittenFields;
using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using infobus::common::v1::Evidence;

// A field added to a message the codec writes by hand must be written there too: otherwise the
// engine drops it without a word. Fails naming the field.
TEST(WireCodecFieldsTest, EveryFieldOfAHandWrittenMessageIsWritten) {
  std::set<std::string> hand_written;
  for (const WrittenFields& written : HandWrittenFields()) {
    hand_written.insert(written.message->full_name());
  }
  // Message fields the codec copies from their own generated serialiser's bytes.
  const std::set<std::string> generated = {"google.protobuf.Timestamp",
                                           "infobus.common.v1.Subject"};
  for (const WrittenFields& written : HandWrittenFields()) {
    const Descriptor* message = written.message;
    const std::set<int> listed(written.numbers.begin(), written.numbers.end());
    EXPECT_EQ(listed.size(), written.numbers.size()) << message->full_name() << ": a field twice";
    for (int i = 0; i < message->field_count(); ++i) {
      const FieldDescriptor* field = message->field(i);
      EXPECT_EQ(listed.count(field->number()), 1u)
          << field->full_name() << " (" << field->number()
          << ") is not written by services/judgment/engine/wire_codec.cc: write it there and "
             "list it in HandWrittenFields(), or the engine drops it";
      if (field->type() == FieldDescriptor::TYPE_MESSAGE) {
        const std::string& type = field->message_type()->full_name();
        EXPECT_TRUE(hand_written.count(type) == 1 || generated.count(type) == 1)
            << field->full_name() << ": " << type << " is written by neither";
      }
    }
    for (int number : listed) {
      EXPECT_NE(message->FindFieldByNumber(number), nullptr)
          << message->full_name() << " has no field " << number;
    }
  }
}

// Every field of `message` is set (not at its default), so an expectation built field by field
// cannot leave out a field the proto has.
void ExpectEveryFieldSet(const Message& message) {
  std::vector<const FieldDescriptor*> set;
  message.GetReflection()->ListFields(message, &set);
  EXPECT_EQ(static_cast<int>(set.size()), message.GetDescriptor()->field_count())
      << message.GetDescriptor()->full_name()
      << " in the test leaves fields unset: " << message.ShortDebugString();
}

Event FullEvent() {
  Event event = WithCompartments(MakeEvent("e1", kT0 + absl::Nanoseconds(7), "tip", "451421"),
                                 {"border", ""});
  event.mutable_location()->set_jurisdiction_code("4514210012");
  event.set_classification(infobus::common::v1::CLASSIFICATION_SECRET);
  *event.mutable_ingested_at() = ToProtoTimestamp(kT0 + absl::Seconds(3));
  event.mutable_location()->set_has_coordinates(true);
  event.mutable_location()->set_lat(22.63);
  event.mutable_location()->set_lon(107.9);
  return event;
}

// What a generated Evidence holds for `event`: the engine's evidence must be its bytes.
Evidence GeneratedEvidence(const Event& event) {
  Evidence evidence;
  evidence.set_event_id(event.event_id());
  evidence.set_source_id(event.source_id());
  evidence.set_trace_id(event.trace_id());
  evidence.set_kind(event.kind());
  evidence.set_county_code(event.county_code());
  *evidence.mutable_occurred_at() = event.occurred_at();
  evidence.set_classification(event.classification());
  evidence.set_jurisdiction_code(event.location().jurisdiction_code().empty()
                                     ? event.county_code()
                                     : event.location().jurisdiction_code());
  if (event.has_ingested_at()) *evidence.mutable_ingested_at() = event.ingested_at();
  *evidence.mutable_compartments() = event.compartments();
  if (event.location().has_coordinates()) {
    evidence.set_has_coordinates(true);
    evidence.set_lat(event.location().lat());
    evidence.set_lon(event.location().lon());
  }
  return evidence;
}

TEST(WireCodecEvidenceTest, IsTheGeneratedSerialisersBytesWithViewsIntoThem) {
  WireCodec codec;
  const Event full = FullEvent();
  ExpectEveryFieldSet(GeneratedEvidence(full));
  Event sparse;  // defaults left out, occurred_at present though unset, no ingested_at
  sparse.set_event_id("e2");
  sparse.set_county_code("450110");
  Event negative = MakeEvent("e3", kT0);
  negative.set_classification(static_cast<infobus::common::v1::Classification>(-1));
  // On the equator and the meridian: 0.0 is left out, -0.0 is not; coordinates without
  // has_coordinates are not the evidence's.
  Event zero = MakeEvent("e4", kT0);
  zero.mutable_location()->set_has_coordinates(true);
  zero.mutable_location()->set_lat(-0.0);
  Event unflagged = MakeEvent("e5", kT0);
  unflagged.mutable_location()->set_lat(22.6);
  for (const Event& event : {full, sparse, negative, zero, unflagged}) {
    engine::EvidenceRef evidence = codec.EvidenceOf(event);
    const Evidence expected = GeneratedEvidence(event);
    EXPECT_EQ(evidence->bytes(), expected.SerializeAsString()) << event.ShortDebugString();
    EXPECT_EQ(evidence->event_id, expected.event_id());
    EXPECT_EQ(evidence->source_id, expected.source_id());
    EXPECT_EQ(evidence->kind, expected.kind());
    EXPECT_EQ(evidence->county_code, expected.county_code());
    EXPECT_EQ(evidence->jurisdiction_code, expected.jurisdiction_code());
    Evidence parsed;
    ASSERT_TRUE(evidence->ToProto(&parsed));
    EXPECT_EQ(parsed.SerializeAsString(), expected.SerializeAsString());
  }
}

// Stored evidence may come from another build: fields repeated (the last counts, as for the
// parser) and fields this build does not know (kept for judgments).
TEST(WireCodecEvidenceTest, FromBytesTakesWhatTheParserTakes) {
  WireCodec codec;
  std::string bytes = GeneratedEvidence(FullEvent()).SerializeAsString();
  bytes += std::string(
      "\x0a\x02"
      "e9",
      4);                                   // event_id again
  bytes += std::string("\xa0\x06\x2a", 3);  // field 100, a varint
  bytes += std::string("\x2a\x02x1", 4);    // county_code again
  engine::EvidenceRef evidence = codec.EvidenceFromBytes(bytes);
  ASSERT_TRUE(evidence);
  Evidence parsed;
  ASSERT_TRUE(parsed.ParseFromString(bytes));
  EXPECT_EQ(evidence->event_id, "e9");
  EXPECT_EQ(evidence->county_code, "x1");
  EXPECT_EQ(evidence->event_id, parsed.event_id());
  EXPECT_EQ(evidence->jurisdiction_code, parsed.jurisdiction_code());
  Evidence judged;
  ASSERT_TRUE(evidence->ToProto(&judged));
  EXPECT_EQ(judged.SerializeAsString(), parsed.SerializeAsString());
  EXPECT_FALSE(codec.EvidenceFromBytes("\xff\xff\xff"));
}

TEST(WireCodecRecordTest, AWindowIsTheGeneratedSerialisersBytes) {
  WireCodec codec;
  StateTable states;
  Window& window = *states.AddWindow("k", states.ScopeFor("events/0"));
  window.rule_id = "alarm-hotspot";
  window.group_key = "alarm.call|4514";
  window.start_ns = absl::ToUnixNanos(kT0);
  window.end_ns = window.start_ns + 3600'000'000'000;
  window.close_at_ns = -5;  // any int64, as the proto takes it
  window.count = 2;
  window.fired = true;
  window.evidence = {codec.EvidenceOf(FullEvent()), codec.EvidenceOf(MakeEvent("b", kT0))};
  window.counted_events = {1, UINT64_MAX};
  infobus::judgment::storage::v1::WindowState expected;
  expected.set_rule_id(window.rule_id);
  expected.set_group_key(window.group_key);
  expected.set_window_start_ns(window.start_ns);
  expected.set_window_end_ns(window.end_ns);
  expected.set_close_at_ns(window.close_at_ns);
  expected.set_count(window.count);
  expected.set_fired(window.fired);
  for (const auto& item : window.evidence) expected.add_evidence(std::string(item->bytes()));
  for (uint64_t identity : window.counted_events) expected.add_counted_events(identity);
  ExpectEveryFieldSet(expected);
  EXPECT_EQ(codec.WindowRecord(window), expected.SerializeAsString());
  // Defaults are left out, as the generated serialiser leaves them.
  Window& empty = *states.AddWindow("k2", states.ScopeFor("events/0"));
  EXPECT_EQ(codec.WindowRecord(empty), "");
}

TEST(WireCodecRecordTest, APatternIsTheGeneratedSerialisersBytesWithEachEventOnce) {
  WireCodec codec;
  StateTable states;
  infobus::common::v1::Subject subject;
  subject.set_type(infobus::common::v1::SUBJECT_TYPE_ID_NUMBER);
  subject.set_value(kPerson);
  Pattern& pattern =
      *states.AddPattern("k", subject.SerializeAsString(), states.ScopeFor("events/0"));
  Rule movement, correlation, idle;
  movement.id = "move";
  correlation.id = "corr";
  idle.id = "idle";
  const engine::EvidenceRef a = codec.EvidenceOf(FullEvent());
  const engine::EvidenceRef b = codec.EvidenceOf(MakeEvent("b", kT0 + absl::Minutes(1)));
  const int64_t t = absl::ToUnixNanos(kT0);
  pattern.rules.push_back({&movement, {{t, a}, {t + 60, b}}, t});
  pattern.rules.push_back({&idle, {}, INT64_MIN});  // no sightings: left out
  pattern.rules.push_back({&correlation, {{t + 60, b}}, INT64_MIN});
  pattern.expire_at_ns = t + 7200;
  infobus::judgment::storage::v1::SubjectPatterns expected;
  *expected.mutable_subject() = subject;
  expected.add_evidence(std::string(a->bytes()));
  expected.add_evidence(std::string(b->bytes()));
  auto* first = expected.add_rules();
  first->set_rule_id("move");
  first->add_time_ns(t);
  first->add_time_ns(t + 60);
  first->add_evidence_index(0);
  first->add_evidence_index(1);
  first->set_last_fired_ns(t);
  ExpectEveryFieldSet(*first);
  auto* second = expected.add_rules();
  second->set_rule_id("corr");
  second->add_time_ns(t + 60);
  second->add_evidence_index(1);
  second->set_last_fired_ns(INT64_MIN);
  expected.set_expire_at_ns(pattern.expire_at_ns);
  ExpectEveryFieldSet(expected);
  EXPECT_EQ(codec.PatternRecord(pattern), expected.SerializeAsString());
  // Written again, it is the same (the per-record marks on the evidence start afresh).
  EXPECT_EQ(codec.PatternRecord(pattern), expected.SerializeAsString());
  pattern.rules.erase(pattern.rules.begin());
  pattern.rules.pop_back();
  EXPECT_EQ(codec.PatternRecord(pattern), std::nullopt);  // only the idle rule is left
}

}  // namespace
}  // namespace infobus::judgment::engine_test
