#include "services/supervision/tally_key.h"

#include <gtest/gtest.h>

namespace infobus::supervision {
namespace {

TEST(TallyKeyTest, RoundTripsAndSortsByHourFirstAlsoBefore1970) {
  const TallyKey key{HourOf(absl::FromUnixSeconds(3600 * 5 + 59)), TallyType::kJudgments,
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
}  // namespace infobus::supervision
