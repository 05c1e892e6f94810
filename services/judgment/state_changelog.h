#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/store/store.h"
#include "common/stream/consumer_loop.h"
#include "services/judgment/engine/engine.h"

namespace infobus::judgment {

// The engine state's changelog, as Kafka Streams keeps one: so a partition's state follows the
// partition to its next owner instead of starting from zero there.
//
// Every state change is also produced to a compacted topic, to the partition numbered like its
// scope's input partition ("<topic>/<N>" → N; the topics have the same partition count), keyed
// by the state key (a deletion is a tombstone); after them, per input partition the batch read,
// a mark "<scope>\x1f\x1fO\x1f" → the next input offset. The changelog goes out only once the
// batch's judgments and sightings are acknowledged (Transaction::ProduceAfterOutput), and the
// batch's offsets commit to the store only once the changelog is acknowledged: so the changelog
// is never ahead of the output nor behind the store.
//
// When partitions are assigned, Restore reads their changelog partitions; where the mark is
// ahead of the offset in the local store (or there is none: a new owner), the local state of
// that scope is replaced by the changelog's and the offset set to the mark, in one WriteBatch.
// Local state and offset are always a consistent pair, so a store that is behind is only slow
// (it replays more), never wrong; the changelog is what lets a new owner start where the last
// one stopped rather than with empty state at Kafka's committed offset.
class StateChangelog {
 public:
  StateChangelog(std::string bootstrap_servers, std::string topic, Store* store,
                 std::string state_family, std::string offsets_family, absl::Duration timeout)
      : bootstrap_servers_(std::move(bootstrap_servers)),
        topic_(std::move(topic)),
        store_(store),
        state_family_(std::move(state_family)),
        offsets_family_(std::move(offsets_family)),
        timeout_(timeout) {}

  // The input partition number of a state key's scope; nullopt for keys with no such scope.
  static std::optional<int32_t> PartitionOf(std::string_view key);
  // The mark key of `scope`.
  static std::string MarkKey(std::string_view scope);

  // Stages `change` (skipped when its scope has no partition or is not in `owned`: state left
  // over from partitions now owned by others must not overwrite theirs).
  void Stage(const StateChange& change, const std::set<std::string>& owned,
             stream::Transaction& context) const;
  // Stages the mark of `scope`: its next input offset.
  void StageMark(const std::string& scope, int64_t next_offset, stream::Transaction& context) const;

  // Brings the store up to the changelog for these input partitions. Returns the number of
  // scopes whose state was replaced. Reads every changelog partition before writing; an error
  // after that (a store write) may leave some scopes replaced.
  // CANCELLED, with nothing written, once Cancel() has been called.
  absl::StatusOr<int> Restore(const std::vector<std::pair<std::string, int32_t>>& partitions);

  // From any thread, when the service stops: a Restore in progress (or to come) ends within
  // stream::kReadSlice instead of waiting out its timeout on a broker that is gone.
  void Cancel() { cancelled_ = true; }

  // Deletes the local state and stored offset of `scopes` (partitions now owned by another
  // instance, which takes their state from the changelog), in one WriteBatch.
  absl::Status DropLocal(const std::set<std::string>& scopes);

 private:
  const std::string bootstrap_servers_;
  const std::string topic_;
  Store* const store_;
  const std::string state_family_;
  const std::string offsets_family_;
  const absl::Duration timeout_;
  std::atomic<bool> cancelled_{false};
};

}  // namespace infobus::judgment
