#include "services/judgment/state_changelog.h"

#include <gtest/gtest.h>

namespace infobus::judgment {
namespace {

TEST(StateChangelogTest, AStateKeysPartitionIsItsScopesInputPartition) {
  EXPECT_EQ(StateChangelog::PartitionOf("p.infobus.events.v1/2\x1f\x1fS\x1fPHONE:1"), 2);
  EXPECT_EQ(StateChangelog::PartitionOf("infobus.hotspot-sightings.v1/11\x1f"
                                        "r\x1f"
                                        "W\x1f"
                                        "g\x1f"
                                        "0"),
            11);
  EXPECT_EQ(StateChangelog::PartitionOf(Engine::MetaKey("a/b/7")), 7);
  // Keys from before scoping, and anything malformed, belong to no partition.
  EXPECT_EQ(StateChangelog::PartitionOf("*\x1f"
                                        "rule\x1f"
                                        "W\x1f"
                                        "g\x1f"
                                        "0"),
            std::nullopt);
  EXPECT_EQ(StateChangelog::PartitionOf(Engine::kLegacyMetaKey), std::nullopt);
  EXPECT_EQ(StateChangelog::PartitionOf("events/x\x1f\x1fS\x1fk"), std::nullopt);
  EXPECT_EQ(StateChangelog::PartitionOf("events/-1\x1f\x1fS\x1fk"), std::nullopt);
  EXPECT_EQ(StateChangelog::PartitionOf("events/1"), std::nullopt);  // no state key at all
}

TEST(StateChangelogTest, AMarkKeyIsInItsScopeAndNotAnEngineKey) {
  const std::string mark = StateChangelog::MarkKey("events/4");
  EXPECT_EQ(StateChangelog::PartitionOf(mark), 4);
  EXPECT_EQ(mark.rfind("events/4\x1f", 0), 0u);
  EXPECT_NE(mark, Engine::MetaKey("events/4"));
}

}  // namespace
}  // namespace infobus::judgment
