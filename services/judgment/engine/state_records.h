#pragma once

// The engine's state read back from its records (judgment_state.proto messages under the keys of
// state_keys.h, written by wire_codec.h).

#include <string_view>

#include "absl/status/status.h"
#include "services/judgment/engine/rule_index.h"
#include "services/judgment/engine/state.h"
#include "services/judgment/engine/wire_codec.h"

namespace infobus::judgment::engine {

// Keys of state written before state was scoped: one stream time for all, and hotspot windows in
// scope "*". Restore drops them (staging their deletion); those windows start again from zero.
inline constexpr char kLegacyGlobalScope[] = "*";
inline constexpr char kLegacyMetaKey[] = "\x1fmeta";

// Restores one stored record into `states` (after the rules are set: `rules` decides what is
// kept), reading it with the generated parsers and its evidence through `codec`. Records of rules
// that are gone or changed kind, and legacy records, are dropped with a staged deletion. A key
// or record that does not parse is DATA_LOSS; then `states` may hold part of the record.
absl::Status RestoreRecord(std::string_view key, std::string_view value, const RuleIndex& rules,
                           WireCodec& codec, StateTable& states);

}  // namespace infobus::judgment::engine
