#pragma once

#include <memory>

#include "absl/status/status.h"
#include "common/config/command_line.h"
#include "common/service/service_server.h"
#include "common/stream/consumer_loop.h"
#include "common/util/serial_executor.h"
#include "services/dispatch/dispatch_options.h"
#include "services/dispatch/dispatch_service.h"
#include "services/dispatch/dispatcher.h"
#include "services/dispatch/inbox.h"
#include "services/dispatch/inbox_notifier.h"
#include "services/dispatch/judgment_handler.h"
#include "services/dispatch/routing_source.h"

namespace infobus::dispatch {

// The dispatch process: the routing file (units, routes, deadlines; re-read when it changes),
// the judgments consumer loop that fills inboxes and escalates overdue deliveries, and
// DispatchService over gRPC. Start() once, then Stop(); not thread-safe itself.
class DispatchServer final : public ServiceServer {
 public:
  static ProgramInfo Program();

  explicit DispatchServer(DispatchOptions options);
  // Stops first: the streams it served must be gone before the executor that wakes them.
  ~DispatchServer() override { Stop(); }

  // ServiceServer
  absl::Status Start() override;
  void Stop() override;

 private:
  const BusOptions& bus() const override { return options_.bus; }

  const DispatchOptions options_;
  std::unique_ptr<RoutingSource> routing_;
  std::unique_ptr<Inbox> inbox_;
  InboxNotifier notifier_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<JudgmentHandler> handler_;
  stream::ConsumerLoopPtr loop_;
  // The notifier executor: streams read their next page here when woken (THREADS in the
  // README). Lives as long as the server, so it outlives every stream.
  SerialExecutor stream_wakes_{"dispatch-wake"};
  std::unique_ptr<DispatchServiceImpl> service_;
};

}  // namespace infobus::dispatch
