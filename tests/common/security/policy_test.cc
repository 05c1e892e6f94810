// The need-to-know policy as a table: each row a caller, an action and the expected decision.
// Every check in policy.cc is pinned by at least one row that flips when the check is removed.
#include "common/security/policy.h"

#include <gtest/gtest.h>

#include <string>

#include "common/security/judgment_labels.h"

namespace infobus::security {
namespace {

using infobus::common::v1::CLASSIFICATION_CONFIDENTIAL;
using infobus::common::v1::CLASSIFICATION_INTERNAL;
using infobus::common::v1::CLASSIFICATION_PUBLIC;
using infobus::common::v1::CLASSIFICATION_SECRET;
using infobus::common::v1::CLASSIFICATION_UNSPECIFIED;

Principal Source(std::string id, std::vector<std::string> counties,
                 infobus::common::v1::Classification clearance = CLASSIFICATION_CONFIDENTIAL) {
  Principal p;
  p.id = std::move(id);
  p.roles = {Role::kSource};
  p.jurisdictions = std::move(counties);
  p.clearance = clearance;
  p.authenticated_by_certificate = true;
  return p;
}

Principal Person(std::string id, std::set<Role> roles, std::string unit,
                 std::vector<std::string> jurisdictions,
                 infobus::common::v1::Classification clearance,
                 std::set<std::string> compartments = {}) {
  Principal p;
  p.id = std::move(id);
  p.roles = std::move(roles);
  p.unit_id = std::move(unit);
  p.jurisdictions = std::move(jurisdictions);
  p.clearance = clearance;
  p.compartments = std::move(compartments);
  return p;
}

// chongzuo-ops > fusui-psb > fusui-xinning-station; pingxiang-psb is chongzuo-ops's too.
bool Below(std::string_view unit, std::string_view ancestor) {
  static const std::map<std::string, std::string, std::less<>> kParent = {
      {"chongzuo-ops", "guangxi-ops"},
      {"fusui-psb", "chongzuo-ops"},
      {"fusui-xinning-station", "fusui-psb"},
      {"pingxiang-psb", "chongzuo-ops"}};
  for (std::string current(unit);;) {
    if (current == ancestor) return true;
    auto it = kParent.find(current);
    if (it == kParent.end()) return false;
    current = it->second;
  }
}

void ExpectAllowed(const absl::Status& status) { EXPECT_TRUE(status.ok()) << status; }
void ExpectDenied(const absl::Status& status, std::string_view reason_part) {
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << status;
  EXPECT_NE(std::string(status.message()).find(reason_part), std::string::npos) << status;
}

TEST(PolicyTest, ASourcePublishesOnlyAsItselfForItsCountiesAndUpToItsClearance) {
  const Principal lodging = Source("fusui-lodging", {"451421"});
  ExpectAllowed(CanPublish(lodging, "fusui-lodging", "451421", CLASSIFICATION_INTERNAL));
  ExpectAllowed(CanPublish(lodging, "fusui-lodging", "451421", CLASSIFICATION_UNSPECIFIED));
  ExpectAllowed(CanPublish(lodging, "fusui-lodging", "451421", CLASSIFICATION_CONFIDENTIAL));
  ExpectDenied(CanPublish(lodging, "pingxiang-checkpoint", "451421", CLASSIFICATION_INTERNAL),
               "only as itself");
  ExpectDenied(CanPublish(lodging, "fusui-lodging", "451481", CLASSIFICATION_INTERNAL),
               "not registered for county 451481");
  ExpectDenied(CanPublish(lodging, "fusui-lodging", "451421", CLASSIFICATION_SECRET),
               "above its registered clearance");
  // A city-wide registration covers its counties.
  ExpectAllowed(CanPublish(Source("chongzuo-tips", {"4514"}), "chongzuo-tips", "451481",
                           CLASSIFICATION_INTERNAL));
  // People and services do not publish, whatever their clearance.
  const Principal admin = Person("root", {Role::kAdministrator}, "", {"45"}, CLASSIFICATION_SECRET);
  ExpectDenied(CanPublish(admin, "root", "451421", CLASSIFICATION_PUBLIC), "only a source");
}

TEST(PolicyTest, OnlyAnAdministratorChangesWatchlistsRulesAndRouting) {
  const Principal admin =
      Person("root", {Role::kAdministrator}, "", {}, CLASSIFICATION_UNSPECIFIED);
  const Principal analyst = Person("zhang", {Role::kAnalyst}, "", {"45"}, CLASSIFICATION_SECRET);
  const Principal supervisor =
      Person("li", {Role::kSupervisor}, "chongzuo-ops", {"4514"}, CLASSIFICATION_SECRET);
  const Principal source = Source("fusui-lodging", {"451421"});
  for (AdminAction action : {AdminAction::kWatchlist, AdminAction::kRules, AdminAction::kRouting}) {
    ExpectAllowed(CanAdminister(admin, action));
    ExpectDenied(CanAdminister(analyst, action), "only an administrator");
    ExpectDenied(CanAdminister(supervisor, action), "only an administrator");
    ExpectDenied(CanAdminister(source, action), "only an administrator");
  }
}

TEST(PolicyTest, JudgmentsAreReadByAnalystsAndSupervisorsAndReviewedByAnalysts) {
  const Principal analyst = Person("zhang", {Role::kAnalyst}, "", {"45"}, CLASSIFICATION_SECRET);
  const Principal supervisor =
      Person("li", {Role::kSupervisor}, "chongzuo-ops", {"4514"}, CLASSIFICATION_SECRET);
  const Principal officer =
      Person("wang", {Role::kOfficer}, "fusui-psb", {"451421"}, CLASSIFICATION_SECRET);
  const Principal admin = Person("root", {Role::kAdministrator}, "", {"45"}, CLASSIFICATION_SECRET);
  ExpectAllowed(CanReadJudgments(analyst));
  ExpectAllowed(CanReadJudgments(supervisor));
  ExpectDenied(CanReadJudgments(officer), "analyst or supervisor");
  ExpectDenied(CanReadJudgments(admin), "analyst or supervisor");
  ExpectDenied(CanReadJudgments(Source("fusui-lodging", {"451421"})), "analyst or supervisor");
  ExpectAllowed(CanReview(analyst));
  ExpectDenied(CanReview(supervisor), "analyst role");
  ExpectDenied(CanReview(officer), "analyst role");
}

TEST(PolicyTest, AnOfficerActsForTheirUnitAndASupervisorAlsoForTheUnitsBelow) {
  const Principal officer =
      Person("wang", {Role::kOfficer}, "fusui-psb", {"451421"}, CLASSIFICATION_INTERNAL);
  const Principal supervisor =
      Person("li", {Role::kSupervisor}, "chongzuo-ops", {"4514"}, CLASSIFICATION_SECRET);
  ExpectAllowed(CanActForUnit(officer, "fusui-psb", Below));
  ExpectDenied(CanActForUnit(officer, "pingxiang-psb", Below), "only for unit fusui-psb");
  // An officer is not a supervisor of the units below their own.
  ExpectDenied(CanActForUnit(officer, "fusui-xinning-station", Below), "only for unit fusui-psb");
  ExpectAllowed(CanActForUnit(supervisor, "chongzuo-ops", Below));
  ExpectAllowed(CanActForUnit(supervisor, "fusui-psb", Below));
  ExpectAllowed(CanActForUnit(supervisor, "fusui-xinning-station", Below));
  ExpectAllowed(CanActForUnit(supervisor, "pingxiang-psb", Below));
  ExpectDenied(CanActForUnit(supervisor, "guangxi-ops", Below), "and the units below it");
  ExpectDenied(CanActForUnit(supervisor, "nanning-ops", Below), "not for unit 'nanning-ops'");
  const Principal unitless = Person("zhao", {Role::kOfficer}, "", {"45"}, CLASSIFICATION_SECRET);
  ExpectDenied(CanActForUnit(unitless, "", Below), "belongs to no unit");
  const Principal analyst =
      Person("zhang", {Role::kAnalyst}, "fusui-psb", {"45"}, CLASSIFICATION_SECRET);
  ExpectDenied(CanActForUnit(analyst, "fusui-psb", Below), "officer or supervisor");
}

TEST(PolicyTest, ApprovalIsForASupervisorOfAUnitAboveTheDeliverysOnly) {
  const Principal supervisor =
      Person("li", {Role::kSupervisor}, "chongzuo-ops", {"4514"}, CLASSIFICATION_SECRET);
  ExpectAllowed(CanApprove(supervisor, "fusui-psb", Below));
  ExpectAllowed(CanApprove(supervisor, "fusui-xinning-station", Below));
  // Not its own unit's feedback, nor a unit elsewhere.
  ExpectDenied(CanApprove(supervisor, "chongzuo-ops", Below), "only on the units below");
  ExpectDenied(CanApprove(supervisor, "guangxi-ops", Below), "not on unit 'guangxi-ops'");
  ExpectDenied(CanApprove(supervisor, "nanning-ops", Below), "not on unit 'nanning-ops'");
  // The unit's own officers gave the feedback: they do not decide on it.
  const Principal officer =
      Person("wang", {Role::kOfficer}, "fusui-psb", {"451421"}, CLASSIFICATION_INTERNAL);
  ExpectDenied(CanApprove(officer, "fusui-psb", Below), "needs the supervisor role");
  const Principal officer_above =
      Person("zhou", {Role::kOfficer}, "chongzuo-ops", {"4514"}, CLASSIFICATION_SECRET);
  ExpectDenied(CanApprove(officer_above, "fusui-psb", Below), "needs the supervisor role");
  const Principal unitless = Person("zhao", {Role::kSupervisor}, "", {"45"}, CLASSIFICATION_SECRET);
  ExpectDenied(CanApprove(unitless, "fusui-psb", Below), "belongs to no unit");
}

TEST(PolicyTest, SupervisionIsForSupervisorsWithinTheirJurisdictionsAndUnits) {
  const Principal supervisor =
      Person("li", {Role::kSupervisor}, "chongzuo-ops", {"4514"}, CLASSIFICATION_SECRET);
  const Principal analyst = Person("zhang", {Role::kAnalyst}, "", {"45"}, CLASSIFICATION_SECRET);
  ExpectAllowed(CanSupervise(supervisor));
  ExpectDenied(CanSupervise(analyst), "needs the supervisor role");
  ExpectDenied(CanSupervise(Source("fusui-lodging", {"451421"})), "needs the supervisor role");
  // A trace is also an analyst's (what of it they see is CanSee's), never an officer's.
  const Principal officer =
      Person("wang", {Role::kOfficer}, "fusui-psb", {"451421"}, CLASSIFICATION_SECRET);
  ExpectAllowed(CanTrace(supervisor));
  ExpectAllowed(CanTrace(analyst));
  ExpectDenied(CanTrace(officer), "needs the supervisor or the analyst role");
  ExpectDenied(CanTrace(Source("fusui-lodging", {"451421"})), "the analyst role");
  ExpectAllowed(CanReportOn(supervisor, "4514", "", Below));
  ExpectAllowed(CanReportOn(supervisor, "451421", "", Below));
  ExpectDenied(CanReportOn(supervisor, "45", "", Below), "no jurisdiction covering '45'");
  ExpectDenied(CanReportOn(supervisor, "4501", "", Below), "no jurisdiction covering '4501'");
  ExpectAllowed(CanReportOn(supervisor, "", "fusui-psb", Below));
  ExpectDenied(CanReportOn(supervisor, "", "guangxi-ops", Below), "and the units below it");
}

TEST(PolicyTest, AnyPersonListsUnitsButNoMachine) {
  ExpectAllowed(CanListUnits(Person("wang", {Role::kOfficer}, "fusui-psb", {}, {})));
  ExpectAllowed(CanListUnits(Person("zhang", {Role::kAnalyst}, "", {}, {})));
  ExpectDenied(CanListUnits(Source("fusui-lodging", {"451421"})), "person's role");
}

TEST(PolicyTest, AnItemIsSeenWithClearanceEveryCompartmentAndJurisdiction) {
  const Principal confidential =
      Person("zhang", {Role::kAnalyst}, "", {"4514"}, CLASSIFICATION_CONFIDENTIAL, {"narcotics"});
  Labels item{CLASSIFICATION_CONFIDENTIAL, {}, "451421"};
  ExpectAllowed(CanSee(confidential, item));
  item.classification = CLASSIFICATION_SECRET;
  ExpectDenied(CanSee(confidential, item), "clearance is below");
  item.classification = CLASSIFICATION_UNSPECIFIED;  // counts as INTERNAL
  ExpectAllowed(CanSee(confidential, item));
  item.compartments = {"narcotics"};
  ExpectAllowed(CanSee(confidential, item));
  item.compartments = {"narcotics", "border"};
  ExpectDenied(CanSee(confidential, item), "lacks a compartment");
  item.compartments = {};
  item.jurisdiction_code = "450102";
  ExpectDenied(CanSee(confidential, item), "outside the caller's jurisdiction");
  // A judgment spanning beyond the caller's prefix (the whole province) is not theirs.
  item.jurisdiction_code = "45";
  ExpectDenied(CanSee(confidential, item), "outside the caller's jurisdiction");
  item.jurisdiction_code = "";
  ExpectDenied(CanSee(confidential, item), "outside the caller's jurisdiction");
}

TEST(PolicyTest, ACallerWithoutClearanceSeesOnlyPublicItems) {
  const Principal uncleared =
      Person("zhao", {Role::kAnalyst}, "", {"45"}, CLASSIFICATION_UNSPECIFIED);
  ExpectAllowed(CanSee(uncleared, {CLASSIFICATION_PUBLIC, {}, "451421"}));
  ExpectDenied(CanSee(uncleared, {CLASSIFICATION_UNSPECIFIED, {}, "451421"}), "clearance");
  ExpectDenied(CanSee(uncleared, {CLASSIFICATION_INTERNAL, {}, "451421"}), "clearance");
}

TEST(PolicyTest, WhatReachedAUnitIsSeenWithClearanceAndCompartmentsWhateverItsJurisdiction) {
  const Principal officer =
      Person("wang", {Role::kOfficer}, "chongzuo-ops", {}, CLASSIFICATION_CONFIDENTIAL);
  ExpectAllowed(CanSeeDelivered(officer, {CLASSIFICATION_CONFIDENTIAL, {}, "451421"}));
  ExpectDenied(CanSeeDelivered(officer, {CLASSIFICATION_SECRET, {}, "451421"}), "clearance");
  ExpectDenied(CanSeeDelivered(officer, {CLASSIFICATION_INTERNAL, {"border"}, "451421"}),
               "compartment");
}

// A judgment's compartments (the union of its evidence's, set by the engine) are its labels' on
// every read path: an analyst or officer lacking one of them sees nothing of it.
TEST(PolicyTest, AJudgmentsCompartmentsAreInItsLabels) {
  infobus::common::v1::Judgment judgment;
  judgment.set_classification(CLASSIFICATION_CONFIDENTIAL);
  judgment.set_jurisdiction_code("451421");
  judgment.add_compartments("border");
  judgment.add_compartments("informant");
  const Labels labels = JudgmentLabels(judgment);
  EXPECT_EQ(labels.compartments, (std::set<std::string>{"border", "informant"}));
  const Principal border_only =
      Person("zhang", {Role::kAnalyst}, "fusui-psb", {"4514"}, CLASSIFICATION_SECRET, {"border"});
  ExpectDenied(CanSee(border_only, labels), "lacks a compartment");
  ExpectDenied(CanSeeDelivered(border_only, labels), "lacks a compartment");
  const Principal both = Person("li", {Role::kAnalyst}, "fusui-psb", {"4514"},
                                CLASSIFICATION_SECRET, {"border", "informant", "narcotics"});
  ExpectAllowed(CanSee(both, labels));
  ExpectAllowed(CanSeeDelivered(both, labels));
}

// Units (not callers) are cleared by the same rule, saying which part is short.
TEST(PolicyTest, ClearanceShortfallAppliesTheCallersRuleToAHolder) {
  const Labels internal{CLASSIFICATION_UNSPECIFIED, {}, "451421"};  // counts as INTERNAL
  EXPECT_EQ(ClearanceShortfall(CLASSIFICATION_INTERNAL, {}, internal), Shortfall::kNone);
  EXPECT_EQ(ClearanceShortfall(CLASSIFICATION_PUBLIC, {}, internal), Shortfall::kClearance);
  EXPECT_EQ(ClearanceShortfall(CLASSIFICATION_UNSPECIFIED, {}, internal), Shortfall::kClearance);
  const Labels secret_border{CLASSIFICATION_SECRET, {"border"}, "451421"};
  EXPECT_EQ(ClearanceShortfall(CLASSIFICATION_SECRET, {"border"}, secret_border), Shortfall::kNone);
  EXPECT_EQ(ClearanceShortfall(CLASSIFICATION_SECRET, {"informant"}, secret_border),
            Shortfall::kCompartment);
  EXPECT_EQ(ClearanceShortfall(CLASSIFICATION_CONFIDENTIAL, {}, secret_border),
            Shortfall::kClearance);  // classification first
}

TEST(PolicyTest, OnlyAnInsecureServersUnrestrictedCallerPassesEveryCheck) {
  Principal nobody;
  ExpectDenied(CanAdminister(nobody, AdminAction::kRules), "only an administrator");
  ExpectDenied(CanSee(nobody, {CLASSIFICATION_PUBLIC, {}, "451421"}), "jurisdiction");
  nobody.unrestricted = true;
  ExpectAllowed(CanAdminister(nobody, AdminAction::kRules));
  ExpectAllowed(CanPublish(nobody, "any", "451421", CLASSIFICATION_SECRET));
  ExpectAllowed(CanReadJudgments(nobody));
  ExpectAllowed(CanReview(nobody));
  ExpectAllowed(CanActForUnit(nobody, "fusui-psb", Below));
  ExpectAllowed(CanApprove(nobody, "fusui-psb", Below));
  ExpectAllowed(CanListUnits(nobody));
  ExpectAllowed(CanSee(nobody, {CLASSIFICATION_SECRET, {"x"}, ""}));
  ExpectAllowed(CanSeeDelivered(nobody, {CLASSIFICATION_SECRET, {"x"}, ""}));
}

TEST(PolicyTest, ADenialNamesWhatIsMissingButNotTheItem) {
  const Principal officer =
      Person("wang", {Role::kAnalyst}, "", {"451421"}, CLASSIFICATION_INTERNAL);
  const absl::Status status = CanSee(officer, {CLASSIFICATION_SECRET, {"informant-42"}, "451421"});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(std::string(status.message()).find("SECRET"), std::string::npos) << status;
  EXPECT_EQ(std::string(status.message()).find("informant-42"), std::string::npos) << status;
}

}  // namespace
}  // namespace infobus::security
