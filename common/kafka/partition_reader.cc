#include "common/kafka/partition_reader.h"

#include <librdkafka/rdkafkacpp.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/kafka/client_conf.h"
#include "common/kafka/record_from.h"

namespace infobus::kafka {

absl::Status ReadPartitionToEnd(const std::string& bootstrap_servers, const std::string& topic,
                                int32_t partition, absl::Duration timeout,
                                const std::function<void(const Record&)>& apply) {
  const absl::Time deadline = absl::Now() + timeout;
  auto remaining_ms = [&deadline] {
    return static_cast<int>(
        std::max<int64_t>(0, absl::ToInt64Milliseconds(deadline - absl::Now())));
  };
  auto created = NewAssignOnlyConsumer(bootstrap_servers, topic + "-restore",
                                       {{"enable.partition.eof", "true"}});
  if (!created.ok()) return created.status();
  std::unique_ptr<RdKafka::KafkaConsumer> consumer = std::move(*created);
  auto fail = [&](std::string why) {
    consumer->close();
    return absl::UnavailableError(absl::StrCat("reading ", topic, "/", partition, ": ", why));
  };

  int64_t low = 0, high = 0;
  const RdKafka::ErrorCode code =
      consumer->query_watermark_offsets(topic, partition, &low, &high, remaining_ms());
  if (code != RdKafka::ERR_NO_ERROR) return fail(RdKafka::err2str(code));
  if (high <= low) {
    consumer->close();
    return absl::OkStatus();
  }
  std::unique_ptr<RdKafka::TopicPartition> start(
      RdKafka::TopicPartition::create(topic, partition, RdKafka::Topic::OFFSET_BEGINNING));
  if (RdKafka::ErrorCode assigned = consumer->assign({start.get()});
      assigned != RdKafka::ERR_NO_ERROR) {
    return fail(RdKafka::err2str(assigned));
  }
  while (true) {
    if (absl::Now() >= deadline) return fail("timed out before the end");
    std::unique_ptr<RdKafka::Message> message(consumer->consume(std::min(remaining_ms(), 500)));
    if (message->err() == RdKafka::ERR__TIMED_OUT) continue;
    // The end as of now; records after `high` came later and belong to a later read.
    if (message->err() == RdKafka::ERR__PARTITION_EOF) break;
    if (message->err() != RdKafka::ERR_NO_ERROR) return fail(message->errstr());
    if (message->offset() >= high) break;
    apply(RecordFrom(*message));
    if (message->offset() >= high - 1) break;
  }
  consumer->close();
  return absl::OkStatus();
}

}  // namespace infobus::kafka
