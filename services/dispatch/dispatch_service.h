#pragma once

#include "infobus/dispatch/v1/dispatch_service.grpc.pb.h"
#include "services/dispatch/inbox.h"
#include "services/dispatch/inbox_notifier.h"
#include "services/dispatch/unit_directory.h"

namespace infobus::dispatch {

// dispatch.v1.DispatchService: units follow their inbox (Subscribe: backlog, then live) and
// sign off deliveries (Acknowledge). A stream reads from the durable inbox, never from a
// separate live feed, so the switch from backlog to live can neither skip nor repeat a delivery;
// it holds at most one page of deliveries in memory, so a slow reader costs no more than that.
// Thread-safe.
class DispatchServiceImpl final : public infobus::dispatch::v1::DispatchService::CallbackService {
 public:
  DispatchServiceImpl(const UnitDirectory* units, Inbox* inbox, InboxNotifier* notifier)
      : units_(units), inbox_(inbox), notifier_(notifier) {}

  // DispatchService::CallbackService
  grpc::ServerWriteReactor<infobus::common::v1::Delivery>* Subscribe(
      grpc::CallbackServerContext* context,
      const infobus::dispatch::v1::SubscribeRequest* request) override;
  grpc::ServerUnaryReactor* Acknowledge(
      grpc::CallbackServerContext* context,
      const infobus::dispatch::v1::AcknowledgeRequest* request,
      infobus::dispatch::v1::AcknowledgeResponse* response) override;
  grpc::ServerUnaryReactor* ListUnits(grpc::CallbackServerContext* context,
                                      const infobus::dispatch::v1::ListUnitsRequest* request,
                                      infobus::dispatch::v1::ListUnitsResponse* response) override;

 private:
  const UnitDirectory* units_;
  Inbox* inbox_;
  InboxNotifier* notifier_;
};

}  // namespace infobus::dispatch
