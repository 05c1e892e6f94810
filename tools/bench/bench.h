#pragma once

#include <map>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "infobus/bench/v1/bench_results.pb.h"

namespace infobus::bench {

// Everything one benchmark run needs. scripts/bench.sh fills it, through infobus-bench's flags
// (tools/bench/flags.h), from the processes it started.
struct BenchOptions {
  std::string kafka;  // bootstrap servers
  // TLS to the broker (every Kafka client of the run): with kafka_ca set, security.protocol=ssl
  // with this CA and, when set, this client certificate and key. Empty: plaintext.
  std::string kafka_ca, kafka_cert, kafka_key;
  std::string topic_prefix;                    // the services' kafka.topic_prefix
  std::string collection, judgment, dispatch;  // gRPC addresses (security.mode=insecure)
  // A second set of the services with security.mode=tls: when given, the pipeline and latency
  // phases run on both sets in interleaved rounds and report them side by side.
  std::string secure_collection, secure_judgment, secure_dispatch;
  // gRPC TLS to the secure set: the CA; the certificate and key of the source system that
  // publishes (registered as Workload::kSourceId); those of an administrator (loads the
  // watchlist); a file holding the bearer token of an officer of Workload::kHitUnit (follows
  // its inbox).
  std::string grpc_ca, grpc_cert, grpc_key, grpc_admin_cert, grpc_admin_key, grpc_token_file;
  // collection, judgment, dispatch, kafka (and secure_collection, ... for the secure set): for
  // CPU figures.
  std::map<std::string, int> pids;
  std::string kafka_version;
  std::string git_revision;
  bool smoke = false;
  // Which phases to run, comma-separated: baseline,ingest,pipeline,latency (the default; a
  // single phase is handy under a profiler), supervision (the supervision store in this
  // process: needs no broker nor services, so the bus flags are only required by the others)
  // and judgment-vs-streams (needs --kafka and the two commands, not the services' addresses).
  std::string phases = "baseline,ingest,pipeline,latency";

  int64_t baseline_messages = 200000;
  // Sent through the broker, unmeasured, before the baseline: a just-started broker's JVM is
  // still compiling its hot paths, which would make the yardstick short.
  int64_t baseline_warmup_messages = 500000;
  int64_t ingest_events = 100000;
  int64_t pipeline_events = 100000;
  int64_t warmup_events = 2000;
  int concurrency = 4;
  int batch = 200;
  int latency_batch = 200;     // most events per call in the open-loop run
  double load_fraction = 0.2;  // latency run's offered load, as a share of pipeline max
  double latency_rate = 0;     // events/s; overrides load_fraction when > 0
  absl::Duration latency_duration = absl::Seconds(30);
  absl::Duration latency_send_interval = absl::ZeroDuration();  // see PublishConfig
  absl::Duration drain_timeout = absl::Seconds(180);
  int baseline_linger_ms = 2;  // as the services' kafka.linger default
  // Pipeline runs per set, and the pieces the latency run is cut into (--latency-duration is
  // the whole per set). With a secure set each round runs both, alternating which goes first
  // (insecure-secure, secure-insecure, ...), so drift in the machine's load falls on both.
  int rounds = 3;

  // The supervision phase (tools/bench/supervision_bench.h): a generated month of events, one
  // judgment per events/judgments events, folded in batches; traces of each kind; report runs.
  int64_t supervision_events = 10'000'000;
  int64_t supervision_judgments = 1'000'000;
  int supervision_batch = 500;
  int64_t supervision_traces = 10000;
  int supervision_report_runs = 5;
  int supervision_partitions = 2;  // as supervision.partitions
  std::string supervision_dir;     // where its temporary store goes; empty: $TMPDIR or /tmp
  // The pipeline's events/s to compare the fold rate with when this run has no pipeline phase
  // (0: none).
  double supervision_pipeline_rate = 0;

  // The judgment-vs-streams phase (tools/bench/streams_compare.h): events preloaded per pair,
  // pairs of runs (judgment then Streams), and the two command lines (scripts/bench.sh makes
  // them; the phase adds each run's topic prefix, store and application id).
  int64_t compare_events = 1'000'000;
  int compare_pairs = 3;
  std::string judgment_command, streams_command;

  // Where processes this one starts (kcat, the judgment-vs-streams runs) keep their logs and
  // stores; empty: $TMPDIR or /tmp.
  std::string work_dir;

  // The smoke test's sizes: seconds, not minutes.
  void MakeSmoke();
};

// Runs the phases and returns the results (machine, versions, configuration, figures, ratios).
// Progress and a summary table go to `log`.
absl::StatusOr<v1::BenchResults> RunBench(const BenchOptions& options, std::ostream& log);

}  // namespace infobus::bench
