#pragma once

#include <string>
#include <vector>

#include "infobus/common/v1/judgment.pb.h"
#include "services/dispatch/unit_directory.h"

namespace infobus::dispatch {

// Decides which units receive a judgment: every unit one of whose jurisdictions covers the
// judgment's jurisdiction code (prefix match), in configuration order, each unit once.
// Pure; thread-safe.
class Router {
 public:
  explicit Router(const UnitDirectory* units) : units_(units) {}

  std::vector<std::string> Route(const infobus::common::v1::Judgment& judgment) const;

 private:
  const UnitDirectory* units_;
};

}  // namespace infobus::dispatch
