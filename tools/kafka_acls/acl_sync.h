#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tools/kafka_acls/acl_file.h"

namespace infobus::kafka_acls {

struct SyncResult {
  std::vector<AclEntry> created;    // in the file, not on the broker before
  std::vector<AclEntry> deleted;    // on the broker, not in the file (only with `prune`)
  std::vector<AclEntry> unchanged;  // in both
  std::vector<AclEntry> foreign;    // on the broker, not in the file, kept (without `prune`)
};

// Makes the broker's ACLs those of `wanted`: creates the missing ones and, with `prune`, deletes
// every ACL the file does not list (from any host, or of a resource type the file cannot name).
// Running it again changes nothing. The client is made with the process's security
// (kafka::SetProcessSecurity), so it must be a super user or hold ALTER on the cluster.
// UNAVAILABLE when the broker does not answer within `timeout`; PERMISSION_DENIED when it refuses.
absl::StatusOr<SyncResult> SyncAcls(const std::string& bootstrap_servers,
                                    const std::vector<AclEntry>& wanted, bool prune,
                                    absl::Duration timeout);

}  // namespace infobus::kafka_acls
