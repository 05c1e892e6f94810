#include "tests/faults/r2_broker_outage.h"

#include <algorithm>
#include <atomic>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "tests/faults/fault_bus.h"
#include "tests/faults/fault_checks.h"
#include "tests/faults/fault_plan.h"
#include "tests/faults/publisher.h"
#include "tests/faults/unit_follower.h"
#include "tests/integration/support/clients.h"
#include "tests/integration/support/identities.h"

namespace infobus::faults {
namespace {

// grpc.health.v1 of the whole server, asked as `service` itself (its own certificate, as
// compose's checks ask); UNKNOWN when the call itself fails.
testing::ServingStatus Health(const std::string& address, const std::string& service) {
  auto status = testing::CheckHealth(address, testing::ServiceIdentity(service));
  return status.ok() ? *status : testing::ServingStatus::HealthCheckResponse_ServingStatus_UNKNOWN;
}

using infobus::common::v1::Event;

constexpr absl::Duration kServingTimeout = absl::Minutes(3);
constexpr absl::Duration kHealthPoll = absl::Milliseconds(250);

std::string Seconds(absl::Duration d) {
  return absl::StrCat(absl::ToInt64Milliseconds(d) / 100 / 10.0, "s");
}

// The services one outage concerns, with what was seen of them.
struct Watched {
  std::string name;
  std::string service;  // collection, judgment or dispatch
  testing::ServiceProcess* process = nullptr;
  std::string address;  // where its health is asked
  bool not_serving_seen = false;
  std::optional<absl::Duration> serving_after;  // from the broker's return
};

// Polls every watched service's health until `until`: notes NOT_SERVING answers and services
// that exited.
void WatchUntil(std::initializer_list<std::vector<Watched>*> lists, absl::Time until,
                std::set<std::string>& exited) {
  while (absl::Now() < until) {
    for (std::vector<Watched>* list : lists) {
      for (Watched& w : *list) {
        if (!w.process->running()) continue;
        if (w.process->Exited()) {
          exited.insert(w.name);
          continue;
        }
        if (Health(w.address, w.service) ==
            testing::ServingStatus::HealthCheckResponse_ServingStatus_NOT_SERVING)
          w.not_serving_seen = true;
      }
    }
    absl::SleepFor(std::min(kHealthPoll, std::max(absl::ZeroDuration(), until - absl::Now())));
  }
}

// After the broker came back at `back_at`: waits for each running service to answer SERVING.
void AwaitServing(std::initializer_list<std::vector<Watched>*> lists, absl::Time back_at,
                  std::set<std::string>& exited) {
  const absl::Time deadline = absl::Now() + kServingTimeout;
  for (;;) {
    bool all = true;
    for (std::vector<Watched>* list : lists) {
      for (Watched& w : *list) {
        if (w.serving_after.has_value() || !w.process->running()) continue;
        if (w.process->Exited()) {
          exited.insert(w.name);
          continue;
        }
        if (Health(w.address, w.service) ==
            testing::ServingStatus::HealthCheckResponse_ServingStatus_SERVING) {
          w.serving_after = absl::Now() - back_at;
        } else {
          all = false;
        }
      }
    }
    if (all || absl::Now() >= deadline) return;
    absl::SleepFor(kHealthPoll);  // polling other processes' health
  }
}

std::string ServingFigures(const std::vector<Watched>& watched) {
  std::vector<std::string> parts;
  for (const Watched& w : watched) {
    parts.push_back(absl::StrCat(w.name, " ", w.serving_after ? Seconds(*w.serving_after) : "never",
                                 w.not_serving_seen ? "" : " (never seen NOT_SERVING)"));
  }
  return absl::StrJoin(parts, ", ");
}

int ServingCount(const std::vector<Watched>& watched) {
  return static_cast<int>(std::count_if(watched.begin(), watched.end(), [](const Watched& w) {
    return w.serving_after.has_value();
  }));
}

std::vector<Watched> WatchList(FaultBus& bus, const std::string& suffix) {
  std::vector<Watched> watched;
  for (auto& [name, process] : bus.services()) {
    Watched& w = watched.emplace_back();
    w.name = name + suffix;
    w.service = name;
    w.process = process;
    w.address = process->address();
  }
  return watched;
}

}  // namespace

CheckResult RunR2(const R2Options& options, KafkaBroker& broker, const std::string& dir,
                  LineLog& log) {
  CheckResult result;
  auto fail = [&result](std::string finding) {
    result.findings.push_back(std::move(finding));
    result.line = "R2 result=FAIL (" + result.findings.front() + ")";
    return result;
  };
  const std::string bootstrap = broker.bootstrap_servers();
  const absl::Duration phase = std::max(absl::Seconds(5), options.outage / 4);
  FaultBus bus("r2", dir, bootstrap, absl::Seconds(3), 5);
  if (absl::Status status = bus.StartAll(absl::Seconds(120)); !status.ok()) {
    return fail(std::string(status.message()));
  }
  PlanOptions plan_options;
  plan_options.id_prefix = "r2";
  // Enough for the whole timeline; the stream stops where it got to.
  plan_options.events = static_cast<int>(
      options.rate * absl::ToDoubleSeconds(3 * phase + 2 * options.outage + absl::Minutes(4)));
  plan_options.high_hits = 0;
  plan_options.clusters = 0;
  plan_options.seed = options.seed;
  plan_options.now = absl::Now();
  const FaultPlan plan = MakePlan(plan_options);
  if (absl::Status status = bus.LoadWatchlist(plan); !status.ok()) {
    return fail(std::string(status.message()));
  }
  const absl::Time give_up =
      absl::Now() + 2 * options.outage + 3 * kServingTimeout + 3 * phase + options.drain_timeout;
  std::vector<std::unique_ptr<UnitFollower>> followers;
  for (const FaultUnit& unit : FaultUnits()) {
    followers.push_back(std::make_unique<UnitFollower>(
        testing::ReconnectingChannel(bus.dispatch().address(), testing::AsOfficer(unit.id)),
        unit.id, nullptr, nullptr, give_up));
  }
  log(absl::StrCat("R2: services up; streaming at ", options.rate, "/s; outages of ",
                   absl::FormatDuration(options.outage)));

  // The stream, on its own thread until told to stop; it finishes the batch in hand first.
  RetryingPublisher publisher(bus.collection().address(), absl::Seconds(5));
  absl::Mutex mutex;
  // Event key → when it was first answered ACCEPTED (or DUPLICATE), and which.
  std::map<std::string, std::pair<absl::Time, bool>> accepted;
  std::atomic<bool> stop{false};
  size_t published = 0;
  absl::Status publish_status;
  const absl::Time started = absl::Now();
  std::thread stream([&] {
    const size_t batch_size = static_cast<size_t>(std::max(1, options.batch));
    for (size_t first = 0; first < plan.events.size() && !stop; first += batch_size) {
      const absl::Time due = started + absl::Seconds(static_cast<double>(first) / options.rate);
      if (absl::Now() < due) absl::SleepFor(due - absl::Now());  // pacing the offered load
      const size_t end = std::min(plan.events.size(), first + batch_size);
      std::vector<Event> batch;
      for (size_t i = first; i < end; ++i) batch.push_back(plan.events[i].event);
      publish_status = publisher.Publish(
          std::move(batch), give_up, [&](const Event& event, absl::Time at, bool duplicate) {
            absl::MutexLock lock(&mutex);
            accepted.emplace(EventKey(event.source_id(), event.event_id()),
                             std::make_pair(at, duplicate));
          });
      if (!publish_status.ok()) return;
      published = end;
    }
  });

  std::set<std::string> exited;
  std::vector<Watched> main_services = WatchList(bus, "");
  WatchUntil({&main_services}, absl::Now() + phase, exited);

  // Outage 1: a controlled shutdown.
  const absl::Time stop_begin = absl::Now();
  if (absl::Status status = broker.Stop(); !status.ok()) {
    log("R2: stopping the broker: " + std::string(status.message()));
  }
  const absl::Time down1 = absl::Now();
  log(absl::StrCat("R2: broker stopped (SIGTERM) in ", Seconds(down1 - stop_begin)));
  WatchUntil({&main_services}, down1 + options.outage, exited);
  const absl::Time restart1 = absl::Now();
  if (absl::Status status = broker.Start(); !status.ok()) {
    stop = true;
    stream.join();
    return fail("restarting the broker: " + std::string(status.message()));
  }
  const absl::Time up1 = absl::Now();
  std::vector<Watched> after_stop = main_services;
  AwaitServing({&after_stop}, up1, exited);
  log(absl::StrCat("R2: broker back after ", Seconds(up1 - down1),
                   "; SERVING again: ", ServingFigures(after_stop)));
  result.details.push_back(absl::StrCat(
      "R2 outage=stop stopped_in=", Seconds(down1 - stop_begin), " down=", Seconds(up1 - down1),
      " (restart took ", Seconds(up1 - restart1), ") serving_again=", ServingCount(after_stop), "/",
      after_stop.size(), " [", ServingFigures(after_stop), "]"));

  std::vector<Watched> between = WatchList(bus, "");
  WatchUntil({&between}, absl::Now() + phase, exited);

  // Outage 2: kill -9; meanwhile a second bus starts from cold.
  if (absl::Status status = broker.Kill(); !status.ok()) {
    stop = true;
    stream.join();
    return fail("kill -9 of the broker: " + std::string(status.message()));
  }
  const absl::Time down2 = absl::Now();
  log("R2: broker killed (-9)");
  std::vector<Watched> after_kill = WatchList(bus, "");
  // Meanwhile a second bus's services start from cold, each on an address of its own (they
  // write their port file only once they serve): they must come up, answer NOT_SERVING while
  // the broker is down, and SERVING once it is back.
  FaultBus cold("r2-cold", dir, bootstrap, absl::Seconds(3), 5);
  std::vector<Watched> cold_watch;
  uint32_t port_seed = options.seed;
  for (auto& [name, process] : cold.services()) {
    Watched& w = cold_watch.emplace_back();
    w.name = name + " (cold)";
    w.service = name;
    w.process = process;
    auto port = FreePorts(1, ++port_seed);
    absl::Status launched = port.status();
    if (port.ok()) {
      w.address = absl::StrCat("127.0.0.1:", *port);
      launched = process->Launch(w.address);
    }
    if (!launched.ok()) {
      result.findings.push_back(
          absl::StrCat("launching ", w.name, ": ", launched.message().substr(0, 400)));
    }
  }
  WatchUntil({&after_kill, &cold_watch}, down2 + options.outage, exited);
  std::vector<std::string> cold_starts;
  int cold_started = 0;
  for (const Watched& w : cold_watch) {
    const bool up = w.process->running() && w.not_serving_seen;
    cold_started += up ? 1 : 0;
    cold_starts.push_back(
        absl::StrCat(w.name.substr(0, w.name.find(' ')), up ? " NOT_SERVING" : " not up"));
    if (!up) {
      result.findings.push_back(absl::StrCat(
          w.name, " started with the broker down did not answer NOT_SERVING",
          w.process->running() ? "" : " (it exited)", "; log:\n", w.process->Log().substr(0, 600)));
    }
  }
  log("R2: cold starts with the broker down: " + absl::StrJoin(cold_starts, ", "));
  const absl::Time restart2 = absl::Now();
  if (absl::Status status = broker.Start(); !status.ok()) {
    stop = true;
    stream.join();
    return fail("restarting the broker: " + std::string(status.message()));
  }
  const absl::Time up2 = absl::Now();
  AwaitServing({&after_kill, &cold_watch}, up2, exited);
  log(absl::StrCat("R2: broker back after ", Seconds(up2 - down2), "; SERVING again: ",
                   ServingFigures(after_kill), "; cold-started: ", ServingFigures(cold_watch)));
  result.details.push_back(absl::StrCat(
      "R2 outage=kill9 down=", Seconds(up2 - down2), " (restart took ", Seconds(up2 - restart2),
      ") serving_again=", ServingCount(after_kill), "/", after_kill.size(), " [",
      ServingFigures(after_kill), "] cold_start=", cold_started, "/", cold_watch.size(), " [",
      absl::StrJoin(cold_starts, ", "), "] cold_serving=", ServingCount(cold_watch), "/",
      cold_started, " [", ServingFigures(cold_watch), "]"));

  std::vector<Watched> tail = WatchList(bus, "");
  WatchUntil({&tail}, absl::Now() + phase, exited);
  stop = true;
  stream.join();
  const absl::Time stream_end = absl::Now();
  if (!publish_status.ok()) return fail("publishing: " + std::string(publish_status.message()));
  log(absl::StrCat("R2: stream stopped after ", published, " events; draining"));

  // Drain: every accepted event judged (the judgments topic), then delivered.
  const absl::Time drain_deadline = absl::Now() + options.drain_timeout;
  std::set<std::string> judged;
  size_t judged_count = 0;
  for (;;) {
    auto read = bus.ReadJudgedEvents();
    if (read.ok()) {
      judged = std::move(*read);
      judged_count = 0;
      for (const auto& [key, answer] : accepted) judged_count += judged.count(key);
      if (judged_count == accepted.size()) break;
    }
    if (absl::Now() >= drain_deadline) break;
    absl::SleepFor(absl::Seconds(2));  // polling other processes' progress
  }
  std::vector<Event> sentinels;
  for (const PlannedEvent& sentinel : plan.sentinels) sentinels.push_back(sentinel.event);
  if (absl::Status status =
          publisher.Publish(sentinels, drain_deadline, [](const Event&, absl::Time, bool) {});
      !status.ok()) {
    return fail("publishing the sentinels: " + std::string(status.message()));
  }
  DeliveryFigures figures;
  auto streams = [&followers] {
    UnitStreams out;
    for (const auto& follower : followers) out[follower->unit_id()] = follower->deliveries();
    return out;
  };
  for (;;) {
    figures = CheckDeliveries(plan, published, true, streams(), {});
    if (figures.lost == 0 || absl::Now() >= drain_deadline) break;
    absl::SleepFor(absl::Seconds(1));  // polling other processes' progress
  }
  for (auto& follower : followers) follower->Stop();
  figures = CheckDeliveries(plan, published, true, streams(), {});
  const absl::Duration wall = absl::Now() - started;

  auto topic = bus.ReadEvents();
  if (!topic.ok()) {
    return fail("reading the events topic: " + std::string(topic.status().message()));
  }
  int64_t missing = 0;
  int64_t in_outage = 0;
  for (const auto& [key, answer] : accepted) {
    const auto& [at, duplicate] = answer;
    if (topic->event_ids.count(key) == 0) {
      ++missing;
      if (result.findings.size() < 10) {
        result.findings.push_back("answered ACCEPTED but not in the events topic: " + key);
      }
    }
    // DUPLICATE needs no broker (collection's own store knows the event): only ACCEPTED counts.
    if (!duplicate && ((at >= down1 && at < restart1) || (at >= down2 && at < restart2))) {
      ++in_outage;
    }
  }
  int64_t stream_accepted = 0;
  for (size_t i = 0; i < published; ++i) {
    const Event& event = plan.events[i].event;
    stream_accepted += accepted.count(EventKey(event.source_id(), event.event_id()));
  }
  const PublishFigures answers = publisher.figures();
  const int serving =
      ServingCount(after_stop) + ServingCount(after_kill) + ServingCount(cold_watch);
  const size_t watched = after_stop.size() + after_kill.size() + cold_watch.size();
  for (const std::string& name : exited) {
    result.findings.push_back(name + " exited during the outages (it had to be started again)");
  }
  for (const std::string& problem : figures.problems) result.findings.push_back(problem);

  result.passed = missing == 0 && judged_count == accepted.size() &&
                  stream_accepted == static_cast<int64_t>(published) && figures.ok() &&
                  serving == static_cast<int>(watched) && exited.empty() && cold_started == 3 &&
                  result.findings.empty();
  result.line = absl::StrCat(
      "R2 outages=stop:", Seconds(options.outage), ",kill9:", Seconds(options.outage),
      " events=", published, " accepted=", stream_accepted, " in_topic=", accepted.size() - missing,
      "/", accepted.size(), " judged=", judged_count, "/", accepted.size(),
      " deliveries=", figures.received, " lost=", figures.lost,
      " dup_deliveries=", figures.dup_deliveries, " seq_gaps=", figures.seq_gaps,
      " serving_again=", serving, "/", watched, " exited=", exited.size(),
      " cold_start=", cold_started, "/3 accepted_in_outage=", in_outage,
      " retry_answers=", answers.retry, " failed_calls=", answers.call_errors,
      " (deadline_exceeded=", answers.deadline_exceeded,
      ") longest_call=", Seconds(answers.longest_call),
      " stream=", absl::ToInt64Seconds(stream_end - started), "s wall=", absl::ToInt64Seconds(wall),
      "s result=", result.passed ? "PASS" : "FAIL");

  // With the broker down once more, every service must still stop cleanly on SIGTERM.
  if (absl::Status status = broker.Stop(); !status.ok()) {
    log("R2: stopping the broker: " + std::string(status.message()));
  }
  std::vector<std::string> stops;
  int clean = 0;
  int total = 0;
  absl::Duration slowest;
  std::vector<Watched> all = WatchList(bus, "");
  for (const Watched& w : cold_watch) all.push_back(w);
  for (Watched& w : all) {
    if (!w.process->running()) continue;
    ++total;
    const absl::Time begin = absl::Now();
    absl::Status status = w.process->Stop(absl::Seconds(30));
    const absl::Duration took = absl::Now() - begin;
    slowest = std::max(slowest, took);
    if (status.ok()) {
      ++clean;
    } else {
      result.findings.push_back(
          absl::StrCat("SIGTERM of ", w.name, " with the broker down: ", status.message()));
    }
    stops.push_back(absl::StrCat(w.name, " ", Seconds(took), status.ok() ? "" : " NOT CLEAN"));
  }
  const bool stops_ok = clean == total;
  result.details.push_back(absl::StrCat("R2 sigterm_with_broker_down clean=", clean, "/", total,
                                        " slowest=", Seconds(slowest), " [",
                                        absl::StrJoin(stops, ", "), "]"));
  if (!stops_ok) {
    result.passed = false;
    absl::StrReplaceAll({{"result=PASS", "result=FAIL"}}, &result.line);
  }
  return result;
}

}  // namespace infobus::faults
