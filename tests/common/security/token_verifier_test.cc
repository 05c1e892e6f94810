// VerifyToken: a valid ES256 or RS256 token becomes its Principal; every hostile token gets
// UNAUTHENTICATED with its reason, and the reason never repeats the token.
#include "common/security/token_verifier.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_split.h"
#include "tests/common/security/test_keys.h"

namespace infobus::security {
namespace {

using infobus::common::v1::CLASSIFICATION_SECRET;
using infobus::common::v1::CLASSIFICATION_UNSPECIFIED;
using ::testing::ElementsAre;
using testing::HandMadeJwt;
using ::testing::HasSubstr;
using testing::SignJwt;
using testing::TestKey;

const TestKey& EcKey() {
  static const TestKey* key = new TestKey(testing::NewEcKey());
  return *key;
}
const TestKey& OtherEcKey() {
  static const TestKey* key = new TestKey(testing::NewEcKey());
  return *key;
}
const TestKey& RsaKey() {
  static const TestKey* key = new TestKey(testing::NewRsaKey());
  return *key;
}

const absl::Time kNow = absl::FromUnixSeconds(1795852800);  // 2026-11-28T08:00:00Z

class VerifyTokenTest : public ::testing::Test {
 protected:
  VerifyTokenTest() {
    absl::StatusOr<KeySet> keys =
        KeySet::FromJwks(testing::Jwks({{"ec-1", &EcKey()}, {"rsa-1", &RsaKey()}}));
    EXPECT_TRUE(keys.ok()) << keys.status();
    keys_ = *std::move(keys);
  }

  // Every claim, valid at kNow.
  static nlohmann::json Claims() {
    return {{"sub", "zhang-wei"},
            {"iss", "infobus-local"},
            {"aud", "infobus"},
            {"exp", absl::ToUnixSeconds(kNow + absl::Hours(1))},
            {"nbf", absl::ToUnixSeconds(kNow - absl::Minutes(5))},
            {"roles", {"analyst", "supervisor"}},
            {"unit", "chongzuo-psb"},
            {"jurisdictions", {"4514", "451421"}},
            {"clearance", "SECRET"},
            {"compartments", {"border", "narcotics"}}};
  }

  std::string Es256(const nlohmann::json& claims, const std::string& kid = "ec-1") const {
    return SignJwt(JWT_ALG_ES256, EcKey().private_pem, kid, claims);
  }

  absl::StatusOr<Principal> Verify(const std::string& token) const {
    return VerifyToken(token, keys_, rules_, kNow);
  }

  // Refused as UNAUTHENTICATED with `reason`, and without the token's claims or signature in it.
  void ExpectRefused(const std::string& token, const std::string& reason) const {
    const absl::StatusOr<Principal> principal = Verify(token);
    ASSERT_FALSE(principal.ok()) << "accepted: " << principal->Describe();
    EXPECT_EQ(principal.status().code(), absl::StatusCode::kUnauthenticated);
    const std::string message(principal.status().message());
    EXPECT_THAT(message, HasSubstr(reason));
    for (absl::string_view part : absl::StrSplit(token, '.')) {
      if (part.size() > 8) {
        EXPECT_THAT(message, ::testing::Not(HasSubstr(std::string(part))));
      }
    }
  }

  KeySet keys_;
  TokenRules rules_{"infobus-local", "infobus"};
};

void ExpectEveryClaim(const Principal& principal) {
  EXPECT_EQ(principal.id, "zhang-wei");
  EXPECT_EQ(principal.roles, (std::set<Role>{Role::kAnalyst, Role::kSupervisor}));
  EXPECT_EQ(principal.unit_id, "chongzuo-psb");
  EXPECT_THAT(principal.jurisdictions, ElementsAre("4514", "451421"));
  EXPECT_EQ(principal.clearance, CLASSIFICATION_SECRET);
  EXPECT_EQ(principal.compartments, (std::set<std::string>{"border", "narcotics"}));
  EXPECT_FALSE(principal.authenticated_by_certificate);
  EXPECT_EQ(principal.Describe(), "analyst+supervisor:zhang-wei");
}

TEST_F(VerifyTokenTest, AValidEs256TokenMapsEveryClaim) {
  TokenClaims claims;
  claims.subject = "zhang-wei";
  claims.roles = {"analyst", "supervisor"};
  claims.unit = "chongzuo-psb";
  claims.jurisdictions = {"4514", "451421"};
  claims.clearance = "SECRET";
  claims.compartments = {"border", "narcotics"};
  claims.issuer = "infobus-local";
  claims.audience = "infobus";
  claims.not_before = kNow - absl::Minutes(1);
  claims.expires = kNow + absl::Hours(8);
  const absl::StatusOr<std::string> token = MintToken(claims, EcKey().private_pem, "ec-1");
  ASSERT_TRUE(token.ok()) << token.status();
  const absl::StatusOr<Principal> principal = Verify(*token);
  ASSERT_TRUE(principal.ok()) << principal.status();
  ExpectEveryClaim(*principal);
}

TEST_F(VerifyTokenTest, AValidRs256TokenMapsEveryClaim) {
  const absl::StatusOr<Principal> principal =
      Verify(SignJwt(JWT_ALG_RS256, RsaKey().private_pem, "rsa-1", Claims()));
  ASSERT_TRUE(principal.ok()) << principal.status();
  ExpectEveryClaim(*principal);
}

TEST_F(VerifyTokenTest, AudienceMayBeAnArray) {
  nlohmann::json claims = Claims();
  claims["aud"] = {"other", "infobus"};
  EXPECT_TRUE(Verify(Es256(claims)).ok());
}

TEST_F(VerifyTokenTest, OptionalClaimsMayBeAbsent) {
  nlohmann::json claims = Claims();
  for (const char* name : {"nbf", "unit", "jurisdictions", "clearance", "compartments"}) {
    claims.erase(name);
  }
  const absl::StatusOr<Principal> principal = Verify(Es256(claims));
  ASSERT_TRUE(principal.ok()) << principal.status();
  EXPECT_EQ(principal->clearance, CLASSIFICATION_UNSPECIFIED);
  EXPECT_TRUE(principal->jurisdictions.empty());
  EXPECT_TRUE(principal->compartments.empty());
}

TEST_F(VerifyTokenTest, RefusesAlgNone) {
  ExpectRefused(HandMadeJwt({{"alg", "none"}, {"kid", "ec-1"}}, Claims()),
                "alg 'none' is not accepted");
  ExpectRefused(HandMadeJwt({{"alg", "None"}, {"kid", "ec-1"}}, Claims()),
                "alg 'none' is not accepted");
}

// The classic confusion: the attacker knows the public key (it is public) and uses its PEM as
// an HMAC secret; libjwt 1.10 would verify that HS256 signature with the PEM we give it.
TEST_F(VerifyTokenTest, RefusesHs256SignedWithThePublicKeyAsSecret) {
  nlohmann::json claims = Claims();
  claims["roles"] = {"administrator"};
  ExpectRefused(SignJwt(JWT_ALG_HS256, EcKey().public_pem, "ec-1", claims),
                "alg 'HS256' is not ES256");
  ExpectRefused(SignJwt(JWT_ALG_HS256, RsaKey().public_pem, "rsa-1", claims),
                "alg 'HS256' is not RS256");
}

TEST_F(VerifyTokenTest, RefusesAnotherAsymmetricAlgThanTheKeys) {
  ExpectRefused(SignJwt(JWT_ALG_RS256, RsaKey().private_pem, "ec-1", Claims()),
                "alg 'RS256' is not ES256");
}

TEST_F(VerifyTokenTest, RefusesAnUnknownKid) {
  ExpectRefused(Es256(Claims(), "x"), "unknown key id 'x'");
}

TEST_F(VerifyTokenTest, RefusesATokenWithoutKid) { ExpectRefused(Es256(Claims(), ""), "no kid"); }

TEST_F(VerifyTokenTest, RefusesTheWrongAudience) {
  nlohmann::json claims = Claims();
  claims["aud"] = "other";
  ExpectRefused(Es256(claims), "audience 'infobus' not in token");
  claims["aud"] = {"other", "more"};
  ExpectRefused(Es256(claims), "audience 'infobus' not in token");
  claims.erase("aud");
  ExpectRefused(Es256(claims), "token has no aud");
}

TEST_F(VerifyTokenTest, RefusesTheWrongIssuer) {
  nlohmann::json claims = Claims();
  claims["iss"] = "evil";
  ExpectRefused(Es256(claims), "issuer 'evil' is not 'infobus-local'");
  claims.erase("iss");
  ExpectRefused(Es256(claims), "token has no iss");
}

TEST_F(VerifyTokenTest, RefusesAnExpiredToken) {
  nlohmann::json claims = Claims();
  claims["exp"] = absl::ToUnixSeconds(kNow - absl::Minutes(1));
  ExpectRefused(Es256(claims), "token expired at 2026-11-28T07:59:00Z");
}

TEST_F(VerifyTokenTest, ExpiryAndNotBeforeAllowTheLeeway) {
  nlohmann::json claims = Claims();
  claims["exp"] = absl::ToUnixSeconds(kNow - absl::Seconds(29));
  claims["nbf"] = absl::ToUnixSeconds(kNow + absl::Seconds(29));
  EXPECT_TRUE(Verify(Es256(claims)).ok());
  rules_.leeway = absl::ZeroDuration();
  ExpectRefused(Es256(claims), "token expired");
}

TEST_F(VerifyTokenTest, RefusesATokenWithoutExp) {
  nlohmann::json claims = Claims();
  claims.erase("exp");
  ExpectRefused(Es256(claims), "token has no exp");
  claims["exp"] = "tomorrow";
  ExpectRefused(Es256(claims), "claim 'exp' is not a number");
}

TEST_F(VerifyTokenTest, RefusesATokenNotYetValid) {
  nlohmann::json claims = Claims();
  claims["nbf"] = absl::ToUnixSeconds(kNow + absl::Minutes(10));
  ExpectRefused(Es256(claims), "token not valid before 2026-11-28T08:10:00Z");
}

// A claim changed after signing (an analyst making themself an administrator), the header and
// signature kept.
TEST_F(VerifyTokenTest, RefusesATamperedPayload) {
  const std::vector<std::string> parts = absl::StrSplit(Es256(Claims()), '.');
  ASSERT_EQ(parts.size(), 3u);
  nlohmann::json claims = Claims();
  claims["roles"] = {"administrator"};
  ExpectRefused(parts[0] + "." + testing::Base64Url(claims.dump()) + "." + parts[2],
                "signature does not verify");
}

TEST_F(VerifyTokenTest, RefusesASignatureByAnotherKeyWithTheSameKid) {
  ExpectRefused(SignJwt(JWT_ALG_ES256, OtherEcKey().private_pem, "ec-1", Claims()),
                "signature does not verify");
}

TEST_F(VerifyTokenTest, RefusesGarbage) {
  ExpectRefused("garbage", "malformed token");
  ExpectRefused("a.b.c", "malformed token");
  ExpectRefused("a.b.c.d.e", "malformed token");
  ExpectRefused(std::string("eyJhbGciOiJFUzI1NiJ9\0.x.y", 26), "malformed token");
  ExpectRefused("Bearer " + Es256(Claims()), "malformed token");
  ExpectRefused(std::string(20000, 'a'), "at most");
  // A signature cut short, and one of random bytes.
  const std::string token = Es256(Claims());
  ExpectRefused(token.substr(0, token.size() - 10), "signature does not verify");
  ExpectRefused(token.substr(0, token.rfind('.') + 1) + "AAAA", "signature does not verify");
}

TEST_F(VerifyTokenTest, RefusesAnEmptyToken) { ExpectRefused("", "empty token"); }

TEST_F(VerifyTokenTest, RefusesCriticalHeaderExtensions) {
  // Signed properly, but asks for an extension we do not implement (RFC 7515 4.1.11).
  jwt_t* jwt = nullptr;
  ASSERT_EQ(jwt_new(&jwt), 0);
  jwt_add_header(jwt, "kid", "ec-1");
  jwt_add_headers_json(jwt, R"({"crit":["b64"],"b64":false})");
  jwt_add_grants_json(jwt, Claims().dump().c_str());
  jwt_set_alg(jwt, JWT_ALG_ES256,
              reinterpret_cast<const unsigned char*>(EcKey().private_pem.data()),
              EcKey().private_pem.size());
  char* token = jwt_encode_str(jwt);
  jwt_free(jwt);
  ASSERT_NE(token, nullptr);
  const std::string text = token;
  std::free(token);
  ExpectRefused(text, "'crit'");
}

TEST_F(VerifyTokenTest, RefusesATokenWithoutSub) {
  nlohmann::json claims = Claims();
  claims["sub"] = "";
  ExpectRefused(Es256(claims), "token has no sub");
  claims.erase("sub");
  ExpectRefused(Es256(claims), "token has no sub");
}

TEST_F(VerifyTokenTest, RefusesMachineRoles) {
  for (const char* role : {"source", "service"}) {
    nlohmann::json claims = Claims();
    claims["roles"] = {"analyst", role};
    ExpectRefused(Es256(claims), "is for machines");
  }
}

TEST_F(VerifyTokenTest, IgnoresUnknownRolesButNeedsAKnownOne) {
  nlohmann::json claims = Claims();
  claims["roles"] = {"officer", "root", "ANALYST"};
  const absl::StatusOr<Principal> principal = Verify(Es256(claims));
  ASSERT_TRUE(principal.ok()) << principal.status();
  EXPECT_EQ(principal->roles, std::set<Role>{Role::kOfficer});
  claims["roles"] = {"root"};
  ExpectRefused(Es256(claims), "token has no known role");
  claims["roles"] = nlohmann::json::array();
  ExpectRefused(Es256(claims), "token has no known role");
  claims["roles"] = "analyst";
  ExpectRefused(Es256(claims), "claim 'roles' is not an array");
}

TEST_F(VerifyTokenTest, RefusesJurisdictionsThatAreNotCodes) {
  for (const char* code : {"", "4", "451", "45x1", "99", "451400", "4514219"}) {
    nlohmann::json claims = Claims();
    claims["jurisdictions"] = {"45", code};
    if (std::string(code).empty()) {
      ExpectRefused(Es256(claims), "claim 'jurisdictions' is not an array of non-empty strings");
    } else if (std::string(code) == "4514219") {
      // A police-unit code extends a county code by any number of digits: accepted.
      EXPECT_TRUE(Verify(Es256(claims)).ok()) << code;
    } else {
      ExpectRefused(Es256(claims), "jurisdiction '" + std::string(code) + "'");
    }
  }
}

TEST_F(VerifyTokenTest, RefusesAnUnknownClearance) {
  for (const char* name : {"TOP_SECRET", "secret", "UNSPECIFIED", "CLASSIFICATION_SECRET"}) {
    nlohmann::json claims = Claims();
    claims["clearance"] = name;
    ExpectRefused(Es256(claims), "is not PUBLIC, INTERNAL, CONFIDENTIAL or SECRET");
  }
}

TEST(MintToken, RefusesAKeyThatIsNotEcP256) {
  TokenClaims claims;
  claims.subject = "s";
  claims.expires = kNow;
  EXPECT_EQ(MintToken(claims, RsaKey().private_pem, "k").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MintToken(claims, "not a key", "k").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MintToken(claims, EcKey().private_pem, "").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace infobus::security
