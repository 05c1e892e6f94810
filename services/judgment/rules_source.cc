#include "services/judgment/rules_source.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace infobus::judgment {

RuleSet RulesSource::BuiltIn() {
  auto rules = ParseRules(R"(version: 1
rules:
  - id: watchlist-hit
    version: 1
    kind: watchlist
    severity: medium
    title: "Watchlist hit: {subject} on {list}"
)");
  return *rules;  // a constant that the unit tests parse
}

RulesSource::Stamp RulesSource::Current() const {
  Stamp stamp;
  struct stat info;
  if (path_.empty() || ::stat(path_.c_str(), &info) != 0) return stamp;
  stamp.mtime_ns = static_cast<int64_t>(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec;
  stamp.size = static_cast<int64_t>(info.st_size);
  return stamp;
}

absl::StatusOr<RulesSource::Loaded> RulesSource::Read() const {
  Loaded loaded;
  if (path_.empty()) {
    loaded.rules = BuiltIn();
    return loaded;
  }
  loaded.stamp = Current();
  std::ifstream in(path_);
  if (!in) return absl::NotFoundError(absl::StrCat("rules file ", path_, ": cannot be read"));
  std::stringstream text;
  text << in.rdbuf();
  auto rules = ParseRules(text.str());
  if (!rules.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path_, ": ", std::string(rules.status().message())));
  }
  loaded.rules = std::move(*rules);
  return loaded;
}

}  // namespace infobus::judgment
