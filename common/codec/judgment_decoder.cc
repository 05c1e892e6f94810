#include "common/codec/judgment_decoder.h"

#include <string>

#include "common/codec/invariant.h"
#include "common/codec/record_value.h"
#include "common/domain/jurisdiction.h"

namespace infobus::codec {

using infobus::common::v1::Judgment;

absl::StatusOr<Judgment> DecodeJudgment(const kafka::Record& record) {
  Judgment judgment;
  if (absl::Status status = ParseRecordValue(record, &judgment); !status.ok()) return status;
  if (absl::Status status = CheckJudgment(judgment); !status.ok()) return status;
  return judgment;
}

absl::Status CheckJudgment(const Judgment& judgment) {
  namespace v1 = infobus::common::v1;
  const google::protobuf::Descriptor& type = *Judgment::descriptor();
  absl::Status status = CheckPresent(type, "judgment_id", judgment.judgment_id());
  if (status.ok()) status = CheckPresent(type, "rule_id", judgment.rule_id());
  if (status.ok()) {
    status = CheckEnum(type, "kind", *v1::JudgmentKind_descriptor(), judgment.kind(),
                       v1::JudgmentKind_IsValid(judgment.kind()), /*allow_unspecified=*/false);
  }
  if (status.ok()) {
    status = CheckEnum(type, "severity", *v1::Severity_descriptor(), judgment.severity(),
                       v1::Severity_IsValid(judgment.severity()), /*allow_unspecified=*/false);
  }
  if (status.ok()) {
    status =
        CheckEnum(type, "classification", *v1::Classification_descriptor(),
                  judgment.classification(), v1::Classification_IsValid(judgment.classification()),
                  /*allow_unspecified=*/true);
  }
  if (!status.ok()) return status;
  if (absl::Status jurisdiction = domain::ValidateJurisdictionPrefix(judgment.jurisdiction_code());
      !jurisdiction.ok()) {
    return Invalid(type, "jurisdiction_code", jurisdiction.message());
  }
  status = CheckTimestamp(type, "created_at", judgment.has_created_at(), judgment.created_at());
  if (!status.ok()) return status;
  // Paths are built only for an error.
  for (int i = 0; i < judgment.subjects_size(); ++i) {
    const v1::SubjectType subject_type = judgment.subjects(i).type();
    if (!v1::SubjectType_IsValid(subject_type) || subject_type == v1::SUBJECT_TYPE_UNSPECIFIED) {
      return CheckEnum(type, "subjects[" + std::to_string(i) + "].type",
                       *v1::SubjectType_descriptor(), subject_type,
                       v1::SubjectType_IsValid(subject_type), /*allow_unspecified=*/false);
    }
  }
  for (int i = 0; i < judgment.evidence_size(); ++i) {
    const v1::Classification classification = judgment.evidence(i).classification();
    if (!v1::Classification_IsValid(classification)) {
      return CheckEnum(type, "evidence[" + std::to_string(i) + "].classification",
                       *v1::Classification_descriptor(), classification, /*valid=*/false,
                       /*allow_unspecified=*/true);
    }
  }
  return CheckEnum(type, "review.status", *v1::ReviewStatus_descriptor(),
                   judgment.review().status(), v1::ReviewStatus_IsValid(judgment.review().status()),
                   /*allow_unspecified=*/true);
}

}  // namespace infobus::codec
