#pragma once

#include <string>

namespace infobus::testing {

// GET /metrics from 127.0.0.1:`port` over plain HTTP/1.0; the body, or "" on failure.
std::string Scrape(int port);

// The sum of the samples in a Prometheus text `text` whose line starts with `series_prefix`
// (e.g. `infobus_consumer_records_total{topic="x"}`); 0 when there is none.
double SampleValue(const std::string& text, const std::string& series_prefix);

}  // namespace infobus::testing
