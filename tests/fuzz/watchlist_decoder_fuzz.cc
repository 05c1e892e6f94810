// codec::DecodeWatchlistRecord on any record: it never crashes, refuses with INVALID_ARGUMENT
// and a reason, an entry it accepts sits under its own key and is accepted again from its own
// serialisation, and a removal is a null or empty value.
#include "common/codec/watchlist_decoder.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using infobus::judgment::v1::WatchlistEntry;
  const infobus::kafka::Record record = infobus::fuzz::RecordFrom(
      data, size, WatchlistEntry::descriptor()->full_name(), "infobus.common.v1.Judgment");
  auto change = infobus::codec::DecodeWatchlistRecord(record);
  if (!change.ok()) {
    INFOBUS_FUZZ_CHECK(
        absl::IsInvalidArgument(change.status()) && !change.status().message().empty(),
        change.status().ToString());
    return 0;
  }
  INFOBUS_FUZZ_CHECK(change->key == record.key, change->key);
  if (!change->entry.has_value()) {
    INFOBUS_FUZZ_CHECK(record.null_value || record.value.empty(), "a removal with a value");
    return 0;
  }
  INFOBUS_FUZZ_CHECK(change->key == infobus::codec::WatchlistKey(change->entry->list_id(),
                                                                 change->entry->subject()),
                     change->key);
  infobus::kafka::Record again = record;
  again.value = change->entry->SerializeAsString();
  auto reread = infobus::codec::DecodeWatchlistRecord(again);
  INFOBUS_FUZZ_CHECK(reread.ok() && reread->entry.has_value(), reread.status().ToString());
  return 0;
}
