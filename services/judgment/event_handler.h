#pragma once

#include <string>
#include <vector>

#include "common/kafka/consumer_loop.h"
#include "common/util/clock.h"
#include "services/judgment/watchlist_judge.h"

namespace infobus::judgment {

// Consumes events: each decodable event is judged against the watchlist and its judgments are
// produced to the judgments topic (keyed by jurisdiction, headers trace-id/source-id/schema);
// a record that is not an Event goes to the dead-letter topic. Runs on the consumer loop thread.
class EventHandler final : public kafka::RecordHandler {
 public:
  EventHandler(const WatchlistJudge* judge, std::string judgments_topic, ClockPtr clock)
      : judge_(judge), judgments_topic_(std::move(judgments_topic)), clock_(std::move(clock)) {}

  // kafka::RecordHandler
  void HandleBatch(const std::vector<kafka::Record>& records,
                   kafka::BatchContext& context) override;

 private:
  const WatchlistJudge* judge_;
  const std::string judgments_topic_;
  const ClockPtr clock_;
};

}  // namespace infobus::judgment
