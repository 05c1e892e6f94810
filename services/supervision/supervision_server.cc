#include "services/supervision/supervision_server.h"

#include <utility>

#include "common/log/log.h"
#include "common/service/bus_config.h"
#include "services/supervision/daily_rollup.h"

namespace infobus::supervision {

ProgramInfo SupervisionServer::Program() {
  ProgramInfo program;
  program.name = "infobus-supervision";
  program.description =
      "Supervision: follows every item from collection to closure. Folds the bus's facts — "
      "accepted events, judgments (and their reviews), delivery state changes and dead letters "
      "— into one record per event, judgment and delivery and into hourly and daily tallies per "
      "county, "
      "source, kind, rule and unit, and answers supervisors over gRPC "
      "(infobus.supervision.v1.SupervisionService): Trace (an event, trace id or judgment: "
      "every hop with its time and latency, and what is still missing) and Report (a month, "
      "week, day or range in the routing file's local time, for a jurisdiction or a unit and "
      "those below it: volumes, judgments per rule, sign-off latency and SLA share per unit, "
      "feedback, each rule's precision).\n"
      "Consumes: infobus.events.v1, infobus.judgments.v1, infobus.dispatch-events.v1, "
      "infobus.dlq.v1. Produces: infobus.audit.v1 (its access records), infobus.dlq.v1 "
      "(undecodable records). Stores: the records, the tallies and the consumed offsets "
      "(RocksDB, one WriteBatch per batch).";
  program.schema = CommonSchema("supervision", "127.0.0.1:50054");
  for (ConfigKey& key : ConsumerSchema("supervision")) program.schema.push_back(std::move(key));
  program.schema.push_back(
      {"supervision.routing_file", ConfigKey::Type::kString, "",
       "The routing file dispatch uses (deploy/config/routing.yaml): the units and their "
       "hierarchy (a report's scope) and utc_offset (the local time of its periods). Re-read "
       "when it changes. Empty: no units, UTC+08:00."});
  program.schema.push_back({"supervision.routing_check_interval", ConfigKey::Type::kDuration, "2s",
                            "How often the routing file is checked for changes."});
  return program;
}

SupervisionServer::SupervisionServer(SupervisionOptions options)
    : ServiceServer("supervision",
                    infobus::supervision::v1::SupervisionService::service_full_name()),
      options_(std::move(options)) {}

absl::Status SupervisionServer::Start() {
  if (const std::string& path = options_.routing_file; !path.empty()) {
    auto routing = dispatch::RoutingSource::Open(path);
    if (!routing.ok()) return routing.status();
    routing_ = std::move(*routing);
  } else {
    routing_ =
        std::make_unique<dispatch::RoutingSource>(std::make_shared<const dispatch::RoutingTable>(
            dispatch::RoutingTable::ForUnits(dispatch::UnitDirectory())));
    INFOBUS_LOG(Warning) << "no supervision.routing_file: reports know no units";
  }
  if (absl::Status status = OpenRuntime(Families::All(), Families::MergeOperators());
      !status.ok()) {
    return status;
  }
  auto rolled_up = BackfillDailyTallies(&runtime().store());
  if (!rolled_up.ok()) return rolled_up.status();
  if (*rolled_up > 0) {
    INFOBUS_LOG(Info) << "rolled the hourly tallies up into " << *rolled_up
                      << " daily ones (a store from before the day roll-up)";
  }
  ledger_ = std::make_unique<Ledger>(&runtime().store());
  reader_ = std::make_unique<LedgerReader>(&runtime().store());
  handler_ = std::make_unique<FactHandler>(ledger_.get(), runtime().topics(), routing_.get(),
                                           options_.routing_check_interval);
  const kafka::Topics& topics = runtime().topics();
  auto loop = runtime().StartConsumer(
      options_.consumer,
      {topics.events, topics.judgments, topics.dispatch_events, topics.audit, topics.dead_letters},
      handler_.get());
  if (!loop.ok()) return loop.status();
  loop_ = std::move(*loop);
  service_ = std::make_unique<SupervisionServiceImpl>(reader_.get(), routing_.get(),
                                                      &runtime().audit(), &reports_);
  return runtime().Serve({service_.get()});
}

void SupervisionServer::Stop() {
  StopServing(absl::Seconds(1));
  loop_.reset();
  CloseRuntime();
  service_.reset();
  handler_.reset();
  reader_.reset();
  ledger_.reset();
  routing_.reset();
}

}  // namespace infobus::supervision
