#include "common/grpc/call_authenticator.h"

#include <grpc/grpc_security_constants.h>

#include "absl/time/clock.h"
#include "common/grpc/status.h"

namespace infobus {
namespace {

constexpr std::string_view kBearer = "Bearer ";
constexpr size_t kMaxCachedTokens = 10000;
// A cached verdict is redone after this, so a rotated-away key stops working soon after.
constexpr absl::Duration kCacheTokensFor = absl::Seconds(30);

}  // namespace

std::string PeerCertificatePem(const grpc::AuthContext& context) {
  // The leaf first, then whatever chain the TLS layer kept (on a server OpenSSL's peer chain
  // may lack the leaf or hold the root): extra untrusted certificates do not hurt a check.
  std::vector<grpc::string_ref> leaf = context.FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME);
  if (leaf.empty()) return "";
  std::string pem(leaf.front().data(), leaf.front().size());
  for (const grpc::string_ref& chain :
       context.FindPropertyValues(GRPC_X509_PEM_CERT_CHAIN_PROPERTY_NAME)) {
    pem.append("\n").append(chain.data(), chain.size());
  }
  return pem;
}

absl::StatusOr<security::Principal> CallAuthenticator::FromToken(
    std::string_view authorization) const {
  if (authorization.substr(0, kBearer.size()) != kBearer) {
    return absl::UnauthenticatedError("authorization metadata is not 'Bearer <token>'");
  }
  if (!options_.current_keys) {
    return absl::UnauthenticatedError("this server accepts no tokens (security.jwks_file unset)");
  }
  const std::string token(authorization.substr(kBearer.size()));
  const absl::Time now = absl::Now();
  {
    absl::MutexLock lock(&mutex_);
    auto it = tokens_.find(token);
    if (it != tokens_.end() && now < it->second.until) return it->second.principal;
  }
  std::shared_ptr<const security::KeySet> keys = options_.current_keys();
  if (keys == nullptr) return absl::UnauthenticatedError("no token keys are loaded");
  absl::StatusOr<security::Principal> principal =
      security::VerifyToken(token, *keys, options_.token_rules, now);
  if (principal.ok()) {
    absl::MutexLock lock(&mutex_);
    if (tokens_.size() >= kMaxCachedTokens) tokens_.clear();
    tokens_.insert_or_assign(
        token, Cached{*principal, std::min(now + kCacheTokensFor, principal->expires)});
  }
  return principal;
}

absl::StatusOr<security::Principal> CallAuthenticator::Authenticate(
    std::optional<std::string_view> authorization, const std::string& peer_pem) const {
  if (authorization.has_value()) return FromToken(*authorization);
  if (!peer_pem.empty()) {
    auto uris = options_.certificates->VerifiedUris(peer_pem);
    if (!uris.ok()) return uris.status();
    return security::MachinePrincipal(*uris, options_.machines);
  }
  return absl::UnauthenticatedError(
      "no credentials: present a client certificate issued by the infobus CA or a bearer token");
}

grpc::Status AuthenticatingProcessor::Process(const InputMetadata& auth_metadata,
                                              grpc::AuthContext* context,
                                              OutputMetadata* /*consumed_auth_metadata*/,
                                              OutputMetadata* /*response_metadata*/) {
  std::optional<std::string_view> authorization;
  if (auto it = auth_metadata.find("authorization"); it != auth_metadata.end()) {
    authorization = std::string_view(it->second.data(), it->second.size());
  }
  auto principal = authenticator_->Authenticate(authorization, PeerCertificatePem(*context));
  return principal.ok() ? grpc::Status::OK : ToGrpcStatus(principal.status());
}

}  // namespace infobus
