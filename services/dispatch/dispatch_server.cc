#include "services/dispatch/dispatch_server.h"

#include <utility>

#include "common/log/log.h"
#include "common/service/bus_config.h"
#include "services/dispatch/dispatch_metrics.h"

namespace infobus::dispatch {

ProgramInfo DispatchServer::Program() {
  ProgramInfo program;
  program.name = "infobus-dispatch";
  program.description =
      "Dispatch: consumes judgments, routes each through the routing tree of the routing file "
      "(units and their hierarchy, routes by severity, kind, rule and jurisdiction), and appends "
      "it to each unit's durable inbox (a judgment lands in an inbox once, however often it is "
      "replayed). Units follow their inbox over gRPC (infobus.dispatch.v1.DispatchService/"
      "Subscribe: backlog after a seq, then live), sign off (Acknowledge), report the outcome "
      "(Feedback) and list what is pending (ListDeliveries). A delivery not signed off by its "
      "severity's deadline is escalated to the supervising unit, and on up the chain.\n"
      "Consumes: infobus.judgments.v1. Produces: infobus.dispatch-events.v1 (every delivery "
      "state change), infobus.dlq.v1 (undecodable judgments). Stores: per-unit inboxes, "
      "sign-offs, feedback, escalations, open deadlines and consumed offsets (RocksDB).";
  program.schema = CommonSchema("dispatch", "127.0.0.1:50053");
  for (ConfigKey& key : ConsumerSchema("dispatch")) program.schema.push_back(std::move(key));
  program.schema.push_back(
      {"dispatch.routing_file", ConfigKey::Type::kString, "",
       "The routing file: units (id, name, jurisdictions, supervisor, duty_hours, clearance, "
       "compartments), routes, the "
       "default route and sign-off deadlines per severity; see deploy/config/routing.yaml. "
       "Re-read when it changes; a bad new file is refused and the old routing stays. Empty: "
       "no units (judgments go nowhere; a warning says so)."});
  program.schema.push_back({"dispatch.routing_check_interval", ConfigKey::Type::kDuration, "2s",
                            "How often the routing file is checked for changes."});
  return program;
}

DispatchServer::DispatchServer(DispatchOptions options)
    : ServiceServer("dispatch", infobus::dispatch::v1::DispatchService::service_full_name()),
      options_(std::move(options)) {}

absl::Status DispatchServer::Start() {
  if (const std::string& path = options_.routing_file; !path.empty()) {
    auto routing = RoutingSource::Open(path);
    if (!routing.ok()) return routing.status();
    routing_ = std::move(*routing);
  } else {
    routing_ = std::make_unique<RoutingSource>(
        std::make_shared<const RoutingTable>(RoutingTable::ForUnits(UnitDirectory())));
  }
  const RoutingTablePtr table = routing_->Current();
  if (table->units().units().empty()) {
    INFOBUS_LOG(Warning) << "no units (dispatch.routing_file '" << routing_->path()
                         << "'): judgments will go nowhere";
  }
  INFOBUS_LOG(Info) << "routing from " << routing_->path() << ": " << table->units().units().size()
                    << " units, " << table->routes().size() << " routes";

  if (absl::Status status = OpenRuntime(Inbox::Families()); !status.ok()) return status;
  auto clock = std::make_shared<SystemClock>();
  inbox_ = std::make_unique<Inbox>(&runtime().store(), clock);
  auto unsigned_by_unit = inbox_->CountUnsignedByUnit();
  if (!unsigned_by_unit.ok()) return unsigned_by_unit.status();
  std::vector<std::string> unit_ids;
  for (const Unit& unit : table->units().units()) unit_ids.push_back(unit.id);
  DispatchMetrics::Get().KnownUnits(unit_ids);
  DispatchMetrics::Get().SetPending(*unsigned_by_unit);
  dispatcher_ = std::make_unique<Dispatcher>(routing_.get(), inbox_.get(), clock,
                                             runtime().topics().dispatch_events);
  handler_ = std::make_unique<JudgmentHandler>(dispatcher_.get(), &notifier_, routing_.get(),
                                               options_.routing_check_interval);

  auto loop =
      runtime().StartConsumer(options_.consumer, {runtime().topics().judgments}, handler_.get());
  if (!loop.ok()) return loop.status();
  loop_ = std::move(*loop);

  service_ = std::make_unique<DispatchServiceImpl>(
      routing_.get(), inbox_.get(), &notifier_, &runtime().producer(),
      runtime().topics().dispatch_events, &runtime().audit(), absl::Seconds(35), &stream_wakes_);
  return runtime().Serve({service_.get()});
}

void DispatchServer::Stop() {
  // Streams are cancelled by the server shutdown after a short grace.
  StopServing(absl::Seconds(1));
  loop_.reset();
  // Before what the producer's delivery reports use: a sign-off still on its way writes the
  // inbox when Kafka answers (the producer flushes while a broker answers, then fails the rest).
  CloseRuntime();
  // The rest in reverse order of creation, so that a start can be undone and tried again.
  service_.reset();
  handler_.reset();
  dispatcher_.reset();
  inbox_.reset();
  routing_.reset();
}

}  // namespace infobus::dispatch
