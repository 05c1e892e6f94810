#include "common/codec/watchlist_decoder.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/codec/invariant.h"
#include "common/codec/record_value.h"
#include "common/domain/subject.h"

namespace infobus::codec {

using infobus::judgment::v1::WatchlistEntry;

std::string WatchlistKey(const std::string& list_id, const infobus::common::v1::Subject& subject) {
  return absl::StrCat(domain::SubjectKey(subject), "\n", list_id);
}

absl::StatusOr<WatchlistChange> DecodeWatchlistRecord(const kafka::Record& record) {
  if (record.key.empty()) return absl::InvalidArgumentError("watchlist record without a key");
  WatchlistChange change;
  if (record.null_value || record.value.empty()) {
    if (absl::Status status = CheckSchemaHeader(record, WatchlistEntry::descriptor()->full_name(),
                                                /*required=*/false);
        !status.ok()) {
      return status;
    }
    change.key = record.key;
    return change;
  }
  WatchlistEntry entry;
  if (absl::Status status = ParseRecordValue(record, &entry); !status.ok()) return status;
  if (absl::Status status = CheckWatchlistEntry(entry, record.key); !status.ok()) return status;
  change.key = record.key;
  change.entry = std::move(entry);
  return change;
}

absl::Status CheckWatchlistEntry(const WatchlistEntry& entry, std::string_view key) {
  namespace v1 = infobus::common::v1;
  const google::protobuf::Descriptor& type = *WatchlistEntry::descriptor();
  absl::Status status = CheckPresent(type, "list_id", entry.list_id());
  if (status.ok()) {
    status = CheckEnum(type, "subject.type", *v1::SubjectType_descriptor(), entry.subject().type(),
                       v1::SubjectType_IsValid(entry.subject().type()),
                       /*allow_unspecified=*/false);
  }
  if (status.ok()) status = CheckPresent(type, "subject.value", entry.subject().value());
  if (status.ok()) {
    // Unset: the rule's list severity, else the rule's own, applies (rules.yaml).
    status = CheckEnum(type, "severity", *v1::Severity_descriptor(), entry.severity(),
                       v1::Severity_IsValid(entry.severity()), /*allow_unspecified=*/true);
  }
  if (!status.ok()) return status;
  auto normalized = domain::NormalizeSubjectValue(entry.subject());
  if (!normalized.ok()) return Invalid(type, "subject.value", normalized.status().message());
  if (*normalized != entry.subject().value()) {
    return Invalid(type, "subject.value", "is not in normal form");
  }
  if (const std::string own = WatchlistKey(entry.list_id(), entry.subject()); key != own) {
    auto shown = [](std::string_view text) {
      return absl::StrReplaceAll(Quote(absl::string_view(text.data(), text.size())),
                                 {{"\n", "\\n"}});
    };
    return absl::InvalidArgumentError(absl::StrCat(type.full_name(), " keyed '", shown(key),
                                                   "', not by its own subject and list: '",
                                                   shown(own), "'"));
  }
  return absl::OkStatus();
}

}  // namespace infobus::codec
