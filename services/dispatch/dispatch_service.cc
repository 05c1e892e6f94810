#include "services/dispatch/dispatch_service.h"

#include <deque>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/audit/admit_change.h"
#include "common/audit/audited_reply.h"
#include "common/audit/stream_audit.h"
#include "common/domain/utf8.h"
#include "common/grpc/caller.h"
#include "common/grpc/deadline_reply.h"
#include "common/grpc/lenient_parse.h"
#include "common/grpc/paged_stream_reactor.h"
#include "common/grpc/status.h"
#include "common/security/judgment_labels.h"
#include "common/security/policy.h"
#include "common/util/time.h"
#include "services/dispatch/dispatch_events.h"
#include "services/dispatch/dispatch_metrics.h"

namespace infobus::dispatch {
namespace {

using infobus::common::v1::Delivery;

constexpr size_t kPageSize = 64;

// Feedback's own fields: an outcome, and a note of at most 4 KiB.
absl::Status CheckOutcomeAndNote(const infobus::dispatch::v1::FeedbackRequest& request) {
  if (request.outcome() == infobus::common::v1::FEEDBACK_OUTCOME_UNSPECIFIED ||
      !infobus::common::v1::FeedbackOutcome_IsValid(request.outcome())) {
    return absl::InvalidArgumentError(
        "outcome: required (HANDLED, APPREHENDED, NOT_FOUND, FALSE_POSITIVE or TRANSFERRED)");
  }
  if (request.note().size() > 4096 || !domain::IsValidUtf8(request.note())) {
    return absl::InvalidArgumentError("note: at most 4096 bytes of UTF-8");
  }
  return absl::OkStatus();
}

// A supervisor's note on a decision: at most 4 KiB of UTF-8; a send-back must say what to do.
absl::Status CheckDecisionNote(const std::string& note, bool required) {
  if (required && note.empty()) {
    return absl::InvalidArgumentError("note: required: what the unit is to do again");
  }
  if (note.size() > 4096 || !domain::IsValidUtf8(note)) {
    return absl::InvalidArgumentError("note: at most 4096 bytes of UTF-8");
  }
  return absl::OkStatus();
}

// One Subscribe stream. Writes one delivery at a time; when it runs out, it reads the next page
// from the inbox, and when the inbox has nothing newer it waits for the notifier.
class SubscribeReactor final : public PagedStreamReactor<Delivery> {
 public:
  SubscribeReactor(Inbox* inbox, InboxNotifier* notifier, std::string unit_id, uint64_t after_seq,
                   security::Principal caller, audit::AuditLog* audit, SerialExecutor* wake)
      : PagedStreamReactor<Delivery>(wake),
        inbox_(inbox),
        notifier_(notifier),
        unit_id_(std::move(unit_id)),
        caller_(std::move(caller)),
        pages_(audit),
        last_seq_(after_seq) {
    // The loop thread brings the news: it only queues a wake (no inbox read on its thread).
    token_ = notifier_->Listen(unit_id_, [this] { Wake(); });
    Pump();
  }

 private:
  Step NextLocked(std::deque<Delivery>& buffer) override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    if (auto step = pages_.StepBeforeRead<Step>(buffer)) return *step;
    auto page = inbox_->ReadAfter(unit_id_, last_seq_, kPageSize);
    if (!page.ok()) return Step::Finish(ToGrpcStatus(page.status()));
    if (page->empty()) return Step::Wait();  // caught up: the notifier wakes us
    // Above the caller's clearance: skipped, and the stream goes on past it. Decisions on
    // classified deliveries are audited before any of the page is sent.
    std::vector<Delivery> visible;
    std::vector<audit::AuditRecord> records;
    for (Delivery& delivery : *page) {
      last_seq_ = delivery.seq();
      const absl::Status decision =
          security::CanSeeDelivered(caller_, security::JudgmentLabels(delivery.judgment()));
      if (audit::IsClassified(delivery.judgment().classification())) {
        records.push_back(audit::NewRecord(caller_, pages_.log()->service(),
                                           "DispatchService/Subscribe",
                                           audit::DeliveryItem(delivery), decision, absl::Now()));
      }
      if (decision.ok()) visible.push_back(std::move(delivery));
    }
    if (auto step = pages_.StepAfterOffer<Step>(
            std::move(visible), std::move(records), buffer,
            [this](absl::Status kept) { OnAudited(std::move(kept)); })) {
      return *step;
    }
    // A whole page skipped is not the end of the inbox.
    return buffer.empty() ? Step::Again() : Step::Write();
  }

  void OnAudited(absl::Status kept) {
    {
      absl::MutexLock lock(&mutex_);
      pages_.Kept(std::move(kept));
    }
    Wake();
  }

  void StopListening() override {
    notifier_->Unlisten(token_);
    pages_.Close();
  }

  Inbox* const inbox_;
  InboxNotifier* const notifier_;
  const std::string unit_id_;
  const security::Principal caller_;
  using Pages = audit::AuditedPages<Delivery>;
  Pages pages_;  // under mutex_ (Close: from any thread)
  uint64_t token_ = 0;
  uint64_t last_seq_ ABSL_GUARDED_BY(mutex_);
};

// What a caller hears when a change has not been recorded within signoff_timeout (Kafka slow to
// acknowledge): it may still be, and a retry is safe (sign-offs and feedback are idempotent).
grpc::Status NotRecordedInTime() {
  return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                      "not recorded in time: Kafka has not acknowledged; it may still be "
                      "recorded, and a retry is safe");
}

}  // namespace

absl::StatusOr<security::Principal> DispatchServiceImpl::AuthorizeForUnit(
    const grpc::CallbackServerContext& context, const std::string& unit_id,
    UnitPolicy policy) const {
  auto caller = CallerOf(context);
  if (!caller.ok()) return caller.status();
  const RoutingTablePtr table = routing_->Current();
  const security::UnitBelow below = [&table](std::string_view unit, std::string_view ancestor) {
    return table->units().IsAtOrBelow(std::string(unit), std::string(ancestor));
  };
  if (absl::Status allowed = policy(*caller, unit_id, below); !allowed.ok()) {
    return allowed;
  }
  return caller;
}

absl::StatusOr<security::Principal> DispatchServiceImpl::UnitCaller(
    const grpc::CallbackServerContext& context, const google::protobuf::Message& request,
    const std::string& unit_id, UnitPolicy policy) const {
  if (absl::Status utf8 = CheckUtf8(request); !utf8.ok()) return utf8;
  if (absl::Status status = CheckUnit(unit_id); !status.ok()) return status;
  return AuthorizeForUnit(context, unit_id, policy);
}

absl::Status DispatchServiceImpl::CheckUnit(const std::string& unit_id) const {
  if (unit_id.empty()) return absl::InvalidArgumentError("unit_id: is required");
  if (routing_->Current()->units().Find(unit_id) == nullptr) {
    return absl::NotFoundError(absl::StrCat("unit_id: no unit '", unit_id, "'"));
  }
  return absl::OkStatus();
}

void DispatchServiceImpl::AdmitSignOff(const security::Principal& caller,
                                       const std::string& unit_id, uint64_t seq,
                                       std::string_view method, const DeadlineReplyPtr& reply,
                                       std::function<void()> then) {
  auto delivery = inbox_->Read(unit_id, seq);
  if (!delivery.ok()) return reply->Finish(ToGrpcStatus(delivery.status()));
  const absl::Status decision =
      security::CanSeeDelivered(caller, security::JudgmentLabels(delivery->judgment()));
  if (!audit::IsClassified(delivery->judgment().classification())) {
    if (!decision.ok()) return reply->Finish(ToGrpcStatus(decision));
    return then();
  }
  audit_->Record({audit::NewRecord(caller, audit_->service(), method,
                                   audit::DeliveryItem(*delivery), decision, absl::Now())},
                 [reply, decision, then = std::move(then)](absl::Status kept) {
                   reply->Run([&] {
                     if (!kept.ok()) {
                       return reply->Finish(ToGrpcStatus(absl::UnavailableError(absl::StrCat(
                           "the access record could not be kept, nothing was recorded; retry: ",
                           kept.message()))));
                     }
                     if (!decision.ok()) return reply->Finish(ToGrpcStatus(decision));
                     then();
                   });
                 });
}

void DispatchServiceImpl::AdmitSigner(const grpc::CallbackServerContext& context,
                                      const google::protobuf::Message& request,
                                      const std::string& unit_id, uint64_t seq,
                                      const Signer& signer, const absl::Status& fields,
                                      std::string_view method, const DeadlineReplyPtr& reply,
                                      std::function<void(const std::string& by)> then) {
  reply->Run([&] {
    const auto caller = UnitCaller(context, request, unit_id, signer.may);
    if (!caller.ok()) return reply->Finish(ToGrpcStatus(caller.status()));
    const std::string by = caller->unrestricted ? signer.requested : caller->id;
    absl::Status status;
    if (!signer.requested.empty() && by != signer.requested) {
      status = absl::PermissionDeniedError(
          absl::StrCat(signer.field, ": must be the caller (", by, ") or empty"));
    } else if (seq == 0) {
      status = absl::InvalidArgumentError("seq: must be 1 or more");
    } else if (!fields.ok()) {
      status = fields;
    } else if (by.empty() || by.size() > 128 || !domain::IsValidUtf8(by)) {
      status = absl::InvalidArgumentError(
          absl::StrCat(signer.field, ": 1-128 bytes of UTF-8 naming who ", signer.does));
    }
    if (!status.ok()) return reply->Finish(ToGrpcStatus(status));
    AdmitSignOff(*caller, unit_id, seq, method, reply, [then = std::move(then), by] { then(by); });
  });
}

void DispatchServiceImpl::EmitAsync(infobus::common::v1::DispatchEventType type,
                                    const Delivery& delivery, absl::Time at,
                                    std::function<void(absl::Status)> sent) {
  auto shared = std::make_shared<std::function<void(absl::Status)>>(std::move(sent));
  auto report = [shared](absl::Status status) {
    if (!status.ok()) {
      status = absl::UnavailableError(absl::StrCat(
          "the dispatch event could not be sent to Kafka, nothing was recorded; retry: ",
          status.message()));
    }
    (*shared)(std::move(status));
  };
  const absl::Status queued = producer_->ProduceAsync(
      DispatchEventMessage(events_topic_, MakeDispatchEvent(type, delivery, at), delivery), report);
  if (!queued.ok()) report(queued);
}

grpc::ServerWriteReactor<Delivery>* DispatchServiceImpl::Subscribe(
    grpc::CallbackServerContext* context, const infobus::dispatch::v1::SubscribeRequest* request) {
  auto caller = UnitCaller(*context, *request, request->unit_id());
  if (!caller.ok()) return new FailedStream<Delivery>(ToGrpcStatus(caller.status()));
  return new SubscribeReactor(inbox_, notifier_, request->unit_id(), request->after_seq(),
                              *std::move(caller), audit_, wake_executor_);
}

grpc::ServerUnaryReactor* DispatchServiceImpl::Acknowledge(
    grpc::CallbackServerContext* context, const infobus::dispatch::v1::AcknowledgeRequest* request,
    infobus::dispatch::v1::AcknowledgeResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  DeadlineReplyPtr reply = DeadlineReply::Start(reactor, signoff_timeout_, NotRecordedInTime());
  // Who signs off is who calls.
  AdmitSigner(*context, *request, request->unit_id(), request->seq(),
              {"acknowledged_by", request->acknowledged_by(), "signs off"}, absl::OkStatus(),
              "DispatchService/Acknowledge", reply,
              [this, reply, request, response](const std::string& by) {
                inbox_->AcknowledgeAsync(
                    request->unit_id(), request->seq(), by,
                    [this](const Delivery& after, std::function<void(absl::Status)> sent) {
                      EmitAsync(infobus::common::v1::DISPATCH_EVENT_TYPE_ACKNOWLEDGED, after,
                                FromProtoTimestamp(after.acknowledged_at()), std::move(sent));
                    },
                    [reply, response](absl::StatusOr<Inbox::AckResult> result) {
                      reply->Run([&] {
                        if (result.ok()) {
                          response->set_already_acknowledged(result->already_acknowledged);
                          if (!result->already_acknowledged) {
                            DispatchMetrics::Get().SignedOff(
                                result->delivery.unit_id(),
                                FromProtoTimestamp(result->delivery.acknowledged_at()) -
                                    FromProtoTimestamp(result->delivery.delivered_at()));
                          }
                          *response->mutable_acknowledged_at() = result->delivery.acknowledged_at();
                          response->set_acknowledged_by(result->delivery.acknowledged_by());
                        }
                        reply->Finish(ToGrpcStatus(result.status()));
                      });
                    });
              });
  return reactor;
}

grpc::ServerUnaryReactor* DispatchServiceImpl::Feedback(
    grpc::CallbackServerContext* context, const infobus::dispatch::v1::FeedbackRequest* request,
    infobus::dispatch::v1::FeedbackResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  DeadlineReplyPtr reply = DeadlineReply::Start(reactor, signoff_timeout_, NotRecordedInTime());
  AdmitSigner(*context, *request, request->unit_id(), request->seq(),
              {"given_by", request->given_by(), "reports"}, CheckOutcomeAndNote(*request),
              "DispatchService/Feedback", reply,
              [this, reply, request, response](const std::string& by) {
                infobus::common::v1::Feedback feedback;
                feedback.set_outcome(request->outcome());
                feedback.set_note(request->note());
                feedback.set_given_by(by);
                inbox_->RecordFeedbackAsync(
                    request->unit_id(), request->seq(), std::move(feedback),
                    [this](const Delivery& after, std::function<void(absl::Status)> sent) {
                      EmitAsync(infobus::common::v1::DISPATCH_EVENT_TYPE_FEEDBACK, after,
                                FromProtoTimestamp(after.feedback().given_at()), std::move(sent));
                    },
                    [reply, response](absl::StatusOr<Inbox::FeedbackResult> result) {
                      reply->Run([&] {
                        if (result.ok()) {
                          response->set_already_recorded(result->already_recorded);
                          *response->mutable_feedback() = result->delivery.feedback();
                        }
                        reply->Finish(ToGrpcStatus(result.status()));
                      });
                    });
              });
  return reactor;
}

grpc::ServerUnaryReactor* DispatchServiceImpl::Approve(
    grpc::CallbackServerContext* context, const infobus::dispatch::v1::ApproveRequest* request,
    infobus::dispatch::v1::ApproveResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  DeadlineReplyPtr reply = DeadlineReply::Start(reactor, signoff_timeout_, NotRecordedInTime());
  // Only a supervisor above the unit decides; recorded as the caller.
  AdmitSigner(*context, *request, request->unit_id(), request->seq(),
              {"decided_by", request->decided_by(), "approves", &security::CanApprove},
              CheckDecisionNote(request->note(), false), "DispatchService/Approve", reply,
              [this, reply, request, response](const std::string& by) {
                infobus::common::v1::Approval decision;
                decision.set_decided_by(by);
                decision.set_note(request->note());
                inbox_->ApproveAsync(
                    request->unit_id(), request->seq(), std::move(decision),
                    [this](const Delivery& after, std::function<void(absl::Status)> sent) {
                      EmitAsync(infobus::common::v1::DISPATCH_EVENT_TYPE_APPROVED, after,
                                FromProtoTimestamp(after.approval().decided_at()), std::move(sent));
                    },
                    [reply, response](absl::StatusOr<Inbox::ApproveResult> result) {
                      reply->Run([&] {
                        if (result.ok()) {
                          response->set_already_approved(result->already_approved);
                          *response->mutable_approval() = result->delivery.approval();
                        }
                        reply->Finish(ToGrpcStatus(result.status()));
                      });
                    });
              });
  return reactor;
}

grpc::ServerUnaryReactor* DispatchServiceImpl::SendBack(
    grpc::CallbackServerContext* context, const infobus::dispatch::v1::SendBackRequest* request,
    infobus::dispatch::v1::SendBackResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  DeadlineReplyPtr reply = DeadlineReply::Start(reactor, signoff_timeout_, NotRecordedInTime());
  AdmitSigner(*context, *request, request->unit_id(), request->seq(),
              {"decided_by", request->decided_by(), "sends back", &security::CanApprove},
              CheckDecisionNote(request->note(), true), "DispatchService/SendBack", reply,
              [this, reply, request, response](const std::string& by) {
                infobus::common::v1::Approval decision;
                decision.set_decided_by(by);
                decision.set_note(request->note());
                inbox_->SendBackAsync(
                    request->unit_id(), request->seq(), std::move(decision),
                    [this](const Delivery& after, std::function<void(absl::Status)> sent) {
                      EmitAsync(infobus::common::v1::DISPATCH_EVENT_TYPE_SENT_BACK, after,
                                FromProtoTimestamp(after.approval().decided_at()), std::move(sent));
                    },
                    [reply, response](absl::StatusOr<Inbox::SendBackResult> result) {
                      reply->Run([&] {
                        if (result.ok()) {
                          if (result->cleared_sign_off) {
                            DispatchMetrics::Get().Reopened(result->delivery.unit_id());
                          }
                          response->set_already_sent_back(result->already_sent_back);
                          *response->mutable_approval() = result->delivery.approval();
                          response->set_sent_back_count(result->delivery.sent_back_count());
                          if (result->delivery.has_deadline()) {
                            *response->mutable_deadline() = result->delivery.deadline();
                          }
                        }
                        reply->Finish(ToGrpcStatus(result.status()));
                      });
                    });
              });
  return reactor;
}

grpc::ServerUnaryReactor* DispatchServiceImpl::ListDeliveries(
    grpc::CallbackServerContext* context,
    const infobus::dispatch::v1::ListDeliveriesRequest* request,
    infobus::dispatch::v1::ListDeliveriesResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const auto caller = UnitCaller(*context, *request, request->unit_id());
  absl::Status status = caller.status();
  if (status.ok() && request->include_subordinates() && !caller->unrestricted &&
      !caller->Has(security::Role::kSupervisor)) {
    status = absl::PermissionDeniedError(
        absl::StrCat("caller ", caller->id, ": include_subordinates needs the supervisor role"));
  }
  Inbox::ListFilter filter;
  std::vector<audit::AuditRecord> records;
  uint64_t after_seq = 0;
  const size_t page_size = request->page_size() == 0 ? 100 : request->page_size();
  if (status.ok() && page_size > 1000) {
    status = absl::InvalidArgumentError("page_size: at most 1000");
  }
  if (status.ok() && !request->include_subordinates() && !request->page_token().empty() &&
      !absl::SimpleAtoi(request->page_token(), &after_seq)) {
    status = absl::InvalidArgumentError("page_token: not a token this service gave out");
  }
  for (int i = 0; status.ok() && i < request->statuses_size(); ++i) {
    const int value = request->statuses(i);
    if (value == infobus::common::v1::DELIVERY_STATUS_UNSPECIFIED ||
        !infobus::common::v1::DeliveryStatus_IsValid(value)) {
      status = absl::InvalidArgumentError(absl::StrCat("statuses[", i, "]: not a delivery status"));
    } else {
      filter.statuses.insert(static_cast<infobus::common::v1::DeliveryStatus>(value));
    }
  }
  if (status.ok()) {
    if (request->has_delivered_after()) {
      filter.delivered_after = FromProtoTimestamp(request->delivered_after());
    }
    if (request->has_delivered_before()) {
      filter.delivered_before = FromProtoTimestamp(request->delivered_before());
    }
    if (filter.delivered_before < filter.delivered_after) {
      status = absl::InvalidArgumentError("delivered_before: is before delivered_after");
    }
  }
  if (status.ok()) {
    // The units to list: the unit itself, then (for a supervisor's view) every unit below it.
    std::vector<std::string> units = {request->unit_id()};
    if (request->include_subordinates()) {
      const RoutingTablePtr table = routing_->Current();
      for (const Unit& unit : table->units().units()) {
        if (table->units().IsBelow(unit.id, request->unit_id())) units.push_back(unit.id);
      }
    }
    // The token is "<seq>", or "<unit index>:<seq>" with include_subordinates.
    size_t first_unit = 0;
    if (request->include_subordinates() && !request->page_token().empty()) {
      const std::string& token = request->page_token();
      const size_t colon = token.find(':');
      if (colon == std::string::npos || !absl::SimpleAtoi(token.substr(0, colon), &first_unit) ||
          !absl::SimpleAtoi(token.substr(colon + 1), &after_seq) || first_unit >= units.size()) {
        status = absl::InvalidArgumentError("page_token: not a token this service gave out");
      }
    }
    size_t scan_budget = 10 * 1000;
    for (size_t k = first_unit; status.ok() && k < units.size(); ++k, after_seq = 0) {
      const size_t room = page_size - static_cast<size_t>(response->deliveries_size());
      auto page = inbox_->List(units[k], filter, after_seq, room, scan_budget);
      status = page.status();
      if (!page.ok()) break;
      scan_budget -= std::min(scan_budget, page->scanned);
      for (Delivery& delivery : page->deliveries) {
        // Above the caller's clearance: left out (the page may come back short).
        const absl::Status visible =
            security::CanSeeDelivered(*caller, security::JudgmentLabels(delivery.judgment()));
        if (audit::IsClassified(delivery.judgment().classification())) {
          records.push_back(audit::NewRecord(*caller, audit_->service(),
                                             "DispatchService/ListDeliveries",
                                             audit::DeliveryItem(delivery), visible, absl::Now()));
        }
        if (visible.ok()) *response->add_deliveries() = std::move(delivery);
      }
      if (page->next_after_seq != 0) {
        response->set_next_page_token(request->include_subordinates()
                                          ? absl::StrCat(k, ":", page->next_after_seq)
                                          : absl::StrCat(page->next_after_seq));
        break;
      }
      if (static_cast<size_t>(response->deliveries_size()) >= page_size) {
        // Full exactly at the end of this unit: go on with the next one.
        if (k + 1 < units.size()) response->set_next_page_token(absl::StrCat(k + 1, ":0"));
        break;
      }
    }
  }
  audit::ReplyAudited(audit_, reactor, std::move(records), ToGrpcStatus(status));
  return reactor;
}

grpc::ServerUnaryReactor* DispatchServiceImpl::ListUnits(
    grpc::CallbackServerContext* context,
    const infobus::dispatch::v1::ListUnitsRequest* /*request*/,
    infobus::dispatch::v1::ListUnitsResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto caller = CallerOf(*context);
  absl::Status allowed = caller.ok() ? security::CanListUnits(*caller) : caller.status();
  if (!allowed.ok()) {
    reactor->Finish(ToGrpcStatus(allowed));
    return reactor;
  }
  const RoutingTablePtr table = routing_->Current();
  for (const Unit& unit : table->units().units()) {
    auto* out = response->add_units();
    out->set_unit_id(unit.id);
    out->set_name(unit.name);
    for (const std::string& code : unit.jurisdictions) out->add_jurisdiction_codes(code);
    out->set_supervisor_unit_id(unit.supervisor);
    if (unit.duty_hours) out->set_duty_hours(unit.duty_hours->text);
    out->set_clearance(unit.clearance);
    for (const std::string& compartment : unit.compartments) out->add_compartments(compartment);
  }
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* DispatchServiceImpl::ReloadRouting(
    grpc::CallbackServerContext* context,
    const infobus::dispatch::v1::ReloadRoutingRequest* /*request*/,
    infobus::dispatch::v1::ReloadRoutingResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  DeadlineReplyPtr reply = DeadlineReply::Start(reactor, signoff_timeout_, NotRecordedInTime());
  audit::AdmitChangeThen(
      audit_, *context, reply, "DispatchService/ReloadRouting", {"routing", "", {}},
      [](const security::Principal& p) {
        return security::CanAdminister(p, security::AdminAction::kRouting);
      },
      "",
      [this, reply, response](const security::Principal&) {
        // A stat and a small file read: quick enough for the record's delivery thread.
        auto result = routing_->Reload();
        if (result.ok()) {
          response->set_changed(result->changed);
          response->set_units(static_cast<uint32_t>(result->table->units().units().size()));
          response->set_routes(static_cast<uint32_t>(result->table->routes().size()));
        }
        reply->Finish(ToGrpcStatus(result.status()));
      });
  return reactor;
}

}  // namespace infobus::dispatch
