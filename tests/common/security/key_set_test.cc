// KeySet::FromJwks: EC P-256 and RSA public keys become the PEM libjwt verifies with, and
// everything else a JWKS can hold by mistake or malice is refused, naming the key and field.
#include "common/security/key_set.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/common/security/test_keys.h"

namespace infobus::security {
namespace {

using ::testing::HasSubstr;
using testing::Jwks;
using testing::NewEcKey;
using testing::NewRsaKey;
using testing::TestKey;

const TestKey& EcKey() {
  static const TestKey* key = new TestKey(NewEcKey());
  return *key;
}
const TestKey& RsaKey() {
  static const TestKey* key = new TestKey(NewRsaKey());
  return *key;
}

nlohmann::json EcJwk(const std::string& kid = "ec-1") {
  nlohmann::json jwk = EcKey().jwk;
  jwk["kid"] = kid;
  return jwk;
}

std::string Set(const nlohmann::json& jwk) { return nlohmann::json{{"keys", {jwk}}}.dump(); }

void ExpectRefused(const std::string& jwks, const std::string& reason) {
  const absl::StatusOr<KeySet> keys = KeySet::FromJwks(jwks);
  ASSERT_FALSE(keys.ok()) << jwks;
  EXPECT_EQ(keys.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(keys.status().message()), HasSubstr(reason));
}

TEST(KeySet, EcAndRsaKeysBecomeTheirPublicPem) {
  const absl::StatusOr<KeySet> keys =
      KeySet::FromJwks(Jwks({{"ec-1", &EcKey()}, {"rsa-1", &RsaKey()}}));
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_EQ(keys->size(), 2u);
  const KeySet::Key* ec = keys->Find("ec-1");
  ASSERT_NE(ec, nullptr);
  EXPECT_EQ(ec->algorithm, KeySet::Algorithm::kES256);
  EXPECT_EQ(ec->public_pem, EcKey().public_pem);
  const KeySet::Key* rsa = keys->Find("rsa-1");
  ASSERT_NE(rsa, nullptr);
  EXPECT_EQ(rsa->algorithm, KeySet::Algorithm::kRS256);
  EXPECT_EQ(rsa->public_pem, RsaKey().public_pem);
  EXPECT_EQ(keys->Find("other"), nullptr);
}

TEST(KeySet, AlgAndUseMayConfirmTheKeyType) {
  nlohmann::json ec = EcJwk();
  ec["alg"] = "ES256";
  ec["use"] = "sig";
  nlohmann::json rsa = RsaKey().jwk;
  rsa["kid"] = "rsa-1";
  rsa["alg"] = "RS256";
  const absl::StatusOr<KeySet> keys = KeySet::FromJwks(nlohmann::json{{"keys", {ec, rsa}}}.dump());
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_EQ(keys->size(), 2u);
}

TEST(KeySet, RefusesWhatIsNotAJwks) {
  ExpectRefused("", "not JSON");
  ExpectRefused("{\"keys\": [", "not JSON");
  ExpectRefused("[]", "not a JSON object");
  ExpectRefused("{}", "keys: missing");
  ExpectRefused(R"({"keys": {}})", "keys: not an array");
  ExpectRefused(R"({"keys": []})", "keys: empty");
  ExpectRefused(R"({"keys": [1]})", "keys[0]: not an object");
}

TEST(KeySet, RefusesAKeyWithoutKid) {
  nlohmann::json jwk = EcJwk();
  jwk.erase("kid");
  ExpectRefused(Set(jwk), "keys[0].kid: missing");
  jwk["kid"] = "";
  ExpectRefused(Set(jwk), "keys[0].kid: empty");
  jwk["kid"] = 7;
  ExpectRefused(Set(jwk), "keys[0].kid: not a string");
}

TEST(KeySet, RefusesADuplicateKid) {
  ExpectRefused(nlohmann::json{{"keys", {EcJwk("a"), EcJwk("a")}}}.dump(),
                "keys[1].kid: 'a' appears twice");
}

TEST(KeySet, RefusesPrivateKeyMaterial) {
  nlohmann::json jwk = EcJwk();
  jwk["d"] = "c2VjcmV0";
  ExpectRefused(Set(jwk), "keys[0].d: private key material");
  nlohmann::json oct = {{"kty", "oct"}, {"kid", "h"}, {"k", "c2VjcmV0"}};
  ExpectRefused(Set(oct), "keys[0].k: private key material");
}

TEST(KeySet, RefusesAKeyNotForSignatures) {
  nlohmann::json jwk = EcJwk();
  jwk["use"] = "enc";
  ExpectRefused(Set(jwk), "keys[0].use: 'enc' is not sig");
}

TEST(KeySet, RefusesUnsupportedTypesAndCurves) {
  nlohmann::json jwk = EcJwk();
  jwk["kty"] = "OKP";
  ExpectRefused(Set(jwk), "keys[0].kty: 'OKP' is not EC or RSA");
  jwk.erase("kty");
  ExpectRefused(Set(jwk), "keys[0].kty: missing");
  jwk = EcJwk();
  jwk["crv"] = "P-384";
  ExpectRefused(Set(jwk), "keys[0].crv: 'P-384' is not P-256");
}

TEST(KeySet, RefusesAnAlgOtherThanTheKeyTypes) {
  nlohmann::json ec = EcJwk();
  ec["alg"] = "HS256";
  ExpectRefused(Set(ec), "keys[0].alg: 'HS256' is not ES256");
  ec["alg"] = "RS256";
  ExpectRefused(Set(ec), "keys[0].alg: 'RS256' is not ES256");
  nlohmann::json rsa = RsaKey().jwk;
  rsa["kid"] = "r";
  rsa["alg"] = "ES256";
  ExpectRefused(Set(rsa), "keys[0].alg: 'ES256' is not RS256");
}

TEST(KeySet, RefusesCoordinatesThatAreNotBase64url) {
  nlohmann::json second = EcJwk("b");
  second["x"] = second["x"].get<std::string>() + "=";  // padding is not base64url for JWK
  ExpectRefused(nlohmann::json{{"keys", {EcJwk("a"), second}}}.dump(), "keys[1].x: not base64url");
  second["x"] = "ab+/";
  ExpectRefused(nlohmann::json{{"keys", {EcJwk("a"), second}}}.dump(), "keys[1].x: not base64url");
  second = EcJwk("b");
  second.erase("y");
  ExpectRefused(nlohmann::json{{"keys", {EcJwk("a"), second}}}.dump(), "keys[1].y: missing");
}

TEST(KeySet, RefusesAPointOfTheWrongSizeOrOffTheCurve) {
  nlohmann::json jwk = EcJwk();
  jwk["x"] = testing::Base64Url(std::string(31, '\x01'));
  ExpectRefused(Set(jwk), "keys[0].x: not 32 bytes");
  jwk = EcJwk();
  jwk["y"] = jwk["x"];  // (x, x) is not on P-256 (but for a 2^-128 chance)
  ExpectRefused(Set(jwk), "keys[0]: not a valid EC public key");
}

TEST(KeySet, RefusesAShortRsaModulus) {
  nlohmann::json jwk = RsaKey().jwk;
  jwk["kid"] = "r";
  jwk["n"] = testing::Base64Url(std::string(128, '\xc3'));  // 1024 bits
  ExpectRefused(Set(jwk), "keys[0].n: 1024 bits, at least 2048");
}

}  // namespace
}  // namespace infobus::security
