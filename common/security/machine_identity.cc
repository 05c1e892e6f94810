#include "common/security/machine_identity.h"

#include <yaml-cpp/yaml.h>

#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/domain/jurisdiction.h"

namespace infobus::security {
namespace {

constexpr std::string_view kSourcePrefix = "infobus://source/";
constexpr std::string_view kServicePrefix = "infobus://service/";

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

bool ParseClassificationName(std::string_view name, infobus::common::v1::Classification* out) {
  std::string full = name.substr(0, 15) == "CLASSIFICATION_"
                         ? std::string(name)
                         : absl::StrCat("CLASSIFICATION_", std::string(name));
  infobus::common::v1::Classification value;
  if (!infobus::common::v1::Classification_Parse(full, &value) ||
      value == infobus::common::v1::CLASSIFICATION_UNSPECIFIED) {
    return false;
  }
  *out = value;
  return true;
}

absl::StatusOr<SourceRegistry> ParseSourceRegistry(std::string_view yaml) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("sources file does not parse: ", e.what()));
  }
  SourceRegistry registry;
  if (!root || root.IsNull()) return registry;
  if (!root.IsMap() || !root["sources"] || !root["sources"].IsSequence()) {
    return absl::InvalidArgumentError("sources file: expected a list under 'sources'");
  }
  int index = 0;
  for (const YAML::Node& entry : root["sources"]) {
    const std::string where = absl::StrCat("sources[", index++, "]");
    if (!entry.IsMap()) return absl::InvalidArgumentError(absl::StrCat(where, ": not a map"));
    SourceRegistration registration;
    std::string id;
    for (const auto& field : entry) {
      const std::string key = field.first.as<std::string>();
      try {
        if (key == "id") {
          id = field.second.as<std::string>();
        } else if (key == "jurisdictions") {
          registration.jurisdictions = field.second.as<std::vector<std::string>>();
        } else if (key == "clearance") {
          if (!ParseClassificationName(field.second.as<std::string>(), &registration.clearance)) {
            return absl::InvalidArgumentError(
                absl::StrCat(where, ".clearance: one of PUBLIC, INTERNAL, CONFIDENTIAL, SECRET"));
          }
        } else {
          return absl::InvalidArgumentError(absl::StrCat(where, ": unknown key '", key, "'"));
        }
      } catch (const YAML::Exception&) {
        return absl::InvalidArgumentError(absl::StrCat(where, ".", key, ": wrong type"));
      }
    }
    if (!ValidName(id)) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ".id: 1-64 of letters, digits, '-', '_', '.'"));
    }
    for (const std::string& code : registration.jurisdictions) {
      if (code.empty() || !domain::ValidateJurisdictionPrefix(code).ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ".jurisdictions: '", code, "' is not a GB/T 2260 prefix"));
      }
    }
    if (!registry.emplace(id, std::move(registration)).second) {
      return absl::InvalidArgumentError(absl::StrCat(where, ".id: '", id, "' appears twice"));
    }
  }
  return registry;
}

absl::StatusOr<Principal> MachinePrincipal(const std::vector<std::string>& uris,
                                           const MachinePolicy& policy) {
  std::optional<Principal> found;
  for (const std::string& uri : uris) {
    Principal principal;
    principal.authenticated_by_certificate = true;
    if (uri.compare(0, kSourcePrefix.size(), kSourcePrefix) == 0) {
      principal.id = uri.substr(kSourcePrefix.size());
      principal.roles = {Role::kSource};
      if (auto it = policy.sources.find(principal.id); it != policy.sources.end()) {
        principal.jurisdictions = it->second.jurisdictions;
        principal.clearance = it->second.clearance;
      }
    } else if (uri.compare(0, kServicePrefix.size(), kServicePrefix) == 0) {
      principal.id = uri.substr(kServicePrefix.size());
      principal.roles = {Role::kService};
      if (policy.administrators.count(principal.id) > 0) {
        principal.roles.insert(Role::kAdministrator);
      }
    } else {
      continue;
    }
    if (!ValidName(principal.id)) {
      return absl::UnauthenticatedError("client certificate names a malformed infobus identity");
    }
    if (found.has_value()) {
      return absl::UnauthenticatedError("client certificate names more than one infobus identity");
    }
    found = std::move(principal);
  }
  if (!found.has_value()) {
    return absl::UnauthenticatedError(
        "client certificate names no infobus identity (URI SAN infobus://source/<id> or "
        "infobus://service/<name>)");
  }
  return *std::move(found);
}

}  // namespace infobus::security
