#include "common/config/config.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/config/command_line.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/temp_dir.h"

namespace infobus {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

using Env = std::map<std::string, std::string>;
using Sets = std::vector<std::pair<std::string, std::string>>;

ConfigSchema TestSchema() {
  return {
      {"kafka.bootstrap_servers", ConfigKey::Type::kString, "localhost:9092", "Kafka brokers"},
      {"kafka.partitions", ConfigKey::Type::kInt, "3", "partitions per topic"},
      {"grpc.reflection", ConfigKey::Type::kBool, "false", "serve gRPC reflection"},
      {"consumer.poll_timeout", ConfigKey::Type::kDuration, "250ms", "how long one poll waits"},
      {"dispatch.units", ConfigKey::Type::kList, "", "the units and their jurisdictions"},
  };
}

// A temp dir that writes the YAML file under test.
class TempDir : public testing::TempDir {
 public:
  std::string WriteYaml(const std::string& text) const { return WriteFile("config.yaml", text); }
};

constexpr char kFullYaml[] = R"(kafka:
  bootstrap_servers: file-broker:9092
  partitions: 6
grpc:
  reflection: true
consumer:
  poll_timeout: 2s
)";

TEST(Config, DefaultsApplyWhenNothingElseIsGiven) {
  absl::StatusOr<Config> config = Config::Load(TestSchema(), "", {}, {});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->GetString("kafka.bootstrap_servers"), "localhost:9092");
  EXPECT_EQ(config->GetInt("kafka.partitions"), 3);
  EXPECT_FALSE(config->GetBool("grpc.reflection"));
  EXPECT_EQ(config->GetDuration("consumer.poll_timeout"), absl::Milliseconds(250));
  EXPECT_TRUE(config->GetList("dispatch.units").IsNull());
}

TEST(Config, EnvironmentNameIsPrefixedUpperCaseWithUnderscores) {
  EXPECT_EQ(Config::EnvironmentName("kafka.bootstrap_servers"), "INFOBUS_KAFKA_BOOTSTRAP_SERVERS");
  EXPECT_EQ(Config::EnvironmentName("consumer.poll_timeout"), "INFOBUS_CONSUMER_POLL_TIMEOUT");
  EXPECT_EQ(Config::EnvironmentName("log.level"), "INFOBUS_LOG_LEVEL");
}

TEST(Config, YamlFileNestedMapsOverrideDefaults) {
  const TempDir dir;
  absl::StatusOr<Config> config = Config::Load(TestSchema(), dir.WriteYaml(kFullYaml), {}, {});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->GetString("kafka.bootstrap_servers"), "file-broker:9092");
  EXPECT_EQ(config->GetInt("kafka.partitions"), 6);
  EXPECT_TRUE(config->GetBool("grpc.reflection"));
  EXPECT_EQ(config->GetDuration("consumer.poll_timeout"), absl::Seconds(2));
}

TEST(Config, YamlFileKeepsDefaultsForKeysItDoesNotMention) {
  const TempDir dir;
  absl::StatusOr<Config> config = Config::Load(TestSchema(),
                                               dir.WriteYaml("kafka:\n"
                                                             "  partitions: 12\n"
                                                             "grpc:\n"
                                                             "  reflection:\n"),  // null: default
                                               {}, {});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->GetInt("kafka.partitions"), 12);
  EXPECT_EQ(config->GetString("kafka.bootstrap_servers"), "localhost:9092");
  EXPECT_FALSE(config->GetBool("grpc.reflection"));
  EXPECT_EQ(config->GetDuration("consumer.poll_timeout"), absl::Milliseconds(250));
}

TEST(Config, EnvironmentOverridesFile) {
  const TempDir dir;
  const Env env = {{"INFOBUS_KAFKA_BOOTSTRAP_SERVERS", "env-broker:9092"},
                   {"INFOBUS_GRPC_REFLECTION", "false"}};
  absl::StatusOr<Config> config = Config::Load(TestSchema(), dir.WriteYaml(kFullYaml), env, {});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->GetString("kafka.bootstrap_servers"), "env-broker:9092");
  EXPECT_FALSE(config->GetBool("grpc.reflection"));
  EXPECT_EQ(config->GetInt("kafka.partitions"), 6);  // only in the file
}

TEST(Config, SetOverridesEnvironmentAndFile) {
  const TempDir dir;
  const Env env = {{"INFOBUS_KAFKA_BOOTSTRAP_SERVERS", "env-broker:9092"},
                   {"INFOBUS_KAFKA_PARTITIONS", "9"}};
  const Sets sets = {{"kafka.bootstrap_servers", "set-broker:9092"},
                     {"consumer.poll_timeout", "1m"}};
  absl::StatusOr<Config> config = Config::Load(TestSchema(), dir.WriteYaml(kFullYaml), env, sets);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->GetString("kafka.bootstrap_servers"), "set-broker:9092");
  EXPECT_EQ(config->GetDuration("consumer.poll_timeout"), absl::Minutes(1));
  EXPECT_EQ(config->GetInt("kafka.partitions"), 9);  // env wins over file, no --set
  EXPECT_TRUE(config->GetBool("grpc.reflection"));   // only in the file
}

TEST(Config, LaterSetOfTheSameKeyWins) {
  absl::StatusOr<Config> config =
      Config::Load(TestSchema(), "", {}, {{"kafka.partitions", "4"}, {"kafka.partitions", "5"}});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->GetInt("kafka.partitions"), 5);
}

TEST(Config, UnknownKeyInFileIsRejectedNamingTheKey) {
  const TempDir dir;
  absl::StatusOr<Config> config =
      Config::Load(TestSchema(), dir.WriteYaml("kafka:\n  bootstrap_serverz: typo:9092\n"), {}, {});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(config.status().message(), HasSubstr("kafka.bootstrap_serverz"));
}

TEST(Config, FileThatIsNotAMapIsRejectedRatherThanIgnored) {
  const TempDir dir;
  absl::StatusOr<Config> config =
      Config::Load(TestSchema(), dir.WriteYaml("kafka.bootstrap_servers=broker:9092\n"), {}, {});
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.status().message(), HasSubstr("must be a YAML map"));
}

TEST(Config, EmptyFileKeepsDefaults) {
  const TempDir dir;
  absl::StatusOr<Config> config = Config::Load(TestSchema(), dir.WriteYaml(""), {}, {});
  ASSERT_TRUE(config.ok()) << config.status();
}

TEST(Config, EnvironmentVariablesOutsideTheSchemaAreIgnored) {
  const Env env = {{"INFOBUS_KAFKA_BOOTSTRAP_SERVERZ", "typo:9092"},
                   {"INFOBUS_NOT_A_KEY", "x"},
                   {"PATH", "/usr/bin"},
                   {"KAFKA_BOOTSTRAP_SERVERS", "unprefixed:9092"}};
  absl::StatusOr<Config> config = Config::Load(TestSchema(), "", env, {});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->GetString("kafka.bootstrap_servers"), "localhost:9092");
}

TEST(Config, UnknownSetKeyIsRejectedNamingTheKey) {
  absl::StatusOr<Config> config =
      Config::Load(TestSchema(), "", {}, {{"kafka.bootstrap_serverz", "typo:9092"}});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(config.status().message(), HasSubstr("kafka.bootstrap_serverz"));
}

TEST(Config, BadIntFromSetIsRejectedNamingTheKey) {
  absl::StatusOr<Config> config =
      Config::Load(TestSchema(), "", {}, {{"kafka.partitions", "three"}});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(config.status().message(), HasSubstr("kafka.partitions"));
  EXPECT_THAT(config.status().message(), HasSubstr("three"));
}

TEST(Config, BadBoolFromEnvironmentIsRejectedNamingTheKey) {
  absl::StatusOr<Config> config =
      Config::Load(TestSchema(), "", {{"INFOBUS_GRPC_REFLECTION", "maybe"}}, {});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(config.status().message(), HasSubstr("grpc.reflection"));
}

TEST(Config, BadDurationFromFileIsRejectedNamingTheKey) {
  const TempDir dir;
  absl::StatusOr<Config> config =
      Config::Load(TestSchema(), dir.WriteYaml("consumer:\n  poll_timeout: 250\n"), {}, {});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(config.status().message(), HasSubstr("consumer.poll_timeout"));
}

TEST(Config, NegativeDurationIsRejected) {
  absl::StatusOr<Config> config =
      Config::Load(TestSchema(), "", {}, {{"consumer.poll_timeout", "-1s"}});
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.status().message(), HasSubstr("consumer.poll_timeout"));
}

TEST(Config, ListKeyIsReadFromYamlSequence) {
  const TempDir dir;
  absl::StatusOr<Config> config = Config::Load(TestSchema(),
                                               dir.WriteYaml("dispatch:\n"
                                                             "  units:\n"
                                                             "    - id: guangxi-ops\n"
                                                             "      jurisdictions: [\"45\"]\n"
                                                             "    - id: fusui-psb\n"
                                                             "      jurisdictions: [\"451421\"]\n"),
                                               {}, {});
  ASSERT_TRUE(config.ok()) << config.status();
  const YAML::Node& units = config->GetList("dispatch.units");
  ASSERT_TRUE(units.IsSequence());
  ASSERT_EQ(units.size(), 2u);
  EXPECT_EQ(units[0]["id"].as<std::string>(), "guangxi-ops");
  EXPECT_EQ(units[1]["id"].as<std::string>(), "fusui-psb");
  EXPECT_EQ(units[1]["jurisdictions"][0].as<std::string>(), "451421");
  EXPECT_THAT(config->Describe(), HasSubstr("dispatch.units: [2 entries]"));
}

TEST(Config, ListKeyThatIsNotASequenceInFileIsRejected) {
  const TempDir dir;
  absl::StatusOr<Config> config =
      Config::Load(TestSchema(), dir.WriteYaml("dispatch:\n  units: guangxi-ops\n"), {}, {});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(config.status().message(), HasSubstr("dispatch.units"));
}

TEST(Config, ListKeySetOnCommandLineIsRejected) {
  absl::StatusOr<Config> config =
      Config::Load(TestSchema(), "", {}, {{"dispatch.units", "[guangxi-ops]"}});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(config.status().message(), HasSubstr("dispatch.units"));
  EXPECT_THAT(config.status().message(), HasSubstr("list"));
}

TEST(Config, ListKeyIsNotReadFromEnvironment) {
  absl::StatusOr<Config> config =
      Config::Load(TestSchema(), "", {{"INFOBUS_DISPATCH_UNITS", "[guangxi-ops]"}}, {});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(config->GetList("dispatch.units").IsNull());
}

TEST(Config, ScalarKeyGivenASequenceInFileIsRejected) {
  const TempDir dir;
  absl::StatusOr<Config> config =
      Config::Load(TestSchema(), dir.WriteYaml("kafka:\n  partitions: [1, 2]\n"), {}, {});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(config.status().message(), HasSubstr("kafka.partitions"));
}

TEST(Config, MissingFileIsRejectedNamingThePath) {
  const TempDir dir;
  const std::string path = (dir.path() / "does-not-exist.yaml").string();
  absl::StatusOr<Config> config = Config::Load(TestSchema(), path, {}, {});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(config.status().message(), HasSubstr(path));
}

TEST(Config, DescribeListsEffectiveScalarValuesSorted) {
  absl::StatusOr<Config> config = Config::Load(TestSchema(), "", {}, {{"kafka.partitions", "7"}});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->Describe(),
            "consumer.poll_timeout: 250ms\n"
            "grpc.reflection: false\n"
            "kafka.bootstrap_servers: localhost:9092\n"
            "kafka.partitions: 7\n");
}

TEST(Config, GetterWithWrongTypeAborts) {
  absl::StatusOr<Config> config = Config::Load(TestSchema(), "", {}, {});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_DEATH(config->GetInt("kafka.bootstrap_servers"), "kafka.bootstrap_servers");
  EXPECT_DEATH(config->GetString("no.such.key"), "no.such.key");
}

// The line of `usage` that introduces `key`.
std::string UsageLineOf(const std::string& usage, const std::string& key) {
  std::istringstream lines(usage);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("  " + key + " ", 0) == 0) return line;
  }
  return "";
}

TEST(Usage, MentionsEveryKeyWithDefaultAndEnvironmentName) {
  const ProgramInfo program{"infobus-test", "Consumes test events and produces nothing.",
                            TestSchema()};
  const std::string usage = Usage(program);
  EXPECT_THAT(usage, HasSubstr("usage: infobus-test"));
  EXPECT_THAT(usage, HasSubstr("Consumes test events and produces nothing."));
  for (const ConfigKey& key : program.schema) {
    const std::string line = UsageLineOf(usage, key.name);
    ASSERT_FALSE(line.empty()) << "no line for " << key.name << " in\n" << usage;
    EXPECT_THAT(usage, HasSubstr(key.help));
    if (key.type == ConfigKey::Type::kList) {
      EXPECT_THAT(line, HasSubstr("YAML file only"));
      EXPECT_THAT(line, Not(HasSubstr(Config::EnvironmentName(key.name))));
    } else {
      EXPECT_THAT(line, HasSubstr("default \"" + key.default_value + "\"")) << line;
      EXPECT_THAT(line, HasSubstr("env " + Config::EnvironmentName(key.name))) << line;
    }
  }
  EXPECT_THAT(UsageLineOf(usage, "kafka.partitions"), HasSubstr("(int,"));
  EXPECT_THAT(UsageLineOf(usage, "consumer.poll_timeout"), HasSubstr("(duration,"));
}

}  // namespace
}  // namespace infobus
