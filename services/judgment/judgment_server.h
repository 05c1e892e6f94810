#pragma once

#include <memory>

#include "absl/status/status.h"
#include "common/config/command_line.h"
#include "common/service/service_server.h"
#include "common/stream/consumer_loop.h"
#include "common/util/serial_executor.h"
#include "services/judgment/engine/engine.h"
#include "services/judgment/event_handler.h"
#include "services/judgment/judgment_log.h"
#include "services/judgment/judgment_options.h"
#include "services/judgment/judgment_service.h"
#include "services/judgment/judgments_feed.h"
#include "services/judgment/rules_source.h"
#include "services/judgment/watchlist.h"
#include "services/judgment/watchlist_table.h"

namespace infobus::judgment {

// The judgment process: store (watchlist, engine state, judgment log, offsets), the events
// consumer loop that drives the engine, and JudgmentService over gRPC. Start() once, then
// Stop(); not thread-safe itself.
class JudgmentServer final : public ServiceServer {
 public:
  static ProgramInfo Program();

  explicit JudgmentServer(JudgmentOptions options);
  // Stops first: the streams it served must be gone before the executor that wakes them.
  ~JudgmentServer() override { Stop(); }

  // ServiceServer
  absl::Status Start() override;
  void Stop() override;

 private:
  const BusOptions& bus() const override { return options_.bus; }
  absl::Status CheckChangelogPartitions();

  const JudgmentOptions options_;
  std::unique_ptr<StoredWatchlist> watchlist_;
  std::unique_ptr<WatchlistTable> watchlist_table_;
  std::unique_ptr<RulesSource> rules_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<JudgmentLog> log_;
  std::unique_ptr<StateChangelog> changelog_;
  std::unique_ptr<EventHandler> handler_;
  stream::ConsumerLoopPtr loop_;
  std::unique_ptr<JudgmentsFeed> feed_;
  // The notifier executor: streams read their next page here when woken (THREADS in the
  // README). Lives as long as the server, so it outlives every stream.
  SerialExecutor stream_wakes_{"judgment-wake"};
  std::unique_ptr<JudgmentServiceImpl> service_;
};

}  // namespace infobus::judgment
