#include "common/domain/subject.h"

#include "absl/strings/str_cat.h"
#include "common/domain/id_number.h"
#include "common/domain/name.h"
#include "common/domain/phone.h"
#include "common/domain/plate.h"

namespace infobus::domain {

using infobus::common::v1::Subject;
using infobus::common::v1::SubjectType;

absl::StatusOr<std::string> NormalizeSubjectValue(const Subject& subject) {
  switch (subject.type()) {
    case infobus::common::v1::SUBJECT_TYPE_ID_NUMBER:
      return NormalizeIdNumber(subject.value());
    case infobus::common::v1::SUBJECT_TYPE_PLATE:
      return NormalizePlate(subject.value());
    case infobus::common::v1::SUBJECT_TYPE_PHONE:
      return NormalizePhone(subject.value());
    case infobus::common::v1::SUBJECT_TYPE_NAME:
      return NormalizeName(subject.value());
    default:
      return absl::InvalidArgumentError(
          "subject type must be one of ID_NUMBER, PLATE, PHONE, NAME");
  }
}

std::string SubjectKey(const Subject& subject) {
  std::string type = infobus::common::v1::SubjectType_Name(subject.type());
  constexpr std::string_view kPrefix = "SUBJECT_TYPE_";
  if (type.rfind(kPrefix, 0) == 0) type = type.substr(kPrefix.size());
  return absl::StrCat(type, ":", subject.value());
}

}  // namespace infobus::domain
