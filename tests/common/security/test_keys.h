#pragma once

// Keys and tokens made on the spot for the security tests, with OpenSSL and libjwt: nothing
// secret is committed, and each hostile token is built exactly as an attacker would build it.
#include <gtest/gtest.h>
#include <jwt.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "common/security/openssl_ptr.h"

namespace infobus::security::testing {

struct TestKey {
  std::string private_pem;  // PKCS #8
  std::string public_pem;   // SubjectPublicKeyInfo
  nlohmann::json jwk;       // the public JWK, without kid
};

inline std::string Base64Url(const std::string& bytes) {
  std::string text;
  absl::WebSafeBase64Escape(bytes, &text);  // unpadded
  return text;
}

inline std::string Pem(EVP_PKEY* key, bool private_part) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  const int written =
      private_part ? PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)
                   : PEM_write_bio_PUBKEY(bio.get(), key);
  EXPECT_EQ(written, 1);
  return BioContents(bio.get());
}

// The big-endian bytes of a BIGNUM parameter, left-padded to `width` (0: as short as it is).
inline std::string BignumParam(EVP_PKEY* key, const char* name, int width) {
  BIGNUM* raw = nullptr;
  EXPECT_EQ(EVP_PKEY_get_bn_param(key, name, &raw), 1) << name;
  BignumPtr value(raw);
  std::string bytes(width > 0 ? width : BN_num_bytes(value.get()), '\0');
  BN_bn2binpad(value.get(), reinterpret_cast<unsigned char*>(bytes.data()), bytes.size());
  return bytes;
}

inline TestKey NewEcKey() {
  PkeyPtr key(EVP_EC_gen("P-256"));
  EXPECT_NE(key, nullptr);
  return {Pem(key.get(), true),
          Pem(key.get(), false),
          {{"kty", "EC"},
           {"crv", "P-256"},
           {"x", Base64Url(BignumParam(key.get(), OSSL_PKEY_PARAM_EC_PUB_X, 32))},
           {"y", Base64Url(BignumParam(key.get(), OSSL_PKEY_PARAM_EC_PUB_Y, 32))}}};
}

inline TestKey NewRsaKey(unsigned bits = 2048) {
  PkeyPtr key(EVP_RSA_gen(bits));
  EXPECT_NE(key, nullptr);
  return {Pem(key.get(), true),
          Pem(key.get(), false),
          {{"kty", "RSA"},
           {"n", Base64Url(BignumParam(key.get(), OSSL_PKEY_PARAM_RSA_N, 0))},
           {"e", Base64Url(BignumParam(key.get(), OSSL_PKEY_PARAM_RSA_E, 0))}}};
}

// {"keys":[...]} with each JWK given its kid.
inline std::string Jwks(const std::vector<std::pair<std::string, const TestKey*>>& keys) {
  nlohmann::json set = {{"keys", nlohmann::json::array()}};
  for (const auto& [kid, key] : keys) {
    nlohmann::json jwk = key->jwk;
    jwk["kid"] = kid;
    set["keys"].push_back(jwk);
  }
  return set.dump();
}

// A token signed by libjwt with `alg` and `key` (a PEM, or the HMAC secret), header kid `kid`
// (none when empty), and exactly `claims`.
inline std::string SignJwt(jwt_alg_t alg, const std::string& key, const std::string& kid,
                           const nlohmann::json& claims) {
  jwt_t* jwt = nullptr;
  EXPECT_EQ(jwt_new(&jwt), 0);
  if (!kid.empty()) {
    EXPECT_EQ(jwt_add_header(jwt, "kid", kid.c_str()), 0);
  }
  EXPECT_EQ(jwt_add_grants_json(jwt, claims.dump().c_str()), 0);
  EXPECT_EQ(jwt_set_alg(jwt, alg, reinterpret_cast<const unsigned char*>(key.data()), key.size()),
            0);
  char* token = jwt_encode_str(jwt);
  jwt_free(jwt);
  EXPECT_NE(token, nullptr);
  std::string result = token != nullptr ? token : "";
  std::free(token);
  return result;
}

// A token assembled by hand from a header and claims, with `signature` (already base64url).
inline std::string HandMadeJwt(const nlohmann::json& header, const nlohmann::json& claims,
                               const std::string& signature = "") {
  return Base64Url(header.dump()) + "." + Base64Url(claims.dump()) + "." + signature;
}

}  // namespace infobus::security::testing
