#include "services/judgment/engine/evidence.h"

#include <new>

#include "common/util/ids.h"

namespace infobus::judgment::engine {

using infobus::common::v1::Event;
using infobus::common::v1::Evidence;

const std::string& JurisdictionOf(const Event& event) {
  return event.location().jurisdiction_code().empty() ? event.county_code()
                                                      : event.location().jurisdiction_code();
}

EvidenceRef SharedEvidence::Allocate(size_t size) {
  static_assert(sizeof(SharedEvidence) % alignof(SharedEvidence) == 0);
  void* memory = ::operator new(sizeof(SharedEvidence) + size);
  auto* evidence = new (memory) SharedEvidence;
  evidence->size_ = static_cast<uint32_t>(size);
  return EvidenceRef(evidence);
}

void SharedEvidence::Delete(SharedEvidence* evidence) {
  evidence->~SharedEvidence();
  ::operator delete(evidence);
}

uint64_t SharedEvidence::Identity() {
  if (!has_identity_) {
    identity_ = StableHash64({source_id, event_id});
    has_identity_ = true;
  }
  return identity_;
}

bool SharedEvidence::ToProto(Evidence* out) const {
  return out->ParseFromArray(data(), static_cast<int>(size_));
}

}  // namespace infobus::judgment::engine
