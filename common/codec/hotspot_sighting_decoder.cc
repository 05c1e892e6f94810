#include "common/codec/hotspot_sighting_decoder.h"

#include "absl/strings/str_cat.h"
#include "common/codec/invariant.h"
#include "common/codec/record_value.h"

namespace infobus::codec {

using infobus::judgment::v1::HotspotSighting;

absl::StatusOr<HotspotSighting> DecodeHotspotSighting(const kafka::Record& record) {
  HotspotSighting sighting;
  if (absl::Status status = ParseRecordValue(record, &sighting); !status.ok()) return status;
  if (absl::Status status = CheckHotspotSighting(sighting, record.key); !status.ok()) {
    return status;
  }
  return sighting;
}

absl::Status CheckHotspotSighting(const HotspotSighting& sighting, std::string_view key) {
  const google::protobuf::Descriptor& type = *HotspotSighting::descriptor();
  absl::Status status = CheckPresent(type, "rule_id", sighting.rule_id());
  if (status.ok()) status = CheckPresent(type, "evidence", sighting.evidence());
  if (status.ok()) status = CheckPresent(type, "origin", sighting.origin());
  if (!status.ok()) return status;
  if (sighting.origin_offset() < 0) {
    return Invalid(type, "origin_offset", absl::StrCat(sighting.origin_offset(), " is negative"));
  }
  if (sighting.time_ns() <= 0) {
    return Invalid(type, "time_ns", absl::StrCat(sighting.time_ns(), " is not after the epoch"));
  }
  // key == rule_id + "\x1f" + group_key, without building it.
  const std::string& rule = sighting.rule_id();
  if (key.size() != rule.size() + 1 + sighting.group_key().size() ||
      key.substr(0, rule.size()) != rule || key[rule.size()] != '\x1f' ||
      key.substr(rule.size() + 1) != sighting.group_key()) {
    return Invalid(type, "rule_id", "the record's key is not '<rule_id>\\x1f<group_key>'");
  }
  return absl::OkStatus();
}

}  // namespace infobus::codec
