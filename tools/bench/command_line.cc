#include "tools/bench/command_line.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/config/cli11_helpers.h"
#include "common/kafka/client_conf.h"
#include "tools/bench/results_json.h"
#include "tools/bench/workload.h"

namespace infobus::bench {
namespace {

constexpr char kDescription[] =
    R"(infobus-bench: the benchmark's load generator and latency recorder.
Runs, against one broker and one running bus (scripts/bench.sh sets both up):
  baseline  raw librdkafka produce (acks=all, idempotent) and consume of typical-event-sized
            messages: msgs/s both ways
  ingest    closed-loop batched Publish into collection: accepted events/s (and per CPU second
            of collection)
  pipeline  publish -> judgment (1% watchlist hits) -> dispatch -> unit stream: events/s end to end
  latency   open loop at --load-fraction of the pipeline's max: publish -> unit-stream latency
            from the intended send time (coordinated-omission-safe); then raw Kafka latency at
            the same offered load
  supervision  the supervision store in this process (no broker, no services needed): folds a
            generated month (--supervision-events, one judgment per events/judgments events,
            with deliveries, sign-offs, escalations, feedback and reviews) in batches as the
            consumer does: facts/s; then Trace latency by judgment id and by trace id of random
            judged items, and the month's Report (all, and one city) over the stored tallies
            (not in the default phases)
  judgment-vs-streams  the infobus-judgment binary against a Kafka Streams app doing the same
            watchlist and hotspot work (tools/bench/streams/), on the same preloaded events,
            alternately, --compare-pairs pairs: events/s and events per CPU-second of each
            (--judgment-command, --streams-command; not in the default phases)
and prints the ratios pipeline/baseline and ingest/baseline. The results go to --out (or
stdout) as JSON: infobus.bench.v1.BenchResults in protobuf's JSON mapping.)";

constexpr char kFooter[] = R"(
With a second set of the services started with security.mode=tls (--secure-collection, ...),
the pipeline and latency phases run on both sets in --rounds interleaved rounds (at the same
offered load) and the results add pipeline_secure, pipeline_latency_secure and the ratios
secure_vs_insecure_throughput and secure_minus_insecure_p50_ms.
Exit code: 0; 1 the run failed; 2 bad usage; 3 a set's service exited (figures incomplete).)";

constexpr char kPhases[] = "baseline,ingest,pipeline,latency,supervision,judgment-vs-streams";

// An option taking a value, which may not be the next flag (see NotAFlag): checked first, so
// that `--concurrency --batch 5` says that rather than "--batch is not a number".
template <typename T>
CLI::Option* AddValue(CLI::App& app, const std::string& flag, T* value, const std::string& help) {
  return app.add_option(flag, *value, help)->check(NotAFlag());
}

// A number of at least `least` (CLI11's own range check prints its bounds as %f doubles).
CLI::Validator AtLeast(double least) {
  return CLI::Validator(
      [least](std::string& value) -> std::string {
        double number = 0;
        if (!absl::SimpleAtod(value, &number)) return absl::StrCat("'", value, "' is not a number");
        if (number < least) return absl::StrCat("must be at least ", least, ", not ", value);
        return "";
      },
      "");
}

// The value flags of one --help group (see AddValue), each shown with the name of its value.
class FlagGroup {
 public:
  FlagGroup(CLI::App& app, std::string name) : app_(app), name_(std::move(name)) {}

  template <typename T>
  CLI::Option* Add(const std::string& flag, T* value, const std::string& type,
                   const std::string& help) const {
    return AddValue(app_, flag, value, help)->type_name(type)->group(name_);
  }

  const std::string& name() const { return name_; }

 private:
  CLI::App& app_;
  const std::string name_;
};

// Every flag of infobus-bench, bound to `command`. The defaults shown are those of a full run.
void DefineFlags(CLI::App& app, BenchCommand* command) {
  BenchOptions& o = command->options;
  // As before CLI11: a flag given twice takes the last value (scripts/bench.sh passes the
  // caller's flags after its own).
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);

  const FlagGroup bus(app, "The bus");
  // Required by every phase but supervision (ValidateOptions).
  bus.Add("--kafka", &o.kafka, "HOST:PORT", "the broker's bootstrap servers (required)");
  bus.Add("--collection", &o.collection, "ADDR",
          "collection's gRPC address, security.mode=insecure (required)");
  bus.Add("--judgment", &o.judgment, "ADDR", "judgment's gRPC address (required)");
  bus.Add("--dispatch", &o.dispatch, "ADDR", "dispatch's gRPC address (required)");
  bus.Add("--topic-prefix", &o.topic_prefix, "P", "the services' kafka.topic_prefix");
  bus.Add("--kafka-ca", &o.kafka_ca, "PEM",
          "TLS to the broker with this CA (plaintext without it)");
  bus.Add("--kafka-cert", &o.kafka_cert, "PEM", "the client certificate of the baseline's clients");
  bus.Add("--kafka-key", &o.kafka_key, "PEM", "its private key");

  const FlagGroup run(app, "The run");
  run.Add("--out", &command->out_path, "FILE", "write the results JSON to FILE (default: stdout)");
  // Runs while parsing, before the values of the other flags are stored: a size given beside
  // --smoke wins over the smoke size.
  app.add_flag_callback(
         "--smoke", [&o] { o.MakeSmoke(); }, "tiny sizes for CI (seconds)")
      ->disable_flag_override()
      ->trigger_on_parse()
      ->group(run.name());
  run.Add("--phases", &o.phases, "LIST", "which phases to run, comma-separated")
      ->capture_default_str()
      ->check(CLI::Validator(
          [](std::string& value) -> std::string {
            const std::vector<absl::string_view> known = absl::StrSplit(kPhases, ',');
            for (absl::string_view phase : absl::StrSplit(value, ',')) {
              if (std::find(known.begin(), known.end(), phase) == known.end()) {
                return absl::StrCat("'", phase, "' is not a phase (", kPhases, ")");
              }
            }
            return "";
          },
          ""));
  app.add_option_function<std::string>(
         "--pids",
         [&o](const std::string& text) {
           o.pids.clear();
           for (absl::string_view item : absl::StrSplit(text, ',', absl::SkipEmpty())) {
             std::pair<std::string, std::string> kv = absl::StrSplit(item, absl::MaxSplits('=', 1));
             int pid = 0;
             if (kv.first.empty() || !absl::SimpleAtoi(kv.second, &pid) || pid <= 0) {
               throw CLI::ValidationError("--pids",
                                          absl::StrCat("expects name=pid,... (got '", item, "')"));
             }
             o.pids[kv.first] = pid;
           }
         },
         "CPU per phase of collection, judgment, dispatch, kafka, secure_...")
      ->check(NotAFlag())
      ->type_name("NAME=PID,...")
      ->group(run.name());
  run.Add("--kafka-version", &o.kafka_version, "V", "recorded in the results");
  run.Add("--git-revision", &o.git_revision, "R", "recorded in the results");
  // Not a run: scripts/bench.sh registers the source the benchmark publishes as. It needs none
  // of the required flags, so it ends the parse (CLI::Success) as --help does.
  app.add_flag_callback(
         "--print-source-registry",
         [command] {
           command->action = BenchCommand::Action::kPrintSourceRegistry;
           throw CLI::Success();
         },
         absl::StrCat("print the security.sources_file of its source ", Workload::kSourceId,
                      ", exit"))
      ->disable_flag_override()
      ->trigger_on_parse()
      ->group(run.name());

  const FlagGroup sizes(app, "Sizes (--smoke: seconds)");
  auto count = [&](const std::string& flag, auto* value, const std::string& help) {
    sizes.Add(flag, value, "N", help)->capture_default_str()->check(AtLeast(0));
  };
  auto positive = [&](const std::string& flag, int* value, const std::string& help) {
    sizes.Add(flag, value, "N", help)->capture_default_str()->check(AtLeast(1));
  };
  count("--baseline-messages", &o.baseline_messages, "raw Kafka messages measured");
  count("--baseline-warmup", &o.baseline_warmup_messages,
        "unmeasured raw messages first, to warm the broker's JVM");
  count("--ingest-events", &o.ingest_events, "events of the ingest phase");
  count("--pipeline-events", &o.pipeline_events, "events of each pipeline run");
  count("--warmup-events", &o.warmup_events, "events through each set before anything is measured");
  positive("--concurrency", &o.concurrency, "client threads, one call in flight each");
  positive("--batch", &o.batch, "events per Publish call (closed loop)");
  positive("--latency-batch", &o.latency_batch, "most events per call in the open loop");
  positive("--rounds", &o.rounds,
           "pipeline runs per set; the latency run per set is cut into N pieces");
  count("--baseline-linger-ms", &o.baseline_linger_ms,
        "the baseline producer's linger (the services' kafka.linger)");
  sizes
      .Add("--load-fraction", &o.load_fraction, "F",
           "the latency run's offered load, as a share of the pipeline's max")
      ->capture_default_str()
      ->check(AtLeast(0));
  sizes
      .Add("--latency-rate", &o.latency_rate, "R",
           "the latency run's offered events/s (> 0: instead of --load-fraction)")
      ->capture_default_str()
      ->check(AtLeast(0));
  AddDuration(app, "--latency-duration", "the latency run per set (all rounds together)",
              &o.latency_duration)
      ->group(sizes.name());
  AddDuration(app, "--latency-send-interval",
              "least time between open-loop calls (5ms: a batching source)",
              &o.latency_send_interval)
      ->group(sizes.name());
  AddDuration(app, "--drain-timeout", "how long a phase may wait for its last judgment",
              &o.drain_timeout)
      ->group(sizes.name());

  const FlagGroup supervision(app, "The supervision phase (--smoke: seconds)");
  auto supervision_count = [&](const std::string& flag, auto* value, const std::string& help) {
    supervision.Add(flag, value, "N", help)->capture_default_str()->check(AtLeast(1));
  };
  supervision_count("--supervision-events", &o.supervision_events, "events in the generated month");
  supervision_count("--supervision-judgments", &o.supervision_judgments,
                    "judgments among them (one per events/judgments events)");
  supervision_count("--supervision-batch", &o.supervision_batch,
                    "records per consumer batch (one WriteBatch)");
  supervision_count("--supervision-traces", &o.supervision_traces,
                    "Trace calls by judgment id, and as many by trace id");
  supervision_count("--supervision-report-runs", &o.supervision_report_runs,
                    "runs of the month's report, per scope");
  supervision_count("--supervision-partitions", &o.supervision_partitions,
                    "facts partitions the store is folded into, by item (supervision.partitions)");
  supervision.Add("--supervision-dir", &o.supervision_dir, "DIR",
                  "where the temporary store is made (default $TMPDIR or /tmp; removed after)");
  supervision
      .Add("--supervision-pipeline-rate", &o.supervision_pipeline_rate, "R",
           "the pipeline's events/s to compare the fold rate with, when this run has no "
           "pipeline phase")
      ->capture_default_str()
      ->check(AtLeast(0));

  const FlagGroup compare(app, "The judgment-vs-streams phase (--smoke: seconds)");
  compare.Add("--compare-events", &o.compare_events, "N", "events preloaded for each pair")
      ->capture_default_str()
      ->check(AtLeast(1));
  compare.Add("--compare-pairs", &o.compare_pairs, "N", "pairs of runs (judgment, Streams)")
      ->capture_default_str()
      ->check(AtLeast(1));
  compare.Add("--judgment-command", &o.judgment_command, "CMD",
              "infobus-judgment's command line, less --set kafka.topic_prefix, store.path and "
              "grpc.port_file (added per run)");
  compare.Add("--streams-command", &o.streams_command, "CMD",
              "the Streams app's command line, less --prefix, --application-id and --state-dir "
              "(added per run)");
  run.Add("--work-dir", &o.work_dir, "DIR",
          "logs and stores of the processes it starts (kcat, judgment-vs-streams; default "
          "$TMPDIR or /tmp)");

  const FlagGroup secure(app, "The secure set (security.mode=tls; all of these, or none)");
  secure.Add("--secure-collection", &o.secure_collection, "ADDR", "its collection's gRPC address");
  secure.Add("--secure-judgment", &o.secure_judgment, "ADDR", "its judgment's");
  secure.Add("--secure-dispatch", &o.secure_dispatch, "ADDR", "its dispatch's");
  secure.Add("--grpc-ca", &o.grpc_ca, "PEM", "the CA of its server certificates");
  secure.Add("--grpc-cert", &o.grpc_cert, "PEM",
             absl::StrCat("the publishing source's certificate (infobus://source/",
                          Workload::kSourceId, ")"));
  secure.Add("--grpc-key", &o.grpc_key, "PEM", "its private key");
  secure.Add("--grpc-admin-cert", &o.grpc_admin_cert, "PEM",
             "an administrator's certificate (loads the watchlist)");
  secure.Add("--grpc-admin-key", &o.grpc_admin_key, "PEM", "its private key");
  secure.Add("--grpc-token-file", &o.grpc_token_file, "FILE",
             absl::StrCat("bearer token of an officer of unit ", Workload::kHitUnit,
                          " (follows its inbox)"));

  app.description(kDescription);
  app.footer(kFooter);
}

// What the flags cannot say one at a time.
absl::Status ValidateOptions(const BenchOptions& o) {
  // Every phase but supervision talks to the bus; the bus phases to the services too.
  bool bus = false, services = false;
  for (absl::string_view phase : absl::StrSplit(o.phases, ',')) {
    bus |= phase != "supervision";
    services |= phase != "supervision" && phase != "judgment-vs-streams" && phase != "baseline";
  }
  if (bus && o.kafka.empty()) {
    return absl::InvalidArgumentError("--kafka is required (by every phase but supervision)");
  }
  if (absl::StrContains(o.phases, "judgment-vs-streams") &&
      (o.judgment_command.empty() || o.streams_command.empty())) {
    return absl::InvalidArgumentError(
        "judgment-vs-streams needs --judgment-command and --streams-command");
  }
  if (services) {
    for (const auto& [flag, value] :
         {std::pair{"--kafka", &o.kafka}, std::pair{"--collection", &o.collection},
          std::pair{"--judgment", &o.judgment}, std::pair{"--dispatch", &o.dispatch}}) {
      if (value->empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat(flag,
                         " is required (by every phase but supervision and "
                         "judgment-vs-streams)"));
      }
    }
  }
  if (!o.kafka_ca.empty()) {
    kafka::ClientSecurity security{"ssl", o.kafka_ca, o.kafka_cert, o.kafka_key};
    if (absl::Status valid = security.Validate(); !valid.ok()) return valid;
  } else if (!o.kafka_cert.empty() || !o.kafka_key.empty()) {
    return absl::InvalidArgumentError("--kafka-cert and --kafka-key need --kafka-ca");
  }
  const bool secure =
      !o.secure_collection.empty() || !o.secure_judgment.empty() || !o.secure_dispatch.empty();
  if (secure &&
      (o.secure_collection.empty() || o.secure_judgment.empty() || o.secure_dispatch.empty() ||
       o.grpc_ca.empty() || o.grpc_cert.empty() || o.grpc_key.empty() ||
       o.grpc_admin_cert.empty() || o.grpc_admin_key.empty() || o.grpc_token_file.empty())) {
    return absl::InvalidArgumentError(
        "the secure set needs --secure-collection, --secure-judgment, --secure-dispatch, "
        "--grpc-ca, --grpc-cert, --grpc-key, --grpc-admin-cert, --grpc-admin-key and "
        "--grpc-token-file");
  }
  return absl::OkStatus();
}

absl::Status WriteResults(const std::string& path, const std::string& json) {
  std::ofstream out(path, std::ios::trunc);
  out << json;
  out.close();
  if (!out) return absl::UnavailableError("cannot write " + path);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<BenchCommand> ParseBenchFlags(const std::vector<std::string>& args) {
  BenchCommand command;
  CLI::App app("", "infobus-bench");
  DefineFlags(app, &command);
  try {
    app.parse(Cli11Args(args));
  } catch (const CLI::CallForHelp&) {
    command.action = BenchCommand::Action::kHelp;
    return command;
  } catch (const CLI::Success&) {
    return command;  // --print-source-registry
  } catch (const CLI::ParseError& error) {
    return absl::InvalidArgumentError(absl::StrCat(ParseErrorMessage(error), " (try --help)"));
  }
  if (absl::Status valid = ValidateOptions(command.options); !valid.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(valid.message(), " (try --help)"));
  }
  return command;
}

std::string BenchUsage() {
  BenchCommand unused;
  CLI::App app("", "infobus-bench");
  DefineFlags(app, &unused);
  return app.help();
}

int BenchMain(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  absl::StatusOr<BenchCommand> command = ParseBenchFlags(args);
  if (!command.ok()) {
    err << "infobus-bench: " << command.status().message() << "\n";
    return 2;
  }
  switch (command->action) {
    case BenchCommand::Action::kHelp:
      out << BenchUsage();
      return 0;
    case BenchCommand::Action::kPrintSourceRegistry:
      out << Workload::SourceRegistryYaml();
      return 0;
    case BenchCommand::Action::kRun:
      break;
  }
  absl::StatusOr<v1::BenchResults> results = RunBench(command->options, err);
  if (!results.ok()) {
    err << "infobus-bench: " << results.status() << "\n";
    return 1;
  }
  absl::StatusOr<std::string> json = ResultsJson(*results);
  if (!json.ok()) {
    err << "infobus-bench: " << json.status() << "\n";
    return 1;
  }
  if (command->out_path.empty()) {
    out << *json;
  } else if (absl::Status written = WriteResults(command->out_path, *json); !written.ok()) {
    err << "infobus-bench: " << written.message() << "\n";
    return 1;
  } else {
    err << "[bench] results written to " << command->out_path << "\n";
  }
  // The figures are written either way; a set whose service exited makes the run a failure.
  return results->errors_size() > 0 ? 3 : 0;
}

}  // namespace infobus::bench
