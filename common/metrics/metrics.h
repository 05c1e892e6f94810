#pragma once

#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace httplib {
class Server;
}

namespace infobus::metrics {

// The process-wide registry: every component registers its metric families here once (families
// are created on first use and live for the process), and the MetricsServer exposes it.
// prometheus-cpp families and metrics are thread-safe.
prometheus::Registry& Registry();

// Log-spaced latency buckets in seconds, 100 µs to 30 s.
const prometheus::Histogram::BucketBoundaries& LatencyBuckets();

prometheus::Family<prometheus::Counter>& CounterFamily(const std::string& name,
                                                       const std::string& help);
prometheus::Family<prometheus::Gauge>& GaugeFamily(const std::string& name,
                                                   const std::string& help);
prometheus::Family<prometheus::Histogram>& HistogramFamily(const std::string& name,
                                                           const std::string& help);

// Serves Registry() as Prometheus text on http(s)://<listen>/metrics until destroyed, with
// cpp-httplib on one thread of its own (a scrape every few seconds needs no more).
class MetricsServer {
 public:
  // With `tls`: HTTPS with this certificate, and only for a scraper presenting a client
  // certificate of `ca_file` (the figures name units and sources: a read like any other).
  struct Tls {
    std::string ca_file;
    std::string cert_file;
    std::string key_file;
  };
  // "127.0.0.1:0" picks a free port.
  static absl::StatusOr<std::unique_ptr<MetricsServer>> Start(const std::string& listen,
                                                              const std::optional<Tls>& tls = {});
  ~MetricsServer();
  int port() const { return port_; }

 private:
  MetricsServer() = default;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace infobus::metrics
