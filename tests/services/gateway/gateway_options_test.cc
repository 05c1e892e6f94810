#include "services/gateway/gateway_options.h"

#include <gtest/gtest.h>

#include "tests/support/options_from_sets.h"

namespace infobus::gateway {
namespace {

using infobus::testing::OptionsFromSets;

TEST(GatewayOptionsFrom, Defaults) {
  absl::StatusOr<GatewayOptions> options = OptionsFromSets(GatewayOptionsFrom, GatewaySchema(), {});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->listen, "127.0.0.1:50080");
  EXPECT_TRUE(options->tls);
  EXPECT_FALSE(options->upstream.insecure);
  EXPECT_TRUE(options->upstream.tls.cert_file.empty());  // no client certificate, ever
  EXPECT_EQ(options->service_addresses.at("collection"), "127.0.0.1:50051");
  EXPECT_EQ(options->service_addresses.at("supervision"), "127.0.0.1:50054");
  EXPECT_EQ(options->call_timeout, absl::Seconds(10));
  EXPECT_EQ(options->keep_alive, absl::Seconds(15));
  EXPECT_GT(options->threads, options->max_streams);
}

TEST(GatewayOptionsFrom, ThreadsMustOutnumberStreams) {
  const absl::StatusOr<GatewayOptions> options =
      OptionsFromSets(GatewayOptionsFrom, GatewaySchema(),
                      {{"gateway.threads", "8"}, {"gateway.max_streams", "8"}});
  EXPECT_EQ(options.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(options.status().message().find("gateway.threads"), absl::string_view::npos);
}

TEST(GatewayOptionsFrom, BadValuesNameTheirKey) {
  for (const auto& [key, value] :
       std::vector<std::pair<std::string, std::string>>{{"gateway.listen", "nowhere"},
                                                        {"gateway.listen", "127.0.0.1:99999"},
                                                        {"security.mode", "maybe"},
                                                        {"log.level", "loud"},
                                                        {"gateway.call_timeout", "0s"},
                                                        {"gateway.cert_file", ""}}) {
    const absl::StatusOr<GatewayOptions> options =
        OptionsFromSets(GatewayOptionsFrom, GatewaySchema(), {{key, value}});
    EXPECT_EQ(options.status().code(), absl::StatusCode::kInvalidArgument) << key << "=" << value;
  }
}

TEST(GatewayOptionsFrom, InsecureUpstreamOnlyWhenAsked) {
  const absl::StatusOr<GatewayOptions> options =
      OptionsFromSets(GatewayOptionsFrom, GatewaySchema(),
                      {{"security.mode", "insecure"}, {"gateway.tls", "false"}});
  ASSERT_TRUE(options.ok());
  EXPECT_TRUE(options->upstream.insecure);
  EXPECT_FALSE(options->tls);
}

}  // namespace
}  // namespace infobus::gateway
