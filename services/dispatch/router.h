#pragma once

#include <string>
#include <vector>

#include "infobus/common/v1/delivery.pb.h"
#include "infobus/common/v1/judgment.pb.h"
#include "services/dispatch/routing_table.h"

namespace infobus::dispatch {

using infobus::common::v1::RerouteReason;

// One unit a judgment is to be delivered to.
struct RoutedUnit {
  std::string unit_id;
  // Set when the unit takes the judgment in another's place: the unit it was meant for (a route
  // named it, or it is the supervisor an escalation was due to reach) and why that one did not.
  std::string rerouted_from;
  RerouteReason reason = infobus::common::v1::REROUTE_REASON_UNSPECIFIED;

  bool operator==(const RoutedUnit& other) const {
    return unit_id == other.unit_id && rerouted_from == other.rerouted_from &&
           reason == other.reason;
  }
};

// A unit a route named that does not get the judgment itself.
struct Redirect {
  std::string unit_id;   // the unit it was meant for
  std::string given_to;  // who takes it instead; empty: nobody above is cleared, not delivered
  RerouteReason reason = infobus::common::v1::REROUTE_REASON_UNSPECIFIED;

  bool operator==(const Redirect& other) const {
    return unit_id == other.unit_id && given_to == other.given_to && reason == other.reason;
  }
};

// What routing decided for one judgment.
struct RoutingDecision {
  std::vector<RoutedUnit> units;    // each unit once, in the order found
  std::vector<Redirect> redirects;  // each named unit that did not get it itself, once
};

// Decides which units receive a judgment, like Alertmanager's routing tree: routes are tried in
// order; the first that matches sends the judgment to its units and ends the search unless it
// says `continue`; when none matches, the default route applies. A route sends to named units
// and/or to the units whose jurisdiction covers the judgment (all of them, or only the most
// specific).
//
// Then need-to-know and duty hours: a named unit whose clearance is below the judgment's
// classification (UNSPECIFIED counts as INTERNAL) or that lacks one of its compartments is
// replaced by its nearest supervisor (up the `supervisor` chain) cleared for it; when none is,
// the judgment is not delivered for that unit (a Redirect without given_to). A cleared unit off
// duty when the judgment was created (its created_at, so a replay routes the same way) is
// replaced by its nearest cleared supervisor on duty, and keeps the judgment when none is on
// duty. Clearance is never traded for duty: only cleared units are candidates.
//
// Each unit appears once, in the order found; a unit both named and reached in another's place
// is recorded as named (it was meant to get the judgment anyway). Pure; thread-safe.
class Router {
 public:
  explicit Router(const RoutingTable* table) : table_(table) {}

  RoutingDecision Decide(const infobus::common::v1::Judgment& judgment) const;
  // The unit ids of Decide().
  std::vector<std::string> Route(const infobus::common::v1::Judgment& judgment) const;

  // Where an escalation from `unit_id` goes: its supervisor when cleared for the judgment, else
  // that supervisor's nearest supervisor that is (rerouted_from = the direct supervisor). Duty
  // hours do not count, as for every escalation. An empty unit_id: the unit has no supervisor,
  // or none above it is cleared (then rerouted_from and reason say who and why).
  RoutedUnit EscalationTarget(const std::string& unit_id,
                              const infobus::common::v1::Judgment& judgment) const;

  static bool Matches(const RouteMatch& match, const infobus::common::v1::Judgment& judgment);
  // Why `unit` may not be given the judgment (UNSPECIFIED: it may).
  static RerouteReason Shortfall(const Unit& unit, const infobus::common::v1::Judgment& judgment);

 private:
  void AddTargets(const infobus::dispatch::Route& route,
                  const infobus::common::v1::Judgment& judgment,
                  std::vector<std::string>* out) const;
  // Where a judgment meant for `unit_id` goes; unit_id empty when nowhere.
  RoutedUnit Place(const std::string& unit_id, const infobus::common::v1::Judgment& judgment) const;
  bool OnDuty(const Unit& unit, const infobus::common::v1::Judgment& judgment) const;

  const RoutingTable* table_;
};

}  // namespace infobus::dispatch
