// The supervision phase's smoke: scripts/bench.sh --phases supervision at tiny sizes, with the
// infobus-bench of this build and no broker. Asserts that the run completes, that the JSON has
// every figure, and that its counts are those generated and its percentiles ordered; how fast
// anything was is never judged (a benchmark is not a timed pass/fail test).
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "tests/support/json_path.h"

namespace infobus::bench {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

constexpr int kEvents = 12000;
constexpr int kJudgments = 1500;
constexpr int kTraces = 150;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class SupervisionBenchSmoke : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    dir_ = ::testing::TempDir() + "/infobus-supervision-bench-smoke-" + std::to_string(random());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // The number at `path`; fails the test when it is missing or not a number.
  double Number(const std::string& path) {
    const Value* value = infobus::testing::FindPath(doc_, path);
    EXPECT_TRUE(value != nullptr && value->has_number_value()) << path << " in\n" << json_;
    return value != nullptr && value->has_number_value() ? value->number_value() : -1;
  }

  std::string dir_, json_;
  Struct doc_;
};

TEST_F(SupervisionBenchSmoke, FoldsTracesAndReportsWhatItGenerated) {
  const std::string out = dir_ + "/bench.json";
  const std::string log = dir_ + "/bench.log";
  const std::string run = dir_ + "/run";
  // `timeout` bounds the run: a hang fails here instead of stalling the suite.
  const std::string command =
      std::string("INFOBUS_BUILD_DIR=") + INFOBUS_BUILD_DIR +
      " INFOBUS_BENCH_SKIP_BUILD=1 INFOBUS_BENCH_RUN_DIR=" + run + " timeout 120 " +
      INFOBUS_SOURCE_DIR + "/scripts/bench.sh --phases supervision --supervision-events " +
      std::to_string(kEvents) + " --supervision-judgments " + std::to_string(kJudgments) +
      " --supervision-traces " + std::to_string(kTraces) +
      " --supervision-report-runs 3 --supervision-pipeline-rate 55000 --out " + out + " >" + log +
      " 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << command << "\n" << ReadFile(log);
  json_ = ReadFile(out);
  const auto parsed = google::protobuf::util::JsonStringToMessage(
      json_, &doc_, google::protobuf::util::JsonParseOptions());
  ASSERT_TRUE(parsed.ok()) << parsed.message() << "\n" << json_;

  // What was asked for is what was generated, folded and reported.
  EXPECT_EQ(Number("config.supervision.events"), kEvents);
  EXPECT_EQ(Number("figures.supervision.fold.events"), kEvents);
  EXPECT_EQ(Number("figures.supervision.fold.judgments"), kJudgments);
  const double deliveries = Number("figures.supervision.fold.deliveries");
  EXPECT_GE(deliveries, kJudgments);  // one each, and one more per escalation
  EXPECT_EQ(deliveries, kJudgments + Number("figures.supervision.fold.escalations"));
  EXPECT_GT(Number("figures.supervision.fold.facts"), kEvents + kJudgments + deliveries);
  EXPECT_EQ(Number("figures.supervision.report_all.events"), kEvents);
  EXPECT_EQ(Number("figures.supervision.report_all.judgments"), kJudgments);
  EXPECT_EQ(Number("figures.supervision.report_all.deliveries"), deliveries);
  for (const std::string field : {"events", "judgments", "deliveries"}) {
    const double city = Number("figures.supervision.report_city." + field);
    EXPECT_EQ(city, Number("figures.supervision.report_city.expected_" + field)) << field;
    EXPECT_GT(city, 0) << field;
    EXPECT_LT(city, Number("figures.supervision.report_all." + field)) << field;
  }
  EXPECT_EQ(Number("figures.supervision.trace.asked"), 2 * kTraces);
  EXPECT_EQ(Number("figures.supervision.trace.complete"), 2 * kTraces);

  // Sane figures: rates and sizes positive, percentiles ordered.
  for (const std::string path :
       {"figures.supervision.fold.seconds", "figures.supervision.fold.facts_per_s",
        "figures.supervision.fold.events_per_s", "figures.supervision.fold.store_bytes",
        "figures.supervision.fold.tallies", "figures.supervision.fold.write_batch_entries",
        "figures.supervision.report_all.min_ms", "figures.supervision.report_all.median_ms",
        "figures.supervision.report_all.tallies_scanned",
        "figures.supervision.report_city.median_ms", "ratios.supervision_fold_over_pipeline",
        "machine.nproc", "machine.mem_total_mib"}) {
    EXPECT_GT(Number(path), 0) << path;
  }
  for (const std::string latency :
       {"figures.supervision.fold.batch_ms", "figures.supervision.trace.by_judgment_id_ms",
        "figures.supervision.trace.by_trace_id_ms"}) {
    const double p50 = Number(latency + ".p50");
    EXPECT_GT(p50, 0) << latency;
    EXPECT_GE(Number(latency + ".p99"), p50) << latency;
    EXPECT_GE(Number(latency + ".p99_9"), Number(latency + ".p99")) << latency;
  }
  EXPECT_EQ(Number("figures.supervision.trace.by_judgment_id_ms.count"), kTraces);
  EXPECT_LE(Number("figures.supervision.report_all.min_ms"),
            Number("figures.supervision.report_all.median_ms"));
  EXPECT_EQ(Number("figures.supervision.pipeline_events_per_s"), 55000);

  // The temporary store is gone: only the run's logs and results directories are left.
  for (const auto& entry : std::filesystem::directory_iterator(run)) {
    EXPECT_TRUE(entry.path().filename() == "logs" || entry.path().filename() == "results")
        << entry.path();
  }
}

}  // namespace
}  // namespace infobus::bench
