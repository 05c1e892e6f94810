#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace infobus::security {

// The public keys that sign people's tokens, parsed from a JWKS document (RFC 7517): EC P-256
// keys (ES256) and RSA keys (RS256), by "kid". Each key's algorithm is fixed by its type, so a
// token cannot pick another (no HS256 with a public key as the secret). Immutable.
class KeySet {
 public:
  enum class Algorithm { kES256, kRS256 };
  struct Key {
    Algorithm algorithm;
    std::string public_pem;  // SubjectPublicKeyInfo PEM, as libjwt takes it
  };

  // Refuses (INVALID_ARGUMENT, naming the key and field: "keys[1].x: not base64url") a document
  // that is not JSON or has no or an empty "keys"; a key without kid, with a kid seen before,
  // with a type, curve or alg it does not support, with "use" other than "sig", with private or
  // symmetric material ("d", "k", ...), an EC point off the curve or an RSA modulus under 2048
  // bits. One bad key refuses the whole document, so a reload never half-applies.
  static absl::StatusOr<KeySet> FromJwks(std::string_view json);

  const Key* Find(std::string_view kid) const;
  size_t size() const { return keys_.size(); }

 private:
  std::map<std::string, Key, std::less<>> keys_;
};

}  // namespace infobus::security
