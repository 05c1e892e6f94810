#include "common/service/service_runtime.h"
#include "services/judgment/judgment_server.h"

int main(int argc, char** argv) {
  infobus::PrepareProcess();
  return infobus::RunWithConfig(argc, argv, infobus::judgment::JudgmentServer::Program(),
                                [](const infobus::Config& config) {
                                  infobus::judgment::JudgmentServer server(config);
                                  return server.Run();
                                });
}
