#include "services/supervision/fan_out.h"

#include <grpcpp/create_channel.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/blocking_counter.h"
#include "common/util/time.h"
#include "services/supervision/tally_key.h"

namespace infobus::supervision {
namespace {

using infobus::supervision::v1::LocalReportRequest;
using infobus::supervision::v1::LocalReportResponse;
using infobus::supervision::v1::LocalTraceRequest;
using infobus::supervision::v1::LocalTraceResponse;

template <typename Response>
std::vector<int32_t> PartitionsOf(const Response& response) {
  return {response.partitions().begin(), response.partitions().end()};
}

template <typename T>
void Append(const google::protobuf::RepeatedPtrField<T>& from,
            google::protobuf::RepeatedPtrField<T>* to) {
  for (const T& item : from) *to->Add() = item;
}

}  // namespace

void OwnedPartitions::Own(int32_t partition, bool ready) {
  absl::MutexLock lock(&mutex_);
  owned_[partition] = ready;
}

void OwnedPartitions::Release(int32_t partition) {
  absl::MutexLock lock(&mutex_);
  owned_.erase(partition);
}

std::vector<int32_t> OwnedPartitions::Ready() const {
  absl::MutexLock lock(&mutex_);
  std::vector<int32_t> ready;
  for (const auto& [partition, is_ready] : owned_) {
    if (is_ready) ready.push_back(partition);
  }
  return ready;
}

bool OwnedPartitions::IsOwned(int32_t partition) const {
  absl::MutexLock lock(&mutex_);
  return owned_.count(partition) > 0;
}

absl::Status CheckCoverage(int partition_count, const std::vector<std::vector<int32_t>>& answered,
                           const std::string& topic, const std::vector<std::string>& why) {
  std::map<int32_t, int> times;
  for (const std::vector<int32_t>& partitions : answered) {
    for (const int32_t partition : partitions) ++times[partition];
  }
  std::vector<int32_t> missing, twice;
  for (int32_t partition = 0; partition < partition_count; ++partition) {
    const int count = times.count(partition) > 0 ? times[partition] : 0;
    if (count == 0) missing.push_back(partition);
    if (count > 1) twice.push_back(partition);
  }
  if (missing.empty() && twice.empty()) return absl::OkStatus();
  std::string message = absl::StrCat("not every partition of ", topic, " answered");
  if (!missing.empty()) {
    absl::StrAppend(&message, "; missing: ", absl::StrJoin(missing, ", "),
                    " (an instance down, or the partitions moving or replaying)");
  }
  if (!twice.empty()) {
    absl::StrAppend(&message, "; answered twice: ", absl::StrJoin(twice, ", "),
                    " (the partitions moving)");
  }
  if (!why.empty()) absl::StrAppend(&message, "; ", absl::StrJoin(why, "; "));
  return absl::UnavailableError(absl::StrCat(message, ": try again"));
}

void MergePieces(const LocalTraceResponse& piece, LocalTraceResponse* merged) {
  for (const int32_t partition : piece.partitions()) merged->add_partitions(partition);
  Append(piece.traces(), merged->mutable_traces());
  Append(piece.events(), merged->mutable_events());
  Append(piece.links(), merged->mutable_links());
  Append(piece.judgments(), merged->mutable_judgments());
  Append(piece.deliveries(), merged->mutable_deliveries());
  Append(piece.accesses(), merged->mutable_accesses());
}

absl::Status AddTallies(const LocalReportResponse& piece, ReportBuilder* builder) {
  for (const v1::StoredTally& stored : piece.tallies()) {
    auto view = TallyKeyView::Decode(stored.key());
    if (!view.ok()) {
      return absl::DataLossError(absl::StrCat("a peer's tally key: ", view.status().message()));
    }
    builder->Add(*view, stored.tally());
  }
  return absl::OkStatus();
}

FanOut::FanOut(const LedgerReader* reader, const OwnedPartitions* owned, int partition_count,
               std::string topic, const std::vector<std::string>& peers,
               std::shared_ptr<grpc::ChannelCredentials> credentials, absl::Duration timeout)
    : reader_(reader),
      owned_(owned),
      partition_count_(partition_count),
      topic_(std::move(topic)),
      timeout_(timeout) {
  for (const std::string& address : peers) {
    peers_.push_back(
        {address, v1::SupervisionPeerService::NewStub(grpc::CreateChannel(address, credentials))});
  }
}

template <typename Response, typename Call>
std::vector<std::string> FanOut::AskPeers(const Call& call, std::vector<Response>* answers,
                                          std::vector<std::vector<int32_t>>* answered,
                                          const std::function<void()>& meanwhile) const {
  std::vector<grpc::ClientContext> contexts(peers_.size());
  std::vector<grpc::Status> statuses(peers_.size());
  answers->assign(peers_.size(), Response());
  absl::BlockingCounter done(static_cast<int>(peers_.size()));
  for (size_t i = 0; i < peers_.size(); ++i) {
    contexts[i].set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
    call(peers_[i].stub->async(), &contexts[i], &(*answers)[i],
         [&statuses, &done, i](grpc::Status status) {
           statuses[i] = std::move(status);
           done.DecrementCount();
         });
  }
  meanwhile();
  done.Wait();
  std::vector<std::string> why;
  for (size_t i = 0; i < peers_.size(); ++i) {
    if (statuses[i].ok()) {
      answered->push_back(PartitionsOf((*answers)[i]));
    } else {
      why.push_back(absl::StrCat("peer ", peers_[i].address, ": ", statuses[i].error_message()));
      (*answers)[i].Clear();  // it covers nothing
    }
  }
  return why;
}

absl::StatusOr<LocalTraceResponse> FanOut::Pieces(const LocalTraceRequest& request) const {
  const std::vector<int32_t> mine = owned_->Ready();
  absl::StatusOr<LocalTraceResponse> local;
  std::vector<LocalTraceResponse> answers;
  std::vector<std::vector<int32_t>> answered = {mine};
  // The peers' calls go out first, so that the local read overlaps them.
  const std::vector<std::string> why = AskPeers(
      [&request](auto* async, grpc::ClientContext* context, LocalTraceResponse* answer,
                 std::function<void(grpc::Status)> done) {
        async->LocalTrace(context, &request, answer, std::move(done));
      },
      &answers, &answered, [&] { local = reader_->Pieces(request, mine); });
  if (!local.ok()) return local.status();
  if (absl::Status covered = CheckCoverage(partition_count_, answered, topic_, why);
      !covered.ok()) {
    return covered;
  }
  LocalTraceResponse merged;
  local->clear_partitions();
  for (const int32_t partition : mine) local->add_partitions(partition);
  MergePieces(*local, &merged);
  for (const LocalTraceResponse& answer : answers) MergePieces(answer, &merged);
  return merged;
}

absl::Status FanOut::ScanTallies(const Period& period, ReportBuilder* builder) const {
  LocalReportRequest request;
  *request.mutable_since() = ToProtoTimestamp(period.since);
  *request.mutable_until() = ToProtoTimestamp(period.until);
  const std::vector<int32_t> mine = owned_->Ready();
  absl::Status scanned;
  std::vector<LocalReportResponse> answers;
  std::vector<std::vector<int32_t>> answered = {mine};
  const std::vector<std::string> why = AskPeers(
      [&request](auto* async, grpc::ClientContext* context, LocalReportResponse* answer,
                 std::function<void(grpc::Status)> done) {
        async->LocalReport(context, &request, answer, std::move(done));
      },
      &answers, &answered, [&] { scanned = reader_->ScanTallies(period, mine, builder); });
  if (!scanned.ok()) return scanned;
  if (absl::Status covered = CheckCoverage(partition_count_, answered, topic_, why);
      !covered.ok()) {
    return covered;
  }
  for (const LocalReportResponse& answer : answers) {
    if (absl::Status added = AddTallies(answer, builder); !added.ok()) return added;
  }
  return absl::OkStatus();
}

}  // namespace infobus::supervision
