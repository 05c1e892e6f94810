#pragma once

#include <grpcpp/security/auth_metadata_processor.h>

#include <functional>
#include <memory>

#include "common/security/certificate_verifier.h"
#include "common/security/key_set.h"
#include "common/security/machine_identity.h"
#include "common/security/token_verifier.h"

namespace infobus {

// Authenticates every call on a TLS server before any handler runs (gRPC's auth metadata
// processor): a bearer token (a person; it wins over the channel's certificate, so a gateway's
// certificate carries its user's token) or else the client certificate (a machine). The
// principal is attached to the call's AuthContext, where CallerOf (caller.h) finds it; a call
// with neither, or with one that does not verify, ends UNAUTHENTICATED with the reason before
// reaching the service. Non-blocking (runs on gRPC's thread): a signature check and a map
// lookup, no I/O beyond `current_keys`' cheap stat.
class CallAuthenticator final : public grpc::AuthMetadataProcessor {
 public:
  struct Options {
    std::shared_ptr<const security::CertificateVerifier> certificates;  // required
    // The token keys in force (a KeySetFile's Current()); unset: no tokens accepted.
    std::function<std::shared_ptr<const security::KeySet>()> current_keys;
    security::TokenRules token_rules;
    security::MachinePolicy machines;
  };
  explicit CallAuthenticator(Options options) : options_(std::move(options)) {}

  bool IsBlocking() const override { return false; }
  grpc::Status Process(const InputMetadata& auth_metadata, grpc::AuthContext* context,
                       OutputMetadata* consumed_auth_metadata,
                       OutputMetadata* response_metadata) override;

 private:
  Options options_;
};

}  // namespace infobus
