#include "tests/faults/fault_bus.h"

#include <fstream>

#include "absl/strings/str_cat.h"
#include "common/stream/read_to_end.h"
#include "infobus/common/v1/judgment.pb.h"
#include "infobus/judgment/v1/judgment_service.grpc.pb.h"
#include "tests/integration/support/clients.h"
#include "tests/integration/support/identities.h"

namespace infobus::faults {

namespace {

constexpr int kPartitions = 3;  // what TestBus configures

absl::Status ReadWholeTopic(const std::string& bootstrap, const std::string& topic,
                            const std::function<void(const kafka::Record&)>& apply) {
  for (int32_t partition = 0; partition < kPartitions; ++partition) {
    if (absl::Status status =
            stream::ReadPartitionToEnd(bootstrap, topic, partition, absl::Seconds(120), apply);
        !status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string EventKey(const std::string& source_id, const std::string& event_id) {
  return absl::StrCat(source_id, "/", event_id);
}

FaultBus::FaultBus(const std::string& name, const std::string& parent_dir,
                   const std::string& bootstrap, absl::Duration high_deadline, int threshold)
    : bus_(name, parent_dir), bootstrap_(bootstrap) {
  bus_.set_bootstrap_servers(bootstrap);
  const std::string routing = bus_.dir() + "/routing.yaml";
  const std::string rules = bus_.dir() + "/rules.yaml";
  std::ofstream(routing) << RoutingYaml(high_deadline);
  std::ofstream(rules) << RulesYaml(threshold);
  judgment_ = bus_.Service("judgment", "judgment:\n  rules_file: " + rules + "\n");
  dispatch_ = bus_.Service("dispatch", "dispatch:\n  routing_file: " + routing + "\n");
  collection_ = bus_.Service("collection");
  for (auto& [name, process] : services()) process->KeepPortAcrossRestarts();
}

std::vector<std::pair<std::string, testing::ServiceProcess*>> FaultBus::services() {
  return {{"collection", collection_.get()},
          {"judgment", judgment_.get()},
          {"dispatch", dispatch_.get()}};
}

absl::Status FaultBus::StartAll(absl::Duration timeout) {
  for (testing::ServiceProcess* process : {judgment_.get(), dispatch_.get(), collection_.get()}) {
    if (absl::Status status = process->Start(timeout); !status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::Status FaultBus::LoadWatchlist(const FaultPlan& plan) {
  namespace v1 = infobus::judgment::v1;
  auto stub = v1::JudgmentService::NewStub(
      testing::Channel(judgment_->address(), testing::AsAdministrator()));
  auto add = [&stub](const std::string& phone, const std::string& list,
                     infobus::common::v1::Severity severity) -> absl::Status {
    v1::AddWatchlistEntryRequest request;
    request.mutable_entry()->set_list_id(list);
    request.mutable_entry()->set_severity(severity);
    request.mutable_entry()->mutable_subject()->set_type(infobus::common::v1::SUBJECT_TYPE_PHONE);
    request.mutable_entry()->mutable_subject()->set_value(phone);
    v1::AddWatchlistEntryResponse response;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    const grpc::Status status = stub->AddWatchlistEntry(&context, request, &response);
    if (!status.ok()) {
      return absl::UnavailableError(
          absl::StrCat("AddWatchlistEntry ", phone, ": ", status.error_message()));
    }
    return absl::OkStatus();
  };
  for (const std::string& phone : plan.medium_phones) {
    if (absl::Status status = add(phone, kMediumList, infobus::common::v1::SEVERITY_MEDIUM);
        !status.ok())
      return status;
  }
  for (const std::string& phone : plan.high_phones) {
    if (absl::Status status = add(phone, kHighList, infobus::common::v1::SEVERITY_HIGH);
        !status.ok())
      return status;
  }
  return absl::OkStatus();
}

absl::StatusOr<TopicEvents> FaultBus::ReadEvents() const {
  TopicEvents out;
  bool undecodable = false;
  absl::Status status =
      ReadWholeTopic(bootstrap_, bus_.Topic("infobus.events.v1"), [&](const kafka::Record& r) {
        infobus::common::v1::Event event;
        if (!event.ParseFromString(r.value)) {
          undecodable = true;
          return;
        }
        ++out.records;
        out.event_ids.insert(EventKey(event.source_id(), event.event_id()));
      });
  if (!status.ok()) return status;
  if (undecodable) return absl::DataLossError("the events topic holds a record that is no Event");
  return out;
}

absl::StatusOr<std::set<std::string>> FaultBus::ReadJudgedEvents() const {
  std::set<std::string> judged;
  absl::Status status =
      ReadWholeTopic(bootstrap_, bus_.Topic("infobus.judgments.v1"), [&](const kafka::Record& r) {
        infobus::common::v1::Judgment judgment;
        if (!judgment.ParseFromString(r.value) || judgment.rule_id() != kWatchlistRule) return;
        for (const auto& evidence : judgment.evidence()) {
          judged.insert(EventKey(evidence.source_id(), evidence.event_id()));
        }
      });
  if (!status.ok()) return status;
  return judged;
}

}  // namespace infobus::faults
