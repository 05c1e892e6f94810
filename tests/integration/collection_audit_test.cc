// A classified event is accounted for before it counts as taken: CollectionServiceImpl in
// process, its events going to the test broker, its access records to a producer whose broker
// never answers (the audit topic's writes failing while the events topic's work).
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/grpc/server.h"
#include "common/kafka/admin.h"
#include "common/util/time.h"
#include "gtest/gtest.h"
#include "services/collection/collection_service.h"
#include "tests/integration/support/bus.h"
#include "tests/support/free_port.h"
#include "tests/support/temp_dir.h"

namespace infobus::collection {
namespace {

using infobus::collection::v1::CollectionService;
using infobus::collection::v1::PublishRequest;
using infobus::collection::v1::PublishResponse;

class CollectionAuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string servers = testing::TestBootstrapServers();
    kafka::TopicSpec events;
    events.name = bus_.Topic("infobus.events.v1");
    ASSERT_TRUE(kafka::EnsureTopics(servers, {events}, absl::Seconds(30)).ok());
    auto store =
        Store::Open(dir_.Sub("db"), {CollectionServiceImpl::kPublishedFamily}, Store::Options());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    auto producer = kafka::Producer::Create(servers, {});
    ASSERT_TRUE(producer.ok()) << producer.status();
    producer_ = *std::move(producer);
    auto unkept = kafka::Producer::Create(absl::StrCat("127.0.0.1:", testing::FreeLoopbackPort()),
                                          {{"message.timeout.ms", "500"}});
    ASSERT_TRUE(unkept.ok()) << unkept.status();
    audit_producer_ = *std::move(unkept);
    audit_ =
        std::make_unique<audit::AuditLog>(audit_producer_.get(), "infobus.audit.v1", "collection");
    service_ = std::make_unique<CollectionServiceImpl>(
        CollectionServiceImpl::Options(), store_.get(), producer_.get(),
        bus_.Topic("infobus.events.v1"), std::make_shared<SystemClock>(), audit_.get());
    // Insecure: the caller is unrestricted, so only the audit decides.
    auto server =
        GrpcServer::Start("127.0.0.1:0", grpc::InsecureServerCredentials(), {service_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = CollectionService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials()));
  }

  PublishResponse Publish(const PublishRequest& request) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
    PublishResponse response;
    const grpc::Status status = stub_->Publish(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  static PublishRequest InternalAndConfidential() {
    PublishRequest request;
    for (auto classification : {infobus::common::v1::CLASSIFICATION_INTERNAL,
                                infobus::common::v1::CLASSIFICATION_CONFIDENTIAL}) {
      auto* event = request.add_events();
      event->set_event_id(absl::StrCat("audit-", classification));
      event->set_source_id("fusui-lodging");
      event->set_county_code("451421");
      event->set_kind("lodging.checkin");
      event->set_classification(classification);
      *event->mutable_occurred_at() = ToProtoTimestamp(absl::Now() - absl::Minutes(1));
    }
    return request;
  }

  // Destroyed bottom up: the server, then both producers (whose last reports still reach the
  // service), then the service.
  testing::TestBus bus_{"collection_audit"};
  testing::TempDir dir_;
  StorePtr store_;
  std::unique_ptr<audit::AuditLog> audit_;
  std::unique_ptr<CollectionServiceImpl> service_;
  kafka::ProducerPtr audit_producer_;
  kafka::ProducerPtr producer_;
  GrpcServerPtr server_;
  std::unique_ptr<CollectionService::Stub> stub_;
};

TEST_F(CollectionAuditTest, AClassifiedEventWhoseRecordCannotBeKeptIsNotAccepted) {
  const PublishResponse first = Publish(InternalAndConfidential());
  ASSERT_EQ(first.results_size(), 2);
  // INTERNAL needs no access record: taken as usual.
  EXPECT_EQ(first.results(0).outcome(), v1::PUBLISH_OUTCOME_ACCEPTED) << first.results(0).reason();
  // CONFIDENTIAL is in Kafka, but unaccounted: not ACCEPTED, and not remembered as published.
  EXPECT_EQ(first.results(1).outcome(), v1::PUBLISH_OUTCOME_RETRY) << first.results(1).reason();
  EXPECT_NE(first.results(1).reason().find("access record"), std::string::npos)
      << first.results(1).reason();

  const PublishResponse again = Publish(InternalAndConfidential());
  ASSERT_EQ(again.results_size(), 2);
  EXPECT_EQ(again.results(0).outcome(), v1::PUBLISH_OUTCOME_DUPLICATE) << again.results(0).reason();
  EXPECT_EQ(again.results(1).outcome(), v1::PUBLISH_OUTCOME_RETRY)
      << "a retry of an unaccounted event must be audited again, not answered DUPLICATE: "
      << again.results(1).reason();
}

}  // namespace
}  // namespace infobus::collection
