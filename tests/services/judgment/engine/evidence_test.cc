// Shared evidence (evidence.h): one allocation, counted references, the event's identity.
#include "services/judgment/engine/evidence.h"

#include <utility>

#include "common/util/ids.h"
#include "gtest/gtest.h"

namespace infobus::judgment::engine {
namespace {

TEST(EvidenceTest, ReferencesShareOneEvidenceAndAMovedFromOneIsEmpty) {
  EvidenceRef first = SharedEvidence::Allocate(3);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->size(), 3u);
  EXPECT_EQ(first->mutable_data(), first->data());
  EXPECT_EQ(static_cast<const void*>(first->data()), static_cast<const void*>(first.get() + 1));
  EvidenceRef copy = first;
  EXPECT_EQ(copy.get(), first.get());
  EvidenceRef moved = std::move(copy);
  EXPECT_FALSE(copy);  // NOLINT(bugprone-use-after-move): what a move leaves is the contract
  EXPECT_EQ(moved.get(), first.get());
  first = EvidenceRef();
  EXPECT_FALSE(first);
  EXPECT_TRUE(moved);  // still held; freed with `moved` (valgrind sees a leak otherwise)
}

TEST(EvidenceTest, IdentityIsTheStableHashOfSourceAndEventId) {
  EvidenceRef evidence = SharedEvidence::Allocate(0);
  evidence->source_id = "src";
  evidence->event_id = "e1";
  EXPECT_EQ(evidence->Identity(), StableHash64({"src", "e1"}));
  EXPECT_EQ(evidence->Identity(), StableHash64({"src", "e1"}));  // cached
}

TEST(EvidenceTest, JurisdictionIsTheLocationsElseTheCountys) {
  infobus::common::v1::Event event;
  event.set_county_code("451421");
  EXPECT_EQ(JurisdictionOf(event), "451421");
  event.mutable_location()->set_jurisdiction_code("4514210012");
  EXPECT_EQ(JurisdictionOf(event), "4514210012");
}

}  // namespace
}  // namespace infobus::judgment::engine
