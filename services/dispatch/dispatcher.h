#pragma once

#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/kafka/message.h"
#include "common/stream/participant.h"
#include "common/stream/transaction.h"
#include "common/util/clock.h"
#include "services/dispatch/dispatch_events.h"
#include "services/dispatch/inbox.h"
#include "services/dispatch/routing_source.h"

namespace infobus::dispatch {

// The consumer loop's side of dispatch, apart from Kafka so it can be driven by tests: routes a
// judgment into inboxes, and escalates deliveries whose sign-off deadline passed. Each call
// stages its state changes and its dispatch events into the turn's transaction and enlists the
// inbox, then the dispatcher, as its participants: once the loop has produced the events and
// written the batch, the inbox's staged heads become visible, then the dispatcher counts (or
// both drop what they staged). Single-threaded: the consumer-loop thread only.
//
// Escalation: a delivery whose judgment has a response deadline of its own (set by its rule,
// Judgment.response_deadline) or whose severity has a sign-off deadline (routing file
// sign_off_deadlines), and whose unit has a supervisor, gets a deadline when it enters the
// inbox; the judgment's own wins.
// Once the clock is past the deadline, if nobody signed it off (or gave feedback) by then, the
// judgment is delivered to the supervisor, marked escalated (escalated_from, escalation_level),
// with a deadline of its own, and so on up the chain. A supervisor that already has the judgment
// is not given it twice; the escalation then points at the delivery it has.
//
// Need-to-know (Router): a judgment goes only to units cleared for it; a delivery made in
// another unit's place says so (rerouted_from_unit, reroute_reason, in its DELIVERED event too).
// An escalation skips a supervisor not cleared for the judgment for the nearest one above that
// is. A judgment nobody up the chain is cleared for is not delivered: logged and counted in
// infobus_dispatch_undelivered_for_clearance_total (not dead-lettered: the record is valid, the
// routing file is what lacks a clearance, and a copy on the dead-letter topic would hand the
// judgment to whoever reads that topic).
class Dispatcher final : public stream::Participant {
 public:
  Dispatcher(RoutingSource* routing, Inbox* inbox, ClockPtr clock, std::string events_topic)
      : routing_(routing),
        inbox_(inbox),
        clock_(std::move(clock)),
        events_topic_(std::move(events_topic)) {}

  // Enlists the inbox, then the dispatcher, in `context` (each Stage call does too): a handler
  // that settles after the dispatcher enlists itself after calling this.
  void EnlistIn(stream::Transaction& context);
  // Stages delivery of `judgment` to every unit the routing names. Returns the units it went to
  // (new deliveries only) through TakeTouchedUnits().
  absl::Status StageJudgment(const Judgment& judgment, stream::Transaction& context);
  // Handles up to `limit` deadlines that are due by the clock.
  absl::Status StageDueEscalations(stream::Transaction& context, size_t limit = 500);
  // stream::Participant: the staged deliveries become visible in the inboxes (and counted), or
  // are dropped.
  void Committed() override;
  void Aborted() override;
  // Units with new deliveries since the last call (to wake their streams after a commit).
  std::vector<std::string> TakeTouchedUnits();

 private:
  void Emit(DispatchEventType type, const Delivery& delivery, absl::Time at,
            stream::Transaction& context) const;
  Inbox::StageOptions OptionsFor(const RoutingTable& table, const std::string& unit_id,
                                 const Judgment& judgment) const;

  RoutingSource* const routing_;
  Inbox* const inbox_;
  const ClockPtr clock_;
  const std::string events_topic_;
  std::set<std::string> touched_;
  std::set<std::string> staged_touched_;
  // Units of deliveries made / escalated in the batch being staged, counted once it commits.
  std::vector<std::string> staged_delivered_;
  std::vector<std::string> staged_escalated_;
  // Units a judgment was meant for but not cleared for: rerouted up / delivered nowhere.
  std::vector<std::string> staged_rerouted_;
  std::vector<std::string> staged_undelivered_;
  std::vector<absl::Duration> staged_latencies_;
};

}  // namespace infobus::dispatch
