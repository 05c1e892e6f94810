#include "tools/bench/bench.h"

#include <unistd.h>

#include <cmath>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
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
  if (options.concurrency < 1 || options.batch < 1 || options.latency_batch < 1) {
    return absl::InvalidArgumentError("--concurrency, --batch and --latency-batch must be >= 1");
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

  std::unique_ptr<DeliveryTracker> tracker;
  PublishConfig publish{options.collection, options.concurrency, options.batch};
  const bool bus = Has(options.phases, "ingest") || Has(options.phases, "pipeline") ||
                   Has(options.phases, "latency");
  if (bus) {
    if (absl::Status status = LoadWatchlist(options.judgment, workload); !status.ok())
      return status;
    tracker = std::make_unique<DeliveryTracker>(&workload, options.dispatch);
    // Warm-up: connections, topic metadata, consumer group assignment; proves the bus works.
    log << "[bench] warm-up: " << options.warmup_events << " events through the pipeline"
        << std::endl;
    tracker->BeginPhase("warmup", options.warmup_events, nullptr);
    auto warm = PublishClosedLoop(publish, workload, "warmup", options.warmup_events);
    const int64_t expected = workload.HitsIn(options.warmup_events);
    auto arrived = tracker->Wait("warmup", expected, options.drain_timeout);
    if (warm.accepted != options.warmup_events || arrived.received != expected) {
      return absl::UnavailableError(absl::StrCat(
          "warm-up failed: ", warm.accepted, " of ", options.warmup_events, " events accepted, ",
          arrived.received, " of ", expected, " judgments delivered to ", Workload::kHitUnit));
    }
  }

  // 2. Ingest: collection alone at max rate (judgment and dispatch work behind it; they are
  // given time to drain before the next phase).
  double ingest_rate = 0;
  if (Has(options.phases, "ingest")) {
    log << "[bench] ingest: " << options.ingest_events << " events, " << options.concurrency
        << " callers x " << options.batch << " per call" << std::endl;
    tracker->BeginPhase("ingest", options.ingest_events, nullptr);
    cpu.Start();
    auto result = PublishClosedLoop(publish, workload, "ingest", options.ingest_events);
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
        tracker->Wait("ingest", workload.HitsIn(options.ingest_events), options.drain_timeout);
    i.Set("drain_seconds_after", static_cast<double>(NowNs() - drain_start) / 1e9);
    i.Set("judgments_delivered", arrived.received);
  }

  // 3. Pipeline: publish at max rate, done when the last judgment reached the unit stream.
  double pipeline_rate = 0;
  if (Has(options.phases, "pipeline")) {
    log << "[bench] pipeline: " << options.pipeline_events << " events end to end" << std::endl;
    const int64_t expected = workload.HitsIn(options.pipeline_events);
    tracker->BeginPhase("pipeline", options.pipeline_events, nullptr);
    cpu.Start();
    auto result = PublishClosedLoop(publish, workload, "pipeline", options.pipeline_events);
    auto arrived = tracker->Wait("pipeline", expected, options.drain_timeout);
    Json cpu_json = cpu.Stop();
    const double seconds = static_cast<double>(arrived.last_arrival_ns - result.start_ns) / 1e9;
    pipeline_rate = arrived.received == expected && seconds > 0 ? result.accepted / seconds : 0;
    Json& p = figures.Set("pipeline", Json::Object());
    p.Set("events_per_s", pipeline_rate);
    p.Set("publish_events_per_s", result.accepted / result.seconds());
    p.Set("seconds", seconds);
    p.Set("accepted", result.accepted);
    p.Set("judgments_expected", expected);
    p.Set("judgments_delivered", arrived.received);
    p.Set("duplicates", arrived.duplicates);
    p.Set("cpu_seconds", std::move(cpu_json));
    Json& per_event = p.Set("cpu_us_per_event", Json::Object());
    for (const char* name : {"collection", "judgment", "dispatch", "kafka", "bench"}) {
      const double s = cpu.Seconds(name);
      if (s >= 0) per_event.Set(name, result.accepted > 0 ? s * 1e6 / result.accepted : 0.0);
    }
    log << absl::StrFormat(
        "[bench]   %.0f events/s end to end (%lld of %lld judgments delivered)\n", pipeline_rate,
        static_cast<long long>(arrived.received), static_cast<long long>(expected));
    if (arrived.received != expected) {
      return absl::DeadlineExceededError("pipeline: not every judgment was delivered in time");
    }
  }

  // 4. Latency at a fixed fraction of the pipeline's max, open loop; then raw Kafka at the same
  // offered load.
  if (Has(options.phases, "latency")) {
    double rate = options.latency_rate;
    if (rate <= 0) rate = options.load_fraction * pipeline_rate;
    if (rate <= 0) {
      return absl::InvalidArgumentError(
          "latency: no rate (run the pipeline phase or --latency-rate)");
    }
    const auto events = std::max<int64_t>(
        1, static_cast<int64_t>(rate * absl::ToDoubleSeconds(options.latency_duration)));
    log << absl::StrFormat("[bench] latency: open loop at %.0f events/s for %s (%lld events)\n",
                           rate, absl::FormatDuration(options.latency_duration),
                           static_cast<long long>(events));
    std::vector<int64_t> intended;
    PublishConfig open_loop = publish;
    open_loop.batch = options.latency_batch;
    open_loop.send_interval_ns = absl::ToInt64Nanoseconds(options.latency_send_interval);
    cpu.Start();
    auto result =
        PublishOpenLoop(open_loop, workload, "latency", rate, events, &intended, tracker.get());
    auto arrived = tracker->Wait("latency", result.expected_hits, absl::Seconds(60));
    Json cpu_json = cpu.Stop();
    Json& l = figures.Set("pipeline_latency", Json::Object());
    l.Set("offered_events_per_s", rate);
    l.Set("events", events);
    l.Set("accepted", result.accepted);
    l.Set("not_accepted", result.not_accepted);
    l.Set("calls", result.calls);
    l.Set("sender_max_behind_ms", Ms(result.max_behind_ns));
    l.Set("judgments_expected", result.expected_hits);
    l.Set("judgments_delivered", arrived.received);
    l.Set("publish_to_unit_stream_ms", LatencyJson(arrived.latency_ns));
    l.Set("publish_to_accepted_ms", LatencyJson(result.ack_latency_ns));
    Json& parts = l.Set("breakdown_ms", Json::Object());
    parts.Set("intended_send_to_judged", LatencyJson(arrived.to_judged_ns));
    parts.Set("judged_to_inbox", LatencyJson(arrived.judged_to_inbox_ns));
    parts.Set("inbox_to_unit_stream", LatencyJson(arrived.inbox_to_stream_ns));
    l.Set("cpu_seconds", std::move(cpu_json));
    log << absl::StrFormat(
        "[bench]   publish -> unit stream p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms (%lld samples)\n",
        Ms(arrived.latency_ns.Percentile(50)), Ms(arrived.latency_ns.Percentile(99)),
        Ms(arrived.latency_ns.Percentile(99.9)),
        static_cast<long long>(arrived.latency_ns.count()));
    log << absl::StrFormat(
        "[bench]   p50/p99 ms: send->judged %.2f/%.2f, judged->inbox %.2f/%.2f, inbox->stream "
        "%.2f/%.2f, send->accepted %.2f/%.2f\n",
        Ms(arrived.to_judged_ns.Percentile(50)), Ms(arrived.to_judged_ns.Percentile(99)),
        Ms(arrived.judged_to_inbox_ns.Percentile(50)),
        Ms(arrived.judged_to_inbox_ns.Percentile(99)),
        Ms(arrived.inbox_to_stream_ns.Percentile(50)),
        Ms(arrived.inbox_to_stream_ns.Percentile(99)), Ms(result.ack_latency_ns.Percentile(50)),
        Ms(result.ack_latency_ns.Percentile(99)));

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
  if (tracker) doc["run"].Set("deliveries_from_earlier_runs_ignored", tracker->ignored());

  log << absl::StrFormat(
      "[bench] ratios: pipeline/baseline %.3f, ingest/baseline %.3f (baseline = raw produce "
      "msgs/s)\n",
      Ratio(pipeline_rate, baseline_produce), Ratio(ingest_rate, baseline_produce));
  return doc;
}

}  // namespace infobus::bench
