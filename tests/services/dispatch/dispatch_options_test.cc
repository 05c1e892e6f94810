#include "services/dispatch/dispatch_options.h"

#include <gtest/gtest.h>

#include "services/dispatch/dispatch_server.h"
#include "tests/support/options_from_sets.h"

namespace infobus::dispatch {
namespace {

TEST(DispatchOptionsFrom, TakesTheDispatchAndConsumerKeys) {
  auto options = testing::OptionsFromSets(DispatchOptionsFrom, DispatchServer::Program().schema,
                                          {{"dispatch.routing_file", "/etc/routing.yaml"},
                                           {"dispatch.routing_check_interval", "750ms"},
                                           {"kafka.max_batch", "64"}});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->routing_file, "/etc/routing.yaml");
  EXPECT_EQ(options->routing_check_interval, absl::Milliseconds(750));
  EXPECT_EQ(options->consumer.loop.max_batch, 64);
  EXPECT_EQ(options->consumer.loop.group_id, "infobus-dispatch");
  EXPECT_EQ(options->bus.metrics_listen, "127.0.0.1:9463");
}

TEST(DispatchOptionsFrom, WithoutARoutingFileEveryTwoSeconds) {
  auto options =
      testing::OptionsFromSets(DispatchOptionsFrom, DispatchServer::Program().schema, {});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->routing_file, "");
  EXPECT_EQ(options->routing_check_interval, absl::Seconds(2));
}

}  // namespace
}  // namespace infobus::dispatch
