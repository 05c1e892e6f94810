#pragma once

#include <time.h>

#include <cstdint>

namespace infobus::bench {

// Monotonic nanoseconds (CLOCK_MONOTONIC): every latency in the benchmark is a difference of two
// of these taken in this process.
inline int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// Sleeps until NowNs() >= `deadline_ns` (or a little past it: the scheduler decides).
inline void SleepUntilNs(int64_t deadline_ns) {
  timespec ts;
  ts.tv_sec = deadline_ns / 1000000000;
  ts.tv_nsec = deadline_ns % 1000000000;
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) != 0) {
  }
}

}  // namespace infobus::bench
