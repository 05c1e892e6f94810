#pragma once

#include <string>
#include <vector>

namespace infobus::ctl {

// RFC 4180 CSV: a field with a comma, a double quote, a CR or an LF is enclosed in double
// quotes, a double quote inside it doubled; any other field is written as it is. Records end in
// CRLF (a line break inside a quoted field stays as it was). A field a spreadsheet would run as
// a formula — one beginning with =, +, -, @, a tab or a CR that is not a number or a UTC offset —
// gets a leading ' first (OWASP's advice against CSV injection: notes and place names come from the
// bus).
std::string CsvField(const std::string& field);

// One record: the fields, quoted as CsvField says, joined by commas, and CRLF.
std::string CsvRecord(const std::vector<std::string>& fields);

}  // namespace infobus::ctl
