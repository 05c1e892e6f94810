#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/kafka/producer.h"
#include "common/security/principal.h"
#include "infobus/common/v1/audit.pb.h"

namespace infobus::audit {

using infobus::common::v1::AuditRecord;

// What an access decision was about.
struct Item {
  std::string kind;  // judgment, delivery, event, watchlist, rules, routing
  std::string id;
  infobus::common::v1::Classification classification =
      infobus::common::v1::CLASSIFICATION_UNSPECIFIED;
};

// Classified means CONFIDENTIAL or SECRET: what needs an access record on every read.
bool IsClassified(infobus::common::v1::Classification classification);

// The record of `caller`'s access to `item` by `method`; `decision` OK is ALLOWED, anything
// else DENIED with its message as the reason. Pure.
AuditRecord NewRecord(const security::Principal& caller, std::string_view service,
                      std::string_view method, const Item& item, const absl::Status& decision,
                      absl::Time at, std::string_view detail = "");

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
