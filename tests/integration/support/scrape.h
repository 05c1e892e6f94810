#pragma once

#include <string>

#include "common/grpc/credentials.h"

namespace infobus::testing {

// GET /metrics from 127.0.0.1:`port` as `scraper` (AsScraper(): HTTPS with its certificate, as
// Prometheus scrapes a secure service; Plaintext(): HTTP, a service running insecure); the
// body, or "" on failure.
std::string Scrape(int port, const ClientSecurity& scraper);

// The sum of the samples in a Prometheus text `text` whose line starts with `series_prefix`
// (e.g. `infobus_consumer_records_total{topic="x"}`); 0 when there is none.
double SampleValue(const std::string& text, const std::string& series_prefix);

}  // namespace infobus::testing
