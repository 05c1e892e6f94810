#pragma once

#include "absl/time/time.h"
#include "common/config/config.h"
#include "common/stream/consumer_loop.h"

namespace infobus {

// The keys of ConsumerSchema, typed: how a service that consumes topics runs its consumer loop.
// Only services whose schema has ConsumerSchema's keys read them (ConsumerOptionsFrom aborts on
// a schema without them, as any Config getter does). A plain value: copy it freely.
struct ConsumerOptions {
  // kafka.bootstrap_servers, kafka.group_id (after kafka.topic_prefix), kafka.group_instance_id,
  // kafka.max_batch, kafka.session_timeout, and the bus's dead-letter topic. `topics` is left
  // for the service to fill.
  stream::ConsumerLoop::Options loop;
  // health.consumer_stall: a loop that has not turned, or only failed, this long is NOT_SERVING.
  absl::Duration stall_after;
};

ConsumerOptions ConsumerOptionsFrom(const Config& config);

}  // namespace infobus
