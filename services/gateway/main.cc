#include <csignal>
#include <iostream>

#include "common/config/command_line.h"
#include "common/util/signals.h"
#include "services/gateway/gateway_options.h"
#include "services/gateway/gateway_server.h"

int main(int argc, char** argv) {
  infobus::BlockTerminationSignals();
  std::signal(SIGPIPE, SIG_IGN);  // a browser that goes away mid-write is an error, not a kill
  const infobus::ProgramInfo program{
      "infobus-gateway",
      "The console gateway: serves the web console's files and a JSON + Server-Sent Events API "
      "mapped 1:1 onto the collection, judgment, dispatch and supervision gRPC APIs, forwarding "
      "the browser's bearer token. Stores nothing.",
      infobus::gateway::GatewaySchema()};
  return infobus::RunWithConfig(argc, argv, program, [&program](const infobus::Config& config) {
    absl::StatusOr<infobus::gateway::GatewayOptions> options =
        infobus::gateway::GatewayOptionsFrom(config);
    if (!options.ok()) {
      std::cerr << program.name << ": bad configuration: " << options.status().message() << "\n";
      return 2;
    }
    return infobus::gateway::RunGateway(*options);
  });
}
