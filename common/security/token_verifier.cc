#include "common/security/token_verifier.h"

#include <jwt.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/domain/jurisdiction.h"
#include "common/security/openssl_ptr.h"

namespace infobus::security {
namespace {

using infobus::common::v1::Classification;
using nlohmann::json;

// Far above any real token (a few hundred bytes); bounds the work an anonymous caller can cause.
constexpr size_t kMaxTokenBytes = 16 * 1024;
// How much of a value taken from a token a refusal repeats.
constexpr size_t kMaxEchoedChars = 64;

struct JwtFree {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtFree>;
// libjwt 1.10 returns strings from malloc (jwt_free_str came in 1.13).
struct MallocFree {
  void operator()(char* text) const { std::free(text); }
};
using MallocString = std::unique_ptr<char, MallocFree>;

absl::Status Refuse(const std::string& reason) { return absl::UnauthenticatedError(reason); }

// A value from the token as a refusal shows it: quoted, escaped, cut to kMaxEchoedChars.
std::string Quote(std::string_view value) {
  const size_t shown = std::min(value.size(), kMaxEchoedChars);
  return absl::StrCat("'", absl::CHexEscape(absl::string_view(value.data(), shown)),
                      value.size() > shown ? "...'" : "'");
}

std::string FormatUtc(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", time, absl::UTCTimeZone());
}

const char* AlgorithmName(KeySet::Algorithm algorithm) {
  switch (algorithm) {
    case KeySet::Algorithm::kES256:
      return "ES256";
    case KeySet::Algorithm::kRS256:
      return "RS256";
  }
  return "?";
}

jwt_alg_t JwtAlgorithm(KeySet::Algorithm algorithm) {
  switch (algorithm) {
    case KeySet::Algorithm::kES256:
      return JWT_ALG_ES256;
    case KeySet::Algorithm::kRS256:
      return JWT_ALG_RS256;
  }
  return JWT_ALG_INVAL;
}

// A JSON object libjwt hands out as text (the header or the claims).
absl::StatusOr<json> ParseObject(MallocString text, const char* what) {
  if (text == nullptr) return Refuse(absl::StrCat("malformed token: no ", what));
  json object = json::parse(text.get(), nullptr, /*allow_exceptions=*/false);
  if (!object.is_object()) return Refuse(absl::StrCat("malformed token: ", what, " not an object"));
  return object;
}

// The header, read without verifying anything, only to choose the key: its alg and kid.
struct Header {
  std::string alg;
  std::string kid;
};

absl::StatusOr<Header> ReadHeader(const std::string& token) {
  jwt_t* raw = nullptr;
  if (jwt_decode(&raw, token.c_str(), nullptr, 0) != 0) {
    return Refuse("malformed token: not a signed JWT");
  }
  JwtPtr jwt(raw);
  absl::StatusOr<json> header =
      ParseObject(MallocString(jwt_get_headers_json(jwt.get(), nullptr)), "header");
  if (!header.ok()) return header.status();
  // RFC 7515 4.1.11: a recipient that does not understand every listed extension must refuse.
  if (header->contains("crit")) return Refuse("header 'crit' extensions are not supported");
  Header result;
  const auto alg = header->find("alg");
  if (alg == header->end() || !alg->is_string()) return Refuse("token has no alg");
  result.alg = alg->get<std::string>();
  const auto kid = header->find("kid");
  if (kid != header->end()) {
    if (!kid->is_string()) return Refuse("token kid is not a string");
    result.kid = kid->get<std::string>();
  }
  return result;
}

// NumericDate claims (RFC 7519 2): seconds since the epoch, possibly fractional.
absl::StatusOr<std::optional<absl::Time>> DateClaim(const json& claims, const char* name) {
  const auto it = claims.find(name);
  if (it == claims.end()) return std::nullopt;
  if (!it->is_number()) return Refuse(absl::StrCat("claim '", name, "' is not a number"));
  const double seconds = it->get<double>();
  if (!(seconds >= 0 && seconds < 1e12)) {
    return Refuse(absl::StrCat("claim '", name, "' is out of range"));
  }
  return absl::UnixEpoch() + absl::Seconds(seconds);
}

absl::StatusOr<std::string> StringClaim(const json& claims, const char* name) {
  const auto it = claims.find(name);
  if (it == claims.end()) return std::string();
  if (!it->is_string()) return Refuse(absl::StrCat("claim '", name, "' is not a string"));
  return it->get<std::string>();
}

// Absent is empty; so is an empty array.
absl::StatusOr<std::vector<std::string>> StringsClaim(const json& claims, const char* name) {
  std::vector<std::string> values;
  const auto it = claims.find(name);
  if (it == claims.end()) return values;
  const absl::Status wrong =
      Refuse(absl::StrCat("claim '", name, "' is not an array of non-empty strings"));
  if (!it->is_array()) return wrong;
  for (const json& value : *it) {
    if (!value.is_string() || value.get_ref<const std::string&>().empty()) return wrong;
    values.push_back(value.get<std::string>());
  }
  return values;
}

// A person's jurisdiction is a province, city or county code (2, 4 or 6 digits) or a police-unit
// code extending a county's (longer): the prefixes common/domain accepts, except the empty one
// (that would be everywhere) and odd lengths below a county (not a GB/T 2260 level).
absl::Status CheckJurisdiction(const std::string& code) {
  if (code.size() < 2 || (code.size() < 6 && code.size() % 2 != 0)) {
    return Refuse(absl::StrCat("jurisdiction ", Quote(code),
                               " is not a province, city, county or police-unit code"));
  }
  if (absl::Status valid = infobus::domain::ValidateJurisdictionPrefix(code); !valid.ok()) {
    return Refuse(absl::StrCat("jurisdiction ", Quote(code), ": ", std::string(valid.message())));
  }
  return absl::OkStatus();
}

absl::StatusOr<Classification> ParseClearance(const std::string& name) {
  if (name.empty()) return infobus::common::v1::CLASSIFICATION_UNSPECIFIED;
  Classification clearance = infobus::common::v1::CLASSIFICATION_UNSPECIFIED;
  // Only the bare upper-case names; "UNSPECIFIED" is what an absent claim means, not a level.
  const bool known =
      name != "UNSPECIFIED" && absl::AsciiStrToUpper(name) == name &&
      infobus::common::v1::Classification_Parse("CLASSIFICATION_" + name, &clearance);
  if (!known) {
    return Refuse(absl::StrCat("clearance ", Quote(name),
                               " is not PUBLIC, INTERNAL, CONFIDENTIAL or SECRET"));
  }
  return clearance;
}

// Roles: names this version does not know are ignored (an identity provider may carry roles of
// other systems; they grant nothing here), the machine roles refuse the token (a person's token
// claiming to be a source or a service is forged or misissued), and one known role is required.
absl::Status MapRoles(const std::vector<std::string>& names, Principal* principal) {
  for (const std::string& name : names) {
    Role role;
    if (!ParseRole(name, &role)) continue;
    if (role == Role::kSource || role == Role::kService) {
      return Refuse(absl::StrCat("role ", Quote(name), " is for machines, not tokens"));
    }
    principal->roles.insert(role);
  }
  if (principal->roles.empty()) return Refuse("token has no known role");
  return absl::OkStatus();
}

absl::Status CheckTimes(const json& claims, const TokenRules& rules, absl::Time now) {
  absl::StatusOr<std::optional<absl::Time>> expires = DateClaim(claims, "exp");
  if (!expires.ok()) return expires.status();
  if (!expires->has_value()) return Refuse("token has no exp");
  // RFC 7519 4.1.4: valid only before exp.
  if (now >= **expires + rules.leeway) {
    return Refuse(absl::StrCat("token expired at ", FormatUtc(**expires)));
  }
  absl::StatusOr<std::optional<absl::Time>> not_before = DateClaim(claims, "nbf");
  if (!not_before.ok()) return not_before.status();
  if (not_before->has_value() && now + rules.leeway < **not_before) {
    return Refuse(absl::StrCat("token not valid before ", FormatUtc(**not_before)));
  }
  return absl::OkStatus();
}

absl::Status CheckAudience(const json& claims, const std::string& audience) {
  const auto aud = claims.find("aud");
  if (aud == claims.end()) return Refuse("token has no aud");
  bool found = false;
  if (aud->is_string()) {
    found = aud->get_ref<const std::string&>() == audience;
  } else if (aud->is_array()) {
    for (const json& entry : *aud) {
      if (!entry.is_string()) return Refuse("claim 'aud' is not a string or array of strings");
      found = found || entry.get_ref<const std::string&>() == audience;
    }
  } else {
    return Refuse("claim 'aud' is not a string or array of strings");
  }
  if (!found) return Refuse(absl::StrCat("audience ", Quote(audience), " not in token"));
  return absl::OkStatus();
}

absl::StatusOr<Principal> ClaimsToPrincipal(const json& claims, const TokenRules& rules,
                                            absl::Time now) {
  if (absl::Status times = CheckTimes(claims, rules, now); !times.ok()) return times;
  absl::StatusOr<std::string> issuer = StringClaim(claims, "iss");
  if (!issuer.ok()) return issuer.status();
  if (issuer->empty()) return Refuse("token has no iss");
  if (*issuer != rules.issuer) {
    return Refuse(absl::StrCat("issuer ", Quote(*issuer), " is not ", Quote(rules.issuer)));
  }
  if (absl::Status audience = CheckAudience(claims, rules.audience); !audience.ok()) {
    return audience;
  }
  Principal principal;
  absl::StatusOr<std::string> subject = StringClaim(claims, "sub");
  if (!subject.ok()) return subject.status();
  if (subject->empty()) return Refuse("token has no sub");
  principal.id = *std::move(subject);

  absl::StatusOr<std::vector<std::string>> roles = StringsClaim(claims, "roles");
  if (!roles.ok()) return roles.status();
  if (absl::Status mapped = MapRoles(*roles, &principal); !mapped.ok()) return mapped;

  absl::StatusOr<std::string> unit = StringClaim(claims, "unit");
  if (!unit.ok()) return unit.status();
  principal.unit_id = *std::move(unit);

  absl::StatusOr<std::vector<std::string>> jurisdictions = StringsClaim(claims, "jurisdictions");
  if (!jurisdictions.ok()) return jurisdictions.status();
  for (const std::string& code : *jurisdictions) {
    if (absl::Status valid = CheckJurisdiction(code); !valid.ok()) return valid;
  }
  principal.jurisdictions = *std::move(jurisdictions);

  absl::StatusOr<std::string> clearance_name = StringClaim(claims, "clearance");
  if (!clearance_name.ok()) return clearance_name.status();
  if (claims.contains("clearance") && clearance_name->empty()) {
    return Refuse("claim 'clearance' is empty");
  }
  absl::StatusOr<Classification> clearance = ParseClearance(*clearance_name);
  if (!clearance.ok()) return clearance.status();
  principal.clearance = *clearance;

  absl::StatusOr<std::vector<std::string>> compartments = StringsClaim(claims, "compartments");
  if (!compartments.ok()) return compartments.status();
  principal.compartments.insert(compartments->begin(), compartments->end());
  // exp was checked above; kept so a verified token is not trusted past it (caches).
  if (auto expires = DateClaim(claims, "exp"); expires.ok() && expires->has_value()) {
    principal.expires = **expires;
  }
  return principal;
}

// Only the base64url alphabet and two dots: a JWS compact serialization, nothing libjwt's C
// strings would cut short (a NUL) and no JWE (five parts).
bool LooksLikeCompactJws(std::string_view token) {
  if (std::count(token.begin(), token.end(), '.') != 2) return false;
  return std::all_of(token.begin(), token.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

}  // namespace

absl::StatusOr<Principal> VerifyToken(std::string_view token_text, const KeySet& keys,
                                      const TokenRules& rules, absl::Time now) {
  if (token_text.empty()) return Refuse("empty token");
  if (token_text.size() > kMaxTokenBytes) {
    return Refuse(absl::StrCat("token of ", token_text.size(), " bytes, at most ", kMaxTokenBytes));
  }
  if (!LooksLikeCompactJws(token_text)) return Refuse("malformed token: not a compact JWS");
  const std::string token(token_text);

  // libjwt 1.10 lets the token choose: without checks here it would accept alg "none" and take
  // a public key as an HS256 secret. So the header picks the key, and the key fixes the alg.
  absl::StatusOr<Header> header = ReadHeader(token);
  if (!header.ok()) return header.status();
  if (absl::AsciiStrToLower(header->alg) == "none") return Refuse("alg 'none' is not accepted");
  if (header->kid.empty()) return Refuse("token has no kid");
  const KeySet::Key* key = keys.Find(header->kid);
  if (key == nullptr) return Refuse(absl::StrCat("unknown key id ", Quote(header->kid)));
  const char* expected_alg = AlgorithmName(key->algorithm);
  if (header->alg != expected_alg) {
    return Refuse(absl::StrCat("alg ", Quote(header->alg), " is not ", expected_alg,
                               ", the algorithm of key ", Quote(header->kid)));
  }

  jwt_t* raw = nullptr;
  if (jwt_decode(&raw, token.c_str(),
                 reinterpret_cast<const unsigned char*>(key->public_pem.data()),
                 static_cast<int>(key->public_pem.size())) != 0) {
    return Refuse("signature does not verify");
  }
  JwtPtr verified(raw);
  if (jwt_get_alg(verified.get()) != JwtAlgorithm(key->algorithm)) {
    return Refuse(absl::StrCat("token was not verified as ", expected_alg));
  }
  absl::StatusOr<json> claims =
      ParseObject(MallocString(jwt_get_grants_json(verified.get(), nullptr)), "claims");
  if (!claims.ok()) return claims.status();
  return ClaimsToPrincipal(*claims, rules, now);
}

absl::StatusOr<std::string> MintToken(const TokenClaims& claims, std::string_view private_key_pem,
                                      std::string_view kid) {
  if (kid.empty()) return absl::InvalidArgumentError("kid is empty");
  if (claims.subject.empty()) return absl::InvalidArgumentError("subject is empty");
  // libjwt would only fail at signing, with an errno; say which key is wrong instead.
  BioPtr bio(BIO_new_mem_buf(private_key_pem.data(), static_cast<int>(private_key_pem.size())));
  PkeyPtr key(bio == nullptr ? nullptr
                             : PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  char group[64] = {};
  if (key == nullptr || !EVP_PKEY_is_a(key.get(), "EC") ||
      EVP_PKEY_get_utf8_string_param(key.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                     nullptr) != 1 ||
      std::strcmp(group, "prime256v1") != 0) {
    return absl::InvalidArgumentError("signing key is not a PEM EC P-256 private key");
  }

  json body = json::object();
  body["sub"] = claims.subject;
  body["exp"] = absl::ToUnixSeconds(claims.expires);
  // A default not_before (the epoch) means none.
  if (claims.not_before != absl::UnixEpoch()) {
    body["nbf"] = absl::ToUnixSeconds(claims.not_before);
    body["iat"] = absl::ToUnixSeconds(claims.not_before);
  }
  if (!claims.issuer.empty()) body["iss"] = claims.issuer;
  if (!claims.audience.empty()) body["aud"] = claims.audience;
  if (!claims.roles.empty()) body["roles"] = claims.roles;
  if (!claims.unit.empty()) body["unit"] = claims.unit;
  if (!claims.jurisdictions.empty()) body["jurisdictions"] = claims.jurisdictions;
  if (!claims.clearance.empty()) body["clearance"] = claims.clearance;
  if (!claims.compartments.empty()) body["compartments"] = claims.compartments;

  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) return absl::ResourceExhaustedError("jwt_new failed");
  JwtPtr jwt(raw);
  const std::string kid_text(kid);
  const std::string body_text = body.dump();
  if (jwt_add_header(jwt.get(), "kid", kid_text.c_str()) != 0 ||
      jwt_add_grants_json(jwt.get(), body_text.c_str()) != 0 ||
      jwt_set_alg(jwt.get(), JWT_ALG_ES256,
                  reinterpret_cast<const unsigned char*>(private_key_pem.data()),
                  static_cast<int>(private_key_pem.size())) != 0) {
    return absl::InternalError(absl::StrCat("cannot build the token: ", std::strerror(errno)));
  }
  MallocString token(jwt_encode_str(jwt.get()));
  if (token == nullptr) {
    return absl::InternalError(absl::StrCat("cannot sign the token: ", std::strerror(errno)));
  }
  return std::string(token.get());
}

}  // namespace infobus::security
