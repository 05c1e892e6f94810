// The services' shared command line (common/config/command_line.h): what it accepts, and that
// bad usage gets one clear line on stderr and exit code 2, as scripts and operators rely on.
#include "common/config/command_line.h"

#include <stdlib.h>

#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/temp_dir.h"

namespace infobus {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::StartsWith;

ConfigSchema TestSchema() {
  return {
      {"kafka.bootstrap_servers", ConfigKey::Type::kString, "localhost:9092", "Kafka brokers"},
      {"kafka.partitions", ConfigKey::Type::kInt, "3", "partitions per topic"},
  };
}

const ProgramInfo kProgram{"infobus-test", "Consumes test events and produces nothing.",
                           TestSchema()};

TEST(ParseCommandLine, NothingGivenMeansDefaults) {
  absl::StatusOr<CommandLine> line = ParseCommandLine({});
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_FALSE(line->help);
  EXPECT_FALSE(line->print_config);
  EXPECT_EQ(line->config_path, "");
  EXPECT_TRUE(line->sets.empty());
}

TEST(ParseCommandLine, TakesEveryFlagInBothSpellings) {
  absl::StatusOr<CommandLine> line =
      ParseCommandLine({"--config", "a.yaml", "--set", "kafka.partitions=7", "--set=log.level=x=y",
                        "--print-config", "--set", "grpc.listen="});
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(line->config_path, "a.yaml");
  EXPECT_TRUE(line->print_config);
  // Split at the first '=': a value may hold '=' and may be empty.
  EXPECT_THAT(line->sets, ElementsAre(Pair("kafka.partitions", "7"), Pair("log.level", "x=y"),
                                      Pair("grpc.listen", "")));
  line = ParseCommandLine({"--config=b.yaml"});
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(line->config_path, "b.yaml");
}

TEST(ParseCommandLine, TheLastConfigWins) {
  absl::StatusOr<CommandLine> line = ParseCommandLine({"--config", "a.yaml", "--config", "b.yaml"});
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(line->config_path, "b.yaml");
}

TEST(ParseCommandLine, HelpWinsOverEverythingElse) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--help"}, {"-h"}, {"--set", "kafka.partitions=7", "--help"}, {"--bogus", "-h"}}) {
    absl::StatusOr<CommandLine> line = ParseCommandLine(args);
    ASSERT_TRUE(line.ok()) << line.status();
    EXPECT_TRUE(line->help) << args.front();
  }
}

// The message RunWithConfig prints after "infobus-test: ".
std::string ErrorOf(const std::vector<std::string>& args) {
  absl::StatusOr<CommandLine> line = ParseCommandLine(args);
  if (line.ok()) return "(accepted)";
  EXPECT_EQ(line.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(line.status().message());
}

TEST(ParseCommandLine, UnknownFlagsAndPositionalArgumentsAreNamed) {
  EXPECT_EQ(ErrorOf({"--bogus"}), "unknown argument '--bogus' (try --help)");
  EXPECT_EQ(ErrorOf({"--bogus=1"}), "unknown argument '--bogus=1' (try --help)");
  EXPECT_EQ(ErrorOf({"service.yaml"}), "unknown argument 'service.yaml' (try --help)");
  EXPECT_EQ(ErrorOf({"--", "x"}), "unknown argument '--' (try --help)");
  // The first one is named.
  EXPECT_EQ(ErrorOf({"--config", "a.yaml", "one", "--two"}), "unknown argument 'one' (try --help)");
  // --set takes one KEY=VALUE; a second one needs its own --set.
  EXPECT_EQ(ErrorOf({"--set", "a=1", "b=2"}), "unknown argument 'b=2' (try --help)");
}

TEST(ParseCommandLine, SetNeedsKeyEqualsValue) {
  EXPECT_EQ(ErrorOf({"--set", "kafka.partitions"}),
            "--set expects KEY=VALUE, got 'kafka.partitions'");
  EXPECT_EQ(ErrorOf({"--set", "=7"}), "--set expects KEY=VALUE, got '=7'");
  EXPECT_EQ(ErrorOf({"--set", ""}), "--set expects KEY=VALUE, got ''");
}

TEST(ParseCommandLine, AFlagWithoutItsValueSaysSo) {
  const std::string config = ErrorOf({"--config"});
  EXPECT_THAT(config, StartsWith("--config: "));
  EXPECT_THAT(config, HasSubstr("FILE missing (try --help)"));
  EXPECT_THAT(ErrorOf({"--print-config", "--set"}), HasSubstr("--set: "));
  EXPECT_THAT(ErrorOf({"--print-config", "--set"}), HasSubstr("KEY=VALUE missing (try --help)"));
  // The next flag is not taken for the value.
  EXPECT_EQ(ErrorOf({"--config", "--set", "kafka.partitions=7"}),
            "--config: needs a value, not the flag --set (try --help)");
  EXPECT_EQ(ErrorOf({"--set", "--print-config"}),
            "--set: needs a value, not the flag --print-config (try --help)");
  EXPECT_EQ(ErrorOf({"--config", "-h"}), "--config: needs a value, not the flag -h (try --help)");
}

TEST(ParseCommandLine, AnEmptyValueAfterEqualsIsEmpty) {
  // CLI11 alone would take the next argument as --config's value.
  absl::StatusOr<CommandLine> line = ParseCommandLine({"--config=", "--print-config"});
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(line->config_path, "");
  EXPECT_TRUE(line->print_config);
  EXPECT_EQ(ErrorOf({"--config=", "a.yaml"}), "unknown argument 'a.yaml' (try --help)");
  EXPECT_EQ(ErrorOf({"--set="}), "--set expects KEY=VALUE, got ''");
}

TEST(ParseCommandLine, PrintConfigTakesNoValue) {
  EXPECT_EQ(ErrorOf({"--print-config=yes"}), "--print-config takes no value (try --help)");
  EXPECT_EQ(ErrorOf({"--print-config", "yes"}), "unknown argument 'yes' (try --help)");
}

// RunWithConfig with `args` after the program name; what it printed and returned.
struct Outcome {
  int code = -1;
  bool ran = false;
  std::string partitions;  // kafka.partitions as `run` saw it
  std::string out, err;
};

Outcome RunService(std::vector<std::string> args) {
  args.insert(args.begin(), kProgram.name);
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  Outcome outcome;
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  outcome.code = RunWithConfig(
      static_cast<int>(args.size()), argv.data(), kProgram, [&](const Config& config) {
        outcome.ran = true;
        outcome.partitions = std::to_string(config.GetInt("kafka.partitions"));
        return 5;
      });
  outcome.out = ::testing::internal::GetCapturedStdout();
  outcome.err = ::testing::internal::GetCapturedStderr();
  return outcome;
}

TEST(RunWithConfig, HelpPrintsUsageAndExitsZero) {
  for (const char* flag : {"--help", "-h"}) {
    const Outcome outcome = RunService({flag});
    EXPECT_EQ(outcome.code, 0);
    EXPECT_FALSE(outcome.ran);
    EXPECT_EQ(outcome.out, Usage(kProgram));
    EXPECT_EQ(outcome.err, "");
  }
}

TEST(RunWithConfig, BadUsageIsOneLineOnStderrAndExitTwo) {
  Outcome outcome = RunService({"--bogus"});
  EXPECT_EQ(outcome.code, 2);
  EXPECT_FALSE(outcome.ran);
  EXPECT_EQ(outcome.out, "");
  EXPECT_EQ(outcome.err, "infobus-test: unknown argument '--bogus' (try --help)\n");

  outcome = RunService({"--set", "kafka.partitions"});
  EXPECT_EQ(outcome.code, 2);
  EXPECT_EQ(outcome.err, "infobus-test: --set expects KEY=VALUE, got 'kafka.partitions'\n");

  outcome = RunService({"--config"});
  EXPECT_EQ(outcome.code, 2);
  EXPECT_THAT(outcome.err, StartsWith("infobus-test: --config: "));
  EXPECT_THAT(outcome.err, HasSubstr("(try --help)\n"));
}

TEST(RunWithConfig, BadConfigurationExitsTwo) {
  const Outcome outcome = RunService({"--set", "no.such.key=1"});
  EXPECT_EQ(outcome.code, 2);
  EXPECT_FALSE(outcome.ran);
  EXPECT_THAT(outcome.err, StartsWith("infobus-test: bad configuration: "));
  EXPECT_THAT(outcome.err, HasSubstr("no.such.key"));
}

TEST(RunWithConfig, SetWinsOverEnvironmentWhichWinsOverTheFile) {
  const testing::TempDir dir;
  const std::string file = dir.WriteFile("config.yaml", "kafka:\n  partitions: 5\n");
  const std::string env = Config::EnvironmentName("kafka.partitions");
  ASSERT_EQ(::unsetenv(env.c_str()), 0);

  Outcome outcome = RunService({"--config", file});
  EXPECT_EQ(outcome.code, 5);  // run's
  EXPECT_TRUE(outcome.ran);
  EXPECT_EQ(outcome.partitions, "5");

  ASSERT_EQ(::setenv(env.c_str(), "6", 1), 0);
  outcome = RunService({"--config", file});
  EXPECT_EQ(outcome.partitions, "6");
  outcome = RunService({"--config", file, "--set", "kafka.partitions=7"});
  EXPECT_EQ(outcome.partitions, "7");
  ::unsetenv(env.c_str());
}

TEST(RunWithConfig, PrintConfigPrintsTheEffectiveConfigurationAndExitsZero) {
  const Outcome outcome = RunService({"--set", "kafka.partitions=9", "--print-config"});
  EXPECT_EQ(outcome.code, 0);
  EXPECT_FALSE(outcome.ran);
  absl::StatusOr<Config> config =
      Config::Load(TestSchema(), "", ProcessEnvironment(), {{"kafka.partitions", "9"}});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(outcome.out, config->Describe());
  EXPECT_THAT(outcome.out, HasSubstr("kafka.partitions"));
}

}  // namespace
}  // namespace infobus
