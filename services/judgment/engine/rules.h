#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "infobus/common/v1/event.pb.h"
#include "infobus/common/v1/judgment.pb.h"

namespace infobus::judgment {

// Which events a rule looks at. Every non-empty part must match.
struct RuleFilter {
  std::vector<std::string> kinds;     // event kind equals one of these
  std::vector<std::string> counties;  // county_code starts with one of these prefixes
  infobus::common::v1::Classification min_classification =
      infobus::common::v1::CLASSIFICATION_UNSPECIFIED;
  // attribute key → required value; "*" means the attribute must merely be present.
  std::vector<std::pair<std::string, std::string>> attributes;
  std::vector<infobus::common::v1::SubjectType> subject_types;  // subjects considered

  bool Matches(const infobus::common::v1::Event& event) const;
  bool MatchesSubject(infobus::common::v1::SubjectType type) const;
};

// One part of a hotspot group key.
struct GroupField {
  enum class Kind { kKind, kCounty, kJurisdictionPrefix, kSource, kAttribute };
  Kind kind;
  int prefix_length = 0;  // kJurisdictionPrefix
  std::string attribute;  // kAttribute
};

enum class RuleKind { kWatchlist, kHotspot, kMovement, kCorrelation, kDirect };

// A rule as data. See services/judgment/README.md for the YAML form of each kind.
struct Rule {
  std::string id;
  int32_t version = 1;
  RuleKind kind = RuleKind::kWatchlist;
  infobus::common::v1::Severity severity = infobus::common::v1::SEVERITY_MEDIUM;
  std::string title;  // template, e.g. "Hotspot: {count} {group} in {window_start}"
  RuleFilter filter;
  int max_evidence = 20;
  // How long a unit has to sign off this rule's judgments (any kind; a direct rule's petitions
  // are answered in days). Zero: not set, dispatch takes the routing file's for the severity.
  absl::Duration response_deadline = absl::ZeroDuration();
  // Closure by approval (any kind): a unit's feedback on this rule's judgments does not close
  // them; a supervisor above approves or sends it back (dispatch's Approve/SendBack).
  bool needs_approval = false;

  // kWatchlist: list id → severity floor for its entries. Entries of other lists count with
  // their own severity, unless `only_listed`.
  std::map<std::string, infobus::common::v1::Severity> lists;
  bool only_listed = false;
  // kHotspot
  std::vector<GroupField> group_by;
  absl::Duration window = absl::ZeroDuration();
  absl::Duration advance = absl::ZeroDuration();  // == window: tumbling
  // How far behind the stream time (the highest event time seen) an event may be and still
  // count. kHotspot: required; kMovement, kCorrelation: optional, default 0.
  absl::Duration grace = absl::ZeroDuration();
  int64_t threshold = 0;
  // kMovement
  int min_counties = 0;
  // kCorrelation: the kinds that must all be seen (in this order when `ordered`).
  std::vector<std::string> sequence;
  bool ordered = false;
  // kMovement, kCorrelation: how close in event time the evidence must be.
  absl::Duration within = absl::ZeroDuration();
  // kDirect: no settings of its own. Every event of its filter's kinds (required) is a judgment.

  // The rule's definition in canonical form: equal fingerprints mean an unchanged rule.
  std::string fingerprint;
};

struct RuleSet {
  int64_t version = 0;  // the file's own version, for logs and the admin RPC
  std::vector<Rule> rules;
};

// Parses a rules file (YAML). Errors are INVALID_ARGUMENT naming the field, e.g.
// "rules[2].window: ...". Duplicate rule ids are refused.
absl::StatusOr<RuleSet> ParseRules(std::string_view yaml_text);

// "hotspot", "movement", ... for judgments and logs.
infobus::common::v1::JudgmentKind JudgmentKindOf(RuleKind kind);
const char* RuleKindName(RuleKind kind);

}  // namespace infobus::judgment
