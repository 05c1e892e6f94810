#pragma once

#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace infobus {

// PEM files of one TLS identity and the CA that vouches for peers.
struct TlsFiles {
  std::string ca_file;    // the CA whose certificates are trusted (clients' and servers')
  std::string cert_file;  // this side's certificate (chain)
  std::string key_file;   // its private key
};

// The server side: TLS with this identity; a client certificate is requested (people come with
// a bearer token instead). Only for a server with a CallAuthenticator, which checks that the
// certificate chains to ca_file on every call: the handshake does not.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> TlsServerCredentials(
    const TlsFiles& files);

// The client side: TLS trusting ca_file; with cert_file/key_file set, mutual TLS as that
// identity; with `bearer_token` set, every call carries "authorization: Bearer <token>".
struct ClientSecurity {
  bool insecure = false;  // plaintext, for a server started with security.mode=insecure
  TlsFiles tls;
  std::string bearer_token;
};
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ClientCredentials(
    const ClientSecurity& security);

// Reads a whole (small) file, e.g. a PEM; NOT_FOUND naming the path when it cannot.
absl::StatusOr<std::string> ReadSmallFile(const std::string& path);

}  // namespace infobus
