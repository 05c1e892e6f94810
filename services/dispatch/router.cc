#include "services/dispatch/router.h"

#include <algorithm>
#include <set>

#include "common/domain/jurisdiction.h"
#include "common/util/time.h"

namespace infobus::dispatch {

bool Router::Matches(const RouteMatch& match, const infobus::common::v1::Judgment& judgment) {
  if (match.min_severity != infobus::common::v1::SEVERITY_UNSPECIFIED &&
      judgment.severity() < match.min_severity) {
    return false;
  }
  if (!match.severities.empty() && match.severities.count(judgment.severity()) == 0) return false;
  if (!match.kinds.empty() && match.kinds.count(judgment.kind()) == 0) return false;
  if (!match.rule_ids.empty() && match.rule_ids.count(judgment.rule_id()) == 0) return false;
  if (!match.jurisdiction_prefixes.empty() &&
      std::none_of(match.jurisdiction_prefixes.begin(), match.jurisdiction_prefixes.end(),
                   [&](const std::string& prefix) {
                     return domain::JurisdictionCovers(prefix, judgment.jurisdiction_code());
                   })) {
    return false;
  }
  return true;
}

void Router::AddTargets(const infobus::dispatch::Route& route,
                        const infobus::common::v1::Judgment& judgment,
                        std::vector<std::string>* out) const {
  for (const std::string& id : route.send_to) out->push_back(id);
  if (route.jurisdiction == JurisdictionTargets::kNone) return;
  const std::string& code = judgment.jurisdiction_code();
  std::vector<std::pair<std::string, size_t>> covering;  // unit, longest covering prefix
  size_t longest = 0;
  for (const Unit& unit : table_->units().units()) {
    size_t best = 0;
    for (const std::string& prefix : unit.jurisdictions) {
      if (domain::JurisdictionCovers(prefix, code)) best = std::max(best, prefix.size());
    }
    if (best == 0) continue;
    covering.emplace_back(unit.id, best);
    longest = std::max(longest, best);
  }
  for (const auto& [id, length] : covering) {
    if (route.jurisdiction == JurisdictionTargets::kAll || length == longest) out->push_back(id);
  }
}

std::string Router::OnDuty(const std::string& unit_id,
                           const infobus::common::v1::Judgment& judgment) const {
  if (!judgment.has_created_at()) return unit_id;
  const absl::CivilSecond local =
      absl::ToCivilSecond(FromProtoTimestamp(judgment.created_at()), table_->time_zone());
  const int minute = local.hour() * 60 + local.minute();
  for (const Unit* unit = table_->units().Find(unit_id); unit != nullptr;
       unit = table_->units().Find(unit->supervisor)) {
    if (!unit->duty_hours || unit->duty_hours->Covers(minute)) return unit->id;
    if (unit->supervisor.empty()) break;
  }
  return unit_id;  // nobody above is on duty either: the unit keeps it
}

std::vector<std::string> Router::Route(const infobus::common::v1::Judgment& judgment) const {
  std::vector<std::string> candidates;
  bool matched = false;
  for (const infobus::dispatch::Route& route : table_->routes()) {
    if (!Matches(route.match, judgment)) continue;
    matched = true;
    AddTargets(route, judgment, &candidates);
    if (!route.continue_matching) break;
  }
  if (!matched) AddTargets(table_->default_route(), judgment, &candidates);

  std::vector<std::string> targets;
  std::set<std::string> seen;
  for (const std::string& id : candidates) {
    std::string target = OnDuty(id, judgment);
    if (seen.insert(target).second) targets.push_back(std::move(target));
  }
  return targets;
}

}  // namespace infobus::dispatch
