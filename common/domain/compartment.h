#pragma once

#include <cstddef>
#include <string_view>

namespace infobus::domain {

// A need-to-know compartment name, as events carry them and the routing file grants them to
// units: 1-32 of [a-z0-9_-]. Names, not free text, so "Border" never silently fails to match
// "border". At most kMaxCompartments on one event.
inline constexpr size_t kMaxCompartmentLength = 32;
inline constexpr size_t kMaxCompartments = 8;

bool IsValidCompartment(std::string_view name);

}  // namespace infobus::domain
