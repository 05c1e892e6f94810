#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "infobus/common/v1/event.pb.h"

namespace infobus::faults {

// The world the fault checks run in, and what they publish into it: a hierarchy of units
// (province → city → county → station), the places events come from, a routing file that sends
// each judgment to the most specific unit with a short sign-off deadline for high severity, a
// rules file with a watchlist rule and a hotspot rule, and the plan of events with everything
// the harness expects from them. Pure: no I/O; the same options give the same plan.

struct FaultUnit {
  std::string id;
  std::string jurisdiction;
  std::string supervisor;  // empty at the top
};

// Where events come from: a county (and optionally a station's jurisdiction below it), the
// source system there, and the unit a judgment about it is routed to (the most specific one).
struct Place {
  std::string county_code;
  std::string location_code;  // empty: the county itself
  std::string source_id;
  std::string kind;
  std::string unit;
};

const std::vector<FaultUnit>& FaultUnits();
const std::vector<Place>& Places();
// The units above `unit`, nearest first (empty for the top).
std::vector<std::string> SupervisorChain(const std::string& unit);

inline constexpr char kWatchlistRule[] = "watchlist-hit";
inline constexpr char kHotspotRule[] = "cluster-hotspot";
inline constexpr char kClusterAttribute[] = "cluster";
inline constexpr char kMediumList[] = "person_of_interest";  // severity medium: no deadline
inline constexpr char kHighList[] = "wanted_person";         // severity high: a deadline

// A routing file: FaultUnits(), most-specific routing, `high_deadline` to sign off a high one.
std::string RoutingYaml(absl::Duration high_deadline);
// A rules file: the watchlist rule (kMediumList medium, kHighList high) and a hotspot rule
// counting events per value of the kClusterAttribute attribute in 1-hour tumbling windows
// (grace 12 h), firing at `threshold`.
std::string RulesYaml(int threshold);

struct PlannedEvent {
  infobus::common::v1::Event event;  // as it is published
  int place = 0;
  bool high = false;      // its subject is on kHighList: severity high, a deadline, escalations
  bool sign_off = false;  // the unit signs its delivery off as soon as it arrives
  int cluster = -1;       // the hotspot cluster it belongs to, or -1
  bool repeat = false;    // once accepted, its record is produced onto the events topic again
};

// A hotspot group: `event_ids` (distinct) all fall into one window of the hotspot rule.
struct Cluster {
  std::string key;  // the attribute value, which is the judgment's group_key
  int place = 0;
  std::vector<std::string> event_ids;
  bool has_repeat = false;  // one of its events is repeated on the topic on purpose
};

struct PlanOptions {
  std::string id_prefix = "e";  // event ids are <id_prefix>-<n>
  int events = 1000;            // the stream, before the sentinels
  int high_hits = 20;           // of which on kHighList (every other one signed off)
  int clusters = 12;            // hotspot groups spread through the stream
  int threshold = 5;            // the hotspot rule's threshold
  uint32_t seed = 1;
  absl::Time now;  // occurred_at of ordinary events; clusters lie hours before
};

struct FaultPlan {
  int threshold = 0;
  std::vector<PlannedEvent> events;     // the stream, in publishing order
  std::vector<PlannedEvent> sentinels;  // one per place, published once the stream is drained
  std::vector<Cluster> clusters;
  std::vector<std::string> medium_phones;  // the subjects on kMediumList
  std::vector<std::string> high_phones;    // the subjects on kHighList
  std::map<std::string, int> index;        // event id → position in events, or -1 - sentinel
};

// Every event is a watchlist hit (one subject, watched), so every event must yield exactly one
// delivery. Clusters take counts around the threshold (threshold - 1 never fires); cluster 0
// (threshold - 1 distinct events) and cluster 1 (threshold) each have one event repeated.
FaultPlan MakePlan(const PlanOptions& options);

// The event of `plan` with this id (stream or sentinel), or nullptr.
const PlannedEvent* FindEvent(const FaultPlan& plan, const std::string& event_id);

}  // namespace infobus::faults
