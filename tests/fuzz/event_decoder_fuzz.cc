// codec::DecodeEvent on any record: it never crashes, refuses with INVALID_ARGUMENT and a
// reason, and what it accepts it accepts again from its own serialisation.
#include "common/codec/event_decoder.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using infobus::common::v1::Event;
  infobus::kafka::Record record = infobus::fuzz::RecordFrom(
      data, size, Event::descriptor()->full_name(), "infobus.common.v1.Judgment");
  // Half the inputs carry the source-id header collection stamps, half do not.
  if (size % 2 == 0) infobus::fuzz::StampSourceId(&record);
  auto event = infobus::codec::DecodeEvent(record);
  if (!event.ok()) {
    INFOBUS_FUZZ_CHECK(absl::IsInvalidArgument(event.status()) && !event.status().message().empty(),
                       event.status().ToString());
    return 0;
  }
  infobus::kafka::Record again = record;
  again.value = event->SerializeAsString();
  auto reread = infobus::codec::DecodeEvent(again);
  INFOBUS_FUZZ_CHECK(reread.ok(), reread.status().ToString());
  return 0;
}
