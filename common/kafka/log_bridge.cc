#include "common/kafka/log_bridge.h"

#include "common/log/log.h"

namespace infobus::kafka {

LogBridge* LogBridge::Instance() {
  static auto* bridge = new LogBridge();
  return bridge;
}

void LogBridge::event_cb(RdKafka::Event& event) {
  switch (event.type()) {
    case RdKafka::Event::EVENT_ERROR:
      // Transport errors are retried by librdkafka; health and delivery reports carry the
      // consequences, so this is a warning, not an error.
      INFOBUS_LOG(Warning) << "kafka: " << RdKafka::err2str(event.err()) << ": " << event.str();
      break;
    case RdKafka::Event::EVENT_LOG:
      if (event.severity() <= RdKafka::Event::EVENT_SEVERITY_ERROR) {
        INFOBUS_LOG(Error) << "kafka " << event.fac() << ": " << event.str();
      } else if (event.severity() <= RdKafka::Event::EVENT_SEVERITY_WARNING) {
        INFOBUS_LOG(Warning) << "kafka " << event.fac() << ": " << event.str();
      } else if (event.severity() <= RdKafka::Event::EVENT_SEVERITY_INFO) {
        INFOBUS_LOG(Info) << "kafka " << event.fac() << ": " << event.str();
      } else {
        INFOBUS_LOG(Debug) << "kafka " << event.fac() << ": " << event.str();
      }
      break;
    default:
      break;
  }
}

}  // namespace infobus::kafka
