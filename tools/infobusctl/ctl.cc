#include "tools/infobusctl/ctl.h"

#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>
#include <librdkafka/rdkafkacpp.h>
#include <pwd.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
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
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/config/cli11_helpers.h"
#include "common/grpc/credentials.h"
#include "common/kafka/client_conf.h"
#include "common/kafka/topics.h"
#include "common/security/principal.h"
#include "common/security/token_verifier.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "infobus/collection/v1/collection_service.grpc.pb.h"
#include "infobus/common/v1/audit.pb.h"
#include "infobus/dispatch/v1/dispatch_service.grpc.pb.h"
#include "infobus/judgment/v1/judgment_service.grpc.pb.h"
#include "infobus/supervision/v1/supervision_service.grpc.pb.h"
#include "tools/infobusctl/report_format.h"
#include "tools/infobusctl/trace_format.h"

namespace infobus::ctl {
namespace {

using google::protobuf::Message;
using infobus::collection::v1::CollectionService;
using infobus::dispatch::v1::DispatchService;
using infobus::judgment::v1::JudgmentService;
using infobus::supervision::v1::SupervisionService;

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

// Where the local PKI is: $INFOBUS_PKI_DIR, else $INFOBUS_RUN_DIR/pki, INFOBUS_RUN_DIR defaulting
// to ./.run (where scripts/pki.sh init and scripts/up.sh put it; scripts/test.sh sets both).
std::string LocalPkiDir() {
  return EnvOr("INFOBUS_PKI_DIR", EnvOr("INFOBUS_RUN_DIR", "./.run") + "/pki");
}

// How a command reaches its server: the address, and the TLS settings and credentials of the
// flags (empty: not given), which Security() completes from the environment and the defaults.
struct Endpoint {
  std::string address;
  std::string ca, cert, key, token;
  bool insecure = false;
};

// The client security of `endpoint`: the CA from --ca, else $INFOBUS_CA, else the local PKI's
// ca.pem when it exists. The credentials (--cert/--key, a machine; --token, a person) all come
// from the command line when any of them is given there, else from $INFOBUS_CERT, $INFOBUS_KEY
// and $INFOBUS_TOKEN: a --cert on the command line is not overridden by an exported token.
absl::StatusOr<ClientSecurity> SecurityOf(const Endpoint& endpoint) {
  ClientSecurity security;
  if (endpoint.insecure) {
    security.insecure = true;
    return security;
  }
  security.tls.ca_file = EnvOr("INFOBUS_CA", endpoint.ca);
  if (!endpoint.ca.empty()) security.tls.ca_file = endpoint.ca;
  if (security.tls.ca_file.empty()) {
    const std::string local = LocalPkiDir() + "/ca.pem";
    std::error_code ignored;
    if (!std::filesystem::exists(local, ignored)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "no CA to verify the server with: give --ca or $INFOBUS_CA, or make the local one (",
          local, ") with scripts/pki.sh init; --insecure for a plaintext server"));
    }
    security.tls.ca_file = local;
  }
  const bool from_flags =
      !endpoint.cert.empty() || !endpoint.key.empty() || !endpoint.token.empty();
  security.tls.cert_file = from_flags ? endpoint.cert : EnvOr("INFOBUS_CERT", "");
  security.tls.key_file = from_flags ? endpoint.key : EnvOr("INFOBUS_KEY", "");
  security.bearer_token = from_flags ? endpoint.token : EnvOr("INFOBUS_TOKEN", "");
  if (security.tls.cert_file.empty() != security.tls.key_file.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("a certificate needs its key and the reverse (--cert/--key",
                     from_flags ? "" : ", $INFOBUS_CERT/$INFOBUS_KEY", ")"));
  }
  return security;
}

// A channel to `endpoint`, or nullptr with the reason on err (exit 2: nothing was called).
std::shared_ptr<grpc::Channel> Connect(const Endpoint& endpoint, std::ostream& err) {
  auto security = SecurityOf(endpoint);
  if (!security.ok()) {
    err << "infobusctl: " << security.status().message() << "\n";
    return nullptr;
  }
  if (security->insecure) {
    err << "infobusctl: WARNING: --insecure: plaintext to " << endpoint.address
        << ", the server NOT verified and NO credentials sent; only for a server started with "
           "security.mode=insecure (benchmarks)\n";
  }
  auto credentials = ClientCredentials(*security);
  if (!credentials.ok()) {
    err << "infobusctl: " << credentials.status().message() << "\n";
    return nullptr;
  }
  return grpc::CreateChannel(endpoint.address, *credentials);
}

std::string CodeName(grpc::StatusCode code) {
  static const char* const kNames[] = {"OK",
                                       "CANCELLED",
                                       "UNKNOWN",
                                       "INVALID_ARGUMENT",
                                       "DEADLINE_EXCEEDED",
                                       "NOT_FOUND",
                                       "ALREADY_EXISTS",
                                       "PERMISSION_DENIED",
                                       "RESOURCE_EXHAUSTED",
                                       "FAILED_PRECONDITION",
                                       "ABORTED",
                                       "OUT_OF_RANGE",
                                       "UNIMPLEMENTED",
                                       "INTERNAL",
                                       "UNAVAILABLE",
                                       "DATA_LOSS",
                                       "UNAUTHENTICATED"};
  const int index = static_cast<int>(code);
  return index >= 0 && index < 17 ? kNames[index] : absl::StrCat("code ", index);
}

// The server's answer to a failed call, its reason verbatim (a refusal names what is missing).
int Fail(std::ostream& err, const std::string& what, const grpc::Status& status) {
  err << "infobusctl: " << what << ": " << CodeName(status.error_code()) << ": "
      << status.error_message() << "\n";
  if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
    err << "infobusctl: the server needs a credential: --cert/--key (a machine) or --token / "
           "$INFOBUS_TOKEN (a person; `infobusctl token mint` for development)\n";
  }
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

// The call, then `print(response)` (false: the command failed) or the failure on err. Returns
// the exit code.
template <typename Stub, typename Request, typename Response, typename Print>
int Unary(Stub& stub, UnaryMethod<Stub, Request, Response> method, const Request& request,
          const std::string& rpc, Print print, Io& io, absl::Duration timeout = kCallTimeout) {
  Response response;
  const grpc::Status status = Call(stub, method, request, &response, timeout);
  if (!status.ok()) return Fail(io.err, rpc, status);
  return print(response) ? 0 : 1;
}

// A stub on a channel to `endpoint`, or nullptr with the reason on err (exit 2: nothing was
// called).
template <typename Stub>
std::unique_ptr<Stub> StubOf(const Endpoint& endpoint, std::ostream& err) {
  auto channel = Connect(endpoint, err);
  if (channel == nullptr) return nullptr;
  return std::make_unique<Stub>(channel);
}

// The shape of every unary command: connect to `endpoint`, make the one call, print (see
// Unary). Returns the exit code.
template <typename Stub, typename Request, typename Response, typename Print>
int RunUnary(const Endpoint& endpoint, UnaryMethod<Stub, Request, Response> method,
             const Request& request, const std::string& rpc, Print print, Io& io,
             absl::Duration timeout = kCallTimeout) {
  const std::unique_ptr<Stub> stub = StubOf<Stub>(endpoint, io.err);
  if (stub == nullptr) return 2;
  return Unary(*stub, method, request, rpc, print, io, timeout);
}

// Prints each of `messages` (a repeated field) as a JSON line; false at the first that cannot be.
template <typename Messages>
bool PrintEach(const Messages& messages, Io& io) {
  for (const auto& message : messages) {
    if (!PrintJson(message, io)) return false;
  }
  return true;
}

// A `print` for Unary that writes the whole response as a JSON line.
auto PrintResponse(Io& io) {
  return [&io](const Message& response) { return PrintJson(response, io); };
}

// The shape of every list command: connect to `endpoint`, then call `method` with `request` and
// each next page token in turn until there is none, printing `items(response)` of every page
// as JSON lines. Returns the exit code.
template <typename Stub, typename Request, typename Response, typename Items>
int RunPaged(const Endpoint& endpoint, UnaryMethod<Stub, Request, Response> method, Request request,
             const std::string& rpc, Items items, Io& io) {
  const std::unique_ptr<Stub> stub = StubOf<Stub>(endpoint, io.err);
  if (stub == nullptr) return 2;
  std::string next_page;
  do {
    request.set_page_token(next_page);
    const int code = Unary(
        *stub, method, request, rpc,
        [&](const Response& response) {
          if (!PrintEach(items(response), io)) return false;
          next_page = response.next_page_token();
          return true;
        },
        io, kPageTimeout);
    if (code != 0) return code;
  } while (!next_page.empty());
  return 0;
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

constexpr char kSecurityGroup[] = "TLS and credentials (see infobusctl --help)";

// The TLS flags of every command that calls a service (SecurityOf says how they combine with
// the environment).
void AddSecurity(CLI::App& command, Endpoint* endpoint) {
  CLI::Option* ca =
      command
          .add_option("--ca", endpoint->ca,
                      "PEM CA that verifies the server (default: $INFOBUS_CA, else "
                      "$INFOBUS_PKI_DIR/ca.pem (else $INFOBUS_RUN_DIR/pki/ca.pem) if it exists)")
          ->type_name("PEM")
          ->group(kSecurityGroup);
  CLI::Option* cert =
      command.add_option("--cert", endpoint->cert, "client certificate: call as this machine")
          ->type_name("PEM")
          ->group(kSecurityGroup);
  CLI::Option* key = command.add_option("--key", endpoint->key, "its private key")
                         ->type_name("PEM")
                         ->group(kSecurityGroup);
  CLI::Option* token =
      command
          .add_option("--token", endpoint->token,
                      "bearer token: call as this person (prefer $INFOBUS_TOKEN: a flag shows "
                      "in the process list)")
          ->type_name("JWT")
          ->group(kSecurityGroup);
  command
      .add_flag("--insecure", endpoint->insecure,
                "plaintext, no credentials: only for a server run with security.mode=insecure")
      ->excludes(ca)
      ->excludes(cert)
      ->excludes(key)
      ->excludes(token)
      ->group(kSecurityGroup);
}

// The address flag of a command talking to `service`, defaulting to $<env> or `fallback`, and
// the TLS flags.
CLI::Option* AddAddress(CLI::App& command, const std::string& service, const char* env,
                        const std::string& fallback, Endpoint* endpoint) {
  endpoint->address = EnvOr(env, fallback);
  AddSecurity(command, endpoint);
  return command
      .add_option(
          "--" + service, endpoint->address,
          absl::StrCat(service, " service address (default: $", env, ", else ", fallback, ")"))
      ->type_name("ADDR");
}

void AddCollection(CLI::App& command, Endpoint* endpoint) {
  AddAddress(command, "collection", "INFOBUS_COLLECTION_ADDR", "127.0.0.1:50051", endpoint);
}
void AddJudgment(CLI::App& command, Endpoint* endpoint) {
  AddAddress(command, "judgment", "INFOBUS_JUDGMENT_ADDR", "127.0.0.1:50052", endpoint);
}
void AddDispatch(CLI::App& command, Endpoint* endpoint) {
  AddAddress(command, "dispatch", "INFOBUS_DISPATCH_ADDR", "127.0.0.1:50053", endpoint);
}
void AddSupervision(CLI::App& command, Endpoint* endpoint) {
  AddAddress(command, "supervision", "INFOBUS_SUPERVISION_ADDR", "127.0.0.1:50054", endpoint);
}

// How trace and report print their answer: for people (table), for programs (json, like every
// other command), for spreadsheets (csv).
enum class Format { kTable, kJson, kCsv };

CLI::Option* AddFormat(CLI::App& command, Format* format) {
  return command
      .add_option_function<std::string>(
          "--format",
          [format](const std::string& text) {
            if (text == "table") {
              *format = Format::kTable;
            } else if (text == "json") {
              *format = Format::kJson;
            } else if (text == "csv") {
              *format = Format::kCsv;
            } else {
              throw CLI::ValidationError("--format", "'" + text + "' is not table|json|csv");
            }
          },
          "table: aligned columns (default); json: the response on one line (protobuf JSON "
          "mapping); csv: RFC 4180, as below")
      ->type_name("table|json|csv");
}

// A `print` for Unary that writes the response as `format` says, with `table` and `csv` (pure
// functions of the response, tools/infobusctl/*_format.h).
template <typename Response>
auto PrintFormatted(Format format, std::string (*table)(const Response&),
                    std::string (*csv)(const Response&), Io& io) {
  return [format, table, csv, &io](const Response& response) {
    switch (format) {
      case Format::kJson:
        return PrintJson(response, io);
      case Format::kCsv:
        io.out << csv(response);
        return true;
      case Format::kTable:
        break;
    }
    io.out << table(response);
    return true;
  };
}

// The digits of `text` at [at, at + count) as a number; false when any is not a digit.
bool Digits(const std::string& text, size_t at, size_t count, int* value) {
  if (at + count > text.size()) return false;
  for (size_t i = at; i < at + count; ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return absl::SimpleAtoi(text.substr(at, count), value);
}

// The ISO 8601 weeks of `year`: 53 when it begins on a Thursday, or on a Wednesday in a leap
// year; else 52.
int IsoWeeks(int year) {
  const absl::Weekday first = absl::GetWeekday(absl::CivilDay(year, 1, 1));
  const bool leap = absl::GetYearDay(absl::CivilDay(year, 12, 31)) == 366;
  return first == absl::Weekday::thursday || (leap && first == absl::Weekday::wednesday) ? 53 : 52;
}

// Whether `text` is a period of report's flags: "2026-11" (a month), "2026-11-03" (a day) or
// "2026-W45" (an ISO week), each a real one.
bool IsMonth(const std::string& text) {
  int year = 0, month = 0;
  return text.size() == 7 && Digits(text, 0, 4, &year) && text[4] == '-' &&
         Digits(text, 5, 2, &month) && month >= 1 && month <= 12;
}
bool IsDay(const std::string& text) {
  int year = 0, month = 0, day = 0;
  if (text.size() != 10 || !Digits(text, 0, 4, &year) || text[4] != '-' ||
      !Digits(text, 5, 2, &month) || text[7] != '-' || !Digits(text, 8, 2, &day)) {
    return false;
  }
  const absl::CivilDay civil(year, month, day);  // normalises 2026-02-30 to March
  return civil.year() == year && civil.month() == month && civil.day() == day;
}
bool IsWeek(const std::string& text) {
  int year = 0, week = 0;
  return text.size() == 8 && Digits(text, 0, 4, &year) && text.compare(4, 2, "-W") == 0 &&
         Digits(text, 6, 2, &week) && week >= 1 && week <= IsoWeeks(year);
}

// A period flag of report: checked by `valid`, stored in `*period`.
CLI::Option* AddPeriod(CLI::App& command, const std::string& flag, const std::string& help,
                       const std::string& example, bool (*valid)(const std::string&),
                       std::string* period) {
  return command
      .add_option_function<std::string>(
          flag,
          [=](const std::string& text) {
            if (!valid(text)) {
              throw CLI::ValidationError(flag,
                                         absl::StrCat("'", text, "' is not ", example, "-like"));
            }
            *period = text;
          },
          help)
      ->type_name(example);
}

// Who signs off, reports or reviews: the server records its caller, so by default nothing is
// sent; a name other than the caller's is refused. A server in insecure mode knows no caller:
// there the login name is sent.
CLI::Option* AddBy(CLI::App& command, const std::string& what, std::string* by) {
  return command
      .add_option("--by", *by,
                  what +
                      " (default: the caller the server authenticates; a different name is "
                      "refused. With --insecure: $USER, else the login name)")
      ->type_name("NAME");
}

// The delivery a sign-off or a feedback is about: its unit and its seq in the unit's inbox.
void AddDelivery(CLI::App& command, std::string* unit, uint64_t* seq) {
  command.add_option("--unit", *unit, "unit id")->type_name("U")->required();
  command.add_option("--seq", *seq, "the delivery's seq in the unit's inbox")
      ->type_name("N")
      ->required();
}

std::string ByOf(const std::string& by, const Endpoint& endpoint) {
  if (!by.empty()) return by;
  return endpoint.insecure ? DefaultActor() : "";
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

template <typename Stub, typename Request, typename T>
using StreamMethod = std::unique_ptr<grpc::ClientReader<T>> (Stub::*)(grpc::ClientContext*,
                                                                      const Request&);

// The shape of every streaming command: connect to `endpoint`, open the stream on a context
// with a deadline `timeout` from now (0: none) and print it (see PrintStream). Returns the exit
// code.
template <typename Stub, typename Request, typename T>
int RunStream(const Endpoint& endpoint, StreamMethod<Stub, Request, T> method,
              const Request& request, absl::Duration timeout, int64_t count,
              const std::string& command, const std::string& what, Io& io) {
  const std::unique_ptr<Stub> stub = StubOf<Stub>(endpoint, io.err);
  if (stub == nullptr) return 2;
  grpc::ClientContext context;
  SetTimeout(context, timeout);
  const std::unique_ptr<grpc::ClientReader<T>> reader = ((*stub).*method)(&context, request);
  return PrintStream(*reader, context, count, command, what, io);
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
answered RETRY are resent. Exit 1 if any event was rejected or not kept. The caller is the
events' source, by its certificate (--cert/--key, SAN infobus://source/<id>): a batch with an
event of another source, or beyond its registration, is refused whole (PERMISSION_DENIED).
An event line:
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
    AddCollection(command, &endpoint_);
  }

  int Run(Io& io) const override {
    using infobus::collection::v1::PublishOutcome;
    auto events = ReadJsonLines<infobus::common::v1::Event>(file_, io.in);
    if (!events.ok()) {
      io.err << "infobusctl publish: " << events.status().message() << "\n";
      return 2;
    }
    const std::unique_ptr<CollectionService::Stub> stub =
        StubOf<CollectionService::Stub>(endpoint_, io.err);
    if (stub == nullptr) return 2;
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
            Call(*stub, &CollectionService::Stub::Publish, request, &response, absl::Seconds(60));
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
  Endpoint endpoint_;
  std::string file_ = "-";
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
    AddJudgment(command, &endpoint_);
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
    const std::unique_ptr<JudgmentService::Stub> stub =
        StubOf<JudgmentService::Stub>(endpoint_, io.err);
    if (stub == nullptr) return 2;
    const char* what = kAdd ? "watch add" : "watch remove";
    for (const auto& entry : entries) {
      int code;
      if (kAdd) {
        infobus::judgment::v1::AddWatchlistEntryRequest request;
        *request.mutable_entry() = entry;
        code = Unary(*stub, &JudgmentService::Stub::AddWatchlistEntry, request, what,
                     PrintResponse(io), io);
      } else {
        infobus::judgment::v1::RemoveWatchlistEntryRequest request;
        request.set_list_id(entry.list_id());
        *request.mutable_subject() = entry.subject();
        code = Unary(*stub, &JudgmentService::Stub::RemoveWatchlistEntry, request, what,
                     PrintResponse(io), io);
      }
      if (code != 0) return code;
    }
    return 0;
  }

 private:
  Endpoint endpoint_;
  std::string list_, value_, note_, file_;
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
    AddDispatch(command, &endpoint_);
  }

  int Run(Io& io) const override {
    infobus::dispatch::v1::SubscribeRequest request;
    request.set_unit_id(unit_);
    request.set_after_seq(after_seq_);
    return RunStream(endpoint_, &DispatchService::Stub::Subscribe, request, timeout_, count_,
                     "follow", "deliveries", io);
  }

 private:
  Endpoint endpoint_;
  std::string unit_;
  uint64_t after_seq_ = 0;
  int64_t count_ = 0;
  absl::Duration timeout_ = absl::ZeroDuration();
};

// ack: signs off a delivery (idempotent).
class AckCommand final : public CommandBase {
 public:
  void Flags(CLI::App& command) override {
    AddDelivery(command, &unit_, &seq_);
    AddBy(command, "who signs off", &by_);
    AddDispatch(command, &endpoint_);
  }

  int Run(Io& io) const override {
    infobus::dispatch::v1::AcknowledgeRequest request;
    request.set_unit_id(unit_);
    request.set_seq(seq_);
    request.set_acknowledged_by(ByOf(by_, endpoint_));
    return RunUnary(endpoint_, &DispatchService::Stub::Acknowledge, request, "Acknowledge",
                    PrintResponse(io), io);
  }

 private:
  Endpoint endpoint_;
  std::string unit_, by_;
  uint64_t seq_ = 0;
};

// feedback: the outcome of a delivery (idempotent: the first feedback stands).
class FeedbackCommand final : public CommandBase {
 public:
  void Flags(CLI::App& command) override {
    AddDelivery(command, &unit_, &seq_);
    AddEnum(command, "--outcome", "what came of it", "FEEDBACK_OUTCOME_",
            &infobus::common::v1::FeedbackOutcome_Parse,
            "handled|apprehended|not_found|false_positive|transferred", &outcome_)
        ->required();
    command.add_option("--note", note_, "free text, at most 4 KiB")->type_name("TEXT");
    AddBy(command, "who reports", &by_);
    AddDispatch(command, &endpoint_);
  }

  int Run(Io& io) const override {
    infobus::dispatch::v1::FeedbackRequest request;
    request.set_unit_id(unit_);
    request.set_seq(seq_);
    request.set_outcome(outcome_);
    request.set_note(note_);
    request.set_given_by(ByOf(by_, endpoint_));
    return RunUnary(endpoint_, &DispatchService::Stub::Feedback, request, "Feedback",
                    PrintResponse(io), io);
  }

 private:
  Endpoint endpoint_;
  std::string unit_, note_, by_;
  uint64_t seq_ = 0;
  infobus::common::v1::FeedbackOutcome outcome_ = infobus::common::v1::FEEDBACK_OUTCOME_UNSPECIFIED;
};

// approve / send-back: a supervisor's decision on a unit's feedback, where the judgment's rule
// asks for approval. Approve is idempotent (the first stands); a send-back reopens the delivery.
template <bool kApprove>
class DecisionCommand final : public CommandBase {
 public:
  void Flags(CLI::App& command) override {
    AddDelivery(command, &unit_, &seq_);
    auto* note = command.add_option(
        "--note", note_,
        kApprove ? "free text, at most 4 KiB" : "what the unit is to do again, at most 4 KiB");
    note->type_name("TEXT");
    if (!kApprove) note->required();
    AddBy(command, kApprove ? "who approves" : "who sends back", &by_);
    AddDispatch(command, &endpoint_);
  }

  int Run(Io& io) const override {
    if constexpr (kApprove) {
      return Decide<infobus::dispatch::v1::ApproveRequest>(&DispatchService::Stub::Approve,
                                                           "Approve", io);
    } else {
      return Decide<infobus::dispatch::v1::SendBackRequest>(&DispatchService::Stub::SendBack,
                                                            "SendBack", io);
    }
  }

 private:
  // Approve and SendBack take the same fields.
  template <typename Request, typename Method>
  int Decide(Method method, const char* name, Io& io) const {
    Request request;
    request.set_unit_id(unit_);
    request.set_seq(seq_);
    request.set_note(note_);
    request.set_decided_by(ByOf(by_, endpoint_));
    return RunUnary(endpoint_, method, request, name, PrintResponse(io), io);
  }

  Endpoint endpoint_;
  std::string unit_, note_, by_;
  uint64_t seq_ = 0;
};

// deliveries: a unit's deliveries, filtered by status, every page.
class DeliveriesCommand final : public CommandBase {
 public:
  void Flags(CLI::App& command) override {
    command.add_option("--unit", unit_, "unit id")->type_name("U")->required();
    AddEnumList(command, "--status", "only deliveries in these states", "DELIVERY_STATUS_",
                &infobus::common::v1::DeliveryStatus_Parse,
                "pending|acknowledged|feedback|escalated|approved", &statuses_);
    command.add_flag("--subordinates", subordinates_, "also the deliveries of every unit below it");
    AddDispatch(command, &endpoint_);
  }

  int Run(Io& io) const override {
    infobus::dispatch::v1::ListDeliveriesRequest request;
    request.set_unit_id(unit_);
    request.set_include_subordinates(subordinates_);
    for (const auto status : statuses_) request.add_statuses(status);
    return RunPaged(
        endpoint_, &DispatchService::Stub::ListDeliveries, request, "ListDeliveries",
        [](const infobus::dispatch::v1::ListDeliveriesResponse& response) -> const auto& {
          return response.deliveries();
        },
        io);
  }

 private:
  Endpoint endpoint_;
  std::string unit_;
  std::vector<infobus::common::v1::DeliveryStatus> statuses_;
  bool subordinates_ = false;
};

// units: the configured units.
class UnitsCommand final : public CommandBase {
 public:
  void Flags(CLI::App& command) override { AddDispatch(command, &endpoint_); }

  int Run(Io& io) const override {
    return RunUnary(
        endpoint_, &DispatchService::Stub::ListUnits, infobus::dispatch::v1::ListUnitsRequest(),
        "ListUnits",
        [&io](const infobus::dispatch::v1::ListUnitsResponse& response) {
          return PrintEach(response.units(), io);
        },
        io);
  }

 private:
  Endpoint endpoint_;
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
                "watchlist_hit|hotspot|movement|correlation|direct", &kinds_);
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
    AddJudgment(command, &endpoint_);
  }

  int Run(Io& io) const override {
    infobus::judgment::v1::JudgmentFilter filter;
    filter.set_min_severity(min_severity_);
    for (const auto kind : kinds_) filter.add_kinds(kind);
    for (const std::string& prefix : jurisdictions_) filter.add_jurisdiction_prefixes(prefix);
    for (const std::string& rule : rules_) filter.add_rule_ids(rule);
    if (follow_) {
      infobus::judgment::v1::SubscribeRequest request;
      *request.mutable_filter() = filter;
      request.set_after_seq(after_seq_);
      if (since_) *request.mutable_since() = *since_;
      return RunStream(endpoint_, &JudgmentService::Stub::Subscribe, request, timeout_, count_,
                       "judgments", "judgments", io);
    }
    infobus::judgment::v1::ListJudgmentsRequest request;
    *request.mutable_filter() = filter;
    if (since_) *request.mutable_since() = *since_;
    if (until_) *request.mutable_until() = *until_;
    request.set_page_size(1000);
    return RunPaged(
        endpoint_, &JudgmentService::Stub::ListJudgments, request, "ListJudgments",
        [](const infobus::judgment::v1::ListJudgmentsResponse& response) -> const auto& {
          return response.records();
        },
        io);
  }

 private:
  Endpoint endpoint_;
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
    AddJudgment(command, &endpoint_);
  }

  int Run(Io& io) const override {
    infobus::judgment::v1::GetJudgmentRequest request;
    request.set_judgment_id(id_);
    return RunUnary(
        endpoint_, &JudgmentService::Stub::GetJudgment, request, "GetJudgment",
        [&io](const infobus::judgment::v1::GetJudgmentResponse& response) {
          return PrintJson(response.record(), io);
        },
        io);
  }

 private:
  Endpoint endpoint_;
  std::string id_;
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
    AddJudgment(command, &endpoint_);
  }

  int Run(Io& io) const override {
    infobus::judgment::v1::ReviewRequest request;
    request.set_judgment_id(id_);
    request.set_status(status_);
    request.set_note(note_);
    request.set_reviewer(ByOf(by_, endpoint_));
    return RunUnary(
        endpoint_, &JudgmentService::Stub::Review, request, "Review",
        [&io](const infobus::judgment::v1::ReviewResponse& response) {
          return PrintJson(response.record(), io);
        },
        io);
  }

 private:
  Endpoint endpoint_;
  std::string id_, note_, by_;
  infobus::common::v1::ReviewStatus status_ = infobus::common::v1::REVIEW_STATUS_UNSPECIFIED;
};

constexpr char kExitCodes[] = R"(
Exit 0: answered; 1: the call failed or was refused (the server's reason on stderr: e.g.
PERMISSION_DENIED without the supervisor role, INVALID_ARGUMENT); 2: a usage error, or no CA
to verify the server with: nothing called.)";

// `lines`, each indented as a block of a --help footer.
std::string Indented(const std::string& lines) {
  std::string indented;
  for (absl::string_view line : absl::StrSplit(lines, '\n', absl::SkipEmpty())) {
    absl::StrAppend(&indented, "    ", line, "\n");
  }
  return indented;
}

// trace: the chain of one item from collection to closure, from supervision.
class TraceCommand final : public CommandBase {
 public:
  void Flags(CLI::App& command) override {
    command.footer(absl::StrCat(R"(
The chain of one item, from supervision: the event (or the evidence events of a judgment), every
judgment resting on it with its timeline, one row per hop, collected, judged, delivered, signed,
feedback, escalated, reviewed, each with its time (UTC) and the latency since the hop it follows
(judged: since the last evidence collected; delivered: since judged; signed, feedback and
escalated: since their delivery; reviewed: since judged), and what has not happened, or not
been seen, yet ("missing: fusui-psb/3: not signed off", "missing: collected, not judged").
Needs the supervisor role (a supervisor's token).
  --format table  the events, then a header line per judgment (rule, kind, severity,
                  jurisdiction, state), its hops as columns KIND AT LATENCY WHAT BY DETAIL and
                  its "missing:" lines; last, what is missing of the item as a whole
  --format json   the TraceResponse on one line
  --format csv    RFC 4180 (CRLF line ends; a field with a comma, quote or line break quoted,
                  quotes doubled): four tables, events, judgments, hops, missing, each with its
                  header (also when empty), separated by an empty line; every record starts
                  with its section (event, judgment, hop, missing). Times RFC 3339 UTC,
                  since_previous_s in seconds. The headers:
)",
                                Indented(TraceCsvColumns()), kExitCodes, R"(
  infobusctl trace --event fusui-lodging/e1 --token "$supervisor"
  infobusctl trace --judgment-id "$id" --format csv >trace.csv)"));
    CLI::Option_group* item = command.add_option_group(
        "item", "the item: exactly one of --event, --trace-id, --judgment-id");
    item->add_option_function<std::string>(
            "--event",
            [this](const std::string& text) {
              const size_t slash = text.find('/');
              if (slash == std::string::npos || slash == 0 || slash + 1 == text.size()) {
                throw CLI::ValidationError(
                    "--event",
                    absl::StrCat("'", text, "' is not SOURCE/EVENT_ID (fusui-lodging/e1)"));
              }
              source_id_ = text.substr(0, slash);
              event_id_ = text.substr(slash + 1);  // event ids may hold a slash; source ids do not
            },
            "an event by its source and id, e.g. fusui-lodging/e1")
        ->type_name("SOURCE/EVENT_ID");
    item->add_option("--trace-id", trace_id_, "the event with this trace id (collection stamps it)")
        ->type_name("ID");
    item->add_option("--judgment-id", judgment_id_, "a judgment by its id")->type_name("ID");
    item->require_option(1);
    AddFormat(command, &format_);
    AddSupervision(command, &endpoint_);
  }

  int Run(Io& io) const override {
    infobus::supervision::v1::TraceRequest request;
    if (!event_id_.empty()) {
      request.mutable_event()->set_source_id(source_id_);
      request.mutable_event()->set_event_id(event_id_);
    } else if (!trace_id_.empty()) {
      request.set_trace_id(trace_id_);
    } else {
      request.set_judgment_id(judgment_id_);
    }
    return RunUnary(endpoint_, &SupervisionService::Stub::Trace, request, "Trace",
                    PrintFormatted(format_, &TraceTable, &TraceCsv, io), io);
  }

 private:
  Endpoint endpoint_;
  std::string source_id_, event_id_, trace_id_, judgment_id_;
  Format format_ = Format::kTable;
};

// report: the figures of a period and scope, from supervision's hourly buckets.
class ReportCommand final : public CommandBase {
 public:
  void Flags(CLI::App& command) override {
    command.footer(absl::StrCat(R"txt(
The figures of a period and a scope, from supervision: events by county, source and kind, dead
letters by topic; judgments by rule and severity and their reviews; per unit the deliveries made
in the period, how many were signed off, and within their deadline (the SLA share), sign-off
latency p50/p90/p99 (from delivery; within 4%), escalations, feedback and its rate, outcomes;
per rule its precision (confirmed or handled/apprehended, against dismissed or false_positive).
The period is one of --month, --day, --week (in the local time of the routing file, whose
utc_offset the report names) or --since with --until (RFC 3339, [since, until)); with none the
request names no period and the service says what it makes of that. The scope is at most one of
--jurisdiction (a GB/T 2260 prefix) and --unit (with --subordinates, the units below it too);
with neither, everything the caller may see. Needs the supervisor role.
  --format table  the period, then one titled section per figure group with aligned columns;
                  the units' section ends with the scope's total; "(none)" for an empty one
  --format json   the ReportResponse on one line
  --format csv    RFC 4180 (CRLF line ends; a field with a comma, quote or line break quoted,
                  quotes doubled): six tables, each with its header (also when empty),
                  separated by an empty line; every record starts with its section: period;
                  events, events_by_county, events_by_source, events_by_kind, dead_lettered,
                  dead_lettered_by_topic, judgments, judgments_confirmed, judgments_dismissed,
                  judgments_unreviewed (totals with an empty key); judgments_by_rule; unit and
                  total; outcome and outcome_total; rule_precision. Durations (*_s) in seconds,
                  shares as fractions (0.95), a percentile with nothing to measure empty. The
                  headers:
)txt",
                                Indented(ReportCsvColumns()), kExitCodes, R"(
  infobusctl report --month 2026-11 --unit chongzuo-ops --subordinates --token "$supervisor"
  infobusctl report --week 2026-W45 --jurisdiction 4514 --format csv >week45.csv)"));
    CLI::Option* month = AddPeriod(command, "--month", "a calendar month, local time", "2026-11",
                                   &IsMonth, &period_);
    CLI::Option* day =
        AddPeriod(command, "--day", "a calendar day, local time", "2026-11-03", &IsDay, &period_);
    CLI::Option* week =
        AddPeriod(command, "--week", "an ISO 8601 week (Monday to Sunday), local time", "2026-W45",
                  &IsWeek, &period_);
    CLI::Option* since = AddTime(command, "--since", "from this time (with --until)", &since_);
    CLI::Option* until =
        AddTime(command, "--until", "to this time, excluded (with --since)", &until_);
    since->needs(until);
    until->needs(since);
    const std::vector<CLI::Option*> periods = {month, day, week, since};
    for (CLI::Option* one : periods) {
      for (CLI::Option* other : periods) {
        if (one != other) one->excludes(other);
      }
      if (one != since) one->excludes(until);
    }
    CLI::Option* jurisdiction = command
                                    .add_option("--jurisdiction", jurisdiction_,
                                                "only this jurisdiction prefix (45, 4514, 451421)")
                                    ->type_name("PREFIX");
    CLI::Option* unit = command.add_option("--unit", unit_, "only this unit")
                            ->type_name("U")
                            ->excludes(jurisdiction);
    command.add_flag("--subordinates", subordinates_, "with --unit: also the units below it")
        ->needs(unit);
    AddFormat(command, &format_);
    AddSupervision(command, &endpoint_);
  }

  int Run(Io& io) const override {
    infobus::supervision::v1::ReportRequest request;
    request.set_period(period_);
    if (since_) *request.mutable_since() = *since_;
    if (until_) *request.mutable_until() = *until_;
    request.set_jurisdiction_prefix(jurisdiction_);
    request.set_unit_id(unit_);
    request.set_include_subordinates(subordinates_);
    return RunUnary(endpoint_, &SupervisionService::Stub::Report, request, "Report",
                    PrintFormatted(format_, &ReportTable, &ReportCsv, io), io, kPageTimeout);
  }

 private:
  Endpoint endpoint_;
  std::string period_, jurisdiction_, unit_;
  std::optional<google::protobuf::Timestamp> since_, until_;
  bool subordinates_ = false;
  Format format_ = Format::kTable;
};

// health: grpc.health.v1.Health/Check of a server, for container health checks.
class HealthCommand final : public CommandBase {
 public:
  void Flags(CLI::App& command) override {
    command.footer(R"(
Prints the status of the server as a whole, or of the service named by --service (an unknown
name fails with NOT_FOUND). This is the container health check of deploy/docker-compose.yml.)");
    command.add_option("--addr", endpoint_.address, "the server")
        ->type_name("HOST:PORT")
        ->required();
    AddSecurity(command, &endpoint_);
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
    return RunUnary(
        endpoint_, &grpc::health::v1::Health::Stub::Check, request, "health",
        [&io](const HealthCheckResponse& response) {
          io.out << HealthCheckResponse::ServingStatus_Name(response.status()) << "\n";
          return response.status() == HealthCheckResponse::SERVING;
        },
        io, timeout_);
  }

 private:
  Endpoint endpoint_;
  std::string service_;
  absl::Duration timeout_ = absl::Seconds(3);
};

// audit: the access records of infobus.audit.v1, read straight from Kafka as an administrator
// machine (the services write them; no service serves them).
class AuditCommand final : public CommandBase {
 public:
  void Flags(CLI::App& command) override {
    command.footer(R"(
Prints one AuditRecord per line (protobuf JSON), each partition in order (a subject's records
are in one partition, oldest first), from the beginning of the topic to its end as it stood
when the command began; with --follow, then new ones until Ctrl-C or --timeout. Reads as the
administrator machine over mutual TLS (a Kafka super user), by default with the local PKI's
admin certificate. E.g.
  infobusctl audit --subject officer-7 --decision denied --since 2026-11-28T00:00:00Z)");
    const std::string pki = LocalPkiDir();
    bootstrap_ = "127.0.0.1:" + EnvOr("INFOBUS_KAFKA_PORT", "19092");
    ca_ = pki + "/ca.pem";
    cert_ = pki + "/services/admin.pem";
    key_ = pki + "/services/admin.key";
    command
        .add_option("--kafka", bootstrap_,
                    "bootstrap servers (default: 127.0.0.1:$INFOBUS_KAFKA_PORT, else :19092)")
        ->type_name("HOST:PORT");
    command.add_option("--topic-prefix", prefix_, "the bus's kafka.topic_prefix")
        ->type_name("PREFIX");
    const std::string where = "(default: under $INFOBUS_PKI_DIR, else $INFOBUS_RUN_DIR/pki: ";
    CLI::Option* ca =
        command.add_option("--kafka-ca", ca_, "PEM CA of the broker " + where + "ca.pem)")
            ->type_name("PEM");
    CLI::Option* cert =
        command
            .add_option("--kafka-cert", cert_,
                        "administrator certificate " + where + "services/admin.pem)")
            ->type_name("PEM");
    CLI::Option* key =
        command.add_option("--kafka-key", key_, "its key " + where + "services/admin.key)")
            ->type_name("PEM");
    command
        .add_flag("--kafka-plaintext", plaintext_,
                  "no TLS: for a broker started with INFOBUS_KAFKA_SECURITY=plaintext")
        ->excludes(ca)
        ->excludes(cert)
        ->excludes(key);
    command.add_option("--subject", subject_, "only this caller (source id, service, token sub)")
        ->type_name("ID");
    command.add_option("--unit", unit_, "only callers of this unit")->type_name("U");
    AddTime(command, "--since", "only records at or after this time", &since_);
    AddTime(command, "--until", "only records before this time", &until_);
    AddEnum(command, "--decision", "only this decision", "AUDIT_DECISION_",
            &infobus::common::v1::AuditDecision_Parse, "allowed|denied|rejected", &decision_);
    command.add_flag("--follow", follow_, "after the end, wait for new records");
    AddDuration(command, "--timeout",
                "stop after this long (0: with --follow never, else fail after 60s)", &timeout_);
  }

  int Run(Io& io) const override {
    kafka::ClientSecurity security;
    if (!plaintext_) security = {"ssl", ca_, cert_, key_};
    for (const std::string* file : {&ca_, &cert_, &key_}) {
      std::error_code ignored;
      if (!plaintext_ && !std::filesystem::exists(*file, ignored)) {
        io.err << "infobusctl audit: cannot read " << *file
               << " (scripts/pki.sh init makes the local PKI; or "
                  "--kafka-ca/--kafka-cert/--kafka-key)\n";
        return 2;
      }
    }
    kafka::SetProcessSecurity(security);
    const std::string topic = kafka::Topics(prefix_).audit;
    const absl::Duration limit = timeout_ > absl::ZeroDuration()
                                     ? timeout_
                                     : (follow_ ? absl::InfiniteDuration() : absl::Seconds(60));
    const absl::Time deadline = absl::Now() + limit;
    auto created = kafka::NewAssignOnlyConsumer(bootstrap_, "infobusctl-audit");
    if (!created.ok()) {
      io.err << "infobusctl audit: " << created.status().message() << "\n";
      return 1;
    }
    std::unique_ptr<RdKafka::KafkaConsumer> consumer = std::move(*created);
    const int code = Read(*consumer, topic, deadline, io);
    // The records are printed by now and no offset is committed (no group): a failed close
    // leaves the exit code alone, but is said.
    if (const RdKafka::ErrorCode closed = consumer->close(); closed != RdKafka::ERR_NO_ERROR) {
      io.err << "infobusctl audit: closing the consumer: " << RdKafka::err2str(closed) << "\n";
    }
    return code;
  }

 private:
  static int64_t Nanos(const google::protobuf::Timestamp& at) {
    return at.seconds() * 1000000000 + at.nanos();
  }

  bool Wanted(const infobus::common::v1::AuditRecord& record) const {
    if (!subject_.empty() && record.subject() != subject_) return false;
    if (!unit_.empty() && record.unit_id() != unit_) return false;
    if (decision_ != infobus::common::v1::AUDIT_DECISION_UNSPECIFIED &&
        record.decision() != decision_) {
      return false;
    }
    if (since_ && Nanos(record.at()) < Nanos(*since_)) return false;
    if (until_ && Nanos(record.at()) >= Nanos(*until_)) return false;
    return true;
  }

  int Read(RdKafka::KafkaConsumer& consumer, const std::string& topic, absl::Time deadline,
           Io& io) const {
    constexpr int kMetadataMs = 10000;
    auto fail = [&](const std::string& why) {
      io.err << "infobusctl audit: " << topic << " at " << bootstrap_ << ": " << why << "\n";
      return 1;
    };
    std::string error;
    std::unique_ptr<RdKafka::Topic> handle(
        RdKafka::Topic::create(&consumer, topic, nullptr, error));
    if (handle == nullptr) return fail(error);
    RdKafka::Metadata* raw = nullptr;
    const RdKafka::ErrorCode asked = consumer.metadata(false, handle.get(), &raw, kMetadataMs);
    std::unique_ptr<RdKafka::Metadata> metadata(raw);
    if (asked != RdKafka::ERR_NO_ERROR) return fail(RdKafka::err2str(asked));
    const RdKafka::TopicMetadata* found = nullptr;
    for (const RdKafka::TopicMetadata* candidate : *metadata->topics()) {
      if (candidate->topic() == topic) found = candidate;
    }
    if (found == nullptr || found->err() != RdKafka::ERR_NO_ERROR) {
      return fail(
          absl::StrCat(found == nullptr ? "no such topic" : RdKafka::err2str(found->err()),
                       " (no service has run against this broker with this --topic-prefix yet?)"));
    }
    // The end of each partition as of now: without --follow, the read stops there.
    std::map<int32_t, int64_t> ends, pending;
    std::vector<std::unique_ptr<RdKafka::TopicPartition>> owned;
    std::vector<RdKafka::TopicPartition*> assignment;
    for (const RdKafka::PartitionMetadata* partition : *found->partitions()) {
      int64_t low = 0, high = 0;
      const RdKafka::ErrorCode code =
          consumer.query_watermark_offsets(topic, partition->id(), &low, &high, kMetadataMs);
      if (code != RdKafka::ERR_NO_ERROR) return fail(RdKafka::err2str(code));
      ends[partition->id()] = high;
      if (high > low) pending[partition->id()] = high;
      owned.emplace_back(RdKafka::TopicPartition::create(topic, partition->id(),
                                                         RdKafka::Topic::OFFSET_BEGINNING));
      assignment.push_back(owned.back().get());
    }
    if (const RdKafka::ErrorCode code = consumer.assign(assignment);
        code != RdKafka::ERR_NO_ERROR) {
      return fail(RdKafka::err2str(code));
    }
    while (follow_ || !pending.empty()) {
      const absl::Duration left = deadline - absl::Now();
      if (left <= absl::ZeroDuration()) {
        if (follow_) return 0;
        return fail("did not reach the end before the timeout");
      }
      std::unique_ptr<RdKafka::Message> message(consumer.consume(
          static_cast<int>(std::min<int64_t>(500, absl::ToInt64Milliseconds(left) + 1))));
      if (message->err() == RdKafka::ERR__TIMED_OUT ||
          message->err() == RdKafka::ERR__PARTITION_EOF) {
        continue;
      }
      if (message->err() != RdKafka::ERR_NO_ERROR) {
        // Broker trouble is retried by librdkafka; the deadline bounds it. Refusals are final.
        if (message->err() == RdKafka::ERR_TOPIC_AUTHORIZATION_FAILED ||
            message->err() == RdKafka::ERR_GROUP_AUTHORIZATION_FAILED ||
            message->err() == RdKafka::ERR__SSL || message->err() == RdKafka::ERR__AUTHENTICATION) {
          return fail(message->errstr());
        }
        continue;
      }
      const int32_t partition = message->partition();
      const int64_t offset = message->offset();
      if (!follow_ && offset >= ends[partition]) continue;  // came after we began
      infobus::common::v1::AuditRecord record;
      if (!record.ParseFromArray(message->payload(), static_cast<int>(message->len()))) {
        io.err << "infobusctl audit: " << topic << "/" << partition << "@" << offset
               << " is not an AuditRecord; skipped\n";
      } else if (Wanted(record)) {
        if (!PrintJson(record, io)) return 1;
        io.out.flush();
      }
      if (!follow_ && offset >= ends[partition] - 1) pending.erase(partition);
    }
    return 0;
  }

  std::string bootstrap_, prefix_, ca_, cert_, key_, subject_, unit_;
  bool plaintext_ = false, follow_ = false;
  std::optional<google::protobuf::Timestamp> since_, until_;
  infobus::common::v1::AuditDecision decision_ = infobus::common::v1::AUDIT_DECISION_UNSPECIFIED;
  absl::Duration timeout_ = absl::ZeroDuration();
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
    key_ = LocalPkiDir() + "/jwt/signing.key";
    command
        .add_option("--key", key_,
                    "PEM EC P-256 private key (default: $INFOBUS_PKI_DIR/jwt/signing.key, "
                    "INFOBUS_PKI_DIR defaulting to $INFOBUS_RUN_DIR/pki, that to ./.run/pki)")
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
Results are JSON lines in the protobuf JSON mapping (trace and report: a table, or --format
json|csv). `infobusctl COMMAND --help` shows the flags of a command, --help-all those of every
command. Addresses default to $INFOBUS_COLLECTION_ADDR (127.0.0.1:50051),
$INFOBUS_JUDGMENT_ADDR (127.0.0.1:50052), $INFOBUS_DISPATCH_ADDR (127.0.0.1:50053) and
$INFOBUS_SUPERVISION_ADDR (127.0.0.1:50054).

Every call is TLS, and the server needs to know who calls:
  the CA     --ca, else $INFOBUS_CA, else $INFOBUS_PKI_DIR/ca.pem (INFOBUS_PKI_DIR defaulting
             to $INFOBUS_RUN_DIR/pki, that to ./.run/pki) when it exists: scripts/pki.sh init's
  a machine  --cert and --key (a source's or a service's certificate)
  a person   --token, a bearer JWT (infobusctl token mint makes one for development)
The credentials come from the command line when any of --cert, --key, --token is given there,
else from $INFOBUS_CERT, $INFOBUS_KEY and $INFOBUS_TOKEN: an exported token does not override a
--cert. With both a certificate and a token the server takes the token. --insecure speaks
plaintext with no credentials, to a server run with security.mode=insecure (benchmarks).
A refused call prints the server's reason (UNAUTHENTICATED, PERMISSION_DENIED) and exits 1.
  export INFOBUS_TOKEN=$(infobusctl token mint --sub officer-7 --role officer --unit fusui-psb \
      --jurisdiction 451421 --clearance CONFIDENTIAL)
  infobusctl follow --unit fusui-psb)";

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
  commands.push_back(Define<DecisionCommand<true>>(
      app, "approve",
      "Approve a unit's feedback where its rule needs approval (a supervisor above it)."));
  commands.push_back(Define<DecisionCommand<false>>(
      app, "send-back",
      "Send a unit's feedback back with a note: open again, deadline renewed (supervisor)."));
  commands.push_back(Define<DeliveriesCommand>(
      app, "deliveries", "List a unit's deliveries (with --subordinates, those below it)."));
  commands.push_back(Define<UnitsCommand>(app, "units", "List the configured units."));
  commands.push_back(Define<JudgmentsCommand>(
      app, "judgments", "List the judgment log, or stream it with --follow."));
  commands.push_back(
      Define<JudgmentCommand>(app, "judgment", "One judgment, with its evidence and review."));
  commands.push_back(
      Define<ReviewCommand>(app, "review", "Record an analyst's verdict on a judgment."));
  commands.push_back(Define<TraceCommand>(
      app, "trace", "What happened to an item, from collection to closure (supervision)."));
  commands.push_back(Define<ReportCommand>(
      app, "report", "The figures of a period for a county or unit (supervision)."));
  commands.push_back(Define<AuditCommand>(
      app, "audit", "Access records of infobus.audit.v1, filtered (read from Kafka as admin)."));
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
