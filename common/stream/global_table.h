#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/kafka/message.h"
#include "common/store/store.h"
#include "common/stream/topic_reader.h"

namespace infobus::stream {

// A whole topic kept in this instance's store, as Kafka Streams' GlobalKTable: every instance
// reads every partition of the topic (no consumer group), and each page read is applied by the
// owner together with the offsets it reaches, so a restart goes on exactly where the store
// stands. A page that cannot be applied is read again (after `retry_after`) from what was
// applied last: nothing is skipped, and an apply must be idempotent for records it has seen
// before only in the sense that the store holds their effects or it does not.
//
// Threads: one reader thread of its own polls and calls `apply` (and WhenCaughtUp's `done`);
// WaitForCatchUp and WhenCaughtUp from any thread.
// Lifecycle: Open starts the reader; destroying the table stops it (an apply running finishes).
class GlobalTable {
 public:
  // The store entries that record how far a page took each partition: (key, value) for the
  // table's offsets family, to be written in the same batch as the page's effects.
  using OffsetEntries = std::vector<std::pair<std::string, std::string>>;
  // Makes the page's effects and `offsets` durable together, or neither (then returns why).
  // Runs on the reader thread; may block (the next page waits for it).
  using Apply = std::function<absl::Status(std::vector<kafka::Record> page, OffsetEntries offsets)>;

  struct Options {
    std::string topic;
    std::string offsets_family;  // in the store: OffsetKey(topic, partition) -> next offset
    std::string name;            // for logs and the Kafka clients
    size_t max_page = 500;
    absl::Duration poll_wait = absl::Milliseconds(100);
    absl::Duration retry_after = absl::Seconds(1);

    // Of `topic`, its offsets in `offsets_family`, named `name`; the rest as above.
    static Options Of(std::string topic, std::string offsets_family, std::string name) {
      Options options;
      options.topic = std::move(topic);
      options.offsets_family = std::move(offsets_family);
      options.name = std::move(name);
      return options;
    }
  };

  // On Kafka: every partition of the topic, each from the offset the store has applied (else
  // from the beginning). The topic must exist (a topic just created: waits for its metadata).
  static absl::StatusOr<std::unique_ptr<GlobalTable>> Open(const std::string& bootstrap_servers,
                                                           Options options, Store* store,
                                                           Apply apply);
  // Open, for an owner whose member function `apply` applies each page (on the reader thread;
  // `owner` must outlive the table).
  template <typename Owner>
  static absl::StatusOr<std::unique_ptr<GlobalTable>> OpenFor(
      const std::string& bootstrap_servers, Options options, Store* store, Owner* owner,
      absl::Status (Owner::*apply)(std::vector<kafka::Record>, OffsetEntries)) {
    return Open(bootstrap_servers, std::move(options), store,
                [owner, apply](std::vector<kafka::Record> page, OffsetEntries offsets) {
                  return (owner->*apply)(std::move(page), std::move(offsets));
                });
  }
  // On a reader already positioned at `applied` (tests; and Open).
  static std::unique_ptr<GlobalTable> Start(Options options, std::unique_ptr<TopicReader> reader,
                                            Offsets applied, Apply apply);
  ~GlobalTable();
  GlobalTable(const GlobalTable&) = delete;
  GlobalTable& operator=(const GlobalTable&) = delete;

  // Waits until everything on the topic now has been applied here; UNAVAILABLE when the ends
  // cannot be learnt, DEADLINE_EXCEEDED when the reader has not got there within `timeout`.
  absl::Status WaitForCatchUp(absl::Duration timeout);
  // The same without waiting: `done` runs once, on the reader thread, when everything on the
  // topic at the time of the call has been applied here (OK), or the ends cannot be learnt
  // (UNAVAILABLE), or the table is destroyed first (UNAVAILABLE). It must be quick. For a gRPC
  // callback that answers once its own write is visible; the caller keeps its own deadline.
  void WhenCaughtUp(std::function<void(absl::Status)> done);

  // The store entry of one partition's next offset, and what Open reads back.
  static std::pair<std::string, std::string> OffsetEntry(const std::string& topic,
                                                         int32_t partition, int64_t next);
  static absl::StatusOr<Offsets> StoredOffsets(const Store& store, const std::string& family,
                                               const std::string& topic, int partitions);

 private:
  GlobalTable(Options options, std::unique_ptr<TopicReader> reader, Offsets applied, Apply apply);
  void Run();
  // Learns the ends of new waiters and completes those the table has caught up with (reader
  // thread).
  void ServeWaiters();
  struct Waiter {
    std::function<void(absl::Status)> done;
    Offsets targets;  // each partition's end when the waiter came; empty until learnt
  };

  const Options options_;
  const std::unique_ptr<TopicReader> reader_;
  const Apply apply_;
  std::atomic<bool> stopping_{false};
  absl::Mutex mutex_;
  Offsets applied_ ABSL_GUARDED_BY(mutex_);  // next offset per partition, 0 before any
  std::vector<std::function<void(absl::Status)>> arriving_ ABSL_GUARDED_BY(mutex_);
  std::vector<Waiter> waiters_;  // reader thread only
  std::thread thread_;
};

}  // namespace infobus::stream
