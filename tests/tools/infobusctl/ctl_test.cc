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
  for (const char* command : {"publish", "watch", "follow", "ack", "feedback", "deliveries",
                              "units", "judgments", "judgment", "review", "health", "token"}) {
    EXPECT_NE(result.out.find(std::string("\n  ") + command + " "), std::string::npos) << command;
  }
}

TEST(Infobusctl, EachCommandHasItsOwnHelp) {
  const Result feedback = Ctl({"feedback", "--help"});
  EXPECT_EQ(feedback.code, 0);
  EXPECT_NE(feedback.out.find("Usage: infobusctl feedback"), std::string::npos) << feedback.out;
  EXPECT_NE(feedback.out.find("--outcome"), std::string::npos);
  EXPECT_EQ(feedback.out.find("Subcommands:"), std::string::npos) << "the global usage";

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

  infobus::dispatch::v1::FeedbackRequest feedback() {
    absl::MutexLock lock(&mutex_);
    return feedback_;
  }

 private:
  absl::Mutex mutex_;
  infobus::dispatch::v1::FeedbackRequest feedback_ ABSL_GUARDED_BY(mutex_);
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

}  // namespace
}  // namespace infobus::ctl
