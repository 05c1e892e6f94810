#pragma once

// The rules as the engine looks them up: by event kind (which rules an event may match) and by
// id, and what a reload changes.

#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "services/judgment/engine/rules.h"
#include "services/judgment/engine/string_view.h"

namespace infobus::judgment::engine {

// What a reload did, by rule id: `changed` and `removed` rules lose their state, `kept` ones
// (same id and fingerprint) keep it.
struct ReloadSummary {
  std::vector<std::string> added, changed, removed, kept;
};

// The reload from `old_rules` to `new_rules`; `dropped` gets the ids whose state goes (changed
// and removed).
ReloadSummary DiffRules(const RuleSet& old_rules, const RuleSet& new_rules,
                        absl::flat_hash_set<std::string>& dropped);

// An index of one RuleSet, which must outlive it (it holds pointers to its rules) and not change
// under it: Rebuild after every change. Not thread-safe for Rebuild.
class RuleIndex {
 public:
  // The rules an event of one kind may match, in file order.
  struct KindRules {
    std::vector<const Rule*> rules;
    int pattern_rules = 0;  // movement and correlation rules among them
  };
  // For one event: the rules of its kind (nullptr when none) and those of every kind.
  struct Candidates {
    const KindRules* lists[2];
  };

  void Rebuild(const RuleSet& rules);

  // A rule with no kinds in its filter is for every kind (a correlation rule's are its sequence).
  Candidates For(std::string_view kind) const {
    auto it = by_kind_.find(View(kind));
    return {{it == by_kind_.end() ? nullptr : &it->second, &any_kind_}};
  }
  const Rule* Find(std::string_view id) const {
    auto it = by_id_.find(View(id));
    return it == by_id_.end() ? nullptr : it->second;
  }
  // For each rule of `old_rules`, the rule of the same id here (nullptr when gone): what the
  // pattern states' rule pointers move to.
  absl::flat_hash_map<const Rule*, const Rule*> Moved(const RuleSet& old_rules) const;

 private:
  absl::flat_hash_map<std::string, KindRules> by_kind_;
  KindRules any_kind_;
  absl::flat_hash_map<absl::string_view, const Rule*> by_id_;
};

}  // namespace infobus::judgment::engine
