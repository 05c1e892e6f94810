#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/security/key_set.h"
#include "common/security/principal.h"

namespace infobus::security {

// Verifies a person's bearer token (a JWS compact JWT) with libjwt and turns its claims into a
// Principal. Pure: the keys and the time are given. Refuses, with UNAUTHENTICATED and the reason:
// a malformed token; alg "none" or any alg other than the key's; a missing or unknown kid; a bad
// signature; exp passed or missing, nbf in the future (both with `leeway`); iss not `issuer`;
// aud not containing `audience`; a missing sub; no known role.
//
// Claims: sub, roles (array of role names), unit (unit id), jurisdictions (array of GB/T 2260
// prefixes), clearance ("PUBLIC", "INTERNAL", "CONFIDENTIAL", "SECRET"), compartments (array).
// A token cannot claim the machine roles (source, service): one that does is refused. Role
// names this version does not know are ignored (they grant nothing), but one known person role
// is required. A jurisdiction is a province, city or county code (2, 4, 6 digits) or a
// police-unit code extending a county's (domain::ValidateJurisdictionPrefix), never empty. An
// absent clearance is CLASSIFICATION_UNSPECIFIED; an unknown one is refused. The reasons quote
// at most a short, escaped piece of a claim or header, never the token.
struct TokenRules {
  std::string issuer;
  std::string audience;
  absl::Duration leeway = absl::Seconds(30);
};

absl::StatusOr<Principal> VerifyToken(std::string_view token, const KeySet& keys,
                                      const TokenRules& rules, absl::Time now);

// Signs a token for development and tests (infobusctl token mint): ES256 with a PEM EC P-256
// private key, header kid = `kid`. Empty strings and lists are left out of the claims, and nbf
// (with iat) when not_before is left at its default, the epoch; exp is always written.
struct TokenClaims {
  std::string subject;
  std::vector<std::string> roles;
  std::string unit;
  std::vector<std::string> jurisdictions;
  std::string clearance;  // "SECRET", ...
  std::vector<std::string> compartments;
  std::string issuer;
  std::string audience;
  absl::Time not_before;
  absl::Time expires;
};
absl::StatusOr<std::string> MintToken(const TokenClaims& claims, std::string_view private_key_pem,
                                      std::string_view kid);

}  // namespace infobus::security
