// codec::DecodeHotspotSighting on any record: it never crashes, refuses with INVALID_ARGUMENT
// and a reason, and what it accepts it accepts again from its own serialisation.
#include "common/codec/hotspot_sighting_decoder.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using infobus::judgment::v1::HotspotSighting;
  const infobus::kafka::Record record = infobus::fuzz::RecordFrom(
      data, size, HotspotSighting::descriptor()->full_name(), "infobus.common.v1.Event");
  auto sighting = infobus::codec::DecodeHotspotSighting(record);
  if (!sighting.ok()) {
    INFOBUS_FUZZ_CHECK(
        absl::IsInvalidArgument(sighting.status()) && !sighting.status().message().empty(),
        sighting.status().ToString());
    return 0;
  }
  infobus::kafka::Record again = record;
  again.value = sighting->SerializeAsString();
  auto reread = infobus::codec::DecodeHotspotSighting(again);
  INFOBUS_FUZZ_CHECK(reread.ok(), reread.status().ToString());
  return 0;
}
