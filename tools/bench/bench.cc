#include "tools/bench/bench.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "absl/strings/ascii.h"
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
#include "tools/bench/stats.h"
#include "tools/bench/streams_compare.h"
#include "tools/bench/supervision_bench.h"
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
  supervision_events = 20000;
  supervision_judgments = 2000;
  supervision_traces = 200;
  supervision_report_runs = 2;
  compare_events = 3000;
  compare_pairs = 1;
}

namespace {

double Ms(int64_t ns) { return static_cast<double>(ns) / 1e6; }

void SetLatency(const Histogram& h, v1::Latency* out) {
  out->set_count(static_cast<double>(h.count()));
  out->set_p50(Ms(h.Percentile(50)));
  out->set_p90(Ms(h.Percentile(90)));
  out->set_p99(Ms(h.Percentile(99)));
  out->set_p99_9(Ms(h.Percentile(99.9)));
  out->set_max(Ms(h.max()));
  out->set_mean(h.mean() / 1e6);
}

// CPU seconds per process into a results map.
void SetCpu(const std::map<std::string, double>& seconds,
            google::protobuf::Map<std::string, double>* out) {
  out->insert(seconds.begin(), seconds.end());
}

double Ratio(double a, double b) { return b > 0 ? a / b : 0; }

// `name` under --work-dir (else $TMPDIR or /tmp), which is made when missing.
std::string WorkPath(const BenchOptions& options, const std::string& name) {
  std::string dir = options.work_dir;
  if (dir.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    dir = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  }
  std::filesystem::create_directories(dir);
  return absl::StrCat(dir, "/", name);
}

bool Has(const std::string& phases, const std::string& phase) {
  for (absl::string_view p : absl::StrSplit(phases, ',')) {
    if (p == phase) return true;
  }
  return false;
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

void SetPipeline(const PipelineRounds& p, const std::string& pid_prefix, v1::Pipeline* out) {
  out->set_events_per_s(Median(p.rates));
  out->mutable_events_per_s_rounds()->Add(p.rates.begin(), p.rates.end());
  out->set_publish_events_per_s(Median(p.publish_rates));
  out->set_seconds(p.seconds);
  out->set_accepted(static_cast<double>(p.accepted));
  out->set_rejected(static_cast<double>(p.rejected));
  out->set_judgments_expected(static_cast<double>(p.expected));
  out->set_judgments_delivered(static_cast<double>(p.delivered));
  out->set_duplicates(static_cast<double>(p.duplicates));
  SetCpu(p.cpu, out->mutable_cpu_seconds());
  // The set's own processes under their plain names; the broker and the load generator serve
  // both sets.
  for (const std::string name : {"collection", "judgment", "dispatch", "kafka", "bench"}) {
    const bool shared = name == "kafka" || name == "bench";
    const double us = CpuPerEvent(p, shared ? name : pid_prefix + name);
    if (us >= 0) (*out->mutable_cpu_us_per_event())[name] = us;
  }
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

absl::StatusOr<v1::BenchResults> RunBench(const BenchOptions& options, std::ostream& log) {
  if (!options.kafka_ca.empty()) {
    kafka::SetProcessSecurity({"ssl", options.kafka_ca, options.kafka_cert, options.kafka_key});
  }
  const Workload workload(RunId());
  v1::BenchResults doc;
  v1::Run& meta = *doc.mutable_run();
  meta.set_id(workload.run_id());
  meta.set_started_at(absl::FormatTime(absl::RFC3339_sec, absl::Now(), absl::UTCTimeZone()));
  meta.set_mode(options.smoke ? "smoke" : "full");
  meta.set_git_revision(options.git_revision.empty() ? "unknown" : options.git_revision);
  *doc.mutable_machine() = MachineInfo();
  *doc.mutable_versions() = Versions(options.kafka_version);

  const std::string typical_value = workload.TypicalKafkaValue();
  v1::BenchConfig& config = *doc.mutable_config();
  config.set_kafka(options.kafka);
  config.set_kafka_security(options.kafka_ca.empty() ? "plaintext" : "ssl");
  config.set_topic_prefix(options.topic_prefix);
  config.set_phases(options.phases);
  config.set_event_value_bytes(static_cast<int32_t>(typical_value.size()));
  config.set_event_key_bytes(static_cast<int32_t>(workload.TypicalKafkaKey().size()));
  config.set_partitions(3);
  config.set_watchlist_hit_rate(0.01);
  config.set_baseline_messages(static_cast<double>(options.baseline_messages));
  config.set_baseline_warmup_messages(static_cast<double>(options.baseline_warmup_messages));
  config.set_baseline_producer("acks=all enable.idempotence=true linger.ms=" +
                               std::to_string(options.baseline_linger_ms));
  config.set_ingest_events(static_cast<double>(options.ingest_events));
  config.set_pipeline_events(static_cast<double>(options.pipeline_events));
  config.set_warmup_events(static_cast<double>(options.warmup_events));
  config.set_client_concurrency(options.concurrency);
  config.set_batch(options.batch);
  config.set_latency_batch(options.latency_batch);
  config.set_load_fraction(options.load_fraction);
  config.set_latency_duration_s(absl::ToDoubleSeconds(options.latency_duration));
  config.set_latency_send_interval_ms(absl::ToDoubleMilliseconds(options.latency_send_interval));
  config.set_rounds(options.rounds);
  config.set_source_id(Workload::kSourceId);
  if (!options.secure_collection.empty()) {
    // What differs between the two sets: only the gRPC side. Kafka is the same (kafka_security)
    // for both.
    v1::SecureSet& secure = *config.mutable_secure();
    secure.set_grpc("TLS; collection called with the source certificate of " +
                    std::string(Workload::kSourceId) +
                    ", dispatch's Subscribe with an officer's bearer token (unit " +
                    Workload::kHitUnit + "); every call authenticated and authorized");
    secure.set_insecure_set("security.mode=insecure: plaintext gRPC, no authentication");
    secure.set_order(
        "interleaved per round: insecure first in odd rounds, secure first in "
        "even ones (1-based)");
    // Access records are written for CONFIDENTIAL and SECRET items (audit::IsClassified) and
    // for refusals; the workload's events, and so its judgments, are INTERNAL.
    secure.set_event_classification("INTERNAL");
    secure.set_audit_records_on_hot_path(false);
  }

  std::map<std::string, pid_t> pids;
  for (const auto& [name, pid] : options.pids) pids[name] = pid;
  CpuMeter cpu(pids);
  v1::Figures& figures = *doc.mutable_figures();

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
    v1::Baseline& b = *figures.mutable_baseline();
    baseline_produce = result->produce_per_s();
    baseline_consume = result->consume_per_s();
    b.set_produce_msgs_per_s(baseline_produce);
    b.set_consume_msgs_per_s(baseline_consume);
    b.set_produce_seconds(result->produce_seconds);
    b.set_consume_seconds(result->consume_seconds);
    SetCpu(cpu.Stop(), b.mutable_cpu_seconds());
    b.set_consume_first_message_ms(result->first_message_seconds * 1e3);
    b.set_consume_from_assign_seconds(result->consume_from_assign_seconds);
    log << absl::StrFormat(
        "[bench]   produce %.0f msgs/s, consume %.0f msgs/s (first message to last; the first "
        "came %.0f ms after the consumer was made)\n",
        baseline_produce, baseline_consume, result->first_message_seconds * 1e3);
    // The consume yardstick's yardstick: kcat on the same topic, timed the same way.
    std::string kcat_args;
    if (!options.kafka_ca.empty()) {
      kcat_args = absl::StrCat("-X security.protocol=ssl -X ssl.ca.location=", options.kafka_ca);
      if (!options.kafka_cert.empty()) {
        absl::StrAppend(&kcat_args, " -X ssl.certificate.location=", options.kafka_cert,
                        " -X ssl.key.location=", options.kafka_key);
      }
    }
    auto kcat = RunKcatConsume(options.kafka, kcat_args, result->topic, result->messages_in_topic,
                               WorkPath(options, "kcat.log"));
    if (!kcat.ok()) {
      doc.add_errors(absl::StrCat("kcat: ", kcat.status().message()));
      log << "[bench]   kcat: " << kcat.status().message() << "\n";
    } else {
      // Too few messages for three of kcat's buffers (the smoke's sizes): no rate, only counts.
      if (kcat->per_s() > 0) {
        b.set_kcat_consume_msgs_per_s(kcat->per_s());
        b.set_kcat_consume_seconds(kcat->seconds);
        doc.mutable_ratios()->set_baseline_consume_over_kcat(
            Ratio(baseline_consume, kcat->per_s()));
      }
      b.set_kcat_process_seconds(kcat->process_seconds);
      b.set_kcat_messages(static_cast<double>(kcat->messages));
      log << absl::StrFormat(
          "[bench]   kcat consume %.0f msgs/s (first to last output; %.0f msgs/s as a whole "
          "process of %.2f s): baseline/kcat %.2f (bound: 0.80-1.20)\n",
          kcat->per_s(), static_cast<double>(kcat->messages) / kcat->process_seconds,
          kcat->process_seconds, Ratio(baseline_consume, kcat->per_s()));
    }
  }

  // The judgment service against a Kafka Streams app doing the same work, alternately.
  if (Has(options.phases, "judgment-vs-streams")) {
    StreamsCompareOptions compare;
    compare.kafka = options.kafka;
    compare.topic_prefix = options.topic_prefix + workload.run_id() + ".";
    compare.events = options.compare_events;
    compare.pairs = options.compare_pairs;
    compare.judgment_command = options.judgment_command;
    compare.streams_command = options.streams_command;
    compare.dir = WorkPath(options, "judgment-vs-streams");
    compare.run_id = workload.run_id();
    if (auto it = options.pids.find("kafka"); it != options.pids.end()) {
      compare.broker_pid = it->second;
    }
    log << "[bench] judgment-vs-streams: " << compare.events << " events, " << compare.pairs
        << " pairs (judgment, then Streams)" << std::endl;
    auto result = RunStreamsCompare(compare, log);
    if (!result.ok()) return result.status();
    std::vector<double> wall, per_cpu, steady_wall, steady_cpu;
    for (int i = 0; i + 1 < result->runs_size(); i += 2) {
      const v1::CompareRun& judgment = result->runs(i);
      const v1::CompareRun& streams = result->runs(i + 1);
      wall.push_back(Ratio(judgment.events_per_s(), streams.events_per_s()));
      per_cpu.push_back(Ratio(judgment.events_per_cpu_second(), streams.events_per_cpu_second()));
      steady_wall.push_back(Ratio(judgment.after_first_commit_events_per_s(),
                                  streams.after_first_commit_events_per_s()));
      steady_cpu.push_back(Ratio(judgment.after_first_commit_events_per_cpu_second(),
                                 streams.after_first_commit_events_per_cpu_second()));
    }
    v1::Ratios& r = *doc.mutable_ratios();
    r.set_judgment_over_streams_events_per_s(Median(wall));
    r.set_judgment_over_streams_events_per_cpu_second(Median(per_cpu));
    r.mutable_judgment_over_streams_events_per_s_pairs()->Add(wall.begin(), wall.end());
    r.mutable_judgment_over_streams_events_per_cpu_second_pairs()->Add(per_cpu.begin(),
                                                                       per_cpu.end());
    r.set_judgment_over_streams_after_first_commit_events_per_s(Median(steady_wall));
    r.set_judgment_over_streams_after_first_commit_events_per_cpu_second(Median(steady_cpu));
    log << absl::StrFormat(
        "[bench] judgment vs Streams (%d pairs, %d events): judgment %.0f events/s, %.0f per "
        "CPU-second; Streams %.0f events/s, %.0f per CPU-second; judgment/Streams %.2fx on the "
        "wall clock (target >= 2), %.2fx per CPU-second (target >= 5) (medians of the pairs); "
        "from each run's first commit on: %.2fx, %.2fx\n",
        compare.pairs, compare.events, result->judgment_events_per_s(),
        result->judgment_events_per_cpu_second(), result->streams_events_per_s(),
        result->streams_events_per_cpu_second(), Median(wall), Median(per_cpu), Median(steady_wall),
        Median(steady_cpu));
    *figures.mutable_judgment_vs_streams() = *std::move(result);
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
    const std::map<std::string, double> cpu_seconds = cpu.Stop();
    ingest_rate = result.accepted / result.seconds();
    v1::Ingest& i = *figures.mutable_ingest();
    i.set_accepted_events_per_s(ingest_rate);
    i.set_accepted(static_cast<double>(result.accepted));
    i.set_rejected(static_cast<double>(result.rejected));
    i.set_resent(static_cast<double>(result.resent));
    i.set_seconds(result.seconds());
    SetLatency(result.call_latency_ns, i.mutable_call_latency_ms());
    const double collection_cpu = cpu.Seconds("collection");
    i.set_collection_cpu_cores(collection_cpu > 0 ? collection_cpu / result.seconds() : 0.0);
    i.set_events_per_collection_cpu_second(collection_cpu > 0 ? result.accepted / collection_cpu
                                                              : 0.0);
    SetCpu(cpu_seconds, i.mutable_cpu_seconds());
    log << absl::StrFormat("[bench]   %.0f accepted events/s (%.0f per CPU-second of collection)\n",
                           ingest_rate,
                           collection_cpu > 0 ? result.accepted / collection_cpu : 0.0);
    const int64_t drain_start = NowNs();
    auto arrived =
        bus.tracker->Wait("ingest", workload.HitsIn(options.ingest_events), options.drain_timeout);
    i.set_drain_seconds_after(static_cast<double>(NowNs() - drain_start) / 1e9);
    i.set_judgments_delivered(static_cast<double>(arrived.received));
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
      SetPipeline(bus.pipeline, bus.target.pid_prefix,
                  bus.target.pid_prefix.empty() ? figures.mutable_pipeline()
                                                : figures.mutable_pipeline_secure());
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
      v1::PipelineLatency& j = bus.target.pid_prefix.empty()
                                   ? *figures.mutable_pipeline_latency()
                                   : *figures.mutable_pipeline_latency_secure();
      j.set_offered_events_per_s(rate);
      j.set_rounds(options.rounds);
      j.set_round_seconds(absl::ToDoubleSeconds(piece));
      j.set_events(static_cast<double>(l.events));
      j.set_accepted(static_cast<double>(l.accepted));
      j.set_not_accepted(static_cast<double>(l.not_accepted));
      j.set_calls(static_cast<double>(l.calls));
      j.set_sender_max_behind_ms(Ms(l.max_behind_ns));
      j.set_judgments_expected(static_cast<double>(l.expected));
      j.set_judgments_delivered(static_cast<double>(l.delivered));
      SetLatency(l.unit_stream, j.mutable_publish_to_unit_stream_ms());
      j.mutable_publish_to_unit_stream_p50_ms_rounds()->Add(l.p50_ms.begin(), l.p50_ms.end());
      j.mutable_publish_to_unit_stream_p99_ms_rounds()->Add(l.p99_ms.begin(), l.p99_ms.end());
      SetLatency(l.accepted_ns, j.mutable_publish_to_accepted_ms());
      v1::LatencyBreakdown& parts = *j.mutable_breakdown_ms();
      SetLatency(l.to_judged, parts.mutable_intended_send_to_judged());
      SetLatency(l.judged_to_inbox, parts.mutable_judged_to_inbox());
      SetLatency(l.inbox_to_stream, parts.mutable_inbox_to_unit_stream());
      SetCpu(l.cpu, j.mutable_cpu_seconds());
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
    v1::BaselineLatency& bl = *figures.mutable_baseline_latency();
    bl.set_offered_msgs_per_s(rate);
    bl.set_sent(static_cast<double>(raw->sent));
    bl.set_received(static_cast<double>(raw->received));
    SetLatency(raw->latency_ns, bl.mutable_produce_to_consume_ms());
    log << absl::StrFormat("[bench]   produce -> consume p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms\n",
                           Ms(raw->latency_ns.Percentile(50)), Ms(raw->latency_ns.Percentile(99)),
                           Ms(raw->latency_ns.Percentile(99.9)));
  }

  // 5. Supervision: the store alone, in this process; compared with the pipeline's rate of this
  // run when there is one.
  if (Has(options.phases, "supervision")) {
    SupervisionBenchOptions s;
    s.shape.events = options.supervision_events;
    s.shape.judgments = options.supervision_judgments;
    s.batch = options.supervision_batch;
    s.traces = options.supervision_traces;
    s.report_runs = options.supervision_report_runs;
    s.partitions = options.supervision_partitions;
    if (!options.supervision_dir.empty()) {
      s.dir = options.supervision_dir;
    } else if (const char* tmp = std::getenv("TMPDIR"); tmp != nullptr && *tmp != '\0') {
      s.dir = tmp;
    }
    v1::SupervisionConfig& c = *config.mutable_supervision();
    c.set_events(static_cast<double>(s.shape.events));
    c.set_judgments(static_cast<double>(s.shape.judgments));
    c.set_batch_records(s.batch);
    c.set_traces(static_cast<double>(s.traces));
    c.set_report_runs(s.report_runs);
    c.set_partitions(s.partitions);
    c.set_month(kSupervisionMonth);
    c.set_utc_offset("+08:00");
    c.set_counties(SupervisionShape::kCounties);
    c.set_sources(SupervisionShape::kSources);
    c.set_kinds(SupervisionShape::kKinds);
    c.set_rules(SupervisionShape::kRules);
    c.set_units(SupervisionShape::kUnits);
    auto result = RunSupervisionBench(s, log);
    if (!result.ok()) return result.status();
    v1::Supervision& sv = *figures.mutable_supervision();
    sv = *std::move(result);
    const double compared = pipeline_rate > 0 ? pipeline_rate : options.supervision_pipeline_rate;
    if (compared > 0) {
      sv.set_pipeline_events_per_s(compared);
      sv.set_pipeline_rate_source(pipeline_rate > 0 ? "this run" : "given");
      doc.mutable_ratios()->set_supervision_fold_over_pipeline(sv.fold().events_per_s() / compared);
      log << absl::StrFormat(
          "[bench] supervision folds %.0f events/s against the pipeline's %.0f (%s): %.2fx\n",
          sv.fold().events_per_s(), compared, sv.pipeline_rate_source(),
          sv.fold().events_per_s() / compared);
    }
  }

  v1::Ratios& ratios = *doc.mutable_ratios();
  ratios.set_pipeline_over_baseline_produce(Ratio(pipeline_rate, baseline_produce));
  ratios.set_ingest_over_baseline_produce(Ratio(ingest_rate, baseline_produce));
  ratios.set_pipeline_over_baseline_consume(Ratio(pipeline_rate, baseline_consume));
  ratios.set_ingest_over_baseline_consume(Ratio(ingest_rate, baseline_consume));
  doc.mutable_machine()->set_loadavg_1m_at_end(LoadAverage1m());
  int64_t ignored = 0;
  for (const Bus& bus : buses) ignored += bus.tracker->ignored();
  if (!buses.empty()) meta.set_deliveries_from_earlier_runs_ignored(static_cast<double>(ignored));
  for (const Bus& bus : buses) {
    if (!bus.failed.empty()) doc.add_errors(absl::StrCat(bus.target.name, ": ", bus.failed));
  }

  if (baseline_produce > 0) {
    log << absl::StrFormat(
        "[bench] ratios: pipeline/baseline %.3f, ingest/baseline %.3f (baseline = raw produce "
        "msgs/s)\n",
        Ratio(pipeline_rate, baseline_produce), Ratio(ingest_rate, baseline_produce));
  }
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
    ratios.set_secure_vs_insecure_throughput(throughput_ratio);
    ratios.mutable_secure_vs_insecure_throughput_rounds()->Add(throughput.begin(),
                                                               throughput.end());
    if (latency_complete) {
      ratios.set_secure_minus_insecure_p50_ms(pooled_p50);
      ratios.mutable_secure_minus_insecure_p50_ms_rounds()->Add(p50.begin(), p50.end());
      ratios.set_secure_minus_insecure_p99_ms(pooled_p99);
    }
    auto& cpu_delta = *ratios.mutable_secure_minus_insecure_cpu_us_per_event();
    for (const char* name : {"collection", "judgment", "dispatch"}) {
      const double a = CpuPerEvent(plain.pipeline, name);
      const double b = CpuPerEvent(secure.pipeline, absl::StrCat("secure_", name));
      if (a >= 0 && b >= 0) cpu_delta[name] = b - a;
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
