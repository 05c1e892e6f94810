#include "services/judgment/engine/event_subjects.h"

#include <utility>

#include "common/domain/subject.h"
#include "services/judgment/engine/state_keys.h"

namespace infobus::judgment::engine {
namespace {

using infobus::common::v1::Subject;

// domain::SubjectKey, written into `out` (no temporaries).
void SubjectKeyInto(const Subject& subject, std::string& out) {
  std::string_view type = infobus::common::v1::SubjectType_Name(subject.type());
  constexpr std::string_view kPrefix = "SUBJECT_TYPE_";
  if (type.substr(0, kPrefix.size()) == kPrefix) type.remove_prefix(kPrefix.size());
  out.assign(type.data(), type.size());
  out.push_back(':');
  out.append(subject.value());
}

}  // namespace

void EventSubjects::Prepare(const infobus::common::v1::Event& event, std::string_view scope,
                            bool pattern_keys) {
  count_ = 0;
  for (const Subject& raw : event.subjects()) {
    if (count_ == subjects_.size()) subjects_.emplace_back();
    NormalizedSubject& normalized = subjects_[count_];
    // Events from collection are normalised already; this guards other producers.
    auto value = domain::NormalizeSubjectValue(raw);
    if (raw.GetReflection()->GetUnknownFields(raw).empty()) {
      normalized.subject.Clear();
      normalized.subject.set_type(raw.type());
      normalized.subject.set_value(value.ok() ? *std::move(value) : raw.value());
    } else {
      normalized.subject = raw;
      if (value.ok()) normalized.subject.set_value(*std::move(value));
    }
    if (normalized.subject.value().empty()) continue;
    SubjectKeyInto(normalized.subject, normalized.key);
    if (pattern_keys) {
      // "<scope>\x1f\x1fS\x1f<subject key>"
      StateKeyPrefix(normalized.pattern_key, scope, "", kPatternType);
      normalized.pattern_key.append(normalized.key);
    }
    ++count_;
  }
}

}  // namespace infobus::judgment::engine
