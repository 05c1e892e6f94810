#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace prometheus {
class Exposer;
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

// Serves Registry() as Prometheus text on http://<listen>/metrics until destroyed.
class MetricsServer {
 public:
  // "127.0.0.1:0" picks a free port.
  static absl::StatusOr<std::unique_ptr<MetricsServer>> Start(const std::string& listen);
  ~MetricsServer();
  int port() const { return port_; }

 private:
  MetricsServer() = default;
  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_ = 0;
};

}  // namespace infobus::metrics
