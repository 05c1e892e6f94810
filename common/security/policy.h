#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "common/security/labels.h"
#include "common/security/principal.h"

namespace infobus::security {

// Need-to-know, as one pure module: every decision a service makes about a caller is one of
// these functions, with no I/O, so the whole matrix is unit-tested (policy_test.cc) and each
// entry point only maps its request onto a call here. A denial is PERMISSION_DENIED naming what
// the caller lacks (a role, a unit, a jurisdiction, a clearance, a compartment) and never the
// item's contents. Thread-safe (stateless).

// The administrative changes: watchlist entries, rules, routing.
enum class AdminAction { kWatchlist, kRules, kRouting };

// Whether the unit `unit_id` is `ancestor` or below it (the routing file's supervisor chain).
// Supplied by dispatch from its unit directory; must be quick and must not block.
using UnitBelow = std::function<bool(std::string_view unit_id, std::string_view ancestor)>;

// A source may publish only as itself, for counties its registration (jurisdictions) covers,
// and nothing above its clearance.
absl::Status CanPublish(const Principal& caller, std::string_view source_id,
                        std::string_view county_code,
                        infobus::common::v1::Classification classification);

// Only an administrator changes watchlists, rules or routing.
absl::Status CanAdminister(const Principal& caller, AdminAction action);

// Who may query, stream and review judgments at all (analysts and supervisors); what each may
// see is CanSee.
absl::Status CanReadJudgments(const Principal& caller);
absl::Status CanReview(const Principal& caller);

// An officer acts (Subscribe, Acknowledge, Feedback, ListDeliveries) for their own unit; a
// supervisor also for every unit below theirs.
absl::Status CanActForUnit(const Principal& caller, std::string_view unit_id,
                           const UnitBelow& below);

// Any authenticated person may list the units (names and hierarchy, no items).
absl::Status CanListUnits(const Principal& caller);

// Whether an item with `labels` is visible to the caller: clearance at least its classification
// (UNSPECIFIED counts as INTERNAL), every compartment held, and its jurisdiction within one of
// the caller's. Streams skip what this refuses.
absl::Status CanSee(const Principal& caller, const Labels& labels);

// Whether `code` lies within the GB/T 2260 prefix `prefix` ("4514" covers "451421").
bool WithinJurisdiction(std::string_view code, std::string_view prefix);

}  // namespace infobus::security
