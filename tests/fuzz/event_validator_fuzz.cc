// collection's ValidateAndNormalize on any Event (the input is its serialisation): it never
// crashes; what it accepts is what the events topic's decoder accepts (codec::CheckEvent), and
// normalising is idempotent, so an accepted event validated again is accepted unchanged (a
// watchlist entry normalised once must match an event's subject normalised once).
#include "absl/time/time.h"
#include "common/codec/event_decoder.h"
#include "google/protobuf/util/message_differencer.h"
#include "services/collection/event_validator.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  infobus::common::v1::Event event;
  if (!event.ParseFromArray(data, static_cast<int>(size))) return 0;
  const infobus::collection::ValidationLimits limits;
  const absl::Time now = absl::FromUnixSeconds(1796000000);  // 2026-11-30, after the seeds
  if (infobus::collection::ValidateAndNormalize(event, limits, now, "events[0]").has_value()) {
    return 0;
  }
  const absl::Status decodable = infobus::codec::CheckEvent(event);
  INFOBUS_FUZZ_CHECK(decodable.ok(), decodable.ToString());
  infobus::common::v1::Event again = event;
  auto error = infobus::collection::ValidateAndNormalize(again, limits, now, "events[0]");
  INFOBUS_FUZZ_CHECK(!error.has_value(), error->field + ": " + error->reason);
  INFOBUS_FUZZ_CHECK(google::protobuf::util::MessageDifferencer::Equals(again, event),
                     again.ShortDebugString() + " vs " + event.ShortDebugString());
  return 0;
}
