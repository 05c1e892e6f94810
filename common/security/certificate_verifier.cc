#include "common/security/certificate_verifier.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"

namespace infobus::security {
namespace {

constexpr size_t kMaxCachedChains = 4096;
// A cached verdict is redone after this, so a certificate that expires is refused soon after.
constexpr absl::Duration kCacheFor = absl::Seconds(60);

struct X509Deleter {
  void operator()(X509* cert) const { X509_free(cert); }
};
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

std::vector<X509Ptr> ReadCertificates(std::string_view pem) {
  std::vector<X509Ptr> certs;
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    certs.emplace_back(cert);
  }
  return certs;
}

std::vector<std::string> UriNames(X509* cert) {
  std::vector<std::string> uris;
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return uris;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type != GEN_URI) continue;
    const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
    uris.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                      static_cast<size_t>(ASN1_STRING_length(uri)));
  }
  GENERAL_NAMES_free(names);
  return uris;
}

}  // namespace

struct CertificateVerifier::State {
  X509_STORE* store = nullptr;
  mutable absl::Mutex mutex;
  struct Verdict {
    absl::StatusOr<std::vector<std::string>> uris;
    absl::Time at;
  };
  mutable absl::flat_hash_map<std::string, Verdict> cache ABSL_GUARDED_BY(mutex);
  ~State() { X509_STORE_free(store); }
};

CertificateVerifier::CertificateVerifier(std::unique_ptr<State> state) : state_(std::move(state)) {}
CertificateVerifier::~CertificateVerifier() = default;

absl::StatusOr<std::unique_ptr<CertificateVerifier>> CertificateVerifier::FromCaPem(
    std::string_view ca_pem) {
  std::vector<X509Ptr> cas = ReadCertificates(ca_pem);
  if (cas.empty()) return absl::InvalidArgumentError("the CA file holds no PEM certificate");
  auto state = std::make_unique<State>();
  state->store = X509_STORE_new();
  for (const X509Ptr& ca : cas) {
    if (X509_STORE_add_cert(state->store, ca.get()) != 1) {
      return absl::InvalidArgumentError("cannot add a CA certificate to the trust store");
    }
  }
  return std::unique_ptr<CertificateVerifier>(new CertificateVerifier(std::move(state)));
}

absl::StatusOr<std::vector<std::string>> CertificateVerifier::VerifiedUris(
    const std::string& pem_chain) const {
  const absl::Time now = absl::Now();
  {
    absl::MutexLock lock(&state_->mutex);
    auto it = state_->cache.find(pem_chain);
    if (it != state_->cache.end() && now - it->second.at < kCacheFor) return it->second.uris;
  }
  absl::StatusOr<std::vector<std::string>> result =
      [&]() -> absl::StatusOr<std::vector<std::string>> {
    std::vector<X509Ptr> chain = ReadCertificates(pem_chain);
    if (chain.empty()) return absl::UnauthenticatedError("the client certificate cannot be read");
    STACK_OF(X509)* intermediates = sk_X509_new_null();
    for (size_t i = 1; i < chain.size(); ++i) sk_X509_push(intermediates, chain[i].get());
    X509_STORE_CTX* context = X509_STORE_CTX_new();
    X509_STORE_CTX_init(context, state_->store, chain[0].get(), intermediates);
    X509_STORE_CTX_set_purpose(context, X509_PURPOSE_SSL_CLIENT);
    const bool verified = X509_verify_cert(context) == 1;
    const int error = X509_STORE_CTX_get_error(context);
    X509_STORE_CTX_free(context);
    sk_X509_free(intermediates);
    if (!verified) {
      return absl::UnauthenticatedError(
          absl::StrCat("client certificate refused: ", X509_verify_cert_error_string(error)));
    }
    return UriNames(chain[0].get());
  }();
  absl::MutexLock lock(&state_->mutex);
  if (state_->cache.size() >= kMaxCachedChains) state_->cache.clear();
  state_->cache.insert_or_assign(pem_chain, State::Verdict{result, now});
  return result;
}

}  // namespace infobus::security
