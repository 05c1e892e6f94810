#include "services/supervision/supervision_options.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"

namespace infobus::supervision {

absl::StatusOr<SupervisionOptions> SupervisionOptionsFrom(const Config& config) {
  SupervisionOptions options;
  options.consumer = ConsumerOptionsFrom(config);
  options.routing_file = config.GetString("supervision.routing_file");
  options.routing_check_interval = config.GetDuration("supervision.routing_check_interval");
  options.partitions = static_cast<int>(config.GetInt("supervision.partitions"));
  if (options.partitions < 1 || options.partitions > 1024) {
    return absl::InvalidArgumentError("supervision.partitions: must be 1 to 1024");
  }
  for (absl::string_view peer :
       absl::StrSplit(config.GetString("supervision.peers"), ',', absl::SkipWhitespace())) {
    options.peers.emplace_back(absl::StripAsciiWhitespace(peer));
  }
  options.peer_timeout = config.GetDuration("supervision.peer_timeout");
  return WithBusOptionsFrom(config, std::move(options));
}

}  // namespace infobus::supervision
