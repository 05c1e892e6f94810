#include "tools/infobusctl/ctl.h"

#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <istream>
#include <map>
#include <optional>
#include <ostream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "infobus/collection/v1/collection_service.grpc.pb.h"
#include "infobus/dispatch/v1/dispatch_service.grpc.pb.h"
#include "infobus/judgment/v1/judgment_service.grpc.pb.h"

namespace infobus::ctl {
namespace {

using google::protobuf::Message;
using google::protobuf::util::JsonParseOptions;
using google::protobuf::util::JsonPrintOptions;

// Parsed "--flag value" / "--flag=value" arguments after the command words.
class Flags {
 public:
  static std::optional<Flags> Parse(const std::vector<std::string>& args, size_t first,
                                    std::ostream& err) {
    Flags flags;
    for (size_t i = first; i < args.size(); ++i) {
      const std::string& arg = args[i];
      if (arg.rfind("--", 0) != 0) {
        err << "infobusctl: unexpected argument '" << arg << "' (try --help)\n";
        return std::nullopt;
      }
      const auto eq = arg.find('=');
      if (eq != std::string::npos) {
        flags.values_[arg.substr(2, eq - 2)] = arg.substr(eq + 1);
      } else if (i + 1 < args.size() && args[i + 1].rfind("--", 0) != 0) {
        flags.values_[arg.substr(2)] = args[++i];
      } else {
        flags.values_[arg.substr(2)] = "true";
      }
    }
    return flags;
  }

  std::string Get(const std::string& name, const std::string& fallback = "") {
    used_.push_back(name);
    auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second;
  }
  bool Has(const std::string& name) const { return values_.count(name) > 0; }

  // Flags given but never asked for: typos.
  bool CheckAllUsed(std::ostream& err) const {
    for (const auto& [name, value] : values_) {
      if (std::find(used_.begin(), used_.end(), name) == used_.end()) {
        err << "infobusctl: unknown flag --" << name << " (try --help)\n";
        return false;
      }
    }
    return true;
  }

 private:
  std::map<std::string, std::string> values_;
  std::vector<std::string> used_;
};

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

std::string ToJson(const Message& message) {
  JsonPrintOptions options;
  options.preserve_proto_field_names = false;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

bool FromJson(const std::string& json, Message* message, std::string* error) {
  JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(json, message, options);
  if (!status.ok()) *error = std::string(status.message());
  return status.ok();
}

std::shared_ptr<grpc::Channel> Connect(const std::string& address) {
  return grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
}

void SetDeadline(grpc::ClientContext& context, absl::Duration timeout) {
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
}

int Fail(std::ostream& err, const std::string& what, const grpc::Status& status) {
  err << "infobusctl: " << what << ": " << status.error_message() << " (code "
      << status.error_code() << ")\n";
  return 1;
}

// publish: JSON lines of Event → Publish in batches; results as JSON lines. Events answered
// RETRY are sent again (up to --retries times) after a back-off.
int Publish(Flags& flags, std::istream& in, std::ostream& out, std::ostream& err) {
  const std::string address =
      flags.Get("collection", EnvOr("INFOBUS_COLLECTION_ADDR", "127.0.0.1:50051"));
  const std::string file = flags.Get("file", "-");
  int batch_size = 0, retries = 0;
  if (!absl::SimpleAtoi(flags.Get("batch", "200"), &batch_size) || batch_size < 1 ||
      !absl::SimpleAtoi(flags.Get("retries", "5"), &retries) || retries < 0) {
    err << "infobusctl publish: --batch must be >= 1 and --retries >= 0\n";
    return 2;
  }
  if (!flags.CheckAllUsed(err)) return 2;
  std::ifstream file_stream;
  std::istream* input = &in;
  if (file != "-") {
    file_stream.open(file);
    if (!file_stream) {
      err << "infobusctl publish: cannot open " << file << "\n";
      return 2;
    }
    input = &file_stream;
  }

  std::vector<infobus::common::v1::Event> events;
  std::string line;
  for (int number = 1; std::getline(*input, line); ++number) {
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    infobus::common::v1::Event event;
    std::string error;
    if (!FromJson(line, &event, &error)) {
      err << "infobusctl publish: line " << number << ": " << error << "\n";
      return 2;
    }
    events.push_back(std::move(event));
  }

  auto stub = infobus::collection::v1::CollectionService::NewStub(Connect(address));
  std::map<infobus::collection::v1::PublishOutcome, int> totals;
  for (size_t start = 0; start < events.size(); start += batch_size) {
    std::vector<infobus::common::v1::Event> todo(
        events.begin() + start, events.begin() + std::min(events.size(), start + batch_size));
    for (int attempt = 0; !todo.empty(); ++attempt) {
      infobus::collection::v1::PublishRequest request;
      for (const auto& event : todo) *request.add_events() = event;
      infobus::collection::v1::PublishResponse response;
      grpc::ClientContext context;
      SetDeadline(context, absl::Seconds(60));
      grpc::Status status = stub->Publish(&context, request, &response);
      const bool retryable = status.error_code() == grpc::StatusCode::UNAVAILABLE ||
                             status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED;
      if (!status.ok() && (!retryable || attempt >= retries)) return Fail(err, "Publish", status);
      std::vector<infobus::common::v1::Event> again;
      if (status.ok()) {
        for (int i = 0; i < response.results_size(); ++i) {
          const auto& result = response.results(i);
          if (result.outcome() == infobus::collection::v1::PUBLISH_OUTCOME_RETRY &&
              attempt < retries) {
            again.push_back(todo[i]);
            continue;
          }
          ++totals[result.outcome()];
          out << ToJson(result) << "\n";
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
  err << "published " << events.size()
      << " events: " << totals[infobus::collection::v1::PUBLISH_OUTCOME_ACCEPTED] << " accepted, "
      << totals[infobus::collection::v1::PUBLISH_OUTCOME_DUPLICATE] << " duplicate, "
      << totals[infobus::collection::v1::PUBLISH_OUTCOME_REJECTED] << " rejected, "
      << totals[infobus::collection::v1::PUBLISH_OUTCOME_RETRY] << " not kept (retry)\n";
  const bool all_kept = totals[infobus::collection::v1::PUBLISH_OUTCOME_REJECTED] == 0 &&
                        totals[infobus::collection::v1::PUBLISH_OUTCOME_RETRY] == 0;
  return all_kept ? 0 : 1;
}

// Accepts "high", "HIGH" or "SEVERITY_HIGH"; likewise for subject types.
template <typename Enum>
bool ParseEnum(const std::string& text, const std::string& prefix,
               bool (*parse)(const std::string&, Enum*), Enum* value) {
  std::string name = absl::AsciiStrToUpper(text);
  if (name.rfind(prefix, 0) != 0) name = prefix + name;
  return parse(name, value);
}

// watch add|remove: one entry from flags, or JSON lines of WatchlistEntry from --file.
int Watch(const std::string& action, Flags& flags, std::istream& in, std::ostream& out,
          std::ostream& err) {
  const std::string address =
      flags.Get("judgment", EnvOr("INFOBUS_JUDGMENT_ADDR", "127.0.0.1:50052"));
  std::vector<infobus::judgment::v1::WatchlistEntry> entries;
  if (flags.Has("file")) {
    const std::string file = flags.Get("file");
    std::ifstream file_stream;
    std::istream* input = &in;
    if (file != "-") {
      file_stream.open(file);
      if (!file_stream) {
        err << "infobusctl watch: cannot open " << file << "\n";
        return 2;
      }
      input = &file_stream;
    }
    std::string line, error;
    for (int number = 1; std::getline(*input, line); ++number) {
      if (absl::StripAsciiWhitespace(line).empty()) continue;
      infobus::judgment::v1::WatchlistEntry entry;
      if (!FromJson(line, &entry, &error)) {
        err << "infobusctl watch: line " << number << ": " << error << "\n";
        return 2;
      }
      entries.push_back(std::move(entry));
    }
  } else {
    infobus::judgment::v1::WatchlistEntry entry;
    entry.set_list_id(flags.Get("list"));
    infobus::common::v1::SubjectType type;
    if (!ParseEnum(flags.Get("type"), "SUBJECT_TYPE_", &infobus::common::v1::SubjectType_Parse,
                   &type)) {
      err << "infobusctl watch: --type must be id_number, plate, phone or name\n";
      return 2;
    }
    entry.mutable_subject()->set_type(type);
    entry.mutable_subject()->set_value(flags.Get("value"));
    if (action == "add") {
      infobus::common::v1::Severity severity;
      if (!ParseEnum(flags.Get("severity", "high"), "SEVERITY_",
                     &infobus::common::v1::Severity_Parse, &severity)) {
        err << "infobusctl watch: --severity must be low, medium, high or critical\n";
        return 2;
      }
      entry.set_severity(severity);
      entry.set_note(flags.Get("note"));
    }
    entries.push_back(std::move(entry));
  }
  if (!flags.CheckAllUsed(err)) return 2;

  auto stub = infobus::judgment::v1::JudgmentService::NewStub(Connect(address));
  for (const auto& entry : entries) {
    grpc::ClientContext context;
    SetDeadline(context, absl::Seconds(10));
    grpc::Status status;
    if (action == "add") {
      infobus::judgment::v1::AddWatchlistEntryRequest request;
      *request.mutable_entry() = entry;
      infobus::judgment::v1::AddWatchlistEntryResponse response;
      status = stub->AddWatchlistEntry(&context, request, &response);
      if (status.ok()) out << ToJson(response) << "\n";
    } else {
      infobus::judgment::v1::RemoveWatchlistEntryRequest request;
      request.set_list_id(entry.list_id());
      *request.mutable_subject() = entry.subject();
      infobus::judgment::v1::RemoveWatchlistEntryResponse response;
      status = stub->RemoveWatchlistEntry(&context, request, &response);
      if (status.ok()) out << ToJson(response) << "\n";
    }
    if (!status.ok()) return Fail(err, "watch " + action, status);
  }
  return 0;
}

// Prints a server stream as JSON lines until `count` messages (0: no limit), the deadline or the
// end. Exit 1 when the deadline cut off a stream before `count`, or on an error.
template <typename T>
int PrintStream(grpc::ClientReader<T>& reader, grpc::ClientContext& context, int64_t count,
                const std::string& command, const std::string& what, std::ostream& out,
                std::ostream& err) {
  T message;
  int64_t received = 0;
  while ((count == 0 || received < count) && reader.Read(&message)) {
    out << ToJson(message) << std::endl;
    ++received;
  }
  if (count > 0 && received >= count) {
    context.TryCancel();
    reader.Finish();
    return 0;
  }
  grpc::Status status = reader.Finish();
  if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    err << "infobusctl " << command << ": " << received << " " << what << " before the timeout\n";
    return count > 0 ? 1 : 0;
  }
  return status.ok() ? 0 : Fail(err, "Subscribe", status);
}

// follow: streams a unit's inbox as JSON lines until --count deliveries or --timeout passes.
int Follow(Flags& flags, std::ostream& out, std::ostream& err) {
  const std::string address =
      flags.Get("dispatch", EnvOr("INFOBUS_DISPATCH_ADDR", "127.0.0.1:50053"));
  infobus::dispatch::v1::SubscribeRequest request;
  request.set_unit_id(flags.Get("unit"));
  uint64_t after_seq = 0;
  int64_t count = 0;
  absl::Duration timeout;
  if (!absl::SimpleAtoi(flags.Get("after-seq", "0"), &after_seq) ||
      !absl::SimpleAtoi(flags.Get("count", "0"), &count) ||
      !absl::ParseDuration(flags.Get("timeout", "0s"), &timeout)) {
    err << "infobusctl follow: --after-seq and --count take numbers, --timeout a duration (30s)\n";
    return 2;
  }
  if (!flags.CheckAllUsed(err)) return 2;
  request.set_after_seq(after_seq);

  auto stub = infobus::dispatch::v1::DispatchService::NewStub(Connect(address));
  grpc::ClientContext context;
  if (timeout > absl::ZeroDuration()) SetDeadline(context, timeout);
  auto reader = stub->Subscribe(&context, request);
  return PrintStream<infobus::common::v1::Delivery>(*reader, context, count, "follow", "deliveries",
                                                    out, err);
}

int Ack(Flags& flags, std::ostream& out, std::ostream& err) {
  const std::string address =
      flags.Get("dispatch", EnvOr("INFOBUS_DISPATCH_ADDR", "127.0.0.1:50053"));
  infobus::dispatch::v1::AcknowledgeRequest request;
  request.set_unit_id(flags.Get("unit"));
  request.set_acknowledged_by(flags.Get("by", EnvOr("USER", "")));
  uint64_t seq = 0;
  if (!absl::SimpleAtoi(flags.Get("seq", "0"), &seq)) {
    err << "infobusctl ack: --seq takes a number\n";
    return 2;
  }
  if (!flags.CheckAllUsed(err)) return 2;
  request.set_seq(seq);
  auto stub = infobus::dispatch::v1::DispatchService::NewStub(Connect(address));
  grpc::ClientContext context;
  SetDeadline(context, absl::Seconds(10));
  infobus::dispatch::v1::AcknowledgeResponse response;
  grpc::Status status = stub->Acknowledge(&context, request, &response);
  if (!status.ok()) return Fail(err, "Acknowledge", status);
  out << ToJson(response) << "\n";
  return 0;
}

// feedback: the outcome of a delivery (idempotent: the first feedback stands).
int GiveFeedback(Flags& flags, std::ostream& out, std::ostream& err) {
  const std::string address =
      flags.Get("dispatch", EnvOr("INFOBUS_DISPATCH_ADDR", "127.0.0.1:50053"));
  infobus::dispatch::v1::FeedbackRequest request;
  request.set_unit_id(flags.Get("unit"));
  request.set_given_by(flags.Get("by", EnvOr("USER", "")));
  request.set_note(flags.Get("note"));
  uint64_t seq = 0;
  infobus::common::v1::FeedbackOutcome outcome;
  if (!absl::SimpleAtoi(flags.Get("seq", "0"), &seq)) {
    err << "infobusctl feedback: --seq takes a number\n";
    return 2;
  }
  if (!ParseEnum(flags.Get("outcome"), "FEEDBACK_OUTCOME_",
                 &infobus::common::v1::FeedbackOutcome_Parse, &outcome)) {
    err << "infobusctl feedback: --outcome must be handled, apprehended, not_found, "
           "false_positive or transferred\n";
    return 2;
  }
  if (!flags.CheckAllUsed(err)) return 2;
  request.set_seq(seq);
  request.set_outcome(outcome);
  auto stub = infobus::dispatch::v1::DispatchService::NewStub(Connect(address));
  grpc::ClientContext context;
  SetDeadline(context, absl::Seconds(10));
  infobus::dispatch::v1::FeedbackResponse response;
  grpc::Status status = stub->Feedback(&context, request, &response);
  if (!status.ok()) return Fail(err, "Feedback", status);
  out << ToJson(response) << "\n";
  return 0;
}

// deliveries: a unit's deliveries, filtered by status, every page.
int ListDeliveries(Flags& flags, std::ostream& out, std::ostream& err) {
  const std::string address =
      flags.Get("dispatch", EnvOr("INFOBUS_DISPATCH_ADDR", "127.0.0.1:50053"));
  infobus::dispatch::v1::ListDeliveriesRequest request;
  request.set_unit_id(flags.Get("unit"));
  request.set_include_subordinates(flags.Get("subordinates", "false") == "true");
  const std::vector<std::string> status_names =
      absl::StrSplit(flags.Get("status"), ',', absl::SkipEmpty());
  for (const std::string& name : status_names) {
    infobus::common::v1::DeliveryStatus status;
    if (!ParseEnum(name, "DELIVERY_STATUS_", &infobus::common::v1::DeliveryStatus_Parse, &status)) {
      err << "infobusctl deliveries: unknown --status '" << name << "'\n";
      return 2;
    }
    request.add_statuses(status);
  }
  if (!flags.CheckAllUsed(err)) return 2;
  auto stub = infobus::dispatch::v1::DispatchService::NewStub(Connect(address));
  do {
    grpc::ClientContext context;
    SetDeadline(context, absl::Seconds(30));
    infobus::dispatch::v1::ListDeliveriesResponse response;
    grpc::Status status = stub->ListDeliveries(&context, request, &response);
    if (!status.ok()) return Fail(err, "ListDeliveries", status);
    for (const auto& delivery : response.deliveries()) out << ToJson(delivery) << "\n";
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  return 0;
}

// The analyst's filter, shared by `judgments` and `judgments --follow`. False (and a message)
// on a bad value.
bool ParseJudgmentFilter(Flags& flags, infobus::judgment::v1::JudgmentFilter* filter,
                         std::ostream& err) {
  const std::string severity = flags.Get("severity");
  if (!severity.empty()) {
    infobus::common::v1::Severity value;
    if (!ParseEnum(severity, "SEVERITY_", &infobus::common::v1::Severity_Parse, &value)) {
      err << "infobusctl judgments: --severity must be low, medium, high or critical\n";
      return false;
    }
    filter->set_min_severity(value);
  }
  const std::vector<std::string> kinds = absl::StrSplit(flags.Get("kind"), ',', absl::SkipEmpty());
  const std::vector<std::string> prefixes =
      absl::StrSplit(flags.Get("jurisdiction"), ',', absl::SkipEmpty());
  const std::vector<std::string> rules = absl::StrSplit(flags.Get("rule"), ',', absl::SkipEmpty());
  for (const std::string& name : kinds) {
    infobus::common::v1::JudgmentKind kind;
    if (!ParseEnum(name, "JUDGMENT_KIND_", &infobus::common::v1::JudgmentKind_Parse, &kind)) {
      err << "infobusctl judgments: --kind takes watchlist_hit, hotspot, movement or "
             "correlation, not '"
          << name << "'\n";
      return false;
    }
    filter->add_kinds(kind);
  }
  for (const std::string& prefix : prefixes) {
    filter->add_jurisdiction_prefixes(prefix);
  }
  for (const std::string& rule : rules) {
    filter->add_rule_ids(rule);
  }
  return true;
}

// An RFC 3339 time flag into `out`; an empty flag leaves it unset.
bool ParseTimeFlag(Flags& flags, const std::string& name, google::protobuf::Timestamp* out,
                   bool* set, std::ostream& err) {
  const std::string text = flags.Get(name);
  *set = !text.empty();
  if (!*set) return true;
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &time, &error)) {
    err << "infobusctl judgments: --" << name << " takes an RFC 3339 time "
        << "(2026-11-28T08:00:00Z): " << error << "\n";
    return false;
  }
  const int64_t nanos = absl::ToUnixNanos(time);
  out->set_seconds(nanos / 1000000000);
  out->set_nanos(static_cast<int32_t>(nanos % 1000000000));
  return true;
}

// judgments: the judgment log, filtered; every page of a time range, or --follow for the replay
// after --after-seq / --since and then live judgments.
int Judgments(Flags& flags, std::ostream& out, std::ostream& err) {
  const std::string address =
      flags.Get("judgment", EnvOr("INFOBUS_JUDGMENT_ADDR", "127.0.0.1:50052"));
  infobus::judgment::v1::JudgmentFilter filter;
  if (!ParseJudgmentFilter(flags, &filter, err)) return 2;
  google::protobuf::Timestamp since, until;
  bool has_since = false, has_until = false;
  if (!ParseTimeFlag(flags, "since", &since, &has_since, err) ||
      !ParseTimeFlag(flags, "until", &until, &has_until, err)) {
    return 2;
  }
  auto stub = infobus::judgment::v1::JudgmentService::NewStub(Connect(address));
  if (flags.Get("follow", "false") == "true") {
    uint64_t after_seq = 0;
    int64_t count = 0;
    absl::Duration timeout;
    if (!absl::SimpleAtoi(flags.Get("after-seq", "0"), &after_seq) ||
        !absl::SimpleAtoi(flags.Get("count", "0"), &count) ||
        !absl::ParseDuration(flags.Get("timeout", "0s"), &timeout) || has_until) {
      err << "infobusctl judgments --follow: --after-seq and --count take numbers, --timeout a "
             "duration (30s); --until does not apply\n";
      return 2;
    }
    if (!flags.CheckAllUsed(err)) return 2;
    infobus::judgment::v1::SubscribeRequest request;
    *request.mutable_filter() = filter;
    request.set_after_seq(after_seq);
    if (has_since) *request.mutable_since() = since;
    grpc::ClientContext context;
    if (timeout > absl::ZeroDuration()) SetDeadline(context, timeout);
    auto reader = stub->Subscribe(&context, request);
    return PrintStream<infobus::judgment::v1::JudgmentRecord>(*reader, context, count, "judgments",
                                                              "judgments", out, err);
  }
  if (!flags.CheckAllUsed(err)) return 2;
  infobus::judgment::v1::ListJudgmentsRequest request;
  *request.mutable_filter() = filter;
  if (has_since) *request.mutable_since() = since;
  if (has_until) *request.mutable_until() = until;
  request.set_page_size(1000);
  do {
    grpc::ClientContext context;
    SetDeadline(context, absl::Seconds(30));
    infobus::judgment::v1::ListJudgmentsResponse response;
    grpc::Status status = stub->ListJudgments(&context, request, &response);
    if (!status.ok()) return Fail(err, "ListJudgments", status);
    for (const auto& record : response.records()) out << ToJson(record) << "\n";
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  return 0;
}

// judgment: one judgment by id, with its evidence and review.
int GetJudgment(Flags& flags, std::ostream& out, std::ostream& err) {
  const std::string address =
      flags.Get("judgment", EnvOr("INFOBUS_JUDGMENT_ADDR", "127.0.0.1:50052"));
  infobus::judgment::v1::GetJudgmentRequest request;
  request.set_judgment_id(flags.Get("id"));
  if (!flags.CheckAllUsed(err)) return 2;
  auto stub = infobus::judgment::v1::JudgmentService::NewStub(Connect(address));
  grpc::ClientContext context;
  SetDeadline(context, absl::Seconds(10));
  infobus::judgment::v1::GetJudgmentResponse response;
  grpc::Status status = stub->GetJudgment(&context, request, &response);
  if (!status.ok()) return Fail(err, "GetJudgment", status);
  out << ToJson(response.record()) << "\n";
  return 0;
}

// review: an analyst's verdict on a judgment (confirmed or dismissed, with a note).
int Review(Flags& flags, std::ostream& out, std::ostream& err) {
  const std::string address =
      flags.Get("judgment", EnvOr("INFOBUS_JUDGMENT_ADDR", "127.0.0.1:50052"));
  infobus::judgment::v1::ReviewRequest request;
  request.set_judgment_id(flags.Get("id"));
  request.set_note(flags.Get("note"));
  request.set_reviewer(flags.Get("by", EnvOr("USER", "")));
  infobus::common::v1::ReviewStatus status_value;
  if (!ParseEnum(flags.Get("status"), "REVIEW_STATUS_", &infobus::common::v1::ReviewStatus_Parse,
                 &status_value)) {
    err << "infobusctl review: --status must be confirmed or dismissed\n";
    return 2;
  }
  if (!flags.CheckAllUsed(err)) return 2;
  request.set_status(status_value);
  auto stub = infobus::judgment::v1::JudgmentService::NewStub(Connect(address));
  grpc::ClientContext context;
  SetDeadline(context, absl::Seconds(10));
  infobus::judgment::v1::ReviewResponse response;
  grpc::Status status = stub->Review(&context, request, &response);
  if (!status.ok()) return Fail(err, "Review", status);
  out << ToJson(response.record()) << "\n";
  return 0;
}

int Units(Flags& flags, std::ostream& out, std::ostream& err) {
  const std::string address =
      flags.Get("dispatch", EnvOr("INFOBUS_DISPATCH_ADDR", "127.0.0.1:50053"));
  if (!flags.CheckAllUsed(err)) return 2;
  auto stub = infobus::dispatch::v1::DispatchService::NewStub(Connect(address));
  grpc::ClientContext context;
  SetDeadline(context, absl::Seconds(10));
  infobus::dispatch::v1::ListUnitsResponse response;
  grpc::Status status =
      stub->ListUnits(&context, infobus::dispatch::v1::ListUnitsRequest(), &response);
  if (!status.ok()) return Fail(err, "ListUnits", status);
  for (const auto& unit : response.units()) out << ToJson(unit) << "\n";
  return 0;
}

// health: grpc.health.v1.Health/Check of a server (or of one service it serves), for
// container health checks. Exit 0 only when SERVING.
int Health(Flags& flags, std::ostream& out, std::ostream& err) {
  using grpc::health::v1::HealthCheckResponse;
  const std::string address = flags.Get("addr");
  absl::Duration timeout;
  if (address.empty() || !absl::ParseDuration(flags.Get("timeout", "3s"), &timeout)) {
    err << "infobusctl health: --addr HOST:PORT is required; --timeout takes a duration\n";
    return 2;
  }
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(flags.Get("service"));
  if (!flags.CheckAllUsed(err)) return 2;
  auto stub = grpc::health::v1::Health::NewStub(Connect(address));
  grpc::ClientContext context;
  SetDeadline(context, timeout);
  HealthCheckResponse response;
  grpc::Status status = stub->Check(&context, request, &response);
  if (!status.ok()) return Fail(err, "health", status);
  out << HealthCheckResponse::ServingStatus_Name(response.status()) << "\n";
  return response.status() == HealthCheckResponse::SERVING ? 0 : 1;
}

}  // namespace

std::string Usage() {
  return R"(usage: infobusctl COMMAND [FLAGS]

Commands (results are JSON lines in the protobuf JSON mapping):
  publish [--file F|-] [--batch 200] [--retries 5] [--collection ADDR]
      Publish events, one JSON Event per line (stdin by default). Prints one PublishResult per
      event; events answered RETRY are resent. Exit 1 if any event was rejected or not kept.
  watch add --list ID --type id_number|plate|phone|name --value V [--severity high] [--note T]
            [--judgment ADDR]
  watch add --file F       one JSON WatchlistEntry per line
  watch remove --list ID --type T --value V
  follow --unit U [--after-seq N] [--count N] [--timeout 30s] [--dispatch ADDR]
      Stream the unit's inbox: deliveries after seq N, then live ones. Stops after --count
      deliveries or --timeout (exit 1 if --count was not reached); runs until Ctrl-C otherwise.
  ack --unit U --seq N [--by NAME] [--dispatch ADDR]
      Sign off a delivery (idempotent).
  feedback --unit U --seq N --outcome handled|apprehended|not_found|false_positive|transferred
           [--note TEXT] [--by NAME] [--dispatch ADDR]
      Report a delivery's outcome (idempotent: the first feedback stands).
  deliveries --unit U [--status pending,acknowledged,...] [--subordinates] [--dispatch ADDR]
      List the unit's deliveries (and with --subordinates those of the units below it).
  units [--dispatch ADDR]  List the configured units.
  judgments [--severity S] [--kind K,...] [--rule R,...] [--jurisdiction PREFIX,...]
            [--since T] [--until T] [--judgment ADDR]
      The judgment log (JudgmentRecord lines), oldest first: judgments of at least severity S,
      of these kinds, rules and jurisdiction prefixes, made in [since, until) (RFC 3339 times).
  judgments --follow [filter flags] [--after-seq N | --since T] [--count N] [--timeout 30s]
      The analyst stream: the log after seq N (or from time T), then live judgments and
      reviews. A reader too slow for the service is cut off; resume with --after-seq.
  judgment --id ID [--judgment ADDR]       One judgment, with its evidence and review.
  review --id ID --status confirmed|dismissed [--note TEXT] [--by NAME] [--judgment ADDR]
      Record an analyst's verdict (stored, and streamed to subscribers).
  health --addr HOST:PORT [--service NAME] [--timeout 3s]
      grpc.health.v1 status of a server, or of the service NAME it serves (e.g.
      infobus.collection.v1.CollectionService): prints SERVING (exit 0) or NOT_SERVING (exit 1).

Addresses default to $INFOBUS_COLLECTION_ADDR (127.0.0.1:50051), $INFOBUS_JUDGMENT_ADDR
(127.0.0.1:50052) and $INFOBUS_DISPATCH_ADDR (127.0.0.1:50053).

Example event line:
  {"eventId":"e1","sourceId":"fusui-hotel","countyCode":"451421","kind":"lodging.checkin",
   "occurredAt":"2026-11-28T08:00:00Z","subjects":[{"type":"SUBJECT_TYPE_ID_NUMBER",
   "value":"11010519491231002x"}],"payload":"check-in, room 302"}
)";
}

int RunCommand(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
               std::ostream& err) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    (args.empty() ? err : out) << Usage();
    return args.empty() ? 2 : 0;
  }
  const std::string& command = args[0];
  const bool watch = command == "watch";
  if (watch && (args.size() < 2 || (args[1] != "add" && args[1] != "remove"))) {
    err << "infobusctl watch: expected 'add' or 'remove'\n";
    return 2;
  }
  std::optional<Flags> flags = Flags::Parse(args, watch ? 2 : 1, err);
  if (!flags) return 2;
  if (flags->Has("help")) {
    out << Usage();
    return 0;
  }
  if (command == "publish") return Publish(*flags, in, out, err);
  if (watch) return Watch(args[1], *flags, in, out, err);
  if (command == "follow") return Follow(*flags, out, err);
  if (command == "ack") return Ack(*flags, out, err);
  if (command == "units") return Units(*flags, out, err);
  if (command == "feedback") return GiveFeedback(*flags, out, err);
  if (command == "deliveries") return ListDeliveries(*flags, out, err);
  if (command == "health") return Health(*flags, out, err);
  if (command == "judgments") return Judgments(*flags, out, err);
  if (command == "judgment") return GetJudgment(*flags, out, err);
  if (command == "review") return Review(*flags, out, err);
  err << "infobusctl: unknown command '" << command << "' (try --help)\n";
  return 2;
}

}  // namespace infobus::ctl
