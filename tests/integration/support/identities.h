#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "common/grpc/credentials.h"

namespace infobus::testing {

// The tests' PKI, the test broker's (TestKafkaPkiDir): scripts/pki.sh init, run once per test
// process under a lock (tests run in parallel): the CA, service and source certificates, the
// token key.
const std::string& TestPkiDir();

// The security: section of a service's config for a TLS bus on the test PKI, with source
// registrations from `sources_yaml` (scripts' format, see machine_identity.h; empty: none).
std::string SecureServiceYaml(const std::string& service, const std::string& work_dir,
                              const std::string& sources_yaml = "");

// Client identities on the test PKI.
ClientSecurity SourceIdentity(const std::string& source_id);  // mTLS infobus://source/<id>
ClientSecurity ServiceIdentity(const std::string& name);      // mTLS infobus://service/<name>
ClientSecurity AnonymousTls();                                // TLS, no credential at all
// A person: TLS and a bearer token signed with the test key.
struct Person {
  std::string subject;
  std::vector<std::string> roles;
  std::string unit;
  std::vector<std::string> jurisdictions;
  std::string clearance;  // "SECRET", ...; empty: none
  std::vector<std::string> compartments;
};
ClientSecurity PersonIdentity(const Person& person);
// A person's token with other rules than the services', for hostile cases: `issuer` and
// `audience` as given, valid from `not_before` until `expires` (seconds from now, may be < 0).
std::string MintTestToken(const Person& person, const std::string& issuer,
                          const std::string& audience, int not_before_s, int expires_s,
                          const std::string& kid = "local-1");

std::shared_ptr<grpc::Channel> SecureChannel(const std::string& address,
                                             const ClientSecurity& security);

}  // namespace infobus::testing
