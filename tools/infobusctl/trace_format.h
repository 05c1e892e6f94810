#pragma once

#include <string>

#include "infobus/supervision/v1/supervision_service.pb.h"

namespace infobus::ctl {

// How `infobusctl trace` shows a TraceResponse (besides JSON). Pure functions; times in UTC.

// For people: the events (one row each), then per judgment a header line and its timeline, one
// row per hop (KIND, AT, LATENCY since the hop it follows, WHAT, BY, DETAIL), and the judgment's
// missing facts; last, what is missing of the item as a whole.
std::string TraceTable(const infobus::supervision::v1::TraceResponse& response);

// RFC 4180 CSV: four tables (events, judgments, hops, missing), each with its header even when
// empty, separated by an empty line; every record starts with its section's name ("event",
// "judgment", "hop", "missing").
std::string TraceCsv(const infobus::supervision::v1::TraceResponse& response);

// The headers of TraceCsv's tables, one line each, for --help.
std::string TraceCsvColumns();

}  // namespace infobus::ctl
