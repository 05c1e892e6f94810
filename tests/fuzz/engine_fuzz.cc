// The judgment engine fed what the events topic's decoder lets through: the input is a run of
// records (each a two-byte length and a record as fuzz_input.h frames them), decoded with
// codec::DecodeEvent and judged under deploy/config/rules.yaml, the hotspot sightings passed
// through codec::DecodeHotspotSighting and counted as the service does. It never crashes, every
// sighting the engine makes passes the sightings decoder, every judgment it makes passes the
// judgments decoder (dispatch would refuse it otherwise), and its state restores.
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/codec/event_decoder.h"
#include "common/codec/hotspot_sighting_decoder.h"
#include "common/codec/judgment_decoder.h"
#include "common/util/clock.h"
#include "services/judgment/engine/engine.h"
#include "services/judgment/engine/rules.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

using infobus::judgment::HotspotSighting;

const infobus::judgment::RuleSet& Rules() {
  static const infobus::judgment::RuleSet* rules = [] {
    std::ifstream in(INFOBUS_SOURCE_DIR "/deploy/config/rules.yaml");
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = infobus::judgment::ParseRules(text.str());
    INFOBUS_FUZZ_CHECK(parsed.ok(), parsed.status().ToString());
    return new infobus::judgment::RuleSet(*std::move(parsed));
  }();
  return *rules;
}

const infobus::judgment::InMemoryWatchlist* Watchlist() {
  static const infobus::judgment::InMemoryWatchlist* watchlist = [] {
    auto* list = new infobus::judgment::InMemoryWatchlist();
    infobus::judgment::WatchlistEntry entry;
    entry.set_list_id("wanted_person");
    entry.mutable_subject()->set_type(infobus::common::v1::SUBJECT_TYPE_ID_NUMBER);
    entry.mutable_subject()->set_value("11010519491231002X");
    entry.set_severity(infobus::common::v1::SEVERITY_CRITICAL);
    list->Add(entry);
    entry.set_list_id("stolen_vehicle");
    entry.mutable_subject()->set_type(infobus::common::v1::SUBJECT_TYPE_PLATE);
    entry.mutable_subject()->set_value("桂FA1234");
    entry.set_severity(infobus::common::v1::SEVERITY_HIGH);
    list->Add(entry);
    return list;
  }();
  return watchlist;
}

void CheckJudgments(const std::vector<infobus::common::v1::Judgment>& judgments) {
  for (const auto& judgment : judgments) {
    const absl::Status valid = infobus::codec::CheckJudgment(judgment);
    INFOBUS_FUZZ_CHECK(valid.ok(), valid.ToString() + " in " + judgment.ShortDebugString());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  infobus::judgment::Engine engine(
      Watchlist(), std::make_shared<infobus::FakeClock>(absl::FromUnixSeconds(1796000000)));
  engine.SetRules(Rules());
  const std::string schema = infobus::common::v1::Event::descriptor()->full_name();
  std::vector<HotspotSighting> sightings;
  int64_t offset = 0;
  for (int records = 0; size >= 2 && records < 64; ++records, ++offset) {
    const std::string_view prefix = infobus::fuzz::Take(&data, &size, 2);
    const size_t length = static_cast<uint8_t>(prefix[0]) << 8 | static_cast<uint8_t>(prefix[1]);
    const std::string_view framed = infobus::fuzz::Take(&data, &size, length);
    infobus::kafka::Record record =
        infobus::fuzz::RecordFrom(reinterpret_cast<const uint8_t*>(framed.data()), framed.size(),
                                  schema, "infobus.common.v1.Judgment");
    infobus::fuzz::StampSourceId(&record);
    auto event = infobus::codec::DecodeEvent(record);
    if (!event.ok()) continue;
    sightings.clear();
    auto judged = engine.Process(*event, "infobus.events.v1/0", &sightings);
    INFOBUS_FUZZ_CHECK(judged.ok(), judged.status().ToString());
    CheckJudgments(*judged);
    for (HotspotSighting& sighting : sightings) {
      sighting.set_origin_offset(offset);
      infobus::kafka::Record sighted;
      sighted.key = absl::StrCat(sighting.rule_id(), "\x1f", sighting.group_key());
      sighted.value = sighting.SerializeAsString();
      sighted.headers.push_back(
          {infobus::kafka::kSchemaHeader, HotspotSighting::descriptor()->full_name()});
      auto decoded = infobus::codec::DecodeHotspotSighting(sighted);
      INFOBUS_FUZZ_CHECK(decoded.ok(), decoded.status().ToString());
      auto counted = engine.CountSighting(*decoded, "infobus.hotspot-sightings.v1/0");
      INFOBUS_FUZZ_CHECK(counted.ok(), counted.status().ToString());
      CheckJudgments(*counted);
    }
  }
  // What the engine stored, it can restore.
  std::map<std::string, std::string> state;
  for (auto& change : engine.TakeStateChanges()) {
    if (change.value.has_value()) {
      state[change.key] = *std::move(change.value);
    } else {
      state.erase(change.key);
    }
  }
  engine.ClearState();
  for (const auto& [key, value] : state) {
    const absl::Status restored = engine.Restore(key, value);
    INFOBUS_FUZZ_CHECK(restored.ok(), restored.ToString());
  }
  return 0;
}
