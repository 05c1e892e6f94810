#pragma once

// One event's evidence, shared by every rule and state it feeds (the bottom of the engine's
// layers: rule kinds -> state -> evidence).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "google/protobuf/arena.h"
#include "infobus/common/v1/event.pb.h"
#include "infobus/common/v1/judgment.pb.h"

namespace infobus::judgment::engine {

// The event's jurisdiction: its location's code, else its county code.
const std::string& JurisdictionOf(const infobus::common::v1::Event& event);

// One event's evidence as the engine keeps it: the serialised infobus.common.v1.Evidence, written
// once per event by the generated serialiser and copied as is into every state record that holds
// it, with views into it of the fields the rules compare. The Evidence message is only built
// again for a judgment (ToProto). The bytes follow this header in one allocation; EvidenceRef
// counts the references and frees it with the last. Not thread-safe: the count is not atomic,
// and every reference belongs to the engine's one thread.
class SharedEvidence {
 public:
  SharedEvidence(const SharedEvidence&) = delete;
  SharedEvidence& operator=(const SharedEvidence&) = delete;

  // Views into bytes(): the last occurrence of each field, as the parser takes it (empty when
  // absent).
  std::string_view event_id, source_id, kind, county_code, jurisdiction_code;
  // Scratch of the pattern record writer (state_records.cc), so it lists each event once per
  // record without a map: the record it last put this in, and its index there.
  uint64_t serial = 0;
  uint32_t index = 0;

  std::string_view bytes() const { return {data(), size_}; }
  const char* data() const { return reinterpret_cast<const char*>(this + 1); }
  uint32_t size() const { return size_; }
  // StableHash64(source_id, event_id), computed on first use.
  uint64_t Identity();
  // The Evidence message (with any fields this build does not know). False if the bytes do not
  // parse, which cannot happen for evidence made by EvidenceFactory.
  bool ToProto(infobus::common::v1::Evidence* out) const;

 private:
  friend class EvidenceRef;
  friend class EvidenceFactory;
  SharedEvidence() = default;
  ~SharedEvidence() = default;
  // With room for `size` bytes after the header.
  static SharedEvidence* New(size_t size);
  static void Delete(SharedEvidence* evidence);
  char* mutable_data() { return reinterpret_cast<char*>(this + 1); }
  // Points the views at their fields in bytes() (which parse).
  void PointViews();

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
  friend class EvidenceFactory;
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

// Makes evidence, from an event or from stored bytes. The Evidence message it writes with lives on
// its own arena and is reused from event to event, so steady state allocates only the evidence
// itself. Not thread-safe: one per engine.
class EvidenceFactory {
 public:
  EvidenceFactory();
  EvidenceFactory(const EvidenceFactory&) = delete;
  EvidenceFactory& operator=(const EvidenceFactory&) = delete;

  // The evidence of `event`: event_id, source_id, trace_id, kind, county_code, occurred_at (always
  // set), classification, JurisdictionOf(event), ingested_at (when the event has it) and the
  // compartments (a judgment made from stored evidence takes its labels from there).
  EvidenceRef FromEvent(const infobus::common::v1::Event& event);
  // Evidence from stored bytes (a state record's, a sighting's); empty when they do not parse.
  EvidenceRef FromBytes(std::string_view bytes);

 private:
  google::protobuf::Arena arena_;
  infobus::common::v1::Evidence* message_;        // on arena_: the writer
  google::protobuf::Timestamp* empty_timestamp_;  // on arena_: occurred_at of an event without one
  // The parse that checks stored bytes: off the arena, where every parse would leave its
  // timestamps behind.
  infobus::common::v1::Evidence parsed_;
};

}  // namespace infobus::judgment::engine
