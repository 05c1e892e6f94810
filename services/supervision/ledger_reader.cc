#include "services/supervision/ledger_reader.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/util/time.h"
#include "services/supervision/contributions.h"
#include "services/supervision/ledger.h"
#include "services/supervision/tally_key.h"
#include "services/supervision/trace_builder.h"

namespace infobus::supervision {
namespace {

using infobus::supervision::v1::LocalReportResponse;
using infobus::supervision::v1::LocalTraceRequest;
using infobus::supervision::v1::LocalTraceResponse;
using infobus::supervision::v1::TraceResponse;

constexpr char kSeparator = '\x1f';

std::string KeyOf(const v1::EventRef& event) {
  return EventKey(event.source_id(), event.event_id());
}

v1::EventRef RefOf(std::string_view event_key) {
  v1::EventRef ref;
  const size_t cut = event_key.find(kSeparator);
  ref.set_source_id(std::string(event_key.substr(0, cut)));
  if (cut != std::string_view::npos) ref.set_event_id(std::string(event_key.substr(cut + 1)));
  return ref;
}

template <typename Record>
absl::StatusOr<std::optional<Record>> Get(const Store& store, const char* family,
                                          const std::string& key) {
  return ParseStored<Record>(family, key, store.Get(family, key));
}

// The judgments `ids` (in that order) with their deliveries and evidence events, as far as any
// of it is known; and the evidence events seen, by EventKey.
absl::Status TraceJudgments(const std::vector<std::string>& ids, absl::Time now,
                            const FetchPieces& fetch, std::vector<v1::JudgmentTrace>* traces,
                            std::map<std::string, storage::v1::EventRecord>* evidence) {
  LocalTraceRequest asked;
  for (const std::string& id : ids) asked.add_judgment_ids(id);
  auto pieces = fetch(asked);
  if (!pieces.ok()) return pieces.status();
  std::map<std::string, const storage::v1::JudgmentRecord*> records;
  for (const auto& judgment : pieces->judgments()) {
    records[judgment.judgment_id()] = &judgment.record();
  }
  // Deliveries in delivery-id order, as one partition's prefix scan reads them.
  std::map<std::string, std::map<std::string, const storage::v1::DeliveryRecord*>> deliveries;
  for (const auto& delivery : pieces->deliveries()) {
    deliveries[delivery.judgment_id()][delivery.delivery_id()] = &delivery.record();
  }
  LocalTraceRequest events;
  std::set<std::string> wanted;
  for (const auto& [id, record] : records) {
    for (const infobus::common::v1::Evidence& item : record->judgment().evidence()) {
      if (wanted.insert(EventKey(item.source_id(), item.event_id())).second) {
        v1::EventRef* ref = events.add_events();
        ref->set_source_id(item.source_id());
        ref->set_event_id(item.event_id());
      }
    }
  }
  if (events.events_size() > 0) {
    auto found = fetch(events);
    if (!found.ok()) return found.status();
    for (const auto& event : found->events()) {
      evidence->emplace(EventKey(event.source_id(), event.event_id()), event.record());
    }
  }
  for (const std::string& id : ids) {
    auto record = records.find(id);
    auto delivered = deliveries.find(id);
    if (record == records.end() && delivered == deliveries.end()) continue;
    std::vector<storage::v1::DeliveryRecord> its_deliveries;
    if (delivered != deliveries.end()) {
      for (const auto& [delivery_id, delivery] : delivered->second) {
        its_deliveries.push_back(*delivery);
      }
    }
    std::map<std::string, storage::v1::EventRecord> its_evidence;
    if (record != records.end()) {
      for (const infobus::common::v1::Evidence& item : record->second->judgment().evidence()) {
        const std::string key = EventKey(item.source_id(), item.event_id());
        if (auto it = evidence->find(key); it != evidence->end())
          its_evidence.emplace(key, it->second);
      }
    }
    traces->push_back(BuildJudgmentTrace(id, record != records.end() ? record->second : nullptr,
                                         its_deliveries, its_evidence, now));
  }
  return absl::OkStatus();
}

// The trace of the event `ref`.
absl::Status TraceEvent(const v1::EventRef& ref, absl::Time now, const FetchPieces& fetch,
                        TraceResponse* response) {
  LocalTraceRequest asked;
  *asked.add_events() = ref;
  auto pieces = fetch(asked);
  if (!pieces.ok()) return pieces.status();
  const std::string key = KeyOf(ref);
  const storage::v1::EventRecord* event = nullptr;
  for (const auto& stored : pieces->events()) {
    if (EventKey(stored.source_id(), stored.event_id()) == key) event = &stored.record();
  }
  if (event == nullptr) {
    return absl::NotFoundError(absl::StrCat("event ", ref.source_id(), "/", ref.event_id(),
                                            ": not seen by supervision (yet)"));
  }
  std::set<std::string> ids;  // in judgment-id order, as a prefix scan reads them
  for (const auto& link : pieces->links()) {
    if (KeyOf(link.event()) == key) ids.insert(link.judgment_id());
  }
  *response->add_events() = ToCollectedEvent(ref.source_id(), ref.event_id(), *event, !ids.empty());
  if (ids.empty()) response->add_missing("collected, not judged");
  std::vector<v1::JudgmentTrace> traces;
  std::map<std::string, storage::v1::EventRecord> evidence;
  if (absl::Status status =
          TraceJudgments({ids.begin(), ids.end()}, now, fetch, &traces, &evidence);
      !status.ok()) {
    return status;
  }
  for (v1::JudgmentTrace& trace : traces) *response->add_judgments() = std::move(trace);
  return absl::OkStatus();
}

// Who saw the trace's items: `accesses` (as fetched, maybe more than once) in time order, once
// each, the newest kMaxTraceAccesses.
void AddAccesses(std::vector<infobus::common::v1::AuditRecord> accesses, TraceResponse* response) {
  auto at = [](const infobus::common::v1::AuditRecord& a) { return FromProtoTimestamp(a.at()); };
  std::sort(accesses.begin(), accesses.end(), [&at](const auto& a, const auto& b) {
    return at(a) != at(b) ? at(a) < at(b) : a.audit_id() < b.audit_id();
  });
  accesses.erase(
      std::unique(accesses.begin(), accesses.end(),
                  [](const auto& a, const auto& b) { return a.audit_id() == b.audit_id(); }),
      accesses.end());
  const size_t older =
      accesses.size() > kMaxTraceAccesses ? accesses.size() - kMaxTraceAccesses : 0;
  for (size_t i = older; i < accesses.size(); ++i) {
    *response->add_accesses() = std::move(accesses[i]);
  }
  response->set_accesses_not_shown(static_cast<int64_t>(older));
}

absl::StatusOr<TraceResponse> AssembleItems(const v1::TraceRequest& request, absl::Time now,
                                            const FetchPieces& fetch);

}  // namespace

absl::StatusOr<TraceResponse> AssembleTrace(const v1::TraceRequest& request, absl::Time now,
                                            const FetchPieces& fetch) {
  std::vector<infobus::common::v1::AuditRecord> accesses;
  const FetchPieces collecting = [&fetch, &accesses](const LocalTraceRequest& asked) {
    auto pieces = fetch(asked);
    if (pieces.ok())
      accesses.insert(accesses.end(), pieces->accesses().begin(), pieces->accesses().end());
    return pieces;
  };
  auto response = AssembleItems(request, now, collecting);
  if (absl::IsNotFound(response.status()) && request.item_case() == v1::TraceRequest::kEvent) {
    // An event collection rejected reached no topic; its REJECTED record says why.
    TraceResponse rejected;
    for (const infobus::common::v1::AuditRecord& access : accesses) {
      if (access.decision() == infobus::common::v1::AUDIT_DECISION_REJECTED) {
        rejected.add_missing(
            absl::StrCat("event not seen: collection rejected it (", access.reason(), ")"));
      }
    }
    if (rejected.missing_size() == 0) return response.status();
    AddAccesses(std::move(accesses), &rejected);
    return rejected;
  }
  if (!response.ok()) return response;
  AddAccesses(std::move(accesses), &*response);
  return response;
}

namespace {

absl::StatusOr<TraceResponse> AssembleItems(const v1::TraceRequest& request, absl::Time now,
                                            const FetchPieces& fetch) {
  TraceResponse response;
  switch (request.item_case()) {
    case v1::TraceRequest::kEvent: {
      if (request.event().source_id().empty()) {
        return absl::InvalidArgumentError("event.source_id: is required");
      }
      if (request.event().event_id().empty()) {
        return absl::InvalidArgumentError("event.event_id: is required");
      }
      if (absl::Status status = TraceEvent(request.event(), now, fetch, &response); !status.ok()) {
        return status;
      }
      return response;
    }
    case v1::TraceRequest::kTraceId: {
      if (request.trace_id().empty()) return absl::InvalidArgumentError("trace_id: is empty");
      LocalTraceRequest asked;
      asked.add_trace_ids(request.trace_id());
      auto pieces = fetch(asked);
      if (!pieces.ok()) return pieces.status();
      if (pieces->traces().empty()) {
        return absl::NotFoundError(
            absl::StrCat("trace_id: no event with trace id '", request.trace_id(), "' seen (yet)"));
      }
      if (absl::Status status = TraceEvent(pieces->traces(0).event(), now, fetch, &response);
          !status.ok()) {
        return status;
      }
      return response;
    }
    case v1::TraceRequest::kJudgmentId: {
      if (request.judgment_id().empty()) {
        return absl::InvalidArgumentError("judgment_id: is empty");
      }
      std::vector<v1::JudgmentTrace> traces;
      std::map<std::string, storage::v1::EventRecord> evidence;
      if (absl::Status status =
              TraceJudgments({request.judgment_id()}, now, fetch, &traces, &evidence);
          !status.ok()) {
        return status;
      }
      if (traces.empty()) {
        return absl::NotFoundError(absl::StrCat("judgment_id: nothing of judgment '",
                                                request.judgment_id(), "' seen (yet)"));
      }
      for (const infobus::common::v1::Evidence& item : traces[0].evidence()) {
        auto event = evidence.find(EventKey(item.source_id(), item.event_id()));
        if (event != evidence.end()) {
          *response.add_events() =
              ToCollectedEvent(item.source_id(), item.event_id(), event->second, true);
        }
      }
      *response.add_judgments() = std::move(traces[0]);
      return response;
    }
    case v1::TraceRequest::ITEM_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("item: give event, trace_id or judgment_id");
}

}  // namespace

absl::StatusOr<LocalTraceResponse> LedgerReader::Pieces(
    const LocalTraceRequest& request, const std::vector<int32_t>& partitions) const {
  LocalTraceResponse pieces;
  // The keys within `partition` of `family` that start with `prefix`, and their values.
  auto scan =
      [this](const char* family, int32_t partition, const std::string& prefix,
             const std::function<absl::Status(std::string_view rest, const rocksdb::Slice& value)>&
                 each) {
        const std::string start = PartitionKey(partition, prefix);
        auto it = store_->NewIterator(family);
        for (it->Seek(start); it->Valid() && it->key().starts_with(start); it->Next()) {
          const std::string_view key(it->key().data(), it->key().size());
          if (absl::Status status = each(key.substr(start.size()), it->value()); !status.ok()) {
            return status;
          }
        }
        if (!it->status().ok()) return absl::InternalError(it->status().ToString());
        return absl::OkStatus();
      };
  auto add_access = [&pieces](std::string_view, const rocksdb::Slice& value) {
    if (!pieces.add_accesses()->ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      return absl::DataLossError("an access record does not parse");
    }
    return absl::OkStatus();
  };
  for (const int32_t partition : partitions) {
    for (const std::string& trace_id : request.trace_ids()) {
      auto key = store_->Get(Families::kTraces, PartitionKey(partition, trace_id));
      if (!key.ok()) return key.status();
      if (!key->has_value()) continue;
      v1::TraceLink* link = pieces.add_traces();
      link->set_trace_id(trace_id);
      *link->mutable_event() = RefOf(**key);
    }
    for (const v1::EventRef& ref : request.events()) {
      const std::string key = KeyOf(ref);
      auto event =
          Get<storage::v1::EventRecord>(*store_, Families::kEvents, PartitionKey(partition, key));
      if (!event.ok()) return event.status();
      if (event->has_value()) {
        v1::StoredEvent* stored = pieces.add_events();
        *stored->mutable_source_id() = ref.source_id();
        *stored->mutable_event_id() = ref.event_id();
        *stored->mutable_record() = std::move(**event);
      }
      absl::Status scanned =
          scan(Families::kEventJudgments, partition, absl::StrCat(key, std::string(1, kSeparator)),
               [&](std::string_view judgment_id, const rocksdb::Slice&) {
                 v1::EvidenceLink* link = pieces.add_links();
                 *link->mutable_event() = ref;
                 link->set_judgment_id(std::string(judgment_id));
                 return absl::OkStatus();
               });
      if (!scanned.ok()) return scanned;
      scanned = scan(Families::kAccesses, partition, EventAccessPrefix(key), add_access);
      if (!scanned.ok()) return scanned;
    }
    for (const std::string& judgment_id : request.judgment_ids()) {
      auto record = Get<storage::v1::JudgmentRecord>(*store_, Families::kJudgments,
                                                     PartitionKey(partition, judgment_id));
      if (!record.ok()) return record.status();
      if (record->has_value()) {
        v1::StoredJudgment* stored = pieces.add_judgments();
        stored->set_judgment_id(judgment_id);
        *stored->mutable_record() = std::move(**record);
      }
      absl::Status scanned = scan(Families::kDeliveries, partition,
                                  absl::StrCat(judgment_id, std::string(1, kSeparator)),
                                  [&](std::string_view delivery_id, const rocksdb::Slice& value) {
                                    v1::StoredDelivery* stored = pieces.add_deliveries();
                                    if (!stored->mutable_record()->ParseFromArray(
                                            value.data(), static_cast<int>(value.size()))) {
                                      return absl::DataLossError(absl::StrCat(
                                          "delivery record '", judgment_id, "/",
                                          std::string(delivery_id), "' does not parse"));
                                    }
                                    stored->set_judgment_id(judgment_id);
                                    stored->set_delivery_id(std::string(delivery_id));
                                    return absl::OkStatus();
                                  });
      if (!scanned.ok()) return scanned;
      scanned = scan(Families::kAccesses, partition, JudgmentAccessPrefix(judgment_id), add_access);
      if (!scanned.ok()) return scanned;
    }
  }
  return pieces;
}

absl::StatusOr<TraceResponse> LedgerReader::Trace(const v1::TraceRequest& request, absl::Time now,
                                                  const std::vector<int32_t>& partitions) const {
  return AssembleTrace(request, now, [this, &partitions](const LocalTraceRequest& asked) {
    return Pieces(asked, partitions);
  });
}

absl::Status LedgerReader::ScanRange(const char* family, int32_t partition, int64_t first_hour,
                                     int64_t end_hour, const TallySink& sink) const {
  if (first_hour >= end_hour) return absl::OkStatus();
  const std::string first = PartitionKey(partition, HourPrefix(first_hour));
  const std::string end = PartitionKey(partition, HourPrefix(end_hour));
  auto it = store_->NewIterator(family);
  storage::v1::Tally tally;  // reused: a month has millions of tallies
  for (it->Seek(first); it->Valid() && it->key().compare(end) < 0; it->Next()) {
    const std::string_view key =
        WithinPartition(std::string_view(it->key().data(), it->key().size()));
    auto view = TallyKeyView::Decode(key);
    tally.Clear();
    if (!view.ok() ||
        !tally.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError(
          absl::StrCat("tally '", absl::CEscape(it->key().ToString()), "' does not parse"));
    }
    if (IsEmpty(tally)) continue;  // its deltas summed to nothing (tally_add_operator.h)
    sink(key, *view, tally);
  }
  if (!it->status().ok()) return absl::InternalError(it->status().ToString());
  return absl::OkStatus();
}

absl::Status LedgerReader::ScanTallies(const Period& period, const std::vector<int32_t>& partitions,
                                       const TallySink& sink) const {
  const int64_t first = HourOf(period.since);
  const int64_t end = HourOf(period.until);
  // The whole UTC days inside the period from the day roll-up, the hours before and after them
  // from the hourly tallies.
  const int64_t first_day = DayStartHour(first) == first ? first : DayStartHour(first) + 24;
  const int64_t end_day = DayStartHour(end);
  for (const int32_t partition : partitions) {
    if (first_day >= end_day) {
      if (absl::Status status = ScanRange(Families::kTallies, partition, first, end, sink);
          !status.ok()) {
        return status;
      }
      continue;
    }
    for (const auto& [family, from, to] : {std::tuple{Families::kTallies, first, first_day},
                                           std::tuple{Families::kDailyTallies, first_day, end_day},
                                           std::tuple{Families::kTallies, end_day, end}}) {
      if (absl::Status status = ScanRange(family, partition, from, to, sink); !status.ok()) {
        return status;
      }
    }
  }
  return absl::OkStatus();
}

absl::Status LedgerReader::ScanTallies(const Period& period, const std::vector<int32_t>& partitions,
                                       ReportBuilder* builder) const {
  return ScanTallies(period, partitions,
                     [builder](std::string_view, const TallyKeyView& view,
                               const storage::v1::Tally& tally) { builder->Add(view, tally); });
}

absl::StatusOr<LocalReportResponse> LedgerReader::SumTallies(
    const Period& period, const std::vector<int32_t>& partitions) const {
  // By the key without its hour (the first 8 bytes): a report adds up a period's hours.
  std::map<std::string, storage::v1::Tally, std::less<>> sums;
  const std::string hour_zero = HourPrefix(0);
  absl::Status scanned =
      ScanTallies(period, partitions,
                  [&](std::string_view key, const TallyKeyView&, const storage::v1::Tally& tally) {
                    const std::string_view rest = key.substr(hour_zero.size());
                    auto it = sums.find(rest);
                    if (it == sums.end())
                      it = sums.emplace(std::string(rest), storage::v1::Tally()).first;
                    Accumulate(tally, &it->second);
                  });
  if (!scanned.ok()) return scanned;
  LocalReportResponse response;
  for (auto& [rest, tally] : sums) {
    v1::StoredTally* stored = response.add_tallies();
    stored->set_key(absl::StrCat(hour_zero, rest));
    *stored->mutable_tally() = std::move(tally);
  }
  return response;
}

}  // namespace infobus::supervision
