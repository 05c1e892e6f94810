#include "tools/bench/supervision_bench.h"

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <system_error>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/store/store.h"
#include "rocksdb/write_batch.h"
#include "services/supervision/ledger.h"
#include "services/supervision/ledger_reader.h"
#include "services/supervision/period.h"
#include "services/supervision/report_builder.h"
#include "services/supervision/tally_key.h"
#include "tools/bench/clock.h"
#include "tools/bench/histogram.h"
#include "tools/bench/machine.h"

namespace infobus::bench {
namespace {

using supervision::Ledger;
using supervision::LedgerReader;
using supervision::Period;
using supervision::ReportBuilder;
using supervision::ReportScope;

constexpr int64_t kProgressEveryNs = 5'000'000'000;

double Ms(int64_t ns) { return static_cast<double>(ns) / 1e6; }

void SetLatency(const Histogram& h, v1::Latency* out) {
  out->set_count(static_cast<double>(h.count()));
  out->set_p50(Ms(h.Percentile(50)));
  out->set_p90(Ms(h.Percentile(90)));
  out->set_p99(Ms(h.Percentile(99)));
  out->set_p99_9(Ms(h.Percentile(99.9)));
  out->set_max(Ms(h.max()));
  out->set_mean(h.mean() / 1e6);
}

// A directory of its own for the store, removed with everything in it when this goes (after
// the store has been closed: declare it first).
class ScratchDir {
 public:
  static absl::StatusOr<std::unique_ptr<ScratchDir>> Make(const std::string& parent) {
    std::string pattern = parent + "/infobus-supervision-bench-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      return absl::UnavailableError(absl::StrCat("cannot make a directory in ", parent));
    }
    return std::unique_ptr<ScratchDir>(new ScratchDir(pattern));
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

  uint64_t Bytes() const {
    uint64_t bytes = 0;
    std::error_code error;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(path_, error)) {
      if (entry.is_regular_file(error)) bytes += entry.file_size(error);
    }
    return bytes;
  }

 private:
  explicit ScratchDir(std::string path) : path_(std::move(path)) {}
  const std::string path_;
};

// Stages `fact` into its item's partition of `partitions` (keyed as FactHandler keys it; the
// hash is not Kafka's, any spreads the items alike).
absl::Status Stage(Ledger& ledger, const SupervisionFact& fact, int partitions) {
  return std::visit(
      [&ledger, partitions](const auto& item) -> absl::Status {
        using T = std::decay_t<decltype(item)>;
        auto into = [&](const std::string& key) {
          ledger.Into(static_cast<int32_t>(std::hash<std::string>()(key) % partitions));
        };
        if constexpr (std::is_same_v<T, infobus::common::v1::Event>) {
          into(supervision::EventKey(item.source_id(), item.event_id()));
          return ledger.StageEvent(item);
        } else if constexpr (std::is_same_v<T, infobus::common::v1::Judgment>) {
          into(item.judgment_id());
          return ledger.StageJudgment(item);
        } else {
          into(item.judgment_id());
          return ledger.StageDispatchEvent(item);
        }
      },
      fact);
}

std::vector<int32_t> AllPartitions(int partitions) {
  std::vector<int32_t> all;
  for (int32_t p = 0; p < partitions; ++p) all.push_back(p);
  return all;
}

int64_t CountTallies(const Store& store, const Period& period, int partitions) {
  int64_t count = 0;
  for (int32_t p = 0; p < partitions; ++p) {
    const std::string end =
        supervision::PartitionKey(p, supervision::HourPrefix(supervision::HourOf(period.until)));
    auto it = store.NewIterator(supervision::Families::kTallies);
    for (it->Seek(supervision::PartitionKey(
             p, supervision::HourPrefix(supervision::HourOf(period.since))));
         it->Valid() && it->key().compare(end) < 0; it->Next()) {
      ++count;
    }
  }
  return count;
}

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// Folds every fact of `facts` into `store`, `batch` records per WriteBatch.
absl::Status Fold(SupervisionFacts& facts, Store* store, int batch, int partitions,
                  std::ostream& log, v1::SupervisionFold* out) {
  Ledger ledger(store);
  std::vector<SupervisionFact> records;
  records.reserve(batch);
  Histogram batch_ns;
  int64_t fold_ns = 0, generate_ns = 0, entries = 0;
  CpuMeter cpu({});
  cpu.Start();
  const int64_t start = NowNs();
  int64_t next_progress = start + kProgressEveryNs;
  while (true) {
    records.clear();
    const int64_t t0 = NowNs();
    facts.Next(batch, &records);
    const int64_t t1 = NowNs();
    generate_ns += t1 - t0;
    if (records.empty()) break;
    for (const SupervisionFact& record : records) {
      if (absl::Status status = Stage(ledger, record, partitions); !status.ok()) return status;
    }
    rocksdb::WriteBatch write;
    if (absl::Status status = ledger.Flush(&write); !status.ok()) return status;
    entries += write.Count();
    if (absl::Status status = store->Write(&write); !status.ok()) return status;
    const int64_t t2 = NowNs();
    fold_ns += t2 - t1;
    batch_ns.Record(t2 - t1);
    if (t2 >= next_progress) {
      next_progress = t2 + kProgressEveryNs;
      const auto& c = facts.counts();
      log << absl::StrFormat(
                 "[bench]   supervision fold: %lld of %lld events (%.0f%%), %lld facts, %.0f "
                 "facts/s folding, %.0f s so far",
                 static_cast<long long>(c.events), static_cast<long long>(facts.shape().events),
                 100.0 * static_cast<double>(c.events) / static_cast<double>(facts.shape().events),
                 static_cast<long long>(c.facts), static_cast<double>(c.facts) * 1e9 / fold_ns,
                 static_cast<double>(t2 - start) / 1e9)
          << std::endl;
    }
  }
  cpu.Stop();
  const SupervisionFacts::Counts& c = facts.counts();
  out->set_events(static_cast<double>(c.events));
  out->set_judgments(static_cast<double>(c.judgments));
  out->set_facts(static_cast<double>(c.facts));
  out->set_deliveries(static_cast<double>(c.deliveries));
  out->set_escalations(static_cast<double>(c.escalations));
  out->set_acknowledgements(static_cast<double>(c.acknowledgements));
  out->set_feedback(static_cast<double>(c.feedback));
  out->set_reviews(static_cast<double>(c.reviews));
  out->set_batch_records(batch);
  const double seconds = static_cast<double>(fold_ns) / 1e9;
  out->set_seconds(seconds);
  out->set_facts_per_s(seconds > 0 ? static_cast<double>(c.facts) / seconds : 0);
  out->set_events_per_s(seconds > 0 ? static_cast<double>(c.events) / seconds : 0);
  out->set_generate_seconds(static_cast<double>(generate_ns) / 1e9);
  out->set_cpu_seconds(std::max(0.0, cpu.Seconds("bench")));
  SetLatency(batch_ns, out->mutable_batch_ms());
  out->set_write_batch_entries(static_cast<double>(entries));
  return absl::OkStatus();
}

// Traces `count` random judged items by judgment id, then as many others by trace id.
absl::Status Traces(const SupervisionFacts& facts, const LedgerReader& reader, int64_t count,
                    absl::Time now, uint64_t seed, int partitions, v1::SupervisionTrace* out) {
  const std::vector<int32_t> all = AllPartitions(partitions);
  std::mt19937_64 random(seed);
  std::uniform_int_distribution<int64_t> item(0, facts.judgments() - 1);
  int64_t complete = 0;
  for (const bool by_trace_id : {false, true}) {
    Histogram latency_ns;
    for (int64_t k = 0; k < count; ++k) {
      const int64_t judgment = item(random);
      infobus::supervision::v1::TraceRequest request;
      if (by_trace_id) {
        request.set_trace_id(facts.TraceIdOfJudgment(judgment));
      } else {
        request.set_judgment_id(facts.JudgmentId(judgment));
      }
      const int64_t t0 = NowNs();
      auto trace = reader.Trace(request, now, all);
      latency_ns.Record(NowNs() - t0);
      if (!trace.ok()) {
        return absl::Status(
            trace.status().code(),
            absl::StrCat("trace of generated judgment ", judgment, ": ", trace.status().message()));
      }
      if (trace->judgments_size() >= 1 && trace->judgments(0).deliveries_size() >= 1 &&
          trace->events_size() >= 1) {
        ++complete;
      }
    }
    SetLatency(latency_ns,
               by_trace_id ? out->mutable_by_trace_id_ms() : out->mutable_by_judgment_id_ms());
  }
  out->set_asked(static_cast<double>(2 * count));
  out->set_complete(static_cast<double>(complete));
  return absl::OkStatus();
}

struct Scope {
  std::string name;
  ReportScope scope;
  int64_t expected_events, expected_judgments, expected_deliveries;
  v1::SupervisionReport* out;
  std::vector<double> ms;
};

// The month's report for each scope, `runs` times, interleaved so that drift in the machine's
// load falls on both.
absl::Status Reports(const Store& store, const LedgerReader& reader, const Period& period, int runs,
                     int partitions, std::vector<Scope>& scopes) {
  const int64_t tallies = CountTallies(store, period, partitions);
  const std::vector<int32_t> all = AllPartitions(partitions);
  for (int run = 0; run < runs; ++run) {
    for (Scope& s : scopes) {
      ReportBuilder builder(s.scope);
      const int64_t t0 = NowNs();
      if (absl::Status status = reader.ScanTallies(period, all, &builder); !status.ok()) {
        return status;
      }
      const infobus::supervision::v1::ReportResponse report = builder.Finish();
      s.ms.push_back(Ms(NowNs() - t0));
      s.out->set_events(static_cast<double>(report.collection().events()));
      s.out->set_judgments(static_cast<double>(report.judgment().judgments()));
      s.out->set_deliveries(static_cast<double>(report.dispatch().total().deliveries()));
    }
  }
  for (Scope& s : scopes) {
    s.out->set_scope(s.name);
    s.out->mutable_ms_runs()->Add(s.ms.begin(), s.ms.end());
    s.out->set_min_ms(*std::min_element(s.ms.begin(), s.ms.end()));
    s.out->set_median_ms(Median(s.ms));
    s.out->set_tallies_scanned(static_cast<double>(tallies));
    s.out->set_expected_events(static_cast<double>(s.expected_events));
    s.out->set_expected_judgments(static_cast<double>(s.expected_judgments));
    s.out->set_expected_deliveries(static_cast<double>(s.expected_deliveries));
    if (s.out->events() != s.out->expected_events() ||
        s.out->judgments() != s.out->expected_judgments() ||
        s.out->deliveries() != s.out->expected_deliveries()) {
      return absl::InternalError(absl::StrFormat(
          "report (%s) says %.0f events, %.0f judgments, %.0f deliveries; %lld, %lld, %lld were "
          "generated",
          s.name, s.out->events(), s.out->judgments(), s.out->deliveries(),
          static_cast<long long>(s.expected_events), static_cast<long long>(s.expected_judgments),
          static_cast<long long>(s.expected_deliveries)));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::Supervision> RunSupervisionBench(const SupervisionBenchOptions& options,
                                                    std::ostream& log) {
  if (options.shape.events <= 0 || options.shape.judgments <= 0 || options.batch <= 0 ||
      options.traces <= 0 || options.report_runs <= 0 || options.partitions <= 0) {
    return absl::InvalidArgumentError("supervision: every size must be positive");
  }
  infobus::supervision::v1::ReportRequest month;
  month.set_period(kSupervisionMonth);
  auto period = supervision::PeriodOf(month, absl::FixedTimeZone(kSupervisionUtcOffsetSeconds));
  if (!period.ok()) return period.status();

  auto scratch = ScratchDir::Make(options.dir);
  if (!scratch.ok()) return scratch.status();
  Store::Options store_options;
  store_options.merge_operators = supervision::Families::MergeOperators();
  auto store = Store::Open((*scratch)->path() + "/db", supervision::Families::All(), store_options);
  if (!store.ok()) return store.status();

  v1::Supervision result;
  SupervisionFacts facts(options.shape, period->since);
  log << "[bench] supervision: folding a month of " << options.shape.events << " events and "
      << facts.judgments() << " judgments into " << (*scratch)->path() << " (" << options.partitions
      << " partitions), " << options.batch << " records per batch" << std::endl;
  if (absl::Status status =
          Fold(facts, store->get(), options.batch, options.partitions, log, result.mutable_fold());
      !status.ok()) {
    return status;
  }
  v1::SupervisionFold& fold = *result.mutable_fold();
  fold.set_store_bytes(static_cast<double>((*scratch)->Bytes()));
  fold.set_tallies(static_cast<double>(CountTallies(**store, *period, options.partitions)));
  log << absl::StrFormat(
             "[bench]   folded %.0f facts (%.0f events, %.0f judgments) in %.1f s: %.0f facts/s, "
             "%.0f events/s; batch p50 %.2f ms, p99 %.2f ms, max %.1f ms; %.2f writes per "
             "fact; store %.2f GB, %.0f tallies",
             fold.facts(), fold.events(), fold.judgments(), fold.seconds(), fold.facts_per_s(),
             fold.events_per_s(), fold.batch_ms().p50(), fold.batch_ms().p99(),
             fold.batch_ms().max(), fold.write_batch_entries() / fold.facts(),
             fold.store_bytes() / 1e9, fold.tallies())
      << std::endl;

  const LedgerReader reader(store->get());
  log << "[bench] supervision: " << options.traces << " traces by judgment id, as many by trace id"
      << std::endl;
  if (absl::Status status = Traces(facts, reader, options.traces, period->until + absl::Hours(24),
                                   options.shape.seed, options.partitions, result.mutable_trace());
      !status.ok()) {
    return status;
  }
  const v1::SupervisionTrace& trace = result.trace();
  log << absl::StrFormat(
             "[bench]   by judgment id p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms; by trace id p50 "
             "%.3f ms, p99 %.3f ms, p99.9 %.3f ms (%.0f of %.0f complete)",
             trace.by_judgment_id_ms().p50(), trace.by_judgment_id_ms().p99(),
             trace.by_judgment_id_ms().p99_9(), trace.by_trace_id_ms().p50(),
             trace.by_trace_id_ms().p99(), trace.by_trace_id_ms().p99_9(), trace.complete(),
             trace.asked())
      << std::endl;

  const SupervisionFacts::Counts& c = facts.counts();
  std::vector<Scope> scopes(2);
  scopes[0].name = "all";
  scopes[0].scope.all_jurisdictions = scopes[0].scope.all_units = true;
  scopes[0].scope.any_clearance = true;
  scopes[0].expected_events = c.events;
  scopes[0].expected_judgments = c.judgments;
  scopes[0].expected_deliveries = c.deliveries;
  scopes[0].out = result.mutable_report_all();
  // A city's supervisor: its prefix and units, cleared for everything the generator makes.
  scopes[1].name = absl::StrCat("jurisdiction ", SupervisionFacts::CityPrefix());
  scopes[1].scope.jurisdictions = {SupervisionFacts::CityPrefix()};
  scopes[1].scope.units = SupervisionFacts::CityUnits();
  scopes[1].scope.clearance = infobus::common::v1::CLASSIFICATION_SECRET;
  scopes[1].expected_events = c.city_events;
  scopes[1].expected_judgments = c.city_judgments;
  scopes[1].expected_deliveries = c.city_deliveries;
  scopes[1].out = result.mutable_report_city();
  log << "[bench] supervision: the month's report, " << options.report_runs
      << " runs each of all and " << scopes[1].name << std::endl;
  if (absl::Status status =
          Reports(**store, reader, *period, options.report_runs, options.partitions, scopes);
      !status.ok()) {
    return status;
  }
  for (const Scope& s : scopes) {
    log << absl::StrFormat("[bench]   report (%s): min %.1f ms, median %.1f ms over %.0f tallies",
                           s.name, s.out->min_ms(), s.out->median_ms(), s.out->tallies_scanned())
        << std::endl;
  }
  return result;
}

}  // namespace infobus::bench
