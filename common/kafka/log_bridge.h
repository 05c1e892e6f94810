#pragma once

#include <librdkafka/rdkafkacpp.h>

namespace infobus::kafka {

// Routes librdkafka's own log lines and client-level errors into the infobus log (instead of
// its raw "%4|..." lines on stderr), at matching severities. Shared by all clients; thread-safe.
class LogBridge final : public RdKafka::EventCb {
 public:
  static LogBridge* Instance();

  // RdKafka::EventCb
  void event_cb(RdKafka::Event& event) override;
};

}  // namespace infobus::kafka
