#include "common/config/config.h"

#include <cstdlib>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

extern char** environ;

namespace infobus {
namespace {

absl::Status CheckType(const ConfigKey& key, const std::string& value) {
  switch (key.type) {
    case ConfigKey::Type::kString:
    case ConfigKey::Type::kList:
      return absl::OkStatus();
    case ConfigKey::Type::kInt: {
      int64_t parsed;
      if (absl::SimpleAtoi(value, &parsed)) return absl::OkStatus();
      return absl::InvalidArgumentError(
          absl::StrCat(key.name, ": '", value, "' is not an integer"));
    }
    case ConfigKey::Type::kBool: {
      bool parsed;
      if (absl::SimpleAtob(value, &parsed)) return absl::OkStatus();
      return absl::InvalidArgumentError(
          absl::StrCat(key.name, ": '", value, "' is not a boolean (true/false)"));
    }
    case ConfigKey::Type::kDuration: {
      absl::Duration parsed;
      if (absl::ParseDuration(value, &parsed) && parsed >= absl::ZeroDuration()) {
        return absl::OkStatus();
      }
      return absl::InvalidArgumentError(
          absl::StrCat(key.name, ": '", value, "' is not a duration (e.g. 250ms, 5s, 1m)"));
    }
  }
  return absl::OkStatus();
}

// Flattens nested YAML maps into dotted keys; sequences stay whole.
void Flatten(const YAML::Node& node, const std::string& prefix,
             std::map<std::string, YAML::Node>* out) {
  if (node.IsMap()) {
    for (const auto& item : node) {
      const std::string name = item.first.as<std::string>();
      Flatten(item.second, prefix.empty() ? name : absl::StrCat(prefix, ".", name), out);
    }
  } else if (!prefix.empty()) {
    (*out)[prefix] = node;
  }
}

}  // namespace

std::string Config::EnvironmentName(const std::string& key) {
  std::string name = "INFOBUS_" + key;
  for (char& c : name) c = c == '.' ? '_' : absl::ascii_toupper(static_cast<unsigned char>(c));
  return name;
}

absl::StatusOr<Config> Config::Load(const ConfigSchema& schema, const std::string& yaml_path,
                                    const std::map<std::string, std::string>& environment,
                                    const std::vector<std::pair<std::string, std::string>>& sets) {
  Config config;
  for (const ConfigKey& key : schema) {
    config.schema_[key.name] = key;
    if (key.type != ConfigKey::Type::kList) config.values_[key.name] = key.default_value;
  }

  auto set_scalar = [&config](const std::string& name, const std::string& value,
                              const std::string& origin) -> absl::Status {
    auto it = config.schema_.find(name);
    if (it == config.schema_.end()) {
      return absl::InvalidArgumentError(absl::StrCat(origin, ": unknown key '", name, "'"));
    }
    if (it->second.type == ConfigKey::Type::kList) {
      return absl::InvalidArgumentError(
          absl::StrCat(origin, ": '", name, "' is a list and can only be set in the YAML file"));
    }
    if (absl::Status status = CheckType(it->second, value); !status.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(origin, ": ", status.message()));
    }
    config.values_[name] = value;
    return absl::OkStatus();
  };

  if (!yaml_path.empty()) {
    YAML::Node root;
    try {
      root = YAML::LoadFile(yaml_path);
    } catch (const YAML::Exception& e) {
      return absl::InvalidArgumentError(absl::StrCat("config file ", yaml_path, ": ", e.what()));
    }
    if (!root.IsMap() && !root.IsNull()) {
      return absl::InvalidArgumentError(
          absl::StrCat("config file ", yaml_path,
                       ": must be a YAML map of keys (e.g. 'kafka:' then "
                       "'  bootstrap_servers: host:port'), or empty"));
    }
    std::map<std::string, YAML::Node> flat;
    Flatten(root, "", &flat);
    for (const auto& [name, node] : flat) {
      auto it = config.schema_.find(name);
      if (it != config.schema_.end() && it->second.type == ConfigKey::Type::kList) {
        if (!node.IsSequence() && !node.IsNull()) {
          return absl::InvalidArgumentError(
              absl::StrCat(yaml_path, ": '", name, "' must be a list"));
        }
        config.lists_[name] = node;
        continue;
      }
      if (node.IsNull()) continue;  // "key:" with nothing after it keeps the default
      if (!node.IsScalar()) {
        return absl::InvalidArgumentError(
            absl::StrCat(yaml_path, ": '", name, "' must be a single value"));
      }
      if (absl::Status status = set_scalar(name, node.Scalar(), yaml_path); !status.ok()) {
        return status;
      }
    }
  }

  for (const ConfigKey& key : schema) {
    if (key.type == ConfigKey::Type::kList) continue;
    auto it = environment.find(EnvironmentName(key.name));
    if (it == environment.end()) continue;
    if (absl::Status status = set_scalar(key.name, it->second, it->first); !status.ok()) {
      return status;
    }
  }

  for (const auto& [name, value] : sets) {
    if (absl::Status status = set_scalar(name, value, "--set"); !status.ok()) return status;
  }
  return config;
}

const ConfigKey& Config::Key(const std::string& key, ConfigKey::Type type) const {
  auto it = schema_.find(key);
  if (it == schema_.end() || it->second.type != type) {
    std::fprintf(stderr, "fatal: config key '%s' is not in the schema with this type\n",
                 key.c_str());
    std::abort();
  }
  return it->second;
}

const std::string& Config::GetString(const std::string& key) const {
  Key(key, ConfigKey::Type::kString);
  return values_.at(key);
}

int64_t Config::GetInt(const std::string& key) const {
  Key(key, ConfigKey::Type::kInt);
  int64_t value = 0;
  (void)absl::SimpleAtoi(values_.at(key), &value);  // checked at load
  return value;
}

bool Config::GetBool(const std::string& key) const {
  Key(key, ConfigKey::Type::kBool);
  bool value = false;
  (void)absl::SimpleAtob(values_.at(key), &value);
  return value;
}

absl::Duration Config::GetDuration(const std::string& key) const {
  Key(key, ConfigKey::Type::kDuration);
  absl::Duration value;
  (void)absl::ParseDuration(values_.at(key), &value);
  return value;
}

const YAML::Node& Config::GetList(const std::string& key) const {
  Key(key, ConfigKey::Type::kList);
  static const YAML::Node* const kNull = new YAML::Node();
  auto it = lists_.find(key);
  return it == lists_.end() ? *kNull : it->second;
}

std::string Config::Describe() const {
  std::ostringstream out;
  for (const auto& [name, value] : values_) out << name << ": " << value << "\n";
  for (const auto& [name, node] : lists_) {
    out << name << ": [" << (node.IsSequence() ? node.size() : 0) << " entries]\n";
  }
  return out.str();
}

std::map<std::string, std::string> ProcessEnvironment() {
  std::map<std::string, std::string> out;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string text(*entry);
    auto eq = text.find('=');
    if (eq != std::string::npos) out[text.substr(0, eq)] = text.substr(eq + 1);
  }
  return out;
}

}  // namespace infobus
