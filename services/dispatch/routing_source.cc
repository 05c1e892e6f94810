#include "services/dispatch/routing_source.h"

#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/log/log.h"

namespace infobus::dispatch {
namespace {

// Units without a clearance get only PUBLIC judgments (everything else goes up their chain, or
// nowhere): loud, since a routing file written before clearances existed means that.
void WarnAboutUnclearedUnits(const std::string& path, const RoutingTable& table) {
  const std::vector<std::string> uncleared = table.UnitsWithoutClearance();
  if (uncleared.empty()) return;
  INFOBUS_LOG(Warning) << "routing file " << path << ": " << uncleared.size()
                       << " units have no clearance and are given only PUBLIC judgments: "
                       << absl::StrJoin(uncleared, ", ");
}

}  // namespace

absl::StatusOr<std::unique_ptr<RoutingSource>> RoutingSource::Open(const std::string& path) {
  const FileStamp stamp = StampOf(path);
  auto table = RoutingTable::FromFile(path);
  if (!table.ok()) return table.status();
  WarnAboutUnclearedUnits(path, *table);
  auto source =
      std::make_unique<RoutingSource>(std::make_shared<const RoutingTable>(std::move(*table)));
  source->path_ = path;
  absl::MutexLock lock(&source->reload_mutex_);
  source->stamp_ = stamp;
  return source;
}

RoutingTablePtr RoutingSource::Current() const {
  absl::MutexLock lock(&mutex_);
  return table_;
}

absl::StatusOr<RoutingSource::ReloadResult> RoutingSource::Reload() {
  if (path_.empty()) return absl::FailedPreconditionError("routing is not read from a file");
  absl::MutexLock reload(&reload_mutex_);
  const FileStamp stamp = StampOf(path_);
  auto table = RoutingTable::FromFile(path_);
  const bool changed = !(stamp == stamp_);
  stamp_ = stamp;  // a refused file is not retried until it changes again
  if (!table.ok()) return table.status();
  ReloadResult result;
  result.changed = changed;
  result.table = std::make_shared<const RoutingTable>(std::move(*table));
  {
    absl::MutexLock lock(&mutex_);
    table_ = result.table;
  }
  INFOBUS_LOG(Info) << "routing reloaded from " << path_ << ": "
                    << result.table->units().units().size() << " units, "
                    << result.table->routes().size() << " routes";
  WarnAboutUnclearedUnits(path_, *result.table);
  return result;
}

void RoutingSource::ReloadIfChanged(absl::Duration interval) {
  if (path_.empty()) return;
  {
    absl::MutexLock reload(&reload_mutex_);
    const absl::Time now = absl::Now();
    if (now - last_look_ < interval) return;
    last_look_ = now;
    if (StampOf(path_) == stamp_) return;
  }
  auto result = Reload();
  if (!result.ok()) {
    INFOBUS_LOG(Error) << "routing file refused, the previous routing stays in force: "
                       << result.status();
  }
}

}  // namespace infobus::dispatch
