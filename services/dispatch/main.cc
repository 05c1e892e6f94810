#include "common/service/service_runtime.h"
#include "services/dispatch/dispatch_server.h"

int main(int argc, char** argv) {
  infobus::PrepareProcess();
  return infobus::RunWithConfig(argc, argv, infobus::dispatch::DispatchServer::Program(),
                                [](const infobus::Config& config) {
                                  infobus::dispatch::DispatchServer server(config);
                                  return server.Run();
                                });
}
