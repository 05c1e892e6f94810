#pragma once

#include <memory>

#include "absl/status/status.h"
#include "common/config/command_line.h"
#include "common/service/service_server.h"
#include "services/collection/collection_options.h"
#include "services/collection/collection_service.h"

namespace infobus::collection {

// The collection process: store, Kafka producer, CollectionService over gRPC.
// Start() once, then Stop(); not thread-safe itself.
class CollectionServer final : public ServiceServer {
 public:
  static ProgramInfo Program();

  explicit CollectionServer(CollectionOptions options);

  // ServiceServer
  absl::Status Start() override;
  void Stop() override;

 private:
  const BusOptions& bus() const override { return options_.bus; }

  const CollectionOptions options_;
  std::unique_ptr<CollectionServiceImpl> service_;
};

}  // namespace infobus::collection
