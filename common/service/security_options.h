#pragma once

#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "common/config/config.h"
#include "common/grpc/credentials.h"

namespace infobus {

// The security.* keys (SecuritySchema), typed: how a service's gRPC side (and its metrics)
// authenticates callers. Filled once at startup by SecurityOptionsFrom; ServerCredentialsFrom
// reads the files it names. A plain value: copy it freely.
struct SecurityOptions {
  enum class Mode { kTls, kInsecure };
  Mode mode = Mode::kTls;      // security.mode; kInsecure: plaintext, nobody authenticated
  TlsFiles tls;                // security.ca_file, security.cert_file, security.key_file
  std::string jwks_file;       // security.jwks_file; empty: no bearer tokens
  std::string token_issuer;    // security.token_issuer
  std::string token_audience;  // security.token_audience
  std::string sources_file;    // security.sources_file; empty: no source registrations
  // security.administrators, split at commas: machine identities with the administrator role.
  std::set<std::string> administrators;
};

// INVALID_ARGUMENT for a security.mode that is neither tls nor insecure.
absl::StatusOr<SecurityOptions> SecurityOptionsFrom(const Config& config);

}  // namespace infobus
