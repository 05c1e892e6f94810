// The metrics endpoint in the default (TLS) mode: HTTPS, and only for a scraper with a client
// certificate of the bus's CA; plaintext and certificate-less scrapes get nothing.
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/metrics/metrics.h"
#include "tests/integration/support/identities.h"
#include "tests/integration/support/run_program.h"

namespace infobus::testing {
namespace {

// A scrape with Python's ssl module (on every machine here): "OK <bytes> <has infobus_>" or
// "REFUSED <why>".
constexpr char kScrape[] = R"(
import ssl, sys, urllib.request
url, ca, cert, key = sys.argv[1:5]
context = ssl.create_default_context(cafile=ca)
if cert:
    context.load_cert_chain(cert, key)
try:
    body = urllib.request.urlopen(url, timeout=10, context=context).read()
    print("OK", len(body), b"infobus_metrics_tls_probe_total" in body)
except Exception as e:
    print("REFUSED", type(e).__name__)
)";

std::string Scrape(const std::string& url, const std::string& cert = "",
                   const std::string& key = "") {
  auto result = RunProgram({"python3", "-c", kScrape, url, TestPkiDir() + "/ca.pem", cert, key}, "",
                           absl::Seconds(30));
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? result->output : "";
}

TEST(MetricsTls, OnlyAScraperWithACertificateOfTheBusGetsTheFigures) {
  metrics::CounterFamily("infobus_metrics_tls_probe_total", "A probe.").Add({}).Increment();
  const std::string pki = TestPkiDir();
  auto server = metrics::MetricsServer::Start(
      "127.0.0.1:0", metrics::MetricsServer::Tls{pki + "/ca.pem", pki + "/services/judgment.pem",
                                                 pki + "/services/judgment.key"});
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_GT((*server)->port(), 0);
  const std::string url = absl::StrCat("https://127.0.0.1:", (*server)->port(), "/metrics");

  EXPECT_EQ(Scrape(url, pki + "/services/admin.pem", pki + "/services/admin.key").substr(0, 3),
            "OK ");
  EXPECT_NE(Scrape(url, pki + "/services/admin.pem", pki + "/services/admin.key").find("True"),
            std::string::npos)
      << "the scrape did not carry the registry's metrics";
  EXPECT_EQ(Scrape(url).substr(0, 7), "REFUSED")
      << "a scraper without a client certificate got the figures";
  EXPECT_EQ(Scrape(absl::StrCat("http://127.0.0.1:", (*server)->port(), "/metrics")).substr(0, 7),
            "REFUSED")
      << "the metrics port answered plaintext";
}

TEST(MetricsTls, AMissingCertificateIsAClearStartupError) {
  auto server = metrics::MetricsServer::Start(
      "127.0.0.1:0", metrics::MetricsServer::Tls{"/nonexistent/ca.pem", "/nonexistent/cert.pem",
                                                 "/nonexistent/key.pem"});
  ASSERT_FALSE(server.ok());
  EXPECT_NE(server.status().message().find("/nonexistent/"), std::string::npos) << server.status();
}

TEST(MetricsTls, PlaintextStillServesInInsecureMode) {
  metrics::CounterFamily("infobus_metrics_tls_probe_total", "A probe.").Add({}).Increment();
  auto server = metrics::MetricsServer::Start("127.0.0.1:0");
  ASSERT_TRUE(server.ok()) << server.status();
  auto result = RunProgram(
      {"python3", "-c",
       "import sys, urllib.request; "
       "print(b'infobus_metrics_tls_probe_total' in urllib.request.urlopen(sys.argv[1]).read())",
       absl::StrCat("http://127.0.0.1:", (*server)->port(), "/metrics")},
      "", absl::Seconds(30));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->output.substr(0, 4), "True") << result->output;
}

}  // namespace
}  // namespace infobus::testing
