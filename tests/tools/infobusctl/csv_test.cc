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

}  // namespace
}  // namespace infobus::ctl
