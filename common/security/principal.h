#pragma once

#include <set>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "infobus/common/v1/event.pb.h"

namespace infobus::security {

// What a caller may be. Machines (sources, services) authenticate with a client certificate,
// people with a signed token; a caller may hold several person roles.
enum class Role {
  kSource,         // a county source system: publishes events as itself
  kService,        // an infobus service or the ops' machine identity (infobus://service/<name>)
  kAnalyst,        // queries and reviews judgments within jurisdiction and clearance
  kOfficer,        // a frontline unit's officer: its inbox, sign-off and feedback
  kSupervisor,     // an officer's rights for its unit and every unit below it
  kAdministrator,  // watchlists, rules, routing
};

// "analyst" -> kAnalyst; false for an unknown name.
bool ParseRole(std::string_view name, Role* role);
std::string_view RoleName(Role role);

// Who is calling, as authenticated. Built by the authenticator (certificate or token), read by
// the policy; never from request fields.
struct Principal {
  std::string id;  // source_id, service name, or the token's subject
  std::set<Role> roles;
  std::string unit_id;                     // officers and supervisors
  std::vector<std::string> jurisdictions;  // GB/T 2260 code prefixes; "" would be everywhere
  infobus::common::v1::Classification clearance =
      infobus::common::v1::CLASSIFICATION_UNSPECIFIED;  // nothing above PUBLIC is visible
  std::set<std::string> compartments;
  bool authenticated_by_certificate = false;
  // A token's exp (certificates: never; they are re-verified every minute).
  absl::Time expires = absl::InfiniteFuture();
  // Only in a server started with security.mode=insecure (benchmarks; loudly logged, never the
  // default): no TLS, nobody authenticated, and every policy check passes.
  bool unrestricted = false;

  bool Has(Role role) const { return roles.count(role) > 0; }
  // "analyst:zhang-wei" style, for logs, audit and denials.
  std::string Describe() const;
};

}  // namespace infobus::security
