#pragma once

#include <string>
#include <tuple>
#include <vector>

#include "absl/status/statusor.h"

namespace infobus::kafka_acls {

// One Kafka ACL binding, in the words of the file (lower case): `principal` may do `operation`
// on the `resource` ("topic" or "group") named `name`, matched `pattern`-wise ("literal" or
// "prefixed"), from any host; `permission` is "allow" or "deny".
struct AclEntry {
  std::string principal;  // "User:judgment"
  std::string resource;
  std::string name;
  std::string pattern;
  std::string operation;  // read, write, create, delete, alter, describe, describe_configs, ...
  std::string permission;

  auto Tie() const { return std::tie(principal, resource, name, pattern, operation, permission); }
  bool operator<(const AclEntry& other) const { return Tie() < other.Tie(); }
  bool operator==(const AclEntry& other) const { return Tie() == other.Tie(); }
  std::string ToString() const;
};

// The ACL file (deploy/kafka/acls.yaml):
//   principals:
//     judgment:                      # User:judgment, its certificate's CN ("User:x" also works)
//       - topic: infobus.events.v1   # or  group: NAME
//         operations: [read]
//         pattern: literal           # or prefixed (default literal)
//         permission: allow          # or deny (default allow)
// Returns the bindings sorted and without duplicates; INVALID_ARGUMENT names what is wrong and
// where. A principal with an empty list has no ACLs (it may do nothing).
absl::StatusOr<std::vector<AclEntry>> ParseAclFile(const std::string& yaml);
absl::StatusOr<std::vector<AclEntry>> LoadAclFile(const std::string& path);

// The operation names the file accepts.
const std::vector<std::string>& KnownOperations();

}  // namespace infobus::kafka_acls
