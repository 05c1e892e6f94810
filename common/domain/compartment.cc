#include "common/domain/compartment.h"

namespace infobus::domain {

bool IsValidCompartment(std::string_view name) {
  if (name.empty() || name.size() > kMaxCompartmentLength) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace infobus::domain
