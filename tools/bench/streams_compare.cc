#include "tools/bench/streams_compare.h"

#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "common/kafka/admin.h"
#include "common/kafka/client_conf.h"
#include "common/kafka/message.h"
#include "common/kafka/producer.h"
#include "common/kafka/topics.h"
#include "common/util/ids.h"
#include "common/util/time.h"
#include "tools/bench/child_process.h"
#include "tools/bench/clock.h"
#include "tools/bench/machine.h"
#include "tools/bench/stats.h"
#include "tools/bench/workload.h"

namespace infobus::bench {
namespace {

// Event time of event `seq`: 20 ms apart from a fixed hour, so a pair's events are the same
// whenever it runs and 1M events span ~5.6 hours (hourly windows fill and close).
absl::Time OccurredAt(int64_t seq) {
  return absl::FromCivil(absl::CivilSecond(2026, 11, 2, 0, 0, 0), absl::UTCTimeZone()) +
         absl::Milliseconds(20 * seq);
}

// What collection would have produced: the workload's events, stamped, keyed by their primary
// subject, with the three headers; and the workload's watchlist as judgment's watchlist RPCs
// write it. Returns the seconds it took.
absl::StatusOr<double> Preload(const StreamsCompareOptions& options, const Workload& workload,
                               const kafka::Topics& topics) {
  const int64_t start = NowNs();
  if (absl::Status status = kafka::EnsureTopics(
          options.kafka,
          {{topics.events, options.partitions, 1, {}},
           {topics.watchlists, options.partitions, 1, {{"cleanup.policy", "compact"}}}},
          absl::Seconds(30));
      !status.ok()) {
    return status;
  }
  auto producer = kafka::Producer::Create(options.kafka, {{"linger.ms", "5"}});
  if (!producer.ok()) return producer.status();
  std::atomic<int64_t> failed{0};
  auto count = [&failed](absl::Status status) {
    if (!status.ok()) failed.fetch_add(1);
  };
  auto send = [&](const kafka::OutgoingMessage& message) -> absl::Status {
    while (true) {
      absl::Status queued = (*producer)->ProduceAsync(message, count);
      if (!absl::IsResourceExhausted(queued)) return queued;
      absl::SleepFor(absl::Milliseconds(1));  // the local queue is full: let it drain
    }
  };

  kafka::OutgoingMessage entry;
  entry.topic = topics.watchlists;
  entry.headers = {{kafka::kSchemaHeader, "infobus.judgment.v1.WatchlistEntry"}};
  for (const auto& listed : workload.WatchlistEntries()) {
    entry.key = absl::StrCat("PHONE:", listed.subject().value(), "\n", listed.list_id());
    listed.SerializeToString(&entry.value);
    if (absl::Status status = send(entry); !status.ok()) return status;
  }
  kafka::OutgoingMessage message;
  message.topic = topics.events;
  message.headers = {{kafka::kTraceIdHeader, ""},
                     {kafka::kSourceIdHeader, Workload::kSourceId},
                     {kafka::kSchemaHeader, "infobus.common.v1.Event"}};
  for (int64_t seq = 0; seq < options.events; ++seq) {
    infobus::common::v1::Event event =
        workload.MakeEvent("vs", seq, workload.IsHit(seq, options.events));
    const absl::Time occurred = OccurredAt(seq);
    *event.mutable_occurred_at() = ToProtoTimestamp(occurred);
    *event.mutable_ingested_at() = ToProtoTimestamp(occurred + absl::Seconds(1));
    event.set_trace_id(NewTraceId());
    message.key = absl::StrCat("PHONE:", event.subjects(0).value());
    message.headers[0].value = event.trace_id();
    event.SerializeToString(&message.value);
    if (absl::Status status = send(message); !status.ok()) return status;
  }
  if (absl::Status status = (*producer)->Flush(absl::Seconds(120)); !status.ok()) return status;
  if (failed.load() > 0) {
    return absl::UnavailableError(absl::StrCat(failed.load(), " preloaded records not delivered"));
  }
  return static_cast<double>(NowNs() - start) / 1e9;
}

// Reads a group's committed offsets and topics' end offsets, for one run.
class OffsetProbe {
 public:
  static absl::StatusOr<OffsetProbe> Create(const StreamsCompareOptions& options,
                                            const std::string& group) {
    auto consumer =
        kafka::NewAssignOnlyConsumer(options.kafka, "bench-vs-probe", {{"group.id", group}});
    if (!consumer.ok()) return consumer.status();
    return OffsetProbe(std::move(*consumer), options.partitions);
  }

  // The sum of the group's committed offsets on `topic` (a partition without one counts 0: an
  // empty partition is never committed); -1 when the broker did not answer.
  int64_t Committed(const std::string& topic) {
    std::vector<RdKafka::TopicPartition*> partitions;
    for (int p = 0; p < partitions_; ++p) {
      partitions.push_back(RdKafka::TopicPartition::create(topic, p));
    }
    int64_t sum = 0;
    if (consumer_->committed(partitions, 5000) != RdKafka::ERR_NO_ERROR) sum = -1;
    for (RdKafka::TopicPartition* partition : partitions) {
      if (sum >= 0 && partition->err() == RdKafka::ERR_NO_ERROR && partition->offset() > 0) {
        sum += partition->offset();
      }
    }
    RdKafka::TopicPartition::destroy(partitions);
    return sum;
  }

  // The sum of `topic`'s end offsets; -1 when it (or a partition) does not exist yet.
  int64_t End(const std::string& topic) {
    int64_t sum = 0;
    for (int p = 0; p < partitions_; ++p) {
      int64_t low = 0, high = 0;
      if (consumer_->query_watermark_offsets(topic, p, &low, &high, 5000) !=
          RdKafka::ERR_NO_ERROR) {
        return -1;
      }
      sum += high;
    }
    return sum;
  }

 private:
  OffsetProbe(std::unique_ptr<RdKafka::KafkaConsumer> consumer, int partitions)
      : consumer_(std::move(consumer)), partitions_(partitions) {}
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  int partitions_;
};

struct Side {
  std::string name;       // "judgment" or "streams"
  std::string command;    // complete, for this run
  std::string group;      // whose committed offsets say how far it is
  std::string sightings;  // its repartition topic
  std::string output;     // its judgments topic
};

// Starts `side`, waits until its group has committed every event and then every sighting,
// records the time and CPU at that moment, stops it and counts its output.
absl::StatusOr<v1::CompareRun> TimeRun(const StreamsCompareOptions& options, const Side& side,
                                       const kafka::Topics& topics, int pair, std::ostream& log) {
  v1::CompareRun run;
  run.set_side(side.name);
  run.set_pair(pair);
  auto probe = OffsetProbe::Create(options, side.group);
  if (!probe.ok()) return probe.status();
  const std::string log_path = absl::StrCat(options.dir, "/", side.name, "-", pair, ".log");
  const double broker_before =
      options.broker_pid > 0 ? CpuMeter::CpuSeconds(options.broker_pid) : 0;

  const int64_t start = NowNs();
  auto child = ChildProcess::Start(side.command, log_path);
  if (!child.ok()) return child.status();
  const int64_t deadline =
      start +
      absl::ToInt64Nanoseconds(absl::Seconds(120 + static_cast<double>(options.events) / 2000));
  bool events_done = false;
  int64_t events = -1, sightings_end = -1;
  int64_t first_commit = 0, first_committed = 0;
  double first_cpu = 0;
  while (true) {
    if (!child->Running()) {
      return absl::AbortedError(
          absl::StrCat(side.name, " exited before it had consumed the topic; see ", log_path));
    }
    if (NowNs() > deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          side.name, " had committed ", events, " of ", options.events, " events and ",
          probe->Committed(side.sightings), " of ", sightings_end, " sightings; see ", log_path));
    }
    if (!events_done) {
      events = probe->Committed(topics.events);
      if (events > 0 && first_commit == 0) {
        // Its first commit: start-up (for Streams: the JVM, the global table's restore, the
        // group join) is behind it.
        first_commit = NowNs();
        first_committed = events;
        first_cpu = CpuMeter::CpuSeconds(child->pid());
      }
      // Sightings are acknowledged before the events that made them are committed, so the
      // repartition topic's end is final from here on.
      events_done = events >= options.events;
      if (events_done) sightings_end = probe->End(side.sightings);
    }
    if (events_done && sightings_end >= 0 && probe->Committed(side.sightings) >= sightings_end) {
      break;
    }
    SleepUntilNs(NowNs() + 100'000'000);  // 100 ms: the resolution of the figures
  }
  const int64_t end = NowNs();
  const double cpu = CpuMeter::CpuSeconds(child->pid());
  const double broker_cpu =
      options.broker_pid > 0 ? CpuMeter::CpuSeconds(options.broker_pid) - broker_before : 0;
  child->Stop();

  const double seconds = static_cast<double>(end - start) / 1e9;
  run.set_events(static_cast<double>(events));
  run.set_seconds(seconds);
  run.set_events_per_s(static_cast<double>(events) / seconds);
  run.set_cpu_seconds(cpu);
  if (cpu > 0) run.set_events_per_cpu_second(static_cast<double>(events) / cpu);
  if (first_commit > 0 && end > first_commit && events > first_committed) {
    const double after = static_cast<double>(events - first_committed);
    run.set_first_commit_seconds(static_cast<double>(first_commit - start) / 1e9);
    run.set_after_first_commit_events_per_s(after /
                                            (static_cast<double>(end - first_commit) / 1e9));
    if (cpu > first_cpu) {
      run.set_after_first_commit_events_per_cpu_second(after / (cpu - first_cpu));
    }
  }
  run.set_sightings(static_cast<double>(sightings_end));
  run.set_judgments(static_cast<double>(probe->End(side.output)));
  if (options.broker_pid > 0) run.set_broker_cpu_seconds(broker_cpu);
  log << absl::StrFormat(
      "[bench]   pair %d %-8s %8.0f events/s (%.0f events in %.2f s), %.2f CPU-s = %.0f events "
      "per CPU-second; after its first commit (%.1f s): %.0f events/s, %.0f per CPU-second; "
      "%.0f sightings, %.0f judgments; broker %.2f CPU-s\n",
      pair, side.name, run.events_per_s(), run.events(), seconds, cpu, run.events_per_cpu_second(),
      run.first_commit_seconds(), run.after_first_commit_events_per_s(),
      run.after_first_commit_events_per_cpu_second(), run.sightings(), run.judgments(), broker_cpu);
  return run;
}

}  // namespace

absl::StatusOr<v1::JudgmentVsStreams> RunStreamsCompare(const StreamsCompareOptions& options,
                                                        std::ostream& log) {
  v1::JudgmentVsStreams result;
  const Workload workload(options.run_id);
  result.set_events(static_cast<double>(options.events));
  result.set_pairs(options.pairs);
  result.set_watchlist_hits_expected(static_cast<double>(workload.HitsIn(options.events)));
  result.set_judgment(options.judgment_command);
  result.set_streams(options.streams_command);
  std::filesystem::create_directories(options.dir);

  std::vector<double> rates[2], per_cpu[2];
  double preload_seconds = 0;
  for (int pair = 1; pair <= options.pairs; ++pair) {
    const std::string prefix = absl::StrCat(options.topic_prefix, "vs", pair, ".");
    const kafka::Topics topics(prefix);
    auto preloaded = Preload(options, workload, topics);
    if (!preloaded.ok()) return preloaded.status();
    preload_seconds += *preloaded;
    log << absl::StrFormat("[bench] pair %d: %d events preloaded to %s in %.1f s\n", pair,
                           options.events, topics.events, *preloaded);

    const std::string store = absl::StrCat(options.dir, "/judgment-", pair);
    const std::string application = absl::StrCat(prefix, "streams-bench");
    const std::string state = absl::StrCat(options.dir, "/streams-", pair);
    std::filesystem::remove_all(store);
    std::filesystem::remove_all(state);
    const Side sides[2] = {
        {"judgment",
         absl::StrCat(options.judgment_command, " --set kafka.topic_prefix=", prefix,
                      " --set store.path=", store, "/db --set grpc.port_file=", store, ".port"),
         prefix + "infobus-judgment", topics.hotspot_sightings, topics.judgments},
        {"streams",
         absl::StrCat(options.streams_command, " --prefix ", prefix, " --application-id ",
                      application, " --state-dir ", state),
         application, application + "-hotspot-sightings-repartition",
         prefix + "streams-bench.judgments.v1"},
    };
    double rate[2] = {0, 0}, cpu[2] = {0, 0};
    for (int s = 0; s < 2; ++s) {
      auto run = TimeRun(options, sides[s], topics, pair, log);
      if (!run.ok()) return run.status();
      run->set_topic_prefix(prefix);
      rate[s] = run->events_per_s();
      cpu[s] = run->events_per_cpu_second();
      rates[s].push_back(rate[s]);
      per_cpu[s].push_back(cpu[s]);
      *result.add_runs() = *std::move(run);
    }
    log << absl::StrFormat(
        "[bench] pair %d: judgment/Streams %.2fx on the wall clock, %.2fx per CPU-second\n", pair,
        rate[0] / rate[1], cpu[0] / cpu[1]);
  }
  result.set_preload_seconds(preload_seconds / options.pairs);
  result.set_judgment_events_per_s(Median(rates[0]));
  result.set_streams_events_per_s(Median(rates[1]));
  result.set_judgment_events_per_cpu_second(Median(per_cpu[0]));
  result.set_streams_events_per_cpu_second(Median(per_cpu[1]));
  return result;
}

}  // namespace infobus::bench
