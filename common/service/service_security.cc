#include "common/service/service_security.h"

#include <grpcpp/security/server_credentials.h>

#include "absl/strings/str_cat.h"
#include "common/grpc/call_authenticator.h"
#include "common/grpc/caller.h"
#include "common/grpc/credentials.h"
#include "common/log/log.h"
#include "common/security/key_set_file.h"

namespace infobus {

using Type = ConfigKey::Type;

ConfigSchema SecuritySchema(const std::string& service) {
  return {
      {"security.mode", Type::kString, "tls",
       "tls: every call authenticated (client certificate or bearer token) and authorized; "
       "insecure: plaintext, nobody authenticated, everything allowed (benchmarks only)."},
      {"security.ca_file", Type::kString, ".run/pki/ca.pem",
       "PEM of the CA that issues every infobus certificate (clients' and this server's)."},
      {"security.cert_file", Type::kString, ".run/pki/services/" + service + ".pem",
       "This service's certificate (PEM, chain)."},
      {"security.key_file", Type::kString, ".run/pki/services/" + service + ".key",
       "This service's private key (PEM)."},
      {"security.jwks_file", Type::kString, ".run/pki/jwt/jwks.json",
       "JWKS of the keys that sign people's tokens; re-read when it changes. Empty: no tokens."},
      {"security.token_issuer", Type::kString, "infobus-local", "Required iss of tokens."},
      {"security.token_audience", Type::kString, "infobus", "Required aud of tokens."},
      {"security.sources_file", Type::kString, "",
       "Source registrations (counties and clearance per source_id); a source not listed may "
       "publish nothing."},
      {"security.administrators", Type::kString, "admin",
       "Machine identities (infobus://service/<name>) with the administrator role, "
       "comma-separated."},
  };
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFrom(
    const SecurityOptions& settings) {
  if (settings.mode == SecurityOptions::Mode::kInsecure) {
    INFOBUS_LOG(Warning) << "security.mode=insecure: plaintext gRPC, NO authentication and NO "
                            "authorization; every caller may do everything. Benchmarks only.";
    return grpc::InsecureServerCredentials();
  }
  const TlsFiles& files = settings.tls;
  auto credentials = TlsServerCredentials(files);
  if (!credentials.ok()) {
    return absl::Status(credentials.status().code(),
                        absl::StrCat("security: ", credentials.status().message(),
                                     " (scripts/pki.sh init makes a local PKI)"));
  }
  auto ca = ReadSmallFile(files.ca_file);
  if (!ca.ok()) return ca.status();
  auto verifier = security::CertificateVerifier::FromCaPem(*ca);
  if (!verifier.ok()) return verifier.status();

  CallAuthenticator::Options options;
  options.certificates = std::shared_ptr<const security::CertificateVerifier>(std::move(*verifier));
  options.token_rules.issuer = settings.token_issuer;
  options.token_rules.audience = settings.token_audience;
  if (const std::string& jwks = settings.jwks_file; !jwks.empty()) {
    auto keys = std::make_shared<security::KeySetFile>(jwks, std::make_shared<SystemClock>());
    if (absl::Status status = keys->Start(); !status.ok()) return status;
    options.current_keys = [keys] { return keys->Current(); };
  }
  if (const std::string& path = settings.sources_file; !path.empty()) {
    auto text = ReadSmallFile(path);
    if (!text.ok()) return text.status();
    auto sources = security::ParseSourceRegistry(*text);
    if (!sources.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": ", sources.status().message()));
    }
    options.machines.sources = *std::move(sources);
  }
  options.machines.administrators = settings.administrators;
  auto authenticator = std::make_shared<const CallAuthenticator>(std::move(options));
  InstallCallAuthenticator(authenticator);
  (*credentials)
      ->SetAuthMetadataProcessor(
          std::make_shared<AuthenticatingProcessor>(std::move(authenticator)));
  return *credentials;
}

}  // namespace infobus
