#pragma once

// An event's subjects as the subject rules (watchlist, movement, correlation) see them.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "infobus/common/v1/event.pb.h"

namespace infobus::judgment::engine {

struct NormalizedSubject {
  infobus::common::v1::Subject subject;  // its value normalised (domain::NormalizeSubjectValue)
  std::string key;                       // domain::SubjectKey
  std::string pattern_key;               // its pattern state key (when asked for)
};

// The subjects of one event at a time, reused from event to event (no allocation once warm). Not
// thread-safe.
class EventSubjects {
 public:
  // Takes the subjects of `event`, normalised, leaving out those whose value is empty; with
  // `pattern_keys`, also each one's pattern state key in `scope`.
  void Prepare(const infobus::common::v1::Event& event, std::string_view scope, bool pattern_keys);

  size_t size() const { return count_; }
  const NormalizedSubject& operator[](size_t i) const { return subjects_[i]; }

 private:
  std::vector<NormalizedSubject> subjects_;  // the first count_ are this event's
  size_t count_ = 0;
};

}  // namespace infobus::judgment::engine
