#include "services/judgment/judgment_server.h"

#include "common/service/bus_config.h"

namespace infobus::judgment {

ProgramInfo JudgmentServer::Program() {
  ProgramInfo program;
  program.name = "infobus-judgment";
  program.description =
      "Research and judgment: consumes information events, compares every subject against the "
      "watchlist, and produces a judgment (deterministic id, severity from the watchlist entry, "
      "the event as evidence) for each hit. Watchlist entries are added over gRPC "
      "(infobus.judgment.v1.JudgmentService).\n"
      "Consumes: infobus.events.v1. Produces: infobus.judgments.v1, infobus.dlq.v1 (undecodable "
      "events). Stores: the watchlist and consumed offsets (RocksDB).";
  program.schema = CommonSchema("judgment", "127.0.0.1:50052");
  return program;
}

absl::Status JudgmentServer::Start() {
  ConfigureLogging(config_, "judgment");
  auto runtime = ServiceRuntime::Open(config_, "judgment", {StoredWatchlist::kFamily});
  if (!runtime.ok()) return runtime.status();
  runtime_ = std::move(*runtime);

  auto clock = std::make_shared<SystemClock>();
  watchlist_ = std::make_unique<StoredWatchlist>(&runtime_->store());
  judge_ = std::make_unique<WatchlistJudge>(watchlist_.get());
  handler_ = std::make_unique<EventHandler>(judge_.get(), runtime_->topics().judgments, clock);
  kafka::ConsumerLoop::Options options = ConsumerOptionsFrom(config_);
  options.topics = {runtime_->topics().events};
  auto loop = kafka::ConsumerLoop::Create(options, &runtime_->store(), &runtime_->producer(),
                                          handler_.get());
  if (!loop.ok()) return loop.status();
  loop_ = std::move(*loop);
  loop_->Start();

  service_ = std::make_unique<JudgmentServiceImpl>(watchlist_.get());
  return runtime_->Serve({service_.get()});
}

void JudgmentServer::Stop() {
  if (runtime_) runtime_->StopServing(absl::Seconds(5));
  loop_.reset();  // finishes the batch in hand, then leaves the group
  runtime_.reset();
}

int JudgmentServer::Run() {
  return RunUntilTerminated("judgment", [this] { return Start(); }, [this] { Stop(); });
}

}  // namespace infobus::judgment
