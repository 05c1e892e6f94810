#pragma once

#include <cstdint>
#include <queue>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "absl/time/time.h"
#include "infobus/common/v1/dispatch_event.pb.h"
#include "infobus/common/v1/event.pb.h"
#include "infobus/common/v1/judgment.pb.h"

namespace infobus::bench {

// The size and spread of a generated month of the bus's facts.
struct SupervisionShape {
  int64_t events = 10'000'000;
  int64_t judgments = 1'000'000;  // one per events/judgments events, at most one per event
  uint64_t seed = 1;
  // Fixed, as a province's bus would see them: 100 counties in 10 cities, three source systems
  // per county emitting three kinds each (of 10), 6 rules, a unit per county and per city.
  static constexpr int kCities = 10;
  static constexpr int kCountiesPerCity = 10;
  static constexpr int kCounties = kCities * kCountiesPerCity;
  static constexpr int kSourcesPerCounty = 3;
  static constexpr int kSources = kCounties * kSourcesPerCounty;
  static constexpr int kKinds = 10;
  static constexpr int kKindsPerSource = 3;
  static constexpr int kRules = 6;
  static constexpr int kUnits = kCounties + kCities;
};

using SupervisionFact = std::variant<infobus::common::v1::Event, infobus::common::v1::Judgment,
                                     infobus::common::v1::DispatchEvent>;

// A month of facts as supervision's consumer would read them from its three topics, merged in
// time order: events spread evenly over [since, since + 30 days - 1 h); every stride-th event
// judged a few seconds later (the hotspot rule on the last three events), delivered at once to
// its county's unit with a deadline (15 min, 5 for critical rules), signed off after an
// exponential delay (mean 6 min; 3% never), escalated to the city's unit when the deadline
// passes unsigned (which signs it), feedback on 60% (mean 2 h after sign-off) and a review on
// 10% (mean 12 h). So facts of one item arrive in different batches, as on the bus. Everything
// is a function of the seed and the item's index, so an item's ids can be named without keeping
// them. Memory: the facts not yet due (a few thousand). Not thread-safe.
class SupervisionFacts {
 public:
  // What has been generated so far.
  struct Counts {
    int64_t facts = 0, events = 0, judgments = 0, deliveries = 0, escalations = 0,
            acknowledgements = 0, feedback = 0, reviews = 0;
    // Of the city CityPrefix(): events, judgments and deliveries to its units.
    int64_t city_events = 0, city_judgments = 0, city_deliveries = 0;
  };

  SupervisionFacts(const SupervisionShape& shape, absl::Time since);

  // Appends the next facts, at most `n`; false once every fact has been given.
  bool Next(size_t n, std::vector<SupervisionFact>* out);
  const Counts& counts() const { return counts_; }
  const SupervisionShape& shape() const { return shape_; }

  int64_t judgments() const;  // how many there will be
  std::string JudgmentId(int64_t judgment) const;
  // The trace id of the (last) evidence event of `judgment`.
  std::string TraceIdOfJudgment(int64_t judgment) const;

  // The city a city-scope report covers (one of ten) and its units.
  static std::string CityPrefix();
  static std::set<std::string> CityUnits();

 private:
  enum class Step : uint8_t {
    kJudged,
    kDelivered,
    kAcknowledged,
    kEscalated,      // ESCALATED on the county unit's delivery
    kCityDelivered,  // DELIVERED to the city unit, by escalation
    kCityAcknowledged,
    kFeedback,
    kReviewed,
  };
  struct Due {
    int64_t at_ns;
    int64_t judgment;
    Step step;
    bool operator>(const Due& other) const;
  };
  struct Plan;  // supervision_facts.cc

  int64_t EventAtNs(int64_t event) const;
  int64_t EventOf(int64_t judgment) const;  // its (last) evidence event
  Plan PlanOf(int64_t judgment) const;
  infobus::common::v1::Event MakeEvent(int64_t event) const;
  void Emit(const Due& due, std::vector<SupervisionFact>* out);
  void Schedule(int64_t judgment);

  const SupervisionShape shape_;
  const absl::Time since_;
  const int64_t span_ns_;
  const int64_t stride_;
  int64_t next_event_ = 0;
  std::priority_queue<Due, std::vector<Due>, std::greater<Due>> due_;
  Counts counts_;
};

}  // namespace infobus::bench
