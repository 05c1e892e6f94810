#pragma once

#include <grpcpp/grpcpp.h>

#include <vector>

#include "common/audit/audit_log.h"

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

}  // namespace infobus::audit
