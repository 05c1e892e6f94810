#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "common/store/store.h"
#include "services/judgment/event_handler.h"

namespace RdKafka {
class KafkaConsumer;
}

namespace infobus::judgment {

// Every instance's judgments in this instance's log, so an analyst sees them all whichever
// instance answers: reads the whole judgments topic (all partitions assigned, no consumer group)
// and hands each page to the EventHandler, which appends to the log the judgments (and reviews)
// it does not have yet, with the offsets read, in one batch of the consumer loop (family
// kOffsetsFamily). Its own judgments come back too and are known already. A record that is not
// a valid Judgment (codec::DecodeJudgment) is dead-lettered in that same batch, so it is on the
// dead-letter topic before its offset is stored; each instance's feed dead-letters it (consumer:
// the judgment group; topic: the judgments topic), as dispatch does for its own group. A seq is
// this instance's order of arrival: the same judgment has a different seq on another instance.
//
// Lifecycle: Create (starts the reader thread) once the consumer loop runs; destroy before the
// loop stops.
class JudgmentsFeed {
 public:
  static constexpr char kOffsetsFamily[] = "judgments_feed_offsets";

  static absl::StatusOr<std::unique_ptr<JudgmentsFeed>> Create(const std::string& bootstrap_servers,
                                                               std::string topic, Store* store,
                                                               EventHandler* handler);
  ~JudgmentsFeed();

 private:
  JudgmentsFeed() = default;
  void Run();
  // Seeks every partition back to what the log has applied.
  void Rewind();

  std::string topic_;
  Store* store_ = nullptr;
  EventHandler* handler_ = nullptr;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  std::map<int32_t, int64_t> applied_;  // next offset per partition; reader thread only
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace infobus::judgment
