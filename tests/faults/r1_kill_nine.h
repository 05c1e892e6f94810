#pragma once

#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "tests/faults/check_result.h"
#include "tests/faults/line_log.h"

namespace infobus::faults {

struct R1Options {
  int rounds = 24;      // kill -9 rounds over the stream (collection, judgment, dispatch)
  int events = 100000;  // events in the stream (each a watchlist hit)
  double rate = 400;    // events per second offered
  int batch = 100;      // events per Publish call
  int high_hits = 20;   // events with a high-severity subject (deadline, escalations)
  int clusters = 12;    // hotspot groups
  int threshold = 5;    // the hotspot rule's threshold
  absl::Duration deadline = absl::Seconds(3);  // sign-off deadline for high severity
  absl::Duration drain_timeout = absl::Minutes(10);
  uint32_t seed = 1;
};

// R1: kill -9 of a random service at random moments, `rounds` times, while a stream of
// `events` events flows from a retrying publisher through collection, judgment and dispatch to
// followers of every unit that resubscribe after each disconnect; then a drain and the checks:
// every accepted event in the events topic and delivered where it belongs, no delivery twice,
// no seq gap, every hotspot exact (with a repeated record injected on purpose), every due
// escalation delivered once. Runs on the broker at `bootstrap`, in `dir`; progress to `log`.
CheckResult RunR1(const R1Options& options, const std::string& bootstrap, const std::string& dir,
                  LineLog& log);

}  // namespace infobus::faults
