#pragma once

#include "absl/time/time.h"
#include "common/audit/audit_log.h"
#include "common/security/principal.h"
#include "common/util/serial_executor.h"
#include "infobus/supervision/v1/supervision_service.grpc.pb.h"
#include "services/dispatch/routing_source.h"
#include "services/supervision/ledger_reader.h"
#include "services/supervision/report_builder.h"

namespace infobus::supervision {

// supervision.v1.SupervisionService: Trace and Report for supervisors. A trace shows only what
// the caller may see (CanSee on each event and judgment; the item asked for, refused, is
// PERMISSION_DENIED), and records every decision on a classified item before it answers. A
// report covers the scope asked for when it lies within the caller's (CanReportOn), leaves out
// events and judgments above the caller's clearance or compartments, and is recorded too (it
// counts classified items). Trace reads a few records on the callback thread; Report's scan of
// a period's tallies runs on `report_executor`, so no callback thread waits. Thread-safe.
class SupervisionServiceImpl
    : public infobus::supervision::v1::SupervisionService::CallbackService {
 public:
  // All must outlive the service.
  SupervisionServiceImpl(const LedgerReader* reader, dispatch::RoutingSource* routing,
                         audit::AuditLog* audit, SerialExecutor* report_executor)
      : reader_(reader), routing_(routing), audit_(audit), report_executor_(report_executor) {}

  grpc::ServerUnaryReactor* Trace(grpc::CallbackServerContext* context,
                                  const infobus::supervision::v1::TraceRequest* request,
                                  infobus::supervision::v1::TraceResponse* response) override;
  grpc::ServerUnaryReactor* Report(grpc::CallbackServerContext* context,
                                   const infobus::supervision::v1::ReportRequest* request,
                                   infobus::supervision::v1::ReportResponse* response) override;

 private:
  // The caller, once the request is valid UTF-8 and `may` allows the caller the call
  // (security::CanTrace, CanSupervise).
  absl::StatusOr<security::Principal> Authorized(
      const grpc::CallbackServerContext& context, const google::protobuf::Message& request,
      absl::Status (*may)(const security::Principal&)) const;
  // What `request` covers for `caller`, resolved against `table` (the routing in force).
  absl::StatusOr<ReportScope> ScopeOf(const security::Principal& caller,
                                      const infobus::supervision::v1::ReportRequest& request,
                                      const dispatch::RoutingTable& table) const;

  const LedgerReader* const reader_;
  dispatch::RoutingSource* const routing_;
  audit::AuditLog* const audit_;
  SerialExecutor* const report_executor_;
};

}  // namespace infobus::supervision
