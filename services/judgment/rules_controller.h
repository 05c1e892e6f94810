#pragma once

#include <functional>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/stream/participant.h"
#include "services/judgment/engine/engine.h"
#include "services/judgment/rules_source.h"

namespace infobus::judgment {

// Which rules are in force, and when they change: on start-up, when the rules file changes
// (checked at most every `check_interval`) and on a reload request. A new rule set is put in
// the engine at once (the turn's events are judged by it) but is only *in force* — version(),
// and what an aborted turn falls back to — once the turn that applied it commits; it is a
// participant of that turn's transaction. A file that fails to parse is refused and reported
// once per change; the rules in force stay.
//
// Threads: version() from any thread; the rest on the consumer loop's.
class RulesController final : public stream::Participant {
 public:
  // Called with each rule set applied, before the engine has it (e.g. to export its per-rule
  // series at 0).
  using OnApply = std::function<void(const RuleSet&)>;

  RulesController(RulesSource* source, Engine* engine, absl::Duration check_interval,
                  OnApply on_apply)
      : source_(source),
        engine_(engine),
        check_interval_(check_interval),
        on_apply_(std::move(on_apply)) {}

  // Start-up: reads the rules (a bad file is an error) and puts them in force at once.
  absl::Status Load();
  // Loop thread, every tick: applies the file if it changed since the rules last applied.
  void CheckFile(absl::Time now);
  // Loop thread: reads and applies the file now (a reload request); its error when refused.
  absl::StatusOr<Engine::ReloadSummary> Reload();

  // The version of the rules in force (committed).
  int64_t version() const;

  // stream::Participant: what was applied is in force, or the engine gets back the rules that
  // were.
  void Committed() override;
  void Aborted() override;

 private:
  Engine::ReloadSummary Apply(RulesSource::Loaded loaded);

  RulesSource* const source_;
  Engine* const engine_;
  const absl::Duration check_interval_;
  const OnApply on_apply_;

  // Loop thread only.
  RuleSet committed_rules_;
  RulesSource::Stamp committed_stamp_;
  RulesSource::Stamp staged_stamp_;
  bool staged_ = false;
  RulesSource::Stamp refused_stamp_;  // a bad file is reported once per change
  absl::Time next_check_ = absl::InfinitePast();

  mutable absl::Mutex mutex_;
  int64_t version_ ABSL_GUARDED_BY(mutex_) = 0;
};

}  // namespace infobus::judgment
