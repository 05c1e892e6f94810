#pragma once

#include <functional>
#include <set>
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
// item's contents. An unrestricted principal (insecure mode) passes every check. Thread-safe
// (stateless).

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

// Closure by approval (Approve, SendBack) is a supervisor's decision on a unit strictly below
// their own: never the unit's own officers or supervisor, who gave the feedback being decided.
absl::Status CanApprove(const Principal& caller, std::string_view unit_id, const UnitBelow& below);

// Supervision's Report is for supervisors (its scope: CanReportOn).
absl::Status CanSupervise(const Principal& caller);
// An item's Trace is for supervisors and for analysts, who follow the judgments they research to
// their deliveries, sign-offs and outcomes; each sees of it only what CanSee allows.
absl::Status CanTrace(const Principal& caller);

// A report's scope must lie within the caller's: a jurisdiction prefix at or below one the
// caller holds (`jurisdiction_prefix`), or a unit the caller may act for (`unit_id`, as
// CanActForUnit). Give one of the two (the other empty).
absl::Status CanReportOn(const Principal& caller, std::string_view jurisdiction_prefix,
                         std::string_view unit_id, const UnitBelow& below);

// Any authenticated person may list the units (names and hierarchy, no items).
absl::Status CanListUnits(const Principal& caller);

// Whether an item with `labels` is visible to the caller on the judgment read paths: clearance
// at least its classification (an item's UNSPECIFIED counts as INTERNAL, a caller's as PUBLIC),
// every compartment held, and its jurisdiction within one of the caller's (a judgment whose
// events span beyond every prefix the caller holds is not theirs). Streams skip what this
// refuses.
absl::Status CanSee(const Principal& caller, const Labels& labels);

// What keeps an item with `labels` from a holder of `clearance` and `compartments` that is not a
// caller (a unit of the routing file, which dispatch routes by): the rule ClearedFor applies to a
// caller (an item's UNSPECIFIED counts as INTERNAL, the holder's as PUBLIC; every compartment
// must be held), so routing and reading never disagree. The classification is checked first.
enum class Shortfall { kNone, kClearance, kCompartment };
Shortfall ClearanceShortfall(infobus::common::v1::Classification clearance,
                             const std::set<std::string>& compartments, const Labels& labels);

// The same for what reached a unit's inbox: clearance and compartments only, because routing
// chose the unit by jurisdiction already (and an escalation reaches a unit above it).
absl::Status CanSeeDelivered(const Principal& caller, const Labels& labels);

}  // namespace infobus::security
