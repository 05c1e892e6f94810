#pragma once

// What the project's CLI11 command lines share (the services', infobus-bench's, infobusctl's).
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace infobus {

// CLI11 gives an option the next argument as its value whatever it is, so `--config --set a=b`
// would read a file named "--set". None of our values starts with "--": such a value is a
// forgotten one, refused with a message that says so. Add with `option->check(NotAFlag())`.
inline CLI::Validator NotAFlag() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        if (value.rfind("--", 0) == 0 || value == "-h") {
          return "needs a value, not the flag " + value;
        }
        return "";
      },
      "");
}

// A duration flag (30s, 500ms, 2m) stored in `*duration`, which holds the default.
inline CLI::Option* AddDuration(CLI::App& app, const std::string& flag, const std::string& help,
                                absl::Duration* duration) {
  return app
      .add_option_function<std::string>(
          flag,
          [=](const std::string& text) {
            if (!absl::ParseDuration(text, duration)) {
              throw CLI::ValidationError(
                  flag, absl::StrCat("'", text, "' is not a duration (30s, 500ms, 2m)"));
            }
          },
          help)
      ->check(NotAFlag())
      ->type_name("DURATION")
      ->default_str(absl::FormatDuration(*duration));
}

// CLI11's message for a parse error, with its "smoke was given a disallowed flag override" (a
// flag that takes no value given one, --smoke=yes; see disable_flag_override) said plainly.
inline std::string ParseErrorMessage(const CLI::Error& error) {
  std::string message = error.what();
  const std::string override = " was given a disallowed flag override";
  if (message.size() > override.size() &&
      message.compare(message.size() - override.size(), override.size(), override) == 0) {
    message.resize(message.size() - override.size());
    return "--" + message + " takes no value";
  }
  return message;
}

// `args` (without the program name) as CLI11's App::parse takes them: reversed, since it pops
// from the back. CLI11 reads "--flag=" as --flag without a value and takes the next argument
// for it; here an explicit empty value stays one ("--topic-prefix=" is the empty prefix).
inline std::vector<std::string> Cli11Args(const std::vector<std::string>& args) {
  std::vector<std::string> reversed;
  for (auto arg = args.rbegin(); arg != args.rend(); ++arg) {
    if (arg->size() > 3 && arg->rfind("--", 0) == 0 && arg->back() == '=' &&
        arg->find('=') == arg->size() - 1) {
      reversed.push_back("");
      reversed.push_back(arg->substr(0, arg->size() - 1));
    } else {
      reversed.push_back(*arg);
    }
  }
  return reversed;
}

}  // namespace infobus
