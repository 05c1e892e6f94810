#pragma once

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/config/config.h"
#include "common/grpc/credentials.h"
#include "common/log/log.h"

namespace infobus::gateway {

// The gateway's keys (gateway.*, security.mode, security.ca_file, log.level); --help lists them.
ConfigSchema GatewaySchema();

// Those keys, typed: read once at start-up by GatewayOptionsFrom, a plain value after that.
struct GatewayOptions {
  std::string listen;      // gateway.listen, "host:port"; port 0 picks a free one
  std::string port_file;   // gateway.port_file; "" writes none
  std::string static_dir;  // gateway.static_dir
  bool tls = true;         // gateway.tls; false: plain HTTP (development only)
  std::string cert_file;   // gateway.cert_file
  std::string key_file;    // gateway.key_file
  // The services by short name (collection, judgment, dispatch, supervision) → address.
  std::map<std::string, std::string> service_addresses;
  // How the gateway reaches them: TLS trusting security.ca_file and no client certificate (a
  // call is the browser's token or nobody), or plaintext with security.mode=insecure.
  ClientSecurity upstream;
  int threads = 32;                                 // gateway.threads
  int max_streams = 16;                             // gateway.max_streams
  absl::Duration call_timeout = absl::Seconds(10);  // gateway.call_timeout
  absl::Duration keep_alive = absl::Seconds(15);    // gateway.keep_alive
  log::Level log_level = log::Level::kInfo;         // log.level
};

// INVALID_ARGUMENT naming the key for a bad value or combination: a listen address without a
// port, threads not above max_streams (each stream holds a worker), non-positive durations,
// tls without cert_file/key_file, an unknown security.mode or log.level.
absl::StatusOr<GatewayOptions> GatewayOptionsFrom(const Config& config);

}  // namespace infobus::gateway
