#pragma once

#include <string>
#include <vector>

namespace infobus::ctl {

// A table for a terminal: a header and rows of cells, rendered with the columns aligned (two
// spaces between them, each as wide as its widest cell; East Asian wide characters count as two
// columns, so unit names and notes in Chinese line up too) and no trailing blanks. Cells are one
// line: a line break or tab in a cell shows as a space. A plain value type; not thread-safe.
class TextTable {
 public:
  enum class Align { kLeft, kRight };

  // `align` per column (missing ones: left); numbers read best right-aligned.
  explicit TextTable(std::vector<std::string> header, std::vector<Align> align = {});

  // A row with fewer cells than the header is padded with empty ones; extra cells are kept and
  // get a column of their own.
  void AddRow(std::vector<std::string> cells);

  bool empty() const { return rows_.empty(); }

  // The header line and every row, each ending in "\n".
  std::string Render() const;

 private:
  std::vector<std::string> header_;
  std::vector<Align> align_;
  std::vector<std::vector<std::string>> rows_;
};

// How many terminal columns `text` (UTF-8) takes: one per character, two per East Asian wide or
// full-width one. Invalid bytes count one each.
size_t DisplayWidth(const std::string& text);

}  // namespace infobus::ctl
