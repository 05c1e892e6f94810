#include "common/kafka/dead_letter.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log/log.h"
#include "common/metrics/metrics.h"
#include "common/util/time.h"
#include "infobus/common/v1/dead_letter.pb.h"

namespace infobus::kafka {
namespace {

prometheus::Family<prometheus::Counter>& DeadLetters() {
  static auto& family = metrics::CounterFamily(
      "infobus_dead_letters_total", "Records sent to the dead-letter topic, by source topic.");
  return family;
}

}  // namespace

void ExportDeadLetters(const std::string& topic) { DeadLetters().Add({{"topic", topic}}); }

OutgoingMessage DeadLetterMessage(const Record& record, std::string_view reason,
                                  std::string_view consumer, const std::string& dead_letter_topic) {
  DeadLetters().Add({{"topic", record.topic}}).Increment();
  infobus::common::v1::DeadLetter letter;
  letter.set_reason(std::string(reason));
  letter.set_consumer(std::string(consumer));
  letter.set_topic(record.topic);
  letter.set_partition(record.partition);
  letter.set_offset(record.offset);
  letter.set_key(record.key);
  letter.set_value(record.value);
  *letter.mutable_dead_lettered_at() = ToProtoTimestamp(absl::Now());
  OutgoingMessage message;
  message.topic = dead_letter_topic;
  message.key = absl::StrCat(record.topic, "/", record.partition);
  message.value = letter.SerializeAsString();
  message.headers.push_back({kSchemaHeader, letter.GetDescriptor()->full_name()});
  if (auto trace = record.HeaderValue(kTraceIdHeader); !trace.empty()) {
    message.headers.push_back({kTraceIdHeader, std::string(trace)});
  }
  INFOBUS_LOG(Warning) << "dead-lettering " << message.key << "@" << record.offset << ": "
                       << reason;
  return message;
}

}  // namespace infobus::kafka
