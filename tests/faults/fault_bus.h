#pragma once

#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/faults/fault_plan.h"
#include "tests/integration/support/bus.h"
#include "tests/integration/support/service_process.h"

namespace infobus::faults {

// What a topic read back held.
struct TopicEvents {
  std::set<std::string> event_ids;  // distinct (source, event) ids, as "<source>/<event>"
  int64_t records = 0;              // records in all (a repeated event counts each time)
};

// One bus of the fault suite: a TestBus (a topic prefix and a directory of its own) on the
// suite's broker, with collection, judgment (the fault rules) and dispatch (the fault routing),
// each keeping its gRPC port across restarts so that clients keep their address. Not
// thread-safe; one thread at a time drives the processes.
class FaultBus {
 public:
  FaultBus(const std::string& name, const std::string& parent_dir, const std::string& bootstrap,
           absl::Duration high_deadline, int threshold);

  // Starts judgment, dispatch and collection, in that order.
  absl::Status StartAll(absl::Duration timeout);
  // Puts the plan's subjects on their watchlists (each call returns once judgment applied it).
  absl::Status LoadWatchlist(const FaultPlan& plan);

  testing::ServiceProcess& collection() { return *collection_; }
  testing::ServiceProcess& judgment() { return *judgment_; }
  testing::ServiceProcess& dispatch() { return *dispatch_; }
  // ("collection", process), ("judgment", ...), ("dispatch", ...).
  std::vector<std::pair<std::string, testing::ServiceProcess*>> services();
  std::string Topic(const std::string& name) const { return bus_.Topic(name); }
  const std::string& dir() const { return bus_.dir(); }

  // Reads the whole events topic back.
  absl::StatusOr<TopicEvents> ReadEvents() const;
  // The "<source>/<event>" ids of the events that the judgments topic has a watchlist judgment
  // for.
  absl::StatusOr<std::set<std::string>> ReadJudgedEvents() const;

 private:
  testing::TestBus bus_;
  std::string bootstrap_;
  std::unique_ptr<testing::ServiceProcess> judgment_;
  std::unique_ptr<testing::ServiceProcess> dispatch_;
  std::unique_ptr<testing::ServiceProcess> collection_;
};

// "<source>/<event>", the identity collection deduplicates by.
std::string EventKey(const std::string& source_id, const std::string& event_id);

}  // namespace infobus::faults
