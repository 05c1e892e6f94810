#include "common/kafka/producer.h"

#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/kafka/client_conf.h"
#include "common/log/log.h"
#include "common/metrics/metrics.h"

namespace infobus::kafka {
namespace {

class DeliveryReporter : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& message) override {
    std::unique_ptr<Producer::DeliveryCallback> done(
        static_cast<Producer::DeliveryCallback*>(message.msg_opaque()));
    if (!done) return;
    if (message.err() == RdKafka::ERR_NO_ERROR) {
      (*done)(absl::OkStatus());
    } else {
      (*done)(absl::UnavailableError(
          absl::StrCat("kafka delivery to ", message.topic_name(), " failed: ", message.errstr())));
    }
  }
};

// The librdkafka producer behind Producer::Create.
class KafkaProducer final : public Producer {
 public:
  KafkaProducer() = default;
  ~KafkaProducer() override;
  KafkaProducer(const KafkaProducer&) = delete;
  KafkaProducer& operator=(const KafkaProducer&) = delete;

  absl::Status ProduceAsync(const OutgoingMessage& message, DeliveryCallback done) override;
  absl::Status Flush(absl::Duration timeout) override;
  absl::Status CheckBroker(absl::Duration timeout) override;

 private:
  friend class Producer;
  void PollLoop();

  std::unique_ptr<DeliveryReporter> reporter_;
  std::unique_ptr<RdKafka::Producer> producer_;
  std::atomic<bool> stopping_{false};
  std::thread poller_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Producer>> Producer::Create(
    const std::string& bootstrap_servers, const std::map<std::string, std::string>& properties) {
  std::map<std::string, std::string> settings = {
      {"bootstrap.servers", bootstrap_servers},
      {"acks", "all"},
      {"enable.idempotence", "true"},
      {"linger.ms", "2"},
      // Fail a message after this long rather than the 5-minute default, so that callers hear
      // "retry" while they still care.
      {"message.timeout.ms", "15000"},
      {"client.id", "infobus"},
  };
  for (const auto& [key, value] : properties) {
    if (key == "acks" || key == "enable.idempotence") {
      return absl::InvalidArgumentError(absl::StrCat("producer setting ", key, " is fixed"));
    }
    settings[key] = value;
  }
  auto producer = std::make_unique<KafkaProducer>();
  producer->reporter_ = std::make_unique<DeliveryReporter>();
  auto conf = NewClientConf(settings, "producer");
  if (!conf.ok()) return conf.status();
  std::string error;
  if ((*conf)->set("dr_cb", producer->reporter_.get(), error) != RdKafka::Conf::CONF_OK) {
    return absl::InternalError(error);
  }
  producer->producer_.reset(RdKafka::Producer::create(conf->get(), error));
  if (!producer->producer_) {
    return absl::InvalidArgumentError(absl::StrCat("cannot create producer: ", error));
  }
  producer->poller_ = std::thread([p = producer.get()] { p->PollLoop(); });
  return producer;
}

KafkaProducer::~KafkaProducer() {
  // Up to 10 s for what is in flight, but not while no broker answers: then nothing would get
  // through and a stop would only be slow (callers have been answered RETRY by then).
  for (const absl::Time until = absl::Now() + absl::Seconds(10);
       producer_->outq_len() > 0 && absl::Now() < until;) {
    if (producer_->flush(200) == RdKafka::ERR_NO_ERROR) break;
    if (!CheckBroker(absl::Milliseconds(200)).ok()) break;
  }
  if (producer_->outq_len() > 0) {
    INFOBUS_LOG(Warning) << "producer closing with " << producer_->outq_len()
                         << " messages undelivered; failing them";
    producer_->purge(RdKafka::Producer::PURGE_QUEUE | RdKafka::Producer::PURGE_INFLIGHT);
  }
  stopping_ = true;
  poller_.join();
  producer_->poll(0);  // serve the reports of purged messages
}

void KafkaProducer::PollLoop() {
  while (!stopping_.load()) producer_->poll(50);
}

namespace {

// Wraps `done` so that every delivery report is counted and timed per topic.
// The produced and error counters of one topic, created together so that the error series is
// exported (at 0) from the first message on: alerts and dashboards see it before any error.
struct TopicCounters {
  prometheus::Counter* produced;
  prometheus::Counter* errors;
};

const TopicCounters& CountersFor(const std::string& topic) {
  static auto& produced = metrics::CounterFamily(
      "infobus_kafka_produced_total", "Messages acknowledged by Kafka (acks=all), by topic.");
  static auto& errors = metrics::CounterFamily("infobus_kafka_produce_errors_total",
                                               "Messages Kafka could not take, by topic.");
  static absl::Mutex mutex(absl::kConstInit);
  static auto* by_topic = new std::map<std::string, TopicCounters>();
  absl::MutexLock lock(&mutex);
  auto it = by_topic->find(topic);
  if (it == by_topic->end()) {
    it = by_topic
             ->emplace(topic, TopicCounters{&produced.Add({{"topic", topic}}),
                                            &errors.Add({{"topic", topic}})})
             .first;
  }
  return it->second;
}

Producer::DeliveryCallback Measured(const std::string& topic, Producer::DeliveryCallback done) {
  static auto& latency = metrics::HistogramFamily(
      "infobus_kafka_produce_latency_seconds",
      "From handing a message to the producer to its acknowledgement, in seconds.");
  static auto& latency_histogram = latency.Add({}, metrics::LatencyBuckets());
  const TopicCounters& counters = CountersFor(topic);
  const absl::Time start = absl::Now();
  return [&counters, start, done = std::move(done)](absl::Status status) {
    if (status.ok()) {
      counters.produced->Increment();
      latency_histogram.Observe(absl::ToDoubleSeconds(absl::Now() - start));
    } else {
      counters.errors->Increment();
    }
    done(std::move(status));
  };
}

}  // namespace

absl::Status KafkaProducer::ProduceAsync(const OutgoingMessage& message, DeliveryCallback done) {
  RdKafka::Headers* headers = nullptr;
  if (!message.headers.empty()) {
    headers = RdKafka::Headers::create();
    for (const Header& header : message.headers) {
      headers->add(header.key, header.value.data(), header.value.size());
    }
  }
  auto* opaque = new DeliveryCallback(Measured(message.topic, std::move(done)));
  RdKafka::ErrorCode code = producer_->produce(
      message.topic,
      message.partition == OutgoingMessage::kAnyPartition ? RdKafka::Topic::PARTITION_UA
                                                          : message.partition,
      RdKafka::Producer::RK_MSG_COPY,
      message.tombstone ? nullptr : const_cast<char*>(message.value.data()),
      message.tombstone ? 0 : message.value.size(), message.key.data(), message.key.size(), 0,
      headers, opaque);
  if (code == RdKafka::ERR_NO_ERROR) return absl::OkStatus();
  // On failure librdkafka owns neither the headers nor the opaque.
  delete headers;
  delete opaque;
  if (code == RdKafka::ERR__QUEUE_FULL) {
    return absl::ResourceExhaustedError("kafka producer queue is full");
  }
  return absl::InvalidArgumentError(
      absl::StrCat("cannot produce to ", message.topic, ": ", RdKafka::err2str(code)));
}

std::vector<absl::Status> Producer::ProduceAll(const std::vector<OutgoingMessage>& messages,
                                               const std::atomic<bool>* cancelled,
                                               absl::Duration grace) {
  if (messages.empty()) return {};
  // Shared with the delivery callbacks: a cancelled wait returns while reports are still due.
  struct Reports {
    absl::Mutex mutex;
    std::vector<std::optional<absl::Status>> results ABSL_GUARDED_BY(mutex);
    size_t pending ABSL_GUARDED_BY(mutex) = 0;
  };
  auto reports = std::make_shared<Reports>();
  {
    absl::MutexLock lock(&reports->mutex);
    reports->results.resize(messages.size());
    reports->pending = messages.size();
  }
  auto report = [reports](size_t i, absl::Status status) {
    absl::MutexLock lock(&reports->mutex);
    reports->results[i] = std::move(status);
    --reports->pending;
  };
  for (size_t i = 0; i < messages.size(); ++i) {
    absl::Status queued;
    // Back off while the local queue is full instead of failing the whole batch.
    for (int attempt = 0; attempt < 1000; ++attempt) {
      queued = ProduceAsync(messages[i],
                            [report, i](absl::Status status) { report(i, std::move(status)); });
      if (!absl::IsResourceExhausted(queued)) break;
      absl::SleepFor(absl::Milliseconds(10));
    }
    if (!queued.ok()) {
      // Queue none after it: a later message delivered past a missing one would leave a gap
      // that readers relying on per-partition order (hotspot sighting marks) cannot see.
      for (size_t j = i; j < messages.size(); ++j) {
        report(j, j == i ? queued
                         : absl::AbortedError(
                               "not sent: an earlier message of the batch could not be queued"));
      }
      break;
    }
  }
  absl::MutexLock lock(&reports->mutex);
  auto done = [&reports]()
                  ABSL_EXCLUSIVE_LOCKS_REQUIRED(reports->mutex) { return reports->pending == 0; };
  absl::Time give_up = absl::InfiniteFuture();
  while (!reports->mutex.AwaitWithTimeout(absl::Condition(&done), kCancelCheck)) {
    if (cancelled == nullptr || !cancelled->load()) continue;
    if (give_up == absl::InfiniteFuture()) give_up = absl::Now() + grace;
    if (absl::Now() >= give_up) break;
  }
  std::vector<absl::Status> results;
  results.reserve(messages.size());
  for (const std::optional<absl::Status>& result : reports->results) {
    results.push_back(
        result.value_or(absl::CancelledError("stopping: its delivery report was not awaited")));
  }
  return results;
}

absl::Status KafkaProducer::CheckBroker(absl::Duration timeout) {
  RdKafka::Metadata* metadata = nullptr;
  // all_topics=false with no topic asks only for brokers: cheap on a big cluster.
  RdKafka::ErrorCode code = producer_->metadata(
      false, nullptr, &metadata, static_cast<int>(absl::ToInt64Milliseconds(timeout)));
  delete metadata;
  if (code == RdKafka::ERR_NO_ERROR) return absl::OkStatus();
  return absl::UnavailableError(absl::StrCat("Kafka unreachable: ", RdKafka::err2str(code)));
}

absl::Status KafkaProducer::Flush(absl::Duration timeout) {
  RdKafka::ErrorCode code = producer_->flush(static_cast<int>(absl::ToInt64Milliseconds(timeout)));
  if (code == RdKafka::ERR_NO_ERROR) return absl::OkStatus();
  return absl::DeadlineExceededError(absl::StrCat("flush: ", RdKafka::err2str(code)));
}

}  // namespace infobus::kafka
