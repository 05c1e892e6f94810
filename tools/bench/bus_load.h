#pragma once

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "infobus/dispatch/v1/dispatch_service.grpc.pb.h"
#include "tools/bench/histogram.h"
#include "tools/bench/workload.h"

namespace infobus::bench {

using ChannelCredentialsPtr = std::shared_ptr<grpc::ChannelCredentials>;

// A channel of its own (its own connection) to `address` with `credentials`.
std::shared_ptr<grpc::Channel> BenchChannel(const std::string& address,
                                            const ChannelCredentialsPtr& credentials);

// One set of the three services and how the benchmark's clients reach it: plaintext for a set
// started with security.mode=insecure, or TLS with the identity each client plays (the source
// system that publishes, the administrator who loads the watchlist, the officer who follows the
// hit unit's inbox). Immutable once built.
struct BusTarget {
  std::string name;                            // "insecure" or "secure": the label in the log
  std::string pid_prefix;                      // its processes' names in --pids: "" or "secure_"
  std::string collection, judgment, dispatch;  // gRPC addresses
  ChannelCredentialsPtr publisher, administrator, officer;
};

// Adds the workload's watched numbers to judgment's watchlist (idempotent).
absl::Status LoadWatchlist(const BusTarget& target, const Workload& workload);

// Follows unit fusui-psb's inbox on a thread and joins each delivery to the event it came from
// (the judgment's evidence names the event id, which names the phase and sequence number). Per
// phase it counts hits, notes duplicates and the time of the last arrival, and records latency
// (arrival minus intended send time) when the phase registered its intended times.
// Thread-safe.
class DeliveryTracker {
 public:
  struct PhaseResult {
    int64_t received = 0;
    int64_t duplicates = 0;
    int64_t last_arrival_ns = 0;
    Histogram latency_ns;
    // The same latency cut where the bus stamps wall-clock times (same machine, same clock):
    // intended send -> judgment created_at -> delivery delivered_at (in the inbox) -> arrival.
    Histogram to_judged_ns;
    Histogram judged_to_inbox_ns;
    Histogram inbox_to_stream_ns;
  };

  DeliveryTracker(const Workload* workload, const BusTarget& target);
  ~DeliveryTracker();  // cancels the stream

  // Call before the phase's first event is sent. `intended_ns` (indexed by sequence number,
  // filled before sending, unchanged until Wait returns) may be null.
  void BeginPhase(const std::string& phase, int64_t events,
                  const std::vector<int64_t>* intended_ns);
  // Waits until `expected` hits of `phase` arrived, or `timeout` passed; returns what arrived.
  PhaseResult Wait(const std::string& phase, int64_t expected, absl::Duration timeout);
  // Deliveries that named no registered phase (earlier runs' backlog).
  int64_t ignored() const;

 private:
  struct Phase {
    const std::vector<int64_t>* intended_ns = nullptr;
    std::vector<bool> seen;
    PhaseResult result;
  };
  void Read();

  const Workload* const workload_;
  const int64_t wall_minus_monotonic_ns_;
  std::unique_ptr<infobus::dispatch::v1::DispatchService::Stub> stub_;
  grpc::ClientContext context_;
  mutable absl::Mutex mutex_;
  std::map<std::string, Phase> phases_ ABSL_GUARDED_BY(mutex_);
  int64_t ignored_ ABSL_GUARDED_BY(mutex_) = 0;
  std::string end_status_ ABSL_GUARDED_BY(mutex_);
  std::thread thread_;
};

struct PublishConfig {
  std::string collection_address;
  ChannelCredentialsPtr credentials;  // the publishing source system's
  int concurrency = 4;  // client threads, each with its own connection and one call in flight
  int batch = 200;      // events per Publish call
  // Open loop only: the least time between two calls. 0 sends whatever is due at once (one or
  // two events per call at a few thousand events/s); a few milliseconds models a source system
  // that batches, trading that much latency (it is measured) for far fewer calls.
  int64_t send_interval_ns = 0;
};

struct ClosedLoopResult {
  int64_t events = 0;
  int64_t accepted = 0;  // first answer ACCEPTED, or DUPLICATE on a resend
  int64_t rejected = 0;  // never expected: the workload is valid
  int64_t resent = 0;    // events answered RETRY (or whole calls refused) and sent again
  int64_t start_ns = 0;
  int64_t end_ns = 0;  // the last answer
  Histogram call_latency_ns;
  double seconds() const { return static_cast<double>(end_ns - start_ns) / 1e9; }
};

// Publishes `events` events of `phase` as fast as `concurrency` callers with one `batch`-sized
// call each in flight get answers. Requests are built and connections made (with TLS: the
// handshakes) before the clock starts, so per-call costs are what is measured.
ClosedLoopResult PublishClosedLoop(const PublishConfig& config, const Workload& workload,
                                   const std::string& phase, int64_t events);

struct OpenLoopResult {
  int64_t events = 0;
  int64_t accepted = 0;
  int64_t not_accepted = 0;
  int64_t calls = 0;
  int64_t expected_hits = 0;  // hits among the accepted events
  int64_t max_behind_ns = 0;  // how late the sender ever was against the schedule
  Histogram ack_latency_ns;   // Publish answer minus intended send time, per accepted event
};

// Open loop, coordinated-omission-safe: event i is due at start + i/rate (`intended_ns` is
// filled with those times). The sender sends, in one call of at most `batch` events, whatever is
// due, never waiting for answers (calls are asynchronous), so a slow service shows up as latency
// measured from the intended time rather than as a slower sender.
OpenLoopResult PublishOpenLoop(const PublishConfig& config, const Workload& workload,
                               const std::string& phase, double rate, int64_t events,
                               std::vector<int64_t>* intended_ns, DeliveryTracker* tracker);

}  // namespace infobus::bench
