#include "tests/faults/fault_plan.h"

#include <algorithm>
#include <numeric>
#include <random>

#include "absl/strings/str_cat.h"
#include "common/util/time.h"

namespace infobus::faults {

using infobus::common::v1::Event;

const std::vector<FaultUnit>& FaultUnits() {
  static const auto* units = new std::vector<FaultUnit>{
      {"guangxi-ops", "45", ""},
      {"nanning-ops", "4501", "guangxi-ops"},
      {"chongzuo-ops", "4514", "guangxi-ops"},
      {"wuming-psb", "450110", "nanning-ops"},
      {"qingxiu-psb", "450103", "nanning-ops"},
      {"fusui-psb", "451421", "chongzuo-ops"},
      {"pingxiang-psb", "451481", "chongzuo-ops"},
      {"fusui-xinning-station", "45142101", "fusui-psb"},
  };
  return *units;
}

const std::vector<Place>& Places() {
  // Xingning (450102) has no county unit of its own: its judgments go to the city.
  static const auto* places = new std::vector<Place>{
      {"450110", "", "wuming-netcafe", "netcafe.login", "wuming-psb"},
      {"450103", "", "qingxiu-lodging", "lodging.checkin", "qingxiu-psb"},
      {"451421", "", "fusui-checkpoint", "vehicle.pass", "fusui-psb"},
      {"451421", "45142101", "xinning-alarm", "alarm.call", "fusui-xinning-station"},
      {"451481", "", "pingxiang-border", "vehicle.pass", "pingxiang-psb"},
      {"450102", "", "xingning-tips", "tip", "nanning-ops"},
  };
  return *places;
}

std::vector<std::string> SupervisorChain(const std::string& unit) {
  std::vector<std::string> chain;
  std::string current = unit;
  for (size_t depth = 0; depth < FaultUnits().size(); ++depth) {
    auto it = std::find_if(FaultUnits().begin(), FaultUnits().end(),
                           [&current](const FaultUnit& u) { return u.id == current; });
    if (it == FaultUnits().end() || it->supervisor.empty()) break;
    chain.push_back(it->supervisor);
    current = it->supervisor;
  }
  return chain;
}

std::string RoutingYaml(absl::Duration high_deadline) {
  std::string yaml = absl::StrCat(
      "sign_off_deadlines: {high: ", absl::ToInt64Milliseconds(high_deadline), "ms}\nunits:\n");
  for (const FaultUnit& unit : FaultUnits()) {
    absl::StrAppend(&yaml, "  - {id: ", unit.id, ", jurisdictions: [\"", unit.jurisdiction,
                    "\"], clearance: INTERNAL",
                    unit.supervisor.empty() ? "" : ", supervisor: ", unit.supervisor, "}\n");
  }
  absl::StrAppend(&yaml,
                  "routes:\n  - {name: by-jurisdiction, send_to_jurisdiction: most_specific}\n");
  return yaml;
}

std::string RulesYaml(int threshold) {
  return absl::StrCat(R"(version: 1
rules:
  - id: )",
                      kWatchlistRule, R"(
    version: 1
    kind: watchlist
    severity: medium
    only_listed: true
    lists: {)",
                      kMediumList, ": medium, ", kHighList, R"(: high}
  - id: )",
                      kHotspotRule, R"(
    version: 1
    kind: hotspot
    severity: medium
    filter: {attributes: {)",
                      kClusterAttribute, R"(: "*"}}
    group_by: ["attribute:)",
                      kClusterAttribute, R"("]
    window: 1h
    grace: 12h
    threshold: )",
                      threshold, "\n");
}

namespace {

Event MakeEvent(const std::string& id, const Place& place, const std::string& phone,
                absl::Time occurred_at) {
  Event event;
  event.set_event_id(id);
  event.set_source_id(place.source_id);
  event.set_county_code(place.county_code);
  event.set_kind(place.kind);
  if (!place.location_code.empty()) {
    event.mutable_location()->set_jurisdiction_code(place.location_code);
  }
  *event.mutable_occurred_at() = ToProtoTimestamp(occurred_at);
  auto* subject = event.add_subjects();
  subject->set_type(infobus::common::v1::SUBJECT_TYPE_PHONE);
  subject->set_value(phone);
  return event;
}

// Distinct events per cluster, cycling through counts around the threshold `t`.
int ClusterSize(int cluster, int t) {
  const int sizes[] = {t - 1, t,    t - 1, t, t + 1, 2 * t, 1, t + 3, 3 * t, std::max(1, t - 2),
                       t,     4 * t};
  return std::max(1, sizes[cluster % 12]);
}

}  // namespace

FaultPlan MakePlan(const PlanOptions& options) {
  FaultPlan plan;
  plan.threshold = options.threshold;
  std::mt19937 random(options.seed);
  for (int i = 0; i < 200; ++i) plan.medium_phones.push_back(absl::StrCat(13900010000 + i));
  for (int i = 0; i < 10; ++i) plan.high_phones.push_back(absl::StrCat(13800020000 + i));
  const auto& places = Places();

  const int n = options.events;
  for (int i = 0; i < n; ++i) {
    const int place = i % static_cast<int>(places.size());
    PlannedEvent& planned = plan.events.emplace_back();
    planned.place = place;
    planned.event =
        MakeEvent(absl::StrCat(options.id_prefix, "-", i), places[place],
                  plan.medium_phones[random() % plan.medium_phones.size()], options.now);
  }

  // Special events at distinct random positions: clusters first, then high hits.
  std::vector<int> positions(n);
  std::iota(positions.begin(), positions.end(), 0);
  std::shuffle(positions.begin(), positions.end(), random);
  size_t next = 0;
  auto take = [&]() -> PlannedEvent* {
    return next < positions.size() ? &plan.events[positions[next++]] : nullptr;
  };

  // One tumbling hour, hours before `now`: every cluster's events fall into it, and no event
  // the hotspot rule sees is later, so none is ever late.
  const int64_t hour = 3600;
  const absl::Time window =
      absl::FromUnixSeconds((absl::ToUnixSeconds(options.now) / hour - 3) * hour);
  for (int c = 0; c < options.clusters; ++c) {
    Cluster& cluster = plan.clusters.emplace_back();
    cluster.key = absl::StrCat("c", c);
    cluster.place = c % static_cast<int>(places.size());
    const int size = ClusterSize(c, options.threshold);
    std::vector<PlannedEvent*> members;
    for (int k = 0; k < size; ++k) {
      PlannedEvent* event = take();
      if (event == nullptr) break;
      members.push_back(event);
    }
    // Stream order, so "the first" below is the one published first.
    std::sort(members.begin(), members.end());
    for (size_t k = 0; k < members.size(); ++k) {
      PlannedEvent& event = *members[k];
      const std::string id = event.event.event_id();
      event.place = cluster.place;
      event.cluster = c;
      event.event = MakeEvent(
          id, places[cluster.place], event.event.subjects(0).value(),
          window + absl::Seconds(60 + 3000 * static_cast<int64_t>(k) / static_cast<int64_t>(size)));
      (*event.event.mutable_attributes())[kClusterAttribute] = cluster.key;
      cluster.event_ids.push_back(id);
    }
    // Cluster 0 would reach the threshold only by counting its repeat; cluster 1 would fire
    // one distinct event early with it.
    if (c < 2 && !members.empty()) {
      members[0]->repeat = true;
      cluster.has_repeat = true;
    }
  }

  for (int h = 0; h < options.high_hits; ++h) {
    PlannedEvent* event = take();
    if (event == nullptr) break;
    event->high = true;
    event->sign_off = h % 2 == 0;
    event->event.mutable_subjects(0)->set_value(plan.high_phones[h % plan.high_phones.size()]);
  }

  for (size_t p = 0; p < places.size(); ++p) {
    PlannedEvent& sentinel = plan.sentinels.emplace_back();
    sentinel.place = static_cast<int>(p);
    sentinel.event = MakeEvent(absl::StrCat(options.id_prefix, "-sentinel-", p), places[p],
                               plan.medium_phones[p], options.now);
  }

  for (size_t i = 0; i < plan.events.size(); ++i) {
    plan.index[plan.events[i].event.event_id()] = static_cast<int>(i);
  }
  for (size_t p = 0; p < plan.sentinels.size(); ++p) {
    plan.index[plan.sentinels[p].event.event_id()] = -1 - static_cast<int>(p);
  }
  return plan;
}

const PlannedEvent* FindEvent(const FaultPlan& plan, const std::string& event_id) {
  auto it = plan.index.find(event_id);
  if (it == plan.index.end()) return nullptr;
  return it->second >= 0 ? &plan.events[it->second] : &plan.sentinels[-1 - it->second];
}

}  // namespace infobus::faults
