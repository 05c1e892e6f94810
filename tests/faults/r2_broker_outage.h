#pragma once

#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "tests/faults/check_result.h"
#include "tests/faults/kafka_broker.h"
#include "tests/faults/line_log.h"

namespace infobus::faults {

struct R2Options {
  absl::Duration outage = absl::Seconds(60);  // each outage: graceful stop, then kill -9
  double rate = 100;                          // events per second offered
  int batch = 50;                             // events per Publish call
  absl::Duration drain_timeout = absl::Minutes(10);
  uint32_t seed = 1;
};

// R2: the broker stopped gracefully for `outage` mid-stream, then killed with -9 for `outage`,
// while a retrying publisher keeps publishing and followers follow every unit. During the kill
// -9 outage a second bus's services are started from cold. Checks: every event answered
// ACCEPTED (or DUPLICATE) is in the events topic afterwards; every accepted event was judged
// and delivered once, without seq gaps; the services came back to SERVING by themselves (never
// restarted, never exited) and the cold-started ones started and came to SERVING; finally,
// with the broker stopped again, every service stops cleanly on SIGTERM. `broker` runs (and
// is left stopped); the buses live in `dir`.
CheckResult RunR2(const R2Options& options, KafkaBroker& broker, const std::string& dir,
                  LineLog& log);

}  // namespace infobus::faults
