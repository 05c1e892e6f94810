#include "tests/faults/r1_kill_nine.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/domain/subject.h"
#include "common/kafka/producer.h"
#include "common/util/time.h"
#include "tests/faults/fault_bus.h"
#include "tests/faults/fault_checks.h"
#include "tests/faults/fault_plan.h"
#include "tests/faults/publisher.h"
#include "tests/faults/sign_off_clerk.h"
#include "tests/faults/unit_follower.h"
#include "tests/integration/support/clients.h"
#include "tests/integration/support/identities.h"

namespace infobus::faults {
namespace {

using infobus::common::v1::Delivery;
using infobus::common::v1::Event;

// How far the publisher got; the killer waits on it to strike mid-stream.
class Progress {
 public:
  void Add(int64_t events) {
    absl::MutexLock lock(&mutex_);
    published_ += events;
  }
  void Finish() {
    absl::MutexLock lock(&mutex_);
    finished_at_ = absl::Now();
  }
  // Waits until `count` events are published, publishing ended, or `deadline`.
  void Await(int64_t count, absl::Time deadline) {
    absl::MutexLock lock(&mutex_);
    auto reached = [this, count]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
      return published_ >= count || finished_at_.has_value();
    };
    mutex_.AwaitWithDeadline(absl::Condition(&reached), deadline);
  }
  std::optional<absl::Time> finished_at() const {
    absl::MutexLock lock(&mutex_);
    return finished_at_;
  }
  void SetPublishing(bool publishing) {
    absl::MutexLock lock(&mutex_);
    publishing_ = publishing;
  }
  // Waits until a Publish is under way (true), publishing ended, or `timeout`.
  bool AwaitPublishing(absl::Duration timeout) {
    absl::MutexLock lock(&mutex_);
    auto busy = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
      return publishing_ || finished_at_.has_value();
    };
    mutex_.AwaitWithTimeout(absl::Condition(&busy), timeout);
    return publishing_;
  }

 private:
  mutable absl::Mutex mutex_;
  int64_t published_ ABSL_GUARDED_BY(mutex_) = 0;
  std::optional<absl::Time> finished_at_ ABSL_GUARDED_BY(mutex_);
  bool publishing_ ABSL_GUARDED_BY(mutex_) = false;
};

struct KillRound {
  std::string service;
  absl::Time killed_at;
  absl::Duration down;     // from kill -9 to the restart's first attempt
  absl::Duration restart;  // until the restarted process reported its port
};

absl::Duration Uniform(std::mt19937& random, absl::Duration max) {
  return absl::Milliseconds(random() % (absl::ToInt64Milliseconds(max) + 1));
}

// Kills a service with -9 `options.rounds` times at random points of the stream (each service
// in turn of a shuffled order, so each is killed about as often), and restarts it after a
// random while. Runs on its own thread; the only one touching the processes meanwhile.
absl::Status KillRounds(FaultBus& bus, const R1Options& options, Progress& progress,
                        std::mt19937& random, absl::Time give_up, LineLog& log,
                        std::vector<KillRound>& rounds) {
  auto services = bus.services();
  std::vector<int> order;
  for (int r = 0; r < options.rounds; ++r) order.push_back(r % static_cast<int>(services.size()));
  std::shuffle(order.begin(), order.end(), random);
  const int64_t segment = options.events / (options.rounds + 1);
  std::vector<int64_t> points;
  for (int r = 0; r < options.rounds; ++r) {
    const int64_t jitter = segment > 1 ? static_cast<int64_t>(random() % segment) - segment / 2 : 0;
    points.push_back(std::max<int64_t>(1, (r + 1) * segment + jitter));
  }
  std::sort(points.begin(), points.end());

  for (int r = 0; r < options.rounds; ++r) {
    progress.Await(points[r], give_up);
    if (absl::Now() >= give_up)
      return absl::DeadlineExceededError("the kill rounds ran out of time");
    auto& [name, process] = services[order[r]];
    // A random moment: for collection, within a Publish call (it is busy only then); for the
    // others, which are always busy with the stream, anywhere.
    if (name == "collection" && progress.AwaitPublishing(absl::Seconds(5))) {
      absl::SleepFor(Uniform(random, absl::Milliseconds(5)));
    } else {
      absl::SleepFor(Uniform(random, absl::Milliseconds(300)));
    }
    KillRound& round = rounds.emplace_back();
    round.service = name;
    round.killed_at = absl::Now();
    process->Kill();
    round.down = Uniform(random, absl::Milliseconds(1500));
    absl::SleepFor(round.down);  // the fault: the service stays dead a while
    const absl::Time restart = absl::Now();
    absl::Status started;
    for (int attempt = 0; attempt < 3; ++attempt) {
      started = process->Start(absl::Seconds(120));
      if (started.ok()) break;
    }
    if (!started.ok()) {
      return absl::UnavailableError(
          absl::StrCat(name, " did not restart after round ", r + 1, ": ", started.message()));
    }
    round.restart = absl::Now() - restart;
    log(absl::StrCat("R1 round ", r + 1, "/", options.rounds, ": kill -9 ", name, " at event ~",
                     points[r], ", down ", absl::FormatDuration(round.down), ", restarted in ",
                     absl::FormatDuration(round.restart)));
  }
  return absl::OkStatus();
}

// The record of `event` as collection would have written it, produced once more onto the
// events topic: what a collection crash between Kafka's ack and its own bookkeeping leaves.
absl::Status ProduceRepeat(kafka::Producer& producer, const std::string& topic, Event event) {
  if (event.location().jurisdiction_code().empty()) {
    event.mutable_location()->set_jurisdiction_code(event.county_code());
  }
  *event.mutable_ingested_at() = ToProtoTimestamp(absl::Now());
  event.set_trace_id("repeat-" + event.event_id());
  kafka::OutgoingMessage message{topic,
                                 domain::SubjectKey(event.subjects(0)),
                                 event.SerializeAsString(),
                                 {{kafka::kTraceIdHeader, event.trace_id()},
                                  {kafka::kSourceIdHeader, event.source_id()},
                                  {kafka::kSchemaHeader, Event::descriptor()->full_name()}}};
  return producer.ProduceAll({message})[0];
}

UnitStreams Streams(const std::vector<std::unique_ptr<UnitFollower>>& followers) {
  UnitStreams streams;
  for (const auto& follower : followers) streams[follower->unit_id()] = follower->deliveries();
  return streams;
}

size_t Received(const std::vector<std::unique_ptr<UnitFollower>>& followers) {
  size_t total = 0;
  for (const auto& follower : followers) total += follower->count();
  return total;
}

}  // namespace

CheckResult RunR1(const R1Options& options, const std::string& bootstrap, const std::string& dir,
                  LineLog& log) {
  CheckResult result;
  auto fail = [&result](std::string finding) {
    result.findings.push_back(std::move(finding));
    result.line = "R1 result=FAIL (" + result.findings.front() + ")";
    return result;
  };
  std::mt19937 random(options.seed);
  FaultBus bus("r1", dir, bootstrap, options.deadline, options.threshold);
  if (absl::Status status = bus.StartAll(absl::Seconds(120)); !status.ok()) {
    return fail(std::string(status.message()));
  }
  PlanOptions plan_options;
  plan_options.id_prefix = "r1";
  plan_options.events = options.events;
  plan_options.high_hits = options.high_hits;
  plan_options.clusters = options.clusters;
  plan_options.threshold = options.threshold;
  plan_options.seed = options.seed;
  plan_options.now = absl::Now();
  const FaultPlan plan = MakePlan(plan_options);
  if (absl::Status status = bus.LoadWatchlist(plan); !status.ok()) {
    return fail(std::string(status.message()));
  }
  log(absl::StrCat("R1: services up, ", plan.medium_phones.size() + plan.high_phones.size(),
                   " watchlist entries; streaming ", options.events, " events at ", options.rate,
                   "/s with ", options.rounds, " kill -9 rounds"));

  const absl::Duration stream_time = absl::Seconds(options.events / options.rate);
  const absl::Time give_up = absl::Now() + 3 * stream_time + options.drain_timeout;
  const std::string dispatch = bus.dispatch().address();
  SignOffClerk clerk(
      [&dispatch](const std::string& unit) {
        return testing::ReconnectingChannel(
            dispatch, testing::AsOfficer(unit, "INTERNAL", "duty-officer-" + unit));
      },
      give_up);
  auto sign_off = [&plan](const Delivery& delivery) {
    if (delivery.escalation_level() != 0 || delivery.judgment().rule_id() != kWatchlistRule ||
        delivery.judgment().evidence_size() == 0) {
      return false;
    }
    const PlannedEvent* event = FindEvent(plan, delivery.judgment().evidence(0).event_id());
    return event != nullptr && event->sign_off;
  };
  std::vector<std::unique_ptr<UnitFollower>> followers;
  for (const FaultUnit& unit : FaultUnits()) {
    followers.push_back(std::make_unique<UnitFollower>(
        testing::ReconnectingChannel(dispatch, testing::AsOfficer(unit.id)), unit.id, sign_off,
        &clerk, give_up));
  }
  auto producer = kafka::Producer::Create(bootstrap, {});
  if (!producer.ok()) return fail(std::string(producer.status().message()));

  // The stream, with the killer on its own thread.
  const absl::Time started = absl::Now();
  Progress progress;
  std::vector<KillRound> rounds;
  absl::Status killer_status;
  std::thread killer(
      [&] { killer_status = KillRounds(bus, options, progress, random, give_up, log, rounds); });
  RetryingPublisher publisher(bus.collection().address(), absl::Seconds(5));
  std::set<std::string> accepted;
  std::vector<Event> to_repeat;
  auto on_accepted = [&](const Event& event, absl::Time, bool) {
    accepted.insert(EventKey(event.source_id(), event.event_id()));
    const PlannedEvent* planned = FindEvent(plan, event.event_id());
    if (planned != nullptr && planned->repeat) to_repeat.push_back(event);
  };
  int repeats = 0;
  absl::Status publish_status;
  const size_t batch_size = static_cast<size_t>(std::max(1, options.batch));
  for (size_t first = 0; first < plan.events.size(); first += batch_size) {
    const absl::Time due = started + absl::Seconds(static_cast<double>(first) / options.rate);
    if (absl::Now() < due) absl::SleepFor(due - absl::Now());  // pacing the offered load
    const size_t end = std::min(plan.events.size(), first + batch_size);
    std::vector<Event> batch;
    for (size_t i = first; i < end; ++i) batch.push_back(plan.events[i].event);
    progress.SetPublishing(true);
    publish_status = publisher.Publish(std::move(batch), give_up, on_accepted);
    progress.SetPublishing(false);
    if (!publish_status.ok()) break;
    for (const Event& event : to_repeat) {
      if (absl::Status status = ProduceRepeat(**producer, bus.Topic("infobus.events.v1"), event);
          !status.ok()) {
        publish_status = status;
      }
      ++repeats;
    }
    to_repeat.clear();
    progress.Add(static_cast<int64_t>(end - first));
  }
  progress.Finish();
  const absl::Time stream_end = absl::Now();
  killer.join();
  log(absl::StrCat("R1: stream done in ", absl::FormatDuration(stream_end - started),
                   "; draining"));
  if (!publish_status.ok()) return fail("publishing: " + std::string(publish_status.message()));
  if (!killer_status.ok()) return fail(std::string(killer_status.message()));
  for (auto& [name, process] : bus.services()) {
    if (process->Exited()) {
      result.findings.push_back(name + " exited by itself (not killed by the suite)");
      if (absl::Status status = process->Start(absl::Seconds(120)); !status.ok()) {
        return fail(std::string(status.message()));
      }
    }
  }

  // Drain: every sign-off answered, every expected delivery in (escalations included), every
  // deadline past; then one sentinel per place must come through after all that.
  const absl::Time drain_deadline = absl::Now() + options.drain_timeout;
  clerk.WaitIdle(options.drain_timeout);
  const size_t at_least = plan.events.size();
  DeliveryFigures figures;
  while (absl::Now() < drain_deadline) {
    if (Received(followers) >= at_least) {
      figures =
          CheckDeliveries(plan, plan.events.size(), false, Streams(followers), clerk.signed_at());
      if (figures.lost == 0) break;
    }
    absl::SleepFor(absl::Seconds(2));  // polling other processes' progress
  }
  absl::Time last_deadline = absl::Now();
  for (const auto& [unit, deliveries] : Streams(followers)) {
    for (const Delivery& delivery : deliveries) {
      if (delivery.has_deadline()) {
        last_deadline = std::max(last_deadline, FromProtoTimestamp(delivery.deadline()));
      }
    }
  }
  if (absl::Now() < last_deadline) absl::SleepFor(last_deadline - absl::Now());
  std::vector<Event> sentinels;
  for (const PlannedEvent& sentinel : plan.sentinels) sentinels.push_back(sentinel.event);
  if (absl::Status status = publisher.Publish(sentinels, drain_deadline, on_accepted);
      !status.ok()) {
    return fail("publishing the sentinels: " + std::string(status.message()));
  }
  for (;;) {
    figures =
        CheckDeliveries(plan, plan.events.size(), true, Streams(followers), clerk.signed_at());
    if (figures.lost == 0 || absl::Now() >= drain_deadline) break;
    absl::SleepFor(absl::Seconds(1));  // polling other processes' progress
  }
  for (auto& follower : followers) follower->Stop();
  clerk.Stop();
  // What the streams hold now, after they stopped: the figures reported.
  figures = CheckDeliveries(plan, plan.events.size(), true, Streams(followers), clerk.signed_at());
  const absl::Duration wall = absl::Now() - started;

  // Collection's side: every accepted event is in the events topic.
  auto topic = bus.ReadEvents();
  if (!topic.ok()) {
    return fail("reading the events topic: " + std::string(topic.status().message()));
  }
  int64_t missing = 0;
  for (const std::string& key : accepted) missing += topic->event_ids.count(key) == 0 ? 1 : 0;

  std::map<std::string, int> kills;
  int mid_stream = 0;
  for (const KillRound& round : rounds) {
    ++kills[round.service];
    if (round.killed_at < stream_end) ++mid_stream;
  }
  int subscriptions = 0;
  std::map<int, int> endings;
  for (const auto& follower : followers) {
    subscriptions += follower->subscriptions();
    for (const auto& [code, count] : follower->endings()) endings[code] += count;
  }
  log("R1: streams ended by status code: " +
      absl::StrJoin(endings, ", ", absl::PairFormatter("×")));
  const PublishFigures published = publisher.figures();

  const int64_t stream_accepted =
      std::count_if(plan.events.begin(), plan.events.end(), [&](const PlannedEvent& event) {
        return accepted.count(EventKey(event.event.source_id(), event.event.event_id())) > 0;
      });
  result.passed = figures.ok() && missing == 0 && stream_accepted == options.events &&
                  static_cast<int>(rounds.size()) == options.rounds && clerk.given_up() == 0 &&
                  result.findings.empty();
  result.line = absl::StrCat(
      "R1 rounds=", rounds.size(), " (collection ", kills["collection"], ", judgment ",
      kills["judgment"], ", dispatch ", kills["dispatch"], "; ", mid_stream, " mid-stream)",
      " events=", options.events, " accepted=", stream_accepted,
      " in_topic=", accepted.size() - static_cast<size_t>(missing), "/", accepted.size(),
      " repeated_records=", topic->records - static_cast<int64_t>(topic->event_ids.size()), " (",
      repeats, " injected) deliveries=", figures.received, " lost=", figures.lost,
      " dup_deliveries=", figures.dup_deliveries, " seq_gaps=", figures.seq_gaps,
      " unexpected=", figures.unexpected, " hotspots_exact=", figures.hotspots_exact, "/",
      figures.hotspots, " (", figures.hotspots_fired, " fire) escalations=", figures.escalations,
      "/", figures.escalations_expected, " early=", figures.early_escalations,
      " signed_in_time=", figures.signed_in_time,
      " resubscribes=", subscriptions - static_cast<int>(followers.size()),
      " publish_retries=", published.retry + published.call_errors,
      " wall=", absl::ToInt64Seconds(wall), "s", " result=", result.passed ? "PASS" : "FAIL");
  for (const std::string& problem : figures.problems) result.findings.push_back(problem);
  if (missing > 0) {
    result.findings.push_back(absl::StrCat(missing, " accepted events not in the events topic"));
  }
  if (clerk.given_up() > 0) {
    result.findings.push_back(absl::StrCat(clerk.given_up(), " sign-offs never answered"));
  }

  for (auto& [name, process] : bus.services()) {
    if (absl::Status status = process->Stop(); !status.ok()) {
      log(absl::StrCat("R1: stopping ", name, ": ", status.message()));
    }
  }
  return result;
}

}  // namespace infobus::faults
