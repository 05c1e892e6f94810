#pragma once

#include <grpcpp/security/credentials.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "infobus/supervision/v1/supervision_peer_service.grpc.pb.h"
#include "services/supervision/ledger_reader.h"
#include "services/supervision/period.h"
#include "services/supervision/report_builder.h"

namespace infobus::supervision {

// The partitions of the repartition topic this instance answers for: assigned to it and caught
// up (replayed up to the end the partition had when it was assigned). Written by the consumer
// loop's thread, read by any. Thread-safe.
class OwnedPartitions {
 public:
  // `partition` is ours and answers (ready) or is still replaying (not ready).
  void Own(int32_t partition, bool ready);
  void Release(int32_t partition);
  std::vector<int32_t> Ready() const;
  bool IsOwned(int32_t partition) const;

 private:
  mutable absl::Mutex mutex_;
  std::map<int32_t, bool> owned_ ABSL_GUARDED_BY(mutex_);  // partition -> ready
};

// OK when `answered` (the partitions of each answer) covers every one of [0, partition_count)
// exactly once; else UNAVAILABLE naming the partitions missing (an instance down, a partition
// moving or replaying) or answered twice (a partition moving), and `why` (the peers' errors).
absl::Status CheckCoverage(int partition_count, const std::vector<std::vector<int32_t>>& answered,
                           const std::string& topic, const std::vector<std::string>& why);

// Puts the records of `piece` into `merged` (the partitions too): a trace unites them.
void MergePieces(const infobus::supervision::v1::LocalTraceResponse& piece,
                 infobus::supervision::v1::LocalTraceResponse* merged);
// Adds the tallies of `piece` to `builder` (a report sums them); DATA_LOSS for a bad key.
absl::Status AddTallies(const infobus::supervision::v1::LocalReportResponse& piece,
                        ReportBuilder* builder);

// Asks this instance's partitions and every peer's (supervision.peers) for their pieces of a
// trace or a report, in parallel, and merges them; fails UNAVAILABLE unless the answers cover
// every partition once. Calls block (up to `timeout` per round): for an executor thread, never a
// gRPC callback. Thread-safe.
class FanOut {
 public:
  // `reader` and `owned` must outlive it. `peers`: gRPC addresses of the other instances, called
  // with `credentials` (this service's own certificate).
  FanOut(const LedgerReader* reader, const OwnedPartitions* owned, int partition_count,
         std::string topic, const std::vector<std::string>& peers,
         std::shared_ptr<grpc::ChannelCredentials> credentials, absl::Duration timeout);

  absl::StatusOr<infobus::supervision::v1::LocalTraceResponse> Pieces(
      const infobus::supervision::v1::LocalTraceRequest& request) const;
  // Adds every tally of `period`, of every partition, to `builder`.
  absl::Status ScanTallies(const Period& period, ReportBuilder* builder) const;

  int partition_count() const { return partition_count_; }

 private:
  // Sends a request to every peer at once through `call` (the stub's asynchronous method),
  // runs `meanwhile` while they answer, and waits for every answer (each within timeout_).
  // Each answer's partitions go to `answered`, a failed one's error to the result.
  template <typename Response, typename Call>
  std::vector<std::string> AskPeers(const Call& call, std::vector<Response>* answers,
                                    std::vector<std::vector<int32_t>>* answered,
                                    const std::function<void()>& meanwhile) const;

  const LedgerReader* const reader_;
  const OwnedPartitions* const owned_;
  const int partition_count_;
  const std::string topic_;
  const absl::Duration timeout_;
  struct Peer {
    std::string address;
    std::unique_ptr<infobus::supervision::v1::SupervisionPeerService::Stub> stub;
  };
  std::vector<Peer> peers_;
};

}  // namespace infobus::supervision
