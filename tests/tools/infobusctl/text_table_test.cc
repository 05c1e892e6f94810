// The terminal table: columns as wide as their widest cell (wide characters count two), two
// spaces apart, right-aligned where asked, no trailing blanks, one line per row.
#include "tools/infobusctl/text_table.h"

#include <gtest/gtest.h>

namespace infobus::ctl {
namespace {

using Align = TextTable::Align;

TEST(TextTable, AlignsColumnsToTheirWidestCellWithoutTrailingBlanks) {
  TextTable table({"UNIT", "COUNT", "NOTE"}, {Align::kLeft, Align::kRight});
  table.AddRow({"fusui-psb", "7", "x"});
  table.AddRow({"a", "12345", ""});
  EXPECT_EQ(table.Render(),
            "UNIT       COUNT  NOTE\n"
            "fusui-psb      7  x\n"
            "a          12345\n");
}

TEST(TextTable, WideCharactersTakeTwoColumns) {
  EXPECT_EQ(DisplayWidth("abc"), 3u);
  EXPECT_EQ(DisplayWidth("扶绥县"), 6u);
  EXPECT_EQ(DisplayWidth("桂FA1234"), 8u);
  EXPECT_EQ(DisplayWidth("é"), 1u);
  EXPECT_EQ(DisplayWidth("\xff"), 1u) << "a stray byte counts one";
  TextTable table({"NAME", "N"});
  table.AddRow({"扶绥县公安局", "1"});
  table.AddRow({"ops", "2"});
  EXPECT_EQ(table.Render(),
            "NAME          N\n"
            "扶绥县公安局  1\n"
            "ops           2\n");
}

TEST(TextTable, ACellStaysOnOneLineAndShortRowsArePadded) {
  TextTable table({"A", "B", "C"});
  table.AddRow({"one\ntwo", "tab\there"});
  table.AddRow({"x", "y", "z", "extra"});
  EXPECT_EQ(table.Render(),
            "A        B         C\n"
            "one two  tab here\n"
            "x        y         z  extra\n");
  EXPECT_FALSE(table.empty());
  EXPECT_TRUE(TextTable({"A"}).empty());
}

}  // namespace
}  // namespace infobus::ctl
