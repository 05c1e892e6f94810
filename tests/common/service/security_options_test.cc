#include "common/service/security_options.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/service/service_security.h"
#include "tests/support/options_from_sets.h"

namespace infobus {
namespace {

absl::StatusOr<SecurityOptions> SecurityOptionsWith(const testing::Sets& sets) {
  return testing::OptionsFromSets(SecurityOptionsFrom, SecuritySchema("judgment"), sets);
}

TEST(SecurityOptionsFrom, TakesEveryKeyFromTheConfig) {
  auto options = SecurityOptionsWith({
      {"security.mode", "tls"},
      {"security.ca_file", "/secrets/ca.pem"},
      {"security.cert_file", "/secrets/judgment.pem"},
      {"security.key_file", "/secrets/judgment.key"},
      {"security.jwks_file", "/secrets/jwks.json"},
      {"security.token_issuer", "county-idp"},
      {"security.token_audience", "infobus-prod"},
      {"security.sources_file", "/etc/infobus/sources.yaml"},
      {"security.administrators", "admin,supervision,,"},
  });
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->mode, SecurityOptions::Mode::kTls);
  EXPECT_EQ(options->tls.ca_file, "/secrets/ca.pem");
  EXPECT_EQ(options->tls.cert_file, "/secrets/judgment.pem");
  EXPECT_EQ(options->tls.key_file, "/secrets/judgment.key");
  EXPECT_EQ(options->jwks_file, "/secrets/jwks.json");
  EXPECT_EQ(options->token_issuer, "county-idp");
  EXPECT_EQ(options->token_audience, "infobus-prod");
  EXPECT_EQ(options->sources_file, "/etc/infobus/sources.yaml");
  EXPECT_THAT(options->administrators, ::testing::ElementsAre("admin", "supervision"));
}

TEST(SecurityOptionsFrom, DefaultsPointIntoTheLocalPki) {
  auto options = SecurityOptionsWith({});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->mode, SecurityOptions::Mode::kTls);
  EXPECT_EQ(options->tls.cert_file, ".run/pki/services/judgment.pem");
  EXPECT_EQ(options->token_issuer, "infobus-local");
  EXPECT_EQ(options->sources_file, "");
  EXPECT_THAT(options->administrators, ::testing::ElementsAre("admin"));
}

TEST(SecurityOptionsFrom, InsecureModeAndNothingElse) {
  auto insecure = SecurityOptionsWith({{"security.mode", "insecure"}});
  ASSERT_TRUE(insecure.ok()) << insecure.status();
  EXPECT_EQ(insecure->mode, SecurityOptions::Mode::kInsecure);
  auto unknown = SecurityOptionsWith({{"security.mode", "TLS"}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(unknown.status().message(), ::testing::HasSubstr("neither tls nor insecure"));
}

}  // namespace
}  // namespace infobus
