#pragma once

#include <string>

namespace infobus::kafka {

// The bus's topic names. A prefix (config kafka.topic_prefix) lets several independent buses, or
// tests, share one broker.
struct Topics {
  explicit Topics(const std::string& prefix)
      : events(prefix + "infobus.events.v1"),
        judgments(prefix + "infobus.judgments.v1"),
        dead_letters(prefix + "infobus.dlq.v1"),
        watchlists(prefix + "infobus.watchlists.v1"),
        dispatch_events(prefix + "infobus.dispatch-events.v1") {}

  std::string events;
  std::string judgments;
  std::string dead_letters;
  // Compacted: the watchlist entries, key "<subject key>\n<list id>"; every judgment instance
  // reads all of it.
  std::string watchlists;
  // Every delivery state change (delivered, acknowledged, feedback, escalated); dispatch writes.
  std::string dispatch_events;
};

}  // namespace infobus::kafka
