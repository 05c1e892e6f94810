#pragma once

#include <string>

#include "infobus/supervision/v1/supervision_service.pb.h"

namespace infobus::ctl {

// How `infobusctl report` shows a ReportResponse (besides JSON). Pure functions; the period in
// the report's own local time (its utc_offset).

// For people: the period, then one section per figure group, each a title and an aligned table:
// events by county, by source and by kind, dead letters by topic; judgments by rule and
// severity; deliveries by unit (deliveries, acknowledged, signed within the deadline of those
// with one, SLA share, sign-off p50/p90/p99, escalated, feedback and its rate) with the scope's
// total; feedback outcomes by unit; rule precision.
std::string ReportTable(const infobus::supervision::v1::ReportResponse& response);

// RFC 4180 CSV: six tables (period, counts, judgments by rule, units, outcomes, rule
// precision), each with its header even when empty, separated by an empty line; every record
// starts with its section's name. Durations are in seconds, shares as fractions (0.95).
std::string ReportCsv(const infobus::supervision::v1::ReportResponse& response);

// The headers of ReportCsv's tables, one line each, for --help.
std::string ReportCsvColumns();

}  // namespace infobus::ctl
