#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "yaml-cpp/yaml.h"

namespace infobus {

// One configuration key a program understands. Keys are dotted ("kafka.bootstrap_servers");
// in YAML they are nested maps, in the environment INFOBUS_ + upper-case with '.' → '_'
// (INFOBUS_KAFKA_BOOTSTRAP_SERVERS).
struct ConfigKey {
  enum class Type { kString, kInt, kBool, kDuration, kList };
  std::string name;
  Type type;
  std::string default_value;  // kDuration: "250ms", "5s", "1m"; kList: always empty
  std::string help;
};

using ConfigSchema = std::vector<ConfigKey>;

// Where the values came from, lowest precedence first: schema defaults, the YAML file, the
// environment, then --set overrides. Unknown keys and badly typed values are errors, so a typo
// never silently falls back to a default. Immutable once loaded; safe to share across threads.
class Config {
 public:
  static absl::StatusOr<Config> Load(const ConfigSchema& schema, const std::string& yaml_path,
                                     const std::map<std::string, std::string>& environment,
                                     const std::vector<std::pair<std::string, std::string>>& sets);

  // Typed getters. Asking for a key that is not in the schema is a programming error and aborts.
  const std::string& GetString(const std::string& key) const;
  int64_t GetInt(const std::string& key) const;
  bool GetBool(const std::string& key) const;
  absl::Duration GetDuration(const std::string& key) const;
  // A list section (a YAML sequence), e.g. dispatch units. Null when not set.
  const YAML::Node& GetList(const std::string& key) const;

  // Every scalar key with its effective value, sorted, for --print-config and logs.
  std::string Describe() const;

  static std::string EnvironmentName(const std::string& key);

 private:
  const ConfigKey& Key(const std::string& key, ConfigKey::Type type) const;

  std::map<std::string, ConfigKey> schema_;
  std::map<std::string, std::string> values_;
  std::map<std::string, YAML::Node> lists_;
};

// The process environment as a map (for Config::Load).
std::map<std::string, std::string> ProcessEnvironment();

}  // namespace infobus
