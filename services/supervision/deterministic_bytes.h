#pragma once

#include <string>

#include "google/protobuf/message.h"

namespace infobus::supervision {

// `message` serialised with its maps in sorted order, so that equal records have equal bytes: a
// repeat is recognised as one, and the same facts in another order leave the same store.
std::string DeterministicBytes(const google::protobuf::Message& message);

}  // namespace infobus::supervision
