#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/store/store.h"
#include "common/stream/consumer_loop.h"
#include "common/util/clock.h"
#include "services/judgment/engine/engine.h"
#include "services/judgment/judgment_log.h"
#include "services/judgment/request_mailbox.h"
#include "services/judgment/rules_controller.h"
#include "services/judgment/rules_source.h"
#include "services/judgment/state_changelog.h"

namespace infobus::judgment {

// Consumes events and hotspot sightings and drives the engine. Each decodable event is judged;
// its hotspot sightings are produced to the sightings topic (keyed by rule and group key) and
// counted when they come back from it, in the scope of their sightings partition, so a group
// key is counted whole by one instance however many share the events. New judgments are staged
// in the judgment log and produced to the judgments topic (keyed by jurisdiction, headers
// trace-id/source-id/schema); the engine's state changes go into the same WriteBatch as the
// consumed offsets (family judgment_state), so after a crash state and offsets agree. A record
// that is not an Event (or a HotspotSighting) goes to the dead-letter topic.
//
// On every tick it also checks the rules file (at most every `rules_check_interval`) and
// applies queued requests from other threads (rule reloads, reviews, the judgments feed's
// pages); a request completes once the batch that carries it is committed. After an aborted batch
// the engine's state is reloaded from the store and the rules in force at the last commit are put
// back.
//
// With a StateChangelog, every state change also goes to the changelog topic, and partitions
// assigned to this instance get their state from it when it is further on than the store.
//
// Start() before the loop starts; the RecordHandler methods run on the loop thread; Reload()
// and Review() on any thread.
class EventHandler final : public stream::RecordHandler, private stream::Participant {
 public:
  static constexpr char kStateFamily[] = "judgment_state";

  EventHandler(Store* store, Engine* engine, JudgmentLog* log, RulesSource* rules,
               std::string judgments_topic, std::string sightings_topic, StateChangelog* changelog,
               absl::Duration rules_check_interval, ClockPtr clock);

  // Loads the rules (a bad file is an error) and restores the engine's state.
  absl::Status Start();

  // Requests from other threads are queued for the loop, which applies them in its next batch.
  // `done` runs exactly once, on the loop thread, when that batch has committed (OK), or the
  // request failed or was refused, or the handler is destroyed (UNAVAILABLE); it must be quick:
  // hand the result on (finish a gRPC reactor), never wait. The caller does not wait: a gRPC
  // thread that asks returns at once and its reply goes out from here.
  using ReloadDone = std::function<void(absl::StatusOr<Engine::ReloadSummary>)>;
  using ReviewDone = std::function<void(absl::StatusOr<JudgmentRecord>)>;
  // Re-reads the rules file and applies it.
  void Reload(ReloadDone done);
  // Records `review` (stamped with the clock's now) on the judgment and emits it again.
  void Review(const std::string& judgment_id, const infobus::common::v1::Review& review,
              ReviewDone done);
  int64_t rules_version() const;
  // A record read from the judgments topic that is not a valid Judgment, and why.
  using Rejected = JudgmentRequest::Rejected;
  // Appends to the log the `judgments` (read from the judgments topic) it does not have, or
  // whose review is new, dead-letters the `rejected` records (with this loop's consumer group
  // as the consumer), and puts `offsets` into `offsets_family`, in one batch; waits up to
  // `timeout` for it to commit. Blocks: for JudgmentsFeed's reader thread, which has nothing
  // else to do until its page is applied (never call it from a gRPC callback).
  absl::Status Absorb(std::vector<infobus::common::v1::Judgment> judgments,
                      std::vector<Rejected> rejected, std::string offsets_family,
                      std::vector<std::pair<std::string, std::string>> offsets,
                      absl::Duration timeout);

  // stream::RecordHandler
  void HandleBatch(const std::vector<kafka::Record>& records,
                   stream::Transaction& context) override;
  void OnTick(stream::Transaction& context) override;
  void OnAssigned(const std::vector<std::pair<std::string, int32_t>>& assigned,
                  const std::set<std::pair<std::string, int32_t>>& kept) override;
  void OnRevoked(const std::vector<std::pair<std::string, int32_t>>& revoked) override;

 private:
  // stream::Participant: what each turn staged becomes visible, or is dropped.
  void Committed() override;
  void Aborted() override;

  absl::Status RestoreState();
  // Stages an Absorb request's judgments and offsets; on failure part may be staged.
  absl::Status ApplyAbsorb(const JudgmentRequest& request, stream::Transaction& context);
  // Enlists the turn's participants, in the order they must settle.
  void EnlistIn(stream::Transaction& context);
  void Emit(const infobus::common::v1::Judgment& judgment, stream::Transaction& context);
  // Decodes and judges one record of the events topic; false when the batch failed.
  bool HandleEvent(const kafka::Record& record, stream::Transaction& context);
  // Decodes and counts one record of the sightings topic; false when the batch failed.
  bool HandleSighting(const kafka::Record& record, stream::Transaction& context);
  // Stages and emits the judgments that are new; false when the batch failed.
  bool StageNew(const std::vector<infobus::common::v1::Judgment>& judgments,
                stream::Transaction& context);

  Store* const store_;
  Engine* const engine_;
  JudgmentLog* const log_;
  const std::string judgments_topic_;
  const std::string sightings_topic_;
  StateChangelog* const changelog_;  // nullptr: no changelog
  const ClockPtr clock_;

  // Loop thread only.
  bool needs_restore_ = false;
  // Not OK once a restore was cancelled because the service stops: every batch fails from then.
  absl::Status restore_cancelled_;
  // Rule ids of the new judgments in the batch being staged, counted once it commits.
  std::vector<std::string> staged_rule_ids_;
  std::vector<HotspotSighting> sightings_;  // HandleEvent scratch
  // The scopes (input partitions) this instance owns, and the next offset of each read in the
  // batch being staged (for the changelog's marks).
  std::set<std::string> owned_scopes_;
  // Revoked and not (yet) assigned back: dropped at the next assignment (changelog on).
  std::set<std::string> released_scopes_;
  std::map<std::string, int64_t> batch_next_offsets_;

  // The rules file and the rules in force.
  RulesController rules_;
  // Requests from other threads (reloads, reviews, the judgments feed's pages), answered when
  // the turn that staged them settles. Declared last, so it is destroyed first: what is left is
  // answered while the rest of the handler (rules_version(), for one) still exists.
  RequestMailbox mailbox_;
};

}  // namespace infobus::judgment
