#pragma once

#include <string>

#include "common/audit/audit_log.h"
#include "common/grpc/deadline_reply.h"
#include "common/kafka/producer.h"
#include "common/security/policy.h"
#include "common/security/principal.h"
#include "common/util/serial_executor.h"
#include "infobus/common/v1/dispatch_event.pb.h"
#include "infobus/dispatch/v1/dispatch_service.grpc.pb.h"
#include "services/dispatch/inbox.h"
#include "services/dispatch/inbox_notifier.h"
#include "services/dispatch/routing_source.h"

namespace infobus::dispatch {

// dispatch.v1.DispatchService: units follow their inbox (Subscribe: backlog, then live), sign
// off deliveries (Acknowledge), report outcomes (Feedback) and list what is pending
// (ListDeliveries); a supervisor above a unit approves its feedback or sends it back (Approve,
// SendBack) where the judgment needs approval. A stream reads from the durable inbox, never from a
// separate live feed, so the switch from backlog to live can neither skip nor repeat a delivery; it
// holds at most one page of deliveries in memory, so a slow reader costs no more than that.
// Acknowledge and Feedback (Approve, SendBack too) emit their dispatch event to Kafka before they
// record the change, so the topic never misses a change the store has; no callback waits for Kafka:
// each is answered from the producer's delivery report (or DEADLINE_EXCEEDED after
// signoff_timeout). Thread-safe.
class DispatchServiceImpl : public infobus::dispatch::v1::DispatchService::CallbackService {
 public:
  // `audit` records every access decision on a classified delivery and every routing change.
  DispatchServiceImpl(RoutingSource* routing, Inbox* inbox, InboxNotifier* notifier,
                      kafka::Producer* producer, std::string events_topic, audit::AuditLog* audit,
                      absl::Duration signoff_timeout = absl::Seconds(35),
                      SerialExecutor* wake_executor = nullptr)
      : routing_(routing),
        inbox_(inbox),
        notifier_(notifier),
        producer_(producer),
        events_topic_(std::move(events_topic)),
        audit_(audit),
        signoff_timeout_(signoff_timeout),
        wake_executor_(wake_executor) {}

  // DispatchService::CallbackService
  grpc::ServerWriteReactor<infobus::common::v1::Delivery>* Subscribe(
      grpc::CallbackServerContext* context,
      const infobus::dispatch::v1::SubscribeRequest* request) override;
  grpc::ServerUnaryReactor* Acknowledge(
      grpc::CallbackServerContext* context,
      const infobus::dispatch::v1::AcknowledgeRequest* request,
      infobus::dispatch::v1::AcknowledgeResponse* response) override;
  grpc::ServerUnaryReactor* Feedback(grpc::CallbackServerContext* context,
                                     const infobus::dispatch::v1::FeedbackRequest* request,
                                     infobus::dispatch::v1::FeedbackResponse* response) override;
  grpc::ServerUnaryReactor* Approve(grpc::CallbackServerContext* context,
                                    const infobus::dispatch::v1::ApproveRequest* request,
                                    infobus::dispatch::v1::ApproveResponse* response) override;
  grpc::ServerUnaryReactor* SendBack(grpc::CallbackServerContext* context,
                                     const infobus::dispatch::v1::SendBackRequest* request,
                                     infobus::dispatch::v1::SendBackResponse* response) override;
  grpc::ServerUnaryReactor* ListDeliveries(
      grpc::CallbackServerContext* context,
      const infobus::dispatch::v1::ListDeliveriesRequest* request,
      infobus::dispatch::v1::ListDeliveriesResponse* response) override;
  grpc::ServerUnaryReactor* ListUnits(grpc::CallbackServerContext* context,
                                      const infobus::dispatch::v1::ListUnitsRequest* request,
                                      infobus::dispatch::v1::ListUnitsResponse* response) override;
  grpc::ServerUnaryReactor* ReloadRouting(
      grpc::CallbackServerContext* context,
      const infobus::dispatch::v1::ReloadRoutingRequest* request,
      infobus::dispatch::v1::ReloadRoutingResponse* response) override;

 private:
  // Who may do what for a unit (policy.h): CanActForUnit, or CanApprove for a decision on a
  // unit's feedback.
  using UnitPolicy = absl::Status (*)(const security::Principal& caller, std::string_view unit_id,
                                      const security::UnitBelow& below);
  // The caller of a call about `unit_id` with `request`, once the request is valid UTF-8
  // (CheckUtf8), then as CheckUnit and AuthorizeForUnit.
  absl::StatusOr<security::Principal> UnitCaller(
      const grpc::CallbackServerContext& context, const google::protobuf::Message& request,
      const std::string& unit_id, UnitPolicy policy = &security::CanActForUnit) const;
  // OK when `unit_id` names a unit of the routing in force; else INVALID_ARGUMENT/NOT_FOUND.
  absl::Status CheckUnit(const std::string& unit_id) const;
  // The caller, when `policy` lets it act for `unit_id` (CanActForUnit: its own unit, or below
  // it for a supervisor).
  absl::StatusOr<security::Principal> AuthorizeForUnit(
      const grpc::CallbackServerContext& context, const std::string& unit_id,
      UnitPolicy policy = &security::CanActForUnit) const;
  // Whether `caller` may sign off or give feedback for delivery `seq` of `unit_id` (NOT_FOUND
  // when there is none): the caller's clearance must cover it, as for reading it. A decision on
  // a classified delivery is recorded before anything changes (UNAVAILABLE when it cannot be
  // kept). Runs `then` inside `reply` once admitted (on the record's delivery thread, or at
  // once for an unclassified delivery); else answers through `reply`. Never waits.
  void AdmitSignOff(const security::Principal& caller, const std::string& unit_id, uint64_t seq,
                    std::string_view method, const DeadlineReplyPtr& reply,
                    std::function<void()> then);
  // Who signs in a sign-off or a feedback (or decides, in an approval or a send-back).
  struct Signer {
    const char* field;             // the request's field that names them: "acknowledged_by"
    const std::string& requested;  // its value
    const char* does;              // what they do, for its error: "signs off"
    UnitPolicy may = &security::CanActForUnit;  // who may, for the unit
  };
  // Who a sign-off or a feedback on delivery `seq` of `unit_id` (from `request`) is recorded as
  // (the caller; in insecure mode, whom the request names), once these checks pass, in this
  // order: UnitCaller (with `signer.may`); `signer.requested` is empty or the caller; the seq is
  // given; `fields`, the call's checks of its own fields; who is recorded is 1-128 bytes of UTF-8;
  // AdmitSignOff for `method`. Then `then(by)` runs inside `reply`; else the call is answered
  // through it.
  void AdmitSigner(const grpc::CallbackServerContext& context,
                   const google::protobuf::Message& request, const std::string& unit_id,
                   uint64_t seq, const Signer& signer, const absl::Status& fields,
                   std::string_view method, const DeadlineReplyPtr& reply,
                   std::function<void(const std::string& by)> then);
  // Produces the event for a change of `delivery`; `sent` runs once with Kafka's answer (on the
  // producer's thread, or at once when it cannot be queued).
  void EmitAsync(infobus::common::v1::DispatchEventType type,
                 const infobus::common::v1::Delivery& delivery, absl::Time at,
                 std::function<void(absl::Status)> sent);

  RoutingSource* const routing_;
  Inbox* const inbox_;
  InboxNotifier* const notifier_;
  kafka::Producer* const producer_;
  const std::string events_topic_;
  audit::AuditLog* const audit_;
  // How long a change may wait for Kafka before the caller hears DEADLINE_EXCEEDED: beyond the
  // producer's own delivery timeout (15 s) for the access record and then the event, so the
  // producer's answer normally comes first.
  const absl::Duration signoff_timeout_;
  // Where streams read their next page when the notifier wakes them (nullptr: on the waker's
  // thread). Must outlive every stream.
  SerialExecutor* const wake_executor_;
};

}  // namespace infobus::dispatch
