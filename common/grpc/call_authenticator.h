#pragma once

#include <grpcpp/security/auth_metadata_processor.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/security/certificate_verifier.h"
#include "common/security/key_set.h"
#include "common/security/machine_identity.h"
#include "common/security/token_verifier.h"

namespace infobus {

// Who is calling, from what the call itself carries: a bearer token (a person; it wins over
// the channel's certificate, so a gateway's certificate carries its user's token) or else the
// client certificate (a machine), checked against the infobus CA. Thread-safe; cheap on a
// repeat (verified tokens are cached until min(exp, 30 s), certificate chains for a minute).
//
// Computed per call and never stored in the AuthContext: gRPC hands every call of a
// connection the same context, so what one call attached would be seen (and raced) by the
// next calls on that connection — another person's token included.
class CallAuthenticator {
 public:
  struct Options {
    std::shared_ptr<const security::CertificateVerifier> certificates;  // required
    // The token keys in force (a KeySetFile's Current()); unset: no tokens accepted.
    std::function<std::shared_ptr<const security::KeySet>()> current_keys;
    security::TokenRules token_rules;
    security::MachinePolicy machines;
  };
  explicit CallAuthenticator(Options options) : options_(std::move(options)) {}

  // `authorization`: the call's "authorization" metadata, if any; `peer_pem`: the connection's
  // client certificate (leaf first, then any chain), empty when none. UNAUTHENTICATED with the
  // reason when neither names a caller.
  absl::StatusOr<security::Principal> Authenticate(std::optional<std::string_view> authorization,
                                                   const std::string& peer_pem) const;

 private:
  absl::StatusOr<security::Principal> FromToken(std::string_view authorization) const;

  struct Cached {
    security::Principal principal;
    absl::Time until;
  };
  Options options_;
  mutable absl::Mutex mutex_;
  mutable absl::flat_hash_map<std::string, Cached> tokens_ ABSL_GUARDED_BY(mutex_);
};

// The gate on a TLS server (gRPC's auth metadata processor): refuses a call that names no
// caller, with UNAUTHENTICATED and the reason, before any service sees it (health and
// reflection included). Changes nothing; CallerOf (caller.h) asks the same authenticator again
// in the handler (a cache hit). Non-blocking: runs on gRPC's transport thread.
class AuthenticatingProcessor final : public grpc::AuthMetadataProcessor {
 public:
  explicit AuthenticatingProcessor(std::shared_ptr<const CallAuthenticator> authenticator)
      : authenticator_(std::move(authenticator)) {}
  bool IsBlocking() const override { return false; }
  grpc::Status Process(const InputMetadata& auth_metadata, grpc::AuthContext* context,
                       OutputMetadata* consumed_auth_metadata,
                       OutputMetadata* response_metadata) override;

 private:
  std::shared_ptr<const CallAuthenticator> authenticator_;
};

// The client certificate of `context`'s connection as PEM (leaf, then chain); empty if none.
std::string PeerCertificatePem(const grpc::AuthContext& context);

}  // namespace infobus
