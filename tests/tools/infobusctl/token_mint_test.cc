// `infobusctl token mint`, run as the binary: the token it prints verifies against the JWKS
// that scripts/pki.sh derives from the same key, and carries every claim given on the command
// line. The key is made by openssl for the test; the default key path follows $INFOBUS_RUN_DIR.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "common/security/key_set.h"
#include "common/security/token_verifier.h"
#include "tests/support/temp_dir.h"

#if !defined(INFOBUS_SOURCE_DIR) || !defined(INFOBUS_BIN_DIR)
#error "INFOBUS_SOURCE_DIR and INFOBUS_BIN_DIR are set in tests/tools/infobusctl/CMakeLists.txt"
#endif

namespace infobus::security {
namespace {

struct ShellResult {
  int code;
  std::string out;
};

// `command` through the shell, its stdout captured (stderr passes through to the test log).
ShellResult Shell(const std::string& command) {
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return {-1, ""};
  std::string out;
  char buffer[4096];
  for (size_t n; (n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0;) out.append(buffer, n);
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::string Infobusctl() {
  const char* dir = std::getenv("INFOBUS_BIN_DIR");
  return absl::StrCat(dir != nullptr && *dir != '\0' ? dir : INFOBUS_BIN_DIR, "/infobusctl");
}

class TokenMintTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_.Sub("pki/jwt"));
    const std::string genpkey = "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256";
    ASSERT_EQ(Shell(absl::StrCat(genpkey, " -out ", key_, " 2>&1")).code, 0);
    const ShellResult jwk = Shell(
        absl::StrCat(INFOBUS_SOURCE_DIR, "/scripts/pki.sh jwk --key ", key_, " --kid local-1"));
    ASSERT_EQ(jwk.code, 0);
    absl::StatusOr<KeySet> keys =
        KeySet::FromJwks(absl::StrCat(R"({"keys":[)", absl::StripAsciiWhitespace(jwk.out), "]}"));
    ASSERT_TRUE(keys.ok()) << keys.status() << "\n" << jwk.out;
    keys_ = *std::move(keys);
  }

  absl::StatusOr<Principal> Verify(const std::string& out) const {
    EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << "one line: " << out;
    return VerifyToken(std::string(absl::StripTrailingAsciiWhitespace(out)), keys_,
                       {"infobus-local", "infobus"}, absl::Now());
  }

  infobus::testing::TempDir dir_;
  const std::string key_ = dir_.Sub("pki/jwt/signing.key");
  KeySet keys_;
};

TEST_F(TokenMintTest, TheMintedTokenVerifiesWithEveryClaim) {
  const ShellResult mint =
      Shell(absl::StrCat(Infobusctl(), " token mint --key ", key_,
                         " --sub zhang-wei --role analyst --role supervisor --unit chongzuo-psb"
                         " --jurisdiction 4514 --jurisdiction 451421 --clearance confidential"
                         " --compartment border --ttl 1h"));
  ASSERT_EQ(mint.code, 0) << mint.out;
  const absl::StatusOr<Principal> principal = Verify(mint.out);
  ASSERT_TRUE(principal.ok()) << principal.status();
  EXPECT_EQ(principal->id, "zhang-wei");
  EXPECT_EQ(principal->roles, (std::set<Role>{Role::kAnalyst, Role::kSupervisor}));
  EXPECT_EQ(principal->unit_id, "chongzuo-psb");
  EXPECT_THAT(principal->jurisdictions, ::testing::ElementsAre("4514", "451421"));
  EXPECT_EQ(principal->clearance, infobus::common::v1::CLASSIFICATION_CONFIDENTIAL);
  EXPECT_EQ(principal->compartments, std::set<std::string>{"border"});
  // --ttl 1h: gone after an hour (and the 30 s leeway).
  const absl::StatusOr<Principal> later =
      VerifyToken(std::string(absl::StripTrailingAsciiWhitespace(mint.out)), keys_,
                  {"infobus-local", "infobus"}, absl::Now() + absl::Minutes(61));
  EXPECT_EQ(later.status().code(), absl::StatusCode::kUnauthenticated);
}

TEST_F(TokenMintTest, TheKeyDefaultsToTheRunDirectory) {
  const ShellResult mint =
      Shell(absl::StrCat("unset INFOBUS_PKI_DIR; INFOBUS_RUN_DIR=", dir_.path().string(), " ",
                         Infobusctl(), " token mint --sub li-na --role officer"));
  ASSERT_EQ(mint.code, 0) << mint.out;
  const absl::StatusOr<Principal> principal = Verify(mint.out);
  ASSERT_TRUE(principal.ok()) << principal.status();
  EXPECT_EQ(principal->Describe(), "officer:li-na");
}

TEST_F(TokenMintTest, AnotherIssuerOrKidDoesNotVerifyHere) {
  const ShellResult issuer = Shell(absl::StrCat(Infobusctl(), " token mint --key ", key_,
                                                " --sub s --role analyst --issuer elsewhere"));
  ASSERT_EQ(issuer.code, 0);
  EXPECT_EQ(Verify(issuer.out).status().code(), absl::StatusCode::kUnauthenticated);
  const ShellResult kid = Shell(
      absl::StrCat(Infobusctl(), " token mint --key ", key_, " --sub s --role analyst --kid k2"));
  ASSERT_EQ(kid.code, 0);
  EXPECT_THAT(std::string(Verify(kid.out).status().message()),
              ::testing::HasSubstr("unknown key id 'k2'"));
}

TEST_F(TokenMintTest, AMissingKeyFails) {
  const ShellResult mint =
      Shell(absl::StrCat(Infobusctl(), " token mint --key ", dir_.Sub("none.key"),
                         " --sub s --role analyst 2>/dev/null"));
  EXPECT_EQ(mint.code, 1);
  EXPECT_EQ(mint.out, "");
}

}  // namespace
}  // namespace infobus::security
