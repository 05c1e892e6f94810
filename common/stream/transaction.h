#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "common/kafka/message.h"
#include "common/stream/participant.h"
#include "rocksdb/write_batch.h"

namespace infobus::stream {

// One turn of a consumer loop, as a unit of work that commits or aborts whole: the state
// changes (`batch()`), the messages to produce, the dead letters, and the participants that
// keep work staged alongside. A handler stages into it and has no side effects of its own; the
// loop produces the output (acks=all), then writes the state with the offsets in one RocksDB
// write, then settles the participants. Nothing of a failed or aborted transaction is kept.
//
// Not thread-safe: it lives on the loop's thread for one turn.
class Transaction {
 public:
  // `consumer` names who could not process a dead letter (the loop's group).
  Transaction(std::string dead_letter_topic, std::string consumer)
      : dead_letter_topic_(std::move(dead_letter_topic)), consumer_(std::move(consumer)) {}
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  // An unsettled transaction is aborted: its participants must not keep staged work.
  ~Transaction() { Abort(); }

  rocksdb::WriteBatch& batch() { return batch_; }
  void Produce(kafka::OutgoingMessage message) { output_.push_back(std::move(message)); }
  // Produced only once every Produce() message is acknowledged, and before the store write:
  // for a changelog of state that must never be ahead of the transaction's output.
  void ProduceAfterOutput(kafka::OutgoingMessage message) {
    trailing_.push_back(std::move(message));
  }
  // Sends `record` to the dead-letter topic with why it could not be processed.
  void DeadLetter(const kafka::Record& record, std::string_view reason);
  // The transaction cannot be completed for a reason that is not the records' fault (e.g. the
  // store failed): nothing of it is committed, and its records are offered again after a
  // back-off.
  void Fail(absl::Status status) { failure_ = std::move(status); }
  // Tells `participant` how this transaction ends; once, in the order of first enlistment.
  void Enlist(Participant* participant);

  // Whether nothing was staged: no state change, no message (enlisting stages nothing).
  bool empty() const { return batch_.Count() == 0 && output_.empty() && trailing_.empty(); }
  const absl::Status& failure() const { return failure_; }
  const std::vector<kafka::OutgoingMessage>& output() const { return output_; }
  const std::vector<kafka::OutgoingMessage>& trailing() const { return trailing_; }

  // Settle the participants: only the first of Commit and Abort does anything. Commit is for
  // the loop, once the output is acknowledged and the store written.
  void Commit() { Settle(/*committed=*/true); }
  void Abort() { Settle(/*committed=*/false); }

 private:
  void Settle(bool committed);

  std::string dead_letter_topic_;
  std::string consumer_;
  rocksdb::WriteBatch batch_;
  std::vector<kafka::OutgoingMessage> output_;
  std::vector<kafka::OutgoingMessage> trailing_;
  absl::Status failure_;
  std::vector<Participant*> participants_;
  bool settled_ = false;
};

}  // namespace infobus::stream
