#include "services/judgment/judgment_options.h"

#include <gtest/gtest.h>

#include "services/judgment/judgment_server.h"
#include "tests/support/options_from_sets.h"

namespace infobus::judgment {
namespace {

TEST(JudgmentOptionsFrom, TakesTheJudgmentAndConsumerKeys) {
  auto options = testing::OptionsFromSets(JudgmentOptionsFrom, JudgmentServer::Program().schema,
                                          {
                                              {"judgment.rules_file", "/etc/infobus/rules.yaml"},
                                              {"judgment.rules_check_interval", "5s"},
                                              {"judgment.changelog", "false"},
                                              {"judgment.subscriber_max_lag", "250"},
                                              {"kafka.group_id", "judgment-green"},
                                              {"health.consumer_stall", "1m"},
                                          });
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->rules_file, "/etc/infobus/rules.yaml");
  EXPECT_EQ(options->rules_check_interval, absl::Seconds(5));
  EXPECT_FALSE(options->changelog);
  EXPECT_EQ(options->service.subscriber_max_lag, 250u);
  EXPECT_EQ(options->consumer.loop.group_id, "judgment-green");
  EXPECT_EQ(options->consumer.stall_after, absl::Minutes(1));
  EXPECT_EQ(options->bus.grpc_listen, "127.0.0.1:50052");
}

TEST(JudgmentOptionsFrom, DefaultsAreTheSchemas) {
  auto options =
      testing::OptionsFromSets(JudgmentOptionsFrom, JudgmentServer::Program().schema, {});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_TRUE(options->changelog);
  EXPECT_EQ(options->service.subscriber_max_lag, 10000u);
  EXPECT_EQ(options->consumer.loop.group_id, "infobus-judgment");
}

TEST(JudgmentOptionsFrom, ASubscriberMayLagOneEntryAtLeast) {
  auto options = testing::OptionsFromSets(JudgmentOptionsFrom, JudgmentServer::Program().schema,
                                          {{"judgment.subscriber_max_lag", "0"}});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->service.subscriber_max_lag, 1u);
}

}  // namespace
}  // namespace infobus::judgment
