#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/kafka/consumer_loop.h"
#include "common/kafka/topics.h"
#include "services/dispatch/routing_source.h"
#include "services/supervision/ledger.h"

namespace infobus::supervision {

// The consumer-loop adapter of the Ledger: each record of the events, judgments, dispatch-events,
// audit and dead-letter topics is decoded by its topic and folded in; the batch's records and
// tallies go into the loop's WriteBatch with the offsets they came from. A record of the first four
// that is not what its topic holds goes to the dead-letter topic (like every consumer of it); a
// bad dead letter is only counted and logged, since dead-lettering it would feed it back in.
// Runs on the loop thread.
class FactHandler final : public kafka::RecordHandler {
 public:
  // `routing` (may be null) is re-read on every turn of the loop when its file changed (at
  // most every `reload_interval`): reports resolve units and local time from it.
  FactHandler(Ledger* ledger, const kafka::Topics& topics, dispatch::RoutingSource* routing,
              absl::Duration reload_interval)
      : ledger_(ledger), topics_(topics), routing_(routing), reload_interval_(reload_interval) {}

  // kafka::RecordHandler
  void HandleBatch(const std::vector<kafka::Record>& records,
                   kafka::BatchContext& context) override;
  void OnTick(kafka::BatchContext& context) override;
  void OnBatchCommitted() override;
  void OnBatchAborted() override;

 private:
  // Folds one record in; an error that is the record's fault is INVALID_ARGUMENT (the
  // dead-letter reason), anything else fails the batch.
  absl::Status Fold(const kafka::Record& record);

  Ledger* const ledger_;
  const kafka::Topics topics_;
  dispatch::RoutingSource* const routing_;
  const absl::Duration reload_interval_;
  // What the batch in hand folded, by kind, for the metrics once it is durable.
  std::map<std::string, int64_t> folded_;
  int64_t bad_dead_letters_ = 0;
};

}  // namespace infobus::supervision
