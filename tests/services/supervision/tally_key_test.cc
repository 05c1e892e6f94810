#include "services/supervision/tally_key.h"

#include <gtest/gtest.h>

namespace infobus::supervision {
namespace {

TEST(TallyKeyTest, RoundTripsAndSortsByHourFirstAlsoBefore1970) {
  const TallyKey key{HourOf(absl::FromUnixSeconds(3600 * 5 + 59)),
                     TallyType::kJudgments,
                     {"3", "", "451421", "watchlist-hit", "4"}};
  EXPECT_EQ(key.hour, 5);
  auto decoded = TallyKey::Decode(key.Encode());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->hour, 5);
  EXPECT_EQ(decoded->type, TallyType::kJudgments);
  EXPECT_EQ(decoded->dims, key.dims);

  EXPECT_EQ(HourOf(absl::FromUnixSeconds(-1)), -1);
  const std::string before = TallyKey{-1, TallyType::kEvents, {"z"}}.Encode();
  const std::string epoch = TallyKey{0, TallyType::kEvents, {"a"}}.Encode();
  const std::string after = TallyKey{1, TallyType::kDeliveries, {"a"}}.Encode();
  EXPECT_LT(before, epoch);
  EXPECT_LT(epoch, after);
  EXPECT_LT(HourPrefix(1), after);
  EXPECT_LT(after, HourPrefix(2));
  auto negative = TallyKey::Decode(before);
  ASSERT_TRUE(negative.ok());
  EXPECT_EQ(negative->hour, -1);
}

TEST(TallyKeyTest, RefusesBytesItDidNotMake) {
  EXPECT_FALSE(TallyKey::Decode("short").ok());
  std::string key = TallyKey{1, TallyType::kEvents, {"a"}}.Encode();
  key[8] = 'X';
  EXPECT_FALSE(TallyKey::Decode(key).ok());
}

}  // namespace
TEST(TallyKeyTest, ADayKeyIsTheSameTallyAtTheFirstHourOfItsUtcDay) {
  EXPECT_EQ(DayStartHour(0), 0);
  EXPECT_EQ(DayStartHour(23), 0);
  EXPECT_EQ(DayStartHour(24), 24);
  EXPECT_EQ(DayStartHour(49), 48);
  EXPECT_EQ(DayStartHour(-1), -24);  // 1969-12-31T23:00
  EXPECT_EQ(DayStartHour(-24), -24);
  EXPECT_EQ(DayStartHour(-25), -48);
  const TallyKey hourly{24 * 1000 + 17, TallyType::kJudgments, {"a", "b"}};
  auto day = TallyKey::Decode(DayKeyOf(hourly.Encode()));
  ASSERT_TRUE(day.ok()) << day.status();
  EXPECT_EQ(day->hour, 24 * 1000);
  EXPECT_EQ(day->type, TallyType::kJudgments);
  EXPECT_EQ(day->dims, hourly.dims);
}

}  // namespace infobus::supervision
