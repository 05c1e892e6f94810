#pragma once

#include <string>
#include <vector>

namespace infobus::faults {

// The outcome of one fault check: the line of figures it prints (after lines of detail, if
// any), whether it passed, and what went wrong in words (printed after the line).
struct CheckResult {
  std::vector<std::string> details;
  std::string line;
  bool passed = false;
  std::vector<std::string> findings;
};

}  // namespace infobus::faults
