#include "common/metrics/metrics.h"

#include <cmath>
#include <exception>
#include <map>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "prometheus/exposer.h"

namespace infobus::metrics {
namespace {

// Families by name, so that two components asking for one metric share it.
template <typename T>
prometheus::Family<T>& FamilyOf(const std::string& name, const std::string& help,
                                prometheus::detail::Builder<T> builder) {
  static std::mutex mutex;
  static auto* families = new std::map<std::string, prometheus::Family<T>*>();
  std::lock_guard<std::mutex> lock(mutex);
  auto it = families->find(name);
  if (it != families->end()) return *it->second;
  auto& family = builder.Name(name).Help(help).Register(Registry());
  (*families)[name] = &family;
  return family;
}

}  // namespace

namespace {

// The Exposer keeps only a weak_ptr to what it serves, so the registry is held by a shared_ptr
// that lives for the process.
const std::shared_ptr<prometheus::Registry>& SharedRegistry() {
  static auto* registry =
      new std::shared_ptr<prometheus::Registry>(std::make_shared<prometheus::Registry>());
  return *registry;
}

}  // namespace

prometheus::Registry& Registry() { return *SharedRegistry(); }

const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const auto* buckets = [] {
    auto* out = new prometheus::Histogram::BucketBoundaries();
    for (double bound = 0.0001; bound <= 30.0; bound *= 2) out->push_back(bound);
    return out;
  }();
  return *buckets;
}

prometheus::Family<prometheus::Counter>& CounterFamily(const std::string& name,
                                                       const std::string& help) {
  return FamilyOf<prometheus::Counter>(name, help, prometheus::BuildCounter());
}

prometheus::Family<prometheus::Gauge>& GaugeFamily(const std::string& name,
                                                   const std::string& help) {
  return FamilyOf<prometheus::Gauge>(name, help, prometheus::BuildGauge());
}

prometheus::Family<prometheus::Histogram>& HistogramFamily(const std::string& name,
                                                           const std::string& help) {
  return FamilyOf<prometheus::Histogram>(name, help, prometheus::BuildHistogram());
}

absl::StatusOr<std::unique_ptr<MetricsServer>> MetricsServer::Start(const std::string& listen) {
  std::unique_ptr<MetricsServer> server(new MetricsServer());
  try {
    // civetweb wants "host:port"; one worker thread is plenty for a scrape every few seconds.
    server->exposer_ = std::make_unique<prometheus::Exposer>(listen, 1);
  } catch (const std::exception& e) {
    return absl::FailedPreconditionError(
        absl::StrCat("metrics: cannot listen on ", listen, ": ", e.what()));
  }
  server->exposer_->RegisterCollectable(SharedRegistry());
  const auto ports = server->exposer_->GetListeningPorts();
  server->port_ = ports.empty() ? 0 : ports.front();
  return server;
}

MetricsServer::~MetricsServer() = default;

}  // namespace infobus::metrics
