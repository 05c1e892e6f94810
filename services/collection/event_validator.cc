#include "services/collection/event_validator.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/domain/compartment.h"
#include "common/domain/jurisdiction.h"
#include "common/domain/subject.h"
#include "common/domain/utf8.h"
#include "common/util/time.h"

namespace infobus::collection {
namespace {

using infobus::common::v1::Event;

bool IsPrintableAscii(std::string_view text) {
  for (unsigned char c : text) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

// kind: lower-case dotted words, e.g. "lodging.checkin".
bool IsValidKind(std::string_view kind) {
  if (kind.empty() || kind.size() > 64) return false;
  if (kind.front() < 'a' || kind.front() > 'z') return false;
  for (char c : kind) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::optional<FieldError> ValidateAndNormalize(Event& event, const ValidationLimits& limits,
                                               absl::Time now, const std::string& field_prefix) {
  auto error = [&field_prefix](const std::string& field, std::string reason) {
    return FieldError{absl::StrCat(field_prefix, field_prefix.empty() ? "" : ".", field),
                      std::move(reason)};
  };

  if (event.event_id().empty()) return error("event_id", "is required");
  if (event.event_id().size() > 128 || !IsPrintableAscii(event.event_id())) {
    return error("event_id", "must be 1-128 printable ASCII characters without spaces");
  }
  if (event.source_id().empty()) return error("source_id", "is required");
  if (event.source_id().size() > 64 || !IsPrintableAscii(event.source_id())) {
    return error("source_id", "must be 1-64 printable ASCII characters without spaces");
  }
  if (absl::Status status = domain::ValidateCountyCode(event.county_code()); !status.ok()) {
    return error("county_code", std::string(status.message()));
  }
  if (!IsValidKind(event.kind())) {
    return error("kind", "must be lower-case dotted words, e.g. lodging.checkin (at most 64)");
  }
  if (!event.has_occurred_at()) return error("occurred_at", "is required");
  if (event.occurred_at().nanos() < 0 || event.occurred_at().nanos() > 999999999) {
    return error("occurred_at", absl::StrCat("has nanos ", event.occurred_at().nanos(),
                                             "; they must be 0 to 999999999"));
  }
  // google.protobuf.Timestamp's own range: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
  constexpr int64_t kMinTimestampSeconds = -62135596800, kMaxTimestampSeconds = 253402300799;
  if (event.occurred_at().seconds() < kMinTimestampSeconds ||
      event.occurred_at().seconds() > kMaxTimestampSeconds) {
    return error("occurred_at",
                 absl::StrCat("has seconds ", event.occurred_at().seconds(),
                              ", outside the Timestamp range 0001-01-01 to 9999-12-31"));
  }
  // Event time is kept in nanoseconds since 1970 downstream, and no source records earlier.
  if (event.occurred_at().seconds() <= 0) {
    return error(
        "occurred_at",
        absl::StrCat("is ",
                     absl::FormatTime("%4Y-%m-%dT%H:%M:%E*SZ",
                                      FromProtoTimestamp(event.occurred_at()), absl::UTCTimeZone()),
                     "; an event must have happened after 1970-01-01T00:00:00Z"));
  }
  if (FromProtoTimestamp(event.occurred_at()) > now + limits.max_future_skew) {
    return error("occurred_at",
                 absl::StrCat("lies more than ", absl::FormatDuration(limits.max_future_skew),
                              " in the future"));
  }

  auto* location = event.mutable_location();
  if (location->jurisdiction_code().empty()) {
    location->set_jurisdiction_code(event.county_code());
  } else if (!domain::JurisdictionCovers(event.county_code(), location->jurisdiction_code()) ||
             location->jurisdiction_code().size() > 24 ||
             location->jurisdiction_code().find_first_not_of("0123456789") != std::string::npos) {
    return error("location.jurisdiction_code", "must be digits extending the event's county_code");
  }
  if (location->has_coordinates() &&
      (!std::isfinite(location->lat()) || !std::isfinite(location->lon()) ||
       std::abs(location->lat()) > 90 || std::abs(location->lon()) > 180)) {
    return error("location", "lat must be within ±90 and lon within ±180");
  }
  if (!domain::IsValidUtf8(location->place())) return error("location.place", "is not valid UTF-8");

  if (static_cast<size_t>(event.subjects_size()) > limits.max_subjects) {
    return error("subjects", absl::StrCat("has more than ", limits.max_subjects, " entries"));
  }
  for (int i = 0; i < event.subjects_size(); ++i) {
    auto* subject = event.mutable_subjects(i);
    const std::string path = absl::StrCat("subjects[", i, "]");
    if (subject->type() == infobus::common::v1::SUBJECT_TYPE_UNSPECIFIED ||
        !infobus::common::v1::SubjectType_IsValid(subject->type())) {
      return error(absl::StrCat(path, ".type"), "must be ID_NUMBER, PLATE, PHONE or NAME");
    }
    if (!domain::IsValidUtf8(subject->value())) {
      return error(absl::StrCat(path, ".value"), "is not valid UTF-8");
    }
    auto normalized = domain::NormalizeSubjectValue(*subject);
    if (!normalized.ok()) {
      return error(absl::StrCat(path, ".value"), std::string(normalized.status().message()));
    }
    subject->set_value(*std::move(normalized));
  }

  if (static_cast<size_t>(event.attributes_size()) > limits.max_attributes) {
    return error("attributes", absl::StrCat("has more than ", limits.max_attributes, " entries"));
  }
  for (const auto& [key, value] : event.attributes()) {
    if (key.empty() || key.size() > 64 || !IsPrintableAscii(key)) {
      return error("attributes", absl::StrCat("key '", key.substr(0, 64),
                                              "' must be 1-64 printable ASCII characters"));
    }
    if (value.size() > limits.max_attribute_bytes || !domain::IsValidUtf8(value)) {
      return error(
          absl::StrCat("attributes[", key, "]"),
          absl::StrCat("must be valid UTF-8 of at most ", limits.max_attribute_bytes, " bytes"));
    }
  }

  if (!infobus::common::v1::Classification_IsValid(event.classification())) {
    return error("classification", "is not a known level");
  }
  if (event.classification() == infobus::common::v1::CLASSIFICATION_UNSPECIFIED) {
    event.set_classification(infobus::common::v1::CLASSIFICATION_INTERNAL);
  }
  if (static_cast<size_t>(event.compartments_size()) > domain::kMaxCompartments) {
    return error("compartments",
                 absl::StrCat("has more than ", domain::kMaxCompartments, " entries"));
  }
  std::set<std::string_view> compartments;
  for (int i = 0; i < event.compartments_size(); ++i) {
    const std::string& name = event.compartments(i);
    if (!domain::IsValidCompartment(name)) {
      return error(absl::StrCat("compartments[", i, "]"),
                   absl::StrCat("must be 1-", domain::kMaxCompartmentLength,
                                " of a-z, 0-9, '_' and '-' (a compartment name)"));
    }
    if (!compartments.insert(name).second) {
      return error(absl::StrCat("compartments[", i, "]"),
                   absl::StrCat("'", name, "' is listed twice"));
    }
  }
  std::sort(event.mutable_compartments()->begin(), event.mutable_compartments()->end());

  if (event.payload().size() > limits.max_payload_bytes) {
    return error("payload", absl::StrCat("is ", event.payload().size(), " bytes; the limit is ",
                                         limits.max_payload_bytes));
  }
  if (!domain::IsValidUtf8(event.payload())) return error("payload", "is not valid UTF-8");

  event.clear_ingested_at();
  event.clear_trace_id();
  return std::nullopt;
}

}  // namespace infobus::collection
