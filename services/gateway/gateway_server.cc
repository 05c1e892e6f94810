#include "services/gateway/gateway_server.h"

#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/message.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/grpc/credentials.h"
#include "common/grpc/server.h"
#include "common/log/log.h"
#include "common/util/signals.h"
#include "services/gateway/api_route.h"
#include "services/gateway/forwarded_identity.h"
#include "services/gateway/http_status.h"
#include "services/gateway/message_json.h"
#include "services/gateway/query_request.h"
#include "services/gateway/resume.h"
#include "services/gateway/sse.h"
#include "services/gateway/static_files.h"

namespace infobus::gateway {
namespace {

using google::protobuf::Message;

constexpr char kJson[] = "application/json";
// How often a stream that is waiting looks whether its client is still there.
constexpr absl::Duration kClientCheck = absl::Seconds(1);

void ReplyError(httplib::Response& response, const absl::Status& status, int http_status = 0) {
  response.status = http_status != 0 ? http_status : HttpStatusFor(status.code());
  response.set_content(ErrorBody(status), kJson);
}

std::unique_ptr<Message> NewMessage(const google::protobuf::Descriptor& type) {
  return std::unique_ptr<Message>(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(&type)->New());
}

}  // namespace

// One open Server-Sent Events stream: its gRPC call and when it last wrote.
struct GatewayServer::Stream {
  std::shared_ptr<ServerStreamCall> call;
  const google::protobuf::Descriptor* output = nullptr;
  absl::Time last_write = absl::Now();
};

absl::StatusOr<std::unique_ptr<GatewayServer>> GatewayServer::Create(
    const GatewayOptions& options) {
  auto server = std::unique_ptr<GatewayServer>(new GatewayServer(options));
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      ClientCredentials(options.upstream);
  if (!credentials.ok()) {
    return absl::Status(credentials.status().code(),
                        absl::StrCat("security.ca_file: ", credentials.status().message()));
  }
  for (const auto& [service, address] : options.service_addresses) {
    server->stubs_[service] =
        std::make_unique<grpc::GenericStub>(grpc::CreateChannel(address, *credentials));
  }
  if (options.tls) {
    auto https =
        std::make_unique<httplib::SSLServer>(options.cert_file.c_str(), options.key_file.c_str());
    if (!https->is_valid()) {
      return absl::InvalidArgumentError(
          absl::StrCat("gateway.cert_file/gateway.key_file: cannot use ", options.cert_file,
                       " and ", options.key_file, " for HTTPS"));
    }
    server->http_ = std::move(https);
  } else {
    INFOBUS_LOG(Warning) << "gateway.tls=false: plain HTTP, tokens travel in the clear";
    server->http_ = std::make_unique<httplib::Server>();
  }
  std::error_code error;
  if (!std::filesystem::is_directory(options.static_dir, error)) {
    INFOBUS_LOG(Warning) << "gateway.static_dir " << options.static_dir
                         << " is not a directory: the API works, every file is 404";
  }
  server->Route();
  return server;
}

GatewayServer::GatewayServer(const GatewayOptions& options) : options_(options) {}

GatewayServer::~GatewayServer() { Stop(); }

void GatewayServer::Route() {
  const int threads = options_.threads;
  http_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http_->set_payload_max_length(4 << 20);  // gRPC's default message limit
  http_->set_default_headers({
      {"Content-Security-Policy", "default-src 'self'"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"X-Frame-Options", "DENY"},
  });
  http_->set_logger([](const httplib::Request& request, const httplib::Response& response) {
    // The path only: never a header (the token) nor the body.
    INFOBUS_LOG(Debug) << request.method << " " << request.path << " " << response.status;
  });
  http_->Get("/healthz", [](const httplib::Request&, httplib::Response& response) {
    response.set_header("Cache-Control", "no-store");
    response.set_content("ok", "text/plain");
  });
  http_->Post(R"(/api/.*)", [this](const httplib::Request& request, httplib::Response& response) {
    HandleApi(request, response, /*post=*/true);
  });
  http_->Get(R"(/api/.*)", [this](const httplib::Request& request, httplib::Response& response) {
    HandleApi(request, response, /*post=*/false);
  });
  const auto not_allowed = [](const httplib::Request&, httplib::Response& response) {
    response.set_header("Cache-Control", "no-store");
    ReplyError(response, absl::UnimplementedError("the API takes POST (unary) or GET (streams)"),
               405);
  };
  http_->Put(R"(/api/.*)", not_allowed);
  http_->Patch(R"(/api/.*)", not_allowed);
  http_->Delete(R"(/api/.*)", not_allowed);
  http_->Get(R"(.*)", [this](const httplib::Request& request, httplib::Response& response) {
    HandleStatic(request, response);
  });
}

absl::Status GatewayServer::Start() {
  const size_t colon = options_.listen.rfind(':');
  const std::string host = options_.listen.substr(0, colon);
  int port = 0;
  (void)absl::SimpleAtoi(absl::string_view(options_.listen).substr(colon + 1), &port);
  if (port == 0) {
    port_ = http_->bind_to_any_port(host.c_str());
  } else if (http_->bind_to_port(host.c_str(), port)) {
    port_ = port;
  } else {
    port_ = -1;
  }
  if (port_ <= 0) {
    return absl::UnavailableError(absl::StrCat("gateway.listen: cannot bind ", options_.listen));
  }
  listener_ = std::thread([this] { http_->listen_after_bind(); });
  // Serving before the port file says so, and before a Stop could come too early for
  // httplib (a stop() before its loop runs would be lost and the join would never end).
  while (!http_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (!options_.port_file.empty()) {
    if (absl::Status written = WritePortFile(options_.port_file, port_); !written.ok()) {
      return written;
    }
  }
  INFOBUS_LOG(Info) << "gateway serving " << (options_.tls ? "HTTPS" : "HTTP") << " on " << host
                    << ":" << port_ << ", static files from " << options_.static_dir
                    << ", collection " << options_.service_addresses.at("collection")
                    << ", judgment " << options_.service_addresses.at("judgment") << ", dispatch "
                    << options_.service_addresses.at("dispatch") << ", supervision "
                    << options_.service_addresses.at("supervision");
  return absl::OkStatus();
}

void GatewayServer::Stop() {
  {
    absl::MutexLock lock(&streams_mutex_);
    if (stopping_ && !listener_.joinable()) return;
    stopping_ = true;
    for (ServerStreamCall* call : streams_) call->Cancel();
  }
  if (http_) http_->stop();
  if (listener_.joinable()) listener_.join();
}

void GatewayServer::HandleApi(const httplib::Request& request, httplib::Response& response,
                              bool post) {
  response.set_header("Cache-Control", "no-store");
  absl::StatusOr<ApiRoute> route = ParseApiPath(request.path);
  if (!route.ok()) return ReplyError(response, route.status());
  absl::StatusOr<const google::protobuf::MethodDescriptor*> method = FindGeneratedMethod(*route);
  if (!method.ok()) return ReplyError(response, method.status());
  const CallKind kind = KindOf(**method);
  if (kind == CallKind::kUnmapped) {
    return ReplyError(response, absl::UnimplementedError(absl::StrCat(
                                    (*method)->full_name(), " streams from the client: no HTTP")));
  }
  if (post != (kind == CallKind::kUnary)) {
    response.set_header("Allow", kind == CallKind::kUnary ? "POST" : "GET");
    return ReplyError(response,
                      absl::UnimplementedError(absl::StrCat(
                          (*method)->full_name(), kind == CallKind::kUnary
                                                      ? " is unary: POST it"
                                                      : " streams: GET it (Server-Sent Events)")),
                      405);
  }
  absl::StatusOr<std::string> authorization =
      ForwardedAuthorization(request.get_header_value("Authorization"));
  if (!authorization.ok()) return ReplyError(response, authorization.status());
  grpc::GenericStub& stub = *stubs_.at(route->service);
  if (kind == CallKind::kUnary) {
    HandleUnary(**method, stub, *authorization, request, response);
  } else {
    HandleStream(**method, stub, *authorization, request, response);
  }
}

void GatewayServer::HandleUnary(const google::protobuf::MethodDescriptor& method,
                                grpc::GenericStub& stub, const std::string& authorization,
                                const httplib::Request& request, httplib::Response& response) {
  std::unique_ptr<Message> input = NewMessage(*method.input_type());
  if (absl::Status parsed = RequestFromJson(request.body, input.get()); !parsed.ok()) {
    return ReplyError(response, parsed);
  }
  absl::StatusOr<std::string> reply =
      CallUnary(stub, GrpcMethodPath(method), input->SerializeAsString(), authorization,
                options_.call_timeout);
  if (!reply.ok()) return ReplyError(response, reply.status());
  std::unique_ptr<Message> output = NewMessage(*method.output_type());
  if (!output->ParseFromString(*reply)) {
    return ReplyError(response, absl::InternalError(absl::StrCat("the service's reply is not a ",
                                                                 output->GetTypeName())));
  }
  absl::StatusOr<std::string> json = MessageToJson(*output);
  if (!json.ok()) return ReplyError(response, json.status());
  response.set_content(*json, kJson);
}

void GatewayServer::HandleStream(const google::protobuf::MethodDescriptor& method,
                                 grpc::GenericStub& stub, const std::string& authorization,
                                 const httplib::Request& request, httplib::Response& response) {
  std::unique_ptr<Message> input = NewMessage(*method.input_type());
  if (absl::Status set = SetFieldsFromQuery(request.params, input.get()); !set.ok()) {
    return ReplyError(response, set);
  }
  if (absl::Status resumed =
          ApplyLastEventId(request.get_header_value("Last-Event-ID"), input.get());
      !resumed.ok()) {
    return ReplyError(response, resumed);
  }
  auto stream = std::make_shared<Stream>();
  stream->output = method.output_type();
  {
    absl::MutexLock lock(&streams_mutex_);
    if (stopping_) return ReplyError(response, absl::UnavailableError("the gateway is stopping"));
    if (streams_.size() >= static_cast<size_t>(options_.max_streams)) {
      INFOBUS_LOG(Warning) << "stream refused: " << streams_.size()
                           << " open, gateway.max_streams=" << options_.max_streams;
      return ReplyError(response, absl::UnavailableError(absl::StrCat(
                                      "the gateway serves at most ", options_.max_streams,
                                      " streams at once (gateway.max_streams); try again later")));
    }
    stream->call = ServerStreamCall::Start(stub, GrpcMethodPath(method), input->SerializeAsString(),
                                           authorization);
    streams_.insert(stream->call.get());
  }
  response.set_header("X-Accel-Buffering", "no");  // for a proxy in front: do not buffer
  response.set_chunked_content_provider(
      "text/event-stream",
      [this, stream](size_t /*offset*/, httplib::DataSink& sink) { return Pump(*stream, sink); },
      [this, stream](bool /*success*/) {
        // The client is gone or the stream ended: the call goes with it (cancelled if it
        // still runs; the last owner of `call` waits for gRPC to be done with it).
        stream->call->Cancel();
        absl::MutexLock lock(&streams_mutex_);
        streams_.erase(stream->call.get());
      });
}

bool GatewayServer::Pump(Stream& stream, httplib::DataSink& sink) {
  for (;;) {
    const absl::Duration until_keep_alive = options_.keep_alive - (absl::Now() - stream.last_write);
    std::string bytes;
    switch (stream.call->Read(
        std::max(absl::ZeroDuration(), std::min(kClientCheck, until_keep_alive)), &bytes)) {
      case ServerStreamCall::Next::kMessage: {
        std::unique_ptr<Message> message = NewMessage(*stream.output);
        absl::StatusOr<std::string> json =
            message->ParseFromString(bytes)
                ? MessageToJson(*message)
                : absl::InternalError(absl::StrCat("the service streamed something that is not a ",
                                                   stream.output->full_name()));
        if (!json.ok()) {
          const std::string event = SseErrorEvent(ErrorBody(json.status()));
          sink.write(event.data(), event.size());
          sink.done();
          return true;
        }
        const std::string event = SseEvent(EventIdOf(*message), *json);
        if (!sink.write(event.data(), event.size())) return false;
        stream.last_write = absl::Now();
        return true;
      }
      case ServerStreamCall::Next::kTimeout:
        if (sink.is_writable && !sink.is_writable()) return false;
        if (absl::Now() - stream.last_write >= options_.keep_alive) {
          if (!sink.write(kSseKeepAlive.data(), kSseKeepAlive.size())) return false;
          stream.last_write = absl::Now();
          return true;
        }
        continue;
      case ServerStreamCall::Next::kEnd: {
        const absl::Status status = stream.call->status();
        bool stopping = false;
        {
          absl::MutexLock lock(&streams_mutex_);
          stopping = stopping_;
        }
        // On shutdown the stream just ends: the client reconnects (Last-Event-ID) elsewhere.
        if (!status.ok() && !stopping) {
          const std::string event = SseErrorEvent(ErrorBody(status));
          sink.write(event.data(), event.size());
        }
        sink.done();
        return true;
      }
    }
  }
}

void GatewayServer::HandleStatic(const httplib::Request& request, httplib::Response& response) {
  const std::filesystem::path root(options_.static_dir);
  absl::StatusOr<std::string> relative =
      ResolveStaticFile(request.path, [&root](const std::string& candidate) {
        std::error_code error;
        return std::filesystem::is_regular_file(root / candidate, error);
      });
  std::error_code error;
  const std::filesystem::path canonical_root = std::filesystem::canonical(root, error);
  std::filesystem::path file;
  if (relative.ok() && !error) {
    // A symbolic link inside the directory may point out of it: refused as well.
    file = std::filesystem::canonical(root / *relative, error);
    const std::string root_text = canonical_root.string() + "/";
    if (error || !absl::StartsWith(file.string(), root_text)) {
      relative = absl::NotFoundError("refused: outside gateway.static_dir");
    }
  }
  if (!relative.ok() || error) {
    response.status = 404;
    response.set_content("not found\n", "text/plain; charset=utf-8");
    return;
  }
  std::ifstream in(file, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  if (!in) {
    response.status = 404;
    response.set_content("not found\n", "text/plain; charset=utf-8");
    return;
  }
  // index.html names the hashed assets of a build: always ask again for it.
  if (*relative == "index.html") response.set_header("Cache-Control", "no-cache");
  response.set_content(content.str(), ContentTypeFor(*relative));
}

int RunGateway(const GatewayOptions& options) {
  log::SetComponent("gateway");
  log::SetMinLevel(options.log_level);
  absl::StatusOr<GatewayServerPtr> server = GatewayServer::Create(options);
  if (!server.ok()) {
    INFOBUS_LOG(Error) << "cannot start: " << server.status().message();
    return 1;
  }
  if (absl::Status started = (*server)->Start(); !started.ok()) {
    INFOBUS_LOG(Error) << "cannot start: " << started.message();
    return 1;
  }
  const int signal = WaitForTerminationSignal();
  INFOBUS_LOG(Info) << "signal " << signal << ": stopping (open streams are cancelled)";
  (*server)->Stop();
  INFOBUS_LOG(Info) << "stopped";
  return 0;
}

}  // namespace infobus::gateway
