#include "common/audit/audit_log.h"

#include <atomic>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/metrics/metrics.h"
#include "common/util/ids.h"
#include "common/util/time.h"

namespace infobus::audit {
namespace {

constexpr char kCouldNotKeep[] =
    "the access could not be audited (infobus.audit.v1 did not acknowledge), so it was not "
    "granted; retry";

prometheus::Family<prometheus::Counter>& Records() {
  static auto& family = metrics::CounterFamily(
      "infobus_audit_records_total", "Access records written to infobus.audit.v1, by decision.");
  return family;
}

kafka::OutgoingMessage MessageOf(const std::string& topic, const AuditRecord& record) {
  return {topic,
          record.subject(),
          record.SerializeAsString(),
          {{kafka::kSchemaHeader, AuditRecord::descriptor()->full_name()}}};
}

void Count(const std::vector<AuditRecord>& records) {
  for (const AuditRecord& record : records) {
    const char* decision = "denied";
    if (record.decision() == infobus::common::v1::AUDIT_DECISION_ALLOWED) decision = "allowed";
    if (record.decision() == infobus::common::v1::AUDIT_DECISION_REJECTED) decision = "rejected";
    Records().Add({{"decision", decision}}).Increment();
  }
}

}  // namespace

bool IsClassified(infobus::common::v1::Classification classification) {
  return classification >= infobus::common::v1::CLASSIFICATION_CONFIDENTIAL;
}

Item EventItem(const infobus::common::v1::Event& event) {
  Item item{"event", absl::StrCat(event.source_id(), "/", event.event_id()),
            event.classification()};
  item.event_source_id = event.source_id();
  item.event_id = event.event_id();
  item.county_code = event.county_code();
  item.compartments.assign(event.compartments().begin(), event.compartments().end());
  return item;
}

Item JudgmentItem(const infobus::common::v1::Judgment& judgment) {
  Item item{"judgment", judgment.judgment_id(), judgment.classification()};
  item.judgment_id = judgment.judgment_id();
  item.compartments.assign(judgment.compartments().begin(), judgment.compartments().end());
  return item;
}

Item DeliveryItem(const infobus::common::v1::Delivery& delivery) {
  Item item = JudgmentItem(delivery.judgment());
  item.kind = "delivery";
  item.id = absl::StrCat(delivery.unit_id(), "/", delivery.seq());
  return item;
}

AuditRecord NewRecord(const security::Principal& caller, std::string_view service,
                      std::string_view method, const Item& item, const absl::Status& decision,
                      absl::Time at, std::string_view detail) {
  AuditRecord record;
  record.set_audit_id(NewTraceId());
  *record.mutable_at() = ToProtoTimestamp(at);
  record.set_service(std::string(service));
  record.set_method(std::string(method));
  record.set_subject(caller.id);
  for (security::Role role : caller.roles) record.add_roles(std::string(security::RoleName(role)));
  record.set_unit_id(caller.unit_id);
  record.set_by_certificate(caller.authenticated_by_certificate);
  record.set_item_kind(item.kind);
  record.set_item_id(item.id);
  record.set_item_classification(item.classification);
  record.set_decision(decision.ok() ? infobus::common::v1::AUDIT_DECISION_ALLOWED
                                    : infobus::common::v1::AUDIT_DECISION_DENIED);
  if (!decision.ok()) record.set_reason(std::string(decision.message()));
  record.set_detail(std::string(detail));
  record.set_judgment_id(item.judgment_id);
  record.set_event_source_id(item.event_source_id);
  record.set_event_id(item.event_id);
  record.set_county_code(item.county_code);
  for (const std::string& compartment : item.compartments) {
    record.add_item_compartments(compartment);
  }
  return record;
}

AuditRecord RejectedRecord(const security::Principal& caller, std::string_view service,
                           std::string_view method, const infobus::common::v1::Event& event,
                           std::string_view reason, absl::Time at) {
  AuditRecord record = NewRecord(caller, service, method, EventItem(event), absl::OkStatus(), at);
  record.set_decision(infobus::common::v1::AUDIT_DECISION_REJECTED);
  record.set_reason(std::string(reason));
  return record;
}

void AuditLog::Record(std::vector<AuditRecord> records, std::function<void(absl::Status)> done) {
  if (records.empty()) {
    done(absl::OkStatus());
    return;
  }
  Count(records);
  // Shared by the delivery reports: the last one to come in answers.
  struct Pending {
    std::atomic<size_t> left;
    std::atomic<bool> failed{false};
    std::function<void(absl::Status)> done;
  };
  auto pending = std::make_shared<Pending>();
  pending->left = records.size();
  pending->done = std::move(done);
  auto report = [pending](absl::Status status) {
    if (!status.ok()) pending->failed = true;
    if (pending->left.fetch_sub(1) == 1) {
      pending->done(pending->failed ? absl::UnavailableError(kCouldNotKeep) : absl::OkStatus());
    }
  };
  for (const AuditRecord& record : records) {
    if (absl::Status queued = producer_->ProduceAsync(MessageOf(topic_, record), report);
        !queued.ok()) {
      report(queued);  // not queued: counts as a failed delivery
    }
  }
}

absl::Status AuditLog::RecordNow(std::vector<AuditRecord> records) {
  if (records.empty()) return absl::OkStatus();
  Count(records);
  std::vector<kafka::OutgoingMessage> messages;
  messages.reserve(records.size());
  for (const AuditRecord& record : records) messages.push_back(MessageOf(topic_, record));
  for (const absl::Status& status : producer_->ProduceAll(messages)) {
    if (!status.ok()) return absl::UnavailableError(kCouldNotKeep);
  }
  return absl::OkStatus();
}

}  // namespace infobus::audit
