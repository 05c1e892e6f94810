#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "common/store/store.h"
#include "common/stream/consumer_loop.h"
#include "services/judgment/event_handler.h"
#include "services/judgment/judgment_log.h"

namespace infobus::testing {

// A store on disk with the families an EventHandler writes: its state, the judgment log and the
// loop's offsets.
inline absl::StatusOr<StorePtr> OpenHandlerStore(const std::string& path) {
  return Store::Open(path,
                     {judgment::EventHandler::kStateFamily, judgment::JudgmentLog::kFamily,
                      stream::ConsumerLoop::kOffsetsFamily},
                     Store::Options());
}

}  // namespace infobus::testing
