// The state table (state.h): expiry by stream time, the lifecycle of dropped states, and what
// TakeChanges hands out.
#include "services/judgment/engine/state.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/judgment/engine/state_keys.h"

namespace infobus::judgment::engine {
namespace {

// Records that say what they are of: "window <count>", "pattern <rules>"; a pattern without
// rules has nothing to write.
class FakeWriter final : public RecordWriter {
 public:
  std::string WindowRecord(const Window& window) override {
    return "window " + std::to_string(window.count);
  }
  std::optional<std::string> PatternRecord(const Pattern& pattern) override {
    if (pattern.rules.empty()) return std::nullopt;
    return "pattern " + std::to_string(pattern.rules.size());
  }
  std::string MetaRecord(const Scope& scope) override {
    return "meta " + std::to_string(scope.stream_time_ns);
  }
};

std::map<std::string, std::optional<std::string>> Take(StateTable& states) {
  FakeWriter writer;
  std::map<std::string, std::optional<std::string>> out;
  for (StateChange& change : states.TakeChanges(writer)) {
    EXPECT_EQ(out.count(change.key), 0u) << "twice: " << change.key;
    out[change.key] = change.value;
  }
  return out;
}

TEST(StateTableTest, ExpireDropsWhatTheStreamTimeReachedAndStagesItsDeletion) {
  StateTable states;
  Scope& scope = states.ScopeFor("events/0");
  EXPECT_EQ(&states.ScopeFor("events/0"), &scope);
  for (const auto& [key, close] :
       std::vector<std::pair<std::string, int64_t>>{{"a", 10}, {"b", 20}}) {
    Window* window = states.AddWindow(key, scope);
    window->close_at_ns = close;
    states.Queue(window, close);
    states.MarkDirty(window);
  }
  EXPECT_EQ(Take(states), (std::map<std::string, std::optional<std::string>>{{"a", "window 0"},
                                                                             {"b", "window 0"}}));
  scope.Advance(10);  // reaching the close time closes
  states.Expire(scope);
  EXPECT_EQ(states.FindWindow("a"), nullptr);
  ASSERT_NE(states.FindWindow("b"), nullptr);
  EXPECT_EQ(states.window_count(), 1u);
  EXPECT_EQ(Take(states), (std::map<std::string, std::optional<std::string>>{
                              {"a", std::nullopt}, {MetaKey("events/0"), "meta 10"}}));
  EXPECT_EQ(Take(states), (std::map<std::string, std::optional<std::string>>{}));
}

TEST(StateTableTest, APatternSeenAgainLivesToItsNewExpiry) {
  StateTable states;
  Scope& scope = states.ScopeFor("events/0");
  Pattern* pattern = states.AddPattern("p", "subject", scope);
  EXPECT_EQ(pattern->subject, "subject");
  pattern->expire_at_ns = 10;
  states.Queue(pattern, 10);
  pattern->expire_at_ns = 30;  // seen again, without queueing again
  scope.Advance(15);
  states.Expire(scope);
  EXPECT_EQ(states.FindPattern("p"), pattern);
  scope.Advance(30);
  states.Expire(scope);
  EXPECT_EQ(states.FindPattern("p"), nullptr);
}

// A key dropped and then used again within one batch gets one change: the new state's record.
TEST(StateTableTest, AStateUnderADroppedKeyIsWrittenInsteadOfItsDeletion) {
  StateTable states;
  Scope& scope = states.ScopeFor("events/0");
  Window* old = states.AddWindow("k", scope);
  states.MarkDirty(old);
  states.Drop(old, /*dirty=*/true);
  Window* again = states.AddWindow("k", scope);
  again->count = 7;
  states.MarkDirty(again);
  states.MarkStoredKeyDeleted("k");
  states.MarkStoredKeyDeleted("gone");
  EXPECT_EQ(Take(states), (std::map<std::string, std::optional<std::string>>{
                              {"k", "window 7"}, {"gone", std::nullopt}}));
}

TEST(StateTableTest, APatternWithNothingToWriteIsDeletedAndForgotten) {
  StateTable states;
  Pattern* pattern = states.AddPattern("p", "subject", states.ScopeFor("events/0"));
  states.MarkDirty(pattern);
  EXPECT_EQ(Take(states), (std::map<std::string, std::optional<std::string>>{{"p", std::nullopt}}));
  EXPECT_EQ(states.FindPattern("p"), nullptr);
  EXPECT_EQ(states.pattern_count(), 0u);
}

TEST(StateTableTest, DroppingRulesDropsTheirStateAndRepointingFollowsTheNewRules) {
  StateTable states;
  Scope& scope = states.ScopeFor("events/0");
  Rule kept, changed, moved_to;
  kept.id = "kept";
  changed.id = "changed";
  moved_to.id = "kept";
  Window* window = states.AddWindow("w", scope);
  window->rule_id = "changed";
  Pattern* both = states.AddPattern("both", "s", scope);
  both->rules.resize(2);
  both->rules[0].rule = &kept;
  both->rules[1].rule = &changed;
  Pattern* only_changed = states.AddPattern("only", "s", scope);
  only_changed->rules.resize(1);
  only_changed->rules[0].rule = &changed;

  states.DropRules({"changed"});
  EXPECT_EQ(states.FindWindow("w"), nullptr);
  EXPECT_EQ(states.FindPattern("only"), nullptr);
  ASSERT_EQ(states.FindPattern("both"), both);
  ASSERT_EQ(both->rules.size(), 1u);
  states.RepointRules({{&kept, &moved_to}});
  EXPECT_EQ(both->rules[0].rule, &moved_to);
  EXPECT_EQ(Take(states), (std::map<std::string, std::optional<std::string>>{
                              {"w", std::nullopt}, {"only", std::nullopt}, {"both", "pattern 1"}}));
}

TEST(StateTableTest, ClearForgetsEverything) {
  StateTable states;
  Scope& scope = states.ScopeFor("events/0");
  scope.Advance(5);
  Window* window = states.AddWindow("w", scope);
  states.Queue(window, 100);
  states.MarkDirty(window);
  states.MarkStoredKeyDeleted("x");
  states.Clear();
  EXPECT_EQ(states.window_count(), 0u);
  EXPECT_EQ(states.FindScope("events/0"), nullptr);
  EXPECT_EQ(Take(states), (std::map<std::string, std::optional<std::string>>{}));
}

}  // namespace
}  // namespace infobus::judgment::engine
