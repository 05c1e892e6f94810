#pragma once

#include "common/audit/audit_log.h"
#include "common/grpc/deadline_reply.h"
#include "common/security/principal.h"
#include "common/util/serial_executor.h"
#include "infobus/judgment/v1/judgment_service.grpc.pb.h"
#include "services/judgment/event_handler.h"
#include "services/judgment/judgment_log.h"
#include "services/judgment/watchlist.h"
#include "services/judgment/watchlist_table.h"

namespace infobus::judgment {

// judgment.v1.JudgmentService: watchlist administration (entries are validated and their
// subject normalised, so a formatting variant of an id number or plate still matches), rule
// reloads, and the analysts' view of the judgment log: Get, List, Review, Subscribe. Reloads
// and reviews are applied by the consumer loop (EventHandler) and answered once committed.
// No callback waits: a change is handed on (audit record, then the watchlist write or the
// loop's queue) and answered from that work's completion, or DEADLINE_EXCEEDED after
// apply_timeout, whichever comes first. Thread-safe.
class JudgmentServiceImpl : public infobus::judgment::v1::JudgmentService::CallbackService {
 public:
  struct Options {
    // A subscriber further behind the log than this is cut off (RESOURCE_EXHAUSTED).
    uint64_t subscriber_max_lag = 10000;
    absl::Duration apply_timeout = absl::Seconds(10);
  };

  // `audit` records every access decision on a classified judgment and every change.
  // `wake_executor`: where streams read their next page when the log wakes them (nullptr: on
  // the loop thread, for tests); it must outlive every stream.
  JudgmentServiceImpl(WatchlistTable* watchlist, EventHandler* handler, JudgmentLog* log,
                      audit::AuditLog* audit, Options options,
                      SerialExecutor* wake_executor = nullptr)
      : watchlist_(watchlist),
        handler_(handler),
        log_(log),
        audit_(audit),
        options_(options),
        wake_executor_(wake_executor) {}

  // JudgmentService::CallbackService
  grpc::ServerUnaryReactor* AddWatchlistEntry(
      grpc::CallbackServerContext* context,
      const infobus::judgment::v1::AddWatchlistEntryRequest* request,
      infobus::judgment::v1::AddWatchlistEntryResponse* response) override;
  grpc::ServerUnaryReactor* RemoveWatchlistEntry(
      grpc::CallbackServerContext* context,
      const infobus::judgment::v1::RemoveWatchlistEntryRequest* request,
      infobus::judgment::v1::RemoveWatchlistEntryResponse* response) override;
  grpc::ServerUnaryReactor* ReloadRules(
      grpc::CallbackServerContext* context,
      const infobus::judgment::v1::ReloadRulesRequest* request,
      infobus::judgment::v1::ReloadRulesResponse* response) override;
  grpc::ServerUnaryReactor* GetJudgment(
      grpc::CallbackServerContext* context,
      const infobus::judgment::v1::GetJudgmentRequest* request,
      infobus::judgment::v1::GetJudgmentResponse* response) override;
  grpc::ServerUnaryReactor* ListJudgments(
      grpc::CallbackServerContext* context,
      const infobus::judgment::v1::ListJudgmentsRequest* request,
      infobus::judgment::v1::ListJudgmentsResponse* response) override;
  grpc::ServerUnaryReactor* Review(grpc::CallbackServerContext* context,
                                   const infobus::judgment::v1::ReviewRequest* request,
                                   infobus::judgment::v1::ReviewResponse* response) override;
  grpc::ServerWriteReactor<infobus::judgment::v1::JudgmentRecord>* Subscribe(
      grpc::CallbackServerContext* context,
      const infobus::judgment::v1::SubscribeRequest* request) override;

 private:
  // The rest of AddWatchlistEntry once the change is admitted: validate, write, answer.
  void AddAdmittedEntry(const DeadlineReplyPtr& reply,
                        const infobus::judgment::v1::AddWatchlistEntryRequest& request,
                        infobus::judgment::v1::AddWatchlistEntryResponse* response);

  WatchlistTable* watchlist_;
  EventHandler* handler_;
  JudgmentLog* log_;
  audit::AuditLog* audit_;
  const Options options_;
  SerialExecutor* const wake_executor_;
};

}  // namespace infobus::judgment
