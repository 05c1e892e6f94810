#include "services/gateway/forwarded_identity.h"

namespace infobus::gateway {

absl::StatusOr<std::string> ForwardedAuthorization(std::string_view header) {
  for (const char c : header) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte > 0x7e) {
      return absl::UnauthenticatedError(
          "the Authorization header holds a byte that no token has (outside printable ASCII)");
    }
  }
  return std::string(header);
}

}  // namespace infobus::gateway
