// The results JSON (tools/bench/results_json.h): the shape its readers expect (scripts,
// docs/benchmarks.md, the smoke test): proto field names, numbers as numbers, measured zeros
// present and what was not measured absent.
#include "tools/bench/results_json.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <string>

#include "tests/support/json_path.h"

namespace infobus::bench {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

Struct Parse(const std::string& json) {
  Struct doc;
  const auto parsed = google::protobuf::util::JsonStringToMessage(json, &doc);
  EXPECT_TRUE(parsed.ok()) << parsed.ToString() << "\n" << json;
  return doc;
}

const Value* Find(const Struct& root, const std::string& path) {
  return infobus::testing::FindPath(root, path);
}

TEST(ResultsJson, KeepsTheFieldNamesAndWritesNumbersAsNumbers) {
  v1::BenchResults results;
  results.mutable_run()->set_id("b1x2");
  results.mutable_machine()->set_nproc(2);
  results.mutable_config()->set_rounds(3);
  results.mutable_config()->set_baseline_messages(200000);
  v1::Pipeline& pipeline = *results.mutable_figures()->mutable_pipeline();
  pipeline.set_events_per_s(25548.9);
  pipeline.add_events_per_s_rounds(23532.6);
  pipeline.add_events_per_s_rounds(25548.9);
  pipeline.set_judgments_delivered(3060);
  (*pipeline.mutable_cpu_seconds())["secure_collection"] = 0.5;
  v1::Latency& latency =
      *results.mutable_figures()->mutable_pipeline_latency()->mutable_publish_to_unit_stream_ms();
  latency.set_count(1593);
  latency.set_p99_9(1406.14);
  results.mutable_ratios()->set_secure_vs_insecure_throughput(0.875);

  absl::StatusOr<std::string> json = ResultsJson(results);
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(json->back(), '\n');
  const Struct doc = Parse(*json);
  for (const auto& [path, number] : std::vector<std::pair<std::string, double>>{
           {"machine.nproc", 2},
           {"config.rounds", 3},
           {"config.baseline_messages", 200000},
           {"figures.pipeline.events_per_s", 25548.9},
           {"figures.pipeline.judgments_delivered", 3060},
           {"figures.pipeline.cpu_seconds.secure_collection", 0.5},
           {"figures.pipeline_latency.publish_to_unit_stream_ms.count", 1593},
           {"figures.pipeline_latency.publish_to_unit_stream_ms.p99_9", 1406.14},
           {"ratios.secure_vs_insecure_throughput", 0.875}}) {
    const Value* value = Find(doc, path);
    ASSERT_NE(value, nullptr) << path << " missing in\n" << *json;
    ASSERT_TRUE(value->has_number_value()) << path << " is not a number in\n" << *json;
    EXPECT_DOUBLE_EQ(value->number_value(), number) << path;
  }
  const Value* rounds = Find(doc, "figures.pipeline.events_per_s_rounds");
  ASSERT_NE(rounds, nullptr);
  ASSERT_EQ(rounds->list_value().values_size(), 2);
  EXPECT_DOUBLE_EQ(rounds->list_value().values(1).number_value(), 25548.9);
  EXPECT_EQ(Find(doc, "run.id")->string_value(), "b1x2");
  // Counts are written as integers, as the readers always saw them.
  EXPECT_NE(json->find("\"judgments_delivered\": 3060,"), std::string::npos) << *json;
}

TEST(ResultsJson, AMeasuredZeroIsWrittenAndWhatWasNotMeasuredIsNot) {
  v1::BenchResults results;
  results.mutable_figures()->mutable_pipeline()->set_duplicates(0);
  results.mutable_figures()->mutable_pipeline()->set_rejected(0);
  results.mutable_config()->set_topic_prefix("");
  results.mutable_config()->mutable_secure()->set_audit_records_on_hot_path(false);
  results.mutable_ratios();

  absl::StatusOr<std::string> json = ResultsJson(results);
  ASSERT_TRUE(json.ok()) << json.status();
  const Struct doc = Parse(*json);
  for (const std::string path :
       {"figures.pipeline.duplicates", "figures.pipeline.rejected", "config.topic_prefix",
        "config.secure.audit_records_on_hot_path", "ratios"}) {
    EXPECT_NE(Find(doc, path), nullptr) << path << " missing in\n" << *json;
  }
  EXPECT_EQ(Find(doc, "figures.pipeline.duplicates")->number_value(), 0);
  for (const std::string path :
       {"figures.pipeline.accepted", "figures.pipeline.events_per_s_rounds",
        "figures.pipeline.cpu_seconds", "figures.ingest", "figures.pipeline_secure",
        "ratios.secure_minus_insecure_p50_ms", "errors", "run", "machine"}) {
    EXPECT_EQ(Find(doc, path), nullptr) << path << " present in\n" << *json;
  }
}

TEST(ResultsJson, ErrorsAreAListOfStrings) {
  v1::BenchResults results;
  results.add_errors("secure: latency round 1: secure_collection (pid 4010) exited");
  absl::StatusOr<std::string> json = ResultsJson(results);
  ASSERT_TRUE(json.ok()) << json.status();
  const Struct doc = Parse(*json);
  const Value* errors = Find(doc, "errors");
  ASSERT_NE(errors, nullptr);
  ASSERT_EQ(errors->list_value().values_size(), 1);
  EXPECT_EQ(errors->list_value().values(0).string_value(),
            "secure: latency round 1: secure_collection (pid 4010) exited");
}

TEST(ResultsJson, NoNaNOrInfinityReachesTheJson) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  v1::BenchResults results;
  v1::Ingest& ingest = *results.mutable_figures()->mutable_ingest();
  ingest.set_accepted_events_per_s(inf);
  ingest.set_accepted(10);
  ingest.mutable_call_latency_ms()->set_mean(nan);
  (*ingest.mutable_cpu_seconds())["collection"] = nan;
  v1::Pipeline& pipeline = *results.mutable_figures()->mutable_pipeline();
  pipeline.add_events_per_s_rounds(100);
  pipeline.add_events_per_s_rounds(-inf);

  absl::StatusOr<std::string> json = ResultsJson(results);
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(json->find("NaN"), std::string::npos) << *json;
  EXPECT_EQ(json->find("Infinity"), std::string::npos) << *json;
  const Struct doc = Parse(*json);
  // A figure: left out. An element of a list or map: 0, keeping the others where they are.
  EXPECT_EQ(Find(doc, "figures.ingest.accepted_events_per_s"), nullptr);
  EXPECT_EQ(Find(doc, "figures.ingest.call_latency_ms.mean"), nullptr);
  EXPECT_EQ(Find(doc, "figures.ingest.accepted")->number_value(), 10);
  EXPECT_EQ(Find(doc, "figures.ingest.cpu_seconds.collection")->number_value(), 0);
  const Value* rounds = Find(doc, "figures.pipeline.events_per_s_rounds");
  ASSERT_NE(rounds, nullptr);
  ASSERT_EQ(rounds->list_value().values_size(), 2);
  EXPECT_EQ(rounds->list_value().values(0).number_value(), 100);
  EXPECT_EQ(rounds->list_value().values(1).number_value(), 0);
}

}  // namespace
}  // namespace infobus::bench
