#include "common/service/service_runtime.h"
#include "services/collection/collection_server.h"

int main(int argc, char** argv) {
  infobus::PrepareProcess();
  return infobus::RunWithConfig(argc, argv, infobus::collection::CollectionServer::Program(),
                                [](const infobus::Config& config) {
                                  infobus::collection::CollectionServer server(config);
                                  return server.Run();
                                });
}
