#include "services/judgment/engine/wire_codec.h"

#include <cstring>

#include "absl/base/attributes.h"
#include "absl/base/casts.h"
#include "absl/base/macros.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"
#include "services/judgment/engine/state_keys.h"

namespace infobus::judgment::engine {
namespace {

using google::protobuf::internal::WireFormatLite;
using google::protobuf::io::CodedInputStream;
using google::protobuf::io::CodedOutputStream;
using infobus::common::v1::Event;
using infobus::common::v1::Evidence;
using infobus::judgment::storage::v1::EngineMeta;
using infobus::judgment::storage::v1::SubjectPatterns;
using infobus::judgment::storage::v1::WindowState;
using StoredRule = infobus::judgment::storage::v1::RulePattern;

// Each writer computes the record's size first, then writes into exactly that much: one
// allocation, no bounds checks. The size and put helpers come in pairs, field by field, inlined
// (called a few hundred times per pattern record).

ABSL_ATTRIBUTE_ALWAYS_INLINE inline size_t TagSize(int field) {
  return WireFormatLite::TagSize(field, WireFormatLite::TYPE_BYTES);
}
ABSL_ATTRIBUTE_ALWAYS_INLINE inline size_t LengthFieldSize(int field, size_t length) {
  return TagSize(field) + WireFormatLite::LengthDelimitedSize(length);
}
// proto3: an empty string or a zero number is not written.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline size_t StringFieldSize(int field, std::string_view value) {
  return value.empty() ? 0 : LengthFieldSize(field, value.size());
}
ABSL_ATTRIBUTE_ALWAYS_INLINE inline size_t Int64FieldSize(int field, int64_t value) {
  return value == 0 ? 0 : TagSize(field) + WireFormatLite::Int64Size(value);
}

ABSL_ATTRIBUTE_ALWAYS_INLINE inline uint8_t* PutLength(int field, size_t length, uint8_t* out) {
  out = WireFormatLite::WriteTagToArray(field, WireFormatLite::WIRETYPE_LENGTH_DELIMITED, out);
  return CodedOutputStream::WriteVarint32ToArray(static_cast<uint32_t>(length), out);
}
ABSL_ATTRIBUTE_ALWAYS_INLINE inline uint8_t* PutBytes(int field, std::string_view value,
                                                      uint8_t* out) {
  out = PutLength(field, value.size(), out);
  if (!value.empty()) std::memcpy(out, value.data(), value.size());
  return out + value.size();
}
ABSL_ATTRIBUTE_ALWAYS_INLINE inline uint8_t* PutString(int field, std::string_view value,
                                                       uint8_t* out) {
  return value.empty() ? out : PutBytes(field, value, out);
}
ABSL_ATTRIBUTE_ALWAYS_INLINE inline uint8_t* PutInt64(int field, int64_t value, uint8_t* out) {
  return value == 0 ? out : WireFormatLite::WriteInt64ToArray(field, value, out);
}

uint8_t* Begin(std::string& value) { return reinterpret_cast<uint8_t*>(value.data()); }
const char* AsChars(const uint8_t* out) { return reinterpret_cast<const char*>(out); }

// Points the views of `evidence` at their fields in its bytes, with protobuf's reader: the last
// of each, as the parser takes it. The bytes parsed already, so every field reads.
void PointViews(SharedEvidence& evidence) {
  CodedInputStream in(reinterpret_cast<const uint8_t*>(evidence.data()),
                      static_cast<int>(evidence.size()));
  while (const uint32_t tag = in.ReadTag()) {
    if (WireFormatLite::GetTagWireType(tag) != WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      if (!WireFormatLite::SkipField(&in, tag)) return;
      continue;
    }
    uint32_t length = 0;
    if (!in.ReadVarint32(&length)) return;
    const std::string_view value(evidence.data() + in.CurrentPosition(), length);
    if (!in.Skip(static_cast<int>(length))) return;
    switch (WireFormatLite::GetTagFieldNumber(tag)) {
      case Evidence::kEventIdFieldNumber:
        evidence.event_id = value;
        break;
      case Evidence::kSourceIdFieldNumber:
        evidence.source_id = value;
        break;
      case Evidence::kKindFieldNumber:
        evidence.kind = value;
        break;
      case Evidence::kCountyCodeFieldNumber:
        evidence.county_code = value;
        break;
      case Evidence::kJurisdictionCodeFieldNumber:
        evidence.jurisdiction_code = value;
        break;
      default:
        break;
    }
  }
}

}  // namespace

const std::vector<WrittenFields>& HandWrittenFields() {
  static const auto* const fields = new std::vector<WrittenFields>{
      {Evidence::descriptor(),
       {Evidence::kEventIdFieldNumber, Evidence::kSourceIdFieldNumber,
        Evidence::kTraceIdFieldNumber, Evidence::kKindFieldNumber, Evidence::kCountyCodeFieldNumber,
        Evidence::kOccurredAtFieldNumber, Evidence::kClassificationFieldNumber,
        Evidence::kJurisdictionCodeFieldNumber, Evidence::kIngestedAtFieldNumber,
        Evidence::kCompartmentsFieldNumber, Evidence::kHasCoordinatesFieldNumber,
        Evidence::kLatFieldNumber, Evidence::kLonFieldNumber}},
      {WindowState::descriptor(),
       {WindowState::kRuleIdFieldNumber, WindowState::kGroupKeyFieldNumber,
        WindowState::kWindowStartNsFieldNumber, WindowState::kWindowEndNsFieldNumber,
        WindowState::kCloseAtNsFieldNumber, WindowState::kCountFieldNumber,
        WindowState::kFiredFieldNumber, WindowState::kEvidenceFieldNumber,
        WindowState::kCountedEventsFieldNumber}},
      {SubjectPatterns::descriptor(),
       {SubjectPatterns::kSubjectFieldNumber, SubjectPatterns::kEvidenceFieldNumber,
        SubjectPatterns::kRulesFieldNumber, SubjectPatterns::kExpireAtNsFieldNumber}},
      {StoredRule::descriptor(),
       {StoredRule::kRuleIdFieldNumber, StoredRule::kTimeNsFieldNumber,
        StoredRule::kEvidenceIndexFieldNumber, StoredRule::kLastFiredNsFieldNumber}},
  };
  return *fields;
}

WireCodec::WireCodec() : meta_(google::protobuf::Arena::CreateMessage<EngineMeta>(&arena_)) {}

EvidenceRef WireCodec::EvidenceOf(const Event& event) {
  const std::string& jurisdiction = JurisdictionOf(event);
  // occurred_at is always written, ingested_at when the event has it: as a generated Evidence
  // with them set from the event would be.
  const size_t occurred_size = event.occurred_at().ByteSizeLong();
  const bool has_ingested = event.has_ingested_at();
  const size_t ingested_size = has_ingested ? event.ingested_at().ByteSizeLong() : 0;
  const int classification = event.classification();
  size_t size =
      StringFieldSize(Evidence::kEventIdFieldNumber, event.event_id()) +
      StringFieldSize(Evidence::kSourceIdFieldNumber, event.source_id()) +
      StringFieldSize(Evidence::kTraceIdFieldNumber, event.trace_id()) +
      StringFieldSize(Evidence::kKindFieldNumber, event.kind()) +
      StringFieldSize(Evidence::kCountyCodeFieldNumber, event.county_code()) +
      LengthFieldSize(Evidence::kOccurredAtFieldNumber, occurred_size) +
      (classification == 0 ? 0
                           : TagSize(Evidence::kClassificationFieldNumber) +
                                 WireFormatLite::EnumSize(classification)) +
      StringFieldSize(Evidence::kJurisdictionCodeFieldNumber, jurisdiction) +
      (has_ingested ? LengthFieldSize(Evidence::kIngestedAtFieldNumber, ingested_size) : 0);
  for (const std::string& compartment : event.compartments()) {
    size += LengthFieldSize(Evidence::kCompartmentsFieldNumber, compartment.size());
  }
  // Coordinates only when the source gave them; a coordinate whose bits are 0 is left out, as
  // the generated serialiser leaves out a proto3 double of 0.0 (but not -0.0).
  const bool has_coordinates = event.location().has_coordinates();
  const double lat = has_coordinates ? event.location().lat() : 0;
  const double lon = has_coordinates ? event.location().lon() : 0;
  auto written = [](double value) { return absl::bit_cast<uint64_t>(value) != 0; };
  constexpr size_t kDoubleSize = 1 + 8;  // fields 12 and 13: a one-byte tag and 8 bytes
  size += (has_coordinates ? 2 : 0) + (written(lat) ? kDoubleSize : 0) +
          (written(lon) ? kDoubleSize : 0);
  EvidenceRef evidence = SharedEvidence::Allocate(size);
  uint8_t* const base = reinterpret_cast<uint8_t*>(evidence->mutable_data());
  uint8_t* out = base;
  // Writes a string field and points `view` at its value in the bytes.
  auto put = [&](int field, const std::string& value, std::string_view* view) {
    out = PutString(field, value, out);
    if (view != nullptr) *view = std::string_view(AsChars(out) - value.size(), value.size());
  };
  auto put_timestamp = [&](int field, const google::protobuf::Timestamp& time, size_t length) {
    out = PutLength(field, length, out);
    out = time.SerializeWithCachedSizesToArray(out);
  };
  put(Evidence::kEventIdFieldNumber, event.event_id(), &evidence->event_id);
  put(Evidence::kSourceIdFieldNumber, event.source_id(), &evidence->source_id);
  put(Evidence::kTraceIdFieldNumber, event.trace_id(), nullptr);
  put(Evidence::kKindFieldNumber, event.kind(), &evidence->kind);
  put(Evidence::kCountyCodeFieldNumber, event.county_code(), &evidence->county_code);
  put_timestamp(Evidence::kOccurredAtFieldNumber, event.occurred_at(), occurred_size);
  if (classification != 0) {
    out =
        WireFormatLite::WriteEnumToArray(Evidence::kClassificationFieldNumber, classification, out);
  }
  put(Evidence::kJurisdictionCodeFieldNumber, jurisdiction, &evidence->jurisdiction_code);
  if (has_ingested)
    put_timestamp(Evidence::kIngestedAtFieldNumber, event.ingested_at(), ingested_size);
  for (const std::string& compartment : event.compartments()) {
    out = PutBytes(Evidence::kCompartmentsFieldNumber, compartment, out);  // an empty one too
  }
  if (has_coordinates) {
    out = WireFormatLite::WriteBoolToArray(Evidence::kHasCoordinatesFieldNumber, true, out);
  }
  if (written(lat)) out = WireFormatLite::WriteDoubleToArray(Evidence::kLatFieldNumber, lat, out);
  if (written(lon)) out = WireFormatLite::WriteDoubleToArray(Evidence::kLonFieldNumber, lon, out);
  ABSL_ASSERT(static_cast<size_t>(out - base) == size);
  return evidence;
}

EvidenceRef WireCodec::EvidenceFromBytes(std::string_view bytes) {
  if (bytes.size() > UINT32_MAX ||
      !parsed_.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return EvidenceRef();
  }
  EvidenceRef evidence = SharedEvidence::Allocate(bytes.size());
  if (!bytes.empty()) std::memcpy(evidence->mutable_data(), bytes.data(), bytes.size());
  PointViews(*evidence.get());
  return evidence;
}

std::string WireCodec::WindowRecord(const Window& window) {
  using W = WindowState;
  size_t size = StringFieldSize(W::kRuleIdFieldNumber, window.rule_id) +
                StringFieldSize(W::kGroupKeyFieldNumber, window.group_key) +
                Int64FieldSize(W::kWindowStartNsFieldNumber, window.start_ns) +
                Int64FieldSize(W::kWindowEndNsFieldNumber, window.end_ns) +
                Int64FieldSize(W::kCloseAtNsFieldNumber, window.close_at_ns) +
                Int64FieldSize(W::kCountFieldNumber, window.count) +
                (window.fired ? TagSize(W::kFiredFieldNumber) + WireFormatLite::kBoolSize : 0);
  for (const EvidenceRef& item : window.evidence) {
    size += LengthFieldSize(W::kEvidenceFieldNumber, item->size());
  }
  const size_t counted_bytes = window.counted_events.size() * WireFormatLite::kFixed64Size;
  if (counted_bytes > 0) size += LengthFieldSize(W::kCountedEventsFieldNumber, counted_bytes);
  std::string value(size, '\0');
  uint8_t* out = Begin(value);
  out = PutString(W::kRuleIdFieldNumber, window.rule_id, out);
  out = PutString(W::kGroupKeyFieldNumber, window.group_key, out);
  out = PutInt64(W::kWindowStartNsFieldNumber, window.start_ns, out);
  out = PutInt64(W::kWindowEndNsFieldNumber, window.end_ns, out);
  out = PutInt64(W::kCloseAtNsFieldNumber, window.close_at_ns, out);
  out = PutInt64(W::kCountFieldNumber, window.count, out);
  if (window.fired) out = WireFormatLite::WriteBoolToArray(W::kFiredFieldNumber, true, out);
  for (const EvidenceRef& item : window.evidence) {
    out = PutBytes(W::kEvidenceFieldNumber, item->bytes(), out);
  }
  if (counted_bytes > 0) {  // packed
    out = PutLength(W::kCountedEventsFieldNumber, counted_bytes, out);
    for (uint64_t identity : window.counted_events) {
      out = WireFormatLite::WriteFixed64NoTagToArray(identity, out);
    }
  }
  ABSL_ASSERT(AsChars(out) == value.data() + value.size());
  return value;
}

std::optional<std::string> WireCodec::PatternRecord(const Pattern& pattern) {
  using S = SubjectPatterns;
  using R = StoredRule;
  // Each event once however many rules saw it: its index is where it first went.
  const uint64_t serial = ++serial_;
  record_evidence_.clear();
  record_sizes_.clear();
  size_t size = LengthFieldSize(S::kSubjectFieldNumber, pattern.subject.size());
  for (const RulePattern& rule : pattern.rules) {
    if (rule.sightings.empty()) continue;
    size_t times = 0, indexes = 0;
    for (const Sighting& sighting : rule.sightings) {
      SharedEvidence* item = sighting.evidence.get();
      if (item->serial != serial) {
        item->serial = serial;
        item->index = static_cast<uint32_t>(record_evidence_.size());
        record_evidence_.push_back(item);
        size += LengthFieldSize(S::kEvidenceFieldNumber, item->size());
      }
      times += WireFormatLite::Int64Size(sighting.time_ns);
      indexes += WireFormatLite::UInt32Size(item->index);
    }
    const size_t body = StringFieldSize(R::kRuleIdFieldNumber, rule.rule->id) +
                        LengthFieldSize(R::kTimeNsFieldNumber, times) +
                        LengthFieldSize(R::kEvidenceIndexFieldNumber, indexes) +
                        Int64FieldSize(R::kLastFiredNsFieldNumber, rule.last_fired_ns);
    record_sizes_.push_back(times);
    record_sizes_.push_back(indexes);
    record_sizes_.push_back(body);
    size += LengthFieldSize(S::kRulesFieldNumber, body);
  }
  if (record_sizes_.empty()) return std::nullopt;
  size += Int64FieldSize(S::kExpireAtNsFieldNumber, pattern.expire_at_ns);
  std::string value(size, '\0');
  uint8_t* out = Begin(value);
  // The subject is stored serialised: a message field, present even when empty.
  out = PutBytes(S::kSubjectFieldNumber, pattern.subject, out);
  for (const SharedEvidence* item : record_evidence_) {
    out = PutBytes(S::kEvidenceFieldNumber, item->bytes(), out);
  }
  size_t next = 0;
  for (const RulePattern& rule : pattern.rules) {
    if (rule.sightings.empty()) continue;
    const size_t times = record_sizes_[next++];
    const size_t indexes = record_sizes_[next++];
    const size_t body = record_sizes_[next++];
    out = PutLength(S::kRulesFieldNumber, body, out);
    out = PutString(R::kRuleIdFieldNumber, rule.rule->id, out);
    out = PutLength(R::kTimeNsFieldNumber, times, out);  // packed
    for (const Sighting& sighting : rule.sightings) {
      out = WireFormatLite::WriteInt64NoTagToArray(sighting.time_ns, out);
    }
    out = PutLength(R::kEvidenceIndexFieldNumber, indexes, out);  // packed
    for (const Sighting& sighting : rule.sightings) {
      out = WireFormatLite::WriteUInt32NoTagToArray(sighting.evidence->index, out);
    }
    out = PutInt64(R::kLastFiredNsFieldNumber, rule.last_fired_ns, out);
  }
  out = PutInt64(S::kExpireAtNsFieldNumber, pattern.expire_at_ns, out);
  ABSL_ASSERT(AsChars(out) == value.data() + value.size());
  return value;
}

std::string WireCodec::MetaRecord(const Scope& scope) {
  EngineMeta& meta = *meta_;
  meta.Clear();
  meta.set_stream_time_ns(scope.stream_time_ns);
  for (const auto& [key, offset] : scope.marks) {
    const size_t split = key.find(kSep);  // rule ids have no \x1f (rules.cc)
    auto* mark = meta.add_marks();
    mark->set_rule_id(key.substr(0, split));
    mark->set_origin(key.substr(split + 1));
    mark->set_offset(offset);
  }
  return meta.SerializeAsString();
}

}  // namespace infobus::judgment::engine
