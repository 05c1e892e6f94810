#include "common/codec/event_decoder.h"

#include <string>

#include "common/codec/invariant.h"
#include "common/codec/record_value.h"
#include "common/domain/jurisdiction.h"

namespace infobus::codec {

using infobus::common::v1::Event;

absl::StatusOr<Event> DecodeEvent(const kafka::Record& record) {
  Event event;
  if (absl::Status status = ParseRecordValue(record, &event); !status.ok()) return status;
  if (absl::Status status = CheckEvent(event); !status.ok()) return status;
  // Collection stamps the source it authenticated; an event whose body names another source
  // was not published through it (or was altered) and is not trusted.
  const std::string_view header = record.HeaderValue(kafka::kSourceIdHeader);
  if (header != event.source_id()) {
    return Invalid(*Event::descriptor(), "source_id",
                   header.empty() ? "no source-id header (events come through collection)"
                                  : "differs from the record's source-id header");
  }
  return event;
}

absl::Status CheckEvent(const Event& event) {
  const google::protobuf::Descriptor& type = *Event::descriptor();
  absl::Status status = CheckPresent(type, "event_id", event.event_id());
  if (status.ok()) status = CheckPresent(type, "source_id", event.source_id());
  if (status.ok()) status = CheckPresent(type, "kind", event.kind());
  if (!status.ok()) return status;
  if (absl::Status county = domain::ValidateCountyCode(event.county_code()); !county.ok()) {
    return Invalid(type, "county_code", county.message());
  }
  status = CheckTimestamp(type, "occurred_at", event.has_occurred_at(), event.occurred_at());
  if (!status.ok()) return status;
  const std::string& jurisdiction = event.location().jurisdiction_code();
  if (!jurisdiction.empty() && (!domain::ValidateJurisdictionPrefix(jurisdiction).ok() ||
                                !domain::JurisdictionCovers(event.county_code(), jurisdiction))) {
    return Invalid(type, "location.jurisdiction_code",
                   "must be digits extending the event's county_code");
  }
  status = CheckEnum(type, "classification", *infobus::common::v1::Classification_descriptor(),
                     event.classification(),
                     infobus::common::v1::Classification_IsValid(event.classification()),
                     /*allow_unspecified=*/true);
  if (!status.ok()) return status;
  for (int i = 0; i < event.subjects_size(); ++i) {
    const infobus::common::v1::Subject& subject = event.subjects(i);
    const bool known = infobus::common::v1::SubjectType_IsValid(subject.type());
    if (known && subject.type() != infobus::common::v1::SUBJECT_TYPE_UNSPECIFIED &&
        !subject.value().empty()) {
      continue;  // the path is built only for an error: this runs for every event
    }
    const std::string field = "subjects[" + std::to_string(i) + "]";
    status = CheckEnum(type, field + ".type", *infobus::common::v1::SubjectType_descriptor(),
                       subject.type(), known, /*allow_unspecified=*/false);
    if (status.ok()) status = CheckPresent(type, field + ".value", subject.value());
    return status;
  }
  return absl::OkStatus();
}

}  // namespace infobus::codec
