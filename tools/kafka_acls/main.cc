// infobus-kafka-acls: makes a broker's ACLs those of an ACL file (deploy/kafka/acls.yaml).
// scripts/kafka.sh start runs it; so can an operator, as a super user.
#include <CLI/CLI.hpp>
#include <iostream>
#include <string>

#include "absl/time/time.h"
#include "common/kafka/client_conf.h"
#include "tools/kafka_acls/acl_file.h"
#include "tools/kafka_acls/acl_sync.h"

int main(int argc, char** argv) {
  CLI::App app(
      "Makes the Kafka broker's ACLs those of --file: adds the missing ones and, with --prune,\n"
      "removes the ones the file does not list. Idempotent: a second run changes nothing.\n"
      "Connect as a super user (the broker's super.users; scripts/pki.sh's admin certificate).",
      "infobus-kafka-acls");
  std::string bootstrap;
  std::string file;
  infobus::kafka::ClientSecurity security;
  bool prune = false;
  bool check = false;
  bool quiet = false;
  std::string timeout_text = "30s";
  app.add_option("--bootstrap", bootstrap, "Kafka brokers, host:port[,host:port]");
  app.add_option("--file", file, "the ACL file (format: deploy/kafka/acls.yaml)")->required();
  app.add_option("--ssl-ca", security.ca_location, "PEM CA of the broker; implies TLS");
  app.add_option("--ssl-cert", security.certificate_location, "PEM client certificate");
  app.add_option("--ssl-key", security.key_location, "PEM key of --ssl-cert");
  app.add_flag("--prune", prune, "also delete every broker ACL the file does not list");
  app.add_flag("--check", check, "only parse the file and print its ACLs; no broker");
  app.add_flag("--quiet", quiet, "print only the summary line");
  app.add_option("--timeout", timeout_text, "per broker request [30s]");
  CLI11_PARSE(app, argc, argv);

  auto wanted = infobus::kafka_acls::LoadAclFile(file);
  if (!wanted.ok()) {
    std::cerr << "infobus-kafka-acls: " << wanted.status().message() << "\n";
    return 2;
  }
  if (check) {
    for (const auto& entry : *wanted) std::cout << entry.ToString() << "\n";
    return 0;
  }
  absl::Duration timeout;
  if (!absl::ParseDuration(timeout_text, &timeout)) {
    std::cerr << "infobus-kafka-acls: --timeout takes a duration (30s)\n";
    return 2;
  }
  if (bootstrap.empty()) {
    std::cerr << "infobus-kafka-acls: --bootstrap is required (unless --check)\n";
    return 2;
  }
  if (!security.ca_location.empty() || !security.certificate_location.empty()) {
    security.protocol = "ssl";
  }
  if (absl::Status valid = security.Validate(); !valid.ok()) {
    std::cerr << "infobus-kafka-acls: " << valid.message() << "\n";
    return 2;
  }
  infobus::kafka::SetProcessSecurity(security);
  auto result = infobus::kafka_acls::SyncAcls(bootstrap, *wanted, prune, timeout);
  if (!result.ok()) {
    std::cerr << "infobus-kafka-acls: " << result.status() << "\n";
    return 1;
  }
  if (!quiet) {
    for (const auto& entry : result->created) std::cout << "added    " << entry.ToString() << "\n";
    for (const auto& entry : result->deleted) std::cout << "removed  " << entry.ToString() << "\n";
    for (const auto& entry : result->foreign) {
      std::cout << "kept     " << entry.ToString() << " (not in the file; --prune removes it)\n";
    }
  }
  std::cout << "ACLs of " << file << ": " << result->created.size() << " added, "
            << result->unchanged.size() << " already there, " << result->deleted.size()
            << " removed, " << result->foreign.size() << " others kept\n";
  return 0;
}
