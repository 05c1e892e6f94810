#include "services/judgment/engine/evidence.h"

#include <cstring>
#include <new>

#include "common/util/ids.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"

namespace infobus::judgment::engine {

using google::protobuf::internal::WireFormatLite;
using infobus::common::v1::Event;
using infobus::common::v1::Evidence;

const std::string& JurisdictionOf(const Event& event) {
  return event.location().jurisdiction_code().empty() ? event.county_code()
                                                      : event.location().jurisdiction_code();
}

SharedEvidence* SharedEvidence::New(size_t size) {
  static_assert(sizeof(SharedEvidence) % alignof(SharedEvidence) == 0);
  void* memory = ::operator new(sizeof(SharedEvidence) + size);
  auto* evidence = new (memory) SharedEvidence;
  evidence->size_ = static_cast<uint32_t>(size);
  return evidence;
}

void SharedEvidence::Delete(SharedEvidence* evidence) {
  evidence->~SharedEvidence();
  ::operator delete(evidence);
}

uint64_t SharedEvidence::Identity() {
  if (!has_identity_) {
    identity_ = StableHash64({source_id, event_id});
    has_identity_ = true;
  }
  return identity_;
}

bool SharedEvidence::ToProto(Evidence* out) const {
  return out->ParseFromArray(data(), static_cast<int>(size_));
}

void SharedEvidence::PointViews() {
  // protobuf's own reader, to find where the fields are; the bytes parsed already, so a field
  // that does not read cannot occur (it would only leave the views after it empty).
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(data()),
                                            static_cast<int>(size_));
  while (const uint32_t tag = in.ReadTag()) {
    if (WireFormatLite::GetTagWireType(tag) != WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      if (!WireFormatLite::SkipField(&in, tag)) return;
      continue;
    }
    uint32_t length = 0;
    if (!in.ReadVarint32(&length)) return;
    const std::string_view value(data() + in.CurrentPosition(), length);
    if (!in.Skip(static_cast<int>(length))) return;
    switch (WireFormatLite::GetTagFieldNumber(tag)) {
      case Evidence::kEventIdFieldNumber:
        event_id = value;
        break;
      case Evidence::kSourceIdFieldNumber:
        source_id = value;
        break;
      case Evidence::kKindFieldNumber:
        kind = value;
        break;
      case Evidence::kCountyCodeFieldNumber:
        county_code = value;
        break;
      case Evidence::kJurisdictionCodeFieldNumber:
        jurisdiction_code = value;
        break;
      default:
        break;
    }
  }
}

EvidenceFactory::EvidenceFactory()
    : message_(google::protobuf::Arena::CreateMessage<Evidence>(&arena_)),
      empty_timestamp_(
          google::protobuf::Arena::CreateMessage<google::protobuf::Timestamp>(&arena_)) {}

EvidenceRef EvidenceFactory::FromEvent(const Event& event) {
  Evidence& message = *message_;
  // Clear() keeps the strings' capacity; on an arena it drops the timestamps without freeing
  // them, which is why they are lent (below) rather than set: setting would leave one on the
  // arena per event.
  message.Clear();
  message.set_event_id(event.event_id());
  message.set_source_id(event.source_id());
  message.set_trace_id(event.trace_id());
  message.set_kind(event.kind());
  message.set_county_code(event.county_code());
  // The event's own timestamps, lent for the serialisation and taken back after it.
  message.unsafe_arena_set_allocated_occurred_at(
      event.has_occurred_at() ? const_cast<google::protobuf::Timestamp*>(&event.occurred_at())
                              : empty_timestamp_);
  message.set_classification(event.classification());
  message.set_jurisdiction_code(JurisdictionOf(event));
  if (event.has_ingested_at()) {
    message.unsafe_arena_set_allocated_ingested_at(
        const_cast<google::protobuf::Timestamp*>(&event.ingested_at()));
  }
  for (const std::string& compartment : event.compartments()) message.add_compartments(compartment);
  const size_t size = message.ByteSizeLong();
  SharedEvidence* evidence = SharedEvidence::New(size);
  message.SerializeWithCachedSizesToArray(reinterpret_cast<uint8_t*>(evidence->mutable_data()));
  message.unsafe_arena_release_occurred_at();
  message.unsafe_arena_release_ingested_at();
  evidence->PointViews();
  return EvidenceRef(evidence);
}

EvidenceRef EvidenceFactory::FromBytes(std::string_view bytes) {
  if (bytes.size() > UINT32_MAX ||
      !parsed_.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return EvidenceRef();
  }
  SharedEvidence* evidence = SharedEvidence::New(bytes.size());
  if (!bytes.empty()) std::memcpy(evidence->mutable_data(), bytes.data(), bytes.size());
  evidence->PointViews();
  return EvidenceRef(evidence);
}

}  // namespace infobus::judgment::engine
