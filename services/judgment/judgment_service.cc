#include "services/judgment/judgment_service.h"

#include "absl/strings/str_cat.h"
#include "common/domain/subject.h"
#include "common/grpc/status.h"
#include "common/log/log.h"

namespace infobus::judgment {
namespace {

using infobus::common::v1::Subject;

absl::Status ValidateListId(const std::string& list_id, const std::string& field) {
  if (list_id.empty() || list_id.size() > 64 ||
      list_id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-.") != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": must be 1-64 of a-z, 0-9, '_', '-', '.' (e.g. wanted_person)"));
  }
  return absl::OkStatus();
}

// Normalises `subject` in place or says which field is wrong.
absl::Status NormalizeSubject(Subject& subject, const std::string& field) {
  auto value = domain::NormalizeSubjectValue(subject);
  if (!value.ok()) {
    const bool type_wrong = subject.type() == infobus::common::v1::SUBJECT_TYPE_UNSPECIFIED ||
                            !infobus::common::v1::SubjectType_IsValid(subject.type());
    return absl::InvalidArgumentError(absl::StrCat(field, type_wrong ? ".type: " : ".value: ",
                                                   value.status().message()));
  }
  subject.set_value(*value);
  return absl::OkStatus();
}

}  // namespace

grpc::ServerUnaryReactor* JudgmentServiceImpl::AddWatchlistEntry(
    grpc::CallbackServerContext* context,
    const infobus::judgment::v1::AddWatchlistEntryRequest* request,
    infobus::judgment::v1::AddWatchlistEntryResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  WatchlistEntry entry = request->entry();
  absl::Status status = ValidateListId(entry.list_id(), "entry.list_id");
  if (status.ok()) status = NormalizeSubject(*entry.mutable_subject(), "entry.subject");
  if (status.ok() && (entry.severity() == infobus::common::v1::SEVERITY_UNSPECIFIED ||
                      !infobus::common::v1::Severity_IsValid(entry.severity()))) {
    status = absl::InvalidArgumentError("entry.severity: must be LOW, MEDIUM, HIGH or CRITICAL");
  }
  if (status.ok() && entry.note().size() > 1024) {
    status = absl::InvalidArgumentError("entry.note: at most 1024 bytes");
  }
  if (status.ok()) {
    auto replaced = watchlist_->Add(entry);
    if (replaced.ok()) {
      *response->mutable_entry() = entry;
      response->set_replaced(*replaced);
      INFOBUS_LOG(Info) << "watchlist " << entry.list_id() << " + "
                        << domain::SubjectKey(entry.subject());
    }
    status = replaced.status();
  }
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

grpc::ServerUnaryReactor* JudgmentServiceImpl::RemoveWatchlistEntry(
    grpc::CallbackServerContext* context,
    const infobus::judgment::v1::RemoveWatchlistEntryRequest* request,
    infobus::judgment::v1::RemoveWatchlistEntryResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  Subject subject = request->subject();
  absl::Status status = ValidateListId(request->list_id(), "list_id");
  if (status.ok()) status = NormalizeSubject(subject, "subject");
  if (status.ok()) {
    auto removed = watchlist_->Remove(request->list_id(), subject);
    if (removed.ok()) response->set_removed(*removed);
    status = removed.status();
  }
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

}  // namespace infobus::judgment
