#pragma once

#include "common/security/labels.h"
#include "infobus/common/v1/judgment.pb.h"

namespace infobus::security {

// A judgment's labels: the highest classification of its evidence (set by the engine), and
// where it happened.
inline Labels JudgmentLabels(const infobus::common::v1::Judgment& judgment) {
  Labels labels;
  labels.classification = judgment.classification();
  labels.jurisdiction_code = judgment.jurisdiction_code();
  return labels;
}

}  // namespace infobus::security
