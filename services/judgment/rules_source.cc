#include "services/judgment/rules_source.h"

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
  if (path_.empty()) return Stamp();
  return StampOf(path_);
}

absl::StatusOr<RulesSource::Loaded> RulesSource::Read() const {
  Loaded loaded;
  if (path_.empty()) {
    loaded.rules = BuiltIn();
    return loaded;
  }
  loaded.stamp = Current();
  auto text = ReadWholeFile(path_, "rules file");
  if (!text.ok()) return text.status();
  auto rules = ParseRules(*text);
  if (!rules.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path_, ": ", std::string(rules.status().message())));
  }
  loaded.rules = std::move(*rules);
  return loaded;
}

}  // namespace infobus::judgment
