#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace infobus::security {

// Checks a client's certificate chain against the infobus CA with OpenSSL and returns its URI
// subject alternative names (infobus://source/<id>, infobus://service/<name>).
//
// Why not let the TLS handshake do it: a certificate from another CA would then fail the
// handshake, and the caller would see only UNAVAILABLE ("failed to connect") instead of an
// UNAUTHENTICATED answer that says why. The handshake still proves the client holds the
// certificate's private key; this checks who vouches for it. Results are cached per chain.
// Thread-safe.
class CertificateVerifier {
 public:
  static absl::StatusOr<std::unique_ptr<CertificateVerifier>> FromCaPem(std::string_view ca_pem);
  ~CertificateVerifier();

  // `pem_chain`: the peer's certificates, leaf first (gRPC's x509_pem_cert_chain property).
  // UNAUTHENTICATED with OpenSSL's reason when the chain does not verify.
  absl::StatusOr<std::vector<std::string>> VerifiedUris(const std::string& pem_chain) const;

 private:
  struct State;
  explicit CertificateVerifier(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace infobus::security
