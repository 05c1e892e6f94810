#include "services/judgment/judgment_server.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/kafka/admin.h"
#include "common/service/bus_config.h"

namespace infobus::judgment {

ProgramInfo JudgmentServer::Program() {
  ProgramInfo program;
  program.name = "infobus-judgment";
  program.description =
      "Research and judgment: consumes information events and applies the rules of the rules "
      "file (watchlist hits, hotspots in event-time windows, cross-county movement, "
      "cross-source correlation) and produces a judgment (deterministic id, severity, evidence) "
      "for each finding. Rules reload when the file changes. Analysts query and review "
      "judgments and subscribe to them over gRPC (infobus.judgment.v1.JudgmentService).\n"
      "Consumes: infobus.events.v1, infobus.hotspot-sightings.v1 (which it produces itself). "
      "Produces: "
      "infobus.judgments.v1, infobus.hotspot-sightings.v1 (one record per hotspot rule and "
      "event, keyed by rule and group key, so each group is counted by one instance), "
      "infobus.judgment-changelog.v1 (compacted: the window and pattern state, per partition), "
      "infobus.dlq.v1 (undecodable records). Reads: infobus.watchlists.v1 (compacted, all of it, "
      "by every instance); infobus.judgments.v1 (all of it, by every instance, so each "
      "instance's judgment log holds every instance's judgments); infobus.judgment-changelog.v1 "
      "(the partitions it is assigned, to take their state over). Stores: "
      "the watchlist, window and pattern state, the judgment log and consumed "
      "offsets (RocksDB).";
  program.schema = CommonSchema("judgment", "127.0.0.1:50052");
  for (ConfigKey& key : ConsumerSchema("judgment")) program.schema.push_back(std::move(key));
  program.schema.push_back(
      {"judgment.rules_file", ConfigKey::Type::kString, "",
       "The rules file (see deploy/config/rules.yaml). Re-read when it changes; a bad new file "
       "is refused and the rules in force stay. Empty: one built-in rule, watchlist-hit."});
  program.schema.push_back({"judgment.rules_check_interval", ConfigKey::Type::kDuration, "1s",
                            "How often the rules file is checked for changes."});
  program.schema.push_back(
      {"judgment.changelog", ConfigKey::Type::kBool, "true",
       "Also write every window/pattern state change to the compacted topic "
       "infobus.judgment-changelog.v1, so a partition that moves to another instance takes its "
       "state along. Off: a moved partition starts with empty state on its new owner."});
  program.schema.push_back(
      {"judgment.subscriber_max_lag", ConfigKey::Type::kInt, "10000",
       "A Subscribe stream further behind the judgment log than this many entries is cut off "
       "(RESOURCE_EXHAUSTED, resumable from its last seq)."});
  return program;
}

JudgmentServer::JudgmentServer(JudgmentOptions options)
    : ServiceServer("judgment", infobus::judgment::v1::JudgmentService::service_full_name()),
      options_(std::move(options)) {}

// The changelog's partition N holds input partition N's state: it needs as many partitions as
// the topics judgment consumes, or a batch could never be written.
absl::Status JudgmentServer::CheckChangelogPartitions() {
  const std::string& bootstrap = options_.bus.bootstrap_servers;
  const kafka::Topics& topics = runtime().topics();
  auto changelog = kafka::PartitionCount(bootstrap, topics.judgment_changelog, absl::Seconds(30));
  if (!changelog.ok()) return changelog.status();
  for (const std::string& input : {topics.events, topics.hotspot_sightings}) {
    auto count = kafka::PartitionCount(bootstrap, input, absl::Seconds(30));
    if (!count.ok()) return count.status();
    if (*count > *changelog) {
      return absl::FailedPreconditionError(absl::StrCat(
          input, " has ", *count, " partitions but ", topics.judgment_changelog, " only ",
          *changelog, ": give the changelog as many (kafka-topics.sh --alter --partitions ", *count,
          "), or set judgment.changelog: false"));
    }
  }
  return absl::OkStatus();
}

absl::Status JudgmentServer::Start() {
  if (absl::Status status = OpenRuntime({StoredWatchlist::kFamily, WatchlistTable::kOffsetsFamily,
                                         EventHandler::kStateFamily, JudgmentLog::kFamily,
                                         JudgmentsFeed::kOffsetsFamily});
      !status.ok()) {
    return status;
  }
  const std::string& bootstrap = options_.bus.bootstrap_servers;
  const kafka::Topics& topics = runtime().topics();
  Store* store = &runtime().store();

  auto clock = std::make_shared<SystemClock>();
  watchlist_ = std::make_unique<StoredWatchlist>(store);
  // The whole watchlist topic, before judging anything: events are judged against the lists as
  // they stand.
  auto table = WatchlistTable::Create(bootstrap, topics.watchlists,
                                      {topics.dead_letters, options_.consumer.loop.group_id}, store,
                                      watchlist_.get(), &runtime().producer());
  if (!table.ok()) return table.status();
  watchlist_table_ = std::move(*table);
  if (absl::Status status = watchlist_table_->WaitForCatchUp(absl::Seconds(60)); !status.ok()) {
    return status;
  }
  rules_ = std::make_unique<RulesSource>(options_.rules_file);
  engine_ = std::make_unique<Engine>(watchlist_.get(), clock);
  log_ = std::make_unique<JudgmentLog>(store);
  if (absl::Status status = log_->Open(); !status.ok()) return status;
  if (options_.changelog) {
    if (absl::Status status = CheckChangelogPartitions(); !status.ok()) return status;
    changelog_ = std::make_unique<StateChangelog>(
        bootstrap, topics.judgment_changelog, store, EventHandler::kStateFamily,
        stream::ConsumerLoop::kOffsetsFamily, absl::Seconds(60));
  }
  handler_ = std::make_unique<EventHandler>(store, engine_.get(), log_.get(), rules_.get(),
                                            topics.judgments, topics.hotspot_sightings,
                                            changelog_.get(), options_.rules_check_interval, clock);
  if (absl::Status status = handler_->Start(); !status.ok()) return status;
  // The sightings come back through the same loop: one thread drives the engine, and a batch's
  // state and offsets of both topics commit together.
  auto loop = runtime().StartConsumer(options_.consumer, {topics.events, topics.hotspot_sightings},
                                      handler_.get());
  if (!loop.ok()) return loop.status();
  loop_ = std::move(*loop);
  auto feed = JudgmentsFeed::Create(bootstrap, topics.judgments, store, handler_.get());
  if (!feed.ok()) return feed.status();
  feed_ = std::move(*feed);

  service_ =
      std::make_unique<JudgmentServiceImpl>(watchlist_table_.get(), handler_.get(), log_.get(),
                                            &runtime().audit(), options_.service, &stream_wakes_);
  return runtime().Serve({service_.get()});
}

void JudgmentServer::Stop() {
  // First: a restore in the rebalance callback would hold up the loop's join below for its
  // whole timeout (60 s) when the broker is gone.
  if (changelog_) changelog_->Cancel();
  StopServing(absl::Seconds(5));
  feed_.reset();  // before the loop: it waits on the loop to apply what it read
  loop_.reset();  // finishes the batch in hand, then leaves the group
  watchlist_table_.reset();
  // The rest in reverse order of creation, so that a start can be undone and tried again.
  service_.reset();
  handler_.reset();
  changelog_.reset();
  log_.reset();
  engine_.reset();
  rules_.reset();
  watchlist_.reset();
  CloseRuntime();
}

}  // namespace infobus::judgment
