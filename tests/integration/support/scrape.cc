#include "tests/integration/support/scrape.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sstream>

#include "httplib.h"

namespace infobus::testing {
namespace {

std::string ScrapePlaintext(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  std::string response;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) {
    const std::string request = "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (::write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
      char buffer[8192];
      for (ssize_t n; (n = ::read(fd, buffer, sizeof(buffer))) > 0;) response.append(buffer, n);
    }
  }
  ::close(fd);
  const auto body = response.find("\r\n\r\n");
  return body == std::string::npos ? "" : response.substr(body + 4);
}

}  // namespace

std::string Scrape(int port, const ClientSecurity& scraper) {
  if (scraper.insecure) return ScrapePlaintext(port);
  httplib::SSLClient client("127.0.0.1", port, scraper.tls.cert_file, scraper.tls.key_file);
  client.set_ca_cert_path(scraper.tls.ca_file.c_str());
  client.enable_server_certificate_verification(true);
  client.set_connection_timeout(10);
  client.set_read_timeout(10);
  auto response = client.Get("/metrics");
  return response && response->status == 200 ? response->body : "";
}

double SampleValue(const std::string& text, const std::string& series_prefix) {
  std::istringstream lines(text);
  double total = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(series_prefix, 0) == 0) total += std::stod(line.substr(line.rfind(' ') + 1));
  }
  return total;
}

}  // namespace infobus::testing
