#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/grpc/credentials.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "infobus/collection/v1/collection_service.grpc.pb.h"
#include "infobus/dispatch/v1/dispatch_service.grpc.pb.h"
#include "infobus/judgment/v1/judgment_service.grpc.pb.h"

namespace infobus::testing {

// A channel to `address` whose calls are made as `security` (identities.h: AsSource,
// AsAnalyst, AsOfficer, ...; Plaintext() only for a bus that runs insecure).
std::shared_ptr<grpc::Channel> Channel(const std::string& address, const ClientSecurity& security,
                                       const grpc::ChannelArguments& arguments = {});
// A channel that tries a lost connection again every 100-500 ms (gRPC's default backoff climbs
// to two minutes), for clients of a service that is killed and restarted on the same port.
std::shared_ptr<grpc::Channel> ReconnectingChannel(const std::string& address,
                                                   const ClientSecurity& security);

using ServingStatus = grpc::health::v1::HealthCheckResponse::ServingStatus;

// grpc.health.v1.Health/Check of `service` ("": the server as a whole) through the standard
// stub, as `security` (health wants an authenticated caller, e.g. the service's own
// certificate as compose's checks present it): the status, or the call's failure (NOT_FOUND
// for a name the server does not serve).
absl::StatusOr<ServingStatus> CheckHealth(const std::string& address,
                                          const ClientSecurity& security,
                                          const std::string& service = "");

// Follows one unit's inbox on a background thread and keeps every delivery it receives.
class InboxReader {
 public:
  // As an officer of the unit (AsOfficer(unit_id)).
  InboxReader(const std::string& dispatch_address, const std::string& unit_id, uint64_t after_seq);
  // As `reader` (a supervisor of a unit above, say).
  InboxReader(const std::string& dispatch_address, const std::string& unit_id, uint64_t after_seq,
              const ClientSecurity& reader);
  ~InboxReader();  // cancels the stream

  // Waits until at least `count` deliveries arrived (true) or `timeout` passed (false).
  bool WaitForCount(size_t count, absl::Duration timeout);
  std::vector<infobus::common::v1::Delivery> deliveries() const;
  // The status the stream ended with, once it ended.
  std::string end_status() const;

 private:
  std::unique_ptr<infobus::dispatch::v1::DispatchService::Stub> stub_;
  grpc::ClientContext context_;
  mutable absl::Mutex mutex_;
  std::vector<infobus::common::v1::Delivery> deliveries_ ABSL_GUARDED_BY(mutex_);
  bool ended_ ABSL_GUARDED_BY(mutex_) = false;
  std::string end_status_ ABSL_GUARDED_BY(mutex_);
  std::thread thread_;
};

}  // namespace infobus::testing
