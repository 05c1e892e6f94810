#pragma once

#include <sys/types.h>

#include <cstdint>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "infobus/bench/v1/bench_results.pb.h"

namespace infobus::bench {

// The judgment-vs-streams phase (issue 14): the real infobus-judgment and a Kafka Streams app
// doing the same watchlist and hotspot work (tools/bench/streams/), each run alone on the same
// preloaded events, alternately (judgment, Streams, judgment, ...), `pairs` pairs.
//
// Per pair: a fresh topic prefix P; `events` events (the workload's lodging/netcafe events as
// collection would have produced them, occurred_at 20 ms apart from a fixed hour) and the
// workload's watchlist are produced to P's events and watchlist topics; then judgment runs with
// kafka.topic_prefix=P and a fresh store, then Streams with a fresh application.id and state
// dir on the same two topics. Each is timed from its start until its group's committed offsets
// reach the end of the events topic and then of its repartition topic (judgment's
// hotspot-sightings, Streams' <application.id>-hotspot-sightings-repartition), polled every
// 50 ms; CPU is the process's utime+stime (/proc/<pid>/stat) at that moment. Then it is
// stopped (SIGTERM) and its output topic counted.
struct StreamsCompareOptions {
  std::string kafka;         // bootstrap servers (TLS: kafka::SetProcessSecurity already set)
  std::string topic_prefix;  // pair i uses <topic_prefix>vs<i>.
  int partitions = 3;
  int64_t events = 1000000;
  int pairs = 3;
  // Shell command lines (run with `exec`), completed per run with:
  //   judgment: --set kafka.topic_prefix=P --set store.path=DIR/db --set grpc.port_file=...
  //   streams:  --prefix P --application-id A --state-dir DIR
  std::string judgment_command;
  std::string streams_command;
  std::string dir;       // stores, state dirs and each run's log
  pid_t broker_pid = 0;  // for the broker's CPU per run (0: unknown)
  std::string run_id;    // the workload's
};

absl::StatusOr<v1::JudgmentVsStreams> RunStreamsCompare(const StreamsCompareOptions& options,
                                                        std::ostream& log);

}  // namespace infobus::bench
