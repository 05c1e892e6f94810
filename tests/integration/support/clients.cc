#include "tests/integration/support/clients.h"

namespace infobus::testing {

std::shared_ptr<grpc::Channel> Channel(const std::string& address) {
  return grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
}

std::shared_ptr<grpc::Channel> ReconnectingChannel(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 500);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

InboxReader::InboxReader(const std::string& dispatch_address, const std::string& unit_id,
                         uint64_t after_seq)
    : stub_(infobus::dispatch::v1::DispatchService::NewStub(Channel(dispatch_address))) {
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
