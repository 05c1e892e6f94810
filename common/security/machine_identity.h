#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/security/principal.h"

namespace infobus::security {

// What a county source system is registered for: the counties it may publish for (GB/T 2260
// prefixes) and the highest classification it may publish.
struct SourceRegistration {
  std::vector<std::string> jurisdictions;
  infobus::common::v1::Classification clearance = infobus::common::v1::CLASSIFICATION_INTERNAL;
};
using SourceRegistry = std::map<std::string, SourceRegistration, std::less<>>;

// The registrations file (security.sources_file), as data:
//   sources:
//     - id: fusui-lodging
//       jurisdictions: ["451421"]
//       clearance: CONFIDENTIAL      # PUBLIC, INTERNAL (default), CONFIDENTIAL, SECRET
// Refuses unknown keys, duplicate ids and bad codes, naming the entry and field.
absl::StatusOr<SourceRegistry> ParseSourceRegistry(std::string_view yaml);

// Who may a verified machine certificate be.
struct MachinePolicy {
  SourceRegistry sources;  // a source not registered here is known but may publish nothing
  std::set<std::string> administrators = {"admin"};  // service names with the administrator role
};

// The principal of a certificate from its URI SANs: infobus://source/<id> (role source, with
// its registration) or infobus://service/<name> (role service; administrator too when listed).
// UNAUTHENTICATED when no URI names an infobus machine, or several do.
absl::StatusOr<Principal> MachinePrincipal(const std::vector<std::string>& uris,
                                           const MachinePolicy& policy);

// "SECRET" -> CLASSIFICATION_SECRET (also "CLASSIFICATION_SECRET"); false when unknown.
bool ParseClassificationName(std::string_view name, infobus::common::v1::Classification* out);

}  // namespace infobus::security
