#include "common/service/service_server.h"
#include "services/dispatch/dispatch_options.h"
#include "services/dispatch/dispatch_server.h"

int main(int argc, char** argv) {
  return infobus::RunServerMain<infobus::dispatch::DispatchServer>(
      argc, argv, infobus::dispatch::DispatchOptionsFrom);
}
