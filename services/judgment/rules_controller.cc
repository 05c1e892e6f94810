#include "services/judgment/rules_controller.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/log/log.h"

namespace infobus::judgment {
namespace {

std::string Describe(const Engine::ReloadSummary& summary) {
  return absl::StrCat("added [", absl::StrJoin(summary.added, ", "), "], changed [",
                      absl::StrJoin(summary.changed, ", "), "], removed [",
                      absl::StrJoin(summary.removed, ", "), "], kept ", summary.kept.size());
}

}  // namespace

absl::Status RulesController::Load() {
  auto loaded = source_->Read();
  if (!loaded.ok()) return loaded.status();
  committed_rules_ = loaded->rules;
  committed_stamp_ = loaded->stamp;
  on_apply_(loaded->rules);
  engine_->SetRules(loaded->rules);
  {
    absl::MutexLock lock(&mutex_);
    version_ = loaded->rules.version;
  }
  INFOBUS_LOG(Info) << "rules "
                    << (source_->path().empty() ? std::string("(built in)") : source_->path())
                    << " version " << loaded->rules.version << ": " << loaded->rules.rules.size()
                    << " rules";
  return absl::OkStatus();
}

void RulesController::CheckFile(absl::Time now) {
  if (source_->path().empty() || now < next_check_) return;
  next_check_ = now + check_interval_;
  const RulesSource::Stamp stamp = source_->Current();
  const RulesSource::Stamp& applied = staged_ ? staged_stamp_ : committed_stamp_;
  if (stamp == applied || stamp == refused_stamp_) return;
  auto loaded = source_->Read();
  if (!loaded.ok()) {
    refused_stamp_ = stamp;
    INFOBUS_LOG(Error) << "rules file changed but is refused, the rules in force stay: "
                       << loaded.status();
    return;
  }
  Apply(std::move(*loaded));
}

absl::StatusOr<Engine::ReloadSummary> RulesController::Reload() {
  auto loaded = source_->Read();
  if (!loaded.ok()) return loaded.status();
  return Apply(std::move(*loaded));
}

Engine::ReloadSummary RulesController::Apply(RulesSource::Loaded loaded) {
  const int64_t version = loaded.rules.version;
  on_apply_(loaded.rules);
  Engine::ReloadSummary applied = engine_->SetRules(std::move(loaded.rules));
  staged_stamp_ = loaded.stamp;
  staged_ = true;
  INFOBUS_LOG(Info) << "rules version " << version << " applied: " << Describe(applied);
  return applied;
}

int64_t RulesController::version() const {
  absl::MutexLock lock(&mutex_);
  return version_;
}

void RulesController::Committed() {
  if (!staged_) return;
  committed_rules_ = engine_->rules();
  committed_stamp_ = staged_stamp_;
  staged_ = false;
  absl::MutexLock lock(&mutex_);
  version_ = committed_rules_.version;
}

void RulesController::Aborted() {
  engine_->SetRules(committed_rules_);
  staged_ = false;
  next_check_ = absl::InfinitePast();  // the file is looked at again on the next tick
}

}  // namespace infobus::judgment
