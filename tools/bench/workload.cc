#include "tools/bench/workload.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/util/ids.h"
#include "common/util/time.h"

namespace infobus::bench {

using infobus::common::v1::Event;

namespace {
const char* const kCounties[] = {"451421", "451481", "450110"};
const char* const kNames[] = {"张三", "李四", "王五", "赵六"};
}  // namespace

int64_t Workload::HitsIn(int64_t total) const {
  int64_t hits = 0;
  for (int64_t seq = 0; seq < total; ++seq) hits += IsHit(seq, total) ? 1 : 0;
  return hits;
}

std::string Workload::WatchedNumber(int64_t i) {
  return absl::StrFormat("1380000%04d", i % kWatchedNumbers);
}

Event Workload::MakeEvent(const std::string& phase, int64_t seq, bool hit) const {
  Event event;
  event.set_event_id(absl::StrCat(run_id_, ".", phase, ".", seq));
  const char* county = hit ? kHitCounty : kCounties[seq % 3];
  const bool lodging = seq % 2 == 0;
  event.set_source_id(kSourceId);
  event.set_county_code(county);
  event.set_kind(lodging ? "lodging.checkin" : "netcafe.login");
  *event.mutable_occurred_at() = ToProtoTimestamp(absl::Now() - absl::Minutes(1));
  event.mutable_location()->set_place("扶绥县新宁镇某宾馆");
  auto* phone = event.add_subjects();
  phone->set_type(infobus::common::v1::SUBJECT_TYPE_PHONE);
  // Hits rotate over the watched numbers; the rest are distinct numbers that spread over the
  // partitions and are never watched (139… vs 1380000…).
  phone->set_value(hit ? WatchedNumber(seq / hit_every_ + seq)
                       : absl::StrFormat("139%08d", seq % 100000000));
  auto* name = event.add_subjects();
  name->set_type(infobus::common::v1::SUBJECT_TYPE_NAME);
  name->set_value(kNames[seq % 4]);
  (*event.mutable_attributes())["room"] = absl::StrCat(100 + seq % 400);
  (*event.mutable_attributes())["desk"] = "front-2";
  event.set_classification(infobus::common::v1::CLASSIFICATION_INTERNAL);
  event.set_payload("check-in, 2 guests, 1 night, paid cash");
  return event;
}

std::string Workload::SourceRegistryYaml() {
  return absl::StrCat("# What infobus-bench publishes as (tools/bench/workload.h).\n", "sources:\n",
                      "  - id: ", kSourceId, "\n", "    jurisdictions: [\"", kCounties[0], "\", \"",
                      kCounties[1], "\", \"", kCounties[2], "\"]\n", "    clearance: INTERNAL\n");
}

std::string Workload::TypicalKafkaValue() const {
  Event event = MakeEvent("typical", 12345678, false);
  *event.mutable_ingested_at() = ToProtoTimestamp(absl::Now());
  event.set_trace_id(NewTraceId());
  return event.SerializeAsString();
}

std::vector<infobus::judgment::v1::WatchlistEntry> Workload::WatchlistEntries() const {
  std::vector<infobus::judgment::v1::WatchlistEntry> entries;
  for (int i = 0; i < kWatchedNumbers; ++i) {
    infobus::judgment::v1::WatchlistEntry entry;
    entry.set_list_id(kWatchList);
    entry.mutable_subject()->set_type(infobus::common::v1::SUBJECT_TYPE_PHONE);
    entry.mutable_subject()->set_value(WatchedNumber(i));
    entry.set_severity(infobus::common::v1::SEVERITY_HIGH);
    entry.set_note("benchmark");
    entries.push_back(std::move(entry));
  }
  return entries;
}

bool Workload::ParseEventId(const std::string& event_id, std::string* phase, int64_t* seq) const {
  std::vector<std::string> parts = absl::StrSplit(event_id, '.');
  if (parts.size() != 3 || parts[0] != run_id_) return false;
  *phase = parts[1];
  return absl::SimpleAtoi(parts[2], seq);
}

}  // namespace infobus::bench
