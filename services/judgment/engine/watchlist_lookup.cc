#include "services/judgment/engine/watchlist_lookup.h"

#include "common/domain/subject.h"

namespace infobus::judgment {

void InMemoryWatchlist::Add(const WatchlistEntry& entry) {
  std::vector<WatchlistEntry>& entries = entries_[domain::SubjectKey(entry.subject())];
  for (WatchlistEntry& existing : entries) {
    if (existing.list_id() == entry.list_id()) {
      existing = entry;
      return;
    }
  }
  entries.push_back(entry);
}

absl::StatusOr<std::vector<WatchlistEntry>> InMemoryWatchlist::Find(
    const infobus::common::v1::Subject& subject) const {
  return FindByKey(subject, domain::SubjectKey(subject));
}

absl::StatusOr<std::vector<WatchlistEntry>> InMemoryWatchlist::FindByKey(
    const infobus::common::v1::Subject& /*subject*/, std::string_view key) const {
  auto it = entries_.find(absl::string_view(key.data(), key.size()));
  if (it == entries_.end()) return std::vector<WatchlistEntry>();
  return it->second;
}

}  // namespace infobus::judgment
