#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/kafka/topics.h"
#include "common/kafka/watermarks.h"
#include "common/store/store.h"
#include "common/stream/consumer_loop.h"
#include "services/dispatch/routing_source.h"
#include "services/supervision/fan_out.h"
#include "services/supervision/ledger.h"

namespace infobus::supervision {

// Supervision's repartition topic: "<prefix>infobus.supervision-facts.v1" (the prefix of
// `topics`).
std::string FactsTopic(const kafka::Topics& topics);

// The consumer-loop adapter of the Ledger, in two steps through the repartition topic (the
// loop consumes both, in one group, so their partitions are shared among the instances):
//  - a record of the events, judgments, dispatch-events, audit and dead-letter topics is decoded
//    by its topic and produced again to the facts topic as a Fact, keyed by its item (an event
//    and its access records by its events key, a judgment, its dispatch facts and access records
//    by judgment id, a dead letter by its origin; an access record of nothing a trace shows is
//    dropped), so all facts of one item meet in one partition; the input offsets commit once
//    Kafka has acknowledged them (the loop's guarantee). A record of the first four that is not
//    what its topic holds goes to the dead-letter topic (like every consumer of it); a bad dead
//    letter is only counted and logged, since dead-lettering it would feed it back in.
//  - a record of the facts topic is folded into its partition's records and tallies, which go
//    into the loop's WriteBatch with the facts offsets they reflect.
// A facts partition assigned without local state starts from the topic's beginning (the topic
// keeps everything: it is the state's changelog); with state, from its stored offset. It
// answers queries (`owned`) once it has caught up with the end it had when it was assigned.
// Runs on the loop thread.
class FactHandler final : public stream::RecordHandler, private stream::Participant {
 public:
  // `routing` (may be null) is re-read on every turn of the loop when its file changed (at
  // most every `reload_interval`): reports resolve units and local time from it. `watermarks`
  // (may be null: every owned partition answers at once) tells where a partition ends.
  FactHandler(Ledger* ledger, Store* store, const kafka::Topics& topics, std::string facts_topic,
              OwnedPartitions* owned, const kafka::Watermarks* watermarks,
              dispatch::RoutingSource* routing, absl::Duration reload_interval)
      : ledger_(ledger),
        store_(store),
        topics_(topics),
        facts_topic_(std::move(facts_topic)),
        owned_(owned),
        watermarks_(watermarks),
        routing_(routing),
        reload_interval_(reload_interval) {}

  // stream::RecordHandler
  void HandleBatch(const std::vector<kafka::Record>& records,
                   stream::Transaction& context) override;
  void OnTick(stream::Transaction& context) override;
  void OnAssigned(const std::vector<std::pair<std::string, int32_t>>& assigned,
                  const std::set<std::pair<std::string, int32_t>>& kept) override;
  void OnRevoked(const std::vector<std::pair<std::string, int32_t>>& revoked) override;

 private:
  // stream::Participant: what each turn staged becomes visible, or is dropped.
  void Committed() override;
  void Aborted() override;
  // Decodes one input record into its Fact and key; INVALID_ARGUMENT (the dead-letter reason)
  // when it is not what its topic holds; OK with no message for a bad dead letter (counted).
  absl::Status Repartition(const kafka::Record& record, stream::Transaction& context);
  // Folds one record of the facts topic in; an error that is the record's fault is
  // INVALID_ARGUMENT (the dead-letter reason), anything else fails the batch.
  absl::Status Fold(const kafka::Record& record);
  // Owned partitions still replaying whose end is known and reached answer from now on.
  void MarkCaughtUp();

  Ledger* const ledger_;
  Store* const store_;
  const kafka::Topics topics_;
  const std::string facts_topic_;
  OwnedPartitions* const owned_;
  const kafka::Watermarks* const watermarks_;
  dispatch::RoutingSource* const routing_;
  const absl::Duration reload_interval_;
  // What the batch in hand folded, by kind, for the metrics once it is durable.
  std::map<std::string, int64_t> folded_;
  int64_t bad_dead_letters_ = 0;
  // Facts partitions owned and replaying: the end to reach (-1: not asked yet).
  std::map<int32_t, int64_t> replaying_;
  // The next facts offset per partition, as stored (committed batches).
  std::map<int32_t, int64_t> next_offsets_;
  std::map<int32_t, int64_t> batch_next_offsets_;  // of the batch in hand
  // Facts partitions that answered when the last rebalance took them away.
  std::set<int32_t> released_ready_;
};

}  // namespace infobus::supervision
