#include "services/supervision/supervision_service.h"

#include <set>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/audit/audited_reply.h"
#include "common/domain/jurisdiction.h"
#include "common/grpc/caller.h"
#include "common/grpc/lenient_parse.h"
#include "common/grpc/status.h"
#include "common/security/policy.h"
#include "common/util/time.h"

namespace infobus::supervision {
namespace {

using infobus::supervision::v1::TraceResponse;

constexpr char kTraceMethod[] = "SupervisionService/Trace";
constexpr char kReportMethod[] = "SupervisionService/Report";

security::Labels EventLabels(const v1::CollectedEvent& event) {
  security::Labels labels;
  labels.classification = event.classification();
  labels.compartments.insert(event.compartments().begin(), event.compartments().end());
  labels.jurisdiction_code = event.jurisdiction_code();
  return labels;
}

security::Labels JudgmentLabels(const v1::JudgmentTrace& judgment) {
  security::Labels labels;
  labels.classification = judgment.classification();
  labels.compartments.insert(judgment.compartments().begin(), judgment.compartments().end());
  labels.jurisdiction_code = judgment.jurisdiction_code();
  return labels;
}

// Whether `caller` may see `judgment`: a judgment known only from dispatch facts has no labels
// yet, so only an unrestricted caller sees it.
absl::Status CanSeeJudgment(const security::Principal& caller, const v1::JudgmentTrace& judgment) {
  if (judgment.state() == v1::JUDGMENT_STATE_UNSPECIFIED && !caller.unrestricted) {
    return absl::PermissionDeniedError(
        absl::StrCat("caller ", caller.Describe(), ": judgment ", judgment.judgment_id(),
                     " not seen yet, so who may see it is not known"));
  }
  return security::CanSee(caller, JudgmentLabels(judgment));
}

// Who saw an item is for supervisors, and only of the items `kept` holds for them; an event
// collection rejected (a trace of nothing but its REJECTED record) by the record's own labels,
// refused as unseen to a caller who may not see it.
absl::Status FilterAccesses(const security::Principal& caller, const std::string& service,
                            const TraceResponse& response, TraceResponse* kept,
                            std::vector<audit::AuditRecord>* records) {
  const bool rejected_only = response.events_size() == 0 && response.judgments_size() == 0;
  const bool supervises = security::CanSupervise(caller).ok();
  std::set<std::string> items;  // "e<source>\x1f<event>", "j<judgment>"
  for (const v1::CollectedEvent& event : kept->events()) {
    items.insert(absl::StrCat("e", event.source_id(), "\x1f", event.event_id()));
  }
  for (const v1::JudgmentTrace& judgment : kept->judgments()) {
    items.insert(absl::StrCat("j", judgment.judgment_id()));
  }
  bool rejection_visible = false;
  for (const audit::AuditRecord& access : response.accesses()) {
    bool shown = access.judgment_id().empty()
                     ? items.count(absl::StrCat("e", access.event_source_id(), "\x1f",
                                                access.event_id())) > 0
                     : items.count(absl::StrCat("j", access.judgment_id())) > 0;
    if (rejected_only && access.decision() == infobus::common::v1::AUDIT_DECISION_REJECTED) {
      security::Labels labels;
      labels.classification = access.item_classification();
      labels.compartments.insert(access.item_compartments().begin(),
                                 access.item_compartments().end());
      labels.jurisdiction_code = access.county_code();
      const absl::Status visible = security::CanSee(caller, labels);
      if (audit::IsClassified(access.item_classification())) {
        audit::Item item{access.item_kind(), access.item_id(), access.item_classification()};
        item.event_source_id = access.event_source_id();
        item.event_id = access.event_id();
        item.county_code = access.county_code();
        item.compartments = {labels.compartments.begin(), labels.compartments.end()};
        records->push_back(
            audit::NewRecord(caller, service, kTraceMethod, item, visible, absl::Now()));
      }
      shown = visible.ok();
      rejection_visible = rejection_visible || shown;
    }
    if (shown && supervises) *kept->add_accesses() = access;
  }
  if (rejected_only && !rejection_visible) {
    return absl::NotFoundError("event: not seen by supervision (yet)");
  }
  if (supervises) kept->set_accesses_not_shown(response.accesses_not_shown());
  return absl::OkStatus();
}

// Keeps of `response` what `caller` may see, and the access records of what it decided on
// classified items. The item asked for (the first event, or the judgment asked for) refused
// refuses the call.
absl::Status FilterTrace(const security::Principal& caller, const std::string& service,
                         bool by_judgment, TraceResponse* response,
                         std::vector<audit::AuditRecord>* records) {
  const absl::Time now = absl::Now();
  absl::Status asked = absl::OkStatus();
  TraceResponse kept;
  for (int i = 0; i < response->events_size(); ++i) {
    const v1::CollectedEvent& event = response->events(i);
    const absl::Status visible = security::CanSee(caller, EventLabels(event));
    if (audit::IsClassified(event.classification())) {
      audit::Item item{"event", absl::StrCat(event.source_id(), "/", event.event_id()),
                       event.classification()};
      item.event_source_id = event.source_id();
      item.event_id = event.event_id();
      item.county_code = event.county_code();
      item.compartments.assign(event.compartments().begin(), event.compartments().end());
      records->push_back(audit::NewRecord(caller, service, kTraceMethod, item, visible, now));
    }
    if (visible.ok()) {
      *kept.add_events() = event;
    } else if (i == 0 && !by_judgment) {
      asked = visible;
    }
  }
  for (int i = 0; i < response->judgments_size(); ++i) {
    const v1::JudgmentTrace& judgment = response->judgments(i);
    const absl::Status visible = CanSeeJudgment(caller, judgment);
    if (audit::IsClassified(judgment.classification())) {
      audit::Item item{"judgment", judgment.judgment_id(), judgment.classification()};
      item.judgment_id = judgment.judgment_id();
      item.compartments.assign(judgment.compartments().begin(), judgment.compartments().end());
      records->push_back(audit::NewRecord(caller, service, kTraceMethod, item, visible, now));
    }
    if (visible.ok()) {
      *kept.add_judgments() = judgment;
    } else if (by_judgment) {
      asked = visible;
    }
  }
  *kept.mutable_missing() = response->missing();
  if (!asked.ok()) return asked;
  if (absl::Status accesses = FilterAccesses(caller, service, *response, &kept, records);
      !accesses.ok()) {
    return accesses;
  }
  *response = std::move(kept);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<security::Principal> SupervisionServiceImpl::Authorized(
    const grpc::CallbackServerContext& context, const google::protobuf::Message& request,
    absl::Status (*may)(const security::Principal&)) const {
  if (absl::Status utf8 = CheckUtf8(request); !utf8.ok()) return utf8;
  auto caller = CallerOf(context);
  if (!caller.ok()) return caller.status();
  if (absl::Status allowed = may(*caller); !allowed.ok()) return allowed;
  return caller;
}

grpc::ServerUnaryReactor* SupervisionServiceImpl::Trace(grpc::CallbackServerContext* context,
                                                        const v1::TraceRequest* request,
                                                        TraceResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto caller = Authorized(*context, *request, security::CanTrace);
  if (!caller.ok()) {
    reactor->Finish(ToGrpcStatus(caller.status()));
    return reactor;
  }
  // The records may lie with the peers: asked off the callback thread.
  trace_executor_->Post([this, reactor, response, caller = *std::move(caller),
                         request = *request]() {
    std::vector<audit::AuditRecord> records;
    auto trace = AssembleTrace(request, absl::Now(), [this](const v1::LocalTraceRequest& asked) {
      return fan_out_->Pieces(asked);
    });
    absl::Status status = trace.status();
    if (trace.ok()) {
      status = FilterTrace(caller, audit_->service(),
                           request.item_case() == v1::TraceRequest::kJudgmentId, &*trace, &records);
      if (status.ok()) *response = std::move(*trace);
    }
    audit::ReplyAudited(audit_, reactor, std::move(records), ToGrpcStatus(status));
  });
  return reactor;
}

absl::StatusOr<ReportScope> SupervisionServiceImpl::ScopeOf(
    const security::Principal& caller, const v1::ReportRequest& request,
    const dispatch::RoutingTable& table) const {
  ReportScope scope;
  scope.clearance = caller.clearance;
  scope.compartments = caller.compartments;
  scope.any_clearance = caller.unrestricted;
  const dispatch::UnitDirectory& units = table.units();
  auto below = [&units](std::string_view unit_id, std::string_view ancestor) {
    return units.IsAtOrBelow(std::string(unit_id), std::string(ancestor));
  };
  // Units whose jurisdictions all lie under one of `prefixes`.
  auto units_under = [&units](const std::vector<std::string>& prefixes) {
    std::set<std::string> found;
    for (const dispatch::Unit& unit : units.units()) {
      for (const std::string& code : unit.jurisdictions) {
        for (const std::string& prefix : prefixes) {
          if (absl::StartsWith(code, prefix)) found.insert(unit.id);
        }
      }
    }
    return found;
  };
  if (!request.jurisdiction_prefix().empty() && !request.unit_id().empty()) {
    return absl::InvalidArgumentError("unit_id: give a unit or a jurisdiction_prefix, not both");
  }
  if (request.include_subordinates() && request.unit_id().empty()) {
    return absl::InvalidArgumentError("include_subordinates: needs unit_id");
  }
  if (!request.unit_id().empty()) {
    const dispatch::Unit* unit = units.Find(request.unit_id());
    if (unit == nullptr) {
      return absl::NotFoundError(absl::StrCat("unit_id: no unit '", request.unit_id(), "'"));
    }
    if (absl::Status allowed = security::CanReportOn(caller, "", request.unit_id(), below);
        !allowed.ok()) {
      return allowed;
    }
    scope.units.insert(unit->id);
    scope.jurisdictions = unit->jurisdictions;
    if (request.include_subordinates()) {
      for (const dispatch::Unit& other : units.units()) {
        if (other.id != unit->id && below(other.id, unit->id)) {
          scope.units.insert(other.id);
          scope.jurisdictions.insert(scope.jurisdictions.end(), other.jurisdictions.begin(),
                                     other.jurisdictions.end());
        }
      }
    }
    return scope;
  }
  if (!request.jurisdiction_prefix().empty()) {
    if (absl::Status valid = domain::ValidateJurisdictionPrefix(request.jurisdiction_prefix());
        !valid.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("jurisdiction_prefix: ", valid.message()));
    }
    if (absl::Status allowed =
            security::CanReportOn(caller, request.jurisdiction_prefix(), "", below);
        !allowed.ok()) {
      return allowed;
    }
    scope.jurisdictions = {request.jurisdiction_prefix()};
    scope.units = units_under(scope.jurisdictions);
    return scope;
  }
  // No scope: everything the caller may see.
  if (caller.unrestricted) {
    scope.all_jurisdictions = true;
    scope.all_units = true;
    return scope;
  }
  scope.jurisdictions = caller.jurisdictions;
  scope.units = units_under(caller.jurisdictions);
  return scope;
}

grpc::ServerUnaryReactor* SupervisionServiceImpl::Report(grpc::CallbackServerContext* context,
                                                         const v1::ReportRequest* request,
                                                         v1::ReportResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto caller = Authorized(*context, *request, security::CanSupervise);
  absl::Status status = caller.status();
  absl::StatusOr<ReportScope> scope = absl::UnknownError("unset");
  absl::StatusOr<Period> period = absl::UnknownError("unset");
  // One routing table for the whole call: its units (the scope) and its local time (the period).
  const dispatch::RoutingTablePtr table = routing_->Current();
  const absl::TimeZone zone = table->time_zone();
  if (status.ok()) {
    scope = ScopeOf(*caller, *request, *table);
    status = scope.status();
  }
  if (status.ok()) {
    period = PeriodOf(*request, zone);
    status = period.status();
  }
  if (!status.ok()) {
    reactor->Finish(ToGrpcStatus(status));
    return reactor;
  }
  // The scan may take a while over a long period: off the callback thread.
  report_executor_->Post([this, reactor, response, zone, caller = *std::move(caller),
                          scope = *std::move(scope), period = *period,
                          what =
                              absl::StrCat(request->period(), "/", request->jurisdiction_prefix(),
                                           request->unit_id())]() mutable {
    ReportBuilder builder(std::move(scope));
    absl::Status scanned = fan_out_->ScanTallies(period, &builder);
    if (scanned.ok()) {
      *response = builder.Finish();
      *response->mutable_since() = ToProtoTimestamp(period.since);
      *response->mutable_until() = ToProtoTimestamp(period.until);
      response->set_utc_offset(absl::FormatTime("%Ez", period.since, zone));
    }
    std::vector<audit::AuditRecord> records;
    records.push_back(audit::NewRecord(caller, audit_->service(), kReportMethod,
                                       {"report", what, caller.clearance}, scanned, absl::Now()));
    audit::ReplyAudited(audit_, reactor, std::move(records), ToGrpcStatus(scanned));
  });
  return reactor;
}

absl::Status IsSupervisionPeer(const security::Principal& caller) {
  if (caller.unrestricted) return absl::OkStatus();
  if (caller.authenticated_by_certificate && caller.Has(security::Role::kService) &&
      caller.id == "supervision") {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(absl::StrCat(
      "caller ", caller.Describe(), ": only supervision's own instances may ask for its records"));
}

namespace {

// The caller, when it is a supervision instance and `request` is valid UTF-8.
absl::StatusOr<security::Principal> PeerOf(const grpc::CallbackServerContext& context,
                                           const google::protobuf::Message& request) {
  if (absl::Status utf8 = CheckUtf8(request); !utf8.ok()) return utf8;
  auto caller = CallerOf(context);
  if (!caller.ok()) return caller.status();
  if (absl::Status allowed = IsSupervisionPeer(*caller); !allowed.ok()) return allowed;
  return caller;
}

}  // namespace

grpc::ServerUnaryReactor* SupervisionPeerServiceImpl::LocalTrace(
    grpc::CallbackServerContext* context, const v1::LocalTraceRequest* request,
    v1::LocalTraceResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto caller = PeerOf(*context, *request);
  if (!caller.ok()) {
    reactor->Finish(ToGrpcStatus(caller.status()));
    return reactor;
  }
  const std::vector<int32_t> partitions = owned_->Ready();
  auto pieces = reader_->Pieces(*request, partitions);
  if (pieces.ok()) {
    *response = std::move(*pieces);
    for (const int32_t partition : partitions) response->add_partitions(partition);
  }
  reactor->Finish(ToGrpcStatus(pieces.status()));
  return reactor;
}

grpc::ServerUnaryReactor* SupervisionPeerServiceImpl::LocalReport(
    grpc::CallbackServerContext* context, const v1::LocalReportRequest* request,
    v1::LocalReportResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto caller = PeerOf(*context, *request);
  if (!caller.ok()) {
    reactor->Finish(ToGrpcStatus(caller.status()));
    return reactor;
  }
  const Period period{FromProtoTimestamp(request->since()), FromProtoTimestamp(request->until())};
  local_executor_->Post([this, reactor, response, period] {
    const std::vector<int32_t> partitions = owned_->Ready();
    auto sums = reader_->SumTallies(period, partitions);
    if (sums.ok()) {
      *response = std::move(*sums);
      for (const int32_t partition : partitions) response->add_partitions(partition);
    }
    reactor->Finish(ToGrpcStatus(sums.status()));
  });
  return reactor;
}

}  // namespace infobus::supervision
