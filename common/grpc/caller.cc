#include "common/grpc/caller.h"

#include <grpc/grpc_security_constants.h>

#include "absl/synchronization/mutex.h"

namespace infobus {
namespace {

absl::Mutex installed_mutex;
std::shared_ptr<const CallAuthenticator>& Installed()
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(installed_mutex) {
  static auto* installed = new std::shared_ptr<const CallAuthenticator>();
  return *installed;
}

}  // namespace

void InstallCallAuthenticator(std::shared_ptr<const CallAuthenticator> authenticator) {
  absl::MutexLock lock(&installed_mutex);
  Installed() = std::move(authenticator);
}

absl::StatusOr<security::Principal> CallerOf(const grpc::ServerContextBase& context) {
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth == nullptr) return absl::UnauthenticatedError("call has no security context");
  std::shared_ptr<const CallAuthenticator> authenticator;
  {
    absl::MutexLock lock(&installed_mutex);
    authenticator = Installed();
  }
  if (authenticator == nullptr) {
    std::vector<grpc::string_ref> transport =
        auth->FindPropertyValues(GRPC_TRANSPORT_SECURITY_TYPE_PROPERTY_NAME);
    if (!transport.empty() &&
        std::string_view(transport.front().data(), transport.front().size()) == "insecure") {
      security::Principal unrestricted;
      unrestricted.id = "insecure-mode";
      unrestricted.unrestricted = true;
      return unrestricted;
    }
    return absl::UnauthenticatedError("call was not authenticated");
  }
  std::optional<std::string_view> authorization;
  const auto& metadata = context.client_metadata();
  if (auto it = metadata.find("authorization"); it != metadata.end()) {
    authorization = std::string_view(it->second.data(), it->second.size());
  }
  return authenticator->Authenticate(authorization, PeerCertificatePem(*auth));
}

}  // namespace infobus
