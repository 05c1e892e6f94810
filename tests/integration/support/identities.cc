#include "tests/integration/support/identities.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/security/token_verifier.h"
#include "tests/integration/support/bus.h"

namespace infobus::testing {
namespace {

// Runs `command` holding an exclusive lock on <dir>.lock: pki.sh is not safe to run twice at
// once on one directory, and tests of several processes share it.
void RunLocked(const std::string& dir, const std::string& command) {
  std::filesystem::create_directories(std::filesystem::path(dir).parent_path());
  const std::string lock_path = dir + ".lock";
  const int fd = ::open(lock_path.c_str(), O_CREAT | O_RDWR, 0600);
  ASSERT_GE(fd, 0) << "cannot open " << lock_path;
  ::flock(fd, LOCK_EX);
  const int rc = std::system(command.c_str());
  ::flock(fd, LOCK_UN);
  ::close(fd);
  ASSERT_EQ(rc, 0) << command;
}

std::string Pki() { return INFOBUS_SOURCE_DIR "/scripts/pki.sh"; }

}  // namespace

const std::string& TestPkiDir() {
  static const std::string* dir = [] {
    // The broker's (scripts/test.sh): one CA for the whole test bus.
    auto* path = new std::string(TestKafkaPkiDir());
    RunLocked(*path, absl::StrCat(Pki(), " init --dir ", *path, " >/dev/null"));
    return path;
  }();
  return *dir;
}

std::string SourceRegistryYaml(const security::SourceRegistry& sources) {
  std::string yaml = "sources:\n";
  for (const auto& [id, registration] : sources) {
    absl::StrAppend(&yaml, "  - id: ", id, "\n    jurisdictions: [");
    for (size_t i = 0; i < registration.jurisdictions.size(); ++i) {
      absl::StrAppend(&yaml, i == 0 ? "" : ", ", "\"", registration.jurisdictions[i], "\"");
    }
    absl::StrAppend(&yaml, "]\n    clearance: ",
                    infobus::common::v1::Classification_Name(registration.clearance), "\n");
  }
  return yaml;
}

std::string SecureServiceYaml(const std::string& service, const std::string& work_dir,
                              const security::SourceRegistry& sources) {
  const std::string& pki = TestPkiDir();
  std::string sources_file;
  if (!sources.empty()) {
    sources_file = absl::StrCat(work_dir, "/", service, "-sources.yaml");
    std::ofstream(sources_file, std::ios::trunc) << SourceRegistryYaml(sources);
  }
  return absl::StrCat("security:\n  mode: tls\n  ca_file: ", pki, "/ca.pem\n  cert_file: ", pki,
                      "/services/", service, ".pem\n  key_file: ", pki, "/services/", service,
                      ".key\n  jwks_file: ", pki, "/jwt/jwks.json\n  sources_file: \"",
                      sources_file, "\"\n");
}

ClientSecurity SourceIdentity(const std::string& source_id) {
  const std::string& pki = TestPkiDir();
  const std::string cert = absl::StrCat(pki, "/sources/", source_id, ".pem");
  if (!std::filesystem::exists(cert)) {
    RunLocked(pki, absl::StrCat(Pki(), " issue --kind source --name ", source_id, " --dir ", pki,
                                " >/dev/null"));
  }
  ClientSecurity security;
  security.tls = {pki + "/ca.pem", cert, absl::StrCat(pki, "/sources/", source_id, ".key")};
  return security;
}

ClientSecurity ServiceIdentity(const std::string& name) {
  const std::string& pki = TestPkiDir();
  const std::string cert = absl::StrCat(pki, "/services/", name, ".pem");
  if (!std::filesystem::exists(cert)) {
    RunLocked(pki, absl::StrCat(Pki(), " issue --kind service --name ", name, " --dir ", pki,
                                " >/dev/null"));
  }
  ClientSecurity security;
  security.tls = {pki + "/ca.pem", cert, absl::StrCat(pki, "/services/", name, ".key")};
  return security;
}

ClientSecurity AnonymousTls() {
  ClientSecurity security;
  security.tls.ca_file = TestPkiDir() + "/ca.pem";
  return security;
}

ClientSecurity Plaintext() {
  ClientSecurity security;
  security.insecure = true;
  return security;
}

std::string MintTestToken(const Person& person, const std::string& issuer,
                          const std::string& audience, int not_before_s, int expires_s,
                          const std::string& kid) {
  auto key = ReadSmallFile(TestPkiDir() + "/jwt/signing.key");
  EXPECT_TRUE(key.ok()) << key.status();
  if (!key.ok()) return "";
  security::TokenClaims claims;
  claims.subject = person.subject;
  claims.roles = person.roles;
  claims.unit = person.unit;
  claims.jurisdictions = person.jurisdictions;
  claims.clearance = person.clearance;
  claims.compartments = person.compartments;
  claims.issuer = issuer;
  claims.audience = audience;
  const absl::Time now = absl::Now();
  claims.not_before = now + absl::Seconds(not_before_s);
  claims.expires = now + absl::Seconds(expires_s);
  auto token = security::MintToken(claims, *key, kid);
  EXPECT_TRUE(token.ok()) << token.status();
  return token.ok() ? *token : "";
}

ClientSecurity PersonIdentity(const Person& person) {
  ClientSecurity security = AnonymousTls();
  security.bearer_token = MintTestToken(person, "infobus-local", "infobus", -60, 3600);
  return security;
}

ClientSecurity AsSource(const std::string& source_id) { return SourceIdentity(source_id); }

ClientSecurity AsAnalyst(const std::vector<std::string>& jurisdictions,
                         const std::string& clearance, const std::string& subject) {
  return PersonIdentity({subject, {"analyst"}, "", jurisdictions, clearance, {}});
}

ClientSecurity AsOfficer(const std::string& unit, const std::string& clearance,
                         const std::string& subject) {
  return PersonIdentity(
      {subject.empty() ? "officer-" + unit : subject, {"officer"}, unit, {}, clearance, {}});
}

ClientSecurity AsSupervisor(const std::string& unit, const std::string& clearance,
                            const std::string& subject) {
  return PersonIdentity(
      {subject.empty() ? "supervisor-" + unit : subject, {"supervisor"}, unit, {}, clearance, {}});
}

ClientSecurity AsAdministrator() { return ServiceIdentity("admin"); }

ClientSecurity AsScraper() { return ServiceIdentity("prometheus"); }

}  // namespace infobus::testing
