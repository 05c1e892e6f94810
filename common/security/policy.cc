#include "common/security/policy.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/domain/jurisdiction.h"

namespace infobus::security {
namespace {

using infobus::common::v1::Classification;

// "officer fusui-officer-7": enough to say who was refused, nothing of the item.
std::string Who(const Principal& caller) {
  if (caller.Has(Role::kSource)) return absl::StrCat("source ", caller.id);
  if (caller.Has(Role::kService)) return absl::StrCat("service ", caller.id);
  return absl::StrCat("caller ", caller.id);
}

absl::Status Denied(const Principal& caller, std::string_view what) {
  return absl::PermissionDeniedError(absl::StrCat(Who(caller), ": ", std::string(what)));
}

bool HasAnyRole(const Principal& caller, std::initializer_list<Role> roles) {
  return std::any_of(roles.begin(), roles.end(), [&](Role role) { return caller.Has(role); });
}

int ItemLevel(Classification classification) {
  return classification == infobus::common::v1::CLASSIFICATION_UNSPECIFIED
             ? infobus::common::v1::CLASSIFICATION_INTERNAL
             : classification;
}
int CallerLevel(Classification clearance) {
  return clearance == infobus::common::v1::CLASSIFICATION_UNSPECIFIED
             ? infobus::common::v1::CLASSIFICATION_PUBLIC
             : clearance;
}

bool InJurisdiction(const Principal& caller, std::string_view code) {
  return std::any_of(
      caller.jurisdictions.begin(), caller.jurisdictions.end(),
      [&](const std::string& prefix) { return domain::JurisdictionCovers(prefix, code); });
}

absl::Status ClearedFor(const Principal& caller, const Labels& labels) {
  switch (ClearanceShortfall(caller.clearance, caller.compartments, labels)) {
    case Shortfall::kNone:
      return absl::OkStatus();
    case Shortfall::kClearance:
      return Denied(caller, "clearance is below the item's classification");
    case Shortfall::kCompartment:
      return Denied(caller, "lacks a compartment the item is in");
  }
  return Denied(caller, "is not cleared for the item");
}

}  // namespace

Shortfall ClearanceShortfall(Classification clearance, const std::set<std::string>& compartments,
                             const Labels& labels) {
  if (CallerLevel(clearance) < ItemLevel(labels.classification)) return Shortfall::kClearance;
  for (const std::string& compartment : labels.compartments) {
    if (compartments.count(compartment) == 0) return Shortfall::kCompartment;
  }
  return Shortfall::kNone;
}

absl::Status CanPublish(const Principal& caller, std::string_view source_id,
                        std::string_view county_code, Classification classification) {
  if (caller.unrestricted) return absl::OkStatus();
  if (!caller.Has(Role::kSource)) return Denied(caller, "only a source system may publish");
  if (caller.id != source_id) {
    return Denied(caller, absl::StrCat("may publish only as itself, not as source '",
                                       std::string(source_id), "'"));
  }
  if (!InJurisdiction(caller, county_code)) {
    return Denied(caller, absl::StrCat("is not registered for county ", std::string(county_code)));
  }
  if (CallerLevel(caller.clearance) < ItemLevel(classification)) {
    return Denied(caller, "may not publish above its registered clearance");
  }
  return absl::OkStatus();
}

absl::Status CanAdminister(const Principal& caller, AdminAction action) {
  if (caller.unrestricted) return absl::OkStatus();
  if (caller.Has(Role::kAdministrator)) return absl::OkStatus();
  switch (action) {
    case AdminAction::kWatchlist:
      return Denied(caller, "only an administrator may change the watchlist");
    case AdminAction::kRules:
      return Denied(caller, "only an administrator may reload rules");
    case AdminAction::kRouting:
      return Denied(caller, "only an administrator may reload routing");
  }
  return Denied(caller, "only an administrator may do this");
}

absl::Status CanReadJudgments(const Principal& caller) {
  if (caller.unrestricted) return absl::OkStatus();
  if (HasAnyRole(caller, {Role::kAnalyst, Role::kSupervisor})) return absl::OkStatus();
  return Denied(caller, "reading judgments needs the analyst or supervisor role");
}

absl::Status CanReview(const Principal& caller) {
  if (caller.unrestricted) return absl::OkStatus();
  if (caller.Has(Role::kAnalyst)) return absl::OkStatus();
  return Denied(caller, "reviewing a judgment needs the analyst role");
}

absl::Status CanActForUnit(const Principal& caller, std::string_view unit_id,
                           const UnitBelow& below) {
  if (caller.unrestricted) return absl::OkStatus();
  if (!HasAnyRole(caller, {Role::kOfficer, Role::kSupervisor})) {
    return Denied(caller, "a unit's inbox needs the officer or supervisor role");
  }
  if (caller.unit_id.empty()) return Denied(caller, "belongs to no unit");
  if (unit_id == caller.unit_id) return absl::OkStatus();
  if (caller.Has(Role::kSupervisor) && below && below(unit_id, caller.unit_id)) {
    return absl::OkStatus();
  }
  return Denied(caller, absl::StrCat("may act only for unit ", caller.unit_id,
                                     caller.Has(Role::kSupervisor) ? " and the units below it" : "",
                                     ", not for unit '", std::string(unit_id), "'"));
}

absl::Status CanApprove(const Principal& caller, std::string_view unit_id, const UnitBelow& below) {
  if (caller.unrestricted) return absl::OkStatus();
  if (!caller.Has(Role::kSupervisor)) {
    return Denied(caller, "approving or sending back feedback needs the supervisor role");
  }
  if (caller.unit_id.empty()) return Denied(caller, "belongs to no unit");
  if (unit_id != caller.unit_id && below && below(unit_id, caller.unit_id)) {
    return absl::OkStatus();
  }
  return Denied(caller, absl::StrCat("may decide only on the units below ", caller.unit_id,
                                     ", not on unit '", std::string(unit_id), "'"));
}

absl::Status CanSupervise(const Principal& caller) {
  if (caller.unrestricted) return absl::OkStatus();
  if (caller.Has(Role::kSupervisor)) return absl::OkStatus();
  return Denied(caller, "a report needs the supervisor role");
}

absl::Status CanTrace(const Principal& caller) {
  if (caller.unrestricted) return absl::OkStatus();
  if (HasAnyRole(caller, {Role::kSupervisor, Role::kAnalyst})) return absl::OkStatus();
  return Denied(caller, "a trace needs the supervisor or the analyst role");
}

absl::Status CanReportOn(const Principal& caller, std::string_view jurisdiction_prefix,
                         std::string_view unit_id, const UnitBelow& below) {
  if (caller.unrestricted) return absl::OkStatus();
  if (!unit_id.empty()) return CanActForUnit(caller, unit_id, below);
  for (const std::string& held : caller.jurisdictions) {
    if (jurisdiction_prefix.substr(0, held.size()) == held) return absl::OkStatus();
  }
  return Denied(caller, absl::StrCat("holds no jurisdiction covering '",
                                     std::string(jurisdiction_prefix), "'"));
}

absl::Status CanListUnits(const Principal& caller) {
  if (caller.unrestricted) return absl::OkStatus();
  if (HasAnyRole(caller,
                 {Role::kAnalyst, Role::kOfficer, Role::kSupervisor, Role::kAdministrator})) {
    return absl::OkStatus();
  }
  return Denied(caller, "listing units needs a person's role");
}

absl::Status CanSee(const Principal& caller, const Labels& labels) {
  if (caller.unrestricted) return absl::OkStatus();
  if (absl::Status cleared = ClearedFor(caller, labels); !cleared.ok()) return cleared;
  if (!InJurisdiction(caller, labels.jurisdiction_code)) {
    return Denied(caller, "the item is outside the caller's jurisdiction");
  }
  return absl::OkStatus();
}

absl::Status CanSeeDelivered(const Principal& caller, const Labels& labels) {
  if (caller.unrestricted) return absl::OkStatus();
  return ClearedFor(caller, labels);
}

}  // namespace infobus::security
