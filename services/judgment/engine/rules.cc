#include "services/judgment/engine/rules.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "yaml-cpp/yaml.h"

namespace infobus::judgment {
namespace {

using infobus::common::v1::Classification;
using infobus::common::v1::Severity;
using infobus::common::v1::SubjectType;

absl::Status Invalid(const std::string& field, std::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", std::string(message)));
}

absl::StatusOr<std::string> Scalar(const YAML::Node& node, const std::string& field) {
  // A key the map lacks gives an invalid node, and asking it anything but IsDefined throws.
  if (!node.IsDefined()) return Invalid(field, "is required");
  if (!node.IsScalar()) return Invalid(field, "must be a single value");
  return node.Scalar();
}

absl::StatusOr<std::vector<std::string>> StringList(const YAML::Node& node,
                                                    const std::string& field) {
  std::vector<std::string> out;
  if (!node) return out;
  if (node.IsScalar()) {
    out.push_back(node.Scalar());
    return out;
  }
  if (!node.IsSequence()) return Invalid(field, "must be a list");
  for (size_t i = 0; i < node.size(); ++i) {
    auto value = Scalar(node[i], absl::StrCat(field, "[", i, "]"));
    if (!value.ok()) return value.status();
    out.push_back(*value);
  }
  return out;
}

// `text` (any case) as a value of one of our enums, whose names are `prefix` and the upper case
// ("SEVERITY_" "HIGH"); the UNSPECIFIED zero value is not one. Else INVALID_ARGUMENT: `field`
// must be one of `names`.
template <typename Enum, typename Parse>
absl::StatusOr<Enum> ParseEnum(const std::string& text, const std::string& field,
                               const std::string& prefix, Parse parse, const char* names) {
  Enum value;
  if (!parse(prefix + absl::AsciiStrToUpper(text), &value) || value == Enum{}) {
    return Invalid(field, absl::StrCat("must be ", names));
  }
  return value;
}

absl::StatusOr<Severity> ParseSeverity(const std::string& text, const std::string& field) {
  return ParseEnum<Severity>(text, field, "SEVERITY_", &infobus::common::v1::Severity_Parse,
                             "low, medium, high or critical");
}

absl::StatusOr<Classification> ParseClassification(const std::string& text,
                                                   const std::string& field) {
  return ParseEnum<Classification>(text, field, "CLASSIFICATION_",
                                   &infobus::common::v1::Classification_Parse,
                                   "public, internal, confidential or secret");
}

absl::StatusOr<SubjectType> ParseSubjectType(const std::string& text, const std::string& field) {
  return ParseEnum<SubjectType>(text, field, "SUBJECT_TYPE_",
                                &infobus::common::v1::SubjectType_Parse,
                                "id_number, plate, phone or name");
}

absl::StatusOr<absl::Duration> ParsePositiveDuration(const YAML::Node& node,
                                                     const std::string& field, bool required) {
  if (!node) {
    if (required) return Invalid(field, "is required (e.g. 10m, 1h, 30s)");
    return absl::ZeroDuration();
  }
  auto text = Scalar(node, field);
  if (!text.ok()) return text.status();
  absl::Duration duration;
  // absl parses "inf": an endless window or grace would keep state forever and overflow the
  // stream-time arithmetic, so only finite durations are rules' durations.
  if (!absl::ParseDuration(*text, &duration) || duration < absl::ZeroDuration() ||
      duration == absl::InfiniteDuration()) {
    return Invalid(field, "must be a duration such as 30s, 10m, 1h, 24h");
  }
  if (required && duration == absl::ZeroDuration()) return Invalid(field, "must be above 0");
  return duration;
}

// The longest response deadline a rule may give: a year is already more than any answer may
// take, and it keeps deadline arithmetic far from absl's infinite durations.
constexpr absl::Duration kMaxResponseDeadline = absl::Hours(24 * 365);

// Any rule's optional `response_deadline`: above 0 (left out, the severity's deadline applies).
absl::StatusOr<absl::Duration> ParseResponseDeadline(const YAML::Node& node,
                                                     const std::string& field) {
  auto deadline = ParsePositiveDuration(node, field, false);
  if (!deadline.ok() || !node) return deadline;
  if (*deadline == absl::ZeroDuration()) {
    return Invalid(field, "must be above 0 (leave it out for the severity's deadline)");
  }
  if (*deadline > kMaxResponseDeadline) return Invalid(field, "at most 8760h (a year)");
  return deadline;
}

// A movement or correlation rule's `within` (required) and `grace` (default 0).
absl::Status ParseWithinAndGrace(const YAML::Node& node, const std::string& field, Rule* rule) {
  auto within = ParsePositiveDuration(node["within"], field + ".within", true);
  if (!within.ok()) return within.status();
  rule->within = *within;
  auto grace = ParsePositiveDuration(node["grace"], field + ".grace", false);
  if (!grace.ok()) return grace.status();
  rule->grace = *grace;
  return absl::OkStatus();
}

absl::StatusOr<int64_t> ParseInt(const YAML::Node& node, const std::string& field,
                                 int64_t min_value) {
  if (!node) return Invalid(field, "is required");
  auto text = Scalar(node, field);
  if (!text.ok()) return text.status();
  int64_t value = 0;
  if (!absl::SimpleAtoi(*text, &value) || value < min_value) {
    return Invalid(field, absl::StrCat("must be a whole number of at least ", min_value));
  }
  return value;
}

absl::StatusOr<bool> ParseBool(const YAML::Node& node, const std::string& field) {
  if (!node) return false;
  auto text = Scalar(node, field);
  if (!text.ok()) return text.status();
  bool value = false;
  if (!absl::SimpleAtob(*text, &value)) return Invalid(field, "must be true or false");
  return value;
}

absl::Status ParseFilter(const YAML::Node& node, const std::string& field, RuleFilter& filter) {
  if (!node) return absl::OkStatus();
  if (!node.IsMap()) return Invalid(field, "must be a map (kinds, counties, classification, ...)");
  for (const auto& item : node) {
    const std::string key = item.first.Scalar();
    const std::string sub = absl::StrCat(field, ".", key);
    if (key == "kinds") {
      auto kinds = StringList(item.second, sub);
      if (!kinds.ok()) return kinds.status();
      filter.kinds = *kinds;
    } else if (key == "counties") {
      auto counties = StringList(item.second, sub);
      if (!counties.ok()) return counties.status();
      for (const std::string& prefix : *counties) {
        if (prefix.empty() || prefix.size() > 12 ||
            prefix.find_first_not_of("0123456789") != std::string::npos) {
          return Invalid(sub, "each must be a jurisdiction code prefix of digits (e.g. 4514)");
        }
      }
      filter.counties = *counties;
    } else if (key == "classification") {
      auto text = Scalar(item.second, sub);
      if (!text.ok()) return text.status();
      auto value = ParseClassification(*text, sub);
      if (!value.ok()) return value.status();
      filter.min_classification = *value;
    } else if (key == "attributes") {
      if (!item.second.IsMap()) return Invalid(sub, "must be a map of name: value (\"*\": any)");
      for (const auto& attribute : item.second) {
        auto value = Scalar(attribute.second, absl::StrCat(sub, ".", attribute.first.Scalar()));
        if (!value.ok()) return value.status();
        filter.attributes.emplace_back(attribute.first.Scalar(), *value);
      }
    } else if (key == "subject_types") {
      auto types = StringList(item.second, sub);
      if (!types.ok()) return types.status();
      for (size_t i = 0; i < types->size(); ++i) {
        auto type = ParseSubjectType((*types)[i], absl::StrCat(sub, "[", i, "]"));
        if (!type.ok()) return type.status();
        filter.subject_types.push_back(*type);
      }
    } else {
      return Invalid(sub,
                     "unknown filter (kinds, counties, classification, attributes, "
                     "subject_types)");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<GroupField> ParseGroupField(const std::string& text, const std::string& field) {
  GroupField out;
  if (text == "kind") {
    out.kind = GroupField::Kind::kKind;
  } else if (text == "county") {
    out.kind = GroupField::Kind::kCounty;
  } else if (text == "source") {
    out.kind = GroupField::Kind::kSource;
  } else if (text == "jurisdiction") {
    out.kind = GroupField::Kind::kJurisdictionPrefix;
    out.prefix_length = 0;  // the whole code
  } else if (text.rfind("jurisdiction:", 0) == 0) {
    out.kind = GroupField::Kind::kJurisdictionPrefix;
    if (!absl::SimpleAtoi(text.substr(13), &out.prefix_length) || out.prefix_length < 1 ||
        out.prefix_length > 12) {
      return Invalid(field, "jurisdiction:N needs N from 1 to 12 (e.g. jurisdiction:4)");
    }
  } else if (text.rfind("attribute:", 0) == 0 && text.size() > 10) {
    out.kind = GroupField::Kind::kAttribute;
    out.attribute = text.substr(10);
  } else {
    return Invalid(field,
                   "must be kind, county, source, jurisdiction, jurisdiction:N or "
                   "attribute:NAME");
  }
  return out;
}

const std::set<std::string>& CommonKeys() {
  static const auto* keys = new std::set<std::string>{
      "id",     "version",      "kind",    "severity",          "title",
      "filter", "max_evidence", "enabled", "response_deadline", "needs_approval",
  };
  return *keys;
}

absl::StatusOr<Rule> ParseRule(const YAML::Node& node, const std::string& field) {
  if (!node.IsMap()) return Invalid(field, "must be a map");
  Rule rule;
  auto id = Scalar(node["id"], field + ".id");
  if (!node["id"]) return Invalid(field + ".id", "is required");
  if (!id.ok()) return id.status();
  if (id->empty() || id->size() > 64 ||
      id->find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-.") != std::string::npos) {
    return Invalid(field + ".id", "must be 1-64 of a-z, 0-9, '_', '-', '.'");
  }
  rule.id = *id;
  auto version = ParseInt(node["version"], field + ".version", 1);
  if (!version.ok()) return version.status();
  if (*version > 1000000000) return Invalid(field + ".version", "is too large");
  rule.version = static_cast<int32_t>(*version);

  auto kind_text = Scalar(node["kind"], field + ".kind");
  if (!node["kind"]) return Invalid(field + ".kind", "is required");
  if (!kind_text.ok()) return kind_text.status();
  std::set<std::string> allowed = CommonKeys();
  if (*kind_text == "watchlist") {
    rule.kind = RuleKind::kWatchlist;
    allowed.insert({"lists", "only_listed"});
  } else if (*kind_text == "hotspot") {
    rule.kind = RuleKind::kHotspot;
    allowed.insert({"group_by", "window", "advance", "grace", "threshold"});
  } else if (*kind_text == "movement") {
    rule.kind = RuleKind::kMovement;
    allowed.insert({"min_counties", "within", "grace"});
  } else if (*kind_text == "correlation") {
    rule.kind = RuleKind::kCorrelation;
    allowed.insert({"sequence", "ordered", "within", "grace"});
  } else if (*kind_text == "direct") {
    rule.kind = RuleKind::kDirect;
  } else {
    return Invalid(field + ".kind", "must be watchlist, hotspot, movement, correlation or direct");
  }
  for (const auto& item : node) {
    if (allowed.count(item.first.Scalar()) == 0) {
      return Invalid(absl::StrCat(field, ".", item.first.Scalar()),
                     absl::StrCat("is not a setting of a ", *kind_text, " rule"));
    }
  }

  if (node["severity"]) {
    auto text = Scalar(node["severity"], field + ".severity");
    if (!text.ok()) return text.status();
    auto severity = ParseSeverity(*text, field + ".severity");
    if (!severity.ok()) return severity.status();
    rule.severity = *severity;
  } else if (rule.kind != RuleKind::kWatchlist) {
    return Invalid(field + ".severity", "is required");
  }
  if (node["title"]) {
    auto title = Scalar(node["title"], field + ".title");
    if (!title.ok()) return title.status();
    rule.title = *title;
  }
  if (node["max_evidence"]) {
    auto cap = ParseInt(node["max_evidence"], field + ".max_evidence", 1);
    if (!cap.ok()) return cap.status();
    if (*cap > 1000) return Invalid(field + ".max_evidence", "at most 1000");
    rule.max_evidence = static_cast<int>(*cap);
  }
  if (absl::Status status = ParseFilter(node["filter"], field + ".filter", rule.filter);
      !status.ok()) {
    return status;
  }
  auto response_deadline =
      ParseResponseDeadline(node["response_deadline"], field + ".response_deadline");
  if (!response_deadline.ok()) return response_deadline.status();
  rule.response_deadline = *response_deadline;
  auto needs_approval = ParseBool(node["needs_approval"], field + ".needs_approval");
  if (!needs_approval.ok()) return needs_approval.status();
  rule.needs_approval = *needs_approval;

  switch (rule.kind) {
    case RuleKind::kWatchlist: {
      if (rule.title.empty()) rule.title = "Watchlist hit: {subject} on {list}";
      const YAML::Node lists = node["lists"];
      if (lists && !lists.IsMap()) {
        return Invalid(field + ".lists",
                       "must map list ids to a severity (e.g. wanted_person: "
                       "critical)");
      }
      auto only_listed = ParseBool(node["only_listed"], field + ".only_listed");
      if (!only_listed.ok()) return only_listed.status();
      rule.only_listed = *only_listed;
      if (rule.only_listed && !lists) {
        return Invalid(field + ".only_listed", "needs lists to name the lists");
      }
      if (lists) {
        for (const auto& item : lists) {
          const std::string sub = absl::StrCat(field, ".lists.", item.first.Scalar());
          auto text = Scalar(item.second, sub);
          if (!text.ok()) return text.status();
          auto severity = ParseSeverity(*text, sub);
          if (!severity.ok()) return severity.status();
          rule.lists[item.first.Scalar()] = *severity;
        }
      }
      break;
    }
    case RuleKind::kHotspot: {
      if (rule.title.empty()) rule.title = "Hotspot: {count} events of {group} in {window}";
      auto fields = StringList(node["group_by"], field + ".group_by");
      if (!fields.ok()) return fields.status();
      if (fields->empty())
        return Invalid(field + ".group_by",
                       "is required (e.g. [kind, "
                       "jurisdiction:4])");
      for (size_t i = 0; i < fields->size(); ++i) {
        auto group = ParseGroupField((*fields)[i], absl::StrCat(field, ".group_by[", i, "]"));
        if (!group.ok()) return group.status();
        rule.group_by.push_back(*group);
      }
      auto window = ParsePositiveDuration(node["window"], field + ".window", true);
      if (!window.ok()) return window.status();
      rule.window = *window;
      auto advance = ParsePositiveDuration(node["advance"], field + ".advance", false);
      if (!advance.ok()) return advance.status();
      rule.advance = *advance == absl::ZeroDuration() ? rule.window : *advance;
      if (rule.advance > rule.window) {
        return Invalid(field + ".advance", "must not exceed window");
      }
      if (rule.window / rule.advance > 100) {
        return Invalid(field + ".advance", "window/advance must be at most 100 windows per event");
      }
      auto grace = ParsePositiveDuration(node["grace"], field + ".grace", false);
      if (!grace.ok()) return grace.status();
      if (!node["grace"]) {
        return Invalid(field + ".grace",
                       "is required: how late an event may arrive and still "
                       "count (0s for none)");
      }
      rule.grace = *grace;
      auto threshold = ParseInt(node["threshold"], field + ".threshold", 1);
      if (!threshold.ok()) return threshold.status();
      rule.threshold = *threshold;
      break;
    }
    case RuleKind::kMovement: {
      if (rule.title.empty())
        rule.title = "Movement: {subject} in {count} counties within {within}";
      auto counties = ParseInt(node["min_counties"], field + ".min_counties", 2);
      if (!counties.ok()) return counties.status();
      if (*counties > 50) return Invalid(field + ".min_counties", "at most 50");
      rule.min_counties = static_cast<int>(*counties);
      if (absl::Status status = ParseWithinAndGrace(node, field, &rule); !status.ok()) {
        return status;
      }
      break;
    }
    case RuleKind::kCorrelation: {
      if (rule.title.empty()) rule.title = "Correlation: {subject} in {kinds} within {within}";
      auto sequence = StringList(node["sequence"], field + ".sequence");
      if (!sequence.ok()) return sequence.status();
      std::set<std::string> distinct(sequence->begin(), sequence->end());
      if (sequence->size() < 2 || distinct.size() != sequence->size()) {
        return Invalid(field + ".sequence", "needs two or more different event kinds");
      }
      if (sequence->size() > 10) return Invalid(field + ".sequence", "at most 10 kinds");
      rule.sequence = *sequence;
      auto ordered = ParseBool(node["ordered"], field + ".ordered");
      if (!ordered.ok()) return ordered.status();
      rule.ordered = *ordered;
      if (absl::Status status = ParseWithinAndGrace(node, field, &rule); !status.ok()) {
        return status;
      }
      break;
    }
    case RuleKind::kDirect: {
      if (rule.title.empty()) rule.title = "{kind} in {jurisdiction}";
      // Without kinds it would make a judgment of every event on the bus.
      if (rule.filter.kinds.empty()) {
        return Invalid(field + ".filter.kinds", "a direct rule names the event kinds it takes");
      }
      break;
    }
  }
  YAML::Emitter emitter;
  emitter << node;
  rule.fingerprint = emitter.c_str();
  return rule;
}

}  // namespace

bool RuleFilter::Matches(const infobus::common::v1::Event& event) const {
  if (!kinds.empty() && std::find(kinds.begin(), kinds.end(), event.kind()) == kinds.end()) {
    return false;
  }
  if (!counties.empty()) {
    bool any = false;
    for (const std::string& prefix : counties) {
      if (event.county_code().rfind(prefix, 0) == 0) {
        any = true;
        break;
      }
    }
    if (!any) return false;
  }
  if (event.classification() < min_classification) return false;
  for (const auto& [key, value] : attributes) {
    auto it = event.attributes().find(key);
    if (it == event.attributes().end()) return false;
    if (value != "*" && it->second != value) return false;
  }
  return true;
}

bool RuleFilter::MatchesSubject(infobus::common::v1::SubjectType type) const {
  return subject_types.empty() ||
         std::find(subject_types.begin(), subject_types.end(), type) != subject_types.end();
}

absl::StatusOr<RuleSet> ParseRules(std::string_view yaml_text) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& error) {
    return absl::InvalidArgumentError(absl::StrCat("rules file: not valid YAML: ", error.what()));
  }
  if (!root.IsMap()) return Invalid("rules file", "must be a map with version and rules");
  RuleSet set;
  auto version = ParseInt(root["version"], "version", 1);
  if (!version.ok()) return version.status();
  set.version = *version;
  for (const auto& item : root) {
    const std::string key = item.first.Scalar();
    if (key != "version" && key != "rules") return Invalid(key, "unknown top-level key");
  }
  const YAML::Node rules = root["rules"];
  if (rules && !rules.IsSequence()) return Invalid("rules", "must be a list");
  std::set<std::string> ids;
  for (size_t i = 0; rules && i < rules.size(); ++i) {
    const std::string field = absl::StrCat("rules[", i, "]");
    if (rules[i].IsMap() && rules[i]["enabled"]) {
      auto enabled = ParseBool(rules[i]["enabled"], field + ".enabled");
      if (!enabled.ok()) return enabled.status();
      if (!*enabled) continue;
    }
    auto rule = ParseRule(rules[i], field);
    if (!rule.ok()) return rule.status();
    if (!ids.insert(rule->id).second) {
      return Invalid(field + ".id", absl::StrCat("'", rule->id, "' is used by an earlier rule"));
    }
    set.rules.push_back(std::move(*rule));
  }
  return set;
}

infobus::common::v1::JudgmentKind JudgmentKindOf(RuleKind kind) {
  switch (kind) {
    case RuleKind::kWatchlist:
      return infobus::common::v1::JUDGMENT_KIND_WATCHLIST_HIT;
    case RuleKind::kHotspot:
      return infobus::common::v1::JUDGMENT_KIND_HOTSPOT;
    case RuleKind::kMovement:
      return infobus::common::v1::JUDGMENT_KIND_MOVEMENT;
    case RuleKind::kCorrelation:
      return infobus::common::v1::JUDGMENT_KIND_CORRELATION;
    case RuleKind::kDirect:
      return infobus::common::v1::JUDGMENT_KIND_DIRECT;
  }
  return infobus::common::v1::JUDGMENT_KIND_UNSPECIFIED;
}

const char* RuleKindName(RuleKind kind) {
  switch (kind) {
    case RuleKind::kWatchlist:
      return "watchlist";
    case RuleKind::kHotspot:
      return "hotspot";
    case RuleKind::kMovement:
      return "movement";
    case RuleKind::kCorrelation:
      return "correlation";
    case RuleKind::kDirect:
      return "direct";
  }
  return "unknown";
}

}  // namespace infobus::judgment
