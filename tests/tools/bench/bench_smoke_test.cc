// The benchmark's CI smoke: scripts/bench.sh --smoke against the broker scripts/test.sh started
// ($INFOBUS_TEST_KAFKA), with the services and infobus-bench of this build. It asserts only that
// the run completes and writes well-formed JSON with every figure present; the figures' values
// are never judged (a benchmark is not a timed pass/fail test).
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/json_path.h"

namespace infobus::bench {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

const Value* Find(const Struct& root, const std::string& path) {
  return infobus::testing::FindPath(root, path);
}

TEST(BenchSmoke, CompletesAndWritesEveryFigure) {
  const char* kafka = std::getenv("INFOBUS_TEST_KAFKA");
  ASSERT_TRUE(kafka != nullptr && *kafka != '\0')
      << "INFOBUS_TEST_KAFKA is not set: run through scripts/test.sh";
  std::random_device random;
  const std::string dir = ::testing::TempDir() + "/infobus-bench-smoke-" + std::to_string(random());
  std::filesystem::create_directories(dir);
  const std::string out = dir + "/bench.json";
  const std::string log = dir + "/bench.log";
  // The test broker's security and certificates, as the other integration tests find them
  // (tests/integration/support/bus.h).
  const char* pki = std::getenv("INFOBUS_TEST_KAFKA_PKI");
  const char* security = std::getenv("INFOBUS_TEST_KAFKA_SECURITY");
  const std::string command =
      std::string("INFOBUS_PKI_DIR='") +
      (pki != nullptr && *pki != '\0' ? pki : INFOBUS_SOURCE_DIR "/.run/test/pki") +
      "' INFOBUS_KAFKA_SECURITY=" +
      (security != nullptr && std::string(security) == "plaintext" ? "plaintext" : "tls") +
      " INFOBUS_BENCH_KAFKA=" + kafka + " INFOBUS_BUILD_DIR=" + INFOBUS_BUILD_DIR +
      " INFOBUS_BENCH_SKIP_BUILD=1 INFOBUS_BENCH_RUN_DIR=" + dir + " " + INFOBUS_SOURCE_DIR +
      "/scripts/bench.sh --smoke --out " + out + " >" + log + " 2>&1";
  const int status = std::system(command.c_str());
  ASSERT_EQ(status, 0) << command << "\n" << ReadFile(log);

  Struct doc;
  google::protobuf::util::JsonParseOptions options;
  const auto parsed = google::protobuf::util::JsonStringToMessage(ReadFile(out), &doc, options);
  ASSERT_TRUE(parsed.ok()) << parsed.message() << "\n" << ReadFile(out);

  for (const std::string path :
       {"run.id", "machine.cpu_model", "versions.librdkafka", "versions.grpc", "versions.rocksdb",
        "versions.kafka_broker", "config.event_value_bytes", "config.client_concurrency"}) {
    EXPECT_NE(Find(doc, path), nullptr) << path;
  }
  const std::vector<std::string> positive = {
      "machine.nproc",
      "figures.baseline.produce_msgs_per_s",
      "figures.baseline.consume_msgs_per_s",
      "figures.ingest.accepted_events_per_s",
      "figures.ingest.events_per_collection_cpu_second",
      "figures.pipeline.events_per_s",
      "figures.pipeline_latency.offered_events_per_s",
      "figures.pipeline_latency.publish_to_unit_stream_ms.count",
      "figures.pipeline_latency.publish_to_unit_stream_ms.p50",
      "figures.pipeline_latency.publish_to_unit_stream_ms.p99",
      "figures.pipeline_latency.publish_to_unit_stream_ms.p99_9",
      "figures.pipeline_latency.publish_to_accepted_ms.p99",
      "figures.baseline_latency.produce_to_consume_ms.count",
      "figures.baseline_latency.produce_to_consume_ms.p50",
      "figures.baseline_latency.produce_to_consume_ms.p99",
      "figures.baseline_latency.produce_to_consume_ms.p99_9",
      "ratios.pipeline_over_baseline_produce",
      "ratios.ingest_over_baseline_produce",
      // The secure set (TLS, authentication, authorization), measured beside the insecure one.
      "figures.pipeline_secure.events_per_s",
      "figures.pipeline_latency_secure.offered_events_per_s",
      "figures.pipeline_latency_secure.publish_to_unit_stream_ms.count",
      "figures.pipeline_latency_secure.publish_to_unit_stream_ms.p50",
      "figures.pipeline_latency_secure.publish_to_unit_stream_ms.p99",
      "figures.pipeline_latency_secure.publish_to_accepted_ms.p99",
      "ratios.secure_vs_insecure_throughput",
  };
  for (const std::string& path : positive) {
    const Value* value = Find(doc, path);
    ASSERT_NE(value, nullptr) << path << " missing in\n" << ReadFile(out);
    ASSERT_TRUE(value->has_number_value()) << path;
    EXPECT_GT(value->number_value(), 0) << path;
  }
  // The independent consumer read the baseline's topic whole: its measured messages and the
  // warm-up one.
  const Value* kcat = Find(doc, "figures.baseline.kcat_messages");
  const Value* measured = Find(doc, "config.baseline_messages");
  ASSERT_TRUE(kcat != nullptr && measured != nullptr) << ReadFile(out);
  EXPECT_EQ(kcat->number_value(), measured->number_value() + 1);
  // A difference, so any sign; only its presence is checked.
  const Value* p50_difference = Find(doc, "ratios.secure_minus_insecure_p50_ms");
  ASSERT_NE(p50_difference, nullptr);
  EXPECT_TRUE(p50_difference->has_number_value());
  // Nothing lost, nothing doubled on the way, in either set: every judgment expected arrived
  // once, and the secure set refused none of the bench's events (its source is registered).
  for (const std::string set : {"figures.pipeline", "figures.pipeline_secure"}) {
    const Value* delivered = Find(doc, set + ".judgments_delivered");
    const Value* expected = Find(doc, set + ".judgments_expected");
    const Value* duplicates = Find(doc, set + ".duplicates");
    const Value* rejected = Find(doc, set + ".rejected");
    ASSERT_TRUE(delivered != nullptr && expected != nullptr && duplicates != nullptr &&
                rejected != nullptr)
        << set;
    EXPECT_EQ(delivered->number_value(), expected->number_value()) << set;
    EXPECT_EQ(duplicates->number_value(), 0) << set;
    EXPECT_EQ(rejected->number_value(), 0) << set;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace infobus::bench
