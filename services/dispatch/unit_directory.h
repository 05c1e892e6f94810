#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "yaml-cpp/yaml.h"

namespace infobus::dispatch {

// A frontline or supervising unit, as configured.
struct Unit {
  std::string id;
  std::string name;
  // GB/T 2260 prefixes (or police-unit codes) the unit answers for: "4514" is all of Chongzuo.
  std::vector<std::string> jurisdictions;
  std::string supervisor;  // unit id, or empty at the top of the hierarchy
};

// The configured units, validated: ids unique, jurisdictions digits, supervisors known and
// without cycles. Immutable; thread-safe.
class UnitDirectory {
 public:
  // Parses the `dispatch.units` list:
  //   - {id: fusui-station, name: 扶绥县公安局, jurisdictions: ["451421"], supervisor: chongzuo}
  static absl::StatusOr<UnitDirectory> FromYaml(const YAML::Node& units);
  static absl::StatusOr<UnitDirectory> FromUnits(std::vector<Unit> units);

  const Unit* Find(const std::string& id) const;
  const std::vector<Unit>& units() const { return units_; }

 private:
  std::vector<Unit> units_;
  std::map<std::string, size_t> index_;
};

}  // namespace infobus::dispatch
