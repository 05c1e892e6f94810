#include "services/supervision/ledger_reader.h"

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/util/time.h"
#include "services/supervision/contributions.h"
#include "services/supervision/ledger.h"
#include "services/supervision/tally_key.h"
#include "services/supervision/trace_builder.h"

namespace infobus::supervision {
namespace {

using infobus::supervision::v1::TraceResponse;

constexpr char kSeparator = '\x1f';

}  // namespace

template <typename Record>
absl::StatusOr<std::optional<Record>> LedgerReader::Get(const char* family,
                                                        const std::string& key) const {
  return ParseStored<Record>(family, key, store_->Get(family, key));
}

absl::StatusOr<std::optional<v1::JudgmentTrace>> LedgerReader::TraceJudgment(
    const std::string& judgment_id, absl::Time now) const {
  auto record = Get<storage::v1::JudgmentRecord>(Families::kJudgments, judgment_id);
  if (!record.ok()) return record.status();
  std::vector<storage::v1::DeliveryRecord> deliveries;
  const std::string prefix = absl::StrCat(judgment_id, std::string(1, kSeparator));
  auto it = store_->NewIterator(Families::kDeliveries);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    storage::v1::DeliveryRecord delivery;
    if (!delivery.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError(
          absl::StrCat("delivery record '", it->key().ToString(), "' does not parse"));
    }
    deliveries.push_back(std::move(delivery));
  }
  if (!it->status().ok()) return absl::InternalError(it->status().ToString());
  if (!record->has_value() && deliveries.empty()) return std::nullopt;
  std::map<std::string, storage::v1::EventRecord> evidence;
  if (record->has_value()) {
    for (const infobus::common::v1::Evidence& item : (*record)->judgment().evidence()) {
      const std::string key = EventKey(item.source_id(), item.event_id());
      auto event = Get<storage::v1::EventRecord>(Families::kEvents, key);
      if (!event.ok()) return event.status();
      if (event->has_value()) evidence.emplace(key, **event);
    }
  }
  return BuildJudgmentTrace(judgment_id, record->has_value() ? &**record : nullptr, deliveries,
                            evidence, now);
}

absl::Status LedgerReader::TraceEvent(const std::string& event_key, absl::Time now,
                                      TraceResponse* response) const {
  auto event = Get<storage::v1::EventRecord>(Families::kEvents, event_key);
  if (!event.ok()) return event.status();
  const size_t cut = event_key.find(kSeparator);
  const std::string source_id = event_key.substr(0, cut);
  const std::string event_id = cut == std::string::npos ? "" : event_key.substr(cut + 1);
  if (!event->has_value()) {
    return absl::NotFoundError(
        absl::StrCat("event ", source_id, "/", event_id, ": not seen by supervision (yet)"));
  }
  std::vector<std::string> judgment_ids;
  const std::string prefix = absl::StrCat(event_key, std::string(1, kSeparator));
  auto it = store_->NewIterator(Families::kEventJudgments);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    judgment_ids.push_back(it->key().ToString().substr(prefix.size()));
  }
  if (!it->status().ok()) return absl::InternalError(it->status().ToString());
  *response->add_events() = ToCollectedEvent(source_id, event_id, **event, !judgment_ids.empty());
  if (judgment_ids.empty()) response->add_missing("collected, not judged");
  for (const std::string& id : judgment_ids) {
    auto trace = TraceJudgment(id, now);
    if (!trace.ok()) return trace.status();
    if (trace->has_value()) *response->add_judgments() = std::move(**trace);
  }
  return absl::OkStatus();
}

absl::Status LedgerReader::AddAccesses(const std::string& prefix, TraceResponse* response) const {
  auto it = store_->NewIterator(Families::kAccesses);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (!response->add_accesses()->ParseFromArray(it->value().data(),
                                                  static_cast<int>(it->value().size()))) {
      return absl::DataLossError(
          absl::StrCat("access record '", absl::CEscape(it->key().ToString()), "' does not parse"));
    }
  }
  if (!it->status().ok()) return absl::InternalError(it->status().ToString());
  return absl::OkStatus();
}

absl::StatusOr<TraceResponse> LedgerReader::Trace(const v1::TraceRequest& request,
                                                  absl::Time now) const {
  auto response = TraceItems(request, now);
  if (absl::IsNotFound(response.status()) && request.item_case() == v1::TraceRequest::kEvent) {
    // An event collection rejected reached no topic; its REJECTED record says why.
    TraceResponse rejected;
    if (absl::Status status = AddAccesses(
            EventAccessPrefix(EventKey(request.event().source_id(), request.event().event_id())),
            &rejected);
        !status.ok()) {
      return status;
    }
    for (const infobus::common::v1::AuditRecord& record : rejected.accesses()) {
      if (record.decision() == infobus::common::v1::AUDIT_DECISION_REJECTED) {
        rejected.add_missing(
            absl::StrCat("event not seen: collection rejected it (", record.reason(), ")"));
      }
    }
    if (rejected.missing_size() == 0) return response.status();
    return rejected;
  }
  if (!response.ok()) return response;
  std::set<std::string> prefixes;
  for (const v1::CollectedEvent& event : response->events()) {
    prefixes.insert(EventAccessPrefix(EventKey(event.source_id(), event.event_id())));
  }
  for (const v1::JudgmentTrace& judgment : response->judgments()) {
    prefixes.insert(JudgmentAccessPrefix(judgment.judgment_id()));
  }
  for (const std::string& prefix : prefixes) {
    if (absl::Status status = AddAccesses(prefix, &*response); !status.ok()) return status;
  }
  auto& accesses = *response->mutable_accesses();
  std::sort(
      accesses.begin(), accesses.end(),
      [](const infobus::common::v1::AuditRecord& a, const infobus::common::v1::AuditRecord& b) {
        const absl::Time at_a = FromProtoTimestamp(a.at());
        const absl::Time at_b = FromProtoTimestamp(b.at());
        return at_a != at_b ? at_a < at_b : a.audit_id() < b.audit_id();
      });
  if (accesses.size() > kMaxAccesses) {
    const int older = accesses.size() - kMaxAccesses;
    accesses.DeleteSubrange(0, older);
    response->set_accesses_not_shown(older);
  }
  return response;
}

absl::StatusOr<TraceResponse> LedgerReader::TraceItems(const v1::TraceRequest& request,
                                                       absl::Time now) const {
  TraceResponse response;
  switch (request.item_case()) {
    case v1::TraceRequest::kEvent: {
      if (request.event().source_id().empty()) {
        return absl::InvalidArgumentError("event.source_id: is required");
      }
      if (request.event().event_id().empty()) {
        return absl::InvalidArgumentError("event.event_id: is required");
      }
      const std::string key = EventKey(request.event().source_id(), request.event().event_id());
      if (absl::Status status = TraceEvent(key, now, &response); !status.ok()) return status;
      return response;
    }
    case v1::TraceRequest::kTraceId: {
      if (request.trace_id().empty()) return absl::InvalidArgumentError("trace_id: is empty");
      auto key = store_->Get(Families::kTraces, request.trace_id());
      if (!key.ok()) return key.status();
      if (!key->has_value()) {
        return absl::NotFoundError(
            absl::StrCat("trace_id: no event with trace id '", request.trace_id(), "' seen (yet)"));
      }
      if (absl::Status status = TraceEvent(**key, now, &response); !status.ok()) return status;
      return response;
    }
    case v1::TraceRequest::kJudgmentId: {
      if (request.judgment_id().empty()) {
        return absl::InvalidArgumentError("judgment_id: is empty");
      }
      auto trace = TraceJudgment(request.judgment_id(), now);
      if (!trace.ok()) return trace.status();
      if (!trace->has_value()) {
        return absl::NotFoundError(absl::StrCat("judgment_id: nothing of judgment '",
                                                request.judgment_id(), "' seen (yet)"));
      }
      for (const infobus::common::v1::Evidence& item : (*trace)->evidence()) {
        auto event = Get<storage::v1::EventRecord>(Families::kEvents,
                                                   EventKey(item.source_id(), item.event_id()));
        if (!event.ok()) return event.status();
        if (event->has_value()) {
          *response.add_events() =
              ToCollectedEvent(item.source_id(), item.event_id(), **event, true);
        }
      }
      *response.add_judgments() = std::move(**trace);
      return response;
    }
    case v1::TraceRequest::ITEM_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("item: give event, trace_id or judgment_id");
}

absl::Status LedgerReader::ScanRange(const char* family, int64_t first_hour, int64_t end_hour,
                                     ReportBuilder* builder) const {
  if (first_hour >= end_hour) return absl::OkStatus();
  const std::string first = HourPrefix(first_hour);
  const std::string end = HourPrefix(end_hour);
  auto it = store_->NewIterator(family);
  storage::v1::Tally tally;  // reused: a month has millions of tallies
  for (it->Seek(first); it->Valid() && it->key().compare(end) < 0; it->Next()) {
    auto key = TallyKeyView::Decode(std::string_view(it->key().data(), it->key().size()));
    tally.Clear();
    if (!key.ok() ||
        !tally.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError(
          absl::StrCat("tally '", absl::CEscape(it->key().ToString()), "' does not parse"));
    }
    if (IsEmpty(tally)) continue;  // its deltas summed to nothing (tally_add_operator.h)
    builder->Add(*key, tally);
  }
  if (!it->status().ok()) return absl::InternalError(it->status().ToString());
  return absl::OkStatus();
}

absl::Status LedgerReader::ScanTallies(const Period& period, ReportBuilder* builder) const {
  const int64_t first = HourOf(period.since);
  const int64_t end = HourOf(period.until);
  // The whole UTC days inside the period from the day roll-up, the hours before and after them
  // from the hourly tallies.
  const int64_t first_day = DayStartHour(first) == first ? first : DayStartHour(first) + 24;
  const int64_t end_day = DayStartHour(end);
  if (first_day >= end_day) return ScanRange(Families::kTallies, first, end, builder);
  if (absl::Status status = ScanRange(Families::kTallies, first, first_day, builder);
      !status.ok()) {
    return status;
  }
  if (absl::Status status = ScanRange(Families::kDailyTallies, first_day, end_day, builder);
      !status.ok()) {
    return status;
  }
  return ScanRange(Families::kTallies, end_day, end, builder);
}

}  // namespace infobus::supervision
