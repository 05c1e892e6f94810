#pragma once

namespace infobus::stream {

// Something that keeps work staged for a transaction outside it (an inbox's pending
// notifications, a log's next sequence number) and must learn how the transaction ended: it
// makes the staged work visible on Committed and drops it on Aborted. Called on the thread
// that settles the transaction (the consumer loop's), exactly once per transaction it enlisted
// in.
class Participant {
 public:
  virtual ~Participant() = default;
  // The transaction's output is acknowledged by Kafka and its state and offsets are stored.
  virtual void Committed() = 0;
  // Nothing of the transaction was stored; its records will be offered again.
  virtual void Aborted() = 0;
};

}  // namespace infobus::stream
