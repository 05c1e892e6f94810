#pragma once

#include <cstdint>
#include <map>
#include <string>

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
  double consume_seconds = 0;  // assign() to the last message
  double produce_per_s() const { return messages / produce_seconds; }
  double consume_per_s() const { return messages / consume_seconds; }
};

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
