#pragma once

#include <string>
#include <vector>

#include "common/grpc/credentials.h"
#include "common/security/machine_identity.h"

namespace infobus::testing {

// The tests' PKI, the test broker's (TestKafkaPkiDir): scripts/pki.sh init, run once per test
// process under a lock (tests run in parallel): the CA, service and source certificates, the
// token key.
const std::string& TestPkiDir();

// The security: section of a service's config for a TLS bus on the test PKI, with `sources` as
// its source registrations (written to <work_dir>/<service>-sources.yaml; empty: none).
std::string SecureServiceYaml(const std::string& service, const std::string& work_dir,
                              const security::SourceRegistry& sources = {});
// `sources` in the registrations file's format (machine_identity.h).
std::string SourceRegistryYaml(const security::SourceRegistry& sources);

// Client identities on the test PKI.
ClientSecurity SourceIdentity(const std::string& source_id);  // mTLS infobus://source/<id>
ClientSecurity ServiceIdentity(const std::string& name);      // mTLS infobus://service/<name>
ClientSecurity AnonymousTls();                                // TLS, no credential at all
ClientSecurity Plaintext();  // no TLS: only for a bus that runs insecure (set_insecure)
// A person: TLS and a bearer token signed with the test key.
struct Person {
  std::string subject;
  std::vector<std::string> roles;
  std::string unit;
  std::vector<std::string> jurisdictions;
  std::string clearance;  // "SECRET", ...; empty: none (sees PUBLIC only)
  std::vector<std::string> compartments;
};
ClientSecurity PersonIdentity(const Person& person);
// A person's token with other rules than the services', for hostile cases: `issuer` and
// `audience` as given, valid from `not_before` until `expires` (seconds from now, may be < 0).
std::string MintTestToken(const Person& person, const std::string& issuer,
                          const std::string& audience, int not_before_s, int expires_s,
                          const std::string& kid = "local-1");

// Who a test calls as: the identity a real caller has for that call (common/security/policy.h
// says what each may do). A caller's clearance must cover what it is to see: an item without a
// classification counts as INTERNAL.
//
// Publish: the source system itself (its registration, TestBus::register_source, says for
// which counties and up to which classification).
ClientSecurity AsSource(const std::string& source_id);
// Judgment queries, streams and reviews: an analyst holding `jurisdictions` (GB/T 2260
// prefixes) and `clearance`. A review is recorded as `subject`.
ClientSecurity AsAnalyst(const std::vector<std::string>& jurisdictions,
                         const std::string& clearance, const std::string& subject = "analyst-1");
// A unit's inbox, sign-offs and feedback: an officer of `unit` ("officer-<unit>" unless
// `subject` names who signs).
ClientSecurity AsOfficer(const std::string& unit, const std::string& clearance = "INTERNAL",
                         const std::string& subject = "");
// The same for `unit` and every unit below it.
ClientSecurity AsSupervisor(const std::string& unit, const std::string& clearance = "INTERNAL",
                            const std::string& subject = "");
// Watchlist changes, ReloadRules, ReloadRouting: the administrator machine
// (infobus://service/admin, an administrator by default; what infobusctl presents).
ClientSecurity AsAdministrator();
// A /metrics scrape: Prometheus's certificate.
ClientSecurity AsScraper();

}  // namespace infobus::testing
