#pragma once

#include <string>
#include <vector>

#include "infobus/common/v1/judgment.pb.h"
#include "services/dispatch/routing_table.h"

namespace infobus::dispatch {

// Decides which units receive a judgment, like Alertmanager's routing tree: routes are tried in
// order; the first that matches sends the judgment to its units and ends the search unless it
// says `continue`; when none matches, the default route applies. A route sends to named units
// and/or to the units whose jurisdiction covers the judgment (all of them, or only the most
// specific). A unit off duty when the judgment was created (its created_at, so a replay routes
// the same way) is replaced by its nearest supervisor on duty. Each unit appears once, in the
// order found. Pure; thread-safe.
class Router {
 public:
  explicit Router(const RoutingTable* table) : table_(table) {}

  std::vector<std::string> Route(const infobus::common::v1::Judgment& judgment) const;

  static bool Matches(const RouteMatch& match, const infobus::common::v1::Judgment& judgment);

 private:
  void AddTargets(const infobus::dispatch::Route& route,
                  const infobus::common::v1::Judgment& judgment,
                  std::vector<std::string>* out) const;
  std::string OnDuty(const std::string& unit_id,
                     const infobus::common::v1::Judgment& judgment) const;

  const RoutingTable* table_;
};

}  // namespace infobus::dispatch
