// CollectionServiceImpl over gRPC on loopback, with a real store and a real producer whose
// broker never answers (a port nobody listens on): what a caller sees during a Kafka outage.
#include "services/collection/collection_service.h"

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/grpc/server.h"
#include "common/util/time.h"
#include "gtest/gtest.h"
#include "tests/support/fake_producer.h"
#include "tests/support/free_port.h"
#include "tests/support/temp_dir.h"

namespace infobus::collection {
namespace {

using infobus::collection::v1::CollectionService;
using infobus::collection::v1::PublishRequest;
using infobus::collection::v1::PublishResponse;

class CollectionOutageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store =
        Store::Open(dir_.Sub("db"), {CollectionServiceImpl::kPublishedFamily}, Store::Options());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    auto producer =
        kafka::Producer::Create(absl::StrCat("127.0.0.1:", testing::FreeLoopbackPort()), {});
    ASSERT_TRUE(producer.ok()) << producer.status();
    producer_ = *std::move(producer);
  }

  void StartService(CollectionServiceImpl::Options options) {
    audit_ = std::make_unique<audit::AuditLog>(producer_.get(), "infobus.audit.v1", "collection");
    service_ = std::make_unique<CollectionServiceImpl>(
        options, store_.get(), producer_.get(), "infobus.events.v1",
        std::make_shared<SystemClock>(), audit_.get());
    auto server =
        GrpcServer::Start("127.0.0.1:0", grpc::InsecureServerCredentials(), {service_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = CollectionService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials()));
  }

  static PublishRequest TwoEvents() {
    PublishRequest request;
    for (int i = 0; i < 2; ++i) {
      auto* event = request.add_events();
      event->set_event_id(absl::StrCat("outage-", i));
      event->set_source_id("fusui-lodging");
      event->set_county_code("451421");
      event->set_kind("lodging.checkin");
      *event->mutable_occurred_at() = ToProtoTimestamp(absl::Now() - absl::Minutes(1));
    }
    return request;
  }

  // Destroyed bottom up, as CollectionServer::Stop does: the server, then the producer (whose
  // last delivery reports still reach the service), then the service, then the store.
  testing::TempDir dir_;
  StorePtr store_;
  std::unique_ptr<audit::AuditLog> audit_;
  std::unique_ptr<CollectionServiceImpl> service_;
  kafka::ProducerPtr producer_;
  GrpcServerPtr server_;
  std::unique_ptr<CollectionService::Stub> stub_;
};

TEST_F(CollectionOutageTest, KafkaDownAnswersRetryBeforeTheCallersDeadline) {
  StartService(CollectionServiceImpl::Options());
  for (absl::Duration deadline : {absl::Seconds(2), absl::Milliseconds(300)}) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
    PublishResponse response;
    grpc::Status status = stub_->Publish(&context, TwoEvents(), &response);
    // Before the fix the call waited for the producer's message timeout: DEADLINE_EXCEEDED.
    ASSERT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
    ASSERT_EQ(response.results_size(), 2);
    for (const auto& result : response.results()) {
      EXPECT_EQ(result.outcome(), v1::PUBLISH_OUTCOME_RETRY) << result.reason();
      EXPECT_EQ(result.code(), static_cast<int>(grpc::StatusCode::UNAVAILABLE));
      EXPECT_TRUE(result.trace_id().empty());
    }
  }
}

TEST_F(CollectionOutageTest, WithoutADeadlineTheConfiguredWaitBoundsTheAnswer) {
  CollectionServiceImpl::Options options;
  options.max_answer_wait = absl::Milliseconds(500);
  StartService(options);
  grpc::ClientContext context;
  // A generous deadline the answer must come well within.
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(8)));
  PublishResponse response;
  grpc::Status status = stub_->Publish(&context, TwoEvents(), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  for (const auto& result : response.results()) {
    EXPECT_EQ(result.outcome(), v1::PUBLISH_OUTCOME_RETRY);
  }
  // The same events again, while the first attempt may still be in the producer: never
  // ACCEPTED without Kafka, never answered twice for one key at a time.
  grpc::ClientContext again;
  again.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(8)));
  PublishResponse second;
  ASSERT_TRUE(stub_->Publish(&again, TwoEvents(), &second).ok());
  for (const auto& result : second.results()) {
    EXPECT_EQ(result.outcome(), v1::PUBLISH_OUTCOME_RETRY) << result.reason();
  }
}

// Bad bytes from a source system: the call is parsed all the same (it used to fail with
// UNIMPLEMENTED and no message), each bad event is REJECTED naming its field, and the others
// get their own answers.
TEST_F(CollectionOutageTest, InvalidUtf8IsAFieldErrorOfItsEventAlone) {
  StartService(CollectionServiceImpl::Options());
  PublishRequest request = TwoEvents();
  *request.add_events() = request.events(0);
  request.mutable_events(2)->set_event_id("outage-2");
  request.mutable_events(0)->set_payload(std::string("guest \xff\xfe", 8));
  auto* subject = request.mutable_events(2)->add_subjects();
  subject->set_type(infobus::common::v1::SUBJECT_TYPE_NAME);
  subject->set_value(std::string("\xe5\xbc", 2));  // a truncated 张
  (*request.mutable_events(1)->mutable_attributes())["room"] = "301";
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(2)));
  PublishResponse response;
  grpc::Status status = stub_->Publish(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
  ASSERT_EQ(response.results_size(), 3);
  EXPECT_EQ(response.results(0).outcome(), v1::PUBLISH_OUTCOME_REJECTED);
  EXPECT_EQ(response.results(0).field(), "events[0].payload");
  EXPECT_EQ(response.results(0).reason(), "events[0].payload: is not valid UTF-8");
  EXPECT_EQ(response.results(0).code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_EQ(response.results(1).outcome(), v1::PUBLISH_OUTCOME_RETRY);  // valid; Kafka is down
  EXPECT_EQ(response.results(2).outcome(), v1::PUBLISH_OUTCOME_REJECTED);
  EXPECT_EQ(response.results(2).field(), "events[2].subjects[0].value");
}

// The same service over fakes: events to one FakeProducer, access records to another, so a
// test decides what Kafka acknowledges and when.
class CollectionOverFakesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store =
        Store::Open(dir_.Sub("db"), {CollectionServiceImpl::kPublishedFamily}, Store::Options());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    audit_log_ = std::make_unique<audit::AuditLog>(&audit_, "infobus.audit.v1", "collection");
    CollectionServiceImpl::Options options;
    options.max_answer_wait = absl::Milliseconds(500);
    service_ = std::make_unique<CollectionServiceImpl>(
        options, store_.get(), &events_, "infobus.events.v1", std::make_shared<SystemClock>(),
        audit_log_.get());
    auto server =
        GrpcServer::Start("127.0.0.1:0", grpc::InsecureServerCredentials(), {service_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = CollectionService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials()));
  }

  PublishResponse PublishConfidential(const std::string& event_id) {
    PublishRequest request;
    auto* event = request.add_events();
    event->set_event_id(event_id);
    event->set_source_id("fusui-lodging");
    event->set_county_code("451421");
    event->set_kind("lodging.checkin");
    event->set_classification(infobus::common::v1::CLASSIFICATION_CONFIDENTIAL);
    *event->mutable_occurred_at() = ToProtoTimestamp(absl::Now() - absl::Minutes(1));
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    PublishResponse response;
    const grpc::Status status = stub_->Publish(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  // Destroyed bottom up: the server, the fakes (their last reports reach the service), the
  // service.
  testing::TempDir dir_;
  StorePtr store_;
  std::unique_ptr<audit::AuditLog> audit_log_;
  std::unique_ptr<CollectionServiceImpl> service_;
  testing::FakeProducer events_;
  testing::FakeProducer audit_;
  GrpcServerPtr server_;
  std::unique_ptr<CollectionService::Stub> stub_;
};

TEST_F(CollectionOverFakesTest, AClassifiedEventIsAcceptedOnceItAndItsRecordAreKept) {
  const PublishResponse response = PublishConfidential("c-1");
  ASSERT_EQ(response.results_size(), 1);
  EXPECT_EQ(response.results(0).outcome(), v1::PUBLISH_OUTCOME_ACCEPTED)
      << response.results(0).reason();
  ASSERT_EQ(audit_.sent().size(), 1u) << "no access record for a CONFIDENTIAL event";
  infobus::common::v1::AuditRecord record;
  ASSERT_TRUE(record.ParseFromString(audit_.sent()[0].value));
  EXPECT_EQ(record.method(), "CollectionService/Publish");
  EXPECT_EQ(record.item_id(), "fusui-lodging/c-1");
  EXPECT_EQ(record.decision(), infobus::common::v1::AUDIT_DECISION_ALLOWED);
}

TEST_F(CollectionOverFakesTest, WhileItsRecordIsUnacknowledgedAClassifiedEventIsNotAccepted) {
  audit_.set_mode(testing::FakeProducer::Mode::kHold);
  const PublishResponse response = PublishConfidential("c-2");
  ASSERT_EQ(response.results_size(), 1);
  EXPECT_EQ(response.results(0).outcome(), v1::PUBLISH_OUTCOME_RETRY)
      << "answered ACCEPTED with its access record still unacknowledged";
  EXPECT_EQ(events_.sent().size(), 1u);  // the event itself went out, and was acknowledged
  EXPECT_EQ(audit_.held(), 1u);
}

// Supervision counts what collection would not take from the audit topic: each rejected event
// is a REJECTED record naming its field, its source, id and county.
TEST_F(CollectionOverFakesTest, ARejectedEventIsRecordedWithItsFieldSourceAndCounty) {
  PublishRequest request;
  for (const char* id : {"bad-1", "good-1"}) {
    auto* event = request.add_events();
    event->set_event_id(id);
    event->set_source_id("fusui-lodging");
    event->set_county_code("451421");
    event->set_kind("lodging.checkin");
    *event->mutable_occurred_at() = ToProtoTimestamp(absl::Now() - absl::Minutes(1));
  }
  request.mutable_events(0)->set_payload(std::string("guest \xff", 7));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  PublishResponse response;
  ASSERT_TRUE(stub_->Publish(&context, request, &response).ok());
  ASSERT_EQ(response.results_size(), 2);
  EXPECT_EQ(response.results(0).outcome(), v1::PUBLISH_OUTCOME_REJECTED);
  EXPECT_EQ(response.results(1).outcome(), v1::PUBLISH_OUTCOME_ACCEPTED);
  ASSERT_EQ(audit_.sent().size(), 1u) << "the rejected event left no record";
  infobus::common::v1::AuditRecord record;
  ASSERT_TRUE(record.ParseFromString(audit_.sent()[0].value));
  EXPECT_EQ(record.decision(), infobus::common::v1::AUDIT_DECISION_REJECTED);
  EXPECT_EQ(record.reason(), "events[0].payload: is not valid UTF-8");
  EXPECT_EQ(record.item_id(), "fusui-lodging/bad-1");
  EXPECT_EQ(record.event_source_id(), "fusui-lodging");
  EXPECT_EQ(record.event_id(), "bad-1");
  EXPECT_EQ(record.county_code(), "451421");
}

// A call whose events are all rejected waits for nothing but their records, and not for ever:
// the configured wait (500 ms here) bounds it as it bounds one waiting for Kafka.
TEST_F(CollectionOverFakesTest, ACallOfRejectedEventsIsAnsweredWhileTheirRecordsAreHeld) {
  audit_.set_mode(testing::FakeProducer::Mode::kHold);
  PublishRequest request;
  auto* event = request.add_events();
  event->set_event_id("bad-2");
  event->set_source_id("fusui-lodging");
  event->set_county_code("451421");
  *event->mutable_occurred_at() = ToProtoTimestamp(absl::Now() - absl::Minutes(1));
  // No kind: invalid.
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  PublishResponse response;
  const grpc::Status status = stub_->Publish(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
  ASSERT_EQ(response.results_size(), 1);
  EXPECT_EQ(response.results(0).outcome(), v1::PUBLISH_OUTCOME_REJECTED);
  EXPECT_EQ(response.results(0).field(), "events[0].kind");
  EXPECT_EQ(audit_.held(), 1u);
}

}  // namespace
}  // namespace infobus::collection
