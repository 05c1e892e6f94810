#include "services/dispatch/unit_directory.h"

#include <set>

#include "absl/strings/str_cat.h"

namespace infobus::dispatch {

absl::StatusOr<UnitDirectory> UnitDirectory::FromYaml(const YAML::Node& node) {
  std::vector<Unit> units;
  if (!node.IsDefined() || node.IsNull()) return FromUnits(std::move(units));
  if (!node.IsSequence()) return absl::InvalidArgumentError("dispatch.units: must be a list");
  try {
    for (size_t i = 0; i < node.size(); ++i) {
      const YAML::Node& item = node[i];
      const std::string where = absl::StrCat("dispatch.units[", i, "]");
      if (!item.IsMap()) return absl::InvalidArgumentError(absl::StrCat(where, ": must be a map"));
      for (const auto& field : item) {
        const std::string name = field.first.as<std::string>();
        if (name != "id" && name != "name" && name != "jurisdictions" && name != "supervisor") {
          return absl::InvalidArgumentError(absl::StrCat(where, ": unknown field '", name, "'"));
        }
      }
      Unit unit;
      unit.id = item["id"].as<std::string>("");
      unit.name = item["name"].as<std::string>(unit.id);
      unit.supervisor = item["supervisor"].as<std::string>("");
      const YAML::Node& codes = item["jurisdictions"];
      if (codes.IsDefined() && !codes.IsSequence()) {
        return absl::InvalidArgumentError(absl::StrCat(where, ".jurisdictions: must be a list"));
      }
      for (const auto& code : codes) unit.jurisdictions.push_back(code.as<std::string>());
      units.push_back(std::move(unit));
    }
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("dispatch.units: ", e.what()));
  }
  return FromUnits(std::move(units));
}

absl::StatusOr<UnitDirectory> UnitDirectory::FromUnits(std::vector<Unit> units) {
  UnitDirectory directory;
  for (size_t i = 0; i < units.size(); ++i) {
    const Unit& unit = units[i];
    const std::string where = absl::StrCat("dispatch.units[", i, "]");
    if (unit.id.empty() || unit.id.size() > 64 ||
        unit.id.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") !=
            std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ".id: must be 1-64 of letters, digits, '_', '-', '.'"));
    }
    if (!directory.index_.emplace(unit.id, i).second) {
      return absl::InvalidArgumentError(absl::StrCat(where, ".id: '", unit.id, "' repeats"));
    }
    for (const std::string& code : unit.jurisdictions) {
      if (code.size() < 2 || code.find_first_not_of("0123456789") != std::string::npos) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, ".jurisdictions: '", code, "' is not a GB/T 2260 prefix (2+ digits)"));
      }
    }
  }
  for (size_t i = 0; i < units.size(); ++i) {
    // Walk up the chain: every supervisor must exist and the chain must end.
    std::set<std::string> seen = {units[i].id};
    for (std::string up = units[i].supervisor; !up.empty();) {
      auto it = directory.index_.find(up);
      if (it == directory.index_.end()) {
        return absl::InvalidArgumentError(absl::StrCat("dispatch.units[", i, "].supervisor: no unit '", up, "'"));
      }
      if (!seen.insert(up).second) {
        return absl::InvalidArgumentError(
            absl::StrCat("dispatch.units[", i, "].supervisor: the chain loops at '", up, "'"));
      }
      up = units[it->second].supervisor;
    }
  }
  directory.units_ = std::move(units);
  return directory;
}

const Unit* UnitDirectory::Find(const std::string& id) const {
  auto it = index_.find(id);
  return it == index_.end() ? nullptr : &units_[it->second];
}

}  // namespace infobus::dispatch
