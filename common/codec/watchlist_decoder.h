#pragma once

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/kafka/message.h"
#include "infobus/common/v1/event.pb.h"
#include "infobus/judgment/v1/judgment_service.pb.h"

namespace infobus::codec {

// "<subject key>\n<list id>": the key of a watchlist entry on the compacted watchlist topic
// (infobus.watchlists.v1) and in judgment's store, so all lists' entries for a subject sit
// together. `subject` must be normalised.
std::string WatchlistKey(const std::string& list_id, const infobus::common::v1::Subject& subject);

// What one record of the watchlist topic does to the table: put `entry` at `key`, or, with no
// entry, remove `key`.
struct WatchlistChange {
  std::string key;
  std::optional<infobus::judgment::v1::WatchlistEntry> entry;
};

// A record of the watchlist topic as the change it makes. The topic is compacted, so a null
// value (a tombstone) is a removal, not an error, and so is an empty value (how removals were
// written before they were tombstones; compaction may keep them). A removal needs no schema
// header, but one that names another type is refused. Any other value must carry the schema
// header "infobus.judgment.v1.WatchlistEntry", parse, and pass CheckWatchlistEntry with the
// record's key. The key must not be empty. Pure. An error is INVALID_ARGUMENT whose message is
// the dead-letter reason.
absl::StatusOr<WatchlistChange> DecodeWatchlistRecord(const kafka::Record& record);

// What AddWatchlistEntry writes: list_id present; a subject of a known, specified type whose
// value is present and normalised (so it can match an event's); severity known or unset;
// and `key` == WatchlistKey(list_id, subject), or a lookup by subject would find the entry
// under another subject.
absl::Status CheckWatchlistEntry(const infobus::judgment::v1::WatchlistEntry& entry,
                                 std::string_view key);

}  // namespace infobus::codec
