#include "services/dispatch/dispatch_server.h"

#include "common/log/log.h"
#include "common/service/bus_config.h"

namespace infobus::dispatch {

ProgramInfo DispatchServer::Program() {
  ProgramInfo program;
  program.name = "infobus-dispatch";
  program.description =
      "Dispatch: consumes judgments, routes each to the units whose jurisdiction covers it, and "
      "appends it to each unit's durable inbox (a judgment lands in an inbox once, however often "
      "it is replayed). Units follow their inbox over gRPC (infobus.dispatch.v1.DispatchService/"
      "Subscribe: backlog after a seq, then live) and sign off with Acknowledge.\n"
      "Consumes: infobus.judgments.v1. Produces: infobus.dlq.v1 (undecodable judgments). "
      "Stores: per-unit inboxes, sign-offs and consumed offsets (RocksDB).";
  program.schema = CommonSchema("dispatch", "127.0.0.1:50053");
  program.schema.push_back(
      {"dispatch.units", ConfigKey::Type::kList, "",
       "The units: a list of {id, name, jurisdictions: [GB/T 2260 prefixes], supervisor}. A "
       "judgment goes to every unit one of whose jurisdictions is a prefix of its "
       "jurisdiction code."});
  return program;
}

absl::Status DispatchServer::Start() {
  ConfigureLogging(config_, "dispatch");
  auto units = UnitDirectory::FromYaml(config_.GetList("dispatch.units"));
  if (!units.ok()) return units.status();
  units_ = std::move(*units);
  if (units_->units().empty()) {
    INFOBUS_LOG(Warning) << "no units configured (dispatch.units): judgments will go nowhere";
  }
  router_ = std::make_unique<Router>(&*units_);

  auto runtime = ServiceRuntime::Open(config_, "dispatch", Inbox::Families());
  if (!runtime.ok()) return runtime.status();
  runtime_ = std::move(*runtime);
  inbox_ = std::make_unique<Inbox>(&runtime_->store(), std::make_shared<SystemClock>());
  handler_ = std::make_unique<JudgmentHandler>(router_.get(), inbox_.get(), &notifier_);

  kafka::ConsumerLoop::Options options = ConsumerOptionsFrom(config_);
  options.topics = {runtime_->topics().judgments};
  auto loop = kafka::ConsumerLoop::Create(options, &runtime_->store(), &runtime_->producer(),
                                          handler_.get());
  if (!loop.ok()) return loop.status();
  loop_ = std::move(*loop);
  loop_->Start();

  service_ = std::make_unique<DispatchServiceImpl>(&*units_, inbox_.get(), &notifier_);
  return runtime_->Serve({service_.get()});
}

void DispatchServer::Stop() {
  // Streams are cancelled by the server shutdown after a short grace.
  if (runtime_) runtime_->StopServing(absl::Seconds(1));
  loop_.reset();
  runtime_.reset();
}

int DispatchServer::Run() {
  return RunUntilTerminated("dispatch", [this] { return Start(); }, [this] { Stop(); });
}

}  // namespace infobus::dispatch
