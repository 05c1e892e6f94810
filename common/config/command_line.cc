#include "common/config/command_line.h"

#include <cstdio>
#include <sstream>
#include <vector>

namespace infobus {
namespace {

const char* TypeName(ConfigKey::Type type) {
  switch (type) {
    case ConfigKey::Type::kString:
      return "string";
    case ConfigKey::Type::kInt:
      return "int";
    case ConfigKey::Type::kBool:
      return "bool";
    case ConfigKey::Type::kDuration:
      return "duration";
    case ConfigKey::Type::kList:
      return "list";
  }
  return "?";
}

}  // namespace

std::string Usage(const ProgramInfo& program) {
  std::ostringstream out;
  out << "usage: " << program.name
      << " [--config FILE] [--set KEY=VALUE]... [--print-config] [--help]\n\n"
      << program.description << "\n\n"
      << "Configuration keys (YAML file < environment < --set):\n";
  for (const ConfigKey& key : program.schema) {
    out << "  " << key.name << " (" << TypeName(key.type);
    if (key.type != ConfigKey::Type::kList) {
      out << ", default \"" << key.default_value << "\", env " << Config::EnvironmentName(key.name);
    } else {
      out << ", YAML file only";
    }
    out << ")\n      " << key.help << "\n";
  }
  return out.str();
}

int RunWithConfig(int argc, char** argv, const ProgramInfo& program,
                  const std::function<int(const Config&)>& run) {
  std::string config_path;
  std::vector<std::pair<std::string, std::string>> sets;
  bool print_config = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value_of = [&](const std::string& flag) -> const char* {
      if (arg.rfind(flag + "=", 0) == 0) return argv[i] + flag.size() + 1;
      if (arg == flag && i + 1 < argc) return argv[++i];
      return nullptr;
    };
    if (arg == "--help" || arg == "-h") {
      std::fputs(Usage(program).c_str(), stdout);
      return 0;
    } else if (arg == "--print-config") {
      print_config = true;
    } else if (const char* path = value_of("--config")) {
      config_path = path;
    } else if (const char* assignment = value_of("--set")) {
      const std::string text = assignment;
      const auto eq = text.find('=');
      if (eq == std::string::npos || eq == 0) {
        std::fprintf(stderr, "%s: --set expects KEY=VALUE, got '%s'\n", program.name.c_str(),
                     text.c_str());
        return 2;
      }
      sets.emplace_back(text.substr(0, eq), text.substr(eq + 1));
    } else {
      std::fprintf(stderr, "%s: unknown argument '%s' (try --help)\n", program.name.c_str(),
                   arg.c_str());
      return 2;
    }
  }
  absl::StatusOr<Config> config =
      Config::Load(program.schema, config_path, ProcessEnvironment(), sets);
  if (!config.ok()) {
    std::fprintf(stderr, "%s: bad configuration: %s\n", program.name.c_str(),
                 std::string(config.status().message()).c_str());
    return 2;
  }
  if (print_config) {
    std::fputs(config->Describe().c_str(), stdout);
    return 0;
  }
  return run(*config);
}

}  // namespace infobus
