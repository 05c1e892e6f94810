#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/kafka/message.h"
#include "infobus/common/v1/judgment.pb.h"

namespace infobus::codec {

// A record of the judgments topic (infobus.judgments.v1) as the Judgment it must be: schema
// header "infobus.common.v1.Judgment", a value that parses, and CheckJudgment. Pure. An error
// is INVALID_ARGUMENT whose message is the dead-letter reason.
absl::StatusOr<infobus::common::v1::Judgment> DecodeJudgment(const kafka::Record& record);

// What every Judgment the engine makes has: judgment_id and rule_id present; kind and severity
// known and specified; classification known; jurisdiction_code a jurisdiction prefix (empty for
// evidence from several provinces, see domain::ValidateJurisdictionPrefix); created_at present
// and in range; subjects of known, specified types; evidence classifications and the review
// status known.
absl::Status CheckJudgment(const infobus::common::v1::Judgment& judgment);

}  // namespace infobus::codec
