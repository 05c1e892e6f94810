// Need-to-know against live services over TLS: every role against every RPC, own vs. another
// unit, source and jurisdiction, below vs. above clearance, with vs. without a compartment,
// routing by unit clearance, and the hostile credentials. Each
// row names the caller, the call and the expected code; the table is printed on failure.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <functional>
#include <set>
#include <thread>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/util/time.h"
#include "infobus/common/v1/audit.pb.h"
#include "tests/integration/support/bus.h"
#include "tests/integration/support/clients.h"
#include "tests/integration/support/identities.h"

namespace infobus::testing {
namespace {

using infobus::collection::v1::CollectionService;
using infobus::common::v1::Classification;
using infobus::common::v1::Event;
using infobus::dispatch::v1::DispatchService;
using infobus::judgment::v1::JudgmentService;
using Code = grpc::StatusCode;

constexpr char kPhone[] = "13900139000";

constexpr char kRules[] = R"(version: 1
rules:
  - id: watchlist-hit
    version: 1
    kind: watchlist
    severity: medium
)";

// Fusui is cleared for everything but the informant compartment, which only the city holds;
// Pingxiang only for INTERNAL: what they are not cleared for goes to the city instead.
constexpr char kRouting[] = R"(units:
  - {id: guangxi-ops, jurisdictions: ["45"], clearance: SECRET, compartments: [informant]}
  - {id: chongzuo-ops, jurisdictions: ["4514"], supervisor: guangxi-ops, clearance: SECRET,
     compartments: [informant]}
  - {id: fusui-psb, jurisdictions: ["451421"], supervisor: chongzuo-ops, clearance: SECRET}
  - {id: pingxiang-psb, jurisdictions: ["451481"], supervisor: chongzuo-ops, clearance: INTERNAL}
routes:
  - {send_to_jurisdiction: most_specific}
)";

// Exactly these (rogue-source is known to the CA but registered for nothing).
const security::SourceRegistry kSources = {
    {"fusui-lodging", {{"451421"}, infobus::common::v1::CLASSIFICATION_CONFIDENTIAL}},
    {"fusui-110", {{"451421"}, infobus::common::v1::CLASSIFICATION_SECRET}},
    {"pingxiang-checkpoint", {{"451481"}, infobus::common::v1::CLASSIFICATION_CONFIDENTIAL}},
};

std::chrono::system_clock::time_point In(int seconds) {
  return std::chrono::system_clock::now() + std::chrono::seconds(seconds);
}

Event MakeEvent(const std::string& id, const std::string& source, const std::string& county,
                Classification classification) {
  Event event;
  event.set_event_id(id);
  event.set_source_id(source);
  event.set_kind("lodging.checkin");
  event.set_county_code(county);
  event.set_classification(classification);
  *event.mutable_occurred_at() = ToProtoTimestamp(absl::Now() - absl::Minutes(1));
  auto* subject = event.add_subjects();
  subject->set_type(infobus::common::v1::SUBJECT_TYPE_PHONE);
  subject->set_value(kPhone);
  return event;
}

// The people and machines of the matrix.
const Person kAnalystProvince{"analyst-45", {"analyst"}, "", {"45"}, "SECRET", {}};
const Person kAnalystCity{"analyst-4514", {"analyst"}, "", {"4514"}, "CONFIDENTIAL", {}};
// Cleared for everything, but only for Pingxiang: what it may not see is the jurisdiction's.
const Person kAnalystPingxiangSecret{"analyst-451481-s", {"analyst"}, "", {"451481"}, "SECRET", {}};
const Person kAnalystPingxiang{"analyst-451481", {"analyst"}, "", {"451481"}, "INTERNAL", {}};
const Person kOfficerFusui{"officer-fusui", {"officer"},    "fusui-psb",
                           {"451421"},      "CONFIDENTIAL", {}};
const Person kOfficerFusuiSecret{"officer-fusui-s", {"officer"}, "fusui-psb",
                                 {"451421"},        "SECRET",    {}};
const Person kOfficerPingxiang{"officer-pingxiang", {"officer"}, "pingxiang-psb",
                               {"451481"},          "INTERNAL",  {}};
const Person kSupervisorCity{"supervisor-4514", {"supervisor"}, "chongzuo-ops",
                             {"4514"},          "SECRET",       {}};
const Person kAdministrator{"root", {"administrator"}, "", {}, "", {}};
// Hold the informant compartment.
const Person kAnalystInformant{"analyst-45-i", {"analyst"}, "", {"45"}, "SECRET", {"informant"}};
const Person kSupervisorCityInformant{
    "supervisor-4514-i", {"supervisor"}, "chongzuo-ops", {"4514"}, "SECRET", {"informant"}};

class AuthzMatrixTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bus_.set_sources(kSources);
    const std::string rules = bus_.dir() + "/rules.yaml";
    std::ofstream(rules) << kRules;
    const std::string routing = bus_.dir() + "/routing.yaml";
    std::ofstream(routing) << kRouting;
    collection_ = bus_.Service("collection");
    judgment_ = bus_.Service("judgment", "judgment:\n  rules_file: " + rules + "\n");
    dispatch_ = bus_.Service("dispatch", "dispatch:\n  routing_file: " + routing + "\n");
    for (ServiceProcess* service : {collection_.get(), judgment_.get(), dispatch_.get()}) {
      ASSERT_TRUE(service->Start().ok()) << service->Log();
    }
  }
  void TearDown() override {
    if (!HasFailure()) return;
    for (ServiceProcess* service : {collection_.get(), judgment_.get(), dispatch_.get()}) {
      if (service != nullptr) std::cerr << service->Log();
    }
  }

  std::unique_ptr<CollectionService::Stub> Collection(const ClientSecurity& who) {
    return CollectionService::NewStub(Channel(collection_->address(), who));
  }
  std::unique_ptr<JudgmentService::Stub> Judgment(const ClientSecurity& who) {
    return JudgmentService::NewStub(Channel(judgment_->address(), who));
  }
  std::unique_ptr<DispatchService::Stub> Dispatch(const ClientSecurity& who) {
    return DispatchService::NewStub(Channel(dispatch_->address(), who));
  }

  grpc::Status Publish(const ClientSecurity& who, const Event& event,
                       infobus::collection::v1::PublishResponse* response = nullptr) {
    infobus::collection::v1::PublishRequest request;
    *request.add_events() = event;
    infobus::collection::v1::PublishResponse ignored;
    grpc::ClientContext context;
    context.set_deadline(In(20));
    return Collection(who)->Publish(&context, request, response ? response : &ignored);
  }

  // The judgments `who` may list (ids), or the call's failure.
  grpc::Status ListJudgments(const ClientSecurity& who, std::set<std::string>* ids = nullptr) {
    infobus::judgment::v1::ListJudgmentsRequest request;
    infobus::judgment::v1::ListJudgmentsResponse response;
    grpc::ClientContext context;
    context.set_deadline(In(10));
    grpc::Status status = Judgment(who)->ListJudgments(&context, request, &response);
    if (ids != nullptr) {
      ids->clear();
      for (const auto& record : response.records()) ids->insert(record.judgment().judgment_id());
    }
    return status;
  }

  // Publishes `event` as its source and waits until the province analyst holding every
  // compartment sees one more judgment; returns the new judgment's id.
  std::string JudgedEvent(const Event& event) {
    std::set<std::string> before, after;
    EXPECT_TRUE(ListJudgments(PersonIdentity(kAnalystInformant), &before).ok());
    infobus::collection::v1::PublishResponse response;
    EXPECT_TRUE(Publish(SourceIdentity(event.source_id()), event, &response).ok());
    EXPECT_EQ(response.results(0).outcome(), infobus::collection::v1::PUBLISH_OUTCOME_ACCEPTED)
        << response.ShortDebugString();
    for (absl::Time deadline = absl::Now() + absl::Seconds(60); absl::Now() < deadline;
         absl::SleepFor(absl::Milliseconds(100))) {
      EXPECT_TRUE(ListJudgments(PersonIdentity(kAnalystInformant), &after).ok());
      if (after.size() > before.size()) break;
    }
    for (const std::string& id : after) {
      if (before.count(id) == 0) return id;
    }
    ADD_FAILURE() << "event " << event.event_id() << " was not judged";
    return "";
  }

  uint64_t DeliveriesOf(const ClientSecurity& who, const std::string& unit, grpc::Status* status,
                        bool include_subordinates = false) {
    infobus::dispatch::v1::ListDeliveriesRequest request;
    request.set_unit_id(unit);
    request.set_include_subordinates(include_subordinates);
    infobus::dispatch::v1::ListDeliveriesResponse response;
    grpc::ClientContext context;
    context.set_deadline(In(10));
    *status = Dispatch(who)->ListDeliveries(&context, request, &response);
    return static_cast<uint64_t>(response.deliveries_size());
  }

  void WaitForDeliveries(const std::string& unit, uint64_t count) {
    grpc::Status status;
    for (absl::Time deadline = absl::Now() + absl::Seconds(60); absl::Now() < deadline;
         absl::SleepFor(absl::Milliseconds(100))) {
      if (DeliveriesOf(PersonIdentity(kSupervisorCityInformant), unit, &status) >= count) return;
    }
    ADD_FAILURE() << unit << " did not get " << count << " deliveries: " << status.error_message();
  }

  // The first `count` items of a stream `who` opens, as ids, or fewer when it ends early.
  std::vector<std::string> JudgmentStream(const ClientSecurity& who, size_t count,
                                          grpc::Status* status) {
    infobus::judgment::v1::SubscribeRequest request;
    grpc::ClientContext context;
    context.set_deadline(In(15));
    auto stub = Judgment(who);
    auto reader = stub->Subscribe(&context, request);
    std::vector<std::string> ids;
    infobus::judgment::v1::JudgmentRecord record;
    bool open = true;
    while (ids.size() < count && (open = reader->Read(&record))) {
      ids.push_back(record.judgment().judgment_id());
    }
    if (open) context.TryCancel();  // got what it came for; an early end keeps its status
    *status = reader->Finish();
    return ids;
  }
  std::vector<std::string> InboxStream(const ClientSecurity& who, const std::string& unit,
                                       size_t count, grpc::Status* status) {
    infobus::dispatch::v1::SubscribeRequest request;
    request.set_unit_id(unit);
    grpc::ClientContext context;
    context.set_deadline(In(15));
    auto stub = Dispatch(who);
    auto reader = stub->Subscribe(&context, request);
    std::vector<std::string> ids;
    infobus::common::v1::Delivery delivery;
    bool open = true;
    while (ids.size() < count && (open = reader->Read(&delivery))) {
      ids.push_back(delivery.judgment().judgment_id());
    }
    if (open) context.TryCancel();
    *status = reader->Finish();
    return ids;
  }

  // One row of the matrix.
  void Expect(const std::string& row, const grpc::Status& status, Code expected) {
    ++rows_;
    EXPECT_EQ(status.error_code(), expected)
        << row << ": got " << status.error_code() << " (" << status.error_message() << ")";
    if (expected == Code::UNAUTHENTICATED || expected == Code::PERMISSION_DENIED) {
      EXPECT_FALSE(status.error_message().empty()) << row << ": a refusal says why";
    }
  }

  TestBus bus_{"authz"};
  std::unique_ptr<ServiceProcess> collection_, judgment_, dispatch_;
  int rows_ = 0;
};

TEST_F(AuthzMatrixTest, EveryRoleAgainstEveryRpc) {
  const ClientSecurity admin_machine = ServiceIdentity("admin");
  const ClientSecurity admin_person = PersonIdentity(kAdministrator);
  const ClientSecurity judgment_machine = ServiceIdentity("judgment");
  const ClientSecurity lodging = SourceIdentity("fusui-lodging");
  const ClientSecurity checkpoint = SourceIdentity("pingxiang-checkpoint");
  const ClientSecurity rogue_source = SourceIdentity("rogue-source");
  const ClientSecurity anonymous = AnonymousTls();
  const ClientSecurity analyst_province = PersonIdentity(kAnalystProvince);
  const ClientSecurity analyst_city = PersonIdentity(kAnalystCity);
  const ClientSecurity analyst_pingxiang = PersonIdentity(kAnalystPingxiang);
  const ClientSecurity analyst_pingxiang_secret = PersonIdentity(kAnalystPingxiangSecret);
  const ClientSecurity officer_fusui = PersonIdentity(kOfficerFusui);
  const ClientSecurity officer_fusui_secret = PersonIdentity(kOfficerFusuiSecret);
  const ClientSecurity officer_pingxiang = PersonIdentity(kOfficerPingxiang);
  const ClientSecurity supervisor_city = PersonIdentity(kSupervisorCity);
  const ClientSecurity analyst_informant = PersonIdentity(kAnalystInformant);
  const ClientSecurity supervisor_city_informant = PersonIdentity(kSupervisorCityInformant);

  // --- Administration: only an administrator (a person or the admin machine).
  struct Caller {
    std::string name;
    const ClientSecurity* who;
    Code expected;
  };
  const std::vector<Caller> admin_callers = {
      {"admin machine", &admin_machine, Code::OK},
      {"admin person", &admin_person, Code::OK},
      {"province analyst", &analyst_province, Code::PERMISSION_DENIED},
      {"fusui officer", &officer_fusui, Code::PERMISSION_DENIED},
      {"city supervisor", &supervisor_city, Code::PERMISSION_DENIED},
      {"lodging source", &lodging, Code::PERMISSION_DENIED},
      {"judgment machine", &judgment_machine, Code::PERMISSION_DENIED},
      {"anonymous", &anonymous, Code::UNAUTHENTICATED},
  };
  for (const Caller& caller : admin_callers) {
    {
      infobus::judgment::v1::AddWatchlistEntryRequest request;
      request.mutable_entry()->set_list_id("matrix_probe");
      request.mutable_entry()->mutable_subject()->set_type(infobus::common::v1::SUBJECT_TYPE_PHONE);
      request.mutable_entry()->mutable_subject()->set_value("13700137000");
      infobus::judgment::v1::AddWatchlistEntryResponse response;
      grpc::ClientContext context;
      context.set_deadline(In(20));
      Expect(caller.name + " AddWatchlistEntry",
             Judgment(*caller.who)->AddWatchlistEntry(&context, request, &response),
             caller.expected);
    }
    {
      infobus::judgment::v1::RemoveWatchlistEntryRequest request;
      request.set_list_id("matrix_probe");
      request.mutable_subject()->set_type(infobus::common::v1::SUBJECT_TYPE_PHONE);
      request.mutable_subject()->set_value("13700137000");
      infobus::judgment::v1::RemoveWatchlistEntryResponse response;
      grpc::ClientContext context;
      context.set_deadline(In(20));
      Expect(caller.name + " RemoveWatchlistEntry",
             Judgment(*caller.who)->RemoveWatchlistEntry(&context, request, &response),
             caller.expected);
    }
    {
      infobus::judgment::v1::ReloadRulesRequest request;
      infobus::judgment::v1::ReloadRulesResponse response;
      grpc::ClientContext context;
      context.set_deadline(In(20));
      Expect(caller.name + " ReloadRules",
             Judgment(*caller.who)->ReloadRules(&context, request, &response), caller.expected);
    }
    {
      infobus::dispatch::v1::ReloadRoutingRequest request;
      infobus::dispatch::v1::ReloadRoutingResponse response;
      grpc::ClientContext context;
      context.set_deadline(In(20));
      Expect(caller.name + " ReloadRouting",
             Dispatch(*caller.who)->ReloadRouting(&context, request, &response), caller.expected);
    }
  }

  // The watchlist entry every event below hits.
  {
    infobus::judgment::v1::AddWatchlistEntryRequest request;
    request.mutable_entry()->set_list_id("person_of_interest");
    request.mutable_entry()->mutable_subject()->set_type(infobus::common::v1::SUBJECT_TYPE_PHONE);
    request.mutable_entry()->mutable_subject()->set_value(kPhone);
    infobus::judgment::v1::AddWatchlistEntryResponse response;
    grpc::ClientContext context;
    context.set_deadline(In(20));
    ASSERT_TRUE(Judgment(admin_machine)->AddWatchlistEntry(&context, request, &response).ok());
  }

  // --- Publish: a source as itself, for its counties, up to its clearance.
  const Classification kInternal = infobus::common::v1::CLASSIFICATION_INTERNAL;
  const Classification kConfidential = infobus::common::v1::CLASSIFICATION_CONFIDENTIAL;
  const Classification kSecret = infobus::common::v1::CLASSIFICATION_SECRET;
  struct PublishRow {
    std::string name;
    const ClientSecurity* who;
    Event event;
    Code expected;
  };
  const std::vector<PublishRow> publishes = {
      {"lodging as another source", &lodging,
       MakeEvent("p1", "pingxiang-checkpoint", "451481", kInternal), Code::PERMISSION_DENIED},
      {"lodging for another county", &lodging,
       MakeEvent("p2", "fusui-lodging", "451481", kInternal), Code::PERMISSION_DENIED},
      {"lodging above its clearance", &lodging, MakeEvent("p3", "fusui-lodging", "451421", kSecret),
       Code::PERMISSION_DENIED},
      {"unregistered source", &rogue_source, MakeEvent("p4", "rogue-source", "451421", kInternal),
       Code::PERMISSION_DENIED},
      {"analyst publishing", &analyst_province,
       MakeEvent("p5", "fusui-lodging", "451421", kInternal), Code::PERMISSION_DENIED},
      {"admin machine publishing", &admin_machine,
       MakeEvent("p6", "fusui-lodging", "451421", kInternal), Code::PERMISSION_DENIED},
      {"judgment machine publishing", &judgment_machine,
       MakeEvent("p7", "fusui-lodging", "451421", kInternal), Code::PERMISSION_DENIED},
      {"anonymous publishing", &anonymous, MakeEvent("p8", "fusui-lodging", "451421", kInternal),
       Code::UNAUTHENTICATED},
  };
  for (const PublishRow& row : publishes) {
    Expect("Publish: " + row.name, Publish(*row.who, row.event), row.expected);
  }
  std::set<std::string> none;
  ASSERT_TRUE(ListJudgments(analyst_province, &none).ok());
  EXPECT_TRUE(none.empty()) << "a refused publish was judged";

  // Judgments, in this seq order: CONFIDENTIAL at Fusui, SECRET at Fusui, INTERNAL at
  // Pingxiang, CONFIDENTIAL at Fusui again (so a leak of the SECRET one cannot hide at the end
  // of a stream).
  const std::string fusui_confidential =
      JudgedEvent(MakeEvent("e1", "fusui-lodging", "451421", kConfidential));
  Expect("Publish: lodging as itself", grpc::Status::OK, Code::OK);
  const std::string fusui_secret = JudgedEvent(MakeEvent("e2", "fusui-110", "451421", kSecret));
  const std::string pingxiang_internal =
      JudgedEvent(MakeEvent("e3", "pingxiang-checkpoint", "451481", kInternal));
  Expect("Publish: checkpoint as itself", grpc::Status::OK, Code::OK);
  const std::string fusui_confidential_2 =
      JudgedEvent(MakeEvent("e4", "fusui-lodging", "451421", kConfidential));
  // In the informant compartment, which Fusui lacks: routed to the city instead.
  Event informant = MakeEvent("e5", "fusui-110", "451421", kConfidential);
  informant.add_compartments("informant");
  const std::string fusui_informant = JudgedEvent(informant);
  // Above Pingxiang's clearance: routed to the city instead.
  const std::string pingxiang_confidential =
      JudgedEvent(MakeEvent("e6", "pingxiang-checkpoint", "451481", kConfidential));
  ASSERT_FALSE(HasFailure());
  WaitForDeliveries("fusui-psb", 3);
  WaitForDeliveries("pingxiang-psb", 1);
  WaitForDeliveries("chongzuo-ops", 2);

  // --- GetJudgment: role, clearance and jurisdiction.
  struct GetRow {
    std::string name;
    const ClientSecurity* who;
    std::string judgment_id;
    Code expected;
  };
  const std::vector<GetRow> gets = {
      {"province analyst, confidential", &analyst_province, fusui_confidential, Code::OK},
      {"province analyst, secret", &analyst_province, fusui_secret, Code::OK},
      {"province analyst, pingxiang", &analyst_province, pingxiang_internal, Code::OK},
      {"city analyst, confidential", &analyst_city, fusui_confidential, Code::OK},
      {"city analyst, secret above clearance", &analyst_city, fusui_secret,
       Code::PERMISSION_DENIED},
      {"city analyst, pingxiang", &analyst_city, pingxiang_internal, Code::OK},
      {"pingxiang analyst, fusui (other jurisdiction)", &analyst_pingxiang, fusui_confidential,
       Code::PERMISSION_DENIED},
      {"pingxiang analyst, pingxiang", &analyst_pingxiang, pingxiang_internal, Code::OK},
      {"cleared pingxiang analyst, fusui (other jurisdiction)", &analyst_pingxiang_secret,
       fusui_secret, Code::PERMISSION_DENIED},
      {"cleared pingxiang analyst, pingxiang", &analyst_pingxiang_secret, pingxiang_internal,
       Code::OK},
      {"city supervisor, secret", &supervisor_city, fusui_secret, Code::OK},
      {"province analyst, informant (lacks the compartment)", &analyst_province, fusui_informant,
       Code::PERMISSION_DENIED},
      {"city supervisor, informant (lacks the compartment)", &supervisor_city, fusui_informant,
       Code::PERMISSION_DENIED},
      {"informant analyst, informant", &analyst_informant, fusui_informant, Code::OK},
      {"fusui officer (no analyst role)", &officer_fusui, fusui_confidential,
       Code::PERMISSION_DENIED},
      {"admin person (no analyst role)", &admin_person, fusui_confidential,
       Code::PERMISSION_DENIED},
      {"lodging source", &lodging, fusui_confidential, Code::PERMISSION_DENIED},
      {"anonymous", &anonymous, fusui_confidential, Code::UNAUTHENTICATED},
  };
  for (const GetRow& row : gets) {
    infobus::judgment::v1::GetJudgmentRequest request;
    request.set_judgment_id(row.judgment_id);
    infobus::judgment::v1::GetJudgmentResponse response;
    grpc::ClientContext context;
    context.set_deadline(In(10));
    const grpc::Status status = Judgment(*row.who)->GetJudgment(&context, request, &response);
    Expect("GetJudgment: " + row.name, status, row.expected);
    if (!status.ok()) {
      EXPECT_FALSE(response.has_record()) << row.name << ": a refusal leaked it";
    }
  }

  // --- ListJudgments: only what each may see.
  struct ListRow {
    std::string name;
    const ClientSecurity* who;
    Code expected;
    std::set<std::string> visible;
  };
  const std::vector<ListRow> lists = {
      {"province analyst (informant left out)",
       &analyst_province,
       Code::OK,
       {fusui_confidential, fusui_secret, pingxiang_internal, fusui_confidential_2,
        pingxiang_confidential}},
      {"informant analyst",
       &analyst_informant,
       Code::OK,
       {fusui_confidential, fusui_secret, pingxiang_internal, fusui_confidential_2, fusui_informant,
        pingxiang_confidential}},
      {"city analyst",
       &analyst_city,
       Code::OK,
       {fusui_confidential, pingxiang_internal, fusui_confidential_2, pingxiang_confidential}},
      {"pingxiang analyst", &analyst_pingxiang, Code::OK, {pingxiang_internal}},
      {"cleared pingxiang analyst",
       &analyst_pingxiang_secret,
       Code::OK,
       {pingxiang_internal, pingxiang_confidential}},
      {"city supervisor",
       &supervisor_city,
       Code::OK,
       {fusui_confidential, fusui_secret, pingxiang_internal, fusui_confidential_2,
        pingxiang_confidential}},
      {"fusui officer", &officer_fusui, Code::PERMISSION_DENIED, {}},
      {"admin machine", &admin_machine, Code::PERMISSION_DENIED, {}},
      {"anonymous", &anonymous, Code::UNAUTHENTICATED, {}},
  };
  for (const ListRow& row : lists) {
    std::set<std::string> ids;
    Expect("ListJudgments: " + row.name, ListJudgments(*row.who, &ids), row.expected);
    EXPECT_EQ(ids, row.visible) << "ListJudgments: " << row.name;
  }

  // --- Judgment Subscribe: the stream skips what the caller may not see and goes on.
  {
    grpc::Status status;
    std::vector<std::string> ids = JudgmentStream(analyst_city, 3, &status);
    Expect("Subscribe judgments: city analyst", grpc::Status::OK, Code::OK);
    EXPECT_EQ(ids, (std::vector<std::string>{fusui_confidential, pingxiang_internal,
                                             fusui_confidential_2}))
        << "the city analyst's stream showed a SECRET judgment or stalled";
    ids = JudgmentStream(analyst_pingxiang, 1, &status);
    EXPECT_EQ(ids, (std::vector<std::string>{pingxiang_internal}));
    ids = JudgmentStream(analyst_pingxiang_secret, 2, &status);
    EXPECT_EQ(ids, (std::vector<std::string>{pingxiang_internal, pingxiang_confidential}))
        << "the Pingxiang analyst's stream showed a Fusui judgment";
    // The informant judgment sits between the two it may see: skipped, not stalled on.
    ids = JudgmentStream(analyst_province, 5, &status);
    Expect("Subscribe judgments: province analyst (informant left out)", grpc::Status::OK,
           Code::OK);
    EXPECT_EQ(ids, (std::vector<std::string>{fusui_confidential, fusui_secret, pingxiang_internal,
                                             fusui_confidential_2, pingxiang_confidential}))
        << "the province analyst's stream showed the informant judgment or stalled";
    ids = JudgmentStream(analyst_informant, 6, &status);
    EXPECT_EQ(ids.size(), 6u);
    ids = JudgmentStream(officer_fusui, 1, &status);
    Expect("Subscribe judgments: fusui officer", status, Code::PERMISSION_DENIED);
    EXPECT_TRUE(ids.empty());
    ids = JudgmentStream(anonymous, 1, &status);
    Expect("Subscribe judgments: anonymous", status, Code::UNAUTHENTICATED);
    EXPECT_TRUE(ids.empty());
  }

  // --- Review: analysts, within what they may see, as themselves.
  struct ReviewRow {
    std::string name;
    const ClientSecurity* who;
    std::string judgment_id;
    std::string reviewer;
    Code expected;
  };
  const std::vector<ReviewRow> reviews = {
      {"city analyst, confidential", &analyst_city, fusui_confidential, "", Code::OK},
      {"city analyst, secret", &analyst_city, fusui_secret, "", Code::PERMISSION_DENIED},
      {"pingxiang analyst, fusui", &analyst_pingxiang, fusui_confidential_2, "",
       Code::PERMISSION_DENIED},
      {"cleared pingxiang analyst, fusui (other jurisdiction)", &analyst_pingxiang_secret,
       fusui_confidential_2, "", Code::PERMISSION_DENIED},
      {"city analyst as someone else", &analyst_city, fusui_confidential_2, "analyst-45",
       Code::PERMISSION_DENIED},
      {"city supervisor (no analyst role)", &supervisor_city, fusui_confidential, "",
       Code::PERMISSION_DENIED},
      {"fusui officer", &officer_fusui, fusui_confidential, "", Code::PERMISSION_DENIED},
      {"anonymous", &anonymous, fusui_confidential, "", Code::UNAUTHENTICATED},
  };
  for (const ReviewRow& row : reviews) {
    infobus::judgment::v1::ReviewRequest request;
    request.set_judgment_id(row.judgment_id);
    request.set_status(infobus::common::v1::REVIEW_STATUS_CONFIRMED);
    request.set_reviewer(row.reviewer);
    infobus::judgment::v1::ReviewResponse response;
    grpc::ClientContext context;
    context.set_deadline(In(20));
    const grpc::Status status = Judgment(*row.who)->Review(&context, request, &response);
    Expect("Review: " + row.name, status, row.expected);
    if (status.ok()) {
      EXPECT_EQ(response.record().judgment().review().reviewer(), "analyst-4514")
          << "the review is recorded as the caller";
    }
  }

  // --- ListDeliveries: own unit, or below for a supervisor; above clearance left out.
  struct InboxRow {
    std::string name;
    const ClientSecurity* who;
    std::string unit;
    bool subordinates;
    Code expected;
    uint64_t visible;
  };
  const std::vector<InboxRow> inboxes = {
      {"fusui officer, own unit (secret left out)", &officer_fusui, "fusui-psb", false, Code::OK,
       2},
      {"fusui secret officer, own unit", &officer_fusui_secret, "fusui-psb", false, Code::OK, 3},
      {"fusui officer, pingxiang", &officer_fusui, "pingxiang-psb", false, Code::PERMISSION_DENIED,
       0},
      {"fusui officer, with subordinates", &officer_fusui, "fusui-psb", true,
       Code::PERMISSION_DENIED, 0},
      {"fusui officer, the unit above", &officer_fusui, "chongzuo-ops", false,
       Code::PERMISSION_DENIED, 0},
      {"pingxiang officer, own unit", &officer_pingxiang, "pingxiang-psb", false, Code::OK, 1},
      {"pingxiang officer, fusui", &officer_pingxiang, "fusui-psb", false, Code::PERMISSION_DENIED,
       0},
      {"city supervisor, fusui", &supervisor_city, "fusui-psb", false, Code::OK, 3},
      {"city supervisor, pingxiang", &supervisor_city, "pingxiang-psb", false, Code::OK, 1},
      {"city supervisor, with subordinates", &supervisor_city, "chongzuo-ops", true, Code::OK, 5},
      // What a unit is not cleared for went to the city: Fusui has no informant judgment (an
      // informant holder would see it), Pingxiang no CONFIDENTIAL one (the city supervisor
      // would), and the city has both; its supervisor without the compartment sees one.
      {"informant city supervisor, fusui", &supervisor_city_informant, "fusui-psb", false, Code::OK,
       3},
      {"city supervisor, own unit (informant left out)", &supervisor_city, "chongzuo-ops", false,
       Code::OK, 1},
      {"informant city supervisor, own unit", &supervisor_city_informant, "chongzuo-ops", false,
       Code::OK, 2},
      {"city supervisor, the unit above", &supervisor_city, "guangxi-ops", false,
       Code::PERMISSION_DENIED, 0},
      {"province analyst", &analyst_province, "fusui-psb", false, Code::PERMISSION_DENIED, 0},
      {"admin machine", &admin_machine, "fusui-psb", false, Code::PERMISSION_DENIED, 0},
      {"lodging source", &lodging, "fusui-psb", false, Code::PERMISSION_DENIED, 0},
      {"anonymous", &anonymous, "fusui-psb", false, Code::UNAUTHENTICATED, 0},
  };
  for (const InboxRow& row : inboxes) {
    grpc::Status status;
    const uint64_t count = DeliveriesOf(*row.who, row.unit, &status, row.subordinates);
    Expect("ListDeliveries: " + row.name, status, row.expected);
    EXPECT_EQ(count, row.visible) << "ListDeliveries: " << row.name;
  }

  // --- Dispatch Subscribe: the SECRET delivery is skipped for the CONFIDENTIAL officer.
  {
    grpc::Status status;
    std::vector<std::string> ids = InboxStream(officer_fusui, "fusui-psb", 2, &status);
    EXPECT_EQ(ids, (std::vector<std::string>{fusui_confidential, fusui_confidential_2}))
        << "the officer's inbox stream showed the SECRET delivery or stalled";
    Expect("Subscribe inbox: fusui officer, own unit", grpc::Status::OK, Code::OK);
    ids = InboxStream(officer_fusui_secret, "fusui-psb", 3, &status);
    EXPECT_EQ(ids.size(), 3u);
    ids = InboxStream(officer_pingxiang, "fusui-psb", 1, &status);
    Expect("Subscribe inbox: pingxiang officer, fusui", status, Code::PERMISSION_DENIED);
    EXPECT_TRUE(ids.empty());
    ids = InboxStream(supervisor_city, "pingxiang-psb", 1, &status);
    EXPECT_EQ(ids, (std::vector<std::string>{pingxiang_internal}));
    ids = InboxStream(supervisor_city, "chongzuo-ops", 1, &status);
    EXPECT_EQ(ids, (std::vector<std::string>{pingxiang_confidential}))
        << "the city supervisor's inbox stream showed the informant delivery or stalled";
    ids = InboxStream(supervisor_city_informant, "chongzuo-ops", 2, &status);
    EXPECT_EQ(ids, (std::vector<std::string>{fusui_informant, pingxiang_confidential}));
    ids = InboxStream(anonymous, "fusui-psb", 1, &status);
    Expect("Subscribe inbox: anonymous", status, Code::UNAUTHENTICATED);
    EXPECT_TRUE(ids.empty());
  }

  // --- Routing by clearance: each of the city's deliveries says whom it was meant for and why.
  {
    infobus::dispatch::v1::ListDeliveriesRequest request;
    request.set_unit_id("chongzuo-ops");
    infobus::dispatch::v1::ListDeliveriesResponse response;
    grpc::ClientContext context;
    context.set_deadline(In(10));
    ASSERT_TRUE(
        Dispatch(supervisor_city_informant)->ListDeliveries(&context, request, &response).ok());
    ASSERT_EQ(response.deliveries_size(), 2);
    EXPECT_EQ(response.deliveries(0).judgment().judgment_id(), fusui_informant);
    EXPECT_EQ(response.deliveries(0).rerouted_from_unit(), "fusui-psb");
    EXPECT_EQ(response.deliveries(0).reroute_reason(),
              infobus::common::v1::REROUTE_REASON_COMPARTMENT);
    EXPECT_EQ(response.deliveries(1).judgment().judgment_id(), pingxiang_confidential);
    EXPECT_EQ(response.deliveries(1).rerouted_from_unit(), "pingxiang-psb");
    EXPECT_EQ(response.deliveries(1).reroute_reason(),
              infobus::common::v1::REROUTE_REASON_CLEARANCE);
    Expect("Routing: informant judgment rerouted from fusui for its compartment", grpc::Status::OK,
           Code::OK);
    Expect("Routing: confidential judgment rerouted from pingxiang for its clearance",
           grpc::Status::OK, Code::OK);
  }

  // --- Acknowledge and Feedback: for one's own unit (or below, as supervisor), as oneself.
  // Fusui's seq 1 is CONFIDENTIAL, seq 2 SECRET: signing off what one may not read is refused.
  struct SignRow {
    std::string name;
    const ClientSecurity* who;
    std::string unit;
    std::string by;
    Code expected;
    uint64_t seq = 1;
  };
  const std::vector<SignRow> signs = {
      {"fusui officer, own unit", &officer_fusui, "fusui-psb", "", Code::OK},
      {"fusui officer as someone else", &officer_fusui, "fusui-psb", "officer-7",
       Code::PERMISSION_DENIED},
      {"fusui officer, above its clearance", &officer_fusui, "fusui-psb", "",
       Code::PERMISSION_DENIED, 2},
      {"fusui secret officer, SECRET delivery", &officer_fusui_secret, "fusui-psb", "", Code::OK,
       2},
      {"pingxiang officer, fusui", &officer_pingxiang, "fusui-psb", "", Code::PERMISSION_DENIED},
      {"city supervisor, pingxiang", &supervisor_city, "pingxiang-psb", "", Code::OK},
      {"province analyst", &analyst_province, "fusui-psb", "", Code::PERMISSION_DENIED},
      {"admin machine", &admin_machine, "fusui-psb", "", Code::PERMISSION_DENIED},
      {"anonymous", &anonymous, "fusui-psb", "", Code::UNAUTHENTICATED},
  };
  for (const SignRow& row : signs) {
    infobus::dispatch::v1::AcknowledgeRequest ack;
    ack.set_unit_id(row.unit);
    ack.set_seq(row.seq);
    ack.set_acknowledged_by(row.by);
    infobus::dispatch::v1::AcknowledgeResponse acked;
    grpc::ClientContext ack_context;
    ack_context.set_deadline(In(20));
    const grpc::Status ack_status = Dispatch(*row.who)->Acknowledge(&ack_context, ack, &acked);
    Expect("Acknowledge: " + row.name, ack_status, row.expected);
    if (ack_status.ok()) {
      EXPECT_NE(acked.acknowledged_by(), "") << row.name;
    }

    infobus::dispatch::v1::FeedbackRequest feedback;
    feedback.set_unit_id(row.unit);
    feedback.set_seq(row.seq);
    feedback.set_outcome(infobus::common::v1::FEEDBACK_OUTCOME_HANDLED);
    feedback.set_given_by(row.by);
    infobus::dispatch::v1::FeedbackResponse given;
    grpc::ClientContext feedback_context;
    feedback_context.set_deadline(In(20));
    Expect("Feedback: " + row.name,
           Dispatch(*row.who)->Feedback(&feedback_context, feedback, &given), row.expected);
  }
  {
    // Recorded as the caller, whatever the request said.
    grpc::Status status;
    infobus::dispatch::v1::ListDeliveriesRequest request;
    request.set_unit_id("fusui-psb");
    infobus::dispatch::v1::ListDeliveriesResponse response;
    grpc::ClientContext context;
    context.set_deadline(In(10));
    ASSERT_TRUE(Dispatch(officer_fusui)->ListDeliveries(&context, request, &response).ok());
    ASSERT_GE(response.deliveries_size(), 1);
    EXPECT_EQ(response.deliveries(0).acknowledged_by(), "officer-fusui");
    EXPECT_EQ(response.deliveries(0).feedback().given_by(), "officer-fusui");
  }

  // --- ListUnits: any person.
  for (const Caller& caller :
       std::vector<Caller>{{"fusui officer", &officer_fusui, Code::OK},
                           {"province analyst", &analyst_province, Code::OK},
                           {"admin person", &admin_person, Code::OK},
                           {"lodging source", &lodging, Code::PERMISSION_DENIED},
                           {"anonymous", &anonymous, Code::UNAUTHENTICATED}}) {
    infobus::dispatch::v1::ListUnitsRequest request;
    infobus::dispatch::v1::ListUnitsResponse response;
    grpc::ClientContext context;
    context.set_deadline(In(10));
    Expect("ListUnits: " + caller.name,
           Dispatch(*caller.who)->ListUnits(&context, request, &response), caller.expected);
  }

  // --- Audit: the decisions on classified items and the changes are on infobus.audit.v1.
  {
    std::vector<infobus::common::v1::AuditRecord> audit;
    auto has = [&audit](const std::string& subject, const std::string& method,
                        const std::string& item_id, infobus::common::v1::AuditDecision decision) {
      for (const auto& record : audit) {
        if (record.subject() == subject && record.method() == method &&
            (item_id.empty() || record.item_id() == item_id) && record.decision() == decision) {
          return true;
        }
      }
      return false;
    };
    const auto kAllowed = infobus::common::v1::AUDIT_DECISION_ALLOWED;
    const auto kDenied = infobus::common::v1::AUDIT_DECISION_DENIED;
    const std::vector<
        std::tuple<std::string, std::string, std::string, infobus::common::v1::AuditDecision>>
        expected = {
            {"admin", "JudgmentService/AddWatchlistEntry", "person_of_interest", kAllowed},
            {"fusui-lodging", "CollectionService/Publish", "pingxiang-checkpoint/p1", kDenied},
            {"analyst-45", "JudgmentService/AddWatchlistEntry", "matrix_probe", kDenied},
            {"root", "JudgmentService/ReloadRules", "", kAllowed},
            {"supervisor-4514", "DispatchService/ReloadRouting", "", kDenied},
            {"analyst-45", "JudgmentService/GetJudgment", fusui_secret, kAllowed},
            {"analyst-4514", "JudgmentService/GetJudgment", fusui_secret, kDenied},
            {"analyst-4514", "JudgmentService/ListJudgments", fusui_secret, kDenied},
            {"analyst-4514", "JudgmentService/ListJudgments", fusui_confidential, kAllowed},
            {"analyst-4514", "JudgmentService/Subscribe", fusui_secret, kDenied},
            {"analyst-4514", "JudgmentService/Review", fusui_confidential, kAllowed},
            {"analyst-4514", "JudgmentService/Review", fusui_secret, kDenied},
            {"officer-fusui", "DispatchService/ListDeliveries", "", kDenied},
            {"officer-fusui-s", "DispatchService/Subscribe", "", kAllowed},
            // Classified events taken, and sign-offs and feedback on classified deliveries.
            {"fusui-lodging", "CollectionService/Publish", "fusui-lodging/e1", kAllowed},
            {"fusui-110", "CollectionService/Publish", "fusui-110/e2", kAllowed},
            {"officer-fusui", "DispatchService/Acknowledge", "fusui-psb/1", kAllowed},
            {"officer-fusui", "DispatchService/Feedback", "fusui-psb/1", kAllowed},
            {"officer-fusui", "DispatchService/Acknowledge", "fusui-psb/2", kDenied},
            {"officer-fusui", "DispatchService/Feedback", "fusui-psb/2", kDenied},
            {"officer-fusui-s", "DispatchService/Acknowledge", "fusui-psb/2", kAllowed},
        };
    for (absl::Time deadline = absl::Now() + absl::Seconds(30); absl::Now() < deadline;) {
      audit.clear();
      for (const kafka::Record& record :
           ReadTopic(bus_.Topic("infobus.audit.v1"), 100000, absl::Seconds(3))) {
        infobus::common::v1::AuditRecord parsed;
        if (parsed.ParseFromString(record.value)) audit.push_back(std::move(parsed));
      }
      bool all = true;
      for (const auto& [subject, method, item, decision] : expected) {
        all = all && has(subject, method, item, decision);
      }
      if (all) break;
    }
    for (const auto& [subject, method, item, decision] : expected) {
      ++rows_;
      EXPECT_TRUE(has(subject, method, item, decision))
          << "no audit record: " << subject << " " << method << " " << item << " "
          << infobus::common::v1::AuditDecision_Name(decision) << " (of " << audit.size() << ")";
    }
    // INTERNAL items are not classified: reading them leaves no record.
    for (const auto& record : audit) {
      if (record.item_kind() == "judgment" && record.item_id() == pingxiang_internal) {
        ADD_FAILURE() << "an INTERNAL judgment's read was audited: " << record.ShortDebugString();
      }
      if (record.item_kind() == "event" && record.item_id() == "pingxiang-checkpoint/e3") {
        ADD_FAILURE() << "an INTERNAL event's publish was audited: " << record.ShortDebugString();
      }
    }
  }

  EXPECT_GE(rows_, 80) << "the matrix shrank";
  std::cerr << "[authz] " << rows_ << " rows checked\n";
}

// Each hostile credential is refused with UNAUTHENTICATED and a reason, on every service.
TEST_F(AuthzMatrixTest, HostileCredentialsAreRefusedWithAReason) {
  const std::string good = MintTestToken(kAnalystProvince, "infobus-local", "infobus", -60, 3600);
  const std::vector<std::string> parts = absl::StrSplit(good, '.');
  ASSERT_EQ(parts.size(), 3u);
  // {"alg":"none","kid":"local-1"} with the good payload and no signature.
  const std::string alg_none = "eyJhbGciOiJub25lIiwia2lkIjoibG9jYWwtMSJ9." + parts[1] + ".";
  std::string tampered_signature = parts[2];
  tampered_signature[tampered_signature.size() / 2] =
      tampered_signature[tampered_signature.size() / 2] == 'A' ? 'B' : 'A';
  std::string tampered_payload = parts[1];
  tampered_payload[4] = tampered_payload[4] == 'A' ? 'B' : 'A';

  struct Hostile {
    std::string name;
    ClientSecurity who;
    std::string reason_part;  // what the refusal must mention
  };
  auto with_token = [](std::string token) {
    ClientSecurity security = AnonymousTls();
    security.bearer_token = std::move(token);
    return security;
  };
  std::vector<Hostile> hostile = {
      {"no credential", AnonymousTls(), "no credentials"},
      {"alg none", with_token(alg_none), "none"},
      {"expired",
       with_token(MintTestToken(kAnalystProvince, "infobus-local", "infobus", -7200, -3600)),
       "expired"},
      {"not yet valid",
       with_token(MintTestToken(kAnalystProvince, "infobus-local", "infobus", 3600, 7200)),
       "not valid"},
      {"wrong audience",
       with_token(MintTestToken(kAnalystProvince, "infobus-local", "elsewhere", -60, 3600)),
       "audience"},
      {"wrong issuer",
       with_token(MintTestToken(kAnalystProvince, "someone-else", "infobus", -60, 3600)), "iss"},
      {"unknown kid",
       with_token(
           MintTestToken(kAnalystProvince, "infobus-local", "infobus", -60, 3600, "rotated-away")),
       "key"},
      {"tampered signature", with_token(parts[0] + "." + parts[1] + "." + tampered_signature),
       "signature"},
      {"tampered payload", with_token(parts[0] + "." + tampered_payload + "." + parts[2]), ""},
      {"garbage token", with_token("not-a-token"), ""},
  };
  // A certificate from another CA, for a name the real CA also issued.
  {
    const std::string other = bus_.dir() + "/other-ca";
    ASSERT_EQ(std::system((std::string(INFOBUS_SOURCE_DIR "/scripts/pki.sh issue --kind source "
                                                          "--name fusui-lodging --dir ") +
                           other + " >/dev/null")
                              .c_str()),
              0);
    ClientSecurity foreign;
    foreign.tls = {TestPkiDir() + "/ca.pem", other + "/sources/fusui-lodging.pem",
                   other + "/sources/fusui-lodging.key"};
    hostile.push_back({"certificate from another CA", foreign, "certificate"});
  }
  for (const Hostile& row : hostile) {
    for (ServiceProcess* service : {collection_.get(), judgment_.get(), dispatch_.get()}) {
      // Health is a call like any other: it too needs a credential.
      grpc::health::v1::Health::Stub stub(Channel(service->address(), row.who));
      grpc::health::v1::HealthCheckRequest request;
      grpc::health::v1::HealthCheckResponse response;
      grpc::ClientContext context;
      context.set_deadline(In(10));
      const grpc::Status status = stub.Check(&context, request, &response);
      EXPECT_EQ(status.error_code(), Code::UNAUTHENTICATED)
          << row.name << " at " << service->address() << ": " << status.error_message();
      EXPECT_NE(status.error_message().find(row.reason_part), std::string::npos)
          << row.name << ": the reason should mention '" << row.reason_part
          << "': " << status.error_message();
    }
  }
  // The same token, untampered, is accepted: the refusals above are the credentials' fault.
  grpc::health::v1::Health::Stub stub(Channel(judgment_->address(), with_token(good)));
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  grpc::ClientContext context;
  context.set_deadline(In(10));
  EXPECT_TRUE(stub.Check(&context, request, &response).ok());
}

// gRPC gives every call of a connection the same AuthContext: an identity must be each call's
// own, even when two people's calls (a gateway's, say) share one connection, concurrently.
TEST_F(AuthzMatrixTest, OneConnectionCarriesEachCallsOwnIdentity) {
  auto channel = Channel(dispatch_->address(), AnonymousTls());
  auto stub = DispatchService::NewStub(channel);
  const std::string fusui = PersonIdentity(kOfficerFusui).bearer_token;
  const std::string pingxiang = PersonIdentity(kOfficerPingxiang).bearer_token;
  std::atomic<int> wrong{0}, calls{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        const bool own = (i + t) % 2 == 0;  // the Fusui officer asks for its own unit
        grpc::ClientContext context;
        context.set_deadline(In(20));
        context.set_credentials(grpc::AccessTokenCredentials(own ? fusui : pingxiang));
        infobus::dispatch::v1::ListDeliveriesRequest request;
        request.set_unit_id("fusui-psb");
        infobus::dispatch::v1::ListDeliveriesResponse response;
        const grpc::Status status = stub->ListDeliveries(&context, request, &response);
        ++calls;
        if (status.error_code() != (own ? Code::OK : Code::PERMISSION_DENIED)) ++wrong;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(calls.load(), 200);
  EXPECT_EQ(wrong.load(), 0) << "calls on one connection were answered as another caller";
  EXPECT_TRUE(dispatch_->running()) << dispatch_->Log();
}

// In the default mode no port speaks plaintext.
TEST_F(AuthzMatrixTest, APlaintextClientGetsNothing) {
  for (ServiceProcess* service : {collection_.get(), judgment_.get(), dispatch_.get()}) {
    ClientSecurity plaintext;
    plaintext.insecure = true;
    grpc::health::v1::Health::Stub stub(Channel(service->address(), plaintext));
    grpc::health::v1::HealthCheckRequest request;
    grpc::health::v1::HealthCheckResponse response;
    grpc::ClientContext context;
    context.set_deadline(In(5));
    const grpc::Status status = stub.Check(&context, request, &response);
    EXPECT_EQ(status.error_code(), Code::UNAVAILABLE) << service->address();
  }
}

}  // namespace
}  // namespace infobus::testing
