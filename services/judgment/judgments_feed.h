#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/store/store.h"
#include "common/stream/global_table.h"
#include "services/judgment/event_handler.h"

namespace infobus::judgment {

// Every instance's judgments in this instance's log, so an analyst sees them all whichever
// instance answers: reads the whole judgments topic as a global table (stream::GlobalTable)
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
  // Decodes a page and has the loop append it with its offsets (waits for that batch).
  absl::Status Apply(std::vector<kafka::Record> page, stream::GlobalTable::OffsetEntries offsets);

  EventHandler* handler_ = nullptr;
  std::unique_ptr<stream::GlobalTable> table_;  // last: its reader thread calls Apply
};

}  // namespace infobus::judgment
