#include "common/grpc/caller.h"

#include <grpc/grpc_security_constants.h>

#include "absl/strings/numbers.h"

namespace infobus {
namespace {

// Property names; a client cannot set these (they are not metadata).
constexpr char kId[] = "infobus.id";
constexpr char kRole[] = "infobus.role";
constexpr char kUnit[] = "infobus.unit";
constexpr char kJurisdiction[] = "infobus.jurisdiction";
constexpr char kClearance[] = "infobus.clearance";
constexpr char kCompartment[] = "infobus.compartment";
constexpr char kByCertificate[] = "infobus.by_certificate";

std::string ToString(const grpc::string_ref& ref) { return std::string(ref.data(), ref.size()); }

}  // namespace

void AttachPrincipal(const security::Principal& principal, grpc::AuthContext* context) {
  context->AddProperty(kId, principal.id);
  for (security::Role role : principal.roles) {
    context->AddProperty(kRole, std::string(security::RoleName(role)));
  }
  if (!principal.unit_id.empty()) context->AddProperty(kUnit, principal.unit_id);
  for (const std::string& code : principal.jurisdictions) {
    context->AddProperty(kJurisdiction, code);
  }
  context->AddProperty(kClearance, std::to_string(static_cast<int>(principal.clearance)));
  for (const std::string& compartment : principal.compartments) {
    context->AddProperty(kCompartment, compartment);
  }
  context->AddProperty(kByCertificate, principal.authenticated_by_certificate ? "1" : "0");
}

absl::StatusOr<security::Principal> CallerOf(const grpc::ServerContextBase& context) {
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth == nullptr) return absl::UnauthenticatedError("call has no security context");
  std::vector<grpc::string_ref> id = auth->FindPropertyValues(kId);
  if (id.empty()) {
    std::vector<grpc::string_ref> transport =
        auth->FindPropertyValues(GRPC_TRANSPORT_SECURITY_TYPE_PROPERTY_NAME);
    if (!transport.empty() && ToString(transport.front()) == "insecure") {
      security::Principal unrestricted;
      unrestricted.id = "insecure-mode";
      unrestricted.unrestricted = true;
      return unrestricted;
    }
    return absl::UnauthenticatedError("call was not authenticated");
  }
  security::Principal principal;
  principal.id = ToString(id.front());
  for (const grpc::string_ref& role : auth->FindPropertyValues(kRole)) {
    security::Role parsed;
    if (security::ParseRole(ToString(role), &parsed)) principal.roles.insert(parsed);
  }
  for (const grpc::string_ref& unit : auth->FindPropertyValues(kUnit)) {
    principal.unit_id = ToString(unit);
  }
  for (const grpc::string_ref& code : auth->FindPropertyValues(kJurisdiction)) {
    principal.jurisdictions.push_back(ToString(code));
  }
  for (const grpc::string_ref& clearance : auth->FindPropertyValues(kClearance)) {
    int value = 0;
    if (absl::SimpleAtoi(ToString(clearance), &value) &&
        infobus::common::v1::Classification_IsValid(value)) {
      principal.clearance = static_cast<infobus::common::v1::Classification>(value);
    }
  }
  for (const grpc::string_ref& compartment : auth->FindPropertyValues(kCompartment)) {
    principal.compartments.insert(ToString(compartment));
  }
  for (const grpc::string_ref& by : auth->FindPropertyValues(kByCertificate)) {
    principal.authenticated_by_certificate = ToString(by) == "1";
  }
  return principal;
}

}  // namespace infobus
