// RFC 4180 quoting: only fields that need it are quoted, quotes inside are doubled, line breaks
// stay inside the quotes, and records end in CRLF.
#include "tools/infobusctl/csv.h"

#include <gtest/gtest.h>

namespace infobus::ctl {
namespace {

TEST(Csv, PlainFieldsAreWrittenAsTheyAre) {
  EXPECT_EQ(CsvField("fusui-psb"), "fusui-psb");
  EXPECT_EQ(CsvField(""), "");
  EXPECT_EQ(CsvField("扶绥县 公安局"), "扶绥县 公安局");
  EXPECT_EQ(CsvField("  padded  "), "  padded  ") << "spaces are data";
}

TEST(Csv, CommasQuotesAndLineBreaksAreQuoted) {
  EXPECT_EQ(CsvField("collected, not judged"), "\"collected, not judged\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("\""), "\"\"\"\"");
  EXPECT_EQ(CsvField("line one\nline two"), "\"line one\nline two\"");
  EXPECT_EQ(CsvField("cr\rhere"), "\"cr\rhere\"");
}

TEST(Csv, ARecordJoinsItsFieldsWithCommasAndEndsInCrlf) {
  EXPECT_EQ(CsvRecord({"missing", "", "collected, not judged"}),
            "missing,,\"collected, not judged\"\r\n");
  EXPECT_EQ(CsvRecord({"a"}), "a\r\n");
  EXPECT_EQ(CsvRecord({"", ""}), ",\r\n");
}

TEST(Csv, AFieldASpreadsheetWouldRunAsAFormulaIsDefused) {
  EXPECT_EQ(CsvField("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
  EXPECT_EQ(CsvField("+cmd"), "'+cmd");
  EXPECT_EQ(CsvField("-2+3"), "'-2+3");
  EXPECT_EQ(CsvField("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(CsvField("\tx"), "'\tx");
  EXPECT_EQ(CsvField("-5"), "-5") << "a number stays a number";
  EXPECT_EQ(CsvField("+0.25"), "+0.25");
  EXPECT_EQ(CsvField("+08:00"), "+08:00") << "a report's UTC offset";
  EXPECT_EQ(CsvField("-"), "'-");
  EXPECT_EQ(CsvField("a=b"), "a=b") << "only the first character matters";
}

}  // namespace
}  // namespace infobus::ctl
