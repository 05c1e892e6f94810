// fault_suite: the fault checks of docs/reliability.md against real processes on a Kafka broker
// of its own. R1: kill -9 rounds of every service mid-stream; R2: the broker stopped and
// killed mid-stream. Prints one line of figures per check on stdout (progress on stderr) and
// exits 0 when every check passed, 1 when one failed, 2 when it could not run.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/kafka/client_conf.h"
#include "tests/faults/kafka_broker.h"
#include "tests/faults/line_log.h"
#include "tests/faults/r1_kill_nine.h"
#include "tests/faults/r2_broker_outage.h"
#include "tests/integration/support/bus.h"

namespace {

using infobus::faults::CheckResult;

void Print(const CheckResult& result) {
  for (const std::string& line : result.details) std::cout << line << "\n";
  std::cout << result.line << "\n";
  for (const std::string& finding : result.findings) std::cout << "  " << finding << "\n";
  std::cout.flush();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "The infobus fault suite: R1 (kill -9 of every service, at random moments, mid-stream) "
      "and R2 (the broker stopped, then killed, mid-stream), against real processes on a "
      "broker of its own. One line of figures per check on stdout; exit 0 when all pass."};
  std::string checks = "r1,r2";
  infobus::faults::R1Options r1;
  infobus::faults::R2Options r2;
  int deadline_seconds = 3;
  int outage_seconds = 60;
  int drain_seconds = 600;
  uint32_t seed = 0;
  std::string run_dir = std::string(INFOBUS_SOURCE_DIR) + "/.run/faults";
  std::string kafka_script = std::string(INFOBUS_SOURCE_DIR) + "/scripts/kafka.sh";
  std::string bin_dir = INFOBUS_BIN_DIR;
  int kafka_port = 0;
  app.add_option("--checks", checks, "which checks to run, comma-separated: r1, r2")
      ->capture_default_str();
  app.add_option("--rounds", r1.rounds, "R1: kill -9 rounds")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  app.add_option("--events", r1.events, "R1: events in the stream")
      ->capture_default_str()
      ->check(CLI::Range(100, 10000000));
  app.add_option("--rate", r1.rate, "R1: events per second offered")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 1e6));
  app.add_option("--batch", r1.batch, "R1: events per Publish call")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  app.add_option("--high-hits", r1.high_hits,
                 "R1: events for high-severity subjects (deadline; every other one signed off)")
      ->capture_default_str()
      ->check(CLI::Range(0, 100000));
  app.add_option("--clusters", r1.clusters, "R1: hotspot groups")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000));
  app.add_option("--threshold", r1.threshold, "R1: the hotspot rule's threshold")
      ->capture_default_str()
      ->check(CLI::Range(2, 20));
  app.add_option("--deadline-seconds", deadline_seconds, "R1: sign-off deadline, high severity")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  app.add_option("--outage-seconds", outage_seconds, "R2: length of each broker outage")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  app.add_option("--r2-rate", r2.rate, "R2: events per second offered")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 1e6));
  app.add_option("--drain-seconds", drain_seconds,
                 "how long a drain may take before the check fails")
      ->capture_default_str()
      ->check(CLI::Range(10, 36000));
  app.add_option("--seed", seed, "randomness (0: a fresh seed, printed)")->capture_default_str();
  app.add_option("--run-dir", run_dir, "broker, stores and logs (wiped per run)")
      ->capture_default_str();
  app.add_option("--kafka-port", kafka_port,
                 "the suite's broker port (the controller takes the next; 0: a free pair)")
      ->capture_default_str();
  app.add_option("--kafka-script", kafka_script, "scripts/kafka.sh")->capture_default_str();
  app.add_option("--bin-dir", bin_dir, "where the infobus-<service> binaries are")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  infobus::faults::LineLog log(std::cerr);
  if (seed == 0) seed = std::random_device()();
  r1.seed = seed;
  r2.seed = seed + 1;
  r1.deadline = absl::Seconds(deadline_seconds);
  r2.outage = absl::Seconds(outage_seconds);
  r1.drain_timeout = r2.drain_timeout = absl::Seconds(drain_seconds);
  ::setenv("INFOBUS_BIN_DIR", bin_dir.c_str(), 1);
  // scripts/kafka.sh start applies the broker's ACLs with it.
  ::setenv("INFOBUS_KAFKA_ACLS_BIN", (bin_dir + "/infobus-kafka-acls").c_str(), 1);
  const std::vector<std::string> wanted = absl::StrSplit(checks, ',', absl::SkipEmpty());
  auto want = [&wanted](const std::string& check) {
    return std::find(wanted.begin(), wanted.end(), check) != wanted.end();
  };

  std::error_code ignored;
  for (const char* part : {"r1", "r2", "r2-cold"}) {
    std::filesystem::remove_all(run_dir + "/" + part, ignored);
  }
  std::filesystem::create_directories(run_dir);
  if (kafka_port == 0) {
    auto port = infobus::faults::FreePorts(2, seed);
    if (!port.ok()) {
      std::cerr << "fault_suite: " << port.status().message() << "\n";
      return 2;
    }
    kafka_port = *port;
  }
  infobus::faults::KafkaBroker broker(kafka_script, run_dir, kafka_port);
  broker.Reset();
  log(absl::StrCat("seed ", seed, "; starting the suite's broker on ", broker.bootstrap_servers(),
                   " (", run_dir, ")"));
  if (absl::Status status = broker.Start(); !status.ok()) {
    std::cerr << "fault_suite: " << status.message() << "\n";
    return 2;
  }
  std::cout << "seed=" << seed << " broker=" << broker.bootstrap_servers() << "\n";
  // The suite's clients, and the services its buses start (TestBus), connect to this broker as
  // admin with its certificates, whatever a surrounding scripts/test.sh set.
  ::setenv("INFOBUS_TEST_KAFKA_SECURITY", "tls", 1);
  ::setenv("INFOBUS_TEST_KAFKA_PKI", broker.pki_dir().c_str(), 1);
  infobus::kafka::SetProcessSecurity(infobus::testing::TestKafkaSecurity());

  bool passed = true;
  if (want("r1")) {
    CheckResult result = infobus::faults::RunR1(r1, broker.bootstrap_servers(), run_dir, log);
    Print(result);
    passed = passed && result.passed;
  }
  if (want("r2")) {
    if (!broker.running()) {
      if (absl::Status status = broker.Start(); !status.ok()) {
        std::cerr << "fault_suite: " << status.message() << "\n";
        return 2;
      }
    }
    CheckResult result = infobus::faults::RunR2(r2, broker, run_dir, log);
    Print(result);
    passed = passed && result.passed;
  }
  if (absl::Status status = broker.Stop(); !status.ok()) {
    log("stopping the broker: " + std::string(status.message()));
  }
  return passed ? 0 : 1;
}
