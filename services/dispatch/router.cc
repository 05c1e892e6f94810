#include "services/dispatch/router.h"

#include "common/domain/jurisdiction.h"

namespace infobus::dispatch {

std::vector<std::string> Router::Route(const infobus::common::v1::Judgment& judgment) const {
  std::vector<std::string> targets;
  const std::string& code = judgment.jurisdiction_code();
  for (const Unit& unit : units_->units()) {
    for (const std::string& prefix : unit.jurisdictions) {
      if (domain::JurisdictionCovers(prefix, code)) {
        targets.push_back(unit.id);
        break;
      }
    }
  }
  return targets;
}

}  // namespace infobus::dispatch
