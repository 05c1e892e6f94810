#pragma once

#include "absl/time/time.h"
#include "common/audit/audit_log.h"
#include "common/security/principal.h"
#include "common/util/serial_executor.h"
#include "infobus/supervision/v1/supervision_peer_service.grpc.pb.h"
#include "infobus/supervision/v1/supervision_service.grpc.pb.h"
#include "services/dispatch/routing_source.h"
#include "services/supervision/fan_out.h"
#include "services/supervision/ledger_reader.h"
#include "services/supervision/report_builder.h"

namespace infobus::supervision {

// supervision.v1.SupervisionService: Trace and Report for supervisors. A trace shows only what
// the caller may see (CanSee on each event and judgment; the item asked for, refused, is
// PERMISSION_DENIED), and records every decision on a classified item before it answers. A
// report covers the scope asked for when it lies within the caller's (CanReportOn), leaves out
// events and judgments above the caller's clearance or compartments, and is recorded too (it
// counts classified items). Trace reads a few records on the callback thread; Report's scan of
// a period's tallies runs on `report_executor`, so no callback thread waits. Both gather their
// records from every partition through `fan_out` (this instance's and its peers'), and decide
// on the merged records. Thread-safe.
class SupervisionServiceImpl
    : public infobus::supervision::v1::SupervisionService::CallbackService {
 public:
  // All must outlive the service. A trace asks its peers from `trace_executor`, a report from
  // `report_executor` (they wait for the answers).
  SupervisionServiceImpl(const FanOut* fan_out, dispatch::RoutingSource* routing,
                         audit::AuditLog* audit, SerialExecutor* report_executor,
                         SerialExecutor* trace_executor)
      : fan_out_(fan_out),
        routing_(routing),
        audit_(audit),
        report_executor_(report_executor),
        trace_executor_(trace_executor) {}

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

  const FanOut* const fan_out_;
  dispatch::RoutingSource* const routing_;
  audit::AuditLog* const audit_;
  SerialExecutor* const report_executor_;
  SerialExecutor* const trace_executor_;
};

// supervision.v1.SupervisionPeerService: what this instance holds of the partitions it answers
// for (OwnedPartitions), for its peers' fan-out. Only supervision's own machine identity may
// call it (a person or another service: PERMISSION_DENIED): the answers are unfiltered records.
// LocalTrace reads on the callback thread (a few gets per partition); LocalReport's scan runs on
// `local_executor`, which never waits on a peer (a report's fan-out does, on another executor:
// two instances asking each other at once cannot block each other). Thread-safe.
class SupervisionPeerServiceImpl
    : public infobus::supervision::v1::SupervisionPeerService::CallbackService {
 public:
  // All must outlive the service.
  SupervisionPeerServiceImpl(const LedgerReader* reader, const OwnedPartitions* owned,
                             SerialExecutor* local_executor)
      : reader_(reader), owned_(owned), local_executor_(local_executor) {}

  grpc::ServerUnaryReactor* LocalTrace(
      grpc::CallbackServerContext* context,
      const infobus::supervision::v1::LocalTraceRequest* request,
      infobus::supervision::v1::LocalTraceResponse* response) override;
  grpc::ServerUnaryReactor* LocalReport(
      grpc::CallbackServerContext* context,
      const infobus::supervision::v1::LocalReportRequest* request,
      infobus::supervision::v1::LocalReportResponse* response) override;

 private:
  const LedgerReader* const reader_;
  const OwnedPartitions* const owned_;
  SerialExecutor* const local_executor_;
};

// OK when `caller` is supervision's own machine identity (or the server is insecure).
absl::Status IsSupervisionPeer(const security::Principal& caller);

}  // namespace infobus::supervision
