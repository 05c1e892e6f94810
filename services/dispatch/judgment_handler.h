#pragma once

#include <set>
#include <string>
#include <vector>

#include "common/kafka/consumer_loop.h"
#include "services/dispatch/inbox.h"
#include "services/dispatch/inbox_notifier.h"
#include "services/dispatch/router.h"

namespace infobus::dispatch {

// Consumes judgments: routes each to its units and stages it into their inboxes (a judgment a
// unit already has is skipped); wakes the units' live subscribers once the batch is durable.
// A record that is not a Judgment goes to the dead-letter topic. Runs on the loop thread.
class JudgmentHandler final : public kafka::RecordHandler {
 public:
  JudgmentHandler(const Router* router, Inbox* inbox, InboxNotifier* notifier)
      : router_(router), inbox_(inbox), notifier_(notifier) {}

  // kafka::RecordHandler
  void HandleBatch(const std::vector<kafka::Record>& records,
                   kafka::BatchContext& context) override;
  void OnBatchCommitted() override;
  void OnBatchAborted() override;

 private:
  const Router* router_;
  Inbox* inbox_;
  InboxNotifier* notifier_;
  std::set<std::string> touched_units_;
};

}  // namespace infobus::dispatch
