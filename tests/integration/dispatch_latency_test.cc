// A bounded measurement, not a pass/fail benchmark: judgment-in (produced to the judgments topic)
// to delivery-on-stream latency with 100 connected unit streams, and deliveries per second when
// a burst arrives at once. It prints the figures; it asserts only that everything arrived.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/kafka/producer.h"
#include "common/util/time.h"
#include "infobus/common/v1/judgment.pb.h"
#include "tests/integration/support/bus.h"
#include "tests/integration/support/clients.h"
#include "tests/integration/support/identities.h"

namespace infobus::testing {
namespace {

using infobus::common::v1::Delivery;
using infobus::common::v1::Judgment;

constexpr int kUnits = 100;

std::string UnitId(int i) { return absl::StrFormat("unit-%03d", i); }
// Stations of Xingning district (450102), Nanning.
std::string UnitCode(int i) { return absl::StrFormat("450102%02d", i); }

// Follows one unit's stream as its officer and notes, for each delivery, how long after the
// judgment's created_at (stamped just before it was produced) it arrived.
class StreamRecorder {
 public:
  StreamRecorder(const std::string& address, const std::string& unit)
      : stub_(infobus::dispatch::v1::DispatchService::NewStub(Channel(address, AsOfficer(unit)))) {
    infobus::dispatch::v1::SubscribeRequest request;
    request.set_unit_id(unit);
    thread_ = std::thread([this, request] {
      auto reader = stub_->Subscribe(&context_, request);
      Delivery delivery;
      while (reader->Read(&delivery)) {
        const absl::Time now = absl::Now();
        absl::MutexLock lock(&mutex_);
        latencies_.push_back(now - FromProtoTimestamp(delivery.judgment().created_at()));
        last_arrival_ = now;
      }
      reader->Finish();
    });
  }
  ~StreamRecorder() {
    context_.TryCancel();
    thread_.join();
  }
  size_t count() const {
    absl::MutexLock lock(&mutex_);
    return latencies_.size();
  }
  std::vector<absl::Duration> latencies() const {
    absl::MutexLock lock(&mutex_);
    return latencies_;
  }
  absl::Time last_arrival() const {
    absl::MutexLock lock(&mutex_);
    return last_arrival_;
  }

 private:
  std::unique_ptr<infobus::dispatch::v1::DispatchService::Stub> stub_;
  grpc::ClientContext context_;
  mutable absl::Mutex mutex_;
  std::vector<absl::Duration> latencies_ ABSL_GUARDED_BY(mutex_);
  absl::Time last_arrival_ ABSL_GUARDED_BY(mutex_);
  std::thread thread_;
};

bool WaitForTotal(const std::vector<std::unique_ptr<StreamRecorder>>& streams, size_t total,
                  absl::Duration timeout) {
  const absl::Time give_up = absl::Now() + timeout;
  while (absl::Now() < give_up) {
    size_t sum = 0;
    for (const auto& stream : streams) sum += stream->count();
    if (sum >= total) return true;
    absl::SleepFor(absl::Milliseconds(5));  // polling 100 counters; no event to await
  }
  return false;
}

std::string Percentiles(std::vector<absl::Duration> values) {
  std::sort(values.begin(), values.end());
  auto at = [&](double q) {
    return values[std::min(values.size() - 1, static_cast<size_t>(q * values.size()))];
  };
  return absl::StrCat("p50 ", absl::FormatDuration(at(0.50)), ", p90 ",
                      absl::FormatDuration(at(0.90)), ", p99 ", absl::FormatDuration(at(0.99)),
                      ", max ", absl::FormatDuration(values.back()), " (n=", values.size(), ")");
}

TEST(DispatchLatency, JudgmentToStreamWithHundredUnitStreams) {
  TestBus bus("dispatch-latency");
  std::string routing = "units:\n";
  for (int i = 0; i < kUnits; ++i) {
    absl::StrAppend(&routing, "  - {id: ", UnitId(i), ", jurisdictions: [\"", UnitCode(i),
                    "\"], clearance: INTERNAL}\n");
  }
  const std::string routing_file = bus.dir() + "/routing.yaml";
  std::ofstream(routing_file) << routing;
  auto dispatch = bus.Service(
      "dispatch", "dispatch:\n  routing_file: " + routing_file + "\nlog:\n  level: warning\n");
  ASSERT_TRUE(dispatch->Start().ok()) << dispatch->Log();
  auto producer = kafka::Producer::Create(TestBootstrapServers(), {{"linger.ms", "0"}});
  ASSERT_TRUE(producer.ok()) << producer.status();

  std::vector<std::unique_ptr<StreamRecorder>> streams;
  for (int i = 0; i < kUnits; ++i) {
    streams.push_back(std::make_unique<StreamRecorder>(dispatch->address(), UnitId(i)));
  }
  int next_id = 0;
  auto make = [&](int unit) {
    Judgment judgment;
    judgment.set_judgment_id(absl::StrCat("lat-", next_id++));
    judgment.set_rule_id("watchlist-hit");
    judgment.set_kind(infobus::common::v1::JUDGMENT_KIND_WATCHLIST_HIT);
    judgment.set_severity(infobus::common::v1::SEVERITY_HIGH);
    judgment.set_jurisdiction_code(UnitCode(unit));
    *judgment.mutable_created_at() = ToProtoTimestamp(absl::Now());
    return kafka::OutgoingMessage{bus.Topic("infobus.judgments.v1"),
                                  judgment.jurisdiction_code(),
                                  judgment.SerializeAsString(),
                                  {{kafka::kSchemaHeader, Judgment::descriptor()->full_name()}}};
  };
  // Warm-up: one judgment per unit, so every stream is connected and caught up.
  std::vector<kafka::OutgoingMessage> warm;
  for (int i = 0; i < kUnits; ++i) warm.push_back(make(i));
  for (const absl::Status& status : (*producer)->ProduceAll(warm)) ASSERT_TRUE(status.ok());
  ASSERT_TRUE(WaitForTotal(streams, kUnits, absl::Seconds(60)));
  std::vector<size_t> baseline;
  for (const auto& stream : streams) baseline.push_back(stream->count());

  // Latency: 2,000 judgments at about 1,000/s (batches of 10 every 10 ms), round-robin over the
  // units, each produced on its own (acks=all) so that created_at is its moment of entry.
  constexpr int kPaced = 2000;
  for (int sent = 0; sent < kPaced; sent += 10) {
    std::vector<kafka::OutgoingMessage> batch;
    for (int k = 0; k < 10; ++k) batch.push_back(make((sent + k) % kUnits));
    for (const kafka::OutgoingMessage& message : batch) {
      ASSERT_TRUE((*producer)->ProduceAsync(message, [](absl::Status) {}).ok());
    }
    absl::SleepFor(absl::Milliseconds(10));  // pacing the offered load
  }
  ASSERT_TRUE(WaitForTotal(streams, kUnits + kPaced, absl::Seconds(120)));
  std::vector<absl::Duration> paced;
  for (size_t i = 0; i < streams.size(); ++i) {
    const std::vector<absl::Duration> all = streams[i]->latencies();
    paced.insert(paced.end(), all.begin() + baseline[i], all.end());
    baseline[i] = all.size();
  }

  // Throughput: a burst of 20,000 judgments already in Kafka, delivered as fast as dispatch can.
  constexpr int kBurst = 20000;
  std::vector<kafka::OutgoingMessage> burst;
  for (int k = 0; k < kBurst; ++k) burst.push_back(make(k % kUnits));
  const absl::Time burst_start = absl::Now();
  for (const absl::Status& status : (*producer)->ProduceAll(burst)) ASSERT_TRUE(status.ok());
  const absl::Time burst_produced = absl::Now();
  ASSERT_TRUE(WaitForTotal(streams, kUnits + kPaced + kBurst, absl::Seconds(300)));
  absl::Time burst_end = burst_start;
  std::vector<absl::Duration> burst_latencies;
  for (size_t i = 0; i < streams.size(); ++i) {
    burst_end = std::max(burst_end, streams[i]->last_arrival());
    const std::vector<absl::Duration> all = streams[i]->latencies();
    burst_latencies.insert(burst_latencies.end(), all.begin() + baseline[i], all.end());
  }
  const double seconds = absl::ToDoubleSeconds(burst_end - burst_start);

  std::cout << "[ figures  ] dispatch, " << kUnits << " connected unit streams, 1 broker, "
            << std::thread::hardware_concurrency() << " CPUs\n"
            << "[ figures  ] judgment-in → delivery-on-stream at ~1,000 judgments/s: "
            << Percentiles(paced) << "\n"
            << "[ figures  ] burst of " << kBurst << " judgments (produced in "
            << absl::FormatDuration(burst_produced - burst_start) << "): all delivered in "
            << absl::FormatDuration(burst_end - burst_start) << " = "
            << static_cast<int>(kBurst / seconds) << " deliveries/s; latency under the burst "
            << Percentiles(burst_latencies) << "\n";
}

}  // namespace
}  // namespace infobus::testing
