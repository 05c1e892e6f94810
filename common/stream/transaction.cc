#include "common/stream/transaction.h"

#include <algorithm>

#include "common/kafka/dead_letter.h"

namespace infobus::stream {

void Transaction::DeadLetter(const kafka::Record& record, std::string_view reason) {
  output_.push_back(kafka::DeadLetterMessage(record, reason, consumer_, dead_letter_topic_));
}

void Transaction::Enlist(Participant* participant) {
  // A handler enlists on every call that may stage (a batch, a tick); a few at most.
  if (std::find(participants_.begin(), participants_.end(), participant) == participants_.end()) {
    participants_.push_back(participant);
  }
}

void Transaction::Settle(bool committed) {
  if (settled_) return;
  settled_ = true;
  for (Participant* participant : participants_) {
    if (committed) {
      participant->Committed();
    } else {
      participant->Aborted();
    }
  }
}

}  // namespace infobus::stream
