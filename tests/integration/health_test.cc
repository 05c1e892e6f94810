// Health that tells the truth: collection answers NOT_SERVING while its Kafka broker is down
// (and says so to a Watch as it happens), refuses to accept what it cannot keep, and answers
// SERVING again once the broker is back; services started before their broker wait
// NOT_SERVING; and the container health checks of deploy/docker-compose.yml, run exactly as
// compose runs them, pass against healthy services. The broker tests run a broker of their own,
// so stopping it disturbs no other test.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <thread>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "common/kafka/admin.h"
#include "common/stream/topic_reader.h"
#include "common/util/time.h"
#include "tests/integration/support/bus.h"
#include "tests/integration/support/clients.h"
#include "tests/integration/support/identities.h"
#include "tests/integration/support/run_program.h"
#include "tests/support/free_port.h"

namespace infobus::testing {
namespace {

using grpc::health::v1::HealthCheckResponse;

constexpr ServingStatus kServing = HealthCheckResponse::SERVING;
constexpr ServingStatus kNotServing = HealthCheckResponse::NOT_SERVING;

bool PortFree(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  const bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  ::close(fd);
  return free;
}

// The broker script with a private run dir and port (client port, controller port + 1).
class PrivateBroker {
 public:
  explicit PrivateBroker(const std::string& dir) : run_dir_(dir + "/kafka-run") {
    for (port_ = 21000 + (::getpid() % 2000) * 2; !PortFree(port_) || !PortFree(port_ + 1);) {
      port_ += 2;
    }
  }
  ~PrivateBroker() { Run("stop"); }

  int Run(const std::string& action) {
    const std::string command = absl::StrCat(
        "INFOBUS_RUN_DIR=", run_dir_, " INFOBUS_KAFKA_PORT=", port_,
        // The test broker's certificates, which the bus's services present.
        " INFOBUS_PKI_DIR='", TestKafkaPkiDir(),
        "' INFOBUS_KAFKA_SECURITY=", TestKafkaSecurity().protocol == "ssl" ? "tls" : "plaintext",
        " ", INFOBUS_SOURCE_DIR, "/scripts/kafka.sh ", action, " >/dev/null 2>&1");
    return std::system(command.c_str());
  }
  std::string bootstrap() const { return absl::StrCat("127.0.0.1:", port_); }

 private:
  std::string run_dir_;
  int port_;
};

// A restore asks a partition's watermarks from the rebalance callback, and a service stops
// only once that returns: with the broker gone the question must fail within its timeout.
// librdkafka's own query_watermark_offsets (2.0.2, Debian 12's) waits until the broker is back.
TEST(Health, WatermarksAskedWhileTheBrokerIsGoneFailWithinTheirTimeout) {
  TestBus bus("watermarks");
  PrivateBroker broker(bus.dir());
  ASSERT_EQ(broker.Run("start"), 0) << "private broker did not start";
  const std::string topic = "watermarks-outage";
  ASSERT_TRUE(kafka::EnsureTopics(broker.bootstrap(), {{topic, 1, 1, {}}}, absl::Seconds(30)).ok());
  auto reader = stream::OpenKafkaTopicReader(broker.bootstrap(), topic, "watermarks-test",
                                             {{0, stream::kFromBeginning}});
  ASSERT_TRUE(reader.ok()) << reader.status();
  // A topic created a moment ago may have no leader yet: asked until it answers.
  auto before = (*reader)->Watermarks(0, absl::Seconds(5));
  for (const absl::Time until = absl::Now() + absl::Seconds(30);
       !before.ok() && absl::Now() < until;) {
    absl::SleepFor(absl::Milliseconds(100));
    before = (*reader)->Watermarks(0, absl::Seconds(5));
  }
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(*before, std::make_pair(int64_t{0}, int64_t{0}));

  ASSERT_EQ(broker.Run("stop"), 0);
  absl::Notification answered;
  absl::Status status;
  std::thread ask([&] {
    status = (*reader)->Watermarks(0, absl::Seconds(2)).status();
    answered.Notify();
  });
  const bool in_time = answered.WaitForNotificationWithTimeout(absl::Seconds(60));
  EXPECT_TRUE(in_time) << "a 2 s question was still waiting after 60 s";
  if (!in_time) {
    EXPECT_EQ(broker.Run("start"), 0);  // the only way the question returns then
  }
  ask.join();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
}

// Asks as `service` itself (its own certificate), as compose's health checks do.
bool AwaitHealth(const std::string& address, const std::string& service, ServingStatus want,
                 absl::Duration timeout) {
  const ClientSecurity probe = ServiceIdentity(service);
  for (absl::Time deadline = absl::Now() + timeout; absl::Now() < deadline;) {
    auto status = CheckHealth(address, probe);
    if (status.ok() && *status == want) return true;
    absl::SleepFor(absl::Milliseconds(100));  // polling another process's state
  }
  return false;
}

TEST(Health, CollectionIsNotServingWhileKafkaIsDownAndServingOnceItIsBack) {
  TestBus bus("health");
  PrivateBroker broker(bus.dir());
  ASSERT_EQ(broker.Run("start"), 0) << "private broker did not start";
  bus.set_bootstrap_servers(broker.bootstrap());
  auto collection = bus.Service("collection",
                                "health:\n  interval: 200ms\n  kafka_timeout: 500ms\n"
                                "kafka:\n  message_timeout: 2s\n");
  ASSERT_TRUE(collection->Start().ok()) << collection->Log();
  ASSERT_TRUE(AwaitHealth(collection->address(), "collection", kServing, absl::Seconds(30)))
      << collection->Log();

  // A watcher of the service by name hears each change the health monitor makes.
  grpc::health::v1::Health::Stub health(
      Channel(collection->address(), ServiceIdentity("collection")));
  grpc::health::v1::HealthCheckRequest watch_request;
  watch_request.set_service("infobus.collection.v1.CollectionService");
  grpc::ClientContext watch_context;
  watch_context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Minutes(3)));
  auto watch = health.Watch(&watch_context, watch_request);
  HealthCheckResponse seen;
  ASSERT_TRUE(watch->Read(&seen));
  EXPECT_EQ(seen.status(), kServing);

  ASSERT_EQ(broker.Run("stop"), 0);
  ASSERT_TRUE(watch->Read(&seen)) << collection->Log();
  EXPECT_EQ(seen.status(), kNotServing);
  ASSERT_TRUE(AwaitHealth(collection->address(), "collection", kNotServing, absl::Seconds(30)))
      << collection->Log();
  EXPECT_NE(collection->Log().find("NOT_SERVING: kafka"), std::string::npos);

  // While Kafka is down nothing is accepted: the event is answered RETRY, not ACCEPTED.
  auto stub = infobus::collection::v1::CollectionService::NewStub(
      Channel(collection->address(), AsSource("fusui-lodging")));
  infobus::collection::v1::PublishRequest request;
  auto* event = request.add_events();
  event->set_event_id("during-outage");
  event->set_source_id("fusui-lodging");
  event->set_county_code("451421");
  event->set_kind("lodging.checkin");
  *event->mutable_occurred_at() = ToProtoTimestamp(absl::Now());
  infobus::collection::v1::PublishResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub->Publish(&context, request, &response).ok());
  EXPECT_EQ(response.results(0).outcome(), infobus::collection::v1::PUBLISH_OUTCOME_RETRY);

  ASSERT_EQ(broker.Run("start"), 0);
  ASSERT_TRUE(watch->Read(&seen)) << collection->Log();
  EXPECT_EQ(seen.status(), kServing);
  watch_context.TryCancel();
  EXPECT_EQ(watch->Finish().error_code(), grpc::StatusCode::CANCELLED);
  ASSERT_TRUE(AwaitHealth(collection->address(), "collection", kServing, absl::Seconds(60)))
      << collection->Log();

  // The same event, retried once Kafka is back, is accepted: it was never recorded as sent.
  infobus::collection::v1::PublishResponse retried;
  grpc::ClientContext retry_context;
  ASSERT_TRUE(stub->Publish(&retry_context, request, &retried).ok());
  EXPECT_EQ(retried.results(0).outcome(), infobus::collection::v1::PUBLISH_OUTCOME_ACCEPTED)
      << retried.results(0).reason();
  EXPECT_TRUE(collection->Stop().ok());
}

// Started before their broker, the services wait for it answering NOT_SERVING (they used to
// exit after 32 s), serve once it is up, and stop promptly on SIGTERM in every state.
TEST(Health, ServicesStartedWhileKafkaIsDownWaitNotServingAndServeOnceItIsUp) {
  TestBus bus("startup");
  PrivateBroker broker(bus.dir());  // not started yet
  bus.set_bootstrap_servers(broker.bootstrap());
  const std::string fast_health = "health:\n  interval: 200ms\n  kafka_timeout: 500ms\n";
  std::vector<std::unique_ptr<ServiceProcess>> services;
  std::vector<std::string> addresses;
  const std::vector<std::string> kinds = {"collection", "judgment", "dispatch"};
  for (const std::string& name : kinds) {
    services.push_back(bus.Service(name, fast_health));
    addresses.push_back(absl::StrCat("127.0.0.1:", FreeLoopbackPort()));
    ASSERT_TRUE(services.back()->Launch(addresses.back()).ok());
  }
  // Another collection with its own store, to be stopped while it still waits.
  auto waiting = bus.Instance("collection", 1, fast_health);
  const std::string waiting_address = absl::StrCat("127.0.0.1:", FreeLoopbackPort());
  ASSERT_TRUE(waiting->Launch(waiting_address).ok());
  const std::vector<std::string> names = {"infobus.collection.v1.CollectionService",
                                          "infobus.judgment.v1.JudgmentService",
                                          "infobus.dispatch.v1.DispatchService"};
  for (size_t i = 0; i < services.size(); ++i) {
    EXPECT_TRUE(AwaitHealth(addresses[i], kinds[i], kNotServing, absl::Seconds(20)))
        << services[i]->Log();
    // By name too: the service it is starting is NOT_SERVING, not unknown.
    auto named = CheckHealth(addresses[i], ServiceIdentity(kinds[i]), names[i]);
    ASSERT_TRUE(named.ok()) << named.status();
    EXPECT_EQ(*named, kNotServing);
  }
  ASSERT_TRUE(AwaitHealth(waiting_address, "collection", kNotServing, absl::Seconds(20)))
      << waiting->Log();
  // A call meanwhile hears "not yet, retry" (UNAVAILABLE), not UNIMPLEMENTED with no message.
  {
    auto starting = infobus::collection::v1::CollectionService::NewStub(
        Channel(waiting_address, AsSource("fusui-lodging")));
    infobus::collection::v1::PublishRequest request;
    infobus::collection::v1::PublishResponse response;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    const grpc::Status status = starting->Publish(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
    EXPECT_NE(status.error_message().find("starting"), std::string::npos) << status.error_message();
  }
  const absl::Time stop_started = absl::Now();
  EXPECT_TRUE(waiting->Stop(absl::Seconds(10)).ok()) << waiting->Log();
  const absl::Duration stop_took = absl::Now() - stop_started;
  EXPECT_LT(stop_took, absl::Seconds(5)) << "SIGTERM while waiting for Kafka took " << stop_took;

  ASSERT_EQ(broker.Run("start"), 0) << "private broker did not start";
  for (size_t i = 0; i < services.size(); ++i) {
    EXPECT_FALSE(services[i]->Exited()) << services[i]->Log();
    EXPECT_TRUE(AwaitHealth(addresses[i], kinds[i], kServing, absl::Seconds(90)))
        << services[i]->Log();
  }
  auto stub = infobus::collection::v1::CollectionService::NewStub(
      Channel(addresses[0], AsSource("fusui-lodging")));
  infobus::collection::v1::PublishRequest request;
  auto* event = request.add_events();
  event->set_event_id("after-start");
  event->set_source_id("fusui-lodging");
  event->set_county_code("451421");
  event->set_kind("lodging.checkin");
  *event->mutable_occurred_at() = ToProtoTimestamp(absl::Now());
  infobus::collection::v1::PublishResponse response;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
  ASSERT_TRUE(stub->Publish(&context, request, &response).ok());
  EXPECT_EQ(response.results(0).outcome(), infobus::collection::v1::PUBLISH_OUTCOME_ACCEPTED)
      << response.results(0).reason();

  // Serving, then the broker goes away: SIGTERM still stops each promptly.
  ASSERT_EQ(broker.Run("stop"), 0);
  for (size_t i = 0; i < services.size(); ++i) {
    const absl::Time started = absl::Now();
    const absl::Status stopped = services[i]->Stop(absl::Seconds(30));
    EXPECT_TRUE(stopped.ok()) << stopped << "\n" << services[i]->Log();
    // Judgment's consumer close waits ~11 s for the gone group coordinator (measured 11-13 s
    // in the fault suite): bounded, not yet prompt; the bound keeps it from growing.
    EXPECT_LT(absl::Now() - started, absl::Seconds(20)) << services[i]->Log();
  }
}

// Where a compose secret is in the test PKI: /run/secrets/kafka-ca is its CA, <name>-cert and
// <name>-key the certificate and key of service <name>; anything else stays as it is.
std::string TestPkiPathOf(const std::string& argument) {
  const std::string secrets = "/run/secrets/";
  if (!absl::StartsWith(argument, secrets)) return argument;
  const std::string name = argument.substr(secrets.size());
  const std::string& pki = TestPkiDir();
  if (name == "kafka-ca") return pki + "/ca.pem";
  if (absl::EndsWith(name, "-cert")) {
    return absl::StrCat(pki, "/services/", absl::StripSuffix(name, "-cert"), ".pem");
  }
  if (absl::EndsWith(name, "-key")) {
    return absl::StrCat(pki, "/services/", absl::StripSuffix(name, "-key"), ".key");
  }
  return argument;
}

// The health check compose runs for each service, taken from deploy/docker-compose.yml and run
// the way compose runs it (exec form: no shell, infobusctl found on PATH) against the service
// running secure (TLS, every call authenticated, as in compose): it names the port the service
// listens on there, presents the service's own certificate, and it passes. Only that port is
// replaced by the one the test's service listens on, and the secrets' paths by the test PKI's.
// Without the certificate the same check is refused: health is no back door.
TEST(Health, ComposeHealthCheckOfEveryServicePasses) {
  const YAML::Node compose = YAML::LoadFile(INFOBUS_SOURCE_DIR "/deploy/docker-compose.yml");
  const char* bin_dir = std::getenv("INFOBUS_BIN_DIR");
  TestBus bus("compose-health");
  for (const std::string name : {"collection", "judgment", "dispatch"}) {
    SCOPED_TRACE(name);
    const YAML::Node definition = compose["services"][name];
    ASSERT_TRUE(definition["healthcheck"]["test"].IsSequence()) << "no healthcheck.test";
    const auto test = definition["healthcheck"]["test"].as<std::vector<std::string>>();
    ASSERT_GE(test.size(), 2u);
    ASSERT_EQ(test[0], "CMD") << "this test runs exec-form checks only";
    std::vector<std::string> argv(test.begin() + 1, test.end());

    const auto listen = definition["environment"]["INFOBUS_GRPC_LISTEN"].as<std::string>("");
    ASSERT_FALSE(listen.empty()) << "no INFOBUS_GRPC_LISTEN";
    const auto addr = std::find(argv.begin(), argv.end(), "--addr");
    ASSERT_TRUE(addr != argv.end() && addr + 1 != argv.end()) << "no --addr HOST:PORT";
    EXPECT_EQ(*(addr + 1), "127.0.0.1:" + listen.substr(listen.rfind(':') + 1))
        << "the check does not ask the port the service listens on";

    const auto cert = std::find(argv.begin(), argv.end(), "--cert");
    ASSERT_TRUE(cert != argv.end() && cert + 1 != argv.end()) << "no --cert: health needs one";
    EXPECT_EQ(*(cert + 1), "/run/secrets/" + name + "-cert") << "not the service's own";

    auto service = bus.Service(name);
    ASSERT_TRUE(service->Start().ok()) << service->Log();
    *(addr + 1) = service->address();
    for (std::string& argument : argv) argument = TestPkiPathOf(argument);
    const std::string path = bin_dir != nullptr ? bin_dir : "build/bin";
    auto result = RunProgram(argv, path, absl::Seconds(30));
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->exit_code, 0) << result->output;
    EXPECT_EQ(result->output, "SERVING\n");

    std::vector<std::string> anonymous;
    for (size_t i = 0; i < argv.size(); ++i) {
      if (argv[i] == "--cert" || argv[i] == "--key") {
        ++i;
        continue;
      }
      anonymous.push_back(argv[i]);
    }
    auto refused = RunProgram(anonymous, path, absl::Seconds(30));
    ASSERT_TRUE(refused.ok()) << refused.status();
    EXPECT_EQ(refused->exit_code, 1) << refused->output;
    EXPECT_NE(refused->output.find("UNAUTHENTICATED"), std::string::npos) << refused->output;
    EXPECT_TRUE(service->Stop().ok());
  }
}

}  // namespace
}  // namespace infobus::testing
