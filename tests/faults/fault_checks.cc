#include "tests/faults/fault_checks.h"

#include <algorithm>
#include <cstdlib>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "common/util/time.h"

namespace infobus::faults {
namespace {

using infobus::common::v1::Delivery;

constexpr size_t kMaxProblems = 12;

// What a delivery is about: (unit, 'w' + event id | 'h' + cluster key, escalation level).
using Key = std::tuple<std::string, std::string, uint32_t>;

Key KeyOf(const Delivery& delivery) {
  const auto& judgment = delivery.judgment();
  std::string what;
  if (judgment.rule_id() == kWatchlistRule && judgment.evidence_size() > 0) {
    what = "w" + judgment.evidence(0).event_id();
  } else if (judgment.rule_id() == kHotspotRule) {
    what = "h" + judgment.group_key();
  } else {
    what = "?" + judgment.judgment_id();
  }
  return {delivery.unit_id(), what, delivery.escalation_level()};
}

std::string Describe(const Key& key) {
  return absl::StrCat(std::get<0>(key), " ", std::get<1>(key).substr(1),
                      std::get<1>(key)[0] == 'h' ? " (hotspot)" : "", " level ", std::get<2>(key));
}

}  // namespace

DeliveryFigures CheckDeliveries(const FaultPlan& plan, size_t published, bool with_sentinels,
                                const UnitStreams& streams, const SignOffs& sign_offs) {
  DeliveryFigures figures;
  auto problem = [&figures](std::string text) {
    if (figures.problems.size() < kMaxProblems) figures.problems.push_back(std::move(text));
  };

  // What arrived: per key, the deliveries; per (unit, seq), the delivery.
  std::map<Key, std::vector<const Delivery*>> received;
  std::map<std::pair<std::string, uint64_t>, const Delivery*> by_seq;
  for (const auto& [unit, deliveries] : streams) {
    uint64_t previous = 0;
    std::map<std::string, int> judgments;
    for (const Delivery& delivery : deliveries) {
      ++figures.received;
      if (delivery.seq() != previous + 1) {
        ++figures.seq_gaps;
        problem(absl::StrCat(unit, ": seq ", delivery.seq(), " after ", previous));
      }
      previous = delivery.seq();
      if (++judgments[delivery.judgment().judgment_id()] > 1) {
        ++figures.dup_deliveries;
        problem(absl::StrCat(unit, ": judgment ", delivery.judgment().judgment_id(),
                             " again at seq ", delivery.seq()));
      }
      received[KeyOf(delivery)].push_back(&delivery);
      by_seq[{unit, delivery.seq()}] = &delivery;
    }
  }

  std::set<Key> expected;
  auto expect = [&](const Key& key) {
    expected.insert(key);
    if (received.count(key) == 0) {
      ++figures.lost;
      problem("never delivered: " + Describe(key));
    }
  };

  std::vector<const PlannedEvent*> events;
  for (size_t i = 0; i < published && i < plan.events.size(); ++i) {
    events.push_back(&plan.events[i]);
  }
  if (with_sentinels) {
    for (const PlannedEvent& sentinel : plan.sentinels) events.push_back(&sentinel);
  }
  for (const PlannedEvent* event : events) {
    const std::string unit = Places()[event->place].unit;
    const Key first{unit, "w" + event->event.event_id(), 0};
    expect(first);
    if (!event->high) continue;
    // Escalation is due unless a sign-off was stamped at or before the first deadline.
    bool signed_in_time = false;
    if (auto it = received.find(first); it != received.end()) {
      const Delivery& delivery = *it->second.front();
      auto sign_off = sign_offs.find({unit, delivery.seq()});
      if (sign_off != sign_offs.end() && delivery.has_deadline() &&
          sign_off->second <= FromProtoTimestamp(delivery.deadline())) {
        signed_in_time = true;
        ++figures.signed_in_time;
      }
    }
    if (signed_in_time) continue;
    uint32_t level = 0;
    for (const std::string& supervisor : SupervisorChain(unit)) {
      const Key key{supervisor, std::get<1>(first), ++level};
      ++figures.escalations_expected;
      expect(key);
      if (received.count(key) > 0) ++figures.escalations;
    }
  }

  const int threshold = plan.threshold;
  for (const Cluster& cluster : plan.clusters) {
    bool complete = true;
    for (const std::string& id : cluster.event_ids) {
      auto it = plan.index.find(id);
      if (it == plan.index.end() || it->second < 0 ||
          static_cast<size_t>(it->second) >= published) {
        complete = false;
      }
    }
    if (!complete) continue;  // not all of it was published
    ++figures.hotspots;
    const int distinct = static_cast<int>(cluster.event_ids.size());
    const bool fires = distinct >= threshold;
    const Key key{Places()[cluster.place].unit, "h" + cluster.key, 0};
    auto it = received.find(key);
    const size_t got = it == received.end() ? 0 : it->second.size();
    if (fires) {
      ++figures.hotspots_fired;
      expect(key);
    }
    if (!fires) {
      if (got == 0) {
        ++figures.hotspots_exact;
      } else {
        const auto& judgment = it->second.front()->judgment();
        std::set<std::string> ids;
        for (const auto& evidence : judgment.evidence()) ids.insert(evidence.event_id());
        problem(absl::StrCat("hotspot ", cluster.key, " fired with evidence_count ",
                             judgment.evidence_count(), " (", ids.size(), " distinct of ",
                             judgment.evidence_size(), ") though it has only ", distinct,
                             " distinct events", cluster.has_repeat ? ", one repeated" : ""));
      }
      continue;
    }
    if (got == 0) continue;  // counted as lost
    const auto& judgment = it->second.front()->judgment();
    const std::set<std::string> members(cluster.event_ids.begin(), cluster.event_ids.end());
    std::set<std::string> ids;
    bool members_only = true;
    for (const auto& evidence : judgment.evidence()) {
      ids.insert(evidence.event_id());
      members_only = members_only && members.count(evidence.event_id()) > 0;
    }
    const int listed = std::min(threshold, 20);  // the rule's max_evidence is the default 20
    if (judgment.evidence_count() == threshold && judgment.evidence_size() == listed &&
        static_cast<int>(ids.size()) == listed && members_only) {
      ++figures.hotspots_exact;
    } else {
      problem(absl::StrCat("hotspot ", cluster.key, ": evidence_count ", judgment.evidence_count(),
                           ", ", ids.size(), " distinct of ", judgment.evidence_size(), " listed",
                           members_only ? "" : " (strangers)", "; expected ", threshold,
                           " distinct of its ", distinct,
                           cluster.has_repeat ? " (one repeated)" : ""));
    }
  }
  figures.expected = static_cast<int64_t>(expected.size());

  for (const auto& [key, deliveries] : received) {
    if (expected.count(key) == 0) {
      figures.unexpected += static_cast<int64_t>(deliveries.size());
      problem("not expected: " + Describe(key));
    }
    for (const Delivery* delivery : deliveries) {
      if (delivery->escalated_from().empty()) continue;
      const std::string& from = delivery->escalated_from();
      const size_t slash = from.rfind('/');
      const std::string from_unit = from.substr(0, slash);
      const uint64_t from_seq = std::strtoull(from.c_str() + slash + 1, nullptr, 10);
      auto original = by_seq.find({from_unit, from_seq});
      if (original == by_seq.end()) continue;  // its origin is missing: counted as lost
      if (!original->second->has_deadline() ||
          FromProtoTimestamp(delivery->delivered_at()) <=
              FromProtoTimestamp(original->second->deadline())) {
        ++figures.early_escalations;
        problem(absl::StrCat(delivery->delivery_id(), " escalates ", from,
                             " before its deadline (or it had none)"));
      }
    }
  }
  return figures;
}

}  // namespace infobus::faults
