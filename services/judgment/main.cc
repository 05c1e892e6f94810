#include "common/service/service_server.h"
#include "services/judgment/judgment_options.h"
#include "services/judgment/judgment_server.h"

int main(int argc, char** argv) {
  return infobus::RunServerMain<infobus::judgment::JudgmentServer>(
      argc, argv, infobus::judgment::JudgmentOptionsFrom);
}
