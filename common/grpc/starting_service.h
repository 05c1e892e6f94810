#pragma once

#include <grpcpp/generic/async_generic_service.h>

#include <string>

namespace infobus {

// What a server that is still starting answers for every method it does not serve yet: an
// immediate UNAVAILABLE saying so, which clients (and gRPC retry policies) treat as "try again",
// instead of gRPC's UNIMPLEMENTED with no message, which says the method does not exist.
// Health and reflection are served as usual beside it. Thread-safe; never blocks.
class StartingService final : public grpc::CallbackGenericService {
 public:
  // `what`: e.g. "judgment is starting (waiting for Kafka)".
  explicit StartingService(std::string what) : what_(std::move(what)) {}

  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* context) override;

 private:
  const std::string what_;
};

}  // namespace infobus
