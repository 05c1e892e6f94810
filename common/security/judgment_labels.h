#pragma once

#include "common/security/labels.h"
#include "infobus/common/v1/judgment.pb.h"

namespace infobus::security {

// A judgment's labels: the highest classification of its evidence and the union of its
// evidence's compartments (both set by the engine), and where it happened. Every read path
// (judgment queries and streams, a unit's inbox) and dispatch's routing decide on these.
inline Labels JudgmentLabels(const infobus::common::v1::Judgment& judgment) {
  Labels labels;
  labels.classification = judgment.classification();
  labels.compartments.insert(judgment.compartments().begin(), judgment.compartments().end());
  labels.jurisdiction_code = judgment.jurisdiction_code();
  return labels;
}

}  // namespace infobus::security
