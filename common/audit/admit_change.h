#pragma once

#include <grpcpp/grpcpp.h>

#include <string_view>

#include "absl/status/statusor.h"
#include "common/audit/audit_log.h"
#include "common/security/principal.h"

namespace infobus::audit {

// The gate of an administrative change (watchlist, rules, routing, review): authenticates the
// caller, applies `decide` and audits the decision. Denied: the call is answered (once the
// denial is recorded) and an error returned. Allowed: the record is kept before this returns
// the caller, so a change is never made unrecorded; UNAVAILABLE (call answered) when it cannot
// be kept. Blocks for the record's acknowledgement, as the changes themselves do (see the
// threading notes of each service).
absl::StatusOr<security::Principal> AdmitChange(
    AuditLog* log, const grpc::CallbackServerContext& context, grpc::ServerUnaryReactor* reactor,
    std::string_view method, const Item& item,
    const std::function<absl::Status(const security::Principal&)>& decide,
    std::string_view detail = "");

}  // namespace infobus::audit
