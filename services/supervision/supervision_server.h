#pragma once

#include <memory>

#include "absl/status/status.h"
#include "common/config/command_line.h"
#include "common/kafka/consumer_loop.h"
#include "common/service/service_server.h"
#include "common/util/serial_executor.h"
#include "services/dispatch/routing_source.h"
#include "services/supervision/fact_handler.h"
#include "services/supervision/ledger.h"
#include "services/supervision/ledger_reader.h"
#include "services/supervision/supervision_options.h"
#include "services/supervision/supervision_service.h"

namespace infobus::supervision {

// The supervision process: the consumer loop that folds events, judgments, dispatch events and
// dead letters into the ledger, and SupervisionService (Trace, Report) over gRPC, with the
// routing file for units and local time. Start() once, then Stop(); not thread-safe itself.
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

  const SupervisionOptions options_;
  std::unique_ptr<dispatch::RoutingSource> routing_;
  std::unique_ptr<Ledger> ledger_;
  std::unique_ptr<LedgerReader> reader_;
  std::unique_ptr<FactHandler> handler_;
  kafka::ConsumerLoopPtr loop_;
  // Reports scan here, off the gRPC callback threads (THREADS in the README).
  SerialExecutor reports_{"supervision-report"};
  std::unique_ptr<SupervisionServiceImpl> service_;
};

}  // namespace infobus::supervision
