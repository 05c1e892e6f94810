// The fan-out's merge: a trace assembled from pieces of several instances, a report summed from
// their tallies, and the coverage check that refuses a partial answer; over gRPC, an instance
// and a peer that share one store's partitions answer as the whole store does, and a peer down
// makes the call UNAVAILABLE naming its partitions.
#include "services/supervision/fan_out.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "common/util/serial_executor.h"
#include "services/supervision/ledger.h"
#include "services/supervision/supervision_service.h"
#include "tests/services/supervision/facts.h"
#include "tests/support/temp_dir.h"

namespace infobus::supervision {
namespace {

using namespace infobus::supervision::testing;  // NOLINT: the fact builders

constexpr int kPartitions = 4;

ReportScope Everything() {
  ReportScope everything;
  everything.all_jurisdictions = everything.all_units = everything.any_clearance = true;
  return everything;
}

class FanOutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Store::Options options;
    options.merge_operators = Families::MergeOperators();
    auto store = Store::Open(dir_.Sub("db"), Families::All(), options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    // Three items, each in a partition of its own; the event of j2 in another than j2.
    Ledger ledger(store_.get());
    const Event e1 = MakeEvent("lodging", "e1", kT0);
    const Event e2 = MakeEvent("lodging", "e2", kT0 + absl::Minutes(1));
    const Event e3 = MakeEvent("netcafe", "e3", kT0 + absl::Minutes(2), "451422");
    auto stage = [&](int32_t partition, const std::function<absl::Status()>& fact) {
      ledger.Into(partition);
      ASSERT_TRUE(fact().ok());
    };
    stage(0, [&] { return ledger.StageEvent(e1); });
    stage(1, [&] { return ledger.StageEvent(e2); });
    stage(3, [&] { return ledger.StageEvent(e3); });
    const Judgment j1 = MakeJudgment("j1", "watchlist-hit", e1, kT0 + absl::Minutes(1));
    const Judgment j2 = MakeJudgment("j2", "hotspot", e2, kT0 + absl::Minutes(2));
    stage(2, [&] { return ledger.StageJudgment(j1); });
    stage(2, [&] {
      return ledger.StageDispatchEvent(
          Delivered("j1", "fusui-psb", 1, kT0 + absl::Minutes(2), absl::Minutes(15)));
    });
    stage(2, [&] {
      return ledger.StageDispatchEvent(
          Acknowledged("j1", "fusui-psb", 1, kT0 + absl::Minutes(6), "officer-7"));
    });
    stage(3, [&] { return ledger.StageJudgment(j2); });
    stage(3, [&] {
      return ledger.StageDispatchEvent(
          Delivered("j2", "fusui-psb", 2, kT0 + absl::Minutes(3), absl::Minutes(15)));
    });
    rocksdb::WriteBatch batch;
    ASSERT_TRUE(ledger.Flush(&batch).ok());
    ASSERT_TRUE(store_->Write(&batch).ok());
    reader_ = std::make_unique<LedgerReader>(store_.get());
  }

  static std::vector<int32_t> All() { return {0, 1, 2, 3}; }
  const Period period_{kT0 - absl::Hours(24), kT0 + absl::Hours(24)};

  std::string WholeReport() const {
    ReportBuilder builder(Everything());
    EXPECT_TRUE(reader_->ScanTallies(period_, All(), &builder).ok());
    return builder.Finish().DebugString();
  }

  infobus::testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<LedgerReader> reader_;
};

TEST_F(FanOutTest, PiecesOfSeveralInstancesMergeIntoTheWholeTraceAndReport) {
  const std::vector<std::vector<int32_t>> instances = {{0, 3}, {1}, {2}};
  const FetchPieces merged =
      [&](const v1::LocalTraceRequest& request) -> absl::StatusOr<v1::LocalTraceResponse> {
    v1::LocalTraceResponse all;
    for (const auto& partitions : instances) {
      auto piece = reader_->Pieces(request, partitions);
      if (!piece.ok()) return piece.status();
      for (const int32_t p : partitions) piece->add_partitions(p);
      MergePieces(*piece, &all);
    }
    return all;
  };
  for (const char* trace_id : {"trace-lodging-e1", "trace-lodging-e2"}) {
    v1::TraceRequest request;
    request.set_trace_id(trace_id);
    auto whole = reader_->Trace(request, kT0 + absl::Hours(1), All());
    auto assembled = AssembleTrace(request, kT0 + absl::Hours(1), merged);
    ASSERT_TRUE(whole.ok() && assembled.ok()) << assembled.status();
    EXPECT_EQ(assembled->DebugString(), whole->DebugString());
    ASSERT_EQ(assembled->judgments_size(), 1) << trace_id;
    EXPECT_EQ(assembled->judgments(0).deliveries_size(), 1);
    // One instance's partitions alone do not hold the judgment of the event.
    auto alone = reader_->Trace(request, kT0 + absl::Hours(1), instances[1]);
    if (alone.ok()) {
      EXPECT_EQ(alone->judgments_size(), 0);
    } else {
      EXPECT_TRUE(absl::IsNotFound(alone.status()));
    }
  }

  ReportBuilder builder(Everything());
  for (const auto& partitions : instances) {
    auto sums = reader_->SumTallies(period_, partitions);
    ASSERT_TRUE(sums.ok()) << sums.status();
    ASSERT_TRUE(AddTallies(*sums, &builder).ok());
  }
  const v1::ReportResponse report = builder.Finish();
  EXPECT_EQ(report.DebugString(), WholeReport());
  EXPECT_EQ(report.collection().events(), 3);
  EXPECT_EQ(report.judgment().judgments(), 2);
  EXPECT_EQ(report.dispatch().total().deliveries(), 2);
}

TEST_F(FanOutTest, AnAnswerThatMissesOrRepeatsAPartitionIsRefused) {
  EXPECT_TRUE(CheckCoverage(4, {{0, 3}, {1, 2}}, "facts", {}).ok());
  const absl::Status missing = CheckCoverage(4, {{0, 3}, {1}}, "facts", {"peer b: down"});
  EXPECT_TRUE(absl::IsUnavailable(missing));
  EXPECT_TRUE(absl::StrContains(missing.message(), "missing: 2 ")) << missing;
  EXPECT_TRUE(absl::StrContains(missing.message(), "peer b: down")) << missing;
  const absl::Status twice = CheckCoverage(4, {{0, 1, 3}, {1, 2}}, "facts", {});
  EXPECT_TRUE(absl::IsUnavailable(twice));
  EXPECT_TRUE(absl::StrContains(twice.message(), "answered twice: 1 ")) << twice;
}

TEST_F(FanOutTest, OnlySupervisionsOwnMachineIdentityIsAPeer) {
  security::Principal peer;
  peer.id = "supervision";
  peer.roles = {security::Role::kService};
  peer.authenticated_by_certificate = true;
  EXPECT_TRUE(IsSupervisionPeer(peer).ok());
  security::Principal dispatch = peer;
  dispatch.id = "dispatch";
  EXPECT_TRUE(absl::IsPermissionDenied(IsSupervisionPeer(dispatch)));
  security::Principal token = peer;  // a person's token naming itself "supervision"
  token.authenticated_by_certificate = false;
  EXPECT_TRUE(absl::IsPermissionDenied(IsSupervisionPeer(token)));
  security::Principal supervisor;
  supervisor.id = "supervisor-2";
  supervisor.roles = {security::Role::kSupervisor};
  EXPECT_TRUE(absl::IsPermissionDenied(IsSupervisionPeer(supervisor)));
}

// Over gRPC (plaintext: callers are unrestricted there): this instance owns 0 and 3, its peer 1
// and 2 of the same store; together they answer as the whole store, and with the peer gone the
// call names the partitions missing.
TEST_F(FanOutTest, AnInstanceAndItsPeerAnswerTogetherAndAPeerDownIsUnavailable) {
  OwnedPartitions mine, theirs;
  mine.Own(0, true);
  mine.Own(3, true);
  mine.Own(1, false);  // replaying here: not ours to answer for yet
  theirs.Own(1, true);
  theirs.Own(2, true);
  SerialExecutor local("peer-local");
  SupervisionPeerServiceImpl peer_service(reader_.get(), &theirs, &local);
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&peer_service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);
  const FanOut fan_out(reader_.get(), &mine, kPartitions, "facts",
                       {absl::StrCat("127.0.0.1:", port)}, grpc::InsecureChannelCredentials(),
                       absl::Seconds(5));

  ReportBuilder report(Everything());
  ASSERT_TRUE(fan_out.ScanTallies(period_, &report).ok());
  EXPECT_EQ(report.Finish().DebugString(), WholeReport());
  v1::TraceRequest request;
  request.set_trace_id("trace-lodging-e2");
  auto trace = AssembleTrace(request, kT0 + absl::Hours(1),
                             [&](const v1::LocalTraceRequest& r) { return fan_out.Pieces(r); });
  ASSERT_TRUE(trace.ok()) << trace.status();
  EXPECT_EQ(trace->DebugString(),
            reader_->Trace(request, kT0 + absl::Hours(1), All())->DebugString());

  server->Shutdown();
  server->Wait();
  ReportBuilder partial(Everything());
  const absl::Status down = fan_out.ScanTallies(period_, &partial);
  EXPECT_TRUE(absl::IsUnavailable(down)) << down;
  EXPECT_TRUE(absl::StrContains(down.message(), "missing: 1, 2 ")) << down;
  EXPECT_TRUE(absl::IsUnavailable(fan_out.Pieces(v1::LocalTraceRequest()).status()));
}

}  // namespace
}  // namespace infobus::supervision
