#include "common/grpc/call_authenticator.h"

#include <grpc/grpc_security_constants.h>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "common/grpc/caller.h"
#include "common/grpc/status.h"

namespace infobus {
namespace {

constexpr std::string_view kBearer = "Bearer ";

absl::StatusOr<security::Principal> FromToken(std::string_view authorization,
                                              const CallAuthenticator::Options& options) {
  if (authorization.substr(0, kBearer.size()) != kBearer) {
    return absl::UnauthenticatedError("authorization metadata is not 'Bearer <token>'");
  }
  if (!options.current_keys) {
    return absl::UnauthenticatedError("this server accepts no tokens (security.jwks_file unset)");
  }
  std::shared_ptr<const security::KeySet> keys = options.current_keys();
  if (keys == nullptr) return absl::UnauthenticatedError("no token keys are loaded");
  return security::VerifyToken(authorization.substr(kBearer.size()), *keys, options.token_rules,
                               absl::Now());
}

}  // namespace

grpc::Status CallAuthenticator::Process(const InputMetadata& auth_metadata,
                                        grpc::AuthContext* context,
                                        OutputMetadata* consumed_auth_metadata,
                                        OutputMetadata* /*response_metadata*/) {
  absl::StatusOr<security::Principal> principal = absl::UnauthenticatedError(
      "no credentials: present a client certificate issued by the "
      "infobus CA or a bearer token");
  auto authorization = auth_metadata.find("authorization");
  if (authorization != auth_metadata.end()) {
    principal = FromToken(
        std::string_view(authorization->second.data(), authorization->second.size()), options_);
    // Handlers never see the token.
    consumed_auth_metadata->insert(
        {std::string(authorization->first.data(), authorization->first.size()),
         std::string(authorization->second.data(), authorization->second.size())});
  } else {
    // The leaf first, then whatever chain the TLS layer kept (on a server OpenSSL's peer chain
    // may lack the leaf or hold the root): extra untrusted certificates do not hurt a check.
    std::vector<grpc::string_ref> leaf =
        context->FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME);
    if (!leaf.empty()) {
      std::string pem(leaf.front().data(), leaf.front().size());
      for (const grpc::string_ref& chain :
           context->FindPropertyValues(GRPC_X509_PEM_CERT_CHAIN_PROPERTY_NAME)) {
        pem.append("\n").append(chain.data(), chain.size());
      }
      auto uris = options_.certificates->VerifiedUris(pem);
      principal = uris.ok() ? security::MachinePrincipal(*uris, options_.machines)
                            : absl::StatusOr<security::Principal>(uris.status());
    }
  }
  if (!principal.ok()) return ToGrpcStatus(principal.status());
  AttachPrincipal(*principal, context);
  return grpc::Status::OK;
}

}  // namespace infobus
