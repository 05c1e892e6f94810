#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "infobus/common/v1/event.pb.h"
#include "yaml-cpp/yaml.h"

namespace infobus::dispatch {

// When a unit is on duty: minutes after local midnight, [start, end). end < start wraps past
// midnight ("20:00-08:00" is the night shift).
struct DutyHours {
  int start_minute = 0;
  int end_minute = 0;
  std::string text;  // as configured, "08:00-20:00"

  static absl::StatusOr<DutyHours> Parse(const std::string& text);
  bool Covers(int minute_of_day) const;
};

// A frontline or supervising unit, as configured.
struct Unit {
  std::string id;
  std::string name;
  // GB/T 2260 prefixes (or police-unit codes) the unit answers for: "4514" is all of Chongzuo.
  std::vector<std::string> jurisdictions;
  std::string supervisor;               // unit id, or empty at the top of the hierarchy
  std::optional<DutyHours> duty_hours;  // unset: always on duty
  // Need-to-know: the highest classification routing may give the unit, and the compartments it
  // holds (a judgment in any other goes up the chain). Unset (UNSPECIFIED) counts as PUBLIC, like
  // a caller's: nothing reaches a unit above what it was explicitly cleared for.
  infobus::common::v1::Classification clearance = infobus::common::v1::CLASSIFICATION_UNSPECIFIED;
  std::set<std::string> compartments;
};

// The configured units, validated: ids unique, jurisdictions digits, supervisors known and
// without cycles, clearances known levels, compartments valid names. Immutable; thread-safe.
class UnitDirectory {
 public:
  // Parses a list of units (`where` names it in error messages, e.g. "units"):
  //   - {id: fusui-psb, name: 扶绥县公安局, jurisdictions: ["451421"], supervisor: chongzuo-ops,
  //      duty_hours: "08:00-20:00", clearance: CONFIDENTIAL, compartments: [border]}
  static absl::StatusOr<UnitDirectory> FromYaml(const YAML::Node& units,
                                                const std::string& where = "units");
  static absl::StatusOr<UnitDirectory> FromUnits(std::vector<Unit> units,
                                                 const std::string& where = "units");

  const Unit* Find(const std::string& id) const;
  const std::vector<Unit>& units() const { return units_; }
  // Whether `unit_id` is `ancestor` or lies below it in the supervisor chain; false for a unit
  // the directory does not hold. Supervisors have no cycles, so the walk ends.
  bool IsAtOrBelow(const std::string& unit_id, const std::string& ancestor) const;
  // Whether `unit_id` lies strictly below `ancestor`.
  bool IsBelow(const std::string& unit_id, const std::string& ancestor) const;

 private:
  std::vector<Unit> units_;
  std::map<std::string, size_t> index_;
};

}  // namespace infobus::dispatch
