// An event's subjects as the subject rules see them (event_subjects.h).
#include "services/judgment/engine/event_subjects.h"

#include "gtest/gtest.h"
#include "services/judgment/engine/state_keys.h"

namespace infobus::judgment::engine {
namespace {

TEST(EventSubjectsTest, SubjectsAreNormalisedKeyedAndEmptyOnesLeftOut) {
  infobus::common::v1::Event event;
  auto* person = event.add_subjects();
  person->set_type(infobus::common::v1::SUBJECT_TYPE_ID_NUMBER);
  person->set_value("11010519491231002x");
  event.add_subjects()->set_type(infobus::common::v1::SUBJECT_TYPE_PLATE);  // no value
  EventSubjects subjects;
  subjects.Prepare(event, "events/3", /*pattern_keys=*/true);
  ASSERT_EQ(subjects.size(), 1u);
  EXPECT_EQ(subjects[0].subject.value(), "11010519491231002X");
  EXPECT_EQ(subjects[0].key, "ID_NUMBER:11010519491231002X");
  EXPECT_EQ(subjects[0].pattern_key, "events/3\x1f\x1fS\x1fID_NUMBER:11010519491231002X");
  StateKey parsed;
  ASSERT_TRUE(ParseStateKey(subjects[0].pattern_key, parsed));
  EXPECT_EQ(parsed.scope, "events/3");
  EXPECT_EQ(parsed.type, kPatternType);
  // The next event reuses the slots.
  event.clear_subjects();
  subjects.Prepare(event, "events/3", /*pattern_keys=*/false);
  EXPECT_EQ(subjects.size(), 0u);
}

}  // namespace
}  // namespace infobus::judgment::engine
