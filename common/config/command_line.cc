#include "common/config/command_line.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/config/cli11_helpers.h"

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

absl::StatusOr<CommandLine> ParseCommandLine(const std::vector<std::string>& args) {
  CommandLine line;
  std::vector<std::string> sets;
  // Only the parser: --help prints Usage(), which lists the configuration keys CLI11 does not
  // know about.
  CLI::App app;
  // Unknown arguments are collected, not thrown, so that they are reported as they always
  // were: "unknown argument 'X'".
  app.allow_extras();
  app.add_option("--config", line.config_path, "YAML configuration")
      ->type_name("FILE")
      ->check(NotAFlag())
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  // One KEY=VALUE per --set: `--set a=1 b=2` leaves b=2 unknown instead of taking it too.
  app.add_option("--set", sets, "override one key")
      ->type_name("KEY=VALUE")
      ->check(NotAFlag())
      ->allow_extra_args(false);
  app.add_flag("--print-config", line.print_config, "print the effective configuration and exit")
      ->disable_flag_override();
  try {
    app.parse(Cli11Args(args));
  } catch (const CLI::CallForHelp&) {
    line.help = true;
    return line;
  } catch (const CLI::ParseError& error) {
    return absl::InvalidArgumentError(absl::StrCat(ParseErrorMessage(error), " (try --help)"));
  }
  if (const std::vector<std::string> extras = app.remaining(); !extras.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown argument '", extras.front(), "' (try --help)"));
  }
  for (const std::string& text : sets) {
    const auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0) {
      return absl::InvalidArgumentError(absl::StrCat("--set expects KEY=VALUE, got '", text, "'"));
    }
    line.sets.emplace_back(text.substr(0, eq), text.substr(eq + 1));
  }
  return line;
}

int RunWithConfig(int argc, char** argv, const ProgramInfo& program,
                  const std::function<int(const Config&)>& run) {
  absl::StatusOr<CommandLine> line =
      ParseCommandLine(std::vector<std::string>(argv + std::min(argc, 1), argv + argc));
  if (!line.ok()) {
    std::fprintf(stderr, "%s: %s\n", program.name.c_str(),
                 std::string(line.status().message()).c_str());
    return 2;
  }
  if (line->help) {
    std::fputs(Usage(program).c_str(), stdout);
    return 0;
  }
  absl::StatusOr<Config> config =
      Config::Load(program.schema, line->config_path, ProcessEnvironment(), line->sets);
  if (!config.ok()) {
    std::fprintf(stderr, "%s: bad configuration: %s\n", program.name.c_str(),
                 std::string(config.status().message()).c_str());
    return 2;
  }
  if (line->print_config) {
    std::fputs(config->Describe().c_str(), stdout);
    return 0;
  }
  return run(*config);
}

}  // namespace infobus
