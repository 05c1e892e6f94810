#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tools/bench/histogram.h"

namespace infobus::bench {

// The yardstick: raw librdkafka on the same broker, with the same durability as infobus
// (acks=all, enable.idempotence) and messages of the same key, value and header sizes as a
// typical infobus event. No gRPC, no validation, no RocksDB: what Kafka alone can do here.
struct BaselineOptions {
  std::string bootstrap_servers;
  std::string topic_prefix;  // topics <prefix>bench.baseline.v1 and …baseline-latency.v1
  int partitions = 3;        // as many as the bus's topics
  std::string key;
  std::string value;
  std::map<std::string, std::string> producer_properties;  // e.g. linger.ms
};

struct BaselineThroughput {
  int64_t messages = 0;
  double produce_seconds = 0;  // first produce() to last delivery report
  // The read: from the first message's arrival to the last's, for the messages after the first.
  // Before the first message comes the one-off start (the consumer's creation and connection,
  // the offset lookup, the first fetch's round trip), which is latency, not read rate: counted
  // in, it made 200K messages read at ~2.5M msgs/s look like ~330K msgs/s.
  double consume_seconds = 0;
  int64_t consumed_after_first = 0;
  double first_message_seconds = 0;        // consumer creation to the first message
  double consume_from_assign_seconds = 0;  // consumer creation to the last message
  std::string topic;                       // what was read: for an independent reader
  int64_t messages_in_topic = 0;           // the measured messages and the warm-up one
  double produce_per_s() const { return messages / produce_seconds; }
  double consume_per_s() const { return consumed_after_first / consume_seconds; }
};

// An independent reader of the same topic, for the consume yardstick: kcat, timed as the
// baseline's own consumer is (first to last message), and as a whole process.
struct IndependentConsume {
  int64_t messages = 0;        // read in all
  double seconds = 0;          // first output to the last whole buffer before exit
  int64_t counted = 0;         // the messages over `seconds`
  double process_seconds = 0;  // spawn to exit
  double per_s() const { return seconds > 0 ? counted / seconds : 0; }
};

// Runs `kcat -C -e -o beginning -q -f '\n'` (librdkafka's defaults, like the baseline's consumer;
// `kcat_args` add the TLS settings) on `topic` and reads its stdout through a pipe. kcat writes
// in whole stdio buffers, so the rate is taken from the arrival of its first buffer to that of
// its last but one (the last is written at exit, after the end-of-partition wait), counting the
// messages in between. Fails unless it reads `messages`.
absl::StatusOr<IndependentConsume> RunKcatConsume(const std::string& bootstrap_servers,
                                                  const std::string& kcat_args,
                                                  const std::string& topic, int64_t messages,
                                                  const std::string& log_path);

// Produces `messages` as fast as librdkafka takes them, waits for every acknowledgement, then
// reads them all back with a fresh consumer (assign from the beginning, no group join).
absl::StatusOr<BaselineThroughput> RunBaselineThroughput(const BaselineOptions& options,
                                                         int64_t messages);

struct BaselineLatency {
  int64_t sent = 0;
  int64_t received = 0;
  double offered_per_s = 0;
  Histogram latency_ns;  // consumer receive time minus intended send time
};

// Open loop: message i is due at start + i/rate; the producer sends whatever is due, and a
// consumer running alongside records, for each message, receive time minus the *intended* send
// time (so a stalled producer shows up as latency instead of being hidden).
absl::StatusOr<BaselineLatency> RunBaselineLatency(const BaselineOptions& options, double rate,
                                                   absl::Duration duration);

}  // namespace infobus::bench
