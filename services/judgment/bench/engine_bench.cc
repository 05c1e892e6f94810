// The judgment engine alone, on one core: events per second through 100 rules (watchlist,
// hotspot, movement and correlation) with a watchlist of 10K and of 1M entries. No Kafka, no
// RocksDB: state changes are taken once per 500 events, as the service does per batch.
#include <benchmark/benchmark.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/util/clock.h"
#include "services/judgment/engine/engine.h"

namespace infobus::judgment {
namespace {

using infobus::common::v1::Event;

const std::vector<std::string> kKinds = {"lodging.checkin", "netcafe.login", "vehicle.pass",
                                         "case.report",     "alarm.call",    "tip",
                                         "petition",        "border.check"};
const std::vector<std::string> kCounties = {"451421", "451481", "451402", "451422", "451423",
                                            "451424", "451425", "450102", "450103", "450105",
                                            "450107", "450108", "450109", "450110", "450123",
                                            "450124", "450125", "450126", "450127", "110101"};

// A valid 18-character resident identity number (GB 11643 check character) for `n`.
std::string IdNumber(int64_t n) {
  std::string id = absl::StrCat("4514211990", 10000000 + n % 90000000);
  id.resize(17);
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (id[static_cast<size_t>(i)] - '0') * kWeights[i];
  id.push_back("10X98765432"[sum % 11]);
  return id;
}

// `skip` leaves rule kinds out, to see what each costs: 1 watchlist, 2 hotspot, 4 movement,
// 8 correlation.
std::string MakeRules(int64_t skip) {
  std::string yaml = "version: 1\nrules:\n";
  int n = 0;
  for (int i = 0; i < 10; ++i, ++n) {
    if (skip & 1) continue;
    absl::StrAppend(&yaml, "  - {id: watch-", n, ", version: 1, kind: watchlist, severity: high, ",
                    "filter: {kinds: [", kKinds[static_cast<size_t>(i) % kKinds.size()], ", ",
                    kKinds[static_cast<size_t>(i + 3) % kKinds.size()], "]}}\n");
  }
  for (int i = 0; i < 40; ++i, ++n) {
    if (skip & 2) continue;
    absl::StrAppend(&yaml, "  - {id: hot-", n, ", version: 1, kind: hotspot, severity: medium, ",
                    "filter: {kinds: [", kKinds[static_cast<size_t>(i) % kKinds.size()], "]",
                    i % 3 == 0 ? ", counties: [\"4514\"]" : "", "}, group_by: [kind, ",
                    i % 2 == 0 ? "\"jurisdiction:4\"" : "county",
                    "], window: ", i % 4 == 0 ? "1h, advance: 15m" : "30m",
                    ", grace: 5m, threshold: ", 50 + i, "}\n");
  }
  for (int i = 0; i < 25; ++i, ++n) {
    if (skip & 4) continue;
    absl::StrAppend(&yaml, "  - {id: move-", n, ", version: 1, kind: movement, severity: medium, ",
                    "filter: {kinds: [", kKinds[static_cast<size_t>(i) % kKinds.size()], ", ",
                    kKinds[static_cast<size_t>(i + 1) % kKinds.size()],
                    "], subject_types: [id_number]}, min_counties: 3, within: ", 2 + i % 5,
                    "h, grace: 10m}\n");
  }
  for (int i = 0; i < 25; ++i, ++n) {
    if (skip & 8) continue;
    absl::StrAppend(&yaml, "  - {id: corr-", n, ", version: 1, kind: correlation, ",
                    "severity: high, sequence: [", kKinds[static_cast<size_t>(i) % kKinds.size()],
                    ", ", kKinds[static_cast<size_t>(i + 2) % kKinds.size()],
                    "], ordered: ", i % 2 == 0 ? "true" : "false", ", within: 1h, grace: 10m}\n");
  }
  return yaml;
}

void BM_EngineEvents(benchmark::State& state) {
  const int64_t watchlist_size = state.range(0);
  InMemoryWatchlist watchlist;
  watchlist.Reserve(static_cast<size_t>(watchlist_size));
  for (int64_t i = 0; i < watchlist_size; ++i) {
    WatchlistEntry entry;
    entry.set_list_id(i % 2 == 0 ? "wanted_person" : "person_of_interest");
    entry.mutable_subject()->set_type(infobus::common::v1::SUBJECT_TYPE_ID_NUMBER);
    // Every 100th person of the population is listed; the rest of the list is elsewhere.
    entry.mutable_subject()->set_value(IdNumber(i < 2000 ? i * 100 : 10000000 + i));
    entry.set_severity(infobus::common::v1::SEVERITY_HIGH);
    watchlist.Add(entry);
  }
  auto clock = std::make_shared<FakeClock>(absl::FromUnixSeconds(1767225600));
  Engine engine(&watchlist, clock);
  auto rules = ParseRules(MakeRules(state.range(1)));
  if (!rules.ok()) {
    state.SkipWithError(rules.ok() ? "not 100 rules"
                                   : std::string(rules.status().message()).c_str());
    return;
  }
  engine.SetRules(*rules);

  // 2M people, 20 counties, 8 kinds; about one event per 20 ms of event time, a little
  // out of order.
  std::mt19937_64 random(42);
  std::vector<Event> events(65536);
  for (size_t i = 0; i < events.size(); ++i) {
    Event& event = events[i];
    event.set_event_id(absl::StrCat("ev-", i));
    event.set_source_id("bench");
    event.set_trace_id("0123456789abcdef0123456789abcdef");
    event.set_kind(kKinds[random() % kKinds.size()]);
    event.set_county_code(kCounties[random() % kCounties.size()]);
    event.set_classification(infobus::common::v1::CLASSIFICATION_INTERNAL);
    auto* subject = event.add_subjects();
    subject->set_type(infobus::common::v1::SUBJECT_TYPE_ID_NUMBER);
    subject->set_value(IdNumber(static_cast<int64_t>(random() % 2000000)));
  }
  const int64_t start = 1767225600;
  int64_t i = 0;
  int64_t judgments = 0;
  for (auto _ : state) {
    Event& event = events[static_cast<size_t>(i) & 65535];
    const int64_t millis = i * 20 - static_cast<int64_t>(random() % 2000);
    event.mutable_occurred_at()->set_seconds(start + millis / 1000);
    event.mutable_occurred_at()->set_nanos(static_cast<int32_t>(millis % 1000) * 1000000);
    auto out = engine.Process(event, "events/0");
    judgments += out.ok() ? static_cast<int64_t>(out->size()) : 0;
    if (++i % 500 == 0) benchmark::DoNotOptimize(engine.TakeStateChanges());
  }
  const EngineStats stats = engine.stats();
  state.SetItemsProcessed(state.iterations());
  state.counters["rules"] = static_cast<double>(engine.rules().rules.size());
  state.counters["judgments"] = static_cast<double>(judgments);
  state.counters["windows_open"] = static_cast<double>(stats.windows_open);
  state.counters["subjects_tracked"] = static_cast<double>(stats.subjects_tracked);
}
// Args: watchlist entries, rule kinds left out (0: all 100 rules).
BENCHMARK(BM_EngineEvents)
    ->ArgNames({"watchlist", "skip"})
    ->Args({10000, 0})
    ->Args({1000000, 0})
    ->Args({10000, 14})
    ->Args({1000000, 14})
    ->Args({10000, 13})
    ->Args({10000, 11})
    ->Args({10000, 7})
    ->Unit(benchmark::kMicrosecond);
// A fixed 30,000 events with all rules, for instruction counts that compare run to run (the cost
// per event grows with the history a run builds, so time-bounded runs of different speed differ).
// Collect TakeStateChanges too: writing the state records is a quarter of the engine's work.
//   valgrind --tool=callgrind --toggle-collect='infobus::judgment::Engine::Process*'
//     --toggle-collect='infobus::judgment::Engine::TakeStateChanges*'
//     build/bin/judgment_engine_bench --benchmark_filter=Fixed
BENCHMARK(BM_EngineEvents)
    ->Name("BM_EngineEventsFixed")
    ->ArgNames({"watchlist", "skip"})
    ->Args({10000, 0})
    ->Iterations(30000)
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace infobus::judgment

BENCHMARK_MAIN();
