// The rules file parser on any text: it never crashes (nor lets a yaml-cpp exception out), and
// a rule set it accepts can be put into the engine, which then judges events with it.
#include <memory>
#include <string_view>

#include "absl/time/time.h"
#include "common/util/clock.h"
#include "services/judgment/engine/engine.h"
#include "services/judgment/engine/rules.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

using infobus::common::v1::Event;

Event SampleEvent(int i) {
  Event event;
  event.set_event_id("e-" + std::to_string(i));
  event.set_source_id("fusui-lodging");
  event.set_county_code(i % 2 == 0 ? "451421" : "451481");
  event.set_kind(i % 3 == 0 ? "lodging.checkin" : "alarm.call");
  event.mutable_occurred_at()->set_seconds(1796000000 + 60 * i);
  event.mutable_location()->set_jurisdiction_code(event.county_code());
  event.set_classification(infobus::common::v1::CLASSIFICATION_INTERNAL);
  (*event.mutable_attributes())["direction"] = "north";
  auto* subject = event.add_subjects();
  subject->set_type(infobus::common::v1::SUBJECT_TYPE_ID_NUMBER);
  subject->set_value("11010519491231002X");
  return event;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto rules =
      infobus::judgment::ParseRules(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!rules.ok()) {
    INFOBUS_FUZZ_CHECK(absl::IsInvalidArgument(rules.status()), rules.status().ToString());
    return 0;
  }
  static infobus::judgment::InMemoryWatchlist* watchlist = [] {
    auto* list = new infobus::judgment::InMemoryWatchlist();
    infobus::judgment::WatchlistEntry entry;
    entry.set_list_id("wanted_person");
    entry.mutable_subject()->set_type(infobus::common::v1::SUBJECT_TYPE_ID_NUMBER);
    entry.mutable_subject()->set_value("11010519491231002X");
    entry.set_severity(infobus::common::v1::SEVERITY_CRITICAL);
    list->Add(entry);
    return list;
  }();
  infobus::judgment::Engine engine(
      watchlist, std::make_shared<infobus::FakeClock>(absl::FromUnixSeconds(1796000000)));
  engine.SetRules(*std::move(rules));
  for (int i = 0; i < 6; ++i) {
    auto judged = engine.Process(SampleEvent(i), "infobus.events.v1/0");
    INFOBUS_FUZZ_CHECK(judged.ok(), judged.status().ToString());
  }
  engine.TakeStateChanges();
  return 0;
}
