#pragma once

#include <grpcpp/grpcpp.h>

#include <vector>

#include "common/audit/audit_log.h"
#include "common/grpc/deadline_reply.h"

namespace infobus::audit {

// Answers a unary call once its access records are kept: with `status` then, or with
// UNAVAILABLE (and no response message) when they could not be. Never blocks.
inline void ReplyAudited(AuditLog* log, grpc::ServerUnaryReactor* reactor,
                         std::vector<AuditRecord> records, grpc::Status status) {
  log->Record(std::move(records), [reactor, status = std::move(status)](absl::Status kept) {
    if (!kept.ok()) {
      reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, std::string(kept.message())));
    } else {
      reactor->Finish(status);
    }
  });
}

// The same through a DeadlineReply: the reply goes out once the records are kept, unless the
// deadline has answered first.
inline void ReplyAudited(AuditLog* log, const DeadlineReplyPtr& reply,
                         std::vector<AuditRecord> records, grpc::Status status) {
  log->Record(std::move(records), [reply, status = std::move(status)](absl::Status kept) {
    reply->Run([&] {
      reply->Finish(kept.ok()
                        ? status
                        : grpc::Status(grpc::StatusCode::UNAVAILABLE, std::string(kept.message())));
    });
  });
}

}  // namespace infobus::audit
