// codec::DecodeJudgment on any record (dispatch's and the judgments feed's input): it never
// crashes, refuses with INVALID_ARGUMENT and a reason, and what it accepts it accepts again from
// its own serialisation.
#include "common/codec/judgment_decoder.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using infobus::common::v1::Judgment;
  const infobus::kafka::Record record = infobus::fuzz::RecordFrom(
      data, size, Judgment::descriptor()->full_name(), "infobus.common.v1.DeadLetter");
  auto judgment = infobus::codec::DecodeJudgment(record);
  if (!judgment.ok()) {
    INFOBUS_FUZZ_CHECK(
        absl::IsInvalidArgument(judgment.status()) && !judgment.status().message().empty(),
        judgment.status().ToString());
    return 0;
  }
  infobus::kafka::Record again = record;
  again.value = judgment->SerializeAsString();
  auto reread = infobus::codec::DecodeJudgment(again);
  INFOBUS_FUZZ_CHECK(reread.ok(), reread.status().ToString());
  return 0;
}
