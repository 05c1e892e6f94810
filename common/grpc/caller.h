#pragma once

#include <grpcpp/security/auth_context.h>
#include <grpcpp/server_context.h>

#include "absl/status/statusor.h"
#include "common/security/principal.h"

namespace infobus {

// Who is calling: the principal CallAuthenticator attached to the call. On a server started with
// security.mode=insecure (plaintext: nobody is authenticated) an unrestricted principal; on a
// TLS server without one, UNAUTHENTICATED (fail closed). Cheap; call it from any handler.
absl::StatusOr<security::Principal> CallerOf(const grpc::ServerContextBase& context);

// Stores `principal` in the call's AuthContext as infobus.* properties (CallAuthenticator).
void AttachPrincipal(const security::Principal& principal, grpc::AuthContext* context);

}  // namespace infobus
