// infobus-bench's flags (tools/bench/command_line.h): one CLI11 app, every flag in --help,
// --smoke sizes under explicit ones, and one clear line with exit code 2 for bad usage.
#include "tools/bench/command_line.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "tools/bench/workload.h"

namespace infobus::bench {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// The flags infobus-bench cannot run without, then `more`.
std::vector<std::string> With(std::vector<std::string> more) {
  std::vector<std::string> args = {"--kafka",    "127.0.0.1:9092", "--collection", "127.0.0.1:1",
                                   "--judgment", "127.0.0.1:2",    "--dispatch",   "127.0.0.1:3"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

TEST(BenchFlags, TheRequiredFlagsAloneRunWithTheFullSizes) {
  absl::StatusOr<BenchCommand> command = ParseBenchFlags(With({}));
  ASSERT_TRUE(command.ok()) << command.status();
  EXPECT_EQ(command->action, BenchCommand::Action::kRun);
  const BenchOptions& o = command->options;
  EXPECT_EQ(o.kafka, "127.0.0.1:9092");
  EXPECT_EQ(o.collection, "127.0.0.1:1");
  EXPECT_EQ(o.judgment, "127.0.0.1:2");
  EXPECT_EQ(o.dispatch, "127.0.0.1:3");
  const BenchOptions defaults;
  EXPECT_FALSE(o.smoke);
  EXPECT_EQ(o.pipeline_events, defaults.pipeline_events);
  EXPECT_EQ(o.concurrency, defaults.concurrency);
  EXPECT_EQ(o.latency_duration, defaults.latency_duration);
  EXPECT_EQ(o.phases, "baseline,ingest,pipeline,latency");
  EXPECT_EQ(command->out_path, "");
}

TEST(BenchFlags, EveryKindOfValueIsStored) {
  absl::StatusOr<BenchCommand> command = ParseBenchFlags(With({"--out=/tmp/b.json",
                                                               "--topic-prefix",
                                                               "p.",
                                                               "--phases",
                                                               "latency,pipeline",
                                                               "--pipeline-events",
                                                               "400000",
                                                               "--concurrency",
                                                               "8",
                                                               "--load-fraction",
                                                               "0.5",
                                                               "--latency-duration",
                                                               "15s",
                                                               "--latency-send-interval=5ms",
                                                               "--pids",
                                                               "collection=10,kafka=11",
                                                               "--kafka-version",
                                                               "4.4.0",
                                                               "--git-revision",
                                                               "abc"}));
  ASSERT_TRUE(command.ok()) << command.status();
  const BenchOptions& o = command->options;
  EXPECT_EQ(command->out_path, "/tmp/b.json");
  EXPECT_EQ(o.topic_prefix, "p.");
  EXPECT_EQ(o.phases, "latency,pipeline");
  EXPECT_EQ(o.pipeline_events, 400000);
  EXPECT_EQ(o.concurrency, 8);
  EXPECT_DOUBLE_EQ(o.load_fraction, 0.5);
  EXPECT_EQ(o.latency_duration, absl::Seconds(15));
  EXPECT_EQ(o.latency_send_interval, absl::Milliseconds(5));
  EXPECT_EQ(o.pids, (std::map<std::string, int>{{"collection", 10}, {"kafka", 11}}));
  EXPECT_EQ(o.kafka_version, "4.4.0");
  EXPECT_EQ(o.git_revision, "abc");
}

TEST(BenchFlags, TheLastValueWins) {
  // scripts/bench.sh puts the caller's flags after its own.
  absl::StatusOr<BenchCommand> command =
      ParseBenchFlags(With({"--out", "a.json", "--batch", "100", "--out", "b.json", "--batch=7"}));
  ASSERT_TRUE(command.ok()) << command.status();
  EXPECT_EQ(command->out_path, "b.json");
  EXPECT_EQ(command->options.batch, 7);
}

TEST(BenchFlags, AnEmptyValueAfterEqualsIsEmpty) {
  absl::StatusOr<BenchCommand> command = ParseBenchFlags(With({"--topic-prefix=", "--smoke"}));
  ASSERT_TRUE(command.ok()) << command.status();
  EXPECT_EQ(command->options.topic_prefix, "");
  EXPECT_TRUE(command->options.smoke);
}

TEST(BenchFlags, SmokeSizesGiveWayToExplicitOnesWhereverTheyStand) {
  BenchOptions smoke;
  smoke.MakeSmoke();
  for (const std::vector<std::string>& more : std::vector<std::vector<std::string>>{
           {"--smoke", "--concurrency", "8"}, {"--concurrency", "8", "--smoke"}}) {
    absl::StatusOr<BenchCommand> command = ParseBenchFlags(With(more));
    ASSERT_TRUE(command.ok()) << command.status();
    EXPECT_TRUE(command->options.smoke);
    EXPECT_EQ(command->options.concurrency, 8);
    EXPECT_EQ(command->options.pipeline_events, smoke.pipeline_events);
    EXPECT_EQ(command->options.latency_duration, smoke.latency_duration);
    EXPECT_EQ(command->options.rounds, smoke.rounds);
  }
}

TEST(BenchFlags, TheSupervisionPhaseAloneNeedsNoBus) {
  absl::StatusOr<BenchCommand> command =
      ParseBenchFlags({"--phases", "supervision", "--supervision-events", "10000000",
                       "--supervision-judgments=1000000", "--supervision-batch", "1000",
                       "--supervision-traces", "500", "--supervision-report-runs", "7",
                       "--supervision-dir", "/data/tmp", "--supervision-pipeline-rate", "55000"});
  ASSERT_TRUE(command.ok()) << command.status();
  const BenchOptions& o = command->options;
  EXPECT_EQ(o.phases, "supervision");
  EXPECT_EQ(o.supervision_events, 10000000);
  EXPECT_EQ(o.supervision_judgments, 1000000);
  EXPECT_EQ(o.supervision_batch, 1000);
  EXPECT_EQ(o.supervision_traces, 500);
  EXPECT_EQ(o.supervision_report_runs, 7);
  EXPECT_EQ(o.supervision_dir, "/data/tmp");
  EXPECT_DOUBLE_EQ(o.supervision_pipeline_rate, 55000);

  // With another phase the bus is needed again.
  command = ParseBenchFlags({"--phases", "supervision,pipeline"});
  ASSERT_FALSE(command.ok());
  EXPECT_THAT(command.status().message(), HasSubstr("--kafka is required"));
}

TEST(BenchFlags, TheBaselineAndJudgmentVsStreamsNeedOnlyTheBroker) {
  absl::StatusOr<BenchCommand> command = ParseBenchFlags({"--phases", "baseline", "--kafka", "k"});
  ASSERT_TRUE(command.ok()) << command.status();
  command = ParseBenchFlags({"--phases", "baseline,judgment-vs-streams", "--kafka", "k",
                             "--judgment-command", "j", "--streams-command", "s",
                             "--compare-events", "500", "--compare-pairs", "5"});
  ASSERT_TRUE(command.ok()) << command.status();
  EXPECT_EQ(command->options.compare_events, 500);
  EXPECT_EQ(command->options.compare_pairs, 5);
  EXPECT_EQ(command->options.judgment_command, "j");
  EXPECT_EQ(command->options.streams_command, "s");
  // Without the two commands there is nothing to compare.
  command = ParseBenchFlags({"--phases", "judgment-vs-streams", "--kafka", "k"});
  ASSERT_FALSE(command.ok());
  EXPECT_THAT(command.status().message(), HasSubstr("--judgment-command and --streams-command"));
  command = ParseBenchFlags(
      {"--phases", "judgment-vs-streams", "--judgment-command", "j", "--streams-command", "s"});
  ASSERT_FALSE(command.ok());
  EXPECT_THAT(command.status().message(), HasSubstr("--kafka is required"));
}

TEST(BenchFlags, HelpAndSourceRegistryNeedNoOtherFlag) {
  for (const char* flag : {"--help", "-h"}) {
    absl::StatusOr<BenchCommand> command = ParseBenchFlags({flag});
    ASSERT_TRUE(command.ok()) << command.status();
    EXPECT_EQ(command->action, BenchCommand::Action::kHelp);
  }
  absl::StatusOr<BenchCommand> command = ParseBenchFlags({"--print-source-registry"});
  ASSERT_TRUE(command.ok()) << command.status();
  EXPECT_EQ(command->action, BenchCommand::Action::kPrintSourceRegistry);
}

std::string ErrorOf(const std::vector<std::string>& args) {
  absl::StatusOr<BenchCommand> command = ParseBenchFlags(args);
  if (command.ok()) return "(accepted)";
  EXPECT_EQ(command.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(command.status().message());
}

TEST(BenchFlags, BadUsageSaysWhatIsWrong) {
  EXPECT_THAT(ErrorOf({"--collection", "a", "--judgment", "b", "--dispatch", "c"}),
              HasSubstr("--kafka is required"));
  EXPECT_THAT(ErrorOf(With({"--bogus", "1"})), HasSubstr("--bogus"));
  EXPECT_THAT(ErrorOf(With({"stray"})), HasSubstr("stray"));
  EXPECT_THAT(ErrorOf(With({"--out"})), HasSubstr("--out"));
  EXPECT_THAT(ErrorOf(With({"--concurrency", "0"})), HasSubstr("--concurrency"));
  EXPECT_THAT(ErrorOf(With({"--pipeline-events", "-5"})), HasSubstr("--pipeline-events"));
  EXPECT_THAT(ErrorOf(With({"--pipeline-events", "many"})), HasSubstr("--pipeline-events"));
  EXPECT_THAT(ErrorOf(With({"--concurrency", "--batch", "5"})),
              HasSubstr("needs a value, not the flag --batch"));
  EXPECT_THAT(ErrorOf(With({"--latency-duration", "soon"})), HasSubstr("'soon' is not a duration"));
  EXPECT_THAT(ErrorOf(With({"--phases", "baseline,latencies"})),
              HasSubstr("'latencies' is not a phase"));
  EXPECT_THAT(ErrorOf(With({"--pids", "collection"})), HasSubstr("expects name=pid"));
  EXPECT_THAT(ErrorOf(With({"--kafka-cert", "c.pem"})),
              HasSubstr("--kafka-cert and --kafka-key need --kafka-ca"));
  EXPECT_THAT(ErrorOf(With({"--secure-collection", "127.0.0.1:4"})),
              HasSubstr("the secure set needs"));
  EXPECT_THAT(ErrorOf(With({"--smoke=yes"})), HasSubstr("--smoke takes no value"));
  EXPECT_THAT(ErrorOf({"--kafka", "k", "--judgment", "b", "--dispatch", "c"}),
              HasSubstr("--collection is required"));
  EXPECT_THAT(ErrorOf(With({"--supervision-events", "0"})), HasSubstr("--supervision-events"));
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--bogus"}, With({"--concurrency", "0"}), With({"--kafka-cert", "c.pem"})}) {
    EXPECT_THAT(ErrorOf(args), HasSubstr("(try --help)")) << args.front();
  }
}

TEST(BenchUsage, ListsEveryFlagWithItsDefault) {
  const std::string usage = BenchUsage();
  for (const char* flag : {"--kafka",
                           "--collection",
                           "--judgment",
                           "--dispatch",
                           "--topic-prefix",
                           "--kafka-ca",
                           "--kafka-cert",
                           "--kafka-key",
                           "--out",
                           "--smoke",
                           "--phases",
                           "--pids",
                           "--kafka-version",
                           "--git-revision",
                           "--print-source-registry",
                           "--baseline-messages",
                           "--baseline-warmup",
                           "--ingest-events",
                           "--pipeline-events",
                           "--warmup-events",
                           "--concurrency",
                           "--batch",
                           "--latency-batch",
                           "--rounds",
                           "--baseline-linger-ms",
                           "--load-fraction",
                           "--latency-rate",
                           "--latency-duration",
                           "--latency-send-interval",
                           "--drain-timeout",
                           "--secure-collection",
                           "--secure-judgment",
                           "--secure-dispatch",
                           "--grpc-ca",
                           "--grpc-cert",
                           "--grpc-key",
                           "--grpc-admin-cert",
                           "--grpc-admin-key",
                           "--grpc-token-file",
                           "--supervision-events",
                           "--supervision-judgments",
                           "--supervision-batch",
                           "--supervision-traces",
                           "--supervision-report-runs",
                           "--supervision-dir",
                           "--supervision-pipeline-rate"}) {
    EXPECT_THAT(usage, HasSubstr(std::string(flag) + " ")) << flag;
  }
  EXPECT_THAT(usage, HasSubstr("200000"));  // --baseline-messages
  EXPECT_THAT(usage, HasSubstr("30s"));     // --latency-duration
  EXPECT_THAT(usage, HasSubstr("baseline,ingest,pipeline,latency"));
  EXPECT_THAT(usage, HasSubstr(Workload::kSourceId));
  EXPECT_THAT(usage, HasSubstr("10000000"));  // --supervision-events
}

struct Outcome {
  int code;
  std::string out, err;
};

Outcome Main(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  const int code = BenchMain(args, out, err);
  return {code, out.str(), err.str()};
}

TEST(BenchMain, ExitCodesOfWhatNeedsNoBus) {
  Outcome outcome = Main({"--help"});
  EXPECT_EQ(outcome.code, 0);
  EXPECT_EQ(outcome.out, BenchUsage());

  outcome = Main({"--print-source-registry"});
  EXPECT_EQ(outcome.code, 0);
  EXPECT_EQ(outcome.out, Workload::SourceRegistryYaml());

  outcome = Main(With({"--bogus"}));
  EXPECT_EQ(outcome.code, 2);
  EXPECT_EQ(outcome.out, "");
  EXPECT_THAT(outcome.err, StartsWith("infobus-bench: "));
  EXPECT_THAT(outcome.err, HasSubstr("--bogus"));
  EXPECT_EQ(outcome.err.back(), '\n');
}

}  // namespace
}  // namespace infobus::bench
