#pragma once

// Direct rules: an event of a kind that needs no analysis (a petition, a case report) is itself
// the judgment, routed to the unit of its jurisdiction.

#include <cstdint>
#include <vector>

#include "infobus/common/v1/event.pb.h"
#include "infobus/common/v1/judgment.pb.h"
#include "services/judgment/engine/evidence.h"
#include "services/judgment/engine/judgment_builder.h"
#include "services/judgment/engine/rules.h"

namespace infobus::judgment::engine {

// Keeps no state: one event in, one judgment out. Not thread-safe; `judgments` must outlive it.
class DirectRules {
 public:
  explicit DirectRules(const JudgmentBuilder* judgments) : judgments_(judgments) {}

  // Appends the one judgment of `rule` for `event` (which its filter matched) to `out`: id
  // StableId(rule, source, event), so a replayed event yields the same id; the event its
  // evidence, its time the span, its subjects the judgment's.
  void Judge(const Rule& rule, const infobus::common::v1::Event& event, const EvidenceRef& evidence,
             int64_t time_ns, std::vector<infobus::common::v1::Judgment>& out) const;

 private:
  const JudgmentBuilder* const judgments_;
};

}  // namespace infobus::judgment::engine
