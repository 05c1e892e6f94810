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
        dispatch_events(prefix + "infobus.dispatch-events.v1"),
        hotspot_sightings(prefix + "infobus.hotspot-sightings.v1"),
        judgment_changelog(prefix + "infobus.judgment-changelog.v1"),
        audit(prefix + "infobus.audit.v1") {}

  std::string events;
  std::string judgments;
  std::string dead_letters;
  // Compacted: the watchlist entries, key "<subject key>\n<list id>"; every judgment instance
  // reads all of it.
  std::string watchlists;
  // Every delivery state change (delivered, acknowledged, feedback, escalated); dispatch writes.
  std::string dispatch_events;
  // Internal to judgment (a repartition topic, as Kafka Streams makes): one record per (hotspot
  // rule, event), keyed by "<rule id>\x1f<group key>" so each group key is counted in one
  // partition, by whichever instance owns it.
  std::string hotspot_sightings;
  // Compacted, internal to judgment: its window and pattern state, partition N holding the state
  // of input partition N (services/judgment/state_changelog.h).
  std::string judgment_changelog;
  // Every access decision on a classified item and every administrative change
  // (common/audit/audit_log.h); each service writes, supervision reads.
  std::string audit;
};

}  // namespace infobus::kafka
