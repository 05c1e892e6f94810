#include "services/dispatch/router.h"

#include <algorithm>
#include <map>
#include <set>

#include "common/domain/jurisdiction.h"
#include "common/security/judgment_labels.h"
#include "common/security/policy.h"
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

RerouteReason Router::Shortfall(const Unit& unit, const infobus::common::v1::Judgment& judgment) {
  switch (security::ClearanceShortfall(unit.clearance, unit.compartments,
                                       security::JudgmentLabels(judgment))) {
    case security::Shortfall::kNone:
      return infobus::common::v1::REROUTE_REASON_UNSPECIFIED;
    case security::Shortfall::kClearance:
      return infobus::common::v1::REROUTE_REASON_CLEARANCE;
    case security::Shortfall::kCompartment:
      return infobus::common::v1::REROUTE_REASON_COMPARTMENT;
  }
  return infobus::common::v1::REROUTE_REASON_CLEARANCE;
}

bool Router::OnDuty(const Unit& unit, const infobus::common::v1::Judgment& judgment) const {
  if (!unit.duty_hours || !judgment.has_created_at()) return true;
  const absl::CivilSecond local =
      absl::ToCivilSecond(FromProtoTimestamp(judgment.created_at()), table_->time_zone());
  return unit.duty_hours->Covers(local.hour() * 60 + local.minute());
}

RoutedUnit Router::Place(const std::string& unit_id,
                         const infobus::common::v1::Judgment& judgment) const {
  const Unit* const named = table_->units().Find(unit_id);
  if (named == nullptr) return {unit_id, "", infobus::common::v1::REROUTE_REASON_UNSPECIFIED};
  RerouteReason reason = Shortfall(*named, judgment);
  const Unit* first_cleared = nullptr;  // keeps it when no cleared unit is on duty
  const Unit* target = nullptr;
  for (const Unit* unit = named; unit != nullptr; unit = table_->units().Find(unit->supervisor)) {
    const RerouteReason shortfall = unit == named ? reason : Shortfall(*unit, judgment);
    if (shortfall != infobus::common::v1::REROUTE_REASON_UNSPECIFIED)
      continue;  // not cleared: skipped, on duty or not
    if (first_cleared == nullptr) first_cleared = unit;
    if (OnDuty(*unit, judgment)) {
      target = unit;
      break;
    }
    if (unit == named) reason = infobus::common::v1::REROUTE_REASON_OFF_DUTY;
    if (unit->supervisor.empty()) break;
  }
  if (target == nullptr) target = first_cleared;
  if (target == nullptr) return {"", unit_id, reason};  // nobody cleared: not delivered
  if (target == named) return {unit_id, "", infobus::common::v1::REROUTE_REASON_UNSPECIFIED};
  return {target->id, unit_id, reason};
}

RoutedUnit Router::EscalationTarget(const std::string& unit_id,
                                    const infobus::common::v1::Judgment& judgment) const {
  const Unit* const unit = table_->units().Find(unit_id);
  if (unit == nullptr || unit->supervisor.empty()) return {};
  const Unit* const supervisor = table_->units().Find(unit->supervisor);
  if (supervisor == nullptr) return {};
  const RerouteReason reason = Shortfall(*supervisor, judgment);
  if (reason == infobus::common::v1::REROUTE_REASON_UNSPECIFIED) {
    return {supervisor->id, "", reason};
  }
  for (const Unit* above = table_->units().Find(supervisor->supervisor); above != nullptr;
       above = table_->units().Find(above->supervisor)) {
    if (Shortfall(*above, judgment) == infobus::common::v1::REROUTE_REASON_UNSPECIFIED) {
      return {above->id, supervisor->id, reason};
    }
    if (above->supervisor.empty()) break;
  }
  return {"", supervisor->id, reason};
}

RoutingDecision Router::Decide(const infobus::common::v1::Judgment& judgment) const {
  std::vector<std::string> candidates;
  bool matched = false;
  for (const infobus::dispatch::Route& route : table_->routes()) {
    if (!Matches(route.match, judgment)) continue;
    matched = true;
    AddTargets(route, judgment, &candidates);
    if (!route.continue_matching) break;
  }
  if (!matched) AddTargets(table_->default_route(), judgment, &candidates);

  RoutingDecision decision;
  std::set<std::string> named;
  std::map<std::string, size_t> position;  // unit → index in decision.units
  for (const std::string& id : candidates) {
    if (!named.insert(id).second) continue;
    RoutedUnit placed = Place(id, judgment);
    if (placed.unit_id != id) decision.redirects.push_back({id, placed.unit_id, placed.reason});
    if (placed.unit_id.empty()) continue;
    auto [it, added] = position.emplace(placed.unit_id, decision.units.size());
    if (added) {
      decision.units.push_back(std::move(placed));
    } else if (placed.rerouted_from.empty()) {
      decision.units[it->second] = std::move(placed);  // named itself: not in another's place
    }
  }
  return decision;
}

std::vector<std::string> Router::Route(const infobus::common::v1::Judgment& judgment) const {
  std::vector<std::string> units;
  for (RoutedUnit& unit : Decide(judgment).units) units.push_back(std::move(unit.unit_id));
  return units;
}

}  // namespace infobus::dispatch
