#include "tools/bench/bench.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/grpc/credentials.h"
#include "common/kafka/client_conf.h"
#include "tools/bench/baseline.h"
#include "tools/bench/bus_load.h"
#include "tools/bench/clock.h"
#include "tools/bench/machine.h"
#include "tools/bench/workload.h"

namespace infobus::bench {

void BenchOptions::MakeSmoke() {
  smoke = true;
  baseline_messages = 2000;
  baseline_warmup_messages = 500;
  ingest_events = 2000;
  pipeline_events = 2000;
  warmup_events = 300;
  concurrency = 2;
  batch = 100;
  latency_duration = absl::Seconds(2);
  rounds = 1;
  drain_timeout = absl::Seconds(60);
}

std::string BenchUsage() {
  return R"(usage: infobus-bench --kafka HOST:PORT --collection ADDR --judgment ADDR --dispatch ADDR
                     [--topic-prefix P] [--out FILE] [flags]

Runs, against one broker and one running bus (scripts/bench.sh sets both up):
  baseline  raw librdkafka produce (acks=all, idempotent) and consume of typical-event-sized
            messages: msgs/s both ways
  ingest    closed-loop batched Publish into collection: accepted events/s (and per CPU second
            of collection)
  pipeline  publish -> judgment (1% watchlist hits) -> dispatch -> unit stream: events/s end to end
  latency   open loop at --load-fraction of the pipeline's max: publish -> unit-stream latency
            from the intended send time (coordinated-omission-safe); then raw Kafka latency at
            the same offered load
and prints the ratios pipeline/baseline and ingest/baseline. Results go to --out as JSON.
With a second set of the services started with security.mode=tls (--secure-collection, ...),
the pipeline and latency phases run on both sets in --rounds interleaved rounds (at the same
offered load) and the results add pipeline_secure, pipeline_latency_secure and the ratios
secure_vs_insecure_throughput and secure_minus_insecure_p50_ms.

Flags (defaults in brackets):
  --smoke                   tiny sizes for CI (seconds)
  --phases LIST             baseline,ingest,pipeline,latency [all]
  --baseline-messages N     [200000]     --ingest-events N     [100000]
  --baseline-warmup N       [500000] unmeasured raw messages first, to warm the broker's JVM
  --pipeline-events N       [100000]     --warmup-events N     [2000]
  --concurrency C           [4]  client threads, one call in flight each
  --batch B                 [200] events per Publish call (closed loop)
  --latency-batch B         [200] most events per call in the open loop
  --load-fraction F         [0.2] --latency-rate R (events/s, overrides F)
  --latency-duration D      [30s]        --drain-timeout D     [180s]
  --latency-send-interval D [0s] least time between open-loop calls (0: send what is due);
                            e.g. 5ms models a batching source; the wait counts as latency
  --baseline-linger-ms MS   [2]  producer linger of the baseline (the services' default)
  --pids name=pid,...       collection, judgment, dispatch, kafka: CPU per process and phase
  --kafka-version V         --git-revision R    recorded in the results
  --kafka-ca PEM            TLS to the broker with this CA (plaintext without it);
  --kafka-cert PEM --kafka-key PEM   the client certificate the baseline's clients present
  --rounds N                [3] pipeline runs per set; the latency run per set in N pieces
  --secure-collection ADDR --secure-judgment ADDR --secure-dispatch ADDR
                            the set with security.mode=tls (all three, with the --grpc-* files)
  --grpc-ca PEM             the CA of the secure set's server certificates
  --grpc-cert PEM --grpc-key PEM   the publishing source's certificate (infobus://source/)" +
         std::string(Workload::kSourceId) + R"()
  --grpc-admin-cert PEM --grpc-admin-key PEM   an administrator's (loads the watchlist)
  --print-source-registry   prints the registration (security.sources_file) of the source
                            it publishes as, and exits
  --grpc-token-file FILE    bearer token of an officer of unit )" +
         std::string(Workload::kHitUnit) + R"( (follows its inbox)
)";
}

absl::StatusOr<BenchOptions> ParseBenchFlags(int argc, char** argv) {
  BenchOptions options;
  std::map<std::string, std::string> values;
  bool smoke = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") return absl::CancelledError(BenchUsage());
    if (arg == "--smoke") {
      smoke = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0) return absl::InvalidArgumentError("unexpected argument " + arg);
    const auto eq = arg.find('=');
    if (eq != std::string::npos) {
      values[arg.substr(2, eq - 2)] = arg.substr(eq + 1);
    } else if (i + 1 < argc) {
      values[arg.substr(2)] = argv[++i];
    } else {
      return absl::InvalidArgumentError(arg + " needs a value");
    }
  }
  if (smoke) options.MakeSmoke();
  std::set<std::string> used;
  auto str = [&](const std::string& name, std::string* out) {
    used.insert(name);
    if (auto it = values.find(name); it != values.end()) *out = it->second;
  };
  absl::Status error;
  auto num = [&](const std::string& name, auto* out) {
    used.insert(name);
    auto it = values.find(name);
    if (it == values.end()) return;
    double value = 0;
    if (!absl::SimpleAtod(it->second, &value) || value < 0) {
      error = absl::InvalidArgumentError(absl::StrCat("--", name, " takes a number"));
      return;
    }
    *out = static_cast<std::remove_reference_t<decltype(*out)>>(value);
  };
  auto duration = [&](const std::string& name, absl::Duration* out) {
    used.insert(name);
    auto it = values.find(name);
    if (it != values.end() && !absl::ParseDuration(it->second, out)) {
      error = absl::InvalidArgumentError(absl::StrCat("--", name, " takes a duration (30s)"));
    }
  };
  str("kafka", &options.kafka);
  str("kafka-ca", &options.kafka_ca);
  str("kafka-cert", &options.kafka_cert);
  str("kafka-key", &options.kafka_key);
  str("topic-prefix", &options.topic_prefix);
  str("collection", &options.collection);
  str("judgment", &options.judgment);
  str("dispatch", &options.dispatch);
  str("secure-collection", &options.secure_collection);
  str("secure-judgment", &options.secure_judgment);
  str("secure-dispatch", &options.secure_dispatch);
  str("grpc-ca", &options.grpc_ca);
  str("grpc-cert", &options.grpc_cert);
  str("grpc-key", &options.grpc_key);
  str("grpc-admin-cert", &options.grpc_admin_cert);
  str("grpc-admin-key", &options.grpc_admin_key);
  str("grpc-token-file", &options.grpc_token_file);
  str("kafka-version", &options.kafka_version);
  str("git-revision", &options.git_revision);
  str("phases", &options.phases);
  std::string out_unused;
  str("out", &out_unused);
  std::string pids;
  str("pids", &pids);
  for (absl::string_view item : absl::StrSplit(pids, ',', absl::SkipEmpty())) {
    std::pair<std::string, std::string> kv = absl::StrSplit(item, absl::MaxSplits('=', 1));
    int pid = 0;
    if (!absl::SimpleAtoi(kv.second, &pid))
      return absl::InvalidArgumentError("--pids name=pid,...");
    options.pids[kv.first] = pid;
  }
  num("baseline-messages", &options.baseline_messages);
  num("baseline-warmup", &options.baseline_warmup_messages);
  num("ingest-events", &options.ingest_events);
  num("pipeline-events", &options.pipeline_events);
  num("warmup-events", &options.warmup_events);
  num("concurrency", &options.concurrency);
  num("batch", &options.batch);
  num("latency-batch", &options.latency_batch);
  num("load-fraction", &options.load_fraction);
  num("latency-rate", &options.latency_rate);
  num("baseline-linger-ms", &options.baseline_linger_ms);
  num("rounds", &options.rounds);
  duration("latency-duration", &options.latency_duration);
  duration("latency-send-interval", &options.latency_send_interval);
  duration("drain-timeout", &options.drain_timeout);
  if (!error.ok()) return error;
  for (const auto& [name, value] : values) {
    if (used.count(name) == 0) return absl::InvalidArgumentError("unknown flag --" + name);
  }
  if (options.kafka.empty() || options.collection.empty() || options.judgment.empty() ||
      options.dispatch.empty()) {
    return absl::InvalidArgumentError(
        "--kafka, --collection, --judgment and --dispatch are required");
  }
  if (!options.kafka_ca.empty()) {
    kafka::ClientSecurity security{"ssl", options.kafka_ca, options.kafka_cert, options.kafka_key};
    if (absl::Status valid = security.Validate(); !valid.ok()) return valid;
  } else if (!options.kafka_cert.empty() || !options.kafka_key.empty()) {
    return absl::InvalidArgumentError("--kafka-cert and --kafka-key need --kafka-ca");
  }
  if (options.concurrency < 1 || options.batch < 1 || options.latency_batch < 1 ||
      options.rounds < 1) {
    return absl::InvalidArgumentError(
        "--concurrency, --batch, --latency-batch and --rounds must be >= 1");
  }
  const bool secure = !options.secure_collection.empty() || !options.secure_judgment.empty() ||
                      !options.secure_dispatch.empty();
  if (secure &&
      (options.secure_collection.empty() || options.secure_judgment.empty() ||
       options.secure_dispatch.empty() || options.grpc_ca.empty() || options.grpc_cert.empty() ||
       options.grpc_key.empty() || options.grpc_admin_cert.empty() ||
       options.grpc_admin_key.empty() || options.grpc_token_file.empty())) {
    return absl::InvalidArgumentError(
        "the secure set needs --secure-collection, --secure-judgment, --secure-dispatch, "
        "--grpc-ca, --grpc-cert, --grpc-key, --grpc-admin-cert, --grpc-admin-key and "
        "--grpc-token-file");
  }
  return options;
}

namespace {

double Ms(int64_t ns) { return static_cast<double>(ns) / 1e6; }

Json LatencyJson(const Histogram& h) {
  Json out = Json::Object();
  out.Set("count", h.count());
  out.Set("p50", Ms(h.Percentile(50)));
  out.Set("p90", Ms(h.Percentile(90)));
  out.Set("p99", Ms(h.Percentile(99)));
  out.Set("p99_9", Ms(h.Percentile(99.9)));
  out.Set("max", Ms(h.max()));
  out.Set("mean", h.mean() / 1e6);
  return out;
}

double Ratio(double a, double b) { return b > 0 ? a / b : 0; }

bool Has(const std::string& phases, const std::string& phase) {
  for (absl::string_view p : absl::StrSplit(phases, ',')) {
    if (p == phase) return true;
  }
  return false;
}

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

Json Array(const std::vector<double>& values) {
  Json out = Json::Array();
  for (double v : values) out.Push(v);
  return out;
}

// The pipeline runs of one set, over the rounds.
struct PipelineRounds {
  std::vector<double> rates, publish_rates;  // events/s per round
  double seconds = 0;
  int64_t accepted = 0, rejected = 0, expected = 0, delivered = 0, duplicates = 0;
  std::map<std::string, double> cpu;  // CPU seconds per process (--pids names), summed
};

// The latency pieces of one set, pooled over the rounds.
struct LatencyRounds {
  int64_t events = 0, accepted = 0, not_accepted = 0, calls = 0, expected = 0, delivered = 0;
  int64_t max_behind_ns = 0;
  Histogram unit_stream, accepted_ns, to_judged, judged_to_inbox, inbox_to_stream;
  std::vector<double> p50_ms, p99_ms;  // publish -> unit stream, per round
  std::map<std::string, double> cpu;
};

// One set of services as the run drives it.
struct Bus {
  BusTarget target;
  PublishConfig publish;
  std::unique_ptr<DeliveryTracker> tracker;
  PipelineRounds pipeline;
  LatencyRounds latency;
  std::string failed;  // why the set's later runs were skipped (a service of it exited)
};

// Empty while the set's processes (as named in --pids) all run; else which one has gone.
std::string GoneProcess(const BenchOptions& options, const Bus& bus) {
  for (const char* service : {"collection", "judgment", "dispatch"}) {
    const std::string name = bus.target.pid_prefix + service;
    auto it = options.pids.find(name);
    if (it != options.pids.end() && kill(it->second, 0) != 0) {
      return absl::StrCat(name, " (pid ", it->second, ") exited; see its log");
    }
  }
  return "";
}

// CPU microseconds per accepted pipeline event of process `name`, or -1 when not measured.
double CpuPerEvent(const PipelineRounds& p, const std::string& name) {
  auto it = p.cpu.find(name);
  if (it == p.cpu.end() || p.accepted <= 0) return -1;
  return it->second * 1e6 / static_cast<double>(p.accepted);
}

Json PipelineJson(const PipelineRounds& p, const std::string& pid_prefix) {
  Json out = Json::Object();
  out.Set("events_per_s", Median(p.rates));
  out.Set("events_per_s_rounds", Array(p.rates));
  out.Set("publish_events_per_s", Median(p.publish_rates));
  out.Set("seconds", p.seconds);
  out.Set("accepted", p.accepted);
  out.Set("rejected", p.rejected);
  out.Set("judgments_expected", p.expected);
  out.Set("judgments_delivered", p.delivered);
  out.Set("duplicates", p.duplicates);
  Json& cpu = out.Set("cpu_seconds", Json::Object());
  for (const auto& [name, seconds] : p.cpu) cpu.Set(name, seconds);
  // The set's own processes under their plain names; the broker and the load generator serve
  // both sets.
  Json& per_event = out.Set("cpu_us_per_event", Json::Object());
  for (const std::string name : {"collection", "judgment", "dispatch", "kafka", "bench"}) {
    const bool shared = name == "kafka" || name == "bench";
    const double us = CpuPerEvent(p, shared ? name : pid_prefix + name);
    if (us >= 0) per_event.Set(name, us);
  }
  return out;
}

// The insecure set, and the secure one when the options name it.
absl::StatusOr<std::vector<BusTarget>> MakeTargets(const BenchOptions& options) {
  std::vector<BusTarget> targets;
  BusTarget& plain = targets.emplace_back();
  plain.name = "insecure";
  plain.collection = options.collection;
  plain.judgment = options.judgment;
  plain.dispatch = options.dispatch;
  plain.publisher = plain.administrator = plain.officer = grpc::InsecureChannelCredentials();
  if (options.secure_collection.empty()) return targets;

  BusTarget& secure = targets.emplace_back();
  secure.name = "secure";
  secure.pid_prefix = "secure_";
  secure.collection = options.secure_collection;
  secure.judgment = options.secure_judgment;
  secure.dispatch = options.secure_dispatch;
  auto token = ReadSmallFile(options.grpc_token_file);
  if (!token.ok()) return token.status();
  const std::string bearer(absl::StripAsciiWhitespace(*token));
  if (bearer.empty()) return absl::InvalidArgumentError(options.grpc_token_file + " is empty");
  ClientSecurity publisher, administrator, officer;
  publisher.tls = {options.grpc_ca, options.grpc_cert, options.grpc_key};
  administrator.tls = {options.grpc_ca, options.grpc_admin_cert, options.grpc_admin_key};
  officer.tls.ca_file = options.grpc_ca;
  officer.bearer_token = bearer;
  for (auto [security, out] :
       {std::pair{&publisher, &secure.publisher}, std::pair{&administrator, &secure.administrator},
        std::pair{&officer, &secure.officer}}) {
    auto credentials = ClientCredentials(*security);
    if (!credentials.ok()) return credentials.status();
    *out = *std::move(credentials);
  }
  return targets;
}

std::string RunId() {
  return absl::StrCat("b", absl::ToUnixSeconds(absl::Now()) % 1000000, "x", getpid() % 10000);
}

}  // namespace

absl::StatusOr<Json> RunBench(const BenchOptions& options, std::ostream& log) {
  if (!options.kafka_ca.empty()) {
    kafka::SetProcessSecurity({"ssl", options.kafka_ca, options.kafka_cert, options.kafka_key});
  }
  const Workload workload(RunId());
  Json doc = Json::Object();
  Json& meta = doc.Set("run", Json::Object());
  meta.Set("id", workload.run_id());
  meta.Set("started_at", absl::FormatTime(absl::RFC3339_sec, absl::Now(), absl::UTCTimeZone()));
  meta.Set("mode", options.smoke ? "smoke" : "full");
  meta.Set("git_revision", options.git_revision.empty() ? "unknown" : options.git_revision);
  doc.Set("machine", MachineInfo());
  doc.Set("versions", Versions(options.kafka_version));

  const std::string typical_value = workload.TypicalKafkaValue();
  Json& config = doc.Set("config", Json::Object());
  config.Set("kafka", options.kafka);
  config.Set("kafka_security", options.kafka_ca.empty() ? "plaintext" : "ssl");
  config.Set("topic_prefix", options.topic_prefix);
  config.Set("phases", options.phases);
  config.Set("event_value_bytes", static_cast<int64_t>(typical_value.size()));
  config.Set("event_key_bytes", static_cast<int64_t>(workload.TypicalKafkaKey().size()));
  config.Set("partitions", 3);
  config.Set("watchlist_hit_rate", 0.01);
  config.Set("baseline_messages", options.baseline_messages);
  config.Set("baseline_warmup_messages", options.baseline_warmup_messages);
  config.Set("baseline_producer", "acks=all enable.idempotence=true linger.ms=" +
                                      std::to_string(options.baseline_linger_ms));
  config.Set("ingest_events", options.ingest_events);
  config.Set("pipeline_events", options.pipeline_events);
  config.Set("warmup_events", options.warmup_events);
  config.Set("client_concurrency", options.concurrency);
  config.Set("batch", options.batch);
  config.Set("latency_batch", options.latency_batch);
  config.Set("load_fraction", options.load_fraction);
  config.Set("latency_duration_s", absl::ToDoubleSeconds(options.latency_duration));
  config.Set("latency_send_interval_ms", absl::ToDoubleMilliseconds(options.latency_send_interval));
  config.Set("rounds", options.rounds);
  config.Set("source_id", Workload::kSourceId);
  if (!options.secure_collection.empty()) {
    // What differs between the two sets: only the gRPC side. Kafka is the same (kafka_security)
    // for both.
    Json& secure = config.Set("secure", Json::Object());
    secure.Set("grpc", "TLS; collection called with the source certificate of " +
                           std::string(Workload::kSourceId) +
                           ", dispatch's Subscribe with an officer's bearer token (unit " +
                           Workload::kHitUnit + "); every call authenticated and authorized");
    secure.Set("insecure_set", "security.mode=insecure: plaintext gRPC, no authentication");
    secure.Set("order",
               "interleaved per round: insecure first in odd rounds, secure first in "
               "even ones (1-based)");
    // Access records are written for CONFIDENTIAL and SECRET items (audit::IsClassified) and
    // for refusals; the workload's events, and so its judgments, are INTERNAL.
    secure.Set("event_classification", "INTERNAL");
    secure.Set("audit_records_on_hot_path", false);
  }

  std::map<std::string, pid_t> pids;
  for (const auto& [name, pid] : options.pids) pids[name] = pid;
  CpuMeter cpu(pids);
  Json& figures = doc.Set("figures", Json::Object());

  BaselineOptions baseline;
  baseline.bootstrap_servers = options.kafka;
  baseline.topic_prefix = options.topic_prefix + workload.run_id() + ".";
  baseline.key = workload.TypicalKafkaKey();
  baseline.value = typical_value;
  baseline.producer_properties = {{"linger.ms", std::to_string(options.baseline_linger_ms)}};

  // 1. Raw Kafka throughput.
  double baseline_produce = 0, baseline_consume = 0;
  if (Has(options.phases, "baseline")) {
    log << "[bench] baseline: raw librdkafka, " << options.baseline_messages << " messages of "
        << typical_value.size() << " bytes" << std::endl;
    if (options.baseline_warmup_messages > 0) {
      BaselineOptions warmup = baseline;
      warmup.topic_prefix += "warmup.";
      auto warm = RunBaselineThroughput(warmup, options.baseline_warmup_messages);
      if (!warm.ok()) return warm.status();
      log << absl::StrFormat("[bench]   warm-up (not counted): produce %.0f msgs/s\n",
                             warm->produce_per_s());
    }
    cpu.Start();
    auto result = RunBaselineThroughput(baseline, options.baseline_messages);
    if (!result.ok()) return result.status();
    Json& b = figures.Set("baseline", Json::Object());
    baseline_produce = result->produce_per_s();
    baseline_consume = result->consume_per_s();
    b.Set("produce_msgs_per_s", baseline_produce);
    b.Set("consume_msgs_per_s", baseline_consume);
    b.Set("produce_seconds", result->produce_seconds);
    b.Set("consume_seconds", result->consume_seconds);
    b.Set("cpu_seconds", cpu.Stop());
    log << absl::StrFormat("[bench]   produce %.0f msgs/s, consume %.0f msgs/s\n", baseline_produce,
                           baseline_consume);
  }

  std::vector<std::string> process_names = {"bench"};
  for (const auto& [name, pid] : options.pids) process_names.push_back(name);
  auto add_cpu = [&](std::map<std::string, double>* sums) {
    for (const std::string& name : process_names) {
      if (const double s = cpu.Seconds(name); s >= 0) (*sums)[name] += s;
    }
  };

  // The sets of services: the insecure one always, the secure one when given. Each has its own
  // topic prefix, stores and unit stream, on the same broker.
  std::vector<Bus> buses;
  const bool bus_phases = Has(options.phases, "ingest") || Has(options.phases, "pipeline") ||
                          Has(options.phases, "latency");
  if (bus_phases) {
    auto targets = MakeTargets(options);
    if (!targets.ok()) return targets.status();
    for (BusTarget& target : *targets) {
      Bus& bus = buses.emplace_back();
      bus.target = std::move(target);
      bus.publish = {bus.target.collection, bus.target.publisher, options.concurrency,
                     options.batch};
    }
  }
  for (Bus& bus : buses) {
    if (absl::Status status = LoadWatchlist(bus.target, workload); !status.ok()) {
      return absl::Status(status.code(), absl::StrCat(bus.target.name, ": ", status.message()));
    }
    bus.tracker = std::make_unique<DeliveryTracker>(&workload, bus.target);
    // Warm-up: connections, topic metadata, consumer group assignment; proves the bus works.
    log << "[bench] warm-up (" << bus.target.name << "): " << options.warmup_events
        << " events through the pipeline" << std::endl;
    const std::string tag = absl::StrCat("warmup", bus.target.pid_prefix.empty() ? "" : "s");
    bus.tracker->BeginPhase(tag, options.warmup_events, nullptr);
    auto warm = PublishClosedLoop(bus.publish, workload, tag, options.warmup_events);
    const int64_t expected = workload.HitsIn(options.warmup_events);
    auto arrived = bus.tracker->Wait(tag, expected, options.drain_timeout);
    if (warm.accepted != options.warmup_events || arrived.received != expected) {
      return absl::UnavailableError(absl::StrCat(
          "warm-up (", bus.target.name, ") failed: ", warm.accepted, " of ", options.warmup_events,
          " events accepted (", warm.rejected, " refused), ", arrived.received, " of ", expected,
          " judgments delivered to ", Workload::kHitUnit));
    }
  }
  // Round r runs the sets in this order: insecure first in even rounds, secure first in odd.
  auto order = [&](int round) {
    std::vector<Bus*> out;
    for (Bus& bus : buses) out.push_back(&bus);
    if (round % 2 == 1) std::reverse(out.begin(), out.end());
    return out;
  };

  // 2. Ingest: collection alone at max rate (judgment and dispatch work behind it; they are
  // given time to drain before the next phase). The insecure set only.
  double ingest_rate = 0;
  if (Has(options.phases, "ingest")) {
    Bus& bus = buses.front();
    log << "[bench] ingest: " << options.ingest_events << " events, " << options.concurrency
        << " callers x " << options.batch << " per call" << std::endl;
    bus.tracker->BeginPhase("ingest", options.ingest_events, nullptr);
    cpu.Start();
    auto result = PublishClosedLoop(bus.publish, workload, "ingest", options.ingest_events);
    Json cpu_json = cpu.Stop();
    ingest_rate = result.accepted / result.seconds();
    Json& i = figures.Set("ingest", Json::Object());
    i.Set("accepted_events_per_s", ingest_rate);
    i.Set("accepted", result.accepted);
    i.Set("rejected", result.rejected);
    i.Set("resent", result.resent);
    i.Set("seconds", result.seconds());
    i.Set("call_latency_ms", LatencyJson(result.call_latency_ns));
    const double collection_cpu = cpu.Seconds("collection");
    i.Set("collection_cpu_cores", collection_cpu > 0 ? collection_cpu / result.seconds() : 0.0);
    i.Set("events_per_collection_cpu_second",
          collection_cpu > 0 ? result.accepted / collection_cpu : 0.0);
    i.Set("cpu_seconds", std::move(cpu_json));
    log << absl::StrFormat("[bench]   %.0f accepted events/s (%.0f per CPU-second of collection)\n",
                           ingest_rate,
                           collection_cpu > 0 ? result.accepted / collection_cpu : 0.0);
    const int64_t drain_start = NowNs();
    auto arrived =
        bus.tracker->Wait("ingest", workload.HitsIn(options.ingest_events), options.drain_timeout);
    i.Set("drain_seconds_after", static_cast<double>(NowNs() - drain_start) / 1e9);
    i.Set("judgments_delivered", arrived.received);
  }

  // 3. Pipeline: publish at max rate, done when the last judgment reached the unit stream;
  // `rounds` times per set, interleaved.
  const int64_t pipeline_expected = workload.HitsIn(options.pipeline_events);
  if (Has(options.phases, "pipeline")) {
    for (int round = 0; round < options.rounds; ++round) {
      for (Bus* bus : order(round)) {
        if (!bus->failed.empty()) continue;
        const std::string tag = absl::StrCat("pipeline", round);
        log << "[bench] pipeline (" << bus->target.name << ", round " << round + 1 << " of "
            << options.rounds << "): " << options.pipeline_events << " events end to end"
            << std::endl;
        bus->tracker->BeginPhase(tag, options.pipeline_events, nullptr);
        cpu.Start();
        auto result = PublishClosedLoop(bus->publish, workload, tag, options.pipeline_events);
        auto arrived = bus->tracker->Wait(tag, pipeline_expected, options.drain_timeout);
        cpu.Stop();
        const double seconds = static_cast<double>(arrived.last_arrival_ns - result.start_ns) / 1e9;
        const double rate =
            arrived.received == pipeline_expected && seconds > 0 ? result.accepted / seconds : 0;
        PipelineRounds& p = bus->pipeline;
        p.rates.push_back(rate);
        p.publish_rates.push_back(result.accepted / result.seconds());
        p.seconds += seconds;
        p.accepted += result.accepted;
        p.rejected += result.rejected;
        p.expected += pipeline_expected;
        p.delivered += arrived.received;
        p.duplicates += arrived.duplicates;
        add_cpu(&p.cpu);
        log << absl::StrFormat(
            "[bench]   %.0f events/s end to end (%lld of %lld judgments delivered)\n", rate,
            static_cast<long long>(arrived.received), static_cast<long long>(pipeline_expected));
        if (std::string gone = GoneProcess(options, *bus); !gone.empty()) {
          bus->failed = absl::StrCat("pipeline round ", round + 1, ": ", gone);
          log << "[bench] ##### " << bus->target.name << " set failed: " << bus->failed << " #####"
              << std::endl;
          continue;
        }
        if (arrived.received != pipeline_expected) {
          return absl::DeadlineExceededError(absl::StrCat(
              "pipeline (", bus->target.name, "): not every judgment was delivered in time"));
        }
      }
    }
    for (Bus& bus : buses) {
      figures.Set(bus.target.pid_prefix.empty() ? "pipeline" : "pipeline_secure",
                  PipelineJson(bus.pipeline, bus.target.pid_prefix));
    }
  }
  const double pipeline_rate = buses.empty() ? 0 : Median(buses.front().pipeline.rates);

  // 4. Latency at a fixed fraction of the (insecure) pipeline's max, open loop, the same offered
  // load for both sets, cut into `rounds` interleaved pieces; then raw Kafka at that load.
  if (Has(options.phases, "latency")) {
    double rate = options.latency_rate;
    if (rate <= 0) rate = options.load_fraction * pipeline_rate;
    if (rate <= 0) {
      return absl::InvalidArgumentError(
          "latency: no rate (run the pipeline phase or --latency-rate)");
    }
    const absl::Duration piece = options.latency_duration / options.rounds;
    const auto events =
        std::max<int64_t>(1, static_cast<int64_t>(rate * absl::ToDoubleSeconds(piece)));
    for (int round = 0; round < options.rounds; ++round) {
      for (Bus* bus : order(round)) {
        if (!bus->failed.empty()) continue;
        const std::string tag = absl::StrCat("latency", round);
        log << absl::StrFormat(
            "[bench] latency (%s, round %d of %d): open loop at %.0f events/s for %s (%lld "
            "events)\n",
            bus->target.name, round + 1, options.rounds, rate, absl::FormatDuration(piece),
            static_cast<long long>(events));
        std::vector<int64_t> intended;
        PublishConfig open_loop = bus->publish;
        open_loop.batch = options.latency_batch;
        open_loop.send_interval_ns = absl::ToInt64Nanoseconds(options.latency_send_interval);
        cpu.Start();
        auto result =
            PublishOpenLoop(open_loop, workload, tag, rate, events, &intended, bus->tracker.get());
        auto arrived = bus->tracker->Wait(tag, result.expected_hits, absl::Seconds(60));
        cpu.Stop();
        LatencyRounds& l = bus->latency;
        l.events += events;
        l.accepted += result.accepted;
        l.not_accepted += result.not_accepted;
        l.calls += result.calls;
        l.max_behind_ns = std::max(l.max_behind_ns, result.max_behind_ns);
        l.expected += result.expected_hits;
        l.delivered += arrived.received;
        l.unit_stream.Merge(arrived.latency_ns);
        l.accepted_ns.Merge(result.ack_latency_ns);
        l.to_judged.Merge(arrived.to_judged_ns);
        l.judged_to_inbox.Merge(arrived.judged_to_inbox_ns);
        l.inbox_to_stream.Merge(arrived.inbox_to_stream_ns);
        l.p50_ms.push_back(Ms(arrived.latency_ns.Percentile(50)));
        l.p99_ms.push_back(Ms(arrived.latency_ns.Percentile(99)));
        add_cpu(&l.cpu);
        if (std::string gone = GoneProcess(options, *bus); !gone.empty()) {
          bus->failed = absl::StrCat("latency round ", round + 1, ": ", gone);
          log << "[bench] ##### " << bus->target.name << " set failed: " << bus->failed
              << "; its figures are incomplete #####" << std::endl;
        }
        log << absl::StrFormat(
            "[bench]   publish -> unit stream p50 %.2f ms, p99 %.2f ms (%lld samples); "
            "send->accepted p50 %.2f ms\n",
            Ms(arrived.latency_ns.Percentile(50)), Ms(arrived.latency_ns.Percentile(99)),
            static_cast<long long>(arrived.latency_ns.count()),
            Ms(result.ack_latency_ns.Percentile(50)));
      }
    }
    for (Bus& bus : buses) {
      const LatencyRounds& l = bus.latency;
      Json& j = figures.Set(
          bus.target.pid_prefix.empty() ? "pipeline_latency" : "pipeline_latency_secure",
          Json::Object());
      j.Set("offered_events_per_s", rate);
      j.Set("rounds", options.rounds);
      j.Set("round_seconds", absl::ToDoubleSeconds(piece));
      j.Set("events", l.events);
      j.Set("accepted", l.accepted);
      j.Set("not_accepted", l.not_accepted);
      j.Set("calls", l.calls);
      j.Set("sender_max_behind_ms", Ms(l.max_behind_ns));
      j.Set("judgments_expected", l.expected);
      j.Set("judgments_delivered", l.delivered);
      j.Set("publish_to_unit_stream_ms", LatencyJson(l.unit_stream));
      j.Set("publish_to_unit_stream_p50_ms_rounds", Array(l.p50_ms));
      j.Set("publish_to_unit_stream_p99_ms_rounds", Array(l.p99_ms));
      j.Set("publish_to_accepted_ms", LatencyJson(l.accepted_ns));
      Json& parts = j.Set("breakdown_ms", Json::Object());
      parts.Set("intended_send_to_judged", LatencyJson(l.to_judged));
      parts.Set("judged_to_inbox", LatencyJson(l.judged_to_inbox));
      parts.Set("inbox_to_unit_stream", LatencyJson(l.inbox_to_stream));
      Json& cpu_json = j.Set("cpu_seconds", Json::Object());
      for (const auto& [name, seconds] : l.cpu) cpu_json.Set(name, seconds);
      log << absl::StrFormat(
          "[bench] latency (%s, %d rounds pooled): publish -> unit stream p50 %.2f ms, p99 %.2f "
          "ms, p99.9 %.2f ms (%lld samples)\n",
          bus.target.name, options.rounds, Ms(l.unit_stream.Percentile(50)),
          Ms(l.unit_stream.Percentile(99)), Ms(l.unit_stream.Percentile(99.9)),
          static_cast<long long>(l.unit_stream.count()));
      log << absl::StrFormat(
          "[bench]   p50/p99 ms: send->judged %.2f/%.2f, judged->inbox %.2f/%.2f, inbox->stream "
          "%.2f/%.2f, send->accepted %.2f/%.2f\n",
          Ms(l.to_judged.Percentile(50)), Ms(l.to_judged.Percentile(99)),
          Ms(l.judged_to_inbox.Percentile(50)), Ms(l.judged_to_inbox.Percentile(99)),
          Ms(l.inbox_to_stream.Percentile(50)), Ms(l.inbox_to_stream.Percentile(99)),
          Ms(l.accepted_ns.Percentile(50)), Ms(l.accepted_ns.Percentile(99)));
    }

    log << absl::StrFormat("[bench] baseline latency: raw Kafka open loop at %.0f msgs/s\n", rate);
    auto raw = RunBaselineLatency(baseline, rate, options.latency_duration);
    if (!raw.ok()) return raw.status();
    Json& bl = figures.Set("baseline_latency", Json::Object());
    bl.Set("offered_msgs_per_s", rate);
    bl.Set("sent", raw->sent);
    bl.Set("received", raw->received);
    bl.Set("produce_to_consume_ms", LatencyJson(raw->latency_ns));
    log << absl::StrFormat("[bench]   produce -> consume p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms\n",
                           Ms(raw->latency_ns.Percentile(50)), Ms(raw->latency_ns.Percentile(99)),
                           Ms(raw->latency_ns.Percentile(99.9)));
  }

  Json& ratios = doc.Set("ratios", Json::Object());
  ratios.Set("pipeline_over_baseline_produce", Ratio(pipeline_rate, baseline_produce));
  ratios.Set("ingest_over_baseline_produce", Ratio(ingest_rate, baseline_produce));
  ratios.Set("pipeline_over_baseline_consume", Ratio(pipeline_rate, baseline_consume));
  ratios.Set("ingest_over_baseline_consume", Ratio(ingest_rate, baseline_consume));
  doc["machine"].Set("loadavg_1m_at_end", LoadAverage1m());
  int64_t ignored = 0;
  for (const Bus& bus : buses) ignored += bus.tracker->ignored();
  if (!buses.empty()) doc["run"].Set("deliveries_from_earlier_runs_ignored", ignored);
  Json errors = Json::Array();
  bool any_error = false;
  for (const Bus& bus : buses) {
    if (bus.failed.empty()) continue;
    errors.Push(absl::StrCat(bus.target.name, ": ", bus.failed));
    any_error = true;
  }
  if (any_error) doc.Set("errors", std::move(errors));

  log << absl::StrFormat(
      "[bench] ratios: pipeline/baseline %.3f, ingest/baseline %.3f (baseline = raw produce "
      "msgs/s)\n",
      Ratio(pipeline_rate, baseline_produce), Ratio(ingest_rate, baseline_produce));
  if (buses.size() == 2) {
    // Paired per round (the two runs of a round are seconds apart); the median of the pairs.
    const Bus& plain = buses[0];
    const Bus& secure = buses[1];
    std::vector<double> throughput, p50;
    for (size_t r = 0; r < plain.pipeline.rates.size() && r < secure.pipeline.rates.size(); ++r) {
      throughput.push_back(Ratio(secure.pipeline.rates[r], plain.pipeline.rates[r]));
    }
    // A set that failed (or lost its samples) has no latency to compare.
    const bool latency_complete = secure.failed.empty() && plain.failed.empty() &&
                                  secure.latency.unit_stream.count() > 0 &&
                                  plain.latency.unit_stream.count() > 0;
    for (size_t r = 0;
         latency_complete && r < plain.latency.p50_ms.size() && r < secure.latency.p50_ms.size();
         ++r) {
      p50.push_back(secure.latency.p50_ms[r] - plain.latency.p50_ms[r]);
    }
    const double throughput_ratio = throughput.empty() ? 0 : Median(throughput);
    const double pooled_p50 = Ms(secure.latency.unit_stream.Percentile(50)) -
                              Ms(plain.latency.unit_stream.Percentile(50));
    const double pooled_p99 = Ms(secure.latency.unit_stream.Percentile(99)) -
                              Ms(plain.latency.unit_stream.Percentile(99));
    ratios.Set("secure_vs_insecure_throughput", throughput_ratio);
    ratios.Set("secure_vs_insecure_throughput_rounds", Array(throughput));
    if (latency_complete) {
      ratios.Set("secure_minus_insecure_p50_ms", pooled_p50);
      ratios.Set("secure_minus_insecure_p50_ms_rounds", Array(p50));
      ratios.Set("secure_minus_insecure_p99_ms", pooled_p99);
    }
    Json& cpu_delta = ratios.Set("secure_minus_insecure_cpu_us_per_event", Json::Object());
    for (const char* name : {"collection", "judgment", "dispatch"}) {
      const double a = CpuPerEvent(plain.pipeline, name);
      const double b = CpuPerEvent(secure.pipeline, absl::StrCat("secure_", name));
      if (a >= 0 && b >= 0) cpu_delta.Set(name, b - a);
    }
    auto list = [](const std::vector<double>& values, const char* format) {
      std::string out;
      for (double v : values) {
        absl::StrAppend(&out, out.empty() ? "" : ", ", absl::StrFormat(format, v));
      }
      return out;
    };
    log << absl::StrFormat(
        "[bench] secure vs insecure (%d interleaved rounds; Kafka is mutual TLS in both):\n"
        "[bench]   pipeline %.0f vs %.0f events/s (medians): secure/insecure %.3f (rounds: %s)\n"
        "[bench]   publish -> unit stream p50 %.2f vs %.2f ms at %.0f events/s: secure - insecure "
        "%+.2f ms (rounds: %s), p99 %+.2f ms\n"
        "[bench]   the issue's bounds (throughput >= 0.90, p50 <= +1 ms): %s, %s\n",
        options.rounds, Median(secure.pipeline.rates), Median(plain.pipeline.rates),
        throughput_ratio, list(throughput, "%.3f"), Ms(secure.latency.unit_stream.Percentile(50)),
        Ms(plain.latency.unit_stream.Percentile(50)),
        options.latency_rate > 0 ? options.latency_rate : options.load_fraction * pipeline_rate,
        pooled_p50, list(p50, "%+.2f"), pooled_p99,
        throughput.empty() ? "no pipeline figures"
                           : (throughput_ratio >= 0.9 ? "throughput holds" : "throughput misses"),
        !latency_complete ? "no complete latency figures to judge p50 by"
                          : (pooled_p50 <= 1.0 ? "p50 holds" : "p50 misses"));
  }
  return doc;
}

}  // namespace infobus::bench
