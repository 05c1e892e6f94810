#include "common/service/consumer_options.h"

#include <gtest/gtest.h>

#include "common/service/bus_config.h"

namespace infobus {
namespace {

// A consuming service's schema: the common keys and the consumer's.
Config ConsumerConfig(const std::vector<std::pair<std::string, std::string>>& sets) {
  ConfigSchema schema = CommonSchema("dispatch", "127.0.0.1:50053");
  for (ConfigKey& key : ConsumerSchema("dispatch")) schema.push_back(std::move(key));
  absl::StatusOr<Config> config = Config::Load(schema, "", {}, sets);
  EXPECT_TRUE(config.ok()) << config.status();
  return *std::move(config);
}

TEST(ConsumerOptionsFrom, TakesEveryKeyFromTheConfig) {
  const ConsumerOptions options = ConsumerOptionsFrom(ConsumerConfig({
      {"kafka.bootstrap_servers", "broker-c:9093"},
      {"kafka.topic_prefix", "q3."},
      {"kafka.group_id", "dispatch-blue"},
      {"kafka.group_instance_id", "dispatch-1"},
      {"kafka.max_batch", "77"},
      {"kafka.session_timeout", "12s"},
      {"health.consumer_stall", "45s"},
  }));
  EXPECT_EQ(options.loop.bootstrap_servers, "broker-c:9093");
  EXPECT_EQ(options.loop.group_id, "q3.dispatch-blue");  // the prefix keeps buses apart
  EXPECT_EQ(options.loop.group_instance_id, "dispatch-1");
  EXPECT_EQ(options.loop.dead_letter_topic, "q3.infobus.dlq.v1");
  EXPECT_EQ(options.loop.max_batch, 77);
  EXPECT_EQ(options.loop.session_timeout, absl::Seconds(12));
  EXPECT_TRUE(options.loop.topics.empty());  // the service's to choose
  EXPECT_EQ(options.stall_after, absl::Seconds(45));
}

TEST(ConsumerOptionsFrom, DefaultsAreTheSchemas) {
  const ConsumerOptions options = ConsumerOptionsFrom(ConsumerConfig({}));
  EXPECT_EQ(options.loop.group_id, "infobus-dispatch");
  EXPECT_EQ(options.loop.group_instance_id, "");
  EXPECT_EQ(options.loop.dead_letter_topic, "infobus.dlq.v1");
  EXPECT_EQ(options.loop.max_batch, 500);
  EXPECT_EQ(options.loop.session_timeout, absl::Seconds(10));
  EXPECT_EQ(options.stall_after, absl::Seconds(30));
}

}  // namespace
}  // namespace infobus
