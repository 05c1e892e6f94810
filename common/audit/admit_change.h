#pragma once

#include <grpcpp/grpcpp.h>

#include <string_view>

#include "absl/status/statusor.h"
#include "common/audit/audit_log.h"
#include "common/grpc/deadline_reply.h"
#include "common/security/principal.h"

namespace infobus::audit {

// The gate of an administrative change (watchlist, rules, routing, review): authenticates the
// caller, applies `decide` and audits the decision. Denied: the call is answered (once the
// denial is recorded) and an error returned. Allowed: the record is kept before this returns
// the caller, so a change is never made unrecorded; UNAVAILABLE (call answered) when it cannot
// be kept. Blocks for the record's acknowledgement: for a change that is itself made
// synchronously (see AdmitChangeThen for the others).
absl::StatusOr<security::Principal> AdmitChange(
    AuditLog* log, const grpc::CallbackServerContext& context, grpc::ServerUnaryReactor* reactor,
    std::string_view method, const Item& item,
    const std::function<absl::Status(const security::Principal&)>& decide,
    std::string_view detail = "");

// The same without waiting, for a change that is itself made asynchronously and answered
// through `reply`: `then` runs with the caller once the allowed record is kept, on the
// producer's thread inside reply->Run (the call still open; it must be quick: hand the change
// on). Unauthenticated, denied (once the
// denial is kept) or not kept: the call is answered through `reply` and `then` never runs.
void AdmitChangeThen(AuditLog* log, const grpc::CallbackServerContext& context,
                     const DeadlineReplyPtr& reply, std::string_view method, const Item& item,
                     const std::function<absl::Status(const security::Principal&)>& decide,
                     std::string_view detail, std::function<void(const security::Principal&)> then);

}  // namespace infobus::audit
