// What need-to-know costs one gRPC call, measured apart from Kafka and the pipeline's noise:
// unary round trips on loopback against the same server code in security.mode=insecure and
// security.mode=tls (a client certificate or a bearer token, authenticated per call), and the
// per-call authentication a handler's CallerOf repeats (a cache hit). Not a test; run by hand:
//   build/bin/grpc_security_bench [--benchmark_repetitions=5]
// It makes a throw-away PKI with scripts/pki.sh in a temporary directory.
#include <benchmark/benchmark.h>
#include <grpcpp/grpcpp.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/grpc/call_authenticator.h"
#include "common/grpc/credentials.h"
#include "common/grpc/server.h"
#include "common/security/key_set.h"
#include "common/security/token_verifier.h"
#include "common/service/security_options.h"
#include "common/service/service_security.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace infobus {
namespace {

std::string g_pki;                   // the throw-away PKI
GrpcServerPtr g_insecure, g_secure;  // the same server, two modes
std::string g_token;                 // an analyst's bearer token

absl::StatusOr<GrpcServerPtr> StartServer(const std::string& mode) {
  const std::string yaml = absl::StrCat(g_pki, "/", mode, ".yaml");
  std::ofstream(yaml, std::ios::trunc)
      << "security:\n  mode: " << mode << "\n  ca_file: " << g_pki
      << "/ca.pem\n  cert_file: " << g_pki << "/services/judgment.pem\n  key_file: " << g_pki
      << "/services/judgment.key\n  jwks_file: " << g_pki << "/jwt/jwks.json\n";
  auto config = Config::Load(SecuritySchema("judgment"), yaml, {}, {});
  if (!config.ok()) return config.status();
  auto security = SecurityOptionsFrom(*config);
  if (!security.ok()) return security.status();
  auto credentials = ServerCredentialsFrom(*security);
  if (!credentials.ok()) return credentials.status();
  return GrpcServer::Start("127.0.0.1:0", *credentials, {});
}

std::shared_ptr<grpc::Channel> ChannelTo(const GrpcServer& server, const ClientSecurity* as) {
  const std::string address = absl::StrCat("127.0.0.1:", server.port());
  if (as == nullptr) return grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  auto credentials = ClientCredentials(*as);
  if (!credentials.ok()) {
    std::cerr << credentials.status() << "\n";
    std::exit(1);
  }
  return grpc::CreateChannel(address, *credentials);
}

// One Health/Check round trip per iteration on one connection, as a source or a gateway keeps.
void RoundTrips(benchmark::State& state, const GrpcServer& server, const ClientSecurity* as) {
  grpc::health::v1::Health::Stub stub(ChannelTo(server, as));
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  for (auto _ : state) {
    grpc::ClientContext context;
    const grpc::Status status = stub.Check(&context, request, &response);
    if (!status.ok()) {
      state.SkipWithError(status.error_message().c_str());
      return;
    }
  }
}

void BM_CallInsecure(benchmark::State& state) { RoundTrips(state, *g_insecure, nullptr); }

void BM_CallTlsClientCertificate(benchmark::State& state) {
  ClientSecurity source;
  source.tls = {g_pki + "/ca.pem", g_pki + "/services/admin.pem", g_pki + "/services/admin.key"};
  RoundTrips(state, *g_secure, &source);
}

void BM_CallTlsBearerToken(benchmark::State& state) {
  ClientSecurity person;
  person.tls.ca_file = g_pki + "/ca.pem";
  person.bearer_token = g_token;
  RoundTrips(state, *g_secure, &person);
}

BENCHMARK(BM_CallInsecure)->UseRealTime();
BENCHMARK(BM_CallTlsClientCertificate)->UseRealTime();
BENCHMARK(BM_CallTlsBearerToken)->UseRealTime();

absl::Status MakePki() {
  char pattern[] = "/tmp/infobus-security-bench-XXXXXX";
  if (mkdtemp(pattern) == nullptr) return absl::InternalError("mkdtemp failed");
  g_pki = pattern;
  const std::string command =
      absl::StrCat(INFOBUS_SOURCE_DIR, "/scripts/pki.sh init --dir ", g_pki, " >/dev/null");
  if (std::system(command.c_str()) != 0) return absl::InternalError(command + " failed");
  auto key = ReadSmallFile(g_pki + "/jwt/signing.key");
  if (!key.ok()) return key.status();
  security::TokenClaims claims;
  claims.subject = "analyst-bench";
  claims.roles = {"analyst"};
  claims.jurisdictions = {"45"};
  claims.clearance = "SECRET";
  claims.issuer = "infobus-local";
  claims.audience = "infobus";
  claims.not_before = absl::Now() - absl::Minutes(1);
  claims.expires = absl::Now() + absl::Hours(1);
  auto token = security::MintToken(claims, *key, "local-1");
  if (!token.ok()) return token.status();
  g_token = *token;
  return absl::OkStatus();
}

}  // namespace
}  // namespace infobus

int main(int argc, char** argv) {
  using namespace infobus;
  benchmark::Initialize(&argc, argv);
  if (absl::Status made = MakePki(); !made.ok()) {
    std::cerr << made << "\n";
    return 1;
  }
  auto insecure = StartServer("insecure");
  auto secure = StartServer("tls");
  if (!insecure.ok() || !secure.ok()) {
    std::cerr << (insecure.ok() ? secure.status() : insecure.status()) << "\n";
    return 1;
  }
  g_insecure = *std::move(insecure);
  g_secure = *std::move(secure);
  benchmark::RunSpecifiedBenchmarks();
  g_secure->Shutdown(absl::Seconds(1));
  g_insecure->Shutdown(absl::Seconds(1));
  std::filesystem::remove_all(g_pki);
  return 0;
}
