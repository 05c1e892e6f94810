#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/kafka/producer.h"
#include "common/security/principal.h"
#include "infobus/common/v1/audit.pb.h"
#include "infobus/common/v1/delivery.pb.h"
#include "infobus/common/v1/event.pb.h"
#include "infobus/common/v1/judgment.pb.h"

namespace infobus::audit {

using infobus::common::v1::AuditRecord;

// What an access decision was about.
struct Item {
  Item() = default;
  Item(std::string kind, std::string id,
       infobus::common::v1::Classification classification =
           infobus::common::v1::CLASSIFICATION_UNSPECIFIED)
      : kind(std::move(kind)), id(std::move(id)), classification(classification) {}

  std::string kind;  // judgment, delivery, event, watchlist, rules, routing
  std::string id;
  infobus::common::v1::Classification classification =
      infobus::common::v1::CLASSIFICATION_UNSPECIFIED;
  // Where the item is in a trace (AuditRecord fields 15-19): set by the makers below.
  std::string judgment_id;
  std::string event_source_id;
  std::string event_id;
  std::string county_code;
  std::vector<std::string> compartments;
};

// The items of the bus, named the same by every service (so supervision can join a record to
// its item's trace): "<source>/<event>", the judgment id, "<unit>/<seq>".
Item EventItem(const infobus::common::v1::Event& event);
Item JudgmentItem(const infobus::common::v1::Judgment& judgment);
Item DeliveryItem(const infobus::common::v1::Delivery& delivery);

// Classified means CONFIDENTIAL or SECRET: what needs an access record on every read.
bool IsClassified(infobus::common::v1::Classification classification);

// The record of `caller`'s access to `item` by `method`; `decision` OK is ALLOWED, anything
// else DENIED with its message as the reason. Pure.
AuditRecord NewRecord(const security::Principal& caller, std::string_view service,
                      std::string_view method, const Item& item, const absl::Status& decision,
                      absl::Time at, std::string_view detail = "");

// The record of an event collection did not take because it is invalid (`reason`: the field
// and what is wrong with it): REJECTED, so that reports can count what never reached a topic.
AuditRecord RejectedRecord(const security::Principal& caller, std::string_view service,
                           std::string_view method, const infobus::common::v1::Event& event,
                           std::string_view reason, absl::Time at);

// Writes access records to infobus.audit.v1 (acks=all, idempotent), keyed by the caller.
// Thread-safe.
class AuditLog {
 public:
  AuditLog(kafka::Producer* producer, std::string topic, std::string service)
      : producer_(producer), topic_(std::move(topic)), service_(std::move(service)) {}

  const std::string& service() const { return service_; }

  // Sends `records`; `done` runs once: OK when every one is acknowledged, UNAVAILABLE when any
  // could not be kept. On the producer's thread (or at once, for none or a local failure):
  // it must be quick.
  void Record(std::vector<AuditRecord> records, std::function<void(absl::Status)> done);

  // The same, waiting for the acknowledgements. For calls that change something: the record is
  // kept before the change is made.
  absl::Status RecordNow(std::vector<AuditRecord> records);

 private:
  kafka::Producer* producer_;
  std::string topic_;
  std::string service_;
};

}  // namespace infobus::audit
