#pragma once

#include <memory>

#include "absl/status/status.h"
#include "common/config/command_line.h"
#include "common/service/service_runtime.h"
#include "services/collection/collection_service.h"

namespace infobus::collection {

// The collection process: store, Kafka producer, CollectionService over gRPC.
// Start() once, then Stop(); not thread-safe itself.
class CollectionServer {
 public:
  static ProgramInfo Program();

  explicit CollectionServer(const Config& config) : config_(config) {}
  absl::Status Start();
  void Stop();
  int Run();

 private:
  const Config& config_;
  std::unique_ptr<ServiceRuntime> runtime_;
  std::unique_ptr<CollectionServiceImpl> service_;
};

}  // namespace infobus::collection
