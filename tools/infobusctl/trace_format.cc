#include "tools/infobusctl/trace_format.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/infobusctl/cells.h"
#include "tools/infobusctl/csv.h"
#include "tools/infobusctl/text_table.h"

namespace infobus::ctl {
namespace {

using infobus::supervision::v1::CollectedEvent;
using infobus::supervision::v1::Hop;
using infobus::supervision::v1::JudgmentTrace;
using infobus::supervision::v1::TraceResponse;
using Align = TextTable::Align;

const std::vector<std::string> kEventColumns = {
    "section",           "source_id",   "event_id",    "trace_id",       "county_code", "kind",
    "jurisdiction_code", "occurred_at", "ingested_at", "classification", "judged"};
const std::vector<std::string> kJudgmentColumns = {
    "section",           "judgment_id", "rule_id",        "rule_version", "kind",   "severity",
    "jurisdiction_code", "created_at",  "classification", "state",        "overdue"};
const std::vector<std::string> kHopColumns = {"section",          "judgment_id", "kind", "at",
                                              "since_previous_s", "what",        "by",   "detail"};
const std::vector<std::string> kMissingColumns = {"section", "judgment_id", "missing"};
const std::vector<std::string> kAccessColumns = {
    "section", "at", "service", "method", "subject", "item", "decision", "reason", "detail"};

std::string Classification(const CollectedEvent& event) {
  return EnumCell(infobus::common::v1::Classification_Name(event.classification()),
                  event.classification(), "CLASSIFICATION_");
}
std::string Classification(const JudgmentTrace& judgment) {
  return EnumCell(infobus::common::v1::Classification_Name(judgment.classification()),
                  judgment.classification(), "CLASSIFICATION_");
}
std::string Decision(const infobus::common::v1::AuditRecord& access) {
  return EnumCell(infobus::common::v1::AuditDecision_Name(access.decision()), access.decision(),
                  "AUDIT_DECISION_");
}
std::string ItemCell(const infobus::common::v1::AuditRecord& access) {
  return absl::StrCat(access.item_kind(), " ", access.item_id());
}
std::string HopKind(const Hop& hop) {
  return EnumCell(infobus::supervision::v1::HopKind_Name(hop.kind()), hop.kind(), "HOP_KIND_");
}

// "judgment j-1: rule watchlist-hit v3, watchlist_hit, critical, jurisdiction 451421, state
// dispatched, overdue" — what is set of it.
std::string JudgmentHeader(const JudgmentTrace& judgment) {
  std::vector<std::string> parts;
  if (!judgment.rule_id().empty()) {
    parts.push_back(absl::StrCat("rule ", judgment.rule_id(), " v", judgment.rule_version()));
  }
  for (const std::string& part : {EnumCell(infobus::common::v1::JudgmentKind_Name(judgment.kind()),
                                           judgment.kind(), "JUDGMENT_KIND_"),
                                  EnumCell(infobus::common::v1::Severity_Name(judgment.severity()),
                                           judgment.severity(), "SEVERITY_")}) {
    if (!part.empty()) parts.push_back(part);
  }
  if (!judgment.jurisdiction_code().empty()) {
    parts.push_back("jurisdiction " + judgment.jurisdiction_code());
  }
  const std::string state = EnumCell(infobus::supervision::v1::JudgmentState_Name(judgment.state()),
                                     judgment.state(), "JUDGMENT_STATE_");
  parts.push_back("state " + (state.empty() ? std::string("unknown") : state));
  if (judgment.overdue()) parts.push_back("OVERDUE");
  return absl::StrCat("judgment ", judgment.judgment_id(), ": ", absl::StrJoin(parts, ", "));
}

}  // namespace

std::string TraceCsvColumns() {
  std::string columns;
  for (const auto* header :
       {&kEventColumns, &kJudgmentColumns, &kHopColumns, &kMissingColumns, &kAccessColumns}) {
    absl::StrAppend(&columns, absl::StrJoin(*header, ","), "\n");
  }
  return columns;
}

std::string TraceTable(const TraceResponse& response) {
  std::vector<std::string> blocks;
  if (response.events_size() > 0) {
    TextTable events({"EVENT", "TRACE", "COUNTY", "KIND", "OCCURRED", "INGESTED", "JUDGED"});
    for (const CollectedEvent& event : response.events()) {
      events.AddRow({event.source_id() + "/" + event.event_id(), event.trace_id(),
                     event.county_code(), event.kind(), TimeCell(event.occurred_at()),
                     TimeCell(event.ingested_at()), event.judged() ? "yes" : "no"});
    }
    blocks.push_back(events.Render());
  }
  for (const JudgmentTrace& judgment : response.judgments()) {
    std::string block = JudgmentHeader(judgment) + "\n";
    if (judgment.hops_size() > 0) {
      TextTable hops({"KIND", "AT", "LATENCY", "WHAT", "BY", "DETAIL"},
                     {Align::kLeft, Align::kLeft, Align::kRight});
      for (const Hop& hop : judgment.hops()) {
        hops.AddRow({HopKind(hop), TimeCell(hop.at()),
                     hop.has_since_previous() ? "+" + DurationCell(hop.since_previous()) : "",
                     hop.what(), hop.by(), hop.detail()});
      }
      block += hops.Render();
    }
    for (const std::string& missing : judgment.missing()) block += "missing: " + missing + "\n";
    blocks.push_back(std::move(block));
  }
  if (response.missing_size() > 0) {
    std::string block;
    for (const std::string& missing : response.missing()) block += "missing: " + missing + "\n";
    blocks.push_back(std::move(block));
  }
  if (response.accesses_size() > 0) {
    TextTable accesses({"AT", "WHO", "METHOD", "ITEM", "DECISION", "REASON"});
    for (const auto& access : response.accesses()) {
      accesses.AddRow({TimeCell(access.at()), access.subject(), access.method(), ItemCell(access),
                       Decision(access), access.reason()});
    }
    std::string block = "who saw it (the audit topic)";
    if (response.accesses_not_shown() > 0) {
      absl::StrAppend(&block, ", and ", response.accesses_not_shown(), " earlier not shown");
    }
    blocks.push_back(block + "\n" + accesses.Render());
  }
  if (blocks.empty()) return "nothing seen of this item\n";
  return absl::StrJoin(blocks, "\n");
}

std::string TraceCsv(const TraceResponse& response) {
  std::string events = CsvRecord(kEventColumns);
  for (const CollectedEvent& event : response.events()) {
    events += CsvRecord({"event", event.source_id(), event.event_id(), event.trace_id(),
                         event.county_code(), event.kind(), event.jurisdiction_code(),
                         TimeCell(event.occurred_at()), TimeCell(event.ingested_at()),
                         Classification(event), event.judged() ? "true" : "false"});
  }
  std::string judgments = CsvRecord(kJudgmentColumns);
  std::string hops = CsvRecord(kHopColumns);
  std::string missing = CsvRecord(kMissingColumns);
  for (const JudgmentTrace& judgment : response.judgments()) {
    judgments += CsvRecord({"judgment", judgment.judgment_id(), judgment.rule_id(),
                            absl::StrCat(judgment.rule_version()),
                            EnumCell(infobus::common::v1::JudgmentKind_Name(judgment.kind()),
                                     judgment.kind(), "JUDGMENT_KIND_"),
                            EnumCell(infobus::common::v1::Severity_Name(judgment.severity()),
                                     judgment.severity(), "SEVERITY_"),
                            judgment.jurisdiction_code(), TimeCell(judgment.created_at()),
                            Classification(judgment),
                            EnumCell(infobus::supervision::v1::JudgmentState_Name(judgment.state()),
                                     judgment.state(), "JUDGMENT_STATE_"),
                            judgment.overdue() ? "true" : "false"});
    for (const Hop& hop : judgment.hops()) {
      hops += CsvRecord({"hop", judgment.judgment_id(), HopKind(hop), TimeCell(hop.at()),
                         hop.has_since_previous() ? SecondsCell(hop.since_previous()) : "",
                         hop.what(), hop.by(), hop.detail()});
    }
    for (const std::string& what : judgment.missing()) {
      missing += CsvRecord({"missing", judgment.judgment_id(), what});
    }
  }
  for (const std::string& what : response.missing()) missing += CsvRecord({"missing", "", what});
  std::string accesses = CsvRecord(kAccessColumns);
  for (const auto& access : response.accesses()) {
    accesses += CsvRecord({"access", TimeCell(access.at()), access.service(), access.method(),
                           access.subject(), ItemCell(access), Decision(access), access.reason(),
                           access.detail()});
  }
  return absl::StrCat(events, "\r\n", judgments, "\r\n", hops, "\r\n", missing, "\r\n", accesses);
}

}  // namespace infobus::ctl
