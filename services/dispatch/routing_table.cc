#include "services/dispatch/routing_table.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/util/file.h"

namespace infobus::dispatch {
namespace {

absl::Status Invalid(const std::string& where, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(where, ": ", what));
}

absl::Status CheckFields(const YAML::Node& map, const std::string& where,
                         const std::set<std::string>& known) {
  if (!map.IsMap()) return Invalid(where, "must be a map");
  for (const auto& field : map) {
    const std::string name = field.first.as<std::string>();
    if (known.count(name) == 0) return Invalid(where, absl::StrCat("unknown field '", name, "'"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> StringList(const YAML::Node& node,
                                                    const std::string& where) {
  std::vector<std::string> out;
  if (!node.IsDefined() || node.IsNull()) return out;
  if (!node.IsSequence()) return Invalid(where, "must be a list");
  for (const auto& item : node) out.push_back(item.as<std::string>());
  return out;
}

// `text` (any case) as a value of one of our enums, whose names are `prefix` and the upper case
// ("SEVERITY_" "HIGH"); the UNSPECIFIED zero value is not one. Else INVALID_ARGUMENT: `text` is
// not one of `names`.
template <typename Enum, typename Parse>
absl::StatusOr<Enum> ParseEnum(const std::string& text, const std::string& where,
                               const std::string& prefix, Parse parse, const char* names) {
  Enum value;
  if (parse(prefix + absl::AsciiStrToUpper(text), &value) && value != Enum{}) return value;
  return Invalid(where, absl::StrCat("'", text, "' is not ", names));
}

absl::StatusOr<Severity> ParseSeverity(const std::string& text, const std::string& where) {
  return ParseEnum<Severity>(text, where, "SEVERITY_", &infobus::common::v1::Severity_Parse,
                             "low, medium, high or critical");
}

absl::StatusOr<JudgmentKind> ParseKind(const std::string& text, const std::string& where) {
  return ParseEnum<JudgmentKind>(text, where, "JUDGMENT_KIND_",
                                 &infobus::common::v1::JudgmentKind_Parse,
                                 "watchlist_hit, hotspot, movement, correlation or direct");
}

// The list at `node` (absent: none), each item parsed by `parse` into `*out`.
template <typename T, typename Parse>
absl::Status ParseEach(const YAML::Node& node, const std::string& where, Parse parse,
                       std::set<T>* out) {
  auto texts = StringList(node, where);
  if (!texts.ok()) return texts.status();
  for (const std::string& text : *texts) {
    auto value = parse(text, where);
    if (!value.ok()) return value.status();
    out->insert(*value);
  }
  return absl::OkStatus();
}

// "+08:00" / "-05:30" / "+8".
absl::StatusOr<absl::TimeZone> ParseUtcOffset(const std::string& text) {
  if (text.size() < 2 || (text[0] != '+' && text[0] != '-')) {
    return Invalid("utc_offset", absl::StrCat("'", text, "' is not +HH:MM or -HH:MM"));
  }
  int hours = 0;
  int minutes = 0;
  const std::string rest = text.substr(1);
  const size_t colon = rest.find(':');
  if (!absl::SimpleAtoi(rest.substr(0, colon), &hours) ||
      (colon != std::string::npos && !absl::SimpleAtoi(rest.substr(colon + 1), &minutes)) ||
      hours > 14 || minutes < 0 || minutes > 59 || hours < 0) {
    return Invalid("utc_offset", absl::StrCat("'", text, "' is not +HH:MM or -HH:MM"));
  }
  const int seconds = (hours * 3600 + minutes * 60) * (text[0] == '-' ? -1 : 1);
  return absl::FixedTimeZone(seconds);
}

absl::StatusOr<Route> ParseRoute(const YAML::Node& node, const std::string& where,
                                 const UnitDirectory& units) {
  if (absl::Status s = CheckFields(
          node, where, {"name", "match", "send_to", "send_to_jurisdiction", "continue"});
      !s.ok()) {
    return s;
  }
  Route route;
  route.name = node["name"].as<std::string>("");
  if (const YAML::Node& match = node["match"]; match.IsDefined() && !match.IsNull()) {
    const std::string at = where + ".match";
    if (absl::Status s = CheckFields(
            match, at,
            {"min_severity", "severities", "kinds", "rule_ids", "jurisdiction_prefixes"});
        !s.ok()) {
      return s;
    }
    if (match["min_severity"].IsDefined()) {
      auto severity = ParseSeverity(match["min_severity"].as<std::string>(), at + ".min_severity");
      if (!severity.ok()) return severity.status();
      route.match.min_severity = *severity;
    }
    if (absl::Status s = ParseEach(match["severities"], at + ".severities", ParseSeverity,
                                   &route.match.severities);
        !s.ok()) {
      return s;
    }
    if (absl::Status s = ParseEach(match["kinds"], at + ".kinds", ParseKind, &route.match.kinds);
        !s.ok()) {
      return s;
    }
    auto rules = StringList(match["rule_ids"], at + ".rule_ids");
    if (!rules.ok()) return rules.status();
    route.match.rule_ids.insert(rules->begin(), rules->end());
    auto prefixes = StringList(match["jurisdiction_prefixes"], at + ".jurisdiction_prefixes");
    if (!prefixes.ok()) return prefixes.status();
    for (const std::string& prefix : *prefixes) {
      if (prefix.size() < 2 || prefix.find_first_not_of("0123456789") != std::string::npos) {
        return Invalid(at + ".jurisdiction_prefixes",
                       absl::StrCat("'", prefix, "' is not a GB/T 2260 prefix (2+ digits)"));
      }
    }
    route.match.jurisdiction_prefixes = *prefixes;
  }
  auto send_to = StringList(node["send_to"], where + ".send_to");
  if (!send_to.ok()) return send_to.status();
  for (const std::string& id : *send_to) {
    if (units.Find(id) == nullptr) {
      return Invalid(where + ".send_to", absl::StrCat("no unit '", id, "'"));
    }
  }
  route.send_to = *send_to;
  const std::string targets = node["send_to_jurisdiction"].as<std::string>("none");
  if (targets == "none") {
    route.jurisdiction = JurisdictionTargets::kNone;
  } else if (targets == "all") {
    route.jurisdiction = JurisdictionTargets::kAll;
  } else if (targets == "most_specific") {
    route.jurisdiction = JurisdictionTargets::kMostSpecific;
  } else {
    return Invalid(where + ".send_to_jurisdiction",
                   absl::StrCat("'", targets, "' is not none, all or most_specific"));
  }
  route.continue_matching = node["continue"].as<bool>(false);
  return route;
}

}  // namespace

absl::StatusOr<RoutingTable> RoutingTable::FromYaml(const YAML::Node& root) {
  RoutingTable table;
  try {
    if (absl::Status s =
            CheckFields(root, "routing file",
                        {"utc_offset", "sign_off_deadlines", "units", "routes", "default_route"});
        !s.ok()) {
      return s;
    }
    auto units = UnitDirectory::FromYaml(root["units"], "units");
    if (!units.ok()) return units.status();
    table.units_ = std::move(*units);

    if (root["utc_offset"].IsDefined()) {
      auto zone = ParseUtcOffset(root["utc_offset"].as<std::string>());
      if (!zone.ok()) return zone.status();
      table.time_zone_ = *zone;
    }
    if (const YAML::Node& deadlines = root["sign_off_deadlines"];
        deadlines.IsDefined() && !deadlines.IsNull()) {
      if (!deadlines.IsMap()) return Invalid("sign_off_deadlines", "must be a map");
      for (const auto& entry : deadlines) {
        const std::string key = entry.first.as<std::string>();
        const std::string where = "sign_off_deadlines." + key;
        auto severity = ParseSeverity(key, where);
        if (!severity.ok()) return severity.status();
        absl::Duration deadline;
        const std::string text = entry.second.as<std::string>();
        if (!absl::ParseDuration(text, &deadline) || deadline < absl::ZeroDuration()) {
          return Invalid(where, absl::StrCat("'", text, "' is not a duration like 90s, 15m, 2h"));
        }
        // 0: no deadline for this severity.
        if (deadline > absl::ZeroDuration()) table.deadlines_[*severity] = deadline;
      }
    }
    if (const YAML::Node& routes = root["routes"]; routes.IsDefined() && !routes.IsNull()) {
      if (!routes.IsSequence()) return Invalid("routes", "must be a list");
      for (size_t i = 0; i < routes.size(); ++i) {
        auto route = ParseRoute(routes[i], absl::StrCat("routes[", i, "]"), table.units_);
        if (!route.ok()) return route.status();
        table.routes_.push_back(std::move(*route));
      }
    }
    if (const YAML::Node& fallback = root["default_route"];
        fallback.IsDefined() && !fallback.IsNull()) {
      auto route = ParseRoute(fallback, "default_route", table.units_);
      if (!route.ok()) return route.status();
      if (route->continue_matching || !route->match.severities.empty() ||
          !route->match.kinds.empty() || !route->match.rule_ids.empty() ||
          !route->match.jurisdiction_prefixes.empty() ||
          route->match.min_severity != infobus::common::v1::SEVERITY_UNSPECIFIED) {
        return Invalid("default_route", "takes no match and no continue");
      }
      table.default_route_ = std::move(*route);
    } else {
      table.default_route_.name = "default";
      table.default_route_.jurisdiction = JurisdictionTargets::kAll;
    }
    if (table.default_route_.name.empty()) table.default_route_.name = "default";
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("routing file: ", e.what()));
  }
  return table;
}

absl::StatusOr<RoutingTable> RoutingTable::FromText(std::string_view text) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(e.what());
  }
  return FromYaml(root);
}

absl::StatusOr<RoutingTable> RoutingTable::FromFile(const std::string& path) {
  auto text = ReadWholeFile(path, "routing file");
  if (!text.ok()) return text.status();
  auto table = FromText(*text);
  if (!table.ok()) {
    return absl::Status(table.status().code(),
                        absl::StrCat("routing file ", path, ": ", table.status().message()));
  }
  return table;
}

RoutingTable RoutingTable::ForUnits(UnitDirectory units) {
  RoutingTable table;
  table.units_ = std::move(units);
  table.default_route_.name = "default";
  table.default_route_.jurisdiction = JurisdictionTargets::kAll;
  return table;
}

std::optional<absl::Duration> RoutingTable::DeadlineFor(Severity severity) const {
  auto it = deadlines_.find(severity);
  if (it == deadlines_.end()) return std::nullopt;
  return it->second;
}

}  // namespace infobus::dispatch

namespace infobus::dispatch {

std::vector<std::string> RoutingTable::UnitsWithoutClearance() const {
  std::vector<std::string> ids;
  for (const Unit& unit : units_.units()) {
    if (unit.clearance == infobus::common::v1::CLASSIFICATION_UNSPECIFIED) ids.push_back(unit.id);
  }
  return ids;
}

}  // namespace infobus::dispatch
