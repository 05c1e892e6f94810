#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace infobus {

// A fresh random 128-bit id as 32 lower-case hex characters (W3C trace-id shape).
std::string NewTraceId();

// A deterministic 128-bit id of `parts` as 32 hex characters: the same parts give the same id in
// every process and on every machine (unlike std::hash or absl::Hash). Parts are length-prefixed,
// so ("ab","c") and ("a","bc") differ. Not cryptographic.
std::string StableId(std::initializer_list<std::string_view> parts);

// A deterministic 64-bit hash of `parts`, length-prefixed like StableId: for telling items
// apart compactly (e.g. an event's (source_id, event_id) in stored state). Not cryptographic.
uint64_t StableHash64(std::initializer_list<std::string_view> parts);

}  // namespace infobus
