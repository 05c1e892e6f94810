#include "tools/bench/baseline.h"

#include <librdkafka/rdkafkacpp.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/kafka/admin.h"
#include "common/kafka/client_conf.h"
#include "common/kafka/message.h"
#include "common/util/ids.h"
#include "tools/bench/child_process.h"
#include "tools/bench/clock.h"

namespace infobus::bench {
namespace {

class CountingReporter : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& message) override {
    if (message.err() == RdKafka::ERR_NO_ERROR) {
      ok.fetch_add(1, std::memory_order_relaxed);
    } else {
      failed.fetch_add(1, std::memory_order_relaxed);
    }
    last_ns.store(NowNs(), std::memory_order_relaxed);
  }
  std::atomic<int64_t> ok{0};
  std::atomic<int64_t> failed{0};
  std::atomic<int64_t> last_ns{0};
};

absl::StatusOr<std::unique_ptr<RdKafka::Producer>> MakeProducer(const BaselineOptions& options,
                                                                CountingReporter* reporter) {
  std::map<std::string, std::string> settings = {
      {"bootstrap.servers", options.bootstrap_servers},
      {"acks", "all"},
      {"enable.idempotence", "true"},
      {"client.id", "infobus-bench-baseline"},
  };
  for (const auto& [key, value] : options.producer_properties) settings[key] = value;
  // The services' client configuration (Nagle off among it), so both sides of the ratio run
  // on the same client settings.
  auto conf = kafka::NewClientConf(settings, "baseline producer");
  if (!conf.ok()) return conf.status();
  std::string error;
  (*conf)->set("dr_cb", reporter, error);
  std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf->get(), error));
  if (!producer) return absl::InternalError(absl::StrCat("producer: ", error));
  return producer;
}

absl::StatusOr<std::unique_ptr<RdKafka::KafkaConsumer>> MakeAssignedConsumer(
    const BaselineOptions& options, const std::string& topic) {
  auto created = kafka::NewAssignOnlyConsumer(options.bootstrap_servers, "bench-baseline",
                                              {{"client.id", "infobus-bench-baseline"}});
  if (!created.ok()) return created.status();
  std::unique_ptr<RdKafka::KafkaConsumer> consumer = std::move(*created);
  std::vector<RdKafka::TopicPartition*> partitions;
  for (int p = 0; p < options.partitions; ++p) {
    partitions.push_back(
        RdKafka::TopicPartition::create(topic, p, RdKafka::Topic::OFFSET_BEGINNING));
  }
  RdKafka::ErrorCode code = consumer->assign(partitions);
  RdKafka::TopicPartition::destroy(partitions);
  if (code != RdKafka::ERR_NO_ERROR) return absl::InternalError(RdKafka::err2str(code));
  return consumer;
}

// The three headers every infobus event carries, with values of the same sizes.
RdKafka::Headers* TypicalHeaders() {
  static const std::string trace = NewTraceId();
  static const std::string source = "451421-lodging";
  static const std::string schema = "infobus.common.v1.Event";
  RdKafka::Headers* headers = RdKafka::Headers::create();
  headers->add(kafka::kTraceIdHeader, trace.data(), trace.size());
  headers->add(kafka::kSourceIdHeader, source.data(), source.size());
  headers->add(kafka::kSchemaHeader, schema.data(), schema.size());
  return headers;
}

// Queues one message; on a full local queue serves reports and tries again.
absl::Status Produce(RdKafka::Producer* producer, const std::string& topic, const std::string& key,
                     const std::string& value) {
  while (true) {
    RdKafka::Headers* headers = TypicalHeaders();
    RdKafka::ErrorCode code = producer->produce(
        topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
        const_cast<char*>(value.data()), value.size(), key.data(), key.size(), 0, headers, nullptr);
    if (code == RdKafka::ERR_NO_ERROR) return absl::OkStatus();
    delete headers;
    if (code != RdKafka::ERR__QUEUE_FULL) return absl::InternalError(RdKafka::err2str(code));
    producer->poll(1);
  }
}

// Makes `topic`, with the bus's partition count, when it is missing.
absl::Status EnsureTopic(const BaselineOptions& options, const std::string& topic) {
  return kafka::EnsureTopics(options.bootstrap_servers, {{topic, options.partitions, 1, {}}},
                             absl::Seconds(30));
}

// Sends one message and waits for its report: metadata, the connection and the idempotent
// producer id are in place before the measured run.
absl::Status WarmUp(RdKafka::Producer* producer, const std::string& topic, const std::string& key,
                    const std::string& value) {
  if (absl::Status status = Produce(producer, topic, key, value); !status.ok()) return status;
  producer->flush(30000);
  return absl::OkStatus();
}

// The key carries the message's number in the benchmark, padded to the typical key's length.
std::string NumberedKey(const std::string& typical, int64_t i) {
  std::string key = absl::StrFormat("seq:%012d", i);
  if (key.size() < typical.size()) key.append(typical.size() - key.size(), '_');
  return key;
}

}  // namespace

absl::StatusOr<BaselineThroughput> RunBaselineThroughput(const BaselineOptions& options,
                                                         int64_t messages) {
  const std::string topic = options.topic_prefix + "bench.baseline.v1";
  if (absl::Status status = EnsureTopic(options, topic); !status.ok()) return status;
  CountingReporter reporter;
  auto producer = MakeProducer(options, &reporter);
  if (!producer.ok()) return producer.status();
  if (absl::Status status = WarmUp(producer->get(), topic, options.key, options.value);
      !status.ok()) {
    return status;
  }
  const int64_t warmup = reporter.ok.load();

  BaselineThroughput result;
  result.messages = messages;
  const int64_t start = NowNs();
  for (int64_t i = 0; i < messages; ++i) {
    if (absl::Status status = Produce(producer->get(), topic, options.key, options.value);
        !status.ok()) {
      return status;
    }
    (*producer)->poll(0);
  }
  while (reporter.ok.load() + reporter.failed.load() < messages + warmup) (*producer)->poll(10);
  if (reporter.failed.load() > 0) {
    return absl::UnavailableError(absl::StrCat(reporter.failed.load(), " messages not delivered"));
  }
  result.produce_seconds = static_cast<double>(reporter.last_ns.load() - start) / 1e9;

  result.topic = topic;
  result.messages_in_topic = messages + warmup;
  const int64_t consume_start = NowNs();
  auto consumer = MakeAssignedConsumer(options, topic);
  if (!consumer.ok()) return consumer.status();
  const int64_t want = messages + warmup;
  int64_t got = 0, first = 0, last = 0;
  const int64_t deadline = consume_start + int64_t{300} * 1000000000;
  while (got < want && NowNs() < deadline) {
    std::unique_ptr<RdKafka::Message> message((*consumer)->consume(100));
    if (message->err() != RdKafka::ERR_NO_ERROR) continue;
    last = NowNs();
    if (got++ == 0) first = last;
  }
  result.first_message_seconds = static_cast<double>(first - consume_start) / 1e9;
  result.consume_from_assign_seconds = static_cast<double>(last - consume_start) / 1e9;
  result.consume_seconds = static_cast<double>(last - first) / 1e9;
  result.consumed_after_first = want - 1;
  (*consumer)->close();
  if (got < want) {
    return absl::DeadlineExceededError(absl::StrCat("consumed ", got, " of ", want, " messages"));
  }
  return result;
}

absl::StatusOr<IndependentConsume> RunKcatConsume(const std::string& bootstrap_servers,
                                                  const std::string& kcat_args,
                                                  const std::string& topic, int64_t messages,
                                                  const std::string& log_path) {
  const std::string command = absl::StrCat("kcat -C -e -o beginning -q -f '\\n' -b ",
                                           bootstrap_servers, " -t ", topic, " ", kcat_args);
  const int64_t spawned = NowNs();
  auto kcat = ChildProcess::Start(command, log_path, ChildProcess::Output::kPipe);
  if (!kcat.ok()) return kcat.status();
  IndependentConsume result;
  std::vector<char> buffer(1 << 16);
  // Arrival time and message count of every read.
  std::vector<std::pair<int64_t, int64_t>> reads;
  while (true) {
    const ssize_t n = read(kcat->stdout_fd(), buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    const int64_t now = NowNs();
    const int64_t lines = std::count(buffer.begin(), buffer.begin() + n, '\n');
    reads.emplace_back(now, lines);
    result.messages += lines;
  }
  const int status = kcat->Wait();
  result.process_seconds = static_cast<double>(NowNs() - spawned) / 1e9;
  if (status != 0 || result.messages != messages) {
    return absl::UnavailableError(absl::StrCat("kcat read ", result.messages, " of ", messages,
                                               " messages (exit status ", status, "; see ",
                                               log_path, ")"));
  }
  if (reads.size() >= 3) {
    for (size_t i = 1; i + 1 < reads.size(); ++i) result.counted += reads[i].second;
    result.seconds = static_cast<double>(reads[reads.size() - 2].first - reads[0].first) / 1e9;
  }
  return result;
}

absl::StatusOr<BaselineLatency> RunBaselineLatency(const BaselineOptions& options, double rate,
                                                   absl::Duration duration) {
  const std::string topic = options.topic_prefix + "bench.baseline-latency.v1";
  if (absl::Status status = EnsureTopic(options, topic); !status.ok()) return status;
  CountingReporter reporter;
  auto producer = MakeProducer(options, &reporter);
  if (!producer.ok()) return producer.status();
  auto consumer = MakeAssignedConsumer(options, topic);
  if (!consumer.ok()) return consumer.status();
  // Warm up the producer (and the consumer's fetch sessions) outside the measured run.
  if (absl::Status status = WarmUp(producer->get(), topic, "warmup", options.value); !status.ok()) {
    return status;
  }
  for (int i = 0; i < 20; ++i) std::unique_ptr<RdKafka::Message>((*consumer)->consume(50));

  BaselineLatency result;
  result.offered_per_s = rate;
  const auto total = static_cast<int64_t>(rate * absl::ToDoubleSeconds(duration));
  std::vector<int64_t> intended(static_cast<size_t>(total), 0);
  const double interval_ns = 1e9 / rate;
  std::atomic<bool> sending_done{false};
  std::atomic<int64_t> received{0};
  Histogram latency;
  std::thread reader([&] {
    int64_t quiet_since = 0;
    while (received.load() < total) {
      std::unique_ptr<RdKafka::Message> message((*consumer)->consume(20));
      const int64_t now = NowNs();
      if (message->err() == RdKafka::ERR_NO_ERROR) {
        quiet_since = 0;
        int64_t seq = -1;
        const std::string* key = message->key();
        if (key == nullptr || key->size() < 16 || !absl::SimpleAtoi(key->substr(4, 12), &seq) ||
            seq < 0 || seq >= total) {
          continue;  // the warm-up message
        }
        latency.Record(now - intended[static_cast<size_t>(seq)]);
        received.fetch_add(1);
      } else if (sending_done.load()) {
        if (quiet_since == 0) quiet_since = now;
        if (now - quiet_since > int64_t{15} * 1000000000) break;  // lost: give up
      }
    }
  });

  const int64_t start = NowNs() + 1000000;
  for (int64_t i = 0; i < total; ++i)
    intended[static_cast<size_t>(i)] =
        start + static_cast<int64_t>(static_cast<double>(i) * interval_ns);
  for (int64_t i = 0; i < total; ++i) {
    const int64_t due = intended[static_cast<size_t>(i)];
    while (NowNs() < due) {
      (*producer)->poll(0);
      SleepUntilNs(due);
    }
    if (absl::Status status =
            Produce(producer->get(), topic, NumberedKey(options.key, i), options.value);
        !status.ok()) {
      sending_done = true;
      reader.join();
      return status;
    }
    (*producer)->poll(0);
  }
  (*producer)->flush(30000);
  sending_done = true;
  reader.join();
  (*consumer)->close();
  result.sent = total;
  result.received = received.load();
  result.latency_ns = latency;
  return result;
}

}  // namespace infobus::bench
