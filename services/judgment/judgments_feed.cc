#include "services/judgment/judgments_feed.h"

#include <librdkafka/rdkafkacpp.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/codec/judgment_decoder.h"
#include "common/kafka/admin.h"
#include "common/kafka/client_conf.h"
#include "common/kafka/consumer_loop.h"
#include "common/kafka/dead_letter.h"
#include "common/kafka/record_from.h"
#include "common/log/log.h"

namespace infobus::judgment {

absl::StatusOr<std::unique_ptr<JudgmentsFeed>> JudgmentsFeed::Create(
    const std::string& bootstrap_servers, std::string topic, Store* store, EventHandler* handler) {
  std::unique_ptr<JudgmentsFeed> feed(new JudgmentsFeed());
  feed->topic_ = std::move(topic);
  feed->store_ = store;
  feed->handler_ = handler;
  auto partitions = kafka::PartitionCount(bootstrap_servers, feed->topic_, absl::Seconds(30));
  if (!partitions.ok()) return partitions.status();

  // The applied offsets live in the store.
  auto consumer = kafka::NewAssignOnlyConsumer(
      bootstrap_servers, feed->topic_ + "-feed",
      {{"auto.offset.reset", "earliest"}, {"fetch.wait.max.ms", "100"}});
  if (!consumer.ok()) return consumer.status();
  feed->consumer_ = std::move(*consumer);

  std::vector<RdKafka::TopicPartition*> assignment;
  for (int32_t partition = 0; partition < *partitions; ++partition) {
    auto stored = store->Get(kOffsetsFamily, kafka::OffsetKey(feed->topic_, partition));
    if (!stored.ok()) {
      RdKafka::TopicPartition::destroy(assignment);
      return stored.status();
    }
    const int64_t next = stored->has_value() ? static_cast<int64_t>(DecodeBigEndian64(**stored))
                                             : RdKafka::Topic::OFFSET_BEGINNING;
    feed->applied_[partition] = next;
    assignment.push_back(RdKafka::TopicPartition::create(feed->topic_, partition, next));
  }
  const RdKafka::ErrorCode code = feed->consumer_->assign(assignment);
  RdKafka::TopicPartition::destroy(assignment);
  if (code != RdKafka::ERR_NO_ERROR) {
    return absl::UnavailableError(absl::StrCat("judgments feed assign: ", RdKafka::err2str(code)));
  }
  kafka::ExportDeadLetters(feed->topic_);
  feed->thread_ = std::thread([f = feed.get()] { f->Run(); });
  return feed;
}

JudgmentsFeed::~JudgmentsFeed() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  if (consumer_) consumer_->close();
}

void JudgmentsFeed::Run() {
  while (!stopping_.load()) {
    std::vector<infobus::common::v1::Judgment> judgments;
    std::vector<EventHandler::Rejected> rejected;
    std::map<int32_t, int64_t> next;
    int timeout_ms = 100;
    for (int i = 0; i < 500 && !stopping_.load(); ++i) {
      std::unique_ptr<RdKafka::Message> message(consumer_->consume(timeout_ms));
      timeout_ms = 0;
      if (message->err() == RdKafka::ERR__TIMED_OUT) break;
      if (message->err() == RdKafka::ERR__PARTITION_EOF) continue;
      if (message->err() != RdKafka::ERR_NO_ERROR) {
        INFOBUS_LOG(Warning) << "judgments feed: " << message->errstr();
        break;
      }
      next[message->partition()] = message->offset() + 1;
      kafka::Record record = kafka::RecordFrom(*message);
      auto judgment = codec::DecodeJudgment(record);
      if (judgment.ok()) {
        judgments.push_back(*std::move(judgment));
      } else {
        rejected.push_back({std::move(record), std::string(judgment.status().message())});
      }
    }
    if (next.empty()) continue;
    std::vector<std::pair<std::string, std::string>> offsets;
    for (const auto& [partition, offset] : next) {
      offsets.emplace_back(kafka::OffsetKey(topic_, partition),
                           EncodeBigEndian64(static_cast<uint64_t>(offset)));
    }
    absl::Status status = handler_->Absorb(std::move(judgments), std::move(rejected),
                                           kOffsetsFamily, std::move(offsets), absl::Seconds(5));
    if (status.ok()) {
      for (const auto& [partition, offset] : next) applied_[partition] = offset;
      continue;
    }
    INFOBUS_LOG(Warning) << "judgments feed: not applied, will read again: " << status;
    Rewind();
    for (absl::Time until = absl::Now() + absl::Seconds(1);
         absl::Now() < until && !stopping_.load();) {
      absl::SleepFor(absl::Milliseconds(50));
    }
  }
}

void JudgmentsFeed::Rewind() {
  for (const auto& [partition, offset] : applied_) {
    std::unique_ptr<RdKafka::TopicPartition> target(
        RdKafka::TopicPartition::create(topic_, partition, offset));
    if (RdKafka::ErrorCode code = consumer_->seek(*target, 5000); code != RdKafka::ERR_NO_ERROR) {
      INFOBUS_LOG(Warning) << "judgments feed: seek " << partition << ": "
                           << RdKafka::err2str(code);
    }
  }
}

}  // namespace infobus::judgment
