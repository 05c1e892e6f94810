#include "common/grpc/credentials.h"

#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace infobus {

absl::StatusOr<std::string> ReadSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> TlsServerCredentials(
    const TlsFiles& files) {
  auto ca = ReadSmallFile(files.ca_file);
  if (!ca.ok()) return ca.status();
  auto cert = ReadSmallFile(files.cert_file);
  if (!cert.ok()) return cert.status();
  auto key = ReadSmallFile(files.key_file);
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions options(
      // Requested, not required: machines present one, people a token instead. Not verified
      // in the handshake but by the CallAuthenticator on every call (CertificateVerifier), so
      // a certificate of another CA gets UNAUTHENTICATED with the reason instead of a dropped
      // connection; the handshake still proves the client holds the certificate's key.
      GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_BUT_DONT_VERIFY);
  options.pem_root_certs = *ca;
  options.pem_key_cert_pairs.push_back({*key, *cert});
  return grpc::SslServerCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ClientCredentials(
    const ClientSecurity& security) {
  if (security.insecure) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions options;
  auto ca = ReadSmallFile(security.tls.ca_file);
  if (!ca.ok()) return ca.status();
  options.pem_root_certs = *ca;
  if (!security.tls.cert_file.empty() || !security.tls.key_file.empty()) {
    auto cert = ReadSmallFile(security.tls.cert_file);
    if (!cert.ok()) return cert.status();
    auto key = ReadSmallFile(security.tls.key_file);
    if (!key.ok()) return key.status();
    options.pem_cert_chain = *cert;
    options.pem_private_key = *key;
  }
  std::shared_ptr<grpc::ChannelCredentials> channel = grpc::SslCredentials(options);
  if (security.bearer_token.empty()) return channel;
  return grpc::CompositeChannelCredentials(channel,
                                           grpc::AccessTokenCredentials(security.bearer_token));
}

}  // namespace infobus
