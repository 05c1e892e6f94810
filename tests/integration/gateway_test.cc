// The console gateway as deployed: its own process over HTTPS in front of judgment and dispatch
// processes over TLS, with the browser's token forwarded. Unary calls (with and without a
// token, bad JSON, unknown methods), static files (the SPA fallback, nothing outside the
// directory), a dispatch/Subscribe stream as Server-Sent Events, and a stream resumed with
// Last-Event-ID across a kill -9 of the gateway: nothing missed, nothing repeated.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/kafka/producer.h"
#include "common/util/time.h"
#include "infobus/common/v1/judgment.pb.h"
#include "tests/integration/support/bus.h"
#include "tests/integration/support/identities.h"

namespace infobus::testing {
namespace {

using infobus::common::v1::Judgment;

constexpr char kRouting[] = R"(units:
  - {id: chongzuo-ops, jurisdictions: ["4514"], clearance: INTERNAL}
  - {id: fusui-psb, jurisdictions: ["451421"], supervisor: chongzuo-ops, clearance: INTERNAL}
routes:
  - {send_to_jurisdiction: most_specific}
)";

// One Server-Sent Event as a client sees it (comments dropped).
struct SseEvent {
  std::string id;
  std::string event;  // "" for a message
  std::string data;
};

// Splits a growing event stream into events; keeps what is not yet a whole event.
class SseParser {
 public:
  void Feed(const char* data, size_t size, std::vector<SseEvent>* events) {
    buffer_.append(data, size);
    for (size_t end; (end = buffer_.find("\n\n")) != std::string::npos;) {
      const std::string block = buffer_.substr(0, end);
      buffer_.erase(0, end + 2);
      SseEvent event;
      bool any = false;
      for (absl::string_view line : absl::StrSplit(block, '\n')) {
        if (absl::StartsWith(line, ":")) continue;  // a comment: keep-alive
        any = true;
        if (absl::ConsumePrefix(&line, "id: ")) event.id = std::string(line);
        if (absl::ConsumePrefix(&line, "event: ")) event.event = std::string(line);
        if (absl::ConsumePrefix(&line, "data: ")) event.data += std::string(line);
      }
      if (any) events->push_back(event);
    }
  }

 private:
  std::string buffer_;
};

class GatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string routing = bus_.dir() + "/routing.yaml";
    std::ofstream(routing) << kRouting;
    dispatch_ = bus_.Service("dispatch", "dispatch:\n  routing_file: " + routing + "\n");
    judgment_ = bus_.Service("judgment");
    ASSERT_TRUE(dispatch_->Start().ok()) << dispatch_->Log();
    ASSERT_TRUE(judgment_->Start().ok()) << judgment_->Log();

    static_dir_ = bus_.dir() + "/console";
    std::filesystem::create_directories(static_dir_ + "/assets");
    std::ofstream(static_dir_ + "/index.html") << "<!doctype html><title>console</title>";
    std::ofstream(static_dir_ + "/assets/app.js") << "console.log('hi');";
    std::ofstream(bus_.dir() + "/secret.txt") << "outside the directory";
    std::filesystem::create_symlink(bus_.dir() + "/secret.txt", static_dir_ + "/link.txt");

    gateway_ = Gateway("gateway", "1s");
    ASSERT_TRUE(gateway_->Start().ok()) << gateway_->Log();
    officer_ = "Bearer " + AsOfficer("fusui-psb").bearer_token;
  }
  void TearDown() override {
    if (HasFailure()) {
      if (gateway_) std::cerr << "gateway log:\n" << gateway_->Log();
      if (dispatch_) std::cerr << "dispatch log:\n" << dispatch_->Log();
    }
  }

  // A gateway process `instance` in front of this test's judgment and dispatch, keeping its port
  // across restarts, at most two streams, a keep-alive every `keep_alive`.
  std::unique_ptr<ServiceProcess> Gateway(const std::string& instance,
                                          const std::string& keep_alive) {
    const std::string pki = TestPkiDir();
    const std::string config = bus_.dir() + "/" + instance + ".yaml";
    std::ofstream(config) << "gateway:\n"
                          << "  static_dir: " << static_dir_ << "\n"
                          << "  cert_file: " << pki << "/services/gateway.pem\n"
                          << "  key_file: " << pki << "/services/gateway.key\n"
                          << "  judgment_addr: " << judgment_->address() << "\n"
                          << "  dispatch_addr: " << dispatch_->address() << "\n"
                          << "  threads: 8\n"
                          << "  max_streams: 2\n"
                          << "  keep_alive: " << keep_alive << "\n"
                          << "security:\n"
                          << "  ca_file: " << pki << "/ca.pem\n";
    auto gateway = std::make_unique<ServiceProcess>("gateway", config, bus_.dir(), instance);
    gateway->set_listen_section("gateway");
    gateway->KeepPortAcrossRestarts();
    return gateway;
  }

  std::unique_ptr<httplib::SSLClient> Client() {
    auto client = std::make_unique<httplib::SSLClient>("127.0.0.1", gateway_->port());
    client->set_ca_cert_path((TestPkiDir() + "/ca.pem").c_str());
    client->enable_server_certificate_verification(true);
    client->set_read_timeout(30, 0);
    return client;
  }

  httplib::Result Post(const std::string& path, const std::string& body,
                       const std::string& authorization) {
    httplib::Headers headers;
    if (!authorization.empty()) headers.emplace("Authorization", authorization);
    return Client()->Post(path.c_str(), headers, body, "application/json");
  }

  // Judgments api-<first>..api-<last> for Fusui, straight onto the judgments topic: dispatch
  // delivers each to fusui-psb.
  void Inject(int first, int last) {
    auto producer = kafka::Producer::Create(TestBootstrapServers(), {});
    ASSERT_TRUE(producer.ok()) << producer.status();
    std::vector<kafka::OutgoingMessage> messages;
    for (int i = first; i <= last; ++i) {
      Judgment judgment;
      judgment.set_judgment_id(absl::StrCat("api-", i));
      judgment.set_rule_id("watchlist-hit");
      judgment.set_kind(infobus::common::v1::JUDGMENT_KIND_WATCHLIST_HIT);
      judgment.set_severity(infobus::common::v1::SEVERITY_HIGH);
      judgment.set_jurisdiction_code("451421");
      *judgment.mutable_created_at() = ToProtoTimestamp(absl::Now());
      messages.push_back({bus_.Topic("infobus.judgments.v1"),
                          "451421",
                          judgment.SerializeAsString(),
                          {{kafka::kSchemaHeader, Judgment::descriptor()->full_name()}}});
    }
    for (const absl::Status& status : (*producer)->ProduceAll(messages)) {
      ASSERT_TRUE(status.ok()) << status;
    }
  }

  TestBus bus_{"gateway"};
  std::unique_ptr<ServiceProcess> dispatch_;
  std::unique_ptr<ServiceProcess> judgment_;
  std::unique_ptr<ServiceProcess> gateway_;
  std::string static_dir_;
  std::string officer_;
};

// A stream read on a thread of its own: every event kept, the HTTP status once known.
class StreamReader {
 public:
  StreamReader(std::unique_ptr<httplib::SSLClient> client, std::string path,
               httplib::Headers headers)
      : client_(std::move(client)) {
    thread_ = std::thread([this, path = std::move(path), headers = std::move(headers)] {
      SseParser parser;
      httplib::Result result = client_->Get(
          path.c_str(), headers,
          [this](const httplib::Response& response) {
            absl::MutexLock lock(&mutex_);
            status_ = response.status;
            content_type_ = response.get_header_value("Content-Type");
            cache_control_ = response.get_header_value("Cache-Control");
            return true;
          },
          [this, &parser](const char* data, size_t size) {
            absl::MutexLock lock(&mutex_);
            bytes_ += size;
            parser.Feed(data, size, &events_);
            return !close_;
          });
      absl::MutexLock lock(&mutex_);
      ended_ = true;
      if (result && status_ == 0) status_ = result->status;
      if (result) body_ = result->body;
    });
  }
  ~StreamReader() {
    Close();
    thread_.join();
  }

  // Waits until `done` holds of what was seen (true) or `timeout` passed (false).
  bool WaitFor(const std::function<bool(const StreamReader&)>& done, absl::Duration timeout) {
    absl::MutexLock lock(&mutex_);
    auto holds = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) { return done(*this); };
    return mutex_.AwaitWithTimeout(absl::Condition(&holds), timeout);
  }
  bool WaitForEvents(size_t count, absl::Duration timeout = absl::Seconds(60)) {
    return WaitFor([count](const StreamReader& r)
                       ABSL_NO_THREAD_SAFETY_ANALYSIS { return r.events_.size() >= count; },
                   timeout);
  }
  bool WaitForStatus(absl::Duration timeout = absl::Seconds(30)) {
    return WaitFor([](const StreamReader& r)
                       ABSL_NO_THREAD_SAFETY_ANALYSIS { return r.status_ != 0 || r.ended_; },
                   timeout);
  }
  // Until anything arrived (an event or a keep-alive comment).
  bool WaitForBytes(absl::Duration timeout = absl::Seconds(30)) {
    return WaitFor(
        [](const StreamReader& r) ABSL_NO_THREAD_SAFETY_ANALYSIS { return r.bytes_ > 0; }, timeout);
  }
  bool WaitForEnd(absl::Duration timeout = absl::Seconds(30)) {
    return WaitFor([](const StreamReader& r) ABSL_NO_THREAD_SAFETY_ANALYSIS { return r.ended_; },
                   timeout);
  }
  // The client hangs up at its next chunk (a keep-alive comes every second).
  void Close() {
    absl::MutexLock lock(&mutex_);
    close_ = true;
  }

  std::vector<SseEvent> events() const {
    absl::MutexLock lock(&mutex_);
    return events_;
  }
  int status() const {
    absl::MutexLock lock(&mutex_);
    return status_;
  }
  std::string content_type() const {
    absl::MutexLock lock(&mutex_);
    return content_type_;
  }
  std::string cache_control() const {
    absl::MutexLock lock(&mutex_);
    return cache_control_;
  }
  std::string body() const {
    absl::MutexLock lock(&mutex_);
    return body_;
  }

 private:
  std::unique_ptr<httplib::SSLClient> client_;
  mutable absl::Mutex mutex_;
  std::vector<SseEvent> events_ ABSL_GUARDED_BY(mutex_);
  size_t bytes_ ABSL_GUARDED_BY(mutex_) = 0;
  int status_ ABSL_GUARDED_BY(mutex_) = 0;
  std::string content_type_ ABSL_GUARDED_BY(mutex_);
  std::string cache_control_ ABSL_GUARDED_BY(mutex_);
  std::string body_ ABSL_GUARDED_BY(mutex_);
  bool close_ ABSL_GUARDED_BY(mutex_) = false;
  bool ended_ ABSL_GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

TEST_F(GatewayTest, UnaryCallWithTheTokenWorksAndWithoutIsUnauthenticated) {
  httplib::Result units = Post("/api/v1/dispatch/ListUnits", "{}", officer_);
  ASSERT_TRUE(units) << httplib::to_string(units.error());
  EXPECT_EQ(units->status, 200) << units->body;
  EXPECT_NE(units->body.find(R"("unitId":"fusui-psb")"), std::string::npos) << units->body;
  EXPECT_EQ(units->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(units->get_header_value("Cache-Control"), "no-store");
  EXPECT_EQ(units->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(units->get_header_value("Content-Security-Policy"), "default-src 'self'");

  // The gateway holds no client certificate: without a token the service sees nobody.
  httplib::Result anonymous = Post("/api/v1/dispatch/ListUnits", "{}", "");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401) << anonymous->body;
  EXPECT_NE(anonymous->body.find(R"("code":"UNAUTHENTICATED")"), std::string::npos)
      << anonymous->body;
  httplib::Result forged = Post("/api/v1/judgment/ListJudgments", "", "Bearer not.a.token");
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 401) << forged->body;

  // Judgment too, with an analyst's token and an empty body (the empty request).
  httplib::Result judgments = Post("/api/v1/judgment/ListJudgments", "",
                                   "Bearer " + AsAnalyst({"4514"}, "SECRET").bearer_token);
  ASSERT_TRUE(judgments);
  EXPECT_EQ(judgments->status, 200) << judgments->body;
}

TEST_F(GatewayTest, BadRequestsGetTheirHttpStatusAndAJsonError) {
  httplib::Result bad_json =
      Post("/api/v1/dispatch/Acknowledge", R"({"unitId":"fusui-psb",)", officer_);
  ASSERT_TRUE(bad_json);
  EXPECT_EQ(bad_json->status, 400);
  EXPECT_NE(bad_json->body.find(R"("code":"INVALID_ARGUMENT")"), std::string::npos)
      << bad_json->body;
  httplib::Result unknown_field = Post("/api/v1/dispatch/Acknowledge", R"({"unit":"x"})", officer_);
  ASSERT_TRUE(unknown_field);
  EXPECT_EQ(unknown_field->status, 400);
  EXPECT_NE(unknown_field->body.find("unit"), std::string::npos) << unknown_field->body;

  httplib::Result unknown_method = Post("/api/v1/dispatch/Nope", "{}", officer_);
  ASSERT_TRUE(unknown_method);
  EXPECT_EQ(unknown_method->status, 404);
  EXPECT_NE(unknown_method->body.find(R"("code":"NOT_FOUND")"), std::string::npos);
  httplib::Result unknown_service = Post("/api/v1/billing/Pay", "{}", officer_);
  ASSERT_TRUE(unknown_service);
  EXPECT_EQ(unknown_service->status, 404);

  httplib::Result stream_by_post = Post("/api/v1/dispatch/Subscribe", "{}", officer_);
  ASSERT_TRUE(stream_by_post);
  EXPECT_EQ(stream_by_post->status, 405);
  httplib::Result unary_by_get = Client()->Get("/api/v1/dispatch/ListUnits");
  ASSERT_TRUE(unary_by_get);
  EXPECT_EQ(unary_by_get->status, 405);
  httplib::Result bad_query =
      Client()->Get("/api/v1/dispatch/Subscribe?unit=fusui-psb", {{"Authorization", officer_}});
  ASSERT_TRUE(bad_query);
  EXPECT_EQ(bad_query->status, 400);
  EXPECT_NE(bad_query->body.find("'unit'"), std::string::npos) << bad_query->body;
}

TEST_F(GatewayTest, StaticFilesWithTheConsolesFallbackAndNothingOutside) {
  auto client = Client();
  httplib::Result index = client->Get("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_NE(index->body.find("<title>console</title>"), std::string::npos);
  EXPECT_EQ(index->get_header_value("Content-Security-Policy"), "default-src 'self'");
  httplib::Result route = client->Get("/inbox/fusui-psb");
  ASSERT_TRUE(route);
  EXPECT_EQ(route->status, 200);
  EXPECT_EQ(route->body, index->body);
  httplib::Result script = client->Get("/assets/app.js");
  ASSERT_TRUE(script);
  EXPECT_EQ(script->status, 200);
  EXPECT_EQ(script->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  httplib::Result missing = client->Get("/assets/gone.js");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  httplib::Result health = client->Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->body, "ok");

  for (const char* path : {"/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt",
                           "/link.txt", "/..%5csecret.txt"}) {
    httplib::Result outside = client->Get(path);
    ASSERT_TRUE(outside) << path;
    EXPECT_EQ(outside->status, 404) << path;
    EXPECT_EQ(outside->body.find("outside the directory"), std::string::npos) << path;
  }
}

TEST_F(GatewayTest, TheContractsJudgmentStreamQueryReachesTheService) {
  // Nested fields, repeated enums by name and a uint64, as the service takes them: the stream
  // opens and stays open (a keep-alive, no error event).
  StreamReader reader(
      Client(),
      "/api/v1/judgment/Subscribe?filter.minSeverity=SEVERITY_HIGH"
      "&filter.kinds=JUDGMENT_KIND_WATCHLIST_HIT&filter.kinds=JUDGMENT_KIND_MOVEMENT&afterSeq=0",
      {{"Authorization", "Bearer " + AsAnalyst({"4514"}, "SECRET").bearer_token}});
  ASSERT_TRUE(reader.WaitForStatus());
  EXPECT_EQ(reader.status(), 200) << reader.body();
  ASSERT_TRUE(reader.WaitForBytes());
  for (const SseEvent& event : reader.events()) EXPECT_NE(event.event, "error") << event.data;
}

TEST_F(GatewayTest, AStreamWithoutATokenEndsWithAnErrorEvent) {
  StreamReader reader(Client(), "/api/v1/dispatch/Subscribe?unitId=fusui-psb", {});
  ASSERT_TRUE(reader.WaitForEvents(1)) << "no event";
  const SseEvent event = reader.events()[0];
  EXPECT_EQ(event.event, "error");
  EXPECT_NE(event.data.find(R"("code":"UNAUTHENTICATED")"), std::string::npos) << event.data;
  ASSERT_TRUE(reader.WaitForEnd());
}

TEST_F(GatewayTest, AStreamResumesAfterAKillNineOfTheGatewayWithNothingMissedOrRepeated) {
  Inject(1, 3);
  std::string last_id;
  {
    StreamReader reader(Client(), "/api/v1/dispatch/Subscribe?unitId=fusui-psb&afterSeq=0",
                        {{"Authorization", officer_}});
    ASSERT_TRUE(reader.WaitForEvents(3)) << reader.body();
    EXPECT_EQ(reader.status(), 200);
    EXPECT_EQ(reader.content_type(), "text/event-stream");
    EXPECT_EQ(reader.cache_control(), "no-store");
    const std::vector<SseEvent> events = reader.events();
    std::vector<std::string> ids;
    for (const SseEvent& event : events) {
      EXPECT_EQ(event.event, "");
      ids.push_back(event.id);
      EXPECT_NE(event.data.find(absl::StrCat(R"("seq":")", event.id, R"(")")), std::string::npos)
          << event.data;
    }
    EXPECT_EQ(ids, (std::vector<std::string>{"1", "2", "3"}));
    last_id = events.back().id;

    gateway_->Kill();  // kill -9 under an open stream
    ASSERT_TRUE(reader.WaitForEnd()) << "the stream outlived its gateway";
  }
  ASSERT_TRUE(gateway_->Start().ok()) << gateway_->Log();
  Inject(4, 6);

  // The reconnect: Last-Event-ID wins over the query's afterSeq=0.
  StreamReader resumed(Client(), "/api/v1/dispatch/Subscribe?unitId=fusui-psb&afterSeq=0",
                       {{"Authorization", officer_}, {"Last-Event-ID", last_id}});
  ASSERT_TRUE(resumed.WaitForEvents(3)) << resumed.body();
  std::vector<std::string> ids;
  std::vector<std::string> judgments;
  for (const SseEvent& event : resumed.events()) {
    ids.push_back(event.id);
    for (int i = 1; i <= 6; ++i) {
      if (event.data.find(absl::StrCat(R"("judgmentId":"api-)", i, R"(")")) != std::string::npos) {
        judgments.push_back(absl::StrCat("api-", i));
      }
    }
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"4", "5", "6"}));
  EXPECT_EQ(judgments, (std::vector<std::string>{"api-4", "api-5", "api-6"}));
}

TEST_F(GatewayTest, StreamsAreBoundedAndAClientThatGoesAwayFreesItsStream) {
  const httplib::Headers headers = {{"Authorization", officer_}};
  const std::string path = "/api/v1/dispatch/Subscribe?unitId=fusui-psb";
  auto first = std::make_unique<StreamReader>(Client(), path, headers);
  StreamReader second(Client(), path, headers);
  ASSERT_TRUE(first->WaitForStatus());
  ASSERT_TRUE(second.WaitForStatus());
  EXPECT_EQ(first->status(), 200);
  EXPECT_EQ(second.status(), 200);

  httplib::Result third = Client()->Get(path.c_str(), headers);
  ASSERT_TRUE(third);
  EXPECT_EQ(third->status, 503);  // gateway.max_streams: 2
  EXPECT_NE(third->body.find(R"("code":"UNAVAILABLE")"), std::string::npos) << third->body;

  // The first client hangs up: the gateway notices at its next write and cancels the call,
  // which frees the stream for another client.
  first->Close();
  ASSERT_TRUE(first->WaitForEnd());
  first.reset();
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  int status = 0;
  while (absl::Now() < deadline) {
    StreamReader again(Client(), path, headers);
    ASSERT_TRUE(again.WaitForStatus());
    status = again.status();
    if (status == 200) break;
    absl::SleepFor(absl::Milliseconds(200));  // polling the other process's state
  }
  EXPECT_EQ(status, 200) << "the stream of a client that went away was never freed";
}

TEST_F(GatewayTest, SigtermEndsOpenStreamsAndExitsCleanly) {
  // A keep-alive far away, so that only the gateway's own cancel can end the stream in time
  // (httplib looks whether it is stopping only between two writes).
  ASSERT_TRUE(gateway_->Stop().ok());
  gateway_ = Gateway("gateway-quiet", "60s");
  ASSERT_TRUE(gateway_->Start().ok()) << gateway_->Log();
  StreamReader reader(Client(), "/api/v1/dispatch/Subscribe?unitId=fusui-psb",
                      {{"Authorization", officer_}});
  ASSERT_TRUE(reader.WaitForStatus());
  EXPECT_EQ(reader.status(), 200);
  // Stop() is SIGTERM, then waits for exit code 0: the open stream must not hold it up.
  const absl::Status stopped = gateway_->Stop(absl::Seconds(5));
  EXPECT_TRUE(stopped.ok()) << stopped;
  ASSERT_TRUE(reader.WaitForEnd());
  for (const SseEvent& event : reader.events()) {
    EXPECT_NE(event.event, "error")
        << "a stopping gateway ends streams without an error: " << event.data;
  }
}

}  // namespace
}  // namespace infobus::testing
