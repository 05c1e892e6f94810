// Role names round-trip, and Describe() is the short "role:id" that logs and denials show.
#include "common/security/principal.h"

#include <gtest/gtest.h>

namespace infobus::security {
namespace {

TEST(Role, NamesRoundTrip) {
  for (Role role : {Role::kSource, Role::kService, Role::kAnalyst, Role::kOfficer,
                    Role::kSupervisor, Role::kAdministrator}) {
    Role parsed;
    ASSERT_TRUE(ParseRole(RoleName(role), &parsed)) << RoleName(role);
    EXPECT_EQ(parsed, role);
  }
  EXPECT_EQ(RoleName(Role::kAnalyst), "analyst");
  EXPECT_EQ(RoleName(Role::kAdministrator), "administrator");
}

TEST(Role, UnknownNamesDoNotParse) {
  Role role = Role::kOfficer;
  for (const char* name : {"", "Analyst", "admin", "root", "analyst "}) {
    EXPECT_FALSE(ParseRole(name, &role)) << name;
  }
  EXPECT_EQ(role, Role::kOfficer) << "left as it was";
}

TEST(Principal, DescribeNamesRolesAndId) {
  Principal principal;
  principal.id = "zhang-wei";
  principal.roles = {Role::kAnalyst};
  EXPECT_EQ(principal.Describe(), "analyst:zhang-wei");
  principal.roles.insert(Role::kSupervisor);
  EXPECT_EQ(principal.Describe(), "analyst+supervisor:zhang-wei");
  principal.roles.clear();
  EXPECT_EQ(principal.Describe(), "zhang-wei");
  principal.id.clear();
  EXPECT_EQ(principal.Describe(), "(anonymous)");
}

}  // namespace
}  // namespace infobus::security
