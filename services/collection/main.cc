#include "common/service/service_server.h"
#include "services/collection/collection_options.h"
#include "services/collection/collection_server.h"

int main(int argc, char** argv) {
  return infobus::RunServerMain<infobus::collection::CollectionServer>(
      argc, argv, infobus::collection::CollectionOptionsFrom);
}
