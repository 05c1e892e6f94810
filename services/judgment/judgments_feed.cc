#include "services/judgment/judgments_feed.h"

#include <vector>

#include "common/codec/judgment_decoder.h"
#include "common/kafka/dead_letter.h"

namespace infobus::judgment {

absl::StatusOr<std::unique_ptr<JudgmentsFeed>> JudgmentsFeed::Create(
    const std::string& bootstrap_servers, std::string topic, Store* store, EventHandler* handler) {
  std::unique_ptr<JudgmentsFeed> feed(new JudgmentsFeed());
  feed->handler_ = handler;
  kafka::ExportDeadLetters(topic);
  auto table = stream::GlobalTable::OpenFor(
      bootstrap_servers, stream::GlobalTable::Options::Of(topic, kOffsetsFamily, topic + "-feed"),
      store, feed.get(), &JudgmentsFeed::Apply);
  if (!table.ok()) return table.status();
  feed->table_ = *std::move(table);
  return feed;
}

JudgmentsFeed::~JudgmentsFeed() = default;

absl::Status JudgmentsFeed::Apply(std::vector<kafka::Record> page,
                                  stream::GlobalTable::OffsetEntries offsets) {
  std::vector<infobus::common::v1::Judgment> judgments;
  std::vector<EventHandler::Rejected> rejected;
  for (kafka::Record& record : page) {
    auto judgment = codec::DecodeJudgment(record);
    if (judgment.ok()) {
      judgments.push_back(*std::move(judgment));
    } else {
      rejected.push_back({std::move(record), std::string(judgment.status().message())});
    }
  }
  return handler_->Absorb(std::move(judgments), std::move(rejected), kOffsetsFamily,
                          std::move(offsets), absl::Seconds(5));
}

}  // namespace infobus::judgment
