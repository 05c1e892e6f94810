// The judgment-vs-streams phase's smoke: scripts/bench.sh --phases judgment-vs-streams at a tiny
// size against the broker scripts/test.sh started ($INFOBUS_TEST_KAFKA), with this build's
// infobus-judgment and the Kafka Streams peer of tools/bench/streams/ (built with Maven when
// missing). Asserts that each side consumed exactly the events preloaded, sent every one through
// its repartition topic, and made the same judgments (every watchlist hit, and the hotspots);
// how fast either was is never judged (a benchmark is not a timed pass/fail test).
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

constexpr int kEvents = 3000;
// The workload's hits (tools/bench/workload.h): every 100th event and the last 20.
constexpr int kHits = 30 + 20;
// The hotspots: the events span one minute of one hour, in 4 groups (lodging check-ins and
// internet-café logins, in cities 4514 and 4501), each past the threshold of 20.
constexpr int kHotspots = 4;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

double Number(const Struct& object, const std::string& path) {
  const Value* value = infobus::testing::FindPath(object, path);
  EXPECT_TRUE(value != nullptr && value->has_number_value()) << path;
  return value != nullptr && value->has_number_value() ? value->number_value() : -1;
}

TEST(JudgmentVsStreamsSmoke, BothSidesConsumeEveryEventAndJudgeAlike) {
  const char* kafka = std::getenv("INFOBUS_TEST_KAFKA");
  ASSERT_TRUE(kafka != nullptr && *kafka != '\0')
      << "INFOBUS_TEST_KAFKA is not set: run through scripts/test.sh";
  std::random_device random;
  const std::string dir =
      ::testing::TempDir() + "/infobus-judgment-vs-streams-" + std::to_string(random());
  std::filesystem::create_directories(dir);
  const std::string out = dir + "/bench.json";
  const std::string log = dir + "/bench.log";
  const char* pki = std::getenv("INFOBUS_TEST_KAFKA_PKI");
  const char* security = std::getenv("INFOBUS_TEST_KAFKA_SECURITY");
  // `timeout` bounds the run (a Maven build of the peer included): a hang fails here instead of
  // stalling the suite.
  const std::string command =
      std::string("INFOBUS_PKI_DIR='") +
      (pki != nullptr && *pki != '\0' ? pki : INFOBUS_SOURCE_DIR "/.run/test/pki") +
      "' INFOBUS_KAFKA_SECURITY=" +
      (security != nullptr && std::string(security) == "plaintext" ? "plaintext" : "tls") +
      " INFOBUS_BENCH_KAFKA=" + kafka + " INFOBUS_BUILD_DIR=" + INFOBUS_BUILD_DIR +
      " INFOBUS_BENCH_SKIP_BUILD=1 INFOBUS_BENCH_RUN_DIR=" + dir + " timeout 300 " +
      INFOBUS_SOURCE_DIR + "/scripts/bench.sh --phases judgment-vs-streams --events " +
      std::to_string(kEvents) + " --pairs 1 --out " + out + " >" + log + " 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << command << "\n" << ReadFile(log);

  Struct doc;
  const auto parsed = google::protobuf::util::JsonStringToMessage(
      ReadFile(out), &doc, google::protobuf::util::JsonParseOptions());
  ASSERT_TRUE(parsed.ok()) << parsed.message() << "\n" << ReadFile(out);
  EXPECT_EQ(Number(doc, "figures.judgment_vs_streams.events"), kEvents);
  EXPECT_EQ(Number(doc, "figures.judgment_vs_streams.watchlist_hits_expected"), kHits);
  const Value* runs = infobus::testing::FindPath(doc, "figures.judgment_vs_streams.runs");
  ASSERT_TRUE(runs != nullptr && runs->has_list_value()) << ReadFile(out);
  ASSERT_EQ(runs->list_value().values_size(), 2) << ReadFile(out);
  const Struct& judgment = runs->list_value().values(0).struct_value();
  const Struct& streams = runs->list_value().values(1).struct_value();
  EXPECT_EQ(judgment.fields().at("side").string_value(), "judgment");
  EXPECT_EQ(streams.fields().at("side").string_value(), "streams");
  for (const Struct* side : {&judgment, &streams}) {
    const std::string name = side->fields().at("side").string_value();
    // Every preloaded event consumed and committed, each one through the repartition topic
    // (the hotspot rule takes both of the workload's kinds).
    EXPECT_EQ(Number(*side, "events"), kEvents) << name;
    EXPECT_EQ(Number(*side, "sightings"), kEvents) << name;
    // One judgment per watchlist hit, and one per hotspot.
    EXPECT_EQ(Number(*side, "judgments"), kHits + kHotspots) << name;
    EXPECT_GT(Number(*side, "seconds"), 0) << name;
    EXPECT_GT(Number(*side, "cpu_seconds"), 0) << name;
  }
  EXPECT_GT(Number(doc, "ratios.judgment_over_streams_events_per_s"), 0);
  EXPECT_GT(Number(doc, "ratios.judgment_over_streams_events_per_cpu_second"), 0);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace infobus::bench
