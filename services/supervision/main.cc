#include "common/service/service_server.h"
#include "services/supervision/supervision_options.h"
#include "services/supervision/supervision_server.h"

int main(int argc, char** argv) {
  return infobus::RunServerMain<infobus::supervision::SupervisionServer>(
      argc, argv, infobus::supervision::SupervisionOptionsFrom);
}
