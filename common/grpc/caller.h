#pragma once

#include <grpcpp/server_context.h>

#include <memory>

#include "absl/status/statusor.h"
#include "common/grpc/call_authenticator.h"
#include "common/security/principal.h"

namespace infobus {

// Who is calling, from the call's own token or its connection's certificate, through the
// authenticator the process installed (ServerCredentialsFrom does). On a server started with
// security.mode=insecure (plaintext, no authenticator) an unrestricted principal; on a TLS
// server without an authenticator, UNAUTHENTICATED (fail closed). Cheap on a repeat (cached);
// call it from any handler.
absl::StatusOr<security::Principal> CallerOf(const grpc::ServerContextBase& context);

// The authenticator of this process's servers (one security config per process).
void InstallCallAuthenticator(std::shared_ptr<const CallAuthenticator> authenticator);

}  // namespace infobus
