#include "services/judgment/judgment_service.h"

#include <deque>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/audit/admit_change.h"
#include "common/audit/audited_reply.h"
#include "common/audit/stream_audit.h"
#include "common/domain/subject.h"
#include "common/grpc/caller.h"
#include "common/grpc/deadline_reply.h"
#include "common/grpc/lenient_parse.h"
#include "common/grpc/paged_stream_reactor.h"
#include "common/grpc/status.h"
#include "common/log/log.h"
#include "common/security/judgment_labels.h"
#include "common/security/policy.h"
#include "common/util/time.h"

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
    return absl::InvalidArgumentError(
        absl::StrCat(field, type_wrong ? ".type: " : ".value: ", value.status().message()));
  }
  subject.set_value(*value);
  return absl::OkStatus();
}

// The caller, when it may do `check`; else the call's answer (UNAUTHENTICATED or
// PERMISSION_DENIED) as the status.
template <typename Check>
absl::StatusOr<security::Principal> Authorize(const grpc::CallbackServerContext& context,
                                              Check check) {
  auto caller = CallerOf(context);
  if (!caller.ok()) return caller.status();
  if (absl::Status allowed = check(*caller); !allowed.ok()) return allowed;
  return caller;
}

// The caller of a call that reads judgments (GetJudgment, ListJudgments, Subscribe) with
// `request`: one who may read them (Authorize), then a request of valid UTF-8 (CheckUtf8).
absl::StatusOr<security::Principal> JudgmentReader(const grpc::CallbackServerContext& context,
                                                   const google::protobuf::Message& request) {
  auto caller = Authorize(context, security::CanReadJudgments);
  if (!caller.ok()) return caller.status();
  if (absl::Status utf8 = CheckUtf8(request); !utf8.ok()) return utf8;
  return caller;
}

absl::Status CanChangeWatchlist(const security::Principal& caller) {
  return security::CanAdminister(caller, security::AdminAction::kWatchlist);
}

// What a caller hears when the loop has not committed its change within apply_timeout.
grpc::Status NotAppliedInTime() {
  return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                      "not applied in time: the consumer loop is busy or cannot commit; it may "
                      "still apply");
}

// The gate of a watchlist change by `method` to list `list_id`: AdmitChangeThen (audited with
// `detail`), then a request of valid UTF-8; `then` runs once both hold (on the audit record's
// delivery thread), else the call is answered through `reply`.
void AdmitWatchlistChange(audit::AuditLog* audit, const grpc::CallbackServerContext& context,
                          const DeadlineReplyPtr& reply, const google::protobuf::Message& request,
                          std::string_view method, const std::string& list_id,
                          const std::string& detail, std::function<void()> then) {
  audit::AdmitChangeThen(audit, context, reply, method, {"watchlist", list_id, {}},
                         CanChangeWatchlist, detail,
                         [reply, &request, then = std::move(then)](const security::Principal&) {
                           if (absl::Status utf8 = CheckUtf8(request); !utf8.ok()) {
                             reply->Finish(ToGrpcStatus(utf8));
                             return;
                           }
                           then();
                         });
}

// "add SUBJECT_TYPE_PHONE 13800138000": what an audit record of a watchlist change says.
std::string WatchlistDetail(std::string_view action, const Subject& subject) {
  return absl::StrCat(std::string(action), " ",
                      infobus::common::v1::SubjectType_Name(subject.type()), " ",
                      subject.value().substr(0, 64));
}

}  // namespace

grpc::ServerUnaryReactor* JudgmentServiceImpl::AddWatchlistEntry(
    grpc::CallbackServerContext* context,
    const infobus::judgment::v1::AddWatchlistEntryRequest* request,
    infobus::judgment::v1::AddWatchlistEntryResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  DeadlineReplyPtr reply =
      DeadlineReply::Start(reactor, options_.apply_timeout, NotAppliedInTime());
  AdmitWatchlistChange(
      audit_, *context, reply, *request, "JudgmentService/AddWatchlistEntry",
      request->entry().list_id(), WatchlistDetail("add", request->entry().subject()),
      [this, reply, request, response] { AddAdmittedEntry(reply, *request, response); });
  return reactor;
}

void JudgmentServiceImpl::AddAdmittedEntry(
    const DeadlineReplyPtr& reply, const infobus::judgment::v1::AddWatchlistEntryRequest& request,
    infobus::judgment::v1::AddWatchlistEntryResponse* response) {
  WatchlistEntry entry = request.entry();
  absl::Status status = ValidateListId(entry.list_id(), "entry.list_id");
  if (status.ok()) status = NormalizeSubject(*entry.mutable_subject(), "entry.subject");
  // Unset is allowed: the rule's list severity, else its own, applies (rules.yaml says so).
  if (status.ok() && !infobus::common::v1::Severity_IsValid(entry.severity())) {
    status =
        absl::InvalidArgumentError("entry.severity: must be unset, LOW, MEDIUM, HIGH or CRITICAL");
  }
  if (status.ok() && entry.note().size() > 1024) {
    status = absl::InvalidArgumentError("entry.note: at most 1024 bytes");
  }
  if (!status.ok()) {
    reply->Finish(ToGrpcStatus(status));
    return;
  }
  watchlist_->Put(entry, [reply, response, entry](absl::StatusOr<bool> replaced) {
    reply->Run([&] {
      if (replaced.ok()) {
        *response->mutable_entry() = entry;
        response->set_replaced(*replaced);
        INFOBUS_LOG(Info) << "watchlist " << entry.list_id() << " + "
                          << domain::SubjectKey(entry.subject());
      }
      reply->Finish(ToGrpcStatus(replaced.status()));
    });
  });
}

grpc::ServerUnaryReactor* JudgmentServiceImpl::RemoveWatchlistEntry(
    grpc::CallbackServerContext* context,
    const infobus::judgment::v1::RemoveWatchlistEntryRequest* request,
    infobus::judgment::v1::RemoveWatchlistEntryResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  DeadlineReplyPtr reply =
      DeadlineReply::Start(reactor, options_.apply_timeout, NotAppliedInTime());
  AdmitWatchlistChange(audit_, *context, reply, *request, "JudgmentService/RemoveWatchlistEntry",
                       request->list_id(), WatchlistDetail("remove", request->subject()),
                       [this, reply, request, response] {
                         Subject subject = request->subject();
                         absl::Status status = ValidateListId(request->list_id(), "list_id");
                         if (status.ok()) status = NormalizeSubject(subject, "subject");
                         if (!status.ok()) return reply->Finish(ToGrpcStatus(status));
                         watchlist_->Remove(request->list_id(), subject,
                                            [reply, response](absl::StatusOr<bool> removed) {
                                              reply->Run([&] {
                                                if (removed.ok()) response->set_removed(*removed);
                                                reply->Finish(ToGrpcStatus(removed.status()));
                                              });
                                            });
                       });
  return reactor;
}

}  // namespace infobus::judgment

namespace infobus::judgment {
namespace {

using infobus::judgment::v1::JudgmentRecord;

constexpr size_t kPageSize = 64;
constexpr size_t kScanLimit = 4096;

absl::Status ValidateFilter(const JudgmentFilter& filter) {
  if (!infobus::common::v1::Severity_IsValid(filter.min_severity())) {
    return absl::InvalidArgumentError("filter.min_severity: not a severity");
  }
  for (int i = 0; i < filter.kinds_size(); ++i) {
    if (!infobus::common::v1::JudgmentKind_IsValid(filter.kinds(i)) ||
        filter.kinds(i) == infobus::common::v1::JUDGMENT_KIND_UNSPECIFIED) {
      return absl::InvalidArgumentError(absl::StrCat("filter.kinds[", i, "]: not a judgment kind"));
    }
  }
  for (int i = 0; i < filter.jurisdiction_prefixes_size(); ++i) {
    const std::string& prefix = filter.jurisdiction_prefixes(i);
    if (prefix.empty() || prefix.size() > 12 ||
        prefix.find_first_not_of("0123456789") != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("filter.jurisdiction_prefixes[", i,
                                                     "]: 1-12 digits of a jurisdiction code"));
    }
  }
  return absl::OkStatus();
}

// One Subscribe stream: the log after a seq, page by page from the store, then live entries as
// the notifier announces commits. It holds at most one page in memory and the pipeline never
// waits for it, so a slow reader costs the pipeline nothing. A reader for which more than
// `max_lag` entries were committed while it still had a write outstanding (it, not a burst of
// judgments, is the bottleneck) is finished with RESOURCE_EXHAUSTED naming the seq to resume
// after (the last one it was sent) as soon as its pending write completes.
class SubscribeReactor final : public PagedStreamReactor<JudgmentRecord> {
 public:
  SubscribeReactor(JudgmentLog* log, JudgmentFilter filter, uint64_t after_seq, uint64_t max_lag,
                   security::Principal caller, audit::AuditLog* audit, SerialExecutor* wake)
      : PagedStreamReactor<JudgmentRecord>(wake),
        log_(log),
        filter_(std::move(filter)),
        caller_(std::move(caller)),
        pages_(audit),
        max_lag_(max_lag),
        scanned_to_(after_seq),
        last_sent_(after_seq) {
    {
      absl::MutexLock lock(&mutex_);
      seen_head_ = log_->last_seq();  // the backlog to replay is not lag
    }
    token_ = log_->Listen([this] { OnLogGrew(); });
    Pump();
  }

 private:
  Step NextLocked(std::deque<JudgmentRecord>& buffer) override
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    const uint64_t head = log_->last_seq();
    if (behind_ > max_lag_) {
      return Step::Finish(grpc::Status(
          grpc::StatusCode::RESOURCE_EXHAUSTED,
          absl::StrCat("subscriber too slow: ", head - last_sent_, " judgments behind, more than ",
                       max_lag_,
                       " of them made while it was still reading; resubscribe with after_seq=",
                       last_sent_)));
    }
    if (auto step = pages_.StepBeforeRead<Step>(buffer)) return *step;
    auto page = log_->ReadAfter(scanned_to_, filter_, kPageSize, kScanLimit, &scanned_to_);
    if (!page.ok()) return Step::Finish(ToGrpcStatus(page.status()));
    // What the caller may not see is skipped like a non-match: nothing of it is sent, and the
    // scan goes on past it. Decisions on classified judgments are audited before any of the
    // page is sent.
    std::vector<JudgmentRecord> visible;
    std::vector<audit::AuditRecord> records;
    for (JudgmentRecord& record : *page) {
      const absl::Status decision =
          security::CanSee(caller_, security::JudgmentLabels(record.judgment()));
      if (audit::IsClassified(record.judgment().classification())) {
        records.push_back(
            audit::NewRecord(caller_, pages_.log()->service(), "JudgmentService/Subscribe",
                             audit::JudgmentItem(record.judgment()), decision, absl::Now()));
      }
      if (decision.ok()) visible.push_back(std::move(record));
    }
    if (auto step = pages_.StepAfterOffer<Step>(
            std::move(visible), std::move(records), buffer,
            [this](absl::Status kept) { OnAudited(std::move(kept)); })) {
      return *step;
    }
    if (!buffer.empty()) return Step::Write();
    // Nothing matched in what was scanned: the reader is as far as the scan.
    last_sent_ = scanned_to_;
    // Caught up with the log: whatever it fell behind before is made up.
    if (scanned_to_ >= head) behind_ = 0;
    if (scanned_to_ < log_->last_seq()) return Step::Again();  // more to scan past non-matches
    return Step::Wait();                                       // the log's listener wakes us
  }

  void WrittenLocked(const JudgmentRecord& record) override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    last_sent_ = record.seq();
  }

  void StopListening() override {
    log_->Unlisten(token_);
    pages_.Close();
  }

  void OnAudited(absl::Status kept) {
    {
      absl::MutexLock lock(&mutex_);
      pages_.Kept(std::move(kept));
    }
    Wake();
  }

  void OnLogGrew() {
    {
      absl::MutexLock lock(&mutex_);
      const uint64_t head = log_->last_seq();
      if (WritingLocked() && head > seen_head_) behind_ += head - seen_head_;
      seen_head_ = std::max(seen_head_, head);
    }
    Wake();  // the loop thread brings the news: the page is read on the wake executor
  }

  JudgmentLog* const log_;
  const JudgmentFilter filter_;
  const security::Principal caller_;
  using Pages = audit::AuditedPages<JudgmentRecord>;
  Pages pages_;  // under mutex_ (Close: from any thread)
  const uint64_t max_lag_;
  uint64_t token_ = 0;
  uint64_t scanned_to_ ABSL_GUARDED_BY(mutex_);
  uint64_t last_sent_ ABSL_GUARDED_BY(mutex_);
  uint64_t seen_head_ ABSL_GUARDED_BY(mutex_) = 0;
  // Entries added to the log while this reader was still busy with a write: how far its own
  // slowness has put it behind. Reset when it catches up.
  uint64_t behind_ ABSL_GUARDED_BY(mutex_) = 0;
};

}  // namespace

grpc::ServerUnaryReactor* JudgmentServiceImpl::ReloadRules(
    grpc::CallbackServerContext* context, const infobus::judgment::v1::ReloadRulesRequest*,
    infobus::judgment::v1::ReloadRulesResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  // Answered from the loop's commit (or by the deadline), not waited for here.
  DeadlineReplyPtr reply =
      DeadlineReply::Start(reactor, options_.apply_timeout, NotAppliedInTime());
  audit::AdmitChangeThen(
      audit_, *context, reply, "JudgmentService/ReloadRules", {"rules", "", {}},
      [](const security::Principal& p) {
        return security::CanAdminister(p, security::AdminAction::kRules);
      },
      "",
      [handler = handler_, reply, response](const security::Principal&) {
        // The handler outlives the loop's completions: it runs them, the last in its destructor.
        handler->Reload([handler, reply, response](absl::StatusOr<Engine::ReloadSummary> summary) {
          reply->Run([&] {
            if (summary.ok()) {
              response->set_rules_version(handler->rules_version());
              for (const std::string& id : summary->added) response->add_added(id);
              for (const std::string& id : summary->changed) response->add_changed(id);
              for (const std::string& id : summary->removed) response->add_removed(id);
              for (const std::string& id : summary->kept) response->add_kept(id);
            }
            reply->Finish(ToGrpcStatus(summary.status()));
          });
        });
      });
  return reactor;
}

grpc::ServerUnaryReactor* JudgmentServiceImpl::GetJudgment(
    grpc::CallbackServerContext* context, const infobus::judgment::v1::GetJudgmentRequest* request,
    infobus::judgment::v1::GetJudgmentResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto caller = JudgmentReader(*context, *request);
  if (!caller.ok()) {
    reactor->Finish(ToGrpcStatus(caller.status()));
    return reactor;
  }
  absl::Status status;
  std::vector<audit::AuditRecord> records;
  if (request->judgment_id().empty()) {
    status = absl::InvalidArgumentError("judgment_id: is required");
  } else {
    auto record = log_->Get(request->judgment_id());
    status = record.status();
    if (record.ok() && !record->has_value()) {
      status = absl::NotFoundError(
          absl::StrCat("judgment_id: no judgment '", request->judgment_id(), "'"));
    } else if (record.ok()) {
      const infobus::common::v1::Judgment& judgment = (*record)->judgment();
      status = security::CanSee(*caller, security::JudgmentLabels(judgment));
      if (audit::IsClassified(judgment.classification())) {
        records.push_back(audit::NewRecord(*caller, audit_->service(),
                                           "JudgmentService/GetJudgment",
                                           audit::JudgmentItem(judgment), status, absl::Now()));
      }
      if (status.ok()) *response->mutable_record() = **record;
    }
  }
  audit::ReplyAudited(audit_, reactor, std::move(records), ToGrpcStatus(status));
  return reactor;
}

grpc::ServerUnaryReactor* JudgmentServiceImpl::ListJudgments(
    grpc::CallbackServerContext* context,
    const infobus::judgment::v1::ListJudgmentsRequest* request,
    infobus::judgment::v1::ListJudgmentsResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto caller = JudgmentReader(*context, *request);
  if (!caller.ok()) {
    reactor->Finish(ToGrpcStatus(caller.status()));
    return reactor;
  }
  absl::Status status = ValidateFilter(request->filter());
  std::vector<audit::AuditRecord> records;
  if (status.ok() && (request->page_size() < 0 || request->page_size() > 1000)) {
    status = absl::InvalidArgumentError("page_size: 1-1000 (0: 100)");
  }
  if (status.ok()) {
    const absl::Time since =
        request->has_since() ? FromProtoTimestamp(request->since()) : absl::InfinitePast();
    const absl::Time until =
        request->has_until() ? FromProtoTimestamp(request->until()) : absl::InfiniteFuture();
    if (since > until) status = absl::InvalidArgumentError("until: must not be before since");
    if (status.ok()) {
      auto page =
          log_->List(request->filter(), since, until,
                     request->page_size() == 0 ? 100 : request->page_size(), request->page_token());
      status = page.status();
      if (page.ok()) {
        // What the caller may not see is left out; the page may come back short (the token
        // says whether there is more).
        for (JudgmentRecord& record : page->records) {
          const absl::Status visible =
              security::CanSee(*caller, security::JudgmentLabels(record.judgment()));
          if (audit::IsClassified(record.judgment().classification())) {
            records.push_back(
                audit::NewRecord(*caller, audit_->service(), "JudgmentService/ListJudgments",
                                 audit::JudgmentItem(record.judgment()), visible, absl::Now()));
          }
          if (visible.ok()) *response->add_records() = std::move(record);
        }
        response->set_next_page_token(page->next_page_token);
      }
    }
  }
  audit::ReplyAudited(audit_, reactor, std::move(records), ToGrpcStatus(status));
  return reactor;
}

grpc::ServerUnaryReactor* JudgmentServiceImpl::Review(
    grpc::CallbackServerContext* context, const infobus::judgment::v1::ReviewRequest* request,
    infobus::judgment::v1::ReviewResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (absl::Status utf8 = CheckUtf8(*request); !utf8.ok()) {
    reactor->Finish(ToGrpcStatus(utf8));
    return reactor;
  }
  // Decided on the stored judgment's labels (an unknown id is the handler's NOT_FOUND), and
  // audited like every review, before it is made.
  std::optional<infobus::common::v1::Judgment> stored;
  if (!request->judgment_id().empty()) {
    if (auto record = log_->Get(request->judgment_id()); record.ok() && record->has_value()) {
      stored = (*record)->judgment();
    }
  }
  audit::Item item =
      stored ? audit::JudgmentItem(*stored) : audit::Item{"judgment", request->judgment_id()};
  item.judgment_id = request->judgment_id();
  // Answered from the loop's commit (or by the deadline), not waited for here.
  DeadlineReplyPtr reply =
      DeadlineReply::Start(reactor, options_.apply_timeout, NotAppliedInTime());
  audit::AdmitChangeThen(
      audit_, *context, reply, "JudgmentService/Review", item,
      [&](const security::Principal& p) -> absl::Status {
        if (absl::Status allowed = security::CanReview(p); !allowed.ok()) return allowed;
        // The reviewer is who is calling; a request naming someone else is refused.
        if (!p.unrestricted && !request->reviewer().empty() && request->reviewer() != p.id) {
          return absl::PermissionDeniedError(
              absl::StrCat("reviewer: must be the caller (", p.id, ") or empty"));
        }
        return stored ? security::CanSee(p, security::JudgmentLabels(*stored)) : absl::OkStatus();
      },
      infobus::common::v1::ReviewStatus_Name(request->status()),
      [handler = handler_, reply, request, response](const security::Principal& caller) {
        const std::string reviewer = caller.unrestricted ? request->reviewer() : caller.id;
        absl::Status status;
        if (request->judgment_id().empty()) {
          status = absl::InvalidArgumentError("judgment_id: is required");
        } else if (request->status() != infobus::common::v1::REVIEW_STATUS_CONFIRMED &&
                   request->status() != infobus::common::v1::REVIEW_STATUS_DISMISSED) {
          status = absl::InvalidArgumentError("status: must be CONFIRMED or DISMISSED");
        } else if (request->note().size() > 4096) {
          status = absl::InvalidArgumentError("note: at most 4096 bytes");
        } else if (reviewer.empty() || reviewer.size() > 128) {
          status = absl::InvalidArgumentError("reviewer: 1-128 bytes naming who reviews");
        }
        if (!status.ok()) return reply->Finish(ToGrpcStatus(status));
        infobus::common::v1::Review review;
        review.set_status(request->status());
        review.set_note(request->note());
        review.set_reviewer(reviewer);
        handler->Review(request->judgment_id(), review,
                        [reply, response](absl::StatusOr<JudgmentRecord> record) {
                          reply->Run([&] {
                            if (record.ok()) *response->mutable_record() = std::move(*record);
                            reply->Finish(ToGrpcStatus(record.status()));
                          });
                        });
      });
  return reactor;
}

grpc::ServerWriteReactor<JudgmentRecord>* JudgmentServiceImpl::Subscribe(
    grpc::CallbackServerContext* context, const infobus::judgment::v1::SubscribeRequest* request) {
  auto caller = JudgmentReader(*context, *request);
  if (!caller.ok()) return new FailedStream<JudgmentRecord>(ToGrpcStatus(caller.status()));
  if (absl::Status status = ValidateFilter(request->filter()); !status.ok()) {
    return new FailedStream<JudgmentRecord>(ToGrpcStatus(status));
  }
  uint64_t after_seq = request->after_seq();
  if (request->has_since()) {
    if (after_seq != 0) {
      return new FailedStream<JudgmentRecord>(grpc::Status(
          grpc::StatusCode::INVALID_ARGUMENT, "since: give either after_seq or since, not both"));
    }
    auto seq = log_->SeqBefore(FromProtoTimestamp(request->since()));
    if (!seq.ok()) return new FailedStream<JudgmentRecord>(ToGrpcStatus(seq.status()));
    after_seq = *seq;
  }
  return new SubscribeReactor(log_, request->filter(), after_seq, options_.subscriber_max_lag,
                              *std::move(caller), audit_, wake_executor_);
}

}  // namespace infobus::judgment
