// How values read in the tables and CSV of infobusctl: enum short names, RFC 3339 times in UTC
// or the report's offset, durations for people and in exact seconds, shares.
#include "tools/infobusctl/cells.h"

#include <gtest/gtest.h>

namespace infobus::ctl {
namespace {

google::protobuf::Timestamp At(int64_t seconds, int32_t nanos = 0) {
  google::protobuf::Timestamp at;
  at.set_seconds(seconds);
  at.set_nanos(nanos);
  return at;
}
google::protobuf::Duration Span(int64_t seconds, int32_t nanos = 0) {
  google::protobuf::Duration span;
  span.set_seconds(seconds);
  span.set_nanos(nanos);
  return span;
}

constexpr int64_t k20261103T080000Z = 1793692800;

TEST(Cells, EnumsByTheirShortNameTheZeroValueEmptyAnUnknownOneByNumber) {
  EXPECT_EQ(EnumCell("HOP_KIND_COLLECTED", 1, "HOP_KIND_"), "collected");
  EXPECT_EQ(EnumCell("FEEDBACK_OUTCOME_FALSE_POSITIVE", 4, "FEEDBACK_OUTCOME_"), "false_positive");
  EXPECT_EQ(EnumCell("HOP_KIND_UNSPECIFIED", 0, "HOP_KIND_"), "");
  EXPECT_EQ(EnumCell("", 42, "HOP_KIND_"), "42");
}

TEST(Cells, TimesAreRfc3339InUtcOrTheGivenOffset) {
  EXPECT_EQ(TimeCell(At(k20261103T080000Z)), "2026-11-03T08:00:00Z");
  EXPECT_EQ(TimeCell(At(k20261103T080000Z, 250000000)), "2026-11-03T08:00:00.25Z");
  EXPECT_EQ(TimeCell(At(k20261103T080000Z), ZoneOfOffset("+08:00")), "2026-11-03T16:00:00+08:00");
  EXPECT_EQ(TimeCell(At(k20261103T080000Z), ZoneOfOffset("-05:30")), "2026-11-03T02:30:00-05:30");
  EXPECT_EQ(TimeCell(At(k20261103T080000Z), ZoneOfOffset("+00:00")), "2026-11-03T08:00:00Z");
  EXPECT_EQ(TimeCell(At(k20261103T080000Z), ZoneOfOffset("nonsense")), "2026-11-03T08:00:00Z");
  EXPECT_EQ(TimeCell(At(0)), "") << "unset";
}

TEST(Cells, DurationsForPeopleAndInExactSeconds) {
  EXPECT_EQ(DurationCell(Span(1, 500000000)), "1.5s");
  EXPECT_EQ(DurationCell(Span(123)), "2m3s");
  EXPECT_EQ(DurationCell(Span(0, 250000000)), "250ms");
  EXPECT_EQ(SecondsCell(Span(90)), "90");
  EXPECT_EQ(SecondsCell(Span(1, 500000000)), "1.5");
  EXPECT_EQ(SecondsCell(Span(0, 1000)), "0.000001");
  EXPECT_EQ(SecondsCell(Span(-2, -500000000)), "-2.5");
  EXPECT_EQ(SecondsCell(Span(0)), "0");
}

TEST(Cells, SharesAsPercentForPeopleAndExactForMachines) {
  EXPECT_EQ(PercentCell(0.95), "95.0%");
  EXPECT_EQ(PercentCell(1), "100.0%");
  EXPECT_EQ(PercentCell(2.0 / 3), "66.7%");
  EXPECT_EQ(RatioCell(0.95), "0.95");
  EXPECT_EQ(RatioCell(1), "1");
  EXPECT_EQ(RatioCell(0), "0");
  EXPECT_EQ(RatioCell(1.0 / 3), "0.3333333333333333");
}

}  // namespace
}  // namespace infobus::ctl
