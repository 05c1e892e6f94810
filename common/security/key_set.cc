#include "common/security/key_set.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/security/openssl_ptr.h"

namespace infobus::security {
namespace {

using nlohmann::json;

// Below this an RSA key is refused: 2048 bits is the floor NIST SP 800-57 sets for signatures.
constexpr int kMinRsaBits = 2048;
constexpr size_t kP256CoordinateBytes = 32;

// Members that carry private or symmetric key material (RFC 7518 6.2.2, 6.3.2, 6.4.1): a JWKS
// that has them was published by mistake, and its keys are compromised.
constexpr const char* kSecretMembers[] = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"};

absl::Status FieldError(const std::string& where, const char* field, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(where, ".", field, ": ", what));
}

absl::StatusOr<std::string> StringMember(const json& key, const std::string& where,
                                         const char* field) {
  const auto it = key.find(field);
  if (it == key.end()) return FieldError(where, field, "missing");
  if (!it->is_string()) return FieldError(where, field, "not a string");
  return it->get<std::string>();
}

// RFC 7515 base64url without padding, as JWK members are written.
absl::StatusOr<std::string> Base64UrlMember(const json& key, const std::string& where,
                                            const char* field) {
  absl::StatusOr<std::string> text = StringMember(key, where, field);
  if (!text.ok()) return text.status();
  std::string bytes;
  const bool alphabet =
      text->find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
      std::string::npos;
  if (text->empty() || !alphabet || !absl::WebSafeBase64Unescape(*text, &bytes)) {
    return FieldError(where, field, "not base64url");
  }
  return bytes;
}

std::string OpenSslError() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "rejected by OpenSSL";
  char text[256];
  ERR_error_string_n(code, text, sizeof(text));
  return text;
}

// A public key from its parameters, checked by OpenSSL (an EC point must lie on the curve), as
// SubjectPublicKeyInfo PEM.
absl::StatusOr<std::string> PublicPem(const char* type, const OSSL_PARAM* params,
                                      const std::string& where) {
  PkeyCtxPtr context(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw_key = nullptr;
  if (context == nullptr || EVP_PKEY_fromdata_init(context.get()) != 1 ||
      EVP_PKEY_fromdata(context.get(), &raw_key, EVP_PKEY_PUBLIC_KEY,
                        const_cast<OSSL_PARAM*>(params)) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": not a valid ", type, " public key: ", OpenSslError()));
  }
  PkeyPtr key(raw_key);
  PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (check == nullptr || EVP_PKEY_public_check(check.get()) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": not a valid ", type, " public key: ", OpenSslError()));
  }
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_PUBKEY(bio.get(), key.get()) != 1) {
    return absl::InternalError(absl::StrCat(where, ": cannot write PEM: ", OpenSslError()));
  }
  return BioContents(bio.get());
}

absl::StatusOr<std::string> EcPublicPem(const json& key, const std::string& where) {
  absl::StatusOr<std::string> crv = StringMember(key, where, "crv");
  if (!crv.ok()) return crv.status();
  if (*crv != "P-256") return FieldError(where, "crv", absl::StrCat("'", *crv, "' is not P-256"));
  absl::StatusOr<std::string> x = Base64UrlMember(key, where, "x");
  if (!x.ok()) return x.status();
  absl::StatusOr<std::string> y = Base64UrlMember(key, where, "y");
  if (!y.ok()) return y.status();
  if (x->size() != kP256CoordinateBytes) return FieldError(where, "x", "not 32 bytes");
  if (y->size() != kP256CoordinateBytes) return FieldError(where, "y", "not 32 bytes");
  const std::string point = absl::StrCat("\x04", *x, *y);  // SEC 1 uncompressed point
  ParamBldPtr builder(OSSL_PARAM_BLD_new());
  if (builder == nullptr ||
      OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) !=
          1 ||
      OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return absl::InternalError(absl::StrCat(where, ": ", OpenSslError()));
  }
  ParamsPtr params(OSSL_PARAM_BLD_to_param(builder.get()));
  if (params == nullptr) return absl::InternalError(absl::StrCat(where, ": ", OpenSslError()));
  return PublicPem("EC", params.get(), where);
}

absl::StatusOr<std::string> RsaPublicPem(const json& key, const std::string& where) {
  absl::StatusOr<std::string> n = Base64UrlMember(key, where, "n");
  if (!n.ok()) return n.status();
  absl::StatusOr<std::string> e = Base64UrlMember(key, where, "e");
  if (!e.ok()) return e.status();
  BignumPtr modulus(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()), n->size(), nullptr));
  BignumPtr exponent(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()), e->size(), nullptr));
  if (modulus == nullptr || exponent == nullptr) {
    return absl::InternalError(absl::StrCat(where, ": ", OpenSslError()));
  }
  if (BN_num_bits(modulus.get()) < kMinRsaBits) {
    return FieldError(where, "n",
                      absl::StrCat(BN_num_bits(modulus.get()), " bits, at least ", kMinRsaBits));
  }
  ParamBldPtr builder(OSSL_PARAM_BLD_new());
  if (builder == nullptr ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, modulus.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, exponent.get()) != 1) {
    return absl::InternalError(absl::StrCat(where, ": ", OpenSslError()));
  }
  ParamsPtr params(OSSL_PARAM_BLD_to_param(builder.get()));
  if (params == nullptr) return absl::InternalError(absl::StrCat(where, ": ", OpenSslError()));
  return PublicPem("RSA", params.get(), where);
}

// One member of "keys": its kid and the key, or what is wrong with it.
absl::StatusOr<std::pair<std::string, KeySet::Key>> ParseKey(const json& key,
                                                             const std::string& where) {
  if (!key.is_object()) return absl::InvalidArgumentError(absl::StrCat(where, ": not an object"));
  for (const char* secret : kSecretMembers) {
    if (key.contains(secret)) {
      return FieldError(where, secret, "private key material in a public key set");
    }
  }
  absl::StatusOr<std::string> kid = StringMember(key, where, "kid");
  if (!kid.ok()) return kid.status();
  if (kid->empty()) return FieldError(where, "kid", "empty");
  if (key.contains("use")) {
    absl::StatusOr<std::string> use = StringMember(key, where, "use");
    if (!use.ok()) return use.status();
    if (*use != "sig") return FieldError(where, "use", absl::StrCat("'", *use, "' is not sig"));
  }
  absl::StatusOr<std::string> kty = StringMember(key, where, "kty");
  if (!kty.ok()) return kty.status();
  KeySet::Key parsed;
  const char* alg_name = nullptr;
  absl::StatusOr<std::string> pem;
  if (*kty == "EC") {
    parsed.algorithm = KeySet::Algorithm::kES256;
    alg_name = "ES256";
    pem = EcPublicPem(key, where);
  } else if (*kty == "RSA") {
    parsed.algorithm = KeySet::Algorithm::kRS256;
    alg_name = "RS256";
    pem = RsaPublicPem(key, where);
  } else {
    return FieldError(where, "kty", absl::StrCat("'", *kty, "' is not EC or RSA"));
  }
  // The type fixes the algorithm; an alg member may only confirm it.
  if (key.contains("alg")) {
    absl::StatusOr<std::string> alg = StringMember(key, where, "alg");
    if (!alg.ok()) return alg.status();
    if (*alg != alg_name) {
      return FieldError(where, "alg",
                        absl::StrCat("'", *alg, "' is not ", alg_name, " (a ", *kty, " key)"));
    }
  }
  if (!pem.ok()) return pem.status();
  parsed.public_pem = *std::move(pem);
  return std::make_pair(*std::move(kid), std::move(parsed));
}

}  // namespace

absl::StatusOr<KeySet> KeySet::FromJwks(std::string_view text) {
  const json document = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return absl::InvalidArgumentError("JWKS: not JSON");
  if (!document.is_object()) return absl::InvalidArgumentError("JWKS: not a JSON object");
  const auto keys = document.find("keys");
  if (keys == document.end()) return absl::InvalidArgumentError("keys: missing");
  if (!keys->is_array()) return absl::InvalidArgumentError("keys: not an array");
  // An empty set verifies nothing: more likely a truncated or mistaken file than intended.
  if (keys->empty()) return absl::InvalidArgumentError("keys: empty");
  KeySet set;
  for (size_t i = 0; i < keys->size(); ++i) {
    const std::string where = absl::StrCat("keys[", i, "]");
    absl::StatusOr<std::pair<std::string, Key>> key = ParseKey((*keys)[i], where);
    if (!key.ok()) return key.status();
    if (!set.keys_.emplace(key->first, std::move(key->second)).second) {
      return FieldError(where, "kid", absl::StrCat("'", key->first, "' appears twice"));
    }
  }
  return set;
}

const KeySet::Key* KeySet::Find(std::string_view kid) const {
  const auto it = keys_.find(kid);
  return it == keys_.end() ? nullptr : &it->second;
}

}  // namespace infobus::security
