#include "services/gateway/api_route.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "infobus/collection/v1/collection_service.pb.h"
#include "infobus/dispatch/v1/dispatch_service.pb.h"
#include "infobus/judgment/v1/judgment_service.pb.h"
#include "infobus/supervision/v1/supervision_service.pb.h"

namespace infobus::gateway {
namespace {

constexpr std::string_view kPrefix = "/api/v1/";

struct KnownService {
  std::string_view name;
  std::string_view full_name;
};

constexpr KnownService kServices[] = {
    {"collection", "infobus.collection.v1.CollectionService"},
    {"judgment", "infobus.judgment.v1.JudgmentService"},
    {"dispatch", "infobus.dispatch.v1.DispatchService"},
    {"supervision", "infobus.supervision.v1.SupervisionService"},
};

// Touching one message of each service's file links the file in, which registers its
// descriptors (the services themselves included) in the generated pool.
void LinkServiceDescriptors() {
  static const bool linked = [] {
    (void)infobus::collection::v1::PublishRequest::descriptor();
    (void)infobus::judgment::v1::SubscribeRequest::descriptor();
    (void)infobus::dispatch::v1::SubscribeRequest::descriptor();
    (void)infobus::supervision::v1::TraceRequest::descriptor();
    return true;
  }();
  (void)linked;
}

}  // namespace

std::string FullServiceName(std::string_view service) {
  for (const KnownService& known : kServices) {
    if (known.name == service) return std::string(known.full_name);
  }
  return "";
}

absl::StatusOr<ApiRoute> ParseApiPath(std::string_view path) {
  const absl::string_view whole(path.data(), path.size());
  if (!absl::StartsWith(whole, absl::string_view(kPrefix.data(), kPrefix.size()))) {
    return absl::NotFoundError(absl::StrCat("no API at ", whole));
  }
  const std::vector<absl::string_view> parts = absl::StrSplit(whole.substr(kPrefix.size()), '/');
  if (parts.size() != 2 || parts[0].empty() || parts[1].empty()) {
    return absl::NotFoundError(
        absl::StrCat("no API at ", whole, ": the paths are /api/v1/{service}/{Method}"));
  }
  return ApiRoute{std::string(parts[0]), std::string(parts[1])};
}

absl::StatusOr<const google::protobuf::MethodDescriptor*> FindMethod(
    const google::protobuf::DescriptorPool& pool, const ApiRoute& route) {
  const std::string full_name = FullServiceName(route.service);
  if (full_name.empty()) {
    return absl::NotFoundError(absl::StrCat("unknown service '", route.service,
                                            "' (collection, judgment, dispatch, supervision)"));
  }
  const google::protobuf::ServiceDescriptor* service = pool.FindServiceByName(full_name);
  if (service == nullptr) return absl::NotFoundError(absl::StrCat("no service ", full_name));
  const google::protobuf::MethodDescriptor* method = service->FindMethodByName(route.method);
  if (method == nullptr) {
    return absl::NotFoundError(absl::StrCat("unknown method ", full_name, "/", route.method));
  }
  return method;
}

absl::StatusOr<const google::protobuf::MethodDescriptor*> FindGeneratedMethod(
    const ApiRoute& route) {
  LinkServiceDescriptors();
  return FindMethod(*google::protobuf::DescriptorPool::generated_pool(), route);
}

CallKind KindOf(const google::protobuf::MethodDescriptor& method) {
  if (method.client_streaming()) return CallKind::kUnmapped;
  return method.server_streaming() ? CallKind::kServerStreaming : CallKind::kUnary;
}

std::string GrpcMethodPath(const google::protobuf::MethodDescriptor& method) {
  return absl::StrCat("/", method.service()->full_name(), "/", method.name());
}

}  // namespace infobus::gateway
