#pragma once

// The byte forms the engine writes: evidence (infobus.common.v1.Evidence) and its state records
// (judgment_state.proto). Evidence and the window and pattern records are written here by hand,
// on protobuf's own WireFormatLite and CodedOutputStream, straight from the engine's state: the
// generated classes, even on an arena and reused, cost 28% more instructions per event and 14-16%
// of the engine's throughput (BM_EngineEventsFixed, measured A/B in one sitting), most of it in
// filling a SubjectPatterns with a second copy of every evidence and checking every rule id's
// UTF-8. Meta records, written once per scope and batch, are the generated class's. Nothing else
// in the engine reads or writes the wire format.
//
// What is written is byte for byte what the generated serialisers write for the same content
// (fields in number order, proto3 defaults left out), so records restore through the generated
// parsers; wire_codec_test checks the bytes, and walks each message's descriptor to fail on any
// field not in HandWrittenFields(): a field added to these protos must be added here too.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "google/protobuf/arena.h"
#include "google/protobuf/descriptor.h"
#include "infobus/common/v1/event.pb.h"
#include "infobus/common/v1/judgment.pb.h"
#include "infobus/judgment/storage/v1/judgment_state.pb.h"
#include "services/judgment/engine/evidence.h"
#include "services/judgment/engine/state.h"

namespace infobus::judgment::engine {

// A message the codec writes by hand and the field numbers it writes of it.
struct WrittenFields {
  const google::protobuf::Descriptor* message;
  std::vector<int> numbers;
};
// Evidence, WindowState, SubjectPatterns and RulePattern.
const std::vector<WrittenFields>& HandWrittenFields();

// Not thread-safe: one per engine (it keeps scratch from call to call).
class WireCodec final : public RecordWriter {
 public:
  WireCodec();
  WireCodec(const WireCodec&) = delete;
  WireCodec& operator=(const WireCodec&) = delete;

  // The evidence of `event`: event_id, source_id, trace_id, kind, county_code, occurred_at
  // (always present), classification, JurisdictionOf(event), ingested_at (when the event has it)
  // and every compartment (a judgment made from stored evidence takes its labels from there).
  EvidenceRef EvidenceOf(const infobus::common::v1::Event& event);
  // Evidence from stored bytes (a state record's, a sighting's); empty when they do not parse.
  EvidenceRef EvidenceFromBytes(std::string_view bytes);

  // RecordWriter
  // WindowState: its evidence is the stored bytes of each item.
  std::string WindowRecord(const Window& window) override;
  // SubjectPatterns: each event once (in order of first use), each rule with sightings as
  // indexes into them (rules without sightings left out); nullopt when no rule has sightings.
  std::optional<std::string> PatternRecord(const Pattern& pattern) override;
  // EngineMeta, by the generated class.
  std::string MetaRecord(const Scope& scope) override;

 private:
  infobus::common::v1::Evidence parsed_;  // EvidenceFromBytes: the generated parser's check
  uint64_t serial_ = 0;                   // PatternRecord's mark on SharedEvidence::serial
  std::vector<const SharedEvidence*> record_evidence_;  // PatternRecord scratch
  std::vector<size_t> record_sizes_;                    // PatternRecord scratch
  google::protobuf::Arena arena_;
  infobus::judgment::storage::v1::EngineMeta*
      meta_;  // on arena_, reused (no message fields to leak)
};

}  // namespace infobus::judgment::engine
