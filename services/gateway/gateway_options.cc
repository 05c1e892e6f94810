#include "services/gateway/gateway_options.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace infobus::gateway {

ConfigSchema GatewaySchema() {
  using Type = ConfigKey::Type;
  return {
      {"gateway.listen", Type::kString, "127.0.0.1:50080",
       "HTTPS listen address of the console and its API; port 0 picks a free port (see "
       "gateway.port_file)."},
      {"gateway.port_file", Type::kString, "",
       "When set, the bound port is written here once the gateway serves."},
      {"gateway.static_dir", Type::kString, "build/console",
       "The console's files (its build). Missing: the API still works, files are 404."},
      {"gateway.tls", Type::kBool, "true",
       "HTTPS with gateway.cert_file/key_file; false: plain HTTP (development only)."},
      {"gateway.cert_file", Type::kString, ".run/pki/services/gateway.pem",
       "PEM certificate (chain) of the HTTPS listener."},
      {"gateway.key_file", Type::kString, ".run/pki/services/gateway.key",
       "PEM private key of gateway.cert_file."},
      {"gateway.collection_addr", Type::kString, "127.0.0.1:50051", "collection's gRPC address."},
      {"gateway.judgment_addr", Type::kString, "127.0.0.1:50052", "judgment's gRPC address."},
      {"gateway.dispatch_addr", Type::kString, "127.0.0.1:50053", "dispatch's gRPC address."},
      {"gateway.supervision_addr", Type::kString, "127.0.0.1:50054", "supervision's gRPC address."},
      {"gateway.threads", Type::kInt, "32",
       "HTTP worker threads; each open stream holds one, so more than gateway.max_streams."},
      {"gateway.max_streams", Type::kInt, "16",
       "Server-Sent Event streams served at once; one more is answered 503."},
      {"gateway.call_timeout", Type::kDuration, "10s", "Deadline of a unary call."},
      {"gateway.keep_alive", Type::kDuration, "15s",
       "A ': keep-alive' comment goes out on a stream after this long without an event."},
      {"security.mode", Type::kString, "tls",
       "tls: gRPC over TLS to the services (no client certificate); insecure: plaintext, for "
       "services that run security.mode=insecure."},
      {"security.ca_file", Type::kString, ".run/pki/ca.pem",
       "PEM CA that vouches for the services' certificates."},
      {"log.level", Type::kString, "info", "debug, info, warning or error."},
  };
}

absl::StatusOr<GatewayOptions> GatewayOptionsFrom(const Config& config) {
  GatewayOptions options;
  options.listen = config.GetString("gateway.listen");
  const size_t colon = options.listen.rfind(':');
  int port = 0;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(absl::string_view(options.listen).substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("gateway.listen: '", options.listen, "' is not host:port"));
  }
  options.port_file = config.GetString("gateway.port_file");
  options.static_dir = config.GetString("gateway.static_dir");
  options.tls = config.GetBool("gateway.tls");
  options.cert_file = config.GetString("gateway.cert_file");
  options.key_file = config.GetString("gateway.key_file");
  if (options.tls && (options.cert_file.empty() || options.key_file.empty())) {
    return absl::InvalidArgumentError(
        "gateway.tls=true needs gateway.cert_file and gateway.key_file");
  }
  for (const char* service : {"collection", "judgment", "dispatch", "supervision"}) {
    options.service_addresses[service] =
        config.GetString(absl::StrCat("gateway.", service, "_addr"));
  }
  options.threads = static_cast<int>(config.GetInt("gateway.threads"));
  options.max_streams = static_cast<int>(config.GetInt("gateway.max_streams"));
  if (options.max_streams < 0 || options.threads <= options.max_streams) {
    return absl::InvalidArgumentError(absl::StrCat(
        "gateway.threads (", options.threads, ") must be more than gateway.max_streams (",
        options.max_streams, "): each open stream holds a worker thread"));
  }
  options.call_timeout = config.GetDuration("gateway.call_timeout");
  options.keep_alive = config.GetDuration("gateway.keep_alive");
  if (options.call_timeout <= absl::ZeroDuration() || options.keep_alive <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("gateway.call_timeout and gateway.keep_alive must be > 0");
  }
  const std::string& mode = config.GetString("security.mode");
  if (mode != "tls" && mode != "insecure") {
    return absl::InvalidArgumentError(
        absl::StrCat("security.mode: '", mode, "' is neither tls nor insecure"));
  }
  options.upstream.insecure = mode == "insecure";
  options.upstream.tls.ca_file = config.GetString("security.ca_file");
  absl::StatusOr<log::Level> level = log::ParseLevel(config.GetString("log.level"));
  if (!level.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("log.level: ", level.status().message()));
  }
  options.log_level = *level;
  return options;
}

}  // namespace infobus::gateway
