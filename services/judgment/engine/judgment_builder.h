#pragma once

// Builds the Judgment message a rule makes: ids and times are the rule kind's, labels,
// jurisdiction and title come from the evidence.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/types/span.h"
#include "common/util/clock.h"
#include "infobus/common/v1/event.pb.h"
#include "infobus/common/v1/judgment.pb.h"
#include "services/judgment/engine/evidence.h"
#include "services/judgment/engine/rules.h"

namespace infobus::judgment::engine {

// "2026-01-01T00:00:00Z", as judgment titles and summaries give times.
std::string FormatNanos(int64_t nanos);

// What a rule kind knows of its judgment; the builder adds the rest.
struct JudgmentParts {
  std::string id;         // StableId of the rule kind's key (see engine.h)
  std::string group_key;  // the hotspot group, or the subject key
  absl::Span<const SharedEvidence* const> evidence;  // at most the rule's max_evidence
  int64_t evidence_count = 0;                        // all of it
  int64_t start_ns = 0, end_ns = 0;                  // window_start, window_end
  const infobus::common::v1::Subject* subject = nullptr;
  // Title template variables besides {rule}, {jurisdiction} and {kind}.
  std::vector<std::pair<std::string, std::string>> variables;
};

// Stateless but for the clock (created_at); const, so any rule kind may hold one by reference.
class JudgmentBuilder {
 public:
  explicit JudgmentBuilder(ClockPtr clock) : clock_(std::move(clock)) {}

  // The judgment of `rule` from `parts`: its classification is the highest of the evidence's and
  // its compartments their union (so it is as restricted as what it shows), its jurisdiction the
  // longest code prefix common to the evidence, its response deadline the rule's (when it has
  // one). The caller sets the summary (and may raise the severity).
  infobus::common::v1::Judgment Build(const Rule& rule, JudgmentParts parts) const;

 private:
  const ClockPtr clock_;
};

}  // namespace infobus::judgment::engine
