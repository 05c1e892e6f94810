#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "infobus/common/v1/judgment.pb.h"
#include "services/dispatch/unit_directory.h"
#include "yaml-cpp/yaml.h"

namespace infobus::dispatch {

using infobus::common::v1::JudgmentKind;
using infobus::common::v1::Severity;

// Which units of the jurisdiction a route sends to.
enum class JurisdictionTargets {
  kNone,          // only the named units (send_to)
  kAll,           // every unit one of whose jurisdictions covers the judgment's code
  kMostSpecific,  // of those, only the ones with the longest covering prefix
};

// What a route matches; every condition that is set must hold, and within one list any entry
// will do. An empty match matches every judgment.
struct RouteMatch {
  Severity min_severity = infobus::common::v1::SEVERITY_UNSPECIFIED;
  std::set<Severity> severities;
  std::set<JudgmentKind> kinds;
  std::set<std::string> rule_ids;
  std::vector<std::string> jurisdiction_prefixes;
};

struct Route {
  std::string name;
  RouteMatch match;
  std::vector<std::string> send_to;  // unit ids
  JurisdictionTargets jurisdiction = JurisdictionTargets::kNone;
  bool continue_matching = false;  // `continue: true`: later routes are tried too
};

// One immutable version of the routing file: the units, the routes, the default route and the
// sign-off deadlines. Shared between threads as shared_ptr<const RoutingTable>.
class RoutingTable {
 public:
  // Parses and validates a routing document (see deploy/config/routing.yaml). Errors name the
  // field: "routes[2].send_to: no unit 'x'".
  static absl::StatusOr<RoutingTable> FromYaml(const YAML::Node& root);
  // The same from the document's text (a YAML syntax error is INVALID_ARGUMENT too).
  static absl::StatusOr<RoutingTable> FromText(std::string_view text);
  static absl::StatusOr<RoutingTable> FromFile(const std::string& path);
  // A table of `units` alone, routing like the walking skeleton (every covering unit), with no
  // deadlines. For tests.
  static RoutingTable ForUnits(UnitDirectory units);

  const UnitDirectory& units() const { return units_; }
  const std::vector<Route>& routes() const { return routes_; }
  const Route& default_route() const { return default_route_; }
  // The sign-off deadline for a severity; nullopt: none (never escalated).
  std::optional<absl::Duration> DeadlineFor(Severity severity) const;
  absl::TimeZone time_zone() const { return time_zone_; }
  // Ids of the units without a configured clearance (only PUBLIC judgments reach them), to warn
  // about when the file is loaded.
  std::vector<std::string> UnitsWithoutClearance() const;

  // Builders for tests.
  void set_routes(std::vector<Route> routes) { routes_ = std::move(routes); }
  void set_default_route(Route route) { default_route_ = std::move(route); }
  void set_deadline(Severity severity, absl::Duration deadline) { deadlines_[severity] = deadline; }

 private:
  UnitDirectory units_;
  std::vector<Route> routes_;
  Route default_route_;
  std::map<Severity, absl::Duration> deadlines_;
  absl::TimeZone time_zone_ = absl::FixedTimeZone(8 * 3600);
};
using RoutingTablePtr = std::shared_ptr<const RoutingTable>;

}  // namespace infobus::dispatch
