// The routing file parser on any text: it never crashes (nor lets a yaml-cpp exception out), and
// a table it accepts routes judgments, each to units it has.
#include <string_view>

#include "services/dispatch/router.h"
#include "services/dispatch/routing_table.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

using infobus::common::v1::Judgment;

Judgment SampleJudgment(int i) {
  Judgment judgment;
  judgment.set_judgment_id("j-" + std::to_string(i));
  judgment.set_rule_id(i % 2 == 0 ? "watchlist-hit" : "alarm-hotspot");
  judgment.set_kind(i % 2 == 0 ? infobus::common::v1::JUDGMENT_KIND_WATCHLIST_HIT
                               : infobus::common::v1::JUDGMENT_KIND_HOTSPOT);
  judgment.set_severity(static_cast<infobus::common::v1::Severity>(1 + i % 4));
  const char* const codes[] = {"451421", "4514", "45", "", "45148101"};
  judgment.set_jurisdiction_code(codes[i % 5]);
  judgment.mutable_created_at()->set_seconds(1796000000 + 3600 * 5 * i);  // through the day
  return judgment;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto table = infobus::dispatch::RoutingTable::FromText(
      std::string_view(reinterpret_cast<const char*>(data), size));
  if (!table.ok()) return 0;
  const infobus::dispatch::Router router(&*table);
  for (int i = 0; i < 10; ++i) {
    for (const std::string& unit : router.Route(SampleJudgment(i))) {
      INFOBUS_FUZZ_CHECK(table->units().Find(unit) != nullptr, unit);
    }
  }
  return 0;
}
