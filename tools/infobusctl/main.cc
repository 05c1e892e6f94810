#include <iostream>
#include <string>
#include <vector>

#include "tools/infobusctl/ctl.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return infobus::ctl::RunCommand(args, std::cin, std::cout, std::cerr);
}
