#include "common/metrics/metrics.h"

#include <unistd.h>

#include <cmath>
#include <exception>
#include <map>
#include <mutex>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "httplib.h"
#include "prometheus/text_serializer.h"

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

// Held by a shared_ptr that lives for the process (what prometheus-cpp's collectors expect).
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

absl::StatusOr<std::unique_ptr<MetricsServer>> MetricsServer::Start(const std::string& listen,
                                                                    const std::optional<Tls>& tls) {
  const size_t colon = listen.rfind(':');
  int wanted_port = -1;
  if (colon == std::string::npos || !absl::SimpleAtoi(listen.substr(colon + 1), &wanted_port) ||
      wanted_port < 0 || wanted_port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("metrics.listen: '", listen, "' is not host:port"));
  }
  const std::string host = listen.substr(0, colon);
  std::unique_ptr<MetricsServer> server(new MetricsServer());
  if (tls.has_value()) {
    for (const std::string& path : {tls->ca_file, tls->cert_file, tls->key_file}) {
      if (::access(path.c_str(), R_OK) != 0) {
        return absl::NotFoundError(absl::StrCat("metrics: cannot read ", path));
      }
    }
    // With a client CA, cpp-httplib requires and verifies the scraper's certificate.
    auto https = std::make_unique<httplib::SSLServer>(tls->cert_file.c_str(), tls->key_file.c_str(),
                                                      tls->ca_file.c_str());
    if (!https->is_valid()) {
      return absl::InvalidArgumentError(
          absl::StrCat("metrics: TLS setup failed for ", tls->cert_file, " / ", tls->key_file));
    }
    server->server_ = std::move(https);
  } else {
    server->server_ = std::make_unique<httplib::Server>();
  }
  server->server_->new_task_queue = [] { return new httplib::ThreadPool(1); };
  server->server_->Get("/metrics", [](const httplib::Request&, httplib::Response& response) {
    prometheus::TextSerializer serializer;
    response.set_content(serializer.Serialize(SharedRegistry()->Collect()),
                         "text/plain; version=0.0.4; charset=utf-8");
  });
  server->port_ = wanted_port == 0
                      ? server->server_->bind_to_any_port(host)
                      : (server->server_->bind_to_port(host, wanted_port) ? wanted_port : -1);
  if (server->port_ <= 0) {
    return absl::FailedPreconditionError(absl::StrCat("metrics: cannot listen on ", listen));
  }
  server->thread_ = std::thread([raw = server->server_.get()] { raw->listen_after_bind(); });
  return server;
}

MetricsServer::~MetricsServer() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace infobus::metrics
