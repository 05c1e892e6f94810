#pragma once

// One event's evidence, shared by every rule and state it feeds (the bottom of the engine's
// layers: rule kinds -> state -> evidence).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "infobus/common/v1/event.pb.h"
#include "infobus/common/v1/judgment.pb.h"

namespace infobus::judgment::engine {

// The event's jurisdiction: its location's code, else its county code.
const std::string& JurisdictionOf(const infobus::common::v1::Event& event);

class EvidenceRef;

// One event's evidence as the engine keeps it: the serialised infobus.common.v1.Evidence, written
// once per event (wire_codec.h) and copied as is into every state record that holds it, with
// views into it of the fields the rules compare. The Evidence message is only built again for a
// judgment (ToProto). The bytes follow this header in one allocation; EvidenceRef counts the
// references and frees it with the last. Not thread-safe: the count is not atomic, and every
// reference belongs to the engine's one thread.
class SharedEvidence {
 public:
  SharedEvidence(const SharedEvidence&) = delete;
  SharedEvidence& operator=(const SharedEvidence&) = delete;

  // A new evidence of `size` bytes (uninitialised) and empty views, for its writer to fill.
  static EvidenceRef Allocate(size_t size);

  // Views into bytes(): the last occurrence of each field, as the parser takes it (empty when
  // absent). Set by the writer.
  std::string_view event_id, source_id, kind, county_code, jurisdiction_code;
  // Scratch of the pattern record writer (wire_codec.cc), so it lists each event once per record
  // without a map: the record it last put this in, and its index there.
  uint64_t serial = 0;
  uint32_t index = 0;

  std::string_view bytes() const { return {data(), size_}; }
  const char* data() const { return reinterpret_cast<const char*>(this + 1); }
  char* mutable_data() { return reinterpret_cast<char*>(this + 1); }
  uint32_t size() const { return size_; }
  // StableHash64(source_id, event_id), computed on first use.
  uint64_t Identity();
  // The Evidence message, by the generated parser (with any fields this build does not know).
  // False if the bytes do not parse, which the writers rule out.
  bool ToProto(infobus::common::v1::Evidence* out) const;

 private:
  friend class EvidenceRef;
  SharedEvidence() = default;
  ~SharedEvidence() = default;
  static void Delete(SharedEvidence* evidence);

  int64_t refs_ = 0;
  uint32_t size_ = 0;
  bool has_identity_ = false;
  uint64_t identity_ = 0;
};

// A counted reference to a SharedEvidence (intrusive: the count is in the evidence). Empty when
// default-constructed or moved from.
class EvidenceRef {
 public:
  EvidenceRef() = default;
  EvidenceRef(const EvidenceRef& other) : evidence_(other.evidence_) { Acquire(); }
  EvidenceRef(EvidenceRef&& other) noexcept : evidence_(other.evidence_) {
    other.evidence_ = nullptr;
  }
  EvidenceRef& operator=(const EvidenceRef& other) {
    if (this != &other) {
      Release();
      evidence_ = other.evidence_;
      Acquire();
    }
    return *this;
  }
  EvidenceRef& operator=(EvidenceRef&& other) noexcept {
    if (this != &other) {
      Release();
      evidence_ = other.evidence_;
      other.evidence_ = nullptr;
    }
    return *this;
  }
  ~EvidenceRef() { Release(); }

  SharedEvidence* get() const { return evidence_; }
  SharedEvidence* operator->() const { return evidence_; }
  explicit operator bool() const { return evidence_ != nullptr; }

 private:
  friend class SharedEvidence;
  // Takes the first reference to a new evidence.
  explicit EvidenceRef(SharedEvidence* evidence) : evidence_(evidence) { Acquire(); }
  void Acquire() {
    if (evidence_ != nullptr) ++evidence_->refs_;
  }
  void Release() {
    if (evidence_ != nullptr && --evidence_->refs_ == 0) SharedEvidence::Delete(evidence_);
  }
  SharedEvidence* evidence_ = nullptr;
};

}  // namespace infobus::judgment::engine
