#include "services/dispatch/unit_directory.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/domain/compartment.h"

namespace infobus::dispatch {
namespace {

// "HH:MM" → minutes after midnight.
std::optional<int> ParseClock(const std::string& text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  int hours = 0;
  int minutes = 0;
  if (!absl::SimpleAtoi(text.substr(0, 2), &hours) || !absl::SimpleAtoi(text.substr(3), &minutes)) {
    return std::nullopt;
  }
  if (hours < 0 || hours > 24 || minutes < 0 || minutes > 59 || (hours == 24 && minutes != 0)) {
    return std::nullopt;
  }
  return hours * 60 + minutes;
}

// "SECRET" / "secret" → CLASSIFICATION_SECRET; UNSPECIFIED is not a level one can be given.
std::optional<infobus::common::v1::Classification> ParseClearance(const std::string& text) {
  infobus::common::v1::Classification level;
  if (!infobus::common::v1::Classification_Parse("CLASSIFICATION_" + absl::AsciiStrToUpper(text),
                                                 &level) ||
      level == infobus::common::v1::CLASSIFICATION_UNSPECIFIED) {
    return std::nullopt;
  }
  return level;
}

}  // namespace

absl::StatusOr<DutyHours> DutyHours::Parse(const std::string& text) {
  const size_t dash = text.find('-');
  std::optional<int> start;
  std::optional<int> end;
  if (dash != std::string::npos) {
    start = ParseClock(text.substr(0, dash));
    end = ParseClock(text.substr(dash + 1));
  }
  if (!start || !end || *start == *end) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "' is not HH:MM-HH:MM with different start and end"));
  }
  DutyHours hours;
  hours.start_minute = *start;
  hours.end_minute = *end;
  hours.text = text;
  return hours;
}

bool DutyHours::Covers(int minute_of_day) const {
  if (start_minute < end_minute) return minute_of_day >= start_minute && minute_of_day < end_minute;
  return minute_of_day >= start_minute || minute_of_day < end_minute;  // wraps past midnight
}

absl::StatusOr<UnitDirectory> UnitDirectory::FromYaml(const YAML::Node& node,
                                                      const std::string& list_name) {
  std::vector<Unit> units;
  if (!node.IsDefined() || node.IsNull()) return FromUnits(std::move(units), list_name);
  if (!node.IsSequence()) return absl::InvalidArgumentError(list_name + ": must be a list");
  try {
    for (size_t i = 0; i < node.size(); ++i) {
      const YAML::Node& item = node[i];
      const std::string where = absl::StrCat(list_name, "[", i, "]");
      if (!item.IsMap()) return absl::InvalidArgumentError(absl::StrCat(where, ": must be a map"));
      for (const auto& field : item) {
        const std::string name = field.first.as<std::string>();
        if (name != "id" && name != "name" && name != "jurisdictions" && name != "supervisor" &&
            name != "duty_hours" && name != "clearance" && name != "compartments") {
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
      if (const YAML::Node& duty = item["duty_hours"]; duty.IsDefined() && !duty.IsNull()) {
        auto hours = DutyHours::Parse(duty.as<std::string>());
        if (!hours.ok()) {
          return absl::InvalidArgumentError(
              absl::StrCat(where, ".duty_hours: ", hours.status().message()));
        }
        unit.duty_hours = *hours;
      }
      if (const YAML::Node& clearance = item["clearance"];
          clearance.IsDefined() && !clearance.IsNull()) {
        const std::optional<infobus::common::v1::Classification> level =
            ParseClearance(clearance.as<std::string>());
        if (!level) {
          return absl::InvalidArgumentError(
              absl::StrCat(where, ".clearance: '", clearance.as<std::string>(),
                           "' is not PUBLIC, INTERNAL, CONFIDENTIAL or SECRET"));
        }
        unit.clearance = *level;
      }
      if (const YAML::Node& compartments = item["compartments"];
          compartments.IsDefined() && !compartments.IsNull()) {
        if (!compartments.IsSequence()) {
          return absl::InvalidArgumentError(absl::StrCat(where, ".compartments: must be a list"));
        }
        for (size_t j = 0; j < compartments.size(); ++j) {
          const std::string name = compartments[j].as<std::string>();
          if (!domain::IsValidCompartment(name)) {
            return absl::InvalidArgumentError(
                absl::StrCat(where, ".compartments[", j, "]: '", name, "' is not 1-",
                             domain::kMaxCompartmentLength, " of a-z, 0-9, '_' and '-'"));
          }
          if (!unit.compartments.insert(name).second) {
            return absl::InvalidArgumentError(
                absl::StrCat(where, ".compartments[", j, "]: '", name, "' is listed twice"));
          }
        }
      }
      units.push_back(std::move(unit));
    }
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(list_name, ": ", e.what()));
  }
  return FromUnits(std::move(units), list_name);
}

absl::StatusOr<UnitDirectory> UnitDirectory::FromUnits(std::vector<Unit> units,
                                                       const std::string& list_name) {
  UnitDirectory directory;
  for (size_t i = 0; i < units.size(); ++i) {
    const Unit& unit = units[i];
    const std::string where = absl::StrCat(list_name, "[", i, "]");
    if (unit.id.empty() || unit.id.size() > 64 ||
        unit.id.find_first_not_of(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") !=
            std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ".id: must be 1-64 of letters, digits, '_', '-', '.'"));
    }
    if (!directory.index_.emplace(unit.id, i).second) {
      return absl::InvalidArgumentError(absl::StrCat(where, ".id: '", unit.id, "' repeats"));
    }
    for (const std::string& code : unit.jurisdictions) {
      if (code.size() < 2 || code.find_first_not_of("0123456789") != std::string::npos) {
        return absl::InvalidArgumentError(absl::StrCat(where, ".jurisdictions: '", code,
                                                       "' is not a GB/T 2260 prefix (2+ digits)"));
      }
    }
    if (!infobus::common::v1::Classification_IsValid(unit.clearance)) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ".clearance: ", unit.clearance, " is not a known level"));
    }
    for (const std::string& compartment : unit.compartments) {
      if (!domain::IsValidCompartment(compartment)) {
        return absl::InvalidArgumentError(absl::StrCat(where, ".compartments: '", compartment,
                                                       "' is not 1-", domain::kMaxCompartmentLength,
                                                       " of a-z, 0-9, '_' and '-'"));
      }
    }
  }
  for (size_t i = 0; i < units.size(); ++i) {
    // Walk up the chain: every supervisor must exist and the chain must end.
    std::set<std::string> seen = {units[i].id};
    for (std::string up = units[i].supervisor; !up.empty();) {
      auto it = directory.index_.find(up);
      if (it == directory.index_.end()) {
        return absl::InvalidArgumentError(
            absl::StrCat(list_name, "[", i, "].supervisor: no unit '", up, "'"));
      }
      if (!seen.insert(up).second) {
        return absl::InvalidArgumentError(
            absl::StrCat(list_name, "[", i, "].supervisor: the chain loops at '", up, "'"));
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

bool UnitDirectory::IsAtOrBelow(const std::string& unit_id, const std::string& ancestor) const {
  for (const Unit* up = Find(unit_id); up != nullptr; up = Find(up->supervisor)) {
    if (up->id == ancestor) return true;
  }
  return false;
}

bool UnitDirectory::IsBelow(const std::string& unit_id, const std::string& ancestor) const {
  const Unit* unit = Find(unit_id);
  return unit != nullptr && IsAtOrBelow(unit->supervisor, ancestor);
}

}  // namespace infobus::dispatch
