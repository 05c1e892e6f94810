#include "common/service/security_options.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace infobus {

absl::StatusOr<SecurityOptions> SecurityOptionsFrom(const Config& config) {
  SecurityOptions options;
  const std::string& mode = config.GetString("security.mode");
  if (mode == "insecure") {
    options.mode = SecurityOptions::Mode::kInsecure;
  } else if (mode != "tls") {
    return absl::InvalidArgumentError(
        absl::StrCat("security.mode: '", mode, "' is neither tls nor insecure"));
  }
  options.tls = {config.GetString("security.ca_file"), config.GetString("security.cert_file"),
                 config.GetString("security.key_file")};
  options.jwks_file = config.GetString("security.jwks_file");
  options.token_issuer = config.GetString("security.token_issuer");
  options.token_audience = config.GetString("security.token_audience");
  options.sources_file = config.GetString("security.sources_file");
  for (absl::string_view name :
       absl::StrSplit(config.GetString("security.administrators"), ',', absl::SkipWhitespace())) {
    options.administrators.insert(std::string(name));
  }
  return options;
}

}  // namespace infobus
