#include "services/judgment/judgment_options.h"

#include <algorithm>

namespace infobus::judgment {

absl::StatusOr<JudgmentOptions> JudgmentOptionsFrom(const Config& config) {
  JudgmentOptions options;
  options.consumer = ConsumerOptionsFrom(config);
  options.rules_file = config.GetString("judgment.rules_file");
  options.rules_check_interval = config.GetDuration("judgment.rules_check_interval");
  options.changelog = config.GetBool("judgment.changelog");
  options.service.subscriber_max_lag =
      static_cast<uint64_t>(std::max<int64_t>(1, config.GetInt("judgment.subscriber_max_lag")));
  return WithBusOptionsFrom(config, std::move(options));
}

}  // namespace infobus::judgment
