#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "infobus/common/v1/event.pb.h"
#include "infobus/judgment/v1/judgment_service.pb.h"

namespace infobus::bench {

// The benchmark's synthetic traffic: typical lodging/checkpoint events whose primary subject is
// a mobile number. One event in `hit_every` (1%) carries a watchlisted number and happens in
// Fusui county (451421), so judgment emits one judgment for it and dispatch delivers it to unit
// fusui-psb; the others spread over three counties and never match. Every event comes from one
// source system, kSourceId, registered for those three counties (SourceRegistryYaml): collection
// refuses a whole call when any of its events is not the caller's own, so a client connection
// (one certificate) can only carry one source's events. The last `tail_hits` events
// of a phase are hits too, so that the phase's last delivery cannot arrive before every
// partition has been worked through (the watched numbers hash to all partitions).
//
// Event ids are "<run_id>.<phase>.<seq>": a delivery's evidence names the event, which lets the
// benchmark join it to the event's intended send time. Immutable after construction;
// thread-safe.
class Workload {
 public:
  static constexpr int kWatchedNumbers = 64;
  static constexpr char kHitCounty[] = "451421";
  static constexpr char kHitUnit[] = "fusui-psb";
  static constexpr char kWatchList[] = "bench_person_of_interest";
  static constexpr char kSourceId[] = "bench-lodging";

  // The registration kSourceId needs (security.sources_file, common/security/machine_identity.h):
  // the counties the events happen in, clearance of their classification.
  static std::string SourceRegistryYaml();

  explicit Workload(std::string run_id, int64_t hit_every = 100, int64_t tail_hits = 20)
      : run_id_(std::move(run_id)), hit_every_(hit_every), tail_hits_(tail_hits) {}

  // Whether event `seq` of a phase of `total` events hits the watchlist.
  bool IsHit(int64_t seq, int64_t total) const {
    return seq % hit_every_ == 0 || seq >= total - tail_hits_;
  }
  int64_t HitsIn(int64_t total) const;

  // Event `seq` of `phase` (a short tag such as "ingest"), as a source system would publish it.
  infobus::common::v1::Event MakeEvent(const std::string& phase, int64_t seq, bool hit) const;

  // A typical event as collection produces it to Kafka (normalised, stamped with ingested_at
  // and trace_id), serialized: the raw-Kafka baseline sends messages of exactly this size.
  std::string TypicalKafkaValue() const;
  std::string TypicalKafkaKey() const { return "PHONE:13912345678"; }

  std::vector<infobus::judgment::v1::WatchlistEntry> WatchlistEntries() const;

  // Splits an event id of this run into phase and seq; false for anything else.
  bool ParseEventId(const std::string& event_id, std::string* phase, int64_t* seq) const;

  const std::string& run_id() const { return run_id_; }

 private:
  static std::string WatchedNumber(int64_t i);

  std::string run_id_;
  int64_t hit_every_;
  int64_t tail_hits_;
};

}  // namespace infobus::bench
