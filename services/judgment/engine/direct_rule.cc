#include "services/judgment/engine/direct_rule.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/util/ids.h"
#include "services/judgment/engine/string_view.h"

namespace infobus::judgment::engine {

using infobus::common::v1::Judgment;

void DirectRules::Judge(const Rule& rule, const infobus::common::v1::Event& event,
                        const EvidenceRef& evidence, int64_t time_ns,
                        std::vector<Judgment>& out) const {
  const SharedEvidence* items[] = {evidence.get()};
  JudgmentParts parts;
  parts.id = StableId({rule.id, event.source_id(), event.event_id()});
  parts.evidence = items;
  parts.evidence_count = 1;
  parts.start_ns = parts.end_ns = time_ns;
  Judgment judgment = judgments_->Build(rule, std::move(parts));
  // Who the item is about (a petitioner, a reported person), as collection normalised them.
  *judgment.mutable_subjects() = event.subjects();
  judgment.set_summary(absl::StrCat(event.kind(), " ", event.event_id(), " from ",
                                    event.source_id(), " in ", View(evidence->jurisdiction_code)));
  out.push_back(std::move(judgment));
}

}  // namespace infobus::judgment::engine
