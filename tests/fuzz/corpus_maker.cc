// Writes the seed corpus of every fuzz target into <dir> (tests/fuzz/corpus): the sample
// configuration files as they are, the sample events as published and, normalised by
// collection's validator, as the events topic carries them, the judgments and hotspot
// sightings the engine makes of them under deploy/config/rules.yaml, the sample watchlist as
// its topic carries it, and a few records of the wrong type. Usage: corpus_maker <dir>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/codec/watchlist_decoder.h"
#include "common/domain/subject.h"
#include "common/util/clock.h"
#include "google/protobuf/util/json_util.h"
#include "infobus/common/v1/dead_letter.pb.h"
#include "services/collection/event_validator.h"
#include "services/judgment/engine/engine.h"
#include "services/judgment/engine/rules.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

using infobus::common::v1::Event;
using infobus::common::v1::Judgment;
using infobus::judgment::HotspotSighting;
using infobus::judgment::WatchlistEntry;

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> Lines(const std::string& path) {
  std::vector<std::string> lines;
  std::istringstream in(Read(path));
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

template <typename Message>
Message FromJson(const std::string& json) {
  Message message;
  if (!google::protobuf::util::JsonStringToMessage(json, &message).ok()) {
    std::cerr << "cannot read " << json << "\n";
    std::exit(1);
  }
  return message;
}

class Corpus {
 public:
  explicit Corpus(std::string dir) : dir_(std::move(dir)) {}
  void Write(const std::string& target, const std::string& name, const std::string& bytes) {
    std::filesystem::create_directories(dir_ + "/" + target);
    std::ofstream(dir_ + "/" + target + "/" + name, std::ios::binary) << bytes;
  }

 private:
  std::string dir_;
};

// A record as fuzz_input.h frames it, with a schema header that is not the expected one.
std::string ForgedInput(const std::string& key, const std::string& schema,
                        const std::string& value) {
  std::string out(1, '\3');
  out.push_back(static_cast<char>(schema.size()));
  out += schema;
  out.push_back(static_cast<char>(key.size()));
  out += key;
  return out + value;
}

std::string Framed(const std::string& record) {
  std::string out;
  out.push_back(static_cast<char>(record.size() >> 8));
  out.push_back(static_cast<char>(record.size() & 0xff));
  return out + record;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: corpus_maker <dir>\n";
    return 2;
  }
  Corpus corpus(argv[1]);
  const std::string source = INFOBUS_SOURCE_DIR;
  const absl::Time now = absl::FromUnixSeconds(1796000000);  // 2026-11-30

  corpus.Write("rules_fuzz", "deploy-rules.yaml", Read(source + "/deploy/config/rules.yaml"));
  corpus.Write("rules_fuzz", "one-rule.yaml",
               "version: 2\nrules:\n  - {id: hit, kind: watchlist, severity: high}\n");
  corpus.Write("routing_fuzz", "deploy-routing.yaml", Read(source + "/deploy/config/routing.yaml"));
  corpus.Write("routing_fuzz", "one-unit.yaml",
               "units:\n  - {id: fusui-psb, jurisdictions: [\"451421\"], duty_hours: "
               "\"08:00-20:00\", clearance: CONFIDENTIAL, compartments: [border]}\n"
               "default_route:\n  send_to: [fusui-psb]\n");

  // The sample events; then, normalised, as the topic carries them, with alarm calls enough
  // for a hotspot.
  std::vector<Event> published;
  for (const std::string& line : Lines(source + "/deploy/samples/events.jsonl")) {
    published.push_back(FromJson<Event>(line));
  }
  for (int i = 0; i < 5; ++i) {
    Event alarm;
    alarm.set_event_id(absl::StrCat("alarm-", i));
    alarm.set_source_id("fusui-110");
    alarm.set_county_code("451421");
    alarm.set_kind("alarm.call");
    alarm.mutable_occurred_at()->set_seconds(1795996800 + 600 * i);  // one window
    alarm.add_subjects()->set_type(infobus::common::v1::SUBJECT_TYPE_PHONE);
    alarm.mutable_subjects(0)->set_value(absl::StrCat("1380013800", i));
    published.push_back(alarm);
  }
  std::vector<Event> normalised;
  for (Event event : published) {
    corpus.Write("event_validator_fuzz", event.event_id(), event.SerializeAsString());
    const std::string raw = event.SerializeAsString();
    if (infobus::collection::ValidateAndNormalize(event, {}, now, "").has_value()) {
      corpus.Write("event_decoder_fuzz", "invalid-" + event.event_id(),
                   infobus::fuzz::RecordInput("k", raw));
      continue;
    }
    event.set_trace_id(std::string(32, 'a'));
    *event.mutable_ingested_at() = event.occurred_at();
    normalised.push_back(event);
    corpus.Write("event_decoder_fuzz", event.event_id(),
                 infobus::fuzz::RecordInput(infobus::domain::SubjectKey(event.subjects(0)),
                                            event.SerializeAsString()));
  }

  // The sample watchlist as its topic carries it, and a removal.
  auto watchlist = std::make_unique<infobus::judgment::InMemoryWatchlist>();
  for (const std::string& line : Lines(source + "/deploy/samples/watchlist.jsonl")) {
    WatchlistEntry entry = FromJson<WatchlistEntry>(line);
    auto value = infobus::domain::NormalizeSubjectValue(entry.subject());
    if (!value.ok()) return 1;
    entry.mutable_subject()->set_value(*value);
    watchlist->Add(entry);
    const std::string key = infobus::codec::WatchlistKey(entry.list_id(), entry.subject());
    corpus.Write("watchlist_decoder_fuzz", entry.list_id(),
                 infobus::fuzz::RecordInput(key, entry.SerializeAsString()));
    std::string removal = infobus::fuzz::RecordInput(key, "");
    removal[0] = '\4';  // a tombstone
    corpus.Write("watchlist_decoder_fuzz", "removal-" + entry.list_id(), removal);
  }

  // What the engine makes of the events: judgments and hotspot sightings.
  auto rules = infobus::judgment::ParseRules(Read(source + "/deploy/config/rules.yaml"));
  if (!rules.ok()) return 1;
  infobus::judgment::Engine engine(watchlist.get(), std::make_shared<infobus::FakeClock>(now));
  engine.SetRules(*rules);
  std::string engine_input;
  int judgments = 0, sightings = 0;
  Judgment a_judgment;
  for (const Event& event : normalised) {
    const std::string record = infobus::fuzz::RecordInput("k", event.SerializeAsString());
    engine_input += Framed(record);
    std::vector<HotspotSighting> made;
    auto judged = engine.Process(event, "infobus.events.v1/0", &made);
    if (!judged.ok()) return 1;
    for (HotspotSighting& sighting : made) {
      sighting.set_origin_offset(sightings);
      const std::string key = absl::StrCat(sighting.rule_id(), "\x1f", sighting.group_key());
      corpus.Write("hotspot_sighting_decoder_fuzz", absl::StrCat("sighting-", sightings++),
                   infobus::fuzz::RecordInput(key, sighting.SerializeAsString()));
      auto counted = engine.CountSighting(sighting, "infobus.hotspot-sightings.v1/0");
      if (!counted.ok()) return 1;
      judged->insert(judged->end(), counted->begin(), counted->end());
    }
    for (const Judgment& judgment : *judged) {
      a_judgment = judgment;
      corpus.Write(
          "judgment_decoder_fuzz", absl::StrCat("judgment-", judgments++),
          infobus::fuzz::RecordInput(judgment.jurisdiction_code(), judgment.SerializeAsString()));
    }
  }
  corpus.Write("engine_fuzz", "samples", engine_input);

  // Records of the wrong type under a forged schema header.
  infobus::common::v1::DeadLetter letter;
  letter.set_reason("value is not a valid infobus.common.v1.Event");
  letter.set_consumer("infobus-judgment");
  letter.set_topic("infobus.events.v1");
  letter.set_partition(1);
  letter.set_offset(99);
  corpus.Write(
      "judgment_decoder_fuzz", "forged-dead-letter",
      ForgedInput("451421", Judgment::descriptor()->full_name(), letter.SerializeAsString()));
  corpus.Write("judgment_decoder_fuzz", "forged-event",
               ForgedInput("451421", Judgment::descriptor()->full_name(),
                           normalised[0].SerializeAsString()));
  corpus.Write("event_decoder_fuzz", "forged-judgment",
               ForgedInput("k", Event::descriptor()->full_name(), a_judgment.SerializeAsString()));
  std::printf("corpus written: %d judgments, %d sightings\n", judgments, sightings);
  return 0;
}
