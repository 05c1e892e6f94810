#pragma once

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/kafka/consumer_loop.h"
#include "services/dispatch/dispatcher.h"
#include "services/dispatch/inbox_notifier.h"
#include "services/dispatch/routing_source.h"

namespace infobus::dispatch {

// The consumer-loop adapter of the Dispatcher: judgments from the topic go into inboxes
// (HandleBatch); on every turn of the loop the routing file is checked for changes and due
// deadlines are escalated (OnTick); once a batch is durable the units' live streams are woken.
// A record that is not a valid Judgment (codec::DecodeJudgment) goes to the dead-letter topic.
// Runs on the loop thread.
class JudgmentHandler final : public kafka::RecordHandler {
 public:
  JudgmentHandler(Dispatcher* dispatcher, InboxNotifier* notifier, RoutingSource* routing,
                  absl::Duration reload_interval)
      : dispatcher_(dispatcher),
        notifier_(notifier),
        routing_(routing),
        reload_interval_(reload_interval) {}

  // kafka::RecordHandler
  void HandleBatch(const std::vector<kafka::Record>& records,
                   kafka::BatchContext& context) override;
  void OnTick(kafka::BatchContext& context) override;
  void OnBatchCommitted() override;
  void OnBatchAborted() override;

 private:
  Dispatcher* const dispatcher_;
  InboxNotifier* const notifier_;
  RoutingSource* const routing_;
  const absl::Duration reload_interval_;
};

}  // namespace infobus::dispatch
