// infobusctl's command line: every command has its own --help, required flags are enforced,
// a flag never swallows what follows it, and who signs off or reports defaults to the login
// name even where $USER is unset (a container, a CI job). The calls go over loopback to a
// DispatchService of the test's own that records what it was sent.
#include "tools/infobusctl/ctl.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>

#include "absl/synchronization/mutex.h"
#include "infobus/dispatch/v1/dispatch_service.grpc.pb.h"
#include "infobus/supervision/v1/supervision_service.grpc.pb.h"
#include "tools/infobusctl/report_format.h"
#include "tools/infobusctl/trace_format.h"

namespace infobus::ctl {
namespace {

struct Result {
  int code;
  std::string out, err;
};

Result Ctl(const std::vector<std::string>& args) {
  std::istringstream in;
  std::ostringstream out, err;
  const int code = RunCommand(args, in, out, err);
  return {code, out.str(), err.str()};
}

TEST(Infobusctl, HelpListsEveryCommand) {
  const Result result = Ctl({"--help"});
  EXPECT_EQ(result.code, 0);
  for (const char* command :
       {"publish", "watch", "follow", "ack", "feedback", "approve", "send-back", "deliveries",
        "units", "judgments", "judgment", "review", "trace", "report", "health", "token"}) {
    EXPECT_NE(result.out.find(std::string("\n  ") + command + " "), std::string::npos) << command;
  }
}

TEST(Infobusctl, EachCommandHasItsOwnHelp) {
  const Result feedback = Ctl({"feedback", "--help"});
  EXPECT_EQ(feedback.code, 0);
  EXPECT_NE(feedback.out.find("Usage: infobusctl feedback"), std::string::npos) << feedback.out;
  EXPECT_NE(feedback.out.find("--outcome"), std::string::npos);
  EXPECT_EQ(feedback.out.find("Subcommands:"), std::string::npos) << "the global usage";

  const Result send_back = Ctl({"send-back", "--help"});
  EXPECT_EQ(send_back.code, 0);
  EXPECT_NE(send_back.out.find("Usage: infobusctl send-back"), std::string::npos) << send_back.out;
  EXPECT_NE(send_back.out.find("--note"), std::string::npos);
  // A send-back says what to do again: without --note it is a usage error.
  EXPECT_EQ(Ctl({"send-back", "--unit", "u", "--seq", "1"}).code, 2);
  const Result approve = Ctl({"approve", "--help"});
  EXPECT_EQ(approve.code, 0);
  EXPECT_NE(approve.out.find("--seq"), std::string::npos) << approve.out;

  const Result add = Ctl({"watch", "add", "--help"});
  EXPECT_EQ(add.code, 0);
  EXPECT_NE(add.out.find("Usage: infobusctl watch add"), std::string::npos) << add.out;
  EXPECT_NE(add.out.find("--severity"), std::string::npos);
}

TEST(Infobusctl, TokenMintSaysItIsForDevelopmentOnly) {
  const Result help = Ctl({"token", "mint", "--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("Usage: infobusctl token mint"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("For development and tests only"), std::string::npos) << help.out;
  EXPECT_EQ(Ctl({"token", "mint", "--sub", "zhang-wei"}).code, 2) << "--role is required";
  EXPECT_EQ(Ctl({"token", "mint", "--role", "analyst"}).code, 2) << "--sub is required";
  EXPECT_EQ(Ctl({"token", "mint", "--sub", "s", "--role", "source"}).code, 2) << "a machine role";
}

TEST(Infobusctl, RequiredFlagsAreEnforcedBeforeAnyCall) {
  const Result result = Ctl({"feedback", "--unit", "fusui-psb", "--outcome", "handled"});
  EXPECT_EQ(result.code, 2);
  EXPECT_NE(result.err.find("--seq is required"), std::string::npos) << result.err;
  EXPECT_EQ(Ctl({"health"}).code, 2);
  EXPECT_EQ(Ctl({"feedback", "--unit", "u", "--seq", "1", "--outcome", "lost"}).code, 2);
}

TEST(Infobusctl, AFlagNeverSwallowsWhatFollowsIt) {
  // A switch takes no value: the stray word after it is an error, not its value.
  const Result stray = Ctl({"deliveries", "--unit", "fusui-psb", "--subordinates", "stray"});
  EXPECT_EQ(stray.code, 2);
  EXPECT_NE(stray.err.find("stray"), std::string::npos) << stray.err;
  // A flag that needs a value does not take the next flag as it.
  const Result missing = Ctl({"ack", "--unit", "--seq", "1"});
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("--unit"), std::string::npos) << missing.err;
  const Result at_end =
      Ctl({"feedback", "--unit", "u", "--seq", "1", "--outcome", "handled", "--note"});
  EXPECT_EQ(at_end.code, 2) << at_end.err;
}

// Records the Feedback and Acknowledge requests it gets and answers them.
class RecordingDispatch final : public infobus::dispatch::v1::DispatchService::CallbackService {
 public:
  grpc::ServerUnaryReactor* Feedback(grpc::CallbackServerContext* context,
                                     const infobus::dispatch::v1::FeedbackRequest* request,
                                     infobus::dispatch::v1::FeedbackResponse* response) override {
    {
      absl::MutexLock lock(&mutex_);
      feedback_ = *request;
    }
    response->mutable_feedback()->set_given_by(request->given_by());
    auto* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

  grpc::ServerUnaryReactor* SendBack(grpc::CallbackServerContext* context,
                                     const infobus::dispatch::v1::SendBackRequest* request,
                                     infobus::dispatch::v1::SendBackResponse* response) override {
    {
      absl::MutexLock lock(&mutex_);
      send_back_ = *request;
    }
    response->set_sent_back_count(1);
    auto* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

  infobus::dispatch::v1::FeedbackRequest feedback() {
    absl::MutexLock lock(&mutex_);
    return feedback_;
  }
  infobus::dispatch::v1::SendBackRequest send_back() {
    absl::MutexLock lock(&mutex_);
    return send_back_;
  }

 private:
  absl::Mutex mutex_;
  infobus::dispatch::v1::FeedbackRequest feedback_ ABSL_GUARDED_BY(mutex_);
  infobus::dispatch::v1::SendBackRequest send_back_ ABSL_GUARDED_BY(mutex_);
};

// Sets (or, with nullptr, unsets) an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    value != nullptr ? ::setenv(name, value, 1) : ::unsetenv(name);
  }
  ~ScopedEnv() { old_.empty() ? ::unsetenv(name_) : ::setenv(name_, old_.c_str(), 1); }

 private:
  const char* name_;
  std::string old_;
};

// Against a server in insecure mode (which knows no caller) the login name is sent; against a
// TLS server nothing is (the server records who calls), see the secure tests of
// audit_test.cc.
TEST(Infobusctl, FeedbackWithoutByIsGivenByTheLoginNameWhenInsecure) {
  RecordingDispatch dispatch;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&dispatch);
  auto server = builder.BuildAndStart();
  ASSERT_NE(port, 0);
  const std::string address = "127.0.0.1:" + std::to_string(port);

  ScopedEnv no_user("USER", nullptr);
  ScopedEnv no_logname("LOGNAME", nullptr);
  const Result result =
      Ctl({"feedback", "--unit", "fusui-psb", "--seq", "1", "--outcome", "apprehended", "--note",
           "at the hotel", "--dispatch", address, "--insecure"});
  EXPECT_EQ(result.code, 0) << result.err;
  const passwd* account = ::getpwuid(::geteuid());
  ASSERT_NE(account, nullptr);
  const auto sent = dispatch.feedback();
  EXPECT_EQ(sent.given_by(), account->pw_name);
  EXPECT_EQ(sent.note(), "at the hotel");
  EXPECT_EQ(sent.outcome(), infobus::common::v1::FEEDBACK_OUTCOME_APPREHENDED);

  // An explicit --by wins, and $USER is the default when it is set.
  {
    ScopedEnv user("USER", "officer-9");
    ASSERT_EQ(Ctl({"feedback", "--unit", "u", "--seq", "2", "--outcome", "handled", "--dispatch",
                   address, "--insecure"})
                  .code,
              0);
    EXPECT_EQ(dispatch.feedback().given_by(), "officer-9");
    ASSERT_EQ(Ctl({"feedback", "--unit", "u", "--seq", "3", "--outcome", "handled", "--by",
                   "officer-7", "--dispatch", address, "--insecure"})
                  .code,
              0);
    EXPECT_EQ(dispatch.feedback().given_by(), "officer-7");
    // send-back the same way: unit, seq, note and who decides.
    const Result sent = Ctl({"send-back", "--unit", "fusui-psb", "--seq", "4", "--note",
                             "call her back", "--dispatch", address, "--insecure"});
    ASSERT_EQ(sent.code, 0) << sent.err;
    EXPECT_NE(sent.out.find("\"sentBackCount\":1"), std::string::npos) << sent.out;
    EXPECT_EQ(dispatch.send_back().unit_id(), "fusui-psb");
    EXPECT_EQ(dispatch.send_back().seq(), 4u);
    EXPECT_EQ(dispatch.send_back().note(), "call her back");
    EXPECT_EQ(dispatch.send_back().decided_by(), "officer-9");
  }
  server->Shutdown();
}

// Without a CA there is no TLS: the command says where it looked and calls nothing.
TEST(Infobusctl, WithoutACaNothingIsCalledAndTheMessageSaysWhereItLooked) {
  ScopedEnv run_dir("INFOBUS_RUN_DIR", "/nonexistent/infobus-run");
  ScopedEnv pki_dir("INFOBUS_PKI_DIR", nullptr);
  ScopedEnv ca("INFOBUS_CA", nullptr);
  const Result result = Ctl({"units", "--dispatch", "127.0.0.1:1"});
  EXPECT_EQ(result.code, 2);
  EXPECT_NE(result.err.find("/nonexistent/infobus-run/pki/ca.pem"), std::string::npos)
      << result.err;
  // $INFOBUS_PKI_DIR (scripts/test.sh and up.sh set it) comes first.
  ScopedEnv pki("INFOBUS_PKI_DIR", "/nonexistent/infobus-pki");
  const Result elsewhere = Ctl({"units", "--dispatch", "127.0.0.1:1"});
  EXPECT_EQ(elsewhere.code, 2);
  EXPECT_NE(elsewhere.err.find("/nonexistent/infobus-pki/ca.pem"), std::string::npos)
      << elsewhere.err;
  EXPECT_NE(result.err.find("--insecure"), std::string::npos) << result.err;
}

TEST(Infobusctl, ACertificateNeedsItsKeyAndInsecureExcludesCredentials) {
  const Result half =
      Ctl({"units", "--dispatch", "127.0.0.1:1", "--ca", "/dev/null", "--cert", "/dev/null"});
  EXPECT_EQ(half.code, 2);
  EXPECT_NE(half.err.find("needs its key"), std::string::npos) << half.err;
  // An exported key does not complete a --cert of the command line: that layer is whole.
  ScopedEnv key("INFOBUS_KEY", "/dev/null");
  EXPECT_EQ(
      Ctl({"units", "--dispatch", "127.0.0.1:1", "--ca", "/dev/null", "--cert", "/dev/null"}).code,
      2);
  const Result both = Ctl({"units", "--insecure", "--token", "t"});
  EXPECT_EQ(both.code, 2);
  EXPECT_NE(both.err.find("excludes"), std::string::npos) << both.err;
}

TEST(Infobusctl, InsecureSaysSoLoudly) {
  const Result result = Ctl({"units", "--dispatch", "127.0.0.1:1", "--insecure"});
  EXPECT_EQ(result.code, 1);  // nobody listens there
  EXPECT_NE(result.err.find("WARNING: --insecure"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("UNAVAILABLE"), std::string::npos) << result.err;
}

TEST(Infobusctl, TraceAndReportSayTheirFormatsColumnsAndExitCodes) {
  for (const char* command : {"trace", "report"}) {
    const Result help = Ctl({command, "--help"});
    EXPECT_EQ(help.code, 0) << command;
    for (const char* said : {"--format table|json|csv", "--supervision ADDR",
                             "$INFOBUS_SUPERVISION_ADDR", "RFC 4180", "Exit 0: answered"}) {
      EXPECT_NE(help.out.find(said), std::string::npos) << command << " --help lacks " << said;
    }
  }
  EXPECT_NE(Ctl({"trace", "--help"}).out.find("    " + TraceCsvColumns().substr(0, 40)),
            std::string::npos);
  EXPECT_NE(Ctl({"report", "--help"}).out.find("section,unit,deliveries,acknowledged"),
            std::string::npos);
}

// `args` against an address where nobody listens, insecure: a command line that parses gets
// as far as the call (exit 1, UNAVAILABLE), so exit 2 is the usage error alone.
std::vector<std::string> Unanswered(std::vector<std::string> args) {
  for (const char* more : {"--supervision", "127.0.0.1:1", "--insecure"}) args.push_back(more);
  return args;
}

TEST(Infobusctl, ACommandLineThatParsesGetsAsFarAsTheCall) {
  const Result result = Ctl(Unanswered({"report", "--month", "2026-11"}));
  EXPECT_EQ(result.code, 1);
  EXPECT_NE(result.err.find("Report: UNAVAILABLE"), std::string::npos) << result.err;
}

TEST(Infobusctl, TraceNamesExactlyOneItem) {
  const std::vector<std::string> bad[] = {
      {"trace"},
      {"trace", "--event", "fusui-lodging/e1", "--judgment-id", "j-1"},
      {"trace", "--event", "no-slash"},
      {"trace", "--event", "/e1"},
      {"trace", "--event", "fusui-lodging/"},
      {"trace", "--trace-id", "t-1", "--format", "xml"},
  };
  for (const auto& args : bad) {
    const Result result = Ctl(Unanswered(args));
    EXPECT_EQ(result.code, 2) << ::testing::PrintToString(args) << ": " << result.err;
    EXPECT_EQ(result.err.find("UNAVAILABLE"), std::string::npos) << "it called: " << result.err;
  }
}

TEST(Infobusctl, ReportTakesOnePeriodThatExistsAndOneScope) {
  const std::vector<std::string> bad[] = {
      {"report", "--month", "2026-13"},
      {"report", "--month", "2026-1"},
      {"report", "--day", "2026-02-29"},  // not a leap year
      {"report", "--day", "2026-11-3"},
      {"report", "--week", "2027-W53"},  // 2027 has 52 ISO weeks
      {"report", "--week", "2026-W00"},
      {"report", "--week", "2026-45"},
      {"report", "--month", "2026-11", "--day", "2026-11-03"},
      {"report", "--week", "2026-W45", "--since", "2026-11-01T00:00:00Z", "--until",
       "2026-11-02T00:00:00Z"},
      {"report", "--since", "2026-11-01T00:00:00Z"},
      {"report", "--until", "2026-11-01T00:00:00Z"},
      {"report", "--since", "yesterday", "--until", "2026-11-01T00:00:00Z"},
      {"report", "--jurisdiction", "4514", "--unit", "chongzuo-ops"},
      {"report", "--subordinates"},
      {"report", "--jurisdiction", "4514", "--subordinates"},
      {"report", "--format", "xlsx"},
  };
  for (const auto& args : bad) {
    const Result result = Ctl(Unanswered(args));
    EXPECT_EQ(result.code, 2) << ::testing::PrintToString(args) << ": " << result.err;
    EXPECT_EQ(result.err.find("UNAVAILABLE"), std::string::npos) << "it called: " << result.err;
  }
}

// Records the Trace and Report requests it gets and answers them with the responses the test
// gives it, or with `refusal`.
class RecordingSupervision final
    : public infobus::supervision::v1::SupervisionService::CallbackService {
 public:
  using TraceRequest = infobus::supervision::v1::TraceRequest;
  using TraceResponse = infobus::supervision::v1::TraceResponse;
  using ReportRequest = infobus::supervision::v1::ReportRequest;
  using ReportResponse = infobus::supervision::v1::ReportResponse;

  RecordingSupervision(TraceResponse trace, ReportResponse report)
      : trace_answer_(std::move(trace)), report_answer_(std::move(report)) {}

  grpc::ServerUnaryReactor* Trace(grpc::CallbackServerContext* context, const TraceRequest* request,
                                  TraceResponse* response) override {
    absl::MutexLock lock(&mutex_);
    trace_ = *request;
    *response = trace_answer_;
    auto* reactor = context->DefaultReactor();
    reactor->Finish(refusal_);
    return reactor;
  }

  grpc::ServerUnaryReactor* Report(grpc::CallbackServerContext* context,
                                   const ReportRequest* request,
                                   ReportResponse* response) override {
    absl::MutexLock lock(&mutex_);
    report_ = *request;
    *response = report_answer_;
    auto* reactor = context->DefaultReactor();
    reactor->Finish(refusal_);
    return reactor;
  }

  TraceRequest trace() {
    absl::MutexLock lock(&mutex_);
    return trace_;
  }
  ReportRequest report() {
    absl::MutexLock lock(&mutex_);
    return report_;
  }
  void Refuse(grpc::Status status) {
    absl::MutexLock lock(&mutex_);
    refusal_ = std::move(status);
  }

 private:
  const TraceResponse trace_answer_;
  const ReportResponse report_answer_;
  absl::Mutex mutex_;
  TraceRequest trace_ ABSL_GUARDED_BY(mutex_);
  ReportRequest report_ ABSL_GUARDED_BY(mutex_);
  grpc::Status refusal_ ABSL_GUARDED_BY(mutex_);
};

class SupervisionCommands : public ::testing::Test {
 protected:
  static infobus::supervision::v1::TraceResponse TraceAnswer() {
    infobus::supervision::v1::TraceResponse response;
    auto* event = response.add_events();
    event->set_source_id("fusui-lodging");
    event->set_event_id("e/1");
    event->mutable_ingested_at()->set_seconds(1793692800);
    response.add_missing("collected, not judged");
    return response;
  }
  static infobus::supervision::v1::ReportResponse ReportAnswer() {
    infobus::supervision::v1::ReportResponse response;
    response.set_utc_offset("+08:00");
    response.mutable_since()->set_seconds(1793462400);
    response.mutable_collection()->set_events(7);
    auto* county = response.mutable_collection()->add_by_county();
    county->set_key("451421");
    county->set_count(7);
    return response;
  }

  void SetUp() override {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&supervision_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(port, 0);
    address_ = "127.0.0.1:" + std::to_string(port);
  }
  void TearDown() override { server_->Shutdown(); }

  Result Run(std::vector<std::string> args) {
    for (const char* more : {"--supervision", address_.c_str(), "--insecure"}) args.push_back(more);
    return Ctl(args);
  }

  RecordingSupervision supervision_{TraceAnswer(), ReportAnswer()};
  std::unique_ptr<grpc::Server> server_;
  std::string address_;
};

TEST_F(SupervisionCommands, TraceAsksForTheItemAndPrintsTheChosenFormat) {
  // The source id ends at the first slash; the event id may hold one.
  const Result table = Run({"trace", "--event", "fusui-lodging/e/1"});
  ASSERT_EQ(table.code, 0) << table.err;
  EXPECT_EQ(supervision_.trace().event().source_id(), "fusui-lodging");
  EXPECT_EQ(supervision_.trace().event().event_id(), "e/1");
  EXPECT_EQ(table.out, TraceTable(TraceAnswer()));
  EXPECT_NE(table.out.find("missing: collected, not judged"), std::string::npos) << table.out;

  const Result csv = Run({"trace", "--trace-id", "t-9", "--format", "csv"});
  ASSERT_EQ(csv.code, 0) << csv.err;
  EXPECT_EQ(supervision_.trace().trace_id(), "t-9");
  EXPECT_EQ(csv.out, TraceCsv(TraceAnswer()));

  const Result json = Run({"trace", "--judgment-id", "j-1", "--format", "json"});
  ASSERT_EQ(json.code, 0) << json.err;
  EXPECT_EQ(supervision_.trace().judgment_id(), "j-1");
  EXPECT_EQ(json.out,
            "{\"events\":[{\"sourceId\":\"fusui-lodging\",\"eventId\":\"e/1\","
            "\"ingestedAt\":\"2026-11-03T08:00:00Z\"}],\"missing\":[\"collected, not judged\"]}\n");
}

TEST_F(SupervisionCommands, ReportSendsThePeriodAndScopeAndPrintsTheChosenFormat) {
  const Result table = Run({"report", "--week", "2026-W53", "--unit", "chongzuo-ops",
                            "--subordinates"});  // 2026 begins on a Thursday: 53 weeks
  ASSERT_EQ(table.code, 0) << table.err;
  EXPECT_EQ(supervision_.report().period(), "2026-W53");
  EXPECT_EQ(supervision_.report().unit_id(), "chongzuo-ops");
  EXPECT_TRUE(supervision_.report().include_subordinates());
  EXPECT_FALSE(supervision_.report().has_since());
  EXPECT_EQ(table.out, ReportTable(ReportAnswer()));

  const Result csv =
      Run({"report", "--day", "2028-02-29", "--jurisdiction", "4514", "--format", "csv"});
  ASSERT_EQ(csv.code, 0) << csv.err;
  EXPECT_EQ(supervision_.report().period(), "2028-02-29");
  EXPECT_EQ(supervision_.report().jurisdiction_prefix(), "4514");
  EXPECT_EQ(supervision_.report().unit_id(), "");
  EXPECT_EQ(csv.out, ReportCsv(ReportAnswer()));

  const Result json = Run({"report", "--since", "2026-11-01T00:00:00+08:00", "--until",
                           "2026-11-08T00:00:00+08:00", "--format", "json"});
  ASSERT_EQ(json.code, 0) << json.err;
  EXPECT_EQ(supervision_.report().period(), "");
  EXPECT_EQ(supervision_.report().since().seconds(), 1793462400);
  EXPECT_EQ(supervision_.report().until().seconds(), 1793462400 + 7 * 86400);
  EXPECT_EQ(json.out.find('\n'), json.out.size() - 1) << "one line: " << json.out;
  EXPECT_NE(json.out.find("\"utcOffset\":\"+08:00\""), std::string::npos) << json.out;

  ASSERT_EQ(Run({"report", "--month", "2026-11"}).code, 0);
  EXPECT_EQ(supervision_.report().period(), "2026-11");
}

TEST_F(SupervisionCommands, ARefusalPrintsTheServersReasonAndExitsOne) {
  supervision_.Refuse(
      grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "needs the supervisor role"));
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"trace", "--judgment-id", "j-1"},
        std::vector<std::string>{"report", "--month", "2026-11", "--format", "csv"}}) {
    const Result refused = Run(args);
    EXPECT_EQ(refused.code, 1) << args[0];
    EXPECT_EQ(refused.out, "") << args[0] << ": nothing printed of a refused call";
    EXPECT_NE(refused.err.find("PERMISSION_DENIED: needs the supervisor role"), std::string::npos)
        << refused.err;
  }
}

}  // namespace
}  // namespace infobus::ctl
