#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/config/config.h"
#include "common/service/bus_options.h"
#include "common/service/consumer_options.h"
#include "services/judgment/judgment_service.h"

namespace infobus::judgment {

// What the judgment process runs with: the common and consumer settings and the judgment.*
// keys (JudgmentServer::Program()), typed. Filled once at startup by JudgmentOptionsFrom.
struct JudgmentOptions {
  BusOptions bus;
  ConsumerOptions consumer;
  std::string rules_file;                // judgment.rules_file; empty: the built-in rule
  absl::Duration rules_check_interval;   // judgment.rules_check_interval
  bool changelog = true;                 // judgment.changelog
  JudgmentServiceImpl::Options service;  // judgment.subscriber_max_lag (at least 1)
};

// The errors of BusOptionsFrom.
absl::StatusOr<JudgmentOptions> JudgmentOptionsFrom(const Config& config);

}  // namespace infobus::judgment
