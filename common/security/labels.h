#pragma once

#include <set>
#include <string>

#include "infobus/common/v1/event.pb.h"

namespace infobus::security {

// What an item (event, judgment, delivery) says about who may see it, after Accumulo's cell
// labels: a classification, compartments (all must be held) and where it belongs.
struct Labels {
  infobus::common::v1::Classification classification =
      infobus::common::v1::CLASSIFICATION_UNSPECIFIED;  // treated as INTERNAL
  std::set<std::string> compartments;
  std::string jurisdiction_code;  // GB/T 2260 code of where it happened
};

}  // namespace infobus::security
