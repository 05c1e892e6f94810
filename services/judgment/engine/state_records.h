#pragma once

// The engine's state as stored: records of the judgment_state.proto messages under the keys of
// state_keys.h. Written and read by the generated protobuf classes only, so a field added to the
// protos is written and read back by the same code that defines it.

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "google/protobuf/arena.h"
#include "infobus/common/v1/event.pb.h"
#include "infobus/judgment/v1/judgment_state.pb.h"
#include "services/judgment/engine/evidence.h"
#include "services/judgment/engine/rule_index.h"
#include "services/judgment/engine/state.h"

namespace infobus::judgment::engine {

// Keys of state written before state was scoped: one stream time for all, and hotspot windows in
// scope "*". Restore drops them (staging their deletion); those windows start again from zero.
inline constexpr char kLegacyGlobalScope[] = "*";
inline constexpr char kLegacyMetaKey[] = "\x1fmeta";

// Writes and restores records. Its messages live on its own arena and are reused from record to
// record (so steady state allocates only the record's bytes). Not thread-safe: one per engine.
class StateRecords final : public RecordWriter {
 public:
  StateRecords();

  // WindowState; its evidence is the stored bytes of each item.
  std::string WindowRecord(const Window& window) override;
  // SubjectPatterns: every event once (in order of first use), each rule with sightings as
  // indexes into them; nullopt when no rule has sightings.
  std::optional<std::string> PatternRecord(const Pattern& pattern) override;
  // EngineMeta: the stream time and the sighting marks.
  std::string MetaRecord(const Scope& scope) override;

  // Restores one stored record into `states` (after the rules are set: `rules` decides what is
  // kept). Records of rules that are gone or changed kind, and legacy records, are dropped with
  // a staged deletion. A key or record that does not parse is DATA_LOSS; then `states` may hold
  // part of the record.
  absl::Status Restore(std::string_view key, std::string_view value, const RuleIndex& rules,
                       EvidenceFactory& evidence, StateTable& states);

 private:
  absl::Status RestoreWindow(const std::string& key, std::string_view value, const Rule* rule,
                             Scope& scope, EvidenceFactory& evidence, StateTable& states);
  absl::Status RestorePattern(const std::string& key, std::string_view value,
                              const RuleIndex& rules, Scope& scope, EvidenceFactory& evidence,
                              StateTable& states);

  google::protobuf::Arena arena_;
  // On arena_. None has a message field but SubjectPatterns' subject, which is lent (subject_)
  // rather than set: Clear() on an arena drops a message field without freeing it.
  infobus::judgment::v1::WindowState* window_;
  infobus::judgment::v1::SubjectPatterns* pattern_;
  infobus::common::v1::Subject* subject_;
  infobus::judgment::v1::EngineMeta* meta_;
  uint64_t serial_ = 0;  // PatternRecord's mark on SharedEvidence::serial
};

}  // namespace infobus::judgment::engine
