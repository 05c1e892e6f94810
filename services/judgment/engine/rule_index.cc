#include "services/judgment/engine/rule_index.h"

namespace infobus::judgment::engine {

ReloadSummary DiffRules(const RuleSet& old_rules, const RuleSet& new_rules,
                        absl::flat_hash_set<std::string>& dropped) {
  ReloadSummary summary;
  absl::flat_hash_map<std::string, const Rule*> old_by_id;
  for (const Rule& rule : old_rules.rules) old_by_id[rule.id] = &rule;
  absl::flat_hash_set<std::string> seen;
  for (const Rule& rule : new_rules.rules) {
    seen.insert(rule.id);
    auto it = old_by_id.find(rule.id);
    if (it == old_by_id.end()) {
      summary.added.push_back(rule.id);
    } else if (it->second->fingerprint == rule.fingerprint) {
      summary.kept.push_back(rule.id);
    } else {
      summary.changed.push_back(rule.id);
      dropped.insert(rule.id);
    }
  }
  for (const Rule& rule : old_rules.rules) {
    if (!seen.contains(rule.id)) {
      summary.removed.push_back(rule.id);
      dropped.insert(rule.id);
    }
  }
  return summary;
}

void RuleIndex::Rebuild(const RuleSet& rules) {
  by_kind_.clear();
  any_kind_ = KindRules();
  by_id_.clear();
  for (const Rule& rule : rules.rules) {
    by_id_[rule.id] = &rule;
    std::vector<std::string> kinds = rule.filter.kinds;
    if (kinds.empty() && rule.kind == RuleKind::kCorrelation) kinds = rule.sequence;
    const int pattern = rule.kind == RuleKind::kMovement || rule.kind == RuleKind::kCorrelation;
    if (kinds.empty()) {
      any_kind_.rules.push_back(&rule);
      any_kind_.pattern_rules += pattern;
    } else {
      for (const std::string& kind : kinds) {
        KindRules& list = by_kind_[kind];
        list.rules.push_back(&rule);
        list.pattern_rules += pattern;
      }
    }
  }
}

absl::flat_hash_map<const Rule*, const Rule*> RuleIndex::Moved(const RuleSet& old_rules) const {
  absl::flat_hash_map<const Rule*, const Rule*> moved;
  for (const Rule& rule : old_rules.rules) moved[&rule] = Find(rule.id);
  return moved;
}

}  // namespace infobus::judgment::engine
