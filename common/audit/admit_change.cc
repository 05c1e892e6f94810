#include "common/audit/admit_change.h"

#include "absl/time/clock.h"
#include "common/audit/audited_reply.h"
#include "common/grpc/caller.h"
#include "common/grpc/status.h"

namespace infobus::audit {

absl::StatusOr<security::Principal> AdmitChange(
    AuditLog* log, const grpc::CallbackServerContext& context, grpc::ServerUnaryReactor* reactor,
    std::string_view method, const Item& item,
    const std::function<absl::Status(const security::Principal&)>& decide,
    std::string_view detail) {
  auto caller = CallerOf(context);
  if (!caller.ok()) {
    reactor->Finish(ToGrpcStatus(caller.status()));  // nobody to hold to account
    return caller.status();
  }
  const absl::Status decision = decide(*caller);
  AuditRecord record =
      NewRecord(*caller, log->service(), method, item, decision, absl::Now(), detail);
  if (!decision.ok()) {
    ReplyAudited(log, reactor, {std::move(record)}, ToGrpcStatus(decision));
    return decision;
  }
  if (absl::Status kept = log->RecordNow({std::move(record)}); !kept.ok()) {
    reactor->Finish(ToGrpcStatus(kept));
    return kept;
  }
  return caller;
}

}  // namespace infobus::audit
