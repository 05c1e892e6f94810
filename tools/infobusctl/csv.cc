#include "tools/infobusctl/csv.h"

namespace infobus::ctl {
namespace {

// "-5", "+3", "-0.25", "+08:00": a number or a UTC offset, which runs nothing.
bool IsNumberOrOffset(const std::string& field) {
  size_t i = field[0] == '-' || field[0] == '+' ? 1 : 0;
  bool digits = false;
  for (; i < field.size(); ++i) {
    if (field[i] >= '0' && field[i] <= '9') {
      digits = true;
    } else if (field[i] != '.' && field[i] != ':') {
      return false;
    }
  }
  return digits;
}

bool LooksLikeAFormula(const std::string& field) {
  if (field.empty()) return false;
  const char first = field[0];
  if (first != '=' && first != '+' && first != '-' && first != '@' && first != '\t' &&
      first != '\r') {
    return false;
  }
  return !IsNumberOrOffset(field);
}

}  // namespace

std::string CsvField(const std::string& raw) {
  const std::string field = LooksLikeAFormula(raw) ? "'" + raw : raw;
  if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
  std::string quoted = "\"";
  for (const char c : field) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

std::string CsvRecord(const std::vector<std::string>& fields) {
  std::string record;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) record += ',';
    record += CsvField(fields[i]);
  }
  record += "\r\n";
  return record;
}

}  // namespace infobus::ctl
