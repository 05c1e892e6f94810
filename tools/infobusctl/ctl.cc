#include "tools/infobusctl/ctl.h"

#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>
#include <pwd.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <istream>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <sstream>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/security/principal.h"
#include "common/security/token_verifier.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "infobus/collection/v1/collection_service.grpc.pb.h"
#include "infobus/dispatch/v1/dispatch_service.grpc.pb.h"
#include "infobus/judgment/v1/judgment_service.grpc.pb.h"

namespace infobus::ctl {
namespace {

using google::protobuf::Message;
using infobus::collection::v1::CollectionService;
using infobus::dispatch::v1::DispatchService;
using infobus::judgment::v1::JudgmentService;

constexpr absl::Duration kCallTimeout = absl::Seconds(10);
constexpr absl::Duration kPageTimeout = absl::Seconds(30);

// Where a command reads its input and writes its results (JSON lines) and diagnostics.
struct Io {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
};

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

// Who signs off, reports or reviews when --by is not given: the login name ($USER, $LOGNAME, or
// the account of the process when neither is set, as in a container or a CI job).
std::string DefaultActor() {
  std::string name = EnvOr("USER", EnvOr("LOGNAME", ""));
  if (name.empty()) {
    if (const passwd* account = ::getpwuid(::geteuid()); account != nullptr) {
      name = account->pw_name;
    }
  }
  return name;
}

// Writes `message` as one JSON line (protobuf JSON mapping, lowerCamelCase names). False, with
// the reason on err, when it cannot be converted.
bool PrintJson(const Message& message, Io& io) {
  std::string json;
  const auto status = google::protobuf::util::MessageToJsonString(message, &json);
  if (!status.ok()) {
    io.err << "infobusctl: cannot print a " << message.GetTypeName()
           << " as JSON: " << status.message() << "\n";
    return false;
  }
  io.out << json << "\n";
  return true;
}

absl::Status FromJson(const std::string& json, Message* message) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status = google::protobuf::util::JsonStringToMessage(json, message, options);
  if (status.ok()) return absl::OkStatus();
  return absl::InvalidArgumentError(std::string(status.message()));
}

// Messages of type T, one JSON object per line of `file` ("-": `in`); blank lines are skipped.
// A relative path is relative to the current directory.
template <typename T>
absl::StatusOr<std::vector<T>> ReadJsonLines(const std::string& file, std::istream& in) {
  std::ifstream file_stream;
  std::istream* input = &in;
  if (file != "-") {
    file_stream.open(file);
    if (!file_stream) return absl::NotFoundError(absl::StrCat("cannot open ", file));
    input = &file_stream;
  }
  std::vector<T> messages;
  std::string line;
  for (int number = 1; std::getline(*input, line); ++number) {
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    T message;
    if (absl::Status status = FromJson(line, &message); !status.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("line ", number, ": ", status.message()));
    }
    messages.push_back(std::move(message));
  }
  return messages;
}

std::shared_ptr<grpc::Channel> Connect(const std::string& address) {
  return grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
}

int Fail(std::ostream& err, const std::string& what, const grpc::Status& status) {
  err << "infobusctl: " << what << ": " << status.error_message() << " (code "
      << status.error_code() << ")\n";
  return 1;
}

template <typename Stub, typename Request, typename Response>
using UnaryMethod = grpc::Status (Stub::*)(grpc::ClientContext*, const Request&, Response*);

// One unary call on a fresh context with a deadline.
template <typename Stub, typename Request, typename Response>
grpc::Status Call(Stub& stub, UnaryMethod<Stub, Request, Response> method, const Request& request,
                  Response* response, absl::Duration timeout) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  return (stub.*method)(&context, request, response);
}

// The shape of every unary command: the call, then `print(response)` (false: the command
// failed) or the failure on err. Returns the exit code.
template <typename Stub, typename Request, typename Response, typename Print>
int Unary(Stub& stub, UnaryMethod<Stub, Request, Response> method, const Request& request,
          const std::string& rpc, Print print, Io& io, absl::Duration timeout = kCallTimeout) {
  Response response;
  const grpc::Status status = Call(stub, method, request, &response, timeout);
  if (!status.ok()) return Fail(io.err, rpc, status);
  return print(response) ? 0 : 1;
}

// Accepts "high", "HIGH" or "SEVERITY_HIGH"; likewise for every enum of ours.
template <typename Enum>
bool ParseEnum(const std::string& text, const std::string& prefix,
               bool (*parse)(const std::string&, Enum*), Enum* value) {
  std::string name = absl::AsciiStrToUpper(text);
  if (name.rfind(prefix, 0) != 0) name = prefix + name;
  return parse(name, value);
}

// A flag whose value names an enum value of ours (see ParseEnum), stored in `*value`, which
// holds the default. `names` lists the accepted values for --help and errors.
template <typename Enum>
CLI::Option* AddEnum(CLI::App& command, const std::string& flag, const std::string& help,
                     const std::string& prefix, bool (*parse)(const std::string&, Enum*),
                     const std::string& names, Enum* value) {
  return command
      .add_option_function<std::string>(
          flag,
          [=](const std::string& text) {
            if (!ParseEnum(text, prefix, parse, value)) {
              throw CLI::ValidationError(flag, absl::StrCat("'", text, "' is not ", names));
            }
          },
          help)
      ->type_name(names);
}

// The same for a comma-separated list of values (the flag may also be repeated).
template <typename Enum>
CLI::Option* AddEnumList(CLI::App& command, const std::string& flag, const std::string& help,
                         const std::string& prefix, bool (*parse)(const std::string&, Enum*),
                         const std::string& names, std::vector<Enum>* values) {
  return command
      .add_option_function<std::vector<std::string>>(
          flag,
          [=](const std::vector<std::string>& texts) {
            for (const std::string& text : texts) {
              if (!ParseEnum(text, prefix, parse, &values->emplace_back())) {
                throw CLI::ValidationError(flag, absl::StrCat("'", text, "' is not ", names));
              }
            }
          },
          help)
      ->type_name(names + ",...")
      ->delimiter(',');
}

// A duration flag (30s, 500ms, 2m) stored in `*duration`, which holds the default.
CLI::Option* AddDuration(CLI::App& command, const std::string& flag, const std::string& help,
                         absl::Duration* duration) {
  return command
      .add_option_function<std::string>(
          flag,
          [=](const std::string& text) {
            if (!absl::ParseDuration(text, duration)) {
              throw CLI::ValidationError(
                  flag, absl::StrCat("'", text, "' is not a duration (30s, 500ms, 2m)"));
            }
          },
          help)
      ->type_name("DURATION")
      ->default_str(absl::FormatDuration(*duration));
}

// An RFC 3339 time flag stored in `*time`; unset when the flag is not given.
CLI::Option* AddTime(CLI::App& command, const std::string& flag, const std::string& help,
                     std::optional<google::protobuf::Timestamp>* time) {
  return command
      .add_option_function<std::string>(
          flag,
          [=](const std::string& text) {
            absl::Time parsed;
            std::string error;
            if (!absl::ParseTime(absl::RFC3339_full, text, &parsed, &error)) {
              throw CLI::ValidationError(
                  flag, absl::StrCat("'", text,
                                     "' is not an RFC 3339 time (2026-11-28T08:00:00Z): ", error));
            }
            const int64_t nanos = absl::ToUnixNanos(parsed);
            auto& timestamp = time->emplace();
            timestamp.set_seconds(nanos / 1000000000);
            timestamp.set_nanos(static_cast<int32_t>(nanos % 1000000000));
          },
          help)
      ->type_name("TIME");
}

// A deadline `timeout` from now on `context`; none for a zero timeout.
void SetTimeout(grpc::ClientContext& context, absl::Duration timeout) {
  if (timeout > absl::ZeroDuration()) {
    context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  }
}

// The address flag of a command talking to `service`, defaulting to $<env> or `fallback`.
CLI::Option* AddAddress(CLI::App& command, const std::string& service, const char* env,
                        const std::string& fallback, std::string* address) {
  *address = EnvOr(env, fallback);
  return command
      .add_option(
          "--" + service, *address,
          absl::StrCat(service, " service address (default: $", env, ", else ", fallback, ")"))
      ->type_name("ADDR");
}

void AddCollection(CLI::App& command, std::string* address) {
  AddAddress(command, "collection", "INFOBUS_COLLECTION_ADDR", "127.0.0.1:50051", address);
}
void AddJudgment(CLI::App& command, std::string* address) {
  AddAddress(command, "judgment", "INFOBUS_JUDGMENT_ADDR", "127.0.0.1:50052", address);
}
void AddDispatch(CLI::App& command, std::string* address) {
  AddAddress(command, "dispatch", "INFOBUS_DISPATCH_ADDR", "127.0.0.1:50053", address);
}

CLI::Option* AddBy(CLI::App& command, const std::string& what, std::string* by) {
  *by = DefaultActor();
  return command.add_option("--by", *by, what + " (default: $USER, else the login name)")
      ->type_name("NAME");
}

// Prints a server stream as JSON lines until `count` messages (0: no limit), the deadline or the
// end. Exit 1 when the deadline cut off a stream before `count`, or on an error.
template <typename T>
int PrintStream(grpc::ClientReader<T>& reader, grpc::ClientContext& context, int64_t count,
                const std::string& command, const std::string& what, Io& io) {
  T message;
  int64_t received = 0;
  bool printed = true;
  while ((count == 0 || received < count) && reader.Read(&message)) {
    printed = PrintJson(message, io);
    if (!printed) break;
    io.out.flush();  // a live stream: each line as it comes
    ++received;
  }
  const bool cancelled = !printed || (count > 0 && received >= count);
  if (cancelled) context.TryCancel();
  const grpc::Status status = reader.Finish();
  if (cancelled) {
    // CANCELLED is what we asked for; anything else went wrong before.
    if (!status.ok() && status.error_code() != grpc::StatusCode::CANCELLED) {
      return Fail(io.err, "Subscribe", status);
    }
    return printed ? 0 : 1;
  }
  if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    io.err << "infobusctl " << command << ": " << received << " " << what
           << " before the timeout\n";
    return count > 0 ? 1 : 0;
  }
  return status.ok() ? 0 : Fail(io.err, "Subscribe", status);
}

// One infobusctl command: its settings, bound to the flags of its CLI11 subcommand by Flags(),
// and Run(), called with those settings once the command line has been parsed.
class CommandBase {
 public:
  virtual ~CommandBase() = default;
  virtual void Flags(CLI::App& command) = 0;
  virtual int Run(Io& io) const = 0;
};

// A row of the command table: the subcommand and the command that runs when it is chosen.
struct Command {
  CLI::App* app;
  std::shared_ptr<const CommandBase> command;
};

template <typename T>
Command Define(CLI::App& parent, const std::string& name, const std::string& description) {
  auto command = std::make_shared<T>();
  CLI::App* app = parent.add_subcommand(name, description);
  command->Flags(*app);
  return {app, std::move(command)};
}

// publish: JSON lines of Event → Publish in batches; results as JSON lines. Events answered
// RETRY are sent again (up to --retries times) after a back-off.
class PublishCommand final : public CommandBase {
 public:
  void Flags(CLI::App& command) override {
    command.footer(R"(
Reads one JSON Event per line (stdin by default) and prints one PublishResult per event; events
answered RETRY are resent. Exit 1 if any event was rejected or not kept. An event line:
  {"eventId":"e1","sourceId":"fusui-hotel","countyCode":"451421","kind":"lodging.checkin",
   "occurredAt":"2026-11-28T08:00:00Z","subjects":[{"type":"SUBJECT_TYPE_ID_NUMBER",
   "value":"11010519491231002x"}],"payload":"check-in, room 302"})");
    command
        .add_option("--file", file_,
                    "JSON lines of Event, relative to the current directory; - for stdin")
        ->type_name("F")
        ->capture_default_str();
    command.add_option("--batch", batch_, "events per Publish call")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    command.add_option("--retries", retries_, "times an event answered RETRY is resent")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    AddCollection(command, &address_);
  }

  int Run(Io& io) const override {
    using infobus::collection::v1::PublishOutcome;
    auto events = ReadJsonLines<infobus::common::v1::Event>(file_, io.in);
    if (!events.ok()) {
      io.err << "infobusctl publish: " << events.status().message() << "\n";
      return 2;
    }
    CollectionService::Stub stub(Connect(address_));
    std::map<PublishOutcome, int> totals;
    const size_t batch = static_cast<size_t>(batch_);
    for (size_t start = 0; start < events->size(); start += batch) {
      std::vector<infobus::common::v1::Event> todo(
          events->begin() + start, events->begin() + std::min(events->size(), start + batch));
      for (int attempt = 0; !todo.empty(); ++attempt) {
        infobus::collection::v1::PublishRequest request;
        for (const auto& event : todo) *request.add_events() = event;
        infobus::collection::v1::PublishResponse response;
        const grpc::Status status =
            Call(stub, &CollectionService::Stub::Publish, request, &response, absl::Seconds(60));
        const bool retryable = status.error_code() == grpc::StatusCode::UNAVAILABLE ||
                               status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED;
        if (!status.ok() && (!retryable || attempt >= retries_)) {
          return Fail(io.err, "Publish", status);
        }
        std::vector<infobus::common::v1::Event> again;
        if (status.ok()) {
          for (int i = 0; i < response.results_size(); ++i) {
            const auto& result = response.results(i);
            if (result.outcome() == infobus::collection::v1::PUBLISH_OUTCOME_RETRY &&
                attempt < retries_) {
              again.push_back(todo[i]);
              continue;
            }
            ++totals[result.outcome()];
            if (!PrintJson(result, io)) return 1;
          }
        } else {
          again = todo;
        }
        todo = std::move(again);
        if (!todo.empty()) {
          std::this_thread::sleep_for(std::chrono::milliseconds(200 << std::min(attempt, 4)));
        }
      }
    }
    io.err << "published " << events->size()
           << " events: " << totals[infobus::collection::v1::PUBLISH_OUTCOME_ACCEPTED]
           << " accepted, " << totals[infobus::collection::v1::PUBLISH_OUTCOME_DUPLICATE]
           << " duplicate, " << totals[infobus::collection::v1::PUBLISH_OUTCOME_REJECTED]
           << " rejected, " << totals[infobus::collection::v1::PUBLISH_OUTCOME_RETRY]
           << " not kept (retry)\n";
    const bool all_kept = totals[infobus::collection::v1::PUBLISH_OUTCOME_REJECTED] == 0 &&
                          totals[infobus::collection::v1::PUBLISH_OUTCOME_RETRY] == 0;
    return all_kept ? 0 : 1;
  }

 private:
  std::string address_, file_ = "-";
  int batch_ = 200, retries_ = 5;
};

// watch add|remove: one entry from flags, or JSON lines of WatchlistEntry from --file.
template <bool kAdd>
class WatchCommand final : public CommandBase {
 public:
  void Flags(CLI::App& command) override {
    CLI::Option_group* entry = command.add_option_group(
        "entry", "the entry from --list, --type and --value, or entries from --file");
    CLI::Option* list = entry->add_option("--list", list_, "watchlist id")->type_name("ID");
    entry
        ->add_option("--file", file_,
                     "JSON lines of WatchlistEntry, relative to the current directory; - for stdin")
        ->type_name("F");
    entry->require_option(1);
    CLI::Option* type =
        AddEnum(command, "--type", "subject type", "SUBJECT_TYPE_",
                &infobus::common::v1::SubjectType_Parse, "id_number|plate|phone|name", &type_)
            ->needs(list);
    CLI::Option* value =
        command.add_option("--value", value_, "subject value")->type_name("V")->needs(list);
    list->needs(type)->needs(value);
    if (kAdd) {
      AddEnum(command, "--severity",
              "severity of a hit; unset: the rule's list severity, else the rule's own",
              "SEVERITY_", &infobus::common::v1::Severity_Parse, "low|medium|high|critical",
              &severity_)
          ->needs(list);
      command.add_option("--note", note_, "why the subject is watched")
          ->type_name("TEXT")
          ->needs(list);
    }
    AddJudgment(command, &address_);
  }

  int Run(Io& io) const override {
    std::vector<infobus::judgment::v1::WatchlistEntry> entries;
    if (!file_.empty()) {
      auto read = ReadJsonLines<infobus::judgment::v1::WatchlistEntry>(file_, io.in);
      if (!read.ok()) {
        io.err << "infobusctl watch: " << read.status().message() << "\n";
        return 2;
      }
      entries = std::move(*read);
    } else {
      auto& entry = entries.emplace_back();
      entry.set_list_id(list_);
      entry.mutable_subject()->set_type(type_);
      entry.mutable_subject()->set_value(value_);
      entry.set_severity(severity_);
      entry.set_note(note_);
    }
    JudgmentService::Stub stub(Connect(address_));
    const char* what = kAdd ? "watch add" : "watch remove";
    const auto print = [&io](const Message& response) { return PrintJson(response, io); };
    for (const auto& entry : entries) {
      int code;
      if (kAdd) {
        infobus::judgment::v1::AddWatchlistEntryRequest request;
        *request.mutable_entry() = entry;
        code = Unary(stub, &JudgmentService::Stub::AddWatchlistEntry, request, what, print, io);
      } else {
        infobus::judgment::v1::RemoveWatchlistEntryRequest request;
        request.set_list_id(entry.list_id());
        *request.mutable_subject() = entry.subject();
        code = Unary(stub, &JudgmentService::Stub::RemoveWatchlistEntry, request, what, print, io);
      }
      if (code != 0) return code;
    }
    return 0;
  }

 private:
  std::string address_, list_, value_, note_, file_;
  infobus::common::v1::SubjectType type_ = infobus::common::v1::SUBJECT_TYPE_UNSPECIFIED;
  infobus::common::v1::Severity severity_ = infobus::common::v1::SEVERITY_UNSPECIFIED;
};

// follow: streams a unit's inbox as JSON lines until --count deliveries or --timeout passes.
class FollowCommand final : public CommandBase {
 public:
  void Flags(CLI::App& command) override {
    command.footer(R"(
Prints the deliveries after --after-seq, then live ones. Stops after --count deliveries or
--timeout (exit 1 if --count was not reached first); runs until Ctrl-C otherwise.)");
    command.add_option("--unit", unit_, "unit id")->type_name("U")->required();
    command.add_option("--after-seq", after_seq_, "replay the inbox after this seq")
        ->type_name("N")
        ->capture_default_str();
    command.add_option("--count", count_, "stop after this many deliveries (0: never)")
        ->type_name("N")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    AddDuration(command, "--timeout", "stop after this long (0: never)", &timeout_);
    AddDispatch(command, &address_);
  }

  int Run(Io& io) const override {
    infobus::dispatch::v1::SubscribeRequest request;
    request.set_unit_id(unit_);
    request.set_after_seq(after_seq_);
    DispatchService::Stub stub(Connect(address_));
    grpc::ClientContext context;
    SetTimeout(context, timeout_);
    auto reader = stub.Subscribe(&context, request);
    return PrintStream<infobus::common::v1::Delivery>(*reader, context, count_, "follow",
                                                      "deliveries", io);
  }

 private:
  std::string address_, unit_;
  uint64_t after_seq_ = 0;
  int64_t count_ = 0;
  absl::Duration timeout_ = absl::ZeroDuration();
};

// ack: signs off a delivery (idempotent).
class AckCommand final : public CommandBase {
 public:
  void Flags(CLI::App& command) override {
    command.add_option("--unit", unit_, "unit id")->type_name("U")->required();
    command.add_option("--seq", seq_, "the delivery's seq in the unit's inbox")
        ->type_name("N")
        ->required();
    AddBy(command, "who signs off", &by_);
    AddDispatch(command, &address_);
  }

  int Run(Io& io) const override {
    infobus::dispatch::v1::AcknowledgeRequest request;
    request.set_unit_id(unit_);
    request.set_seq(seq_);
    request.set_acknowledged_by(by_);
    DispatchService::Stub stub(Connect(address_));
    return Unary(
        stub, &DispatchService::Stub::Acknowledge, request, "Acknowledge",
        [&io](const infobus::dispatch::v1::AcknowledgeResponse& response) {
          return PrintJson(response, io);
        },
        io);
  }

 private:
  std::string address_, unit_, by_;
  uint64_t seq_ = 0;
};

// feedback: the outcome of a delivery (idempotent: the first feedback stands).
class FeedbackCommand final : public CommandBase {
 public:
  void Flags(CLI::App& command) override {
    command.add_option("--unit", unit_, "unit id")->type_name("U")->required();
    command.add_option("--seq", seq_, "the delivery's seq in the unit's inbox")
        ->type_name("N")
        ->required();
    AddEnum(command, "--outcome", "what came of it", "FEEDBACK_OUTCOME_",
            &infobus::common::v1::FeedbackOutcome_Parse,
            "handled|apprehended|not_found|false_positive|transferred", &outcome_)
        ->required();
    command.add_option("--note", note_, "free text, at most 4 KiB")->type_name("TEXT");
    AddBy(command, "who reports", &by_);
    AddDispatch(command, &address_);
  }

  int Run(Io& io) const override {
    infobus::dispatch::v1::FeedbackRequest request;
    request.set_unit_id(unit_);
    request.set_seq(seq_);
    request.set_outcome(outcome_);
    request.set_note(note_);
    request.set_given_by(by_);
    DispatchService::Stub stub(Connect(address_));
    return Unary(
        stub, &DispatchService::Stub::Feedback, request, "Feedback",
        [&io](const infobus::dispatch::v1::FeedbackResponse& response) {
          return PrintJson(response, io);
        },
        io);
  }

 private:
  std::string address_, unit_, note_, by_;
  uint64_t seq_ = 0;
  infobus::common::v1::FeedbackOutcome outcome_ = infobus::common::v1::FEEDBACK_OUTCOME_UNSPECIFIED;
};

// deliveries: a unit's deliveries, filtered by status, every page.
class DeliveriesCommand final : public CommandBase {
 public:
  void Flags(CLI::App& command) override {
    command.add_option("--unit", unit_, "unit id")->type_name("U")->required();
    AddEnumList(command, "--status", "only deliveries in these states", "DELIVERY_STATUS_",
                &infobus::common::v1::DeliveryStatus_Parse,
                "pending|delivered|acknowledged|feedback_given|escalated", &statuses_);
    command.add_flag("--subordinates", subordinates_, "also the deliveries of every unit below it");
    AddDispatch(command, &address_);
  }

  int Run(Io& io) const override {
    infobus::dispatch::v1::ListDeliveriesRequest request;
    request.set_unit_id(unit_);
    request.set_include_subordinates(subordinates_);
    for (const auto status : statuses_) request.add_statuses(status);
    DispatchService::Stub stub(Connect(address_));
    std::string next_page;
    do {
      request.set_page_token(next_page);
      const int code = Unary(
          stub, &DispatchService::Stub::ListDeliveries, request, "ListDeliveries",
          [&](const infobus::dispatch::v1::ListDeliveriesResponse& response) {
            for (const auto& delivery : response.deliveries()) {
              if (!PrintJson(delivery, io)) return false;
            }
            next_page = response.next_page_token();
            return true;
          },
          io, kPageTimeout);
      if (code != 0) return code;
    } while (!next_page.empty());
    return 0;
  }

 private:
  std::string address_, unit_;
  std::vector<infobus::common::v1::DeliveryStatus> statuses_;
  bool subordinates_ = false;
};

// units: the configured units.
class UnitsCommand final : public CommandBase {
 public:
  void Flags(CLI::App& command) override { AddDispatch(command, &address_); }

  int Run(Io& io) const override {
    DispatchService::Stub stub(Connect(address_));
    return Unary(
        stub, &DispatchService::Stub::ListUnits, infobus::dispatch::v1::ListUnitsRequest(),
        "ListUnits",
        [&io](const infobus::dispatch::v1::ListUnitsResponse& response) {
          for (const auto& unit : response.units()) {
            if (!PrintJson(unit, io)) return false;
          }
          return true;
        },
        io);
  }

 private:
  std::string address_;
};

// judgments: the judgment log, filtered; every page of a time range, or --follow for the replay
// after --after-seq / --since and then live judgments.
class JudgmentsCommand final : public CommandBase {
 public:
  void Flags(CLI::App& command) override {
    command.footer(R"(
Prints JudgmentRecord lines, oldest first: judgments of at least --severity, of these kinds,
rules and jurisdiction prefixes, made in [--since, --until). With --follow, the analyst stream:
the log after --after-seq (or from --since), then live judgments and reviews. A reader too slow
for the service is cut off; resume with --after-seq.)");
    AddEnum(command, "--severity", "judgments of at least this severity", "SEVERITY_",
            &infobus::common::v1::Severity_Parse, "low|medium|high|critical", &min_severity_);
    AddEnumList(command, "--kind", "only these kinds", "JUDGMENT_KIND_",
                &infobus::common::v1::JudgmentKind_Parse,
                "watchlist_hit|hotspot|movement|correlation", &kinds_);
    command.add_option("--rule", rules_, "only these rule ids")->type_name("R,...")->delimiter(',');
    command
        .add_option("--jurisdiction", jurisdictions_,
                    "only these jurisdiction prefixes (45, 4514, 451421)")
        ->type_name("PREFIX,...")
        ->delimiter(',');
    AddTime(command, "--since", "made at or after this time", &since_);
    CLI::Option* follow = command.add_flag(
        "--follow", follow_, "stream: replay the log, then live judgments and reviews");
    AddTime(command, "--until", "made before this time (not with --follow)", &until_)
        ->excludes(follow);
    command.add_option("--after-seq", after_seq_, "with --follow: replay after this seq")
        ->type_name("N")
        ->needs(follow);
    command.add_option("--count", count_, "with --follow: stop after this many (0: never)")
        ->type_name("N")
        ->check(CLI::NonNegativeNumber)
        ->needs(follow);
    AddDuration(command, "--timeout", "with --follow: stop after this long (0: never)", &timeout_)
        ->needs(follow);
    AddJudgment(command, &address_);
  }

  int Run(Io& io) const override {
    infobus::judgment::v1::JudgmentFilter filter;
    filter.set_min_severity(min_severity_);
    for (const auto kind : kinds_) filter.add_kinds(kind);
    for (const std::string& prefix : jurisdictions_) filter.add_jurisdiction_prefixes(prefix);
    for (const std::string& rule : rules_) filter.add_rule_ids(rule);
    JudgmentService::Stub stub(Connect(address_));
    if (follow_) {
      infobus::judgment::v1::SubscribeRequest request;
      *request.mutable_filter() = filter;
      request.set_after_seq(after_seq_);
      if (since_) *request.mutable_since() = *since_;
      grpc::ClientContext context;
      SetTimeout(context, timeout_);
      auto reader = stub.Subscribe(&context, request);
      return PrintStream<infobus::judgment::v1::JudgmentRecord>(*reader, context, count_,
                                                                "judgments", "judgments", io);
    }
    infobus::judgment::v1::ListJudgmentsRequest request;
    *request.mutable_filter() = filter;
    if (since_) *request.mutable_since() = *since_;
    if (until_) *request.mutable_until() = *until_;
    request.set_page_size(1000);
    std::string next_page;
    do {
      request.set_page_token(next_page);
      const int code = Unary(
          stub, &JudgmentService::Stub::ListJudgments, request, "ListJudgments",
          [&](const infobus::judgment::v1::ListJudgmentsResponse& response) {
            for (const auto& record : response.records()) {
              if (!PrintJson(record, io)) return false;
            }
            next_page = response.next_page_token();
            return true;
          },
          io, kPageTimeout);
      if (code != 0) return code;
    } while (!next_page.empty());
    return 0;
  }

 private:
  std::string address_;
  infobus::common::v1::Severity min_severity_ = infobus::common::v1::SEVERITY_UNSPECIFIED;
  std::vector<infobus::common::v1::JudgmentKind> kinds_;
  std::vector<std::string> rules_, jurisdictions_;
  std::optional<google::protobuf::Timestamp> since_, until_;
  bool follow_ = false;
  uint64_t after_seq_ = 0;
  int64_t count_ = 0;
  absl::Duration timeout_ = absl::ZeroDuration();
};

// judgment: one judgment by id, with its evidence and review.
class JudgmentCommand final : public CommandBase {
 public:
  void Flags(CLI::App& command) override {
    command.add_option("--id", id_, "judgment id")->type_name("ID")->required();
    AddJudgment(command, &address_);
  }

  int Run(Io& io) const override {
    infobus::judgment::v1::GetJudgmentRequest request;
    request.set_judgment_id(id_);
    JudgmentService::Stub stub(Connect(address_));
    return Unary(
        stub, &JudgmentService::Stub::GetJudgment, request, "GetJudgment",
        [&io](const infobus::judgment::v1::GetJudgmentResponse& response) {
          return PrintJson(response.record(), io);
        },
        io);
  }

 private:
  std::string address_, id_;
};

// review: an analyst's verdict on a judgment (confirmed or dismissed, with a note).
class ReviewCommand final : public CommandBase {
 public:
  void Flags(CLI::App& command) override {
    command.add_option("--id", id_, "judgment id")->type_name("ID")->required();
    AddEnum(command, "--status", "the verdict", "REVIEW_STATUS_",
            &infobus::common::v1::ReviewStatus_Parse, "confirmed|dismissed", &status_)
        ->required();
    command.add_option("--note", note_, "free text")->type_name("TEXT");
    AddBy(command, "who reviews", &by_);
    AddJudgment(command, &address_);
  }

  int Run(Io& io) const override {
    infobus::judgment::v1::ReviewRequest request;
    request.set_judgment_id(id_);
    request.set_status(status_);
    request.set_note(note_);
    request.set_reviewer(by_);
    JudgmentService::Stub stub(Connect(address_));
    return Unary(
        stub, &JudgmentService::Stub::Review, request, "Review",
        [&io](const infobus::judgment::v1::ReviewResponse& response) {
          return PrintJson(response.record(), io);
        },
        io);
  }

 private:
  std::string address_, id_, note_, by_;
  infobus::common::v1::ReviewStatus status_ = infobus::common::v1::REVIEW_STATUS_UNSPECIFIED;
};

// health: grpc.health.v1.Health/Check of a server, for container health checks.
class HealthCommand final : public CommandBase {
 public:
  void Flags(CLI::App& command) override {
    command.footer(R"(
Prints the status of the server as a whole, or of the service named by --service (an unknown
name fails with NOT_FOUND). This is the container health check of deploy/docker-compose.yml.)");
    command.add_option("--addr", address_, "the server")->type_name("HOST:PORT")->required();
    command
        .add_option("--service", service_,
                    "a service it serves, e.g. infobus.collection.v1.CollectionService "
                    "(default: the server as a whole)")
        ->type_name("NAME");
    AddDuration(command, "--timeout", "how long to wait for the answer", &timeout_);
  }

  int Run(Io& io) const override {
    using grpc::health::v1::HealthCheckResponse;
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service_);
    grpc::health::v1::Health::Stub stub(Connect(address_));
    return Unary(
        stub, &grpc::health::v1::Health::Stub::Check, request, "health",
        [&io](const HealthCheckResponse& response) {
          io.out << HealthCheckResponse::ServingStatus_Name(response.status()) << "\n";
          return response.status() == HealthCheckResponse::SERVING;
        },
        io, timeout_);
  }

 private:
  std::string address_, service_;
  absl::Duration timeout_ = absl::Seconds(3);
};

// token mint: a person's bearer token signed with a local key, for development and tests.
class TokenMintCommand final : public CommandBase {
 public:
  void Flags(CLI::App& command) override {
    command.footer(R"(
For development and tests only: it signs (ES256) with a key file on this machine, which
scripts/pki.sh init makes with its public JWKS (.run/pki/jwt/signing.key, jwks.json). Real
tokens come from the identity provider. Prints the token on one line, e.g.
  TOKEN=$(infobusctl token mint --sub zhang-wei --role analyst --jurisdiction 4514))");
    key_ = EnvOr("INFOBUS_RUN_DIR", "./.run") + "/pki/jwt/signing.key";
    command
        .add_option("--key", key_,
                    "PEM EC P-256 private key (default: $INFOBUS_RUN_DIR/pki/jwt/signing.key, "
                    "INFOBUS_RUN_DIR defaulting to ./.run)")
        ->type_name("PEM");
    command.add_option("--kid", kid_, "key id in the header")
        ->type_name("KID")
        ->capture_default_str();
    command.add_option("--sub", claims_.subject, "subject: the person's id")
        ->type_name("ID")
        ->required();
    command.add_option("--role", claims_.roles, "a person's role (repeatable)")
        ->type_name("ROLE")
        ->delimiter(',')
        ->required()
        ->check(CLI::IsMember({"analyst", "officer", "supervisor", "administrator"}));
    command.add_option("--unit", claims_.unit, "unit id (officers, supervisors)")->type_name("U");
    command
        .add_option("--jurisdiction", claims_.jurisdictions,
                    "GB/T 2260 prefix (45, 4514, 451421; repeatable)")
        ->type_name("PREFIX")
        ->delimiter(',');
    command
        .add_option_function<std::string>(
            "--clearance",
            [this](const std::string& text) {
              const std::string name = absl::AsciiStrToUpper(text);
              if (name != "PUBLIC" && name != "INTERNAL" && name != "CONFIDENTIAL" &&
                  name != "SECRET") {
                throw CLI::ValidationError(
                    "--clearance",
                    absl::StrCat("'", text, "' is not public|internal|confidential|secret"));
              }
              claims_.clearance = name;
            },
            "highest classification the person may see")
        ->type_name("public|internal|confidential|secret");
    command.add_option("--compartment", claims_.compartments, "a compartment held (repeatable)")
        ->type_name("C")
        ->delimiter(',');
    claims_.issuer = "infobus-local";
    claims_.audience = "infobus";
    command.add_option("--issuer", claims_.issuer, "iss")->type_name("ISS")->capture_default_str();
    command.add_option("--audience", claims_.audience, "aud")
        ->type_name("AUD")
        ->capture_default_str();
    AddDuration(command, "--ttl", "how long the token is valid", &ttl_);
  }

  int Run(Io& io) const override {
    if (ttl_ <= absl::ZeroDuration()) {
      io.err << "infobusctl token mint: --ttl must be positive\n";
      return 2;
    }
    std::ifstream in(key_, std::ios::binary);
    std::ostringstream pem;
    pem << in.rdbuf();
    if (!in) {
      io.err << "infobusctl token mint: cannot read the key " << key_
             << " (scripts/pki.sh init makes one)\n";
      return 1;
    }
    security::TokenClaims claims = claims_;
    claims.not_before = absl::Now();
    claims.expires = claims.not_before + ttl_;
    const absl::StatusOr<std::string> token = security::MintToken(claims, pem.str(), kid_);
    if (!token.ok()) {
      io.err << "infobusctl token mint: " << key_ << ": " << token.status().message() << "\n";
      return 1;
    }
    io.out << *token << "\n";
    return 0;
  }

 private:
  std::string key_, kid_ = "local-1";
  security::TokenClaims claims_;
  absl::Duration ttl_ = absl::Hours(8);
};

constexpr char kFooter[] = R"(
Results are JSON lines in the protobuf JSON mapping. `infobusctl COMMAND --help` shows the
flags of a command, --help-all those of every command. Addresses default to
$INFOBUS_COLLECTION_ADDR (127.0.0.1:50051), $INFOBUS_JUDGMENT_ADDR (127.0.0.1:50052) and
$INFOBUS_DISPATCH_ADDR (127.0.0.1:50053).)";

// CLI11 gives an option that takes a value whatever follows it, so in `ack --unit --seq 1` the
// unit would be "--seq" (and 1 a stray argument). A value that looks like a flag is refused.
const CLI::Validator kNotAFlag(
    [](std::string& value) -> std::string {
      if (value.rfind("--", 0) == 0 || value == "-h") {
        return absl::StrCat("needs a value, not the flag ", value);
      }
      return "";
    },
    "");

void RefuseFlagsAsValues(CLI::App& app) {
  for (CLI::Option* option : app.get_options()) {
    if (option->get_type_size() > 0) option->check(kNotAFlag);
  }
  for (CLI::App* subcommand : app.get_subcommands([](CLI::App*) { return true; })) {
    RefuseFlagsAsValues(*subcommand);
  }
}

// "infobusctl feedback: --seq is required (try infobusctl feedback --help)".
std::string FailureMessage(const CLI::App* app, const CLI::Error& error) {
  std::string command = "infobusctl";
  for (const CLI::App* chosen = app;;) {
    const std::vector<const CLI::App*> subcommands = chosen->get_subcommands({});
    const CLI::App* next = nullptr;
    for (const CLI::App* subcommand : subcommands) {
      if (subcommand->parsed() && !subcommand->get_name().empty()) next = subcommand;
    }
    if (next == nullptr) break;
    absl::StrAppend(&command, " ", next->get_name());
    chosen = next;
  }
  return absl::StrCat(command, ": ", error.what(), " (try ", command, " --help)\n");
}

}  // namespace

int RunCommand(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
               std::ostream& err) {
  CLI::App app("infobusctl: the command-line client of the infobus services.", "infobusctl");
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Print every command with its flags and exit");
  app.failure_message(FailureMessage);
  // The command table, in the order --help lists it; `watch` groups add and remove.
  std::vector<Command> commands;
  commands.push_back(Define<PublishCommand>(app, "publish", "Publish events from JSON lines."));
  CLI::App* watch = app.add_subcommand("watch", "Add or remove watchlist entries.");
  watch->require_subcommand(1);
  commands.push_back(Define<WatchCommand<true>>(
      *watch, "add", "Add a watchlist entry (or every entry of --file)."));
  commands.push_back(Define<WatchCommand<false>>(
      *watch, "remove", "Remove a watchlist entry (or every entry of --file)."));
  commands.push_back(Define<FollowCommand>(app, "follow", "Stream a unit's inbox."));
  commands.push_back(Define<AckCommand>(app, "ack", "Sign off a delivery (idempotent)."));
  commands.push_back(Define<FeedbackCommand>(
      app, "feedback", "Report a delivery's outcome (idempotent: the first one stands)."));
  commands.push_back(Define<DeliveriesCommand>(
      app, "deliveries", "List a unit's deliveries (with --subordinates, those below it)."));
  commands.push_back(Define<UnitsCommand>(app, "units", "List the configured units."));
  commands.push_back(Define<JudgmentsCommand>(
      app, "judgments", "List the judgment log, or stream it with --follow."));
  commands.push_back(
      Define<JudgmentCommand>(app, "judgment", "One judgment, with its evidence and review."));
  commands.push_back(
      Define<ReviewCommand>(app, "review", "Record an analyst's verdict on a judgment."));
  commands.push_back(Define<HealthCommand>(
      app, "health", "grpc.health.v1 status of a server: SERVING (exit 0) or not (exit 1)."));
  CLI::App* token = app.add_subcommand("token", "Bearer tokens for development and tests.");
  token->require_subcommand(1);
  commands.push_back(Define<TokenMintCommand>(
      *token, "mint", "Sign a person's token with a local key (development and tests only)."));
  app.footer(kFooter);  // after the subcommands, which would inherit it
  RefuseFlagsAsValues(app);

  Io io{in, out, err};
  if (args.empty()) {
    err << app.help();
    return 2;
  }
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 pops from the back
  if (args.size() == 1 && args[0] == "help") reversed = {"--help"};
  try {
    app.parse(std::move(reversed));
  } catch (const CLI::ParseError& error) {
    return app.exit(error, out, err) == 0 ? 0 : 2;
  }
  for (const Command& command : commands) {
    if (command.app->parsed()) return command.command->Run(io);
  }
  err << app.help();
  return 2;
}

}  // namespace infobus::ctl
