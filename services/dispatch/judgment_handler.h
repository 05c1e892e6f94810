#pragma once

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/stream/consumer_loop.h"
#include "services/dispatch/dispatcher.h"
#include "services/dispatch/inbox_notifier.h"
#include "services/dispatch/routing_source.h"

namespace infobus::dispatch {

// The consumer-loop adapter of the Dispatcher: judgments from the topic go into inboxes
// (HandleBatch); on every turn of the loop the routing file is checked for changes and due
// deadlines are escalated (OnTick); once a batch is durable the units' live streams are woken.
// A record that is not a valid Judgment (codec::DecodeJudgment) goes to the dead-letter topic.
// Runs on the loop thread.
class JudgmentHandler final : public stream::RecordHandler, private stream::Participant {
 public:
  JudgmentHandler(Dispatcher* dispatcher, InboxNotifier* notifier, RoutingSource* routing,
                  absl::Duration reload_interval)
      : dispatcher_(dispatcher),
        notifier_(notifier),
        routing_(routing),
        reload_interval_(reload_interval) {}

  // stream::RecordHandler
  void HandleBatch(const std::vector<kafka::Record>& records,
                   stream::Transaction& context) override;
  void OnTick(stream::Transaction& context) override;

 private:
  // stream::Participant: what each turn staged becomes visible, or is dropped.
  void Committed() override;
  void Aborted() override;
  Dispatcher* const dispatcher_;
  InboxNotifier* const notifier_;
  RoutingSource* const routing_;
  const absl::Duration reload_interval_;
};

}  // namespace infobus::dispatch
