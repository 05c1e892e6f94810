#pragma once

#include <memory>

#include "absl/status/status.h"
#include "common/config/command_line.h"
#include "common/kafka/watermarks.h"
#include "common/service/service_server.h"
#include "common/stream/consumer_loop.h"
#include "common/util/serial_executor.h"
#include "services/dispatch/routing_source.h"
#include "services/supervision/fact_handler.h"
#include "services/supervision/fan_out.h"
#include "services/supervision/ledger.h"
#include "services/supervision/ledger_reader.h"
#include "services/supervision/supervision_options.h"
#include "services/supervision/supervision_service.h"

namespace infobus::supervision {

// The supervision process: the consumer loop that repartitions events, judgments, dispatch
// events and dead letters through its facts topic and folds that into the ledger, and
// SupervisionService (Trace, Report) over gRPC, with the routing file for units and local time;
// its queries gather the partitions of its peers (supervision.peers) through
// SupervisionPeerService, which it serves too. Start() once, then Stop(); not thread-safe
// itself.
class SupervisionServer final : public ServiceServer {
 public:
  static ProgramInfo Program();

  explicit SupervisionServer(SupervisionOptions options);
  ~SupervisionServer() override { Stop(); }

  // ServiceServer
  absl::Status Start() override;
  void Stop() override;

 private:
  const BusOptions& bus() const override { return options_.bus; }
  absl::Status CheckStoreLayout(const std::string& facts_topic);

  const SupervisionOptions options_;
  std::unique_ptr<dispatch::RoutingSource> routing_;
  std::unique_ptr<Ledger> ledger_;
  std::unique_ptr<LedgerReader> reader_;
  OwnedPartitions owned_;
  std::unique_ptr<kafka::Watermarks> watermarks_;
  std::unique_ptr<FactHandler> handler_;
  stream::ConsumerLoopPtr loop_;
  std::unique_ptr<FanOut> fan_out_;
  // Reports and traces gather their pieces here, off the gRPC callback threads; a peer's
  // request for this instance's tallies scans on `local_` (THREADS in the README).
  SerialExecutor reports_{"supervision-report"};
  SerialExecutor traces_{"supervision-trace"};
  SerialExecutor local_{"supervision-local"};
  std::unique_ptr<SupervisionServiceImpl> service_;
  std::unique_ptr<SupervisionPeerServiceImpl> peer_service_;
};

}  // namespace infobus::supervision
