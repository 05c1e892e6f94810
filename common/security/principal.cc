#include "common/security/principal.h"

#include <array>
#include <utility>

#include "absl/strings/str_cat.h"

namespace infobus::security {
namespace {

// The names tokens, certificates and logs use; the order of the enum.
constexpr std::array<std::pair<Role, std::string_view>, 6> kRoleNames = {{
    {Role::kSource, "source"},
    {Role::kService, "service"},
    {Role::kAnalyst, "analyst"},
    {Role::kOfficer, "officer"},
    {Role::kSupervisor, "supervisor"},
    {Role::kAdministrator, "administrator"},
}};

}  // namespace

bool ParseRole(std::string_view name, Role* role) {
  for (const auto& [value, role_name] : kRoleNames) {
    if (role_name == name) {
      *role = value;
      return true;
    }
  }
  return false;
}

std::string_view RoleName(Role role) {
  for (const auto& [value, role_name] : kRoleNames) {
    if (value == role) return role_name;
  }
  return "unknown";
}

// "analyst:zhang-wei"; several roles are joined ("analyst+supervisor:li-na"), none leaves the id.
std::string Principal::Describe() const {
  std::string roles_part;
  for (Role role : roles) {
    absl::StrAppend(&roles_part, roles_part.empty() ? "" : "+", std::string(RoleName(role)));
  }
  const std::string who = id.empty() ? "(anonymous)" : id;
  return roles_part.empty() ? who : absl::StrCat(roles_part, ":", who);
}

}  // namespace infobus::security
