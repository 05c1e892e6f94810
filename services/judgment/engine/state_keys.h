#pragma once

// The keys of the engine's state records (the persistent contract, see engine.h):
//   "<scope>\x1f<rule id>\x1fW\x1f<group key>\x1f<window start>"  a hotspot window
//   "<scope>\x1f\x1fS\x1f<subject key>"                            a subject's pattern state
//   "<scope>\x1f\x1fM\x1f"                                          a scope's meta record
// Rule ids have no \x1f (rules.cc), so a key splits at its first three separators.

#include <cstdint>
#include <string>
#include <string_view>

namespace infobus::judgment::engine {

inline constexpr char kSep = '\x1f';
inline constexpr char kWindowType = 'W';
inline constexpr char kPatternType = 'S';
inline constexpr char kMetaType = 'M';

// "<scope>\x1f<rule id>\x1f<type>\x1f", the start of a state key, into `out` (replacing it).
void StateKeyPrefix(std::string& out, std::string_view scope, std::string_view rule_id, char type);
// Appends 16 hex digits of `value`, offset so negative times still sort before positive ones.
void AppendHex16(std::string& out, int64_t value);
// The key of `scope`'s meta record.
std::string MetaKey(std::string_view scope);

// A state key split at its first three separators; false when it has fewer or the type is not
// one character.
struct StateKey {
  std::string_view scope, rule_id, rest;
  char type = 0;
};
bool ParseStateKey(std::string_view key, StateKey& out);

}  // namespace infobus::judgment::engine
