#include "common/grpc/starting_service.h"

#include "absl/strings/str_cat.h"

namespace infobus {
namespace {

// Finishes at once; gRPC holds the Finish until the reactor is bound to its call.
class Refusal final : public grpc::ServerGenericBidiReactor {
 public:
  explicit Refusal(grpc::Status status) { Finish(std::move(status)); }
  void OnDone() override { delete this; }
};

}  // namespace

grpc::ServerGenericBidiReactor* StartingService::CreateReactor(
    grpc::GenericCallbackServerContext* context) {
  return new Refusal(
      grpc::Status(grpc::StatusCode::UNAVAILABLE,
                   absl::StrCat(what_, "; ", context->method(), " is not served yet: retry")));
}

}  // namespace infobus
