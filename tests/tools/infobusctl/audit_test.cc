// infobusctl against a secure bus, run as the binary: `watch add` as the administrator machine
// (its certificate) is allowed and as an analyst (a token) refused with the server's reason;
// `infobusctl audit` then reads both decisions from infobus.audit.v1 as the administrator and
// filters them by subject and by decision.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/grpc/credentials.h"
#include "google/protobuf/util/json_util.h"
#include "infobus/common/v1/audit.pb.h"
#include "tests/integration/support/bus.h"
#include "tests/integration/support/identities.h"
#include "tests/integration/support/run_program.h"

namespace infobus::testing {
namespace {

using infobus::common::v1::AuditRecord;

const Person kAnalyst{"analyst-audit", {"analyst"}, "", {"45"}, "SECRET", {}};

class InfobusctlAuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    judgment_ = bus_.Service("judgment");
    ASSERT_TRUE(judgment_->Start().ok()) << judgment_->Log();
  }
  void TearDown() override {
    if (HasFailure() && judgment_ != nullptr) std::cerr << judgment_->Log();
  }

  // Runs the built infobusctl with `args` (exec form, as compose would), as nobody in
  // particular: the credentials are those the arguments give.
  ProgramResult Ctl(std::vector<std::string> args) {
    args.insert(args.begin(), "infobusctl");
    const char* bin_dir = std::getenv("INFOBUS_BIN_DIR");
    auto result =
        RunProgram(args, bin_dir != nullptr ? bin_dir : INFOBUS_DEFAULT_BIN_DIR, absl::Seconds(90));
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? *result : ProgramResult{};
  }

  std::vector<std::string> WatchAdd(const std::string& value) {
    return {"watch", "add",     "--list", "wanted_person", "--type",
            "phone", "--value", value,    "--judgment",    judgment_->address()};
  }

  // `infobusctl audit` of this bus as the administrator machine, with `filters`.
  std::vector<AuditRecord> Audit(const std::vector<std::string>& filters) {
    std::vector<std::string> args = {"audit", "--kafka", TestBootstrapServers(), "--topic-prefix",
                                     bus_.prefix()};
    if (TestKafkaSecurity().protocol == "ssl") {
      const std::string& pki = TestKafkaPkiDir();
      args.insert(args.end(),
                  {"--kafka-ca", pki + "/ca.pem", "--kafka-cert", pki + "/services/admin.pem",
                   "--kafka-key", pki + "/services/admin.key"});
    } else {
      args.push_back("--kafka-plaintext");
    }
    args.insert(args.end(), filters.begin(), filters.end());
    const ProgramResult result = Ctl(args);
    EXPECT_EQ(result.exit_code, 0) << result.output;
    std::vector<AuditRecord> records;
    for (absl::string_view line : absl::StrSplit(result.output, '\n', absl::SkipEmpty())) {
      if (!absl::StartsWith(line, "{")) continue;  // librdkafka's log lines, if any
      AuditRecord record;
      const auto parsed = google::protobuf::util::JsonStringToMessage(std::string(line), &record);
      EXPECT_TRUE(parsed.ok()) << line;
      records.push_back(record);
    }
    return records;
  }

  TestBus bus_{"ctl-audit"};
  std::unique_ptr<ServiceProcess> judgment_;
};

TEST_F(InfobusctlAuditTest, ReadsTheAllowedAndTheDeniedChangeAndFiltersThem) {
  const ClientSecurity admin = ServiceIdentity("admin");
  std::vector<std::string> as_admin = WatchAdd("13800138000");
  as_admin.insert(as_admin.end(), {"--ca", admin.tls.ca_file, "--cert", admin.tls.cert_file,
                                   "--key", admin.tls.key_file});
  const ProgramResult added = Ctl(as_admin);
  EXPECT_EQ(added.exit_code, 0) << added.output;
  EXPECT_NE(added.output.find("\"listId\":\"wanted_person\""), std::string::npos) << added.output;

  // An analyst may not change the watchlist: the server's reason, exit 1.
  std::vector<std::string> as_analyst = WatchAdd("13900139000");
  as_analyst.insert(as_analyst.end(),
                    {"--ca", admin.tls.ca_file, "--token", PersonIdentity(kAnalyst).bearer_token});
  const ProgramResult refused = Ctl(as_analyst);
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("PERMISSION_DENIED"), std::string::npos) << refused.output;
  EXPECT_NE(refused.output.find("only an administrator may change the watchlist"),
            std::string::npos)
      << refused.output;

  // Nobody at all: UNAUTHENTICATED, and the hint how to say who one is.
  std::vector<std::string> anonymous = WatchAdd("13700137000");
  anonymous.insert(anonymous.end(), {"--ca", admin.tls.ca_file});
  const ProgramResult nobody = Ctl(anonymous);
  EXPECT_EQ(nobody.exit_code, 1) << nobody.output;
  EXPECT_NE(nobody.output.find("UNAUTHENTICATED"), std::string::npos) << nobody.output;

  const std::vector<AuditRecord> by_admin = Audit({"--subject", "admin"});
  ASSERT_EQ(by_admin.size(), 1u);
  EXPECT_EQ(by_admin[0].decision(), infobus::common::v1::AUDIT_DECISION_ALLOWED);
  EXPECT_EQ(by_admin[0].method(), "JudgmentService/AddWatchlistEntry");
  EXPECT_TRUE(by_admin[0].by_certificate());

  const std::vector<AuditRecord> by_analyst = Audit({"--subject", kAnalyst.subject});
  ASSERT_EQ(by_analyst.size(), 1u);
  EXPECT_EQ(by_analyst[0].decision(), infobus::common::v1::AUDIT_DECISION_DENIED);
  EXPECT_NE(by_analyst[0].reason().find("administrator"), std::string::npos);

  // --decision denied: the analyst's attempt, not the admin's change.
  const std::vector<AuditRecord> denied = Audit({"--decision", "denied"});
  ASSERT_FALSE(denied.empty());
  for (const AuditRecord& record : denied) {
    EXPECT_EQ(record.decision(), infobus::common::v1::AUDIT_DECISION_DENIED)
        << record.ShortDebugString();
  }
  EXPECT_EQ(Audit({"--decision", "allowed", "--subject", kAnalyst.subject}).size(), 0u);
  // A time range that ends before everything: nothing.
  EXPECT_EQ(Audit({"--until", "2020-01-01T00:00:00Z"}).size(), 0u);
  EXPECT_EQ(Audit({"--since", "2020-01-01T00:00:00Z", "--subject", "admin"}).size(), 1u);
}

}  // namespace
}  // namespace infobus::testing
