#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace infobus::kafka {

// How a client proves who it is to the brokers. "plaintext": no TLS, no identity (only a broker
// started with INFOBUS_KAFKA_SECURITY=plaintext accepts it). "ssl": TLS, the broker verified
// against `ca_location`; with `certificate_location` and `key_location` the client presents its
// certificate, whose CN is its Kafka principal (User:<CN>).
struct ClientSecurity {
  std::string protocol = "plaintext";
  std::string ca_location;
  std::string certificate_location;
  std::string key_location;

  // INVALID_ARGUMENT for an unknown protocol, or a certificate without its key (or the reverse).
  absl::Status Validate() const;
  // The librdkafka settings (security.protocol, ssl.*); empty paths are left out.
  std::map<std::string, std::string> Settings() const;
  // TLS as `name`: <pki_dir>/ca.pem, <pki_dir>/services/<name>.{pem,key} (scripts/pki.sh's
  // layout). An empty `name`: the CA only, no client certificate.
  static ClientSecurity FromPkiDir(const std::string& pki_dir, const std::string& name);
};

// The security every client this process makes from now on uses (NewClientConf, hence every
// producer, consumer and admin client of common/kafka), unless its own settings name
// "security.protocol". A service calls it once at startup, from its configuration; until then
// clients use plaintext. Thread-safe.
void SetProcessSecurity(const ClientSecurity& security);
ClientSecurity ProcessSecurity();

// `settings` with what every client gets first: TCP_NODELAY and, unless `settings` names
// security.protocol, the process's security settings. For clients made with librdkafka's C API.
std::map<std::string, std::string> WithProcessDefaults(
    const std::map<std::string, std::string>& settings);

// A librdkafka client configuration with WithProcessDefaults(`settings`) applied and
// librdkafka's logging routed to the infobus log. INVALID_ARGUMENT names the setting librdkafka
// refused; `client` ("producer", "consumer") prefixes the message.
absl::StatusOr<std::unique_ptr<RdKafka::Conf>> NewClientConf(
    const std::map<std::string, std::string>& settings, const std::string& client);

// A consumer for assign() only, e.g. to read a whole topic on every instance: librdkafka wants a
// group id to create it, so it gets a random one ("<name>-<random>"), but it never joins that
// group and commits nothing. `settings` add to (or override) these; `name` also prefixes errors.
absl::StatusOr<std::unique_ptr<RdKafka::KafkaConsumer>> NewAssignOnlyConsumer(
    const std::string& bootstrap_servers, const std::string& name,
    std::map<std::string, std::string> settings = {});

}  // namespace infobus::kafka
