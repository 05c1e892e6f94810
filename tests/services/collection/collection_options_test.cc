#include "services/collection/collection_options.h"

#include <gtest/gtest.h>

#include "services/collection/collection_server.h"
#include "tests/support/options_from_sets.h"

namespace infobus::collection {
namespace {

TEST(CollectionOptionsFrom, TakesTheCollectionKeys) {
  auto options = testing::OptionsFromSets(CollectionOptionsFrom, CollectionServer::Program().schema,
                                          {
                                              {"collection.max_batch_events", "250"},
                                              {"collection.max_in_flight_events", "9000"},
                                              {"collection.max_payload_bytes", "4096"},
                                              {"collection.max_future_skew", "90s"},
                                              {"collection.max_answer_wait", "3s"},
                                              {"grpc.listen", "0.0.0.0:7051"},
                                          });
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->service.max_batch_events, 250u);
  EXPECT_EQ(options->service.max_in_flight_events, 9000u);
  EXPECT_EQ(options->service.limits.max_payload_bytes, 4096u);
  EXPECT_EQ(options->service.limits.max_future_skew, absl::Seconds(90));
  EXPECT_EQ(options->service.max_answer_wait, absl::Seconds(3));
  EXPECT_EQ(options->bus.grpc_listen, "0.0.0.0:7051");
  EXPECT_EQ(options->bus.store_path, ".run/collection/db");
}

TEST(CollectionOptionsFrom, DefaultsAreTheSchemas) {
  auto options =
      testing::OptionsFromSets(CollectionOptionsFrom, CollectionServer::Program().schema, {});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->service.max_in_flight_events, 50000u);
  EXPECT_EQ(options->service.limits.max_future_skew, absl::Minutes(5));
  EXPECT_EQ(options->bus.grpc_listen, "127.0.0.1:50051");
}

TEST(CollectionOptionsFrom, PassesOnABadCommonKey) {
  auto options = testing::OptionsFromSets(CollectionOptionsFrom, CollectionServer::Program().schema,
                                          {{"log.level", "chatty"}});
  EXPECT_EQ(options.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace infobus::collection
