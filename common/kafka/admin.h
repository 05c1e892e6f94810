#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace infobus::kafka {

struct TopicSpec {
  std::string name;
  int partitions = 1;
  int replication_factor = 1;
  // Topic-level settings, e.g. {"cleanup.policy", "compact"}.
  std::vector<std::pair<std::string, std::string>> configs;
};

// Creates the topics that do not exist yet; existing ones are left as they are (their partition
// count is not changed). Returns UNAVAILABLE when the broker cannot be reached within `timeout`.
absl::Status EnsureTopics(const std::string& bootstrap_servers,
                          const std::vector<TopicSpec>& topics, absl::Duration timeout);

// The number of partitions of `topic`; UNAVAILABLE when it is not known within `timeout`.
absl::StatusOr<int> PartitionCount(const std::string& bootstrap_servers, const std::string& topic,
                                   absl::Duration timeout);

}  // namespace infobus::kafka
