#include "services/supervision/supervision_server.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/grpc/credentials.h"
#include "common/kafka/admin.h"
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
      "infobus.dlq.v1, and infobus.supervision-facts.v1 (its repartition topic: the facts keyed "
      "by item). Produces: infobus.supervision-facts.v1, infobus.audit.v1 (its access "
      "records), infobus.dlq.v1 (undecodable records). Stores: the records, the tallies and the "
      "consumed offsets, per facts partition (RocksDB, one WriteBatch per batch). Several "
      "instances share the partitions; each answers from all through its peers.";
  program.schema = CommonSchema("supervision", "127.0.0.1:50054");
  for (ConfigKey& key : ConsumerSchema("supervision")) program.schema.push_back(std::move(key));
  program.schema.push_back(
      {"supervision.routing_file", ConfigKey::Type::kString, "",
       "The routing file dispatch uses (deploy/config/routing.yaml): the units and their "
       "hierarchy (a report's scope) and utc_offset (the local time of its periods). Re-read "
       "when it changes. Empty: no units, UTC+08:00."});
  program.schema.push_back({"supervision.routing_check_interval", ConfigKey::Type::kDuration, "2s",
                            "How often the routing file is checked for changes."});
  program.schema.push_back(
      {"supervision.partitions", ConfigKey::Type::kInt, "2",
       "Partitions of the repartition topic infobus.supervision-facts.v1 when supervision "
       "creates it (an existing topic keeps its count; never change it afterwards: an item's "
       "facts would no longer meet). At most that many instances share the work; a report "
       "scans each partition's tallies."});
  program.schema.push_back(
      {"supervision.peers", ConfigKey::Type::kString, "",
       "The other supervision instances' gRPC addresses (host:port, comma-separated; not this "
       "one's): Trace and Report ask them for the partitions they hold, as supervision's own "
       "machine identity (security.cert_file). Empty: one instance."});
  program.schema.push_back({"supervision.peer_timeout", ConfigKey::Type::kDuration, "10s",
                            "How long a query waits for a peer's answer (then it fails "
                            "UNAVAILABLE unless other instances cover the peer's partitions)."});
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
  const kafka::Topics& topics = runtime().topics();
  const std::string facts = FactsTopic(topics);
  if (absl::Status status = CheckStoreLayout(facts); !status.ok()) return status;
  auto rolled_up = BackfillDailyTallies(&runtime().store());
  if (!rolled_up.ok()) return rolled_up.status();
  if (*rolled_up > 0) {
    INFOBUS_LOG(Info) << "rolled the hourly tallies up into " << *rolled_up
                      << " daily ones (a store from before the day roll-up)";
  }
  // The repartition topic is the state's changelog (the fold is a function of it): it keeps
  // everything.
  const std::string& bootstrap = options_.bus.bootstrap_servers;
  const int replication =
      options_.bus.topic_specs.empty() ? 1 : options_.bus.topic_specs.front().replication_factor;
  if (absl::Status status =
          kafka::EnsureTopics(bootstrap,
                              {{facts,
                                options_.partitions,
                                replication,
                                {{"retention.ms", "-1"}, {"retention.bytes", "-1"}}}},
                              absl::Seconds(30));
      !status.ok()) {
    return status;
  }
  auto partitions = kafka::PartitionCount(bootstrap, facts, absl::Seconds(30));
  if (!partitions.ok()) return partitions.status();
  auto watermarks = kafka::Watermarks::Create(bootstrap);
  if (!watermarks.ok()) return watermarks.status();
  watermarks_ = std::move(*watermarks);
  ClientSecurity peer_security;
  peer_security.insecure = options_.bus.security.mode == SecurityOptions::Mode::kInsecure;
  peer_security.tls = options_.bus.security.tls;
  auto credentials = ClientCredentials(peer_security);
  if (!credentials.ok()) return credentials.status();

  ledger_ = std::make_unique<Ledger>(&runtime().store());
  reader_ = std::make_unique<LedgerReader>(&runtime().store());
  fan_out_ = std::make_unique<FanOut>(reader_.get(), &owned_, *partitions, facts, options_.peers,
                                      *credentials, options_.peer_timeout);
  handler_ = std::make_unique<FactHandler>(ledger_.get(), &runtime().store(), topics, facts,
                                           &owned_, watermarks_.get(), routing_.get(),
                                           options_.routing_check_interval);
  // The facts come back through the same loop: a batch's fold and its offsets commit together.
  auto loop = runtime().StartConsumer(options_.consumer,
                                      {topics.events, topics.judgments, topics.dispatch_events,
                                       topics.audit, topics.dead_letters, facts},
                                      handler_.get());
  if (!loop.ok()) return loop.status();
  loop_ = std::move(*loop);
  service_ = std::make_unique<SupervisionServiceImpl>(fan_out_.get(), routing_.get(),
                                                      &runtime().audit(), &reports_, &traces_);
  peer_service_ = std::make_unique<SupervisionPeerServiceImpl>(reader_.get(), &owned_, &local_);
  return runtime().Serve({service_.get(), peer_service_.get()});
}

// A store written before the repartition holds its keys without a partition: refused, saying
// how to rebuild it (the facts topic is filled from the input topics again). A store that has
// consumed nothing yet is marked as partitioned.
absl::Status SupervisionServer::CheckStoreLayout(const std::string& facts_topic) {
  Store& store = runtime().store();
  auto marked = store.Get(Families::kLayout, "partitioned");
  if (!marked.ok()) return marked.status();
  if (marked->has_value()) return absl::OkStatus();
  auto it = store.NewIterator(stream::ConsumerLoop::kOffsetsFamily);
  it->SeekToFirst();
  if (!it->status().ok()) return absl::InternalError(it->status().ToString());
  if (!it->Valid()) {
    rocksdb::WriteBatch batch;
    batch.Put(store.Family(Families::kLayout), "partitioned", "1");
    return store.Write(&batch);
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "store ", options_.bus.store_path,
      " is from before supervision's repartition (its keys carry no partition of ", facts_topic,
      "): delete it and reset group ", options_.consumer.loop.group_id,
      " to the earliest offsets (kafka-consumer-groups.sh --reset-offsets --to-earliest "
      "--all-topics --execute), then start again"));
}

void SupervisionServer::Stop() {
  StopServing(absl::Seconds(1));
  loop_.reset();
  CloseRuntime();
  peer_service_.reset();
  service_.reset();
  fan_out_.reset();
  handler_.reset();
  watermarks_.reset();
  reader_.reset();
  ledger_.reset();
  routing_.reset();
}

}  // namespace infobus::supervision
