// The librdkafka side of TopicReader: one assign-only consumer that polls, and one more for
// watermark queries.
#include <librdkafka/rdkafkacpp.h>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/kafka/client_conf.h"
#include "common/kafka/record_from.h"
#include "common/kafka/watermarks.h"
#include "common/stream/topic_reader.h"

namespace infobus::stream {
namespace {

int Milliseconds(absl::Duration duration) {
  return static_cast<int>(std::max<int64_t>(0, absl::ToInt64Milliseconds(duration)));
}

class KafkaTopicReader final : public TopicReader {
 public:
  KafkaTopicReader(std::string topic, std::unique_ptr<RdKafka::KafkaConsumer> consumer,
                   std::unique_ptr<RdKafka::KafkaConsumer> offsets_client)
      : topic_(std::move(topic)),
        consumer_(std::move(consumer)),
        offsets_client_(std::move(offsets_client)) {}
  ~KafkaTopicReader() override {
    consumer_->close();
    offsets_client_->close();
  }

  absl::StatusOr<Polled> Poll(size_t max, absl::Duration wait) override {
    Polled polled;
    int timeout_ms = Milliseconds(wait);
    while (polled.records.size() < max) {
      std::unique_ptr<RdKafka::Message> message(consumer_->consume(timeout_ms));
      timeout_ms = 0;  // only the first waits: then take what is there
      if (message->err() == RdKafka::ERR__TIMED_OUT) break;
      if (message->err() == RdKafka::ERR__PARTITION_EOF) {
        polled.reached_end.insert(message->partition());
        continue;
      }
      if (message->err() != RdKafka::ERR_NO_ERROR) {
        if (!polled.records.empty()) break;  // hand over what was read; the error comes again
        return absl::UnavailableError(absl::StrCat("reading ", topic_, ": ", message->errstr()));
      }
      polled.reached_end.erase(message->partition());
      polled.records.push_back(kafka::RecordFrom(*message));
    }
    return polled;
  }

  absl::Status Seek(int32_t partition, int64_t offset) override {
    std::unique_ptr<RdKafka::TopicPartition> target(
        RdKafka::TopicPartition::create(topic_, partition, offset));
    if (RdKafka::ErrorCode code = consumer_->seek(*target, 5000); code != RdKafka::ERR_NO_ERROR) {
      return absl::UnavailableError(
          absl::StrCat("seeking ", topic_, "/", partition, ": ", RdKafka::err2str(code)));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::pair<int64_t, int64_t>> Watermarks(int32_t partition,
                                                         absl::Duration timeout) override {
    absl::MutexLock lock(&offsets_mutex_);  // one query at a time on that connection
    return kafka::QueryWatermarks(offsets_client_->c_ptr(), topic_, partition, timeout);
  }

 private:
  const std::string topic_;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  absl::Mutex offsets_mutex_;
  std::unique_ptr<RdKafka::KafkaConsumer> offsets_client_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<TopicReader>> OpenKafkaTopicReader(
    const std::string& bootstrap_servers, const std::string& topic, const std::string& name,
    const Offsets& from, std::map<std::string, std::string> settings) {
  settings.emplace("enable.partition.eof", "true");
  // A stored offset the broker has compacted or deleted away: go on from the earliest kept.
  settings.emplace("auto.offset.reset", "earliest");
  auto consumer = kafka::NewAssignOnlyConsumer(bootstrap_servers, name, settings);
  if (!consumer.ok()) return consumer.status();
  auto offsets_client =
      kafka::NewAssignOnlyConsumer(bootstrap_servers, name + "-offsets", settings);
  if (!offsets_client.ok()) return offsets_client.status();

  std::vector<RdKafka::TopicPartition*> assignment;
  for (const auto& [partition, offset] : from) {
    assignment.push_back(RdKafka::TopicPartition::create(topic, partition, offset));
  }
  const RdKafka::ErrorCode code = (*consumer)->assign(assignment);
  RdKafka::TopicPartition::destroy(assignment);
  if (code != RdKafka::ERR_NO_ERROR) {
    (*consumer)->close();
    (*offsets_client)->close();
    return absl::UnavailableError(absl::StrCat(name, ": assign: ", RdKafka::err2str(code)));
  }
  return std::make_unique<KafkaTopicReader>(topic, *std::move(consumer),
                                            *std::move(offsets_client));
}

}  // namespace infobus::stream
