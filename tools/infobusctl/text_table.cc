#include "tools/infobusctl/text_table.h"

#include <algorithm>
#include <cstdint>

namespace infobus::ctl {
namespace {

// The East Asian Wide and Fullwidth ranges that matter here (Hangul, CJK, kana, full-width
// forms, the supplementary ideographic planes); combining marks are rare enough in ids and
// notes to count as one.
bool IsWide(uint32_t c) {
  return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0x303E) ||
         (c >= 0x3041 && c <= 0x33FF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xA4CF) ||
         (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
         (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x20000 && c <= 0x3FFFD);
}

// One line per cell: a break would tear the row apart.
std::string OneLine(std::string cell) {
  for (char& c : cell) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return cell;
}

}  // namespace

size_t DisplayWidth(const std::string& text) {
  size_t width = 0;
  for (size_t i = 0; i < text.size();) {
    const auto byte = static_cast<unsigned char>(text[i]);
    size_t length = byte < 0x80           ? 1
                    : (byte >> 5) == 0x6  ? 2
                    : (byte >> 4) == 0xE  ? 3
                    : (byte >> 3) == 0x1E ? 4
                                          : 0;
    if (length == 0 || i + length > text.size()) {  // not UTF-8: one column per byte
      ++width;
      ++i;
      continue;
    }
    uint32_t code = length == 1 ? byte : byte & (0x7F >> length);
    for (size_t k = 1; k < length; ++k) {
      code = (code << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    }
    width += IsWide(code) ? 2 : 1;
    i += length;
  }
  return width;
}

TextTable::TextTable(std::vector<std::string> header, std::vector<Align> align)
    : header_(std::move(header)), align_(std::move(align)) {}

void TextTable::AddRow(std::vector<std::string> cells) {
  for (std::string& cell : cells) cell = OneLine(std::move(cell));
  rows_.push_back(std::move(cells));
}

std::string TextTable::Render() const {
  std::vector<const std::vector<std::string>*> lines = {&header_};
  for (const auto& row : rows_) lines.push_back(&row);
  size_t columns = 0;
  for (const auto* line : lines) columns = std::max(columns, line->size());
  std::vector<size_t> widths(columns, 0);
  for (const auto* line : lines) {
    for (size_t i = 0; i < line->size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth((*line)[i]));
    }
  }
  std::string out;
  for (const auto* line : lines) {
    std::string text;
    for (size_t i = 0; i < columns; ++i) {
      const std::string empty;
      const std::string& cell = i < line->size() ? (*line)[i] : empty;
      const size_t pad = widths[i] - DisplayWidth(cell);
      const bool right = i < align_.size() && align_[i] == Align::kRight;
      if (i > 0) text += "  ";
      if (right) text.append(pad, ' ');
      text += cell;
      if (!right) text.append(pad, ' ');
    }
    text.erase(text.find_last_not_of(' ') + 1);
    out += text;
    out += '\n';
  }
  return out;
}

}  // namespace infobus::ctl
