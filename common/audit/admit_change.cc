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

void AdmitChangeThen(AuditLog* log, const grpc::CallbackServerContext& context,
                     const DeadlineReplyPtr& reply, std::string_view method, const Item& item,
                     const std::function<absl::Status(const security::Principal&)>& decide,
                     std::string_view detail,
                     std::function<void(const security::Principal&)> then) {
  auto caller = CallerOf(context);
  if (!caller.ok()) {
    reply->Run([&] { reply->Finish(ToGrpcStatus(caller.status())); });  // nobody to hold to account
    return;
  }
  const absl::Status decision = decide(*caller);
  AuditRecord record =
      NewRecord(*caller, log->service(), method, item, decision, absl::Now(), detail);
  if (!decision.ok()) {
    ReplyAudited(log, reply, {std::move(record)}, ToGrpcStatus(decision));
    return;
  }
  log->Record({std::move(record)},
              [reply, caller = *std::move(caller), then = std::move(then)](absl::Status kept) {
                reply->Run([&] {
                  if (!kept.ok()) return reply->Finish(ToGrpcStatus(kept));
                  then(caller);
                });
              });
}

}  // namespace infobus::audit
