#include "tests/integration/support/clients.h"

#include <gtest/gtest.h>

#include <chrono>

#include "tests/integration/support/identities.h"

namespace infobus::testing {

std::shared_ptr<grpc::Channel> Channel(const std::string& address, const ClientSecurity& security,
                                       const grpc::ChannelArguments& arguments) {
  auto credentials = ClientCredentials(security);
  EXPECT_TRUE(credentials.ok()) << credentials.status();
  if (!credentials.ok()) {
    // A channel that fails every call, so the test fails where it calls rather than crashing.
    return grpc::CreateChannel("unix:/nonexistent", grpc::InsecureChannelCredentials());
  }
  return grpc::CreateCustomChannel(address, *credentials, arguments);
}

absl::StatusOr<ServingStatus> CheckHealth(const std::string& address,
                                          const ClientSecurity& security,
                                          const std::string& service) {
  grpc::health::v1::Health::Stub stub(Channel(address, security));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  grpc::health::v1::HealthCheckResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  const grpc::Status status = stub.Check(&context, request, &response);
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  }
  return response.status();
}

std::shared_ptr<grpc::Channel> ReconnectingChannel(const std::string& address,
                                                   const ClientSecurity& security) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 500);
  return Channel(address, security, args);
}

InboxReader::InboxReader(const std::string& dispatch_address, const std::string& unit_id,
                         uint64_t after_seq)
    : InboxReader(dispatch_address, unit_id, after_seq, AsOfficer(unit_id)) {}

InboxReader::InboxReader(const std::string& dispatch_address, const std::string& unit_id,
                         uint64_t after_seq, const ClientSecurity& reader)
    : stub_(infobus::dispatch::v1::DispatchService::NewStub(Channel(dispatch_address, reader))) {
  infobus::dispatch::v1::SubscribeRequest request;
  request.set_unit_id(unit_id);
  request.set_after_seq(after_seq);
  thread_ = std::thread([this, request] {
    auto reader = stub_->Subscribe(&context_, request);
    infobus::common::v1::Delivery delivery;
    while (reader->Read(&delivery)) {
      absl::MutexLock lock(&mutex_);
      deliveries_.push_back(delivery);
    }
    grpc::Status status = reader->Finish();
    absl::MutexLock lock(&mutex_);
    ended_ = true;
    end_status_ = std::to_string(status.error_code()) + " " + status.error_message();
  });
}

InboxReader::~InboxReader() {
  context_.TryCancel();
  thread_.join();
}

bool InboxReader::WaitForCount(size_t count, absl::Duration timeout) {
  absl::MutexLock lock(&mutex_);
  auto enough = [this, count]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    return deliveries_.size() >= count || ended_;
  };
  mutex_.AwaitWithTimeout(absl::Condition(&enough), timeout);
  return deliveries_.size() >= count;
}

std::vector<infobus::common::v1::Delivery> InboxReader::deliveries() const {
  absl::MutexLock lock(&mutex_);
  return deliveries_;
}

std::string InboxReader::end_status() const {
  absl::MutexLock lock(&mutex_);
  return end_status_;
}

}  // namespace infobus::testing
