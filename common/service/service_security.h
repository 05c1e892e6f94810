#pragma once

#include <grpcpp/security/server_credentials.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/config/config.h"
#include "common/service/security_options.h"

namespace infobus {

// The security.* keys every service understands: TLS identity, the CA, the token keys and
// rules, the source registrations, the administrator machines; security.mode=insecure turns
// all of it off (benchmarks only; logged loudly). Defaults point into .run/pki, which
// scripts/pki.sh init fills for local development. SecurityOptionsFrom (security_options.h)
// reads them.
ConfigSchema SecuritySchema(const std::string& service);

// The gRPC server credentials `settings` describe: TLS with this service's certificate and a
// CallAuthenticator, or plaintext in insecure mode. Reads the files now; an error names the
// file at fault.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFrom(
    const SecurityOptions& settings);

}  // namespace infobus
