#pragma once

#include "infobus/judgment/v1/judgment_service.grpc.pb.h"
#include "services/judgment/watchlist.h"

namespace infobus::judgment {

// judgment.v1.JudgmentService: watchlist administration. Entries are validated (list id, subject
// type, severity) and their subject normalised before they are stored, so a formatting variant
// of an id number or plate still matches. Thread-safe.
class JudgmentServiceImpl final : public infobus::judgment::v1::JudgmentService::CallbackService {
 public:
  explicit JudgmentServiceImpl(StoredWatchlist* watchlist) : watchlist_(watchlist) {}

  // JudgmentService::CallbackService
  grpc::ServerUnaryReactor* AddWatchlistEntry(
      grpc::CallbackServerContext* context,
      const infobus::judgment::v1::AddWatchlistEntryRequest* request,
      infobus::judgment::v1::AddWatchlistEntryResponse* response) override;
  grpc::ServerUnaryReactor* RemoveWatchlistEntry(
      grpc::CallbackServerContext* context,
      const infobus::judgment::v1::RemoveWatchlistEntryRequest* request,
      infobus::judgment::v1::RemoveWatchlistEntryResponse* response) override;

 private:
  StoredWatchlist* watchlist_;
};

}  // namespace infobus::judgment
